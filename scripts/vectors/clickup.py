#!/usr/bin/env python3
"""Prints tests/data/providers/clickup.json: a ClickUp webhook computed with Python's hmac from
https://developer.clickup.com/docs/webhooksignature (X-Signature: hex HMAC-SHA256 of the raw
body with webhook.secret). The docs' own example signature is truncated, so it cannot be used."""
import hashlib
import hmac
import json

SECRET = "O4B3YSJ7ZGVDSW1ZCT2XMRSNQPE9KQ2X"
BODY = ('{"webhook_id":"7689a169-a000-4985-8676-6902b96d6627",'
        '"event":"taskCreated","task_id":"c0j"}')

print(json.dumps({
    "provider": "clickup",
    "vectors": [{
        "name": "docs example body, computed signature",
        "source_kind": "computed",
        "source": "computed with Python hmac (scripts/vectors/clickup.py) from "
                  "https://developer.clickup.com/docs/webhooksignature",
        "secret": SECRET,
        "headers": [
            ["Content-Type", "application/json"],
            ["X-Signature", hmac.new(SECRET.encode(), BODY.encode(), hashlib.sha256).hexdigest()],
        ],
        "body": BODY,
    }],
}, indent=2))
