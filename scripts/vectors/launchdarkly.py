#!/usr/bin/env python3
"""LaunchDarkly webhooks: prints tests/data/providers/launchdarkly.json.

Written from LaunchDarkly's 'Sign a webhook': X-LD-Signature = hex(HMAC-SHA256(secret, payload)).
The body is the sample payload of LaunchDarkly's webhooks API page (abridged).
"""
import hashlib
import hmac
import json

SOURCE = ("computed with Python hmac/hashlib from docs.launchdarkly.com/home/connecting/webhooks ('Sign a webhook'); "
          "body abridged from launchdarkly.com/docs/api/webhooks sample payload (scripts/vectors/launchdarkly.py)")
SECRET = "sdk-webhook-secret-8c1d2e3f"
BODY = ('{"_id":"57c0a8e29969090743529965","date":1472243938774,"accesses":[{"action":"updateName",'
        '"resource":"proj/alexis:env/test"}],"kind":"environment","name":"Testing",'
        '"description":"- Changed the name from ~~Test~~ to *Testing*","member":{"_id":"548f6741c1efad40031b18ae",'
        '"email":"ariel@acme.com","firstName":"Ariel","lastName":"Flores"}}')
sig = hmac.new(SECRET.encode(), BODY.encode(), hashlib.sha256).hexdigest()
print(json.dumps({"provider": "launchdarkly", "vectors": [
    {"name": "environment renamed", "source_kind": "computed", "source": SOURCE, "secret": SECRET,
     "headers": [["Content-Type", "application/json"], ["X-LD-Signature", sig]], "body": BODY},
]}, indent=2))
