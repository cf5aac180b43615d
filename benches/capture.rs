//! Capture throughput: hookscope (the real binary, store on, headless output drained) against a
//! bare axum server that only reads the body and answers 200, in the same run, same load.
//!
//! Load: 32 keep-alive HTTP/1.1 connections over loopback, each sending POSTs with a 2 KiB JSON
//! body and 12 headers, one request in flight per connection, for a fixed time; the client runs
//! on a 2-thread tokio runtime and shares the 2 cores with the server. Two clients, one after
//! the other against each server: a minimal raw-TCP client (cheap, so the server's own cost
//! dominates) and reqwest (hyper's client, a typical real sender).
//!
//! Each server runs as a child process; its peak RSS is `VmHWM` from `/proc/<pid>/status`,
//! read at the end of its load phase (so it is the server alone, not the load generator), and
//! its CPU time per request (`/proc/<pid>/stat`) is reported per phase: unlike requests/s, that
//! figure does not depend on how much of the 2 cores the load client takes.
//! The database size is measured after a graceful stop (SIGTERM: WAL checkpointed), against the
//! payload bytes stored: header names + values + body, summed over the stored deliveries.
//!
//! Run: `cargo bench --bench capture` (HOOKSCOPE_BENCH_SECS overrides the 5 s per phase).

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[path = "../tests/support/pg_cluster.rs"]
mod pg_cluster;

const CONNECTIONS: usize = 32;
const BODY_SIZE: usize = 2048;
const ROLE_ENV: &str = "HOOKSCOPE_BENCH_ROLE";

fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let secs: u64 = std::env::var("HOOKSCOPE_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let phase = Duration::from_secs(secs);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    match std::env::var(ROLE_ENV).as_deref() {
        Ok("bare") => return bare_server(),
        // Load only, against HOOKSCOPE_BENCH_ADDR (for profiling a server by hand).
        Ok("load") => {
            let addr = std::env::var("HOOKSCOPE_BENCH_ADDR")
                .unwrap()
                .parse()
                .unwrap();
            let r = rt.block_on(load(addr, phase));
            println!(
                "{:.0} req/s, p50 {} µs, p99 {} µs, {} errors",
                r.rps(),
                r.pct(50.0),
                r.pct(99.0),
                r.errors
            );
            return;
        }
        _ => {}
    }

    println!(
        "capture bench: {CONNECTIONS} connections, {BODY_SIZE} B JSON bodies, 12 headers, {secs} s per server"
    );

    // Bare axum.
    let mut bare = Command::new(std::env::current_exe().unwrap())
        .env(ROLE_ENV, "bare")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let bare_addr = read_addr(&mut bare, |line| line.trim().to_string());
    let bare_result = measured(bare.id(), || rt.block_on(load(bare_addr, phase)));
    let bare_reqwest = measured(bare.id(), || rt.block_on(load_reqwest(bare_addr, phase)));
    let bare_rss = vm_hwm_kib(bare.id());
    drop(bare.stdin.take()); // EOF: the bare server exits
    let _ = bare.wait();

    // hookscope, store on, headless JSON lines drained by a thread.
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // An explicit --config must exist: an empty one.
    std::fs::write(dir.path().join("none.toml"), "").unwrap();
    let mut hs = Command::new(env!("CARGO_BIN_EXE_hookscope"))
        .args([
            "listen",
            "--headless",
            "--addr",
            "127.0.0.1:0",
            "--data-dir",
        ])
        .arg(&data)
        .arg("--config")
        .arg(dir.path().join("none.toml"))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let hs_addr = read_addr(&mut hs, |line| {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        v["listen"]
            .as_str()
            .unwrap()
            .trim_start_matches("http://")
            .to_string()
    });
    let stdout = hs.stdout.take().unwrap();
    let printed = std::thread::spawn(move || BufReader::new(stdout).lines().count());
    let hs_result = measured(hs.id(), || rt.block_on(load(hs_addr, phase)));
    let hs_reqwest = measured(hs.id(), || rt.block_on(load_reqwest(hs_addr, phase)));
    let hs_rss = vm_hwm_kib(hs.id());
    let db = data.join(hookscope::store::DB_FILE);
    let wal_before = file_size(&data.join(format!("{}-wal", hookscope::store::DB_FILE)));
    let db_before = file_size(&db);
    let term = Command::new("kill")
        .args(["-TERM", &hs.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let exit = hs.wait().unwrap();
    let printed = printed.join().unwrap();
    let db_after = file_size(&db);

    let store = hookscope::store::Store::open(&data).unwrap();
    let rows = store.summaries().unwrap();
    let mut payload: u64 = 0;
    for r in &rows {
        let d = store.get(r.id).unwrap().unwrap();
        payload += d.body.len() as u64;
        payload += d
            .headers
            .iter()
            .map(|(n, v)| (n.len() + v.len()) as u64)
            .sum::<u64>();
    }
    drop(store);

    // The same listener on a shared PostgreSQL store (a throwaway local server).
    let cluster = pg_cluster::Cluster::start();
    let url = cluster.new_database();
    let mut pg = Command::new(env!("CARGO_BIN_EXE_hookscope"))
        .args([
            "listen",
            "--headless",
            "--addr",
            "127.0.0.1:0",
            "--store",
            &url,
        ])
        .arg("--config")
        .arg(dir.path().join("none.toml"))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let pg_addr = read_addr(&mut pg, |line| {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        v["listen"]
            .as_str()
            .unwrap()
            .trim_start_matches("http://")
            .to_string()
    });
    let pg_stdout = pg.stdout.take().unwrap();
    let pg_printed = std::thread::spawn(move || BufReader::new(pg_stdout).lines().count());
    let pg_result = measured(pg.id(), || rt.block_on(load(pg_addr, phase)));
    let _ = Command::new("kill")
        .args(["-TERM", &pg.id().to_string()])
        .status();
    let _ = pg.wait();
    let _ = pg_printed.join();
    let pg_rows = hookscope::store::Store::open_postgres(&url)
        .unwrap()
        .count()
        .unwrap();
    drop(cluster);

    println!();
    for (client, bare, hs) in [
        ("raw TCP client", &bare_result, &hs_result),
        ("reqwest client", &bare_reqwest, &hs_reqwest),
    ] {
        println!("{client}:");
        for (name, r) in [("bare axum", bare), ("hookscope", hs)] {
            println!(
                "  {name} : {:>9.0} req/s  p50 {:>6} µs  p99 {:>6} µs  server CPU {:>5.1} µs/req  ({} requests, {} errors)",
                r.rps(),
                r.pct(50.0),
                r.pct(99.0),
                r.server_cpu.as_secs_f64() * 1e6 / r.done.max(1) as f64,
                r.done,
                r.errors
            );
        }
        println!(
            "  ratio     : {:.2}x of the bare server (target >= 0.6)",
            hs.rps() / bare.rps()
        );
    }
    println!(
        "store     : {} deliveries stored (newest; {} acknowledged, keep = 100,000), {} JSON lines printed, exit {:?}",
        rows.len(),
        hs_result.done + hs_reqwest.done,
        printed, // the ready line was read by read_addr
        exit.code()
    );
    println!(
        "db size   : {} B after stop ({} B db + {} B WAL while running) for {} B payload = {:.3}x (target <= 1.15)",
        db_after,
        db_before,
        wal_before,
        payload,
        db_after as f64 / payload.max(1) as f64
    );
    println!(
        "postgres  : {:>9.0} req/s  p50 {:>6} µs  p99 {:>6} µs  server CPU {:>5.1} µs/req  ({} requests, {} errors, {} rows) = {:.2}x of SQLite (raw TCP; local server, fsync off)",
        pg_result.rps(),
        pg_result.pct(50.0),
        pg_result.pct(99.0),
        pg_result.server_cpu.as_secs_f64() * 1e6 / pg_result.done.max(1) as f64,
        pg_result.done,
        pg_result.errors,
        pg_rows,
        pg_result.rps() / hs_result.rps()
    );
    println!(
        "peak RSS  : hookscope {:.1} MiB (target <= 32 MiB), bare {:.1} MiB",
        hs_rss as f64 / 1024.0,
        bare_rss as f64 / 1024.0
    );
}

fn read_addr(child: &mut Child, parse: impl Fn(&str) -> String) -> SocketAddr {
    let stdout = child.stdout.as_mut().unwrap();
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    // Byte by byte: the rest of stdout stays in the pipe for whoever reads it next.
    while std::io::Read::read(stdout, &mut byte).unwrap() == 1 && byte[0] != b'\n' {
        line.push(byte[0]);
    }
    parse(std::str::from_utf8(&line).unwrap()).parse().unwrap()
}

/// Run a load phase and note the CPU time the server process used during it.
fn measured(pid: u32, phase: impl FnOnce() -> LoadResult) -> LoadResult {
    let before = cpu_time(pid);
    let mut result = phase();
    result.server_cpu = cpu_time(pid).saturating_sub(before);
    result
}

/// User + system CPU time of a process so far (`/proc/<pid>/stat`, in clock ticks of 10 ms).
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<u64> = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|f| f.parse().ok())
        .collect();
    Duration::from_millis(fields.iter().sum::<u64>() * 10)
}

fn vm_hwm_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn file_size(p: &std::path::Path) -> u64 {
    std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
}

struct LoadResult {
    done: u64,
    /// CPU time the server used during the phase (set by [`measured`]).
    server_cpu: Duration,
    errors: u64,
    elapsed: Duration,
    latencies_us: Vec<u32>,
}

impl LoadResult {
    fn rps(&self) -> f64 {
        self.done as f64 / self.elapsed.as_secs_f64()
    }
    fn pct(&self, p: f64) -> u32 {
        if self.latencies_us.is_empty() {
            return 0;
        }
        let i = ((self.latencies_us.len() as f64 - 1.0) * p / 100.0).round() as usize;
        self.latencies_us[i]
    }
}

async fn load(addr: SocketAddr, phase: Duration) -> LoadResult {
    let stop = Arc::new(AtomicBool::new(false));
    let seq = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    // Warm-up connections first, then measure.
    for _ in 0..CONNECTIONS {
        let (stop, seq) = (stop.clone(), seq.clone());
        tasks.push(tokio::spawn(
            async move { connection(addr, stop, seq).await },
        ));
    }
    run_phase(tasks, &stop, phase).await
}

/// The same load through reqwest (hyper's client: pooled keep-alive connections), one task
/// per connection.
async fn load_reqwest(addr: SocketAddr, phase: Duration) -> LoadResult {
    let client = reqwest::Client::builder()
        .no_proxy()
        .http1_only()
        .pool_max_idle_per_host(CONNECTIONS)
        .build()
        .unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let seq = Arc::new(AtomicU64::new(1 << 40));
    let mut tasks = Vec::new();
    for _ in 0..CONNECTIONS {
        let (stop, seq, client) = (stop.clone(), seq.clone(), client.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let n = seq.fetch_add(1, Ordering::Relaxed);
                let raw = request(addr, n);
                let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
                let head = std::str::from_utf8(&raw[..split]).unwrap();
                let mut req = client.post(format!("http://{addr}/hooks/stripe?n={n}"));
                for line in head.lines().skip(1) {
                    let (k, v) = line.split_once(": ").unwrap();
                    if k != "host" && k != "content-length" {
                        req = req.header(k, v);
                    }
                }
                let body = raw[split + 4..].to_vec();
                let t = Instant::now();
                let ok = match req.body(body).send().await {
                    Ok(resp) => resp.status() == 200 && resp.bytes().await.is_ok(),
                    Err(_) => false,
                };
                if ok {
                    latencies.push(t.elapsed().as_micros() as u32);
                } else {
                    errors += 1;
                }
            }
            (latencies, errors)
        }));
    }
    run_phase(tasks, &stop, phase).await
}

/// Let the connection tasks run for `phase`, stop them, and gather their latencies and errors.
async fn run_phase(
    tasks: Vec<tokio::task::JoinHandle<(Vec<u32>, u64)>>,
    stop: &AtomicBool,
    phase: Duration,
) -> LoadResult {
    let start = Instant::now();
    tokio::time::sleep(phase).await;
    stop.store(true, Ordering::SeqCst);
    let mut result = LoadResult {
        done: 0,
        server_cpu: Duration::ZERO,
        errors: 0,
        elapsed: Duration::ZERO,
        latencies_us: Vec::new(),
    };
    for t in tasks {
        let (lat, errors) = t.await.unwrap();
        result.done += lat.len() as u64;
        result.errors += errors;
        result.latencies_us.extend(lat);
    }
    result.elapsed = start.elapsed();
    result.latencies_us.sort_unstable();
    result
}

/// One keep-alive connection: send, read the whole answer, repeat until told to stop.
async fn connection(
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    seq: Arc<AtomicU64>,
) -> (Vec<u32>, u64) {
    let mut latencies = Vec::new();
    let mut errors = 0;
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.set_nodelay(true).unwrap();
    let mut buf = vec![0u8; 16 * 1024];
    while !stop.load(Ordering::Relaxed) {
        let n = seq.fetch_add(1, Ordering::Relaxed);
        let req = request(addr, n);
        let t = Instant::now();
        if stream.write_all(&req).await.is_err() {
            errors += 1;
            break;
        }
        match read_response(&mut stream, &mut buf).await {
            Some(200) => latencies.push(t.elapsed().as_micros() as u32),
            _ => {
                errors += 1;
                break;
            }
        }
    }
    (latencies, errors)
}

/// Read one response; returns its status.
async fn read_response(stream: &mut tokio::net::TcpStream, buf: &mut [u8]) -> Option<u16> {
    let mut filled = 0;
    let head_end = loop {
        let n = stream.read(&mut buf[filled..]).await.ok()?;
        if n == 0 {
            return None;
        }
        filled += n;
        if let Some(i) = buf[..filled].windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if filled == buf.len() {
            return None;
        }
    };
    let head = std::str::from_utf8(&buf[..head_end]).ok()?;
    let status: u16 = head.get(9..12)?.parse().ok()?;
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0);
    let mut have = filled - head_end;
    while have < length {
        let n = stream.read(buf).await.ok()?;
        if n == 0 {
            return None;
        }
        have += n;
    }
    Some(status)
}

/// A webhook-like POST: 12 headers, a 2 KiB JSON body, unique per request.
fn request(addr: SocketAddr, n: u64) -> Vec<u8> {
    let mut body = format!(
        "{{\"id\":\"evt_{n:012}\",\"object\":\"event\",\"type\":\"invoice.paid\",\"created\":1763805600,\"data\":{{\"object\":{{\"id\":\"in_{n:012}\",\"amount_paid\":4200,\"currency\":\"eur\",\"lines\":\""
    );
    let pad = BODY_SIZE - body.len() - 5;
    body.extend(std::iter::repeat_n('x', pad));
    body.push_str("\"}}}");
    body.push('\n');
    assert_eq!(body.len(), BODY_SIZE);
    format!(
        "POST /hooks/stripe?n={n} HTTP/1.1\r\n\
         host: {addr}\r\n\
         user-agent: Stripe/1.0 (+https://stripe.com/docs/webhooks)\r\n\
         content-type: application/json; charset=utf-8\r\n\
         content-length: {BODY_SIZE}\r\n\
         accept: */*; q=0.5, application/xml\r\n\
         accept-encoding: gzip\r\n\
         cache-control: no-cache\r\n\
         x-request-id: req_{n:016x}\r\n\
         x-forwarded-for: 203.0.113.7\r\n\
         x-forwarded-proto: https\r\n\
         traceparent: 00-{n:032x}-00f067aa0ba902b7-01\r\n\
         stripe-signature: t=1763805600,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd\r\n\
         \r\n{body}"
    )
    .into_bytes()
}

/// The reference: axum on the same runtime shape, reads the body, answers 200.
fn bare_server() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        use axum::serve::ListenerExt;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        println!("{}", listener.local_addr().unwrap());
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        let app = axum::Router::new().fallback(|body: axum::body::Bytes| async move {
            std::hint::black_box(body);
            "{\"ok\":true}"
        });
        let server = axum::serve(listener, app).with_graceful_shutdown(async {
            // Stop when the bench closes our stdin.
            let _ = tokio::task::spawn_blocking(|| {
                let mut sink = String::new();
                while std::io::stdin()
                    .read_line(&mut sink)
                    .map(|n| n > 0)
                    .unwrap_or(false)
                {}
            })
            .await;
        });
        server.await.unwrap();
    });
}
