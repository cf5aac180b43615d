"""A compact JWS for the vector scripts, written from RFC 7515 (no JWT library)."""
import base64, hashlib, hmac, json

def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()

def hs256(secret, claims, header=None):
    header = header or {"alg": "HS256", "typ": "JWT"}
    si = b64url(json.dumps(header, separators=(",", ":")).encode()) + "." + b64url(json.dumps(claims, separators=(",", ":")).encode())
    return si + "." + b64url(hmac.new(secret.encode(), si.encode(), hashlib.sha256).digest())
