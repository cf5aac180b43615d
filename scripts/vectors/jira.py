#!/usr/bin/env python3
"""Jira Cloud admin webhooks with a secret: prints tests/data/providers/jira.json.

Written from the recipe that MrRefactoring/jira.js src/webhooks/verify.ts and Hookdeck's Jira
guide describe (both point to developer.atlassian.com/cloud/jira/platform/webhooks/
#secure-admin-webhooks): X-Hub-Signature = "sha256=" + hex HMAC-SHA256(secret, raw body).
Deliveries carry X-Atlassian-Webhook-Identifier, which tells them from GitHub/Bitbucket/Intercom.
"""
import hashlib
import hmac
import json

SOURCE = ("computed with Python hmac/hashlib: 'sha256=' + hex HMAC-SHA256 of the raw body, as in "
          "MrRefactoring/jira.js@3cb25c249fce3de6df684947ba5cd0c85466d826 src/webhooks/verify.ts "
          "(scripts/vectors/jira.py)")
SECRET = "It's a Secret to Everybody"
BODY = ('{"timestamp":1718043056451,"webhookEvent":"jira:issue_created","issue_event_type_name":"issue_created",'
        '"issue":{"id":"10001","key":"PROJ-123","fields":{"summary":"Bug in login flow","status":{"name":"To Do"}}}}')


def sig(body: str) -> str:
    return "sha256=" + hmac.new(SECRET.encode(), body.encode(), hashlib.sha256).hexdigest()


print(json.dumps({"provider": "jira", "vectors": [
    {
        "name": "jira:issue_created",
        "source_kind": "computed",
        "source": SOURCE,
        "secret": SECRET,
        "headers": [
            ["X-Hub-Signature", sig(BODY)],
            ["X-Atlassian-Webhook-Identifier", "8d3a1c0e-7b5d-4a9f-9b2e-0f1a2b3c4d5e"],
            ["X-Atlassian-Webhook-Flow", "Primary"],
            ["Content-Type", "application/json"],
        ],
        "body": BODY,
    },
]}, indent=2))
