#!/usr/bin/env python3
"""Prints tests/data/providers/affirm.json: Affirm webhooks computed with Python's hmac from
docs.affirm.com 'Checking webhook signatures' and Affirm's CodePen sample:
X-Affirm-Signature: t=<unix>,v0=<hex HMAC-SHA512 of "{t}.{raw body}" with the private API key>."""
import hashlib
import hmac
import json

KEY = "A3aut6z2VemhGHPgYF6uBFqczAm4VyyJ"
TS = "1597184450"
FORM = ("checkout_token=N8R79PUSKRP2UNAJ&created=2020-08-11T22%3A20%3A48.961423"
        "&event=approved&order_id=JKLM4321&webhook_session_id=ABC123")
JSON_BODY = '{"event":"prequal_decision","prequal_id":"5RM7-X6DK","decision":"approved"}'
SOURCE = ("computed with Python hmac (scripts/vectors/affirm.py) from "
          "https://docs.affirm.com/developers/docs/checking-webhook-signatures")


def vector(name, ctype, body):
    sig = hmac.new(KEY.encode(), f"{TS}.{body}".encode(), hashlib.sha512).hexdigest()
    return {"name": name, "source_kind": "computed", "source": SOURCE, "secret": KEY,
            "headers": [["Content-Type", ctype], ["X-Affirm-Signature", f"t={TS},v0={sig}"]],
            "body": body, "now_unix": 1597184500}


print(json.dumps({"provider": "affirm", "vectors": [
    vector("checkout event (form-encoded)", "application/x-www-form-urlencoded", FORM),
    vector("prequalification event (JSON)", "application/json", JSON_BODY),
]}, indent=2))
