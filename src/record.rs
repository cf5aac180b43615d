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
use std::borrow::Cow;

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
pub enum HeaderValue<'a> {
    Text(Cow<'a, str>),
    Bytes { base64: String },
}

/// One header: `[name, value]`, the name as it arrived.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header<'a>(pub Cow<'a, str>, pub HeaderValue<'a>);

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

fn delivery_type() -> Cow<'static, str> {
    Cow::Borrowed("delivery")
}

/// One delivery as a JSON object (see the module doc for the format). It borrows what it can
/// from the delivery it was made from (`Record::new`), so writing one copies no header or body;
/// a parsed one owns its text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record<'a> {
    /// Always `delivery` (headless output mixes it with other line types).
    #[serde(rename = "type", default = "delivery_type")]
    pub kind: Cow<'a, str>,
    pub schema_version: u32,
    /// The id in the store it came from (imports assign new ids).
    #[serde(default)]
    pub id: u64,
    /// RFC 3339 with milliseconds, UTC.
    pub received_at: String,
    pub method: Cow<'a, str>,
    pub path: Cow<'a, str>,
    #[serde(default)]
    pub query: Cow<'a, str>,
    pub headers: Vec<Header<'a>>,
    /// Bytes received (or announced, for a rejected delivery).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_bytes: Option<u64>,
    /// SHA-256 of the kept body bytes, hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_sha256: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_base64: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer: Option<Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejected: Option<Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replay_of: Option<u64>,
    #[serde(default)]
    pub response: Option<Cow<'a, ResponseRecord>>,
    /// Absent (with `verdict` and `judged`) in a hand-written record: judged on import.
    #[serde(default)]
    pub provider: Option<Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub judged: Option<Judged>,
    /// What the verdict was judged with (a digest, never a secret; see docs/architecture.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generation: Option<Cow<'a, str>>,
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
pub fn header_value(bytes: &[u8]) -> HeaderValue<'_> {
    match std::str::from_utf8(bytes) {
        Ok(s) => HeaderValue::Text(Cow::Borrowed(s)),
        Err(_) => HeaderValue::Bytes {
            base64: B64.encode(bytes),
        },
    }
}

impl<'a> Record<'a> {
    /// The record of a delivery judged as `judgement` (`check`: the verification in detail,
    /// when one was made), borrowing the delivery's text.
    pub fn new(
        d: &'a Delivery,
        judgement: &'a Judgement,
        judged: Judged,
        check: Option<&Verification>,
        how: Write<'_>,
    ) -> Record<'a> {
        let (body, body_base64) = match (how.include_body, std::str::from_utf8(&d.body)) {
            (false, _) => (None, None),
            (true, Ok(text)) => (Some(Cow::Borrowed(text)), None),
            (true, Err(_)) => (None, Some(B64.encode(&d.body))),
        };
        Record {
            kind: delivery_type(),
            schema_version: SCHEMA_VERSION,
            id: d.id,
            received_at: crate::headless::rfc3339_millis(d.received_at_ms),
            method: Cow::Borrowed(&d.method),
            path: Cow::Borrowed(&d.path),
            query: Cow::Borrowed(&d.query),
            headers: d
                .headers
                .iter()
                .map(|(n, v)| Header(Cow::Borrowed(n), header_value(how.redact.value(n, v))))
                .collect(),
            body_bytes: Some(d.body_size),
            body_sha256: Some(crate::crypto::sha256_hex(&d.body)),
            body,
            body_base64,
            peer: d.peer.as_deref().map(Cow::Borrowed),
            rejected: d.rejected.as_deref().map(Cow::Borrowed),
            replay_of: d.replay_of,
            response: d.response.as_ref().map(Cow::Borrowed),
            provider: judgement.provider.as_deref().map(Cow::Borrowed),
            verdict: Some(judgement.verdict),
            judged: Some(judged),
            generation: judgement.generation.as_deref().map(Cow::Borrowed),
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
            headers.push((name.to_string(), bytes));
        }
        let received_at_ms = parse_time(&self.received_at)
            .ok_or_else(|| format!("received_at {:?} is not RFC 3339", self.received_at))?;
        let d = Delivery {
            id: 0,
            received_at_ms,
            method: self.method.to_string(),
            path: self.path.to_string(),
            query: self.query.to_string(),
            headers,
            body_size: self.body_bytes.unwrap_or(body.len() as u64),
            body: body.into(),
            peer: self.peer.as_deref().map(str::to_string),
            rejected: self.rejected.as_deref().map(str::to_string),
            response: self.response.as_deref().cloned(),
            replay_of: None,
        };
        let judgement = self.verdict.map(|verdict| Judgement {
            verdict,
            provider: self.provider.as_deref().map(str::to_string),
            generation: self.generation.as_deref().map(str::to_string),
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
        let (d, j) = (sample(), judged());
        let r = Record::new(&d, &j, Judged::Stored, None, how);
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
        let (d, j) = (sample(), judged());
        let mut r = Record::new(&d, &j, Judged::Stored, None, how);
        assert!(r.to_delivery().unwrap_err().contains("--include-body"));
        r.body = Some("other".into());
        assert!(r.to_delivery().unwrap_err().contains("body_sha256"));
        r.schema_version = 9;
        assert!(r.to_delivery().unwrap_err().contains("schema_version 9"));
    }
}
