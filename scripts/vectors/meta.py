"""Meta vectors, computed from developers.facebook.com (Graph API webhooks, getting started: X-Hub-Signature-256 is
sha256= + hex HMAC-SHA256 of the payload with the App Secret; legacy X-Hub-Signature is sha1=). The first uses the
inputs of the WhatsApp Elixir SDK's doc example (compute_signature("test", "secret"))."""
import hashlib, hmac, json

def v(name, secret, body, variant):
    s256 = hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()
    s1 = hmac.new(secret.encode(), body.encode(), hashlib.sha1).hexdigest()
    headers = [["Content-Type", "application/json"], ["User-Agent", "facebookexternalua"]]
    if variant == "sha256":
        headers += [["X-Hub-Signature", "sha1=" + s1], ["X-Hub-Signature-256", "sha256=" + s256]]
    else:
        headers += [["X-Hub-Signature", "sha1=" + s1]]
    return {"name": name, "source_kind": "computed", "source": "computed with Python hmac from the Graph API webhooks docs (scripts/vectors/meta.py)",
            "variant": variant, "secret": secret, "headers": headers, "body": body}

wa = '{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"messages":[{"from":"16505551234","id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=","timestamp":"1749416383","text":{"body":"Does it come in another color?"},"type":"text"}]},"field":"messages"}]}]}'
ig = '{"object":"instagram","entry":[{"id":"17841405309211844","time":1520383571,"changes":[{"field":"comments","value":{"id":"17865799348089039","text":"caf\\u00e9 \\ud83d\\ude00"}}]}]}'
print(json.dumps({"provider": "meta", "vectors": [
    v("WhatsApp SDK doc inputs", "secret", "test", "sha256"),
    v("WhatsApp Cloud API message", "7d2a5e3c1b9f4e6a8c0d2f4b6a8c0e1f", wa, "sha256"),
    v("Instagram, \\u-escaped non-ASCII, legacy sha1 only", "7d2a5e3c1b9f4e6a8c0d2f4b6a8c0e1f", ig, "legacy-sha1"),
]}, indent=2))
