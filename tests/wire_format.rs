//! The one delivery record (docs/json-lines.md) through the real binary: headless output with
//! `--include-body` imports as it is and exports as the same records, every line valid against
//! docs/delivery-record.schema.json; stored verdicts need no secrets; importing twice adds
//! nothing; a bad filter is exit 2 with one sentence. And forwarding is transparent: the app
//! gets the captured head, names with their case, nothing added but host and length.

mod listener;

use hookscope::capture::{self, ListenOptions, Storage};
use hookscope::checker::Checker;
use hookscope::config::Config;
use listener::{now, zoom_signature};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

const SECRET: &str = "zoom-wire-format-secret";

/// The record schema, compiled once per test.
fn schema() -> (boon::Schemas, boon::SchemaIndex) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/delivery-record.schema.json"
    );
    let mut schemas = boon::Schemas::new();
    let index = boon::Compiler::new()
        .compile(path, &mut schemas)
        .expect("the schema compiles");
    (schemas, index)
}

fn assert_valid(schemas: &(boon::Schemas, boon::SchemaIndex), line: &Value) {
    if let Err(e) = schemas.0.validate(line, schemas.1) {
        panic!("not valid against the schema: {e:#}\n{line}");
    }
}

/// Send raw bytes to `addr` on a fresh connection; the answer's bytes.
fn raw(addr: &str, request: &[u8]) -> Vec<u8> {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.write_all(request).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    out
}

fn request(path: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut r = format!("POST {path} HTTP/1.1\r\n").into_bytes();
    for (n, v) in headers {
        r.extend_from_slice(format!("{n}: {v}\r\n").as_bytes());
    }
    r.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
    r.extend_from_slice(body);
    r
}

fn hookscope(args: &[&str], config: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hookscope"))
        .args(args)
        .arg("--config")
        .arg(config)
        .env_remove("HOOKSCOPE_SECRET_ZOOM")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// What a round trip must keep of a record.
fn essence(v: &Value) -> Value {
    let keys = [
        "received_at",
        "method",
        "path",
        "query",
        "headers",
        "body",
        "body_base64",
        "body_bytes",
        "body_sha256",
        "response",
        "provider",
        "verdict",
    ];
    keys.iter()
        .map(|k| (k.to_string(), v.get(*k).cloned().unwrap_or(Value::Null)))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

#[test]
fn headless_output_imports_and_exports_as_the_same_records() {
    let schemas = schema();
    // The schema does refuse what is not a record.
    let broken = serde_json::json!({"type": "delivery", "schema_version": 1, "verdict": "maybe"});
    assert!(schemas.0.validate(&broken, schemas.1).is_err());
    let dir = tempfile::tempdir().unwrap();
    let with_secret = dir.path().join("config.toml");
    std::fs::write(
        &with_secret,
        format!("[providers.zoom]\nsecrets = [\"{SECRET}\"]\n"),
    )
    .unwrap();
    let mut child = listener::headless_command(&with_secret, Some(&dir.path().join("a")))
        .arg("--include-body")
        .env_remove("HOOKSCOPE_SECRET_ZOOM")
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let ready = lines.next().unwrap().unwrap();
    let listen: Value = serde_json::from_str(&ready).unwrap();
    let addr = listen["listen"]
        .as_str()
        .unwrap()
        .trim_start_matches("http://")
        .to_string();

    let body = br#"{"event":"meeting.started","payload":{"object":{"id":"1"}}}"#;
    let ts = now().to_string();
    let good = zoom_signature(SECRET, now(), body);
    let sent = [
        request(
            "/valid",
            &[
                ("Host", &addr),
                ("Content-Type", "application/json"),
                ("X-Zm-Request-Timestamp", &ts),
                ("X-Zm-Signature", &good),
                ("Connection", "close"),
            ],
            body,
        ),
        request(
            "/tampered?x=1",
            &[
                ("HOST", &addr),
                ("x-zm-request-timestamp", &ts),
                ("X-ZM-SIGNATURE", "v0=00"),
                ("Connection", "close"),
            ],
            body,
        ),
        request(
            "/binary",
            &[
                ("Host", &addr),
                ("X-Bin", "caf\u{e9}"),
                ("X-Dup", "1"),
                ("Other", "o"),
                ("X-Dup", "2"),
                ("Connection", "close"),
            ],
            b"\x00\xff\xfe binary",
        ),
    ];
    for r in &sent {
        let answer = raw(&addr, r);
        assert!(answer.starts_with(b"HTTP/1.1 200"), "{answer:?}");
    }
    let mut file = format!("{ready}\n");
    let mut headless = Vec::new();
    for _ in 0..sent.len() {
        let line = lines.next().unwrap().unwrap();
        let v: Value = serde_json::from_str(&line).unwrap();
        assert_valid(&schemas, &v);
        assert_eq!(v["judged"], "capture");
        file.push_str(&line);
        file.push('\n');
        headless.push(v);
    }
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    child.wait().unwrap();
    // Header names with their case, in arrival order, duplicates where they were.
    let names = |v: &Value| -> Vec<String> {
        v["headers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h[0].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        names(&headless[0]),
        [
            "Host",
            "Content-Type",
            "X-Zm-Request-Timestamp",
            "X-Zm-Signature",
            "Connection",
            "Content-Length"
        ]
    );
    assert_eq!(
        names(&headless[2]),
        [
            "Host",
            "X-Bin",
            "X-Dup",
            "Other",
            "X-Dup",
            "Connection",
            "Content-Length"
        ]
    );
    assert_eq!(headless[0]["verdict"], "verified");
    assert_eq!(headless[1]["verdict"], "failed");
    assert!(headless[2]["body_base64"].is_string());

    // Import into another store, with no secret anywhere.
    let headless_file = dir.path().join("headless.jsonl");
    std::fs::write(&headless_file, &file).unwrap();
    let empty = dir.path().join("empty.toml");
    std::fs::write(&empty, "").unwrap();
    let b = dir.path().join("b");
    let b = b.to_str().unwrap();
    let file_arg = headless_file.to_str().unwrap();
    let o = hookscope(&["import", file_arg, "--data-dir", b], &empty);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with("imported 3 deliveries"),
        "{}",
        stdout(&o)
    );

    let o = hookscope(&["export", "--format", "jsonl", "--data-dir", b], &empty);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let exported: Vec<Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(exported.len(), 3);
    for (got, want) in exported.iter().zip(&headless) {
        assert_valid(&schemas, got);
        assert_eq!(got["judged"], "stored");
        assert_eq!(essence(got), essence(want));
    }

    // The same file again: nothing new.
    let o = hookscope(&["import", file_arg, "--data-dir", b], &empty);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with("imported 0, skipped 3 already present"),
        "{}",
        stdout(&o)
    );

    // Stored verdicts select without secrets.
    let o = hookscope(
        &[
            "export",
            "--format",
            "jsonl",
            "--filter",
            "failed",
            "--data-dir",
            b,
        ],
        &empty,
    );
    let text = stdout(&o);
    let failed: Vec<&str> = text.lines().collect();
    assert_eq!(failed.len(), 1, "{}", stdout(&o));
    assert!(failed[0].contains("\"path\":\"/tampered\""));
    // With --reverify and no secret, the verdict is judged again, and says so.
    let o = hookscope(
        &["export", "--format", "jsonl", "--reverify", "--data-dir", b],
        &empty,
    );
    let first: Value = serde_json::from_str(stdout(&o).lines().next().unwrap()).unwrap();
    assert_valid(&schemas, &first);
    assert_eq!(first["judged"], "reverified");
    assert_eq!(first["signature"]["status"], "no_secret");

    // A filter with an unknown field or a bad value: exit 2, one sentence naming it.
    for (filter, says) in [
        ("bogus:x", "\"bogus:x\": unknown filter field \"bogus\""),
        (
            "status:abc",
            "\"status:abc\": a status is a number from 100 to 599",
        ),
    ] {
        let o = hookscope(
            &[
                "export",
                "--format",
                "jsonl",
                "--filter",
                filter,
                "--data-dir",
                b,
            ],
            &empty,
        );
        assert_eq!(o.status.code(), Some(2), "{filter}");
        assert!(stdout(&o).is_empty());
        let err = stderr(&o);
        assert!(err.contains(says), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
    }
}

#[tokio::test]
async fn a_forwarded_request_carries_the_captured_head_exactly() {
    let (app_url, app) = listener::one_shot(
        "HTTP/1.1 202 Accepted\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok",
        Duration::from_secs(20),
    );
    let cfg = Config::parse("").unwrap();
    let mut opts = ListenOptions::new(Checker::from_config(&cfg, &[]).unwrap());
    opts.addr = "127.0.0.1:0".parse().unwrap();
    opts.storage = Storage::Memory;
    opts.forward = Some(format!("{app_url}/app"));
    let running = capture::start(opts).await.unwrap();
    let addr = running.local_addr.to_string();
    let body = br#"{"zen":"Keep it logically awesome."}"#;
    let req = request(
        "/hooks/github?x=1",
        &[
            ("Host", "abc.example.dev"),
            ("User-Agent", "GitHub-Hookshot/abc"),
            ("X-GitHub-Event", "ping"),
            ("X-Hub-Signature-256", "sha256=00"),
            ("content-type", "application/json"),
            ("X-Dup", "1"),
            ("X-Other", "o"),
            ("X-Dup", "2"),
            ("Connection", "close"),
        ],
        body,
    );
    let answer = tokio::task::spawn_blocking(move || raw(&addr, &req))
        .await
        .unwrap();
    assert!(answer.starts_with(b"HTTP/1.1 202"), "{answer:?}");
    assert!(answer.ends_with(b"ok"));
    let seen = tokio::task::spawn_blocking(move || app.join().unwrap())
        .await
        .unwrap()
        .expect("the app got the request");
    let authority = app_url.trim_start_matches("http://");
    let (head, got_body) = seen.split_once("\r\n\r\n").unwrap();
    assert_eq!(got_body.as_bytes(), body);
    let mut lines = head.lines();
    assert_eq!(lines.next(), Some("POST /app/hooks/github?x=1 HTTP/1.1"));
    let headers: Vec<&str> = lines.collect();
    let hop = headers.last().unwrap().to_string();
    assert!(hop.starts_with("x-hookscope-hop: "), "{headers:?}");
    assert_eq!(
        headers[..headers.len() - 1],
        [
            format!("Host: {authority}").as_str(),
            "User-Agent: GitHub-Hookshot/abc",
            "X-GitHub-Event: ping",
            "X-Hub-Signature-256: sha256=00",
            "content-type: application/json",
            "X-Dup: 1",
            "X-Other: o",
            "X-Dup: 2",
            format!("Content-Length: {}", body.len()).as_str(),
        ]
    );
    assert!(!head.to_ascii_lowercase().contains("\naccept"), "{head}");
    // The store and every view hold the names as they arrived.
    let d = running.store.get(1).unwrap().unwrap();
    let names: Vec<&str> = d.headers.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "Host",
            "User-Agent",
            "X-GitHub-Event",
            "X-Hub-Signature-256",
            "content-type",
            "X-Dup",
            "X-Other",
            "X-Dup",
            "Connection",
            "Content-Length"
        ]
    );
    assert_eq!(d.response.unwrap().status, 202);
    running.shutdown().await.unwrap();
}
