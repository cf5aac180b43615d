//! The listener under hostile input, on loopback only, every loop bounded in count and time:
//! slowloris (headers and body), 1,000 headers, oversized header values, invalid UTF-8,
//! HTTP/1.0, chunked bodies, HTTP/2 cleartext, and a flood of concurrent connections against
//! the real binary with its peak memory measured.

mod listener;

use hookscope::capture::{self, ListenOptions, Running, Storage};
use hookscope::checker::Checker;
use hookscope::config::Config;
use hookscope::delivery::Delivery;
use listener::client;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn start(header_timeout: Duration, body_timeout: Duration) -> Running {
    let cfg = Config::parse("").unwrap();
    let mut o = ListenOptions::new(Checker::from_config(&cfg, &[]).unwrap());
    o.addr = "127.0.0.1:0".parse().unwrap();
    o.storage = Storage::Memory;
    o.header_timeout = header_timeout;
    o.body_timeout = body_timeout;
    capture::start(o).await.unwrap()
}

async fn start_default() -> Running {
    start(Duration::from_secs(5), Duration::from_secs(5)).await
}

/// Send `request` as is, then read until the server closes (at most 10 s).
async fn raw(addr: SocketAddr, request: &[u8]) -> Vec<u8> {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(request).await.unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut out)).await;
    out
}

fn status_of(response: &[u8]) -> String {
    String::from_utf8_lossy(response)
        .lines()
        .next()
        .unwrap_or("")
        .to_string()
}

/// The stored delivery whose path is `path`, waiting up to 5 s for it.
async fn stored(running: &Running, path: &str) -> Delivery {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let rows = running.store.summaries().unwrap();
        if let Some(s) = rows.iter().find(|s| s.path == path) {
            return running.store.get(s.id).unwrap().unwrap();
        }
        assert!(Instant::now() < deadline, "no delivery for {path}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn slowloris_senders_are_cut_off_while_others_are_served() {
    let running = start(Duration::from_secs(1), Duration::from_secs(1)).await;
    let addr = running.local_addr;
    // Headers trickled one byte every 100 ms: the connection is closed after ~1 s.
    let trickle = tokio::spawn(async move {
        let started = Instant::now();
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(b"POST /slow-headers HTTP/1.1\r\nHost: x\r\n")
            .await
            .unwrap();
        for _ in 0..100 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if s.write_all(b"x").await.is_err() {
                break;
            }
            let mut buf = [0u8; 256];
            if let Ok(Ok(n)) =
                tokio::time::timeout(Duration::from_millis(1), s.read(&mut buf)).await
            {
                // Closed (0) or an error status: cut off either way.
                let _ = n;
                break;
            }
        }
        started.elapsed()
    });
    // A body that stalls after 10 of 100 bytes: 408 after ~1 s, recorded with what arrived.
    let stall = tokio::spawn(async move {
        let started = Instant::now();
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(
            b"POST /slow-body HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789",
        )
        .await
        .unwrap();
        let mut out = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut out)).await;
        (started.elapsed(), out)
    });
    // Meanwhile ordinary senders are answered at once.
    tokio::time::sleep(Duration::from_millis(300)).await;
    for i in 0..5 {
        let t = Instant::now();
        let resp = client()
            .post(format!("{}/normal/{i}", running.listen_url()))
            .body("ok")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        assert!(
            t.elapsed() < Duration::from_millis(500),
            "{:?}",
            t.elapsed()
        );
    }
    let cut = trickle.await.unwrap();
    assert!(
        cut >= Duration::from_millis(900) && cut < Duration::from_secs(4),
        "header trickle cut after {cut:?}"
    );
    let (took, answer) = stall.await.unwrap();
    assert!(took < Duration::from_secs(4), "{took:?}");
    assert!(status_of(&answer).starts_with("HTTP/1.1 408"), "{answer:?}");
    let d = stored(&running, "/slow-body").await;
    assert_eq!(d.rejected.as_deref(), Some("body_timeout"));
    assert_eq!(&d.body[..], b"0123456789");
    assert_eq!(d.response.unwrap().status, 408);
    // The header trickle never completed a request, so nothing was recorded for it.
    let rows = running.store.summaries().unwrap();
    assert!(rows.iter().all(|s| s.path != "/slow-headers"));
    assert_eq!(rows.len(), 6);
    println!("slowloris: header trickle cut after {cut:?}, stalled body answered after {took:?}");
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn headers_up_to_the_cap_are_captured_and_more_get_431() {
    let running = start_default().await;
    let mut req =
        b"POST /many HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 2\r\n".to_vec();
    // Three more lines above: exactly the cap.
    let extra = capture::MAX_HEADERS - 3;
    for i in 0..extra {
        req.extend_from_slice(format!("X-H-{i}: v{i}\r\n").as_bytes());
    }
    req.extend_from_slice(b"\r\nhi");
    let answer = raw(running.local_addr, &req).await;
    assert!(
        status_of(&answer).starts_with("HTTP/1.1 200"),
        "{}",
        status_of(&answer)
    );
    let d = stored(&running, "/many").await;
    assert_eq!(d.headers.len(), capture::MAX_HEADERS);
    let last = extra - 1;
    assert_eq!(
        d.header(&format!("x-h-{last}")),
        Some(format!("v{last}").as_bytes())
    );
    assert_eq!(&d.body[..], b"hi");

    let mut req = b"POST /too-many HTTP/1.1\r\nHost: x\r\nConnection: close\r\n".to_vec();
    for i in 0..capture::MAX_HEADERS + 10 {
        req.extend_from_slice(format!("X-H-{i}: v\r\n").as_bytes());
    }
    req.extend_from_slice(b"\r\n");
    let answer = raw(running.local_addr, &req).await;
    assert!(
        status_of(&answer).starts_with("HTTP/1.1 431"),
        "{}",
        status_of(&answer)
    );
    // Still answering.
    let resp = client()
        .get(format!("{}/after", running.listen_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn oversized_header_values_are_kept_up_to_the_buffer_limit_then_431() {
    let running = start_default().await;
    let big: Vec<u8> = (0..100 * 1024).map(|i| b'a' + (i % 26) as u8).collect();
    let mut req = b"POST /big-header HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Big: ".to_vec();
    req.extend_from_slice(&big);
    req.extend_from_slice(b"\r\nContent-Length: 0\r\n\r\n");
    let answer = raw(running.local_addr, &req).await;
    assert!(
        status_of(&answer).starts_with("HTTP/1.1 200"),
        "{}",
        status_of(&answer)
    );
    let d = stored(&running, "/big-header").await;
    assert_eq!(d.header("x-big"), Some(&big[..]));

    let mut req =
        b"POST /huge-header HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Huge: ".to_vec();
    req.extend(std::iter::repeat_n(b'z', 1 << 20));
    req.extend_from_slice(b"\r\n\r\n");
    let answer = raw(running.local_addr, &req).await;
    assert!(
        status_of(&answer).starts_with("HTTP/1.1 431"),
        "{}",
        status_of(&answer)
    );
    let rows = running.store.summaries().unwrap();
    assert_eq!(rows.len(), 1);
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn invalid_utf8_in_headers_is_kept_byte_exact_and_raw_bytes_in_the_path_get_400() {
    let running = start_default().await;
    let value = b"\xff\xfe caf\xc3\xa9 \x80\xc3\x28 \tend";
    let mut req =
        b"POST /bytes/%FF%C3%28?q=%FE HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Bin: ".to_vec();
    req.extend_from_slice(value);
    req.extend_from_slice(b"\r\nContent-Length: 3\r\n\r\n\xff\x00\xfe");
    let answer = raw(running.local_addr, &req).await;
    assert!(
        status_of(&answer).starts_with("HTTP/1.1 200"),
        "{}",
        status_of(&answer)
    );
    let d = stored(&running, "/bytes/%FF%C3%28").await;
    assert_eq!(d.header("x-bin"), Some(&value[..]));
    assert_eq!(d.query, "q=%FE");
    assert_eq!(&d.body[..], b"\xff\x00\xfe");

    // A raw non-ASCII byte in the request target is not valid HTTP: hyper answers 400 before
    // any handler runs, and the listener carries on.
    let answer = raw(
        running.local_addr,
        b"GET /raw\xff\xfepath HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(
        status_of(&answer).starts_with("HTTP/1.1 400"),
        "{}",
        status_of(&answer)
    );
    // So is a control byte (DEL) in a header value.
    let answer = raw(
        running.local_addr,
        b"GET /ctl HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Ctl: a\x7fb\r\n\r\n",
    )
    .await;
    assert!(
        status_of(&answer).starts_with("HTTP/1.1 400"),
        "{}",
        status_of(&answer)
    );
    // Garbage that is not HTTP at all.
    let _ = raw(
        running.local_addr,
        b"\x16\x03\x01\x00\xff\x01\x00\x00garbage\r\n\r\n",
    )
    .await;
    let resp = client()
        .get(format!("{}/after", running.listen_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(running.store.count().unwrap(), 2);
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn http_1_0_and_chunked_bodies_are_captured() {
    let running = start_default().await;
    let answer = raw(
        running.local_addr,
        b"POST /old HTTP/1.0\r\nContent-Length: 5\r\nX-Old: yes\r\n\r\nhello",
    )
    .await;
    assert!(
        status_of(&answer).starts_with("HTTP/1.0 200"),
        "{}",
        status_of(&answer)
    );
    let d = stored(&running, "/old").await;
    assert_eq!(&d.body[..], b"hello");
    assert_eq!(d.header("x-old"), Some(&b"yes"[..]));

    let answer = raw(
        running.local_addr,
        b"POST /chunked HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n\
          5;ext=1\r\n\x00\xffabc\r\n1\r\n\n\r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n",
    )
    .await;
    assert!(
        status_of(&answer).starts_with("HTTP/1.1 200"),
        "{}",
        status_of(&answer)
    );
    let d = stored(&running, "/chunked").await;
    assert_eq!(&d.body[..], b"\x00\xffabc\n0123456789");
    assert_eq!(d.body_size, 16);

    // A chunked body whose framing breaks mid-way: 400, recorded with what arrived.
    let answer = raw(
        running.local_addr,
        b"POST /chunked-cut HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nZZ\r\n",
    )
    .await;
    assert!(
        status_of(&answer).starts_with("HTTP/1.1 400"),
        "{}",
        status_of(&answer)
    );
    let d = stored(&running, "/chunked-cut").await;
    assert_eq!(d.rejected.as_deref(), Some("body_malformed"));
    assert_eq!(&d.body[..], b"abc");
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn http2_cleartext_with_prior_knowledge_is_captured() {
    let running = start_default().await;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let h2 = reqwest::Client::builder()
        .no_proxy()
        .http2_prior_knowledge()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let body: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    for i in 0..3 {
        let resp = h2
            .post(format!("{}/h2/{i}", running.listen_url()))
            .header("X-Mixed-Case", "Value")
            .header("x-dup", "1")
            .header("x-dup", "2")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.version(), reqwest::Version::HTTP_2);
        assert_eq!(resp.status(), 200);
    }
    let d = stored(&running, "/h2/2").await;
    assert_eq!(d.body, body);
    assert_eq!(d.header("x-mixed-case"), Some(&b"Value"[..]));
    let dups: Vec<&[u8]> = d
        .headers
        .iter()
        .filter(|(n, _)| n == "x-dup")
        .map(|(_, v)| &v[..])
        .collect();
    assert_eq!(dups, vec![&b"1"[..], &b"2"[..]]);
    assert_eq!(running.store.count().unwrap(), 3);
    running.shutdown().await.unwrap();
}

/// Raise this process's open-file soft limit to its hard limit; returns the soft limit now.
fn raise_nofile() -> u64 {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: plain libc calls with a valid pointer to a local struct.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return 1024;
        }
        let mut raised = lim;
        raised.rlim_cur = lim.rlim_max;
        if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
            return raised.rlim_cur;
        }
    }
    lim.rlim_cur
}

fn proc_status_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn open_fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|d| d.count())
        .unwrap_or(0)
}

/// Up to 10,000 connections at once against the real binary (fewer if the open-file limit is
/// lower: the figure is printed). All are held mid-headers while a fresh sender is served, then
/// each completes its request; every one is answered and stored, and peak RSS is reported.
#[test]
fn ten_thousand_concurrent_connections_are_held_answered_and_captured() {
    let limit = raise_nofile();
    let n = 10_000usize.min(limit.saturating_sub(300) as usize);
    assert!(
        n >= 500,
        "open-file limit too low for a flood test: {limit}"
    );
    let dir = tempfile::tempdir().unwrap();
    let mut child = listener::headless_command(
        &dir.path().join("none.toml"),
        Some(&dir.path().join("data")),
    )
    .args(["--header-timeout", "60"])
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let pid = child.id();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let ready: serde_json::Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    let listen = ready["listen"].as_str().unwrap().to_string();
    let addr: SocketAddr = listen.trim_start_matches("http://").parse().unwrap();
    let baseline_kib = proc_status_kib(pid, "VmRSS:");
    let counter = std::thread::spawn(move || {
        lines
            .map_while(Result::ok)
            .filter(|l| l.contains(r#""type":"delivery""#))
            .count()
    });

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let started = Instant::now();
    let (held_fds, answered) = rt.block_on(async move {
        // Connect in batches (the accept backlog is finite), each sending half its headers.
        let mut conns = Vec::with_capacity(n);
        for batch in 0..n.div_ceil(250) {
            let mut tasks = Vec::new();
            for i in batch * 250..((batch + 1) * 250).min(n) {
                tasks.push(tokio::spawn(async move {
                    let mut s = TcpStream::connect(addr).await.unwrap();
                    s.write_all(format!("POST /flood/{i} HTTP/1.1\r\nHost: x\r\n").as_bytes())
                        .await
                        .unwrap();
                    s
                }));
            }
            for t in tasks {
                conns.push(t.await.unwrap());
            }
        }
        // All held at once by the listener.
        let deadline = Instant::now() + Duration::from_secs(20);
        while open_fds(pid) < n && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let held = open_fds(pid);
        // A fresh sender is served while they are held.
        let t = Instant::now();
        let resp = client()
            .post(format!("http://{addr}/fresh"))
            .body("x")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
        // Now every held connection completes its request and reads the answer.
        let mut tasks = Vec::with_capacity(n);
        for mut s in conns {
            tasks.push(tokio::spawn(async move {
                s.write_all(b"Content-Length: 5\r\nConnection: close\r\n\r\nhello")
                    .await
                    .unwrap();
                let mut out = Vec::new();
                // Patience, not a promise: under a loaded test run the last of 10,000 answers
                // has come close to 30 s.
                let read =
                    tokio::time::timeout(Duration::from_secs(120), s.read_to_end(&mut out)).await;
                if out.starts_with(b"HTTP/1.1 200") {
                    return None;
                }
                // What the sender got instead, for the failure message.
                let head = String::from_utf8_lossy(&out[..out.len().min(120)]).into_owned();
                Some(match read {
                    Err(_) => format!("no answer within 120 s (read {head:?})"),
                    Ok(Err(e)) => format!("{e} (read {head:?})"),
                    Ok(Ok(_)) => head,
                })
            }));
        }
        let mut ok = 0usize;
        let mut other = Vec::new();
        for t in tasks {
            match t.await.unwrap() {
                None => ok += 1,
                Some(why) => other.push(why),
            }
        }
        other.truncate(5);
        (held, (ok, other))
    });
    let answered_after = started.elapsed();
    assert!(
        held_fds >= n,
        "listener held {held_fds} fds for {n} connections"
    );
    let (answered, other) = answered;
    assert_eq!(
        answered, n,
        "answered {answered} of {n}; others got {other:?}"
    );
    let peak_kib = proc_status_kib(pid, "VmHWM:");
    let status = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert_eq!(exit.code(), Some(0), "{exit:?}");
    // The JSON-lines printer may fall behind a burst (it says so on stderr); the store has all.
    let printed = counter.join().unwrap();
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    let store = hookscope::store::Store::open(&dir.path().join("data")).unwrap();
    let stored = store.count().unwrap();
    println!(
        "flood: {n} concurrent connections (open-file limit {limit}); listener held {held_fds} fds; \
         {answered} answered in {answered_after:?}; {stored} stored; {printed} JSON lines printed; \
         listener RSS {} MiB at start, peak (VmHWM) {} MiB; stderr: {}",
        baseline_kib / 1024,
        peak_kib / 1024,
        stderr.trim()
    );
    assert_eq!(stored, (n + 1) as u64);
    assert!(peak_kib < 512 * 1024, "peak RSS {peak_kib} KiB");
    assert!(printed <= n + 1);
}

/// Connections that never send a request line — nothing at all, only `P`, or part of the
/// HTTP/2 preface — are closed after the header timeout, counted from the accept.
#[tokio::test]
async fn connections_that_never_send_a_request_line_are_closed() {
    let running = start(Duration::from_secs(1), Duration::from_secs(1)).await;
    let addr = running.local_addr;
    let mut tasks = Vec::new();
    for i in 0..90 {
        tasks.push(tokio::spawn(async move {
            let mut s = TcpStream::connect(addr).await.unwrap();
            let sent: &[u8] = match i % 3 {
                0 => b"",
                1 => b"P",
                _ => b"PRI * HTTP/2.0\r\n",
            };
            s.write_all(sent).await.unwrap();
            let started = Instant::now();
            let mut buf = [0u8; 64];
            // Closed: read returns 0 (or an error) instead of waiting.
            match tokio::time::timeout(Duration::from_secs(6), s.read(&mut buf)).await {
                Ok(_) => Some(started.elapsed()),
                Err(_) => None,
            }
        }));
    }
    for t in tasks {
        let closed = t.await.unwrap();
        assert!(
            closed.is_some(),
            "a connection that sent no request stayed open"
        );
        assert!(closed.unwrap() >= Duration::from_millis(800), "{closed:?}");
    }
    running.shutdown().await.unwrap();
}

/// Set the child's open-file limit (soft and hard) before it runs.
fn with_nofile(cmd: &mut Command, n: u64) -> &mut Command {
    use std::os::unix::process::CommandExt;
    // SAFETY: setrlimit between fork and exec, with a valid pointer to a local struct.
    unsafe {
        cmd.pre_exec(move || {
            let lim = libc::rlimit {
                rlim_cur: n,
                rlim_max: n,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        })
    }
}

/// More idle connections than the listener has file descriptors: it stops accepting at its
/// connection cap instead of failing every accept, closes the idle ones after the header
/// timeout, and a fresh sender is served; at most one warning line.
#[test]
fn idle_connections_beyond_the_file_limit_do_not_lock_out_fresh_senders() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = listener::headless_command(&dir.path().join("none.toml"), None);
    cmd.args(["--header-timeout", "2"]).stderr(Stdio::piped());
    let mut child = with_nofile(&mut cmd, 256).spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let ready: serde_json::Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    let listen = ready["listen"].as_str().unwrap().to_string();
    let addr: SocketAddr = listen.trim_start_matches("http://").parse().unwrap();
    let printer = std::thread::spawn(move || lines.map_while(Result::ok).count());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let answered = rt.block_on(async move {
        let mut idle = Vec::new();
        for _ in 0..300 {
            idle.push(TcpStream::connect(addr).await.unwrap());
        }
        let t = Instant::now();
        let resp = client()
            .post(format!("http://{addr}/fresh"))
            .body("x")
            .send()
            .await
            .map(|r| r.status().as_u16());
        let waited = t.elapsed();
        drop(idle);
        (resp, waited)
    });
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(0));
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    println!(
        "idle connections: 300 against a 256-file limit; fresh sender answered {:?} after {:?}",
        answered.0, answered.1
    );
    assert_eq!(
        answered.0.ok(),
        Some(200),
        "the fresh sender was locked out"
    );
    assert_eq!(printer.join().unwrap(), 1);
    assert!(stderr.lines().count() <= 1, "{stderr}");
}

/// A local app answering `size` bytes (or endlessly, with `None`) to any request.
async fn big_app(size: Option<u64>) -> String {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut s, _)) = l.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut buf = vec![0u8; 64 << 10];
                let _ = s.read(&mut buf).await;
                let head = match size {
                    Some(n) => format!("HTTP/1.1 200 OK\r\ncontent-length: {n}\r\n\r\n"),
                    None => "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n".to_string(),
                };
                if s.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let chunk = vec![b'a'; 64 << 10];
                let framed =
                    [format!("{:x}\r\n", chunk.len()).as_bytes(), &chunk, b"\r\n"].concat();
                let mut sent = 0u64;
                while size.is_none_or(|n| sent < n) {
                    let ok = match size {
                        Some(_) => s.write_all(&chunk).await,
                        None => s.write_all(&framed).await,
                    };
                    if ok.is_err() {
                        return;
                    }
                    sent += chunk.len() as u64;
                }
            });
        }
    });
    format!("http://{addr}")
}

/// Forwarding to an app that answers 1 GiB, or never stops: the answer is read and relayed up
/// to --forward-max-body (10 MiB), the delivery says it was cut, and memory stays bounded.
#[test]
fn a_huge_or_endless_forwarded_answer_is_cut_at_the_cap() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    for (what, size) in [("1 GiB", Some(1u64 << 30)), ("endless", None)] {
        let app = rt.block_on(big_app(size));
        let dir = tempfile::tempdir().unwrap();
        let mut child = listener::headless_command(&dir.path().join("none.toml"), None)
            .args(["--forward", &app])
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let pid = child.id();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let ready: serde_json::Value =
            serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
        let listen = ready["listen"].as_str().unwrap().to_string();
        let (status, len) = rt.block_on(async {
            let resp = client()
                .post(format!("{listen}/big"))
                .body("x")
                .send()
                .await
                .unwrap();
            let status = resp.status().as_u16();
            (status, resp.bytes().await.unwrap().len())
        });
        let line: serde_json::Value =
            serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
        let peak_kib = proc_status_kib(pid, "VmHWM:");
        Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .unwrap();
        assert_eq!(child.wait().unwrap().code(), Some(0));
        println!(
            "forwarded {what} answer: relayed {len} bytes, peak RSS {} MiB",
            peak_kib / 1024
        );
        assert_eq!((status, len), (200, 10 << 20), "{what}");
        let error = line["response"]["error"].as_str().unwrap_or("");
        assert!(error.contains("longer than --forward-max-body"), "{line}");
        assert!(peak_kib < 160 * 1024, "{what}: peak RSS {peak_kib} KiB");
    }
}

/// 60 senders each announcing a 10 MiB body and stalling after 4 MiB: the listener takes as
/// many as its budget of bytes in flight (64 MiB) allows and answers the rest 503 +
/// Retry-After at once; memory and the data directory stay bounded.
#[test]
fn stalled_large_bodies_are_bounded_by_the_in_flight_budget() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut child = listener::headless_command(&dir.path().join("none.toml"), Some(&data))
        .args(["--body-timeout", "3"])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let ready: serde_json::Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    let listen = ready["listen"].as_str().unwrap().to_string();
    let addr: SocketAddr = listen.trim_start_matches("http://").parse().unwrap();
    let printer = std::thread::spawn(move || lines.map_while(Result::ok).count());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let statuses = rt.block_on(async move {
        let mut tasks = Vec::new();
        for i in 0..60 {
            tasks.push(tokio::spawn(async move {
                let mut s = TcpStream::connect(addr).await.unwrap();
                let head = format!(
                    "POST /stall/{i} HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n",
                    10 << 20
                );
                s.write_all(head.as_bytes()).await.unwrap();
                let part = vec![b'b'; 4 << 20];
                let _ = s.write_all(&part).await;
                let mut out = Vec::new();
                let _ =
                    tokio::time::timeout(Duration::from_secs(15), s.read_to_end(&mut out)).await;
                String::from_utf8_lossy(&out)
                    .lines()
                    .next()
                    .unwrap_or("")
                    .to_string()
            }));
        }
        let mut statuses = Vec::new();
        for t in tasks {
            statuses.push(t.await.unwrap());
        }
        statuses
    });
    let peak_kib = proc_status_kib(pid, "VmHWM:");
    Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(0));
    let busy = statuses
        .iter()
        .filter(|s| s.starts_with("HTTP/1.1 503"))
        .count();
    let timed_out = statuses
        .iter()
        .filter(|s| s.starts_with("HTTP/1.1 408"))
        .count();
    let dir_bytes: u64 = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    println!(
        "60 stalled 10 MiB bodies: {timed_out} taken (408 after the body timeout), {busy} answered \
         503 at once; peak RSS {} MiB; data dir {} MiB",
        peak_kib / 1024,
        dir_bytes >> 20
    );
    assert_eq!(busy + timed_out, 60, "{statuses:?}");
    assert!(timed_out <= 6 && busy >= 54, "{statuses:?}");
    assert!(peak_kib < 200 * 1024, "peak RSS {peak_kib} KiB");
    assert!(dir_bytes < 96 << 20, "data dir {dir_bytes} bytes");
    assert_eq!(printer.join().unwrap(), 60, "every sender is recorded");
}

/// A body whose chunked framing is malformed gets 400 and is recorded as such.
#[tokio::test]
async fn malformed_chunked_framing_gets_400() {
    let running = start_default().await;
    for (path, framing) in [
        ("/chunk/size", &b"zz\r\nhello\r\n0\r\n\r\n"[..]),
        (
            "/chunk/overflow",
            &b"fffffffffffffffffff\r\nhello\r\n0\r\n\r\n"[..],
        ),
    ] {
        let mut request =
            format!("POST {path} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
                .into_bytes();
        request.extend_from_slice(framing);
        let answer = raw(running.local_addr, &request).await;
        assert!(
            status_of(&answer).starts_with("HTTP/1.1 400"),
            "{}",
            status_of(&answer)
        );
        let d = stored(&running, path).await;
        assert_eq!(d.rejected.as_deref(), Some("body_malformed"));
        assert_eq!(d.response.unwrap().status, 400);
    }
    running.shutdown().await.unwrap();
}

/// `--forward` to the listener itself is refused at start; a loop through a second listener
/// is stopped by the hop header at the second pass (508), not repeated.
#[tokio::test]
async fn forwarding_loops_are_refused_and_stopped() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let opts = |port: u16, forward: String| {
        let cfg = Config::parse("").unwrap();
        let mut o = ListenOptions::new(Checker::from_config(&cfg, &[]).unwrap());
        o.addr = format!("127.0.0.1:{port}").parse().unwrap();
        o.storage = Storage::Memory;
        o.forward = Some(forward);
        o
    };
    let e = capture::start(opts(port, format!("http://localhost:{port}/hooks")))
        .await
        .err()
        .expect("forwarding to itself was accepted")
        .to_string();
    assert!(e.contains("this listener's own address"), "{e}");
    // A → B → A: B's port first, then A forwarding to B.
    let a_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let b = capture::start(opts(0, format!("http://127.0.0.1:{a_port}")))
        .await
        .unwrap();
    let a = capture::start(opts(a_port, b.listen_url())).await.unwrap();
    let resp = client()
        .post(format!("{}/loop", a.listen_url()))
        .timeout(Duration::from_secs(5))
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 508);
    let (a_rows, b_rows) = (a.store.summaries().unwrap(), b.store.summaries().unwrap());
    assert_eq!(
        (a_rows.len(), b_rows.len()),
        (2, 1),
        "{a_rows:?} {b_rows:?}"
    );
    let rows: Vec<Delivery> = a_rows
        .iter()
        .map(|r| a.store.get(r.id).unwrap().unwrap())
        .collect();
    let second = rows.iter().find(|d| d.rejected.is_some()).unwrap();
    assert_eq!(second.rejected.as_deref(), Some("forward_loop"));
    assert_eq!(second.response.as_ref().unwrap().status, 508);
    assert!(second.header(hookscope::capture::HOP_HEADER).is_some());
    let first = rows.iter().find(|d| d.rejected.is_none()).unwrap();
    assert_eq!(first.response.as_ref().unwrap().status, 508);
    a.shutdown().await.unwrap();
    b.shutdown().await.unwrap();
}
