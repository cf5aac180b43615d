//! Secrets audit: with known secrets configured (config file and `HOOKSCOPE_SECRET_*`), run
//! capture (headless and the dashboard), `verify`, `sign` and `sign --send`, then search every
//! output, HTTP answer, the database files and the log for the secrets — in clear, hex and
//! base64. None may appear. Also: the config is written 0600, and a non-loopback bind needs an
//! explicit `--addr` and warns.

mod listener;
#[path = "support/pty.rs"]
mod pty;

use base64::Engine;
use listener::{client, now, zoom_signature};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Command, Output, Stdio};

const ZOOM: &str = "zoom-audit-secret-Kq7vX2mW";
const STRIPE: &str = "whsec_auditStripeSecret9Zp4Lr";
const ROTATED: &str = "zoom-rotated-old-secret-Ht3c";

/// Path, headers, body.
type Request = (&'static str, Vec<(&'static str, String)>, Vec<u8>);

/// Every form a secret could leak in.
fn forms() -> Vec<(String, Vec<u8>)> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut out = Vec::new();
    for s in [ZOOM, STRIPE, ROTATED] {
        out.push((format!("{s} (clear)"), s.as_bytes().to_vec()));
        out.push((format!("{s} (hex)"), hex::encode(s).into_bytes()));
        out.push((format!("{s} (base64)"), b64.encode(s).into_bytes()));
    }
    out
}

fn assert_clean(what: &str, bytes: &[u8]) {
    for (name, form) in forms() {
        assert!(
            !bytes.windows(form.len()).any(|w| w == &form[..]),
            "{name} found in {what}"
        );
    }
}

fn write_config(dir: &Path) -> std::path::PathBuf {
    let config = dir.join("config.toml");
    hookscope::config_write::write_config_atomically(
        &config,
        &format!("[providers.zoom]\nsecrets = [\"{ZOOM}\", \"{ROTATED}\"]\n"),
    )
    .unwrap();
    config
}

fn run(args: &[&str], config: &Path, home: &Path) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_hookscope"))
        .args(args)
        .arg("--config")
        .arg(config)
        .env("XDG_CONFIG_HOME", home)
        .env("HOOKSCOPE_SECRET_STRIPE", STRIPE)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_clean(&format!("stdout of {args:?}"), &out.stdout);
    assert_clean(&format!("stderr of {args:?}"), &out.stderr);
    out
}

#[test]
fn no_secret_reaches_output_store_or_logs() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let config = write_config(home);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&config).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "config mode {mode:o}");
    }
    let data = home.join("data");

    // Capture, headless.
    let mut child = listener::headless_command(&config, Some(&data))
        .arg("--include-body")
        .env("XDG_CONFIG_HOME", home)
        .env("HOOKSCOPE_SECRET_STRIPE", STRIPE)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut ready = String::new();
    stdout.read_line(&mut ready).unwrap();
    let ready: serde_json::Value = serde_json::from_str(&ready).unwrap();
    let base = ready["listen"].as_str().unwrap().to_string();
    let ts = now();
    let body = br#"{"event":"meeting.started","payload":{"id":"audit"}}"#;
    let stripe_sig = |secret: &str| {
        let mut msg = format!("{ts}.").into_bytes();
        msg.extend_from_slice(body);
        format!("t={ts},v1={}", listener::hmac_hex(secret.as_bytes(), &msg))
    };
    let rotated = zoom_signature(ROTATED, ts, body);
    let requests: Vec<Request> = vec![
        (
            "/zoom/valid",
            vec![
                ("x-zm-request-timestamp", ts.to_string()),
                ("x-zm-signature", zoom_signature(ZOOM, ts, body)),
            ],
            body.to_vec(),
        ),
        (
            "/zoom/rotated",
            vec![
                ("x-zm-request-timestamp", ts.to_string()),
                ("x-zm-signature", rotated),
            ],
            body.to_vec(),
        ),
        (
            "/zoom/wrong",
            vec![
                ("x-zm-request-timestamp", ts.to_string()),
                ("x-zm-signature", zoom_signature("not-the-secret", ts, body)),
            ],
            body.to_vec(),
        ),
        (
            "/zoom/validation",
            vec![],
            br#"{"event":"endpoint.url_validation","payload":{"plainToken":"qgg8vlvZRS6UYooatFL8Aw"}}"#
                .to_vec(),
        ),
        (
            "/stripe/valid",
            vec![("stripe-signature", stripe_sig(STRIPE))],
            body.to_vec(),
        ),
        (
            "/stripe/wrong",
            vec![("stripe-signature", stripe_sig(&format!(" {STRIPE}")))],
            body.to_vec(),
        ),
    ];
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut answers = Vec::new();
    rt.block_on(async {
        for (path, headers, body) in &requests {
            let mut rb = client()
                .post(format!("{base}{path}"))
                .header("content-type", "application/json")
                .body(body.clone());
            for (n, v) in headers {
                rb = rb.header(*n, v);
            }
            let resp = rb.send().await.unwrap();
            answers.extend_from_slice(format!("{:?}", resp.headers()).as_bytes());
            answers.extend_from_slice(&resp.bytes().await.unwrap());
        }
    });
    assert_clean("HTTP answers", &answers);

    // verify (text and JSON), with configured and given secrets.
    let zoom_headers = [
        "-H".to_string(),
        format!("x-zm-request-timestamp: {ts}"),
        "-H".to_string(),
        format!("x-zm-signature: {}", zoom_signature(ZOOM, ts, body)),
    ];
    let body_text = std::str::from_utf8(body).unwrap();
    for extra in [vec!["--json"], vec![], vec!["--json", "--secret", ROTATED]] {
        let mut args = vec!["verify", "--provider", "zoom", "--body", body_text];
        args.extend(zoom_headers.iter().map(String::as_str));
        args.extend(extra);
        let out = run(&args, &config, home);
        assert!(out.status.code().is_some());
    }
    let wrong = vec![
        "verify",
        "--provider",
        "stripe",
        "--json",
        "--body",
        body_text,
        "-H",
        "stripe-signature: t=1,v1=00",
    ];
    run(&wrong, &config, home);

    // sign, and sign --send to the listener (so it is captured too).
    for provider in ["zoom", "stripe"] {
        let out = run(
            &["sign", "--provider", provider, "--body", body_text],
            &config,
            home,
        );
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        let url = format!("{base}/signed/{provider}");
        let out = run(
            &[
                "sign",
                "--provider",
                provider,
                "--body",
                body_text,
                "--send",
                &url,
            ],
            &config,
            home,
        );
        assert_eq!(out.status.code(), Some(0), "{out:?}");
    }

    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(0));
    let mut printed = Vec::new();
    stdout.read_to_end(&mut printed).unwrap();
    let lines = printed
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .count();
    assert_eq!(
        lines,
        requests.len() + 2,
        "{}",
        String::from_utf8_lossy(&printed)
    );
    assert_clean("headless JSON lines", &printed);
    let mut err = Vec::new();
    child.stderr.take().unwrap().read_to_end(&mut err).unwrap();
    assert_clean("headless stderr", &err);

    // The dashboard, opening a failing delivery's Signature tab; its screen and log file.
    let mut term = pty::Pty::spawn(
        env!("CARGO_BIN_EXE_hookscope"),
        &[
            "--addr",
            "127.0.0.1:0",
            "--config",
            config.to_str().unwrap(),
            "--data-dir",
            data.to_str().unwrap(),
        ],
        &[
            ("XDG_CONFIG_HOME", home.to_str().unwrap()),
            ("HOOKSCOPE_SECRET_STRIPE", STRIPE),
        ],
        160,
        45,
    );
    term.wait_text("failing", 20);
    for keys in ["g", "j", "j", "\r", "4"] {
        term.send(keys);
    }
    term.wait_text("computed", 10);
    term.send("q");
    assert_eq!(term.wait_exit(10), 0);
    assert_clean("the dashboard's terminal output", &term.raw());

    // The store's files and the log.
    let mut files = 0;
    for entry in std::fs::read_dir(&data).unwrap() {
        let path = entry.unwrap().path();
        assert_clean(&path.display().to_string(), &std::fs::read(&path).unwrap());
        files += 1;
    }
    assert!(data.join(hookscope::store::DB_FILE).exists());
    assert!(data.join("hookscope.log").exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&data), 0o700, "data dir");
        assert_eq!(mode(&data.join("hookscope.log")), 0o600, "log");
    }
    assert!(files >= 2);
    let store = hookscope::store::Store::open(&data).unwrap();
    assert_eq!(store.count().unwrap(), requests.len() as u64 + 2);
}

#[test]
fn a_non_loopback_bind_needs_an_explicit_addr_and_warns() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "addr = \"0.0.0.0:24999\"\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_hookscope"))
        .args(["listen", "--headless", "--no-store", "--config"])
        .arg(&config)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("reachable from other machines") && err.contains("--addr 0.0.0.0:24999"),
        "{err}"
    );

    let mut child = Command::new(env!("CARGO_BIN_EXE_hookscope"))
        .args([
            "listen",
            "--headless",
            "--no-store",
            "--addr",
            "0.0.0.0:0",
            "--config",
        ])
        .arg(&config)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut ready = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut ready)
        .unwrap();
    assert!(ready.contains(r#""type":"ready""#), "{ready}");
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(0));
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(
        err.contains("warning: listening on 0.0.0.0:")
            && err.contains("reachable from other machines"),
        "{err}"
    );
}

const GITLAB: &str = "glpat-auditGitlabToken7Qx";

/// A token scheme (GitLab's `X-Gitlab-Token` carries the secret itself): verified on arrival,
/// then stored, printed and exported only masked with its fingerprint; the stored delivery
/// still verifies, and a replay as captured sends the token again.
#[test]
fn a_token_is_stored_printed_and_exported_masked() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!("[providers.gitlab]\nsecrets = [\"{GITLAB}\"]\n"),
    )
    .unwrap();
    let data = dir.path().join("data");
    let mut child = listener::headless_command(&config, Some(&data))
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut ready = String::new();
    stdout.read_line(&mut ready).unwrap();
    let ready: serde_json::Value = serde_json::from_str(&ready).unwrap();
    let base = ready["listen"].as_str().unwrap().to_string();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        for token in [GITLAB, "glpat-someOtherToken"] {
            let resp = client()
                .post(format!("{base}/gitlab"))
                .header("x-gitlab-token", token)
                .header("x-gitlab-event", "Push Hook")
                .body("{}")
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 200);
        }
    });
    let mut lines = Vec::new();
    for _ in 0..2 {
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        assert!(!line.contains(GITLAB), "token printed: {line}");
        assert!(!line.contains("someOtherToken"), "token printed: {line}");
        lines.push(serde_json::from_str::<serde_json::Value>(&line).unwrap());
    }
    let fp = hookscope::secret::Secret::new(GITLAB).fingerprint();
    assert_eq!(lines[0]["verdict"], "verified");
    assert_eq!(lines[1]["verdict"], "failed");
    let shown = lines[0]["headers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h[0] == "x-gitlab-token")
        .unwrap()[1]
        .as_str()
        .unwrap()
        .to_string();
    assert!(shown.contains(&format!("(fp {fp})")), "{shown}");
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(0));
    for entry in std::fs::read_dir(&data).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        assert!(
            !bytes.windows(GITLAB.len()).any(|w| w == GITLAB.as_bytes()),
            "token stored in {}",
            path.display()
        );
    }
    // Export without --redact: masked, and the stored delivery still verifies.
    let out = Command::new(env!("CARGO_BIN_EXE_hookscope"))
        .args(["export", "--format", "jsonl", "--data-dir"])
        .arg(&data)
        .arg("--config")
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(!text.contains(GITLAB), "{text}");
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert!(first.to_string().contains(&format!("(fp {fp})")), "{first}");
    assert!(first.to_string().contains("\"verified\""), "{first}");
    // A replay as captured sends the configured token it stands for.
    let (app, got) = listener::one_shot(
        "HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
        std::time::Duration::from_secs(10),
    );
    let out = Command::new(env!("CARGO_BIN_EXE_hookscope"))
        .args(["replay", "1", "--to", &app, "--data-dir"])
        .arg(&data)
        .arg("--config")
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let request = got.join().unwrap().unwrap().to_ascii_lowercase();
    assert!(
        request.contains(&format!("x-gitlab-token: {}", GITLAB.to_ascii_lowercase())),
        "{request}"
    );
    let store = hookscope::store::Store::open(&data).unwrap();
    let replayed = store.get(3).unwrap().unwrap();
    assert_eq!(replayed.replay_of, Some(1));
    assert!(String::from_utf8_lossy(replayed.header("x-gitlab-token").unwrap()).contains("(fp "));
}

/// A malformed config line never echoes the secret on it: not on stderr, not in the headless
/// `config_error` line after a reload.
#[test]
fn config_errors_never_quote_a_secret() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    let broken = [
        format!("[providers.zoom]\nsecrets = [\"{ZOOM}\"\n"),
        format!("[providers.zoom]\nsecrets = \"{ZOOM}\"\n"),
        format!("[providers.zoom]\nsecrets = [{ZOOM}]\n"),
        format!("[providers.zoom]\nsecrets = [\"{ZOOM}\" \"x\"]\n"),
    ];
    for text in &broken {
        std::fs::write(&config, text).unwrap();
        let out = run(
            &["verify", "-p", "zoom", "--body", "{}"],
            &config,
            dir.path(),
        );
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("line ") && err.contains("providers.zoom.secrets"),
            "{err}"
        );
    }
    // The headless listener reloading a broken file.
    std::fs::write(
        &config,
        format!("[providers.zoom]\nsecrets = [\"{ZOOM}\"]\n"),
    )
    .unwrap();
    let mut child = listener::headless_command(&config, None)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let mut printed = Vec::new();
    for text in &broken {
        std::thread::sleep(std::time::Duration::from_millis(700));
        std::fs::write(&config, text).unwrap();
        line.clear();
        stdout.read_line(&mut line).unwrap();
        assert!(line.contains("config_error"), "{line}");
        printed.extend_from_slice(line.as_bytes());
    }
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(0));
    stdout.read_to_end(&mut printed).unwrap();
    assert_clean("headless config_error lines", &printed);
    let mut err = Vec::new();
    child.stderr.take().unwrap().read_to_end(&mut err).unwrap();
    assert_clean("headless stderr", &err);
}

/// Exports are written 0600 whatever the umask; the log's directory is created 0700.
#[cfg(unix)]
#[test]
fn exports_and_the_log_directory_are_private() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        let store = hookscope::store::Store::open(&data).unwrap();
        let d = hookscope::delivery::Delivery {
            method: "POST".into(),
            path: "/x".into(),
            ..Default::default()
        };
        store
            .insert(d, hookscope::verify::Verdict::Unverified, None)
            .await
            .unwrap();
    });
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "").unwrap();
    let out_file = dir.path().join("export.har");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hookscope"));
    cmd.args(["export", "--format", "har", "--out"])
        .arg(&out_file)
        .arg("--data-dir")
        .arg(&data)
        .arg("--config")
        .arg(&config);
    // SAFETY: umask in the child before exec; async-signal-safe.
    unsafe {
        cmd.pre_exec(|| {
            libc::umask(0);
            Ok(())
        });
    }
    let out = cmd.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&out_file), 0o600, "export");
    let fresh = dir.path().join("fresh-data");
    let log =
        hookscope::commands::listen::log_file(&hookscope::capture::Storage::Dir(fresh.clone()));
    assert_eq!(log, Some(fresh.join("hookscope.log")));
    assert_eq!(mode(&fresh), 0o700, "the dashboard's data dir");
}
