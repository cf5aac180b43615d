//! The real event loop in a pseudo-terminal: `run_dashboard` draws stored and live deliveries,
//! reacts to keys, and restores the terminal on quit, on SIGTERM and on a panic.
//!
//! The dashboard runs in a child process: this test binary re-run with `--ignored --exact
//! pty_child` and `HOOKSCOPE_PTY_CHILD` naming the scenario.

mod common;

use common::*;
use hookscope::delivery::{Delivery, Summary};
use hookscope::event::{Captured, Event};
use hookscope::listing::{ListRequest, ListWindow};
use hookscope::store::Store;
use hookscope::tui::filter::Query;
use hookscope::tui::{DashboardOptions, DeliverySource, run_dashboard};
use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

const ROWS: u16 = 30;
const COLS: u16 = 120;

/// A store whose loads panic (the panic scenario).
struct Panicking(Store);

impl DeliverySource for Panicking {
    fn window(&self, req: &ListRequest) -> anyhow::Result<ListWindow> {
        DeliverySource::window(&self.0, req)
    }
    fn get(&self, _: u64) -> anyhow::Result<Option<Delivery>> {
        panic!("boom: the store exploded");
    }
    fn replays_of(&self, id: u64) -> anyhow::Result<Vec<Summary>> {
        DeliverySource::replays_of(&self.0, id)
    }
    fn matching_ids(&self, q: Option<&Query>, newest_first: bool) -> anyhow::Result<Vec<u64>> {
        DeliverySource::matching_ids(&self.0, q, newest_first)
    }
    fn data_version(&self) -> anyhow::Result<i64> {
        DeliverySource::data_version(&self.0)
    }
    fn delete(&mut self, id: u64) -> anyhow::Result<bool> {
        DeliverySource::delete(&mut self.0, id)
    }
    fn clear(&mut self) -> anyhow::Result<u64> {
        DeliverySource::clear(&mut self.0)
    }
    fn store(&self) -> Option<Store> {
        None
    }
}

/// The child side: run the dashboard on the pty.
#[test]
#[ignore = "child process of the pty tests"]
fn pty_child() {
    let scenario = std::env::var("HOOKSCOPE_PTY_CHILD").expect("run by the pty tests");
    let all = deliveries();
    let checker = checker();
    let store = Store::in_memory().unwrap();
    for d in &all[..5] {
        store_judged(&store, d, &checker);
    }
    let live_store = store.clone();
    let (tx, rx) = tokio::sync::broadcast::channel(16);
    // Two deliveries arrive live, once the dashboard is up.
    let live: Vec<Delivery> = all[5..].to_vec();
    let c2 = checker.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(700));
        for d in live {
            // Committed first, as capture does, then broadcast.
            store_judged(&live_store, &d, &c2);
            let verification = c2.check(&d, d.received_at_ms / 1000);
            let _ = tx.send(Event::Delivery(Arc::new(Captured {
                delivery: d,
                verification,
            })));
        }
        std::thread::sleep(Duration::from_secs(60));
        drop(tx);
    });
    let opts = DashboardOptions {
        listen_url: "http://127.0.0.1:4545".into(),
        forward: None,
        non_loopback: false,
        theme: Some("high-contrast".into()),
        keys: Default::default(),
        time_zone: Some(jiff::tz::TimeZone::UTC),
        ..Default::default()
    };
    let source: Box<dyn DeliverySource> = if scenario == "panic" {
        Box::new(Panicking(store))
    } else {
        Box::new(store)
    };
    run_dashboard(opts, source, rx, checker).unwrap();
    println!("DASHBOARD-RETURNED");
}

struct Pty {
    parser: vt100::Parser,
    out: mpsc::Receiver<Vec<u8>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    raw: Vec<u8>,
}

impl Pty {
    fn spawn(scenario: &str) -> Pty {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new(std::env::current_exe().unwrap());
        cmd.args([
            "--ignored",
            "--exact",
            "pty_child",
            "--nocapture",
            "--test-threads=1",
        ]);
        cmd.env("HOOKSCOPE_PTY_CHILD", scenario);
        cmd.env("TERM", "xterm-256color");
        cmd.env("RUST_BACKTRACE", "0");
        cmd.env_remove("NO_COLOR");
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        let writer = pair.master.take_writer().unwrap();
        let (tx, out) = mpsc::channel();
        std::thread::spawn(move || {
            let _keep = pair.master;
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        Pty {
            parser: vt100::Parser::new(ROWS, COLS, 0),
            out,
            writer,
            child,
            raw: Vec::new(),
        }
    }

    fn pump(&mut self, wait: Duration) {
        if let Ok(b) = self.out.recv_timeout(wait) {
            self.parser.process(&b);
            self.raw.extend(b);
        }
        while let Ok(b) = self.out.try_recv() {
            self.parser.process(&b);
            self.raw.extend(b);
        }
    }

    fn screen(&self) -> String {
        self.parser.screen().contents()
    }

    /// Wait until the screen satisfies `pred`.
    fn wait_for(&mut self, what: &str, pred: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            self.pump(Duration::from_millis(50));
            if pred(&self.screen()) {
                return;
            }
        }
        panic!("timed out waiting for {what}; screen:\n{}", self.screen());
    }

    fn send(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).unwrap();
        self.writer.flush().unwrap();
    }

    /// Wait for the child to exit, collecting output.
    fn finish(&mut self) -> portable_pty::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            self.pump(Duration::from_millis(50));
            if let Some(status) = self.child.try_wait().unwrap() {
                // Drain what is left.
                for _ in 0..5 {
                    self.pump(Duration::from_millis(50));
                }
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the dashboard did not exit; screen:\n{}",
                self.screen()
            );
        }
    }

    fn assert_restored(&self) {
        let s = self.parser.screen();
        assert!(!s.alternate_screen(), "still on the alternate screen");
        assert_eq!(
            s.mouse_protocol_mode(),
            vt100::MouseProtocolMode::None,
            "mouse capture left on"
        );
        assert!(!s.hide_cursor(), "cursor left hidden");
    }
}

fn row_with<'a>(screen: &'a str, needle: &str) -> Option<&'a str> {
    screen.lines().find(|l| l.contains(needle))
}

#[test]
fn dashboard_in_a_pty_shows_rows_live_and_quits_cleanly() {
    let mut pty = Pty::spawn("normal");
    pty.wait_for("the stored rows", |s| {
        row_with(s, "/hooks/zoom").is_some_and(|l| l.contains('✗'))
            && row_with(s, "/hooks/github").is_some_and(|l| l.contains('✓'))
    });
    assert!(pty.parser.screen().alternate_screen());
    pty.wait_for("the live rows", |s| {
        s.contains("/webhooks/std") && s.contains("7 · 3 failing")
    });
    // Follow mode selected the newest; go to the zoom row (#2) and open its Signature tab.
    pty.send(b"g");
    pty.send(b"j");
    pty.send(b"\r");
    pty.send(b"4");
    pty.wait_for("the Signature tab of #2", |s| {
        s.contains("#2 POST /hooks/zoom") && s.contains("computed")
    });
    let screen = pty.screen();
    let computed = row_with(&screen, "computed").unwrap();
    assert!(computed.contains("v0="), "{computed}");
    pty.send(b"q");
    let status = pty.finish();
    assert!(status.success(), "exit {status:?}");
    pty.assert_restored();
    assert!(String::from_utf8_lossy(&pty.raw).contains("DASHBOARD-RETURNED"));
}

#[test]
fn sigterm_restores_the_terminal() {
    let mut pty = Pty::spawn("normal");
    pty.wait_for("the first frame", |s| s.contains("/hooks/zoom"));
    let pid = pty.child.process_id().unwrap();
    let ok = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
    let status = pty.finish();
    assert!(
        status.success(),
        "run_dashboard returns on SIGTERM; exit {status:?}"
    );
    pty.assert_restored();
    assert!(String::from_utf8_lossy(&pty.raw).contains("DASHBOARD-RETURNED"));
}

#[test]
fn a_panic_restores_the_terminal_before_the_message() {
    let mut pty = Pty::spawn("panic");
    let status = pty.finish();
    assert!(!status.success());
    pty.assert_restored();
    let raw = String::from_utf8_lossy(&pty.raw).to_string();
    let leave = raw.find("\x1b[?1049l").expect("alternate screen left");
    let msg = raw
        .find("boom: the store exploded")
        .expect("panic message printed");
    assert!(
        msg > leave,
        "the panic message must come after the terminal is restored"
    );
}
