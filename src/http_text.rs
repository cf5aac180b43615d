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
