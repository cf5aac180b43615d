#!/usr/bin/env python3
"""Autodesk Platform Services webhooks: prints tests/data/providers/autodesk-aps.json.

Written from aps.autodesk.com 'How to Verify Payload Signature': x-adsk-signature =
"sha1hash=" + hex(HMAC-SHA1(secret token, callback payload)).
"""
import hashlib
import hmac
import json

SOURCE = ("computed with Python hmac/hashlib from aps.autodesk.com/en/docs/webhooks/v1/tutorials/"
          "how-to-verify-payload-signature/ (scripts/vectors/autodesk-aps.py)")
TOKEN = "my-secret-token-0123456789abcdef"
BODY = ('{"version":"1.0","resourceUrn":"urn:adsk.wipprod:dm.lineage:abc123","hook":{"hookId":"0f60f6a0-996c-11e7-abf3-51d68cff984c",'
        '"tenant":"urn:adsk.wipprod:fs.folder:co.xyz","callbackUrl":"https://example.com/callback","system":"data","event":"dm.version.added"},'
        '"payload":{"name":"model.rvt","version":"2"}}')
sig = "sha1hash=" + hmac.new(TOKEN.encode(), BODY.encode(), hashlib.sha1).hexdigest()
print(json.dumps({"provider": "autodesk-aps", "vectors": [
    {"name": "dm.version.added", "source_kind": "computed", "source": SOURCE, "secret": TOKEN,
     "headers": [["Content-Type", "application/json"], ["x-adsk-signature", sig]], "body": BODY},
]}, indent=2))
