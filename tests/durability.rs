//! SIGKILL mid-burst: every delivery whose sender got a 2xx is in the store afterwards.

mod listener;

use listener::client;
use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

const TOTAL: usize = 2000;
const KILL_AFTER: usize = 700;
const CONCURRENCY: usize = 64;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_deliveries_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut child = listener::headless_command(&dir.path().join("none.toml"), Some(&data))
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut ready = String::new();
    stdout.read_line(&mut ready).unwrap();
    let ready: serde_json::Value = serde_json::from_str(&ready).unwrap();
    let url = ready["listen"].as_str().unwrap().to_string();
    // Keep reading stdout so the printer never blocks on a full pipe.
    std::thread::spawn(move || for _ in stdout.lines() {});

    let child = Arc::new(Mutex::new(child));
    let acked = Arc::new(Mutex::new(Vec::new()));
    let ok = Arc::new(AtomicUsize::new(0));
    let gate = Arc::new(tokio::sync::Semaphore::new(CONCURRENCY));
    let http = client();
    let mut tasks = Vec::new();
    for seq in 0..TOTAL {
        let (http, url, gate) = (http.clone(), url.clone(), gate.clone());
        let (child, acked, ok) = (child.clone(), acked.clone(), ok.clone());
        tasks.push(tokio::spawn(async move {
            let _permit = gate.acquire().await.unwrap();
            let token = format!("seq-{seq:05}");
            let result = http
                .post(format!("{url}/burst"))
                .header("x-seq", &token)
                .body(format!(
                    "{{\"seq\":\"{token}\",\"pad\":\"{}\"}}",
                    "p".repeat(300)
                ))
                .send()
                .await;
            if let Ok(resp) = result
                && resp.status().is_success()
            {
                acked.lock().unwrap().push(token);
                if ok.fetch_add(1, Ordering::SeqCst) + 1 == KILL_AFTER {
                    child.lock().unwrap().kill().unwrap(); // SIGKILL
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    child.lock().unwrap().wait().unwrap();
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() >= KILL_AFTER,
        "only {} acknowledged",
        acked.len()
    );
    assert!(acked.len() < TOTAL, "the kill came after the burst");

    let store = hookscope::store::Store::open(&data).unwrap();
    let mut stored = HashSet::new();
    for row in store.summaries().unwrap() {
        let d = store.get(row.id).unwrap().unwrap();
        let seq = d.header_str("x-seq").unwrap().to_string();
        assert!(
            d.body
                .starts_with(format!("{{\"seq\":\"{seq}\"").as_bytes())
        );
        stored.insert(seq);
    }
    let missing: Vec<_> = acked.iter().filter(|t| !stored.contains(*t)).collect();
    assert!(
        missing.is_empty(),
        "{} acknowledged deliveries lost: {:?}",
        missing.len(),
        &missing[..missing.len().min(5)]
    );
    eprintln!(
        "acknowledged {}, stored {} (of {TOTAL} sent)",
        acked.len(),
        stored.len()
    );
}
