"""Okta vector, from developer.okta.com (event hooks): the hook sends the header configured at registration
(Authorization here) with its fixed value, and a CloudEvents 0.1 body. Nothing is computed: the value is the secret."""
import json

secret = "Basic b2t0YS1ldmVudC1ob29rOnMzY3JldC12YWx1ZQ=="
body = '{"eventType":"com.okta.event_hook","eventTypeVersion":"1.0","cloudEventsVersion":"0.1","source":"https://example.okta.com/api/v1/eventHooks/whoql0HfiLGPWc8Jx0g3","eventId":"b5a188b9-5ece-4636-b041-482ffda96311","data":{"events":[{"uuid":"5b1e0cbc-8ad4-11ea-b0b6-5dd8d2ac03ea","eventType":"user.lifecycle.create"}]},"eventTime":"2026-11-22T10:00:00.000Z","contentType":"application/json"}'
print(json.dumps({"provider": "okta", "vectors": [{
    "name": "user.lifecycle.create", "source_kind": "computed",
    "source": "from the Okta event hooks docs: the configured Authorization value (scripts/vectors/okta.py)",
    "secret": secret, "headers": [["Content-Type", "application/json"], ["Authorization", secret]], "body": body,
    "tamper": "header:Authorization"}]}, indent=2))
