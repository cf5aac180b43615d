//! Measure re-verifying every stored delivery after a secrets change (start-up, a save, a config
//! change):
//! `cargo run --release --example reverify -- 100000`. Fills a temporary store with signed Zoom
//! deliveries (~300-byte bodies), then times the scan + verification + verdict rewrite.

use hmac::{Hmac, Mac};
use hookscope::checker::Checker;
use hookscope::config::Config;
use hookscope::delivery::Delivery;
use hookscope::reverify::Reverifier;
use hookscope::store::Store;
use hookscope::verify::Verdict;
use std::time::Instant;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let ts = 1_795_341_600i64;
    let t = Instant::now();
    rt.block_on(async {
        let mut pending = Vec::new();
        for i in 0..n {
            let body = format!(
                r#"{{"event":"meeting.started","event_ts":{ts}000,"payload":{{"account_id":"AAbbCC","object":{{"id":"{i}","topic":"Weekly sync","host_id":"x1y2z3","duration":60,"timezone":"UTC","start_time":"2026-11-22T10:00:00Z"}}}}}}"#
            );
            let mut m = Hmac::<sha2::Sha256>::new_from_slice(b"right-secret").unwrap();
            m.update(format!("v0:{ts}:{body}").as_bytes());
            let sig = format!("v0={}", hex::encode(m.finalize().into_bytes()));
            let d = Delivery {
                received_at_ms: ts * 1000 + 500,
                method: "POST".into(),
                path: "/hooks/zoom".into(),
                headers: vec![
                    ("content-type".into(), b"application/json".to_vec()),
                    ("x-zm-request-timestamp".into(), ts.to_string().into_bytes()),
                    ("x-zm-signature".into(), sig.into_bytes()),
                ],
                body_size: body.len() as u64,
                body: body.into(),
                ..Default::default()
            };
            pending.push(store.insert(d, Verdict::Failed, Some("zoom".into())));
            if pending.len() == 4096 {
                for p in pending.drain(..) {
                    p.await.unwrap();
                }
            }
        }
        for p in pending {
            p.await.unwrap();
        }
    });
    eprintln!("filled {n} deliveries in {:?}", t.elapsed());
    // Let the store thread finish what the fill left it (a checkpoint of the filled log) so the
    // pass below is timed alone.
    let t = Instant::now();
    store.update_judgements(Vec::new()).unwrap();
    eprintln!("store thread idle after {:?}", t.elapsed());
    let cfg = Config::parse("[providers.zoom]\nsecrets = [\"right-secret\"]\n").unwrap();
    let checker = Checker::from_config(&cfg, &[]).unwrap();
    let cpu = cpu_time();
    let t = Instant::now();
    let last = std::sync::Arc::new(std::sync::Mutex::new(None));
    let seen = last.clone();
    Reverifier::start(store.clone(), checker, move |p| {
        *seen.lock().unwrap() = Some(p);
    })
    .join();
    let total = t.elapsed();
    let cpu = cpu_time() - cpu;
    let p = last.lock().unwrap().clone().unwrap();
    let ok = store.counts().unwrap().all.verified;
    println!(
        "re-verified {} stored deliveries ({ok} verified) in {total:?}, {cpu:?} CPU (scan + verify + write-back, newest first)",
        p.done
    );
}

/// CPU time used by this process so far (all threads, user + system).
fn cpu_time() -> std::time::Duration {
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage fills the struct it is given.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
    let tv = |t: libc::timeval| {
        std::time::Duration::from_secs(t.tv_sec as u64)
            + std::time::Duration::from_micros(t.tv_usec as u64)
    };
    tv(u.ru_utime) + tv(u.ru_stime)
}
