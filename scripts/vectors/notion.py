#!/usr/bin/env python3
"""Notion test vector: `X-Notion-Signature: sha256=` + hex HMAC-SHA256(verification_token, body),
as described by the sources cited in notion.toml. Prints tests/data/providers/notion.json."""
import hashlib
import hmac
import json

TOKEN = "secret_tMrlL1qK5vuQAh1b6cZGhFChZTSYJlce98V0pYn7yBl"
BODY = '{"id":"367cba44-b6f3-4c92-81e7-6a2e9659efd4","timestamp":"2026-01-01T00:00:00.000Z","workspace_id":"13950b26-c203-4f3b-b97d-93ec06319565","type":"page.content_updated","entity":{"id":"153104cd-477e-809d-8dc4-ff2d96ae3090","type":"page"},"attempt_number":1}'

sig = hmac.new(TOKEN.encode(), BODY.encode(), hashlib.sha256).hexdigest()
print(json.dumps({
    "provider": "notion",
    "vectors": [{
        "name": "page.content_updated, computed",
        "source_kind": "computed",
        "source": "scripts/vectors/notion.py: Python hmac, hex HMAC-SHA256 of the body keyed with the verification_token",
        "secret": TOKEN,
        "headers": [["X-Notion-Signature", f"sha256={sig}"]],
        "body": BODY,
    }],
}, indent=2))
