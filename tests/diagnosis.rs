//! When a signature fails, the diagnosis names the mistake that would have made it verify.

use hookscope::delivery::Delivery;
use hookscope::providers::Registry;
use hookscope::secret::Secret;
use hookscope::sign::{SignOptions, sign};
use hookscope::verify::{Context, SigStatus, Verification, verify};

const NOW: i64 = 1_763_805_600;

fn signed(provider: &str, body: &[u8], secret: &str, headers: &[(&str, &str)]) -> Delivery {
    let reg = Registry::builtin();
    let mut d = Delivery {
        method: "POST".into(),
        path: "/hook".into(),
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.as_bytes().to_vec()))
            .collect(),
        body: body.to_vec().into(),
        ..Default::default()
    };
    let s = sign(
        &d,
        reg.get(provider).unwrap(),
        &Secret::new(secret),
        &SignOptions {
            timestamp: NOW,
            ..Default::default()
        },
    )
    .unwrap();
    for (n, v) in s.headers {
        d.headers.push((n.to_ascii_lowercase(), v.into_bytes()));
    }
    d
}

fn check(
    provider: &str,
    d: &Delivery,
    secrets: &[&str],
    others: &[(String, Vec<Secret>)],
) -> Verification {
    let reg = Registry::builtin();
    let secrets: Vec<Secret> = secrets.iter().map(|s| Secret::new(*s)).collect();
    verify(
        d,
        reg.get(provider).unwrap(),
        &secrets,
        &Context {
            now: NOW,
            other_secrets: others,
            ..Default::default()
        },
    )
}

fn assert_hint(v: &Verification, needle: &str) {
    assert_eq!(v.signature.status, SigStatus::Invalid);
    assert!(
        v.hints.iter().any(|h| h.contains(needle)),
        "no hint with {needle:?} in {:?}",
        v.hints
    );
}

#[test]
fn reserialized_body_is_named() {
    // The sender signed compact JSON; a proxy pretty-printed it on the way.
    let compact = br#"{"event":"x","n":[1,2]}"#;
    let mut d = signed("stripe", compact, "whsec_test", &[]);
    d.body =
        bytes::Bytes::from_static(b"{\n  \"event\": \"x\",\n  \"n\": [\n    1,\n    2\n  ]\n}");
    assert_hint(
        &check("stripe", &d, &["whsec_test"], &[]),
        "compact JSON verifies",
    );
}

#[test]
fn trailing_newline_is_named() {
    let mut d = signed("github", b"{\"a\":1}", "s3cret", &[]);
    d.body = bytes::Bytes::from_static(b"{\"a\":1}\n");
    assert_hint(
        &check("github", &d, &["s3cret"], &[]),
        "without the body's trailing newline",
    );
}

#[test]
fn secret_whitespace_is_named() {
    let d = signed("slack", b"token=x", "8f742231b10e", &[]);
    assert_hint(
        &check("slack", &d, &["8f742231b10e\n"], &[]),
        "no surrounding whitespace",
    );
}

#[test]
fn key_form_is_named() {
    // A sender that hex-decodes the secret, checked against a scheme that uses it as text.
    let hex_secret = "8f742231b10e8888";
    let mut d = signed("zentact", b"{\"a\":1}", hex_secret, &[]);
    // Zentact hex-decodes; a check with zoho (UTF-8) over the same bytes says "hex-decoded".
    let sig = d.header_str("x-hmac-signature").unwrap().to_string();
    let raw = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, sig).unwrap();
    d.headers = vec![("x-webinar-signature".into(), hex::encode(raw).into_bytes())];
    assert_hint(
        &check("zoho-webinar", &d, &[hex_secret], &[]),
        "would verify if the secret were hex-decoded",
    );
}

#[test]
fn wrong_algorithm_and_encoding_are_named() {
    // Vercel uses HMAC-SHA1; a sender using SHA-256 is caught.
    let d256 = signed("lemon-squeezy", b"{}", "k", &[]);
    let sig = d256.header_str("x-signature").unwrap().to_string();
    let mut d = d256.clone();
    d.headers = vec![("x-vercel-signature".into(), sig.into_bytes())];
    assert_hint(
        &check("vercel", &d, &["k"], &[]),
        "HMAC-SHA256 instead of HMAC-SHA1",
    );

    // Shopify writes base64; a hex signature is named as an encoding mistake.
    let mut d = d256.clone();
    d.headers = vec![(
        "x-shopify-hmac-sha256".into(),
        d256.header("x-signature").unwrap().to_vec(),
    )];
    let v = check("shopify", &d, &["k"], &[]);
    // hex text is also decodable as base64, so the status may be invalid rather than malformed
    assert_hint(&v, "the signature is hex but shopify writes base64");
}

#[test]
fn swapped_secrets_are_named() {
    let d = signed("github", b"{}", "zoom-secret", &[]);
    let others = vec![("zoom".to_string(), vec![Secret::new("zoom-secret")])];
    assert_hint(
        &check("github", &d, &["github-secret"], &others),
        "the secret configured for zoom",
    );
}

#[test]
fn url_variant_is_named() {
    // Square signs the notification URL; the tunnel turned https into http.
    let d = signed(
        "square",
        b"{}",
        "sq",
        &[("host", "abc.example.dev"), ("x-forwarded-proto", "https")],
    );
    let mut plain = d.clone();
    plain.headers.retain(|(n, _)| n != "x-forwarded-proto");
    assert_hint(
        &check("square", &plain, &["sq"], &[]),
        "would verify with the URL https://abc.example.dev/hook",
    );
}

#[test]
fn a_correct_signature_has_no_diagnosis() {
    let d = signed("github", b"{}", "s", &[]);
    let v = check("github", &d, &["s"], &[]);
    assert_eq!(v.signature.status, SigStatus::Valid);
    assert!(v.hints.is_empty(), "{:?}", v.hints);
}

#[test]
fn a_body_over_1_mib_is_not_diagnosed() {
    // A 2 MiB JSON body, pretty-printed after signing (the case the diagnosis would catch on a
    // small body), verified with the right secret: the work stays one MAC, and the hint says so.
    let compact: Vec<u8> = format!("[{}1]", "1,".repeat(1 << 20)).into_bytes();
    let mut d = signed("github", &compact, "s3cret", &[]);
    d.body = format!("[\n{}  1\n]", "  1,\n".repeat(1 << 20))
        .into_bytes()
        .into();
    let v = check("github", &d, &["s3cret"], &[]);
    assert_eq!(v.signature.status, SigStatus::Invalid);
    assert_eq!(v.hints.len(), 1, "{:?}", v.hints);
    assert!(v.hints[0].contains("were not tried"), "{:?}", v.hints);
    // Under the limit the same mistake is named.
    let small = signed("github", b"[1,2]", "s3cret", &[]);
    let mut pretty = small.clone();
    pretty.body = b"[\n  1,\n  2\n]".to_vec().into();
    let v = check("github", &pretty, &["s3cret"], &[]);
    assert!(
        v.hints.iter().any(|h| h.contains("re-serialized")),
        "{:?}",
        v.hints
    );
}
