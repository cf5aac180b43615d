#!/usr/bin/env python3
"""Segment test vectors: `X-Signature` = hex HMAC-SHA1 of the body with the shared secret
(segment-docs webhooks destination; action-destinations webhook/index.ts), one per user agent
(classic `Segment.io/1.0`, Actions `Segment (Actions)`). Prints tests/data/providers/segment.json."""
import hashlib
import hmac
import json

SECRET = "segment-shared-secret-7f3a"
BODY = '{"version":1,"type":"track","userId":"019mr8mf4r","event":"Purchased an Item","properties":{"revenue":"39.95","shippingMethod":"2-day"},"timestamp":"2012-12-02T00:30:08.276Z"}'

sig = hmac.new(SECRET.encode(), BODY.encode(), hashlib.sha1).hexdigest()
src = "scripts/vectors/segment.py: Python hmac, hex HMAC-SHA1 of the body (body from the segment-docs Track example)"
print(json.dumps({
    "provider": "segment",
    "vectors": [
        {
            "name": "classic destination, computed",
            "source_kind": "computed",
            "source": src,
            "secret": SECRET,
            "headers": [["User-Agent", "Segment.io/1.0"], ["Content-Type", "application/json"], ["X-Signature", sig]],
            "body": BODY,
        },
        {
            "name": "Actions destination, computed",
            "source_kind": "computed",
            "source": src,
            "secret": SECRET,
            "headers": [["user-agent", "Segment (Actions)"], ["X-Signature", sig]],
            "body": BODY,
        },
    ],
}, indent=2))
