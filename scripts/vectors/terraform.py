#!/usr/bin/env python3
"""HCP Terraform notifications: prints tests/data/providers/terraform.json.

Written from HashiCorp's 'Notification Authenticity': X-TFE-Notification-Signature =
hex(HMAC-SHA512(token, request body)).
"""
import hashlib
import hmac
import json

SOURCE = ("computed with Python hmac/hashlib from developer.hashicorp.com/terraform/cloud-docs/api-docs/"
          "notification-configurations ('Notification Authenticity') (scripts/vectors/terraform.py)")
TOKEN = "5e4b0a4d2f9c8e7a6b5d4c3b2a1f0e9d"
BODY = ('{"payload_version":1,"notification_configuration_id":"nc-AeUQ2zfKZzW9TiGZ",'
        '"run_url":"https://app.terraform.io/app/acme-org/my-workspace/runs/run-FwnENkvDnrpyFC7M",'
        '"run_id":"run-FwnENkvDnrpyFC7M","run_message":"Add five new queue workers","run_created_at":"2019-01-25T18:34:00.000Z",'
        '"run_created_by":"sample-user","workspace_id":"ws-XdeUVMWShTesDMME","workspace_name":"my-workspace",'
        '"organization_name":"acme-org","notifications":[{"message":"Run Canceled","trigger":"run:errored",'
        '"run_status":"canceled","run_updated_at":"2019-01-25T18:37:04.000Z","run_updated_by":"sample-user"}]}')
sig = hmac.new(TOKEN.encode(), BODY.encode(), hashlib.sha512).hexdigest()
print(json.dumps({"provider": "terraform", "vectors": [
    {"name": "run:errored (generic payload)", "source_kind": "computed", "source": SOURCE, "secret": TOKEN,
     "headers": [["Content-Type", "application/json"], ["X-TFE-Notification-Signature", sig]], "body": BODY},
]}, indent=2))
