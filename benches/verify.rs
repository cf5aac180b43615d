//! Verification cost per delivery (2 KiB body): `cargo bench --bench verify`.
//!
//! Reports the median of several timed batches for `verify()` alone (scheme known) and for the
//! `Checker` path (detection + verification), for HMAC-SHA256 schemes and Standard Webhooks.

use hookscope::checker::Checker;
use hookscope::config::Config;
use hookscope::delivery::Delivery;
use hookscope::providers::Registry;
use hookscope::secret::Secret;
use hookscope::sign::{SignOptions, sign};
use hookscope::verify::{Context, SigStatus, verify};
use std::hint::black_box;
use std::time::Instant;

const NOW: i64 = 1_763_805_600;

fn body_2k() -> Vec<u8> {
    let mut s = String::from("{\"event\":\"invoice.paid\",\"data\":{\"items\":[");
    let mut i = 0;
    while s.len() < 2000 {
        s.push_str(&format!(
            "{{\"id\":\"item_{i:05}\",\"qty\":{i},\"note\":\"lorem ipsum\"}},"
        ));
        i += 1;
    }
    s.push_str("{}]}}");
    s.into_bytes()
}

fn signed(reg: &Registry, provider: &str, secret: &str) -> Delivery {
    let mut d = Delivery {
        method: "POST".into(),
        path: "/hooks".into(),
        headers: vec![
            ("host".into(), b"127.0.0.1:4545".to_vec()),
            ("content-type".into(), b"application/json".to_vec()),
            ("user-agent".into(), b"bench/1.0".to_vec()),
        ],
        body: body_2k().into(),
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

/// Median nanoseconds per call over 7 batches.
fn time(mut f: impl FnMut()) -> f64 {
    for _ in 0..2_000 {
        f();
    }
    let iters = 20_000;
    let mut samples: Vec<f64> = (0..7)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..iters {
                f();
            }
            t.elapsed().as_nanos() as f64 / iters as f64
        })
        .collect();
    samples.sort_by(|a, b| a.partial_cmp(b).unwrap());
    samples[3]
}

fn main() {
    let reg = Registry::builtin();
    let cases = [
        ("github", "gh-secret"),
        ("zoom", "zoom-secret"),
        ("stripe", "whsec_test_secret"),
        (
            "standard-webhooks",
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        ),
    ];
    println!("verification cost per delivery, 2 KiB body (median of 7 x 20,000 calls)");
    println!(
        "{:<20} {:>14} {:>22}",
        "scheme", "verify() ns", "detect+verify ns"
    );
    for (name, secret) in cases {
        let d = signed(&reg, name, secret);
        let p = reg.get(name).unwrap();
        let secrets = [Secret::new(secret)];
        let ctx = Context {
            now: NOW,
            ..Default::default()
        };
        assert_eq!(
            verify(&d, p, &secrets, &ctx).signature.status,
            SigStatus::Valid
        );
        let direct = time(|| {
            black_box(verify(black_box(&d), p, &secrets, &ctx));
        });
        let cfg = Config::parse(&format!("[providers.{name}]\nsecrets = [\"{secret}\"]")).unwrap();
        let checker = Checker::from_config(&cfg, &[]).unwrap();
        assert_eq!(checker.check(&d, NOW).signature.status, SigStatus::Valid);
        let full = time(|| {
            black_box(checker.check(black_box(&d), NOW));
        });
        println!("{name:<20} {direct:>14.0} {full:>22.0}");
    }
}
