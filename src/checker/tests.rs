//! Unit tests of the checker: attribution, routes, public URLs, generations.

use super::*;
use crate::tunnel::{TunnelState, TunnelStatus};
use base64::Engine;
use bytes::Bytes;

#[test]
fn kept_generations_follow_secret_changes() {
    let mut c = Checker::builtin();
    let before = c.generation(Some("zoom"));
    assert_eq!(before, c.compute_generation(Some("zoom")));
    c.set_secrets("zoom", vec![crate::secret::Secret::new("s1")]);
    let after = c.generation(Some("zoom"));
    assert_ne!(before, after);
    assert_eq!(after, c.compute_generation(Some("zoom")));
    // Other providers and rows with none keep theirs; an unknown name is computed.
    assert_eq!(
        c.generation(Some("stripe")),
        c.compute_generation(Some("stripe"))
    );
    assert_eq!(c.generation(None), c.compute_generation(None));
    assert_eq!(
        c.generation(Some("nope")),
        c.compute_generation(Some("nope"))
    );
    c.set_secrets("zoom", Vec::new());
    assert_eq!(c.generation(Some("zoom")), before);
}

/// A Twilio form delivery signed for `url`, arriving with `host`.
fn twilio(url: &str, host: &str) -> Delivery {
    let body = "Body=hi&From=%2B1555";
    let msg = format!("{url}BodyhiFrom+1555");
    let mac = crate::crypto::compute(
        crate::providers::scheme::Algorithm::HmacSha1,
        b"token",
        msg.as_bytes(),
    )
    .unwrap();
    let sig = base64::engine::general_purpose::STANDARD.encode(mac);
    let path = url.split_once("//").unwrap().1;
    let path = &path[path.find('/').unwrap()..];
    Delivery {
        method: "POST".into(),
        path: path.into(),
        headers: vec![
            ("host".into(), host.as_bytes().to_vec()),
            (
                "content-type".into(),
                b"application/x-www-form-urlencoded".to_vec(),
            ),
            ("x-twilio-signature".into(), sig.into_bytes()),
        ],
        body: Bytes::from(body),
        ..Default::default()
    }
}

fn checker(toml: &str, tunnel_url: Option<&str>) -> Checker {
    let cfg = Config::parse(toml).unwrap();
    let mut c = Checker::from_config(&cfg, &[]).unwrap();
    let status = TunnelStatus {
        kind: "cmd",
        state: TunnelState::Up,
        public_url: tunnel_url.map(str::to_string),
        message: None,
        retry_in_secs: None,
    };
    // The state stays readable after the sender is gone.
    let (_, rx) = tokio::sync::watch::channel(status);
    c.set_live(LiveSettings {
        tunnel: tunnel_url.map(|_| rx),
        answer_challenges: true,
    });
    c
}

#[test]
fn the_tunnel_url_is_the_default_public_url_of_url_signing_schemes() {
    let toml = "[providers.twilio]\nsecrets = [\"token\"]\n";
    // Through a tunnel that rewrites Host: only the tunnel's URL verifies it.
    let d = twilio("https://pub.example/hooks/twilio", "127.0.0.1:4545");
    assert_ne!(checker(toml, None).check(&d, 0).verdict, Verdict::Verified);
    let with = checker(toml, Some("https://pub.example"));
    assert_eq!(with.check(&d, 0).verdict, Verdict::Verified);
    // A configured public_url wins over the tunnel's.
    let other = format!("{toml}public_url = \"https://other.example\"\n");
    let configured = checker(&other, Some("https://pub.example"));
    assert_ne!(configured.check(&d, 0).verdict, Verdict::Verified);
    // Sent to the listener directly while the tunnel is up: its Host still verifies it.
    let direct = twilio("http://127.0.0.1:4545/hooks/twilio", "127.0.0.1:4545");
    assert_eq!(with.check(&direct, 0).verdict, Verdict::Verified);
}

#[test]
fn a_handshake_hookscope_cannot_answer_says_so() {
    let d = Delivery {
        method: "POST".into(),
        headers: vec![
            ("x-zm-signature".into(), b"v0=00".to_vec()),
            ("x-zm-request-timestamp".into(), b"0".to_vec()),
        ],
        body: Bytes::from_static(
            br#"{"event":"endpoint.url_validation","payload":{"plainToken":"p"}}"#,
        ),
        ..Default::default()
    };
    let v = checker("", None).check(&d, 0);
    let hint = v
        .hints
        .iter()
        .find(|h| h.contains("endpoint check"))
        .unwrap();
    assert!(
        hint.contains("no zoom secret is configured")
            && hint.contains("Zoom will reject the endpoint")
            && hint.contains("HOOKSCOPE_SECRET_ZOOM"),
        "{hint}"
    );
    let mut forwarding = checker("[providers.zoom]\nsecrets = [\"s\"]\n", None);
    forwarding.set_live(LiveSettings {
        tunnel: None,
        answer_challenges: false,
    });
    let v = forwarding.check(&d, 0);
    assert!(
        v.hints
            .iter()
            .any(|h| h.contains("forwarded to the app (--forward-challenges)")),
        "{:?}",
        v.hints
    );
    let answered = checker("[providers.zoom]\nsecrets = [\"s\"]\n", None).check(&d, 0);
    assert!(!answered.hints.iter().any(|h| h.contains("endpoint check")));
}
