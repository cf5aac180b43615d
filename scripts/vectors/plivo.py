#!/usr/bin/env python3
"""Plivo V3 signatures (POST form callbacks): prints tests/data/providers/plivo.json.

Written from plivo/plivo-python plivo/utils/signature_v3.py: for a POST with form parameters to
a URL without a query string, the signed string is
    scheme://host/path + "?" + (each parameter name + value, names sorted, values sorted) + "." + nonce
X-Plivo-Signature-V3 = base64(HMAC-SHA256(auth token, that string)); several comma-separated
signatures when more than one auth token is active.
"""
import base64
import hashlib
import hmac
import json
from urllib.parse import parse_qsl

SOURCE = ("computed with Python hmac/hashlib from plivo/plivo-python@0843141a9db3ee39b5edd54fbffefdd14a63f16e "
          "plivo/utils/signature_v3.py (construct_post_url, get_signature_v3) (scripts/vectors/plivo.py)")
URL = "https://example.com/plivo/answer"
TOKEN = "MzY2ODRkYjdhODc0ZTEyOGQ2MDk3MmVkMjhjYzE2"
OTHER = "ZjQ5YmUxNzE0NWZmZmM5YmEzMGE1MTQzOTkxOGM0"


def sign(token: str, url: str, body: str, nonce: str) -> str:
    params = {}
    for k, v in parse_qsl(body, keep_blank_values=True):
        params.setdefault(k, []).append(v)
    joined = "".join(k + v for k in sorted(params) for v in sorted(params[k]))
    signed = f"{url}?{joined}.{nonce}"
    return base64.b64encode(hmac.new(token.encode(), signed.encode(), hashlib.sha256).digest()).decode()


BODY = ("CallUUID=7b3c4f2e-1a2b-4c3d-9e8f-0a1b2c3d4e5f&Direction=inbound&Event=StartApp"
        "&From=%2B14155551234&To=14155550000&CallerName=Jane+Doe")
NONCE = "05429567804466091622"

print(json.dumps({"provider": "plivo", "vectors": [
    {
        "name": "answer callback, one auth token",
        "source_kind": "computed",
        "source": SOURCE,
        "secret": TOKEN,
        "url": URL,
        "headers": [
            ["Content-Type", "application/x-www-form-urlencoded"],
            ["X-Plivo-Signature-V3", sign(TOKEN, URL, BODY, NONCE)],
            ["X-Plivo-Signature-V3-Nonce", NONCE],
        ],
        "body": BODY,
    },
    {
        "name": "two active auth tokens: the matching signature is second",
        "source_kind": "computed",
        "source": SOURCE + "; the header lists one signature per active auth token",
        "secret": TOKEN,
        "url": URL,
        "headers": [
            ["Content-Type", "application/x-www-form-urlencoded"],
            ["X-Plivo-Signature-V3", sign(OTHER, URL, BODY, NONCE) + "," + sign(TOKEN, URL, BODY, NONCE)],
            ["X-Plivo-Signature-V3-Nonce", NONCE],
        ],
        "body": BODY,
    },
]}, indent=2))
