#!/usr/bin/env python3
"""Telnyx test vector: Ed25519 signature of f"{timestamp}|{body}" (telnyx-python
lib/webhook_verification.py), signed here with a fixed test key; the configured secret is the
base64 public key. Needs the `cryptography` package. Prints tests/data/providers/telnyx.json."""
import base64
import hashlib
import json

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

seed = hashlib.sha256(b"hookscope telnyx test key").digest()
private = Ed25519PrivateKey.from_private_bytes(seed)
public = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
TS = "1767225600"
BODY = '{"data":{"event_type":"message.received","id":"b301ed3f-1490-491f-995f-6e64e69674d4","occurred_at":"2026-01-01T00:00:00.000+00:00","payload":{"direction":"inbound","text":"Hello from Telnyx!","type":"SMS"},"record_type":"event"},"meta":{"attempt":1,"delivered_to":"https://example.com/webhooks"}}'

sig = base64.b64encode(private.sign(f"{TS}|{BODY}".encode())).decode()
print(json.dumps({
    "provider": "telnyx",
    "vectors": [{
        "name": "message.received, computed",
        "source_kind": "computed",
        "source": "scripts/vectors/telnyx.py: Ed25519 (Python cryptography) over `{timestamp}|{body}` per telnyx-python lib/webhook_verification.py",
        "secret": base64.b64encode(public).decode(),
        "headers": [["telnyx-signature-ed25519", sig], ["telnyx-timestamp", TS]],
        "body": BODY,
        "now_unix": int(TS) + 20,
    }],
}, indent=2))
