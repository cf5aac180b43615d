#!/usr/bin/env python3
"""Prints tests/data/providers/onfleet.json: an Onfleet webhook computed with Python's hmac from
docs.onfleet.com/reference/secrets: X-Onfleet-Signature = hex HMAC-SHA512 of the raw body with
the webhook secret decoded from hex."""
import hashlib
import hmac
import json

SECRET = "8d4f0c6b2a9e1d7f3c5b8a0e6d2f4c1a9b7e3d5f0a2c4e6b8d1f3a5c7e9b0d2f"
BODY = ('{"taskId":"kc8SS1tzuZ~jqjlebKGrUmpe","triggerId":3,"triggerName":"taskCompleted",'
        '"actionContext":{"type":"WORKER","id":"phArIcr9DcdKy9A3BUymUbx6"},'
        '"time":1700000000123}')
SIG = hmac.new(bytes.fromhex(SECRET), BODY.encode(), hashlib.sha512).hexdigest()

print(json.dumps({"provider": "onfleet", "vectors": [{
    "name": "taskCompleted, computed signature",
    "source_kind": "computed",
    "source": "computed with Python hmac (scripts/vectors/onfleet.py) from "
              "https://docs.onfleet.com/reference/secrets",
    "secret": SECRET,
    "headers": [["Content-Type", "application/json"], ["X-Onfleet-Signature", SIG]],
    "body": BODY,
}]}, indent=2))
