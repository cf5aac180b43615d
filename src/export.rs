//! Export deliveries as a curl command, HAR 1.2 or JSON lines — and read HAR / JSON lines back.
//!
//! Exports are byte-exact: a curl command replays the same bytes (bodies go through `printf`
//! octal escapes, so NUL and invalid UTF-8 survive), HAR and JSONL carry non-UTF-8 bodies and
//! header values as base64. `Redact` masks credentials and signatures for sharing.

use crate::checker::Judgement;
use crate::delivery::Delivery;
use crate::record::{self, Judged, Record};
use crate::verify::Verification;
use serde_json::Value;

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
        if name.eq_ignore_ascii_case("content-length") {
            // In its place, with the length of the body curl sends (curl keeps a given one).
            let h = format!("{name}: {}", d.body.len());
            parts.push(format!("-H {}", shell_quote(h.as_bytes())));
            continue;
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

/// A HAR 1.2 document of deliveries as JSON (see [`crate::har`]).
pub fn har(items: &[Item], base: Option<&str>, redact: &Redact) -> Value {
    serde_json::to_value(crate::har::document(items, base, redact)).expect("HAR serializes")
}

/// One exported delivery: its bytes, the verdict it carries and (when judged now) the detail.
#[derive(Clone, Debug)]
pub struct Item {
    pub delivery: Delivery,
    pub judgement: Judgement,
    pub judged: Judged,
    pub check: Option<Verification>,
}

impl Item {
    /// A delivery judged now by `checker` (labelled `reverified`).
    pub fn judged_now(delivery: Delivery, checker: &crate::checker::Checker) -> Item {
        let v = checker.check(&delivery, delivery.received_at_ms.div_euclid(1000));
        Item {
            judgement: checker.judgement(&v),
            delivery,
            judged: Judged::Reverified,
            check: Some(v),
        }
    }
}

/// One JSON line for a delivery ([`Record`]): the body, headers in order with their case, the
/// verdict it carries.
pub fn jsonl_line(item: &Item, redact: &Redact) -> String {
    let how = record::Write {
        include_body: true,
        redact,
    };
    let r = Record::new(
        &item.delivery,
        &item.judgement,
        item.judged,
        item.check.as_ref(),
        how,
    );
    serde_json::to_string(&r).expect("a record serializes")
}

/// The whole export of deliveries: curl commands one per line, a pretty HAR document or JSON
/// lines. When redacting, the verification's signatures are masked too.
pub fn text(format: Format, items: &[Item], base: Option<&str>, redact: &Redact) -> String {
    let masked = |item: &Item| {
        let mut item = item.clone();
        if redact.masks_anything()
            && let Some(v) = &mut item.check
        {
            for s in [&mut v.signature.received, &mut v.signature.computed] {
                if s.is_some() {
                    *s = Some(REDACTED.to_string());
                }
            }
        }
        item
    };
    match format {
        Format::Curl => items
            .iter()
            .map(|i| curl(&i.delivery, base, redact) + "\n")
            .collect(),
        Format::Jsonl => items
            .iter()
            .map(|i| jsonl_line(&masked(i), redact) + "\n")
            .collect(),
        Format::Har => {
            let list: Vec<Item> = items.iter().map(masked).collect();
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

/// An imported delivery and the verdict its file carried (`None`: judge it on import).
pub type Imported = (Delivery, Option<Judgement>);

/// Read JSON lines of [`Record`]s (an export, or headless output with `--include-body`; other
/// headless line types are skipped). Nothing is returned unless every delivery line is good.
pub fn parse_jsonl(text: &str) -> Result<Vec<Imported>, ImportError> {
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
        match v.get("type").and_then(Value::as_str) {
            None | Some("delivery") => {}
            // The other headless lines (ready, tunnel, dropped, …) hold no delivery.
            Some(_) => continue,
        }
        if v.get("schema_version").is_none() {
            return Err(err(
                "no schema_version: not a hookscope delivery record (docs/json-lines.md)".into(),
            ));
        }
        let r: Record =
            serde_json::from_value(v).map_err(|e| err(format!("not a delivery record: {e}")))?;
        let (d, j) = r.to_delivery().map_err(err)?;
        out.push((d, j));
    }
    Ok(out)
}

/// Read a HAR file's requests (see [`crate::har::parse`]).
pub fn parse_har(text: &str) -> Result<Vec<Imported>, ImportError> {
    crate::har::parse(text)
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

    fn item(d: Delivery) -> Item {
        Item {
            delivery: d,
            judgement: Judgement {
                verdict: crate::verify::Verdict::Failed,
                provider: Some("zoom".into()),
                generation: None,
            },
            judged: Judged::Stored,
            check: None,
        }
    }

    #[test]
    fn jsonl_round_trips_exactly() {
        let d = sample();
        let line = jsonl_line(&item(d.clone()), &Redact::none());
        let back = parse_jsonl(&line).unwrap();
        assert_eq!(back.len(), 1);
        assert_eq!(back[0].1, Some(item(d.clone()).judgement));
        let b = &back[0].0;
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
        let doc = har(&[item(d.clone())], None, &Redact::none());
        assert_eq!(
            doc["log"]["entries"][0]["request"]["postData"]["encoding"],
            "base64"
        );
        let back = parse_har(&doc.to_string()).unwrap();
        assert_eq!(back[0].1, Some(item(d.clone()).judgement));
        let back = &back[0].0;
        assert_eq!(back.headers, d.headers);
        assert_eq!(back.body, d.body);
        assert_eq!(back.path, d.path);
        assert_eq!(back.query, d.query);
    }

    #[test]
    fn bad_imports_name_the_line_or_entry() {
        let good = jsonl_line(&item(sample()), &Redact::none());
        let e = parse_jsonl(&format!("{good}\n{{\"method\":\"POST\"}}\n")).unwrap_err();
        assert_eq!(e.place, "line 2");
        assert!(e.message.contains("schema_version"), "{e}");
        let e =
            parse_jsonl(&format!("{}\n", good.replace("\"headers\"", "\"headerz\""))).unwrap_err();
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
        let line = jsonl_line(&item(d.clone()), &Redact::credentials(&reg));
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
