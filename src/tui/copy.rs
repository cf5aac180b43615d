//! What the copy menu offers and the text of each item (pure; the clipboard I/O is in
//! `clipboard.rs`). The curl command is [`crate::export::curl`]'s: byte for byte, sent to the
//! dashboard's target (the forward URL, else the listener).

use crate::delivery::Delivery;
use crate::export::Redact;
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
        CopyKind::Curl => Ok(crate::export::curl(d, Some(target), &Redact::none())),
    }
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
        let v = Verification::no_provider();
        for body in [
            &b"{\"msg\":\"it's a \\\"test\\\"\"}\n"[..],
            &b"caf\xc3\xa9 $HOME `x` \\n \x01\x1b[0m \xff\xfe"[..],
            &b"nul\x00inside\\ and 'quote' %s %b \n"[..],
        ] {
            let d = delivery(body);
            let cmd = text(CopyKind::Curl, &d, &v, "http://localhost:3000/").unwrap();
            let args = run(&cmd);
            let want: Vec<&[u8]> = vec![
                b"-sS",
                b"--path-as-is",
                b"-g",
                b"-X",
                b"POST",
                b"http://localhost:3000/hooks/it's?a=1&b=2",
                b"-H",
                b"host: abc.example.dev",
                b"-H",
                b"content-type: application/json",
                b"-H",
                b"x-sig: t=1,v1=ab'c\xff",
                b"-H",
                b"user-agent:",
                b"-H",
                b"accept:",
                b"-H",
                b"expect:",
                b"--data-binary",
                b"@-",
                body,
            ];
            assert_eq!(args, want, "{cmd}");
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
