#!/usr/bin/env python3
"""Polar test vector, computed the way polar-python validate_event checks it: Standard Webhooks
(`v1,` + base64 HMAC-SHA256 of f"{id}.{timestamp}.{body}") with the key = the secret's raw UTF-8
bytes (the SDK base64-encodes the secret and the library decodes it back). Prints
tests/data/providers/polar.json."""
import base64
import hashlib
import hmac
import json

SECRET = "polar_whs_Lq1V3pFpN0aQm7zY2xKc9dR4tW6uE8sB5hJ0gC3vX1"
MSG_ID = "msg_2zY8Nf3qE1bV7rT0"
TS = "1767225600"
BODY = '{"type":"order.paid","timestamp":"2026-01-01T00:00:00Z","data":{"id":"6f3b8c1e-2a4d-4e5f-9b7a-1c2d3e4f5a6b","status":"paid","total_amount":1000,"currency":"usd"}}'

sig = base64.b64encode(hmac.new(SECRET.encode(), f"{MSG_ID}.{TS}.{BODY}".encode(), hashlib.sha256).digest()).decode()
print(json.dumps({
    "provider": "polar",
    "vectors": [{
        "name": "order.paid, computed",
        "source_kind": "computed",
        "source": "scripts/vectors/polar.py: Python hmac per polarsource/polar-python src/polar_sdk/_webhooks/__init__.py (key = secret UTF-8)",
        "secret": SECRET,
        "headers": [["webhook-id", MSG_ID], ["webhook-timestamp", TS], ["webhook-signature", f"v1,{sig}"]],
        "body": BODY,
        "now_unix": int(TS) + 10,
        "detect": False,
    }],
}, indent=2))
