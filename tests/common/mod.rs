//! Dashboard fixtures: real deliveries signed with the engine's `sign`, a fixed clock, fixed ids.

#![allow(dead_code)]

use bytes::Bytes;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use hookscope::checker::Checker;
use hookscope::config::Config;
use hookscope::delivery::{Delivery, ResponseRecord};
use hookscope::event::Captured;
use hookscope::providers::Registry;
use hookscope::secret::Secret;
use hookscope::sign::{SignOptions, sign};
use hookscope::store::Store;
use hookscope::tui::{App, AppOptions, DeliverySource, Effect, Input, KeyMap, Theme};
use jiff::tz::TimeZone;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::collections::BTreeMap;
use std::sync::Arc;

/// 2026-11-22T10:00:00Z.
pub const T0: i64 = 1_795_341_600;
/// The fixed "now" of the tests: 10:01:00.
pub const NOW_MS: i64 = (T0 + 60) * 1000;

pub const STRIPE_SECRET: &str = "whsec_test_4eC39HqLyjWDarjtT1zdp7dc";
pub const ZOOM_SECRET: &str = "zoom_secret_token_8Fq2";
pub const GITHUB_SECRET: &str = "gh-webhook-secret";
pub const STD_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// The checker of the tests: stripe, zoom and github secrets; none for standard-webhooks.
pub fn checker() -> Checker {
    let cfg = Config::parse(&format!(
        "[providers.stripe]\nsecrets = [\"{STRIPE_SECRET}\"]\n\
         [providers.zoom]\nsecrets = [\"{ZOOM_SECRET}\"]\n\
         [providers.github]\nsecrets = [\"{GITHUB_SECRET}\"]\n"
    ))
    .unwrap();
    Checker::from_config(&cfg, &[]).unwrap()
}

fn base(id: u64, at_secs: i64, method: &str, path: &str, ctype: &str, body: &[u8]) -> Delivery {
    Delivery {
        id,
        received_at_ms: at_secs * 1000 + 123,
        method: method.into(),
        path: path.into(),
        query: String::new(),
        headers: vec![
            ("host".into(), b"127.0.0.1:4545".to_vec()),
            ("user-agent".into(), b"fixture/1.0".to_vec()),
            ("content-type".into(), ctype.as_bytes().to_vec()),
        ],
        body: Bytes::copy_from_slice(body),
        body_size: body.len() as u64,
        peer: Some("127.0.0.1:50312".into()),
        rejected: None,
        response: Some(ResponseRecord {
            status: 200,
            source: "app".into(),
            latency_ms: Some(12),
            ..ResponseRecord::default()
        }),
        replay_of: None,
    }
}

/// Sign `d` as `provider` with `secret` at `ts` and add the headers.
fn signed(mut d: Delivery, provider: &str, secret: &str, ts: i64) -> Delivery {
    let reg = Registry::builtin();
    let p = reg.get(provider).unwrap();
    let opts = SignOptions {
        timestamp: ts,
        id: Some("msg_2Kq8fixture".into()),
        ..SignOptions::default()
    };
    let s = sign(&d, p, &Secret::new(secret), &opts).unwrap();
    for (n, v) in s.headers {
        d.headers.push((n.to_ascii_lowercase(), v.into_bytes()));
    }
    d
}

const STRIPE_BODY: &str = r#"{"id":"evt_1QxFixture","object":"event","type":"invoice.paid","data":{"object":{"id":"in_1","amount_paid":2000,"currency":"usd"}}}"#;

/// Seven deliveries: ✓ stripe, ✗ zoom (body re-serialized after signing), ? no provider (form),
/// ✓ github, ✗ stripe (stale: 10 minutes old), ✗ stripe (signed with another secret),
/// ? standard-webhooks (no secret configured).
pub fn deliveries() -> Vec<Delivery> {
    let mut out = Vec::new();
    out.push(signed(
        base(
            1,
            T0 + 1,
            "POST",
            "/hooks/stripe",
            "application/json",
            STRIPE_BODY.as_bytes(),
        ),
        "stripe",
        STRIPE_SECRET,
        T0 - 1,
    ));

    let compact = r#"{"event":"meeting.started","event_ts":1795341604000,"payload":{"account_id":"AAbbCC","object":{"id":"85012345678","topic":"Weekly sync"}}}"#;
    let zoom = signed(
        base(
            2,
            T0 + 5,
            "POST",
            "/hooks/zoom",
            "application/json; charset=utf-8",
            compact.as_bytes(),
        ),
        "zoom",
        ZOOM_SECRET,
        T0 + 4,
    );
    let pretty =
        serde_json::to_string_pretty(&serde_json::from_str::<serde_json::Value>(compact).unwrap())
            .unwrap()
            + "\n";
    let mut zoom = Delivery {
        body: Bytes::from(pretty.clone()),
        body_size: pretty.len() as u64,
        ..zoom
    };
    zoom.response.as_mut().unwrap().status = 401;
    zoom.response.as_mut().unwrap().body = "{\"error\":\"bad signature\"}".into();
    out.push(zoom);

    let form = b"event=ping&name=J%C3%BCrgen&note=caf\xc3\xa9+ok&tab=a%09b\r\n";
    out.push(base(
        3,
        T0 + 9,
        "PUT",
        "/health",
        "application/x-www-form-urlencoded",
        form,
    ));

    out.push(signed(
        base(
            4,
            T0 + 12,
            "POST",
            "/hooks/github",
            "application/json",
            br#"{"action":"opened","number":42}"#,
        ),
        "github",
        GITHUB_SECRET,
        T0 + 12,
    ));
    out.push(signed(
        base(
            5,
            T0 + 20,
            "POST",
            "/hooks/stripe",
            "application/json",
            STRIPE_BODY.as_bytes(),
        ),
        "stripe",
        STRIPE_SECRET,
        T0 + 20 - 600,
    ));
    out.push(signed(
        base(
            6,
            T0 + 31,
            "POST",
            "/hooks/stripe",
            "application/json",
            STRIPE_BODY.as_bytes(),
        ),
        "stripe",
        "whsec_rotated_old_secret",
        T0 + 30,
    ));
    out.push(signed(
        base(
            7,
            T0 + 42,
            "POST",
            "/webhooks/std",
            "application/json",
            br#"{"type":"user.created","data":{"id":7}}"#,
        ),
        "standard-webhooks",
        STD_SECRET,
        T0 + 39,
    ));
    out
}

/// Run a store future on a small runtime (the harness is synchronous, like the dashboard's loop).
pub fn block<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

/// Store `d` as capture does: judged by `checker`, with that judgement's generation. The store
/// assigns the id (fixtures number their deliveries in the order they are stored).
pub fn store_judged(store: &Store, d: &Delivery, checker: &Checker) -> u64 {
    let v = checker.check_stored(d);
    block(store.insert_judged(d.clone(), checker.judgement(&v))).unwrap()
}

/// A dashboard in a test terminal, with a real (in-memory) store behind it.
pub struct Harness {
    pub app: App,
    pub source: Store,
    pub terminal: Terminal<TestBackend>,
    /// Effects the harness did not perform itself (copies, quit).
    pub effects: Vec<Effect>,
}

impl Harness {
    /// Stored deliveries `stored`, then `live` ones arriving through the event path.
    pub fn new(width: u16, height: u16, stored: &[Delivery], live: &[Delivery]) -> Harness {
        Harness::with_keys(width, height, stored, live, KeyMap::default())
    }

    pub fn with_keys(
        width: u16,
        height: u16,
        stored: &[Delivery],
        live: &[Delivery],
        keys: KeyMap,
    ) -> Harness {
        Harness::build(width, height, stored, live, keys, None)
    }

    /// Any fixture, with the `--keep` figure the header bar shows.
    pub fn build(
        width: u16,
        height: u16,
        stored: &[Delivery],
        live: &[Delivery],
        keys: KeyMap,
        keep: Option<u64>,
    ) -> Harness {
        let checker = checker();
        let source = Store::in_memory().unwrap();
        for d in stored {
            store_judged(&source, d, &checker);
        }
        let opts = AppOptions {
            listen_url: "http://127.0.0.1:4545".into(),
            attached: None,
            forward: Some("http://localhost:3000".into()),
            non_loopback: false,
            time_zone: TimeZone::UTC,
            keep,
        };
        let app = App::new(opts, checker.clone(), keys, Theme::default());
        let mut h = Harness {
            app,
            source,
            terminal: Terminal::new(TestBackend::new(width, height)).unwrap(),
            effects: Vec::new(),
        };
        h.input(Input::Resize { width, height });
        h.input(Input::Tick { now_ms: NOW_MS });
        for d in live {
            h.live(d);
        }
        h
    }

    /// A delivery arriving live, as capture delivers it: committed to the store, then broadcast.
    pub fn live(&mut self, d: &Delivery) -> Vec<Effect> {
        let checker = checker();
        store_judged(&self.source, d, &checker);
        let verification = checker.check_stored(d);
        self.input(Input::Delivery(Arc::new(Captured {
            delivery: d.clone(),
            verification,
        })))
    }

    /// Re-verify the store with `checker` as the loop's pass does, feeding its progress and the
    /// change back.
    pub fn reverify(&mut self, checker: Checker) {
        let (tx, rx) = std::sync::mpsc::channel();
        hookscope::reverify::Reverifier::start(self.source.clone(), checker, move |p| {
            let _ = tx.send(p);
        })
        .join();
        for p in rx.try_iter() {
            self.input(Input::Reverifying(p));
        }
        self.input(Input::StoreChanged);
    }

    /// The usual fixture: deliveries 1–3 stored, 4–7 arriving live.
    pub fn standard(width: u16, height: u16) -> Harness {
        let all = deliveries();
        Harness::new(width, height, &all[..3], &all[3..])
    }

    /// Feed an input and perform loads the way the event loop does.
    pub fn input(&mut self, input: Input) -> Vec<Effect> {
        let mut fx = self.app.update(input);
        let mut out = Vec::new();
        while !fx.is_empty() {
            let mut next = Vec::new();
            for e in fx {
                match e {
                    Effect::LoadDetail(id) => next.extend(self.app.update(Input::Detail {
                        id,
                        delivery: self.source.get(id).unwrap().map(Box::new),
                        replays: self.source.replays_of(id).unwrap(),
                    })),
                    Effect::LoadDiff { left, right } => {
                        let rows = hookscope::tui::diff_pane::compare_stored(
                            &self.source,
                            self.app.checker(),
                            left,
                            right,
                        );
                        next.extend(self.app.update(Input::DiffLoaded { left, right, rows }))
                    }
                    Effect::FindTwin(q) => {
                        let twin = hookscope::tui::twin::find(&self.source, &q).unwrap();
                        next.extend(self.app.update(Input::Twin { id: q.id, twin }));
                    }
                    Effect::Query(req) => {
                        let w = self.source.window(&req).unwrap();
                        next.extend(self.app.update(Input::Window(Box::new(w))));
                    }
                    other => {
                        // The store side of history management, as the loop does it.
                        let answer = match &other {
                            Effect::Delete(id) => Some(Input::Deleted {
                                id: *id,
                                result: DeliverySource::delete(&mut self.source, *id)
                                    .map_err(|e| e.to_string()),
                            }),
                            Effect::Clear => Some(Input::Cleared(
                                DeliverySource::clear(&mut self.source).map_err(|e| e.to_string()),
                            )),
                            _ => None,
                        };
                        out.push(other.clone());
                        self.effects.push(other);
                        if let Some(answer) = answer {
                            next.extend(self.app.update(answer));
                            next.extend(self.app.update(Input::StoreChanged));
                        }
                    }
                }
            }
            fx = next;
        }
        out
    }

    pub fn key(&mut self, code: KeyCode) -> Vec<Effect> {
        self.input(Input::Key(KeyEvent::new(code, KeyModifiers::NONE)))
    }

    pub fn ch(&mut self, c: char) -> Vec<Effect> {
        let mods = if c.is_ascii_uppercase() {
            KeyModifiers::SHIFT
        } else {
            KeyModifiers::NONE
        };
        self.input(Input::Key(KeyEvent::new(KeyCode::Char(c), mods)))
    }

    pub fn ctrl(&mut self, c: char) -> Vec<Effect> {
        self.input(Input::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::CONTROL,
        )))
    }

    pub fn typed(&mut self, s: &str) {
        for c in s.chars() {
            self.ch(c);
        }
    }

    /// Select a delivery by id with `k`/`j`.
    pub fn select(&mut self, id: u64) {
        for _ in 0..200 {
            match self.app.selected() {
                Some(s) if s == id => return,
                Some(s) if s > id => self.ch('k'),
                _ => self.ch('j'),
            };
        }
        panic!("cannot select #{id}");
    }

    /// Draw and return the screen as text, one line per row.
    pub fn screen(&mut self) -> String {
        let app = &mut self.app;
        self.terminal
            .draw(|f| hookscope::tui::draw(app, f))
            .unwrap();
        let buf = self.terminal.backend().buffer();
        let mut out = String::new();
        for y in 0..buf.area.height {
            let mut line = String::new();
            let mut skip = 0;
            for x in 0..buf.area.width {
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                let sym = buf[(x, y)].symbol();
                line.push_str(sym);
                skip = unicode_width::UnicodeWidthStr::width(sym).saturating_sub(1);
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

/// Keys map overrides helper.
pub fn keys(pairs: &[(&str, &str)]) -> KeyMap {
    let m: BTreeMap<String, String> = pairs
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    KeyMap::new(&m).unwrap()
}
