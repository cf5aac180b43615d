//! The real binary in headless mode: the ready line, one JSON line per delivery with the
//! verification, secrets never printed, and a clean exit on SIGTERM.

mod listener;

use listener::{client, now, zoom_signature};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const SECRET: &str = "zoom-headless-secret-value";

#[tokio::test]
async fn headless_lines_carry_each_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!("[providers.zoom]\nsecrets = [\"{SECRET}\"]\n"),
    )
    .unwrap();
    let mut child = listener::headless_command(&config, Some(&dir.path().join("data")))
        .arg("--include-body")
        .env_remove("HOOKSCOPE_SECRET_ZOOM")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let ready: serde_json::Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    assert_eq!(ready["type"], "ready");
    assert_eq!(ready["version"], env!("CARGO_PKG_VERSION"));
    let listen = ready["listen"].as_str().unwrap().to_string();
    assert!(listen.starts_with("http://127.0.0.1:") && !listen.ends_with(":0"));

    let body = br#"{"event":"meeting.started","payload":{"object":{"id":"1"}}}"#;
    let ts = now();
    let cases = [
        ("/valid", ts, zoom_signature(SECRET, ts, body)),
        ("/tampered", ts, {
            let mut s = zoom_signature(SECRET, ts, body);
            s.pop();
            s.push('0');
            if s == zoom_signature(SECRET, ts, body) {
                s.pop();
                s.push('1');
            }
            s
        }),
        ("/stale", ts - 3600, zoom_signature(SECRET, ts - 3600, body)),
    ];
    let http = client();
    for (path, ts, sig) in &cases {
        let resp = http
            .post(format!("{listen}{path}"))
            .header("content-type", "application/json")
            .header("x-zm-request-timestamp", ts.to_string())
            .header("x-zm-signature", sig)
            .body(&body[..])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
    }
    let mut seen = Vec::new();
    for _ in 0..cases.len() {
        let line = lines.next().unwrap().unwrap();
        assert!(!line.contains(SECRET), "secret printed: {line}");
        seen.push(serde_json::from_str::<serde_json::Value>(&line).unwrap());
    }
    let by_path = |p: &str| seen.iter().find(|v| v["path"] == p).unwrap().clone();
    let valid = by_path("/valid");
    assert_eq!(valid["type"], "delivery");
    assert_eq!(valid["provider"], "zoom");
    assert_eq!(valid["verdict"], "verified");
    assert_eq!(valid["signature"]["status"], "valid");
    assert_eq!(valid["timestamp"]["status"], "fresh");
    assert_eq!(valid["body"], std::str::from_utf8(body).unwrap());
    assert_eq!(valid["body_bytes"], body.len());
    assert_eq!(valid["body_sha256"], hookscope::crypto::sha256_hex(body));
    assert_eq!(valid["response"]["status"], 200);
    assert_eq!(valid["response"]["source"], "hookscope");
    let fp = hookscope::secret::Secret::new(SECRET).fingerprint();
    assert_eq!(valid["signature"]["secret_fingerprint"], fp.as_str());
    let received = valid["received_at"].as_str().unwrap();
    assert!(
        received.ends_with('Z') && received.len() == "2026-11-22T10:00:00.123Z".len(),
        "{received}"
    );
    assert!(valid["headers"].as_array().unwrap().iter().any(
        |h| h[0] == "x-zm-request-timestamp" && h[1].as_str() == Some(ts.to_string().as_str())
    ));
    let tampered = by_path("/tampered");
    assert_eq!(tampered["verdict"], "failed");
    assert_eq!(tampered["signature"]["status"], "invalid");
    let stale = by_path("/stale");
    assert_eq!(stale["verdict"], "failed");
    assert_eq!(stale["timestamp"]["status"], "stale");
    assert_eq!(stale["signature"]["status"], "valid");

    // SIGTERM: graceful, exit 0.
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert_eq!(exit.code(), Some(0), "{exit:?}");
    assert!(lines.next().is_none());
    let store = hookscope::store::Store::open(&dir.path().join("data")).unwrap();
    assert_eq!(store.count().unwrap(), 3);
    let db = std::fs::read(dir.path().join("data").join(hookscope::store::DB_FILE)).unwrap();
    assert!(
        !db.windows(SECRET.len()).any(|w| w == SECRET.as_bytes()),
        "secret stored"
    );
}

/// A reader that falls behind: capture never waits for it; what it skipped is one
/// `{"type":"dropped","count":N}` line, and every delivery is either printed or counted there.
#[tokio::test]
async fn a_slow_reader_gets_a_dropped_line_for_what_it_missed() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = listener::headless_command(&dir.path().join("none.toml"), None)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let ready: serde_json::Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    let listen = ready["listen"].as_str().unwrap().to_string();
    // 4,000 deliveries while nothing reads stdout (8 senders at a time).
    let n = 4000usize;
    let http = client();
    let mut tasks = Vec::new();
    for t in 0..8 {
        let (http, listen) = (http.clone(), listen.clone());
        tasks.push(tokio::spawn(async move {
            for i in (t..n).step_by(8) {
                let resp = http
                    .post(format!("{listen}/slow/{i}"))
                    .body("x".repeat(200))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(resp.status(), 200);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let (mut printed, mut dropped, mut dropped_lines) = (0u64, 0u64, 0);
    for line in lines.map_while(Result::ok) {
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        match v["type"].as_str() {
            Some("delivery") => printed += 1,
            Some("dropped") => {
                dropped += v["count"].as_u64().unwrap();
                dropped_lines += 1;
            }
            other => panic!("unexpected line {other:?}: {line}"),
        }
    }
    assert_eq!(child.wait().unwrap().code(), Some(0));
    assert!(dropped_lines >= 1, "a reader that fell behind was not told");
    assert_eq!(
        printed + dropped,
        n as u64,
        "{printed} printed, {dropped} dropped"
    );
}

/// Warnings on a stderr that is a file carry no terminal colour codes.
#[test]
fn stderr_to_a_file_has_no_colour_codes() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    // A corrupted database makes the listener warn at start.
    std::fs::write(data.join(hookscope::store::DB_FILE), vec![7u8; 40_000]).unwrap();
    let log = dir.path().join("stderr.txt");
    let mut child = listener::headless_command(&dir.path().join("none.toml"), Some(&data))
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let ready = lines.next().unwrap().unwrap();
    assert!(ready.contains(r#""type":"ready""#), "{ready}");
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(0));
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("WARN"), "{text}");
    assert!(!text.contains('\u{1b}'), "colour codes in {text:?}");
}
