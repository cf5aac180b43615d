//! `--forward URL`: proxy a delivery to the app at `URL + path + query` and relay its answer.

use super::CaptureError;
use crate::delivery::{Delivery, ResponseRecord};
use crate::http_text::{HOP_BY_HOP, error_chain};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use std::time::{Duration, Instant};

/// How much of the app's body is recorded with the delivery (the sender gets up to
/// `--forward-max-body` of it).
pub const RECORDED_BODY_LIMIT: usize = 64 << 10;

/// Default `--forward-max-body`: the most of the app's answer read and relayed (10 MiB).
pub const DEFAULT_MAX_ANSWER: u64 = 10 << 20;

/// The header each forwarded request carries, one listener id per pass through hookscope; a
/// listener that finds its own id in it is being sent its own forwards (answered 508).
pub const HOP_HEADER: &str = "x-hookscope-hop";

/// The forwarding client and its target.
#[derive(Debug, Clone)]
pub struct Forwarder {
    client: reqwest::Client,
    base: String,
    max_answer: u64,
    hop_id: String,
}

impl Forwarder {
    /// A forwarder to `url` (http or https) with a total timeout per request, reading at most
    /// `max_answer` bytes of each answer, marking what it sends with `hop_id`.
    pub fn new(
        url: &str,
        timeout: Duration,
        max_answer: u64,
        hop_id: &str,
    ) -> Result<Forwarder, CaptureError> {
        let bad = |reason: &str| CaptureError::ForwardUrl {
            url: url.to_string(),
            reason: reason.to_string(),
        };
        let parsed = reqwest::Url::parse(url).map_err(|e| bad(&e.to_string()))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(bad("it must start with http:// or https://"));
        }
        if parsed.query().is_some() || parsed.fragment().is_some() {
            return Err(bad("it must not have a query or fragment"));
        }
        let client = crate::http_text::client_builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| CaptureError::Client(error_chain(&e)))?;
        Ok(Forwarder {
            client,
            base: url.trim_end_matches('/').to_string(),
            max_answer,
            hop_id: hop_id.to_string(),
        })
    }

    /// Whether the target is the listener at `local` itself (same port, and the target host
    /// resolves to that address, or to a loopback one when listening on every interface).
    pub(crate) async fn targets(&self, local: std::net::SocketAddr) -> bool {
        let Ok(url) = reqwest::Url::parse(&self.base) else {
            return false;
        };
        let (Some(host), Some(port)) = (url.host_str(), url.port_or_known_default()) else {
            return false;
        };
        if port != local.port() {
            return false;
        }
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let Ok(addrs) = tokio::net::lookup_host((host, port)).await else {
            return false;
        };
        let ip = local.ip();
        addrs.into_iter().any(|a| {
            a.ip() == ip
                || (ip.is_unspecified() && (a.ip().is_loopback() || a.ip().is_unspecified()))
        })
    }

    /// The target base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Send the delivery to the app; returns what to answer the sender and what to record.
    pub(crate) async fn forward(&self, d: &Delivery) -> (Response, ResponseRecord) {
        // The path always follows the base as a path ("OPTIONS *" or an imported "@host" too).
        let pq = d.path_and_query();
        let slash = if pq.starts_with('/') { "" } else { "/" };
        let url = format!("{}{slash}{pq}", self.base);
        let start = Instant::now();
        let result = self.send(&url, d).await;
        let latency_ms = Some(start.elapsed().as_millis() as u64);
        match result {
            Ok((status, headers, body, truncated)) => {
                let record = ResponseRecord {
                    status: status.as_u16(),
                    source: "app".into(),
                    latency_ms,
                    error: truncated.then(|| {
                        format!(
                            "the app's answer was longer than --forward-max-body ({} bytes): \
                             relayed and recorded up to that",
                            self.max_answer
                        )
                    }),
                    headers: headers
                        .iter()
                        .map(|(n, v)| {
                            (
                                n.as_str().to_string(),
                                String::from_utf8_lossy(v.as_bytes()).into_owned(),
                            )
                        })
                        .collect(),
                    body: String::from_utf8_lossy(&body[..body.len().min(RECORDED_BODY_LIMIT)])
                        .into_owned(),
                    rule: None,
                };
                let mut relay = HeaderMap::new();
                for (name, value) in &headers {
                    if !is_hop_by_hop(name.as_str(), &headers) {
                        relay.append(name.clone(), value.clone());
                    }
                }
                ((status, relay, body).into_response(), record)
            }
            Err(e) => {
                let status = if e.is_timeout() {
                    StatusCode::GATEWAY_TIMEOUT
                } else {
                    StatusCode::BAD_GATEWAY
                };
                let text = error_chain(&e);
                let record = ResponseRecord {
                    status: status.as_u16(),
                    source: "error".into(),
                    latency_ms,
                    error: Some(text.clone()),
                    ..Default::default()
                };
                let body = format!("hookscope: forwarding to {url} failed: {text}\n");
                (
                    (
                        status,
                        [("content-type", "text/plain; charset=utf-8")],
                        body,
                    )
                        .into_response(),
                    record,
                )
            }
        }
    }

    async fn send(
        &self,
        url: &str,
        d: &Delivery,
    ) -> Result<(StatusCode, HeaderMap, Bytes, bool), reqwest::Error> {
        let method =
            reqwest::Method::from_bytes(d.method.as_bytes()).unwrap_or(reqwest::Method::POST);
        let mut incoming = HeaderMap::new();
        for (name, value) in &d.headers {
            if let (Ok(n), Ok(v)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_bytes(value),
            ) {
                incoming.append(n, v);
            }
        }
        let mut outgoing = HeaderMap::new();
        for (name, value) in &incoming {
            if !is_hop_by_hop(name.as_str(), &incoming) {
                outgoing.append(name.clone(), value.clone());
            }
        }
        if let Ok(id) = HeaderValue::from_str(&self.hop_id) {
            outgoing.append(HOP_HEADER, id);
        }
        let mut request = self.client.request(method, url).headers(outgoing);
        if !d.body.is_empty() || d.has_header("content-length") {
            request = request.body(d.body.clone());
        }
        let mut response = request.send().await?;
        let status = response.status();
        let headers = response.headers().clone();
        // Read at most `max_answer` bytes: a huge or endless answer must not fill the memory.
        let mut body = Vec::new();
        let mut truncated = false;
        while let Some(chunk) = response.chunk().await? {
            let room = self.max_answer.saturating_sub(body.len() as u64) as usize;
            if chunk.len() > room {
                body.extend_from_slice(&chunk[..room]);
                truncated = true;
                break;
            }
            body.extend_from_slice(&chunk);
        }
        Ok((status, headers, Bytes::from(body), truncated))
    }
}

/// Hop-by-hop: the fixed list plus any header named in `Connection`.
fn is_hop_by_hop(name: &str, headers: &HeaderMap) -> bool {
    HOP_BY_HOP.contains(&name)
        || headers.get_all("connection").iter().any(|v| {
            v.to_str()
                .unwrap_or("")
                .split(',')
                .any(|t| t.trim().eq_ignore_ascii_case(name))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forwarder(url: &str) -> Result<Forwarder, CaptureError> {
        Forwarder::new(url, Duration::from_secs(1), DEFAULT_MAX_ANSWER, "test")
    }

    #[test]
    fn rejects_unusable_urls() {
        assert!(forwarder("ftp://x").is_err());
        assert!(forwarder("not a url").is_err());
        assert!(forwarder("http://x/?a=1").is_err());
        assert_eq!(
            forwarder("http://localhost:3000/").unwrap().base(),
            "http://localhost:3000"
        );
    }

    #[tokio::test]
    async fn a_target_on_the_listeners_own_address_is_recognised() {
        let local: std::net::SocketAddr = "127.0.0.1:4545".parse().unwrap();
        let any: std::net::SocketAddr = "0.0.0.0:4545".parse().unwrap();
        for url in ["http://127.0.0.1:4545", "http://localhost:4545/x"] {
            assert!(forwarder(url).unwrap().targets(local).await, "{url}");
            assert!(forwarder(url).unwrap().targets(any).await, "{url}");
        }
        assert!(
            !forwarder("http://127.0.0.1:4546")
                .unwrap()
                .targets(local)
                .await
        );
        assert!(
            !forwarder("http://127.0.0.2:4545")
                .unwrap()
                .targets(local)
                .await
        );
    }

    #[test]
    fn connection_named_headers_are_hop_by_hop() {
        let mut h = HeaderMap::new();
        h.insert("connection", HeaderValue::from_static("close, x-private"));
        assert!(is_hop_by_hop("x-private", &h));
        assert!(is_hop_by_hop("transfer-encoding", &h));
        assert!(!is_hop_by_hop("x-other", &h));
    }
}
