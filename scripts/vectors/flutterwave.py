#!/usr/bin/env python3
"""Prints tests/data/providers/flutterwave.json: Flutterwave webhooks from the recipes receivers
use: flutterwave-signature = base64 HMAC-SHA256 of the raw body with the secret hash, and the
legacy verif-hash header carrying the secret hash itself."""
from body_hmac import body_vector, emit

SECRET = "flw-secret-hash-8c2e4a"
BODY = ('{"event":"charge.completed","data":{"id":285959875,"tx_ref":"Links-616626414629",'
        '"amount":100,"currency":"NGN","status":"successful"}}')
URL = "https://developer.flutterwave.com/docs/webhooks"
signed = body_vector("flutterwave", "flutterwave-signature, computed", URL, SECRET,
                     "flutterwave-signature", BODY, encoding="base64")
signed["variant"] = "signature"
emit("flutterwave", [signed, {
    "name": "verif-hash carries the secret hash",
    "source_kind": "computed",
    "source": f"built by scripts/vectors/flutterwave.py from {URL} (the header equals the secret hash)",
    "variant": "verif-hash",
    "secret": SECRET,
    "headers": [["Content-Type", "application/json"], ["verif-hash", SECRET]],
    "body": BODY,
    "tamper": "header:verif-hash",
}])
