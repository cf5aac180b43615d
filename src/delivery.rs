//! A captured HTTP request, kept byte for byte.

use bytes::Bytes;
use serde::{Deserialize, Serialize};

/// One header as received: lower-case name, value bytes exactly as sent.
pub type Header = (String, Vec<u8>);

/// One captured request ("delivery"). The body is the exact bytes received.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Delivery {
    /// Store id; 0 until the store assigns one.
    pub id: u64,
    /// Arrival time, unix milliseconds.
    pub received_at_ms: i64,
    pub method: String,
    /// Path as received, without the query.
    pub path: String,
    /// Query string without the leading `?` (empty when absent).
    pub query: String,
    /// Headers in arrival order, duplicates kept, names lower-case.
    pub headers: Vec<Header>,
    /// Exact body bytes (empty for a rejected delivery).
    pub body: Bytes,
    /// Size of the body the sender announced or sent (differs from `body.len()` when rejected).
    pub body_size: u64,
    /// Remote address, when known.
    pub peer: Option<String>,
    /// Why the listener refused the request, if it did (e.g. `body_too_large`).
    pub rejected: Option<String>,
    /// What was answered to the sender (hookscope itself, or the forwarded app).
    pub response: Option<ResponseRecord>,
    /// When this delivery is a replay: the id of the original delivery.
    pub replay_of: Option<u64>,
}

/// The answer the sender got for a delivery.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponseRecord {
    /// HTTP status (0 when no answer was obtained, or a rule dropped the connection).
    pub status: u16,
    /// `hookscope` (answered locally), `challenge` (handshake answered by hookscope), `app` (forwarded), `error`.
    pub source: String,
    /// Time the app took to answer, for forwarded deliveries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
    /// Error text when forwarding failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Response headers (forwarded deliveries).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<(String, String)>,
    /// Response body (forwarded deliveries), lossy UTF-8, capped.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub body: String,
    /// The response rule that answered (`[[responses]]` name, or `--respond`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

impl Delivery {
    /// First value of a header (name matched case-insensitively).
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
    }

    /// First value of a header as text, if it is UTF-8.
    pub fn header_str(&self, name: &str) -> Option<&str> {
        self.header(name).and_then(|v| std::str::from_utf8(v).ok())
    }

    /// Whether a header is present.
    pub fn has_header(&self, name: &str) -> bool {
        self.header(name).is_some()
    }

    /// Path plus `?query` when there is one.
    pub fn path_and_query(&self) -> String {
        if self.query.is_empty() {
            self.path.clone()
        } else {
            format!("{}?{}", self.path, self.query)
        }
    }

    /// The URL of this request at `origin` (`scheme://host[:port]`): the stored path is always
    /// sent as a path (a leading `/` is added when missing, so `@host/x` cannot turn into a
    /// user-info and host), and `None` when the result would not stay on `origin`.
    pub fn url_at(&self, origin: &str) -> Option<String> {
        let pq = self.path_and_query();
        let url = if pq.starts_with('/') {
            format!("{origin}{pq}")
        } else {
            format!("{origin}/{pq}")
        };
        let parsed = reqwest::Url::parse(&url).ok()?;
        let want = reqwest::Url::parse(origin).ok()?;
        (parsed.origin() == want.origin()).then_some(url)
    }

    /// Whether a query parameter of that name is present.
    pub fn has_query_param(&self, name: &str) -> bool {
        form_urlencoded::parse(self.query.as_bytes()).any(|(k, _)| k == name)
    }

    /// The base URL the sender most likely used (`scheme://host`), from forwarding headers or `Host`.
    pub fn inferred_base_url(&self) -> Option<String> {
        let host = self
            .header_str("x-forwarded-host")
            .or_else(|| self.header_str("host"))?;
        let proto = self.header_str("x-forwarded-proto").unwrap_or("http");
        Some(format!("{}://{}", proto.trim(), host.trim()))
    }
}

/// One list row: what the dashboard shows without loading the body.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub id: u64,
    pub received_at_ms: i64,
    pub method: String,
    pub path: String,
    pub provider: Option<String>,
    pub verdict: crate::verify::Verdict,
    pub body_size: u64,
    /// Status answered to the sender (None while unknown).
    pub status: Option<u16>,
    pub replay_of: Option<u64>,
    pub rejected: bool,
}

impl Summary {
    /// The row for a delivery and its verification.
    pub fn of(d: &Delivery, v: &crate::verify::Verification) -> Summary {
        Summary {
            id: d.id,
            received_at_ms: d.received_at_ms,
            method: d.method.clone(),
            path: d.path.clone(),
            provider: v.provider.clone(),
            verdict: v.verdict,
            body_size: d.body_size,
            status: d.response.as_ref().map(|r| r.status),
            replay_of: d.replay_of,
            rejected: d.rejected.is_some(),
        }
    }
}
