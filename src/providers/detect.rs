//! Detection: which provider's scheme a request uses.
//!
//! Variants are indexed by the header their detection needs, so a request is only matched
//! against the variants of the headers it carries (plus the few that detect by body field, query
//! or user agent alone): the cost follows the request's header count, not the table's size.
//! The most specific match wins; equally specific matches of different providers are reported
//! as ambiguous, never settled by table order.

use super::scheme::{Detect, Provider};
use crate::delivery::Delivery;
use serde_json::Value;
use std::cell::OnceCell;
use std::collections::HashMap;

/// Which provider a request was attributed to, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Detection {
    /// Registry index of the provider (the first, by index, when the match is ambiguous).
    pub provider: usize,
    /// Human reason, e.g. `header stripe-signature` or `route /hooks/zoom`.
    pub detected_by: String,
    /// Other providers whose schemes match exactly as specifically (registry indexes,
    /// ascending): non-empty means the request alone cannot tell them apart.
    pub also: Vec<usize>,
}

impl Detection {
    /// Whether other providers match as well as `provider` does.
    pub fn is_ambiguous(&self) -> bool {
        !self.also.is_empty()
    }

    /// Every provider it names: `provider`, then `also`.
    pub fn candidates(&self) -> impl Iterator<Item = usize> + '_ {
        std::iter::once(self.provider).chain(self.also.iter().copied())
    }
}

/// A variant that detects without a header, with a prebuilt search for the body text its rule
/// cannot match without (its JSON key or form field name).
#[derive(Clone, Debug)]
struct Headerless {
    at: (usize, usize),
    needle: Option<memchr::memmem::Finder<'static>>,
    /// The needle is a JSON key, which an escape (a backslash in the body) could spell.
    json: bool,
}

impl Headerless {
    fn new(at: (usize, usize), det: &Detect) -> Self {
        let json_key = det.json_path.as_deref().and_then(|path| {
            path.rsplit('.')
                .find(|part| part.parse::<usize>().is_err())
                .filter(|key| !key.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20))
        });
        let (needle, json) = match (json_key, &det.form_field) {
            (Some(key), _) => (Some(key), true),
            (None, Some(name)) if det.json_path.is_none() => (Some(name.as_str()), false),
            _ => (None, false),
        };
        Headerless {
            at,
            needle: needle.map(|n| memchr::memmem::Finder::new(n.as_bytes()).into_owned()),
            json,
        }
    }

    /// Whether the body may satisfy the rule (false only when it surely cannot).
    fn may_match(&self, body: &[u8], escaped: &OnceCell<bool>) -> bool {
        let Some(needle) = &self.needle else {
            return true;
        };
        needle.find(body).is_some()
            || (self.json && *escaped.get_or_init(|| memchr::memchr(b'\\', body).is_some()))
    }
}

/// The variants of a table, by the header their detection requires.
#[derive(Clone, Debug, Default)]
pub(super) struct HeaderIndex {
    /// Lower-case header name → (provider, variant) pairs whose `detect.header` it is.
    by_header: HashMap<String, Vec<(usize, usize)>>,
    /// Variants that detect without a header (body field, query, user agent): always tried,
    /// a body rule first by one search for the text it needs.
    headerless: Vec<Headerless>,
    /// Each variant's detection rule as a reason, by provider then variant.
    reasons: Vec<Vec<String>>,
}

impl HeaderIndex {
    /// Index every variant with a detection rule.
    pub fn build(providers: &[Provider]) -> Self {
        let mut index = HeaderIndex {
            reasons: providers
                .iter()
                .map(|p| {
                    p.variants
                        .iter()
                        .map(|v| describe(&v.spec.detect))
                        .collect()
                })
                .collect(),
            ..Default::default()
        };
        for (pi, p) in providers.iter().enumerate() {
            for (vi, v) in p.variants.iter().enumerate() {
                let det = &v.spec.detect;
                if det.specificity() == 0 {
                    continue;
                }
                match &det.header {
                    Some(h) => index
                        .by_header
                        .entry(h.to_ascii_lowercase())
                        .or_default()
                        .push((pi, vi)),
                    None => index.headerless.push(Headerless::new((pi, vi), det)),
                }
            }
        }
        index
    }

    /// The most specific matching scheme; ties between providers are reported in `also`.
    pub fn detect(&self, providers: &[Provider], d: &Delivery) -> Option<Detection> {
        let json = OnceCell::new();
        let mut best = 0;
        let mut hits: Vec<(usize, usize)> = Vec::new();
        let mut consider = |(pi, vi): (usize, usize)| {
            let det = &providers[pi].variants[vi].spec.detect;
            let score = det.specificity();
            if score < best || !detect_matches(det, d, &json) {
                return;
            }
            if score > best {
                best = score;
                hits.clear();
            }
            hits.push((pi, vi));
        };
        for (name, _) in &d.headers {
            let list = if name.bytes().any(|b| b.is_ascii_uppercase()) {
                self.by_header.get(&name.to_ascii_lowercase())
            } else {
                self.by_header.get(name.as_str())
            };
            for &hit in list.into_iter().flatten() {
                consider(hit);
            }
        }
        let escaped = OnceCell::new();
        for h in &self.headerless {
            if h.may_match(&d.body, &escaped) {
                consider(h.at);
            }
        }
        // A repeated header name offers the same variants twice.
        hits.sort_unstable();
        hits.dedup();
        let &(first, vi) = hits.first()?;
        let mut also: Vec<usize> = hits.iter().map(|h| h.0).filter(|&p| p != first).collect();
        also.dedup();
        Some(Detection {
            provider: first,
            detected_by: self.reasons[first][vi].clone(),
            also,
        })
    }
}

/// The value at a dotted path of a JSON body (parsed once per request); a numeric part indexes
/// an array (`value.0.clientState`).
pub(super) fn json_at<'a>(
    cache: &'a OnceCell<Option<Value>>,
    d: &Delivery,
    path: &str,
) -> Option<&'a Value> {
    let v = cache
        .get_or_init(|| {
            let first = d.body.iter().find(|b| !b.is_ascii_whitespace())?;
            if *first != b'{' && *first != b'[' {
                return None;
            }
            serde_json::from_slice(&d.body).ok()
        })
        .as_ref()?;
    path.split('.').try_fold(v, |cur, part| match cur {
        Value::Object(m) => m.get(part),
        Value::Array(a) => a.get(part.parse::<usize>().ok()?),
        _ => None,
    })
}

/// Whether every condition of a detection rule holds for the request.
pub(super) fn detect_matches(det: &Detect, d: &Delivery, json: &OnceCell<Option<Value>>) -> bool {
    if let Some(h) = &det.header {
        let Some(value) = d.header(h) else {
            return false;
        };
        if let Some(prefix) = &det.prefix
            && !value.trim_ascii_start().starts_with(prefix.as_bytes())
        {
            return false;
        }
    }
    if let Some(s) = &det.sibling {
        let Some(value) = d.header(s) else {
            return false;
        };
        if let Some(want) = &det.sibling_value
            && !value.trim_ascii().eq_ignore_ascii_case(want.as_bytes())
        {
            return false;
        }
    }
    if det.absent.as_ref().is_some_and(|h| d.has_header(h)) {
        return false;
    }
    if det
        .query_param
        .as_ref()
        .is_some_and(|q| !d.has_query_param(q))
    {
        return false;
    }
    if let Some(ua) = &det.user_agent {
        let agent = d
            .header_str("user-agent")
            .unwrap_or("")
            .to_ascii_lowercase();
        if !agent.contains(&ua.to_ascii_lowercase()) {
            return false;
        }
    }
    if let Some(path) = &det.json_path
        && (!may_have_key(&d.body, path) || json_at(json, d, path).is_none())
    {
        return false;
    }
    if let Some(field) = &det.form_field
        && !form_has_key(&d.body, field)
    {
        return false;
    }
    true
}

/// Whether a form body has a field of this name (names compared as sent, undecoded): the name
/// at the start or after `&`, then `=`, `&` or the end. A substring search, so a body that is
/// not a form costs one scan.
fn form_has_key(body: &[u8], name: &str) -> bool {
    let name = name.as_bytes();
    memchr::memmem::find_iter(body, name).any(|at| {
        (at == 0 || body[at - 1] == b'&')
            && matches!(body.get(at + name.len()), None | Some(b'=' | b'&'))
    })
}

/// Whether a body can hold the last object key of a dotted path (array indexes skipped),
/// judged without parsing it: the key
/// must appear as a quoted literal unless the body has a backslash (an escape could spell it)
/// or the key has characters JSON would escape. A cheap no spares parsing the body for every request that a
/// body-field scheme (Mailgun) could claim.
pub(crate) fn may_have_key(body: &[u8], path: &str) -> bool {
    let Some(key) = path.rsplit('.').find(|part| part.parse::<usize>().is_err()) else {
        return true;
    };
    // A backslash anywhere (rare in JSON bodies) may be a `\u` escape spelling the key.
    if key.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20)
        || memchr::memchr(b'\\', body).is_some()
    {
        return true;
    }
    let key = key.as_bytes();
    memchr::memmem::find_iter(body, key)
        .any(|at| at > 0 && body[at - 1] == b'"' && body.get(at + key.len()) == Some(&b'"'))
}

/// Whether a JSON body can hold this string value, judged without parsing it: the text must
/// appear unless the body has a backslash (an escape could spell it).
pub(crate) fn may_have_text(body: &[u8], text: &str) -> bool {
    memchr::memchr(b'\\', body).is_some() || memchr::memmem::find(body, text.as_bytes()).is_some()
}

/// A detection rule as a reason (`header x-hub-signature (sha1=…) + header x-github-event`).
pub fn describe(det: &Detect) -> String {
    let mut parts = Vec::new();
    if let Some(h) = &det.header {
        match &det.prefix {
            Some(p) => parts.push(format!("header {h} ({p}…)")),
            None => parts.push(format!("header {h}")),
        }
    }
    if let Some(s) = &det.sibling {
        match &det.sibling_value {
            Some(v) => parts.push(format!("header {s}: {v}")),
            None => parts.push(format!("header {s}")),
        }
    }
    if let Some(a) = &det.absent {
        parts.push(format!("no header {a}"));
    }
    if let Some(q) = &det.query_param {
        parts.push(format!("query {q}"));
    }
    if let Some(p) = &det.json_path {
        parts.push(format!("body {p}"));
    }
    if let Some(f) = &det.form_field {
        parts.push(format!("form field {f}"));
    }
    if let Some(u) = &det.user_agent {
        parts.push(format!("user-agent {u}"));
    }
    parts.join(" + ")
}

#[cfg(test)]
mod tests {
    use super::{Detect, Headerless, OnceCell, form_has_key, may_have_key};

    #[test]
    fn a_body_without_the_quoted_key_cannot_hold_it() {
        assert!(may_have_key(
            br#"{"signature":{"token":"t"}}"#,
            "signature.token"
        ));
        assert!(!may_have_key(
            br#"{"signature":{"tok":"t"}}"#,
            "signature.token"
        ));
        assert!(!may_have_key(b"{}", "signature.signature"));
        // An escaped key could spell it: parse to be sure.
        assert!(may_have_key(br#"{"sign\u0061ture":1}"#, "signature"));
        // Array indexes are skipped: the object key before them must be there.
        assert!(may_have_key(
            br#"{"value":[{"clientState":"s"}]}"#,
            "value.0.clientState"
        ));
        assert!(may_have_key(br#"{"value":[1]}"#, "value.0"));
        assert!(!may_have_key(br#"{"values":[1]}"#, "value.0"));
    }

    #[test]
    fn a_headerless_rule_is_tried_only_when_the_body_has_its_text() {
        let rule = |text: &str| -> Detect { toml::from_str(text).unwrap() };
        let json = Headerless::new((0, 0), &rule("json_path = \"value.0.clientState\""));
        let form = Headerless::new((0, 0), &rule("form_field = \"bt_signature\""));
        let query = Headerless::new((0, 0), &rule("query_param = \"sig\""));
        let may = |h: &Headerless, body: &[u8]| h.may_match(body, &OnceCell::new());
        assert!(!may(&json, br#"{"event":"x"}"#));
        assert!(may(&json, br#"{"value":[{"clientState":"s"}]}"#));
        // An escape could spell the key: tried.
        assert!(may(&json, br#"{"value":[{"client\u0053tate":"s"}]}"#));
        assert!(!may(&form, b"a=1&b=2"));
        assert!(
            !may(&form, br#"{"x":"\\"}"#),
            "a form name is compared as sent"
        );
        assert!(may(&form, b"bt_signature=x"));
        assert!(may(&query, b""), "nothing in the body to look for");
    }

    #[test]
    fn form_keys_are_compared_as_sent() {
        assert!(form_has_key(
            b"bt_signature=a%7Cb&bt_payload=x",
            "bt_signature"
        ));
        assert!(form_has_key(b"a=1&bt_payload", "bt_payload"));
        assert!(!form_has_key(b"{\"bt_signature\":1}", "bt_signature"));
        assert!(!form_has_key(b"xbt_signature=1", "bt_signature"));
        assert!(!form_has_key(b"a=bt_signature", "bt_signature"));
        assert!(!form_has_key(b"bt_signaturex=1", "bt_signature"));
        assert!(form_has_key(b"a=1&bt_signature", "bt_signature"));
    }
}
