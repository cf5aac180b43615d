//! Store faults: a corrupted database file, a read-only data directory and a full disk. In
//! every case capture continues in memory with one warning (an event for the dashboard header,
//! a `store_warning` JSON line headless), and every acknowledged delivery stays visible.
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
            Event::ConfigReloaded { .. } | Event::ConfigError(_) | Event::Reverifying(_) => {}
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

#[tokio::test]
async fn a_corrupted_database_file_falls_back_to_memory_and_is_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join(hookscope::store::DB_FILE);
    let garbage: Vec<u8> = (0..40_000u32).map(|i| (i * 7 + 3) as u8).collect();
    std::fs::write(&db, &garbage).unwrap();
    let (running, mut events) = start(Storage::Dir(dir.path().into())).await;
    for i in 0..5 {
        let resp = client()
            .post(format!("{}/c/{i}", running.listen_url()))
            .body(body(i, 100))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
    }
    let (warnings, ids) = drain(&mut events);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("cannot open the capture database")
            && warnings[0].contains("in memory"),
        "{}",
        warnings[0]
    );
    assert_eq!(ids, [1, 2, 3, 4, 5]);
    for i in 0..5 {
        let d = running.store.get(i as u64 + 1).unwrap().unwrap();
        assert_eq!(d.body, body(i, 100));
    }
    running.shutdown().await.unwrap();
    assert_eq!(
        std::fs::read(&db).unwrap(),
        garbage,
        "the user's file was changed"
    );
}

#[tokio::test]
async fn a_full_disk_mid_run_continues_in_memory_and_loses_nothing_acknowledged() {
    let fs = match Tmpfs::mount("size=512k") {
        Ok(fs) => fs,
        Err(why) => {
            println!("skipped: {why}");
            return;
        }
    };
    let (running, mut events) = start(Storage::Dir(fs.path.clone())).await;
    assert!(running.store.path().unwrap().starts_with(&fs.path));
    let n = 40;
    for i in 0..n {
        let resp = client()
            .post(format!("{}/full/{i}", running.listen_url()))
            .body(body(i, 48 * 1024))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "delivery {i}");
    }
    let (warnings, ids) = drain(&mut events);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("cannot write to the capture database")
            && warnings[0].contains("in memory"),
        "{}",
        warnings[0]
    );
    assert_eq!(ids, (1..=n as u64).collect::<Vec<_>>());
    // Every acknowledged delivery is visible: those on disk and those in memory.
    let rows = running.store.summaries().unwrap();
    assert_eq!(
        rows.iter().map(|r| r.id).collect::<Vec<_>>(),
        (1..=n as u64).collect::<Vec<_>>()
    );
    for i in 0..n {
        let d = running.store.get(i as u64 + 1).unwrap().unwrap();
        assert_eq!(d.path, format!("/full/{i}"));
        assert_eq!(d.body, body(i, 48 * 1024));
    }
    running.shutdown().await.unwrap();
    // What reached the disk before it filled is still there and readable.
    let reopened = hookscope::store::Store::open(&fs.path);
    if let Ok(store) = reopened {
        let on_disk = store.count().unwrap();
        assert!(on_disk >= 1 && on_disk < n as u64, "{on_disk}");
        println!("disk full: {on_disk} of {n} deliveries on disk, the rest kept in memory");
    }
}

/// A read-only data directory, with the real binary headless: a `store_warning` JSON line,
/// deliveries still printed, exit 0.
#[test]
fn a_read_only_data_dir_warns_once_and_capture_continues() {
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
    assert!(message.contains("in memory"), "{message}");
    let ids: Vec<u64> = lines
        .iter()
        .filter(|l| l["type"] == "delivery")
        .map(|l| l["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, [1, 2, 3]);
}

/// Run the binary headless on `data`, POST `n` deliveries, SIGTERM; the JSON lines after `ready`.
fn run_headless(data: &Path, n: usize) -> Vec<serde_json::Value> {
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
        .arg(data.join("none.toml"))
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
            assert_eq!(resp.status(), 200);
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

#[test]
fn the_dashboard_header_keeps_the_store_warning() {
    let mut h = Harness::standard(160, 40);
    assert!(!h.screen().contains("memory only"));
    h.input(Input::StoreWarning(
        "cannot write to the capture database: disk full; capturing in memory".into(),
    ));
    let header = h.screen().lines().next().unwrap().to_string();
    assert!(
        header.contains("store failed: capturing in memory only"),
        "{header}"
    );
    // Still there after the status message expires.
    h.input(Input::Tick {
        now_ms: common::NOW_MS + 60_000,
    });
    let screen = h.screen();
    assert!(screen.lines().next().unwrap().contains("memory only"));
    assert!(!screen.contains("disk full"));
}
