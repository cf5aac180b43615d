#!/usr/bin/env python3
"""Webex webhooks: prints tests/data/providers/webex.json.

Written from the receivers cited in webex.toml: X-Spark-Signature = hex(HMAC-SHA1(webhook secret,
raw body)). The body is abridged from the example on Webex's 'Receive and verify events' page.
"""
import hashlib
import hmac
import json

SOURCE = ("computed with Python hmac/hashlib (hex HMAC-SHA1 of the body with the webhook secret); body abridged from "
          "developer.webex.com/docs/receive-and-verify-webhooks (scripts/vectors/webex.py)")
SECRET = "webex-webhook-secret-7f3a"
BODY = ('{"id":"Y2lzY29zcGFyazovL3VzL1dFQkhPT0svZjRlNjA1NjAtNjYwMi00ZmIwLWEyNWEtOTQ5ODgxNjA5NDk3",'
        '"name":"New message in \'Project Unicorn\' room","resource":"messages","event":"created",'
        '"orgId":"OTZhYmMyYWEtM2RjYy0xMWU1LWExNTItZmUzNDgxOWNkYzlh","ownedBy":"creator","status":"active",'
        '"data":{"id":"Y2lzY29zcGFyazovL3VzL01FU1NBR0UvOTJkYjNiZTAtNDNiZC0xMWU2LThhZTktZGQ1YjNkZmM1NjVk"}}')
sig = hmac.new(SECRET.encode(), BODY.encode(), hashlib.sha1).hexdigest()
print(json.dumps({"provider": "webex", "vectors": [
    {"name": "messages created", "source_kind": "computed", "source": SOURCE, "secret": SECRET,
     "headers": [["Content-Type", "application/json"], ["X-Spark-Signature", sig]], "body": BODY},
]}, indent=2))
