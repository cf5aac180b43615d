#!/usr/bin/env python3
"""TikTok for Developers webhooks: prints tests/data/providers/tiktok.json.

Written from developers.tiktok.com/doc/webhooks-verification: TikTok-Signature = "t=<unix>,s=<hex>",
s = hex HMAC-SHA256(client secret, "<t>.<raw body>").
"""
import hashlib
import hmac
import json

SOURCE = ("computed with Python hmac/hashlib from developers.tiktok.com/doc/webhooks-verification "
          "(signed_payload = t + '.' + body) (scripts/vectors/tiktok.py)")
SECRET = "q1w2e3r4t5y6u7i8o9p0asdfghjklzxc"
T = "1633174587"  # the timestamp of the docs' header example
BODY = ('{"client_key":"bwo2m45353a6k85","event":"video.publish.completed","create_time":1633174587,'
        '"user_openid":"act.example12345Example12345Example","content":"{\\"share_id\\":\\"video.6974245311675353080.VDCxrcMJ\\"}"}')
sig = hmac.new(SECRET.encode(), f"{T}.{BODY}".encode(), hashlib.sha256).hexdigest()
print(json.dumps({"provider": "tiktok", "vectors": [
    {
        "name": "video.publish.completed",
        "source_kind": "computed",
        "source": SOURCE,
        "secret": SECRET,
        "headers": [["Content-Type", "application/json"], ["TikTok-Signature", f"t={T},s={sig}"]],
        "body": BODY,
        "now_unix": 1633174600,
    },
]}, indent=2))
