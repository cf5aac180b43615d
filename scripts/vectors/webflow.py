#!/usr/bin/env python3
"""Webflow test vector, computed the way js-webflow-api WebhooksClient.verifySignature does: hex
HMAC-SHA256 of f"{x-webflow-timestamp}:{body}", timestamp in unix ms. Prints
tests/data/providers/webflow.json."""
import hashlib
import hmac
import json

SECRET = "4b9c2d1e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c"
T_MS = "1767225600456"
BODY = '{"triggerType":"form_submission","payload":{"name":"Contact","siteId":"65427cf400e02b306eaa049c","data":{"email":"ada@example.com"},"submittedAt":"2026-01-01T00:00:00.456Z","id":"6543a8f3b6e8d6a1c9d2e3f4"}}'

sig = hmac.new(SECRET.encode(), f"{T_MS}:{BODY}".encode(), hashlib.sha256).hexdigest()
print(json.dumps({
    "provider": "webflow",
    "vectors": [{
        "name": "form_submission, computed",
        "source_kind": "computed",
        "source": "scripts/vectors/webflow.py: Python hmac per webflow/js-webflow-api src/wrapper/WebhooksClient.ts",
        "secret": SECRET,
        "headers": [["x-webflow-timestamp", T_MS], ["x-webflow-signature", sig]],
        "body": BODY,
        "now_unix": int(T_MS) // 1000 + 45,
    }],
}, indent=2))
