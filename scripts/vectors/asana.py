"""Asana vector, computed from developers.asana.com (webhooks guide): X-Hook-Signature is the hex HMAC-SHA256 of the
raw body keyed with the X-Hook-Secret of the handshake; the secret is the docs' example X-Hook-Secret."""
import hashlib, hmac, json

secret = "b537207f20cbfa02357cf448134da559e8bd39d61597dcd5631b8012eae53e81"
body = '{"events":[{"user":{"gid":"1123","resource_type":"user"},"created_at":"2026-11-22T10:00:00.000Z","action":"changed","resource":{"gid":"1234","resource_type":"task"},"parent":null,"change":{"field":"assignee","action":"changed"}}]}'
sig = hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()
print(json.dumps({"provider": "asana", "vectors": [{
    "name": "task changed", "source_kind": "computed",
    "source": "computed with Python hmac from the Asana webhooks guide, secret from its handshake example (scripts/vectors/asana.py)",
    "secret": secret, "headers": [["Content-Type", "application/json"], ["X-Hook-Signature", sig]], "body": body}]}, indent=2))
