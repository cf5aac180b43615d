#!/usr/bin/env python3
"""Frame.io webhooks: prints tests/data/providers/frame-io.json.

Written from AdobeDocs/frameio-api src/pages/guides/Webhooks/index.md: X-Frameio-Signature =
"v0=" + hex HMAC-SHA256(secret, "v0:" + X-Frameio-Request-Timestamp + ":" + body).
"""
import hashlib
import hmac
import json

SOURCE = ("computed with Python hmac/hashlib from AdobeDocs/frameio-api@2bd80f8b13c29fd4d7a761535cb590df98a50a44 "
          "src/pages/guides/Webhooks/index.md ('v0:timestamp:body'; the docs' example payload) (scripts/vectors/frame-io.py)")
SECRET = "jBGsPYt5ZrE3bTQ7pVqL2xWkN9cH4mAd"
TS = "1604004499"  # the docs' example X-Frameio-Request-Timestamp
BODY = ('{"account":{"id":"6f70f1bd-7e89-4a7e-b4d3-7e576585a181"},"project":{"id":"7e46e495-4444-4555-8649-bee4d391a997"},'
        '"resource":{"id":"d3075547-4e64-45f0-ad12-d075660eddd2","type":"file"},"type":"file.ready",'
        '"user":{"id":"56556a3f-859f-4b38-b6c6-e8625b5da8a5"},"workspace":{"id":"378fcbf7-6f88-4224-8139-6a743ed940b2"}}')
sig = "v0=" + hmac.new(SECRET.encode(), f"v0:{TS}:{BODY}".encode(), hashlib.sha256).hexdigest()
print(json.dumps({"provider": "frame-io", "vectors": [
    {
        "name": "file.ready (V4)",
        "source_kind": "computed",
        "source": SOURCE,
        "secret": SECRET,
        "headers": [
            ["Content-Type", "application/json"],
            ["User-Agent", "Frame.io V4 API"],
            ["X-Frameio-Request-Timestamp", TS],
            ["X-Frameio-Signature", sig],
        ],
        "body": BODY,
        "now_unix": 1604004530,
    },
]}, indent=2))
