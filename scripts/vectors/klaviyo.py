#!/usr/bin/env python3
"""Klaviyo test vector: `Klaviyo-Signature` = hex HMAC-SHA256 of body + Klaviyo-Timestamp (body
first, no separator) with the endpoint secret as UTF-8. The timestamp uses the HTTP-date form two
independent implementations show. Prints tests/data/providers/klaviyo.json."""
import hashlib
import hmac
import json

SECRET = "klaviyo-endpoint-secret-0123456789"
TS = "Tue, 14 Apr 2026 03:50:12 GMT"
BODY = '{"data":[{"topic":"event:klaviyo.sent_email","payload":{"data":{"type":"event","id":"4vRpBT4f6Ws"}},"external_id":"4vRpBT4f6Ws"}],"meta":{"timestamp":"2026-04-14T03:50:12+00:00","webhook_id":"01KP4928STE8FKCWB6WDHZ4ZB7"}}'

sig = hmac.new(SECRET.encode(), (BODY + TS).encode(), hashlib.sha256).hexdigest()
print(json.dumps({
    "provider": "klaviyo",
    "vectors": [{
        "name": "email event batch, computed",
        "source_kind": "computed",
        "source": "scripts/vectors/klaviyo.py: Python hmac over body + Klaviyo-Timestamp (hookdeck klaviyo-webhooks verification.md)",
        "secret": SECRET,
        "headers": [
            ["Klaviyo-Signature", sig],
            ["Klaviyo-Timestamp", TS],
            ["Klaviyo-Webhook-Id", "01KP4928STE8FKCWB6WDHZ4ZB7"],
        ],
        "body": BODY,
    }],
}, indent=2))
