"""Vonage vector, computed from Nexmo/station _documentation/en/messages/concepts/signed-webhooks.md: Authorization:
Bearer <JWT>, HS256 with the signature secret; claims as in the docs' Sample Signed JWT, payload_hash = hex SHA-256."""
import hashlib, json, os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _jws import hs256

secret = "VonageSignatureSecret0123456789abcdef"
body = '{"channel":"sms","message_uuid":"aaaaaaaa-bbbb-cccc-dddd-0123456789ab","to":"447700900000","from":"447700900001","timestamp":"2020-01-01T14:00:00.000Z","text":"Hello From Vonage!","message_type":"text"}'
iat = 1587494962  # the docs' sample iat
claims = {"iat": iat, "jti": "c5ba8f24-1a14-4c10-bfdf-3fbe8ce511b5", "iss": "Vonage",
          "payload_hash": hashlib.sha256(body.encode()).hexdigest(), "api_key": "a1b2c3d",
          "application_id": "aaaaaaaa-bbbb-cccc-dddd-0123456789ab"}
token = hs256(secret, claims)
print(json.dumps({"provider": "vonage", "vectors": [{
    "name": "inbound message", "source_kind": "computed",
    "source": "computed with Python hmac/hashlib from the Vonage signed-webhooks docs (scripts/vectors/vonage.py)",
    "secret": secret, "headers": [["Content-Type", "application/json"], ["Authorization", "Bearer " + token]], "body": body, "now_unix": iat + 3}]}, indent=2))
