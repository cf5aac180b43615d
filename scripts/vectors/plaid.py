"""Plaid vector, computed from plaid.com/docs/api/webhooks/webhook-verification: Plaid-Verification is an ES256 JWT
whose claims carry iat and request_body_sha256; the key is the JWK /webhook_verification_key/get returns (here a fixed
test key). Signed with the Python cryptography package (RFC 6979 deterministic ECDSA, so reruns print the same file)."""
import base64, hashlib, json
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, utils

def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()

key = ec.derive_private_key(0x5EC2E7_0F_1A1D_C0DE_5EED_0123456789ABCDEF0123456789ABCDEF, ec.SECP256R1())
pub = key.public_key().public_numbers()
jwk = {"alg": "ES256", "created_at": 1560466150, "crv": "P-256", "expired_at": None, "kid": "bfbd5111-8e33-4643-8ced-b2e642a72f3c",
       "kty": "EC", "use": "sig", "x": b64url(pub.x.to_bytes(32, "big")), "y": b64url(pub.y.to_bytes(32, "big"))}
body = '{\n  "environment": "sandbox",\n  "error": null,\n  "item_id": "Ed6bjNrDLJfGvZWwnkQlfxwoNz54B5C97ejBr",\n  "new_transactions": 1,\n  "webhook_code": "DEFAULT_UPDATE",\n  "webhook_type": "TRANSACTIONS"\n}'
iat = 1763805600
header = {"alg": "ES256", "kid": jwk["kid"], "typ": "JWT"}
claims = {"iat": iat, "request_body_sha256": hashlib.sha256(body.encode()).hexdigest()}
si = b64url(json.dumps(header, separators=(",", ":")).encode()) + "." + b64url(json.dumps(claims, separators=(",", ":")).encode())
r, s = utils.decode_dss_signature(key.sign(si.encode(), ec.ECDSA(hashes.SHA256(), deterministic_signing=True)))
token = si + "." + b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))
print(json.dumps({"provider": "plaid", "vectors": [{
    "name": "transactions DEFAULT_UPDATE", "source_kind": "computed",
    "source": "computed with Python cryptography (ES256) from plaid.com/docs/api/webhooks/webhook-verification (scripts/vectors/plaid.py)",
    "secret": json.dumps(jwk), "headers": [["Content-Type", "application/json"], ["Plaid-Verification", token]], "body": body, "now_unix": iat + 20}]}, indent=2))
