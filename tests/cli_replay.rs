//! `hookscope replay ID`: a 10-minute-old zoom delivery in a real store, replayed to a real
//! local app that checks the zoom signature with its own HMAC code: as captured → 401 (exit 1),
//! `--resign` → 200 (exit 0); each replay is stored with `replay_of`. Bad input exits 2.

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
async fn zoom_app(headers: HeaderMap, body: Bytes) -> StatusCode {
    let h = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or("");
    let ts = h("x-zm-request-timestamp");
    let fresh = ts.parse::<i64>().is_ok_and(|t| (now() - t).abs() <= 300);
    if fresh && h("x-zm-signature") == zoom_sig(ts, &body) {
        StatusCode::OK
    } else {
        StatusCode::UNAUTHORIZED
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
    assert_eq!(text(&out.stdout), "HTTP 401 Unauthorized\n");
    assert!(
        text(&out.stderr).contains("blame: the app rejected a timestamp"),
        "{}",
        text(&out.stderr)
    );

    let out = replay(&f, &[&id, "--to", &f.app_url, "--resign", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["status"], 200);
    assert!(j["latency_ms"].is_u64());
    assert!(j["blame"].is_null());
    let replay_id = j["replay_id"].as_u64().unwrap();
    assert!(!text(&out.stdout).contains(SECRET));

    // A shift beyond the app's tolerance is rejected.
    let out = replay(&f, &[&id, "--to", &f.app_url, "--resign", "--shift", "600"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "HTTP 401 Unauthorized\n");

    let store = Store::open(&f.data).unwrap();
    let rows = store.summaries().unwrap();
    let replays: Vec<_> = rows.iter().filter(|s| s.replay_of == Some(f.id)).collect();
    assert_eq!(replays.len(), 3, "{rows:?}");
    let stored = store.get(replay_id).unwrap().unwrap();
    assert_eq!(stored.replay_of, Some(f.id));
    assert_eq!(stored.response.as_ref().unwrap().status, 200);
    assert_eq!(&stored.body[..], BODY.as_bytes(), "body byte-exact");
    assert!(stored.header("content-length").is_none() && stored.header("host").is_none());
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
        text(&out.stderr).contains("no capture store in"),
        "{}",
        text(&out.stderr)
    );
    assert!(!f.data.join("nowhere").exists(), "nothing created");
}
