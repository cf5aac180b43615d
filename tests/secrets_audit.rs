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
