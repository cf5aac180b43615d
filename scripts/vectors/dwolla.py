#!/usr/bin/env python3
"""Prints tests/data/providers/dwolla.json: the event from Dwolla's validating-webhooks guide,
signed with Python's hmac (X-Request-Signature-SHA-256 = hex HMAC-SHA256 of the raw body)."""
from body_hmac import body_vector, emit

BODY = ('{"id":"cac95329-9fa5-42f1-a4fc-c08af7b868fb","resourceId":"cdb5f11f-62df-e611-80ee-0aa34a9b2388",'
        '"topic":"customer_transfer_created","timestamp":"2017-01-20T22:45:12.790Z",'
        '"_links":{"self":{"href":"https://api-sandbox.dwolla.com/events/cac95329-9fa5-42f1-a4fc-c08af7b868fb"}},'
        '"created":"2017-01-20T22:45:12.790Z"}')
emit("dwolla", [body_vector(
    "dwolla", "guide event, computed signature",
    "https://developers.dwolla.com/guides/webhooks/validating-webhooks.html",
    "dwolla-subscription-secret-7d1e", "X-Request-Signature-SHA-256", BODY)])
