//! Export deliveries as a curl command, HAR 1.2 or JSON lines — and read HAR / JSON lines back.
//!
//! Exports are byte-exact: a curl command replays the same bytes (bodies go through `printf`
//! octal escapes, so NUL and invalid UTF-8 survive), HAR and JSONL carry non-UTF-8 bodies and
//! header values as base64. `Redact` masks credentials and signatures for sharing.

use crate::delivery::{Delivery, ResponseRecord};
use crate::headless::rfc3339_millis;
use crate::verify::Verification;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Value, json};

/// Export formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Curl,
    Har,
    Jsonl,
}

/// Which header values to mask.
#[derive(Clone, Debug, Default)]
pub struct Redact {
    /// Lower-case names to mask; empty = nothing masked.
    names: Vec<String>,
}

/// The text that replaces a masked value.
pub const REDACTED: &str = "[redacted]";

impl Redact {
    /// Mask nothing.
    pub fn none() -> Redact {
        Redact::default()
    }

    /// Mask `authorization`, cookies, and every signature/token header the providers use.
    pub fn credentials(registry: &crate::providers::Registry) -> Redact {
        let mut names: Vec<String> = [
            "authorization",
            "proxy-authorization",
            "cookie",
            "set-cookie",
            "x-api-key",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for p in registry.all() {
            for v in &p.variants {
                names.extend(v.spec.signature.header.clone());
            }
        }
        names.sort();
        names.dedup();
        Redact { names }
    }

    /// Whether any header is masked (then signatures in verification results are masked too).
    pub fn masks_anything(&self) -> bool {
        !self.names.is_empty()
    }

    fn masks(&self, name: &str) -> bool {
        self.names.iter().any(|n| n.eq_ignore_ascii_case(name))
    }

    /// The header value to export.
    pub fn value<'a>(&self, name: &str, value: &'a [u8]) -> &'a [u8] {
        if self.masks(name) {
            REDACTED.as_bytes()
        } else {
            value
        }
    }
}

/// The URL a delivery was sent to: `base` (or `http://` + its Host) + path + query.
pub fn url_of(d: &Delivery, base: Option<&str>) -> String {
    let base = base
        .map(str::to_string)
        .or_else(|| d.inferred_base_url())
        .unwrap_or_else(|| "http://127.0.0.1:4545".to_string());
    format!("{}{}", base.trim_end_matches('/'), d.path_and_query())
}

/// Quote bytes for a POSIX shell: `'…'` when printable, `$'…'` with escapes otherwise.
pub fn shell_quote(bytes: &[u8]) -> String {
    if bytes.iter().all(|b| (0x20..0x7f).contains(b) || *b >= 0x80)
        && std::str::from_utf8(bytes).is_ok()
    {
        let s = std::str::from_utf8(bytes).unwrap_or_default();
        return format!("'{}'", s.replace('\'', "'\\''"));
    }
    let mut out = String::from("$'");
    for &b in bytes {
        match b {
            b'\'' => out.push_str("\\'"),
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push('\'');
    out
}

/// A `printf` format that prints exactly `bytes` (octal escapes for anything unsafe).
fn printf_format(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        match b {
            b'%' => out.push_str("%%"),
            b'\\' => out.push_str("\\\\"),
            b'\'' => out.push_str("\\047"),
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\{b:03o}")),
        }
    }
    out
}

/// A curl command that reproduces the request byte for byte (method, path, query, headers in
/// order with duplicates, body). curl's own default headers are suppressed when the original
/// lacked them.
pub fn curl(d: &Delivery, base: Option<&str>, redact: &Redact) -> String {
    let mut parts: Vec<String> = Vec::new();
    let has_body = !d.body.is_empty();
    if has_body {
        parts.push(format!("printf '{}' |", printf_format(&d.body)));
    }
    parts.push("curl -sS --path-as-is -g".into());
    parts.push(format!("-X {}", shell_quote(d.method.as_bytes())));
    parts.push(shell_quote(url_of(d, base).as_bytes()));
    for (name, value) in &d.headers {
        if name == "content-length" {
            continue; // curl computes it from the body it sends
        }
        let mut h = name.as_bytes().to_vec();
        h.extend_from_slice(b": ");
        h.extend_from_slice(redact.value(name, value));
        parts.push(format!("-H {}", shell_quote(&h)));
    }
    for default in ["user-agent", "accept", "expect", "content-type"] {
        if !d.has_header(default) && (default != "content-type" || has_body) {
            parts.push(format!("-H '{default}:'"));
        }
    }
    if has_body {
        parts.push("--data-binary @-".into());
    }
    parts.join(" ")
}

fn text_or_base64(bytes: &[u8]) -> (String, Option<&'static str>) {
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_string(), None),
        Err(_) => (B64.encode(bytes), Some("base64")),
    }
}

fn header_json(d: &Delivery, redact: &Redact) -> Vec<Value> {
    d.headers
        .iter()
        .map(|(n, v)| {
            let v = redact.value(n, v);
            match std::str::from_utf8(v) {
                Ok(s) => json!({"name": n, "value": s}),
                Err(_) => json!({"name": n, "value": String::from_utf8_lossy(v), "_valueBase64": B64.encode(v)}),
            }
        })
        .collect()
}

/// A HAR 1.2 document of deliveries (with hookscope's verification under `_hookscope`).
pub fn har(
    items: &[(Delivery, Option<Verification>)],
    base: Option<&str>,
    redact: &Redact,
) -> Value {
    let entries: Vec<Value> = items
        .iter()
        .map(|(d, v)| {
            let mime = d.header_str("content-type").unwrap_or("application/octet-stream");
            let mut request = json!({
                "method": d.method,
                "url": url_of(d, base),
                "httpVersion": "HTTP/1.1",
                "cookies": [],
                "headers": header_json(d, redact),
                "queryString": form_urlencoded::parse(d.query.as_bytes())
                    .map(|(k, v)| json!({"name": k, "value": v}))
                    .collect::<Vec<_>>(),
                "headersSize": -1,
                "bodySize": d.body.len(),
            });
            if !d.body.is_empty() {
                let (text, encoding) = text_or_base64(&d.body);
                let mut post = json!({"mimeType": mime, "text": text});
                if let Some(e) = encoding {
                    post["encoding"] = json!(e);
                }
                request["postData"] = post;
            }
            let r = d.response.clone().unwrap_or_default();
            let wait = r.latency_ms.unwrap_or(0) as f64;
            let mut content = json!({"size": r.body.len(), "mimeType": "text/plain", "text": r.body});
            if let Some((_, ct)) = r.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case("content-type")) {
                content["mimeType"] = json!(ct);
            }
            let mut entry = json!({
                "startedDateTime": rfc3339_millis(d.received_at_ms),
                "time": wait,
                "request": request,
                "response": {
                    "status": r.status,
                    "statusText": "",
                    "httpVersion": "HTTP/1.1",
                    "cookies": [],
                    "headers": r.headers.iter().map(|(n, v)| json!({"name": n, "value": v})).collect::<Vec<_>>(),
                    "content": content,
                    "redirectURL": "",
                    "headersSize": -1,
                    "bodySize": -1,
                },
                "cache": {},
                "timings": {"send": 0, "wait": wait, "receive": 0},
                "_hookscope": {"id": d.id, "path": d.path, "query": d.query, "response_source": r.source},
            });
            if let Some(p) = &d.peer {
                entry["serverIPAddress"] = json!(p);
            }
            if let Some(v) = v {
                entry["_hookscope"]["verification"] = serde_json::to_value(v).unwrap_or(Value::Null);
            }
            entry
        })
        .collect();
    json!({
        "log": {
            "version": "1.2",
            "creator": {"name": "hookscope", "version": env!("CARGO_PKG_VERSION")},
            "entries": entries,
        }
    })
}

/// One JSON line for a delivery: base64 body, headers in order, the verification.
pub fn jsonl_line(d: &Delivery, v: Option<&Verification>, redact: &Redact) -> String {
    let headers: Vec<Value> = d
        .headers
        .iter()
        .map(|(n, val)| {
            let val = redact.value(n, val);
            match std::str::from_utf8(val) {
                Ok(s) => json!([n, s]),
                Err(_) => json!([n, {"base64": B64.encode(val)}]),
            }
        })
        .collect();
    let mut line = json!({
        "id": d.id,
        "received_at": rfc3339_millis(d.received_at_ms),
        "method": d.method,
        "path": d.path,
        "query": d.query,
        "headers": headers,
        "body_base64": B64.encode(&d.body),
        "body_bytes": d.body_size,
    });
    if let Some(p) = &d.peer {
        line["peer"] = json!(p);
    }
    if let Some(r) = &d.rejected {
        line["rejected"] = json!(r);
    }
    if let Some(r) = &d.response {
        line["response"] = serde_json::to_value(r).unwrap_or(Value::Null);
    }
    if let Some(id) = d.replay_of {
        line["replay_of"] = json!(id);
    }
    if let Some(v) = v {
        line["verification"] = serde_json::to_value(v).unwrap_or(Value::Null);
    }
    line.to_string()
}

/// The whole export of deliveries with their verification: curl commands one per line, a
/// pretty HAR document or JSON lines. When redacting, the verification's signatures are masked too.
pub fn text(
    format: Format,
    items: &[(Delivery, Verification)],
    base: Option<&str>,
    redact: &Redact,
) -> String {
    let masked = |v: &Verification| {
        let mut v = v.clone();
        if redact.masks_anything() {
            for s in [&mut v.signature.received, &mut v.signature.computed] {
                if s.is_some() {
                    *s = Some(REDACTED.to_string());
                }
            }
        }
        v
    };
    match format {
        Format::Curl => items
            .iter()
            .map(|(d, _)| curl(d, base, redact) + "\n")
            .collect(),
        Format::Jsonl => items
            .iter()
            .map(|(d, v)| jsonl_line(d, Some(&masked(v)), redact) + "\n")
            .collect(),
        Format::Har => {
            let list: Vec<_> = items
                .iter()
                .map(|(d, v)| (d.clone(), Some(masked(v))))
                .collect();
            let doc = har(&list, base, redact);
            serde_json::to_string_pretty(&doc).expect("JSON values serialize") + "\n"
        }
    }
}

/// An import problem: which line or entry, and what is wrong with it.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("{place}: {message}")]
pub struct ImportError {
    pub place: String,
    pub message: String,
}

/// Read a JSON-lines export. Nothing is returned unless every line is good.
pub fn parse_jsonl(text: &str) -> Result<Vec<Delivery>, ImportError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let err = |message: String| ImportError {
            place: format!("line {}", i + 1),
            message,
        };
        let v: Value = serde_json::from_str(line).map_err(|e| err(format!("not JSON: {e}")))?;
        let s = |k: &str| -> Result<String, ImportError> {
            v[k].as_str()
                .map(str::to_string)
                .ok_or_else(|| err(format!("missing text field {k:?}")))
        };
        let mut headers = Vec::new();
        for h in v["headers"]
            .as_array()
            .ok_or_else(|| err("missing array field \"headers\"".into()))?
        {
            let name = h[0]
                .as_str()
                .ok_or_else(|| err("a header has no name".into()))?;
            let value = match &h[1] {
                Value::String(s) => s.as_bytes().to_vec(),
                Value::Object(o) => o
                    .get("base64")
                    .and_then(Value::as_str)
                    .and_then(|b| B64.decode(b).ok())
                    .ok_or_else(|| err(format!("header {name} has a bad base64 value")))?,
                _ => return Err(err(format!("header {name} has no value"))),
            };
            headers.push((name.to_ascii_lowercase(), value));
        }
        let body = B64
            .decode(s("body_base64")?)
            .map_err(|_| err("body_base64 is not base64".into()))?;
        out.push(Delivery {
            id: 0,
            received_at_ms: parse_time(&s("received_at")?)
                .ok_or_else(|| err("received_at is not RFC 3339".into()))?,
            method: s("method")?,
            path: s("path")?,
            query: v["query"].as_str().unwrap_or("").to_string(),
            headers,
            body_size: v["body_bytes"].as_u64().unwrap_or(body.len() as u64),
            body: body.into(),
            peer: v["peer"].as_str().map(str::to_string),
            rejected: v["rejected"].as_str().map(str::to_string),
            response: serde_json::from_value::<ResponseRecord>(v["response"].clone()).ok(),
            replay_of: None,
        });
    }
    Ok(out)
}

fn parse_time(s: &str) -> Option<i64> {
    s.parse::<jiff::Timestamp>()
        .ok()
        .map(|t| t.as_millisecond())
}

/// Read a HAR file's requests. Nothing is returned unless every entry is good.
pub fn parse_har(text: &str) -> Result<Vec<Delivery>, ImportError> {
    let top = |message: String| ImportError {
        place: "HAR".into(),
        message,
    };
    let v: Value = serde_json::from_str(text).map_err(|e| top(format!("not JSON: {e}")))?;
    let entries = v["log"]["entries"]
        .as_array()
        .ok_or_else(|| top("no log.entries array".into()))?;
    let mut out = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let err = |message: String| ImportError {
            place: format!("entry {i}"),
            message,
        };
        let req = &e["request"];
        let method = req["method"]
            .as_str()
            .ok_or_else(|| err("request.method is missing".into()))?;
        let url = req["url"]
            .as_str()
            .ok_or_else(|| err("request.url is missing".into()))?;
        let after_scheme = url
            .split_once("://")
            .map(|x| x.1)
            .ok_or_else(|| err(format!("request.url {url:?} is not absolute")))?;
        let pq = after_scheme.find('/').map_or("/", |i| &after_scheme[i..]);
        let (url_path, url_query) = pq.split_once('?').unwrap_or((pq, ""));
        // hookscope's own HAR keeps the exact path and query; other tools' HAR has only the URL.
        let path = e["_hookscope"]["path"]
            .as_str()
            .unwrap_or(url_path)
            .to_string();
        let query = e["_hookscope"]["query"]
            .as_str()
            .unwrap_or(url_query)
            .to_string();
        let mut headers = Vec::new();
        for h in req["headers"]
            .as_array()
            .ok_or_else(|| err("request.headers is missing".into()))?
        {
            let name = h["name"]
                .as_str()
                .ok_or_else(|| err("a header has no name".into()))?;
            let value = match h["_valueBase64"].as_str() {
                Some(b) => B64
                    .decode(b)
                    .map_err(|_| err(format!("header {name}: bad _valueBase64")))?,
                None => h["value"]
                    .as_str()
                    .ok_or_else(|| err(format!("header {name} has no value")))?
                    .as_bytes()
                    .to_vec(),
            };
            headers.push((name.to_ascii_lowercase(), value));
        }
        let body = match req.get("postData") {
            None | Some(Value::Null) => Vec::new(),
            Some(p) => {
                let text = p["text"].as_str().unwrap_or("");
                if p["encoding"].as_str() == Some("base64") {
                    B64.decode(text)
                        .map_err(|_| err("postData.text is not base64".into()))?
                } else {
                    text.as_bytes().to_vec()
                }
            }
        };
        let started = e["startedDateTime"]
            .as_str()
            .and_then(parse_time)
            .ok_or_else(|| err("startedDateTime is missing or not ISO 8601".into()))?;
        out.push(Delivery {
            received_at_ms: started,
            method: method.to_string(),
            path,
            query,
            headers,
            body_size: body.len() as u64,
            body: body.into(),
            peer: e["serverIPAddress"].as_str().map(str::to_string),
            ..Default::default()
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Delivery {
        Delivery {
            id: 7,
            received_at_ms: 1_763_805_600_123,
            method: "POST".into(),
            path: "/hooks/a b".into(),
            query: "x=1&y=%2F".into(),
            headers: vec![
                ("host".into(), b"127.0.0.1:4545".to_vec()),
                ("x-dup".into(), b"one".to_vec()),
                ("x-dup".into(), b"two".to_vec()),
                ("x-bin".into(), vec![0xff, b'a']),
                ("authorization".into(), b"Bearer t0ken".to_vec()),
            ],
            body: bytes::Bytes::from_static(b"\x00\xff{\"a\":'%s'}\n\\"),
            body_size: 13,
            ..Default::default()
        }
    }

    #[test]
    fn jsonl_round_trips_exactly() {
        let d = sample();
        let line = jsonl_line(&d, None, &Redact::none());
        let back = parse_jsonl(&line).unwrap();
        assert_eq!(back.len(), 1);
        let b = &back[0];
        assert_eq!(
            (b.method.as_str(), b.path.as_str(), b.query.as_str()),
            ("POST", "/hooks/a b", "x=1&y=%2F")
        );
        assert_eq!(b.headers, d.headers);
        assert_eq!(b.body, d.body);
        assert_eq!(b.received_at_ms, d.received_at_ms);
    }

    #[test]
    fn har_round_trips_exactly() {
        let d = sample();
        let doc = har(&[(d.clone(), None)], None, &Redact::none());
        assert_eq!(
            doc["log"]["entries"][0]["request"]["postData"]["encoding"],
            "base64"
        );
        let back = parse_har(&doc.to_string()).unwrap();
        assert_eq!(back[0].headers, d.headers);
        assert_eq!(back[0].body, d.body);
        assert_eq!(back[0].path, d.path);
        assert_eq!(back[0].query, d.query);
    }

    #[test]
    fn bad_imports_name_the_line_or_entry() {
        let good = jsonl_line(&sample(), None, &Redact::none());
        let e = parse_jsonl(&format!("{good}\n{{\"method\":\"POST\"}}\n")).unwrap_err();
        assert_eq!(e.place, "line 2");
        assert!(e.message.contains("headers"), "{e}");
        let e = parse_jsonl("nope").unwrap_err();
        assert_eq!(e.place, "line 1");
        let e = parse_har(r#"{"log":{"entries":[{"request":{"method":"GET"}}]}}"#).unwrap_err();
        assert_eq!(e.to_string(), "entry 0: request.url is missing");
    }

    #[test]
    fn redaction_masks_credentials_and_signatures() {
        let reg = crate::providers::Registry::builtin();
        let mut d = sample();
        d.headers
            .push(("stripe-signature".into(), b"t=1,v1=ab".to_vec()));
        let line = jsonl_line(&d, None, &Redact::credentials(&reg));
        assert!(!line.contains("t0ken") && !line.contains("v1=ab"), "{line}");
        assert_eq!(line.matches(REDACTED).count(), 2);
        let c = curl(&d, None, &Redact::credentials(&reg));
        assert!(!c.contains("t0ken"));
    }

    #[test]
    fn curl_quotes_everything_safely() {
        let c = curl(&sample(), None, &Redact::none());
        assert!(
            c.starts_with("printf '\\000\\377{\"a\":\\047%%s\\047}\\012\\\\' | curl"),
            "{c}"
        );
        assert!(c.contains("-H 'x-dup: one' -H 'x-dup: two'"));
        assert!(c.contains("-H $'x-bin: \\xffa'"));
        assert!(c.contains("'http://127.0.0.1:4545/hooks/a b?x=1&y=%2F'"));
        assert!(c.contains("-H 'user-agent:' -H 'accept:' -H 'expect:' -H 'content-type:'"));
        assert_eq!(shell_quote(b"it's"), "'it'\\''s'");
    }
}
