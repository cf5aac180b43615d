#!/usr/bin/env python3
"""Bolt webhooks: prints tests/data/providers/bolt.json.

Written from BoltApp/bolt-magento2 Helper/Hook.php (verifyWebhookSecret):
X-Bolt-Hmac-Sha256 = base64(HMAC-SHA256(signing secret, raw body)).
"""
import base64
import hashlib
import hmac
import json

SOURCE = ("computed with Python hmac/hashlib from BoltApp/bolt-magento2@0781efbbefb1953d0107113d3cfc9c9e96e3e248 "
          "Helper/Hook.php (scripts/vectors/bolt.py)")
SECRET = "d8a3b0c0f6e44c2f9b7a1e2d3c4b5a69"
BODY = ('{"type":"payment","object":"transaction","data":{"id":"TA9pDkRu8ZV9Q","reference":"V2YW-NYNR-2MYM",'
        '"status":"authorized","amount":{"amount":2999,"currency":"USD"}}}')
sig = base64.b64encode(hmac.new(SECRET.encode(), BODY.encode(), hashlib.sha256).digest()).decode()
print(json.dumps({"provider": "bolt", "vectors": [
    {"name": "payment authorized", "source_kind": "computed", "source": SOURCE, "secret": SECRET,
     "headers": [["Content-Type", "application/json"], ["X-Bolt-Hmac-Sha256", sig]], "body": BODY},
]}, indent=2))
