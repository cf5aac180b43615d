//! Signed-message templates: `v0:{timestamp}:{body}`, `{method}{url}{body}{timestamp}`, …
//!
//! Tokens: `{body}` raw body bytes, `{timestamp}` the timestamp exactly as sent, `{id}` the
//! message id, `{header:NAME}`, `{method}`, `{url}` the full URL the sender used, `{path}` the
//! path and query as received, `{path_encoded}` the same as JavaScript's
//! `encodeURI(path + "?" + querystring.escape(query))` writes it, `{signed_headers:NAME}` the
//! headers the NAME header lists as `name:value` pairs (names lower-case, values trimmed, sorted
//! by name, joined with `;`), `{json:PATH}` a value from the JSON body (`{json?:PATH}`: empty
//! when absent), `{form:NAME}` a decoded field of a form body, `{form_sorted}` Twilio's sorted
//! form parameters, `{secret}` the secret itself (plain-hash schemes). `{{` and `}}` are
//! literal braces.

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
    Path,
    PathEncoded,
    SignedHeaders(String),
    Json(String),
    JsonOrEmpty(String),
    Form(String),
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
    /// Path plus `?query` as received.
    pub path_and_query: &'a str,
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
    #[error("the form body has no field {0}")]
    MissingForm(String),
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
                    "path" => Token::Path,
                    "path_encoded" => Token::PathEncoded,
                    "form_sorted" => Token::FormSorted,
                    "secret" => Token::Secret,
                    _ => {
                        if let Some(h) = name.strip_prefix("header:") {
                            Token::Header(h.to_ascii_lowercase())
                        } else if let Some(h) = name.strip_prefix("signed_headers:") {
                            Token::SignedHeaders(h.to_ascii_lowercase())
                        } else if let Some(p) = name.strip_prefix("json:") {
                            Token::Json(p.to_string())
                        } else if let Some(p) = name.strip_prefix("json?:") {
                            Token::JsonOrEmpty(p.to_string())
                        } else if let Some(f) = name.strip_prefix("form:") {
                            Token::Form(f.to_string())
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
                Token::Path => out.extend_from_slice(input.path_and_query.as_bytes()),
                Token::PathEncoded => {
                    out.extend_from_slice(js_encoded_path(input.path_and_query).as_bytes())
                }
                Token::SignedHeaders(list) => {
                    let names = (input.header)(list)
                        .ok_or_else(|| RenderError::MissingHeader(list.clone()))?;
                    out.extend_from_slice(signed_headers(names, input.header).as_bytes());
                }
                Token::Json(path) | Token::JsonOrEmpty(path) => {
                    let v = json.get_or_insert_with(|| serde_json::from_slice(input.body).ok());
                    match v.as_ref().and_then(|v| json_text(v, path)) {
                        Some(text) => out.extend_from_slice(text.as_bytes()),
                        None if matches!(t, Token::JsonOrEmpty(_)) => {}
                        None => return Err(RenderError::MissingJson(path.clone())),
                    }
                }
                Token::Form(name) => {
                    let value = form_urlencoded::parse(input.body)
                        .find(|(k, _)| k == name.as_str())
                        .ok_or_else(|| RenderError::MissingForm(name.clone()))?
                        .1;
                    out.extend_from_slice(value.as_bytes());
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

/// `name:value` for each header a list header names (lower-cased, trimmed, sorted by name;
/// names the request lacks are left out), joined with `;`.
fn signed_headers<'a>(list: &[u8], header: &dyn Fn(&str) -> Option<&'a [u8]>) -> String {
    let mut pairs: Vec<(String, String)> = String::from_utf8_lossy(list)
        .split(',')
        .map(|n| n.trim().to_ascii_lowercase())
        .filter(|n| !n.is_empty())
        .filter_map(|n| {
            let v = header(&n)?;
            Some((n, String::from_utf8_lossy(v).trim().to_string()))
        })
        .collect();
    pairs.sort();
    pairs.dedup();
    pairs
        .iter()
        .map(|(n, v)| format!("{n}:{v}"))
        .collect::<Vec<_>>()
        .join(";")
}

/// JavaScript's `encodeURI(path + "?" + querystring.escape(query))` (no `?` without a query).
pub fn js_encoded_path(path_and_query: &str) -> String {
    // encodeURIComponent / querystring.escape keep these; encodeURI also keeps the reserved set.
    const UNRESERVED: &[u8] = b"-_.!~*'()";
    const RESERVED: &[u8] = b";,/?:@&=+$#";
    fn escape(s: &[u8], keep: impl Fn(u8) -> bool) -> String {
        let mut out = String::with_capacity(s.len());
        for &b in s {
            if keep(b) {
                out.push(b as char);
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        out
    }
    let plain = |b: u8| b.is_ascii_alphanumeric() || UNRESERVED.contains(&b);
    let joined = match path_and_query.split_once('?') {
        Some((path, query)) if !query.is_empty() => {
            format!("{path}?{}", escape(query.as_bytes(), plain))
        }
        Some((path, _)) => path.to_string(),
        None => path_and_query.to_string(),
    };
    escape(joined.as_bytes(), |b| plain(b) || RESERVED.contains(&b))
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
    fn new_tokens_render() {
        let t = Template::parse(
            "{method}\n{path_encoded}\n{signed_headers:x-list}\n{json?:a.z}|{json?:a.b}|{form:f}|{path}",
        )
        .unwrap();
        let headers = [
            ("x-list", &b"x-b, X-A,x-list,x-none"[..]),
            ("x-a", b" 1 "),
            ("x-b", b"2"),
        ];
        let header = |n: &str| headers.iter().find(|(k, _)| *k == n).map(|(_, v)| *v);
        let input = RenderInput {
            body: b"f=a%26b",
            timestamp: None,
            id: None,
            header: &header,
            method: "POST",
            url: None,
            path_and_query: "/p q?a=1&b",
            secret: b"",
        };
        assert_eq!(
            String::from_utf8(t.render(&input).unwrap()).unwrap(),
            "POST\n/p%20q?a%253D1%2526b\nx-a:1;x-b:2;x-list:x-b, X-A,x-list,x-none\n||a&b|/p q?a=1&b"
        );
        let missing = Template::parse("{form:g}").unwrap();
        assert_eq!(
            missing.render(&input),
            Err(RenderError::MissingForm("g".into()))
        );
    }

    #[test]
    fn js_encoding_matches_node() {
        // Node: encodeURI("/api/resources?" + querystring.escape("q=1&w=2"))
        assert_eq!(
            js_encoded_path("/api/resources?q=1&w=2"),
            "/api/resources?q%253D1%2526w%253D2"
        );
        assert_eq!(js_encoded_path("/a/b-c_d.e~f"), "/a/b-c_d.e~f");
        assert_eq!(js_encoded_path("/é"), "/%C3%A9");
        assert_eq!(js_encoded_path("/x?"), "/x");
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
