#!/usr/bin/env python3
"""Prints tests/data/providers/tally.json: a Tally form response signed with Python's hmac from
the recipe receivers use (Tally-Signature = base64 HMAC-SHA256 of the raw body)."""
from body_hmac import body_vector, emit

BODY = ('{"eventId":"a4cb511e-d513-4fa5-baee-b815d718dfd1","eventType":"FORM_RESPONSE",'
        '"createdAt":"2023-11-14T22:13:20.123Z","data":{"responseId":"2wgx4n","formId":"VwbNEw",'
        '"formName":"Webhook payloads","fields":[]}}')
emit("tally", [body_vector(
    "tally", "FORM_RESPONSE, computed signature", "https://tally.so/help/webhooks",
    "tally-signing-secret-4d1b", "Tally-Signature", BODY, encoding="base64")])
