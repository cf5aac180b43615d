//! Response rules on the real listener (port 0, loopback, real HTTP): a strict app's 401, a
//! delay, a dropped connection, handshakes and forwarding, the rule in the headless line, and
//! broken rules as one clear sentence.

mod listener;

use hookscope::capture::{self, ListenOptions, Running, Storage};
use hookscope::checker::Checker;
use hookscope::config::Config;
use hookscope::providers::Registry;
use hookscope::respond::{Rules, rules_from_config};
use listener::{client, hmac_hex, now, zoom_signature};
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const SECRET: &str = "zoom-rules-secret";
const BODY: &[u8] = br#"{"event":"meeting.started","payload":{"object":{"id":"1"}}}"#;

async fn start(config: &str) -> Running {
    start_in(config, Storage::Memory).await
}

async fn start_in(config: &str, storage: Storage) -> Running {
    let cfg = Config::parse(config).unwrap();
    let checker = Checker::from_config(&cfg, &[]).unwrap();
    let rules = rules_from_config(&cfg, &Registry::builtin(), None).unwrap();
    let mut o = ListenOptions::new(checker);
    o.addr = "127.0.0.1:0".parse().unwrap();
    o.storage = storage;
    o.forward = cfg.forward.clone();
    o.rules = Arc::new(Rules::new(rules));
    capture::start(o).await.unwrap()
}

/// POST a Zoom delivery, correctly signed or with one signature digit changed.
async fn zoom(url: &str, path: &str, tampered: bool) -> reqwest::Response {
    let ts = now();
    let mut sig = zoom_signature(SECRET, ts, BODY);
    if tampered {
        let last = sig.pop().unwrap();
        sig.push(if last == '0' { '1' } else { '0' });
    }
    client()
        .post(format!("{url}{path}"))
        .header("content-type", "application/json")
        .header("x-zm-request-timestamp", ts.to_string())
        .header("x-zm-signature", sig)
        .body(BODY)
        .send()
        .await
        .unwrap()
}

fn strict_config() -> String {
    format!(
        "[providers.zoom]\nsecrets = [\"{SECRET}\"]\n\
         [[responses]]\nname = \"strict\"\nverdict = \"failed\"\nstatus = 401\n\
         headers = {{ \"x-rule\" = \"{{rule}}\" }}\n\
         body = '{{\"error\":\"bad signature\",\"delivery\":{{id}}}}'\n"
    )
}

#[tokio::test]
async fn a_failed_rule_rejects_the_tampered_delivery_and_passes_the_good_one() {
    let running = start(&strict_config()).await;
    let url = running.listen_url();
    let good = zoom(&url, "/hooks/zoom", false).await;
    assert_eq!(good.status(), 200);
    assert_eq!(
        good.text().await.unwrap(),
        r#"{"ok":true,"by":"hookscope"}"#
    );
    let bad = zoom(&url, "/hooks/zoom", true).await;
    assert_eq!(bad.status(), 401);
    assert_eq!(bad.headers()["x-rule"], "strict");
    assert_eq!(bad.headers()["content-type"], "application/json");
    assert_eq!(
        bad.text().await.unwrap(),
        r#"{"error":"bad signature","delivery":2}"#
    );
    let stored = running.store.get(2).unwrap().unwrap().response.unwrap();
    assert_eq!(
        (stored.status, stored.rule.as_deref()),
        (401, Some("strict"))
    );
    assert_eq!(
        running
            .store
            .get(1)
            .unwrap()
            .unwrap()
            .response
            .unwrap()
            .rule,
        None
    );
    // Switched off (as the dashboard does), the rule no longer answers.
    assert!(running.rules.set_enabled(0, false));
    assert_eq!(zoom(&url, "/hooks/zoom", true).await.status(), 200);
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_delay_holds_the_answer_at_least_that_long_and_the_delivery_is_committed_first() {
    let running =
        start("[[responses]]\nname = \"slow\"\npath = \"/slow/*\"\nstatus = 503\ndelay_ms = 400\n")
            .await;
    let mut events = running.events.subscribe();
    let url = running.listen_url();
    let started = Instant::now();
    let pending = tokio::spawn(client().post(format!("{url}/slow/a")).body("x").send());
    // The delivery is on the event stream while its answer is still held.
    let hookscope::event::Event::Delivery(c) = events.recv().await.unwrap() else {
        panic!("expected a delivery")
    };
    assert_eq!(
        c.delivery.response.as_ref().unwrap().rule.as_deref(),
        Some("slow")
    );
    let resp = pending.await.unwrap().unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(400),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(resp.status(), 503);
    // Another path is not held (no bound asserted on how fast it is).
    let other = client()
        .post(format!("{url}/fast"))
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 200);
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn drop_closes_the_connection_without_an_answer_and_records_it() {
    let running = start("[[responses]]\nname = \"gone\"\nmethod = \"POST\"\ndrop = true\n").await;
    let mut tcp = tokio::net::TcpStream::connect(running.local_addr)
        .await
        .unwrap();
    tcp.write_all(b"POST /hooks/x HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}")
        .await
        .unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), tcp.read_to_end(&mut answer))
        .await
        .expect("the connection is closed, not left open");
    // Closed (EOF) or reset; either way not one byte of an answer.
    assert!(
        read.is_err() || answer.is_empty(),
        "{}",
        String::from_utf8_lossy(&answer)
    );
    let d = running.store.get(1).unwrap().unwrap();
    let r = d.response.unwrap();
    assert_eq!(
        (r.status, r.source.as_str(), r.rule.as_deref()),
        (0, "hookscope", Some("gone"))
    );
    // A GET is not matched and gets the usual answer; the listener is unharmed.
    let ok = client().get(running.listen_url()).send().await.unwrap();
    assert_eq!(ok.status(), 200);
    // reqwest sees the drop as an error, not a status.
    assert!(
        client()
            .post(running.listen_url())
            .body("x")
            .send()
            .await
            .is_err()
    );
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn handshakes_and_forwarding_win_unless_the_rule_says_otherwise() {
    let slack = |extra: &str| {
        format!(
            "[providers.slack]\nsecrets = [\"slack-secret\"]\n\
             [[responses]]\nname = \"all\"\nstatus = 500\n{extra}"
        )
    };
    let handshake = |url: String| async move {
        let ts = now();
        let body = r#"{"type":"url_verification","challenge":"ch4ll3nge"}"#;
        let sig = format!(
            "v0={}",
            hmac_hex(b"slack-secret", format!("v0:{ts}:{body}").as_bytes())
        );
        client()
            .post(format!("{url}/slack"))
            .header("x-slack-request-timestamp", ts.to_string())
            .header("x-slack-signature", sig)
            .body(body)
            .send()
            .await
            .unwrap()
    };
    let running = start(&slack("")).await;
    let resp = handshake(running.listen_url()).await;
    assert_eq!(resp.status(), 200);
    assert!(resp.text().await.unwrap().contains("ch4ll3nge"));
    running.shutdown().await.unwrap();
    let running = start(&slack("handshakes = true\n")).await;
    assert_eq!(handshake(running.listen_url()).await.status(), 500);
    running.shutdown().await.unwrap();

    // A real app behind --forward answers 201.
    let app = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let app_addr = app.local_addr().unwrap();
    tokio::spawn(async move {
        let router =
            axum::Router::new().fallback(|| async { (axum::http::StatusCode::CREATED, "app") });
        axum::serve(app, router).await.unwrap();
    });
    let forward = format!("forward = \"http://{app_addr}\"\n");
    let running = start(&format!("{forward}[[responses]]\nstatus = 500\n")).await;
    let resp = client()
        .post(running.listen_url())
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201, "forwarding wins");
    running.shutdown().await.unwrap();
    let running = start(&format!(
        "{forward}[[responses]]\nstatus = 500\noverride_forward = true\n"
    ))
    .await;
    let resp = client()
        .post(running.listen_url())
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 500, "the rule says otherwise");
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_rejected_body_gets_hookscopes_answer_not_a_rule() {
    let cfg = Config::parse("[[responses]]\nstatus = 500\n").unwrap();
    let rules = rules_from_config(&cfg, &Registry::builtin(), None).unwrap();
    let mut o = ListenOptions::new(Checker::builtin());
    o.addr = "127.0.0.1:0".parse().unwrap();
    o.max_body = 8;
    o.rules = Arc::new(Rules::new(rules));
    let running = capture::start(o).await.unwrap();
    let url = running.listen_url();
    let big = client()
        .post(&url)
        .body(vec![b'x'; 64])
        .send()
        .await
        .unwrap();
    assert_eq!(big.status(), 413);
    assert_eq!(
        running
            .store
            .get(1)
            .unwrap()
            .unwrap()
            .response
            .unwrap()
            .rule,
        None
    );
    // A body whose chunked framing breaks: hookscope's 400, not the rule's 500.
    let mut tcp = tokio::net::TcpStream::connect(running.local_addr)
        .await
        .unwrap();
    tcp.write_all(
        b"POST /cut HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nZZ\r\n",
    )
    .await
    .unwrap();
    let mut answer = vec![0u8; 12];
    tokio::time::timeout(Duration::from_secs(10), tcp.read_exact(&mut answer))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(&answer, b"HTTP/1.1 400");
    let small = client().post(&url).body("x").send().await.unwrap();
    assert_eq!(small.status(), 500);
    let rules: Vec<Option<String>> = (1..=3)
        .map(|id| {
            running
                .store
                .get(id)
                .unwrap()
                .unwrap()
                .response
                .unwrap()
                .rule
        })
        .collect();
    assert_eq!(rules, [None, None, Some("responses[0]".to_string())]);
    running.shutdown().await.unwrap();
}

/// The acknowledgement rule holds under every rule: a delivery the store could not keep gets
/// 503 + Retry-After, never the rule's 2xx (nor its delay or drop).
#[tokio::test]
async fn a_rule_never_acknowledges_a_delivery_that_was_not_stored() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join(hookscope::store::DB_FILE);
    // Not a database: the store keeps deliveries in memory only and says so.
    let garbage: Vec<u8> = (0..40_000u32).map(|i| (i * 7 + 3) as u8).collect();
    std::fs::write(&db, &garbage).unwrap();
    let running = start_in(
        "[[responses]]\nname = \"ok\"\npath = \"/ok\"\nstatus = 202\nbody = \"accepted {id}\"\n\
         [[responses]]\nname = \"gone\"\npath = \"/gone\"\ndrop = true\n",
        Storage::Dir(dir.path().into()),
    )
    .await;
    let url = running.listen_url();
    for (i, path) in ["/ok", "/gone"].into_iter().enumerate() {
        let resp = client()
            .post(format!("{url}{path}"))
            .body("x")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 503, "{path}");
        assert!(resp.headers().contains_key("retry-after"), "{path}");
        let text = resp.text().await.unwrap();
        assert!(text.contains("not stored"), "{path}: {text}");
        // Shown from memory with the answer its sender got; no rule answered it.
        let r = running
            .store
            .get(i as u64 + 1)
            .unwrap()
            .unwrap()
            .response
            .unwrap();
        assert_eq!((r.status, r.rule), (503, None), "{path}");
    }
    running.shutdown().await.unwrap();
    assert_eq!(std::fs::read(&db).unwrap(), garbage);
}

fn headless(
    config: &str,
    extra: &[&str],
) -> (
    std::process::Child,
    String,
    impl Iterator<Item = serde_json::Value> + use<>,
    tempfile::TempDir,
) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, config).unwrap();
    let mut child = listener::headless_command(&path, None)
        .args(extra)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(&l.unwrap()).unwrap());
    let ready = lines.next().unwrap();
    let url = ready["listen"].as_str().unwrap().to_string();
    // The directory is returned: the listener watches the config file for the whole run.
    (child, url, lines.filter(|l| l["type"] == "delivery"), dir)
}

/// The delivery record schema (docs/delivery-record.schema.json) holds `response.rule`.
fn assert_record(line: &serde_json::Value) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/delivery-record.schema.json"
    );
    let mut schemas = boon::Schemas::new();
    let index = boon::Compiler::new().compile(path, &mut schemas).unwrap();
    if let Err(e) = schemas.validate(line, index) {
        panic!("not a valid record: {e:#}\n{line}");
    }
}

#[tokio::test]
async fn the_rule_that_answered_is_in_the_headless_line() {
    let (mut child, url, mut lines, dir) = headless(&strict_config(), &["--include-body"]);
    assert_eq!(zoom(&url, "/hooks/zoom", true).await.status(), 401);
    assert_eq!(zoom(&url, "/hooks/zoom", false).await.status(), 200);
    let first = lines.next().unwrap();
    assert_eq!(first["verdict"], "failed");
    assert_eq!(first["response"]["status"], 401);
    assert_eq!(first["response"]["rule"], "strict");
    let second = lines.next().unwrap();
    assert_eq!(second["verdict"], "verified");
    assert!(second["response"].get("rule").is_none(), "{second}");
    child.kill().unwrap();
    child.wait().unwrap();
    assert_record(&first);
    assert_record(&second);
    // The record keeps the rule through an import and an export.
    let file = dir.path().join("lines.jsonl");
    std::fs::write(&file, format!("{first}\n{second}\n")).unwrap();
    let data = dir.path().join("data");
    let run = |args: &[&std::ffi::OsStr]| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_hookscope"))
            .args(args)
            .arg("--data-dir")
            .arg(&data)
            .arg("--config")
            .arg(dir.path().join("config.toml"))
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap()
    };
    run(&["import".as_ref(), file.as_os_str()]);
    let exported = run(&["export".as_ref(), "--format".as_ref(), "jsonl".as_ref()]);
    let rules: Vec<serde_json::Value> = exported
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["response"]["rule"].clone())
        .collect();
    assert_eq!(
        rules,
        [serde_json::json!("strict"), serde_json::Value::Null]
    );
}

/// Rules are read when the listener starts: a config edit while it runs brings in the new
/// secret (the verdict changes) but leaves the rules as they were.
#[tokio::test]
async fn a_config_edit_while_running_reloads_secrets_not_rules() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    let rule = "[[responses]]\nname = \"teapot\"\nstatus = 418\n";
    std::fs::write(
        &path,
        format!("[providers.zoom]\nsecrets = [\"wrong\"]\n{rule}"),
    )
    .unwrap();
    let mut child = listener::headless_command(&path, None)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let v: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
            if tx.send(v).is_err() {
                return;
            }
        }
    });
    let next = |want: &str| loop {
        let v = rx.recv_timeout(Duration::from_secs(10)).expect("a line");
        if v["type"] == want {
            return v;
        }
    };
    let url = next("ready")["listen"].as_str().unwrap().to_string();
    assert_eq!(zoom(&url, "/hooks/zoom", false).await.status(), 418);
    assert_eq!(next("delivery")["verdict"], "failed");
    // The right secret and no rule at all.
    std::fs::write(
        &path,
        format!("[providers.zoom]\nsecrets = [\"{SECRET}\"]\n"),
    )
    .unwrap();
    next("config_reloaded");
    assert_eq!(zoom(&url, "/hooks/zoom", false).await.status(), 418);
    let line = next("delivery");
    assert_eq!(line["verdict"], "verified", "{line}");
    assert_eq!(line["response"]["rule"], "teapot", "{line}");
    child.kill().unwrap();
    child.wait().unwrap();
}

#[tokio::test]
async fn respond_flag_answers_everything_with_its_status() {
    let (mut child, url, mut lines, _dir) = headless(&strict_config(), &["--respond", "503"]);
    // Before the config's rules: even the tampered delivery gets 503.
    assert_eq!(zoom(&url, "/hooks/zoom", true).await.status(), 503);
    let line = lines.next().unwrap();
    assert_eq!(line["response"]["rule"], "--respond");
    child.kill().unwrap();
    child.wait().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hookscope"))
        .args(["listen", "--headless", "--no-store", "--respond", "99"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err.trim(),
        "hookscope: --respond 99: 99 is not a final HTTP status (200–599)"
    );
}

#[test]
fn a_broken_rule_is_one_sentence_naming_the_file_entry_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(
        &path,
        "[[responses]]\nname = \"ok\"\n[[responses]]\nname = \"strict\"\nverdict = \"fail\"\nstatus = 401\n",
    )
    .unwrap();
    let out = listener::headless_command(&path, None)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "no ready line");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err.trim(),
        format!(
            "hookscope: config file {}: responses[1] (strict): verdict: \"fail\" is not one of verified, failed, unverified",
            path.display()
        )
    );
}
