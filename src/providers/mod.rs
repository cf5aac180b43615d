//! Providers as data: the built-in schemes (TOML files embedded in the binary), custom schemes
//! from the config, and detection of which one a request uses.

pub mod handshake;
pub mod scheme;
pub mod template;

use crate::delivery::Delivery;
use scheme::{Detect, Provider, ProviderSpec, Variant};
use serde_json::Value;
use std::cell::OnceCell;

/// The built-in provider files (`builtin/*.toml`, by name), embedded at compile time by
/// `build.rs`.
const BUILTIN: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/builtin_providers.rs"));

/// All known providers, built-in first, then custom ones from the config.
#[derive(Clone, Debug)]
pub struct Registry {
    providers: Vec<Provider>,
}

/// Which provider a request was attributed to, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Detection {
    pub provider: usize,
    /// Human reason, e.g. `header stripe-signature` or `route /hooks/zoom`.
    pub detected_by: String,
}

impl Registry {
    /// The built-in providers.
    pub fn builtin() -> Self {
        let providers = BUILTIN
            .iter()
            .map(|(name, text)| {
                let spec: ProviderSpec = toml::from_str(text)
                    .unwrap_or_else(|e| panic!("built-in provider {name} is malformed: {e}"));
                Provider::from_spec(spec, false)
                    .unwrap_or_else(|e| panic!("built-in provider {name} is malformed: {e}"))
            })
            .collect();
        Registry { providers }
    }

    /// Add a custom provider; a custom provider with a built-in's name replaces it.
    pub fn add(&mut self, provider: Provider) {
        if let Some(slot) = self.providers.iter_mut().find(|p| p.name == provider.name) {
            *slot = provider;
        } else {
            self.providers.push(provider);
        }
    }

    /// All providers, in order.
    pub fn all(&self) -> &[Provider] {
        &self.providers
    }

    /// Index of a provider by name (case-insensitive).
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.providers
            .iter()
            .position(|p| p.name.eq_ignore_ascii_case(name))
    }

    /// A provider by name.
    pub fn get(&self, name: &str) -> Option<&Provider> {
        self.index_of(name).map(|i| &self.providers[i])
    }

    /// A provider by index.
    pub fn at(&self, i: usize) -> &Provider {
        &self.providers[i]
    }

    /// Detect the provider from the request: the most specific matching detection wins; ties go
    /// to the earlier provider.
    pub fn detect(&self, d: &Delivery) -> Option<Detection> {
        let json = OnceCell::new();
        let mut best: Option<(usize, usize, &Detect)> = None;
        for (pi, p) in self.providers.iter().enumerate() {
            for v in &p.variants {
                let det = &v.spec.detect;
                let score = det.specificity();
                if score == 0 || best.is_some_and(|(_, s, _)| s >= score) {
                    continue;
                }
                if detect_matches(det, d, &json) {
                    best = Some((pi, score, det));
                }
            }
        }
        best.map(|(pi, _, det)| Detection {
            provider: pi,
            detected_by: describe(det),
        })
    }
}

/// The variant of a provider that applies to this request: the first whose detection matches,
/// else the first whose signature field is present, else the first.
pub fn select_variant<'p>(p: &'p Provider, d: &Delivery) -> &'p Variant {
    let json = OnceCell::new();
    p.variants
        .iter()
        .find(|v| v.spec.detect.specificity() > 0 && detect_matches(&v.spec.detect, d, &json))
        .or_else(|| {
            p.variants.iter().find(|v| {
                let s = &v.spec.signature;
                match (&s.header, &s.json_path, &s.form_field) {
                    (Some(h), _, _) => d.has_header(h),
                    (None, Some(path), _) => json_at(&json, d, path).is_some(),
                    (None, None, Some(f)) => {
                        form_urlencoded::parse(&d.body).any(|(k, _)| k == f.as_str())
                    }
                    (None, None, None) => false,
                }
            })
        })
        .unwrap_or(&p.variants[0])
}

fn json_at<'a>(cache: &'a OnceCell<Option<Value>>, d: &Delivery, path: &str) -> Option<&'a Value> {
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

fn detect_matches(det: &Detect, d: &Delivery, json: &OnceCell<Option<Value>>) -> bool {
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
        && (!body_mentions_key(&d.body, path) || json_at(json, d, path).is_none())
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

/// Whether the body contains the path's last key as a JSON string: a scan that spares parsing
/// bodies that cannot match (most of them).
fn body_mentions_key(body: &[u8], path: &str) -> bool {
    let key = path.rsplit('.').next().unwrap_or(path);
    if key.parse::<usize>().is_ok() {
        return true;
    }
    memchr::memmem::find(body, format!("\"{key}\"").as_bytes()).is_some()
}

/// Whether a form body has a field of this name (names compared as sent, undecoded).
fn form_has_key(body: &[u8], name: &str) -> bool {
    body.split(|b| *b == b'&')
        .any(|pair| pair.split(|b| *b == b'=').next() == Some(name.as_bytes()))
}

fn describe(det: &Detect) -> String {
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
    use super::*;

    fn req(headers: &[(&str, &str)], body: &str) -> Delivery {
        Delivery {
            method: "POST".into(),
            path: "/".into(),
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_ascii_lowercase(), v.as_bytes().to_vec()))
                .collect(),
            body: body.to_string().into(),
            ..Default::default()
        }
    }

    fn detected(r: &Registry, d: &Delivery) -> Option<String> {
        r.detect(d).map(|x| r.at(x.provider).name.clone())
    }

    #[test]
    fn builtins_load() {
        let r = Registry::builtin();
        assert_eq!(r.all().len(), BUILTIN.len());
        for (name, _) in BUILTIN {
            assert!(r.get(name).is_some(), "{name}");
        }
    }

    #[test]
    fn shared_x_hub_signature_is_told_apart() {
        let r = Registry::builtin();
        let gh = req(
            &[("X-Hub-Signature", "sha1=00"), ("X-GitHub-Event", "push")],
            "",
        );
        assert_eq!(detected(&r, &gh).as_deref(), Some("github"));
        let ic = req(&[("X-Hub-Signature", "sha1=00")], "");
        assert_eq!(detected(&r, &ic).as_deref(), Some("intercom"));
        let bb = req(
            &[
                ("X-Hub-Signature", "sha256=00"),
                ("X-Event-Key", "repo:push"),
            ],
            "",
        );
        assert_eq!(detected(&r, &bb).as_deref(), Some("bitbucket"));
        let both = req(
            &[
                ("X-Hub-Signature", "sha1=00"),
                ("X-Hub-Signature-256", "sha256=00"),
                ("X-GitHub-Event", "push"),
            ],
            "",
        );
        let p = r.get("github").unwrap();
        assert_eq!(select_variant(p, &both).spec.id.as_deref(), Some("sha256"));
    }

    #[test]
    fn webhook_signature_users() {
        let r = Registry::builtin();
        let sw = req(&[("webhook-signature", "v1,x")], "");
        assert_eq!(detected(&r, &sw).as_deref(), Some("standard-webhooks"));
        let gl = req(
            &[
                ("webhook-signature", "v1,x"),
                ("X-Gitlab-Event", "Push Hook"),
            ],
            "",
        );
        assert_eq!(detected(&r, &gl).as_deref(), Some("gitlab"));
    }

    #[test]
    fn body_and_query_detection() {
        let r = Registry::builtin();
        let mg = req(
            &[],
            r#"{"signature":{"signature":"ab","token":"t","timestamp":"1"}}"#,
        );
        assert_eq!(detected(&r, &mg).as_deref(), Some("mailgun"));
        let mut tw = req(&[("X-Twilio-Signature", "x")], "{}");
        tw.query = "bodySHA256=ab".into();
        let det = r.detect(&tw).unwrap();
        assert_eq!(r.at(det.provider).name, "twilio");
        assert_eq!(
            det.detected_by,
            "header x-twilio-signature + query bodySHA256"
        );
        assert_eq!(
            detected(&r, &req(&[("content-type", "text/plain")], "hi")),
            None
        );
    }
}
