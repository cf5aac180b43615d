//! `[[responses]]` entries of the config file, checked into [`Rule`]s. Every problem is one
//! sentence naming the entry and the field: `responses[1] (strict): status: 999 is not …`.

use super::{Action, Body, Conditions, MAX_DELAY_MS, Rule, Template};
use crate::config::Config;
use crate::providers::Registry;
use crate::verify::Verdict;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use bytes::Bytes;
use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

/// The keys a `[[responses]]` entry may have.
const KEYS: &[&str] = &[
    "name",
    "path",
    "method",
    "provider",
    "verdict",
    "status",
    "headers",
    "body",
    "body_file",
    "delay_ms",
    "drop",
    "handshakes",
    "override_forward",
    "enabled",
];

/// Headers hookscope sets itself; a rule may not.
const RESERVED_HEADERS: &[&str] = &["content-length", "transfer-encoding", "connection"];

/// The config's `[[responses]]`, checked, in order. `base_dir` is where a relative
/// `body_file` is read from (the config file's directory).
pub fn rules_from_config(
    cfg: &Config,
    registry: &Registry,
    base_dir: Option<&Path>,
) -> Result<Vec<Rule>, String> {
    let mut names = BTreeSet::new();
    let mut out = Vec::new();
    for (i, value) in cfg.responses.iter().enumerate() {
        let label = value
            .get("name")
            .and_then(|n| n.as_str())
            .map(|n| format!(" ({n})"))
            .unwrap_or_default();
        let at = format!("responses[{i}]{label}");
        let rule = rule(i, value, registry, base_dir).map_err(|e| format!("{at}: {e}"))?;
        if !names.insert(rule.name.clone()) {
            return Err(format!(
                "{at}: name: another rule is already called {:?}",
                rule.name
            ));
        }
        out.push(rule);
    }
    Ok(out)
}

/// A status a rule can answer with: a final HTTP status, 200–599.
pub(super) fn final_status(n: i64) -> Result<StatusCode, String> {
    u16::try_from(n)
        .ok()
        .filter(|n| (200..=599).contains(n))
        .and_then(|n| StatusCode::from_u16(n).ok())
        .ok_or_else(|| format!("{n} is not a final HTTP status (200–599)"))
}

fn rule(
    index: usize,
    value: &toml::Value,
    registry: &Registry,
    base_dir: Option<&Path>,
) -> Result<Rule, String> {
    let table = value
        .as_table()
        .ok_or("each [[responses]] entry must be a table")?;
    for key in table.keys() {
        if !KEYS.contains(&key.as_str()) {
            return Err(format!(
                "{key}: unknown field (fields: {})",
                KEYS.join(", ")
            ));
        }
    }
    let f = Fields(table);
    let name = match f.string("name")? {
        Some(n) if n.trim().is_empty() => return Err("name: must not be empty".into()),
        Some(n) => n,
        None => format!("responses[{index}]"),
    };
    let path = f.string("path")?;
    if let Some(p) = &path
        && !(p.starts_with('/') || p.starts_with('*'))
    {
        return Err(format!("path: {p:?} must start with / (or a * glob)"));
    }
    let method = f.string("method")?;
    if let Some(m) = &method
        && (m.is_empty() || !m.bytes().all(|b| b.is_ascii_alphabetic()))
    {
        return Err(format!("method: {m:?} is not an HTTP method"));
    }
    let provider = f.string("provider")?;
    if let Some(p) = &provider
        && registry.get(p).is_none()
    {
        return Err(format!(
            "provider: {p:?} is not a known provider (see `hookscope providers`)"
        ));
    }
    let verdict = match f.string("verdict")?.as_deref() {
        None => None,
        Some("verified") => Some(Verdict::Verified),
        Some("failed") => Some(Verdict::Failed),
        Some("unverified") => Some(Verdict::Unverified),
        Some(other) => {
            return Err(format!(
                "verdict: {other:?} is not one of verified, failed, unverified"
            ));
        }
    };
    let when = Conditions {
        path,
        method: method.map(|m| m.to_ascii_uppercase()),
        provider,
        verdict,
    };
    let delay_ms = f.integer("delay_ms")?.unwrap_or(0);
    if !(0..=MAX_DELAY_MS as i64).contains(&delay_ms) {
        return Err(format!(
            "delay_ms: {delay_ms} is outside 0–{MAX_DELAY_MS} (10 minutes)"
        ));
    }
    let drop = f.boolean("drop")?.unwrap_or(false);
    let answers = ["status", "headers", "body", "body_file"];
    let action = if drop {
        if let Some(k) = answers.iter().find(|k| table.contains_key(**k)) {
            return Err(format!(
                "{k}: a rule with drop = true closes the connection without an answer"
            ));
        }
        Action::Drop
    } else {
        let status = final_status(f.integer("status")?.unwrap_or(200))
            .map_err(|e| format!("status: {e}"))?;
        Action::Answer {
            status,
            headers: headers(table)?,
            body: body(&f, base_dir)?,
        }
    };
    let mut rule = Rule::new(
        name,
        when,
        action,
        Duration::from_millis(delay_ms as u64),
        f.boolean("enabled")?.unwrap_or(true),
    );
    rule.handshakes = f.boolean("handshakes")?.unwrap_or(false);
    rule.override_forward = f.boolean("override_forward")?.unwrap_or(false);
    Ok(rule)
}

fn headers(table: &toml::Table) -> Result<Vec<(HeaderName, Template)>, String> {
    let Some(value) = table.get("headers") else {
        return Ok(Vec::new());
    };
    let map = value
        .as_table()
        .ok_or("headers: must be a table of name = \"value\"")?;
    let mut out = Vec::new();
    for (name, value) in map {
        let at = format!("headers.{name}");
        let header = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("{at}: {name:?} is not a header name"))?;
        if RESERVED_HEADERS.contains(&header.as_str()) {
            return Err(format!("{at}: hookscope sets {header} itself"));
        }
        let text = value
            .as_str()
            .ok_or_else(|| format!("{at}: must be a string"))?;
        HeaderValue::from_str(text)
            .map_err(|_| format!("{at}: {text:?} is not a header value (printable ASCII)"))?;
        let template = Template::parse(text).map_err(|e| format!("{at}: {e}"))?;
        out.push((header, template));
    }
    Ok(out)
}

fn body(f: &Fields<'_>, base_dir: Option<&Path>) -> Result<Option<Body>, String> {
    let text = f.string("body")?;
    let file = f.string("body_file")?;
    match (text, file) {
        (Some(_), Some(_)) => Err("body_file: give body or body_file, not both".into()),
        (Some(t), None) => Template::parse(&t)
            .map(|t| Some(Body::Text(t)))
            .map_err(|e| format!("body: {e}")),
        (None, Some(name)) => {
            let path = match base_dir {
                Some(dir) if Path::new(&name).is_relative() => dir.join(&name),
                _ => Path::new(&name).to_path_buf(),
            };
            let bytes = std::fs::read(&path)
                .map_err(|e| format!("body_file: cannot read {}: {e}", path.display()))?;
            match String::from_utf8(bytes) {
                Ok(text) => Template::parse(&text)
                    .map(|t| Some(Body::Text(t)))
                    .map_err(|e| format!("body_file: {}: {e}", path.display())),
                Err(e) => Ok(Some(Body::Bytes(Bytes::from(e.into_bytes())))),
            }
        }
        (None, None) => Ok(None),
    }
}

/// Typed access to an entry's fields; a wrong type names the field.
struct Fields<'a>(&'a toml::Table);

impl Fields<'_> {
    fn string(&self, key: &str) -> Result<Option<String>, String> {
        match self.0.get(key) {
            None => Ok(None),
            Some(toml::Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(format!("{key}: must be a string, not {}", other.type_str())),
        }
    }

    fn integer(&self, key: &str) -> Result<Option<i64>, String> {
        match self.0.get(key) {
            None => Ok(None),
            Some(toml::Value::Integer(n)) => Ok(Some(*n)),
            Some(other) => Err(format!(
                "{key}: must be a whole number, not {}",
                other.type_str()
            )),
        }
    }

    fn boolean(&self, key: &str) -> Result<Option<bool>, String> {
        match self.0.get(key) {
            None => Ok(None),
            Some(toml::Value::Boolean(b)) => Ok(Some(*b)),
            Some(other) => Err(format!(
                "{key}: must be true or false, not {}",
                other.type_str()
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(toml: &str) -> Result<Vec<Rule>, String> {
        let cfg = Config::parse(toml)?;
        rules_from_config(&cfg, &Registry::builtin(), None)
    }

    #[test]
    fn a_full_rule_parses() {
        let r = rules(
            r#"
[[responses]]
name = "strict"
path = "/hooks/**"
method = "post"
provider = "zoom"
verdict = "failed"
status = 401
headers = { "x-why" = "rule {rule}" }
body = '{"error":"bad signature","id":{id}}'
delay_ms = 1500
handshakes = true
[[responses]]
drop = true
enabled = false
"#,
        )
        .unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].name, "strict");
        assert_eq!(r[0].when.method.as_deref(), Some("POST"));
        assert_eq!(r[0].when.verdict, Some(Verdict::Failed));
        assert_eq!(r[0].status(), 401);
        assert_eq!(r[0].delay, Duration::from_millis(1500));
        assert!(r[0].handshakes && !r[0].override_forward && r[0].enabled());
        assert_eq!(r[0].when.describe(), "POST /hooks/** zoom failed");
        assert_eq!(r[1].name, "responses[1]");
        assert_eq!(r[1].action, Action::Drop);
        assert!(!r[1].enabled());
    }

    #[test]
    fn each_bad_field_is_one_sentence_naming_entry_and_field() {
        let cases = [
            (
                "status = 999",
                "responses[0] (x): status: 999 is not a final HTTP status",
            ),
            (
                "status = \"401\"",
                "responses[0] (x): status: must be a whole number, not string",
            ),
            ("stauts = 401", "responses[0] (x): stauts: unknown field"),
            (
                "verdict = \"fail\"",
                "responses[0] (x): verdict: \"fail\" is not one of",
            ),
            (
                "provider = \"zoomm\"",
                "responses[0] (x): provider: \"zoomm\" is not a known provider",
            ),
            (
                "path = \"hooks\"",
                "responses[0] (x): path: \"hooks\" must start with /",
            ),
            ("method = \"PO ST\"", "responses[0] (x): method:"),
            ("delay_ms = -1", "responses[0] (x): delay_ms: -1 is outside"),
            (
                "drop = true\nstatus = 500",
                "responses[0] (x): status: a rule with drop = true",
            ),
            (
                "body = \"{idd}\"",
                "responses[0] (x): body: unknown placeholder {idd}",
            ),
            (
                "body = \"a\"\nbody_file = \"b\"",
                "responses[0] (x): body_file: give body or body_file",
            ),
            (
                "body_file = \"/nonexistent/hookscope-body\"",
                "responses[0] (x): body_file: cannot read /nonexistent/hookscope-body",
            ),
            (
                "headers = { \"content-length\" = \"1\" }",
                "responses[0] (x): headers.content-length: hookscope sets",
            ),
            (
                "headers = { \"x-a\" = \"\\u0001\" }",
                "responses[0] (x): headers.x-a:",
            ),
            (
                "enabled = \"yes\"",
                "responses[0] (x): enabled: must be true or false",
            ),
        ];
        for (field, want) in cases {
            let e = rules(&format!("[[responses]]\nname = \"x\"\n{field}\n")).unwrap_err();
            assert!(e.starts_with(want), "{field}: {e}");
            assert!(!e.contains('\n'), "{e}");
        }
        let e = rules("[[responses]]\nname = \"x\"\n[[responses]]\nname = \"x\"\n").unwrap_err();
        assert!(e.starts_with("responses[1] (x): name: another rule"), "{e}");
    }

    #[test]
    fn body_files_are_read_beside_the_config() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("ok.json"), "{\"id\":{id}}").unwrap();
        std::fs::write(dir.path().join("blob.bin"), b"\xff\x00{id}").unwrap();
        let cfg = Config::parse(
            "[[responses]]\nbody_file = \"ok.json\"\n[[responses]]\nbody_file = \"blob.bin\"\n",
        )
        .unwrap();
        let r = rules_from_config(&cfg, &Registry::builtin(), Some(dir.path())).unwrap();
        let Action::Answer {
            body: Some(Body::Text(_)),
            ..
        } = &r[0].action
        else {
            panic!("a UTF-8 file is a template")
        };
        let Action::Answer {
            body: Some(Body::Bytes(b)),
            ..
        } = &r[1].action
        else {
            panic!("a binary file is sent as is")
        };
        assert_eq!(&b[..], b"\xff\x00{id}");
    }
}
