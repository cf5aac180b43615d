//! Helpers shared by the integration tests: HMAC signing written here (independent of the
//! crate's own signing code), the vectors file, and a listener on port 0.
#![allow(dead_code)]

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Lower-case hex HMAC-SHA256.
pub fn hmac_hex(key: &[u8], msg: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    mac.update(msg);
    hex::encode(mac.finalize().into_bytes())
}

/// Zoom's `x-zm-signature` for a body at a timestamp.
pub fn zoom_signature(secret: &str, ts: i64, body: &[u8]) -> String {
    let mut msg = format!("v0:{ts}:").into_bytes();
    msg.extend_from_slice(body);
    format!("v0={}", hmac_hex(secret.as_bytes(), &msg))
}

/// Current unix seconds.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// The vector with this `provider` field from tests/data/vectors.json.
pub fn vector(provider: &str) -> serde_json::Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/vectors.json");
    let all: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    all.into_iter()
        .find(|v| v["provider"] == provider)
        .unwrap_or_else(|| panic!("no vector for {provider}"))
}

/// A plain HTTP client (no proxy, no redirects).
pub fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(15))
        .build()
        .unwrap()
}

/// The real binary as `hookscope listen --headless --addr 127.0.0.1:0 --config CONFIG` (created
/// empty when missing), storing in `data_dir` (or `--no-store` when `None`), stdout piped for the JSON lines. Callers add
/// their own flags, environment and stderr handling before spawning.
pub fn headless_command(
    config: &std::path::Path,
    data_dir: Option<&std::path::Path>,
) -> std::process::Command {
    // An explicit --config must exist: an absent one stands for an empty file.
    if !config.exists() {
        std::fs::write(config, "").unwrap();
    }
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_hookscope"));
    cmd.args(["listen", "--headless", "--addr", "127.0.0.1:0", "--config"])
        .arg(config)
        .stdout(std::process::Stdio::piped());
    match data_dir {
        Some(d) => cmd.arg("--data-dir").arg(d),
        None => cmd.arg("--no-store"),
    };
    cmd
}

/// A one-shot HTTP server on loopback: answers the first request with `answer`, returns what
/// it received (or `None` if nothing connected within `wait`).
pub fn one_shot(
    answer: impl Into<String>,
    wait: std::time::Duration,
) -> (String, std::thread::JoinHandle<Option<String>>) {
    use std::io::{Read, Write};
    let answer = answer.into();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    listener.set_nonblocking(true).unwrap();
    let handle = std::thread::spawn(move || {
        let deadline = std::time::Instant::now() + wait;
        let mut s = loop {
            match listener.accept() {
                Ok((s, _)) => break s,
                Err(_) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(20))
                }
                Err(_) => return None,
            }
        };
        s.set_nonblocking(false).unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_millis(500)))
            .unwrap();
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        while let Ok(n) = s.read(&mut chunk) {
            if n == 0 {
                break;
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        let _ = s.write_all(answer.as_bytes());
        Some(String::from_utf8_lossy(&buf).into_owned())
    });
    (url, handle)
}
