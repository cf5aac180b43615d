#!/usr/bin/env python3
"""Prints tests/data/providers/airwallex.json: an Airwallex webhook computed with Python's hmac
from Airwallex's code example: x-signature = hex HMAC-SHA256 of x-timestamp + raw body."""
import hashlib
import hmac
import json

SECRET = "whsec_AirwallexDemo_3f9c1e7a5b2d"
TS = "1700000000123"
BODY = ('{"id":"evt_hkdmr7v9rg1j8bqh2cd","name":"payment_intent.succeeded",'
        '"account_id":"acct_JQ9hrH2JQ7GBVz1DdqZq5A","data":{"object":{"id":"int_hkdm8fs6b"}},'
        '"created_at":"2023-11-14T22:13:20+0000","version":"2023-10-01"}')
SIG = hmac.new(SECRET.encode(), (TS + BODY).encode(), hashlib.sha256).hexdigest()

print(json.dumps({"provider": "airwallex", "vectors": [{
    "name": "payment_intent.succeeded, computed signature",
    "source_kind": "computed",
    "source": "computed with Python hmac (scripts/vectors/airwallex.py) from "
              "https://www.airwallex.com/docs/developer-tools__listen-for-webhook-events__code-examples",
    "secret": SECRET,
    "headers": [["Content-Type", "application/json"], ["x-timestamp", TS], ["x-signature", SIG]],
    "body": BODY,
    "now_unix": 1700000060,
}]}, indent=2))
