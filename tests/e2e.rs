//! End to end: the real binary in a pseudo-terminal. A correctly signed and a tampered Zoom
//! delivery arrive over HTTP; the screen shows ✓ and ✗; the Signature tab shows the computed
//! signature; `q` quits cleanly and restores the terminal. A stale delivery replayed re-signed
//! with `R` to a real app that checks the signature shows the app's 202. A third test fixes a
//! wrong secret in the secrets pane with typed keys and sees ✗ become ✓ and the config file
//! saved (0600).

#[path = "support/pty.rs"]
mod pty;

use hmac::{Hmac, Mac};
use pty::Pty;

const SECRET: &str = "e2e-zoom-secret";

fn zoom_sig(ts: i64, body: &str) -> String {
    let mut m = Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    m.update(format!("v0:{ts}:{body}").as_bytes());
    format!("v0={}", hex::encode(m.finalize().into_bytes()))
}

fn post(url: &str, headers: &[(&str, String)], body: &str) -> u16 {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut rb = reqwest::Client::new().post(url).body(body.to_string());
        for (n, v) in headers {
            rb = rb.header(*n, v);
        }
        rb.send().await.unwrap().status().as_u16()
    })
}

/// The real binary's dashboard in a 160×45 pseudo-terminal, with its own config file and data
/// dir, listening on a free port.
struct Dashboard {
    _dir: tempfile::TempDir,
    config: std::path::PathBuf,
    data: std::path::PathBuf,
    term: Pty,
    /// The listener's URL, read from the header bar.
    base: String,
}

impl Dashboard {
    fn start(config_text: &str, extra_args: &[&str], extra_env: &[(&str, &str)]) -> Dashboard {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config.toml");
        std::fs::write(&config, config_text).unwrap();
        let data = dir.path().join("data");
        let mut args = vec!["--addr", "127.0.0.1:0"];
        args.extend_from_slice(extra_args);
        args.extend(["--config", config.to_str().unwrap()]);
        args.extend(["--data-dir", data.to_str().unwrap()]);
        let mut env = vec![
            ("XDG_CONFIG_HOME", dir.path().to_str().unwrap()),
            ("TZ", "UTC"),
        ];
        env.extend_from_slice(extra_env);
        let term = Pty::spawn(env!("CARGO_BIN_EXE_hookscope"), &args, &env, 160, 45);
        let base = term.listen_url(20);
        Dashboard {
            config: config.clone(),
            data: data.clone(),
            _dir: dir,
            term,
            base,
        }
    }
}

#[test]
fn dashboard_shows_verdicts_and_the_computed_signature() {
    let Dashboard {
        mut term,
        base,
        _dir: _keep_dir,
        ..
    } = Dashboard::start(
        &format!("[providers.zoom]\nsecrets = [\"{SECRET}\"]\n"),
        &[],
        &[],
    );

    let ts = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let body = r#"{"event":"meeting.started","payload":{"object":{"id":"e2e"}}}"#;
    let good = zoom_sig(ts, body);
    let headers = |sig: &str| {
        vec![
            ("x-zm-request-timestamp", ts.to_string()),
            ("x-zm-signature", sig.to_string()),
            ("content-type", "application/json".to_string()),
        ]
    };
    assert_eq!(
        post(&format!("{base}/hooks/zoom"), &headers(&good), body),
        200
    );
    let tampered = body.replace("e2e", "e2f");
    assert_eq!(
        post(&format!("{base}/hooks/zoom"), &headers(&good), &tampered),
        200
    );

    let screen = term.wait_for("a ✓ row and a ✗ row", 20, |s| {
        s.lines()
            .any(|l| l.contains("✓") && l.contains("/hooks/zoom"))
            && s.lines()
                .any(|l| l.contains("✗") && l.contains("/hooks/zoom"))
    });
    assert!(screen.contains("2 · 1 failing"), "{screen}");

    // Select the first (valid) delivery and open the Signature tab.
    term.send("g");
    term.send("4");
    let screen = term.wait_text("computed", 10);
    assert!(
        screen.contains(&good),
        "computed signature {good} not on screen:\n{screen}"
    );
    assert!(screen.contains("valid"), "{screen}");
    assert!(
        !screen.contains(SECRET),
        "the secret must never be on screen"
    );

    term.send("q");
    assert_eq!(term.wait_exit(10), 0);
    let raw = term.raw();
    assert!(
        raw.windows(8).any(|w| w == b"\x1b[?1049l"),
        "the alternate screen was left on quit"
    );
}

/// The app for the replay test: 202 to a fresh, valid zoom signature over the raw body, else 401.
async fn zoom_app(
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> axum::http::StatusCode {
    let h = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let ts = h("x-zm-request-timestamp");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let fresh = ts.parse::<i64>().is_ok_and(|t| (now - t).abs() <= 300);
    let body = std::str::from_utf8(&body).unwrap_or("");
    if fresh && h("x-zm-signature") == zoom_sig(ts.parse().unwrap_or(0), body) {
        axum::http::StatusCode::ACCEPTED
    } else {
        axum::http::StatusCode::UNAUTHORIZED
    }
}

#[test]
fn replay_re_signed_from_the_dashboard_shows_the_apps_answer() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let app_url = rt.block_on(async {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        let app = axum::Router::new().route("/hooks/zoom", axum::routing::post(zoom_app));
        tokio::spawn(async move { axum::serve(l, app).await.unwrap() });
        format!("http://{addr}")
    });
    let Dashboard {
        mut term,
        base,
        _dir: _keep_dir,
        ..
    } = Dashboard::start(
        &format!("[providers.zoom]\nsecrets = [\"{SECRET}\"]\n"),
        &["--forward", &app_url],
        &[("EDITOR", "")],
    );

    // A 10-minute-old delivery: valid signature, stale timestamp; the app refuses it (401).
    let ts = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        - 600;
    let body = r#"{"event":"meeting.started","payload":{"object":{"id":"replay"}}}"#;
    let headers = vec![
        ("x-zm-request-timestamp", ts.to_string()),
        ("x-zm-signature", zoom_sig(ts, body)),
        ("content-type", "application/json".to_string()),
    ];
    assert_eq!(post(&format!("{base}/hooks/zoom"), &headers, body), 401);
    term.wait_for("the delivery with the app's 401", 20, |s| {
        s.lines()
            .any(|l| l.contains("/hooks/zoom") && l.contains("401"))
    });

    // Open it, replay it re-signed: the app accepts the fresh signature.
    term.send("\r");
    term.send("R");
    let screen = term.wait_text("202 Accepted", 20);
    assert!(screen.contains("re-signed"), "{screen}");
    assert!(
        screen.contains("↻#1 /hooks/zoom"),
        "the replay is listed, linked to its original:\n{screen}"
    );
    assert!(
        !screen.contains(SECRET),
        "the secret must never be on screen"
    );

    term.send("q");
    assert_eq!(term.wait_exit(10), 0);
    drop(rt);
}

#[test]
fn fixing_the_secret_in_the_pane_turns_the_failure_green_and_saves_the_file() {
    let Dashboard {
        mut term,
        base,
        config,
        data,
        _dir: _keep_dir,
    } = Dashboard::start(
        "# e2e config\n[providers.zoom]\nsecrets = [\"wrong-zoom-secret\"]\n",
        &[],
        &[],
    );
    let ts = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let body = r#"{"event":"meeting.ended"}"#;
    let headers = vec![
        ("x-zm-request-timestamp", ts.to_string()),
        ("x-zm-signature", zoom_sig(ts, body)),
    ];
    assert_eq!(post(&format!("{base}/hooks/zoom"), &headers, body), 200);
    let screen = term.wait_for("a ✗ row", 20, |s| {
        s.lines()
            .any(|l| l.contains("✗") && l.contains("/hooks/zoom"))
    });
    assert!(screen.contains("1 · 1 failing"), "{screen}");

    // Open the pane, edit zoom's secret #1: clear it and type the right one.
    term.send("s");
    term.wait_text("secrets · saving re-verifies", 10);
    term.send("e");
    term.wait_text("secret #1 of zoom", 10);
    term.send("\x15");
    term.send(SECRET);
    term.send("\r");
    term.wait_text("zoom secret #1 set", 10);
    term.send("w");
    let screen = term.wait_for("the ✓ row and no failure", 20, |s| {
        s.contains("1 · 0 failing")
            && s.lines()
                .any(|l| l.contains("✓") && l.contains("/hooks/zoom"))
    });
    assert!(!screen.contains(SECRET), "the secret must not be on screen");
    assert!(
        screen.contains("secrets saved to") || screen.contains("re-verified 1 deliveries"),
        "{screen}"
    );

    let text = std::fs::read_to_string(&config).unwrap();
    assert!(
        text.contains(&format!("secrets = [\"{SECRET}\"]")),
        "{text}"
    );
    assert!(text.contains("# e2e config"), "{text}");
    assert!(!text.contains("wrong-zoom-secret"), "{text}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&config).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    term.send("\x1b");
    term.send("q");
    assert_eq!(term.wait_exit(10), 0);
    // The stored verdict was rewritten: a restart shows ✓ too.
    let store = hookscope::store::Store::open(&data).unwrap();
    assert_eq!(
        store.summaries().unwrap()[0].verdict,
        hookscope::verify::Verdict::Verified
    );
}

#[test]
fn a_restart_and_a_config_edit_rejudge_stored_deliveries_without_opening_them() {
    let Dashboard {
        mut term,
        base,
        config,
        data,
        _dir: keep_dir,
    } = Dashboard::start(
        "[providers.zoom]\nsecrets = [\"wrong-zoom-secret\"]\n",
        &[],
        &[],
    );
    let ts = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let body = r#"{"event":"meeting.started"}"#;
    let headers = vec![
        ("x-zm-request-timestamp", ts.to_string()),
        ("x-zm-signature", zoom_sig(ts, body)),
    ];
    assert_eq!(post(&format!("{base}/hooks/zoom"), &headers, body), 200);
    term.wait_for("1 · 1 failing", 20, |s| s.contains("1 · 1 failing"));
    term.send("q");
    assert_eq!(term.wait_exit(10), 0);

    // Fix the secret in the file and restart on the same data dir: the row turns ✓ by itself.
    std::fs::write(
        &config,
        format!("[providers.zoom]\nsecrets = [\"{SECRET}\"]\n"),
    )
    .unwrap();
    let args = [
        "--addr",
        "127.0.0.1:0",
        "--config",
        config.to_str().unwrap(),
        "--data-dir",
        data.to_str().unwrap(),
    ];
    let env = [
        ("XDG_CONFIG_HOME", keep_dir.path().to_str().unwrap()),
        ("TZ", "UTC"),
    ];
    let mut term = Pty::spawn(env!("CARGO_BIN_EXE_hookscope"), &args, &env, 160, 45);
    let screen = term.wait_for("the stored row re-judged ✓", 20, |s| {
        s.contains("1 · 0 failing")
            && s.lines()
                .any(|l| l.contains('✓') && l.contains("/hooks/zoom"))
    });
    assert!(!screen.contains(SECRET));

    // Break the secret again while the dashboard runs: the watcher reloads, says so, re-judges.
    std::fs::write(&config, "[providers.zoom]\nsecrets = [\"wrong-again\"]\n").unwrap();
    let screen = term.wait_for("the config change re-judged ✗", 20, |s| {
        s.contains("1 · 1 failing")
            && s.lines()
                .any(|l| l.contains('✗') && l.contains("/hooks/zoom"))
    });
    assert!(
        screen.contains("config file changed") || screen.contains("re-verified 1 deliveries"),
        "{screen}"
    );
    term.send("q");
    assert_eq!(term.wait_exit(10), 0);
}
