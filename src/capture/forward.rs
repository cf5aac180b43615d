//! `--forward URL`: proxy a delivery to the app at `URL + path + query` and relay its answer.

use super::CaptureError;
use crate::delivery::{Delivery, ResponseRecord};
use crate::http_text::{HOP_BY_HOP, error_chain};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use std::time::{Duration, Instant};

/// How much of the app's body is recorded with the delivery (the sender gets all of it).
pub const RECORDED_BODY_LIMIT: usize = 64 << 10;

/// The forwarding client and its target.
#[derive(Debug, Clone)]
pub struct Forwarder {
    client: reqwest::Client,
    base: String,
}

impl Forwarder {
    /// A forwarder to `url` (http or https) with a total timeout per request.
    pub fn new(url: &str, timeout: Duration) -> Result<Forwarder, CaptureError> {
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
        })
    }

    /// The target base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Send the delivery to the app; returns what to answer the sender and what to record.
    pub(crate) async fn forward(&self, d: &Delivery) -> (Response, ResponseRecord) {
        let url = format!("{}{}", self.base, d.path_and_query());
        let start = Instant::now();
        let result = self.send(&url, d).await;
        let latency_ms = Some(start.elapsed().as_millis() as u64);
        match result {
            Ok((status, headers, body)) => {
                let record = ResponseRecord {
                    status: status.as_u16(),
                    source: "app".into(),
                    latency_ms,
                    error: None,
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
    ) -> Result<(StatusCode, HeaderMap, Bytes), reqwest::Error> {
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
        let mut request = self.client.request(method, url).headers(outgoing);
        if !d.body.is_empty() || d.has_header("content-length") {
            request = request.body(d.body.clone());
        }
        let response = request.send().await?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await?;
        Ok((status, headers, body))
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

    #[test]
    fn rejects_unusable_urls() {
        let t = Duration::from_secs(1);
        assert!(Forwarder::new("ftp://x", t).is_err());
        assert!(Forwarder::new("not a url", t).is_err());
        assert!(Forwarder::new("http://x/?a=1", t).is_err());
        assert_eq!(
            Forwarder::new("http://localhost:3000/", t).unwrap().base(),
            "http://localhost:3000"
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
