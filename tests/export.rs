//! Export and import through the real binary and the real store; the curl export replayed with
//! the real `curl` against a real listener.

use bytes::Bytes;
use hookscope::capture::{self, ListenOptions, Storage};
use hookscope::checker::Checker;
use hookscope::delivery::Delivery;
use hookscope::store::Store;
use hookscope::verify::Verdict;
use std::path::Path;
use std::process::{Command, Output};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn hookscope(args: &[&str], config_dir: &Path) -> Output {
    let config = config_dir.join("config.toml");
    if !config.exists() {
        std::fs::write(&config, "").unwrap();
    }
    Command::new(env!("CARGO_BIN_EXE_hookscope"))
        .args(args)
        .arg("--config")
        .arg(&config)
        .env_remove("HOOKSCOPE_SECRET_STRIPE")
        .output()
        .unwrap()
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// A delivery no HTTP client would send as is: NUL and invalid UTF-8 in the body, a non-UTF-8
/// header value, duplicates split by another header, an escaped path and a repeated query key.
fn awkward() -> Delivery {
    Delivery {
        received_at_ms: 1_795_341_600_123,
        method: "PATCH".into(),
        path: "/hooks/a%20b/c".into(),
        query: "a=1&b=%2F&b=2&empty".into(),
        headers: vec![
            ("host".into(), b"abc.example.dev".to_vec()),
            ("x-dup".into(), b"one".to_vec()),
            ("content-type".into(), b"application/octet-stream".to_vec()),
            ("x-dup".into(), b"two".to_vec()),
            ("x-bin".into(), b"caf\xe9 \xff".to_vec()),
            (
                "authorization".into(),
                b"Bearer sk_live_do_not_leak".to_vec(),
            ),
        ],
        body: Bytes::from_static(b"\x00\xff\xfe{\"a\":'%s'}\r\n\\x41 \xc3\x28"),
        body_size: 21,
        ..Default::default()
    }
}

fn seed(dir: &Path, deliveries: &[Delivery]) {
    let store = Store::open(dir).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    for d in deliveries {
        rt.block_on(store.insert(d.clone(), Verdict::Unverified, None))
            .unwrap();
    }
}

fn assert_same_request(got: &Delivery, want: &Delivery) {
    assert_eq!(got.method, want.method);
    assert_eq!(got.path, want.path);
    assert_eq!(got.query, want.query);
    assert_eq!(got.headers, want.headers, "header names, values and order");
    assert_eq!(got.body, want.body, "body bytes");
}

#[test]
fn jsonl_and_har_round_trip_through_the_cli_and_the_store() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    let mut plain = awkward();
    plain.method = "POST".into();
    plain.body = Bytes::from_static(b"{\"ok\":true}\n");
    plain.body_size = 12;
    seed(&src, &[awkward(), plain.clone()]);
    for format in ["jsonl", "har"] {
        let file = tmp.path().join(format!("out.{format}"));
        let out = hookscope(
            &[
                "export",
                "--format",
                format,
                "--data-dir",
                src.to_str().unwrap(),
                "--out",
                file.to_str().unwrap(),
            ],
            tmp.path(),
        );
        assert!(out.status.success(), "{:?}", text(&out));
        let dst = tmp.path().join(format!("dst-{format}"));
        let out = hookscope(
            &[
                "import",
                file.to_str().unwrap(),
                "--data-dir",
                dst.to_str().unwrap(),
            ],
            tmp.path(),
        );
        let (stdout, stderr) = text(&out);
        assert!(out.status.success(), "{stderr}");
        assert!(
            stdout.starts_with("imported 2 deliveries (ids 1–2)"),
            "{stdout}"
        );
        let store = Store::open(&dst).unwrap();
        for (id, want) in [(1, awkward()), (2, plain.clone())] {
            let got = store.get(id).unwrap().unwrap();
            assert_same_request(&got, &want);
            assert_eq!(got.received_at_ms, want.received_at_ms, "{format}");
        }
    }
}

#[test]
fn redacted_exports_hold_no_credentials() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    let mut d = awkward();
    d.headers
        .push(("stripe-signature".into(), b"t=1,v1=deadbeef".to_vec()));
    seed(&src, &[d]);
    for format in ["curl", "har", "jsonl"] {
        let out = hookscope(
            &[
                "export",
                "--format",
                format,
                "--redact",
                "--data-dir",
                src.to_str().unwrap(),
                "1",
            ],
            tmp.path(),
        );
        let (stdout, stderr) = text(&out);
        assert!(out.status.success(), "{stderr}");
        assert!(!stdout.contains("do_not_leak"), "{format}: {stdout}");
        assert!(!stdout.contains("deadbeef"), "{format}: {stdout}");
        assert!(stdout.contains("[redacted]"), "{format}");
    }
}

#[test]
fn unknown_ids_and_missing_stores_are_one_sentence() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    seed(&src, &[awkward()]);
    let out = hookscope(
        &[
            "export",
            "--format",
            "curl",
            "--data-dir",
            src.to_str().unwrap(),
            "1",
            "7",
        ],
        tmp.path(),
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout.is_empty(), "nothing half-written: {stdout}");
    assert!(
        stderr.starts_with("hookscope: there is no delivery 7 in "),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1);
    let none = tmp.path().join("none");
    let out = hookscope(
        &[
            "export",
            "--format",
            "har",
            "--data-dir",
            none.to_str().unwrap(),
        ],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("there is no capture database in"));
    assert!(!none.exists(), "export creates nothing");
}

#[test]
fn the_filter_selects_like_the_dashboard() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    let mut get = awkward();
    get.method = "GET".into();
    get.path = "/ping".into();
    seed(&src, &[awkward(), get]);
    let out = hookscope(
        &[
            "export",
            "--format",
            "jsonl",
            "--data-dir",
            src.to_str().unwrap(),
            "--filter",
            "GET path:ping",
        ],
        tmp.path(),
    );
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(stdout.lines().count(), 1);
    assert!(stdout.contains("\"path\":\"/ping\""), "{stdout}");
}

#[test]
fn a_bad_line_commits_nothing_and_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    let five: Vec<Delivery> = (0..5u8)
        .map(|i| {
            let mut d = awkward();
            d.body = Bytes::from(vec![i, 0, 0xff]);
            d
        })
        .collect();
    seed(&src, &five);
    let out = hookscope(
        &[
            "export",
            "--format",
            "jsonl",
            "--data-dir",
            src.to_str().unwrap(),
        ],
        tmp.path(),
    );
    let good = text(&out).0;
    let mut lines: Vec<String> = good.lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 5);
    // A store that already holds one delivery.
    let dst = tmp.path().join("dst");
    let first = tmp.path().join("first.jsonl");
    std::fs::write(&first, format!("{}\n", lines[0])).unwrap();
    let out = hookscope(
        &[
            "import",
            first.to_str().unwrap(),
            "--data-dir",
            dst.to_str().unwrap(),
        ],
        tmp.path(),
    );
    assert!(out.status.success(), "{:?}", text(&out));
    lines[2] = lines[2].replace("\"body_base64\":\"", "\"body_base64\":\"!!");
    let bad = tmp.path().join("bad.jsonl");
    std::fs::write(&bad, lines.join("\n")).unwrap();
    let out = hookscope(
        &[
            "import",
            bad.to_str().unwrap(),
            "--data-dir",
            dst.to_str().unwrap(),
        ],
        tmp.path(),
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(
        stderr.contains("bad.jsonl: line 3: body_base64 is not base64; nothing was imported"),
        "{stderr}"
    );
    assert_eq!(Store::open(&dst).unwrap().count().unwrap(), 1);
    // HAR names the entry (0-based, as HAR tools count).
    let har = tmp.path().join("bad.har");
    std::fs::write(
        &har,
        r#"{"log":{"entries":[{"request":{"method":"GET","url":"x"}}]}}"#,
    )
    .unwrap();
    let out = hookscope(
        &[
            "import",
            har.to_str().unwrap(),
            "--data-dir",
            dst.to_str().unwrap(),
        ],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out)
            .1
            .contains("entry 0: request.url \"x\" is not absolute"),
        "{:?}",
        text(&out)
    );
    assert_eq!(Store::open(&dst).unwrap().count().unwrap(), 1);
}

/// Send raw HTTP/1.1 bytes and read the answer to the end.
async fn raw_request(addr: std::net::SocketAddr, request: &[u8]) -> Vec<u8> {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(request).await.unwrap();
    let mut answer = Vec::new();
    s.read_to_end(&mut answer).await.unwrap();
    answer
}

/// The curl export, run by the real curl, reproduces the captured request. What curl cannot
/// reproduce exactly: `content-length` is computed by curl and sent after the other headers
/// (its value is compared, its position is not); everything else — method, path, query, every
/// other header name and value in order (including `host`, duplicates and non-UTF-8 bytes) and
/// the body bytes — must be identical.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn curl_export_replays_byte_for_byte_with_real_curl() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let mut o = ListenOptions::new(Checker::builtin());
    o.addr = "127.0.0.1:0".parse().unwrap();
    o.storage = Storage::Dir(data.clone());
    let running = capture::start(o).await.unwrap();
    let addr = running.local_addr;
    let body: &[u8] = b"\x00\xff\xfe{\"a\":'%s %b'}\r\n\\x41 $HOME `id` \xc3\x28 end";
    let mut request = format!(
        "PUT /hooks/a%20b/c?a=1&b=%2F&b=2&empty HTTP/1.1\r\nHost: {addr}\r\n\
         Content-Type: application/octet-stream\r\nContent-Length: {}\r\nX-Dup: one\r\n\
         X-Dup: two\r\nX-Quote: it's \"quoted\"\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(b"X-Bin: caf\xe9 \xff\r\nConnection: close\r\n\r\n");
    request.extend_from_slice(body);
    let answer = raw_request(addr, &request).await;
    assert!(
        answer.starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
    running.store.flush().await.unwrap();

    let base = running.listen_url();
    let tmp_path = tmp.path().to_path_buf();
    let data_arg = data.to_str().unwrap().to_string();
    let command = tokio::task::spawn_blocking(move || {
        let out = hookscope(
            &[
                "export",
                "--format",
                "curl",
                "--data-dir",
                &data_arg,
                "--base",
                &base,
                "1",
            ],
            &tmp_path,
        );
        assert!(out.status.success(), "{:?}", text(&out));
        let command = String::from_utf8(out.stdout).unwrap();
        let run = Command::new("bash")
            .arg("-c")
            .arg(&command)
            .output()
            .unwrap();
        assert!(run.status.success(), "{command}\n{:?}", text(&run));
        command
    })
    .await
    .unwrap();
    running.store.flush().await.unwrap();
    let original = running.store.get(1).unwrap().unwrap();
    let replayed = running
        .store
        .get(2)
        .unwrap()
        .unwrap_or_else(|| panic!("curl sent nothing: {command}"));
    let without_length = |d: &Delivery| {
        let mut d = d.clone();
        d.headers.retain(|(n, _)| n != "content-length");
        d
    };
    assert_same_request(&without_length(&replayed), &without_length(&original));
    assert_eq!(
        replayed.header("content-length"),
        original.header("content-length")
    );
    assert_eq!(&replayed.body[..], body);
    assert_eq!(original.header("x-bin"), Some(&b"caf\xe9 \xff"[..]));
    running.shutdown().await.unwrap();
}
