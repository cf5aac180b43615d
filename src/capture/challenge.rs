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

/// The handshake answer for this delivery, if it is a handshake hookscope can answer (and is
/// to answer: not with `--forward-challenges`); `forwarding` says whether an app is behind
/// hookscope.
pub(crate) fn answer(
    checker: &Checker,
    d: &Delivery,
    v: &Verification,
    forwarding: bool,
) -> Option<ChallengeAnswer> {
    if !checker.live().answer_challenges {
        return None;
    }
    let reg = checker.registry();
    let attributed = v.provider.as_deref();
    let candidates: Vec<_> = match attributed {
        Some(name) => vec![reg.get(name)?],
        None => reg.all().iter().filter(|p| p.challenge.is_some()).collect(),
    };
    for p in candidates {
        let Some(c) = &p.challenge else { continue };
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
        // Checked after the requirement: reading the request costs more than the config.
        if !c.matches(d) {
            continue;
        }
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

    fn req(method: &str, query: &str, headers: &[(&str, &str)], body: &str) -> Delivery {
        Delivery {
            method: method.into(),
            path: "/hook".into(),
            query: query.into(),
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_ascii_lowercase(), v.as_bytes().to_vec()))
                .collect(),
            body: bytes::Bytes::copy_from_slice(body.as_bytes()),
            ..Default::default()
        }
    }

    fn body_text(a: &ChallengeAnswer) -> &str {
        std::str::from_utf8(&a.body).unwrap()
    }

    #[test]
    fn meta_echoes_the_challenge_when_the_verify_token_is_a_configured_secret() {
        // The Graph API webhooks docs' example verification request.
        let q = "hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=meatyhamhock";
        let c = checker("[providers.meta]\nsecrets = [\"app-secret\", \"meatyhamhock\"]");
        let d = req("GET", q, &[], "");
        let a = answer(&c, &d, &c.check(&d, 0), false).unwrap();
        assert_eq!((a.status, body_text(&a)), (200, "1158201444"));
        assert_eq!(a.content_type, Some("text/plain"));
        // A wrong verify token, another mode, or no meta secret: not answered.
        let wrong = req("GET", &q.replace("meatyhamhock", "guess"), &[], "");
        assert!(answer(&c, &wrong, &c.check(&wrong, 0), false).is_none());
        let other = req("GET", &q.replace("subscribe", "unsubscribe"), &[], "");
        assert!(answer(&c, &other, &c.check(&other, 0), false).is_none());
        let none = checker("");
        assert!(answer(&none, &d, &none.check(&d, 0), false).is_none());
    }

    #[test]
    fn x_crc_answers_the_response_token() {
        // The consumer secret and crc_token of X's CRC sample code; expected value computed
        // independently (Python hmac: base64 HMAC-SHA256(consumer secret, crc_token)).
        let c = checker(
            "[providers.twitter]\nsecrets = [\"z3ZX4v7mAAUGykl3EcmkqbartmuW8VFOOzCloLx9Q45P0hLrFu\"]",
        );
        let d = req(
            "GET",
            "crc_token=9b4507b3-9040-4669-9ca3-6b94edb50553",
            &[],
            "",
        );
        let a = answer(&c, &d, &c.check(&d, 0), false).unwrap();
        assert_eq!(a.content_type, Some("application/json"));
        assert_eq!(
            body_text(&a),
            r#"{"response_token":"sha256=Cytd4Sq+NvEcV3MMrXxWJGJx5A+y/lXzzU2Maartkx8="}"#
        );
    }

    #[test]
    fn asana_handshake_is_echoed_only_while_hookscope_is_the_endpoint() {
        // The X-Hook-Secret of Asana's "Establish a webhook" example.
        let secret = "b537207f20cbfa02357cf448134da559e8bd39d61597dcd5631b8012eae53e81";
        let c = checker("");
        let d = req("POST", "", &[("X-Hook-Secret", secret)], "");
        let v = c.check(&d, 0);
        let a = answer(&c, &d, &v, false).unwrap();
        assert_eq!((a.status, a.body.len()), (200, 0));
        assert_eq!(a.content_type, None);
        assert_eq!(
            a.headers,
            vec![("X-Hook-Secret".to_string(), secret.to_string())]
        );
        let note = a.note.unwrap();
        assert!(
            note.contains(&crate::secret::fingerprint(secret.as_bytes())),
            "{note}"
        );
        assert!(
            !note.contains(secret),
            "the note must not show the secret: {note}"
        );
        // With --forward the app must see the secret: hookscope stays out of it.
        assert!(answer(&c, &d, &v, true).is_none());
    }

    #[test]
    fn xero_intent_to_receive_is_200_when_signed_and_401_when_not() {
        let key = "OSd0eLlVIY9ZhViEqlDUh4+6n6M+Lo+eDaEJheJ6OCCgWwIz2D3JIAU6jPMipHRbgKTLz2uJ+xiACXGDBLrgdA==";
        let c = checker(&format!("[providers.xero]\nsecrets = [\"{key}\"]"));
        let body = r#"{"events":[],"firstEventSequence": 0,"lastEventSequence": 0, "entropy": "S0m3r4Nd0mt3xt"}"#;
        let good = req(
            "POST",
            "",
            &[(
                "x-xero-signature",
                "rvoOZBRuH18ZEOiYWvvVGwFrassSNCqtJOfWdAF8+UY=",
            )],
            body,
        );
        let a = answer(&c, &good, &c.check(&good, 0), false).unwrap();
        assert_eq!((a.status, a.body.len(), a.content_type), (200, 0, None));
        let bad = req("POST", "", &[("x-xero-signature", "AAAA")], body);
        let a = answer(&c, &bad, &c.check(&bad, 0), false).unwrap();
        assert_eq!((a.status, a.body.len()), (401, 0));
        // Without a key nothing can be judged: not answered; nor is an ordinary event.
        let none = checker("");
        assert!(answer(&none, &good, &none.check(&good, 0), false).is_none());
        let event = req(
            "POST",
            "",
            &[("x-xero-signature", "AAAA")],
            r#"{"events":[{"eventType":"UPDATE"}]}"#,
        );
        assert!(answer(&c, &event, &c.check(&event, 0), false).is_none());
    }

    #[test]
    fn okta_graph_and_trello_verification_requests() {
        let c = checker(
            "[providers.okta]\nsecrets = [\"Basic abc\"]\n[providers.microsoft-graph]\nsecrets = [\"state\"]\n[providers.trello]\nsecrets = [\"app-secret\"]",
        );
        let okta = req(
            "GET",
            "",
            &[(
                "X-Okta-Verification-Challenge",
                "2Nu2fKWJGs-1o6aCWKLtJvd8e3whpPMDxR3jRnGe",
            )],
            "",
        );
        let a = answer(&c, &okta, &c.check(&okta, 0), false).unwrap();
        assert_eq!(
            body_text(&a),
            r#"{"verification":"2Nu2fKWJGs-1o6aCWKLtJvd8e3whpPMDxR3jRnGe"}"#
        );
        // The shape of Graph's documented validation request: the token is echoed decoded.
        let graph = req(
            "POST",
            "validationToken=Validation%3a+Testing+client+application+reachability+for+subscription+Request-Id%3a+25471e8d-ca64-4c2f-8a4a-9ed0a8b9f95b",
            &[("Content-Type", "text/plain; charset=utf-8")],
            "",
        );
        let a = answer(&c, &graph, &c.check(&graph, 0), false).unwrap();
        assert_eq!(a.content_type, Some("text/plain"));
        assert_eq!(
            body_text(&a),
            "Validation: Testing client application reachability for subscription Request-Id: 25471e8d-ca64-4c2f-8a4a-9ed0a8b9f95b"
        );
        let head = req("HEAD", "", &[], "");
        let a = answer(&c, &head, &c.check(&head, 0), false).unwrap();
        assert_eq!((a.status, a.body.len()), (200, 0));
        // None of them without the provider's secret.
        let none = checker("");
        for d in [&okta, &graph, &head] {
            assert!(answer(&none, d, &none.check(d, 0), false).is_none());
        }
    }
}
