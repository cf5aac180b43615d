//! Checking a provider file's `[[variant]]` entry: every field that can be wrong is named
//! (`variant[0].signature: …`), and its message templates are parsed once.

use super::scheme::{KeyForm, Syntax, Variant, VariantSpec, default_message};
use super::template::Template;

/// Check every field of a variant that can be wrong, and parse its templates.
pub(super) fn check_variant(i: usize, mut v: VariantSpec) -> Result<Variant, String> {
    let at = |field: &str| format!("variant[{i}].{field}");
    let template = Template::parse(&v.message).map_err(|e| format!("{}: {e}", at("message")))?;
    let alt_templates = v
        .alt_messages
        .iter()
        .enumerate()
        .map(|(j, m)| {
            Template::parse(m).map_err(|e| format!("{}: {e}", at(&format!("alt_messages[{j}]"))))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let sig = &v.signature;
    let places = [
        sig.header.is_some(),
        sig.json_path.is_some(),
        sig.form_field.is_some(),
    ];
    if places.iter().filter(|b| **b).count() != 1 {
        return Err(format!(
            "{}: give one of `header`, `json_path`, `form_field`",
            at("signature")
        ));
    }
    if !sig.extra_headers.is_empty() && sig.header.is_none() {
        return Err(format!(
            "{}: extra_headers needs `header` (the one sign writes)",
            at("signature")
        ));
    }
    match sig.syntax {
        Syntax::List if sig.separator.is_none() => {
            return Err(format!(
                "{}: list syntax needs a separator",
                at("signature.separator")
            ));
        }
        Syntax::KeyValue if sig.separator.is_none() || sig.sig_key.is_none() => {
            return Err(format!(
                "{}: key-value syntax needs `separator` and `sig_key`",
                at("signature")
            ));
        }
        Syntax::Jws => {
            if v.message != default_message() || !v.alt_messages.is_empty() {
                return Err(format!(
                    "{}: jws syntax signs the token's own header.payload; leave `message` out",
                    at("message")
                ));
            }
            if v.algorithm.jws_name().is_none() {
                return Err(format!(
                    "{}: {} cannot sign a JWS (hmac-sha256, hmac-sha512, ecdsa-p256, ed25519 can)",
                    at("algorithm"),
                    v.algorithm.name()
                ));
            }
        }
        _ => {}
    }
    if sig.syntax != Syntax::Jws && (v.body_hash_claim.is_some() || !v.claims.is_empty()) {
        return Err(format!(
            "{}: body_hash_claim and claims need signature.syntax = \"jws\"",
            at("signature")
        ));
    }
    if let Some(ts) = &v.timestamp {
        let sources = [
            ts.header.is_some(),
            ts.from_signature,
            ts.json_path.is_some(),
            ts.claim.is_some(),
        ]
        .iter()
        .filter(|b| **b)
        .count();
        if sources != 1 {
            return Err(format!(
                "{}: give exactly one of `header`, `from_signature`, `json_path`, `claim`",
                at("timestamp")
            ));
        }
        if ts.from_signature && sig.ts_key.is_none() {
            return Err(format!(
                "{}: from_signature needs signature.ts_key",
                at("timestamp")
            ));
        }
        if ts.claim.is_some() && sig.syntax != Syntax::Jws {
            return Err(format!(
                "{}: claim needs signature.syntax = \"jws\"",
                at("timestamp")
            ));
        }
    }
    if std::iter::once(&template)
        .chain(&alt_templates)
        .any(Template::uses_timestamp)
        && v.timestamp.is_none()
    {
        return Err(format!(
            "{}: uses {{timestamp}} but the variant has no [timestamp]",
            at("message")
        ));
    }
    if v.key.is_empty() {
        v.key.push(KeyForm::Utf8);
    }
    Ok(Variant {
        spec: v,
        template,
        alt_templates,
    })
}
