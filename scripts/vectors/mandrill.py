#!/usr/bin/env python3
"""Mailchimp Transactional (Mandrill) webhooks: prints tests/data/providers/mandrill.json.

Written from Mailchimp's 'How to Authenticate Webhook Requests': signed data = the webhook URL
exactly as configured + each POST variable's key and value sorted by key, no delimiters;
X-Mandrill-Signature = base64(HMAC-SHA1(webhook key, signed data)).
"""
import base64
import hashlib
import hmac
import json
from urllib.parse import parse_qsl, urlencode

SOURCE = ("computed with Python hmac/hashlib from mandrill.zendesk.com/hc/en-us/articles/360039232513 "
          "('Generate a Signature' steps 1-5) (scripts/vectors/mandrill.py)")
KEY = "4Xc9pLJ3zm8vQy1TnB7rKw"
URL = "https://example.com/webhooks/mandrill?source=hookscope"
EVENTS = ('[{"event":"send","ts":1700000000,"_id":"exampleaaaaaaaaaaaaaaaaaaaaaaaaa",'
          '"msg":{"email":"example.webhook@mandrillapp.com","subject":"This an example webhook message","tags":["webhook-example"]}}]')


def sign(url: str, body: str) -> str:
    params = dict(parse_qsl(body, keep_blank_values=True))
    data = url + "".join(k + params[k] for k in sorted(params))
    return base64.b64encode(hmac.new(KEY.encode(), data.encode(), hashlib.sha1).digest()).decode()


BODY = urlencode({"mandrill_events": EVENTS})
print(json.dumps({"provider": "mandrill", "vectors": [
    {
        "name": "send event, URL with a query string",
        "source_kind": "computed",
        "source": SOURCE,
        "secret": KEY,
        "url": URL,
        "headers": [
            ["Content-Type", "application/x-www-form-urlencoded"],
            ["User-Agent", "Mandrill-Webhook/1.0"],
            ["X-Mandrill-Signature", sign(URL, BODY)],
        ],
        "body": BODY,
    },
]}, indent=2))
