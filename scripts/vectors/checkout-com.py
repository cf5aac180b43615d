#!/usr/bin/env python3
"""Checkout.com test vector: `Cko-Signature` = hex HMAC-SHA256 of the body with the workflow's
signature key (Checkout.com "Set up your webhook receiver"). Prints
tests/data/providers/checkout-com.json."""
import hashlib
import hmac
import json

KEY = "0c3b8e4a-2f1d-4c6b-9a7e-5d8f1b2c3a4e"
BODY = '{"id":"evt_az5sblvku4ge3dwpztvyizgcau","type":"payment_captured","version":"1.0.33","created_on":"2026-01-01T00:00:00.000Z","data":{"id":"pay_mbabizu24mvu3mela5njyhpit4","action_id":"act_y3oqhf46pyzuxjbcn2giaqnb44","amount":6540,"currency":"GBP","reference":"ORD-5023-4E89"}}'

sig = hmac.new(KEY.encode(), BODY.encode(), hashlib.sha256).hexdigest()
print(json.dumps({
    "provider": "checkout-com",
    "vectors": [{
        "name": "payment_captured, computed",
        "source_kind": "computed",
        "source": "scripts/vectors/checkout-com.py: Python hmac, hex HMAC-SHA256 of the body with the signature key",
        "secret": KEY,
        "headers": [["Cko-Signature", sig]],
        "body": BODY,
    }],
}, indent=2))
