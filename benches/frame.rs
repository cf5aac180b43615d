//! Dashboard benchmark (no harness), against the real SQLite store: start-up to the first frame
//! and frame render time (160×48 TestBackend) with 100 and with 1,000,000 stored deliveries, and
//! re-verifying 100,000 stored deliveries after a secret change while frames keep being drawn.
//!
//! Run: `cargo bench --bench frame` (`HOOKSCOPE_BENCH_ROWS=100000` for a quicker run). Targets:
//! start-up < 300 ms with 1,000,000 stored; frame ratio 1,000,000 / 100 ≤ 1.2, each < 2 ms;
//! re-verifying 100,000 < 2 s with no frame over 16 ms meanwhile.

use bytes::Bytes;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use hmac::{Hmac, Mac};
use hookscope::checker::{Checker, Judgement};
use hookscope::config::Config;
use hookscope::delivery::{Delivery, ResponseRecord};
use hookscope::reverify::Reverifier;
use hookscope::store::Store;
use hookscope::tui::{App, AppOptions, DeliverySource, Effect, Input, KeyMap, Theme};
use hookscope::verify::Verdict;
use jiff::tz::TimeZone;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::path::Path;
use std::time::{Duration, Instant};

const TS: i64 = 1_795_341_600;

/// A signed Zoom delivery (about 200-byte body), signed with `secret`.
/// A signed Zoom delivery whose topic is padded with `pad` bytes.
fn zoom_padded(i: usize, secret: &str, pad: usize) -> Delivery {
    let topic = format!("Weekly sync{}", ".".repeat(pad));
    let body = format!(
        r#"{{"event":"meeting.started","event_ts":{TS}000,"payload":{{"object":{{"id":"{i}","topic":"{topic}"}}}}}}"#
    );
    let mut m = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    m.update(format!("v0:{TS}:{body}").as_bytes());
    let sig = format!("v0={}", hex::encode(m.finalize().into_bytes()));
    Delivery {
        received_at_ms: TS * 1000 + i as i64,
        method: "POST".into(),
        path: "/hooks/zoom".into(),
        headers: vec![
            ("content-type".into(), b"application/json".to_vec()),
            ("x-zm-request-timestamp".into(), TS.to_string().into_bytes()),
            ("x-zm-signature".into(), sig.into_bytes()),
        ],
        body_size: body.len() as u64,
        body: Bytes::from(body),
        response: Some(ResponseRecord {
            status: 200,
            source: "hookscope".into(),
            ..ResponseRecord::default()
        }),
        ..Delivery::default()
    }
}

fn checker(secret: &str) -> Checker {
    let cfg = Config::parse(&format!("[providers.zoom]\nsecrets = [\"{secret}\"]\n")).unwrap();
    Checker::from_config(&cfg, &[]).unwrap()
}

/// Fill `dir` with `n` deliveries judged by `judge` (in import batches), then close the store.
fn fill(dir: &Path, n: usize, judge: &Checker) {
    fill_padded(dir, n, judge, 0)
}

fn fill_padded(dir: &Path, n: usize, judge: &Checker, pad: usize) {
    let store = Store::open(dir).unwrap();
    store.set_keep(u64::MAX);
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let t = Instant::now();
    let mut i = 0;
    while i < n {
        let batch: Vec<(Delivery, Judgement)> = (i..(i + 20_000).min(n))
            .map(|k| {
                let d = zoom_padded(k, "right-secret", pad);
                let v = judge.check_stored(&d);
                (d, judge.judgement(&v))
            })
            .collect();
        i += batch.len();
        rt.block_on(store.import(batch)).unwrap();
    }
    rt.block_on(store.flush()).unwrap();
    drop(store);
    // The fill leaves hundreds of MiB of dirty pages: write them out now, so that the kernel's
    // writeback does not run during the frames measured next.
    // SAFETY: sync() takes no arguments and only schedules and waits for writeback.
    unsafe { libc::sync() };
    eprintln!(
        "  filled {n} deliveries in {:.1} s",
        t.elapsed().as_secs_f64()
    );
}

fn opts() -> AppOptions {
    AppOptions {
        listen_url: "http://127.0.0.1:4545".into(),
        attached: None,
        forward: None,
        non_loopback: false,
        time_zone: TimeZone::UTC,
        keep: None,
    }
}

/// Feed an input and perform the store work the event loop does.
fn feed(app: &mut App, store: &Store, input: Input) {
    let mut fx = app.update(input);
    while !fx.is_empty() {
        let mut next = Vec::new();
        for e in fx {
            match e {
                Effect::LoadDetail(id) => next.extend(app.update(Input::Detail {
                    id,
                    delivery: store.get(id).unwrap().map(Box::new),
                    replays: store.replays_of(id).unwrap(),
                })),
                Effect::Query(req) => {
                    let w = DeliverySource::window(store, &req).unwrap();
                    next.extend(app.update(Input::Window(Box::new(w))));
                }
                _ => {}
            }
        }
        fx = next;
    }
}

/// Open the store cold, build the App, ask for the first window, draw the first frame.
fn startup(dir: &Path, c: &Checker) -> (Duration, App, Store, Terminal<TestBackend>) {
    let t = Instant::now();
    let store = Store::open(dir).unwrap();
    let mut app = App::new(opts(), c.clone(), KeyMap::default(), Theme::default());
    feed(
        &mut app,
        &store,
        Input::Resize {
            width: 160,
            height: 48,
        },
    );
    feed(
        &mut app,
        &store,
        Input::Tick {
            now_ms: TS * 1000 + 60_000,
        },
    );
    let mut term = Terminal::new(TestBackend::new(160, 48)).unwrap();
    term.draw(|f| hookscope::tui::draw(&mut app, f)).unwrap();
    (t.elapsed(), app, store, term)
}

/// Median and max time of `n` frames, moving the selection one row before each: up for 40
/// frames, then down for 40, and so on, so that every frame moves (and loads a delivery) with
/// 100 stored as with a million.
fn frames(
    app: &mut App,
    store: &Store,
    term: &mut Terminal<TestBackend>,
    n: usize,
) -> (Duration, Duration) {
    let mut times = Vec::with_capacity(n);
    for i in 0..n {
        let key = if (i / 40) % 2 == 0 { 'k' } else { 'j' };
        let t = Instant::now();
        feed(
            app,
            store,
            Input::Key(KeyEvent::new(KeyCode::Char(key), KeyModifiers::NONE)),
        );
        term.draw(|f| hookscope::tui::draw(app, f)).unwrap();
        times.push(t.elapsed());
    }
    times.sort();
    (times[n / 2], times[n - 1])
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let big: usize = std::env::var("HOOKSCOPE_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let right = checker("right-secret");
    println!("frame bench: real SQLite store, 160×48, {big} vs 100 stored deliveries");
    // Both stores open side by side; their frames are measured in alternating rounds, so that
    // warm-up and the machine's other work fall on both alike.
    let mut open = Vec::new();
    for n in [100, big] {
        let dir = tempfile::tempdir().unwrap();
        fill(dir.path(), n, &right);
        let (start, app, store, term) = startup(dir.path(), &right);
        assert_eq!(app.list().counts().0, n);
        println!("  {n:>9} stored: start-up to first frame {}", ms(start));
        open.push((n, dir, app, store, term, Vec::new()));
    }
    for _round in 0..3 {
        for (_, _, app, store, term, medians) in &mut open {
            let (median, max) = frames(app, store, term, 400);
            medians.push((median, max));
        }
    }
    for (n, _, _, _, _, medians) in &open {
        let m: Vec<String> = medians.iter().map(|(m, _)| ms(*m)).collect();
        let max = medians.iter().map(|(_, x)| *x).max().unwrap();
        println!(
            "  {n:>9} stored: frame median per round {} (max {})",
            m.join(" / "),
            ms(max)
        );
    }
    let ratios: Vec<String> = (0..3)
        .map(|r| {
            let (a, b) = (open[0].5[r].0, open[1].5[r].0);
            format!("{:.2}", b.as_secs_f64() / a.as_secs_f64())
        })
        .collect();
    println!(
        "  frame ratio {big} / 100 per round: {}",
        ratios.join(" / ")
    );
    drop(open);

    // Re-verification after a secret change: judged with a wrong secret, then the right one.
    let n = 100_000.min(big);
    let dir = tempfile::tempdir().unwrap();
    fill(dir.path(), n, &checker("wrong-secret"));
    let (_, mut app, store, mut term) = startup(dir.path(), &right);
    assert_eq!(app.list().counts().1, n, "all failing before the pass");
    let (tx, rx) = std::sync::mpsc::channel();
    let t = Instant::now();
    let pass = Reverifier::start(store.clone(), right.clone(), move |p| {
        let _ = tx.send(p);
    });
    let mut worst = Duration::ZERO;
    let mut frames_drawn = 0;
    let mut done = false;
    while !done {
        for p in rx.try_iter() {
            done |= p.finished;
            feed(&mut app, &store, Input::Reverifying(p));
        }
        let f = Instant::now();
        feed(&mut app, &store, Input::StoreChanged);
        term.draw(|fr| hookscope::tui::draw(&mut app, fr)).unwrap();
        worst = worst.max(f.elapsed());
        frames_drawn += 1;
        std::thread::sleep(Duration::from_millis(16));
    }
    let took = t.elapsed();
    pass.join();
    feed(&mut app, &store, Input::StoreChanged);
    let verified = store.counts().unwrap().all.verified;
    assert_eq!(verified as usize, n);
    assert_eq!(app.list().counts().1, 0);
    let _ = Verdict::Verified;

    // Body search over 100,000 stored 2 KiB bodies: the first count the filter bar shows, and
    // the whole answer.
    let dir = tempfile::tempdir().unwrap();
    fill_padded(dir.path(), n, &right, 1900);
    let store = Store::open(dir.path()).unwrap();
    let req = hookscope::listing::ListRequest {
        seq: 1,
        query: Some(hookscope::tui::filter::Query::parse("body:\"id\":\"4242\"").unwrap()),
        newest_first: true,
        anchor: hookscope::listing::Anchor::Newest,
        len: 48,
    };
    let t = Instant::now();
    let mut first = None;
    let w = store
        .window_with_progress(&req, hookscope::store::COUNT_STEP, &mut |_, _, _| {
            first.get_or_insert(t.elapsed());
            true
        })
        .unwrap()
        .unwrap();
    let whole = t.elapsed();
    assert_eq!(w.matching, 1);
    println!(
        "  re-verified {n} stored deliveries in {:.2} s; {frames_drawn} frames meanwhile, slowest {}",
        took.as_secs_f64(),
        ms(worst)
    );
    println!(
        "  body search over {n} stored 2 KiB bodies: first count after {}, answered in {}",
        ms(first.unwrap()),
        ms(whole)
    );
}
