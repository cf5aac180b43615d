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

/// The variants of a table, by the header their detection requires.
#[derive(Clone, Debug, Default)]
pub(super) struct HeaderIndex {
    /// Lower-case header name → (provider, variant) pairs whose `detect.header` it is.
    by_header: HashMap<String, Vec<(usize, usize)>>,
    /// Variants that detect without a header (body field, query, user agent): always tried.
    headerless: Vec<(usize, usize)>,
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
                    None => index.headerless.push((pi, vi)),
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
        for &hit in &self.headerless {
            consider(hit);
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

/// The value at a dotted path of a JSON-object body (parsed once per request).
pub(super) fn json_at<'a>(
    cache: &'a OnceCell<Option<Value>>,
    d: &Delivery,
    path: &str,
) -> Option<&'a Value> {
    let v = cache
        .get_or_init(|| {
            let first = d.body.iter().find(|b| !b.is_ascii_whitespace())?;
            if *first != b'{' {
                return None;
            }
            serde_json::from_slice(&d.body).ok()
        })
        .as_ref()?;
    path.split('.')
        .try_fold(v, |cur, part| cur.as_object()?.get(part))
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
    true
}

/// Whether a body can hold the last key of a dotted path, judged without parsing it: the key
/// must appear as a quoted literal unless the body has a backslash (an escape could spell it)
/// or the key has characters JSON would escape. A cheap no spares parsing the body for every request that a
/// body-field scheme (Mailgun) could claim.
fn may_have_key(body: &[u8], path: &str) -> bool {
    let key = path.rsplit('.').next().unwrap_or(path);
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
    if let Some(u) = &det.user_agent {
        parts.push(format!("user-agent {u}"));
    }
    parts.join(" + ")
}

#[cfg(test)]
mod tests {
    use super::may_have_key;

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
    }
}
