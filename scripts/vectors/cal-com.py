#!/usr/bin/env python3
"""Cal.com test vector, computed the way createWebhookSignature (calcom sendPayload.ts) does: hex
HMAC-SHA256 of the body with the webhook secret. Prints tests/data/providers/cal-com.json."""
import hashlib
import hmac
import json

SECRET = "cal-webhook-secret-5e6f7a8b"
BODY = '{"triggerEvent":"BOOKING_CREATED","createdAt":"2026-01-01T00:00:00.000Z","payload":{"type":"30min","title":"30 Min Meeting between Ada and Bob","startTime":"2026-01-05T10:00:00Z","endTime":"2026-01-05T10:30:00Z","uid":"bFJeNb2uX8ANpT3JL5EfXw"}}'

sig = hmac.new(SECRET.encode(), BODY.encode(), hashlib.sha256).hexdigest()
print(json.dumps({
    "provider": "cal-com",
    "vectors": [{
        "name": "BOOKING_CREATED, computed",
        "source_kind": "computed",
        "source": "scripts/vectors/cal-com.py: Python hmac per calcom/cal.com packages/features/webhooks/lib/sendPayload.ts",
        "secret": SECRET,
        "headers": [["Content-Type", "application/json"], ["X-Cal-Signature-256", sig]],
        "body": BODY,
    }],
}, indent=2))
