#!/usr/bin/env python3
"""Prints tests/data/providers/dub.json: a Dub webhook signed with Python's hmac from
dub.co/docs (Dub-Signature = hex HMAC-SHA256 of the raw body with the signing secret)."""
from body_hmac import body_vector, emit

BODY = ('{"id":"evt_KCoSNPgGZfi1UJK2xzeLCdc3y","event":"link.clicked",'
        '"createdAt":"2023-11-14T22:13:20.123Z","data":{"click":{"id":"d0UtZqE0BZuBPrJS"},'
        '"link":{"id":"cm0oynlbh0001j5jwqkwftmrr","domain":"dub.sh","key":"demo"}}}')
emit("dub", [body_vector(
    "dub", "link.clicked, computed signature",
    "https://dub.co/docs/postbacks/verify-postback-requests",
    "whsec_dub_5b8e2c7a1f", "Dub-Signature", BODY)])
