//! The one-shot commands on a team's shared PostgreSQL store: `export`, `diff`, `import` and
//! `replay` take `--store URL` (or `HOOKSCOPE_STORE`) and read and write the same database the
//! listeners write to.

#[path = "support/pg_cluster.rs"]
mod pg_cluster;

use pg_cluster::Cluster;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn hookscope(args: &[&str], config: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hookscope"))
        .args(args)
        .arg("--config")
        .arg(config)
        .env_remove("HOOKSCOPE_STORE")
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A real HTTP app on loopback that answers every request 200 and counts them.
fn app() -> (String, std::sync::mpsc::Receiver<String>) {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            let mut r = BufReader::new(s.try_clone().unwrap());
            let mut line = String::new();
            r.read_line(&mut line).unwrap();
            let mut len = 0usize;
            loop {
                let mut h = String::new();
                r.read_line(&mut h).unwrap();
                if h.trim().is_empty() {
                    break;
                }
                if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap();
                }
            }
            let mut body = vec![0; len];
            r.read_exact(&mut body).unwrap();
            let _ = tx.send(line.trim().to_string());
            let mut s = s;
            let _ =
                s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
        }
    });
    (url, rx)
}

/// POST `body` to `base` + `path` over a plain connection; the status line answered.
fn post(base: &str, path: &str, body: &str) -> String {
    let addr = base.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "POST {path} HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\n\
         content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut line = String::new();
    BufReader::new(s).read_line(&mut line).unwrap();
    line.trim().to_string()
}

fn records(out: &Output) -> Vec<serde_json::Value> {
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn export_diff_import_and_replay_work_on_the_shared_store() {
    let cluster = Cluster::start();
    let db = cluster.new_database();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("none.toml");
    std::fs::write(&config, "").unwrap();

    // A listener on the shared store takes two deliveries.
    let mut listener = Command::new(env!("CARGO_BIN_EXE_hookscope"))
        .args([
            "listen",
            "--headless",
            "--addr",
            "127.0.0.1:0",
            "--store",
            &db,
        ])
        .arg("--config")
        .arg(&config)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(listener.stdout.take().unwrap());
    let mut ready = String::new();
    stdout.read_line(&mut ready).unwrap();
    let ready: serde_json::Value = serde_json::from_str(&ready).unwrap();
    let base = ready["listen"].as_str().unwrap().to_string();
    std::thread::spawn(move || for _ in stdout.lines() {});
    for (path, body) in [("/a", "{\"n\":1}"), ("/b", "{\"n\":2}")] {
        let status = post(&base, path, body);
        assert!(status.starts_with("HTTP/1.1 2"), "{status}");
    }
    listener.kill().unwrap();
    listener.wait().unwrap();

    // export: from the URL in the environment, as a team member would set it once.
    let out = Command::new(env!("CARGO_BIN_EXE_hookscope"))
        .args(["export", "--format", "jsonl", "--config"])
        .arg(&config)
        .env("HOOKSCOPE_STORE", &db)
        .output()
        .unwrap();
    let exported = records(&out);
    let paths: Vec<_> = exported
        .iter()
        .map(|r| r["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["/a", "/b"]);
    let ids: Vec<String> = exported.iter().map(|r| r["id"].to_string()).collect();

    // diff: two stored deliveries whose bodies differ (exit 1).
    let out = hookscope(&["diff", &ids[0], &ids[1], "--store", &db], &config);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("/a"), "{}", text(&out.stdout));
    let out = hookscope(&["diff", &ids[0], "999999", "--store", &db], &config);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("there is no delivery 999999 in postgres://"),
        "{err}"
    );

    // import: what was exported is already there, and nothing is stored twice.
    let file = dir.path().join("export.jsonl");
    std::fs::write(&file, out_text(&exported)).unwrap();
    let out = hookscope(&["import", file.to_str().unwrap(), "--store", &db], &config);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(
        said.contains("skipped 2 already present in postgres://"),
        "{said}"
    );

    // replay: to a real app, and the replay is recorded in the shared store.
    let (app_url, seen) = app();
    let out = hookscope(
        &["replay", &ids[1], "--to", &app_url, "--store", &db],
        &config,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(seen.recv().unwrap(), "POST /b HTTP/1.1");
    let out = hookscope(&["export", "--format", "jsonl", "--store", &db], &config);
    let after = records(&out);
    assert_eq!(after.len(), 3);
    assert_eq!(after[2]["replay_of"].to_string(), ids[1]);
}

fn out_text(records: &[serde_json::Value]) -> String {
    records.iter().map(|r| format!("{r}\n")).collect()
}

#[test]
fn a_store_that_is_not_postgresql_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("none.toml");
    std::fs::write(&config, "").unwrap();
    let out = hookscope(
        &["export", "--format", "jsonl", "--store", "mysql://x/y"],
        &config,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--store takes a PostgreSQL URL"),
        "{}",
        text(&out.stderr)
    );
}
