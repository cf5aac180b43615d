//! HTTP details shared by forwarding, replay and `sign --send`: the client builder, which
//! headers belong to one connection, and errors as one line.

/// Headers that belong to one connection, not to the message (RFC 9110 §7.6.1), plus the
/// framing headers the client recomputes. Never sent on as they were received.
pub const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "content-length",
    "host",
];

/// An error and its causes as one line (`a: b: c`); a cause already in the text is skipped
/// (reqwest's top-level message alone is vague, and some causes repeat their source).
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let s_text = s.to_string();
        if !text.contains(&s_text) {
            text.push_str(": ");
            text.push_str(&s_text);
        }
        source = s.source();
    }
    text
}

/// A reqwest client builder with rustls on the ring provider (installed once per process):
/// every HTTP client hookscope builds — forwarding, replay, `sign --send` — starts here.
pub fn client_builder() -> reqwest::ClientBuilder {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
}

/// Redirects followed for replays and `sign --send`.
const MAX_SAME_ORIGIN_REDIRECTS: usize = 5;

/// The redirect rule of replays and `sign --send`: follow a redirect only to the same origin
/// (scheme, host and port), at most five times. A redirect elsewhere is not followed, so the
/// signature and any token never reach a host the user did not name; the 3xx answer (with its
/// `Location`) is what the caller sees and shows.
pub fn same_origin_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let same = attempt.previous().last().is_some_and(|prev| {
            let next = attempt.url();
            prev.scheme() == next.scheme()
                && prev.host_str() == next.host_str()
                && prev.port_or_known_default() == next.port_or_known_default()
        });
        if same && attempt.previous().len() <= MAX_SAME_ORIGIN_REDIRECTS {
            attempt.follow()
        } else {
            attempt.stop()
        }
    })
}

/// "redirect to LOCATION not followed" for a 3xx answer that carries a `Location`.
pub fn unfollowed_redirect(status: u16, headers: &[(String, String)]) -> Option<String> {
    if !(300..400).contains(&status) {
        return None;
    }
    let location = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("location"))
        .map(|(_, v)| v.as_str())?;
    Some(format!(
        "redirect to {location} not followed (hookscope sends signed requests only where you point it)"
    ))
}
