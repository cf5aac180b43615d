//! `hookscope providers`: the built-in and configured schemes.

use super::CliError;
use super::request::load_config;
use crate::cli::ProvidersArgs;
use crate::providers::scheme::{Provider, Syntax};

/// Run `providers`; returns the exit code.
pub fn run(args: &ProvidersArgs) -> Result<i32, CliError> {
    let config = load_config(args.config.as_deref())?;
    let registry = config
        .registry()
        .map_err(|e| CliError::input(format!("config: {e}")))?;
    if args.json {
        let list: Vec<_> = registry.all().iter().map(describe_json).collect();
        super::out(serde_json::to_string_pretty(&list).expect("serializes"));
    } else {
        for p in registry.all() {
            let tag = if p.custom { " (custom)" } else { "" };
            super::out(format!("{}{tag} — {}", p.name, p.title));
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
                let signed = match (&s.signature.syntax, &s.body_hash_claim) {
                    (crate::providers::scheme::Syntax::Jws, Some(c)) => {
                        format!("a JWS (body SHA-256 in claim {c})")
                    }
                    (crate::providers::scheme::Syntax::Jws, None) => "a JWS".to_string(),
                    _ => format!("{:?}", s.message),
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
                let keys: Vec<&str> = s.key.iter().map(|k| k.name()).collect();
                super::out(format!(
                    "    {id}{field}: {} over {signed}, key {}{ts}",
                    s.algorithm.name(),
                    keys.join("|")
                ));
            }
        }
    }
    Ok(0)
}

fn describe_json(p: &Provider) -> serde_json::Value {
    serde_json::json!({
        "name": p.name,
        "title": p.title,
        "custom": p.custom,
        "docs": p.docs,
        "variants": p.variants.iter().map(|v| {
            let s = &v.spec;
            serde_json::json!({
                "id": s.id,
                "header": s.signature.header,
                "json_path": s.signature.json_path,
                "syntax": match s.signature.syntax { Syntax::Plain => "plain", Syntax::List => "list", Syntax::KeyValue => "key-value", Syntax::Jws => "jws" },
                "algorithm": s.algorithm.name(),
                "message": s.message,
                "key": s.key.iter().map(|k| k.name()).collect::<Vec<_>>(),
                "tolerance_secs": s.timestamp.as_ref().and_then(|t| t.tolerance_secs),
                "reject_future": s.timestamp.as_ref().is_some_and(|t| t.reject_future),
            })
        }).collect::<Vec<_>>(),
    })
}
