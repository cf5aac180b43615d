//! Finding a tunnel's public URL in what it prints or serves: the first `http(s)://` URL of a
//! line, the announcement line of an ssh tunnel service, ngrok's JSON log and local API, and
//! cloudflared's `/quicktunnel` metrics answer.

use serde_json::Value;

/// The first `http://` or `https://` URL in `line` (trailing punctuation dropped).
pub(super) fn first_url(line: &str) -> Option<String> {
    let lower = line.to_ascii_lowercase();
    let mut from = 0;
    while let Some(at) = lower[from..].find("http").map(|i| i + from) {
        let rest = &line[at..];
        let scheme_len = if lower[at..].starts_with("https://") {
            8
        } else if lower[at..].starts_with("http://") {
            7
        } else {
            from = at + 4;
            continue;
        };
        let end = rest
            .find(|c: char| c.is_whitespace() || c.is_control() || "\"'<>()[]{}`|\\^".contains(c))
            .unwrap_or(rest.len());
        let url = rest[..end].trim_end_matches(['.', ',', ';', ':', '!', '?']);
        if url.len() > scheme_len {
            return Some(url.to_string());
        }
        from = at + scheme_len;
    }
    None
}

/// The URL an ssh tunnel service announces: the first URL on a line that speaks of the tunnel
/// (localhost.run: `… tunneled with tls termination, https://…`; serveo: `Forwarding HTTP
/// traffic from https://…`). Banner lines with links to docs are skipped.
pub(super) fn ssh_url(line: &str) -> Option<String> {
    let lower = line.to_ascii_lowercase();
    if lower.contains("tunneled") || lower.contains("forwarding") {
        first_url(line)
    } else {
        None
    }
}

/// The URL in one line of ngrok's JSON log (`--log stdout --log-format json`): the `url` of a
/// `started tunnel` record.
pub(super) fn ngrok_log_url(line: &str) -> Option<String> {
    let v: Value = serde_json::from_str(line.trim()).ok()?;
    if v.get("msg")?.as_str()? != "started tunnel" {
        return None;
    }
    Some(v.get("url")?.as_str()?.to_string())
}

/// The public URL in ngrok's local API answer (`/api/tunnels`), the HTTPS one first.
pub(super) fn ngrok_api_url(body: &str) -> Option<String> {
    let v: Value = serde_json::from_str(body).ok()?;
    let urls: Vec<&str> = v
        .get("tunnels")?
        .as_array()?
        .iter()
        .filter_map(|t| t.get("public_url")?.as_str())
        .collect();
    urls.iter()
        .find(|u| u.starts_with("https://"))
        .or(urls.first())
        .map(|u| u.to_string())
}

/// The URL from cloudflared's metrics answer at `/quicktunnel` (`{"hostname":"…"}`).
pub(super) fn quicktunnel_url(body: &str) -> Option<String> {
    let v: Value = serde_json::from_str(body).ok()?;
    let host = v.get("hostname")?.as_str()?.trim();
    (!host.is_empty()).then(|| format!("https://{host}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_url_takes_the_first_and_trims_punctuation() {
        assert_eq!(
            first_url("your url is: https://abc.example.dev/hooks, enjoy").as_deref(),
            Some("https://abc.example.dev/hooks")
        );
        assert_eq!(
            first_url("\x1b[32mhttp://127.0.0.1:4000\x1b[0m then https://later").as_deref(),
            Some("http://127.0.0.1:4000")
        );
        assert_eq!(
            first_url("(see <HTTPS://Up.Example>.)").as_deref(),
            Some("HTTPS://Up.Example")
        );
        assert_eq!(first_url("http:// nothing, httpx://no"), None);
        assert_eq!(first_url("no url here"), None);
    }

    #[test]
    fn ssh_services_announce_their_url_after_a_banner() {
        // localhost.run prints links to its docs and admin pages before the tunnel line.
        let out = [
            "===============================================================================",
            "Welcome to localhost.run!",
            "To set up and manage custom domains go to https://admin.localhost.run/",
            "More details on custom domains (and how to enable subdomains) at https://localhost.run/docs/custom-domains",
            "3f2a9c1d5e7b.lhr.life tunneled with tls termination, https://3f2a9c1d5e7b.lhr.life",
        ];
        let found: Vec<String> = out.iter().filter_map(|l| ssh_url(l)).collect();
        assert_eq!(found, ["https://3f2a9c1d5e7b.lhr.life"]);
        assert_eq!(
            ssh_url("Forwarding HTTP traffic from https://quick.serveo.net").as_deref(),
            Some("https://quick.serveo.net")
        );
    }

    #[test]
    fn ngrok_log_and_api() {
        let log = r#"{"addr":"http://127.0.0.1:4545","lvl":"info","msg":"started tunnel","name":"command_line","obj":"tunnels","t":"2026-12-01T10:00:00.000Z","url":"https://1a2b-3c4d.ngrok-free.app"}"#;
        assert_eq!(
            ngrok_log_url(log).as_deref(),
            Some("https://1a2b-3c4d.ngrok-free.app")
        );
        assert_eq!(
            ngrok_log_url(r#"{"lvl":"info","msg":"client session established"}"#),
            None
        );
        assert_eq!(ngrok_log_url("t=2026 lvl=info msg=x"), None);
        let api = r#"{"tunnels":[{"name":"a","public_url":"http://x.ngrok.io"},{"name":"b","public_url":"https://x.ngrok.io"}],"uri":"/api/tunnels"}"#;
        assert_eq!(ngrok_api_url(api).as_deref(), Some("https://x.ngrok.io"));
        assert_eq!(ngrok_api_url(r#"{"tunnels":[]}"#), None);
    }

    #[test]
    fn cloudflared_quicktunnel() {
        assert_eq!(
            quicktunnel_url(r#"{"hostname":"seven-words-here.trycloudflare.com"}"#).as_deref(),
            Some("https://seven-words-here.trycloudflare.com")
        );
        assert_eq!(quicktunnel_url(r#"{"hostname":""}"#), None);
        assert_eq!(quicktunnel_url("404 page not found"), None);
    }
}
