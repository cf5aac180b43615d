//! The delivery record: one JSON object per delivery, the same type for headless lines,
//! `export --format jsonl` and `import` (docs/json-lines.md; JSON Schema in
//! docs/delivery-record.schema.json). A headless line with `--include-body` imports as it is.
//!
//! Bodies are `body` (UTF-8 text) or `body_base64` (any bytes); header values are text or
//! `{"base64": …}`; header names keep the case they arrived with. The verdict is the one the
//! record was judged with (`judged`: at `capture`, as `stored`, or `reverified` by the export).

use crate::checker::Judgement;
use crate::delivery::{Delivery, ResponseRecord};
use crate::providers::scheme::Confidence;
use crate::verify::{SignatureCheck, TimestampCheck, Verdict, Verification};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Serialize};

/// The version of the record layout this build writes and reads.
pub const SCHEMA_VERSION: u32 = 1;

/// When the record's verdict was reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Judged {
    /// By the listener, when the delivery arrived (headless lines).
    Capture,
    /// The verdict the store holds (exports; kept by imports).
    Stored,
    /// Judged again by `export --reverify` with the secrets in force then.
    Reverified,
}

/// A header value: text when it is UTF-8, else its bytes in base64.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum HeaderValue {
    Text(String),
    Bytes { base64: String },
}

/// One header: `[name, value]`, the name as it arrived.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header(pub String, pub HeaderValue);

/// The signature check in detail (present when the record was judged with a live checker).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    pub detected_by: Option<String>,
    pub signature: SignatureCheck,
    pub timestamp: TimestampCheck,
    #[serde(default)]
    pub hints: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<Confidence>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ambiguous: Vec<String>,
}

fn delivery_type() -> String {
    "delivery".into()
}

/// One delivery as a JSON object (see the module doc for the format).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// Always `delivery` (headless output mixes it with other line types).
    #[serde(rename = "type", default = "delivery_type")]
    pub kind: String,
    pub schema_version: u32,
    /// The id in the store it came from (imports assign new ids).
    #[serde(default)]
    pub id: u64,
    /// RFC 3339 with milliseconds, UTC.
    pub received_at: String,
    pub method: String,
    pub path: String,
    #[serde(default)]
    pub query: String,
    pub headers: Vec<Header>,
    /// Bytes received (or announced, for a rejected delivery).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_bytes: Option<u64>,
    /// SHA-256 of the kept body bytes, hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_sha256: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_base64: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejected: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replay_of: Option<u64>,
    #[serde(default)]
    pub response: Option<ResponseRecord>,
    /// Absent (with `verdict` and `judged`) in a hand-written record: judged on import.
    #[serde(default)]
    pub provider: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub judged: Option<Judged>,
    /// What the verdict was judged with (a digest, never a secret; see docs/architecture.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generation: Option<String>,
    #[serde(flatten)]
    pub check: Option<Check>,
}

/// How a record is written.
#[derive(Clone, Copy, Debug)]
pub struct Write<'a> {
    /// Carry the body (`body` or `body_base64`).
    pub include_body: bool,
    /// Header values to mask.
    pub redact: &'a crate::export::Redact,
}

impl Check {
    /// The detail part of a verification.
    pub fn of(v: &Verification) -> Check {
        Check {
            variant: v.variant.clone(),
            detected_by: v.detected_by.clone(),
            signature: v.signature.clone(),
            timestamp: v.timestamp.clone(),
            hints: v.hints.clone(),
            confidence: v.confidence,
            ambiguous: v.ambiguous.clone(),
        }
    }
}

/// Text when UTF-8, else `{"base64": …}`.
pub fn header_value(bytes: &[u8]) -> HeaderValue {
    match std::str::from_utf8(bytes) {
        Ok(s) => HeaderValue::Text(s.to_string()),
        Err(_) => HeaderValue::Bytes {
            base64: B64.encode(bytes),
        },
    }
}

impl Record {
    /// The record of a delivery judged as `judgement` (`check`: the verification in detail,
    /// when one was made).
    pub fn new(
        d: &Delivery,
        judgement: &Judgement,
        judged: Judged,
        check: Option<&Verification>,
        how: Write<'_>,
    ) -> Record {
        let (body, body_base64) = match (how.include_body, std::str::from_utf8(&d.body)) {
            (false, _) => (None, None),
            (true, Ok(text)) => (Some(text.to_string()), None),
            (true, Err(_)) => (None, Some(B64.encode(&d.body))),
        };
        Record {
            kind: delivery_type(),
            schema_version: SCHEMA_VERSION,
            id: d.id,
            received_at: crate::headless::rfc3339_millis(d.received_at_ms),
            method: d.method.clone(),
            path: d.path.clone(),
            query: d.query.clone(),
            headers: d
                .headers
                .iter()
                .map(|(n, v)| Header(n.clone(), header_value(how.redact.value(n, v))))
                .collect(),
            body_bytes: Some(d.body_size),
            body_sha256: Some(crate::crypto::sha256_hex(&d.body)),
            body,
            body_base64,
            peer: d.peer.clone(),
            rejected: d.rejected.clone(),
            replay_of: d.replay_of,
            response: d.response.clone(),
            provider: judgement.provider.clone(),
            verdict: Some(judgement.verdict),
            judged: Some(judged),
            generation: judgement.generation.clone(),
            check: check.map(Check::of),
        }
    }

    /// The delivery and the verdict it carries (`None`: the record has none). Fails with one sentence on a record that is
    /// not usable: another schema version, no body, bad base64 or time, a body that does not
    /// match its digest.
    pub fn to_delivery(&self) -> Result<(Delivery, Option<Judgement>), String> {
        if self.kind != "delivery" {
            return Err(format!("a {:?} line is not a delivery", self.kind));
        }
        if self.schema_version != SCHEMA_VERSION {
            return Err(format!(
                "schema_version {} is not one this hookscope reads ({SCHEMA_VERSION})",
                self.schema_version
            ));
        }
        let body = match (&self.body, &self.body_base64) {
            (Some(text), None) => text.as_bytes().to_vec(),
            (None, Some(b)) => B64
                .decode(b)
                .map_err(|_| "body_base64 is not base64".to_string())?,
            (Some(_), Some(_)) => return Err("it has both body and body_base64".into()),
            (None, None) => {
                return Err(
                    "it has no body or body_base64 (headless lines carry the body \
                            only with --include-body)"
                        .into(),
                );
            }
        };
        if let Some(want) = &self.body_sha256
            && !want.eq_ignore_ascii_case(&crate::crypto::sha256_hex(&body))
        {
            return Err("the body does not match its body_sha256".into());
        }
        let mut headers = Vec::with_capacity(self.headers.len());
        for Header(name, value) in &self.headers {
            if name.is_empty() {
                return Err("a header has no name".into());
            }
            let bytes = match value {
                HeaderValue::Text(s) => s.as_bytes().to_vec(),
                HeaderValue::Bytes { base64 } => B64
                    .decode(base64)
                    .map_err(|_| format!("header {name} has a bad base64 value"))?,
            };
            headers.push((name.clone(), bytes));
        }
        let received_at_ms = parse_time(&self.received_at)
            .ok_or_else(|| format!("received_at {:?} is not RFC 3339", self.received_at))?;
        let d = Delivery {
            id: 0,
            received_at_ms,
            method: self.method.clone(),
            path: self.path.clone(),
            query: self.query.clone(),
            headers,
            body_size: self.body_bytes.unwrap_or(body.len() as u64),
            body: body.into(),
            peer: self.peer.clone(),
            rejected: self.rejected.clone(),
            response: self.response.clone(),
            replay_of: None,
        };
        let judgement = self.verdict.map(|verdict| Judgement {
            verdict,
            provider: self.provider.clone(),
            generation: self.generation.clone(),
        });
        Ok((d, judgement))
    }
}

/// Unix milliseconds of an RFC 3339 time.
pub fn parse_time(s: &str) -> Option<i64> {
    s.parse::<jiff::Timestamp>()
        .ok()
        .map(|t| t.as_millisecond())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::Redact;

    fn sample() -> Delivery {
        Delivery {
            id: 7,
            received_at_ms: 1_763_805_600_123,
            method: "POST".into(),
            path: "/hooks/a b".into(),
            query: "x=1".into(),
            headers: vec![
                ("Host".into(), b"127.0.0.1:4545".to_vec()),
                ("X-Dup".into(), b"one".to_vec()),
                ("x-dup".into(), b"two".to_vec()),
                ("X-Bin".into(), vec![0xff, b'a']),
            ],
            body: bytes::Bytes::from_static(b"\x00\xff{}"),
            body_size: 4,
            ..Default::default()
        }
    }

    fn judged() -> Judgement {
        Judgement {
            verdict: Verdict::Failed,
            provider: Some("github".into()),
            generation: Some("abc".into()),
        }
    }

    #[test]
    fn a_record_round_trips_through_json() {
        let how = Write {
            include_body: true,
            redact: &Redact::none(),
        };
        let r = Record::new(&sample(), &judged(), Judged::Stored, None, how);
        let json = serde_json::to_string(&r).unwrap();
        assert!(json.contains(r#"["X-Bin",{"base64":"/2E="}]"#), "{json}");
        let back: Record = serde_json::from_str(&json).unwrap();
        assert_eq!(back, r);
        let (d, j) = back.to_delivery().unwrap();
        assert_eq!(d.headers, sample().headers);
        assert_eq!(d.body, sample().body);
        assert_eq!(j, Some(judged()));
    }

    #[test]
    fn unusable_records_say_why() {
        let how = Write {
            include_body: false,
            redact: &Redact::none(),
        };
        let mut r = Record::new(&sample(), &judged(), Judged::Stored, None, how);
        assert!(r.to_delivery().unwrap_err().contains("--include-body"));
        r.body = Some("other".into());
        assert!(r.to_delivery().unwrap_err().contains("body_sha256"));
        r.schema_version = 9;
        assert!(r.to_delivery().unwrap_err().contains("schema_version 9"));
    }
}
