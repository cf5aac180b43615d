#!/usr/bin/env python3
"""Prints tests/data/providers/linkedin.json: LinkedIn push events computed with Python's hmac
from learn.microsoft.com/en-us/linkedin/shared/api-guide/webhook-validation, once for each
reading of its X-LI-Signature sentence (hex HMAC-SHA256 with the clientSecret)."""
import hashlib
import hmac
import json

SECRET = "WPL_AP1.k3Xq9TzR2mB8vN4c"
BODY = ('{"type":"ORGANIZATION_SOCIAL_ACTION_NOTIFICATIONS","notificationId":1234567,'
        '"organizationalEntity":"urn:li:organization:2414183","action":"COMMENT",'
        '"sourcePost":"urn:li:share:6969696969696969696"}')
SOURCE = ("computed with Python hmac (scripts/vectors/linkedin.py) from "
          "https://learn.microsoft.com/en-us/linkedin/shared/api-guide/webhook-validation")


def mac(msg):
    return hmac.new(SECRET.encode(), msg.encode(), hashlib.sha256).hexdigest()


def vector(name, variant, header):
    return {"name": name, "source_kind": "computed", "source": SOURCE, "variant": variant,
            "secret": SECRET,
            "headers": [["Content-Type", "application/json"], ["X-LI-Signature", header]],
            "body": BODY}


print(json.dumps({"provider": "linkedin", "vectors": [
    vector("literal in the signed message", "prefixed-message", mac("hmacsha256=" + BODY)),
    vector("literal in the header value", "prefixed-header", "hmacsha256=" + mac(BODY)),
]}, indent=2))
