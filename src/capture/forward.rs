//! `--forward URL`: proxy a delivery to the app at `URL + path + query` and relay its answer.
//! The request goes out as captured (`crate::outbound`): header names with their case and
//! order, only `host`, `content-length` and the loop guard's [`HOP_HEADER`] added.

use super::CaptureError;
use crate::delivery::{Delivery, ResponseRecord};
use crate::outbound;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use std::time::{Duration, Instant};

/// How much of the app's body is recorded with the delivery (the sender gets up to
/// `--forward-max-body` of it).
pub const RECORDED_BODY_LIMIT: usize = 64 << 10;

/// Default `--forward-max-body`: the most of the app's answer read and relayed (10 MiB).
pub const DEFAULT_MAX_ANSWER: u64 = 10 << 20;

/// The header each forwarded request carries, one listener id per pass through hookscope; a
/// listener that finds its own id in it is being sent its own forwards (answered 508).
pub const HOP_HEADER: &str = "x-hookscope-hop";

/// The forwarding target and its bounds.
#[derive(Debug, Clone)]
pub struct Forwarder {
    base: String,
    timeout: Duration,
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
        Ok(Forwarder {
            timeout,
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
        let result = self.send(d).await;
        let latency_ms = Some(start.elapsed().as_millis() as u64);
        match result {
            Ok(outbound::Answer {
                status,
                headers,
                body,
                truncated,
            }) => {
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
                let text = e.to_string();
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

    /// Send the delivery exactly as captured (see [`crate::outbound`]) plus [`HOP_HEADER`].
    async fn send(&self, d: &Delivery) -> Result<outbound::Answer, outbound::SendError> {
        let base = reqwest::Url::parse(&self.base)
            .map_err(|e| outbound::SendError::Failed(format!("bad target: {e}")))?;
        let authority = match (base.host_str(), base.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_string(),
            (None, _) => return Err(outbound::SendError::Failed("no host".into())),
        };
        let origin = base.origin().ascii_serialization();
        let mut headers = outbound::wire_headers(&d.headers, &authority, d.body.len())
            .map_err(outbound::SendError::Failed)?;
        headers.push((HOP_HEADER.to_string(), self.hop_id.as_bytes().to_vec()));
        let pq = d.path_and_query();
        let slash = if pq.starts_with('/') { "" } else { "/" };
        let prefix = base.path().trim_end_matches('/');
        let req = outbound::Outgoing {
            method: d.method.clone(),
            origin,
            target: format!("{prefix}{slash}{pq}"),
            headers,
            body: d.body.clone(),
        };
        outbound::send(&req, self.timeout, self.max_answer).await
    }
}

/// Hop-by-hop: the fixed list plus any header named in `Connection`.
fn is_hop_by_hop(name: &str, headers: &HeaderMap) -> bool {
    crate::http_text::hop_by_hop(name)
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
    use axum::http::HeaderValue;

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
