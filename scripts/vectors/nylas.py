#!/usr/bin/env python3
"""Prints tests/data/providers/nylas.json: a Nylas v3 notification signed with Python's hmac as
Nylas's SDKs verify it (x-nylas-signature = hex HMAC-SHA256 of the raw body)."""
from body_hmac import body_vector, emit

BODY = ('{"specversion":"1.0","type":"message.created","source":"/google/emails/realtime",'
        '"id":"mock-id","time":1700000000,"data":{"application_id":"ad410018-d306-43f9-8361-fa5d7b2172e0",'
        '"object":{"id":"18bd4f1f0bff1ab0","grant_id":"41009df5-bf11-4c97-aa18-b285b5f2e386"}}}')
emit("nylas", [body_vector(
    "nylas", "message.created, computed signature",
    "https://developer.nylas.com/docs/new/v2-changelogs/2023-04-04-python-sdk-v5-14-0",
    "nylas-webhook-secret-2f7a9c", "x-nylas-signature", BODY)])
