"""DocuSign Connect vectors, computed from the docs (developers.docusign.com/platform/webhooks/connect/validate):
one X-DocuSign-Signature-N header per Connect HMAC key, each the base64 HMAC-SHA256 of the raw body."""
import base64, hashlib, hmac, json

body = '{"event":"envelope-completed","apiVersion":"v2.1","uri":"/restapi/v2.1/accounts/9a5e/envelopes/c1d0","retryCount":0,"configurationId":10163,"generatedDateTime":"2026-11-22T10:00:00.0000000Z","data":{"accountId":"9a5e","envelopeId":"c1d0"}}'
keys = ["8ZL7kAvM0pX1cQ2sF4tY6uW9zB3nE5rH7jK0mP2qS4v=", "g1L3nQ5pS7rU9tW1yZ3bD5fH7jK9mO1qR3sU5vX7zA0="]

def sig(key):
    return base64.b64encode(hmac.new(key.encode(), body.encode(), hashlib.sha256).digest()).decode()

headers = [["Content-Type", "application/json"], ["X-DocuSign-Signature-1", sig(keys[0])], ["X-DocuSign-Signature-2", sig(keys[1])]]
src = "computed with Python hmac from developers.docusign.com/platform/webhooks/connect/validate (scripts/vectors/docusign.py)"
print(json.dumps({"provider": "docusign", "vectors": [
    {"name": "first key", "source_kind": "computed", "source": src, "secret": keys[0], "headers": headers, "body": body},
    {"name": "second key matches the second header", "source_kind": "computed", "source": src, "secret": keys[1], "headers": headers, "body": body},
]}, indent=2))
