//! Several listeners, one PostgreSQL store: no id clashes, every acknowledged delivery stored
//! exactly once even when a listener is SIGKILLed mid-burst, a third process sees both
//! listeners' deliveries within a second, and the database going away is met with 503 +
//! Retry-After (never a 2xx for what is not committed) until it returns.

mod listener;
#[path = "support/pg_cluster.rs"]
mod pg_cluster;
#[allow(dead_code)]
#[path = "support/pty.rs"]
mod pty;

use hookscope::store::Store;
use hookscope::tui::filter::Query;
use listener::client;
use pg_cluster::Cluster;
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const TOTAL: usize = 2000;
const KILL_AFTER: usize = 700;
const CONCURRENCY: usize = 64;

/// `hookscope listen --headless --store URL` on a free port; the child and its URL.
fn listen(dir: &std::path::Path, url: &str) -> (Child, String) {
    let config = dir.join("none.toml");
    std::fs::write(&config, "").unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_hookscope"))
        .args(["listen", "--headless", "--addr", "127.0.0.1:0", "--config"])
        .arg(&config)
        .args(["--store", url])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut ready = String::new();
    stdout.read_line(&mut ready).unwrap();
    let ready: serde_json::Value =
        serde_json::from_str(&ready).unwrap_or_else(|e| panic!("no ready line ({e}): {ready:?}"));
    std::thread::spawn(move || for _ in stdout.lines() {});
    (child, ready["listen"].as_str().unwrap().to_string())
}

/// Every stored delivery's `x-seq` header, with how many times it is stored.
fn stored_seqs(store: &Store) -> HashMap<String, usize> {
    let mut seen = HashMap::new();
    store
        .for_each_delivery(|d| {
            let seq = d.header_str("x-seq").unwrap_or_default().to_string();
            *seen.entry(seq).or_insert(0) += 1;
        })
        .unwrap();
    seen
}

async fn send(
    http: &reqwest::Client,
    url: &str,
    path: &str,
    seq: &str,
) -> Option<reqwest::Response> {
    http.post(format!("{url}{path}"))
        .header("x-seq", seq)
        .body(format!(
            "{{\"seq\":\"{seq}\",\"pad\":\"{}\"}}",
            "p".repeat(300)
        ))
        .send()
        .await
        .ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_listeners_one_store_survive_a_sigkill() {
    let cluster = Cluster::start();
    let db = cluster.new_database();
    let dir = tempfile::tempdir().unwrap();
    let (a, url_a) = listen(dir.path(), &db);
    let (mut b, url_b) = listen(dir.path(), &db);
    let http = client();

    // A third process's view: the store a dashboard attaches to, following the change feed.
    let reader = Store::open_postgres(&db).unwrap();
    let before = reader.data_version().unwrap();
    for (url, seq) in [(&url_a, "first-a"), (&url_b, "first-b")] {
        let r = send(&http, url, "/first", seq).await.unwrap();
        assert!(r.status().is_success(), "{}", r.status());
    }
    let acked_at = Instant::now();
    let r = reader.clone();
    let seen_both = tokio::task::spawn_blocking(move || {
        let mut version = before;
        while acked_at.elapsed() < Duration::from_secs(1) {
            let v = r.data_version().unwrap();
            if v != version {
                version = v;
                let ids = r
                    .matching_ids(Some(&Query::parse("path:first").unwrap()), true)
                    .unwrap();
                if ids.len() == 2 {
                    return true;
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    })
    .await
    .unwrap();
    assert!(
        seen_both,
        "the reader did not see both listeners' deliveries within a second"
    );

    let a = Arc::new(Mutex::new(a));
    let acked = Arc::new(Mutex::new(Vec::new()));
    let ok = Arc::new(AtomicUsize::new(0));
    let unavailable = Arc::new(AtomicUsize::new(0));
    let gate = Arc::new(tokio::sync::Semaphore::new(CONCURRENCY));
    let mut tasks = Vec::new();
    for i in 0..TOTAL {
        let url = if i % 2 == 0 {
            url_a.clone()
        } else {
            url_b.clone()
        };
        let (http, gate, a) = (http.clone(), gate.clone(), a.clone());
        let (acked, ok, unavailable) = (acked.clone(), ok.clone(), unavailable.clone());
        tasks.push(tokio::spawn(async move {
            let _permit = gate.acquire().await.unwrap();
            let seq = format!("seq-{i:05}");
            let Some(resp) = send(&http, &url, "/burst", &seq).await else {
                return;
            };
            if resp.status() == 503 {
                unavailable.fetch_add(1, Ordering::SeqCst);
            }
            if resp.status().is_success() {
                acked.lock().unwrap().push(seq);
                if ok.fetch_add(1, Ordering::SeqCst) + 1 == KILL_AFTER {
                    a.lock().unwrap().kill().unwrap(); // SIGKILL
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    a.lock().unwrap().wait().unwrap();
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() > KILL_AFTER,
        "only {} acknowledged",
        acked.len()
    );
    assert!(acked.len() < TOTAL, "the kill came after the burst");
    assert_eq!(
        unavailable.load(Ordering::SeqCst),
        0,
        "a listener answered 503 while the database was up"
    );

    let stored = stored_seqs(&reader);
    let missing: Vec<_> = acked.iter().filter(|s| !stored.contains_key(*s)).collect();
    assert!(
        missing.is_empty(),
        "{} acknowledged deliveries lost: {:?}",
        missing.len(),
        &missing[..missing.len().min(5)]
    );
    let twice: Vec<_> = stored.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "stored more than once: {twice:?}");
    // Listener B took about half the burst, all after the kill: it never clashed or stopped.
    let from_b = acked
        .iter()
        .filter(|s| s[4..].parse::<usize>().unwrap() % 2 == 1)
        .count();
    assert!(
        from_b >= TOTAL / 2 - 1,
        "listener B acknowledged only {from_b}"
    );

    // Each row records which listener took it: two listeners, named by port and pid.
    let (client, conn) = tokio_postgres::connect(&db, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    let rows = client
        .query(
            "SELECT listener, count(*) FROM hookscope.deliveries GROUP BY 1 ORDER BY 1",
            &[],
        )
        .await
        .unwrap();
    let ports: Vec<String> = [&url_a, &url_b]
        .iter()
        .map(|u| format!(":{}/", u.rsplit(':').next().unwrap()))
        .collect();
    assert_eq!(rows.len(), 2, "listeners recorded: {rows:?}");
    for row in &rows {
        let name: String = row.get(0);
        assert!(
            ports.iter().any(|p| name.contains(p)),
            "{name} names neither port {ports:?}"
        );
    }
    eprintln!(
        "acknowledged {} (of {TOTAL}), stored {}, listener B {from_b}",
        acked.len(),
        stored.len()
    );
    b.kill().unwrap();
    let _ = b.wait();
}

/// TCP sockets in the LISTEN state that process `pid` holds (from /proc).
fn listening_sockets(pid: u32) -> usize {
    let inodes: Vec<String> = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .flatten()
        .filter_map(|e| std::fs::read_link(e.path()).ok())
        .filter_map(|l| {
            let l = l.to_string_lossy().into_owned();
            l.strip_prefix("socket:[")?
                .strip_suffix(']')
                .map(str::to_string)
        })
        .collect();
    ["/proc/net/tcp", "/proc/net/tcp6"]
        .iter()
        .filter_map(|t| std::fs::read_to_string(t).ok())
        .flat_map(|t| t.lines().skip(1).map(str::to_string).collect::<Vec<_>>())
        .filter(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            f.get(3) == Some(&"0A") && f.get(9).is_some_and(|i| inodes.iter().any(|x| x == i))
        })
        .count()
}

/// A third process, the dashboard of a laptop attached with `--no-listen` (no port of its own),
/// shows what both listeners store, read off its screen in a pseudo-terminal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dashboard_attached_without_listening_sees_both_listeners() {
    let cluster = Cluster::start();
    let db = cluster.new_database();
    let dir = tempfile::tempdir().unwrap();
    let (mut a, url_a) = listen(dir.path(), &db);
    let (mut b, url_b) = listen(dir.path(), &db);
    let config = dir.path().join("none.toml");
    let data = dir.path().join("laptop");
    let args = [
        "--no-listen",
        "--store",
        &db,
        "--config",
        config.to_str().unwrap(),
        "--data-dir",
        data.to_str().unwrap(),
    ];
    assert_eq!(
        listening_sockets(a.id()),
        1,
        "a listener holds its one port"
    );
    let ui = pty::Pty::spawn(env!("CARGO_BIN_EXE_hookscope"), &args, &[], 160, 30);
    let screen = ui.wait_text("attached to postgres://", 20);
    assert!(!screen.contains("listening"), "{screen}");
    assert_eq!(
        listening_sockets(ui.pid()),
        0,
        "the attached dashboard opened a port"
    );
    let http = client();
    for (url, path) in [(&url_a, "/from-listener-a"), (&url_b, "/from-listener-b")] {
        let r = send(&http, url, path, path).await.unwrap();
        assert!(r.status().is_success(), "{}", r.status());
    }
    let acked = Instant::now();
    let screen = tokio::task::spawn_blocking(move || {
        ui.wait_for("both listeners' deliveries", 10, |s| {
            s.contains("/from-listener-a") && s.contains("/from-listener-b")
        })
    })
    .await
    .unwrap();
    eprintln!(
        "seen on the attached dashboard {:?} after the last ack",
        acked.elapsed()
    );
    assert!(screen.contains("2 deliveries"), "{screen}");
    for c in [&mut a, &mut b] {
        c.kill().unwrap();
        c.wait().unwrap();
    }
}

/// `--no-listen` on a data dir that holds no database: one sentence, exit 2, nothing created.
#[test]
fn attaching_to_a_data_dir_without_a_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("empty");
    let config = dir.path().join("none.toml");
    std::fs::write(&config, "").unwrap();
    let args = [
        "--no-listen",
        "--data-dir",
        data.to_str().unwrap(),
        "--config",
        config.to_str().unwrap(),
    ];
    let mut ui = pty::Pty::spawn(env!("CARGO_BIN_EXE_hookscope"), &args, &[], 120, 20);
    assert_eq!(ui.wait_exit(20), 2);
    let said = String::from_utf8_lossy(&ui.raw()).into_owned();
    assert!(
        said.contains("there is no capture database in") && said.contains("to attach to"),
        "{said}"
    );
    assert!(!data.exists(), "nothing created");
}

/// An attached dashboard says when the shared database goes away and when it is back.
#[test]
fn an_attached_dashboard_says_when_the_database_goes_and_returns() {
    let cluster = Cluster::start();
    let db = cluster.new_database();
    // The schema is created by the first store that opens the database.
    drop(Store::open_postgres(&db).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("none.toml");
    std::fs::write(&config, "").unwrap();
    let args = [
        "--no-listen",
        "--store",
        &db,
        "--config",
        config.to_str().unwrap(),
    ];
    let ui = pty::Pty::spawn(env!("CARGO_BIN_EXE_hookscope"), &args, &[], 160, 30);
    ui.wait_text("attached to postgres://", 20);
    cluster.stop();
    let screen = ui.wait_text("not listening for changes", 20);
    assert!(screen.contains("store failed"), "{screen}");
    cluster.start_server();
    let screen = ui.wait_text("store: reconnected", 30);
    assert!(!screen.contains("store failed"), "{screen}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_database_going_away_gets_503_and_capture_resumes() {
    let cluster = Cluster::start();
    let db = cluster.new_database();
    let dir = tempfile::tempdir().unwrap();
    let (mut child, url) = listen(dir.path(), &db);
    let http = client();
    let mut acked = Vec::new();
    let mut n = 0;
    let mut next = || {
        n += 1;
        format!("seq-{n:05}")
    };
    for _ in 0..20 {
        let seq = next();
        let r = send(&http, &url, "/up", &seq).await.unwrap();
        assert!(r.status().is_success());
        acked.push(seq);
    }
    cluster.stop();
    // While it is down: 503 with Retry-After, never a 2xx.
    for _ in 0..20 {
        let seq = next();
        let r = send(&http, &url, "/down", &seq).await.unwrap();
        assert_eq!(r.status(), 503, "answered while the database was down");
        assert!(r.headers().contains_key("retry-after"));
    }
    cluster.start_server();
    // Capture resumes by itself: the first 2xx comes within a few seconds.
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut resumed = 0;
    while Instant::now() < deadline && resumed < 20 {
        let seq = next();
        let r = send(&http, &url, "/again", &seq).await.unwrap();
        if r.status().is_success() {
            acked.push(seq);
            resumed += 1;
        } else {
            assert_eq!(r.status(), 503);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    assert_eq!(
        resumed, 20,
        "capture did not resume after the database returned"
    );
    let reader = Store::open_postgres(&db).unwrap();
    let stored = stored_seqs(&reader);
    for seq in &acked {
        assert_eq!(
            stored.get(seq),
            Some(&1),
            "{seq} acknowledged but not stored once"
        );
    }
    child.kill().unwrap();
    let _ = child.wait();
}
