//! The scheme vocabulary's words, each with its named outcomes: several signature headers,
//! message orders sources disagree on, JWS tokens (alg, body hash, fixed and time claims),
//! form fields, JWK keys, detection beside a shared header, unverifiable schemes.

use hookscope::delivery::Delivery;
use hookscope::providers::Registry;
use hookscope::secret::Secret;
use hookscope::sign::{SignOptions, sign};
use hookscope::verify::{Context, SigStatus, TsStatus, Verdict, Verification, verify};
use serde_json::Value;

fn vector(provider: &str, index: usize) -> Value {
    let path = format!(
        "{}/tests/data/providers/{provider}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    v["vectors"][index].clone()
}

fn delivery(v: &Value) -> Delivery {
    let body = v["body"].as_str().unwrap_or("").as_bytes().to_vec();
    Delivery {
        method: "POST".into(),
        path: "/webhook".into(),
        headers: v["headers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                (
                    h[0].as_str().unwrap().to_ascii_lowercase(),
                    h[1].as_str().unwrap().as_bytes().to_vec(),
                )
            })
            .collect(),
        body_size: body.len() as u64,
        body: body.into(),
        ..Default::default()
    }
}

fn check(provider: &str, d: &Delivery, secret: &str, now: i64) -> Verification {
    let reg = Registry::builtin();
    let ctx = Context {
        now,
        ..Default::default()
    };
    verify(d, reg.get(provider).unwrap(), &[Secret::new(secret)], &ctx)
}

fn set_header(d: &mut Delivery, name: &str, value: &str) {
    d.headers.retain(|(n, _)| n != name);
    d.headers.push((name.into(), value.as_bytes().to_vec()));
}

fn detected(d: &Delivery) -> Option<String> {
    let reg = Registry::builtin();
    reg.detect(d).map(|x| reg.at(x.provider).name.clone())
}

#[test]
fn the_message_order_that_matched_is_reported() {
    // Zendesk's worked example signs body + timestamp, the docs' other order.
    let v = vector("zendesk", 0);
    let out = check(
        "zendesk",
        &delivery(&v),
        v["secret"].as_str().unwrap(),
        1_627_207_205,
    );
    assert_eq!(out.verdict, Verdict::Verified, "{:?}", out.hints);
    assert!(
        out.hints
            .iter()
            .any(|h| h.contains("\"{body}{timestamp}\"") && h.contains("\"{timestamp}{body}\"")),
        "{:?}",
        out.hints
    );
    // The documented order matches without a remark.
    let v = vector("zendesk", 1);
    let out = check(
        "zendesk",
        &delivery(&v),
        v["secret"].as_str().unwrap(),
        1_763_805_605,
    );
    assert_eq!(out.verdict, Verdict::Verified);
    assert!(out.hints.is_empty(), "{:?}", out.hints);
}

#[test]
fn any_of_several_signature_headers_may_verify() {
    let v = vector("docusign", 1);
    let secret = v["secret"].as_str().unwrap();
    let mut d = delivery(&v);
    assert_eq!(
        check("docusign", &d, secret, 0).signature.status,
        SigStatus::Valid
    );
    // A third header from a key rotation is read too, and garbage in the first is skipped.
    let sig2 = String::from_utf8(d.header("x-docusign-signature-2").unwrap().to_vec()).unwrap();
    d.headers.retain(|(n, _)| n != "x-docusign-signature-2");
    set_header(&mut d, "x-docusign-signature-1", "bm90IHRoaXMgb25l");
    set_header(&mut d, "x-docusign-signature-3", &sig2);
    assert_eq!(
        check("docusign", &d, secret, 0).signature.status,
        SigStatus::Valid
    );
    // Without the first header the others still count; with none there is no signature.
    d.headers.retain(|(n, _)| n != "x-docusign-signature-1");
    assert_eq!(
        check("docusign", &d, secret, 0).signature.status,
        SigStatus::Valid
    );
    d.headers
        .retain(|(n, _)| !n.starts_with("x-docusign-signature"));
    assert_eq!(
        check("docusign", &d, secret, 0).signature.status,
        SigStatus::Missing
    );
    // Box: the secondary key matches the secondary header only.
    let v = vector("box", 1);
    let d = delivery(&v);
    let out = check(
        "box",
        &d,
        v["secret"].as_str().unwrap(),
        v["now_unix"].as_i64().unwrap(),
    );
    assert_eq!(out.verdict, Verdict::Verified, "{:?}", out.hints);
    // Box's ten minutes: an hour later the same delivery is stale.
    let out = check(
        "box",
        &d,
        v["secret"].as_str().unwrap(),
        v["now_unix"].as_i64().unwrap() + 3600,
    );
    assert_eq!(out.timestamp.status, TsStatus::Stale);
}

#[test]
fn jws_tokens_bind_the_body_and_refuse_another_alg() {
    let v = vector("netlify", 0);
    let secret = v["secret"].as_str().unwrap();
    let d = delivery(&v);
    assert_eq!(check("netlify", &d, secret, 0).verdict, Verdict::Verified);
    // The token is intact but the body changed: the sha256 claim says so.
    let mut changed = d.clone();
    changed.body = bytes::Bytes::from_static(b"{\"state\":\"error\"}");
    let out = check("netlify", &changed, secret, 0);
    assert_eq!(out.signature.status, SigStatus::Invalid);
    assert!(
        out.hints.iter().any(|h| h.contains("sha256 claim")),
        "{:?}",
        out.hints
    );
    // alg none (or anything but HS256) is malformed, whatever the signature.
    let token = String::from_utf8(d.header("x-webhook-signature").unwrap().to_vec()).unwrap();
    let (_, rest) = token.split_once('.').unwrap();
    let mut none = d.clone();
    set_header(
        &mut none,
        "x-webhook-signature",
        &format!("eyJhbGciOiJub25lIn0.{rest}"),
    );
    let out = check("netlify", &none, secret, 0);
    assert_eq!(out.signature.status, SigStatus::Malformed);
    assert!(
        out.hints.iter().any(|h| h.contains("alg none")),
        "{:?}",
        out.hints
    );
    // Not a JWS at all.
    let mut junk = d.clone();
    set_header(&mut junk, "x-webhook-signature", "eyJhbGciOiJIUzI1NiJ9");
    assert_eq!(
        check("netlify", &junk, secret, 0).signature.status,
        SigStatus::Malformed
    );
}

#[test]
fn jws_fixed_and_time_claims_are_checked() {
    // Vonage: iss must be Vonage; iat is the timestamp.
    let v = vector("vonage", 0);
    let secret = v["secret"].as_str().unwrap();
    let d = delivery(&v);
    let out = check("vonage", &d, secret, 1_587_494_965);
    assert_eq!(out.verdict, Verdict::Verified, "{:?}", out.hints);
    assert_eq!(out.timestamp.value, Some(1_587_494_962));
    // Re-signed with another issuer: a valid HS256 token, but not Vonage's.
    let reg = Registry::builtin();
    let mut p = reg.get("vonage").unwrap().clone();
    p.variants[0].spec.claims = vec![("iss".into(), "Someone".into())];
    let signed = sign(
        &d,
        &p,
        &Secret::new(secret),
        &SignOptions {
            timestamp: 1_587_494_962,
            ..Default::default()
        },
    )
    .unwrap();
    let mut other = d.clone();
    set_header(&mut other, "authorization", &signed.headers[0].1);
    let out = check("vonage", &other, secret, 1_587_494_965);
    assert_eq!(out.signature.status, SigStatus::Invalid);
    assert!(
        out.hints
            .iter()
            .any(|h| h.contains("iss claim is \"Someone\"")),
        "{:?}",
        out.hints
    );
    // Plaid: iat older than five minutes is stale.
    let v = vector("plaid", 0);
    let d = delivery(&v);
    let now = v["now_unix"].as_i64().unwrap();
    let out = check("plaid", &d, v["secret"].as_str().unwrap(), now);
    assert_eq!(out.verdict, Verdict::Verified, "{:?}", out.hints);
    let out = check("plaid", &d, v["secret"].as_str().unwrap(), now + 600);
    assert_eq!(out.timestamp.status, TsStatus::Stale);
    assert_eq!(out.verdict, Verdict::Failed);
}

#[test]
fn a_public_key_jwk_that_does_not_parse_is_named() {
    let v = vector("plaid", 0);
    let out = check(
        "plaid",
        &delivery(&v),
        "not a jwk",
        v["now_unix"].as_i64().unwrap(),
    );
    assert_eq!(out.signature.status, SigStatus::Invalid);
    assert!(
        out.hints
            .iter()
            .any(|h| h.contains("not a usable public JWK")),
        "{:?}",
        out.hints
    );
}

#[test]
fn form_field_signatures_and_the_appended_newline() {
    // Braintree's SDK accepts bt_payload with a newline appended; the match is reported.
    let v = vector("braintree", 2);
    let out = check("braintree", &delivery(&v), "integration_private_key", 0);
    assert_eq!(out.verdict, Verdict::Verified, "{:?}", out.hints);
    assert!(
        out.hints.iter().any(|h| h.contains("{form:bt_payload}\\n")),
        "{:?}",
        out.hints
    );
    // A form without bt_signature has no signature; the wrong private key does not match.
    let v = vector("braintree", 0);
    let d = delivery(&v);
    assert_eq!(
        check("braintree", &d, "other_private_key", 0)
            .signature
            .status,
        SigStatus::Invalid
    );
    let mut bare = d.clone();
    bare.body = bytes::Bytes::from_static(b"bt_payload=abc");
    assert_eq!(
        check("braintree", &bare, "integration_private_key", 0)
            .signature
            .status,
        SigStatus::Missing
    );
}

#[test]
fn signed_header_lists_cover_the_headers_they_name() {
    let v = vector("contentful", 0);
    let secret = v["secret"].as_str().unwrap();
    let now = v["now_unix"].as_i64().unwrap();
    let mut d = delivery(&v);
    d.path = "/hooks/contentful".into();
    assert_eq!(
        check("contentful", &d, secret, now).verdict,
        Verdict::Verified
    );
    // x-contentful-topic is signed: changing it breaks the signature; an unsigned one does not.
    let mut topic = d.clone();
    set_header(
        &mut topic,
        "x-contentful-topic",
        "ContentManagement.Entry.delete",
    );
    assert_eq!(
        check("contentful", &topic, secret, now).signature.status,
        SigStatus::Invalid
    );
    let mut extra = d.clone();
    set_header(&mut extra, "x-unsigned", "anything");
    assert_eq!(
        check("contentful", &extra, secret, now).verdict,
        Verdict::Verified
    );
    // The path is signed too.
    let mut moved = d.clone();
    moved.path = "/hooks/other".into();
    assert_eq!(
        check("contentful", &moved, secret, now).signature.status,
        SigStatus::Invalid
    );
    // Thirty seconds is the SDK's default time to live.
    assert_eq!(
        check("contentful", &d, secret, now + 60).timestamp.status,
        TsStatus::Stale
    );
}

#[test]
fn meta_and_github_share_a_header_and_are_told_apart() {
    let v = vector("meta", 1);
    let d = delivery(&v);
    assert_eq!(detected(&d).as_deref(), Some("meta"));
    let mut gh = d.clone();
    gh.headers.retain(|(n, _)| n != "user-agent");
    gh.headers
        .push(("user-agent".into(), b"GitHub-Hookshot/044aadd".to_vec()));
    gh.headers.push(("x-github-event".into(), b"push".to_vec()));
    assert_eq!(detected(&gh).as_deref(), Some("github"));
    // Meta's legacy X-Hub-Signature beside Intercom's.
    let v = vector("meta", 2);
    assert_eq!(detected(&delivery(&v)).as_deref(), Some("meta"));
    let mut ic = delivery(&v);
    ic.headers.retain(|(n, _)| n != "user-agent");
    assert_eq!(detected(&ic).as_deref(), Some("intercom"));
}

#[test]
fn bearer_tokens_and_generic_headers_need_their_siblings() {
    // An Authorization bearer JWT alone is nobody's; Vonage's comes with a Messages body.
    let v = vector("vonage", 0);
    let mut d = delivery(&v);
    assert_eq!(detected(&d).as_deref(), Some("vonage"));
    d.body = bytes::Bytes::from_static(b"{\"other\":1}");
    assert_eq!(detected(&d), None);
    // X-Webhook-Signature is Netlify's only when it holds a JWS.
    let mut hex = delivery(&vector("netlify", 0));
    set_header(
        &mut hex,
        "x-webhook-signature",
        "9f86d081884c7d659a2feaa0c55ad015",
    );
    assert_ne!(detected(&hex).as_deref(), Some("netlify"));
}

#[test]
fn amazon_sns_is_detected_and_reported_unverifiable() {
    let body = r#"{"Type":"Notification","MessageId":"22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324","TopicArn":"arn:aws:sns:us-west-2:123456789012:MyTopic","Message":"Hello","Timestamp":"2012-05-02T00:54:06.655Z","SignatureVersion":"1","Signature":"EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQvi2egU3N858fiTDN6bkkOxYDVrY0Ad8L10Hs3zH81mtnPk5uvvolIC1CXGu43obcgFxeL3khZl8IKvO61GWB6jI9b5+gLPoBc1Q=","SigningCertURL":"https://sns.us-west-2.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem"}"#;
    let d = Delivery {
        method: "POST".into(),
        path: "/sns".into(),
        headers: vec![
            ("x-amz-sns-message-type".into(), b"Notification".to_vec()),
            ("content-type".into(), b"text/plain; charset=UTF-8".to_vec()),
        ],
        body: body.as_bytes().to_vec().into(),
        ..Default::default()
    };
    assert_eq!(detected(&d).as_deref(), Some("amazon-sns"));
    let out = check("amazon-sns", &d, "unused", 0);
    assert_eq!(out.signature.status, SigStatus::Unverifiable);
    assert_eq!(out.verdict, Verdict::Unverified);
    assert!(out.hints[0].contains("SigningCertURL"), "{:?}", out.hints);
}

#[test]
fn token_schemes_in_headers_and_bodies_are_masked() {
    // Okta's Authorization value and Graph's clientState are compared, never shown.
    let v = vector("okta", 0);
    let secret = v["secret"].as_str().unwrap();
    let out = check("okta", &delivery(&v), secret, 0);
    assert_eq!(out.verdict, Verdict::Verified);
    assert!(!out.signature.received.as_deref().unwrap().contains(secret));
    let v = vector("microsoft-graph", 0);
    let secret = v["secret"].as_str().unwrap();
    let out = check("microsoft-graph", &delivery(&v), secret, 0);
    assert_eq!(out.verdict, Verdict::Verified);
    assert!(!out.signature.received.as_deref().unwrap().contains(secret));
    assert!(!format!("{out:?}").contains(secret));
}

#[test]
fn custom_providers_use_the_same_words() {
    let cfg = hookscope::config::Config::parse(
        r#"
[[custom_providers]]
name = "acme"
[[custom_providers.variant]]
detect = { header = "x-acme-token", prefix = "eyJ" }
signature = { header = "x-acme-token", syntax = "jws" }
algorithm = "hmac-sha256"
body_hash_claim = "body_sha256"
claims = [["iss", "acme"]]
timestamp = { claim = "iat", unit = "seconds", tolerance_secs = 60 }
[custom_providers.challenge]
method = "GET"
value = "query:acme_challenge"
requires = "secret"
json = [["answer", "{mac_hex}"]]
"#,
    )
    .unwrap();
    let reg = cfg.registry().unwrap();
    let p = reg.get("acme").unwrap();
    let d = Delivery {
        method: "POST".into(),
        path: "/acme".into(),
        body: bytes::Bytes::from_static(b"{\"n\":1}"),
        ..Default::default()
    };
    let secret = Secret::new("acme-secret");
    let signed = sign(
        &d,
        p,
        &secret,
        &SignOptions {
            timestamp: 1_700_000_000,
            ..Default::default()
        },
    )
    .unwrap();
    let mut d = d;
    set_header(&mut d, "x-acme-token", &signed.headers[0].1);
    let ctx = Context {
        now: 1_700_000_010,
        ..Default::default()
    };
    let out = verify(&d, p, std::slice::from_ref(&secret), &ctx);
    assert_eq!(out.verdict, Verdict::Verified, "{:?}", out.hints);
    assert!(p.challenge.is_some());
    // Bad words are named with the entry and the field.
    for (bad, said) in [
        ("value = \"cookie:x\"", "unknown field kind"),
        (
            "text = \"{nope}\"\nvalue = \"query:x\"",
            "challenge: unknown token {nope}",
        ),
    ] {
        let text = format!(
            "[[custom_providers]]\nname = \"acme\"\n[[custom_providers.variant]]\nsignature = {{ header = \"x\" }}\nalgorithm = \"hmac-sha256\"\n[custom_providers.challenge]\nrequires = \"secret\"\n{bad}\n"
        );
        let e = hookscope::config::Config::parse(&text)
            .and_then(|c| c.registry().map(|_| ()))
            .unwrap_err();
        assert!(e.contains("acme") && e.contains(said), "{e}");
    }
    let e = hookscope::config::Config::parse(
        "[[custom_providers]]\nname = \"acme\"\n[[custom_providers.variant]]\nsignature = { header = \"x\", syntax = \"jws\" }\nmessage = \"{body}.{body}\"\nalgorithm = \"hmac-sha256\"\n",
    )
    .unwrap()
    .registry()
    .unwrap_err();
    assert!(e.contains("variant[0].message: jws syntax"), "{e}");
}
