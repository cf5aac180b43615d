//! The real listener on port 0, real HTTP over loopback, the real SQLite store.

mod listener;

use bytes::Bytes;
use hookscope::capture::{self, ListenOptions, Running, Storage};
use hookscope::checker::Checker;
use hookscope::config::Config;
use hookscope::event::Event;
use hookscope::store::Store;
use listener::{client, hmac_hex, now, vector, zoom_signature};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn options(config: &str, storage: Storage) -> ListenOptions {
    let cfg = Config::parse(config).unwrap();
    let mut o = ListenOptions::new(Checker::from_config(&cfg, &[]).unwrap());
    o.addr = "127.0.0.1:0".parse().unwrap();
    o.storage = storage;
    o.response = cfg.response;
    o
}

async fn start(o: ListenOptions) -> Running {
    capture::start(o).await.unwrap()
}

#[tokio::test]
async fn binary_body_round_trips_byte_for_byte_and_is_broadcast() {
    let dir = tempfile::tempdir().unwrap();
    let o = options(
        "[response]\nstatus = 202\nbody = \"got it\"",
        Storage::Dir(dir.path().into()),
    );
    let mut events = o.events.subscribe();
    let running = start(o).await;
    let body: Vec<u8> = b"\x00\x01binary\xff\xfe\x00 not utf-8 \xc3\x28 end\n".to_vec();
    let resp = client()
        .post(format!("{}/hooks/bin?x=1&y=%20", running.listen_url()))
        .header("X-Custom", "Value With Case")
        .header("content-type", "application/octet-stream")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 202);
    assert_eq!(resp.text().await.unwrap(), "got it");
    let Event::Delivery(c) = events.recv().await.unwrap() else {
        panic!("expected a delivery")
    };
    let stored = running.store.get(c.delivery.id).unwrap().unwrap();
    assert_eq!(&stored.body[..], &body[..]);
    assert_eq!(stored.body_size, body.len() as u64);
    assert_eq!(stored.method, "POST");
    assert_eq!(stored.path, "/hooks/bin");
    assert_eq!(stored.query, "x=1&y=%20");
    assert_eq!(stored.header("x-custom"), Some(&b"Value With Case"[..]));
    assert!(stored.headers.iter().all(|(n, _)| *n == n.to_lowercase()));
    assert!(stored.peer.as_deref().unwrap().starts_with("127.0.0.1:"));
    let r = stored.response.clone().unwrap();
    assert_eq!((r.status, r.source.as_str()), (202, "hookscope"));
    assert_eq!(stored, c.delivery);
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn five_mib_body_is_kept_whole() {
    let running = start(options("", Storage::Memory)).await;
    let body: Vec<u8> = (0..5 * 1024 * 1024u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    let resp = client()
        .put(format!("{}/big", running.listen_url()))
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let d = running.store.get(1).unwrap().unwrap();
    assert_eq!(d.body.len(), body.len());
    assert!(d.body[..] == body[..]);
    assert_eq!(d.method, "PUT");
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn duplicate_headers_are_all_kept_in_order() {
    let running = start(options("", Storage::Memory)).await;
    let mut headers = reqwest::header::HeaderMap::new();
    headers.append("x-dup", "first".parse().unwrap());
    headers.append("x-other", "o".parse().unwrap());
    headers.append("x-dup", "second".parse().unwrap());
    headers.append("x-dup", "third".parse().unwrap());
    client()
        .post(format!("{}/dup", running.listen_url()))
        .headers(headers)
        .body("x")
        .send()
        .await
        .unwrap();
    let d = running.store.get(1).unwrap().unwrap();
    let dups: Vec<&[u8]> = d
        .headers
        .iter()
        .filter(|(n, _)| n == "x-dup")
        .map(|(_, v)| v.as_slice())
        .collect();
    assert_eq!(dups, vec![&b"first"[..], b"second", b"third"]);
    assert!(d.headers.iter().any(|(n, v)| n == "x-other" && v == b"o"));
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn over_max_body_gets_413_and_is_recorded_as_rejected() {
    let mut o = options("", Storage::Memory);
    o.max_body = 1024;
    let running = start(o).await;
    // With Content-Length.
    let resp = client()
        .post(format!("{}/too-big", running.listen_url()))
        .header("x-zm-signature", "v0=abc")
        .body(vec![b'a'; 4096])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 413);
    let d = running.store.get(1).unwrap().unwrap();
    assert_eq!(d.rejected.as_deref(), Some("body_too_large"));
    assert_eq!(d.body_size, 4096);
    assert!(d.body.is_empty());
    assert_eq!(d.header("x-zm-signature"), Some(&b"v0=abc"[..]));
    assert_eq!(d.response.unwrap().status, 413);
    assert_eq!(
        running.store.summaries().unwrap()[0].provider.as_deref(),
        Some("zoom")
    );
    // Chunked, no Content-Length: counted as it streams.
    let mut tcp = tokio::net::TcpStream::connect(running.local_addr)
        .await
        .unwrap();
    let mut req = b"POST /chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".to_vec();
    for _ in 0..3 {
        req.extend_from_slice(b"400\r\n");
        req.extend_from_slice(&[b'b'; 1024]);
        req.extend_from_slice(b"\r\n");
    }
    req.extend_from_slice(b"0\r\n\r\n");
    tcp.write_all(&req).await.unwrap();
    let mut answer = Vec::new();
    tcp.read_to_end(&mut answer).await.unwrap();
    assert!(
        answer.starts_with(b"HTTP/1.1 413"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
    let d = running.store.get(2).unwrap().unwrap();
    assert_eq!(d.rejected.as_deref(), Some("body_too_large"));
    assert_eq!(d.body_size, 3 * 1024);
    // A sender waiting for `100 Continue` gets the 413 without sending its body.
    let mut tcp = tokio::net::TcpStream::connect(running.local_addr)
        .await
        .unwrap();
    tcp.write_all(b"POST /expect HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\nExpect: 100-continue\r\n\r\n")
        .await
        .unwrap();
    let mut head = [0u8; 12];
    tokio::time::timeout(Duration::from_secs(5), tcp.read_exact(&mut head))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(&head, b"HTTP/1.1 413");
    let d = running.store.get(3).unwrap().unwrap();
    assert_eq!(
        (d.rejected.as_deref(), d.body_size),
        (Some("body_too_large"), 5_000_000)
    );
    // A body at the limit is fine.
    let resp = client()
        .post(format!("{}/fits", running.listen_url()))
        .body(vec![b'c'; 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(running.store.get(4).unwrap().unwrap().body.len(), 1024);
    running.shutdown().await.unwrap();
}

/// A small real app: answers 201 with its own headers and a body describing what it received.
async fn app() -> std::net::SocketAddr {
    use axum::http::{HeaderMap, Uri};
    async fn handler(
        method: axum::http::Method,
        uri: Uri,
        headers: HeaderMap,
        body: Bytes,
    ) -> axum::response::Response {
        use axum::response::IntoResponse;
        if uri.path() == "/slow" {
            tokio::time::sleep(Duration::from_secs(5)).await;
        }
        let mut out = format!(
            "{method} {} host={} conn={} dup={:?}\n",
            uri,
            headers
                .get("host")
                .map(|h| h.to_str().unwrap())
                .unwrap_or(""),
            headers.contains_key("connection") || headers.contains_key("x-hop"),
            headers
                .get_all("x-dup")
                .iter()
                .map(|v| v.to_str().unwrap())
                .collect::<Vec<_>>(),
        )
        .into_bytes();
        out.extend_from_slice(&body);
        (
            axum::http::StatusCode::CREATED,
            axum::response::AppendHeaders([
                ("x-app", "yes"),
                ("set-cookie", "a=1"),
                ("set-cookie", "b=2"),
            ]),
            out,
        )
            .into_response()
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, axum::Router::new().fallback(handler))
            .await
            .unwrap()
    });
    addr
}

#[tokio::test]
async fn forwarding_relays_the_apps_answer_and_records_it() {
    let app = app().await;
    let mut o = options("", Storage::Memory);
    o.forward = Some(format!("http://{app}/base/"));
    let running = start(o).await;
    let body = b"{\"a\":1}\x00\xff".to_vec();
    let resp = client()
        .post(format!("{}/hooks/x?q=1", running.listen_url()))
        .header("x-dup", "1")
        .header("x-dup", "2")
        .header("connection", "x-hop")
        .header("x-hop", "dropped")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    assert_eq!(resp.headers()["x-app"], "yes");
    let cookies: Vec<_> = resp.headers().get_all("set-cookie").iter().collect();
    assert_eq!(cookies, vec!["a=1", "b=2"]);
    let got = resp.bytes().await.unwrap();
    let mut expected =
        format!("POST /base/hooks/x?q=1 host={app} conn=false dup=[\"1\", \"2\"]\n").into_bytes();
    expected.extend_from_slice(&body);
    assert_eq!(got[..], expected[..]);
    let d = running.store.get(1).unwrap().unwrap();
    let r = d.response.unwrap();
    assert_eq!((r.status, r.source.as_str()), (201, "app"));
    assert!(r.latency_ms.is_some());
    assert!(r.headers.contains(&("x-app".into(), "yes".into())));
    assert_eq!(r.body, String::from_utf8_lossy(&expected));
    assert_eq!(&d.body[..], &body[..]);
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn app_down_gives_502_and_timeout_gives_504_both_recorded() {
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let mut o = options("", Storage::Memory);
    o.forward = Some(format!("http://{closed}"));
    let running = start(o).await;
    let resp = client()
        .post(format!("{}/down", running.listen_url()))
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 502);
    let d = running.store.get(1).unwrap().unwrap();
    let r = d.response.unwrap();
    assert_eq!((r.status, r.source.as_str()), (502, "error"));
    assert!(!r.error.unwrap().is_empty());
    running.shutdown().await.unwrap();

    let app = app().await;
    let mut o = options("", Storage::Memory);
    o.forward = Some(format!("http://{app}"));
    o.forward_timeout = Duration::from_millis(300);
    let running = start(o).await;
    let resp = client()
        .post(format!("{}/slow", running.listen_url()))
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 504);
    let r = running.store.get(1).unwrap().unwrap().response.unwrap();
    assert_eq!((r.status, r.source.as_str()), (504, "error"));
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn zoom_url_validation_is_answered_exactly() {
    let v = vector("zoom-url-validation");
    let secret = v["secret"].as_str().unwrap();
    let body = v["body"].as_str().unwrap();
    let running = start(options(
        &format!("[providers.zoom]\nsecrets = [\"other\", \"{secret}\"]"),
        Storage::Memory,
    ))
    .await;
    let ts = now();
    let send = |sig: String| {
        client()
            .post(format!("{}/zoom", running.listen_url()))
            .header("content-type", "application/json")
            .header("x-zm-request-timestamp", ts.to_string())
            .header("x-zm-signature", sig)
            .body(body.to_string())
            .send()
    };
    let resp = send(zoom_signature(secret, ts, body.as_bytes()))
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/json");
    let expected = &v["expected_response_body"];
    let text = resp.text().await.unwrap();
    assert_eq!(
        text,
        format!(
            r#"{{"plainToken":{},"encryptedToken":{}}}"#,
            expected["plainToken"], expected["encryptedToken"]
        )
    );
    let r = running.store.get(1).unwrap().unwrap().response.unwrap();
    assert_eq!((r.status, r.source.as_str()), (200, "challenge"));
    // A forged one is not answered (the sender gets the ordinary answer).
    let resp = send(zoom_signature("wrong", ts, body.as_bytes()))
        .await
        .unwrap();
    assert!(!resp.text().await.unwrap().contains("encryptedToken"));
    let r = running.store.get(2).unwrap().unwrap().response.unwrap();
    assert_eq!(r.source, "hookscope");
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn slack_twitch_and_dropbox_handshakes_are_answered() {
    let running = start(options(
        "[providers.slack]\nsecrets = [\"slack-secret\"]\n[providers.twitch]\nsecrets = [\"twitch-secret-123\"]\n[providers.dropbox]\nsecrets = [\"db\"]",
        Storage::Memory,
    ))
    .await;
    let url = running.listen_url();
    // Slack url_verification (signed like every Slack request).
    let ts = now();
    let body = r#"{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}"#;
    let sig = format!(
        "v0={}",
        hmac_hex(b"slack-secret", format!("v0:{ts}:{body}").as_bytes())
    );
    let resp = client()
        .post(format!("{url}/slack"))
        .header("content-type", "application/json")
        .header("x-slack-request-timestamp", ts.to_string())
        .header("x-slack-signature", sig)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.text().await.unwrap(),
        r#"{"challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}"#
    );
    // Twitch webhook_callback_verification: the challenge echoed as text/plain.
    let id = "e76c6bd4-55c9-4987-8304-da1588d8988b";
    let tts = jiff::Timestamp::now().to_string();
    let body = r#"{"challenge":"pogchamp-kappa-360noscope-vohiyo","subscription":{"id":"f1c2a387","status":"webhook_callback_verification_pending","type":"channel.follow","version":"2"}}"#;
    let sig = format!(
        "sha256={}",
        hmac_hex(b"twitch-secret-123", format!("{id}{tts}{body}").as_bytes())
    );
    let resp = client()
        .post(format!("{url}/twitch"))
        .header("twitch-eventsub-message-id", id)
        .header("twitch-eventsub-message-timestamp", &tts)
        .header("twitch-eventsub-message-signature", sig)
        .header(
            "twitch-eventsub-message-type",
            "webhook_callback_verification",
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "text/plain");
    assert_eq!(
        resp.text().await.unwrap(),
        "pogchamp-kappa-360noscope-vohiyo"
    );
    // Dropbox GET ?challenge=: echoed with nosniff.
    let resp = client()
        .get(format!("{url}/dropbox?challenge=abc%2Bdef"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "text/plain");
    assert_eq!(resp.headers()["x-content-type-options"], "nosniff");
    assert_eq!(resp.text().await.unwrap(), "abc+def");
    // All three recorded, answered by hookscope.
    for id in 1..=3 {
        let d = running.store.get(id).unwrap().unwrap();
        assert_eq!(d.response.unwrap().source, "challenge", "delivery {id}");
    }
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn xero_asana_and_trello_handshakes_answer_status_and_headers() {
    let key = "xero-webhook-key";
    let running = start(options(
        &format!("[providers.xero]\nsecrets = [\"{key}\"]\n[providers.trello]\nsecrets = [\"t\"]"),
        Storage::Memory,
    ))
    .await;
    let url = running.listen_url();
    // Xero intent to receive: 200 with an empty body when signed, 401 when not.
    let body = r#"{"events":[],"firstEventSequence": 0,"lastEventSequence": 0, "entropy": "S0m3r4Nd0mt3xt"}"#;
    let sig = {
        use base64::Engine as _;
        let mac = hookscope::crypto::compute(
            hookscope::providers::scheme::Algorithm::HmacSha256,
            key.as_bytes(),
            body.as_bytes(),
        )
        .unwrap();
        base64::engine::general_purpose::STANDARD.encode(mac)
    };
    for (signature, status) in [(sig.as_str(), 200), ("bm90IGl0", 401)] {
        let resp = client()
            .post(format!("{url}/xero"))
            .header("x-xero-signature", signature)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), status);
        assert_eq!(resp.text().await.unwrap(), "");
    }
    // Asana: X-Hook-Secret echoed in the answer's headers.
    let resp = client()
        .post(format!("{url}/asana"))
        .header("X-Hook-Secret", "b537207f20cbfa02357cf448134da559")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()["x-hook-secret"],
        "b537207f20cbfa02357cf448134da559"
    );
    // Trello: HEAD answered 200.
    let resp = client().head(format!("{url}/trello")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    for id in 1..=4 {
        let d = running.store.get(id).unwrap().unwrap();
        assert_eq!(d.response.unwrap().source, "challenge", "delivery {id}");
    }
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn deliveries_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let running = start(options("", Storage::Dir(dir.path().into()))).await;
    let resp = client()
        .post(format!("{}/first", running.listen_url()))
        .body("one")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    running.shutdown().await.unwrap();
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.count().unwrap(), 1);
    assert_eq!(
        store.get(1).unwrap().unwrap().body,
        Bytes::from_static(b"one")
    );
    drop(store);
    let running = start(options("", Storage::Dir(dir.path().into()))).await;
    client()
        .post(format!("{}/second", running.listen_url()))
        .body("two")
        .send()
        .await
        .unwrap();
    let rows = running.store.summaries().unwrap();
    assert_eq!(
        rows.iter()
            .map(|r| (r.id, r.path.as_str()))
            .collect::<Vec<_>>(),
        vec![(1, "/first"), (2, "/second")]
    );
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn garbage_from_a_sender_does_not_hurt_the_listener() {
    let running = start(options("", Storage::Memory)).await;
    for junk in [
        &b"\x00\x01\x02garbage\r\n\r\n"[..],
        b"POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc",
        b"POST / HTTP/1.1\r\nContent-Length: nope\r\n\r\n",
        b"GET /\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n",
    ] {
        let mut tcp = tokio::net::TcpStream::connect(running.local_addr)
            .await
            .unwrap();
        let _ = tcp.write_all(junk).await;
        let _ = tcp.shutdown().await;
        let mut sink = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(2), tcp.read_to_end(&mut sink)).await;
    }
    let resp = client()
        .post(format!("{}/still-up", running.listen_url()))
        .body("ok")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn secrets_changed_at_runtime_apply_to_the_next_delivery() {
    let o = options("", Storage::Memory);
    let mut events = o.events.subscribe();
    let running = start(o).await;
    let body = br#"{"event":"meeting.started"}"#;
    let send = || {
        let ts = now();
        client()
            .post(format!("{}/zoom", running.listen_url()))
            .header("x-zm-request-timestamp", ts.to_string())
            .header("x-zm-signature", zoom_signature("runtime-secret", ts, body))
            .body(&body[..])
            .send()
    };
    send().await.unwrap();
    let Event::Delivery(first) = events.recv().await.unwrap() else {
        panic!("expected a delivery")
    };
    assert_eq!(first.verification.verdict.as_str(), "unverified");
    running.checker.write().unwrap().set_secrets(
        "zoom",
        vec![hookscope::secret::Secret::new("runtime-secret")],
    );
    send().await.unwrap();
    let Event::Delivery(second) = events.recv().await.unwrap() else {
        panic!("expected a delivery")
    };
    assert_eq!(second.verification.verdict.as_str(), "verified");
    assert_eq!((first.delivery.id, second.delivery.id), (1, 2));
    running.shutdown().await.unwrap();
}
