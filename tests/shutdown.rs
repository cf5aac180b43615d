//! Shutdown: SIGTERM and SIGINT end the headless listener and the dashboard with exit 0, every
//! acknowledged delivery committed and the terminal restored; a panic restores the terminal and
//! prints one line pointing at the log file.

mod listener;
#[path = "support/pty.rs"]
#[allow(dead_code)]
mod pty;

use listener::client;
use pty::Pty;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn kill(sig: &str, pid: u32) {
    let status = Command::new("kill")
        .args([sig, &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

fn post_all(base: &str, n: usize) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let http = client();
        let tasks: Vec<_> = (0..n)
            .map(|i| {
                let req = http.post(format!("{base}/s/{i}")).body(vec![b'x'; 4096]);
                tokio::spawn(async move { req.send().await.unwrap().status().as_u16() })
            })
            .collect();
        for t in tasks {
            assert_eq!(t.await.unwrap(), 200);
        }
    });
}

fn stored(data: &std::path::Path) -> u64 {
    hookscope::store::Store::open(data)
        .unwrap()
        .count()
        .unwrap()
}

#[test]
fn headless_exits_0_on_sigterm_and_sigint_with_everything_committed() {
    for sig in ["-TERM", "-INT"] {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let mut child = listener::headless_command(&dir.path().join("none.toml"), Some(&data))
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let ready: serde_json::Value =
            serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
        // Read the output meanwhile: a full pipe would block the printer.
        let printed = std::thread::spawn(move || lines.map_while(Result::ok).count());
        post_all(ready["listen"].as_str().unwrap(), 200);
        kill(sig, child.id());
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(0), "{sig}: {status:?}");
        assert_eq!(printed.join().unwrap(), 200, "{sig}");
        assert_eq!(stored(&data), 200, "{sig}");
    }
}

fn dashboard(data: &std::path::Path, env: &[(&str, &str)]) -> Pty {
    let config = data.with_file_name("none.toml");
    std::fs::write(&config, "").unwrap();
    Pty::spawn(
        env!("CARGO_BIN_EXE_hookscope"),
        &[
            "--addr",
            "127.0.0.1:0",
            "--config",
            config.to_str().unwrap(),
            "--data-dir",
            data.to_str().unwrap(),
        ],
        env,
        120,
        30,
    )
}

fn left_alternate_screen(raw: &[u8]) -> bool {
    raw.windows(8).any(|w| w == b"\x1b[?1049l")
}

#[test]
fn the_dashboard_exits_0_on_sigterm_and_sigint_and_restores_the_terminal() {
    for sig in ["-TERM", "-INT"] {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let term = dashboard(&data, &[("TZ", "UTC")]);
        let base = term.listen_url(20);
        post_all(&base, 50);
        term.wait_text("50 · 0 failing", 20);
        let mut term = term;
        kill(sig, term.pid());
        assert_eq!(term.wait_exit(20), 0, "{sig}");
        assert!(
            left_alternate_screen(&term.raw()),
            "{sig}: terminal not restored"
        );
        assert_eq!(stored(&data), 50, "{sig}");
    }
}

#[test]
fn a_panic_restores_the_terminal_and_prints_one_line_pointing_at_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut term = dashboard(&data, &[("HOOKSCOPE_TEST_PANIC", "1")]);
    let code = term.wait_exit(20);
    assert_ne!(code, 0);
    let raw = term.raw();
    assert!(left_alternate_screen(&raw), "terminal not restored");
    let text = String::from_utf8_lossy(&raw);
    let log = data.join("hookscope.log");
    let expected = format!(
        "hookscope: crashed: HOOKSCOPE_TEST_PANIC is set (details in {})",
        log.display()
    );
    assert_eq!(text.matches("hookscope: crashed:").count(), 1, "{text:?}");
    assert!(text.contains(&expected), "{text:?}");
    // Nothing else after the terminal is restored: no default panic message or backtrace.
    let after = &text[text.rfind("\x1b[?1049l").unwrap()..];
    assert!(!after.contains("panicked at"), "{after:?}");
    assert!(!after.contains("stack backtrace"), "{after:?}");
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(logged.contains("HOOKSCOPE_TEST_PANIC is set"), "{logged}");
    assert!(logged.contains("panic in thread main"), "{logged}");
}
