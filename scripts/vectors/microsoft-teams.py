#!/usr/bin/env python3
"""Microsoft Teams outgoing webhooks: prints tests/data/providers/microsoft-teams.json.

Written from OfficeDev/Microsoft-Teams-Samples samples/outgoing-webhook (AuthProvider.cs,
app.js): Authorization = "HMAC " + base64(HMAC-SHA256(base64decode(security token), raw body)).
"""
import base64
import hashlib
import hmac
import json

SOURCE = ("computed with Python hmac/hashlib from OfficeDev/Microsoft-Teams-Samples@64b1a9a917abe1abb8a9b2a53da93822e49c4c14 "
          "samples/outgoing-webhook/csharp/Models/AuthProvider.cs (key = base64-decoded security token) "
          "(scripts/vectors/microsoft-teams.py)")
# The example token format shown in the sample's nodejs/app.js comment.
TOKEN = "+ZaRRMC8+mpnfGaGsBOmkIFt98bttL5YQRq3p2tXgcE="
BODY = ('{"type":"message","id":"1485983408511","timestamp":"2017-02-01T21:10:07.437Z",'
        '"serviceUrl":"https://smba.trafficmanager.net/amer-client-ss.msg/","channelId":"msteams",'
        '"from":{"id":"29:1XJKJMvc5GBtc2JwZq0oj8tHZmzrQgFmB39ATiQWA85gQtHieVkKilBZ9XHoq9j7Zaqt7CZ-NJWi7me2kHTL3Bw","name":"Tim Jones"},'
        '"text":"<at>Sample</at> hello ✓"}')


def sign(body: str) -> str:
    key = base64.b64decode(TOKEN)
    return "HMAC " + base64.b64encode(hmac.new(key, body.encode(), hashlib.sha256).digest()).decode()


print(json.dumps({"provider": "microsoft-teams", "vectors": [
    {
        "name": "channel message mentioning the webhook",
        "source_kind": "computed",
        "source": SOURCE,
        "secret": TOKEN,
        "headers": [["Authorization", sign(BODY)], ["Content-Type", "application/json; charset=utf-8"]],
        "body": BODY,
    },
]}, indent=2, ensure_ascii=False))
