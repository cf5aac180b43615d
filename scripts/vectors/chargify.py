#!/usr/bin/env python3
"""Maxio Advanced Billing (Chargify) webhooks: prints tests/data/providers/chargify.json.

Written from independent receivers (see chargify.toml): X-Chargify-Webhook-Signature-Hmac-Sha-256
= hex(HMAC-SHA256(site shared key, raw form-encoded body)).
"""
import hashlib
import hmac
import json
from urllib.parse import urlencode

SOURCE = ("computed with Python hmac/hashlib: hex HMAC-SHA256 of the raw body with the site shared key, as in "
          "gist mediocretes/a0c4ac069dec105b167e (scripts/vectors/chargify.py)")
KEY = "b65ca1b9a6eaea838b7c536ca0ca5fe634214b5d"
BODY = urlencode([
    ("id", "123456789"), ("event", "payment_success"),
    ("payload[subscription][id]", "sub_789"), ("payload[subscription][state]", "active"),
    ("payload[subscription][customer][email]", "test@example.com"),
    ("payload[transaction][amount_in_cents]", "4999"), ("payload[site][subdomain]", "acme"),
])
sig = hmac.new(KEY.encode(), BODY.encode(), hashlib.sha256).hexdigest()
print(json.dumps({"provider": "chargify", "vectors": [
    {"name": "payment_success (form body)", "source_kind": "computed", "source": SOURCE, "secret": KEY,
     "headers": [["Content-Type", "application/x-www-form-urlencoded"], ["X-Chargify-Webhook-Id", "123456789"],
                 ["X-Chargify-Webhook-Signature-Hmac-Sha-256", sig]], "body": BODY},
]}, indent=2))
