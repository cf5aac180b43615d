//! Requests sent as they were captured (forwarding and replay): the request head on the wire is
//! the one hookscope writes — header names with their case, in their order, nothing added but
//! what HTTP/1.1 requires (`host` for the target, `content-length` for the body) — and hyper
//! reads the answer.
//!
//! hyper's client writes its own head (lower-case names); [`HeadSwap`] lets it frame the
//! message and replaces that head, byte for byte, with ours on its way to the socket. The body
//! framing agrees because both heads carry the same `content-length` and no
//! `transfer-encoding`. HTTPS uses rustls with the platform's verifier, offering HTTP/1.1 only.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{HeaderMap, StatusCode};
use hyper_util::rt::TokioIo;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// The headers that go on the wire for `headers` sent to `authority` with a body of
/// `body_len` bytes: connection headers (and those `Connection` names) dropped, `host` set to
/// the target and `content-length` to the body (in their places, their names as spelled),
/// `host` first when the original had none, `content-length` last when it had none and there
/// is a body. A name or value that cannot be sent (a line break, a bad name) is an error.
pub fn wire_headers(
    headers: &[(String, Vec<u8>)],
    authority: &str,
    body_len: usize,
) -> Result<Vec<(String, Vec<u8>)>, String> {
    let named_by_connection: Vec<String> = headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("connection"))
        .flat_map(|(_, v)| {
            String::from_utf8_lossy(v)
                .split(',')
                .map(|t| t.trim().to_ascii_lowercase())
                .collect::<Vec<_>>()
        })
        .collect();
    let mut out = Vec::with_capacity(headers.len() + 2);
    let (mut host, mut length) = (false, false);
    for (name, value) in headers {
        let lower = name.to_ascii_lowercase();
        if crate::http_text::CONNECTION_ONLY.contains(&lower.as_str())
            || named_by_connection.contains(&lower)
        {
            continue;
        }
        if !name.bytes().all(is_token) || name.is_empty() {
            return Err(format!("the header name {name:?} cannot be sent"));
        }
        if value.iter().any(|&b| b == b'\r' || b == b'\n' || b == 0) {
            return Err(format!(
                "the value of header {name} holds a line break or NUL"
            ));
        }
        match lower.as_str() {
            "host" if host => {}
            "host" => {
                host = true;
                out.push((name.clone(), authority.as_bytes().to_vec()));
            }
            "content-length" if length => {}
            "content-length" => {
                length = true;
                out.push((name.clone(), body_len.to_string().into_bytes()));
            }
            _ => out.push((name.clone(), value.clone())),
        }
    }
    if !host {
        out.insert(0, ("host".into(), authority.as_bytes().to_vec()));
    }
    if !length && body_len > 0 {
        out.push(("content-length".into(), body_len.to_string().into_bytes()));
    }
    Ok(out)
}

fn is_token(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// The request head as written: request line, headers, blank line.
pub fn head_bytes(method: &str, target: &str, headers: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut head = format!("{method} {target} HTTP/1.1\r\n").into_bytes();
    for (n, v) in headers {
        head.extend_from_slice(n.as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(v);
        head.extend_from_slice(b"\r\n");
    }
    head.extend_from_slice(b"\r\n");
    head
}

/// A request to send exactly.
#[derive(Clone, Debug)]
pub struct Outgoing {
    pub method: String,
    /// `http(s)://host[:port]`.
    pub origin: String,
    /// The request target: path and query, as sent.
    pub target: String,
    /// The headers as they go on the wire (see [`wire_headers`]).
    pub headers: Vec<(String, Vec<u8>)>,
    pub body: Bytes,
}

/// The app's answer.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    /// Up to the answer limit.
    pub body: Bytes,
    /// The answer was longer than the limit.
    pub truncated: bool,
}

/// Why no answer was obtained.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("no answer within {} s", .0.as_secs_f64())]
    Timeout(Duration),
    /// Nothing accepts connections at `host:port` (the app is not running, or another port).
    #[error("connection refused: nothing listens on {0}")]
    Refused(String),
    #[error("{0}")]
    Failed(String),
}

impl SendError {
    pub fn is_timeout(&self) -> bool {
        matches!(self, SendError::Timeout(_))
    }
}

fn failed(what: &str, e: &dyn std::error::Error) -> SendError {
    SendError::Failed(format!("{what}: {}", crate::http_text::error_chain(e)))
}

/// Send `req` once (no redirects), within `timeout`, reading at most `max_answer` body bytes.
pub async fn send(req: &Outgoing, timeout: Duration, max_answer: u64) -> Result<Answer, SendError> {
    match tokio::time::timeout(timeout, exchange(req, max_answer)).await {
        Ok(result) => result,
        Err(_) => Err(SendError::Timeout(timeout)),
    }
}

/// Redirects followed by [`send_same_origin`].
const MAX_REDIRECTS: usize = 5;

/// Send `req`, following a redirect only to the same origin (scheme, host and port), at most
/// five times: the signature and any token never reach a host the user did not name; a
/// redirect elsewhere is the answer. 303 (and 301/302 after a POST) continue as a GET without
/// the body, as browsers and HTTP clients do; 307/308 resend the same request.
pub async fn send_same_origin(
    mut req: Outgoing,
    timeout: Duration,
    max_answer: u64,
) -> Result<Answer, SendError> {
    for _ in 0..MAX_REDIRECTS {
        let answer = send(&req, timeout, max_answer).await?;
        let Some(next) = redirect(&req, &answer) else {
            return Ok(answer);
        };
        req = next;
    }
    send(&req, timeout, max_answer).await
}

/// The request a same-origin redirect asks for.
fn redirect(req: &Outgoing, answer: &Answer) -> Option<Outgoing> {
    let code = answer.status.as_u16();
    if !matches!(code, 301 | 302 | 303 | 307 | 308) {
        return None;
    }
    let location = answer.headers.get(hyper::header::LOCATION)?.to_str().ok()?;
    let here = reqwest::Url::parse(&format!("{}{}", req.origin, req.target)).ok()?;
    let next = here.join(location).ok()?;
    if next.origin() != here.origin() {
        return None;
    }
    let mut out = req.clone();
    out.target = match next.query() {
        Some(q) => format!("{}?{q}", next.path()),
        None => next.path().to_string(),
    };
    if code == 303 || (matches!(code, 301 | 302) && req.method == "POST") {
        out.method = "GET".into();
        out.body = Bytes::new();
        out.headers.retain(|(n, _)| {
            !["content-length", "content-type", "content-encoding"]
                .iter()
                .any(|h| h.eq_ignore_ascii_case(n))
        });
    }
    Some(out)
}

async fn exchange(req: &Outgoing, max_answer: u64) -> Result<Answer, SendError> {
    let url = reqwest::Url::parse(&req.origin)
        .map_err(|e| SendError::Failed(format!("bad target {}: {e}", req.origin)))?;
    let host = url
        .host_str()
        .ok_or_else(|| SendError::Failed(format!("no host in {}", req.origin)))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let port = url.port_or_known_default().unwrap_or(80);
    let tcp = tokio::net::TcpStream::connect((host.as_str(), port))
        .await
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::ConnectionRefused => SendError::Refused(format!("{host}:{port}")),
            _ => failed(&format!("cannot connect to {host}:{port}"), &e),
        })?;
    let _ = tcp.set_nodelay(true);
    let head = head_bytes(&req.method, &req.target, &req.headers);
    if url.scheme() == "https" {
        let tls = tls_connector()?;
        let name = rustls::pki_types::ServerName::try_from(host.clone())
            .map_err(|e| failed("bad TLS server name", &e))?;
        let stream = tls
            .connect(name, tcp)
            .await
            .map_err(|e| failed("TLS handshake failed", &e))?;
        over(HeadSwap::new(stream, head), req, max_answer).await
    } else {
        over(HeadSwap::new(tcp, head), req, max_answer).await
    }
}

fn tls_connector() -> Result<tokio_rustls::TlsConnector, SendError> {
    use rustls_platform_verifier::ConfigVerifierExt as _;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut config = rustls::ClientConfig::with_platform_verifier()
        .map_err(|e| failed("cannot set up TLS", &e))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(tokio_rustls::TlsConnector::from(Arc::new(config)))
}

async fn over<S>(io: HeadSwap<S>, req: &Outgoing, max_answer: u64) -> Result<Answer, SendError>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(io))
        .await
        .map_err(|e| failed("HTTP handshake failed", &e))?;
    let driver = tokio::spawn(async move {
        let _ = conn.await;
    });
    let method = hyper::Method::from_bytes(req.method.as_bytes())
        .map_err(|_| SendError::Failed(format!("invalid method {:?}", req.method)))?;
    // Only the framing of this request matters: its head is replaced by ours.
    let mut request = hyper::Request::builder()
        .method(method)
        .uri("/")
        .body(Full::new(req.body.clone()))
        .map_err(|e| failed("cannot build the request", &e))?;
    if !req.body.is_empty() {
        request
            .headers_mut()
            .insert(hyper::header::CONTENT_LENGTH, req.body.len().into());
    }
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| failed("the request failed", &e))?;
    let (parts, mut body) = response.into_parts();
    let mut read = Vec::new();
    let mut truncated = false;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| failed("reading the answer failed", &e))?;
        if let Ok(chunk) = frame.into_data() {
            let room = max_answer.saturating_sub(read.len() as u64) as usize;
            if chunk.len() > room {
                read.extend_from_slice(&chunk[..room]);
                truncated = true;
                break;
            }
            read.extend_from_slice(&chunk);
        }
    }
    drop(body);
    drop(sender);
    driver.abort();
    Ok(Answer {
        status: parts.status,
        headers: parts.headers,
        body: Bytes::from(read),
        truncated,
    })
}

/// A stream that lets hyper write a request but puts `head` on the wire in place of hyper's
/// own head (everything up to the first blank line); the rest passes through.
pub struct HeadSwap<S> {
    inner: S,
    /// hyper's head seen so far (until its end is found).
    theirs: Vec<u8>,
    /// Our head, and how much of it is written.
    ours: Vec<u8>,
    written: usize,
    swapped: bool,
}

impl<S> HeadSwap<S> {
    pub fn new(inner: S, head: Vec<u8>) -> Self {
        HeadSwap {
            inner,
            theirs: Vec::new(),
            ours: head,
            written: 0,
            swapped: false,
        }
    }
}

impl<S: AsyncWrite + Unpin> HeadSwap<S> {
    /// Write what is left of our head; ready once it is all out.
    fn poll_ours(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.swapped && self.written < self.ours.len() {
            let n = std::task::ready!(
                Pin::new(&mut self.inner).poll_write(cx, &self.ours[self.written..])
            )?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.written += n;
        }
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for HeadSwap<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for HeadSwap<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if !this.swapped {
            // Take hyper's head up to its blank line; claim it written.
            let start = this.theirs.len().saturating_sub(3);
            this.theirs.extend_from_slice(buf);
            return match memchr::memmem::find(&this.theirs[start..], b"\r\n\r\n") {
                Some(i) => {
                    let end = start + i + 4;
                    let used = buf.len() - (this.theirs.len() - end);
                    this.theirs.clear();
                    this.swapped = true;
                    Poll::Ready(Ok(used))
                }
                None => Poll::Ready(Ok(buf.len())),
            };
        }
        std::task::ready!(this.poll_ours(cx))?;
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        std::task::ready!(self.poll_ours(cx))?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        std::task::ready!(self.poll_ours(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(list: &[(&str, &str)]) -> Vec<(String, Vec<u8>)> {
        list.iter()
            .map(|(n, v)| (n.to_string(), v.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn wire_headers_keep_names_and_order_and_fix_host_and_length() {
        let got = wire_headers(
            &h(&[
                ("Host", "public.example"),
                ("X-Hub-Signature-256", "sha256=ab"),
                ("Connection", "keep-alive, X-Private"),
                ("X-Private", "p"),
                ("Transfer-Encoding", "chunked"),
                ("Content-Type", "application/json"),
            ]),
            "127.0.0.1:3000",
            2,
        )
        .unwrap();
        assert_eq!(
            got,
            h(&[
                ("Host", "127.0.0.1:3000"),
                ("X-Hub-Signature-256", "sha256=ab"),
                ("Content-Type", "application/json"),
                ("content-length", "2"),
            ])
        );
        let bare = wire_headers(&h(&[("X-A", "1")]), "a:1", 0).unwrap();
        assert_eq!(bare, h(&[("host", "a:1"), ("X-A", "1")]));
        assert!(wire_headers(&h(&[("X-A", "1\r\nX-B: 2")]), "a", 0).is_err());
        assert!(wire_headers(&h(&[("X A", "1")]), "a", 0).is_err());
    }

    #[tokio::test]
    async fn the_wire_carries_our_head_and_hypers_body() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            let mut got = Vec::new();
            let mut buf = [0u8; 4096];
            while !got.ends_with(b"hello") {
                let n = s.read(&mut buf).await.unwrap();
                assert!(n > 0, "closed early: {:?}", String::from_utf8_lossy(&got));
                got.extend_from_slice(&buf[..n]);
            }
            s.write_all(b"HTTP/1.1 201 Created\r\nX-Answer: yes\r\ncontent-length: 2\r\n\r\nok")
                .await
                .unwrap();
            got
        });
        let authority = addr.to_string();
        let headers = wire_headers(
            &h(&[
                ("X-Hub-Signature-256", "s"),
                ("User-Agent", "GitHub-Hookshot/1"),
            ]),
            &authority,
            5,
        )
        .unwrap();
        let req = Outgoing {
            method: "POST".into(),
            origin: format!("http://{authority}"),
            target: "/hooks/x?a=1".into(),
            headers,
            body: Bytes::from_static(b"hello"),
        };
        let answer = send(&req, Duration::from_secs(5), 1 << 20).await.unwrap();
        assert_eq!(answer.status, 201);
        assert_eq!(answer.body, Bytes::from_static(b"ok"));
        let wire = server.await.unwrap();
        assert_eq!(
            String::from_utf8(wire).unwrap(),
            format!(
                "POST /hooks/x?a=1 HTTP/1.1\r\nhost: {authority}\r\nX-Hub-Signature-256: s\r\n\
                 User-Agent: GitHub-Hookshot/1\r\ncontent-length: 5\r\n\r\nhello"
            )
        );
    }
}
