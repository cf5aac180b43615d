"""Braintree vectors signed by Braintree's own SDK: pip install braintree (4.48.0 used); WebhookTestingGateway
.sample_notification gives bt_signature ("public_key|hex HMAC-SHA1(SHA1(private key), bt_payload)") and bt_payload.
The form body is what Braintree POSTs (application/x-www-form-urlencoded)."""
import json
import os
import sys
import urllib.parse

# This file is named like the package: import the package, not this script.
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != os.path.dirname(os.path.abspath(__file__))]
import braintree  # noqa: E402

PUBLIC, PRIVATE = "integration_public_key", "integration_private_key"
gateway = braintree.BraintreeGateway(braintree.Configuration(braintree.Environment.Sandbox, merchant_id="integration_merchant_id", public_key=PUBLIC, private_key=PRIVATE))

def case(name, kind, id_, extra_pairs=False, trim=False):
    n = gateway.webhook_testing.sample_notification(kind, id_)
    sig, payload = n["bt_signature"], n["bt_payload"]
    if extra_pairs:  # another account's pair first: any pair may match
        sig = "other_public_key|" + "0" * 40 + "&" + sig
    if trim:  # the SDK also accepts the payload with one newline appended
        payload = payload[:-1]
    assert gateway.webhook_notification.parse(sig, payload).kind == kind
    body = urllib.parse.urlencode({"bt_signature": sig, "bt_payload": payload})
    return {"name": name, "source_kind": "computed", "source": f"signed by the braintree SDK {braintree.version.Version} WebhookTestingGateway.sample_notification (scripts/vectors/braintree.py)",
            "secret": PRIVATE, "headers": [["Content-Type", "application/x-www-form-urlencoded"]], "body": body}

print(json.dumps({"provider": "braintree", "vectors": [
    case("subscription went active", braintree.WebhookNotification.Kind.SubscriptionWentActive, "sub_1"),
    case("several signature pairs", braintree.WebhookNotification.Kind.Check, "check", extra_pairs=True),
    case("payload without its last newline", braintree.WebhookNotification.Kind.Check, "check", trim=True),
]}, indent=2))
