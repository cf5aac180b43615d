//! Verification cost per delivery (2 KiB body): `cargo bench --bench verify`.
//!
//! Reports the median of several timed batches for `verify()` alone (scheme known) and for the
//! `Checker` path (detection + verification), for HMAC-SHA256 schemes and Standard Webhooks.
//! Then detection + verification with three tables in the same run: the 30 providers of the
//! first release, the full built-in table, and the full table grown to 130 with synthetic schemes (one in twelve sharing
//! `webhook-signature`, told apart by a sibling header as GitLab and Svix are: more sharers than
//! the real table has) — the ratio to the 30-provider table shows whether the cost follows the
//! table's size. Times are the thread's CPU time, so other processes on the machine count less.

use hookscope::checker::Checker;
use hookscope::config::Config;
use hookscope::delivery::Delivery;
use hookscope::providers::Registry;
use hookscope::providers::scheme::{Provider, ProviderSpec};
use hookscope::secret::Secret;
use hookscope::sign::{SignOptions, sign};
use hookscope::verify::{Context, SigStatus, verify};
use std::hint::black_box;
use std::time::Duration;

/// CPU time this thread has used: unlike the wall clock, it does not count the time other
/// processes on a shared machine hold the core.
fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec through a valid pointer.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

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

/// Median CPU nanoseconds per call over 7 batches.
fn time(mut f: impl FnMut()) -> f64 {
    for _ in 0..2_000 {
        f();
    }
    let iters = 20_000;
    let mut samples: Vec<f64> = (0..7)
        .map(|_| {
            let t = thread_cpu();
            for _ in 0..iters {
                f();
            }
            (thread_cpu() - t).as_nanos() as f64 / iters as f64
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
    println!("verification CPU time per delivery, 2 KiB body (median of 7 x 20,000 calls)");
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
    tables(&reg, &cases);
}

/// The 30 providers hookscope knew before its table grew past 100.
const FIRST_30: [&str; 30] = [
    "bitbucket",
    "calendly",
    "discord",
    "dropbox",
    "github",
    "gitlab",
    "hubspot",
    "intercom",
    "lemon-squeezy",
    "linear",
    "mailgun",
    "meetbot",
    "mux",
    "paddle",
    "paypal",
    "sendgrid",
    "sentry",
    "shopify",
    "slack",
    "square",
    "standard-webhooks",
    "stripe",
    "svix",
    "twilio",
    "twitch",
    "typeform",
    "vercel",
    "zentact",
    "zoho-webinar",
    "zoom",
];

/// The table of the first 30 providers, as the full table defines them.
fn first_30(reg: &Registry) -> Registry {
    let list = FIRST_30
        .iter()
        .map(|n| reg.get(n).expect("one of the first 30").clone())
        .collect();
    Registry::from_providers(list).unwrap()
}

/// The full table plus synthetic HMAC schemes until it holds at least `n` providers.
fn grown(reg: &Registry, n: usize) -> Registry {
    let mut list: Vec<Provider> = reg.all().to_vec();
    let mut i = 0;
    while list.len() < n {
        // One in twelve shares webhook-signature, as Standard Webhooks users do.
        let detect = if i % 12 == 0 {
            format!("{{ header = \"webhook-signature\", sibling = \"x-synth-{i}-event\" }}")
        } else {
            format!("{{ header = \"x-synth-{i}-signature\" }}")
        };
        let text = format!(
            "name = \"synth-{i}\"\n[[variant]]\ndetect = {detect}\n\
             signature = {{ header = \"x-synth-{i}-signature\", prefix = \"sha256=\" }}\n\
             algorithm = \"hmac-sha256\"\n"
        );
        let spec: ProviderSpec = toml::from_str(&text).unwrap();
        list.push(Provider::from_spec(spec, true).unwrap());
        i += 1;
    }
    Registry::from_providers(list).unwrap()
}

/// Median CPU nanoseconds per call of each closure, timed in alternating batches so that what
/// load remains (caches shared with other processes) falls on all of them alike.
fn time_interleaved(fs: &mut [Box<dyn FnMut() + '_>]) -> Vec<f64> {
    for f in fs.iter_mut() {
        for _ in 0..2_000 {
            f();
        }
    }
    let iters = 20_000;
    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); fs.len()];
    for _ in 0..15 {
        for (i, f) in fs.iter_mut().enumerate() {
            let t = thread_cpu();
            for _ in 0..iters {
                f();
            }
            samples[i].push((thread_cpu() - t).as_nanos() as f64 / iters as f64);
        }
    }
    samples
        .into_iter()
        .map(|mut s| {
            s.sort_by(|a, b| a.partial_cmp(b).unwrap());
            s[s.len() / 2]
        })
        .collect()
}

fn tables(reg: &Registry, cases: &[(&str, &str)]) {
    let small = first_30(reg);
    let big = grown(reg, 130);
    let tables = [&small, reg, &big];
    let header = format!(
        "{:<20} {:>10} {:>10} {:>10} {:>8} {:>8}",
        "scheme",
        format!("{} prov", small.all().len()),
        format!("full {}", reg.all().len()),
        format!("grown {}", big.all().len()),
        "full/30",
        "grown/30"
    );
    let ctx = Context {
        now: NOW,
        ..Default::default()
    };
    let mut both = Vec::new();
    let mut detect_only = Vec::new();
    for (name, secret) in cases {
        let d = signed(reg, name, secret);
        let secrets = [Secret::new(*secret)];
        for table in tables {
            let det = table.detect(&d).expect("detected");
            assert_eq!(&table.at(det.provider).name, name);
            assert!(det.also.is_empty(), "{name}: ambiguous");
        }
        let mut full: Vec<Box<dyn FnMut() + '_>> = Vec::new();
        let mut det: Vec<Box<dyn FnMut() + '_>> = Vec::new();
        for table in tables {
            let (d, secrets, ctx) = (&d, &secrets, &ctx);
            full.push(Box::new(move || {
                let det = table.detect(black_box(d)).unwrap();
                black_box(verify(d, table.at(det.provider), secrets, ctx));
            }));
            det.push(Box::new(move || {
                black_box(table.detect(black_box(d)));
            }));
        }
        both.push((*name, time_interleaved(&mut full)));
        detect_only.push((*name, time_interleaved(&mut det)));
    }
    for (title, rows) in [
        ("detect + verify per delivery (ns)", &both),
        ("detect alone per delivery (ns)", &detect_only),
    ] {
        println!();
        println!(
            "{title} by table size, ratio to the 30-provider table (median of 15 alternating batches)"
        );
        println!("{header}");
        for (name, t) in rows {
            println!(
                "{name:<20} {:>10.0} {:>10.0} {:>10.0} {:>8.2} {:>8.2}",
                t[0],
                t[1],
                t[2],
                t[1] / t[0],
                t[2] / t[0]
            );
        }
    }
}
