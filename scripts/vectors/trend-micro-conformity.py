#!/usr/bin/env python3
"""Trend Micro Cloud One Conformity webhooks: prints tests/data/providers/trend-micro-conformity.json.

Written from Trend Micro's 'Webhook communication' pages: the header carries hex(HMAC-SHA256(security
token, payload)); named X-TrendMicro-Signature now, X-Conformity-Signature on the older page.
"""
import hashlib
import hmac
import json

SOURCE = ("computed with Python hmac/hashlib from docs.trendmicro.com 'Trend Micro Cloud One Conformity Webhook Communication' "
          "and cloudconformity.com webhook-communication (scripts/vectors/trend-micro-conformity.py)")
TOKEN = "Q29uZm9ybWl0eVRva2Vu"
BODY = ('{"id":"ccc:OrganisationId:AccountId:S3-021:S3:us-east-1:my-bucket","ruleId":"S3-021","status":"FAILURE",'
        '"riskLevel":"HIGH","region":"us-east-1","message":"Bucket my-bucket allows public access"}')
sig = hmac.new(TOKEN.encode(), BODY.encode(), hashlib.sha256).hexdigest()


def v(name, variant, header):
    return {"name": name, "source_kind": "computed", "source": SOURCE, "variant": variant, "secret": TOKEN,
            "headers": [["Content-Type", "application/json"], [header, sig]], "body": BODY}


print(json.dumps({"provider": "trend-micro-conformity", "vectors": [
    v("check failure (current header)", "trendmicro", "X-TrendMicro-Signature"),
    v("check failure (older header)", "conformity", "X-Conformity-Signature"),
]}, indent=2))
