#!/usr/bin/env python3
"""Sonatype Nexus webhooks: prints tests/data/providers/sonatype-nexus.json.

Written from help.sonatype.com (webhook capabilities; IQ 'Working with HMAC Payloads'):
X-Nexus-Webhook-Signature = hex(HMAC-SHA1(secret key, JSON body without whitespace)).
"""
import hashlib
import hmac
import json

SOURCE = ("computed with Python hmac/hashlib from help.sonatype.com/en/enabling-a-repository-webhook-capability.html "
          "(scripts/vectors/sonatype-nexus.py)")
KEY = "foo"  # the secret key of Sonatype's IQ webhook consumer example
BODY = ('{"timestamp":"2016-11-10T23:57:49.664+0000","nodeId":"52905B51-085CCABB-CEBBEAAD-16F7BB20-128C5E5F",'
        '"initiator":"admin/127.0.0.1","repositoryName":"npm-proxy","action":"CREATED",'
        '"component":{"id":"08909bf0c86cf6c9600aade89e1c5e25","format":"npm","name":"angular2","version":"2.0.0-beta.17"}}')
sig = hmac.new(KEY.encode(), BODY.encode(), hashlib.sha1).hexdigest()
print(json.dumps({"provider": "sonatype-nexus", "vectors": [
    {"name": "rm:repository:component CREATED", "source_kind": "computed", "source": SOURCE, "secret": KEY,
     "headers": [["Content-Type", "application/json; charset=UTF-8"], ["X-Nexus-Webhook-Id", "rm:repository:component"],
                 ["X-Nexus-Webhook-Signature", sig]], "body": BODY},
]}, indent=2))
