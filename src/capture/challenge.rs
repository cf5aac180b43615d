//! Endpoint handshakes hookscope answers itself when the provider's secret is configured:
//! Zoom `endpoint.url_validation`, Slack `url_verification`, Twitch
//! `webhook_callback_verification` and Dropbox `GET ?challenge=`.
//!
//! A signed handshake is answered only when the delivery verifies; Dropbox's GET is unsigned,
//! so it is answered when a Dropbox secret is configured. The body is only read here (to find
//! the token); the stored bytes are never touched.

use crate::checker::Checker;
use crate::crypto;
use crate::delivery::Delivery;
use crate::providers::scheme::{Algorithm, Challenge};
use crate::verify::{Verdict, Verification};
use bytes::Bytes;
use serde_json::Value;

/// The answer to send for a handshake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ChallengeAnswer {
    pub content_type: &'static str,
    /// Adds `X-Content-Type-Options: nosniff` (Dropbox asks for it).
    pub nosniff: bool,
    pub body: Bytes,
}

impl ChallengeAnswer {
    fn json(value: Value) -> Self {
        ChallengeAnswer {
            content_type: "application/json",
            nosniff: false,
            body: Bytes::from(value.to_string()),
        }
    }

    fn text(text: String, nosniff: bool) -> Self {
        ChallengeAnswer {
            content_type: "text/plain",
            nosniff,
            body: Bytes::from(text),
        }
    }
}

/// Whether `d` is this kind of handshake (an endpoint check rather than an event).
pub fn is_handshake(challenge: Challenge, d: &Delivery) -> bool {
    let json_field = |field: &str, value: &str| {
        body_json(d)
            .and_then(|j| j.get(field)?.as_str().map(|s| s == value))
            .unwrap_or(false)
    };
    match challenge {
        Challenge::ZoomUrlValidation => json_field("event", "endpoint.url_validation"),
        Challenge::SlackUrlVerification => json_field("type", "url_verification"),
        Challenge::TwitchCallbackVerification => d
            .header_str("twitch-eventsub-message-type")
            .is_some_and(|k| k.trim() == "webhook_callback_verification"),
        Challenge::DropboxChallenge => {
            d.method.eq_ignore_ascii_case("GET")
                && form_urlencoded::parse(d.query.as_bytes()).any(|(k, _)| k == "challenge")
        }
    }
}

/// The handshake's name as its provider's docs call it.
pub fn handshake_name(challenge: Challenge) -> &'static str {
    match challenge {
        Challenge::ZoomUrlValidation => "endpoint.url_validation",
        Challenge::SlackUrlVerification => "url_verification",
        Challenge::TwitchCallbackVerification => "webhook_callback_verification",
        Challenge::DropboxChallenge => "GET ?challenge=",
    }
}

/// The handshake answer for this delivery, if it is a handshake hookscope can answer (and is
/// to answer: not with `--forward-challenges`).
pub(crate) fn answer(checker: &Checker, d: &Delivery, v: &Verification) -> Option<ChallengeAnswer> {
    if !checker.live().answer_challenges {
        return None;
    }
    if let Some(a) = dropbox(checker, d, v) {
        return Some(a);
    }
    let name = v.provider.as_deref()?;
    let challenge = checker.registry().get(name)?.challenge?;
    if v.verdict != Verdict::Verified {
        return None;
    }
    match challenge {
        Challenge::ZoomUrlValidation => {
            let json = body_json(d)?;
            if json.get("event")?.as_str()? != "endpoint.url_validation" {
                return None;
            }
            let plain = json.get("payload")?.get("plainToken")?.as_str()?;
            let secrets = checker.secrets_for(name);
            let secret = secrets.get(v.signature.secret_index.unwrap_or(1).saturating_sub(1))?;
            let mac = crypto::compute(
                Algorithm::HmacSha256,
                secret.expose().as_bytes(),
                plain.as_bytes(),
            )?;
            Some(ChallengeAnswer::json(serde_json::json!({
                "plainToken": plain,
                "encryptedToken": hex::encode(mac),
            })))
        }
        Challenge::SlackUrlVerification => {
            let json = body_json(d)?;
            if json.get("type")?.as_str()? != "url_verification" {
                return None;
            }
            let challenge = json.get("challenge")?.as_str()?;
            Some(ChallengeAnswer::json(
                serde_json::json!({ "challenge": challenge }),
            ))
        }
        Challenge::TwitchCallbackVerification => {
            let kind = d.header_str("twitch-eventsub-message-type")?;
            if kind.trim() != "webhook_callback_verification" {
                return None;
            }
            let json = body_json(d)?;
            let challenge = json.get("challenge")?.as_str()?;
            Some(ChallengeAnswer::text(challenge.to_string(), false))
        }
        Challenge::DropboxChallenge => None,
    }
}

/// Dropbox's unsigned `GET ?challenge=x`: echoed when a provider with that handshake (the
/// attributed one, or any when none is attributed) has a secret configured.
fn dropbox(checker: &Checker, d: &Delivery, v: &Verification) -> Option<ChallengeAnswer> {
    if !d.method.eq_ignore_ascii_case("GET") {
        return None;
    }
    let value = form_urlencoded::parse(d.query.as_bytes())
        .find(|(k, _)| k == "challenge")
        .map(|(_, v)| v.into_owned())?;
    let configured = |name: &str| !checker.secrets_for(name).is_empty();
    let ok = match v.provider.as_deref() {
        Some(name) => {
            checker.registry().get(name)?.challenge == Some(Challenge::DropboxChallenge)
                && configured(name)
        }
        None => checker
            .registry()
            .all()
            .iter()
            .any(|p| p.challenge == Some(Challenge::DropboxChallenge) && configured(&p.name)),
    };
    ok.then(|| ChallengeAnswer::text(value, true))
}

fn body_json(d: &Delivery) -> Option<Value> {
    let first = d.body.iter().find(|b| !b.is_ascii_whitespace())?;
    if *first != b'{' {
        return None;
    }
    serde_json::from_slice(&d.body).ok()
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
        let a = answer(&with, &d, &v).unwrap();
        assert_eq!(a.body, Bytes::from_static(b"a b"));
        assert!(a.nosniff && a.content_type == "text/plain");
        let without = checker("");
        assert!(answer(&without, &d, &without.check(&d, 0)).is_none());
        let mut post = get("challenge=a");
        post.method = "POST".into();
        assert!(answer(&with, &post, &with.check(&post, 0)).is_none());
    }

    #[test]
    fn unsigned_zoom_validation_is_not_answered() {
        let c = checker("[providers.zoom]\nsecrets = [\"s\"]");
        let d = Delivery {
            method: "POST".into(),
            headers: vec![("x-zm-signature".into(), b"v0=00".to_vec())],
            body: Bytes::from_static(
                br#"{"event":"endpoint.url_validation","payload":{"plainToken":"p"}}"#,
            ),
            ..Default::default()
        };
        let v = c.check(&d, 0);
        assert_eq!(v.provider.as_deref(), Some("zoom"));
        assert!(answer(&c, &d, &v).is_none());
    }
}
