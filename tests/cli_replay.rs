//! `hookscope replay ID`: a 10-minute-old zoom delivery in a real store, replayed to a real
//! local app that checks the zoom signature with its own HMAC code: as captured → 401 (exit 1),
//! `--resign` → 200 (exit 0); each replay is stored with `replay_of`. Bad input exits 2.

mod listener;

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use hmac::{Hmac, Mac};
use hookscope::delivery::Delivery;
use hookscope::store::Store;
use hookscope::verify::Verdict;
use std::process::{Command, Output};

const SECRET: &str = "cli-replay-zoom-secret";
const BODY: &str = r#"{"event":"meeting.ended","payload":{"object":{"id":"cli"}}}"#;

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn zoom_sig(ts: &str, body: &[u8]) -> String {
    let mut m = Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    m.update(&[b"v0:", ts.as_bytes(), b":", body].concat());
    format!("v0={}", hex::encode(m.finalize().into_bytes()))
}

/// The app: 200 for a fresh, valid zoom signature over the raw body; 401 otherwise.
async fn zoom_app(headers: HeaderMap, body: Bytes) -> (StatusCode, &'static str) {
    let h = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or("");
    let ts = h("x-zm-request-timestamp");
    let fresh = ts.parse::<i64>().is_ok_and(|t| (now() - t).abs() <= 300);
    if fresh && h("x-zm-signature") == zoom_sig(ts, &body) {
        (StatusCode::OK, "accepted")
    } else {
        (StatusCode::UNAUTHORIZED, "stale or bad signature")
    }
}

struct Fixture {
    _dir: tempfile::TempDir,
    data: std::path::PathBuf,
    config: std::path::PathBuf,
    app_url: String,
    id: u64,
    _rt: tokio::runtime::Runtime,
}

fn fixture() -> Fixture {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let app_url = rt.block_on(async {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        let app = Router::new().route("/hooks/zoom", post(zoom_app));
        tokio::spawn(async move { axum::serve(l, app).await.unwrap() });
        format!("http://{addr}")
    });
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!("[providers.zoom]\nsecrets = [\"{SECRET}\"]\n"),
    )
    .unwrap();
    let ts = (now() - 600).to_string();
    let d = Delivery {
        received_at_ms: (now() - 600) * 1000,
        method: "POST".into(),
        path: "/hooks/zoom".into(),
        headers: vec![
            ("host".into(), b"127.0.0.1:4545".to_vec()),
            ("content-type".into(), b"application/json".to_vec()),
            ("content-length".into(), BODY.len().to_string().into_bytes()),
            ("x-zm-request-timestamp".into(), ts.clone().into_bytes()),
            (
                "x-zm-signature".into(),
                zoom_sig(&ts, BODY.as_bytes()).into_bytes(),
            ),
        ],
        body: bytes::Bytes::from_static(BODY.as_bytes()),
        body_size: BODY.len() as u64,
        ..Delivery::default()
    };
    let id = rt.block_on(async {
        let store = Store::open(&data).unwrap();
        let id = store
            .insert(d, Verdict::Verified, Some("zoom".into()))
            .await
            .unwrap();
        store.flush().await.unwrap();
        id
    });
    Fixture {
        _dir: dir,
        data,
        config,
        app_url,
        id,
        _rt: rt,
    }
}

fn replay(f: &Fixture, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hookscope"))
        .arg("replay")
        .args(extra)
        .arg("--data-dir")
        .arg(&f.data)
        .arg("--config")
        .arg(&f.config)
        .env("XDG_CONFIG_HOME", f.data.parent().unwrap())
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn as_captured_is_rejected_re_signed_is_accepted_and_both_are_stored() {
    let f = fixture();
    let id = f.id.to_string();
    let out = replay(&f, &[&id, "--to", &f.app_url]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    // The app's whole answer, as `curl -i` shows it.
    let printed = text(&out.stdout);
    assert!(printed.starts_with("HTTP 401 Unauthorized\n"), "{printed}");
    assert!(
        printed.contains("\ncontent-type: text/plain; charset=utf-8\n"),
        "{printed}"
    );
    assert!(
        printed.ends_with("\n\nstale or bad signature\n"),
        "{printed}"
    );
    assert!(
        text(&out.stderr).contains("blame: the app rejected a timestamp"),
        "{}",
        text(&out.stderr)
    );

    let out = replay(&f, &[&id, "--to", &f.app_url, "--resign", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["status"], 200);
    assert_eq!(j["response"]["body"], "accepted");
    // The request exactly as sent: its headers with the target's host, no header added.
    let sent: Vec<&str> = j["request"]["headers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h[0].as_str().unwrap())
        .collect();
    assert_eq!(
        sent,
        [
            "host",
            "content-type",
            "content-length",
            "x-zm-request-timestamp",
            "x-zm-signature"
        ]
    );
    assert!(j["latency_ms"].is_u64());
    assert!(j["blame"].is_null());
    let replay_id = j["replay_id"].as_u64().unwrap();
    assert!(!text(&out.stdout).contains(SECRET));

    // A shift beyond the app's tolerance is rejected.
    let out = replay(&f, &[&id, "--to", &f.app_url, "--resign", "--shift", "600"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).starts_with("HTTP 401 Unauthorized\n"));

    let store = Store::open(&f.data).unwrap();
    let rows = store.summaries().unwrap();
    let replays: Vec<_> = rows.iter().filter(|s| s.replay_of == Some(f.id)).collect();
    assert_eq!(replays.len(), 3, "{rows:?}");
    let stored = store.get(replay_id).unwrap().unwrap();
    assert_eq!(stored.replay_of, Some(f.id));
    assert_eq!(stored.response.as_ref().unwrap().status, 200);
    assert_eq!(&stored.body[..], BODY.as_bytes(), "body byte-exact");
    // Recorded as sent: the target's host and the body's length.
    let authority = f
        .app_url
        .trim_start_matches("http://")
        .trim_end_matches('/');
    assert_eq!(stored.header_str("host"), Some(authority));
    assert_eq!(
        stored.header_str("content-length"),
        Some(BODY.len().to_string().as_str())
    );
}

#[test]
fn bad_input_exits_2_with_one_sentence() {
    let f = fixture();
    let id = f.id.to_string();
    let out = replay(&f, &["99", "--to", &f.app_url]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("no delivery #99"),
        "{}",
        text(&out.stderr)
    );
    let out = replay(&f, &[&id, "--to", "localhost:3000"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("malformed target URL"),
        "{}",
        text(&out.stderr)
    );
    let out = replay(&f, &[&id]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("no replay target"),
        "{}",
        text(&out.stderr)
    );
    let out = Command::new(env!("CARGO_BIN_EXE_hookscope"))
        .args(["replay", "1", "--to", &f.app_url, "--data-dir"])
        .arg(f.data.join("nowhere"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("there is no capture database in"),
        "{}",
        text(&out.stderr)
    );
    assert!(!f.data.join("nowhere").exists(), "nothing created");
}

const REDIRECT: &str = "HTTP/1.1 307 Temporary Redirect\r\nlocation: {to}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";
const OK: &str = "HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";

#[test]
fn a_redirect_to_another_origin_is_shown_not_followed() {
    let f = fixture();
    let wait = std::time::Duration::from_secs(3);
    let (elsewhere, other) = listener::one_shot(OK, wait);
    let to = format!("{elsewhere}/steal");
    let (target, first) = listener::one_shot(REDIRECT.replace("{to}", &to), 3 * wait);
    let out = replay(&f, &[&f.id.to_string(), "--to", &target, "--resign"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let printed = text(&out.stdout);
    assert!(
        printed.starts_with("HTTP 307 Temporary Redirect\n"),
        "{printed}"
    );
    assert!(
        printed.contains(&format!("redirect to {to} not followed")),
        "{printed}"
    );
    assert!(first.join().unwrap().unwrap().contains("x-zm-signature"));
    assert_eq!(
        other.join().unwrap(),
        None,
        "the signature went to another origin"
    );
}

#[test]
fn a_stored_path_is_sent_as_a_path_to_the_target_alone() {
    let f = fixture();
    let wait = std::time::Duration::from_secs(3);
    let (other, elsewhere) = listener::one_shot(OK, wait);
    let (target, got) = listener::one_shot(OK, 3 * wait);
    // An imported delivery whose path starts with `@host`: appended to the target it would
    // have become user-info and sent the request to that host.
    let host = other.trim_start_matches("http://");
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let id = rt.block_on(async {
        let store = Store::open(&f.data).unwrap();
        let d = Delivery {
            method: "POST".into(),
            path: format!("@{host}/x"),
            body: bytes::Bytes::from_static(b"{}"),
            body_size: 2,
            ..Delivery::default()
        };
        store.insert(d, Verdict::Unverified, None).await.unwrap()
    });
    let out = replay(&f, &[&id.to_string(), "--to", &target]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let request = got.join().unwrap().expect("the target got the replay");
    assert!(
        request.starts_with(&format!("POST /@{host}/x HTTP/1.1")),
        "{request}"
    );
    assert_eq!(
        elsewhere.join().unwrap(),
        None,
        "the replay went to another host"
    );
}

#[test]
fn an_overflowing_shift_is_one_sentence() {
    let f = fixture();
    let id = f.id.to_string();
    for shift in ["9223372036854775807", "-9223372036854775808"] {
        let out = replay(&f, &[&id, "--to", &f.app_url, "--resign", "--shift", shift]);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
        let err = text(&out.stderr);
        assert!(
            err.contains(&format!("--shift {shift} is out of range")),
            "{err}"
        );
        assert_eq!(err.lines().count(), 1, "{err}");
    }
}
