//! The four schemes of our first users — zoom, zoho-webinar, zentact, meetbot — each with valid,
//! tampered body, wrong secret, missing header and malformed header; zoom with stale and future
//! timestamps. Requests are signed here with the `hmac` crate directly, independent of `sign`.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use hookscope::delivery::Delivery;
use hookscope::providers::Registry;
use hookscope::secret::Secret;
use hookscope::verify::{Context, SigStatus, TsStatus, Verdict, Verification, verify};

const NOW: i64 = 1_763_805_600;

fn hmac256(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut m = Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
    m.update(msg);
    m.finalize().into_bytes().to_vec()
}

fn req(headers: Vec<(&str, String)>, body: &str) -> Delivery {
    Delivery {
        method: "POST".into(),
        path: "/hooks".into(),
        headers: headers
            .into_iter()
            .map(|(n, v)| (n.to_string(), v.into_bytes()))
            .collect(),
        body_size: body.len() as u64,
        body: body.to_string().into(),
        ..Default::default()
    }
}

fn check(provider: &str, d: &Delivery, secret: &str) -> Verification {
    let reg = Registry::builtin();
    let ctx = Context {
        now: NOW,
        ..Default::default()
    };
    verify(d, reg.get(provider).unwrap(), &[Secret::new(secret)], &ctx)
}

fn tamper(d: &Delivery) -> Delivery {
    let mut t = d.clone();
    let mut b = t.body.to_vec();
    b[3] ^= 0x20;
    t.body = b.into();
    t
}

fn set_header(d: &Delivery, name: &str, value: &str) -> Delivery {
    let mut t = d.clone();
    t.headers.retain(|(n, _)| n != name);
    t.headers
        .push((name.to_string(), value.as_bytes().to_vec()));
    t
}

fn drop_header(d: &Delivery, name: &str) -> Delivery {
    let mut t = d.clone();
    t.headers.retain(|(n, _)| n != name);
    t
}

/// The common five cases for a scheme.
fn five_cases(provider: &str, d: &Delivery, secret: &str, sig_header: &str, malformed: &str) {
    let ok = check(provider, d, secret);
    assert_eq!(
        ok.signature.status,
        SigStatus::Valid,
        "{provider} valid: {:?}",
        ok.hints
    );
    assert_eq!(ok.verdict, Verdict::Verified, "{provider}");
    assert_eq!(
        ok.signature.secret_fingerprint,
        Some(Secret::new(secret).fingerprint())
    );

    let t = check(provider, &tamper(d), secret);
    assert_eq!(
        t.signature.status,
        SigStatus::Invalid,
        "{provider} tampered"
    );
    assert_eq!(t.verdict, Verdict::Failed);

    let w = check(provider, d, "not-the-secret-0000");
    assert_eq!(
        w.signature.status,
        SigStatus::Invalid,
        "{provider} wrong secret"
    );
    assert!(
        w.hints
            .iter()
            .any(|h| h.contains("no configured secret matches")),
        "{:?}",
        w.hints
    );

    let m = check(provider, &drop_header(d, sig_header), secret);
    assert_eq!(m.signature.status, SigStatus::Missing, "{provider} missing");
    assert_eq!(m.verdict, Verdict::Failed);

    let bad = check(provider, &set_header(d, sig_header, malformed), secret);
    assert_eq!(
        bad.signature.status,
        SigStatus::Malformed,
        "{provider} malformed"
    );
    assert_eq!(bad.verdict, Verdict::Failed);
    assert!(!bad.hints.is_empty());
}

fn zoom(ts: i64, body: &str, secret: &str) -> Delivery {
    let sig = hex::encode(hmac256(
        secret.as_bytes(),
        format!("v0:{ts}:{body}").as_bytes(),
    ));
    req(
        vec![
            ("x-zm-request-timestamp", ts.to_string()),
            ("x-zm-signature", format!("v0={sig}")),
            ("content-type", "application/json".into()),
        ],
        body,
    )
}

#[test]
fn zoom_cases() {
    let body = r#"{"event":"meeting.started","payload":{"object":{"id":"1"}}}"#;
    let d = zoom(NOW - 2, body, "zoomSecret");
    five_cases("zoom", &d, "zoomSecret", "x-zm-signature", "5f2c0000");
    // hex that is not hex
    let bad = check(
        "zoom",
        &set_header(&d, "x-zm-signature", "v0=zz"),
        "zoomSecret",
    );
    assert_eq!(bad.signature.status, SigStatus::Malformed);

    let ok = check("zoom", &d, "zoomSecret");
    assert_eq!(ok.timestamp.status, TsStatus::Fresh);
    assert_eq!(ok.timestamp.skew_secs, Some(-2));
    assert_eq!(ok.timestamp.tolerance_secs, Some(300));

    let stale = check("zoom", &zoom(NOW - 301, body, "zoomSecret"), "zoomSecret");
    assert_eq!(stale.signature.status, SigStatus::Valid);
    assert_eq!(stale.timestamp.status, TsStatus::Stale);
    assert_eq!(stale.verdict, Verdict::Failed);

    let edge = check("zoom", &zoom(NOW - 300, body, "zoomSecret"), "zoomSecret");
    assert_eq!(edge.timestamp.status, TsStatus::Fresh);

    let future = check("zoom", &zoom(NOW + 301, body, "zoomSecret"), "zoomSecret");
    assert_eq!(future.timestamp.status, TsStatus::Future);
    assert_eq!(future.verdict, Verdict::Failed);

    let no_ts = check(
        "zoom",
        &drop_header(&d, "x-zm-request-timestamp"),
        "zoomSecret",
    );
    assert_eq!(no_ts.timestamp.status, TsStatus::Missing);
    assert_eq!(no_ts.verdict, Verdict::Failed);

    let bad_ts = check(
        "zoom",
        &set_header(&d, "x-zm-request-timestamp", "yesterday"),
        "zoomSecret",
    );
    assert_eq!(bad_ts.timestamp.status, TsStatus::Malformed);
}

#[test]
fn zoho_webinar_cases() {
    let secret = "zwSignatureKey";
    let body = "webinarId=12345&event=registration&email=user%40example.com";
    let sig = hex::encode(hmac256(secret.as_bytes(), body.as_bytes()));
    let d = req(vec![("x-webinar-signature", sig.clone())], body);
    five_cases(
        "zoho-webinar",
        &d,
        secret,
        "x-webinar-signature",
        "not-a-signature",
    );
    // Zoho's own sample trims and lower-cases the header before comparing.
    let padded = set_header(
        &d,
        "x-webinar-signature",
        &format!("  {} \t", sig.to_uppercase()),
    );
    assert_eq!(
        check("zoho-webinar", &padded, secret).verdict,
        Verdict::Verified
    );
    // PUT is a method Zoho uses too; the method is not signed.
    let mut put = d.clone();
    put.method = "PUT".into();
    assert_eq!(
        check("zoho-webinar", &put, secret).verdict,
        Verdict::Verified
    );
}

#[test]
fn zentact_cases() {
    let secret = "4f1c2a9b7e6d5c3b2a190817f6e5d4c3";
    let body = r#"{"type":"payment.succeeded","data":{"amount":1999}}"#;
    let key = hex::decode(secret).unwrap();
    let sig = base64::engine::general_purpose::STANDARD.encode(hmac256(&key, body.as_bytes()));
    let d = req(vec![("x-hmac-signature", sig)], body);
    five_cases("zentact", &d, secret, "x-hmac-signature", "%%%");
    // A non-hex key is reported, not silently used as text.
    let out = check("zentact", &d, "not hex at all");
    assert_eq!(out.signature.status, SigStatus::Invalid);
    assert!(
        out.hints.iter().any(|h| h.contains("not valid hex")),
        "{:?}",
        out.hints
    );
}

#[test]
fn meetbot_cases() {
    let secret = "whsec_mb_current";
    let old = "whsec_mb_previous";
    let body = r#"{"event":"meeting.transcript.ready","meeting_id":"mtg_1"}"#;
    let sig = |k: &str| hex::encode(hmac256(k.as_bytes(), body.as_bytes()));
    let d = req(
        vec![("x-meetbot-signature", format!("sha256={}", sig(secret)))],
        body,
    );
    five_cases("meetbot", &d, secret, "x-meetbot-signature", "md5=abc");
    // Rotation: comma-separated list, accepted if any entry verifies.
    let list = set_header(
        &d,
        "x-meetbot-signature",
        &format!("sha256={}, sha256={}", sig(old), sig(secret)),
    );
    assert_eq!(check("meetbot", &list, secret).verdict, Verdict::Verified);
    assert_eq!(check("meetbot", &list, old).verdict, Verdict::Verified);
    // The whsec_ secret is UTF-8 here: base64-decoding it must not be what verifies.
    let reg = Registry::builtin();
    let two = verify(
        &d,
        reg.get("meetbot").unwrap(),
        &[Secret::new(old), Secret::new(secret)],
        &Context {
            now: NOW,
            ..Default::default()
        },
    );
    assert_eq!(two.signature.secret_index, Some(2));
    assert!(
        two.hints.iter().any(|h| h.contains("secret #2 of 2")),
        "{:?}",
        two.hints
    );
}

#[test]
fn no_secret_is_unverified_and_no_provider_is_not_applicable() {
    let reg = Registry::builtin();
    let d = zoom(NOW, "{}", "s");
    let out = verify(
        &d,
        reg.get("zoom").unwrap(),
        &[],
        &Context {
            now: NOW,
            ..Default::default()
        },
    );
    assert_eq!(out.signature.status, SigStatus::NoSecret);
    assert_eq!(out.verdict, Verdict::Unverified);
    assert!(out.signature.computed.is_none());
    let checker = hookscope::checker::Checker::builtin();
    let plain = req(vec![("content-type", "text/plain".into())], "hello");
    let v = checker.check(&plain, NOW);
    assert_eq!(v.provider, None);
    assert_eq!(v.signature.status, SigStatus::NotApplicable);
    assert_eq!(v.verdict, Verdict::Unverified);
}
