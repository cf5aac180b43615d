#!/usr/bin/env python3
"""Prints tests/data/providers/npm.json: an npm hook delivery signed with Python's hmac as
npm/npm-hook-receiver checks it (x-npm-signature: sha256=<hex HMAC-SHA256 of the raw body>)."""
from body_hmac import body_vector, emit

BODY = ('{"event":"package:publish","name":"@kafkajs/zstd","type":"package","version":"1.0.0",'
        '"hookOwner":{"username":"nevon"},"payload":{"name":"@kafkajs/zstd"},'
        '"change":{"version":"1.0.0"},"time":1603444214995}')
emit("npm", [body_vector(
    "npm", "package:publish, computed signature",
    "npm/npm-hook-receiver index.js@e3a13f0e9649e7739f9cd7315b871904f250e020",
    "npm-hook-shared-secret", "x-npm-signature", BODY, prefix="sha256=")])
