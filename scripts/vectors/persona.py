#!/usr/bin/env python3
"""Prints tests/data/providers/persona.json: Persona webhooks computed with Python's hmac from
Persona's 'Checking Signatures' section: Persona-Signature: t=<unix>,v1=<hex HMAC-SHA256 of
"{t}.{body}">; during a secret rotation two space-separated t=…,v1=… groups are sent."""
import hashlib
import hmac
import json

SECRET = "wbhsec_5c1f0e8d-3b6a-4a77-9d2e-7f4b1c0a9e63"
OLD = "wbhsec_0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
TS = "1700000000"
BODY = ('{"data":{"type":"event","id":"evt_XGuYWp6BhrKQ3Z1JqHsyH8Ap",'
        '"attributes":{"name":"inquiry.completed","payload":{"data":{"type":"inquiry",'
        '"id":"inq_2CVZ4HyVg7qaboXz4mPzxyzB","attributes":{"status":"completed"}}}}}}')


def sig(secret):
    return hmac.new(secret.encode(), f"{TS}.{BODY}".encode(), hashlib.sha256).hexdigest()


def vector(name, header):
    return {
        "name": name,
        "source_kind": "computed",
        "source": "computed with Python hmac (scripts/vectors/persona.py) from "
                  "https://docs.withpersona.com/v2022-09-01/docs/best-practices",
        "secret": SECRET,
        "headers": [["Content-Type", "application/json"], ["Persona-Signature", header]],
        "body": BODY,
        "now_unix": 1700000030,
    }


print(json.dumps({"provider": "persona", "vectors": [
    vector("one signature", f"t={TS},v1={sig(SECRET)}"),
    vector("rotation: old secret's group first, current secret second",
           f"t={TS},v1={sig(OLD)} t={TS},v1={sig(SECRET)}"),
]}, indent=2))
