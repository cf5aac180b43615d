#!/usr/bin/env python3
"""Polar test vector, computed the way polar-python validate_event checks it: Standard Webhooks
(`v1,` + base64 HMAC-SHA256 of f"{id}.{timestamp}.{body}") with the key = the secret's raw UTF-8
bytes (the SDK base64-encodes the secret and the library decodes it back). polar-sdk 1.x also
tries, second, the base64-decoded bytes of a `whsec_` secret (polar/webhooks.py _signing_keys): the
second vector. Prints tests/data/providers/polar.json."""
import base64
import hashlib
import hmac
import json

SECRET = "polar_whs_Lq1V3pFpN0aQm7zY2xKc9dR4tW6uE8sB5hJ0gC3vX1"
MSG_ID = "msg_2zY8Nf3qE1bV7rT0"
TS = "1767225600"
BODY = '{"type":"order.paid","timestamp":"2026-01-01T00:00:00Z","data":{"id":"6f3b8c1e-2a4d-4e5f-9b7a-1c2d3e4f5a6b","status":"paid","total_amount":1000,"currency":"usd"}}'

WHSEC = "whsec_MfKQ9r5IOS9lnXo8dUyo3Y5t9pKzXk2B"


def sign(key):
    mac = hmac.new(key, f"{MSG_ID}.{TS}.{BODY}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def vector(name, source, secret, sig):
    return {
        "name": name,
        "source_kind": "computed",
        "source": source,
        "secret": secret,
        "headers": [["webhook-id", MSG_ID], ["webhook-timestamp", TS], ["webhook-signature", sig]],
        "body": BODY,
        "now_unix": int(TS) + 10,
        "detect": False,
    }


print(json.dumps({
    "provider": "polar",
    "vectors": [
        vector("order.paid, computed",
               "scripts/vectors/polar.py: Python hmac per polarsource/polar-python src/polar_sdk/_webhooks/__init__.py (key = secret UTF-8)",
               SECRET, sign(SECRET.encode())),
        vector("whsec_ secret, key = its base64-decoded bytes, computed",
               "scripts/vectors/polar.py: Python hmac per polar-sdk 1.0.2 (PyPI) polar/webhooks.py _signing_keys (second key: whsec_ stripped, base64-decoded)",
               WHSEC, sign(base64.b64decode(WHSEC.removeprefix("whsec_")))),
    ],
}, indent=2))
