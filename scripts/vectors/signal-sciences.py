#!/usr/bin/env python3
"""Fastly Next-Gen WAF (Signal Sciences) generic webhooks: prints tests/data/providers/signal-sciences.json.

Written from Fastly's generic-webhooks page: X-SigSci-Signature = hex(HMAC-SHA256(signing key,
payload)). The body is the page's notification-format example.
"""
import hashlib
import hmac
import json

SOURCE = ("computed with Python hmac/hashlib from fastly.com/documentation/guides/next-gen-waf generic webhooks "
          "('X-SigSci-Signature header'; body = the page's notification format example) (scripts/vectors/signal-sciences.py)")
KEY = "c2lnc2NpLXNpZ25pbmcta2V5LWV4YW1wbGU"
BODY = ('{"created":"2024-02-09T21:08:21.31644377Z","type":"flag","payload":{"ID":"abcde123456789",'
        '"CorpID":"123456789abcde","SiteID":"987654321fedcba","Scope":"site","Slug":"site.example","Name":"example",'
        '"Description":"Webhook integration for Example site","CreatedBy":"admin@example.com","CreatedByID":"edcba987654321",'
        '"Created":"2024-02-09T21:08:21.31644377Z","Updated":"2025-01-07T21:06:31.50725289Z","ResourceID":"ASDFghjkl123456789"},'
        '"link":"dashboard link to event"}')
sig = hmac.new(KEY.encode(), BODY.encode(), hashlib.sha256).hexdigest()
print(json.dumps({"provider": "signal-sciences", "vectors": [
    {"name": "flag notification", "source_kind": "computed", "source": SOURCE, "secret": KEY,
     "headers": [["Content-Type", "application/json"], ["X-SigSci-Signature", sig]], "body": BODY},
]}, indent=2))
