#!/usr/bin/env python3
"""Pinwheel webhooks: prints tests/data/providers/pinwheel.json.

Written from the independent receiver cited in pinwheel.toml: X-Pinwheel-Signature =
"v2=" + hex(HMAC-SHA256(API secret, "v2:" + X-Timestamp + ":" + raw body)).
"""
import hashlib
import hmac
import json

SOURCE = ("computed with Python hmac/hashlib: 'v2:<X-Timestamp>:<body>' as in DSACMS/iv-cbv-payroll "
          "app/app/services/aggregators/sdk/pinwheel_service.rb (scripts/vectors/pinwheel.py)")
SECRET = "pw_test_secret_0123456789abcdef0123456789abcdef"
TS = "1700000000"
BODY = ('{"event":"paystubs.fully_synced","event_id":"6f2d8e4a-1b3c-4d5e-8f9a-0b1c2d3e4f5a",'
        '"payload":{"account_id":"00000000-0000-0000-0000-000000000000","end_user_id":"user-42","outcome":"success"}}')
sig = "v2=" + hmac.new(SECRET.encode(), f"v2:{TS}:{BODY}".encode(), hashlib.sha256).hexdigest()
print(json.dumps({"provider": "pinwheel", "vectors": [
    {"name": "paystubs.fully_synced", "source_kind": "computed", "source": SOURCE, "secret": SECRET,
     "headers": [["Content-Type", "application/json"], ["X-Timestamp", TS], ["X-Pinwheel-Signature", sig]],
     "body": BODY},
    {"name": "the timestamp is signed", "source_kind": "computed", "source": SOURCE, "secret": SECRET,
     "headers": [["X-Pinwheel-Signature", sig], ["X-Timestamp", TS]], "body": BODY, "tamper": "header:X-Timestamp"},
]}, indent=2))
