#!/usr/bin/env python3
"""Prints tests/data/providers/sinch.json: the Conversation API callback from the .NET SDK's own
test (ValidateRequest), plus an HmacSHA512 callback computed with Python's hmac from the same
recipe: base64 HMAC of "{body}.{nonce}.{timestamp}" with the webhook secret."""
import base64
import hashlib
import hmac
import json

BODY = ('{"app_id":"","accepted_time":"2021-10-18T17:49:13.813615Z",'
        '"project_id":"e2df3a34-a71b-4448-9db5-a8d2baad28e4","contact_create_notification":'
        '{"contact":{"id":"01FJA8B466Y0R2GNXD78MD9SM1","channel_identities":[{"channel":"SMS",'
        '"identity":"48123456789","app_id":""}],"display_name":"New Test Contact",'
        '"email":"new.contact@email.com","external_id":"","metadata":"","language":"EN_US"}},'
        '"message_metadata":""}')
SECRET = "foo_secret1234"
NONCE = "01FJA8B4A7BM43YGWSG9GBV067"
TS = "1634579353"


def headers(sig, algorithm=None):
    h = [["Content-Type", "application/json"],
         ["x-sinch-webhook-signature-nonce", NONCE],
         ["x-sinch-webhook-signature-timestamp", TS]]
    if algorithm:
        h.append(["x-sinch-webhook-signature-algorithm", algorithm])
    return h + [["x-sinch-webhook-signature", sig]]


sha512 = base64.b64encode(hmac.new(SECRET.encode(), f"{BODY}.{NONCE}.{TS}".encode(),
                                   hashlib.sha512).digest()).decode()
print(json.dumps({"provider": "sinch", "vectors": [
    {"name": "SDK test vector (HmacSHA256, no algorithm header)",
     "source_kind": "official-sdk",
     "source": "sinch/sinch-sdk-dotnet tests/Sinch.Tests/Conversation/WebhooksTests.cs"
               "@c2457eb4f058b5afd0fb53d18181828c001500f6 (ValidateRequest)",
     "variant": "hmac-sha256", "secret": SECRET,
     "headers": headers("6bpJoRmFoXVjfJIVglMoJzYXxnoxRujzR4k2GOXewOE="),
     "body": BODY, "now_unix": 1634579360},
    {"name": "HmacSHA512, computed signature",
     "source_kind": "computed",
     "source": "computed with Python hmac (scripts/vectors/sinch.py) from "
               "https://developers.sinch.com/docs/conversation/callbacks#validating-callbacks",
     "variant": "hmac-sha512", "secret": SECRET,
     "headers": headers(sha512, "HmacSHA512"),
     "body": BODY, "now_unix": 1634579360},
]}, indent=2))
