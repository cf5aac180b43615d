//! Response rules: what hookscope answers itself, chosen per delivery by path, method,
//! provider and verdict (`[[responses]]` in the config, `--respond STATUS`).
//!
//! Rules are tried in order; the first enabled rule whose conditions all hold answers. A rule
//! answers a handshake (Zoom, Slack, Twitch, Dropbox) only with `handshakes = true`, and a
//! delivery that would be forwarded only with `override_forward = true`. Rejected deliveries
//! (413, 408) are never answered by a rule. The dashboard switches rules on and off through
//! [`Rules::set_enabled`]; the listener reads the switch on every delivery.

mod glob;
mod spec;

use crate::delivery::{Delivery, ResponseRecord};
use crate::verify::{Verdict, Verification};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
pub use spec::rules_from_config;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// The rule name `--respond` gets (shown as `response.rule`).
pub const RESPOND_FLAG_RULE: &str = "--respond";
/// The longest `delay_ms` a rule may hold an answer: 10 minutes.
pub const MAX_DELAY_MS: u64 = 600_000;

/// A value a rule's body or header text can insert: `{id}`, `{method}`, `{path}`, `{provider}`,
/// `{verdict}`, `{rule}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Id,
    Method,
    Path,
    Provider,
    Verdict,
    Rule,
}

impl Field {
    /// Every placeholder, as written.
    pub const ALL: [(&'static str, Field); 6] = [
        ("id", Field::Id),
        ("method", Field::Method),
        ("path", Field::Path),
        ("provider", Field::Provider),
        ("verdict", Field::Verdict),
        ("rule", Field::Rule),
    ];
}

/// Text with placeholders, parsed once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template(Vec<Piece>);

#[derive(Clone, Debug, PartialEq, Eq)]
enum Piece {
    Text(String),
    Field(Field),
}

impl Template {
    /// Parse `text`: `{name}` with a known name is a placeholder; a lower-case `{word}` that is
    /// not one is an error (a typo would otherwise be sent as is); other braces are text, so
    /// JSON bodies need no escaping.
    pub fn parse(text: &str) -> Result<Template, String> {
        let mut pieces = Vec::new();
        let mut rest = text;
        let mut literal = String::new();
        while let Some(open) = rest.find('{') {
            literal.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let word_len = after
                .find(|c: char| !(c.is_ascii_lowercase() || c == '_'))
                .unwrap_or(after.len());
            if word_len > 0 && after[word_len..].starts_with('}') {
                let word = &after[..word_len];
                let Some(&(_, field)) = Field::ALL.iter().find(|(n, _)| *n == word) else {
                    let known: Vec<String> =
                        Field::ALL.iter().map(|(n, _)| format!("{{{n}}}")).collect();
                    return Err(format!(
                        "unknown placeholder {{{word}}} (known: {})",
                        known.join(" ")
                    ));
                };
                if !literal.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut literal)));
                }
                pieces.push(Piece::Field(field));
                rest = &after[word_len + 1..];
            } else {
                literal.push('{');
                rest = after;
            }
        }
        literal.push_str(rest);
        if !literal.is_empty() {
            pieces.push(Piece::Text(literal));
        }
        Ok(Template(pieces))
    }

    /// The text with each placeholder replaced.
    pub fn render(&self, vars: &Vars, rule: &str) -> String {
        let mut out = String::new();
        for p in &self.0 {
            match p {
                Piece::Text(t) => out.push_str(t),
                Piece::Field(Field::Id) => out.push_str(&vars.id.to_string()),
                Piece::Field(Field::Method) => out.push_str(&vars.method),
                Piece::Field(Field::Path) => out.push_str(&vars.path),
                Piece::Field(Field::Provider) => {
                    out.push_str(vars.provider.as_deref().unwrap_or(""))
                }
                Piece::Field(Field::Verdict) => out.push_str(vars.verdict.as_str()),
                Piece::Field(Field::Rule) => out.push_str(rule),
            }
        }
        out
    }
}

/// The values placeholders take for one delivery.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Vars {
    /// The store id (known once the delivery is committed).
    pub id: u64,
    pub method: String,
    pub path: String,
    pub provider: Option<String>,
    pub verdict: Verdict,
}

impl Vars {
    /// The values of a delivery and its verification (`id` as the delivery has it).
    pub fn of(d: &Delivery, v: &Verification) -> Vars {
        Vars {
            id: d.id,
            method: d.method.clone(),
            path: d.path.clone(),
            provider: v.provider.clone(),
            verdict: v.verdict,
        }
    }
}

/// A rule's body: text with placeholders, or bytes from a file that is not UTF-8.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    Text(Template),
    Bytes(Bytes),
}

/// When a rule applies.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Conditions {
    /// A glob over the path: `*` within a segment, `**` across segments, `?` one character.
    pub path: Option<String>,
    /// Compared without regard to case.
    pub method: Option<String>,
    pub provider: Option<String>,
    pub verdict: Option<Verdict>,
}

impl Conditions {
    /// Whether every condition given holds.
    pub fn hold(&self, d: &Delivery, v: &Verification) -> bool {
        self.path
            .as_deref()
            .is_none_or(|g| glob::matches(g, &d.path))
            && self
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(&d.method))
            && self
                .provider
                .as_deref()
                .is_none_or(|p| v.provider.as_deref() == Some(p))
            && self.verdict.is_none_or(|x| x == v.verdict)
    }

    /// `POST /hooks/** zoom failed`, or `any delivery`.
    pub fn describe(&self) -> String {
        let parts: Vec<&str> = [
            self.method.as_deref(),
            self.path.as_deref(),
            self.provider.as_deref(),
            self.verdict.map(Verdict::as_str),
        ]
        .into_iter()
        .flatten()
        .collect();
        if parts.is_empty() {
            "any delivery".into()
        } else {
            parts.join(" ")
        }
    }
}

/// What a rule answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Close the connection without an answer (after the delay).
    Drop,
    Answer {
        status: StatusCode,
        headers: Vec<(HeaderName, Template)>,
        body: Option<Body>,
    },
}

/// One rule, checked.
#[derive(Debug)]
pub struct Rule {
    pub name: String,
    pub when: Conditions,
    pub action: Action,
    /// How long the answer is held after the delivery is committed.
    pub delay: Duration,
    /// Also answers handshakes (else hookscope's own handshake answer wins).
    pub handshakes: bool,
    /// Answers even when forwarding (the delivery is then not forwarded).
    pub override_forward: bool,
    enabled: AtomicBool,
}

impl Rule {
    /// A rule, enabled or not.
    pub fn new(
        name: String,
        when: Conditions,
        action: Action,
        delay: Duration,
        enabled: bool,
    ) -> Rule {
        Rule {
            name,
            when,
            action,
            delay,
            handshakes: false,
            override_forward: false,
            enabled: AtomicBool::new(enabled),
        }
    }

    /// `--respond STATUS`: every delivery but handshakes gets `status`, instead of forwarding.
    pub fn respond_flag(status: u16) -> Result<Rule, String> {
        let status =
            spec::final_status(status.into()).map_err(|e| format!("--respond {status}: {e}"))?;
        let mut rule = Rule::new(
            RESPOND_FLAG_RULE.into(),
            Conditions::default(),
            Action::Answer {
                status,
                headers: Vec::new(),
                body: None,
            },
            Duration::ZERO,
            true,
        );
        rule.override_forward = true;
        Ok(rule)
    }

    /// Whether the rule is switched on.
    pub fn enabled(&self) -> bool {
        self.enabled.load(Ordering::Relaxed)
    }

    /// The answer's status (0 for a drop), as recorded.
    pub fn status(&self) -> u16 {
        match &self.action {
            Action::Drop => 0,
            Action::Answer { status, .. } => status.as_u16(),
        }
    }

    /// `401 · 2000 ms` / `drop` — the answer in a few words.
    pub fn describe_answer(&self) -> String {
        let mut s = match &self.action {
            Action::Drop => "drop the connection".to_string(),
            Action::Answer { status, .. } => status.as_u16().to_string(),
        };
        if !self.delay.is_zero() {
            s.push_str(&format!(" after {} ms", self.delay.as_millis()));
        }
        s
    }

    /// What is recorded with the delivery.
    pub fn record(&self) -> ResponseRecord {
        ResponseRecord {
            status: self.status(),
            source: "hookscope".into(),
            rule: Some(self.name.clone()),
            ..Default::default()
        }
    }

    /// The answer for a committed delivery; `None` for a drop.
    pub fn response(&self, vars: &Vars) -> Option<Response> {
        let Action::Answer {
            status,
            headers,
            body,
        } = &self.action
        else {
            return None;
        };
        let body = match body {
            None => Bytes::new(),
            Some(Body::Bytes(b)) => b.clone(),
            Some(Body::Text(t)) => Bytes::from(t.render(vars, &self.name)),
        };
        let mut resp = (*status, body.clone()).into_response();
        let h = resp.headers_mut();
        h.remove("content-type");
        for (name, value) in headers {
            if let Ok(v) = HeaderValue::from_str(&value.render(vars, &self.name)) {
                h.append(name.clone(), v);
            }
        }
        if !body.is_empty() && !h.contains_key("content-type") {
            h.insert("content-type", HeaderValue::from_static(sniff(&body)));
        }
        Some(resp)
    }
}

/// The content type of a body a rule gives without one.
fn sniff(body: &[u8]) -> &'static str {
    if serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok() {
        "application/json"
    } else if std::str::from_utf8(body).is_ok() {
        "text/plain; charset=utf-8"
    } else {
        "application/octet-stream"
    }
}

/// The rules in force, in order. Shared by the listener and the dashboard.
#[derive(Debug, Default)]
pub struct Rules {
    rules: Vec<Rule>,
}

impl Rules {
    /// Rules in this order (names must be unique; [`rules_from_config`] checks it).
    pub fn new(rules: Vec<Rule>) -> Rules {
        Rules { rules }
    }

    /// Every rule, in order.
    pub fn all(&self) -> &[Rule] {
        &self.rules
    }

    /// Whether there is no rule at all.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The first enabled rule that answers this delivery, with its index. `handshake`:
    /// hookscope would answer it as a handshake; `forwarding`: it would be forwarded.
    pub fn pick(
        &self,
        d: &Delivery,
        v: &Verification,
        handshake: bool,
        forwarding: bool,
    ) -> Option<(usize, &Rule)> {
        self.rules.iter().enumerate().find(|(_, r)| {
            r.enabled()
                && (!handshake || r.handshakes)
                && (!forwarding || r.override_forward)
                && r.when.hold(d, v)
        })
    }

    /// Switch rule `index` on or off; `false` when there is no such rule.
    pub fn set_enabled(&self, index: usize, on: bool) -> bool {
        match self.rules.get(index) {
            Some(r) => {
                r.enabled.store(on, Ordering::Relaxed);
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> Vars {
        Vars {
            id: 42,
            method: "POST".into(),
            path: "/hooks/zoom".into(),
            provider: Some("zoom".into()),
            verdict: Verdict::Failed,
        }
    }

    #[test]
    fn templates_fill_placeholders_and_leave_json_braces() {
        let t = Template::parse(r#"{"id":{id},"v":"{verdict}","p":"{provider}","r":"{rule}"}"#)
            .unwrap();
        assert_eq!(
            t.render(&vars(), "strict"),
            r#"{"id":42,"v":"failed","p":"zoom","r":"strict"}"#
        );
        assert_eq!(
            Template::parse("{} {x {method} {path}}")
                .unwrap()
                .render(&vars(), "r"),
            "{} {x POST /hooks/zoom}"
        );
        let e = Template::parse("see {ids}").unwrap_err();
        assert!(
            e.starts_with("unknown placeholder {ids} (known: {id}"),
            "{e}"
        );
    }

    #[test]
    fn the_first_enabled_matching_rule_answers() {
        let d = Delivery {
            method: "POST".into(),
            path: "/hooks/zoom".into(),
            ..Default::default()
        };
        let mut v = Verification::no_provider();
        v.provider = Some("zoom".into());
        v.verdict = Verdict::Failed;
        let answer = |status| Action::Answer {
            status: StatusCode::from_u16(status).unwrap(),
            headers: Vec::new(),
            body: None,
        };
        let failed = Conditions {
            verdict: Some(Verdict::Failed),
            ..Default::default()
        };
        let github = Conditions {
            provider: Some("github".into()),
            ..Default::default()
        };
        let rules = Rules::new(vec![
            Rule::new("gh".into(), github, answer(500), Duration::ZERO, true),
            Rule::new("strict".into(), failed, answer(401), Duration::ZERO, true),
            Rule::new(
                "all".into(),
                Conditions::default(),
                answer(202),
                Duration::ZERO,
                true,
            ),
        ]);
        let pick = |v: &Verification, h, f| rules.pick(&d, v, h, f).map(|(_, r)| r.name.as_str());
        assert_eq!(pick(&v, false, false), Some("strict"));
        assert_eq!(pick(&v, true, false), None, "handshakes are hookscope's");
        assert_eq!(pick(&v, false, true), None, "forwarding wins");
        assert!(rules.set_enabled(1, false));
        assert_eq!(pick(&v, false, false), Some("all"));
        assert!(!rules.set_enabled(9, true));
        assert!(rules.set_enabled(1, true));
        v.verdict = Verdict::Verified;
        assert_eq!(pick(&v, false, false), Some("all"));
    }

    #[test]
    fn answers_carry_status_headers_and_a_sniffed_type() {
        let rule = Rule::new(
            "r".into(),
            Conditions::default(),
            Action::Answer {
                status: StatusCode::SERVICE_UNAVAILABLE,
                headers: vec![(
                    HeaderName::from_static("retry-after"),
                    Template::parse("{id}").unwrap(),
                )],
                body: Some(Body::Text(Template::parse(r#"{"id":{id}}"#).unwrap())),
            },
            Duration::ZERO,
            true,
        );
        let resp = rule.response(&vars()).unwrap();
        assert_eq!(resp.status(), 503);
        assert_eq!(resp.headers()["retry-after"], "42");
        assert_eq!(resp.headers()["content-type"], "application/json");
        let record = rule.record();
        assert_eq!((record.status, record.rule.as_deref()), (503, Some("r")));
        let drop = Rule::new(
            "d".into(),
            Conditions::default(),
            Action::Drop,
            Duration::ZERO,
            true,
        );
        assert!(drop.response(&vars()).is_none());
        assert_eq!(drop.record().status, 0);
    }
}
