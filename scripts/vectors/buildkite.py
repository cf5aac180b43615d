#!/usr/bin/env python3
"""Buildkite webhook signatures: prints tests/data/providers/buildkite.json.

Written from buildkite/docs pages/apis/webhooks/_webhook_signature.md and
_verifying_hmac_signatures.md: X-Buildkite-Signature = "timestamp=<unix>,signature=<hex>",
signature = hex HMAC-SHA256(token, "<timestamp>.<raw body>"). The plain X-Buildkite-Token
mode sends the token itself.
"""
import hashlib
import hmac
import json

SIG_SOURCE = ("computed with Python hmac/hashlib from buildkite/docs pages/apis/webhooks/"
              "_webhook_signature.md and _verifying_hmac_signatures.md: hex HMAC-SHA256 of "
              "'<timestamp>.<body>' (scripts/vectors/buildkite.py)")
TOKEN_SOURCE = ("buildkite/docs pages/apis/webhooks/_webhook_token.md: X-Buildkite-Token carries the "
                "webhook token in clear text (token from the docs' header example, _http_headers.md)")

TOKEN = "309c9c842g8565adecpd7469x6005989"  # the docs' example token value
BODY = ('{"event":"build.finished","build":{"id":"f62a1b4d-10f9-4790-bc1c-e2c3a0c80983",'
        '"number":17,"state":"passed","branch":"main","commit":"a1b2c3d"},'
        '"pipeline":{"slug":"hookscope"},"sender":{"name":"CI"}}')
NOW = 1619071730
TS = "1619071700"


def sig(token: str, ts: str, body: str) -> str:
    return hmac.new(token.encode(), f"{ts}.{body}".encode(), hashlib.sha256).hexdigest()


print(json.dumps({"provider": "buildkite", "vectors": [
    {
        "name": "signature mode, build.finished",
        "source_kind": "computed",
        "source": SIG_SOURCE,
        "variant": "signature",
        "secret": TOKEN,
        "headers": [
            ["X-Buildkite-Event", "build.finished"],
            ["X-Buildkite-Signature", f"timestamp={TS},signature={sig(TOKEN, TS, BODY)}"],
        ],
        "body": BODY,
        "now_unix": NOW,
    },
    {
        "name": "signature mode, timestamp tampered",
        "source_kind": "computed",
        "source": SIG_SOURCE + "; the timestamp is part of the signed message",
        "variant": "signature",
        "secret": TOKEN,
        "headers": [
            ["X-Buildkite-Event", "ping"],
            ["X-Buildkite-Signature", f"signature={sig(TOKEN, TS, '{}')}, timestamp={TS}"],
        ],
        "body": "{}",
        "now_unix": NOW,
        "tamper": "header:X-Buildkite-Signature",
    },
    {
        "name": "token mode",
        "source_kind": "official-docs",
        "source": TOKEN_SOURCE,
        "variant": "token",
        "secret": TOKEN,
        "headers": [["X-Buildkite-Event", "ping"], ["X-Buildkite-Token", TOKEN]],
        "body": '{"event":"ping"}',
        "tamper": "header:X-Buildkite-Token",
    },
]}, indent=2))
