#!/usr/bin/env python3
"""Alchemy Notify webhooks: prints tests/data/providers/alchemy.json.

Written from alchemyplatform/webhook-examples node-express/src/webhooksUtil.ts:
X-Alchemy-Signature = hex(HMAC-SHA256(signing key, raw body)).
"""
import hashlib
import hmac
import json

SOURCE = ("computed with Python hmac/hashlib from alchemyplatform/webhook-examples@11b780e1880ac82cb9c0e99d0cd04e0d0db1e5a8 "
          "node-express/src/webhooksUtil.ts (scripts/vectors/alchemy.py)")
KEY = "whsec_test_Pqm1ZkY0cVt2wX8aB3nL"
BODY = ('{"webhookId":"wh_octjglnywaupz6th","id":"whevt_ogrc5v64myey69ux","createdAt":"2022-02-28T17:48:53.306Z",'
        '"type":"ADDRESS_ACTIVITY","event":{"network":"MATIC_MAINNET","activity":[{"fromAddress":"0x503828976d22510aad0201ac7ec88293211d23da",'
        '"toAddress":"0xbe3f4b43db5eb49d1f48f53443b9abce45da3b79","blockNum":"0xdf34a3","hash":"0x7a4a39da2a3fa1fc2ef88fd1eaea070286ed2aba21e0419dcfb6d5c5d9f02a72",'
        '"value":293.092129,"asset":"USDC","category":"token"}]}}')
sig = hmac.new(KEY.encode(), BODY.encode(), hashlib.sha256).hexdigest()
print(json.dumps({"provider": "alchemy", "vectors": [
    {"name": "ADDRESS_ACTIVITY", "source_kind": "computed", "source": SOURCE, "secret": KEY,
     "headers": [["Content-Type", "application/json; charset=utf-8"], ["X-Alchemy-Signature", sig]], "body": BODY},
]}, indent=2))
