#!/usr/bin/env python3
"""Cross-check hookscope's signature engine against the providers' own SDKs.

For every provider that ships an SDK able to sign or verify webhooks, this script
generates fresh random cases (secrets in the provider's real format, JSON bodies
with unicode / escapes / nesting / whitespace variations, form bodies with `+`,
`%2B` and repeated keys) and checks, in both directions where possible:

  sdk->hs   the SDK signs, `hookscope verify` must accept (exit 0)
  hs->sdk   `hookscope sign` signs, the SDK's verify must accept
  neg       a tampered body (and, for timestamped schemes, a stale timestamp)
            must be rejected by both hookscope (exit 1) and the SDK

It installs the SDKs itself (a venv and an npm prefix under --work-dir), so it
needs network access to PyPI and npm. It is NOT part of CI.

Usage:  python3 scripts/sdk_crosscheck.py --bin target/debug/hookscope
Exit status: 0 when every case agrees, 1 on any disagreement, 2 on setup errors.
"""

import argparse
import base64
import hashlib
import json
import os
import random
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse

PY_PACKAGES = [
    "stripe", "standardwebhooks", "svix", "slack_sdk", "twilio", "squareup",
    "hubspot-api-client", "sendgrid", "PyNaCl", "cryptography",
    "plivo", "razorpay", "line-bot-sdk", "workos", "polar-sdk", "telnyx", "coinbase-commerce",
    "orb-billing", "modern-treasury", "castle", "gocardless-pro", "pusher", "connect-sdk-python3",
    "onlinepayments-sdk-python3", "sinch", "mailgun",
    "nylas<6",  # 6.x dropped the webhook signature helper
]
NPM_PACKAGES = [
    "@octokit/webhooks-methods", "@mux/mux-node", "@paddle/paddle-node-sdk",
    "@linear/sdk", "@zoom/rivet", "discord-interactions",
    "@workos-inc/node", "webflow-api", "@shopify/shopify-api", "@notionhq/client",
]

INNER_ENV = "HOOKSCOPE_SDKCHECK_INNER"


# --------------------------------------------------------------------------
# Environment setup (runs under whatever python3 started the script)
# --------------------------------------------------------------------------

def venv_python(work):
    return os.path.join(work, "venv", "bin", "python")


def setup_env(args):
    work = args.work_dir
    os.makedirs(work, exist_ok=True)
    marker = os.path.join(work, ".installed")
    if args.reinstall and os.path.exists(marker):
        os.remove(marker)
    # the marker lists what was installed: a changed package list installs again
    wanted = json.dumps({"pypi": PY_PACKAGES, "npm": NPM_PACKAGES})
    have = None
    if os.path.exists(marker):
        with open(marker) as f:
            have = f.read().split("\n", 1)[-1]
    if have != wanted:
        if shutil.which("node") is None or shutil.which("npm") is None:
            sys.exit("sdk_crosscheck: node and npm are required")
        print(f"[setup] creating venv and node_modules under {work} (network needed)", flush=True)
        if not os.path.exists(venv_python(work)):
            subprocess.check_call([sys.executable, "-m", "venv", os.path.join(work, "venv")])
        subprocess.check_call([venv_python(work), "-m", "pip", "install", "-q", "--upgrade", *PY_PACKAGES])
        node_dir = os.path.join(work, "node")
        os.makedirs(node_dir, exist_ok=True)
        pkg = os.path.join(node_dir, "package.json")
        if not os.path.exists(pkg):
            with open(pkg, "w") as f:
                json.dump({"name": "hookscope-sdk-crosscheck", "private": True}, f)
        subprocess.check_call(["npm", "install", "--no-audit", "--no-fund", "--silent",
                               "--prefix", node_dir, *NPM_PACKAGES])
        with open(marker, "w") as f:
            f.write(time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()) + "\n" + wanted)


# --------------------------------------------------------------------------
# Node worker: one long-lived process speaking JSON lines
# --------------------------------------------------------------------------

NODE_WORKER = r"""
import { createRequire } from 'node:module';
import readline from 'node:readline';
import fs from 'node:fs';
import path from 'node:path';
const nodeDir = process.argv[2];
const require = createRequire(path.join(nodeDir, 'package.json'));
// libraries log to the console; keep stdout for the protocol
for (const k of ['log', 'debug', 'info']) console[k] = () => {};
for (const k of ['warn', 'error']) console[k] = (...a) => process.stderr.write('[node] ' + a.map(String).join(' ') + '\n');
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const nm = (p) => path.join(nodeDir, 'node_modules', p);
const version = (p) => JSON.parse(fs.readFileSync(nm(p + '/package.json'), 'utf8')).version;
const str = (b64) => Buffer.from(b64, 'base64').toString('utf8');
const buf = (b64) => Buffer.from(b64, 'base64');

const octokit = await import(nm('@octokit/webhooks-methods/dist-node/index.js'));
const linear = await import(nm('@linear/sdk/dist/webhooks/index.mjs'));
const muxMod = require('@mux/mux-node');
const Mux = muxMod.default || muxMod.Mux || muxMod;
const mux = new Mux({ tokenId: 'x', tokenSecret: 'y' });
const paddleMod = require('@paddle/paddle-node-sdk');
const paddle = new paddleMod.Paddle('pdl_sdbx_apikey_01hzzzzzzzzzzzzzzzzzzzzzzz_zzzzzzzzzzzzzzzzzzzzzz_zzz');
const { RuntimeProvider } = require(nm('@paddle/paddle-node-sdk/dist/cjs/internal/providers/runtime-provider.js'));
const rivet = require('@zoom/rivet/meetings');
const discord = require('discord-interactions');
const workos = new (require('@workos-inc/node').WorkOS)('sk_test_crosscheck');
const webflow = new (require('webflow-api').WebflowClient)({ accessToken: 'x' });
require('@shopify/shopify-api/adapters/node');
const shopifyMod = require('@shopify/shopify-api');
const notion = require('@notionhq/client');
const canon = (b64) => JSON.stringify(JSON.parse(str(b64)));

const ops = {
  versions: async () => Object.fromEntries(['@octokit/webhooks-methods', '@mux/mux-node', '@paddle/paddle-node-sdk',
      '@linear/sdk', '@zoom/rivet', 'discord-interactions', '@workos-inc/node', 'webflow-api', '@shopify/shopify-api',
      '@notionhq/client'].map((p) => [p, version(p)])),
  github_sign: async ({ secret, body }) => octokit.sign(secret, str(body)),
  github_verify: async ({ secret, body, sig }) => octokit.verify(secret, str(body), sig),
  mux_sign: async ({ secret, body, ts }) => `t=${ts},v1=${await mux.webhooks.computeSignature(`${ts}.${str(body)}`, secret)}`,
  mux_verify: async ({ secret, body, header }) => {
    try { await mux.webhooks.verifySignature(str(body), { 'mux-signature': header }, secret); return true; }
    catch (e) { return false; }
  },
  paddle_sign: async ({ secret, body, ts }) =>
    `ts=${ts};h1=${await RuntimeProvider.getProvider().crypto.computeHmac(`${ts}:${str(body)}`, secret)}`,
  paddle_verify: async ({ secret, body, header }) => {
    try { return await paddle.webhooks.isSignatureValid(str(body), secret, header); } catch (e) { return false; }
  },
  linear_verify: async ({ secret, body, sig }) => {
    try { return new linear.LinearWebhookClient(secret).verify(buf(body), sig); } catch (e) { return false; }
  },
  // JSON.stringify(JSON.parse(body)): the form SDKs that re-serialise the parsed body (Rivet, workos-node) sign
  canon: async ({ body }) => Buffer.from(canon(body), 'utf8').toString('base64'),
  zoom_verify: async ({ secret, body, headers }) => {
    const r = new rivet.AwsLambdaReceiver({ webhooksSecretToken: secret });
    const res = await r.start()({ body: str(body), headers, isBase64Encoded: false }, {});
    return res.statusCode === 200;
  },
  discord_verify: async ({ pubkey, body, sig, ts }) => discord.verifyKey(buf(body), sig, ts, pubkey),
  // workos-node hashes JSON.stringify(payload): it takes the parsed body, not the raw one
  workos_sign: async ({ secret, body, ts }) =>
    `t=${ts}, v1=${await workos.webhooks.computeSignature(ts, JSON.parse(str(body)), secret)}`,
  workos_verify: async ({ secret, body, header }) => {
    try { return await workos.webhooks.verifyHeader({ payload: JSON.parse(str(body)), sigHeader: header, secret }); }
    catch (e) { return false; }
  },
  webflow_verify: async ({ secret, body, headers }) => webflow.webhooks.verifySignature({ headers, body: str(body), secret }),
  shopify_verify: async ({ secret, body, headers }) => {
    const shopify = shopifyMod.shopifyApi({ apiKey: 'k', apiSecretKey: secret, scopes: [], hostName: 'localhost',
      apiVersion: shopifyMod.ApiVersion.July25, isEmbeddedApp: false, logger: { level: 0 } });
    const r = await shopify.webhooks.validate({ rawBody: str(body), rawRequest: { method: 'POST', url: '/webhooks', headers },
      rawResponse: {} });
    return r.valid;
  },
  notion_sign: async ({ secret, body }) => notion.signWebhookPayload({ body: buf(body), verificationToken: secret }),
  notion_verify: async ({ secret, body, sig }) =>
    notion.verifyWebhookSignature({ body: buf(body), signature: sig, verificationToken: secret }),
};

const rl = readline.createInterface({ input: process.stdin });
for await (const line of rl) {
  const req = JSON.parse(line);
  try { out({ ok: true, result: await ops[req.op](req.args || {}) }); }
  catch (e) { out({ ok: false, error: String(e && e.stack || e) }); }
}
"""


class Node:
    def __init__(self, work):
        node_dir = os.path.join(work, "node")
        self.tmp = tempfile.mkdtemp(prefix="hs-sdkcheck-js-")
        worker = os.path.join(self.tmp, "worker.mjs")
        with open(worker, "w") as f:
            f.write(NODE_WORKER)
        self.proc = subprocess.Popen(["node", worker, node_dir], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, encoding="utf-8")

    def call(self, op, **args):
        self.proc.stdin.write(json.dumps({"op": op, "args": args}) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"node worker died during {op}")
        resp = json.loads(line)
        if not resp["ok"]:
            raise RuntimeError(f"node {op}: {resp['error']}")
        return resp["result"]

    def close(self):
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=10)
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)


def b64(b):
    return base64.b64encode(b).decode()


# --------------------------------------------------------------------------
# Random inputs
# --------------------------------------------------------------------------

UNICODE_BITS = ["é", "ß", "Ω", "日本語", "中文", "🎉", "👩‍💻", "e\u0301", "مرحبا", "क्षि",
                "\u2028", "\u00a0", "ﬁ", "𝔘𝔫𝔦", "Ä", "ñ", "€", "😀"]
ASCII_BITS = ["hello", "world", " ", "a+b", "100%", "x&y=z", "/path/to", "C:\\dir\\file", "\"quoted\"",
              "tab\there", "line\nbreak", "cr\r\nlf", "<tag>", "'apos'", "#hash", "?q=1", "\x01ctl",
              "{not json}", "[1,2]", "\\u0041 literal", "💲"]


def rand_text(rng, lo=0, hi=5):
    return "".join(rng.choice(UNICODE_BITS + ASCII_BITS + [rng.choice("abcdefXYZ0123456789")])
                   for _ in range(rng.randint(lo, hi)))


def rand_value(rng, depth=0):
    kinds = ["str", "int", "float", "bool", "null"] + (["list", "dict"] * 2 if depth < 4 else [])
    k = rng.choice(kinds)
    if k == "str":
        return rand_text(rng)
    if k == "int":
        return rng.choice([0, -1, rng.randint(-10**6, 10**6), rng.randint(0, 2**53), 2**63 - 1])
    if k == "float":
        return rng.choice([0.5, -1.25, 3.14159, 1e-7, 6.02e23, round(rng.uniform(-1000, 1000), 4)])
    if k == "bool":
        return rng.random() < 0.5
    if k == "null":
        return None
    if k == "list":
        return [rand_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {rand_key(rng): rand_value(rng, depth + 1) for _ in range(rng.randint(0, 5))}


def rand_key(rng):
    return rng.choice(["id", "type", "data", "object", "amount", "currency", "name", "email", "note",
                       "metadata", "items", "nested", "ünïcødé", "key with space", "a/b", "emoji🎉",
                       "x-" + str(rng.randint(0, 999))])


def serialize_json(rng, obj):
    """Serialise with a random style; every output is valid JSON for obj."""
    style = rng.choice(["compact", "spaced", "indent2", "indent4", "tab", "ascii", "slash", "crlf"])
    ensure_ascii = style == "ascii" or rng.random() < 0.2
    if style == "compact":
        s = json.dumps(obj, separators=(",", ":"), ensure_ascii=ensure_ascii)
    elif style == "spaced":
        s = json.dumps(obj, ensure_ascii=ensure_ascii)
    elif style in ("indent2", "indent4", "crlf"):
        s = json.dumps(obj, indent=2 if style != "indent4" else 4, ensure_ascii=ensure_ascii)
        if style == "crlf":
            s = s.replace("\n", "\r\n")
    elif style == "tab":
        s = json.dumps(obj, indent="\t", ensure_ascii=ensure_ascii)
    elif style == "slash":
        # "/" only occurs inside strings in JSON text, and "\/" is a valid escape for it
        s = json.dumps(obj, ensure_ascii=ensure_ascii).replace("/", "\\/")
    else:
        s = json.dumps(obj, ensure_ascii=True)
    s = rng.choice(["", " ", "\n"]) + s + rng.choice(["", "", "\n", "\r\n", "  "])
    return s.encode("utf-8")


def rand_event(rng, extra=None):
    obj = {"id": "evt_" + rand_token(rng, 16), "type": rng.choice(["created", "updated", "payment.succeeded"]),
           "created": int(time.time()), "data": {rand_key(rng): rand_value(rng, 1) for _ in range(rng.randint(1, 5))}}
    if extra:
        obj.update(extra)
    keys = list(obj)
    rng.shuffle(keys)
    return {k: obj[k] for k in keys}


def rand_json_body(rng, extra=None):
    return serialize_json(rng, rand_event(rng, extra))


ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def rand_token(rng, n, alphabet=ALNUM):
    return "".join(rng.choice(alphabet) for _ in range(n))


def rand_hex(rng, n):
    return rng.randbytes(n // 2).hex()


def form_encode_value(rng, v):
    if rng.random() < 0.5:
        return urllib.parse.quote_plus(v, safe="")  # space -> "+", "+" -> "%2B"
    return urllib.parse.quote(v, safe="")         # space -> "%20"


FORM_VALUES = ["hello world", "a+b", "1+1=2", "+14155550100", "%2B", "100% sure", "x&y", "ünïcødé 🎉",
               "", "tab\there", "line\nbreak", "C:\\path", "{\"json\":\"in form\"}", "~!*()'", "plus+and space"]


def rand_form_pairs(rng, keys, repeat_key=True):
    pairs = []
    for k in keys:
        pairs.append((k, rng.choice(FORM_VALUES) + rng.choice(["", rand_text(rng, 0, 2)])))
    if repeat_key:
        # a repeated key with distinct values
        k = rng.choice(keys + ["Tag", "tags[]"])
        vals = rng.sample(["alpha", "beta gamma", "d+e", "zeta%", "ω", "9"], rng.randint(2, 3))
        for v in vals:
            pairs.insert(rng.randint(0, len(pairs)), (k, v))
    return pairs


def encode_form(rng, pairs):
    return "&".join(form_encode_value(rng, k) + "=" + form_encode_value(rng, v) for k, v in pairs).encode()


class MultiDict(dict):
    """What Flask/werkzeug hands to twilio's RequestValidator: getall() returns every value."""

    def __init__(self, pairs):
        super().__init__()
        self._pairs = pairs
        for k, v in pairs:
            self.setdefault(k, v)

    def getall(self, k):
        return [v for kk, v in self._pairs if kk == k]


def rand_url(rng, query=True):
    host = rng.choice(["example.com", "hooks.example.org", "api.test.io", "my-app.ngrok.app"])
    path = "/" + "/".join(rng.choice(["webhooks", "hook", "v1", "twilio", "sms", "incoming", "cb"])
                          for _ in range(rng.randint(1, 3)))
    if rng.random() < 0.3:
        path += "/"
    url = "https://" + host + path
    if query and rng.random() < 0.6:
        url += "?" + "&".join(f"{k}={v}" for k, v in
                              [(rng.choice(["foo", "bar", "id", "x"]), rng.randint(0, 99)) for _ in range(rng.randint(1, 3))])
    return url


def tamper(body):
    """Flip one byte that keeps the body valid UTF-8 (and, for JSON digits/letters, valid JSON)."""
    b = bytearray(body)
    for i in range(len(b) // 2, len(b)):
        c = chr(b[i])
        if c.isdigit():
            b[i] = ord("7" if c != "7" else "3")
            return bytes(b)
        if c.isalpha() and b[i] < 128:
            b[i] = ord("q" if c != "q" else "z")
            return bytes(b)
    return body + b" "


# --------------------------------------------------------------------------
# hookscope wrapper
# --------------------------------------------------------------------------

class Hookscope:
    def __init__(self, binary, work):
        self.bin = binary
        self.tmp = tempfile.mkdtemp(prefix="hs-sdkcheck-")
        self.n = 0

    def _body_file(self, body):
        self.n += 1
        p = os.path.join(self.tmp, f"body{self.n}")
        with open(p, "wb") as f:
            f.write(body)
        return p

    def sign(self, provider, secret, body, variant=None, ts=None, msg_id=None, url=None, method=None, headers=None):
        """The headers the provider would send: `headers` (inputs the scheme reads, e.g. a nonce) + the signed ones."""
        # `--secret=VALUE`: real secrets may start with "-" (e.g. Square's base64url keys)
        argv = [self.bin, "sign", "--provider", provider, f"--secret={secret}", "--body-file", self._body_file(body)]
        for k, v in (headers or {}).items():
            argv += ["-H", f"{k}: {v}"]
        if variant:
            argv += ["--variant", variant]
        if ts is not None:
            argv += ["--timestamp", str(ts)]
        if msg_id:
            argv += ["--id", msg_id]
        if url:
            argv += ["--url", url]
        if method:
            argv += ["--method", method]
        r = subprocess.run(argv, capture_output=True)
        if r.returncode != 0:
            raise RuntimeError(f"hookscope sign failed ({r.returncode}): {r.stderr.decode(errors='replace')}")
        out = dict(headers or {})
        for line in r.stdout.decode().splitlines():
            if ":" in line:
                k, v = line.split(":", 1)
                out[k.strip()] = v.strip()
        return out

    def verify(self, provider, secret, headers, body, now, variant=None, url=None, method=None):
        bf = self._body_file(body)
        argv = [self.bin, "verify", "--provider", provider, f"--secret={secret}", "--body-file", bf,
                "--now", str(now), "--json"]
        if variant:
            argv += ["--variant", variant]
        for k, v in headers.items():
            argv += ["-H", f"{k}: {v}"]
        if url:
            argv += ["--url", url]
        if method:
            argv += ["--method", method]
        r = subprocess.run(argv, capture_output=True)
        try:
            out = json.loads(r.stdout.decode())
        except ValueError:
            out = {"stdout": r.stdout.decode(errors="replace"), "stderr": r.stderr.decode(errors="replace")}
        return r.returncode, out, argv

    def close(self):
        shutil.rmtree(self.tmp, ignore_errors=True)


# --------------------------------------------------------------------------
# Provider definitions
# --------------------------------------------------------------------------
# Each provider is a dict:
#   name, variant, sdk (label), make_case(rng, now) -> case dict
#   sdk_sign(case) -> headers           (optional; SDK or its own signing helper signs)
#   sdk_verify(case, headers) -> bool   (optional; the SDK's verify)
#   hs_sign_args(case) -> kwargs for Hookscope.sign (ts/id/url/method)
#   stale(case) -> case with an out-of-window timestamp (optional)
# A case has at least: secret, body (bytes), now; optional ts, id, url, method.


def providers(node, versions):
    import stripe
    import standardwebhooks
    import svix.webhooks
    from slack_sdk.signature import SignatureVerifier
    from twilio.request_validator import RequestValidator
    from square.utils.webhooks_helper import verify_signature as square_verify
    from hubspot.utils.signature import Signature as HubSpotSignature
    from sendgrid.helpers.eventwebhook import EventWebhook
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives import hashes, serialization
    import nacl.signing
    from datetime import datetime, timezone
    from importlib.metadata import version as pyver
    from types import SimpleNamespace
    import plivo.utils.signature_v3 as plivo_v3
    from razorpay.utility.utility import Utility as RazorpayUtility
    from razorpay.errors import SignatureVerificationError as RazorpayError
    from linebot.v3.webhook import SignatureValidator as LineValidator
    from workos.webhooks._verification import verify_header as workos_verify_header
    import polar.webhooks as polar_webhooks
    from polar.v2026_10.webhooks import validate_event as polar_validate_event
    from telnyx.lib.webhook_verification import verify_webhook_signature as telnyx_verify
    from telnyx.lib.webhook_verification import WebhookVerificationError as TelnyxError
    from coinbase_commerce.webhook import WebhookSignature as CoinbaseSignature
    from coinbase_commerce.error import SignatureVerificationError as CoinbaseError
    import orb
    import modern_treasury
    from castle.webhooks.verify import WebhooksVerify as CastleVerify
    from castle.errors import WebhookVerificationError as CastleError
    import gocardless_pro.webhooks
    from gocardless_pro.errors import InvalidSignatureError as GoCardlessError
    from nylas.client.restful_models import Webhook as NylasWebhook
    import pusher
    import pusher.signature
    from worldline.connect.sdk.webhooks.signature_validator import SignatureValidator as ConnectValidator
    from worldline.connect.sdk.webhooks.in_memory_secret_key_store import InMemorySecretKeyStore as ConnectKeys
    from worldline.connect.sdk.communication.request_header import RequestHeader as ConnectHeader
    from worldline.connect.sdk.webhooks.signature_validation_exception import (
        SignatureValidationException as ConnectError)
    from onlinepayments.sdk.webhooks.signature_validator import SignatureValidator as DirectValidator
    from onlinepayments.sdk.webhooks.in_memory_secret_key_store import InMemorySecretKeyStore as DirectKeys
    from onlinepayments.sdk.communication.request_header import RequestHeader as DirectHeader
    from onlinepayments.sdk.webhooks.signature_validation_exception import (
        SignatureValidationException as DirectError)
    from sinch.domains.conversation.sinch_events.v1.conversation_sinch_event import ConversationSinchEvent
    from sinch.domains.authentication.sinch_events.v1 import authentication_validation as sinch_auth
    from mailgun.security import SecurityGuard as MailgunGuard

    P = []

    def v(pkg):
        return f"{pkg} {pyver(pkg)}"

    def nv(pkg):
        return f"{pkg} {versions[pkg]}"

    # ---- Stripe -----------------------------------------------------------
    def stripe_case(rng, now):
        return dict(secret="whsec_" + rand_token(rng, 32), body=rand_json_body(rng), now=now, ts=now)

    def stripe_verify(c, h):
        try:
            stripe.WebhookSignature.verify_header(c["body"], h["stripe-signature"], c["secret"], tolerance=300)
            return True
        except stripe.SignatureVerificationError:
            return False

    def stripe_edges(rng, now):
        # secret rotation: a v1 from an old secret, the right v1, and a v0 decoy
        c = stripe_case(rng, now)
        good = stripe.WebhookSignature.generate_signature_header(c["body"].decode(), c["secret"], timestamp=now)
        old = stripe.WebhookSignature.generate_signature_header(c["body"].decode(), c["secret"] + "x", timestamp=now)
        hdr = old + "," + good.split(",", 1)[1] + ",v0=" + "0" * 64
        return [("two v1 (old secret first) + v0", c, {"Stripe-Signature": hdr})]

    P.append(dict(name="stripe", sdk=v("stripe"), make_case=stripe_case,
                  sdk_sign=lambda c: {"Stripe-Signature": stripe.WebhookSignature.generate_signature_header(
                      c["body"].decode(), c["secret"], timestamp=c["ts"])},
                  sdk_verify=stripe_verify, hs_sign_args=lambda c: dict(ts=c["ts"]),
                  stale=lambda c: dict(c, ts=c["now"] - 400), edges=stripe_edges,
                  future=lambda c: dict(c, ts=c["now"] + 400)))

    # ---- Standard Webhooks / Svix ----------------------------------------
    def whsec(rng):
        return "whsec_" + b64(rng.randbytes(rng.randint(24, 32)))

    def sw_case(rng, now):
        return dict(secret=whsec(rng), body=rand_json_body(rng), now=now, ts=now,
                    id="msg_" + rand_token(rng, rng.randint(20, 27)))

    def sw_sign(c, cls, prefix):
        sig = cls(c["secret"]).sign(c["id"], datetime.fromtimestamp(c["ts"], tz=timezone.utc), c["body"].decode())
        return {f"{prefix}-id": c["id"], f"{prefix}-timestamp": str(c["ts"]), f"{prefix}-signature": sig}

    def sw_verify(c, h, cls):
        try:
            cls(c["secret"]).verify(c["body"], h)
            return True
        except standardwebhooks.webhooks.WebhookVerificationError:
            return False
        except Exception:
            return False

    def sw_edges(rng, now, cls, prefix):
        c = sw_case(rng, now)
        h = sw_sign(c, cls, prefix)
        bad = "v1," + b64(rng.randbytes(32))
        h[f"{prefix}-signature"] = "v1a," + b64(rng.randbytes(64)) + " " + bad + " " + h[f"{prefix}-signature"]
        return [("v1a + wrong v1 + right v1 (space-separated)", c, h)]

    P.append(dict(name="standard-webhooks", sdk=v("standardwebhooks"), make_case=sw_case,
                  edges=lambda rng, now: sw_edges(rng, now, standardwebhooks.Webhook, "webhook"),
                  sdk_sign=lambda c: sw_sign(c, standardwebhooks.Webhook, "webhook"),
                  sdk_verify=lambda c, h: sw_verify(c, h, standardwebhooks.Webhook),
                  hs_sign_args=lambda c: dict(ts=c["ts"], msg_id=c["id"]),
                  stale=lambda c: dict(c, ts=c["now"] - 400), future=lambda c: dict(c, ts=c["now"] + 400)))
    P.append(dict(name="svix", sdk=v("svix"), make_case=sw_case,
                  edges=lambda rng, now: sw_edges(rng, now, svix.webhooks.Webhook, "svix"),
                  sdk_sign=lambda c: sw_sign(c, svix.webhooks.Webhook, "svix"),
                  sdk_verify=lambda c, h: sw_verify(c, h, svix.webhooks.Webhook),
                  hs_sign_args=lambda c: dict(ts=c["ts"], msg_id=c["id"]),
                  stale=lambda c: dict(c, ts=c["now"] - 400), future=lambda c: dict(c, ts=c["now"] + 400)))

    # svix white-label: webhook-* headers, verified by the svix SDK (which accepts both header sets)
    P.append(dict(name="svix", variant="webhook-headers", sdk=v("svix"), make_case=sw_case,
                  sdk_sign=lambda c: sw_sign(c, svix.webhooks.Webhook, "webhook"),
                  sdk_verify=lambda c, h: sw_verify(c, h, svix.webhooks.Webhook),
                  hs_sign_args=lambda c: dict(ts=c["ts"], msg_id=c["id"])))

    # ---- Slack ------------------------------------------------------------
    def slack_case(rng, now):
        if rng.random() < 0.6:
            keys = ["token", "team_id", "team_domain", "channel_id", "user_name", "command", "text",
                    "response_url", "trigger_id"]
            body = encode_form(rng, rand_form_pairs(rng, rng.sample(keys, rng.randint(3, len(keys)))))
            if rng.random() < 0.3:  # interactive payload: JSON inside a form field
                body += b"&payload=" + urllib.parse.quote_plus(json.dumps(rand_event(rng))).encode()
        else:
            body = rand_json_body(rng)
        return dict(secret=rand_hex(rng, 32), body=body, now=now, ts=now)

    def slack_sign(c):
        sig = SignatureVerifier(c["secret"]).generate_signature(timestamp=str(c["ts"]), body=c["body"])
        return {"X-Slack-Request-Timestamp": str(c["ts"]), "X-Slack-Signature": sig}

    def slack_verify(c, h):
        h = {k.lower(): x for k, x in h.items()}
        try:
            return SignatureVerifier(c["secret"]).is_valid(c["body"], h.get("x-slack-request-timestamp"),
                                                            h.get("x-slack-signature"))
        except ValueError:  # non-integer timestamp header
            return False

    P.append(dict(name="slack", sdk=v("slack_sdk"), make_case=slack_case, sdk_sign=slack_sign,
                  sdk_verify=slack_verify, hs_sign_args=lambda c: dict(ts=c["ts"]),
                  stale=lambda c: dict(c, ts=c["now"] - 400), future=lambda c: dict(c, ts=c["now"] + 400)))

    # ---- Twilio (form) ----------------------------------------------------
    TW_KEYS = ["AccountSid", "ApiVersion", "Body", "From", "To", "MessageSid", "NumMedia", "MediaUrl0",
               "FromCity", "SmsStatus", "CallStatus", "Digits", "SpeechResult"]

    def twilio_form_case(rng, now):
        pairs = rand_form_pairs(rng, rng.sample(TW_KEYS, rng.randint(3, 8)))
        return dict(secret=rand_hex(rng, 32), body=encode_form(rng, pairs), now=now, url=rand_url(rng))

    def tw_params(c):
        return MultiDict(urllib.parse.parse_qsl(c["body"].decode(), keep_blank_values=True))

    def twilio_form_edges(rng, now):
        out = []
        for raw in (b"a=1&a=1&b=2", b"Body=x&Body=x&Body=y&To=%2B1555", b"k=&k=&k=%2B+"):
            c = dict(twilio_form_case(rng, now), body=raw)
            out.append((f"repeated identical values {raw.decode()}", c,
                        {"X-Twilio-Signature": RequestValidator(c["secret"]).compute_signature(c["url"], tw_params(c))}))
        c = twilio_form_case(rng, now)
        u = urllib.parse.urlsplit(c["url"])
        with_port = urllib.parse.urlunsplit(u._replace(netloc=u.hostname + ":443"))
        out.append(("signed with :443, --url without port", c, {"X-Twilio-Signature":
                    RequestValidator(c["secret"]).compute_signature(with_port, tw_params(c))}))
        c2 = dict(c, url=with_port)
        out.append(("signed without port, --url with :443", c2, {"X-Twilio-Signature":
                    RequestValidator(c["secret"]).compute_signature(c["url"], tw_params(c))}))
        return out

    P.append(dict(name="twilio", variant="form", sdk=v("twilio"), make_case=twilio_form_case,
                  edges=twilio_form_edges,
                  sdk_sign=lambda c: {"X-Twilio-Signature": RequestValidator(c["secret"]).compute_signature(
                      c["url"], tw_params(c))},
                  sdk_verify=lambda c, h: RequestValidator(c["secret"]).validate(
                      c["url"], tw_params(c), {k.lower(): x for k, x in h.items()}["x-twilio-signature"]),
                  hs_sign_args=lambda c: dict(url=c["url"])))

    # ---- Twilio (JSON) ----------------------------------------------------
    def twilio_json_case(rng, now):
        return dict(secret=rand_hex(rng, 32), body=rand_json_body(rng), now=now, url=rand_url(rng))

    def tw_json_url(c):
        rv = RequestValidator(c["secret"])
        return c["url"] + ("&" if "?" in c["url"] else "?") + "bodySHA256=" + rv.compute_hash(c["body"].decode())

    P.append(dict(name="twilio", variant="json", sdk=v("twilio"), make_case=twilio_json_case,
                  sdk_sign=lambda c: {"X-Twilio-Signature": RequestValidator(c["secret"]).compute_signature(
                      tw_json_url(c), {})},
                  sdk_verify=lambda c, h: RequestValidator(c["secret"]).validate(
                      tw_json_url(c), c["body"].decode(), {k.lower(): x for k, x in h.items()}["x-twilio-signature"]),
                  hs_sign_args=lambda c: dict(url=c["url"]),
                  hs_verify_url=tw_json_url))

    # ---- Square (verify only) ---------------------------------------------
    def square_case(rng, now):
        key = base64.urlsafe_b64encode(rng.randbytes(16)).decode().rstrip("=")
        return dict(secret=key, body=rand_json_body(rng), now=now, url=rand_url(rng))

    P.append(dict(name="square", sdk=v("squareup"), make_case=square_case,
                  sdk_verify=lambda c, h: square_verify(
                      request_body=c["body"].decode(), signature_header=h["x-square-hmacsha256-signature"],
                      signature_key=c["secret"], notification_url=c["url"]),
                  hs_sign_args=lambda c: dict(url=c["url"])))

    # ---- HubSpot v3 / v2 / v1 ---------------------------------------------
    def hs_secret(rng):
        return "-".join(rand_hex(rng, n) for n in (8, 4, 4, 4, 12))

    def hubspot_case(rng, now):
        method = rng.choice(["POST", "POST", "PUT", "PATCH"])
        return dict(secret=hs_secret(rng), body=rand_json_body(rng), now=now, ts=now * 1000 + rng.randint(0, 999),
                    url=rand_url(rng), method=method)

    def hubspot_sign(c, ver):
        sig = HubSpotSignature.get_signature(c["secret"], c["body"].decode(), ver, c["url"], c["method"],
                                             str(c["ts"]) if ver == "v3" else None)
        if ver == "v3":
            return {"X-HubSpot-Signature-v3": sig, "X-HubSpot-Request-Timestamp": str(c["ts"])}
        return {"X-HubSpot-Signature": sig, "X-HubSpot-Signature-Version": ver}

    def hubspot_verify(c, h, ver):
        h = {k.lower(): x for k, x in h.items()}
        try:
            if ver == "v3":
                return HubSpotSignature.is_valid(h["x-hubspot-signature-v3"], c["secret"], c["body"].decode(),
                                                 c["url"], c["method"], "v3", h["x-hubspot-request-timestamp"])
            return HubSpotSignature.is_valid(h["x-hubspot-signature"], c["secret"], c["body"].decode(),
                                             c["url"], c["method"], ver)
        except Exception:
            return False

    def hubspot_edges(rng, now):
        out = []
        for q in ("email=a%40b.com&t=x%3Ay", "q=a%20b&r=%2F%3F", "p=%28%29%2A%2C%3B%21%24%27"):
            c = hubspot_case(rng, now)
            c["url"] = c["url"].split("?")[0] + "?" + q
            out.append((f"percent-encoded query ?{q}", c, hubspot_sign(c, "v3")))
        return out

    for ver in ("v3", "v2", "v1"):
        P.append(dict(name="hubspot", variant=ver, sdk=v("hubspot-api-client"), make_case=hubspot_case,
                      edges=hubspot_edges if ver == "v3" else None,
                      sdk_sign=lambda c, ver=ver: hubspot_sign(c, ver),
                      sdk_verify=lambda c, h, ver=ver: hubspot_verify(c, h, ver),
                      hs_sign_args=(lambda c: dict(ts=c["ts"] // 1000, url=c["url"], method=c["method"])) if ver == "v3"
                      else (lambda c: dict(url=c["url"], method=c["method"])),
                      stale=(lambda c: dict(c, ts=(c["now"] - 400) * 1000)) if ver == "v3" else None,
                      future=(lambda c: dict(c, ts=(c["now"] + 400) * 1000)) if ver == "v3" else None))

    # ---- SendGrid (ECDSA: cryptography signs, SDK + hookscope verify) ------
    def sendgrid_case(rng, now):
        priv = ec.derive_private_key(rng.randrange(1, 2**255), ec.SECP256R1())
        pub = b64(priv.public_key().public_bytes(serialization.Encoding.DER,
                                                 serialization.PublicFormat.SubjectPublicKeyInfo))
        events = [dict(rand_event(rng), email=f"user{rng.randint(0, 999)}@example.com", event=rng.choice(
            ["processed", "delivered", "open", "click"]), timestamp=now) for _ in range(rng.randint(1, 3))]
        body = serialize_json(rng, events).rstrip(b"\r\n") + b"\r\n"
        return dict(secret=pub, priv=priv, body=body, now=now, ts=now)

    def sendgrid_sign(c):
        sig = c["priv"].sign(str(c["ts"]).encode() + c["body"], ec.ECDSA(hashes.SHA256()))
        return {"X-Twilio-Email-Event-Webhook-Signature": b64(sig),
                "X-Twilio-Email-Event-Webhook-Timestamp": str(c["ts"])}

    def sendgrid_sdk_check(c, h):
        h = {k.lower(): x for k, x in h.items()}
        ew = EventWebhook()
        return ew.verify_signature(c["body"].decode(), h["x-twilio-email-event-webhook-signature"],
                                   h["x-twilio-email-event-webhook-timestamp"],
                                   ew.convert_public_key_to_ecdsa(c["secret"]))

    P.append(dict(name="sendgrid", sdk=v("sendgrid") + " + " + v("cryptography"), make_case=sendgrid_case,
                  sdk_sign=sendgrid_sign, sdk_self_check=sendgrid_sdk_check))

    # ---- Discord (Ed25519: PyNaCl signs, discord-interactions + hookscope verify)
    def discord_case(rng, now):
        sk = nacl.signing.SigningKey(rng.randbytes(32))
        body = serialize_json(rng, {"type": rng.choice([1, 2, 3]), "id": str(rng.randint(10**17, 10**18)),
                                    "application_id": str(rng.randint(10**17, 10**18)),
                                    "data": rand_value(rng, 1), "token": rand_token(rng, 40)})
        return dict(secret=sk.verify_key.encode().hex(), sk=sk, body=body, now=now, ts=now)

    def discord_sign(c):
        sig = c["sk"].sign(str(c["ts"]).encode() + c["body"]).signature.hex()
        return {"X-Signature-Ed25519": sig, "X-Signature-Timestamp": str(c["ts"])}

    def discord_sdk_check(c, h):
        return node.call("discord_verify", pubkey=c["secret"], body=b64(c["body"]),
                         sig=h["X-Signature-Ed25519"], ts=h["X-Signature-Timestamp"])

    P.append(dict(name="discord", sdk=v("PyNaCl") + " (signs) + " + nv("discord-interactions") + " (verifies)",
                  make_case=discord_case, sdk_sign=discord_sign, sdk_self_check=discord_sdk_check))

    # ---- GitHub (octokit) -------------------------------------------------
    def github_case(rng, now):
        secret = rng.choice([rand_token(rng, rng.randint(16, 40)), "It's a " + rand_text(rng, 1, 3) + " secret",
                             rand_hex(rng, 40)])
        return dict(secret=secret, body=rand_json_body(rng), now=now)

    P.append(dict(name="github", variant="sha256", sdk=nv("@octokit/webhooks-methods"), make_case=github_case,
                  sdk_sign=lambda c: {"X-Hub-Signature-256": node.call("github_sign", secret=c["secret"],
                                                                       body=b64(c["body"]))},
                  sdk_verify=lambda c, h: node.call("github_verify", secret=c["secret"], body=b64(c["body"]),
                                                    sig=h["x-hub-signature-256"]),
                  hs_sign_args=lambda c: {}))

    # ---- Mux --------------------------------------------------------------
    def mux_case(rng, now):
        return dict(secret=rand_token(rng, 32, "abcdefghijklmnopqrstuvwxyz0123456789"), body=rand_json_body(rng),
                    now=now, ts=now)

    P.append(dict(name="mux", sdk=nv("@mux/mux-node") + " (verifySignature; signs via webhooks.computeSignature)",
                  make_case=mux_case,
                  sdk_sign=lambda c: {"Mux-Signature": node.call("mux_sign", secret=c["secret"], body=b64(c["body"]),
                                                                 ts=c["ts"])},
                  sdk_verify=lambda c, h: node.call("mux_verify", secret=c["secret"], body=b64(c["body"]),
                                                    header=h["mux-signature"]),
                  hs_sign_args=lambda c: dict(ts=c["ts"]), stale=lambda c: dict(c, ts=c["now"] - 400),
                  future=lambda c: dict(c, ts=c["now"] + 400)))

    # ---- Paddle -----------------------------------------------------------
    def paddle_case(rng, now):
        secret = "pdl_ntfset_01" + rand_token(rng, 24, "0123456789abcdefghjkmnpqrstvwxyz") + "_" + rand_token(rng, 32)
        return dict(secret=secret, body=rand_json_body(rng), now=now, ts=now)

    def paddle_edges(rng, now):
        c = paddle_case(rng, now)
        good = node.call("paddle_sign", secret=c["secret"], body=b64(c["body"]), ts=now)
        old = node.call("paddle_sign", secret=c["secret"] + "x", body=b64(c["body"]), ts=now)
        # the node SDK keeps only the LAST h1, so put the right one last (see README)
        return [("two h1 (old secret first)", c, {"Paddle-Signature": old + ";" + good.split(";", 1)[1]})]

    P.append(dict(name="paddle", edges=paddle_edges, sdk=nv("@paddle/paddle-node-sdk") + " (isSignatureValid; signs via its crypto provider)",
                  make_case=paddle_case,
                  sdk_sign=lambda c: {"Paddle-Signature": node.call("paddle_sign", secret=c["secret"],
                                                                    body=b64(c["body"]), ts=c["ts"])},
                  sdk_verify=lambda c, h: node.call("paddle_verify", secret=c["secret"], body=b64(c["body"]),
                                                    header=h["paddle-signature"]),
                  hs_sign_args=lambda c: dict(ts=c["ts"]), stale=lambda c: dict(c, ts=c["now"] - 60),
                  future=lambda c: dict(c, ts=c["now"] + 60)))

    # ---- Linear (verify only; timestamp lives in the body) -----------------
    def linear_case(rng, now, ts_ms=None):
        ts_ms = now * 1000 + rng.randint(-500, 500) if ts_ms is None else ts_ms
        body = rand_json_body(rng, {"webhookTimestamp": ts_ms, "action": "create", "type": "Issue"})
        return dict(secret="lin_wh_" + rand_token(rng, 40), body=body, now=now)

    def linear_stale(c, offset=-180):
        obj = json.loads(c["body"])
        obj["webhookTimestamp"] = (c["now"] + offset) * 1000
        return dict(c, body=json.dumps(obj, ensure_ascii=False).encode())

    P.append(dict(name="linear", sdk=nv("@linear/sdk"), make_case=linear_case,
                  sdk_verify=lambda c, h: node.call("linear_verify", secret=c["secret"], body=b64(c["body"]),
                                                    sig=h["linear-signature"]),
                  hs_sign_args=lambda c: {}, stale=linear_stale, future=lambda c: linear_stale(c, 180)))

    # ---- Zoom (Rivet verifies; it re-serialises JSON, so bodies are canonical)
    def zoom_case(rng, now):
        obj = {"event": rng.choice(["meeting.started", "meeting.ended", "recording.completed"]),
               "event_ts": now * 1000, "payload": {"account_id": rand_token(rng, 22),
                                                   "object": rand_value(rng, 1)}}
        raw = json.dumps(obj, ensure_ascii=False).encode()
        body = base64.b64decode(node.call("canon", body=b64(raw)))
        return dict(secret=rand_token(rng, 22, ALNUM + "-_"), body=body, now=now, ts=now)

    def zoom_tamper(body):
        # keep it in JSON.stringify canonical form, or Rivet rejects it for an unrelated reason
        obj = json.loads(body)
        obj["event_ts"] += 1
        return base64.b64decode(node.call("canon", body=b64(json.dumps(obj, ensure_ascii=False).encode())))

    P.append(dict(name="zoom", sdk=nv("@zoom/rivet") + " (AwsLambdaReceiver)", make_case=zoom_case,
                  sdk_verify=lambda c, h: node.call("zoom_verify", secret=c["secret"], body=b64(c["body"]), headers=h),
                  hs_sign_args=lambda c: dict(ts=c["ts"]), tamper=zoom_tamper))

    # ---- Plivo V3 (plivo signs with its own signature_v3 helpers and verifies) --
    PLIVO_KEYS = ["CallUUID", "From", "To", "Direction", "Event", "CallerName", "CallStatus", "Digits",
                  "BillRate", "ALegUUID", "MessageUUID", "Text", "Units", "TotalRate"]

    def plivo_case(rng, now):
        # no query in the URL and no repeated identical values: the two forms plivo.toml leaves out
        pairs = list(dict.fromkeys(rand_form_pairs(rng, rng.sample(PLIVO_KEYS, rng.randint(2, 8)))))
        return dict(secret=rand_token(rng, 40), body=encode_form(rng, pairs), now=now, url=rand_url(rng, query=False),
                    nonce=str(rng.randint(10**19, 10**20 - 1)))

    def plivo_params(c):
        return urllib.parse.parse_qs(c["body"].decode(), keep_blank_values=True)

    def plivo_sign(c, secret=None):
        base = plivo_v3.construct_post_url(c["url"], plivo_params(c)).decode()
        sig = plivo_v3.get_signature_v3(secret or c["secret"], base, c["nonce"]).decode()
        return {"X-Plivo-Signature-V3": sig, "X-Plivo-Signature-V3-Nonce": c["nonce"]}

    def plivo_edges(rng, now):
        c = plivo_case(rng, now)
        h = plivo_sign(c)
        other = plivo_sign(c, c["secret"][::-1])["X-Plivo-Signature-V3"]
        h["X-Plivo-Signature-V3"] = other + "," + h["X-Plivo-Signature-V3"]
        return [("two signatures (another auth token's first)", c, h)]

    P.append(dict(name="plivo", variant="v3", sdk=v("plivo") + " (validate_v3_signature; signs via get_signature_v3)",
                  make_case=plivo_case, sdk_sign=plivo_sign, edges=plivo_edges,
                  sdk_verify=lambda c, h: plivo_v3.validate_v3_signature(
                      "POST", c["url"], h["x-plivo-signature-v3-nonce"], c["secret"], h["x-plivo-signature-v3"],
                      plivo_params(c)),
                  hs_sign_args=lambda c: dict(url=c["url"], headers={"X-Plivo-Signature-V3-Nonce": c["nonce"]})))

    # ---- Razorpay (verify only) -------------------------------------------
    def razorpay_verify(c, h):
        try:
            return RazorpayUtility().verify_webhook_signature(c["body"].decode(), h["x-razorpay-signature"], c["secret"])
        except RazorpayError:
            return False

    P.append(dict(name="razorpay", sdk=v("razorpay") + " (Utility.verify_webhook_signature)",
                  make_case=lambda rng, now: dict(secret=rand_token(rng, rng.randint(12, 32)), now=now,
                                                  body=rand_json_body(rng, {"entity": "event"})),
                  sdk_verify=razorpay_verify, hs_sign_args=lambda c: {}))

    # ---- LINE (verify only) -----------------------------------------------
    def line_case(rng, now):
        body = serialize_json(rng, {"destination": "U" + rand_hex(rng, 32),
                                    "events": [rand_event(rng) for _ in range(rng.randint(0, 3))]})
        return dict(secret=rand_hex(rng, 32), body=body, now=now)

    P.append(dict(name="line", sdk=v("line-bot-sdk") + " (v3 SignatureValidator)", make_case=line_case,
                  sdk_verify=lambda c, h: LineValidator(c["secret"]).validate(c["body"].decode(), h["x-line-signature"]),
                  hs_sign_args=lambda c: {}))

    # ---- WorkOS: workos-python verifies raw bodies; workos-node signs and verifies
    # JSON.stringify of the parsed body, so its cases use bodies already in that form
    def workos_case(rng, now):
        return dict(secret=rand_token(rng, 25), body=rand_json_body(rng), now=now, ts=now)

    def workos_py_verify(c, h):
        try:
            workos_verify_header(event_body=c["body"], event_signature=h["workos-signature"], secret=c["secret"],
                                 tolerance=180)
            return True
        except ValueError:
            return False

    def canon_case(make):
        def case(rng, now):
            c = make(rng, now)
            return dict(c, body=base64.b64decode(node.call("canon", body=b64(c["body"]))))
        return case

    def canon_tamper(body):
        obj = json.loads(body)
        obj["id"] = obj["id"] + "x"
        return base64.b64decode(node.call("canon", body=b64(json.dumps(obj).encode())))

    # workos-python checks |now - t| <= 180 s, so no future-timestamp case (hookscope follows workos-node)
    P.append(dict(name="workos", label="workos (python)", sdk=v("workos") + " (webhooks verify_header)",
                  make_case=workos_case, sdk_verify=workos_py_verify, hs_sign_args=lambda c: dict(ts=c["ts"]),
                  stale=lambda c: dict(c, ts=c["now"] - 400)))
    P.append(dict(name="workos", label="workos (node)",
                  sdk=nv("@workos-inc/node") + " (webhooks.verifyHeader; signs via webhooks.computeSignature)",
                  make_case=canon_case(workos_case), tamper=canon_tamper,
                  sdk_sign=lambda c: {"WorkOS-Signature": node.call("workos_sign", secret=c["secret"], body=b64(c["body"]),
                                                                    ts=c["ts"] * 1000)},
                  sdk_verify=lambda c, h: node.call("workos_verify", secret=c["secret"], body=b64(c["body"]),
                                                    header=h["workos-signature"]),
                  hs_sign_args=lambda c: dict(ts=c["ts"]), stale=lambda c: dict(c, ts=c["now"] - 400),
                  future=lambda c: dict(c, ts=c["now"] + 400)))

    # ---- Polar (verify only; standardwebhooks signs the whsec_ edge case) --
    def polar_case(rng, now):
        body = rand_json_body(rng, {"type": rng.choice(["order.created", "checkout.updated", "customer.deleted"])})
        return dict(secret="polar_whs_" + rand_token(rng, 43), body=body, now=now, ts=now,
                    id="msg_" + rand_token(rng, 27))

    def polar_verify(c, h):
        try:
            polar_validate_event(c["body"], h, c["secret"])
        except polar_webhooks.PolarWebhookVerificationError:
            return False
        except polar_webhooks.PolarWebhookError:
            pass  # raised after the signature matched: the random payload is not a Polar event
        return True

    def polar_edges(rng, now):
        # the SDK's second key: a whsec_ secret is also tried base64-decoded (Standard Webhooks' form)
        c = dict(polar_case(rng, now), secret=whsec(rng))
        return [("whsec_ secret, signed with its decoded bytes", c, sw_sign(c, standardwebhooks.Webhook, "webhook"))]

    P.append(dict(name="polar", sdk=v("polar-sdk") + " (v2026_10 validate_event)", make_case=polar_case,
                  edges=polar_edges, sdk_verify=polar_verify, hs_sign_args=lambda c: dict(ts=c["ts"], msg_id=c["id"]),
                  stale=lambda c: dict(c, ts=c["now"] - 400), future=lambda c: dict(c, ts=c["now"] + 400)))

    # ---- Telnyx (Ed25519: PyNaCl signs, telnyx + hookscope verify) --------
    def telnyx_case(rng, now):
        sk = nacl.signing.SigningKey(rng.randbytes(32))
        return dict(secret=b64(sk.verify_key.encode()), sk=sk, body=rand_json_body(rng, {"record_type": "event"}),
                    now=now, ts=now)

    def telnyx_sign(c):
        sig = c["sk"].sign(str(c["ts"]).encode() + b"|" + c["body"]).signature
        return {"Telnyx-Signature-Ed25519": b64(sig), "Telnyx-Timestamp": str(c["ts"])}

    def telnyx_check(c, h):
        try:
            telnyx_verify(c["body"], h, c["secret"])
            return True
        except TelnyxError:
            return False

    P.append(dict(name="telnyx", sdk=v("PyNaCl") + " (signs) + " + v("telnyx") + " (verify_webhook_signature)",
                  make_case=telnyx_case, sdk_sign=telnyx_sign, sdk_self_check=telnyx_check,
                  stale=lambda c: dict(c, ts=c["now"] - 400)))

    # ---- Coinbase Commerce ------------------------------------------------
    def coinbase_verify(c, h):
        try:
            return CoinbaseSignature.verify_sig_header(c["body"].decode(), h["x-cc-webhook-signature"], c["secret"])
        except CoinbaseError:
            return False

    P.append(dict(name="coinbase-commerce", sdk=v("coinbase-commerce") + " (verify_sig_header; signs via _compute_signature)",
                  make_case=lambda rng, now: dict(secret="-".join(rand_hex(rng, n) for n in (8, 4, 4, 4, 12)), now=now,
                                                  body=rand_json_body(rng, {"event": rand_event(rng)})),
                  sdk_sign=lambda c: {"X-CC-Webhook-Signature": CoinbaseSignature._compute_signature(
                      c["body"].decode(), c["secret"])},
                  sdk_verify=coinbase_verify, hs_sign_args=lambda c: {}))

    # ---- Orb (verify only; X-Orb-Timestamp is ISO 8601 without an offset) --
    orb_client = orb.Orb(api_key="crosscheck")

    def orb_case(rng, now):
        stamp = datetime.fromtimestamp(now + rng.randint(0, 999) / 1000, tz=timezone.utc).replace(tzinfo=None)
        return dict(secret=base64.urlsafe_b64encode(rng.randbytes(32)).decode().rstrip("="), body=rand_json_body(rng),
                    now=now, orb_ts=stamp.isoformat(timespec="milliseconds"))

    def orb_verify(c, h):
        try:
            orb_client.webhooks.verify_signature(c["body"], h, secret=c["secret"])
            return True
        except ValueError:
            return False

    # the SDK also rejects an X-Orb-Timestamp older than 5 minutes; hookscope signs it as a header
    # value and does not judge its age (orb.toml), so there is no stale case
    P.append(dict(name="orb", sdk=v("orb-billing") + " (webhooks.verify_signature)", make_case=orb_case,
                  sdk_verify=orb_verify, hs_sign_args=lambda c: dict(headers={"X-Orb-Timestamp": c["orb_ts"]})))

    # ---- Modern Treasury ---------------------------------------------------
    mt_client = modern_treasury.ModernTreasury(api_key="crosscheck", organization_id="crosscheck")

    def mt_case(rng, now):
        return dict(secret=rand_token(rng, 40), body=rand_json_body(rng), now=now,
                    id="-".join(rand_hex(rng, n) for n in (8, 4, 4, 4, 12)))

    P.append(dict(name="modern-treasury", sdk=v("modern-treasury") + " (webhooks.validate_signature, get_signature)",
                  make_case=mt_case,
                  sdk_sign=lambda c: {"X-Signature": mt_client.webhooks.get_signature(c["body"].decode(), key=c["secret"]),
                                      "X-Webhook-ID": c["id"]},
                  sdk_verify=lambda c, h: mt_client.webhooks.validate_signature(c["body"].decode(), h, key=c["secret"]),
                  hs_sign_args=lambda c: dict(headers={"X-Webhook-ID": c["id"]})))

    # ---- Castle (WebhooksVerify takes a framework request: .headers, .data) -
    def castle_verify(c, h):
        request = SimpleNamespace(headers={"X-Castle-Signature": h["x-castle-signature"]}, data=c["body"])
        try:
            CastleVerify.call(request, config=SimpleNamespace(api_secret=c["secret"]))
            return True
        except CastleError:
            return False

    P.append(dict(name="castle", sdk=v("castle") + " (WebhooksVerify; signs via its _compute_signature)",
                  make_case=lambda rng, now: dict(secret=rand_token(rng, 32), body=rand_json_body(rng), now=now),
                  sdk_sign=lambda c: {"X-Castle-Signature": CastleVerify._compute_signature(
                      SimpleNamespace(data=c["body"]), c["secret"])},
                  sdk_verify=castle_verify, hs_sign_args=lambda c: {}))

    # ---- GoCardless (verify only: webhooks.parse) --------------------------
    def gocardless_case(rng, now):
        events = [rand_event(rng, {"resource_type": rng.choice(["payments", "mandates"]), "action": "created"})
                  for _ in range(rng.randint(1, 3))]
        body = serialize_json(rng, {"events": events, "meta": {"webhook_id": "WB" + rand_token(rng, 12).upper()}})
        return dict(secret=rand_token(rng, 40, ALNUM + "-_"), body=body, now=now)

    def gocardless_verify(c, h):
        try:
            gocardless_pro.webhooks.parse(c["body"], c["secret"], h["webhook-signature"])
            return True
        except GoCardlessError:
            return False

    P.append(dict(name="gocardless", sdk=v("gocardless-pro") + " (webhooks.parse)", make_case=gocardless_case,
                  sdk_verify=gocardless_verify, hs_sign_args=lambda c: {}))

    # ---- Nylas (verify only; the helper is in the 5.x SDK) -----------------
    P.append(dict(name="nylas", sdk=v("nylas") + " (Webhook.verify_webhook_signature)",
                  make_case=lambda rng, now: dict(secret=rand_token(rng, 32), body=rand_json_body(rng), now=now),
                  sdk_verify=lambda c, h: NylasWebhook.verify_webhook_signature(h["x-nylas-signature"], c["body"],
                                                                                c["secret"]),
                  hs_sign_args=lambda c: {}))

    # ---- Pusher Channels ---------------------------------------------------
    def pusher_case(rng, now):
        events = [{"name": rng.choice(["channel_occupied", "member_added", "client_event"]),
                   "channel": "private-" + rand_token(rng, 8), "data": rand_text(rng)} for _ in range(rng.randint(1, 3))]
        body = serialize_json(rng, {"time_ms": now * 1000 + rng.randint(0, 999), "events": events})
        return dict(secret=rand_hex(rng, 20), key=rand_hex(rng, 20), body=body, now=now)

    def pusher_verify(c, h):
        client = pusher.Pusher(app_id="1", key=c["key"], secret=c["secret"], cluster="mt1")
        return client.validate_webhook(h["x-pusher-key"], h["x-pusher-signature"], c["body"].decode()) is not None

    # pusher-python also requires time_ms within 300 s of now (pusher-http-node, which pusher.toml
    # follows, applies no window), so there is no stale case
    P.append(dict(name="pusher", sdk=v("pusher") + " (validate_webhook; signs via pusher.signature.sign)",
                  make_case=pusher_case, sdk_verify=pusher_verify,
                  sdk_sign=lambda c: {"X-Pusher-Key": c["key"],
                                      "X-Pusher-Signature": pusher.signature.sign(c["secret"], c["body"].decode())},
                  hs_sign_args=lambda c: dict(headers={"X-Pusher-Key": c["key"]})))

    # ---- Worldline: Connect and Direct (Online Payments) SDKs, verify only --
    def worldline_case(rng, now):
        return dict(secret=b64(rng.randbytes(32)), key_id="-".join(rand_hex(rng, n) for n in (8, 4, 4, 4, 12)),
                    body=rand_json_body(rng, {"apiVersion": "v1"}), now=now)

    def worldline_verify(c, h, validator, keys, header, error):
        store = keys.instance()
        store.clear()
        store.store_secret_key(c["key_id"], c["secret"])
        try:
            validator(store).validate(c["body"], [header(k, x) for k, x in h.items()])
            return True
        except error:
            return False

    for label, pkg, cls in (("connect", "connect-sdk-python3", (ConnectValidator, ConnectKeys, ConnectHeader, ConnectError)),
                            ("direct", "onlinepayments-sdk-python3", (DirectValidator, DirectKeys, DirectHeader, DirectError))):
        P.append(dict(name="worldline", label=f"worldline ({label})", sdk=v(pkg) + " (webhooks SignatureValidator)",
                      make_case=worldline_case, sdk_verify=lambda c, h, cls=cls: worldline_verify(c, h, *cls),
                      hs_sign_args=lambda c: dict(headers={"X-GCS-KeyId": c["key_id"]})))

    # ---- Sinch Conversation API (HmacSHA256, the only one the SDKs compute) --
    def sinch_case(rng, now):
        return dict(secret=rand_token(rng, 32), body=rand_json_body(rng, {"app_id": rand_token(rng, 26).upper()}),
                    now=now, ts=now, id=rand_token(rng, 32))

    def sinch_sign(c):
        data = sinch_auth.compute_signed_data(c["body"].decode(), c["id"], str(c["ts"]))
        return {"X-Sinch-Webhook-Signature": sinch_auth.calculate_sinch_event_signature(data, c["secret"]),
                "X-Sinch-Webhook-Signature-Nonce": c["id"], "X-Sinch-Webhook-Signature-Timestamp": str(c["ts"]),
                "X-Sinch-Webhook-Signature-Algorithm": "HmacSHA256"}

    P.append(dict(name="sinch", variant="hmac-sha256",
                  sdk=v("sinch") + " (ConversationSinchEvent.validate_authentication_header; signs via its helpers)",
                  make_case=sinch_case, sdk_sign=sinch_sign,
                  sdk_verify=lambda c, h: ConversationSinchEvent(c["secret"]).validate_authentication_header(h, c["body"]),
                  hs_sign_args=lambda c: dict(ts=c["ts"], msg_id=c["id"])))

    # ---- Mailgun (verify only; the signature signs signature.timestamp + token in the body)
    def mailgun_case(rng, now):
        sig = {"token": rand_hex(rng, 50), "timestamp": str(now), "signature": "0" * 64}
        body = serialize_json(rng, {"signature": sig, "event-data": rand_event(rng)})
        return dict(secret="-".join(rand_hex(rng, n) for n in (32, 8, 8)), body=body, now=now)

    def mailgun_verify(c, h):
        sig = json.loads(c["body"])["signature"]
        try:
            return MailgunGuard.verify_webhook(c["secret"], sig["token"], sig["timestamp"], h["signature.signature"])
        except (TypeError, ValueError):
            return False

    def mailgun_tamper(body):
        obj = json.loads(body)
        obj["signature"]["token"] = obj["signature"]["token"][::-1]
        return json.dumps(obj).encode()

    # the SDK also applies a 15-minute window both ways; hookscope shows the skew only (mailgun.toml)
    P.append(dict(name="mailgun", sdk=v("mailgun") + " (SecurityGuard.verify_webhook)", make_case=mailgun_case,
                  sdk_verify=mailgun_verify, tamper=mailgun_tamper, hs_sign_args=lambda c: {}))

    # ---- Notion (@notionhq/client signs and verifies) ----------------------
    def notion_sign(c):
        return {"X-Notion-Signature": node.call("notion_sign", secret=c["secret"], body=b64(c["body"]))}

    def notion_edges(rng, now):
        c = dict(secret="secret_" + rand_token(rng, 43), body=rand_json_body(rng), now=now)
        return [("upper-case hex digest", c, {"X-Notion-Signature": "sha256=" + notion_sign(c)["X-Notion-Signature"][7:].upper()})]

    P.append(dict(name="notion", sdk=nv("@notionhq/client") + " (verifyWebhookSignature, signWebhookPayload)",
                  make_case=lambda rng, now: dict(secret="secret_" + rand_token(rng, 43), body=rand_json_body(rng), now=now),
                  sdk_sign=notion_sign, edges=notion_edges,
                  sdk_verify=lambda c, h: node.call("notion_verify", secret=c["secret"], body=b64(c["body"]),
                                                    sig=h["x-notion-signature"]),
                  hs_sign_args=lambda c: {}))

    # ---- Webflow (verify only; the SDK checks no timestamp window, so no stale case)
    P.append(dict(name="webflow", sdk=nv("webflow-api") + " (webhooks.verifySignature)",
                  make_case=lambda rng, now: dict(secret=rand_hex(rng, 64), now=now, ts=now,
                                                  body=rand_json_body(rng, {"triggerType": "form_submission"})),
                  sdk_verify=lambda c, h: node.call("webflow_verify", secret=c["secret"], body=b64(c["body"]), headers=h),
                  hs_sign_args=lambda c: dict(ts=c["ts"])))

    # ---- Shopify (verify only: shopify.webhooks.validate, which also wants the topic/shop/version/id headers)
    def shopify_case(rng, now):
        return dict(secret="shpss_" + rand_hex(rng, 32), body=rand_json_body(rng), now=now,
                    headers={"X-Shopify-Topic": "orders/create", "X-Shopify-API-Version": "2025-07",
                             "X-Shopify-Shop-Domain": rand_token(rng, 10, "abcdefghijklmnopqrstuvwxyz") + ".myshopify.com",
                             "X-Shopify-Webhook-Id": "-".join(rand_hex(rng, n) for n in (8, 4, 4, 4, 12))})

    P.append(dict(name="shopify", sdk=nv("@shopify/shopify-api") + " (webhooks.validate)", make_case=shopify_case,
                  sdk_verify=lambda c, h: node.call("shopify_verify", secret=c["secret"], body=b64(c["body"]), headers=h),
                  hs_sign_args=lambda c: dict(headers=c["headers"])))

    return P


# --------------------------------------------------------------------------
# Runner
# --------------------------------------------------------------------------

class Row:
    def __init__(self, p):
        self.label = p.get("label") or p["name"] + (f" [{p['variant']}]" if p.get("variant") else "")
        self.sdk = p["sdk"]
        self.dirs = []
        self.counts = {}  # direction -> [pass, fail]
        self.failures = []

    def add(self, d, ok, detail=None):
        if d not in self.counts:
            self.counts[d] = [0, 0]
            self.dirs.append(d)
        self.counts[d][0 if ok else 1] += 1
        if not ok:
            self.failures.append(dict(direction=d, **(detail or {})))


def lower(h):
    return {k.lower(): v for k, v in h.items()}


def run_provider(p, hs, rng, n_cases):
    row = Row(p)
    prov, var = p["name"], p.get("variant")

    def detail(c, headers, rc=None, out=None, argv=None, sdk=None, what=""):
        d = dict(what=what, secret=c["secret"], body_b64=b64(c["body"]), body_repr=repr(c["body"][:400]),
                 headers=headers, now=c["now"], url=p.get("hs_verify_url", lambda c: c.get("url"))(c),
                 method=c.get("method"))
        if rc is not None:
            d.update(hookscope_rc=rc, hookscope_out=out, hookscope_argv=argv)
        if sdk is not None:
            d["sdk_result"] = sdk
        return d

    def hs_verify(c, headers):
        return hs.verify(prov, c["secret"], headers, c["body"], c["now"], variant=var,
                         url=p.get("hs_verify_url", lambda c: c.get("url"))(c), method=c.get("method"))

    def hs_sign(c):
        return lower(hs.sign(prov, c["secret"], c["body"], variant=var, **p["hs_sign_args"](c)))

    for i in range(n_cases):
        c = p["make_case"](rng, int(time.time()))
        if p.get("sdk_sign"):
            headers = p["sdk_sign"](c)
            if p.get("sdk_self_check"):
                ok = p["sdk_self_check"](c, headers)
                row.add("sdk-verify", ok, None if ok else detail(c, headers, sdk=ok, what="SDK rejected its own signature"))
            rc, out, argv = hs_verify(c, headers)
            row.add("sdk->hs", rc == 0, None if rc == 0 else detail(c, headers, rc, out, argv,
                                                                     what="hookscope rejected an SDK signature"))
        if p.get("sdk_verify"):
            headers = hs_sign(c)
            ok = p["sdk_verify"](c, headers)
            row.add("hs->sdk", ok, None if ok else detail(c, headers, sdk=ok, what="SDK rejected a hookscope signature"))

    # --- hookscope sign --timestamp given as RFC 3339 (documented as UNIX|RFC3339) ---
    if p.get("sdk_verify"):
        c = p["make_case"](rng, int(time.time()))
        kw = p["hs_sign_args"](c)
        if "ts" in kw and prov != "twitch":
            kw["ts"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(kw["ts"])))
            headers = lower(hs.sign(prov, c["secret"], c["body"], variant=var, **kw))
            ok = p["sdk_verify"](c, headers)
            row.add("rfc3339", ok, None if ok else detail(
                c, headers, sdk=ok, what=f"SDK rejected `hookscope sign --timestamp {kw['ts']}` (RFC 3339 form)"))

    # --- targeted edge cases: hookscope's verdict must equal the SDK's ---
    for label, c, headers in (p.get("edges") or (lambda rng, now: []))(rng, int(time.time())):
        sdk_ok = p["sdk_verify"](c, lower(headers))
        rc, out, argv = hs_verify(c, headers)
        agree = (rc == 0) == bool(sdk_ok)
        row.add("edge", agree, None if agree else detail(c, headers, rc, out, argv, sdk=sdk_ok,
                                                          what=f"edge '{label}': SDK={sdk_ok}, hookscope rc={rc}"))

    # --- a timestamp ahead of `now` (several SDKs only reject old ones): verdicts must match ---
    if p.get("future") and p.get("sdk_verify"):
        f = p["future"](p["make_case"](rng, int(time.time())))
        headers = hs_sign(f)
        sdk_ok = p["sdk_verify"](f, headers)
        rc, out, argv = hs_verify(f, headers)
        agree = (rc == 0) == bool(sdk_ok)
        row.add("edge", agree, None if agree else detail(f, headers, rc, out, argv, sdk=sdk_ok,
                                                          what=f"edge 'future timestamp': SDK={sdk_ok}, hookscope rc={rc}"))

    # --- negative cases: tampered body (both directions), stale timestamp ---
    c = p["make_case"](rng, int(time.time()))
    bad_body = p.get("tamper", tamper)(c["body"])
    t = dict(c, body=bad_body)
    if p.get("sdk_sign"):
        headers = p["sdk_sign"](c)
        rc, out, argv = hs_verify(t, headers)
        row.add("neg", rc == 1, None if rc == 1 else detail(t, headers, rc, out, argv,
                                                             what="hookscope accepted a tampered body (SDK-signed)"))
        if p.get("sdk_self_check"):
            ok = p["sdk_self_check"](t, headers)
            row.add("neg", not ok, None if not ok else detail(t, headers, sdk=ok, what="SDK accepted a tampered body"))
    if p.get("sdk_verify"):
        headers = hs_sign(c)
        ok = p["sdk_verify"](t, headers)
        row.add("neg", not ok, None if not ok else detail(t, headers, sdk=ok,
                                                          what="SDK accepted a tampered body (hookscope-signed)"))
        rc, out, argv = hs_verify(t, headers)
        row.add("neg", rc == 1, None if rc == 1 else detail(t, headers, rc, out, argv,
                                                             what="hookscope accepted a tampered body (self-signed)"))
    if p.get("stale"):
        s = p["stale"](p["make_case"](rng, int(time.time())))
        headers = hs_sign(s) if p.get("sdk_verify") else p["sdk_sign"](s)
        if p.get("sdk_verify"):
            ok = p["sdk_verify"](s, headers)
            row.add("neg", not ok, None if not ok else detail(s, headers, sdk=ok,
                                                              what="SDK accepted an out-of-window timestamp"))
        rc, out, argv = hs_verify(s, headers)
        row.add("neg", rc == 1, None if rc == 1 else detail(s, headers, rc, out, argv,
                                                             what="hookscope accepted an out-of-window timestamp"))
    return row


def print_table(rows):
    hdr = ["provider", "SDK + version", "directions", "passed", "failed"]
    data = []
    for r in rows:
        passed = sum(v[0] for v in r.counts.values())
        failed = sum(v[1] for v in r.counts.values())
        dirs = ", ".join(f"{d} {r.counts[d][0]}/{sum(r.counts[d])}" for d in r.dirs)
        data.append([r.label, r.sdk, dirs, str(passed), str(failed)])
    w = [max(len(x[i]) for x in data + [hdr]) for i in range(len(hdr))]
    line = lambda cols: "| " + " | ".join(c.ljust(w[i]) for i, c in enumerate(cols)) + " |"
    print(line(hdr))
    print("|" + "|".join("-" * (x + 2) for x in w) + "|")
    for d in data:
        print(line(d))


def unchecked(binary, plist):
    """Built-in schemes no entry above checks: `name`, or `name [variant]` when others of it are checked."""
    listing = json.loads(subprocess.run([binary, "providers", "--json"], capture_output=True, check=True).stdout)
    covered = {(p["name"], p.get("variant")) for p in plist}
    out = []
    for prov in listing:
        if prov.get("custom"):
            continue
        ids = [v["id"] for v in prov["variants"]]
        left = [i for i in ids if (prov["name"], i) not in covered
                and not ((prov["name"], None) in covered and len(ids) == 1)]
        if len(left) == len(ids):
            out.append(prov["name"])
        else:
            out += [f"{prov['name']} [{i or 'default'}]" for i in left]
    return out


def inner_main(args):
    work = args.work_dir
    binary = os.path.abspath(args.bin)
    if not os.access(binary, os.X_OK):
        print(f"sdk_crosscheck: hookscope binary not found or not executable: {binary}", file=sys.stderr)
        return 2
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "big")
    print(f"[run] hookscope={binary} seed={seed} cases/provider={args.cases}", flush=True)
    node = Node(work)
    hs = Hookscope(binary, work)
    try:
        versions = node.call("versions")
        rows = []
        plist = providers(node, versions)
        for p in plist:
            label = p["name"] + (f"/{p['variant']}" if p.get("variant") else "")
            if args.only and p["name"] not in args.only and label not in args.only:
                continue
            # one RNG per provider so --seed + --only reproduces the same inputs
            rng = random.Random(f"{seed}:{label}")
            try:
                rows.append(run_provider(p, hs, rng, args.cases))
            except Exception as e:  # setup-level failure for this provider: count it as a failure
                r = Row(p)
                r.add("error", False, dict(what=f"exception: {e!r}"))
                rows.append(r)
        print()
        print_table(rows)
        print()
        missing = unchecked(binary, plist)
        print(f"No SDK check ({len(missing)} built-in schemes): " + ", ".join(missing))
        failures = [dict(provider=r.label, sdk=r.sdk, **f) for r in rows for f in r.failures]
        if failures:
            path = os.path.join(work, "failures.json")
            with open(path, "w") as f:
                json.dump(failures, f, indent=1, ensure_ascii=False)
            print(f"\n{len(failures)} disagreement(s); all details in {path}. First per provider/direction:")
            seen = set()
            for f in failures:
                key = (f["provider"], f["direction"], f.get("what"))
                if key in seen:
                    continue
                seen.add(key)
                print(f"\n- {f['provider']} [{f['direction']}] {f.get('what')}")
                for k in ("secret", "body_repr", "headers", "url", "method", "now", "sdk_result", "hookscope_rc"):
                    if f.get(k) is not None:
                        print(f"    {k}: {f[k]}")
                if f.get("hookscope_out"):
                    o = f["hookscope_out"]
                    print(f"    hookscope: {json.dumps({k: o.get(k) for k in ('signature', 'timestamp', 'verdict', 'hints')}, ensure_ascii=False)}"
                          if "verdict" in o else f"    hookscope: {o}")
                if f.get("hookscope_argv"):
                    print("    repro: printf %s " + shlex.quote(f["body_b64"]) + " | base64 -d > /tmp/body && "
                          + shlex.join([a if not a.startswith(hs.tmp) else "/tmp/body" for a in f["hookscope_argv"]]))
            return 1
        print("\nAll cases agree.")
        return 0
    finally:
        node.close()
        hs.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default="target/debug/hookscope", help="hookscope binary (default: %(default)s)")
    ap.add_argument("--cases", type=int, default=20, help="random cases per provider and direction (default: 20)")
    ap.add_argument("--seed", type=int, help="RNG seed (default: random, printed)")
    ap.add_argument("--only", nargs="*", help="restrict to these providers (e.g. stripe twilio/form)")
    ap.add_argument("--work-dir", default=os.path.join(os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")),
                                                       "hookscope-sdk-crosscheck"),
                    help="where the venv and node_modules live (default: %(default)s)")
    ap.add_argument("--reinstall", action="store_true", help="reinstall/upgrade the SDKs")
    args = ap.parse_args()
    args.work_dir = os.path.abspath(args.work_dir)
    if os.environ.get(INNER_ENV) == "1":
        sys.exit(inner_main(args))
    try:
        setup_env(args)
    except subprocess.CalledProcessError as e:
        print(f"sdk_crosscheck: installing the SDKs failed: {e}", file=sys.stderr)
        sys.exit(2)
    argv = [venv_python(args.work_dir), os.path.abspath(__file__), "--bin", os.path.abspath(args.bin),
            "--cases", str(args.cases), "--work-dir", args.work_dir]
    if args.seed is not None:
        argv += ["--seed", str(args.seed)]
    if args.only:
        argv += ["--only", *args.only]
    os.execve(argv[0], argv, dict(os.environ, **{INNER_ENV: "1"}))


if __name__ == "__main__":
    main()
