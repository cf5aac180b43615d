#!/usr/bin/env python3
"""Front test vectors: application webhooks (base64 HMAC-SHA256 of f"{timestamp}:{body}", ms
timestamp, app secret) and rule webhooks (base64 HMAC-SHA1 of the body, API secret), per
dev.frontapp.com application-webhooks and rule-webhooks. Prints tests/data/providers/front.json."""
import base64
import hashlib
import hmac
import json

APP_SECRET = "front-app-secret-9a8b7c6d5e4f"
API_SECRET = "front-api-secret-1a2b3c4d5e6f"
T_MS = "1767225600789"
SYNC = '{"type":"sync","authorization":{"id":"cmp_abc"}}'
RULE = '{"_links":{"self":"https://api2.frontapp.com/events/evt_55c8c149"},"id":"evt_55c8c149","type":"inbound","emitted_at":1767225600.789,"conversation":{"id":"cnv_55c8c149","subject":"Hello"}}'

def b64mac(key, msg, alg):
    return base64.b64encode(hmac.new(key.encode(), msg.encode(), alg).digest()).decode()

print(json.dumps({
    "provider": "front",
    "vectors": [
        {
            "name": "application webhook validation request, computed",
            "source_kind": "computed",
            "source": "scripts/vectors/front.py: Python hmac per dev.frontapp.com/docs/application-webhooks (body is the documented sync request)",
            "variant": "application",
            "secret": APP_SECRET,
            "headers": [
                ["x-front-signature", b64mac(APP_SECRET, f"{T_MS}:{SYNC}", hashlib.sha256)],
                ["x-front-request-timestamp", T_MS],
                ["x-front-challenge", "h5SbzSsE0cRA"],
            ],
            "body": SYNC,
            "now_unix": int(T_MS) // 1000 + 2,
        },
        {
            "name": "rule webhook event, computed",
            "source_kind": "computed",
            "source": "scripts/vectors/front.py: Python hmac per dev.frontapp.com/docs/rule-webhooks (base64 HMAC-SHA1 of the body)",
            "variant": "rule",
            "secret": API_SECRET,
            "headers": [["X-Front-Signature", b64mac(API_SECRET, RULE, hashlib.sha1)]],
            "body": RULE,
        },
    ],
}, indent=2))
