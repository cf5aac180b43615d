//! `hookscope providers`: the built-in and configured schemes, optionally searched by name,
//! alias or title (`hookscope providers stripe`) or by a header they read (`--header`).

use super::CliError;
use super::request::load_config;
use crate::cli::ProvidersArgs;
use crate::providers::detect::describe;
use crate::providers::scheme::{Algorithm, Provider, Syntax, Variant};
use crate::providers::template::Token;

/// Run `providers`; returns the exit code (1 when a search matches nothing).
pub fn run(args: &ProvidersArgs) -> Result<i32, CliError> {
    let config = load_config(args.config.as_deref())?;
    let registry = config
        .registry()
        .map_err(|e| CliError::input(format!("config: {e}")))?;
    let list: Vec<&Provider> = registry
        .all()
        .iter()
        .filter(|p| args.query.as_deref().is_none_or(|q| matches_query(p, q)))
        .filter(|p| args.header.as_deref().is_none_or(|h| reads_header(p, h)))
        .collect();
    if args.json {
        let json: Vec<_> = list.iter().map(|p| describe_json(p)).collect();
        super::out(serde_json::to_string_pretty(&json).expect("serializes"));
    } else {
        for p in &list {
            describe_human(p);
        }
    }
    if list.is_empty() {
        let mut what = Vec::new();
        if let Some(q) = &args.query {
            what.push(format!("{q:?}"));
        }
        if let Some(h) = &args.header {
            what.push(format!("header {h}"));
        }
        eprintln!(
            "hookscope: no provider matches {} (run `hookscope providers` for the list)",
            what.join(" and ")
        );
        return Ok(1);
    }
    Ok(0)
}

/// Name, alias or title contains the query (case-insensitive).
fn matches_query(p: &Provider, q: &str) -> bool {
    let q = q.trim().to_lowercase();
    p.name.to_lowercase().contains(&q)
        || p.title.to_lowercase().contains(&q)
        || p.aliases.iter().any(|a| a.contains(&q))
}

/// Whether any variant reads or detects by this header (case-insensitive, exact name; a name
/// ending in `*` stands for every header starting with the text before it).
fn reads_header(p: &Provider, header: &str) -> bool {
    let header = header.trim().to_ascii_lowercase();
    p.variants.iter().any(|v| {
        headers_of(v).iter().any(|h| match h.strip_suffix('*') {
            Some(start) => header.starts_with(start),
            None => *h == header,
        })
    })
}

/// Every header a variant reads or detects by, lower-case, without repeats.
fn headers_of(v: &Variant) -> Vec<String> {
    let s = &v.spec;
    let mut out: Vec<String> = Vec::new();
    out.extend(s.signature.header.clone());
    out.extend(s.signature.extra_headers.iter().cloned());
    out.extend(s.detect.header.clone());
    out.extend(s.detect.sibling.clone());
    out.extend(s.timestamp.as_ref().and_then(|t| t.header.clone()));
    out.extend(s.id_header.clone());
    for t in v.templates().flat_map(|t| &t.tokens) {
        if let Token::Header(h) | Token::SignedHeaders(h) = t {
            out.push(h.clone());
        }
    }
    for h in &mut out {
        h.make_ascii_lowercase();
    }
    out.sort();
    out.dedup();
    out
}

fn describe_human(p: &Provider) {
    let tag = if p.custom { " (custom)" } else { "" };
    let aliases = if p.aliases.is_empty() {
        String::new()
    } else {
        format!(" · aliases {}", p.aliases.join(", "))
    };
    super::out(format!("{}{tag} — {}{aliases}", p.name, p.title));
    for v in &p.variants {
        let s = &v.spec;
        let id =
            s.id.as_deref()
                .map(|i| format!("[{i}] "))
                .unwrap_or_default();
        let field = s
            .signature
            .header
            .clone()
            .or_else(|| s.signature.json_path.as_ref().map(|j| format!("body {j}")))
            .or_else(|| s.signature.form_field.as_ref().map(|f| format!("form {f}")))
            .unwrap_or_default();
        let more = if s.signature.extra_headers.is_empty() {
            String::new()
        } else {
            format!(" (or {})", s.signature.extra_headers.join(", "))
        };
        let ts = s
            .timestamp
            .as_ref()
            .map(|t| match (t.tolerance_secs, t.reject_future) {
                (Some(tol), true) => format!(", timestamp ±{tol}s"),
                (Some(tol), false) => format!(", timestamp at most {tol}s old"),
                (None, _) => ", timestamp (no window)".to_string(),
            })
            .unwrap_or_default();
        if s.algorithm == Algorithm::Token {
            super::out(format!(
                "    {id}{field}{more}: token (the header carries the secret itself, shown masked)"
            ));
            continue;
        }
        let signed = match (&s.signature.syntax, &s.body_hash_claim) {
            (Syntax::Jws, Some(c)) => format!("a JWS (body SHA-256 in claim {c})"),
            (Syntax::Jws, None) => "a JWS".to_string(),
            // Orders the provider's own material disagrees on: each is tried.
            _ => std::iter::once(&s.message)
                .chain(&s.alt_messages)
                .map(|m| format!("{m:?}"))
                .collect::<Vec<_>>()
                .join(" or "),
        };
        let keys: Vec<&str> = s.key.iter().map(|k| k.name()).collect();
        super::out(format!(
            "    {id}{field}{more}: {} over {signed}, key {}{ts}",
            s.algorithm.name(),
            keys.join("|")
        ));
    }
    match (&p.source, p.confidence) {
        (Some(src), Some(c)) => super::out(format!("    source ({}): {src}", c.as_str())),
        (Some(src), None) => super::out(format!("    source: {src}")),
        (None, _) => super::out("    source: none given"),
    }
}

fn describe_json(p: &Provider) -> serde_json::Value {
    serde_json::json!({
        "name": p.name,
        "title": p.title,
        "aliases": p.aliases,
        "custom": p.custom,
        "source": p.source,
        "confidence": p.confidence.map(|c| c.as_str()),
        "docs": p.docs,
        "variants": p.variants.iter().map(variant_json).collect::<Vec<_>>(),
    })
}

fn variant_json(v: &Variant) -> serde_json::Value {
    let s = &v.spec;
    let token = s.algorithm == Algorithm::Token;
    let timestamp = s.timestamp.as_ref().map(|t| {
        serde_json::json!({
            "header": t.header,
            "from_signature": t.from_signature,
            "json_path": t.json_path,
            "claim": t.claim,
            "unit": toml_name(&t.unit),
            "tolerance_secs": t.tolerance_secs,
            "reject_future": t.reject_future,
        })
    });
    serde_json::json!({
        "id": s.id,
        "detect": describe(&s.detect),
        "header": s.signature.header,
        "extra_headers": s.signature.extra_headers,
        "json_path": s.signature.json_path,
        "form_field": s.signature.form_field,
        "syntax": toml_name(&s.signature.syntax),
        "prefix": s.signature.prefix,
        // A token scheme signs nothing: no encoding, no message.
        "encoding": (!token).then(|| toml_name(&s.signature.encoding)),
        "algorithm": s.algorithm.name(),
        // A JWS signs its own header.payload: no message template.
        "message": (!token && s.signature.syntax != Syntax::Jws).then_some(&s.message),
        "alt_messages": s.alt_messages,
        "body_hash_claim": s.body_hash_claim,
        "claims": s.claims,
        "key": s.key.iter().map(|k| k.name()).collect::<Vec<_>>(),
        "timestamp": timestamp,
        "id_header": s.id_header,
    })
}

/// A vocabulary value as the TOML files write it: the variant's name in kebab case, which is
/// what the scheme types' `rename_all = "kebab-case"` reads (`KeyValue` → `key-value`).
fn toml_name(value: &impl std::fmt::Debug) -> String {
    let mut out = String::new();
    for (i, c) in format!("{value:?}").chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::toml_name;
    use crate::providers::scheme::{Encoding, Syntax, TimeUnit};

    #[test]
    fn vocabulary_names_are_the_toml_spelling() {
        assert_eq!(toml_name(&Syntax::KeyValue), "key-value");
        assert_eq!(toml_name(&Encoding::Base64), "base64");
        assert_eq!(toml_name(&TimeUnit::Rfc3339), "rfc3339");
    }
}
