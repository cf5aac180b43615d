#!/usr/bin/env python3
"""Mollie test vectors. Secret and payload are the constants of mollie-api-php
tests/Webhooks/SignatureValidatorTest.php; the signature is computed the way
SignatureValidator::createSignature does (hex HMAC-SHA256 of the payload), sent with and without
the `sha256=` prefix the validator strips. Prints tests/data/providers/mollie.json."""
import hashlib
import hmac
import json

SECRET = "test_webhook_secret"
PAYLOAD = '{"id":"tr_12345","event_type":"payment-link.paid"}'
SRC = "mollie/mollie-api-php@53e49e71dcf761ee8f1b06e3838d0e9904ea7d7f tests/Webhooks/SignatureValidatorTest.php (SIGNING_SECRET, PAYLOAD); signature computed by scripts/vectors/mollie.py as SignatureValidator::createSignature does"

sig = hmac.new(SECRET.encode(), PAYLOAD.encode(), hashlib.sha256).hexdigest()
print(json.dumps({
    "provider": "mollie",
    "vectors": [
        {
            "name": "SDK test inputs, sha256= prefix",
            "source_kind": "computed",
            "source": SRC,
            "variant": "prefixed",
            "secret": SECRET,
            "headers": [["X-Mollie-Signature", f"sha256={sig}"]],
            "body": PAYLOAD,
        },
        {
            "name": "SDK test inputs, bare hex",
            "source_kind": "computed",
            "source": SRC,
            "variant": "bare",
            "secret": SECRET,
            "headers": [["X-Mollie-Signature", sig]],
            "body": PAYLOAD,
        },
    ],
}, indent=2))
