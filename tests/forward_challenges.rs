//! `--forward-challenges`: a handshake hookscope would answer goes to the app instead, and the
//! delivery's hints say so.

mod listener;

use hookscope::capture::{self, ListenOptions, Storage};
use hookscope::checker::{Checker, LiveSettings};
use hookscope::config::Config;
use listener::{client, now, vector, zoom_signature};

/// An app that answers every request with 201 and `app answered`.
async fn app() -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = axum::Router::new()
        .fallback(|| async { (axum::http::StatusCode::CREATED, "app answered") });
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    addr
}

async fn validation(answer_challenges: bool) -> (u16, String, Vec<String>, String) {
    let v = vector("zoom-url-validation");
    let secret = v["secret"].as_str().unwrap();
    let body = v["body"].as_str().unwrap();
    let cfg = Config::parse(&format!("[providers.zoom]\nsecrets = [\"{secret}\"]")).unwrap();
    let mut checker = Checker::from_config(&cfg, &[]).unwrap();
    checker.set_live(LiveSettings {
        tunnel: None,
        answer_challenges,
    });
    let mut o = ListenOptions::new(checker);
    o.addr = "127.0.0.1:0".parse().unwrap();
    o.storage = Storage::Memory;
    o.forward = Some(format!("http://{}", app().await));
    let running = capture::start(o).await.unwrap();
    let mut events = running.events.subscribe();
    let ts = now();
    let resp = client()
        .post(format!("{}/hooks/zoom", running.listen_url()))
        .header("content-type", "application/json")
        .header("x-zm-request-timestamp", ts.to_string())
        .header(
            "x-zm-signature",
            zoom_signature(secret, ts, body.as_bytes()),
        )
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    let hints = loop {
        if let hookscope::event::Event::Delivery(c) = events.recv().await.unwrap() {
            break c.verification.hints.clone();
        }
    };
    let source = running
        .store
        .get(1)
        .unwrap()
        .unwrap()
        .response
        .unwrap()
        .source;
    running.shutdown().await.unwrap();
    (status, text, hints, source)
}

#[tokio::test]
async fn handshakes_go_to_the_app_only_when_asked() {
    let (status, text, hints, source) = validation(true).await;
    assert_eq!((status, source.as_str()), (200, "challenge"));
    assert!(text.contains("encryptedToken"), "{text}");
    assert!(hints.is_empty(), "{hints:?}");
    let (status, text, hints, source) = validation(false).await;
    assert_eq!(
        (status, text.as_str(), source.as_str()),
        (201, "app answered", "app")
    );
    assert!(
        hints
            .iter()
            .any(|h| h.contains("forwarded to the app (--forward-challenges)")),
        "{hints:?}"
    );
}
