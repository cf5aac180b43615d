//! Dashboard benchmark (no harness): frame render time on a 160×48 TestBackend with 100 and
//! with 100,000 stored deliveries, and start-up time to the first frame with 100,000.
//!
//! Run: `cargo bench --bench frame`. Targets: frame ratio 100k/100 ≤ 1.2, each under 2 ms;
//! start-up under 300 ms. Measured twice: with rows generated in memory, and with the real
//! SQLite store (100,000 deliveries written to a temp dir, then the store reopened cold).

use bytes::Bytes;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use hookscope::checker::Checker;
use hookscope::delivery::{Delivery, ResponseRecord, Summary};
use hookscope::tui::{App, AppOptions, DeliverySource, Effect, Input, KeyMap, Theme};
use hookscope::verify::Verdict;
use jiff::tz::TimeZone;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::hint::black_box;
use std::time::{Duration, Instant};

const T0_MS: i64 = 1_795_341_600_000;
const PROVIDERS: [&str; 4] = ["stripe", "zoom", "github", "slack"];

/// Deliveries generated from their id: rows are materialised like a store would, bodies on demand.
struct Synthetic {
    n: u64,
}

impl Synthetic {
    fn delivery(&self, id: u64) -> Delivery {
        let provider = PROVIDERS[(id % 4) as usize];
        let body = format!(
            r#"{{"id":"evt_{id}","type":"invoice.paid","data":{{"object":{{"amount":{},"currency":"usd"}}}}}}"#,
            id * 7
        );
        Delivery {
            id,
            received_at_ms: T0_MS + id as i64 * 250,
            method: "POST".into(),
            path: format!("/hooks/{provider}"),
            headers: vec![
                ("content-type".into(), b"application/json".to_vec()),
                (
                    format!("x-{provider}-signature"),
                    format!("v1={id:064x}").into_bytes(),
                ),
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
}

impl DeliverySource for Synthetic {
    fn summaries(&self) -> anyhow::Result<Vec<Summary>> {
        Ok((1..=self.n)
            .map(|id| Summary {
                id,
                received_at_ms: T0_MS + id as i64 * 250,
                method: "POST".into(),
                path: format!("/hooks/{}", PROVIDERS[(id % 4) as usize]),
                provider: Some(PROVIDERS[(id % 4) as usize].into()),
                verdict: match id % 7 {
                    0 => Verdict::Failed,
                    1 => Verdict::Unverified,
                    _ => Verdict::Verified,
                },
                body_size: 90 + id % 1000,
                status: Some(200),
                replay_of: None,
                rejected: false,
            })
            .collect())
    }

    fn get(&self, id: u64) -> anyhow::Result<Option<Delivery>> {
        Ok((1..=self.n).contains(&id).then(|| self.delivery(id)))
    }
}

fn opts() -> AppOptions {
    AppOptions {
        listen_url: "http://127.0.0.1:4545".into(),
        forward: Some("http://localhost:3000".into()),
        non_loopback: false,
        time_zone: TimeZone::UTC,
        keep: None,
    }
}

/// Feed an input and perform loads like the event loop.
fn feed(app: &mut App, source: &dyn DeliverySource, input: Input) {
    let mut fx = app.update(input);
    while !fx.is_empty() {
        let mut next = Vec::new();
        for e in fx {
            if let Effect::LoadDetail(id) = e {
                next.extend(app.update(Input::Detail {
                    id,
                    delivery: source.get(id).unwrap().map(Box::new),
                }));
            }
        }
        fx = next;
    }
}

fn key(c: char) -> Input {
    Input::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

/// Start-up: rows from the source, the App, the first load and the first frame.
fn startup(n: u64) -> (Duration, App, Synthetic, Terminal<TestBackend>) {
    let source = Synthetic { n };
    let checker = Checker::builtin();
    let start = Instant::now();
    let rows = source.summaries().unwrap();
    let mut app = App::new(opts(), checker, KeyMap::default(), Theme::default(), rows);
    feed(
        &mut app,
        &source,
        Input::Resize {
            width: 160,
            height: 48,
        },
    );
    feed(&mut app, &source, Input::Tick { now_ms: T0_MS });
    let mut term = Terminal::new(TestBackend::new(160, 48)).unwrap();
    term.draw(|f| app.render(f)).unwrap();
    (start.elapsed(), app, source, term)
}

/// Mean and worst time of one frame: a selection move (loading the selected body) plus a draw.
fn frames(
    app: &mut App,
    source: &Synthetic,
    term: &mut Terminal<TestBackend>,
    iters: u32,
) -> (Duration, Duration) {
    // Warm up and move to the middle of the list so moves go both ways.
    for _ in 0..50 {
        feed(app, source, key('k'));
        term.draw(|f| app.render(f)).unwrap();
    }
    let mut worst = Duration::ZERO;
    let start = Instant::now();
    for i in 0..iters {
        let t = Instant::now();
        feed(app, source, key(if (i / 20) % 2 == 0 { 'k' } else { 'j' }));
        term.draw(|f| app.render(f)).unwrap();
        black_box(term.backend().buffer().area);
        worst = worst.max(t.elapsed());
    }
    (start.elapsed() / iters, worst)
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs this once quickly.
    let quick = !std::env::args().any(|a| a == "--bench");
    let iters = if quick { 20 } else { 2000 };

    let mut results = Vec::new();
    for n in [100u64, 100_000] {
        let (boot, mut app, source, mut term) = startup(n);
        let (mean, worst) = frames(&mut app, &source, &mut term, iters);
        // The same frame with the filter active on every row field.
        feed(&mut app, &source, key('/'));
        for c in "post stripe".chars() {
            feed(&mut app, &source, key(c));
        }
        feed(
            &mut app,
            &source,
            Input::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
        );
        let (fmean, _) = frames(&mut app, &source, &mut term, iters / 4);
        println!(
            "{n:>7} deliveries: start-up to first frame {}, frame mean {} (worst {}), filtered frame mean {}",
            ms(boot),
            ms(mean),
            ms(worst),
            ms(fmean)
        );
        results.push((n, boot, mean));
    }
    let ratio = results[1].2.as_secs_f64() / results[0].2.as_secs_f64();
    println!(
        "frame ratio 100,000 / 100 = {ratio:.2} (target ≤ 1.2); each under 2 ms: {}; start-up with 100,000 under 300 ms: {}",
        results.iter().all(|r| r.2 < Duration::from_millis(2)),
        results[1].1 < Duration::from_millis(300)
    );

    sqlite_store();

    big_body();

    // Filtering 100,000 rows on every keystroke.
    let (_, mut app, source, _) = startup(100_000);
    let t = Instant::now();
    for c in "/failed zoom".chars() {
        feed(&mut app, &source, key(c));
    }
    println!(
        "filter '/failed zoom' typed over 100,000 rows: {} per keystroke, {} matches",
        ms(t.elapsed() / 12),
        app.visible_len()
    );
}

/// A 10 MiB body: the first Body-tab frame, a jump to its end in the raw view (indexes every
/// wrapped row once), and a jump to the end of the hex view (computed on demand).
fn big_body() {
    struct One(Delivery);
    impl DeliverySource for One {
        fn summaries(&self) -> anyhow::Result<Vec<Summary>> {
            Ok(vec![Summary::of(
                &self.0,
                &hookscope::verify::Verification::no_provider(),
            )])
        }
        fn get(&self, _: u64) -> anyhow::Result<Option<Delivery>> {
            Ok(Some(self.0.clone()))
        }
    }
    let mut d = Synthetic { n: 1 }.delivery(1);
    let body: Vec<u8> = (0..10 * 1024 * 1024u32)
        .map(|i| {
            if i % 1500 == 0 {
                b'\n'
            } else {
                b'a' + (i % 26) as u8
            }
        })
        .collect();
    d.body_size = body.len() as u64;
    d.body = Bytes::from(body);
    let source = One(d);
    let mut app = App::new(
        opts(),
        Checker::builtin(),
        KeyMap::default(),
        Theme::default(),
        source.summaries().unwrap(),
    );
    let mut term = Terminal::new(TestBackend::new(160, 48)).unwrap();
    feed(
        &mut app,
        &source,
        Input::Resize {
            width: 160,
            height: 48,
        },
    );
    let t = Instant::now();
    feed(&mut app, &source, key('3'));
    term.draw(|f| app.render(f)).unwrap();
    let first = t.elapsed();
    feed(
        &mut app,
        &source,
        Input::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
    );
    let t = Instant::now();
    feed(&mut app, &source, key('G'));
    term.draw(|f| app.render(f)).unwrap();
    let end = t.elapsed();
    let t = Instant::now();
    term.draw(|f| app.render(f)).unwrap();
    let after = t.elapsed();
    for _ in 0..3 {
        feed(&mut app, &source, key('v'));
    }
    let t = Instant::now();
    feed(&mut app, &source, key('G'));
    term.draw(|f| app.render(f)).unwrap();
    let hex = t.elapsed();
    println!(
        "10 MiB body: first raw frame {}, jump to the end (raw, indexes all rows once) {}, next frame {}, hex jump to the end {}",
        ms(first),
        ms(end),
        ms(after),
        ms(hex)
    );
}

/// The same start-up and frames with the real SQLite store: 100,000 deliveries imported into a
/// temp dir, the store reopened (as `hookscope` does at start), rows read, first frame drawn.
fn sqlite_store() {
    use hookscope::store::Store;
    let dir = tempfile::tempdir().unwrap();
    let n = 100_000u64;
    let synthetic = Synthetic { n };
    {
        let store = Store::open(dir.path()).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        for chunk in (1..=n).collect::<Vec<_>>().chunks(10_000) {
            let rows = chunk
                .iter()
                .map(|id| {
                    let mut d = synthetic.delivery(*id);
                    d.id = 0;
                    let provider = PROVIDERS[(id % 4) as usize].to_string();
                    (d, Verdict::Failed, Some(provider))
                })
                .collect();
            rt.block_on(store.import(rows)).unwrap();
        }
    }
    let start = Instant::now();
    let store = Store::open(dir.path()).unwrap();
    let rows = DeliverySource::summaries(&store).unwrap();
    let mut app = App::new(
        opts(),
        Checker::builtin(),
        KeyMap::default(),
        Theme::default(),
        rows,
    );
    feed(
        &mut app,
        &store,
        Input::Resize {
            width: 160,
            height: 48,
        },
    );
    feed(&mut app, &store, Input::Tick { now_ms: T0_MS });
    let mut term = Terminal::new(TestBackend::new(160, 48)).unwrap();
    term.draw(|f| app.render(f)).unwrap();
    let boot = start.elapsed();
    let iters = 500;
    let t = Instant::now();
    for i in 0..iters {
        feed(
            &mut app,
            &store,
            key(if (i / 20) % 2 == 0 { 'k' } else { 'j' }),
        );
        term.draw(|f| app.render(f)).unwrap();
    }
    println!(
        "SQLite store, {n} deliveries: reopen + rows + first frame {}, frame mean (selection move loads the body from the store) {}",
        ms(boot),
        ms(t.elapsed() / iters)
    );
}
