//! What the copy menu offers and the text of each item (pure; the clipboard I/O is in
//! `clipboard.rs`), including a curl command that reproduces a delivery byte for byte.

use crate::delivery::Delivery;
use crate::verify::Verification;

/// An item of the copy menu.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CopyKind {
    Computed,
    Received,
    SignedString,
    Body,
    Headers,
    Curl,
}

/// The menu: key, item, label.
pub const MENU: &[(char, CopyKind, &str)] = &[
    ('c', CopyKind::Computed, "computed signature"),
    ('r', CopyKind::Received, "received signature"),
    ('s', CopyKind::SignedString, "signed string (secret masked)"),
    ('b', CopyKind::Body, "body"),
    ('h', CopyKind::Headers, "headers"),
    ('u', CopyKind::Curl, "curl command"),
];

impl CopyKind {
    /// What the status message calls it.
    pub fn label(self) -> &'static str {
        match self {
            CopyKind::Computed => "computed signature",
            CopyKind::Received => "received signature",
            CopyKind::SignedString => "signed string",
            CopyKind::Body => "body",
            CopyKind::Headers => "headers",
            CopyKind::Curl => "curl command",
        }
    }
}

/// The text to copy, or why there is none. `target` is the base URL curl sends to.
pub fn text(
    kind: CopyKind,
    d: &Delivery,
    v: &Verification,
    target: &str,
) -> Result<String, String> {
    match kind {
        CopyKind::Computed => {
            v.signature
                .computed
                .clone()
                .ok_or_else(|| match v.provider.as_deref() {
                    Some(p) => format!("no computed signature: no usable secret for {p}"),
                    None => "no computed signature: no provider recognised this delivery".into(),
                })
        }
        CopyKind::Received => v
            .signature
            .received
            .clone()
            .ok_or_else(|| "no signature was received".to_string()),
        CopyKind::SignedString => {
            let p = v.signed_preview.as_ref().ok_or_else(|| {
                "no signed string: no provider or the message could not be built".to_string()
            })?;
            String::from_utf8(p.clone()).map_err(|_| {
                "the signed string is not UTF-8 text; copy the curl command instead".into()
            })
        }
        CopyKind::Body => {
            if d.body.is_empty() {
                return Err("the body is empty".into());
            }
            std::str::from_utf8(&d.body)
                .map(str::to_string)
                .map_err(|_| "the body is not UTF-8 text (the clipboard holds text); copy the curl command, which escapes it".into())
        }
        CopyKind::Headers => Ok(d
            .headers
            .iter()
            .map(|(n, val)| {
                format!(
                    "{n}: {}\n",
                    super::fmt::escaped_line(val, Default::default(), Default::default())
                )
            })
            .collect()),
        CopyKind::Curl => Ok(curl(d, target)),
    }
}

/// Headers curl computes itself or that belong to one hop only.
const SKIP: &[&str] = &[
    "host",
    "content-length",
    "connection",
    "keep-alive",
    "transfer-encoding",
    "te",
    "upgrade",
    "proxy-connection",
    "expect",
];

/// A POSIX-shell curl command that sends the same method, path, query, headers and exact body to
/// `target` (`scheme://host[:port]`). Bodies that are not plain text use `$'…'` quoting (bash, zsh,
/// ksh); a body with NUL bytes is piped from `printf` since no argument can hold NUL.
pub fn curl(d: &Delivery, target: &str) -> String {
    let url = format!("{}{}", target.trim_end_matches('/'), d.path_and_query());
    let mut parts = vec![format!(
        "curl -sS -X {} {}",
        quote(d.method.as_bytes()),
        quote(url.as_bytes())
    )];
    for (name, value) in &d.headers {
        if SKIP.contains(&name.as_str()) {
            continue;
        }
        let mut h = name.as_bytes().to_vec();
        h.extend(b": ");
        h.extend(value);
        parts.push(format!("-H {}", quote(&h)));
    }
    let mut prefix = String::new();
    if !d.body.is_empty() {
        if d.body.contains(&0) {
            prefix = format!("printf '%b' {} | ", printf_quote(&d.body));
            parts.push("--data-binary @-".into());
        } else {
            parts.push(format!("--data-binary {}", quote(&d.body)));
        }
    }
    format!("{prefix}{}", parts.join(" \\\n  "))
}

/// Single quotes for plain text, `$'…'` with escapes otherwise.
pub fn quote(b: &[u8]) -> String {
    let plain =
        std::str::from_utf8(b).is_ok_and(|s| s.chars().all(|c| !c.is_control() || c == '\n'));
    if plain {
        let s = std::str::from_utf8(b).expect("checked");
        return format!("'{}'", s.replace('\'', r"'\''"));
    }
    let mut out = String::from("$'");
    for &c in b {
        match c {
            b'\\' => out.push_str(r"\\"),
            b'\'' => out.push_str(r"\'"),
            b'\n' => out.push_str(r"\n"),
            0x20..=0x7e => out.push(c as char),
            _ => out.push_str(&format!("\\x{c:02x}")),
        }
    }
    out.push('\'');
    out
}

/// An argument for `printf '%b'`: every byte outside printable ASCII as `\0NNN` octal.
fn printf_quote(b: &[u8]) -> String {
    let mut out = String::from("'");
    for &c in b {
        match c {
            b'\\' => out.push_str(r"\\"),
            b'\'' => out.push_str(r"'\''"),
            0x20..=0x7e => out.push(c as char),
            _ => out.push_str(&format!("\\0{c:03o}")),
        }
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    /// Run the command with a `curl` shell function that prints its arguments (NUL-separated)
    /// and, for `@-`, its standard input: what curl would have received.
    fn run(cmd: &str) -> Vec<Vec<u8>> {
        let script = format!(
            "curl() {{ for a in \"$@\"; do printf '%s\\0' \"$a\"; done; case \" $* \" in *' @- '*) printf 'STDIN\\0'; cat;; esac; }}\n{cmd}"
        );
        let out = Command::new("bash")
            .arg("-c")
            .arg(script)
            .output()
            .expect("bash runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut parts: Vec<Vec<u8>> = Vec::new();
        let raw = out.stdout;
        if let Some(pos) = raw.windows(6).position(|w| w == b"STDIN\0") {
            parts.extend(
                raw[..pos]
                    .split(|&b| b == 0)
                    .filter(|p| !p.is_empty())
                    .map(<[u8]>::to_vec),
            );
            parts.push(raw[pos + 6..].to_vec());
        } else {
            parts.extend(
                raw.split(|&b| b == 0)
                    .filter(|p| !p.is_empty())
                    .map(<[u8]>::to_vec),
            );
        }
        parts
    }

    fn delivery(body: &[u8]) -> Delivery {
        Delivery {
            method: "POST".into(),
            path: "/hooks/it's".into(),
            query: "a=1&b=2".into(),
            headers: vec![
                ("host".into(), b"abc.example.dev".to_vec()),
                ("content-type".into(), b"application/json".to_vec()),
                ("x-sig".into(), b"t=1,v1=ab'c\xff".to_vec()),
            ],
            body: bytes::Bytes::copy_from_slice(body),
            ..Delivery::default()
        }
    }

    #[test]
    fn curl_reproduces_text_and_binary_bodies_exactly() {
        for body in [
            &b"{\"msg\":\"it's a \\\"test\\\"\"}\n"[..],
            &b"caf\xc3\xa9 $HOME `x` \\n \x01\x1b[0m \xff\xfe"[..],
            &b"nul\x00inside\\ and 'quote' %s %b \n"[..],
        ] {
            let d = delivery(body);
            let cmd = curl(&d, "http://localhost:3000/");
            let args = run(&cmd);
            assert_eq!(args[0], b"-sS");
            assert_eq!(args[1..3], [b"-X".to_vec(), b"POST".to_vec()]);
            assert_eq!(args[3], b"http://localhost:3000/hooks/it's?a=1&b=2");
            assert_eq!(
                args[4..6],
                [b"-H".to_vec(), b"content-type: application/json".to_vec()]
            );
            assert_eq!(
                args[6..8],
                [b"-H".to_vec(), b"x-sig: t=1,v1=ab'c\xff".to_vec()]
            );
            assert_eq!(args[8], b"--data-binary");
            if body.contains(&0) {
                assert_eq!(args[9], b"@-");
                assert_eq!(args[10], body, "stdin");
            } else {
                assert_eq!(args[9], body);
                assert_eq!(args.len(), 10);
            }
            assert!(
                !cmd.contains("abc.example.dev"),
                "host header is curl's to set"
            );
        }
    }

    #[test]
    fn text_refuses_what_it_cannot_copy() {
        let d = delivery(b"\xff");
        let v = Verification::no_provider();
        assert!(
            text(CopyKind::Body, &d, &v, "http://x")
                .unwrap_err()
                .contains("not UTF-8")
        );
        assert!(
            text(CopyKind::Computed, &d, &v, "http://x")
                .unwrap_err()
                .contains("no provider")
        );
        assert!(
            text(CopyKind::Headers, &d, &v, "http://x")
                .unwrap()
                .contains("x-sig: t=1,v1=ab'c\\xff")
        );
    }
}
