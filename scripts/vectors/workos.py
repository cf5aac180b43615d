#!/usr/bin/env python3
"""WorkOS test vector, computed from the SDKs' recipe (workos-node signature-provider.ts):
hex HMAC-SHA256 of f"{t}.{body}" with the secret as UTF-8, t in unix milliseconds, sent as
`WorkOS-Signature: t=<t>, v1=<hex>`; the second vector drops the space, which workos-node (split
on ",") also reads. Prints tests/data/providers/workos.json."""
import hashlib
import hmac
import json

SECRET = "whsec_test_secret"
BODY = '{"id":"event_01HXYZ","event":"user.created","data":{"object":"user","id":"user_01","email":"test@example.com"},"created_at":"2026-01-01T00:00:00.000Z"}'
T_MS = 1767225600123

sig = hmac.new(SECRET.encode(), f"{T_MS}.{BODY}".encode(), hashlib.sha256).hexdigest()
print(json.dumps({
    "provider": "workos",
    "vectors": [{
        "name": name,
        "source_kind": "computed",
        "source": "scripts/vectors/workos.py: Python hmac per workos-node src/common/crypto/signature-provider.ts (t in ms, `{t}.{body}`, hex)",
        "secret": SECRET,
        "headers": [["WorkOS-Signature", f"t={T_MS}{sep}v1={sig}"]],
        "body": BODY,
        "now_unix": T_MS // 1000 + 60,
    } for name, sep in (("user.created, computed", ", "),
                        ("no space after the comma (getTimestampAndSignatureHash splits on \",\")", ","))],
}, indent=2))
