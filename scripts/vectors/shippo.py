#!/usr/bin/env python3
"""Prints tests/data/providers/shippo.json: a Shippo tracking webhook computed with Python's hmac
from the recipe receivers quote from Shippo's webhook security page:
Shippo-Auth-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "{t}.{body}">."""
import hashlib
import hmac
import json

SECRET = "shippo_hmac_9d2f61b0a4c84e57"
TS = "1700000000"
BODY = ('{"event":"track_updated","test":true,"data":{"carrier":"usps",'
        '"tracking_number":"SHIPPO_TRANSIT","tracking_status":{"status":"TRANSIT"}}}')
SIG = hmac.new(SECRET.encode(), f"{TS}.{BODY}".encode(), hashlib.sha256).hexdigest()

print(json.dumps({"provider": "shippo", "vectors": [{
    "name": "track_updated, computed signature",
    "source_kind": "computed",
    "source": "computed with Python hmac (scripts/vectors/shippo.py) from "
              "https://docs.goshippo.com/docs/tracking/webhooksecurity#hmac-security",
    "secret": SECRET,
    "headers": [["Content-Type", "application/json"],
                ["Shippo-Auth-Signature", f"t={TS},v1={SIG}"]],
    "body": BODY,
    "now_unix": 1700000030,
}]}, indent=2))
