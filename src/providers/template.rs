//! Signed-message templates: `v0:{timestamp}:{body}`, `{method}{url}{body}{timestamp}`, …
//!
//! Tokens: `{body}` raw body bytes, `{timestamp}` the timestamp exactly as sent, `{id}` the
//! message id, `{header:NAME}`, `{method}`, `{url}` the full URL the sender used,
//! `{json:PATH}` a value from the JSON body, `{form_sorted}` Twilio's sorted form parameters,
//! `{secret}` the secret itself (plain-hash schemes). `{{` and `}}` are literal braces.

use serde_json::Value;

/// One piece of a template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Token {
    Literal(Vec<u8>),
    Body,
    Timestamp,
    Id,
    Header(String),
    Method,
    Url,
    Json(String),
    FormSorted,
    Secret,
}

/// A parsed template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    pub tokens: Vec<Token>,
}

/// What a template is rendered against.
pub struct RenderInput<'a> {
    pub body: &'a [u8],
    pub timestamp: Option<&'a str>,
    pub id: Option<&'a [u8]>,
    pub header: &'a dyn Fn(&str) -> Option<&'a [u8]>,
    pub method: &'a str,
    pub url: Option<&'a str>,
    pub secret: &'a [u8],
}

/// A template input the request does not have.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    #[error("header {0} is missing")]
    MissingHeader(String),
    #[error("the timestamp is missing")]
    MissingTimestamp,
    #[error("the message id is missing")]
    MissingId,
    #[error("the URL the sender used is unknown (set public_url or pass --url)")]
    MissingUrl,
    #[error("the body has no JSON value at {0}")]
    MissingJson(String),
}

impl Template {
    /// Parse a template string.
    pub fn parse(s: &str) -> Result<Self, String> {
        let mut tokens = Vec::new();
        let mut lit = Vec::new();
        let mut rest = s;
        while let Some(c) = rest.chars().next() {
            if rest.starts_with("{{") || rest.starts_with("}}") {
                lit.push(c as u8);
                rest = &rest[2..];
            } else if c == '{' {
                let end = rest
                    .find('}')
                    .ok_or_else(|| format!("unclosed `{{` in {s:?}"))?;
                let name = &rest[1..end];
                let token = match name {
                    "body" => Token::Body,
                    "timestamp" => Token::Timestamp,
                    "id" => Token::Id,
                    "method" => Token::Method,
                    "url" => Token::Url,
                    "form_sorted" => Token::FormSorted,
                    "secret" => Token::Secret,
                    _ => {
                        if let Some(h) = name.strip_prefix("header:") {
                            Token::Header(h.to_ascii_lowercase())
                        } else if let Some(p) = name.strip_prefix("json:") {
                            Token::Json(p.to_string())
                        } else {
                            return Err(format!("unknown token {{{name}}}"));
                        }
                    }
                };
                if !lit.is_empty() {
                    tokens.push(Token::Literal(std::mem::take(&mut lit)));
                }
                tokens.push(token);
                rest = &rest[end + 1..];
            } else if c == '}' {
                return Err(format!("stray `}}` in {s:?}"));
            } else {
                lit.extend_from_slice(c.to_string().as_bytes());
                rest = &rest[c.len_utf8()..];
            }
        }
        if !lit.is_empty() {
            tokens.push(Token::Literal(lit));
        }
        Ok(Template { tokens })
    }

    /// Whether `{timestamp}` appears.
    pub fn uses_timestamp(&self) -> bool {
        self.tokens.contains(&Token::Timestamp)
    }

    /// Whether `{url}` appears.
    pub fn uses_url(&self) -> bool {
        self.tokens.contains(&Token::Url)
    }

    /// Whether `{secret}` appears (the message then must never be shown in clear).
    pub fn uses_secret(&self) -> bool {
        self.tokens.contains(&Token::Secret)
    }

    /// Build the signed message.
    pub fn render(&self, input: &RenderInput<'_>) -> Result<Vec<u8>, RenderError> {
        self.render_inner(input, false)
    }

    /// Build the message for display: `{secret}` shows as `«secret»`.
    pub fn render_masked(&self, input: &RenderInput<'_>) -> Result<Vec<u8>, RenderError> {
        self.render_inner(input, true)
    }

    fn render_inner(&self, input: &RenderInput<'_>, mask: bool) -> Result<Vec<u8>, RenderError> {
        let mut out = Vec::with_capacity(input.body.len() + 64);
        let mut json: Option<Option<Value>> = None;
        for t in &self.tokens {
            match t {
                Token::Literal(l) => out.extend_from_slice(l),
                Token::Body => out.extend_from_slice(input.body),
                Token::Timestamp => out.extend_from_slice(
                    input
                        .timestamp
                        .ok_or(RenderError::MissingTimestamp)?
                        .as_bytes(),
                ),
                Token::Id => out.extend_from_slice(input.id.ok_or(RenderError::MissingId)?),
                Token::Header(h) => out.extend_from_slice(
                    (input.header)(h).ok_or_else(|| RenderError::MissingHeader(h.clone()))?,
                ),
                Token::Method => out.extend_from_slice(input.method.as_bytes()),
                Token::Url => {
                    out.extend_from_slice(input.url.ok_or(RenderError::MissingUrl)?.as_bytes())
                }
                Token::Json(path) => {
                    let v = json.get_or_insert_with(|| serde_json::from_slice(input.body).ok());
                    let text = v
                        .as_ref()
                        .and_then(|v| json_text(v, path))
                        .ok_or_else(|| RenderError::MissingJson(path.clone()))?;
                    out.extend_from_slice(text.as_bytes());
                }
                Token::FormSorted => out.extend_from_slice(form_sorted(input.body).as_bytes()),
                Token::Secret => {
                    if mask {
                        out.extend_from_slice("«secret»".as_bytes());
                    } else {
                        out.extend_from_slice(input.secret);
                    }
                }
            }
        }
        Ok(out)
    }
}

/// The value at a dotted path as text: strings unquoted, numbers and booleans as written.
pub fn json_text(v: &Value, path: &str) -> Option<String> {
    let mut cur = v;
    for part in path.split('.') {
        cur = match cur {
            Value::Object(m) => m.get(part)?,
            Value::Array(a) => a.get(part.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    match cur {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The value at a dotted path of a JSON body, parsed on demand.
pub fn json_body_text(body: &[u8], path: &str) -> Option<String> {
    let first = body.iter().find(|b| !b.is_ascii_whitespace())?;
    if *first != b'{' && *first != b'[' {
        return None;
    }
    json_text(&serde_json::from_slice(body).ok()?, path)
}

/// Twilio's form rule: parameters URL-decoded, sorted by name; each name's values sorted and
/// de-duplicated; `name` + `value` concatenated with no separators.
pub fn form_sorted(body: &[u8]) -> String {
    let mut params: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> =
        Default::default();
    for (k, v) in form_urlencoded::parse(body) {
        params
            .entry(k.into_owned())
            .or_default()
            .insert(v.into_owned());
    }
    let mut out = String::new();
    for (k, vs) in params {
        for v in vs {
            out.push_str(&k);
            out.push_str(&v);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_tokens_and_literals() {
        let t = Template::parse("v0:{timestamp}:{body}").unwrap();
        assert_eq!(
            t.tokens,
            vec![
                Token::Literal(b"v0:".to_vec()),
                Token::Timestamp,
                Token::Literal(b":".to_vec()),
                Token::Body
            ]
        );
        let t = Template::parse("{header:Webhook-Id}.{json:a.b}{{x}}").unwrap();
        assert_eq!(t.tokens[0], Token::Header("webhook-id".into()));
        assert_eq!(t.tokens[2], Token::Json("a.b".into()));
        assert_eq!(t.tokens[3], Token::Literal(b"{x}".to_vec()));
    }

    #[test]
    fn rejects_bad_templates() {
        assert!(
            Template::parse("{nope}")
                .unwrap_err()
                .contains("unknown token")
        );
        assert!(Template::parse("{body").unwrap_err().contains("unclosed"));
        assert!(Template::parse("body}").unwrap_err().contains("stray"));
    }

    #[test]
    fn form_sorted_sorts_and_dedupes() {
        assert_eq!(
            form_sorted(b"Sid=CA123&SidAccount=AC123&Digits=5678&Digits=1234&Digits=1234"),
            "Digits1234Digits5678SidCA123SidAccountAC123"
        );
        assert_eq!(form_sorted(b"From=%2B1+2"), "From+1 2");
    }

    #[test]
    fn json_paths() {
        let v: Value = serde_json::from_str(r#"{"a":{"b":"x","n":17,"l":[1,"y"]}}"#).unwrap();
        assert_eq!(json_text(&v, "a.b").as_deref(), Some("x"));
        assert_eq!(json_text(&v, "a.n").as_deref(), Some("17"));
        assert_eq!(json_text(&v, "a.l.1").as_deref(), Some("y"));
        assert_eq!(json_text(&v, "a.z"), None);
        assert_eq!(json_body_text(b"not json", "a"), None);
    }
}
