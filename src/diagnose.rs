//! When a signature does not verify, try the usual mistakes and say which one would have matched.

use crate::crypto::{self, decode_key};
use crate::providers::scheme::{Algorithm, Encoding, KeyForm};
use crate::secret::Secret;
use crate::verify::{Context, Prepared, toggle_default_port};

/// Bodies larger than this are not diagnosed: each mistake tried hashes the whole body again
/// (a dozen passes, plus parsing and re-serializing JSON), which for a body of several MiB
/// would hold a listener thread for a noticeable time on every failing delivery.
pub const MAX_DIAGNOSED_BODY: usize = 1 << 20;

/// Sentences naming each mistake that would have made the signature verify.
pub(crate) fn diagnose(p: &Prepared<'_>, secrets: &[Secret], ctx: &Context<'_>) -> Vec<String> {
    let alg = p.v.spec.algorithm;
    if alg == Algorithm::Token {
        return token_hints(p, secrets);
    }
    if p.d.body.len() > MAX_DIAGNOSED_BODY {
        return vec![format!(
            "the body is {} bytes, over {MAX_DIAGNOSED_BODY}: the usual mistakes (re-serialized \
             body, secret form, algorithm, swapped secrets) were not tried",
            p.d.body.len()
        )];
    }
    let mut hints = Vec::new();
    let url = p.urls.first().map(String::as_str);
    let body: &[u8] = &p.d.body;
    let declared = p.v.spec.key.clone();
    let entries = &p.sig.entries;

    // Keys to try as the scheme says: (secret index, key bytes).
    let keys: Vec<(usize, Vec<u8>)> = secrets
        .iter()
        .enumerate()
        .flat_map(|(i, s)| {
            declared
                .iter()
                .filter_map(move |f| decode_key(s.expose(), *f).ok().map(|k| (i, k)))
        })
        .collect();
    let try_with =
        |alg: Algorithm, key: &[u8], body: &[u8], url: Option<&str>, entries: &[Vec<u8>]| -> bool {
            p.message(body, url, key, false)
                .map(|m| Prepared::matches(alg, key, &m, entries))
                .unwrap_or(false)
        };

    // 1. Secret with surrounding whitespace.
    for s in secrets {
        let t = s.expose().trim();
        if t != s.expose()
            && declared
                .iter()
                .filter_map(|f| decode_key(t, *f).ok())
                .any(|k| try_with(alg, &k, body, url, entries))
        {
            hints.push(format!(
                "would verify if the secret (fp {}) had no surrounding whitespace or newline",
                s.fingerprint()
            ));
        }
    }

    // 2. Secret used in another form (raw vs decoded).
    for s in secrets {
        for form in [KeyForm::Utf8, KeyForm::Hex, KeyForm::Base64, KeyForm::Whsec] {
            if declared.contains(&form) {
                continue;
            }
            if let Ok(k) = decode_key(s.expose(), form)
                && try_with(alg, &k, body, url, entries)
            {
                hints.push(format!(
                    "would verify if the secret were {} ({} uses it {})",
                    form_phrase(form),
                    p.provider.name,
                    form_phrase(declared[0])
                ));
            }
        }
    }

    // 3. Body re-serialized or a trailing newline added/stripped.
    for (variant, sentence) in body_variants(body) {
        if keys
            .iter()
            .any(|(_, k)| try_with(alg, k, &variant, url, entries))
        {
            hints.push(sentence);
        }
    }

    // 4. Another algorithm of the HMAC family.
    if matches!(
        alg,
        Algorithm::HmacSha1 | Algorithm::HmacSha256 | Algorithm::HmacSha512
    ) {
        for other in [
            Algorithm::HmacSha1,
            Algorithm::HmacSha256,
            Algorithm::HmacSha512,
        ] {
            if other != alg
                && keys
                    .iter()
                    .any(|(_, k)| try_with(other, k, body, url, entries))
            {
                hints.push(format!(
                    "would verify with {} instead of {}",
                    other.name().to_uppercase(),
                    alg.name().to_uppercase()
                ));
            }
        }
    }

    // 5. The signature written in the other encoding.
    let other_enc = match p.v.spec.signature.encoding {
        Encoding::Hex => Encoding::Base64,
        Encoding::Base64 | Encoding::Base64url => Encoding::Hex,
    };
    let redecoded: Vec<Vec<u8>> = p
        .sig
        .entries_raw
        .iter()
        .filter_map(|e| crypto::decode_sig(other_enc, e))
        .collect();
    if !redecoded.is_empty()
        && keys
            .iter()
            .any(|(_, k)| try_with(alg, k, body, url, &redecoded))
    {
        hints.push(format!(
            "the signature is {} but {} writes {}: the sender encoded it differently",
            enc_name(other_enc),
            p.provider.name,
            enc_name(p.v.spec.signature.encoding)
        ));
    }

    // 6. Another provider's secret.
    for (name, others) in ctx.other_secrets {
        if *name == p.provider.name {
            continue;
        }
        for s in others {
            if declared
                .iter()
                .filter_map(|f| decode_key(s.expose(), *f).ok())
                .any(|k| try_with(alg, &k, body, url, entries))
            {
                hints.push(format!(
                    "verifies with the secret configured for {name} (fp {}): the secrets are swapped",
                    s.fingerprint()
                ));
            }
        }
    }

    // 7. URL variants for URL-signing schemes.
    if let Some(u) = url {
        for alt in url_variants(u) {
            if !p.urls.contains(&alt)
                && keys
                    .iter()
                    .any(|(_, k)| try_with(alg, k, body, Some(&alt), entries))
            {
                hints.push(format!(
                    "would verify with the URL {alt}: set public_url for {} to match what the sender used",
                    p.provider.name
                ));
            }
        }
    }
    hints.dedup();
    hints
}

/// The hint when no usual mistake explains a mismatch: either side may be at fault, the secret
/// or the bytes it signed.
pub(crate) fn no_match(secrets: &[Secret]) -> String {
    format!(
        "no configured secret matches (tried {}: {}): either the secret differs (compare the one \
         the provider shows with these fingerprints) or the signed bytes changed on the way (a \
         proxy, an edited or re-encoded body)",
        secrets.len(),
        secrets
            .iter()
            .map(|s| format!("fp {}", s.fingerprint()))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

fn token_hints(p: &Prepared<'_>, secrets: &[Secret]) -> Vec<String> {
    let sent = p.sig.raw.as_bytes();
    let mut hints = Vec::new();
    for s in secrets {
        if s.expose().trim() != s.expose() && crypto::ct_eq(sent, s.expose().trim().as_bytes()) {
            hints.push(format!(
                "would match if the secret (fp {}) had no surrounding whitespace",
                s.fingerprint()
            ));
        }
    }
    if hints.is_empty() {
        hints.push(format!(
            "the token sent has fp {}; the configured ones have {}",
            crate::secret::fingerprint(sent),
            secrets
                .iter()
                .map(|s| s.fingerprint())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    hints
}

fn form_phrase(f: KeyForm) -> &'static str {
    match f {
        KeyForm::Utf8 => "used as plain UTF-8 text",
        KeyForm::Hex => "hex-decoded",
        KeyForm::Base64 => "base64-decoded",
        KeyForm::Whsec => "base64-decoded after stripping whsec_",
        KeyForm::Sha1Digest => "hashed with SHA-1",
        KeyForm::Sha256Digest => "hashed with SHA-256",
        KeyForm::Jwk => "read as a JWK",
    }
}

fn enc_name(e: Encoding) -> &'static str {
    e.name()
}

/// Bodies the sender may have signed instead of the bytes that arrived, with the sentence to say.
fn body_variants(body: &[u8]) -> Vec<(Vec<u8>, String)> {
    let mut out = Vec::new();
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) {
        if let Ok(compact) = serde_json::to_vec(&v)
            && compact != body
        {
            out.push((
                compact,
                "the body was re-serialized: its compact JSON verifies, so the sender signed compact JSON and something reformatted it (or your code hashes JSON.stringify of the parsed body)".to_string(),
            ));
        }
        if let Ok(pretty) = serde_json::to_vec_pretty(&v)
            && pretty != body
        {
            out.push((
                pretty,
                "the body was re-serialized: its pretty-printed JSON verifies".to_string(),
            ));
        }
        let python = python_json(&v);
        if python != body {
            out.push((
                python,
                "the body was re-serialized: Python's json.dumps form (\", \" and \": \") verifies"
                    .to_string(),
            ));
        }
    }
    if let Some(stripped) = body
        .strip_suffix(b"\r\n")
        .or_else(|| body.strip_suffix(b"\n"))
    {
        out.push((
            stripped.to_vec(),
            "would verify without the body's trailing newline: the sender signed the body without it".to_string(),
        ));
    }
    let mut with_nl = body.to_vec();
    with_nl.push(b'\n');
    out.push((
        with_nl,
        "would verify with a trailing newline added: the newline was stripped in transit"
            .to_string(),
    ));
    out
}

/// JSON as Python's `json.dumps` writes it by default (`", "`, `": "`, ASCII escapes).
fn python_json(v: &serde_json::Value) -> Vec<u8> {
    use serde_json::Value;
    fn write(v: &Value, out: &mut String) {
        match v {
            Value::Array(a) => {
                out.push('[');
                for (i, x) in a.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    write(x, out);
                }
                out.push(']');
            }
            Value::Object(m) => {
                out.push('{');
                for (i, (k, x)) in m.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    write_str(k, out);
                    out.push_str(": ");
                    write(x, out);
                }
                out.push('}');
            }
            Value::String(s) => write_str(s, out),
            other => out.push_str(&other.to_string()),
        }
    }
    fn write_str(s: &str, out: &mut String) {
        out.push('"');
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                    let mut buf = [0u16; 2];
                    for unit in c.encode_utf16(&mut buf) {
                        out.push_str(&format!("\\u{unit:04x}"));
                    }
                }
                c => out.push(c),
            }
        }
        out.push('"');
    }
    let mut s = String::new();
    write(v, &mut s);
    s.into_bytes()
}

/// The URL with the scheme switched, a trailing slash toggled, or the default port toggled.
fn url_variants(url: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(rest) = url.strip_prefix("http://") {
        out.push(format!("https://{rest}"));
    } else if let Some(rest) = url.strip_prefix("https://") {
        out.push(format!("http://{rest}"));
    }
    let (path, query) = match url.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (url, None),
    };
    let toggled = match path.strip_suffix('/') {
        Some(p) => p.to_string(),
        None => format!("{path}/"),
    };
    out.push(match query {
        Some(q) => format!("{toggled}?{q}"),
        None => toggled,
    });
    if let Some(alt) = toggle_default_port(url) {
        out.push(alt);
    }
    let https: Vec<String> = out.iter().filter_map(|u| toggle_default_port(u)).collect();
    out.extend(https);
    out.sort();
    out.dedup();
    out.retain(|u| u != url);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_json_matches_json_dumps() {
        let v: serde_json::Value = serde_json::from_str(r#"{"a":[1,"é"],"b":{"c":null}}"#).unwrap();
        assert_eq!(
            String::from_utf8(python_json(&v)).unwrap(),
            r#"{"a": [1, "\u00e9"], "b": {"c": null}}"#
        );
    }

    #[test]
    fn url_variants_cover_scheme_slash_and_port() {
        let v = url_variants("https://a.com/x");
        assert!(v.contains(&"http://a.com/x".to_string()));
        assert!(v.contains(&"https://a.com/x/".to_string()));
        assert!(v.contains(&"https://a.com:443/x".to_string()));
        assert!(!v.contains(&"https://a.com/x".to_string()));
    }
}
