"""Microsoft Graph vector, from learn.microsoft.com/graph (change notifications through webhooks): each notification
carries the subscription's clientState; it must equal the configured secret. The clientState sits in the middle of the
body, where the harness flips a byte."""
import json

secret = "SecretClientState-7a3f1c9e-2b8d-4e6f-9a0c-5d7b3e1f8a2c"
for n in range(400):
    body = json.dumps({"value": [{"subscriptionId": "d29ec7f0-4b2b-4c4b-8f5e-1c2d3e4f5a6b", "clientState": secret,
                                  "changeType": "created", "resource": "Users/" + "0" * n + "/Messages/AAMkAGUAAAwTW09AAA=",
                                  "tenantId": "84bd8158-6d4d-4958-8b9f-9d6445542f95"}]}, separators=(",", ":"))
    mid = len(body) // 2
    start = body.index(secret)
    if start + 4 <= mid < start + len(secret) - 4:
        break
print(json.dumps({"provider": "microsoft-graph", "vectors": [{
    "name": "message created", "source_kind": "computed",
    "source": "from the Microsoft Graph change notification docs: clientState equals the configured value (scripts/vectors/microsoft-graph.py)",
    "secret": secret, "headers": [["Content-Type", "application/json"]], "body": body}]}, indent=2))
