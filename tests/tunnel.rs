//! `--tunnel` end to end: a real bore server (the `bore-cli` crate's own server) on a loopback
//! address, the real binary headless, deliveries through the tunnel's public address; the
//! tunnel dying and coming back; a missing tunnel binary; a `cmd:` tunnel and its process
//! group after SIGTERM; `hookscope setup`.
//!
//! bore's control port is fixed (7835), so each test runs its server on its own address in
//! 127.0.0.0/8.

mod listener;
use listener as common;
#[path = "support/pty.rs"]
mod pty;

use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A bore server on `ip` (control port 7835, public ports on the same address), on a runtime
/// of its own: dropping it closes every connection, as a server that dies would.
struct BoreServer {
    runtime: Option<tokio::runtime::Runtime>,
}

impl BoreServer {
    fn start(ip: &str) -> BoreServer {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let addr: std::net::IpAddr = ip.parse().unwrap();
        let mut server = bore_cli::server::Server::new(20_000..=60_000, None);
        server.set_bind_addr(addr);
        server.set_bind_tunnels(addr);
        runtime.spawn(async move {
            if let Err(e) = server.listen().await {
                eprintln!("bore server: {e:#}");
            }
        });
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect((addr, 7835)).is_err() {
            assert!(Instant::now() < deadline, "the bore server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        BoreServer {
            runtime: Some(runtime),
        }
    }
}

impl Drop for BoreServer {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_timeout(Duration::from_secs(2));
        }
    }
}

/// The headless binary with its stdout lines on a channel; killed when dropped.
struct Headless {
    child: Child,
    lines: mpsc::Receiver<String>,
    stderr: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Headless {
    fn start(
        config: &str,
        extra: &[&str],
        path: Option<&std::path::Path>,
    ) -> (Headless, tempfile::TempDir) {
        Headless::start_in(config, extra, path, false)
    }

    /// With `stored`, the data directory is `DIR/data` (else `--no-store`).
    fn start_in(
        config: &str,
        extra: &[&str],
        path: Option<&std::path::Path>,
        stored: bool,
    ) -> (Headless, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let cfg = dir.path().join("config.toml");
        std::fs::write(&cfg, config).unwrap();
        let data = dir.path().join("data");
        let mut cmd = common::headless_command(&cfg, stored.then_some(data.as_path()));
        cmd.args(extra)
            .stderr(Stdio::piped())
            .env_remove("BORE_SECRET");
        if let Some(p) = path {
            cmd.env("PATH", p);
        }
        let mut child = cmd.spawn().unwrap();
        let (tx, rx) = mpsc::channel();
        let out = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { return };
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        let stderr = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let err = child.stderr.take().unwrap();
        let keep = stderr.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines() {
                let Ok(line) = line else { return };
                let mut s = keep.lock().unwrap();
                s.push_str(&line);
                s.push('\n');
            }
        });
        (
            Headless {
                child,
                lines: rx,
                stderr,
            },
            dir,
        )
    }

    /// The next JSON line, within `secs`.
    fn next(&self, secs: u64) -> Value {
        let line = self
            .lines
            .recv_timeout(Duration::from_secs(secs))
            .unwrap_or_else(|_| panic!("no line within {secs}s; stderr: {}", self.stderr()));
        serde_json::from_str(&line).unwrap()
    }

    /// Lines until one matches, within `secs`.
    fn until(&self, secs: u64, what: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = self.lines.recv_timeout(left).unwrap_or_else(|_| {
                panic!("no matching line within {secs}s; stderr: {}", self.stderr())
            });
            let v: Value = serde_json::from_str(&line).unwrap();
            if what(&v) {
                return v;
            }
        }
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    fn sigterm(&mut self) -> std::process::ExitStatus {
        // SAFETY: kill(2) on the child's pid; no memory is involved.
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "hookscope did not exit after SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Headless {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Twilio's signature for a form POST: base64 HMAC-SHA1 of the URL + sorted `key value` pairs.
fn twilio_signature(token: &str, url: &str, params: &[(&str, &str)]) -> String {
    let mut sorted = params.to_vec();
    sorted.sort();
    let mut msg = url.to_string();
    for (k, v) in sorted {
        msg.push_str(k);
        msg.push_str(v);
    }
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(token.as_bytes()).unwrap();
    mac.update(msg.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[test]
fn zoom_and_twilio_verify_through_a_bore_tunnel_without_public_url() {
    let _server = BoreServer::start("127.0.0.71");
    let config = "[providers.zoom]\nsecrets = [\"zoomSecret\"]\n[providers.twilio]\nsecrets = [\"twilioToken\"]\n";
    let (h, _dir) = Headless::start(config, &["--tunnel", "bore:127.0.0.71"], None);
    let ready = h.next(30);
    assert_eq!(ready["type"], "ready");
    let public = ready["public_url"]
        .as_str()
        .expect("public_url in the ready line")
        .to_string();
    assert!(public.starts_with("http://127.0.0.71:"), "{public}");
    let local = ready["listen"].as_str().unwrap().to_string();
    let up = h.next(10);
    assert_eq!(
        (up["type"].as_str(), up["state"].as_str()),
        (Some("tunnel"), Some("up"))
    );
    assert_eq!(up["public_url"], public.as_str());

    let client = common::client();
    let rt = runtime();
    let ts = common::now();
    let body = br#"{"event":"meeting.started","payload":{"object":{"id":"1"}}}"#;
    let zoom = rt
        .block_on(async {
            client
                .post(format!("{public}/hooks/zoom"))
                .header("x-zm-request-timestamp", ts.to_string())
                .header(
                    "x-zm-signature",
                    common::zoom_signature("zoomSecret", ts, body),
                )
                .body(&body[..])
                .send()
                .await
        })
        .unwrap();
    assert_eq!(zoom.status(), 200);
    let d = h.until(10, |v| v["type"] == "delivery");
    assert_eq!(
        (d["provider"].as_str(), d["verdict"].as_str()),
        (Some("zoom"), Some("verified")),
        "{d}"
    );

    // Twilio signs the public URL. The request reaches the listener with the Host a tunnel
    // that rewrites it would send (the local address), so only the tunnel's URL can verify it.
    let url = format!("{public}/hooks/twilio");
    let params = [
        ("Body", "hello"),
        ("From", "+15550001111"),
        ("To", "+15550002222"),
    ];
    let sig = twilio_signature("twilioToken", &url, &params);
    let form: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish();
    let twilio = rt
        .block_on(async {
            client
                .post(&url)
                .header("host", local.trim_start_matches("http://"))
                .header("content-type", "application/x-www-form-urlencoded")
                .header("x-twilio-signature", sig)
                .body(form)
                .send()
                .await
        })
        .unwrap();
    assert_eq!(twilio.status(), 200);
    let d = h.until(10, |v| v["type"] == "delivery");
    assert_eq!(
        (d["provider"].as_str(), d["verdict"].as_str()),
        (Some("twilio"), Some("verified")),
        "{d}"
    );
}

#[test]
fn a_dead_bore_server_means_down_then_up_again_when_it_returns() {
    let server = BoreServer::start("127.0.0.72");
    let (h, _dir) = Headless::start("", &["--tunnel", "bore:127.0.0.72"], None);
    let ready = h.next(30);
    assert!(ready["public_url"].as_str().is_some(), "{ready}");
    h.until(10, |v| v["type"] == "tunnel" && v["state"] == "up");
    drop(server);
    let down = h.until(15, |v| v["type"] == "tunnel" && v["state"] == "down");
    assert!(down["message"].as_str().unwrap().contains("bore"), "{down}");
    assert!(down["retry_in_secs"].as_u64().is_some(), "{down}");
    assert_eq!(down["public_url"], Value::Null);
    let _server = BoreServer::start("127.0.0.72");
    let up = h.until(40, |v| v["type"] == "tunnel" && v["state"] == "up");
    let public = up["public_url"].as_str().unwrap().to_string();
    let rt = runtime();
    let r = rt
        .block_on(async {
            common::client()
                .post(format!("{public}/after"))
                .body("x")
                .send()
                .await
        })
        .unwrap();
    assert_eq!(r.status(), 200);
    let d = h.until(10, |v| v["type"] == "delivery");
    assert_eq!(d["path"], "/after");
}

#[test]
fn a_missing_tunnel_binary_is_one_sentence_and_the_listener_serves() {
    let empty = tempfile::tempdir().unwrap();
    let (h, _dir) = Headless::start("", &["--tunnel", "cloudflared"], Some(empty.path()));
    let ready = h.next(30);
    assert_eq!(ready["public_url"], Value::Null, "{ready}");
    let failed = h.next(10);
    assert_eq!(
        (failed["type"].as_str(), failed["state"].as_str()),
        (Some("tunnel"), Some("failed"))
    );
    let sentence = "cloudflared is not on PATH; install it or use --tunnel bore";
    assert_eq!(failed["message"], sentence);
    let listen = ready["listen"].as_str().unwrap().to_string();
    let rt = runtime();
    let r = rt
        .block_on(async {
            common::client()
                .post(format!("{listen}/still"))
                .body("x")
                .send()
                .await
        })
        .unwrap();
    assert_eq!(r.status(), 200);
    let d = h.next(10);
    assert_eq!(
        (d["type"].as_str(), d["path"].as_str()),
        (Some("delivery"), Some("/still"))
    );
    let err = h.stderr();
    assert_eq!(err.trim(), format!("hookscope: {sentence}"), "{err}");
}

/// Whether a process is gone (or a zombie nobody has reaped yet).
fn gone(pid: &str) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit(')')
            .next()
            .is_some_and(|rest| rest.trim_start().starts_with('Z')),
    }
}

#[test]
fn a_cmd_tunnel_gives_its_url_and_its_processes_end_with_hookscope() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("tunnel.sh");
    let pids = dir.path().join("pids");
    std::fs::write(
        &script,
        format!(
            "echo \"$1\" > {pids}.port\nsleep 300 &\necho \"$$ $!\" > {pids}\necho 'starting up…'\necho 'your tunnel: https://demo.tunnel.test (TLS)'\nwait\n",
            pids = pids.display()
        ),
    )
    .unwrap();
    let arg = format!("cmd:sh {} {{port}}", script.display());
    let (mut h, _cfg) = Headless::start(
        "[providers.zoom]\nsecrets = [\"s\"]\n",
        &["--tunnel", &arg],
        None,
    );
    let ready = h.next(30);
    assert_eq!(ready["public_url"], "https://demo.tunnel.test", "{ready}");
    let port = ready["listen"]
        .as_str()
        .unwrap()
        .rsplit(':')
        .next()
        .unwrap()
        .to_string();
    let up = h.next(10);
    assert_eq!(
        (up["state"].as_str(), up.get("warning")),
        (Some("up"), None),
        "{up}"
    );
    assert_eq!(
        std::fs::read_to_string(format!("{}.port", pids.display()))
            .unwrap()
            .trim(),
        port
    );
    let text = std::fs::read_to_string(&pids).unwrap();
    let (shell, sleeper) = text.trim().split_once(' ').unwrap();
    assert!(!gone(shell) && !gone(sleeper));
    let status = h.sigterm();
    assert_eq!(status.code(), Some(0), "stderr: {}", h.stderr());
    let deadline = Instant::now() + Duration::from_secs(10);
    while !(gone(shell) && gone(sleeper)) {
        assert!(
            Instant::now() < deadline,
            "the tunnel's processes outlived hookscope"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_plain_http_tunnel_warns_for_https_only_providers() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("t.sh");
    std::fs::write(
        &script,
        "echo http://plain.tunnel.test:8080\nexec sleep 300\n",
    )
    .unwrap();
    let arg = format!("cmd:sh {}", script.display());
    let config = "[providers.zoom]\nsecrets = [\"s\"]\n";
    let (mut h, dir) = Headless::start_in(config, &["--tunnel", &arg], None, true);
    h.next(30);
    let up = h.next(10);
    let w = up["warning"].as_str().expect("an HTTPS warning");
    assert!(
        w.starts_with("zoom accepts only https:// endpoints; cmd gives http://"),
        "{w}"
    );
    assert!(w.contains("--tunnel cloudflared"), "{w}");
    // `hookscope setup` beside the running listener prints its tunnel's URL.
    let data = dir.path().join("data");
    let out = Command::new(env!("CARGO_BIN_EXE_hookscope"))
        .args(["setup", "zoom", "--config"])
        .arg(dir.path().join("config.toml"))
        .arg("--data-dir")
        .arg(&data)
        .output()
        .unwrap();
    let card = String::from_utf8(out.stdout).unwrap();
    assert!(
        card.contains("1 endpoint URL  http://plain.tunnel.test:8080/hooks/zoom"),
        "{card}"
    );
    assert!(
        card.contains("⚠ zoom accepts only https:// endpoints; cmd gives http://"),
        "{card}"
    );
    assert!(card.contains("configured: fp "), "{card}");
    assert_eq!(h.sigterm().code(), Some(0));
    assert!(
        !data.join("tunnel.json").exists(),
        "the state file outlived the run"
    );
}

fn setup(args: &[&str]) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.toml");
    std::fs::write(&cfg, "").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_hookscope"))
        .arg("setup")
        .args(args)
        .arg("--config")
        .arg(&cfg)
        .arg("--data-dir")
        .arg(dir.path())
        .env_remove("HOOKSCOPE_SECRET_ZOOM")
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn setup_zoom_prints_what_to_paste_where_and_warns_for_a_bore_url() {
    let (code, out, err) = setup(&[
        "zoom",
        "--public-url",
        "http://bore.pub:41234",
        "--tunnel",
        "bore",
    ]);
    assert_eq!(code, 0, "{err}");
    for want in [
        "Zoom — setting up a webhook endpoint for hookscope",
        "1 endpoint URL  http://bore.pub:41234/hooks/zoom",
        "Event notification endpoint URL",
        "⚠ zoom accepts only https:// endpoints; bore gives http:// — use --tunnel cloudflared, --tunnel ngrok or --tunnel ssh:nokey@localhost.run",
        "TLS, 1.2 or higher",
        "2 secret        Secret Token",
        "HOOKSCOPE_SECRET_ZOOM=…",
        "no secret configured",
        "3 handshake     Zoom sends endpoint.url_validation",
        "hookscope answers it (set the secret first",
        "4 first event   ",
        "meeting.started",
    ] {
        assert!(out.contains(want), "missing {want:?} in\n{out}");
    }
    let (code, out, _) = setup(&[
        "zoom",
        "--public-url",
        "https://a-b-c.trycloudflare.com",
        "--tunnel",
        "cloudflared",
    ]);
    assert_eq!(code, 0);
    assert!(
        out.contains("https://a-b-c.trycloudflare.com/hooks/zoom"),
        "{out}"
    );
    assert!(!out.contains('⚠'), "{out}");
    let (code, _, err) = setup(&["nope"]);
    assert_eq!(code, 2);
    assert_eq!(
        err.trim(),
        "hookscope: unknown provider \"nope\"; `hookscope providers` lists them"
    );
}

#[test]
fn the_dashboard_shows_the_tunnel_url_and_quitting_ends_the_tunnel() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("tunnel.sh");
    let pids = dir.path().join("pids");
    std::fs::write(
        &script,
        format!(
            "sleep 300 &\necho \"$$ $!\" > {}\necho 'up at https://dash.tunnel.test'\nwait\n",
            pids.display()
        ),
    )
    .unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "").unwrap();
    let data = dir.path().join("data");
    let arg = format!("cmd:sh {}", script.display());
    let args = [
        "--addr",
        "127.0.0.1:0",
        "--tunnel",
        &arg,
        "--config",
        config.to_str().unwrap(),
        "--data-dir",
        data.to_str().unwrap(),
    ];
    let env = [
        ("XDG_CONFIG_HOME", dir.path().to_str().unwrap()),
        ("TZ", "UTC"),
    ];
    let mut term = pty::Pty::spawn(env!("CARGO_BIN_EXE_hookscope"), &args, &env, 160, 30);
    let screen = term.wait_text("⇄ public https://dash.tunnel.test", 20);
    assert!(
        screen
            .lines()
            .next()
            .unwrap()
            .contains("listening http://127.0.0.1:"),
        "{screen}"
    );
    let text = std::fs::read_to_string(&pids).unwrap();
    let (shell, sleeper) = text.trim().split_once(' ').unwrap();
    term.send("q");
    assert_eq!(term.wait_exit(20), 0);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !(gone(shell) && gone(sleeper)) {
        assert!(
            Instant::now() < deadline,
            "the tunnel's processes outlived the dashboard"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_dashboard_panic_ends_the_tunnel_too() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("tunnel.sh");
    let pids = dir.path().join("pids");
    std::fs::write(
        &script,
        format!(
            "sleep 300 &\necho \"$$ $!\" > {}\necho 'up at https://dash.tunnel.test'\nwait\n",
            pids.display()
        ),
    )
    .unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "").unwrap();
    let data = dir.path().join("data");
    let arg = format!("cmd:sh {}", script.display());
    let args = [
        "--addr",
        "127.0.0.1:0",
        "--tunnel",
        &arg,
        "--config",
        config.to_str().unwrap(),
        "--data-dir",
        data.to_str().unwrap(),
    ];
    let env = [
        ("XDG_CONFIG_HOME", dir.path().to_str().unwrap()),
        ("HOOKSCOPE_TEST_PANIC", "tunnel"),
    ];
    let mut term = pty::Pty::spawn(env!("CARGO_BIN_EXE_hookscope"), &args, &env, 160, 30);
    assert_ne!(term.wait_exit(30), 0);
    let text = String::from_utf8_lossy(&term.raw()).to_string();
    assert!(
        text.contains("hookscope: crashed: HOOKSCOPE_TEST_PANIC is set"),
        "{text:?}"
    );
    let text = std::fs::read_to_string(&pids).unwrap();
    let (shell, sleeper) = text.trim().split_once(' ').unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !(gone(shell) && gone(sleeper)) {
        assert!(
            Instant::now() < deadline,
            "the tunnel's processes outlived the crash"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
