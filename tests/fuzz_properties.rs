//! Hostile-input properties of the signature engine (issue 8): signature headers built from
//! adversarial separators, prefixes and key-value lists; timestamps as huge or odd numbers and
//! extreme clocks; deeply nested JSON bodies for body-sourced schemes; bodies up to ~1 MiB.
//! Nothing panics, and every answer is small (no unbounded output from hostile input).

use hookscope::delivery::Delivery;
use hookscope::providers::Registry;
use hookscope::providers::scheme::{Algorithm, TimeUnit};
use hookscope::providers::template::Template;
use hookscope::secret::Secret;
use hookscope::sign::{SignOptions, sign};
use hookscope::verify::{Context, SigStatus, parse_timestamp, verify};
use proptest::prelude::*;

const NOW: i64 = 1_763_805_600;

/// Pieces signature and timestamp headers are made of, hostile ones included.
fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(",".to_string()),
        Just(";".to_string()),
        Just("=".to_string()),
        Just(" ".to_string()),
        Just("\t".to_string()),
        Just("==".to_string()),
        Just(",,".to_string()),
        Just("t=".to_string()),
        Just("v0=".to_string()),
        Just("v1=".to_string()),
        Just("v1,".to_string()),
        Just("ts=".to_string()),
        Just("h1=".to_string()),
        Just("sha256=".to_string()),
        Just("sha1=".to_string()),
        Just("sha512=".to_string()),
        Just("whsec_".to_string()),
        Just("-".to_string()),
        Just("é∑".to_string()),
        "[0-9a-f]{0,130}",
        "[A-Za-z0-9+/=]{0,90}",
        "-?[0-9]{1,40}",
        "[0-9]{1,5}\\.[0-9]{0,12}",
        "[ -~]{0,12}",
    ]
}

fn header_value() -> impl Strategy<Value = String> {
    proptest::collection::vec(token(), 0..24).prop_map(|t| t.concat())
}

/// Numbers and dates at and beyond every limit.
fn timestamp_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(i64::MAX.to_string()),
        Just(i64::MIN.to_string()),
        Just(u64::MAX.to_string()),
        Just("99999999999999999999999999999999999999".to_string()),
        Just("1e308".to_string()),
        Just("-0".to_string()),
        Just("9999-12-31T23:59:59.999999999Z".to_string()),
        Just("-009999-01-01T00:00:00Z".to_string()),
        Just("0000-00-00T00:00:00Z".to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| n.to_string()),
        "-?[0-9]{1,60}(\\.[0-9]{1,30})?",
        "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,12})?(Z|[+-][0-9]{2}:[0-9]{2})",
    ]
}

fn clock() -> impl Strategy<Value = i64> {
    prop_oneof![
        Just(NOW),
        Just(0),
        Just(i64::MAX),
        Just(i64::MIN),
        any::<i64>()
    ]
}

/// Verify `d` against every built-in provider with a few secrets; assert small answers.
fn verify_everywhere(d: &Delivery, now: i64) -> Result<(), TestCaseError> {
    let reg = Registry::builtin();
    let secrets = [
        Secret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
        Secret::new("00ff"),
        Secret::new(""),
    ];
    let _ = reg.detect(d);
    for p in reg.all() {
        let ctx = Context {
            now,
            base_url: Some("https://hooks.example.dev"),
            ..Default::default()
        };
        let out = verify(d, p, &secrets, &ctx);
        prop_assert!(out.hints.len() <= 32, "{} hints", out.hints.len());
        let text = serde_json::to_string(&out).unwrap();
        prop_assert!(
            text.len() <= 64 * 1024 + 8 * d.body.len(),
            "{} bytes",
            text.len()
        );
    }
    Ok(())
}

fn with_headers(names: &[String], values: &[String], body: Vec<u8>) -> Delivery {
    Delivery {
        method: "POST".into(),
        path: "/x".into(),
        headers: names
            .iter()
            .zip(values)
            .map(|(n, v)| (n.clone(), v.clone().into_bytes()))
            .collect(),
        body: body.into(),
        ..Default::default()
    }
}

/// Every header name any built-in scheme reads.
fn scheme_headers() -> Vec<String> {
    let reg = Registry::builtin();
    let mut names: Vec<String> = Vec::new();
    for p in reg.all() {
        for v in &p.variants {
            names.extend(v.spec.signature.header.clone());
            names.extend(v.spec.timestamp.as_ref().and_then(|t| t.header.clone()));
            names.extend(v.spec.id_header.clone());
            names.extend(v.spec.detect.sibling.clone());
        }
    }
    names.sort();
    names.dedup();
    names
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn adversarial_signature_headers_never_panic(
        values in proptest::collection::vec(header_value(), 64),
        now in clock(),
    ) {
        let names = scheme_headers();
        // More header names than random values as the table grows: the values repeat in turn.
        let values: Vec<String> = values.iter().cycle().take(names.len()).cloned().collect();
        verify_everywhere(&with_headers(&names, &values, b"{}".to_vec()), now)?;
    }

    #[test]
    fn huge_and_odd_timestamps_never_panic(ts in timestamp_text(), now in clock(), sig in header_value()) {
        for unit in [TimeUnit::Seconds, TimeUnit::Millis, TimeUnit::Rfc3339] {
            let _ = parse_timestamp(&ts, unit);
        }
        let names = scheme_headers();
        // Every header carries the timestamp, except one signature-looking value per case.
        let values: Vec<String> = names
            .iter()
            .enumerate()
            .map(|(i, _)| if i % 3 == 0 { sig.clone() } else { ts.clone() })
            .collect();
        let body = serde_json::json!({
            "signature": {"timestamp": ts, "token": "t", "signature": sig},
            "webhookTimestamp": ts,
        })
        .to_string()
        .into_bytes();
        verify_everywhere(&with_headers(&names, &values, body), now)?;
    }

    #[test]
    fn deeply_nested_json_bodies_never_panic(depth in 0usize..20_000, kind in 0u8..3) {
        let body: Vec<u8> = match kind {
            0 => [vec![b'['; depth], vec![b']'; depth]].concat(),
            1 => {
                let mut s = String::new();
                for _ in 0..depth {
                    s.push_str("{\"signature\":");
                }
                s.push('1');
                s.push_str(&"}".repeat(depth));
                s.into_bytes()
            }
            // Unbalanced: opens only.
            _ => "{\"a\":[".repeat(depth).into_bytes(),
        };
        let names = scheme_headers();
        let values = vec!["v1=00".to_string(); names.len()];
        verify_everywhere(&with_headers(&names, &values, body), NOW)?;
    }

    #[test]
    fn templates_with_long_json_paths_and_key_value_lists_never_panic(
        segments in proptest::collection::vec("[a-z0-9_.\\[\\]-]{0,6}", 0..2_000),
        list in proptest::collection::vec("[a-z0-9]{0,4}(=|:)?[ -~]{0,8}", 0..200),
    ) {
        let path = segments.join(".");
        let _ = Template::parse(&format!("{{json:{path}}}"));
        let _ = Template::parse(&format!("v0:{{timestamp}}:{{json:{path}}}:{{header:{path}}}"));
        let joined = list.join(",");
        let _ = Template::parse(&joined);
        let _ = hookscope::config::Config::parse(&format!(
            "[[custom_providers]]\nname = \"x\"\nsigned = \"{}\"\n",
            joined.replace(['"', '\\'], "")
        ));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4, ..ProptestConfig::default() })]

    /// Bodies up to ~1 MiB: sign then verify stays valid for HMAC schemes, and random bytes in
    /// the signature header are refused without a panic.
    #[test]
    fn large_bodies_sign_and_verify(len in 0usize..(1 << 20), seed in any::<u64>()) {
        let mut rng = fastrand::Rng::with_seed(seed);
        let body: Vec<u8> = (0..len).map(|_| rng.u8(..)).collect();
        let reg = Registry::builtin();
        let secret = Secret::new("a-large-body-secret");
        for name in ["zoom", "stripe", "github", "slack", "shopify"] {
            let Some(p) = reg.all().iter().find(|p| p.name == name) else { continue };
            let v = &p.variants[0];
            if v.spec.algorithm.is_public_key() || v.spec.algorithm == Algorithm::Certificate {
                continue;
            }
            let mut d = Delivery {
                method: "POST".into(),
                path: "/big".into(),
                body: body.clone().into(),
                ..Default::default()
            };
            let opts = SignOptions { timestamp: NOW, variant: v.spec.id.as_deref(), ..Default::default() };
            let signed = sign(&d, p, &secret, &opts).unwrap();
            for (n, val) in signed.headers {
                d.headers.push((n.to_ascii_lowercase(), val.into_bytes()));
            }
            let ctx = Context { now: NOW, ..Default::default() };
            let out = verify(&d, p, std::slice::from_ref(&secret), &ctx);
            prop_assert_eq!(out.signature.status, SigStatus::Valid, "{}", name);
            d.body = [&body[..], b"x"].concat().into();
            let out = verify(&d, p, std::slice::from_ref(&secret), &ctx);
            prop_assert_eq!(out.signature.status, SigStatus::Invalid, "{}", name);
        }
    }
}

/// Found by `huge_and_odd_timestamps_never_panic`: the most negative timestamp overflowed the
/// staleness check (a panic in debug builds, "fresh" in release builds).
#[test]
fn the_most_negative_timestamp_is_stale_not_fresh() {
    let reg = Registry::builtin();
    let zoom = reg.all().iter().find(|p| p.name == "zoom").unwrap();
    let d = Delivery {
        method: "POST".into(),
        path: "/x".into(),
        headers: vec![
            (
                "x-zm-request-timestamp".into(),
                i64::MIN.to_string().into_bytes(),
            ),
            ("x-zm-signature".into(), b"v0=00".to_vec()),
        ],
        body: b"{}".to_vec().into(),
        ..Default::default()
    };
    let out = verify(
        &d,
        zoom,
        &[Secret::new("s")],
        &Context {
            now: NOW,
            ..Default::default()
        },
    );
    assert_eq!(out.timestamp.status, hookscope::verify::TsStatus::Stale);
}
