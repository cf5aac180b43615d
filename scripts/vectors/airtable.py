#!/usr/bin/env python3
"""Airtable test vector: `X-Airtable-Content-MAC: hmac-sha256=` + hex HMAC-SHA256 of the body,
keyed with macSecretBase64 base64-DECODED. The body has the shape of Airtable's documented
notification ping. Prints tests/data/providers/airtable.json."""
import base64
import hashlib
import hmac
import json

MAC_SECRET_BASE64 = base64.b64encode(hashlib.sha256(b"hookscope airtable vector").digest()).decode()
BODY = '{"base":{"id":"app00000000000000"},"webhook":{"id":"ach00000000000000"},"timestamp":"2022-02-01T21:25:05.663Z"}'

key = base64.b64decode(MAC_SECRET_BASE64)
sig = hmac.new(key, BODY.encode(), hashlib.sha256).hexdigest()
print(json.dumps({
    "provider": "airtable",
    "vectors": [{
        "name": "notification ping, computed",
        "source_kind": "computed",
        "source": "scripts/vectors/airtable.py: Python hmac, key = base64-decoded macSecretBase64, hex over the body",
        "secret": MAC_SECRET_BASE64,
        "headers": [["X-Airtable-Content-MAC", f"hmac-sha256={sig}"]],
        "body": BODY,
    }],
}, indent=2))
