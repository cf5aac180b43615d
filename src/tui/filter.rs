//! The filter language of the dashboard's `/` and `export --filter` (docs/filters.md): a query
//! of space-separated terms, all of which must match a row.
//!
//! - `failed`, `verified`, `unverified`: the verdict; `rejected`: refused by the listener
//! - `GET`, `POST`, … (any case): the method; a three-digit number: the response status
//! - `path:TEXT`, `provider:TEXT` (`p:`), `method:M`, `status:N`, `verdict:V`, `body:TEXT`
//! - any other word: path or provider contains it (case-insensitive), or the body text does
//! - a leading `!` negates a term
//!
//! An unknown `field:` or a bad value is a [`FilterError`] naming the term, one sentence.
//!
//! Row fields are matched without allocating, so 100,000 rows filter in milliseconds. Body text is
//! only searched in the bodies the dashboard holds (see [`BodyCache`]).

use crate::delivery::Summary;
use crate::verify::Verdict;
use bytes::Bytes;
use std::collections::{HashMap, VecDeque};

const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

#[derive(Clone, Debug, PartialEq, Eq)]
enum Field {
    Verdict(Verdict),
    Rejected,
    Method(String),
    Status(u16),
    Path(String),
    Provider(String),
    Body(String),
    /// Path, provider or body.
    Text(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Term {
    negated: bool,
    field: Field,
}

/// A parsed filter.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Query {
    terms: Vec<Term>,
}

/// Why filter text is not a query: one sentence naming the term.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FilterError(String);

/// The fields a `field:value` term may name.
pub const FIELDS: &str = "path, provider (p), method (m), status (s), verdict (v), body (b)";

impl Query {
    /// Parse filter text. Words without a `field:` are free text; an unknown field or a bad
    /// value is an error naming the term.
    pub fn parse(text: &str) -> Result<Query, FilterError> {
        let mut terms = Vec::new();
        for word in text.split_whitespace() {
            let (negated, bare) = match word.strip_prefix('!') {
                Some(w) => (true, w),
                None => (false, word),
            };
            if bare.is_empty() {
                return Err(FilterError(format!(
                    "\"{word}\" negates nothing: write ! right before a term, as in !failed"
                )));
            }
            terms.push(Term {
                negated,
                field: field(bare)?,
            });
        }
        Ok(Query { terms })
    }

    /// Whether the query has no terms.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Whether any term looks into bodies.
    pub fn searches_bodies(&self) -> bool {
        self.terms
            .iter()
            .any(|t| matches!(t.field, Field::Body(_) | Field::Text(_)))
    }

    /// Whether a row matches; `body` is its body when the dashboard holds it.
    pub fn matches(&self, s: &Summary, body: Option<&[u8]>) -> bool {
        self.terms.iter().all(|t| t.matches(s, body) != t.negated)
    }
}

/// A SQL condition over `deliveries d` (and `payloads p` when [`Query::searches_bodies`]) that
/// keeps exactly the rows [`Query::matches`] keeps, with its parameters in order.
impl Query {
    /// The condition in SQLite's dialect (`?` placeholders).
    pub fn to_sql(&self) -> (String, Vec<rusqlite::types::Value>) {
        self.sql_in(Dialect::Sqlite)
    }

    /// The condition in PostgreSQL's dialect, still with `?` placeholders (the PostgreSQL store
    /// numbers them). Text columns there use the "C" collation, so `lower` folds ASCII only, as
    /// SQLite's does; a body is matched through its `escape` encoding, the needle encoded alike
    /// (see [`escaped_body_condition`]: a match may not start inside an escape).
    pub fn to_sql_postgres(&self) -> (String, Vec<rusqlite::types::Value>) {
        self.sql_in(Dialect::Postgres)
    }

    fn sql_in(&self, dialect: Dialect) -> (String, Vec<rusqlite::types::Value>) {
        use rusqlite::types::Value;
        let pg = dialect == Dialect::Postgres;
        let body = |needle: &str, params: &mut Vec<Value>| {
            if pg {
                escaped_body_condition(needle, params)
            } else {
                params.push(Value::Text(needle.to_string()));
                "coalesce(instr(CAST(lower(CAST(p.body AS TEXT)) AS BLOB), CAST(? AS BLOB)) > 0, 0)"
                    .to_string()
            }
        };
        let contains = |column: &str| {
            if pg {
                format!("strpos(lower({column}), ?) > 0")
            } else {
                format!("instr(lower({column}), ?) > 0")
            }
        };
        let mut params = Vec::new();
        let mut parts = Vec::new();
        for t in &self.terms {
            let text = |s: &str| Value::Text(s.to_string());
            let cond = match &t.field {
                Field::Verdict(v) => {
                    params.push(text(v.as_str()));
                    "d.verdict = ?".to_string()
                }
                Field::Rejected => "d.rejected IS NOT NULL".to_string(),
                Field::Method(m) => {
                    params.push(text(m));
                    "upper(d.method) = ?".to_string()
                }
                Field::Status(n) => {
                    params.push(Value::Integer(i64::from(*n)));
                    if pg {
                        "coalesce(d.status = ?, false)".to_string()
                    } else {
                        "coalesce(d.status = ?, 0)".to_string()
                    }
                }
                Field::Path(x) => {
                    params.push(text(x));
                    contains("d.path")
                }
                Field::Provider(x) => {
                    params.push(text(x));
                    contains("coalesce(d.provider, '')")
                }
                Field::Body(x) => body(x, &mut params),
                Field::Text(x) => {
                    params.extend([text(x), text(x)]);
                    format!(
                        "({} OR {} OR {})",
                        contains("d.path"),
                        contains("coalesce(d.provider, '')"),
                        body(x, &mut params)
                    )
                }
            };
            parts.push(if t.negated {
                format!("NOT ({cond})")
            } else {
                cond
            });
        }
        if parts.is_empty() {
            let all = if pg { "TRUE" } else { "1" };
            return (all.into(), params);
        }
        (parts.join(" AND "), params)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Dialect {
    Sqlite,
    Postgres,
}

/// PostgreSQL: the body contains `needle` (ASCII case folded), pushing its parameters.
///
/// The body is searched as `encode(body, 'escape')` text, whose tokens are a plain byte, `\\`
/// (one backslash) or `\ooo` (a zero or high byte, octal). The needle, encoded alike, is whole
/// tokens, so a match that starts on a token boundary is a real one; only a needle that starts
/// with an octal digit or a backslash could also match from inside a token (`312` inside `\312`,
/// the byte 0xCA). For those, a regular expression also checks that whole tokens lead up to the
/// match.
fn escaped_body_condition(needle: &str, params: &mut Vec<rusqlite::types::Value>) -> String {
    use rusqlite::types::Value;
    let encoded = escape_encoded(needle.as_bytes());
    let found = "strpos(lower(encode(p.body, 'escape')), ?) > 0";
    params.push(Value::Text(encoded.clone()));
    if !encoded.starts_with(|c: char| matches!(c, '0'..='7' | '\\')) {
        return format!("coalesce({found}, false)");
    }
    let mut re = String::from(r"^(?:[^\\]|\\\\|\\[0-7]{3})*");
    for c in encoded.chars() {
        if !c.is_ascii_alphanumeric() {
            re.push('\\');
        }
        re.push(c);
    }
    params.push(Value::Text(re));
    format!("coalesce({found} AND lower(encode(p.body, 'escape')) ~ ?, false)")
}

/// Bytes as PostgreSQL's `encode(…, 'escape')` writes them: `\` doubled, zero and bytes with
/// the high bit set as `\ooo` (octal), the others as they are.
fn escape_encoded(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            b'\\' => out.push_str("\\\\"),
            0 | 0x80..=0xff => out.push_str(&format!("\\{b:03o}")),
            _ => out.push(b as char),
        }
    }
    out
}

fn field(word: &str) -> Result<Field, FilterError> {
    if let Some((k, v)) = word.split_once(':')
        && !k.is_empty()
        && k.bytes().all(|b| b.is_ascii_alphabetic())
    {
        let bad = |what: &str| Err(FilterError(format!("\"{word}\": {what}")));
        if v.is_empty() {
            return bad("the field has no value (write it right after the colon)");
        }
        return match k.to_ascii_lowercase().as_str() {
            "path" => Ok(Field::Path(v.to_ascii_lowercase())),
            "provider" | "p" => Ok(Field::Provider(v.to_ascii_lowercase())),
            "method" | "m" if v.bytes().all(|b| b.is_ascii_alphabetic()) => {
                Ok(Field::Method(v.to_ascii_uppercase()))
            }
            "method" | "m" => bad("a method is a word of letters, such as POST"),
            "status" | "s" => match v.parse::<u16>() {
                Ok(n) if (100..600).contains(&n) => Ok(Field::Status(n)),
                _ => bad("a status is a number from 100 to 599"),
            },
            "verdict" | "v" => match verdict(v) {
                Some(f) => Ok(f),
                None => bad("a verdict is verified, failed, unverified or rejected"),
            },
            "body" | "b" => Ok(Field::Body(v.to_ascii_lowercase())),
            _ => Err(FilterError(format!(
                "\"{word}\": unknown filter field \"{k}\" (fields: {FIELDS})"
            ))),
        };
    }
    if let Some(f) = verdict(word) {
        return Ok(f);
    }
    if METHODS.iter().any(|m| m.eq_ignore_ascii_case(word)) {
        return Ok(Field::Method(word.to_ascii_uppercase()));
    }
    if word.len() == 3
        && let Ok(n) = word.parse::<u16>()
        && (100..600).contains(&n)
    {
        return Ok(Field::Status(n));
    }
    Ok(Field::Text(word.to_ascii_lowercase()))
}

fn verdict(w: &str) -> Option<Field> {
    Some(match w.to_ascii_lowercase().as_str() {
        "failed" | "fail" | "failing" => Field::Verdict(Verdict::Failed),
        "verified" | "ok" => Field::Verdict(Verdict::Verified),
        "unverified" => Field::Verdict(Verdict::Unverified),
        "rejected" => Field::Rejected,
        _ => return None,
    })
}

impl Term {
    fn matches(&self, s: &Summary, body: Option<&[u8]>) -> bool {
        match &self.field {
            Field::Verdict(v) => s.verdict == *v,
            Field::Rejected => s.rejected,
            Field::Method(m) => s.method.eq_ignore_ascii_case(m),
            Field::Status(n) => s.status == Some(*n),
            Field::Path(p) => contains_ci(s.path.as_bytes(), p.as_bytes()),
            Field::Provider(p) => s
                .provider
                .as_deref()
                .is_some_and(|x| contains_ci(x.as_bytes(), p.as_bytes())),
            Field::Body(t) => body.is_some_and(|b| contains_ci(b, t.as_bytes())),
            Field::Text(t) => {
                contains_ci(s.path.as_bytes(), t.as_bytes())
                    || s.provider
                        .as_deref()
                        .is_some_and(|x| contains_ci(x.as_bytes(), t.as_bytes()))
                    || body.is_some_and(|b| contains_ci(b, t.as_bytes()))
            }
        }
    }
}

/// ASCII-case-insensitive substring test; `needle` is lower-case.
fn contains_ci(hay: &[u8], needle: &[u8]) -> bool {
    if needle.is_empty() {
        return true;
    }
    if needle.len() > hay.len() {
        return false;
    }
    let first = needle[0];
    let upper = first.to_ascii_uppercase();
    let last_start = hay.len() - needle.len();
    let mut i = 0;
    while i <= last_start {
        let c = hay[i];
        if (c == first || c == upper) && hay[i..i + needle.len()].eq_ignore_ascii_case(needle) {
            return true;
        }
        i += 1;
    }
    false
}

/// Bodies the dashboard holds for the filter's body-text search: those that arrived while it
/// runs and those the user opened, newest kept, at most [`BodyCache::BUDGET`] bytes in all and
/// [`BodyCache::MAX_ONE`] per body. Older stored bodies are not searched (they stay in the store).
#[derive(Clone, Debug, Default)]
pub struct BodyCache {
    map: HashMap<u64, Bytes>,
    order: VecDeque<u64>,
    bytes: usize,
}

impl BodyCache {
    /// Total bytes kept.
    pub const BUDGET: usize = 64 * 1024 * 1024;
    /// Largest single body kept.
    pub const MAX_ONE: usize = 4 * 1024 * 1024;

    /// Keep a body (cheap: `Bytes` shares the buffer).
    pub fn insert(&mut self, id: u64, body: &Bytes) {
        if body.is_empty() || body.len() > Self::MAX_ONE || self.map.contains_key(&id) {
            return;
        }
        self.map.insert(id, body.clone());
        self.order.push_back(id);
        self.bytes += body.len();
        while self.bytes > Self::BUDGET {
            let Some(old) = self.order.pop_front() else {
                break;
            };
            if let Some(b) = self.map.remove(&old) {
                self.bytes -= b.len();
            }
        }
    }

    /// The body of a delivery, when held.
    pub fn get(&self, id: u64) -> Option<&[u8]> {
        self.map.get(&id).map(|b| b.as_ref())
    }

    /// How many bodies are held.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether no body is held.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(
        method: &str,
        path: &str,
        provider: Option<&str>,
        verdict: Verdict,
        status: u16,
    ) -> Summary {
        Summary {
            id: 1,
            method: method.into(),
            path: path.into(),
            provider: provider.map(Into::into),
            verdict,
            status: Some(status),
            ..Summary::default()
        }
    }

    #[test]
    fn terms_match_their_fields() {
        let r = row(
            "POST",
            "/hooks/Stripe",
            Some("stripe"),
            Verdict::Failed,
            401,
        );
        let yes = [
            "failed",
            "post",
            "401",
            "stripe",
            "hooks",
            "STRIPE",
            "path:/hooks",
            "p:str",
            "!verified",
            "failed post",
        ];
        for q in yes {
            assert!(Query::parse(q).unwrap().matches(&r, None), "{q}");
        }
        let no = [
            "verified",
            "get",
            "200",
            "zoom",
            "!failed",
            "failed get",
            "body:stripe",
            "status:200",
            "rejected",
        ];
        for q in no {
            assert!(!Query::parse(q).unwrap().matches(&r, None), "{q}");
        }
    }

    #[test]
    fn free_text_and_body_terms_search_held_bodies() {
        let r = row("POST", "/x", None, Verdict::Unverified, 200);
        let q = Query::parse("invoice.paid").unwrap();
        assert!(q.searches_bodies());
        assert!(!q.matches(&r, None));
        assert!(q.matches(&r, Some(br#"{"type":"Invoice.Paid"}"#)));
        assert!(
            Query::parse("body:paid")
                .unwrap()
                .matches(&r, Some(b"paid"))
        );
        assert!(!Query::parse("failed").unwrap().searches_bodies());
    }

    #[test]
    fn unknown_fields_and_bad_values_are_named() {
        let err = |q: &str| Query::parse(q).unwrap_err().to_string();
        assert_eq!(
            err("failed bogus:x"),
            format!("\"bogus:x\": unknown filter field \"bogus\" (fields: {FIELDS})")
        );
        assert_eq!(
            err("status:abc"),
            "\"status:abc\": a status is a number from 100 to 599"
        );
        assert_eq!(
            err("s:99"),
            "\"s:99\": a status is a number from 100 to 599"
        );
        assert!(err("verdict:maybe").contains("a verdict is verified"));
        assert!(err("method:P0ST").contains("a method is a word"));
        assert!(err("path:").contains("has no value"));
        assert!(err("!").contains("negates nothing"));
        // Words without a field stay free text, whatever they hold.
        assert!(Query::parse("a.b-c 12:30 /x:y").is_ok());
    }

    #[test]
    fn body_cache_stays_within_budget() {
        let mut c = BodyCache::default();
        let big = Bytes::from(vec![b'x'; BodyCache::MAX_ONE]);
        for id in 0..20 {
            c.insert(id, &big);
        }
        assert_eq!(c.len(), BodyCache::BUDGET / BodyCache::MAX_ONE);
        assert!(c.get(0).is_none() && c.get(19).is_some());
        c.insert(100, &Bytes::from(vec![b'x'; BodyCache::MAX_ONE + 1]));
        assert!(c.get(100).is_none());
    }
}
