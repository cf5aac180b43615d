"""Shared by the body-only vector scripts: one computed vector, HMAC of the raw body."""
import base64
import hashlib
import hmac
import json


def body_vector(provider, name, source_url, secret, header, body, *, digest=hashlib.sha256,
                encoding="hex", prefix="", script=None, extra_headers=()):
    mac = hmac.new(secret.encode(), body.encode(), digest).digest()
    sig = mac.hex() if encoding == "hex" else base64.b64encode(mac).decode()
    return {
        "name": name,
        "source_kind": "computed",
        "source": f"computed with Python hmac (scripts/vectors/{script or provider}.py) from {source_url}",
        "secret": secret,
        "headers": [["Content-Type", "application/json"], *map(list, extra_headers),
                    [header, prefix + sig]],
        "body": body,
    }


def emit(provider, vectors):
    print(json.dumps({"provider": provider, "vectors": vectors}, indent=2))
