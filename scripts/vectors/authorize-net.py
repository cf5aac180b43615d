#!/usr/bin/env python3
"""Prints tests/data/providers/authorize-net.json: Authorize.Net webhook vectors computed with
Python's hmac from the recipe on developer.authorize.net/api/reference/features/webhooks.html
(X-ANET-Signature: sha512=<upper-case hex HMAC-SHA512 of the raw body>). The Signature Key's
bytes are disputed, so one vector uses the key text and one the hex-decoded key."""
import hashlib
import hmac
import json

KEY = "7A2C0B9D4E1F3A5B6C7D8E9F0A1B2C3D4E5F6A7B8C9D0E1F2A3B4C5D6E7F8A9B" * 2
BODY = (
    '{"notificationId":"d0e8e7fe-c3e7-4add-a480-27bc5ce28a03",'
    '"eventType":"net.authorize.payment.authcapture.created",'
    '"eventDate":"2017-03-29T20:48:02.0080095Z",'
    '"webhookId":"63d6fea2-aa13-4b1d-a204-f5fbc15942b7",'
    '"payload":{"responseCode":1,"authCode":"LZ6I19","avsResponse":"Y","authAmount":45.00,'
    '"entityName":"transaction","id":"60020981676"}}'
)
SOURCE = ("computed with Python hmac (scripts/vectors/authorize-net.py) from "
          "https://developer.authorize.net/api/reference/features/webhooks.html")


def vector(name, key_bytes):
    mac = hmac.new(key_bytes, BODY.encode(), hashlib.sha512).hexdigest().upper()
    return {
        "name": name,
        "source_kind": "computed",
        "source": SOURCE,
        "secret": KEY,
        "headers": [["Content-Type", "application/json"], ["X-ANET-Signature", "sha512=" + mac]],
        "body": BODY,
    }


print(json.dumps({
    "provider": "authorize-net",
    "vectors": [
        vector("signature key used as text", KEY.encode()),
        vector("signature key hex-decoded", bytes.fromhex(KEY)),
    ],
}, indent=2))
