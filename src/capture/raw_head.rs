//! The request heads exactly as they arrived: header names with their case, in arrival order.
//!
//! hyper lowercases header names and groups repeated ones, and keeps nothing else of the head.
//! [`Recording`] wraps a connection's stream and reads every HTTP/1 request head that passes
//! through it with `httparse`, following the body framing (`Content-Length`, chunked) to find
//! the next head; each head goes onto the connection's [`Heads`] queue, and the service takes
//! them in order, one per request. A head is used only when it holds exactly the headers hyper
//! parsed (same names ignoring case, same values), so a mismatch can only lose the case, never
//! change a header. HTTP/2 (whose names are lower case by the protocol) and anything the
//! reader cannot follow stop the recording for that connection.

use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Largest head kept while it arrives (hyper refuses larger ones with 431).
const MAX_HEAD: usize = 512 << 10;

/// One request head: the headers as sent, names with their case, in arrival order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawHead {
    pub headers: Vec<(String, Vec<u8>)>,
}

/// A request's headers as they arrived (a request extension set by the accept loop).
#[derive(Clone, Debug)]
pub struct Arrived(pub Vec<(String, Vec<u8>)>);

/// The heads read on one connection and not yet taken by a request.
pub type Heads = Arc<Mutex<VecDeque<RawHead>>>;

impl RawHead {
    /// The headers to record for a request hyper parsed as `parsed`: this head's when it holds
    /// the same headers (names compared without case), else `None`.
    pub fn matching(self, parsed: &axum::http::HeaderMap) -> Option<Vec<(String, Vec<u8>)>> {
        if self.headers.len() != parsed.len() {
            return None;
        }
        // The usual case: no repeated names, so hyper's map lists them in arrival order too.
        let in_order = self
            .headers
            .iter()
            .zip(parsed.iter())
            .all(|((n, v), (pn, pv))| n.eq_ignore_ascii_case(pn.as_str()) && v == pv.as_bytes());
        if in_order {
            return Some(self.headers);
        }
        let mut mine: Vec<(String, &[u8])> = self
            .headers
            .iter()
            .map(|(n, v)| (n.to_ascii_lowercase(), v.as_slice()))
            .collect();
        let mut theirs: Vec<(String, &[u8])> = parsed
            .iter()
            .map(|(n, v)| (n.as_str().to_string(), v.as_bytes()))
            .collect();
        mine.sort();
        theirs.sort();
        (mine == theirs).then_some(self.headers)
    }
}

/// Where the reader is in the byte stream.
#[derive(Debug)]
enum State {
    /// Collecting a request head.
    Head(Vec<u8>),
    /// Skipping a fixed-length body.
    Fixed(u64),
    /// A chunk-size line (value so far, in an extension).
    ChunkSize(u64, bool),
    /// Skipping chunk data.
    ChunkData(u64),
    /// The CRLF after chunk data.
    ChunkEnd,
    /// Trailer lines after the last chunk (length of the current line).
    Trailers(usize),
    /// Not following this connection (HTTP/2, an upgrade, something unreadable).
    Off,
}

/// A connection stream that records request heads as they are read (see the module doc).
pub struct Recording<S> {
    inner: S,
    state: State,
    heads: Heads,
}

impl<S> Recording<S> {
    pub fn new(inner: S, heads: Heads) -> Self {
        Recording {
            inner,
            state: State::Head(Vec::new()),
            heads,
        }
    }

    fn feed(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let used = self.step(bytes);
            bytes = &bytes[used..];
        }
    }

    /// Advance over a prefix of `bytes`; returns how many were used.
    fn step(&mut self, bytes: &[u8]) -> usize {
        match &mut self.state {
            State::Off => bytes.len(),
            State::Head(buf) => {
                let before = buf.len();
                buf.extend_from_slice(bytes);
                // Left uninitialised: httparse writes the ones it parses (no 8 KiB to clear
                // on every read of a head).
                let mut headers = [const { std::mem::MaybeUninit::uninit() }; super::MAX_HEADERS];
                let mut req = httparse::Request::new(&mut []);
                match req.parse_with_uninit_headers(buf, &mut headers) {
                    Ok(httparse::Status::Complete(n)) => {
                        let next = framing(&req);
                        let head = RawHead {
                            headers: req
                                .headers
                                .iter()
                                .map(|h| (h.name.to_string(), h.value.to_vec()))
                                .collect(),
                        };
                        self.heads
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .push_back(head);
                        self.state = match next {
                            Some(0) => State::Head(Vec::new()),
                            Some(len) => State::Fixed(len),
                            None if is_chunked(&req) => State::ChunkSize(0, false),
                            None => State::Off,
                        };
                        n - before
                    }
                    Ok(httparse::Status::Partial) if buf.len() <= MAX_HEAD => bytes.len(),
                    _ => {
                        self.state = State::Off;
                        bytes.len()
                    }
                }
            }
            State::Fixed(left) => {
                let n = (*left).min(bytes.len() as u64);
                *left -= n;
                if *left == 0 {
                    self.state = State::Head(Vec::new());
                }
                n as usize
            }
            State::ChunkData(left) => {
                let n = (*left).min(bytes.len() as u64);
                *left -= n;
                if *left == 0 {
                    self.state = State::ChunkEnd;
                }
                n as usize
            }
            State::ChunkSize(size, ext) => {
                let b = bytes[0];
                match (b, *ext) {
                    (b'\n', _) if *size == 0 => self.state = State::Trailers(0),
                    (b'\n', _) => self.state = State::ChunkData(*size),
                    (b'\r', _) | (_, true) => {}
                    (b';' | b' ' | b'\t', false) => *ext = true,
                    (_, false) => match (b as char).to_digit(16).and_then(|d| {
                        size.checked_mul(16)
                            .and_then(|s| s.checked_add(u64::from(d)))
                    }) {
                        Some(s) => *size = s,
                        None => self.state = State::Off,
                    },
                }
                1
            }
            State::ChunkEnd => {
                match bytes[0] {
                    b'\r' => {}
                    b'\n' => self.state = State::ChunkSize(0, false),
                    _ => self.state = State::Off,
                }
                1
            }
            State::Trailers(line) => {
                match bytes[0] {
                    b'\r' => {}
                    b'\n' if *line == 0 => self.state = State::Head(Vec::new()),
                    b'\n' => *line = 0,
                    _ => *line += 1,
                }
                1
            }
        }
    }
}

/// The body length a head announces: `Some(n)` for a fixed length (0 without a body), `None`
/// for chunked or anything the reader does not follow (an upgrade, a bad length, HTTP/2).
fn framing(req: &httparse::Request<'_, '_>) -> Option<u64> {
    if req.version != Some(1) && req.version != Some(0) {
        return None;
    }
    let has = |name: &str| {
        req.headers
            .iter()
            .any(|h| h.name.eq_ignore_ascii_case(name))
    };
    if has("upgrade") || req.method == Some("CONNECT") || has("transfer-encoding") {
        return None;
    }
    let mut lengths = req
        .headers
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case("content-length"));
    match lengths.next() {
        None => Some(0),
        Some(h) => std::str::from_utf8(h.value).ok()?.trim().parse().ok(),
    }
}

fn is_chunked(req: &httparse::Request<'_, '_>) -> bool {
    let has = |name: &str| {
        req.headers
            .iter()
            .any(|h| h.name.eq_ignore_ascii_case(name))
    };
    !has("upgrade")
        && req.method != Some("CONNECT")
        && req
            .headers
            .iter()
            .rfind(|h| h.name.eq_ignore_ascii_case("transfer-encoding"))
            .and_then(|h| std::str::from_utf8(h.value).ok())
            .and_then(|v| v.rsplit(',').next())
            .is_some_and(|last| last.trim().eq_ignore_ascii_case("chunked"))
}

impl<S: AsyncRead + Unpin> AsyncRead for Recording<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = polled
            && !matches!(self.state, State::Off)
        {
            let new = buf.filled()[before..].to_vec();
            self.feed(&new);
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Recording<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn heads_of(chunks: &[&[u8]]) -> Vec<RawHead> {
        let heads = Heads::default();
        let mut r = Recording::new((), heads.clone());
        for c in chunks {
            r.feed(c);
        }
        heads.lock().unwrap().drain(..).collect()
    }

    fn names(h: &RawHead) -> Vec<&str> {
        h.headers.iter().map(|(n, _)| n.as_str()).collect()
    }

    #[test]
    fn heads_keep_case_and_order_across_bodies_and_split_reads() {
        let stream: &[u8] = b"POST /a HTTP/1.1\r\nHost: x\r\nX-Hub-Signature-256: s\r\nContent-Length: 5\r\nx-a: 1\r\n\r\n\
HELLOPOST /b HTTP/1.1\r\nTransfer-Encoding: chunked\r\nX-B: 2\r\n\r\n3;ext\r\nabc\r\n0\r\nTrailer-X: t\r\n\r\n\
GET /c HTTP/1.1\r\nHOST: y\r\n\r\n";
        // Whole and in reads of any size: the same heads.
        let whole = heads_of(&[stream]);
        for size in 1..stream.len() {
            let parts: Vec<&[u8]> = stream.chunks(size).collect();
            assert_eq!(heads_of(&parts), whole, "reads of {size} bytes");
        }
        assert_eq!(whole.len(), 3);
        assert_eq!(
            names(&whole[0]),
            ["Host", "X-Hub-Signature-256", "Content-Length", "x-a"]
        );
        assert_eq!(names(&whole[1]), ["Transfer-Encoding", "X-B"]);
        assert_eq!(names(&whole[2]), ["HOST"]);
    }

    #[test]
    fn http2_and_upgrades_stop_the_recording() {
        assert!(heads_of(&[b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"]).is_empty());
        let up = heads_of(&[
            b"GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\nGET /x HTTP/1.1\r\nA: b\r\n\r\n",
        ]);
        assert_eq!(up.len(), 1);
    }

    #[test]
    fn a_head_is_used_only_when_it_holds_what_hyper_parsed() {
        let head = RawHead {
            headers: vec![
                ("X-A".into(), b"1".to_vec()),
                ("Content-Type".into(), b"t".to_vec()),
                ("x-a".into(), b"2".to_vec()),
            ],
        };
        let mut parsed = axum::http::HeaderMap::new();
        parsed.append("x-a", "1".parse().unwrap());
        parsed.append("x-a", "2".parse().unwrap());
        parsed.append("content-type", "t".parse().unwrap());
        assert_eq!(head.clone().matching(&parsed), Some(head.headers.clone()));
        parsed.append("x-more", "3".parse().unwrap());
        assert_eq!(head.matching(&parsed), None);
    }
}
