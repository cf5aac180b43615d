#!/usr/bin/env python3
"""Prints tests/data/providers/squarespace.json: a Squarespace notification computed with Python's
hmac from developers.squarespace.com/commerce-apis/webhooks/verifying-notifications:
Squarespace-Signature = HMAC-SHA256(hexToBytes(secret), raw body), hex."""
import hashlib
import hmac
import json

SECRET = "5f2b8e1c9a4d7f3e6b0c2a8d5e1f4b7c"
BODY = ('{"id":"9a5cdcdc-5a1b-4c2e-8f2d-0b1e2f3a4c5d","websiteId":"5f1a2b3c4d5e6f7a8b9c0d1e",'
        '"subscriptionId":"3c1d2e3f-4a5b-6c7d-8e9f-0a1b2c3d4e5f","topic":"order.create",'
        '"createdOn":"2023-11-14T22:13:20.123Z","data":{"orderId":"5f8a2b1c3d4e5f6a7b8c9d0e"}}')
SIG = hmac.new(bytes.fromhex(SECRET), BODY.encode(), hashlib.sha256).hexdigest()

print(json.dumps({"provider": "squarespace", "vectors": [{
    "name": "order.create, computed signature",
    "source_kind": "computed",
    "source": "computed with Python hmac (scripts/vectors/squarespace.py) from "
              "https://developers.squarespace.com/commerce-apis/webhooks/verifying-notifications",
    "secret": SECRET,
    "headers": [["Content-Type", "application/json"], ["Squarespace-Signature", SIG]],
    "body": BODY,
}]}, indent=2))
