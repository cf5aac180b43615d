//! Endpoint handshakes hookscope answers itself: each provider's `[challenge]` table (see
//! `providers::handshake`) says what the request looks like, what must hold and what to answer
//! — Zoom `endpoint.url_validation`, Slack `url_verification`, Twitch
//! `webhook_callback_verification`, Dropbox and Meta verification GETs, X's CRC, Asana's
//! `X-Hook-Secret`, Xero's intent to receive, Okta, Microsoft Graph, Trello's HEAD.
//!
//! A delivery attributed to a provider can only be that provider's handshake; an unattributed
//! one (a verification GET carries no signature) is tried against every provider's. Signed
//! handshakes are answered when the delivery verifies, unsigned ones when the provider has a
//! secret configured (the user's opt-in), and those that hand over a secret only while
//! hookscope is the endpoint (with `--forward` the app must see them). The body is only read
//! here; the stored bytes are never touched.

use crate::checker::Checker;
use crate::crypto::ct_eq;
use crate::delivery::Delivery;
pub(crate) use crate::providers::handshake::Answer as ChallengeAnswer;
use crate::providers::handshake::Requirement;
use crate::verify::{Verdict, Verification};

/// The handshake answer for this delivery, if it is a handshake hookscope can answer;
/// `forwarding` says whether an app is behind hookscope.
pub(crate) fn answer(
    checker: &Checker,
    d: &Delivery,
    v: &Verification,
    forwarding: bool,
) -> Option<ChallengeAnswer> {
    let reg = checker.registry();
    let attributed = v.provider.as_deref();
    let candidates: Vec<_> = match attributed {
        Some(name) => vec![reg.get(name)?],
        None => reg.all().iter().filter(|p| p.challenge.is_some()).collect(),
    };
    for p in candidates {
        let Some(c) = &p.challenge else { continue };
        if !c.matches(d) {
            continue;
        }
        let secrets = checker.secrets_for(&p.name);
        let mine = attributed == Some(p.name.as_str());
        let failed = match c.requires {
            Requirement::Verified if mine && v.verdict == Verdict::Verified => false,
            Requirement::Verified
                if mine && v.verdict == Verdict::Failed && c.failed_status.is_some() =>
            {
                true
            }
            Requirement::Verified => continue,
            Requirement::Secret if !secrets.is_empty() => false,
            Requirement::Secret => continue,
            Requirement::Nothing if !forwarding => false,
            Requirement::Nothing => continue,
        };
        if let Some(field) = &c.token {
            let sent = field.read(d).unwrap_or_default();
            let mut any = false;
            for s in secrets {
                any |= ct_eq(sent.as_bytes(), s.expose().as_bytes());
            }
            if !any {
                continue;
            }
        }
        // The secret that verified keys the MAC; an unsigned handshake uses the first.
        let index = if mine {
            v.signature.secret_index.unwrap_or(1)
        } else {
            1
        };
        let key = secrets
            .get(index.saturating_sub(1))
            .map(|s| s.expose().as_bytes())
            .unwrap_or_default();
        return Some(c.answer(d, key, failed));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn checker(toml: &str) -> Checker {
        Checker::from_config(&Config::parse(toml).unwrap(), &[]).unwrap()
    }

    fn get(query: &str) -> Delivery {
        Delivery {
            method: "GET".into(),
            path: "/dropbox".into(),
            query: query.into(),
            ..Default::default()
        }
    }

    #[test]
    fn dropbox_needs_its_secret_and_a_get() {
        let with = checker("[providers.dropbox]\nsecrets = [\"s\"]");
        let d = get("challenge=a%20b&x=1");
        let v = with.check(&d, 0);
        let a = answer(&with, &d, &v, false).unwrap();
        assert_eq!(a.body, b"a b");
        assert_eq!(a.content_type, Some("text/plain"));
        assert!(
            a.headers
                .contains(&("X-Content-Type-Options".into(), "nosniff".into()))
        );
        let without = checker("");
        assert!(answer(&without, &d, &without.check(&d, 0), false).is_none());
        let mut post = get("challenge=a");
        post.method = "POST".into();
        assert!(answer(&with, &post, &with.check(&post, 0), false).is_none());
    }

    #[test]
    fn unsigned_zoom_validation_is_not_answered() {
        let c = checker("[providers.zoom]\nsecrets = [\"s\"]");
        let d = Delivery {
            method: "POST".into(),
            headers: vec![("x-zm-signature".into(), b"v0=00".to_vec())],
            body: bytes::Bytes::from_static(
                br#"{"event":"endpoint.url_validation","payload":{"plainToken":"p"}}"#,
            ),
            ..Default::default()
        };
        let v = c.check(&d, 0);
        assert_eq!(v.provider.as_deref(), Some("zoom"));
        assert!(answer(&c, &d, &v, false).is_none());
    }
}
