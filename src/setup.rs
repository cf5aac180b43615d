//! The setup card (`hookscope setup NAME`, and the dashboard's `u` key): what to paste where in
//! the provider's console — the endpoint URL on the public address, where the secret is shown,
//! the handshake hookscope answers, the first event to trigger — from the provider's TOML
//! `[setup]` table; and the HTTPS check of a provider against a tunnel.

use crate::providers::handshake::Requirement;
use crate::providers::scheme::Provider;
use crate::tunnel::HTTPS_TUNNELS;

/// What the card knows about the running setup.
#[derive(Clone, Debug, Default)]
pub struct CardContext {
    /// The public URL (a tunnel's, or given), when known.
    pub public_url: Option<String>,
    /// The tunnel kind's name (`bore`, `cloudflared`, …), when one is used.
    pub tunnel: Option<String>,
    /// Whether the public URL is HTTPS (`None`: not known yet).
    pub https: Option<bool>,
    /// Fingerprints of the provider's configured secrets.
    pub fingerprints: Vec<String>,
    /// Handshakes are answered by hookscope (else forwarded: `--forward-challenges`).
    pub answer_challenges: bool,
}

/// The path the card suggests for a provider.
pub fn path_for(p: &Provider) -> String {
    p.setup
        .as_ref()
        .and_then(|s| s.path.clone())
        .unwrap_or_else(|| format!("/hooks/{}", p.name))
}

/// `zoom accepts only https:// endpoints; bore gives http:// — use …` for the providers among
/// `providers` that need HTTPS, when the URL (or tunnel) is plain HTTP.
pub fn https_mismatch(
    providers: &[&Provider],
    https: Option<bool>,
    tunnel: Option<&str>,
) -> Option<String> {
    if https != Some(false) {
        return None;
    }
    let names: Vec<&str> = providers
        .iter()
        .filter(|p| p.https_only)
        .map(|p| p.name.as_str())
        .collect();
    let (last, rest) = names.split_last()?;
    let who = if rest.is_empty() {
        format!("{last} accepts")
    } else {
        format!("{} and {last} accept", rest.join(", "))
    };
    let gives = match tunnel {
        Some(kind) => format!("{kind} gives http://"),
        None => "this URL is http://".to_string(),
    };
    Some(format!(
        "{who} only https:// endpoints; {gives} — use {HTTPS_TUNNELS}"
    ))
}

/// What the provider's handshake is and who answers it.
fn handshake(p: &Provider, ctx: &CardContext) -> String {
    let title = &p.title;
    let Some(challenge) = &p.challenge else {
        return format!("none: {title} sends events without checking the endpoint first");
    };
    let when = match &challenge.sent {
        Some(sent) => format!("{title} sends {} {sent}", challenge.label()),
        None => format!("{title} sends {}", challenge.label()),
    };
    if !ctx.answer_challenges {
        return format!(
            "{when}; it is forwarded to your app (--forward-challenges), whose handler must answer"
        );
    }
    if challenge.requires == Requirement::Nothing {
        return format!(
            "{when}; hookscope answers it while it is the endpoint; with --forward your app answers it (the handshake hands over the secret)"
        );
    }
    let state = if ctx.fingerprints.is_empty() {
        "set the secret first, or the check fails"
    } else {
        "the secret is set"
    };
    format!(
        "{when}; hookscope answers it ({state}; --forward-challenges sends it to your app instead)"
    )
}

/// The card as text lines (no trailing newline on the last).
pub fn card(p: &Provider, ctx: &CardContext) -> String {
    let label = |l: &str| format!("  {l:<14}");
    let mut out = vec![format!(
        "{} — setting up a webhook endpoint for hookscope",
        p.title
    )];
    let path = path_for(p);
    let url = match &ctx.public_url {
        Some(u) => format!("{}{path}", u.trim_end_matches('/')),
        None => format!("PUBLIC_URL{path}   (start hookscope with --tunnel to get a public URL)"),
    };
    let setup = p.setup.as_ref();
    out.push(String::new());
    out.push(format!("1 endpoint URL  {url}"));
    match setup {
        Some(s) => out.push(format!("{}{}", label("paste it in"), s.endpoint)),
        None => out.push(format!(
            "{}{}'s webhook settings{}",
            label("paste it in"),
            p.title,
            p.docs
                .as_deref()
                .map(|d| format!(" (see {d})"))
                .unwrap_or_default()
        )),
    }
    if let Some(header) = p
        .variants
        .first()
        .and_then(|v| v.spec.detect.header.as_deref())
    {
        out.push(format!(
            "{}hookscope knows {} by its {header} header on any path; to pin this one, add [[routes]] path = \"{path}\" provider = \"{}\"",
            label("routing"),
            p.title,
            p.name
        ));
    }
    if let Some(warning) = https_mismatch(&[p], ctx.https, ctx.tunnel.as_deref()) {
        out.push(format!("{}⚠ {warning}", label("")));
        if let Some(why) = setup.and_then(|s| s.https_why.as_deref()) {
            out.push(format!("{}({why})", label("")));
        }
    }
    out.push(String::new());
    let env = format!("HOOKSCOPE_SECRET_{}", crate::verify::env_name(&p.name));
    match setup {
        Some(s) => out.push(format!("2 secret        {}", s.secret)),
        None => out.push(format!(
            "2 secret        the signing secret {} shows for the endpoint",
            p.title
        )),
    }
    out.push(format!(
        "{}{env}=…, or s in the dashboard, or [providers.{}] secrets = [\"…\"] in the config",
        label("copy it back"),
        p.name
    ));
    out.push(format!(
        "{}{}",
        label("now"),
        if ctx.fingerprints.is_empty() {
            "no secret configured".to_string()
        } else {
            format!("configured: fp {}", ctx.fingerprints.join(", fp "))
        }
    ));
    out.push(String::new());
    out.push(format!("3 handshake     {}", handshake(p, ctx)));
    out.push(String::new());
    match setup {
        Some(s) => out.push(format!("4 first event   {}", s.first_event)),
        None => out.push(format!(
            "4 first event   send a test event from {}'s webhook settings",
            p.title
        )),
    }
    for note in setup.map(|s| s.notes.as_slice()).unwrap_or_default() {
        out.push(format!("{}{note}", label("note")));
    }
    if p.unverifiable.is_some() {
        out.push(format!(
            "{}{} deliveries are detected but cannot be verified offline",
            label("note"),
            p.title
        ));
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::Registry;

    #[test]
    fn mismatch_names_the_providers_and_a_tunnel_that_fits() {
        let r = Registry::builtin();
        let zoom = r.get("zoom").unwrap();
        let github = r.get("github").unwrap();
        let w = https_mismatch(&[zoom, github], Some(false), Some("bore")).unwrap();
        assert!(
            w.starts_with("zoom accepts only https:// endpoints; bore gives http://"),
            "{w}"
        );
        assert!(w.contains("--tunnel cloudflared"), "{w}");
        assert_eq!(https_mismatch(&[zoom], Some(true), Some("ngrok")), None);
        assert_eq!(https_mismatch(&[zoom], None, Some("cmd")), None);
        assert_eq!(https_mismatch(&[github], Some(false), Some("bore")), None);
    }

    #[test]
    fn seed_providers_have_cards_and_https_only_ones_say_why() {
        let r = Registry::builtin();
        for name in ["zoom", "zoho-webinar", "zentact", "meetbot"] {
            let p = r.get(name).unwrap();
            assert!(p.setup.is_some(), "{name} has no [setup]");
        }
        for name in [
            "zoom",
            "zentact",
            "twitch",
            "shopify",
            "meta",
            "twitter",
            "xero",
            "microsoft-graph",
            "okta",
        ] {
            let p = r.get(name).unwrap();
            assert!(p.https_only, "{name}");
            assert!(p.setup.as_ref().unwrap().https_why.is_some(), "{name}");
        }
        assert!(!r.get("github").unwrap().https_only);
    }

    #[test]
    fn the_handshake_line_comes_from_the_providers_challenge_table() {
        let r = Registry::builtin();
        let ctx = CardContext {
            answer_challenges: true,
            ..Default::default()
        };
        let meta = handshake(r.get("meta").unwrap(), &ctx);
        assert!(
            meta.starts_with("Meta (Facebook, Instagram, WhatsApp, Messenger) sends the verification GET (hub.mode=subscribe) when you save the Callback URL"),
            "{meta}"
        );
        assert!(meta.contains("set the secret first"), "{meta}");
        // Asana's handshake needs no secret but hands one over: only without --forward.
        let asana = handshake(r.get("asana").unwrap(), &ctx);
        assert!(
            asana.contains("X-Hook-Secret handshake")
                && asana.contains("with --forward your app answers it"),
            "{asana}"
        );
        let forwarded = CardContext {
            answer_challenges: false,
            ..Default::default()
        };
        let xero = handshake(r.get("xero").unwrap(), &forwarded);
        assert!(
            xero.contains("intent to receive") && xero.contains("forwarded to your app"),
            "{xero}"
        );
        assert!(handshake(r.get("github").unwrap(), &ctx).starts_with("none:"));
    }

    #[test]
    fn card_without_a_url_says_how_to_get_one() {
        let r = Registry::builtin();
        let text = card(
            r.get("github").unwrap(),
            &CardContext {
                answer_challenges: true,
                ..Default::default()
            },
        );
        assert!(text.contains("PUBLIC_URL/hooks/github"), "{text}");
        assert!(text.contains("HOOKSCOPE_SECRET_GITHUB"), "{text}");
        assert!(text.contains("no secret configured"), "{text}");
    }
}
