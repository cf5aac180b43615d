"""Trello vector, computed from developer.atlassian.com/cloud/trello/guides/rest-api/webhooks (webhook signatures):
X-Trello-Webhook is the base64 HMAC-SHA1 of the raw body followed by the callbackURL, keyed with the app secret."""
import base64, hashlib, hmac, json

secret = "trello-oauth-application-secret-0123456789abcdef"
callback = "https://hooks.example.dev/trelloCallbacks/?memberID=14&mainModel=true"  # the docs' parameter example
body = '{"action":{"id":"51f9424bcd6e040f3c002412","type":"updateCard","data":{"card":{"name":"Card name","id":"51a79e72dbb7e23c7c003778"}}},"model":{"id":"4d5ea62fd76aa1136000000c","name":"Trello Development"}}'
sig = base64.b64encode(hmac.new(secret.encode(), (body + callback).encode(), hashlib.sha1).digest()).decode()
print(json.dumps({"provider": "trello", "vectors": [{
    "name": "updateCard", "source_kind": "computed",
    "source": "computed with Python hmac from the Trello webhooks guide (scripts/vectors/trello.py)",
    "secret": secret, "url": callback, "headers": [["Content-Type", "application/json"], ["X-Trello-Webhook", sig]], "body": body}]}, indent=2))
