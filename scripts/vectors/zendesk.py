"""Zendesk vectors. The first is the worked example of developer.zendesk.com/documentation/event-connectors/webhooks/
verifying/ (it matches BODY + TIMESTAMP); the second is computed in the order the webhooks page documents,
base64(HMACSHA256(TIMESTAMP + BODY)), with the secret used as UTF-8."""
import base64, hashlib, hmac, json

secret = "HRkRd4BeOAoUkfZr-mhauJT64rvBASlJRoIyPsd3zeA="
body, ts = '{"say": "hello"}', "2021-07-25T10:00:00Z"
docs_sig = "tRDSF7URY8BLCDlaBcQ7FHu051Zk+aAB0NKMP53teMw="
assert base64.b64encode(hmac.new(secret.encode(), (body + ts).encode(), hashlib.sha256).digest()).decode() == docs_sig
body2 = '{"type":"zen:event-type:ticket.created","detail":{"id":"35436","subject":"Help, my printer is on fire!"}}'
ts2 = "2026-11-22T10:00:00Z"
sig2 = base64.b64encode(hmac.new(secret.encode(), (ts2 + body2).encode(), hashlib.sha256).digest()).decode()

def v(name, kind, source, sig, t, b, now):
    return {"name": name, "source_kind": kind, "source": source, "secret": secret,
            "headers": [["Content-Type", "application/json"], ["X-Zendesk-Webhook-Signature", sig], ["X-Zendesk-Webhook-Signature-Timestamp", t]],
            "body": b, "now_unix": now}

print(json.dumps({"provider": "zendesk", "vectors": [
    v("event connectors worked example (body + timestamp)", "official-docs",
      "https://developer.zendesk.com/documentation/event-connectors/webhooks/verifying/ (worked example)", docs_sig, ts, body, 1627207200 + 5),
    v("webhooks page order (timestamp + body)", "computed",
      "computed with Python hmac from https://developer.zendesk.com/documentation/webhooks/verifying/ (scripts/vectors/zendesk.py)", sig2, ts2, body2, 1763805600 + 5),
]}, indent=2))
