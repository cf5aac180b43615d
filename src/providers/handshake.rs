//! Endpoint handshakes as data: how a provider checks that an endpoint is really the one it
//! was given (a challenge to echo, a token to MAC, a status to return), written in a provider's
//! `[challenge]` table. `capture` answers them; this module only reads requests and builds
//! answers, and never touches the stored bytes.
//!
//! ```toml
//! [challenge]
//! method = "GET"
//! value = "query:crc_token"           # query:NAME, header:NAME, json:PATH or form:NAME
//! requires = "secret"                 # verified | secret | nothing
//! json = [["response_token", "sha256={mac_base64}"]]
//! ```
//!
//! Answer templates know `{value}` (the challenge value), `{mac_hex}` and `{mac_base64}` (the
//! `mac` of the value keyed with the secret's UTF-8 bytes) and `{value_fp}` (the value's
//! fingerprint, for notes: a value that is itself a secret is never written out).

use super::detect::{may_have_key, may_have_text};
use super::scheme::Algorithm;
use crate::delivery::Delivery;
use serde::Deserialize;
use serde_json::Value;

/// A provider's handshake.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChallengeSpec {
    /// The handshake's name as the provider's docs call it (`endpoint.url_validation`).
    #[serde(default)]
    pub name: Option<String>,
    /// When the provider sends it (`when you save the URL`), for the setup card.
    #[serde(default)]
    pub sent: Option<String>,
    /// The request method it comes with (`GET`, `POST`, `HEAD`); any when absent.
    #[serde(default)]
    pub method: Option<String>,
    /// Where the challenge value is; it must be present for the handshake to match.
    #[serde(default)]
    pub value: Option<Field>,
    /// Fields that must hold exactly these values (`[["json:type", "url_verification"]]`).
    #[serde(default)]
    pub when: Vec<(Field, String)>,
    /// A field that must equal one of the provider's configured secrets (a verify token).
    #[serde(default)]
    pub token: Option<Field>,
    /// What must hold before hookscope answers.
    pub requires: Requirement,
    /// Status of the answer.
    #[serde(default = "ok")]
    pub status: u16,
    /// Status to answer when the delivery fails verification (instead of not answering).
    #[serde(default)]
    pub failed_status: Option<u16>,
    /// A `text/plain` body.
    #[serde(default)]
    pub text: Option<String>,
    /// Or: a JSON object body, fields in this order.
    #[serde(default)]
    pub json: Vec<(String, String)>,
    /// Response headers (`[["X-Hook-Secret", "{value}"]]`).
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// Adds `X-Content-Type-Options: nosniff`.
    #[serde(default)]
    pub nosniff: bool,
    /// The MAC behind `{mac_hex}` / `{mac_base64}`.
    #[serde(default = "hmac_sha256")]
    pub mac: Algorithm,
    /// Said to the user when hookscope answered (the delivery's hints).
    #[serde(default)]
    pub note: Option<String>,
}

fn ok() -> u16 {
    200
}

fn hmac_sha256() -> Algorithm {
    Algorithm::HmacSha256
}

/// What must hold before a handshake is answered.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Requirement {
    /// The delivery verifies with a configured secret (a signed handshake).
    Verified,
    /// The provider has a secret configured (an unsigned handshake: the user opted in).
    Secret,
    /// Nothing, but only while hookscope is the endpoint (no `--forward`): the handshake hands
    /// over the secret itself, so the app behind a forward must see it.
    Nothing,
}

/// A request field: `query:NAME`, `header:NAME`, `json:PATH` or `form:NAME`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub enum Field {
    Query(String),
    Header(String),
    Json(String),
    Form(String),
}

impl TryFrom<String> for Field {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        let (kind, name) = s.split_once(':').ok_or_else(|| {
            format!("{s:?}: write query:NAME, header:NAME, json:PATH or form:NAME")
        })?;
        if name.is_empty() {
            return Err(format!("{s:?}: the name is empty"));
        }
        Ok(match kind {
            "query" => Field::Query(name.to_string()),
            "header" => Field::Header(name.to_ascii_lowercase()),
            "json" => Field::Json(name.to_string()),
            "form" => Field::Form(name.to_string()),
            _ => {
                return Err(format!(
                    "{s:?}: unknown field kind {kind:?} (query, header, json, form)"
                ));
            }
        })
    }
}

impl Field {
    /// A cheap test that can only rule a value out: a JSON field can hold a string `want` only
    /// when its text is in the body, and an empty array or object only when the body has one
    /// (other arrays, objects and numbers can be written in many ways: not ruled out).
    fn may_be(&self, d: &Delivery, want: &str) -> bool {
        if !matches!(self, Field::Json(_)) {
            return true;
        }
        match want.as_bytes() {
            [open @ (b'[' | b'{'), close] => may_have_empty(&d.body, *open, *close),
            [b'[' | b'{' | b'-' | b'0'..=b'9', ..] => true,
            _ => may_have_text(&d.body, want),
        }
    }

    /// The field's value in a request: query and form values decoded, header values trimmed,
    /// JSON scalars as written (strings unquoted), arrays and objects as compact JSON.
    pub fn read(&self, d: &Delivery) -> Option<String> {
        match self {
            Field::Query(n) => form_urlencoded::parse(d.query.as_bytes())
                .find(|(k, _)| k == n)
                .map(|(_, v)| v.into_owned()),
            Field::Header(n) => d.header_str(n).map(|v| v.trim().to_string()),
            Field::Form(n) => form_urlencoded::parse(&d.body)
                .find(|(k, _)| k == n)
                .map(|(_, v)| v.into_owned()),
            Field::Json(path) => {
                let first = d.body.iter().find(|b| !b.is_ascii_whitespace())?;
                // The body is parsed only when it can hold the key (most deliveries cannot).
                if (*first != b'{' && *first != b'[') || !may_have_key(&d.body, path) {
                    return None;
                }
                let v: Value = serde_json::from_slice(&d.body).ok()?;
                let at = path.split('.').try_fold(&v, |cur, part| match cur {
                    Value::Object(m) => m.get(part),
                    Value::Array(a) => a.get(part.parse::<usize>().ok()?),
                    _ => None,
                })?;
                Some(match at {
                    Value::String(s) => s.clone(),
                    Value::Null => return None,
                    other => other.to_string(),
                })
            }
        }
    }
}

/// Whether the body has `open`, optional whitespace, then `close` (an empty array or object).
fn may_have_empty(body: &[u8], open: u8, close: u8) -> bool {
    memchr::memchr_iter(open, body).any(|at| {
        body[at + 1..]
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            .is_some_and(|b| *b == close)
    })
}

/// The answer a handshake gets, built from the spec.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    /// `None` for an empty body.
    pub content_type: Option<&'static str>,
    pub body: Vec<u8>,
    pub headers: Vec<(String, String)>,
    /// Said to the user (the delivery's hints).
    pub note: Option<String>,
}

impl ChallengeSpec {
    /// Check the fields that can be wrong.
    pub fn check(&self) -> Result<(), String> {
        if self.text.is_some() && !self.json.is_empty() {
            return Err("give `text` or `json`, not both".into());
        }
        if !matches!(
            self.mac,
            Algorithm::HmacMd5
                | Algorithm::HmacSha1
                | Algorithm::HmacSha256
                | Algorithm::HmacSha512
        ) {
            return Err(format!("mac: {} is not a MAC", self.mac.name()));
        }
        let templates = self
            .text
            .iter()
            .chain(self.json.iter().map(|(_, v)| v))
            .chain(self.headers.iter().map(|(_, v)| v))
            .chain(self.note.iter());
        for t in templates {
            let mut rest = t.as_str();
            while let Some(start) = rest.find('{') {
                let end = rest[start..]
                    .find('}')
                    .ok_or_else(|| format!("unclosed `{{` in {t:?}"))?;
                let name = &rest[start + 1..start + end];
                if !TOKENS.contains(&name) {
                    return Err(format!(
                        "unknown token {{{name}}} in {t:?} (value, mac_hex, mac_base64, value_fp)"
                    ));
                }
                if self.value.is_none() {
                    return Err(format!("{t:?} uses {{{name}}} but there is no `value`"));
                }
                rest = &rest[start + end + 1..];
            }
        }
        Ok(())
    }

    /// The handshake's name, or what it is when the provider's docs give it none.
    pub fn label(&self) -> String {
        match (&self.name, &self.method) {
            (Some(n), _) => n.clone(),
            (None, Some(m)) => format!("the verification {m}"),
            (None, None) => "the endpoint check".to_string(),
        }
    }

    /// Whether a request is this handshake: method, conditions and value all there. A JSON
    /// condition's string value must appear in the body before the body is parsed: an ordinary
    /// event of a provider with a handshake costs a scan, not a parse.
    pub fn matches(&self, d: &Delivery) -> bool {
        self.method
            .as_deref()
            .is_none_or(|m| d.method.eq_ignore_ascii_case(m))
            && self
                .when
                .iter()
                .all(|(f, want)| f.may_be(d, want) && f.read(d).is_some_and(|v| v == *want))
            && self.value.as_ref().is_none_or(|f| f.read(d).is_some())
            && self.token.as_ref().is_none_or(|f| f.read(d).is_some())
    }

    /// The answer for a matching request; `key` keys the MAC tokens; `failed` selects
    /// `failed_status` with an empty body.
    pub fn answer(&self, d: &Delivery, key: &[u8], failed: bool) -> Answer {
        if failed {
            return Answer {
                status: self.failed_status.unwrap_or(401),
                content_type: None,
                body: Vec::new(),
                headers: Vec::new(),
                note: None,
            };
        }
        let value = self
            .value
            .as_ref()
            .and_then(|f| f.read(d))
            .unwrap_or_default();
        let fill = |t: &str| fill(t, &value, self.mac, key);
        let (content_type, body) = match (&self.text, self.json.is_empty()) {
            (Some(t), _) => (Some("text/plain"), fill(t).into_bytes()),
            (None, false) => {
                let mut m = serde_json::Map::new();
                for (k, t) in &self.json {
                    m.insert(k.clone(), Value::String(fill(t)));
                }
                (
                    Some("application/json"),
                    Value::Object(m).to_string().into_bytes(),
                )
            }
            (None, true) => (None, Vec::new()),
        };
        let mut headers: Vec<(String, String)> = self
            .headers
            .iter()
            .map(|(n, t)| (n.clone(), fill(t)))
            .collect();
        if self.nosniff {
            headers.push(("X-Content-Type-Options".into(), "nosniff".into()));
        }
        Answer {
            status: self.status,
            content_type,
            body,
            headers,
            note: self.note.as_deref().map(fill),
        }
    }
}

const TOKENS: [&str; 4] = ["value", "mac_hex", "mac_base64", "value_fp"];

/// Replace the answer tokens in a template (token text inside `value` is left alone).
fn fill(template: &str, value: &str, mac: Algorithm, key: &[u8]) -> String {
    use base64::Engine as _;
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('}') else {
            break;
        };
        let name = &rest[start + 1..start + end];
        let tag = || crate::crypto::compute(mac, key, value.as_bytes()).unwrap_or_default();
        match name {
            "value" => out.push_str(value),
            "mac_hex" => out.push_str(&hex::encode(tag())),
            "mac_base64" => out.push_str(&base64::engine::general_purpose::STANDARD.encode(tag())),
            "value_fp" => out.push_str(&crate::secret::fingerprint(value.as_bytes())),
            other => {
                out.push('{');
                out.push_str(other);
                out.push('}');
            }
        }
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(toml_text: &str) -> ChallengeSpec {
        toml::from_str(toml_text).unwrap()
    }

    #[test]
    fn fields_parse_and_read() {
        let d = Delivery {
            method: "POST".into(),
            query: "a=x%20y&b=2".into(),
            headers: vec![("x-h".into(), b" v ".to_vec())],
            body: bytes::Bytes::from_static(br#"{"o":{"l":[1,{"s":"t"}],"e":[]}}"#),
            ..Default::default()
        };
        let read = |s: &str| Field::try_from(s.to_string()).unwrap().read(&d);
        assert_eq!(read("query:a").as_deref(), Some("x y"));
        assert_eq!(read("header:X-H").as_deref(), Some("v"));
        assert_eq!(read("json:o.l.1.s").as_deref(), Some("t"));
        assert_eq!(read("json:o.l.0").as_deref(), Some("1"));
        assert_eq!(read("json:o.e").as_deref(), Some("[]"));
        assert_eq!(read("json:o.z"), None);
        assert!(Field::try_from("cookie:x".to_string()).is_err());
        assert!(Field::try_from("query".to_string()).is_err());
    }

    #[test]
    fn json_conditions_rule_out_bodies_without_parsing_them_only_when_sure() {
        let body = |b: &'static [u8]| Delivery {
            body: bytes::Bytes::from_static(b),
            ..Default::default()
        };
        let f = Field::Json("event".into());
        let zoom = "endpoint.url_validation";
        assert!(!f.may_be(&body(br#"{"event":"meeting.started"}"#), zoom));
        assert!(f.may_be(&body(br#"{"event":"endpoint.url_validation"}"#), zoom));
        // An escape could spell it: not ruled out.
        assert!(f.may_be(&body(br#"{"event":"endpoint\u002eurl_validation"}"#), zoom));
        let events = Field::Json("events".into());
        assert!(!events.may_be(&body(br#"{"events":[{"a":1}]}"#), "[]"));
        assert!(events.may_be(&body(b"{\"events\": [ \n ]}"), "[]"));
        // Numbers are not ruled out (1e0 reads as 1.0).
        assert!(f.may_be(&body(br#"{"event":1e0}"#), "1.0"));
        // Other kinds of field are always read.
        assert!(Field::Query("x".into()).may_be(&body(b""), "y"));
    }

    #[test]
    fn bad_specs_are_refused() {
        let s = spec("requires = \"secret\"\ntext = \"{value}\"");
        assert!(s.check().unwrap_err().contains("no `value`"));
        let s = spec("requires = \"secret\"\nvalue = \"query:x\"\ntext = \"{nope}\"");
        assert!(s.check().unwrap_err().contains("unknown token"));
        let s = spec(
            "requires = \"secret\"\nvalue = \"query:x\"\ntext = \"a\"\njson = [[\"a\", \"b\"]]",
        );
        assert!(s.check().is_err());
        let s = spec("requires = \"secret\"\nmac = \"ed25519\"");
        assert!(s.check().unwrap_err().contains("not a MAC"));
    }

    #[test]
    fn answers_fill_tokens_but_not_inside_the_value() {
        let s = spec(
            "requires = \"secret\"\nvalue = \"query:v\"\njson = [[\"a\", \"{value}\"], [\"m\", \"x={mac_hex}\"]]\nheaders = [[\"H\", \"{value}\"]]\nnote = \"fp {value_fp}\"",
        );
        s.check().unwrap();
        let d = Delivery {
            method: "GET".into(),
            query: "v=%7Bmac_hex%7D".into(),
            ..Default::default()
        };
        assert!(s.matches(&d));
        let a = s.answer(&d, b"k", false);
        let mac =
            hex::encode(crate::crypto::compute(Algorithm::HmacSha256, b"k", b"{mac_hex}").unwrap());
        assert_eq!(
            String::from_utf8(a.body).unwrap(),
            format!(r#"{{"a":"{{mac_hex}}","m":"x={mac}"}}"#)
        );
        assert_eq!(a.headers, vec![("H".to_string(), "{mac_hex}".to_string())]);
        assert_eq!(
            a.note.unwrap(),
            format!("fp {}", crate::secret::fingerprint(b"{mac_hex}"))
        );
        let failed = s.answer(&d, b"k", true);
        assert_eq!((failed.status, failed.body.len()), (401, 0));
    }
}
