"""Box vectors, computed from developer.box.com/guides/webhooks/v2/signatures-v2: base64 HMAC-SHA256 of the body
bytes followed by the BOX-DELIVERY-TIMESTAMP bytes; primary key signs BOX-SIGNATURE-PRIMARY, secondary the other."""
import base64, hashlib, hmac, json

body = '{"type":"webhook_event","id":"eb0c4e06-751f-4fdb-9c3a-4c93ab79dc02","created_at":"2016-07-11T10:10:32-07:00","trigger":"FILE.UPLOADED","webhook":{"id":"53","type":"webhook"},"source":{"id":"73835521473","type":"file"}}'
ts = "2016-07-11T10:10:33-07:00"  # the docs' example header value
primary, secondary = "SamplePrimaryKey4dW8x2Qz7Lp9", "SampleSecondaryKey6yT1v3Kn5Rm"

def sig(key):
    return base64.b64encode(hmac.new(key.encode(), body.encode() + ts.encode(), hashlib.sha256).digest()).decode()

headers = [
    ["BOX-DELIVERY-ID", "673a081b-bb4b-4d45-b4f1-4131a29c1d07"],
    ["BOX-DELIVERY-TIMESTAMP", ts],
    ["BOX-SIGNATURE-PRIMARY", sig(primary)],
    ["BOX-SIGNATURE-SECONDARY", sig(secondary)],
    ["BOX-SIGNATURE-VERSION", "1"],
    ["BOX-SIGNATURE-ALGORITHM", "HmacSHA256"],
    ["User-Agent", "Box-WH-Client/0.1"],
]
now = 1468257033 + 60  # 2016-07-11T17:10:33Z, one minute later
src = "computed with Python hmac from developer.box.com/guides/webhooks/v2/signatures-v2 (scripts/vectors/box.py)"
print(json.dumps({"provider": "box", "vectors": [
    {"name": "primary key", "source_kind": "computed", "source": src, "secret": primary, "headers": headers, "body": body, "now_unix": now},
    {"name": "secondary key (rotation)", "source_kind": "computed", "source": src, "secret": secondary, "headers": headers, "body": body, "now_unix": now, "tamper": "header:BOX-DELIVERY-TIMESTAMP"},
]}, indent=2))
