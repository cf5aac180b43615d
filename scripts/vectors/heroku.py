#!/usr/bin/env python3
"""Heroku app webhooks: prints tests/data/providers/heroku.json.

Written from https://devcenter.heroku.com/articles/app-webhooks (section 'Securing webhook
requests'): Heroku-Webhook-Hmac-SHA256 = base64(HMAC-SHA256(secret, raw body)).
"""
import base64
import hashlib
import hmac
import json

SOURCE = ("computed with Python hmac/hashlib from devcenter.heroku.com/articles/app-webhooks "
          "('Securing webhook requests'): base64 HMAC-SHA256 of the raw body (scripts/vectors/heroku.py)")


def sign(secret: str, body: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()).decode()


def vector(name: str, secret: str, body: str) -> dict:
    return {
        "name": name,
        "source_kind": "computed",
        "source": SOURCE,
        "secret": secret,
        "headers": [
            ["Heroku-Webhook-Hmac-SHA256", sign(secret, body)],
            ["Content-Type", "application/json"],
            ["User-Agent", "heroku-webhooks/1.0"],
        ],
        "body": body,
    }


BODY = ('{"id":"4a5d8d54-4a36-4d8e-9a46-3c6f1b1a9b0e","data":{"app":{"id":"01234567-89ab-cdef-0123-456789abcdef",'
        '"name":"hello-world"},"status":"succeeded","version":42},"actor":{"email":"dev@example.com"},'
        '"action":"update","resource":"release","published_at":"2025-01-09T10:00:00Z",'
        '"webhook_metadata":{"attempt":{"id":"b1c2"},"event":{"include":"api:release"}}}')

print(json.dumps({"provider": "heroku", "vectors": [
    vector("api:release update", "12345", BODY),
    vector("unicode body", "s3cr3t-wh-value", '{"data":{"description":"déploiement ✓"}}'),
]}, indent=2, ensure_ascii=False))
