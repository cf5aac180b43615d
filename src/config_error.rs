//! Config problems as one sentence that names the line and key and never quotes the file.
//!
//! The TOML parser's own message shows the offending line with a caret under it; when that
//! line is `secrets = ["…` the secret would reach stderr, the log and the headless
//! `config_error` line. So the snippet is dropped, quoted values in the message are replaced
//! by `"…"`, and for a key that holds secrets every quoted or back-ticked piece is.

/// `line 3, key providers.stripe.secrets: invalid string; expected `"`, `'``.
pub fn describe(e: &toml::de::Error, text: &str) -> String {
    let mut place = Vec::new();
    let mut secret_key = false;
    if let Some(span) = e.span() {
        let at = span.start.min(text.len());
        let line_no = text[..at].matches('\n').count() + 1;
        place.push(format!("line {line_no}"));
        if let Some(key) = key_at(text, line_no) {
            secret_key = key.to_ascii_lowercase().contains("secret");
            place.push(format!("key {key}"));
        }
    }
    let message = mask(e.message().trim(), secret_key);
    let message = message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    if place.is_empty() {
        message
    } else {
        format!("{}: {message}", place.join(", "))
    }
}

/// The dotted key being defined at (or, inside a multi-line value, before) line `line_no`,
/// prefixed by the table it is in.
fn key_at(text: &str, line_no: usize) -> Option<String> {
    let lines: Vec<&str> = text.lines().take(line_no).collect();
    let mut key = None;
    let mut table = None;
    for line in lines.iter().rev() {
        let t = line.trim_start();
        if let Some(rest) = t.strip_prefix('[') {
            let name = rest.trim_start_matches('[');
            let name = name.split(']').next().unwrap_or("").trim();
            if is_key(name) {
                table = Some(name.to_string());
            }
            break;
        }
        if key.is_none()
            && let Some((k, _)) = t.split_once('=')
            && is_key(k.trim())
            && !k.trim().is_empty()
        {
            key = Some(k.trim().to_string());
        }
    }
    match (table, key) {
        (Some(t), Some(k)) => Some(format!("{t}.{k}")),
        (None, Some(k)) => Some(k),
        (Some(t), None) => Some(t),
        (None, None) => None,
    }
}

fn is_key(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-. \"".contains(&b))
}

/// Replace quoted pieces of `message` by `"…"` (double and single quotes always; back-ticks
/// too when the key holds secrets).
fn mask(message: &str, backticks: bool) -> String {
    let mut out = String::with_capacity(message.len());
    let mut chars = message.chars().peekable();
    while let Some(c) = chars.next() {
        let quoted = c == '"' || c == '\'' || (backticks && c == '`');
        if quoted && chars.clone().any(|x| x == c) {
            for x in chars.by_ref() {
                if x == c {
                    break;
                }
            }
            out.push('"');
            out.push('…');
            out.push('"');
        } else {
            out.push(c);
        }
    }
    out
}

/// Header names in a custom provider (`header`, `sibling`, `absent`, `id_header` and the names
/// in `fixed_headers`) must be HTTP tokens, and fixed values must be sendable.
pub fn check_header_fields(value: &toml::Value) -> Result<(), String> {
    fn walk(v: &toml::Value, at: &str) -> Result<(), String> {
        match v {
            toml::Value::Table(t) => {
                for (k, v) in t {
                    let here = if at.is_empty() {
                        k.clone()
                    } else {
                        format!("{at}.{k}")
                    };
                    match (k.as_str(), v) {
                        ("header" | "sibling" | "absent" | "id_header", toml::Value::String(s)) => {
                            header_name(&here, s)?
                        }
                        ("fixed_headers", toml::Value::Array(pairs)) => {
                            for pair in pairs {
                                if let Some([toml::Value::String(n), toml::Value::String(val)]) =
                                    pair.as_array().map(Vec::as_slice)
                                {
                                    header_name(&here, n)?;
                                    if crate::bounds::has_control_bytes(val.as_bytes()) {
                                        return Err(format!(
                                            "{here}: the value for {n} holds CR, LF or another \
                                             control character"
                                        ));
                                    }
                                }
                            }
                        }
                        _ => walk(v, &here)?,
                    }
                }
                Ok(())
            }
            toml::Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    walk(item, &format!("{at}[{i}]"))?;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
    walk(value, "")
}

fn header_name(at: &str, name: &str) -> Result<(), String> {
    let token = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
    if name.is_empty() || !name.bytes().all(token) {
        return Err(format!(
            "{at}: {name:?} is not a header name (letters, digits and -_. only; no spaces)"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(text: &str) -> String {
        crate::config::Config::parse(text).unwrap_err()
    }

    #[test]
    fn malformed_secret_lines_are_named_never_quoted() {
        let secret = "whsec_TopSecretValue123";
        for text in [
            format!("[providers.stripe]\nsecrets = [\"{secret}\"\n"),
            format!("[providers.stripe]\nsecrets = \"{secret}\"\n"),
            format!("[providers.stripe]\nsecrets = [{secret}]\n"),
            format!("[providers.stripe]\nsecrets = [\"{secret}\" \"b\"]\n"),
            format!("[providers.stripe]\nsecrets = ['{secret}', 5, ]]\n"),
            format!("[providers.stripe]\nsecrets = [\n  \"a\",\n  \"{secret}\n]\n"),
        ] {
            let e = error_of(&text);
            assert!(!e.contains("TopSecret"), "{e}");
            assert!(e.contains("line "), "{e}");
            assert!(e.contains("providers.stripe"), "{e}");
        }
    }

    #[test]
    fn other_errors_keep_the_key_names() {
        let e = error_of("adr = 1");
        assert!(e.contains("line 1") && e.contains("adr"), "{e}");
        let e = error_of("[providers.x]\ntolerance_secs = -5\n");
        assert!(e.contains("0 or more"), "{e}");
    }

    #[test]
    fn header_names_are_checked() {
        let v: toml::Value =
            toml::from_str("[[variant]]\nsignature = { header = \"x acme\" }\n").unwrap();
        let e = check_header_fields(&v).unwrap_err();
        assert!(e.starts_with("variant[0].signature.header"), "{e}");
        let v: toml::Value = toml::from_str("fixed_headers = [[\"x-a\", \"1\\r\\n\"]]").unwrap();
        assert!(check_header_fields(&v).is_err());
    }
}
