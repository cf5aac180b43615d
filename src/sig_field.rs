//! Reading a request's signature field: where it is (one header or several, a JSON path, a
//! form field), how it is laid out (plain, list, key-value, JWS), and the timestamp beside it.

use crate::crypto;
use crate::delivery::Delivery;
use crate::jws;
use crate::providers::scheme::{Algorithm, Encoding, Syntax, TimestampSpec, Variant};
use crate::providers::template::json_body_text;

/// The request's signature field, parsed.
pub(crate) struct ParsedSig {
    /// Whole field as received (several headers: their values joined with `, `).
    pub raw: String,
    /// Each signature entry as written (prefix removed).
    pub entries_raw: Vec<String>,
    /// Each entry decoded (same order, undecodable entries dropped).
    pub entries: Vec<Vec<u8>>,
    /// Timestamp found in the signature field (`t=`, `ts=`).
    pub ts: Option<String>,
    /// The token, for JWS syntax.
    pub jws: Option<Box<jws::Token>>,
}

impl ParsedSig {
    /// An empty field (what `sign` starts from).
    pub fn empty() -> Self {
        ParsedSig {
            raw: String::new(),
            entries_raw: Vec::new(),
            entries: Vec::new(),
            ts: None,
            jws: None,
        }
    }
}

pub(crate) enum SigField {
    Missing,
    /// The raw value, why it is malformed, and the timestamp it carries (if it could be read).
    Malformed(String, String, Option<String>),
    Parsed(ParsedSig),
}

/// The values of the signature field: `(where, value)` for each header or body field found.
/// `Err((raw, why))` when a header is not UTF-8.
fn field_values(d: &Delivery, v: &Variant) -> Result<Vec<(String, String)>, (String, String)> {
    let s = &v.spec.signature;
    let mut out = Vec::new();
    if let Some(h) = &s.header {
        let mut names: Vec<&str> = vec![h.as_str()];
        for extra in &s.extra_headers {
            match extra.strip_suffix('*') {
                Some(prefix) => {
                    let prefix = prefix.to_ascii_lowercase();
                    for (n, _) in &d.headers {
                        if n.to_ascii_lowercase().starts_with(&prefix)
                            && !names.contains(&n.as_str())
                        {
                            names.push(n.as_str());
                        }
                    }
                }
                None => names.push(extra.as_str()),
            }
        }
        for name in names {
            let Some(bytes) = d.header(name) else {
                continue;
            };
            if out
                .iter()
                .any(|(n, _): &(String, String)| n.eq_ignore_ascii_case(name))
            {
                continue;
            }
            match std::str::from_utf8(bytes) {
                Ok(text) => out.push((name.to_ascii_lowercase(), text.to_string())),
                Err(_) => {
                    return Err((
                        String::from_utf8_lossy(bytes).into_owned(),
                        format!("header {name} is not valid UTF-8"),
                    ));
                }
            }
        }
    } else if let Some(path) = &s.json_path {
        out.extend(json_body_text(&d.body, path).map(|t| (path.clone(), t)));
    } else if let Some(field) = &s.form_field {
        out.extend(
            form_urlencoded::parse(&d.body)
                .find(|(k, _)| k == field.as_str())
                .map(|(_, val)| (field.clone(), val.into_owned())),
        );
    }
    Ok(out)
}

pub(crate) fn parse_signature(d: &Delivery, v: &Variant) -> SigField {
    let s = &v.spec.signature;
    let values = match field_values(d, v) {
        Ok(values) if values.is_empty() => return SigField::Missing,
        Ok(values) => values,
        Err((raw, why)) => return SigField::Malformed(raw, why, None),
    };
    let raw = values
        .iter()
        .map(|(_, val)| val.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let mut entries_raw = Vec::new();
    let mut ts = None;
    let mut token = None;
    for (field, value) in &values {
        let trimmed = value.trim();
        let found = match s.syntax {
            Syntax::Plain => match trimmed.strip_prefix(s.prefix.as_str()) {
                Some(rest) => vec![rest.trim().to_string()],
                None => {
                    return SigField::Malformed(
                        raw.clone(),
                        format!("{field} should start with {:?}", s.prefix),
                        None,
                    );
                }
            },
            Syntax::List => trimmed
                .split(s.split_on())
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .filter_map(|item| item.strip_prefix(s.prefix.as_str()))
                .map(|rest| rest.trim().to_string())
                .collect(),
            Syntax::KeyValue => {
                let pair = s.pair_separator.as_deref().unwrap_or("=");
                let sig_key = s.sig_key.as_deref().unwrap_or("v1");
                let mut found = Vec::new();
                for item in trimmed.split(s.split_on()) {
                    let Some((k, val)) = item.trim().split_once(pair) else {
                        continue;
                    };
                    let k = k.trim();
                    if s.ts_key.as_deref() == Some(k) {
                        ts = ts.or_else(|| Some(val.trim().to_string()));
                    } else if sig_key == "*" || k == sig_key {
                        found.push(val.trim().to_string());
                    }
                }
                found
            }
            Syntax::Jws => {
                let Some(text) = trimmed.strip_prefix(s.prefix.as_str()) else {
                    return SigField::Malformed(
                        raw.clone(),
                        format!("{field} should start with {:?}", s.prefix),
                        None,
                    );
                };
                match jws::parse(text) {
                    Ok(t) => {
                        if let Some(why) = t.alg_problem(v.spec.algorithm) {
                            return SigField::Malformed(raw.clone(), why, None);
                        }
                        let sig = t.signature_text.clone();
                        token = Some(Box::new(t));
                        vec![sig]
                    }
                    Err(why) => return SigField::Malformed(raw.clone(), why, None),
                }
            }
        };
        entries_raw.extend(found);
    }
    if entries_raw.is_empty() {
        let what = match s.syntax {
            Syntax::KeyValue => format!("{}=…", s.sig_key.as_deref().unwrap_or("v1")),
            _ => format!("{:?}", s.prefix),
        };
        let field = &values[0].0;
        return SigField::Malformed(raw.clone(), format!("{field} has no {what} entry"), ts);
    }
    let encoding = if s.syntax == Syntax::Jws {
        Encoding::Base64url
    } else {
        s.encoding
    };
    let entries: Vec<Vec<u8>> = if v.spec.algorithm == Algorithm::Token {
        // A token is compared as sent: only the prefix comes off, no whitespace.
        values
            .iter()
            .map(|(_, val)| {
                val.strip_prefix(s.prefix.as_str())
                    .unwrap_or(val)
                    .as_bytes()
                    .to_vec()
            })
            .collect()
    } else {
        entries_raw
            .iter()
            .filter_map(|e| crypto::decode_sig(encoding, e))
            .collect()
    };
    if entries.is_empty() {
        return SigField::Malformed(
            raw.clone(),
            format!(
                "the signature in {} is not valid {}",
                values[0].0,
                encoding.name()
            ),
            ts,
        );
    }
    SigField::Parsed(ParsedSig {
        raw,
        entries_raw,
        entries,
        ts,
        jws: token,
    })
}

pub(crate) fn timestamp_raw(d: &Delivery, ts: &TimestampSpec, sig: &SigField) -> Option<String> {
    if let Some(h) = &ts.header {
        return d.header_str(h).map(|s| s.trim().to_string());
    }
    if ts.from_signature {
        return match sig {
            SigField::Parsed(p) => p.ts.clone(),
            // A bad signature entry does not make the timestamp beside it unreadable.
            SigField::Malformed(_, _, ts) => ts.clone(),
            SigField::Missing => None,
        };
    }
    if let Some(claim) = &ts.claim {
        return match sig {
            SigField::Parsed(p) => p.jws.as_ref().and_then(|t| t.claim(claim)),
            _ => None,
        };
    }
    ts.json_path
        .as_deref()
        .and_then(|p| json_body_text(&d.body, p))
}
