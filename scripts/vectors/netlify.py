"""Netlify vector, computed from docs.netlify.com/site-deploys/deploy-notifications/#payload-signature:
X-Webhook-Signature is a JWS (HS256, the JWS secret token) with claims iss = netlify and sha256 = hex SHA-256 of the body."""
import hashlib, json, os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _jws import hs256

secret = "netlify-jws-secret-token-0123456789"
body = '{"id":"5ebc34bf4fea0b01f02efa3a","site_id":"fa4dd95a-994e-4f89-8a7a-2d9e9fc36a32","build_id":"5ebc34bf4fea0b01f02efa38","state":"ready","name":"www-example","url":"https://www.example.com","branch":"main","context":"production"}'
token = hs256(secret, {"iss": "netlify", "sha256": hashlib.sha256(body.encode()).hexdigest()})
print(json.dumps({"provider": "netlify", "vectors": [{
    "name": "deploy succeeded", "source_kind": "computed",
    "source": "computed with Python hmac/hashlib from the Netlify payload-signature docs (scripts/vectors/netlify.py)",
    "secret": secret, "headers": [["Content-Type", "application/json"], ["User-Agent", "Netlify"], ["X-Webhook-Signature", token]], "body": body}]}, indent=2))
