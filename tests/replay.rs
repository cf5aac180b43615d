//! Replays to a real local app that checks signatures with its own HMAC code (written here,
//! independent of hookscope's engine) for zoom, stripe, slack and standard-webhooks: an
//! as-captured replay of a 10-minute-old delivery is rejected, the re-signed one accepted, an
//! edited body re-signed accepted, a +600 s shift rejected.

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use hookscope::checker::Checker;
use hookscope::config::Config;
use hookscope::delivery::Delivery;
use hookscope::replay::{Mode, blame, prepare, send};
use hookscope::secret::Secret;
use hookscope::sign::{SignOptions, sign};
use std::time::Duration;

const ZOOM: &str = "zoom-secret-token";
const STRIPE: &str = "whsec_stripe_endpoint";
const SLACK: &str = "8f742231b10e8888abcd99yyyzzz85a5";
const SW: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn mac(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut m = Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
    m.update(msg);
    m.finalize().into_bytes().to_vec()
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn h<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

fn fresh(ts: &str) -> bool {
    ts.parse::<i64>().is_ok_and(|t| (now() - t).abs() <= 300)
}

fn answer(ok: bool) -> StatusCode {
    if ok {
        StatusCode::OK
    } else {
        StatusCode::UNAUTHORIZED
    }
}

async fn zoom_app(headers: HeaderMap, body: Bytes) -> StatusCode {
    let ts = h(&headers, "x-zm-request-timestamp");
    let msg = [b"v0:", ts.as_bytes(), b":", &body[..]].concat();
    let want = format!("v0={}", hex::encode(mac(ZOOM.as_bytes(), &msg)));
    answer(fresh(ts) && h(&headers, "x-zm-signature") == want)
}

async fn stripe_app(headers: HeaderMap, body: Bytes) -> StatusCode {
    let header = h(&headers, "stripe-signature");
    let t = header
        .split(',')
        .find_map(|p| p.strip_prefix("t="))
        .unwrap_or("");
    let msg = [t.as_bytes(), b".", &body[..]].concat();
    let want = hex::encode(mac(STRIPE.as_bytes(), &msg));
    let any = header
        .split(',')
        .filter_map(|p| p.strip_prefix("v1="))
        .any(|s| s == want);
    answer(fresh(t) && any)
}

async fn slack_app(headers: HeaderMap, body: Bytes) -> StatusCode {
    let ts = h(&headers, "x-slack-request-timestamp");
    let msg = [b"v0:", ts.as_bytes(), b":", &body[..]].concat();
    let want = format!("v0={}", hex::encode(mac(SLACK.as_bytes(), &msg)));
    answer(fresh(ts) && h(&headers, "x-slack-signature") == want)
}

async fn sw_app(headers: HeaderMap, body: Bytes) -> StatusCode {
    let (id, ts) = (h(&headers, "webhook-id"), h(&headers, "webhook-timestamp"));
    let key = base64::engine::general_purpose::STANDARD
        .decode(SW.trim_start_matches("whsec_"))
        .unwrap();
    let msg = [id.as_bytes(), b".", ts.as_bytes(), b".", &body[..]].concat();
    let want = base64::engine::general_purpose::STANDARD.encode(mac(&key, &msg));
    let any = h(&headers, "webhook-signature")
        .split(' ')
        .filter_map(|e| e.strip_prefix("v1,"))
        .any(|s| s == want);
    answer(fresh(ts) && any)
}

async fn start_app() -> String {
    let app = Router::new()
        .route("/zoom", post(zoom_app))
        .route("/stripe", post(stripe_app))
        .route("/slack", post(slack_app))
        .route("/sw", post(sw_app));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

fn checker() -> Checker {
    let cfg = Config::parse(&format!(
        "[providers.zoom]\nsecrets = [\"{ZOOM}\"]\n[providers.stripe]\nsecrets = [\"{STRIPE}\"]\n\
         [providers.slack]\nsecrets = [\"{SLACK}\"]\n[providers.standard-webhooks]\nsecrets = [\"{SW}\"]\n"
    ))
    .unwrap();
    Checker::from_config(&cfg, &[]).unwrap()
}

/// A delivery as captured `age` seconds ago, signed by the "provider".
fn captured(checker: &Checker, provider: &str, path: &str, body: &str, age: i64) -> Delivery {
    let reg = checker.registry();
    let mut d = Delivery {
        method: "POST".into(),
        path: path.into(),
        headers: vec![
            ("host".into(), b"127.0.0.1:4545".to_vec()),
            ("content-type".into(), b"application/json".to_vec()),
            ("content-length".into(), body.len().to_string().into_bytes()),
        ],
        body: body.to_string().into(),
        ..Default::default()
    };
    let secret = checker.secrets_for(provider)[0].clone();
    let s = sign(
        &d,
        reg.get(provider).unwrap(),
        &secret,
        &SignOptions {
            timestamp: now() - age,
            ..Default::default()
        },
    )
    .unwrap();
    for (n, v) in s.headers {
        d.headers.push((n.to_ascii_lowercase(), v.into_bytes()));
    }
    d
}

#[tokio::test]
async fn replay_as_captured_resigned_edited_and_shifted() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let target = start_app().await;
    let checker = checker();
    let t = Duration::from_secs(10);
    for (provider, path) in [
        ("zoom", "/zoom"),
        ("stripe", "/stripe"),
        ("slack", "/slack"),
        ("standard-webhooks", "/sw"),
    ] {
        let d = captured(&checker, provider, path, r#"{"event":"x","n":1}"#, 600);
        assert!(
            checker.check(&d, now()).signature.status == hookscope::verify::SigStatus::Valid,
            "{provider}: the captured delivery itself is validly signed"
        );

        let as_captured = prepare(&d, &checker, Mode::AsCaptured, &target, now()).unwrap();
        assert_eq!(
            as_captured.request.body, d.body,
            "{provider}: body byte-exact"
        );
        let r = send(&as_captured, t).await;
        assert_eq!(
            r.status, 401,
            "{provider}: a 10-minute-old replay is rejected"
        );
        let seen = checker.check(&as_captured.request, now());
        let b = blame(&seen, &r, Mode::AsCaptured).unwrap();
        assert!(b.contains("as it should"), "{provider}: {b}");

        let resigned =
            prepare(&d, &checker, Mode::Resign { shift_secs: 0 }, &target, now()).unwrap();
        let r = send(&resigned, t).await;
        assert_eq!(r.status, 200, "{provider}: re-signed replay accepted");
        assert_eq!(r.source, "app");
        assert!(
            blame(
                &checker.check(&resigned.request, now()),
                &r,
                Mode::Resign { shift_secs: 0 }
            )
            .is_none()
        );
        if provider == "standard-webhooks" {
            assert_ne!(
                resigned.request.header("webhook-id"),
                d.header("webhook-id"),
                "a new webhook-id"
            );
        }

        let mut edited = d.clone();
        edited.body = bytes::Bytes::from_static(br#"{"event":"edited","n":2}"#);
        let p = prepare(
            &edited,
            &checker,
            Mode::Resign { shift_secs: 0 },
            &target,
            now(),
        )
        .unwrap();
        assert_eq!(
            send(&p, t).await.status,
            200,
            "{provider}: edited body re-signed accepted"
        );

        let shifted = prepare(
            &d,
            &checker,
            Mode::Resign { shift_secs: 600 },
            &target,
            now(),
        )
        .unwrap();
        assert_eq!(
            send(&shifted, t).await.status,
            401,
            "{provider}: +600 s rejected"
        );
    }
}

#[tokio::test]
async fn blame_points_at_the_app_when_hookscope_finds_it_valid() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let target = start_app().await;
    // hookscope holds the right secret; the app (below) expects another one for /zoom: the
    // zoom app uses ZOOM, so sign for zoom with a checker whose secret differs from the app's.
    let cfg = Config::parse("[providers.zoom]\nsecrets = [\"a-different-secret\"]").unwrap();
    let other = Checker::from_config(&cfg, &[]).unwrap();
    let d = captured(&other, "zoom", "/zoom", "{}", 0);
    let p = prepare(&d, &other, Mode::Resign { shift_secs: 0 }, &target, now()).unwrap();
    let r = send(&p, Duration::from_secs(10)).await;
    assert_eq!(r.status, 401);
    let b = blame(
        &other.check(&p.request, now()),
        &r,
        Mode::Resign { shift_secs: 0 },
    )
    .unwrap();
    assert!(b.contains("the fault is on the app's side"), "{b}");
    assert!(
        b.contains(&Secret::new("a-different-secret").fingerprint()),
        "{b}"
    );
}

#[tokio::test]
async fn public_key_schemes_replay_as_captured_only() {
    let checker = Checker::builtin();
    let d = Delivery {
        method: "POST".into(),
        path: "/discord".into(),
        headers: vec![
            ("x-signature-ed25519".into(), b"00".to_vec()),
            ("x-signature-timestamp".into(), b"1".to_vec()),
        ],
        ..Default::default()
    };
    let e = prepare(
        &d,
        &checker,
        Mode::Resign { shift_secs: 0 },
        "http://127.0.0.1:9",
        now(),
    )
    .unwrap_err();
    assert!(
        e.to_string().contains("discord: replayed as captured only"),
        "{e}"
    );
    assert!(prepare(&d, &checker, Mode::AsCaptured, "http://127.0.0.1:9", now()).is_ok());
}

#[tokio::test]
async fn app_down_is_an_error_record() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let checker = checker();
    let d = captured(&checker, "zoom", "/zoom", "{}", 0);
    // A port nothing listens on: bind, learn it, drop it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let p = prepare(
        &d,
        &checker,
        Mode::AsCaptured,
        &format!("http://127.0.0.1:{port}"),
        now(),
    )
    .unwrap();
    let r = send(&p, Duration::from_secs(5)).await;
    assert_eq!((r.status, r.source.as_str()), (0, "error"));
    assert!(r.error.unwrap().to_lowercase().contains("connect"));
}
