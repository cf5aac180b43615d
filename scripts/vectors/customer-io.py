#!/usr/bin/env python3
"""Customer.io reporting webhook test vector: `X-CIO-Signature` = hex HMAC-SHA256 of
f"v0:{X-CIO-Timestamp}:{body}" with the signing key. Prints tests/data/providers/customer-io.json."""
import hashlib
import hmac
import json

KEY = "cio-signing-key-3d5f7a9b1c2e4f60"
TS = "1767225600"
BODY = '{"data":{"customer_id":"42","delivery_id":"RAECAAFwnUSneIa0ZXkmq8EdkAM==","identifiers":{"id":"42"},"recipient":"test@example.com"},"event_id":"01E4C4CT6YDC7Y5M7FE1GWWPQJ","object_type":"email","metric":"delivered","timestamp":1767225600}'

sig = hmac.new(KEY.encode(), f"v0:{TS}:{BODY}".encode(), hashlib.sha256).hexdigest()
print(json.dumps({
    "provider": "customer-io",
    "vectors": [{
        "name": "email delivered, computed",
        "source_kind": "computed",
        "source": "scripts/vectors/customer-io.py: Python hmac over `v0:{timestamp}:{body}` (Customer.io Securely Verifying Requests, as quoted by the sources in customer-io.toml)",
        "secret": KEY,
        "headers": [["X-CIO-Timestamp", TS], ["X-CIO-Signature", sig]],
        "body": BODY,
        "now_unix": int(TS) + 5,
    }],
}, indent=2))
