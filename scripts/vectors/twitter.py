"""X (Twitter) vector, computed from docs.x.com/x-api/webhooks (securing webhooks): x-twitter-webhooks-signature is
sha256= + base64 HMAC-SHA256 of the raw body with the app's consumer secret. The consumer secret is the one of X's
own CRC sample code (gist jcipriano/46c4b3f379d214d57a9ddfa70dba49fe)."""
import base64, hashlib, hmac, json

secret = "z3ZX4v7mAAUGykl3EcmkqbartmuW8VFOOzCloLx9Q45P0hLrFu"
body = '{"for_user_id":"2244994945","tweet_create_events":[{"created_at":"Mon Nov 22 10:00:00 +0000 2026","id_str":"1050118621198921728","text":"To make room for more expression, we will now count all emojis as equal"}]}'
sig = "sha256=" + base64.b64encode(hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()).decode()
print(json.dumps({"provider": "twitter", "vectors": [{
    "name": "account activity event", "source_kind": "computed",
    "source": "computed with Python hmac from docs.x.com/x-api/webhooks (scripts/vectors/twitter.py)",
    "secret": secret, "headers": [["Content-Type", "application/json"], ["x-twitter-webhooks-signature", sig]], "body": body}]}, indent=2))
