//! Capture throughput: a bare axum server that only reads the body and answers 200, hookscope
//! (the real binary, store on, headless output drained) and hookscope `--no-store`, in the same
//! run, under the same load.
//!
//! Load: 32 keep-alive HTTP/1.1 connections over loopback, each sending POSTs with a 2 KiB JSON
//! body and 12 headers, one request in flight per connection, for a fixed time; the client runs
//! on a 2-thread tokio runtime and shares the 2 cores with the server. The main client is a
//! minimal raw-TCP one (cheap, so the server's own cost dominates); after the rounds, reqwest
//! (hyper's client, a typical real sender) loads the bare server and hookscope once more.
//!
//! Every phase starts its server afresh as a child process (an empty data directory each time);
//! its peak RSS is `VmHWM` from `/proc/<pid>/status`, read at the end of its load phase (so it
//! is the server alone, not the load generator), and its CPU time per request
//! (`/proc/<pid>/stat`) is reported per phase: unlike requests/s, that figure does not depend
//! on how much of the 2 cores the load client takes. Its write calls and bytes written per
//! request (`/proc/<pid>/io`: socket, pipe and database writes together) show what the store's
//! page writes add, with less noise than CPU time. The database size is measured after a
//! graceful stop (SIGTERM: WAL checkpointed), against the payload bytes stored: header names +
//! values + body, summed over the stored deliveries.
//!
//! The machine's load varies: compare figures within one run (each round runs every server
//! back to back), and repeat rounds to see the spread.
//!
//! Run: `cargo bench --bench capture`. Settings (environment):
//! - `HOOKSCOPE_BENCH_SECS`: seconds per phase (5);
//! - `HOOKSCOPE_BENCH_ROUNDS`: rounds of bare / hookscope / `--no-store` (1);
//! - `HOOKSCOPE_BENCH_BEFORE`: another hookscope binary (e.g. a copy of an earlier build), run
//!   with and without the store in every round beside this one, for an A/B in one run;
//! - `HOOKSCOPE_BENCH_QUICK=1`: skip the reqwest and PostgreSQL phases.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
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

/// A server under load.
#[derive(Clone)]
enum Server {
    Bare,
    Hookscope {
        bin: PathBuf,
        label: &'static str,
        storage: Storage,
    },
}

#[derive(Clone)]
enum Storage {
    Dir,
    Memory,
    Postgres(String),
}

/// Which client loads the server.
#[derive(Clone, Copy)]
enum Client {
    RawTcp,
    Reqwest,
}

/// What one phase measured.
struct Phase {
    name: String,
    load: LoadResult,
    rss_kib: u64,
    db: Option<DbSize>,
}

/// A data directory's database after a graceful stop, against what it stores.
struct DbSize {
    after_stop: u64,
    while_running: u64,
    wal_while_running: u64,
    payload: u64,
    rows: usize,
    exit: Option<i32>,
    printed: usize,
}

fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let secs: u64 = env_number("HOOKSCOPE_BENCH_SECS").unwrap_or(5);
    let rounds: u64 = env_number("HOOKSCOPE_BENCH_ROUNDS").unwrap_or(1).max(1);
    let quick = std::env::var("HOOKSCOPE_BENCH_QUICK").is_ok_and(|v| v == "1");
    let before = std::env::var_os("HOOKSCOPE_BENCH_BEFORE").map(PathBuf::from);
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
        "capture bench: {CONNECTIONS} connections, {BODY_SIZE} B JSON bodies, 12 headers, {secs} s per phase, {rounds} round(s)"
    );
    let dir = tempfile::tempdir().unwrap();
    // An explicit --config must exist: an empty one.
    let config = dir.path().join("none.toml");
    std::fs::write(&config, "").unwrap();
    let this = PathBuf::from(env!("CARGO_BIN_EXE_hookscope"));
    let mut servers = vec![
        Server::Bare,
        Server::Hookscope {
            bin: this.clone(),
            label: "hookscope",
            storage: Storage::Dir,
        },
        Server::Hookscope {
            bin: this.clone(),
            label: "hookscope --no-store",
            storage: Storage::Memory,
        },
    ];
    if let Some(old) = &before {
        servers.push(Server::Hookscope {
            bin: old.clone(),
            label: "before",
            storage: Storage::Dir,
        });
        servers.push(Server::Hookscope {
            bin: old.clone(),
            label: "before --no-store",
            storage: Storage::Memory,
        });
    }

    let mut all = Vec::new();
    for round in 1..=rounds {
        println!("round {round} of {rounds} (raw TCP client):");
        let mut this_round = Vec::new();
        for (i, server) in servers.iter().enumerate() {
            let data = dir.path().join(format!("data-{round}-{i}"));
            let p = run_phase_on(&rt, server, Client::RawTcp, &data, &config, phase);
            print_phase(&p, this_round.first());
            this_round.push(p);
        }
        report_round(&this_round);
        all.push(this_round);
    }

    if !quick {
        println!("reqwest client:");
        let mut with_reqwest = Vec::new();
        for (i, server) in servers[..2].iter().enumerate() {
            let data = dir.path().join(format!("data-reqwest-{i}"));
            let p = run_phase_on(&rt, server, Client::Reqwest, &data, &config, phase);
            print_phase(&p, with_reqwest.first());
            with_reqwest.push(p);
        }

        // The same listener on a shared PostgreSQL store (a throwaway local server).
        let cluster = pg_cluster::Cluster::start();
        let url = cluster.new_database();
        let pg = Server::Hookscope {
            bin: this.clone(),
            label: "hookscope on PostgreSQL",
            storage: Storage::Postgres(url.clone()),
        };
        let p = run_phase_on(
            &rt,
            &pg,
            Client::RawTcp,
            &dir.path().join("pg"),
            &config,
            phase,
        );
        let pg_rows = hookscope::store::Store::open_postgres(&url)
            .unwrap()
            .count()
            .unwrap();
        drop(cluster);
        println!("PostgreSQL (raw TCP; local server, fsync off):");
        print_phase(&p, all.last().and_then(|r| r.get(1)));
        println!("  {pg_rows} rows stored");
    }

    if rounds > 1 {
        println!(
            "summary over {rounds} rounds (raw TCP client; CPU/req, then ratios to the bare server of the same round):"
        );
        for (i, server) in servers.iter().enumerate() {
            let per_round = |f: &dyn Fn(&[Phase]) -> String| -> String {
                all.iter().map(|r| f(r)).collect::<Vec<_>>().join(" / ")
            };
            let cpu = per_round(&|r| format!("{:.1}", r[i].load.cpu_per_req_us()));
            let rps = per_round(&|r| format!("{:.2}x", r[i].load.rps() / r[0].load.rps()));
            let rel = per_round(&|r| {
                format!(
                    "{:.2}x",
                    r[i].load.cpu_per_req_us() / r[0].load.cpu_per_req_us()
                )
            });
            println!(
                "  {:<22}: CPU {cpu} µs/req   req/s {rps}   CPU/req {rel}",
                name_of(server)
            );
        }
    }
}

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|s| s.parse().ok())
}

fn name_of(server: &Server) -> &'static str {
    match server {
        Server::Bare => "bare axum",
        Server::Hookscope { label, .. } => label,
    }
}

/// Start `server` afresh, load it with `client` for `phase`, stop it, and measure.
fn run_phase_on(
    rt: &tokio::runtime::Runtime,
    server: &Server,
    client: Client,
    data: &Path,
    config: &Path,
    phase: Duration,
) -> Phase {
    let mut child = spawn(server, data, config);
    let name = name_of(server).to_string();
    let addr = match server {
        Server::Bare => read_addr(&mut child, |line| line.trim().to_string()),
        Server::Hookscope { .. } => read_addr(&mut child, |line| {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            v["listen"]
                .as_str()
                .unwrap()
                .trim_start_matches("http://")
                .to_string()
        }),
    };
    let printed = match server {
        Server::Bare => None,
        Server::Hookscope { .. } => {
            let stdout = child.stdout.take().unwrap();
            Some(std::thread::spawn(move || {
                BufReader::new(stdout).lines().count()
            }))
        }
    };
    let load = measured(child.id(), || match client {
        Client::RawTcp => rt.block_on(load(addr, phase)),
        Client::Reqwest => rt.block_on(load_reqwest(addr, phase)),
    });
    let rss_kib = vm_hwm_kib(child.id());
    let db_file = data.join(hookscope::store::DB_FILE);
    let wal_while_running = file_size(&data.join(format!("{}-wal", hookscope::store::DB_FILE)));
    let while_running = file_size(&db_file);
    if matches!(server, Server::Bare) {
        drop(child.stdin.take()); // EOF: the bare server exits
        let _ = child.wait();
        return Phase {
            name,
            load,
            rss_kib,
            db: None,
        };
    }
    let term = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let exit = child.wait().unwrap().code();
    let printed = printed.map(|t| t.join().unwrap()).unwrap_or(0);
    let db = matches!(
        server,
        Server::Hookscope {
            storage: Storage::Dir,
            ..
        }
    )
    .then(|| {
        let store = hookscope::store::Store::open(data).unwrap();
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
        DbSize {
            after_stop: file_size(&db_file),
            while_running,
            wal_while_running,
            payload,
            rows: rows.len(),
            exit,
            printed,
        }
    });
    Phase {
        name,
        load,
        rss_kib,
        db,
    }
}

fn spawn(server: &Server, data: &Path, config: &Path) -> Child {
    match server {
        Server::Bare => Command::new(std::env::current_exe().unwrap())
            .env(ROLE_ENV, "bare")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
        Server::Hookscope { bin, storage, .. } => {
            let mut cmd = Command::new(bin);
            cmd.args(["listen", "--headless", "--addr", "127.0.0.1:0"]);
            match storage {
                Storage::Dir => cmd.arg("--data-dir").arg(data),
                Storage::Memory => cmd.arg("--no-store"),
                Storage::Postgres(url) => cmd.args(["--store", url]),
            };
            cmd.arg("--config")
                .arg(config)
                .stdout(Stdio::piped())
                .spawn()
                .unwrap()
        }
    }
}

/// One line for a phase; ratios against `bare` when given.
fn print_phase(p: &Phase, bare: Option<&Phase>) {
    let r = &p.load;
    let ratio = match bare {
        Some(b) if b.name != p.name => format!(
            "  = {:.2}x req/s, {:.2}x CPU/req of {}",
            r.rps() / b.load.rps(),
            r.cpu_per_req_us() / b.load.cpu_per_req_us(),
            b.name
        ),
        _ => String::new(),
    };
    println!(
        "  {:<22}: {:>7.0} req/s  p50 {:>5} µs  p99 {:>6} µs  server CPU {:>5.1} µs/req  writes {:>4.2} calls {:>5.1} KiB/req  peak RSS {:>5.1} MiB  ({} requests, {} errors){ratio}",
        p.name,
        r.rps(),
        r.pct(50.0),
        r.pct(99.0),
        r.cpu_per_req_us(),
        r.writes_per_req().0,
        r.writes_per_req().1,
        p.rss_kib as f64 / 1024.0,
        r.done,
        r.errors,
    );
    if let Some(db) = &p.db {
        println!(
            "  {:<22}  db {} B after stop ({} B db + {} B WAL while running) for {} B payload = {:.3}x; {} rows stored of {} acknowledged (keep = 100,000), {} lines printed, exit {:?}",
            "",
            db.after_stop,
            db.while_running,
            db.wal_while_running,
            db.payload,
            db.after_stop as f64 / db.payload.max(1) as f64,
            db.rows,
            r.done,
            db.printed,
            db.exit
        );
    }
}

/// The round's figures against the targets.
fn report_round(phases: &[Phase]) {
    let bare = &phases[0];
    let Some(hs) = phases.get(1) else { return };
    let db = hs.db.as_ref();
    println!(
        "  targets: hookscope {:.2}x bare req/s (>= 0.5), {:.2}x bare CPU/req (<= 2.5), peak RSS {:.1} MiB (<= 32), db {:.3}x payload (<= 1.15)",
        hs.load.rps() / bare.load.rps(),
        hs.load.cpu_per_req_us() / bare.load.cpu_per_req_us(),
        hs.rss_kib as f64 / 1024.0,
        db.map(|d| d.after_stop as f64 / d.payload.max(1) as f64)
            .unwrap_or(0.0)
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

/// Run a load phase and note the CPU time and the writes the server process made during it.
fn measured(pid: u32, phase: impl FnOnce() -> LoadResult) -> LoadResult {
    let before = cpu_time(pid);
    let io_before = write_counts(pid);
    let mut result = phase();
    result.server_cpu = cpu_time(pid).saturating_sub(before);
    let io_after = write_counts(pid);
    result.server_writes = (
        io_after.0.saturating_sub(io_before.0),
        io_after.1.saturating_sub(io_before.1),
    );
    result
}

/// Write system calls and bytes written so far (`syscw`, `wchar` of `/proc/<pid>/io`): socket,
/// pipe and file writes alike. Less noisy than CPU time, and what the store's page writes add.
fn write_counts(pid: u32) -> (u64, u64) {
    let io = std::fs::read_to_string(format!("/proc/{pid}/io")).unwrap_or_default();
    let field = |name: &str| {
        io.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0)
    };
    (field("syscw:"), field("wchar:"))
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
    /// Write calls and bytes written by the server during the phase (set by [`measured`]).
    server_writes: (u64, u64),
    errors: u64,
    elapsed: Duration,
    latencies_us: Vec<u32>,
}

impl LoadResult {
    fn rps(&self) -> f64 {
        self.done as f64 / self.elapsed.as_secs_f64()
    }
    fn cpu_per_req_us(&self) -> f64 {
        self.server_cpu.as_secs_f64() * 1e6 / self.done.max(1) as f64
    }
    /// (write calls, KiB written) per request.
    fn writes_per_req(&self) -> (f64, f64) {
        let n = self.done.max(1) as f64;
        (
            self.server_writes.0 as f64 / n,
            self.server_writes.1 as f64 / 1024.0 / n,
        )
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
        server_writes: (0, 0),
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
