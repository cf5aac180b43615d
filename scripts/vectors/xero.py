"""Xero vectors, computed from developer.xero.com/documentation/webhooks/configuring-your-server: x-xero-signature is
the base64 HMAC-SHA256 of the raw body with the webhook key. The first body is an intent-to-receive request."""
import base64, hashlib, hmac, json

secret = "OSd0eLlVIY9ZhViEqlDUh4+6n6M+Lo+eDaEJheJ6OCCgWwIz2D3JIAU6jPMipHRbgKTLz2uJ+xiACXGDBLrgdA=="
itr = '{"events":[],"firstEventSequence": 0,"lastEventSequence": 0, "entropy": "S0m3r4Nd0mt3xt"}'
event = '{"events":[{"resourceUrl":"https://api.xero.com/api.xro/2.0/Contacts/717f2bfc-c6d4-41fd-b238-3f2f0c0cf777","resourceId":"717f2bfc-c6d4-41fd-b238-3f2f0c0cf777","eventDateUtc":"2026-11-22T10:00:00.000","eventType":"UPDATE","eventCategory":"CONTACT","tenantId":"c2cc9b6e-9458-4c7d-93cc-f02b81b0594f","tenantType":"ORGANISATION"}],"lastEventSequence":1,"firstEventSequence":1,"entropy":"QHDQOWCLNQIBTGIZJKFR"}'

def v(name, body):
    sig = base64.b64encode(hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()).decode()
    return {"name": name, "source_kind": "computed", "source": "computed with Python hmac from the Xero webhooks docs (scripts/vectors/xero.py)",
            "secret": secret, "headers": [["Content-Type", "application/json"], ["x-xero-signature", sig]], "body": body}

print(json.dumps({"provider": "xero", "vectors": [v("intent to receive", itr), v("contact updated", event)]}, indent=2))
