"""Patreon vector, computed from docs.patreon.com#webhooks ("the HEX digest of the message body HMAC signed (with
MD5) using your webhook's secret"), with the docs' example webhook secret and a body shaped like its example."""
import hashlib, hmac, json

secret = "abcdefghiklmnopqrstuvwyz"  # the docs' example "secret" of a created webhook
body = '{"data":{"attributes":{"currently_entitled_amount_cents":null,"full_name":"Platform","is_follower":true,"last_charge_date":null,"last_charge_status":null,"lifetime_support_cents":0,"note":"","patron_status":null,"pledge_relationship_start":null},"id":"d485d5ac-6c82-42c6-9c08-c50cf01b73d7","type":"member"}}'
sig = hmac.new(secret.encode(), body.encode(), hashlib.md5).hexdigest()
print(json.dumps({"provider": "patreon", "vectors": [{
    "name": "members:create", "source_kind": "computed",
    "source": "computed with Python hmac (MD5) from docs.patreon.com#webhooks with its example secret (scripts/vectors/patreon.py)",
    "secret": secret, "headers": [["Content-Type", "application/json"], ["X-Patreon-Event", "members:create"], ["X-Patreon-Signature", sig]], "body": body}]}, indent=2))
