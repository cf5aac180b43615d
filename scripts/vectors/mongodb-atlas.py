#!/usr/bin/env python3
"""MongoDB Atlas alert webhooks: prints tests/data/providers/mongodb-atlas.json.

Written from mongodb.com/docs/atlas/tutorial/webhook-integration/: X-MMS-Signature =
base64(HMAC-SHA1(webhook secret, request body)).
"""
import base64
import hashlib
import hmac
import json

SOURCE = ("computed with Python hmac/hashlib from mongodb.com/docs/atlas/tutorial/webhook-integration/ "
          "(X-MMS-Signature row) (scripts/vectors/mongodb-atlas.py)")
SECRET = "atlas-webhook-secret-42"
BODY = ('{"id":"5c9a1b2c3d4e5f6a7b8c9d0e","eventTypeName":"OUTSIDE_METRIC_THRESHOLD","status":"OPEN",'
        '"groupId":"5b4e6f7a8b9c0d1e2f3a4b5c","created":"2025-01-09T10:00:00Z","metricName":"CONNECTIONS"}')
sig = base64.b64encode(hmac.new(SECRET.encode(), BODY.encode(), hashlib.sha1).digest()).decode()
print(json.dumps({"provider": "mongodb-atlas", "vectors": [
    {"name": "alert.open", "source_kind": "computed", "source": SOURCE, "secret": SECRET,
     "headers": [["Content-Type", "application/json"], ["X-MMS-Event", "alert.open"], ["X-MMS-Signature", sig]],
     "body": BODY},
]}, indent=2))
