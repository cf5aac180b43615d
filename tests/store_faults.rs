//! Store faults: a corrupted database file, a read-only data directory, a full disk, a file
//! deleted while running, two listeners on one directory. The acknowledgement rule throughout:
//! a sender gets a 2xx only for a delivery that is in the file; otherwise 503 + Retry-After,
//! while the delivery is still shown (from memory) with one warning (an event for the
//! dashboard header, a `store_warning` JSON line headless).
//!
//! The read-only and disk-full cases mount a small tmpfs (root only, as in CI); when mounting is
//! not permitted they print why and skip.

mod common;
mod listener;

use common::Harness;
use hookscope::capture::{self, ListenOptions, Running, Storage};
use hookscope::checker::Checker;
use hookscope::config::Config;
use hookscope::event::Event;
use hookscope::tui::Input;
use listener::client;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use tokio::sync::broadcast;

async fn start(storage: Storage) -> (Running, broadcast::Receiver<Event>) {
    let cfg = Config::parse("").unwrap();
    let mut o = ListenOptions::new(Checker::from_config(&cfg, &[]).unwrap());
    o.addr = "127.0.0.1:0".parse().unwrap();
    o.storage = storage;
    let events = o.events.subscribe();
    (capture::start(o).await.unwrap(), events)
}

/// Drain the events seen so far: (warnings, delivery ids).
fn drain(events: &mut broadcast::Receiver<Event>) -> (Vec<String>, Vec<u64>) {
    let (mut warnings, mut ids) = (Vec::new(), Vec::new());
    while let Ok(e) = events.try_recv() {
        match e {
            Event::StoreWarning(w) => warnings.push(w),
            Event::Delivery(c) => ids.push(c.delivery.id),
            Event::ConfigReloaded { .. }
            | Event::ConfigError(_)
            | Event::Reverifying(_)
            | Event::Tunnel(_) => {}
        }
    }
    (warnings, ids)
}

fn body(i: usize, len: usize) -> Vec<u8> {
    (0..len).map(|j| (i * 31 + j * 7) as u8).collect()
}

/// A tmpfs of `size` mounted on a new directory, unmounted on drop.
struct Tmpfs {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl Tmpfs {
    fn mount(options: &str) -> Result<Tmpfs, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let path = dir.path().join("mnt");
        std::fs::create_dir(&path).map_err(|e| e.to_string())?;
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", options, "tmpfs"])
            .arg(&path)
            .output()
            .map_err(|e| format!("cannot run mount: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "mount -t tmpfs -o {options} failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(Tmpfs { _dir: dir, path })
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.path).status();
    }
}

/// POST `n` bodies to `path_prefix/i`; the status of each answer, and whether every 503 said
/// when to retry.
async fn post_all(running: &Running, prefix: &str, n: usize, len: usize) -> Vec<u16> {
    let mut statuses = Vec::new();
    for i in 0..n {
        let resp = client()
            .post(format!("{}{prefix}/{i}", running.listen_url()))
            .body(body(i, len))
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        if status == 503 {
            let retry = resp
                .headers()
                .get("retry-after")
                .map(|v| v.as_bytes().to_vec());
            assert_eq!(
                retry.as_deref(),
                Some(&b"10"[..]),
                "503 without Retry-After"
            );
        }
        statuses.push(status);
    }
    statuses
}

#[tokio::test]
async fn a_corrupted_database_file_is_shown_from_memory_answered_503_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join(hookscope::store::DB_FILE);
    let garbage: Vec<u8> = (0..40_000u32).map(|i| (i * 7 + 3) as u8).collect();
    std::fs::write(&db, &garbage).unwrap();
    let (running, mut events) = start(Storage::Dir(dir.path().into())).await;
    let statuses = post_all(&running, "/c", 5, 100).await;
    assert_eq!(
        statuses, [503; 5],
        "nothing could be stored, so nothing is acknowledged"
    );
    let (warnings, ids) = drain(&mut events);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("cannot open the capture database")
            && warnings[0].contains("not stored")
            && warnings[0].contains("503"),
        "{}",
        warnings[0]
    );
    // Still shown: every delivery, with the answer its sender got.
    assert_eq!(ids, [1, 2, 3, 4, 5]);
    for i in 0..5 {
        let d = running.store.get(i as u64 + 1).unwrap().unwrap();
        assert_eq!(d.body, body(i, 100));
        assert_eq!(d.response.unwrap().status, 503);
    }
    running.shutdown().await.unwrap();
    assert_eq!(
        std::fs::read(&db).unwrap(),
        garbage,
        "the user's file was changed"
    );
}

/// Disk full mid-run: every delivery answered 2xx is in the file afterwards; the others got
/// 503 + Retry-After (their senders retry) and were shown from memory.
#[tokio::test]
async fn a_full_disk_mid_run_acknowledges_only_what_reached_the_file() {
    let fs = match Tmpfs::mount("size=512k") {
        Ok(fs) => fs,
        Err(why) => {
            println!("skipped: {why}");
            return;
        }
    };
    let (running, mut events) = start(Storage::Dir(fs.path.clone())).await;
    let n = 120;
    let statuses = post_all(&running, "/full", n, 16 * 1024).await;
    let acked: Vec<u64> = (1..=n as u64)
        .filter(|&id| statuses[id as usize - 1] == 200)
        .collect();
    let refused = statuses.iter().filter(|&&s| s == 503).count();
    assert_eq!(acked.len() + refused, n, "{statuses:?}");
    assert!(!acked.is_empty() && refused > 0, "{statuses:?}");
    // Once the disk is full, nothing more is acknowledged.
    let first_refused = statuses.iter().position(|&s| s == 503).unwrap();
    assert!(
        statuses[first_refused..].iter().all(|&s| s == 503),
        "{statuses:?}"
    );
    let (warnings, ids) = drain(&mut events);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("stopped taking writes"),
        "{}",
        warnings[0]
    );
    assert_eq!(
        ids,
        (1..=n as u64).collect::<Vec<_>>(),
        "every delivery is shown"
    );
    running.shutdown().await.unwrap();
    // Give the file system room again and read what reached the disk.
    let grown = Command::new("mount")
        .args(["-o", "remount,size=8m"])
        .arg(&fs.path)
        .status()
        .unwrap();
    assert!(grown.success());
    let store = hookscope::store::Store::open(&fs.path).unwrap();
    let mut lost = 0;
    for &id in &acked {
        match store.get(id).unwrap() {
            Some(d) if d.body == body(id as usize - 1, 16 * 1024) => {}
            _ => lost += 1,
        }
    }
    let stored = store.count().unwrap();
    println!(
        "disk full (512 KiB tmpfs, {n} deliveries of 16 KiB): {} acknowledged, {stored} stored, \
         {lost} lost; {refused} answered 503 + Retry-After",
        acked.len()
    );
    assert_eq!(lost, 0);
    assert_eq!(stored, acked.len() as u64);
}

/// A read-only data directory: the deliveries already in it stay readable (listener and
/// `export`), new ones are shown, answered 503 + Retry-After, and never acknowledged.
#[tokio::test]
async fn a_read_only_data_dir_stays_readable_and_acknowledges_nothing() {
    let fs = match Tmpfs::mount("size=4m") {
        Ok(fs) => fs,
        Err(why) => {
            println!("skipped: {why}");
            return;
        }
    };
    {
        let store = hookscope::store::Store::open(&fs.path).unwrap();
        for i in 0..3 {
            let d = hookscope::delivery::Delivery {
                method: "POST".into(),
                path: format!("/before/{i}"),
                body: body(i, 100).into(),
                body_size: 100,
                ..Default::default()
            };
            store
                .insert(d, hookscope::verify::Verdict::Unverified, None)
                .await
                .unwrap();
        }
    }
    let ro = Command::new("mount")
        .args(["-o", "remount,ro"])
        .arg(&fs.path)
        .status()
        .unwrap();
    assert!(ro.success());
    assert!(std::fs::write(fs.path.join("probe"), b"x").is_err());

    let (running, mut events) = start(Storage::Dir(fs.path.clone())).await;
    for i in 0..3 {
        let d = running
            .store
            .get(i as u64 + 1)
            .unwrap()
            .expect("earlier delivery readable");
        assert_eq!(d.body, body(i, 100));
    }
    let statuses = post_all(&running, "/ro", 20, 10).await;
    assert_eq!(statuses, [503; 20]);
    let (warnings, ids) = drain(&mut events);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("stay readable"), "{}", warnings[0]);
    assert_eq!(ids, (4..=23).collect::<Vec<u64>>());
    assert_eq!(running.store.count().unwrap(), 23);
    running.shutdown().await.unwrap();

    // `export` reads the read-only directory as it is.
    let config = tempfile::NamedTempFile::new().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_hookscope"))
        .args(["export", "--format", "jsonl", "--data-dir"])
        .arg(&fs.path)
        .arg("--config")
        .arg(config.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let paths: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["path"].to_string())
        .collect();
    assert_eq!(paths, ["\"/before/0\"", "\"/before/1\"", "\"/before/2\""]);
}

/// A read-only data directory with the real binary headless: one `store_warning` line, every
/// delivery printed with the 503 its sender got, exit 0.
#[test]
fn a_read_only_data_dir_warns_once_and_every_delivery_is_printed() {
    let fs = match Tmpfs::mount("ro,size=64k") {
        Ok(fs) => fs,
        Err(why) => {
            println!("skipped: {why}");
            return;
        }
    };
    assert!(std::fs::write(fs.path.join("probe"), b"x").is_err());
    let lines = run_headless(&fs.path, 3);
    let warnings: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|l| l["type"] == "store_warning")
        .collect();
    assert_eq!(warnings.len(), 1, "{lines:?}");
    let message = warnings[0]["message"].as_str().unwrap();
    assert!(
        message.contains("Read-only file system") || message.contains("read-only"),
        "{message}"
    );
    assert!(message.contains("not stored"), "{message}");
    let deliveries: Vec<&serde_json::Value> =
        lines.iter().filter(|l| l["type"] == "delivery").collect();
    let ids: Vec<u64> = deliveries
        .iter()
        .map(|l| l["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, [1, 2, 3]);
    assert!(
        deliveries.iter().all(|l| l["response"]["status"] == 503),
        "{deliveries:?}"
    );
}

/// Run the binary headless on `data`, POST `n` deliveries (each answered 503: nothing can be
/// stored there), SIGTERM; the JSON lines after `ready`.
fn run_headless(data: &Path, n: usize) -> Vec<serde_json::Value> {
    let config = tempfile::NamedTempFile::new().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_hookscope"))
        .args([
            "listen",
            "--headless",
            "--addr",
            "127.0.0.1:0",
            "--data-dir",
        ])
        .arg(data)
        .arg("--config")
        .arg(config.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let ready: serde_json::Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    let listen = ready["listen"].as_str().unwrap().to_string();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        for i in 0..n {
            let resp = client()
                .post(format!("{listen}/ro/{i}"))
                .body("x")
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 503);
            assert!(resp.headers().contains_key("retry-after"));
        }
    });
    let mut out = Vec::new();
    while out
        .iter()
        .filter(|l: &&serde_json::Value| l["type"] == "delivery")
        .count()
        < n
    {
        let line = lines.next().unwrap().unwrap();
        out.push(serde_json::from_str(&line).unwrap());
    }
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    for line in lines.map_while(Result::ok) {
        out.push(serde_json::from_str(&line).unwrap());
    }
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert_eq!(
        stderr.lines().count(),
        1,
        "one clear message on stderr: {stderr}"
    );
    out
}

/// The database file deleted while the listener runs: noticed before the next commit, a new
/// file opened in its place with a warning, and what is acknowledged afterwards is in it.
#[tokio::test]
async fn a_deleted_database_file_is_reopened_and_nothing_acknowledged_after_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    let (running, mut events) = start(Storage::Dir(dir.path().into())).await;
    assert_eq!(post_all(&running, "/before", 5, 100).await, [200; 5]);
    for name in ["hookscope.db", "hookscope.db-wal", "hookscope.db-shm"] {
        let _ = std::fs::remove_file(dir.path().join(name));
    }
    assert_eq!(post_all(&running, "/after", 30, 100).await, [200; 30]);
    let (warnings, ids) = drain(&mut events);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("was deleted"), "{}", warnings[0]);
    assert_eq!(ids, (1..=35).collect::<Vec<u64>>());
    // The new file is the one readers see.
    assert_eq!(running.store.count().unwrap(), 30);
    running.shutdown().await.unwrap();
    let store = hookscope::store::Store::open(dir.path()).unwrap();
    assert_eq!(
        store.count().unwrap(),
        30,
        "deliveries acknowledged after the deletion were lost"
    );
    for i in 0..30 {
        let d = store.get(6 + i as u64).unwrap().unwrap();
        assert_eq!(
            (d.path, d.body),
            (format!("/after/{i}"), body(i, 100).into())
        );
    }
}

/// A second listener on the same data directory refuses at start with one sentence naming the
/// first; once the first stops, it starts.
#[tokio::test]
async fn a_second_listener_on_the_same_data_dir_refuses_to_start() {
    let dir = tempfile::tempdir().unwrap();
    let (first, _events) = start(Storage::Dir(dir.path().into())).await;
    let cfg = Config::parse("").unwrap();
    let mut o = ListenOptions::new(Checker::from_config(&cfg, &[]).unwrap());
    o.addr = "127.0.0.1:0".parse().unwrap();
    o.storage = Storage::Dir(dir.path().into());
    let e = capture::start(o)
        .await
        .err()
        .expect("a second listener started")
        .to_string();
    assert!(
        e.starts_with("another hookscope is already listening on the data directory")
            && e.contains(&format!(
                "pid {}, {}",
                std::process::id(),
                first.listen_url()
            )),
        "{e}"
    );
    assert_eq!(post_all(&first, "/one", 3, 10).await, [200; 3]);
    first.shutdown().await.unwrap();
    let (second, _events) = start(Storage::Dir(dir.path().into())).await;
    assert_eq!(post_all(&second, "/two", 3, 10).await, [200; 3]);
    second.shutdown().await.unwrap();
}

#[test]
fn the_dashboard_header_keeps_the_store_warning() {
    let mut h = Harness::standard(160, 40);
    assert!(!h.screen().contains("store failed"));
    h.input(Input::StoreWarning(
        "cannot write to the capture database: disk full; capturing in memory".into(),
    ));
    let header = h.screen().lines().next().unwrap().to_string();
    assert!(
        header.contains("store failed (details in hookscope.log)"),
        "{header}"
    );
    // The detail stays on the status line until dismissed; the header keeps the warning after.
    h.input(Input::Tick {
        now_ms: common::NOW_MS + 60_000,
    });
    assert!(
        h.screen()
            .contains("disk full; capturing in memory  esc dismiss")
    );
    h.key(crossterm::event::KeyCode::Esc);
    let screen = h.screen();
    assert!(screen.lines().next().unwrap().contains("store failed"));
    assert!(!screen.contains("disk full"));
}
