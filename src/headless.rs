//! The headless front end: JSON lines on stdout (README, "Headless output"), one object per line,
//! each flushed as soon as no other line is waiting. A `ready` line comes first, then one
//! `delivery` line per delivery, a `store_warning` line (`{"type":"store_warning","message":…}`)
//! if the store fails, and with `--tunnel` a `tunnel` line for its state and each change.
//! Secrets never appear: a verification carries only fingerprints.
//!
//! A slow reader never slows capture: the printer blocks on stdout while up to
//! [`crate::capture::EVENT_CAPACITY`] events wait for it; beyond that the oldest are skipped
//! and one `{"type":"dropped","count":N}` line says how many (those deliveries are in the
//! store: `hookscope export`).

use crate::event::{Captured, Event};
use crate::record::{Judged, Record};
use crate::tunnel::{TunnelState, TunnelStatus};
use serde::Serialize;
use std::io::Write;
use std::net::SocketAddr;
use tokio::sync::broadcast;

/// The first line: `{"type":"ready","listen":"http://…","version":"…"}`; with a tunnel also
/// `"public_url"` (its URL once up, else null; `tunnel` lines follow on every change).
pub fn ready_line(addr: SocketAddr, tunnel: Option<&TunnelStatus>) -> String {
    let mut line = serde_json::json!({
        "type": "ready",
        "listen": format!("http://{addr}"),
    });
    if let Some(t) = tunnel {
        line["public_url"] = t.url().into();
    }
    line["version"] = env!("CARGO_PKG_VERSION").into();
    line.to_string()
}

/// `{"type":"tunnel","kind":…,"state":…,"public_url":…}` (+ `message`, `retry_in_secs`, `warning`).
#[derive(Serialize)]
struct TunnelLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(flatten)]
    report: &'a crate::tunnel::TunnelReport,
}

/// Write the record of a delivery as judged at capture (see [`crate::record`]) to `out`, no
/// newline. The record borrows the delivery: nothing of it is copied but into `out`.
fn write_record(c: &Captured, include_body: bool, out: impl Write) -> serde_json::Result<()> {
    let v = &c.verification;
    let judgement = crate::checker::Judgement {
        verdict: v.verdict,
        provider: v.provider.clone(),
        generation: None,
    };
    let redact = crate::export::Redact::none();
    let how = crate::record::Write {
        include_body,
        redact: &redact,
    };
    let record = Record::new(&c.delivery, &judgement, Judged::Capture, Some(v), how);
    serde_json::to_writer(out, &record)
}

/// One `delivery` line (without the newline): a [`Record`] judged at `capture`. `body_bytes`
/// is the size received (or announced, for a rejected delivery, which also gets `"rejected"`);
/// `body_sha256` hashes the kept bytes; with `include_body` the line imports as it is.
pub fn delivery_line(c: &Captured, include_body: bool) -> String {
    let mut line = Vec::new();
    write_record(c, include_body, &mut line).expect("a delivery line serializes");
    String::from_utf8(line).expect("JSON is UTF-8")
}

/// `{"type":"dropped","count":N}`: N events skipped because the reader fell behind.
pub fn dropped_line(count: u64) -> String {
    serde_json::json!({"type": "dropped", "count": count}).to_string()
}

/// `2026-11-22T10:00:00.123Z`.
pub fn rfc3339_millis(ms: i64) -> String {
    match jiff::Timestamp::from_millisecond(ms) {
        Ok(ts) => format!("{ts:.3}"),
        Err(_) => String::new(),
    }
}

/// How long the printer pauses after catching up with a stream (more than one line since it
/// last found the channel empty) before it waits again. Without it, every delivery of a steady
/// stream wakes the printer thread on its own, a system call on the request's path; with it,
/// the lines of a stream are printed in batches, each at most this much later. A single
/// delivery is printed at once.
const STREAM_NAP: std::time::Duration = std::time::Duration::from_millis(1);

/// Print `ready` then every delivery from `events` to `out` until the channel closes or `out`
/// fails (e.g. a closed pipe). Runs on its own thread: a blocked stdout never stalls capture.
///
/// Every line is written out as soon as it is complete: lines already waiting in the channel
/// go out together in one write, and the output is flushed whenever the channel is empty, so
/// no line ever sits in a buffer while the printer waits (or pauses, see [`STREAM_NAP`]).
pub fn spawn_printer(
    ready: String,
    mut events: broadcast::Receiver<Event>,
    out: Box<dyn Write + Send>,
    include_body: bool,
) -> std::thread::JoinHandle<std::io::Result<()>> {
    std::thread::Builder::new()
        .name("hookscope-headless".into())
        .spawn(move || {
            let mut out = std::io::BufWriter::with_capacity(64 << 10, out);
            writeln!(out, "{ready}")?;
            out.flush()?;
            let mut next = events.blocking_recv();
            // Events handled since the channel was last found empty.
            let mut pass = 0u32;
            loop {
                match next {
                    Ok(Event::Delivery(c)) => {
                        write_record(&c, include_body, &mut out)?;
                        out.write_all(b"\n")?;
                    }
                    Ok(Event::StoreWarning(w)) => {
                        let line = serde_json::json!({"type": "store_warning", "message": w});
                        writeln!(out, "{line}")?;
                    }
                    Ok(Event::Reverifying(p)) => {
                        if p.finished && p.total > 0 {
                            let line = serde_json::json!({"type": "reverified", "count": p.done, "error": p.error});
                            writeln!(out, "{line}")?;
                        }
                    }
                    Ok(Event::ConfigReloaded { providers, .. }) => {
                        let line = serde_json::json!({"type": "config_reloaded", "providers": providers});
                        writeln!(out, "{line}")?;
                    }
                    Ok(Event::Tunnel(report)) => {
                        match (&report.status.message, &report.warning) {
                            (Some(m), _) if report.status.state == TunnelState::Failed => {
                                eprintln!("hookscope: {m}")
                            }
                            (_, Some(w)) => eprintln!("hookscope: warning: {w}"),
                            _ => {}
                        }
                        serde_json::to_writer(&mut out, &TunnelLine { kind: "tunnel", report: &report })?;
                        out.write_all(b"\n")?;
                    }
                    Ok(Event::ConfigError(message)) => {
                        eprintln!("hookscope: {message}");
                        let line = serde_json::json!({"type": "config_error", "message": message});
                        writeln!(out, "{line}")?;
                    }
                    Err(broadcast::error::RecvError::Lagged(n)) => {
                        writeln!(out, "{}", dropped_line(n))?;
                    }
                    Err(broadcast::error::RecvError::Closed) => return out.flush(),
                }
                pass += 1;
                next = match events.try_recv() {
                    Ok(e) => Ok(e),
                    Err(broadcast::error::TryRecvError::Lagged(n)) => {
                        Err(broadcast::error::RecvError::Lagged(n))
                    }
                    Err(_) => {
                        out.flush()?;
                        if pass > 1 {
                            // A stream: let the next lines gather rather than be woken per line.
                            std::thread::sleep(STREAM_NAP);
                        }
                        pass = 0;
                        events.blocking_recv()
                    }
                };
            }
        })
        .expect("spawning the headless printer thread")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delivery::{Delivery, ResponseRecord};
    use crate::verify::Verification;
    use bytes::Bytes;

    fn captured(body: &'static [u8]) -> Captured {
        Captured {
            delivery: Delivery {
                id: 17,
                received_at_ms: 1_763_805_600_123,
                method: "POST".into(),
                path: "/hooks/x".into(),
                query: "".into(),
                headers: vec![
                    ("content-type".into(), b"application/json".to_vec()),
                    ("x-bin".into(), b"a\xffb".to_vec()),
                ],
                body: Bytes::from_static(body),
                body_size: body.len() as u64,
                response: Some(ResponseRecord {
                    status: 200,
                    source: "hookscope".into(),
                    ..Default::default()
                }),
                ..Default::default()
            },
            verification: Verification::no_provider(),
        }
    }

    #[test]
    fn delivery_line_has_the_documented_fields_in_order() {
        let line = delivery_line(&captured(b"{}"), false);
        assert_eq!(
            line,
            r#"{"type":"delivery","schema_version":1,"id":17,"received_at":"2025-11-22T10:00:00.123Z","method":"POST","path":"/hooks/x","query":"","headers":[["content-type","application/json"],["x-bin",{"base64":"Yf9i"}]],"body_bytes":2,"body_sha256":"44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","response":{"status":200,"source":"hookscope"},"provider":null,"verdict":"unverified","judged":"capture","detected_by":null,"signature":{"status":"not_applicable","scheme":null},"timestamp":{"status":"not_applicable"},"hints":[]}"#
        );
    }

    #[test]
    fn include_body_picks_text_or_base64() {
        let text: serde_json::Value =
            serde_json::from_str(&delivery_line(&captured(b"hi"), true)).unwrap();
        assert_eq!(text["body"], "hi");
        assert!(text.get("body_base64").is_none());
        let bin: serde_json::Value =
            serde_json::from_str(&delivery_line(&captured(b"\x00\xff"), true)).unwrap();
        assert_eq!(bin["body_base64"], "AP8=");
        assert!(bin.get("body").is_none());
    }

    /// Output shared with the test while the printer thread writes it.
    #[derive(Clone, Default)]
    struct Sink(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Sink {
        /// The ids of the delivery lines written so far (waiting up to 10 s for `n` of them).
        fn ids(&self, n: usize) -> Vec<u64> {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
            loop {
                let text = String::from_utf8(self.0.lock().unwrap().clone()).unwrap();
                // Only whole lines: a full buffer is written out wherever it ends.
                let whole = &text[..text.rfind('\n').map_or(0, |i| i + 1)];
                let ids: Vec<u64> = whole
                    .lines()
                    .filter(|l| l.contains(r#""type":"delivery""#))
                    .map(|l| {
                        serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                            .as_u64()
                            .unwrap()
                    })
                    .collect();
                if ids.len() >= n || std::time::Instant::now() > deadline {
                    return ids;
                }
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
        }
    }

    #[test]
    fn a_stream_and_then_a_single_delivery_are_all_printed_in_order() {
        let (tx, rx) = broadcast::channel(crate::capture::EVENT_CAPACITY);
        let sink = Sink::default();
        let printer = spawn_printer("{}".into(), rx, Box::new(sink.clone()), false);
        let send = |id: u64| {
            let mut c = captured(b"{}");
            c.delivery.id = id;
            tx.send(Event::Delivery(std::sync::Arc::new(c))).unwrap();
        };
        // A stream, in bursts: the printer pauses between batches and loses none.
        for id in 1..=300 {
            send(id);
            if id % 50 == 0 {
                std::thread::sleep(std::time::Duration::from_micros(300));
            }
        }
        assert_eq!(sink.ids(300), (1..=300).collect::<Vec<_>>());
        // A single delivery after the stream is printed too.
        send(301);
        assert_eq!(sink.ids(301).last(), Some(&301));
        drop(tx);
        printer.join().unwrap().unwrap();
        assert_eq!(sink.ids(301), (1..=301).collect::<Vec<_>>());
    }

    #[test]
    fn ready_line_is_exact() {
        assert_eq!(
            ready_line("127.0.0.1:4545".parse().unwrap(), None),
            format!(
                r#"{{"type":"ready","listen":"http://127.0.0.1:4545","version":"{}"}}"#,
                env!("CARGO_PKG_VERSION")
            )
        );
    }
}
