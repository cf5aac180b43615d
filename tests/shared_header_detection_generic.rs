//! Providers that reuse another provider's header, or send only generic ones, never take that
//! provider's deliveries: `X-Signature` (Lemon Squeezy / Segment), Standard Webhooks headers
//! (Polar), `Authorization` (Auth0 log streams), and the two Front and Mollie variants.

use hookscope::delivery::Delivery;
use hookscope::providers::{Registry, select_variant};

fn req(headers: &[(&str, &str)]) -> Delivery {
    Delivery {
        method: "POST".into(),
        path: "/hooks".into(),
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_ascii_lowercase(), v.as_bytes().to_vec()))
            .collect(),
        body: bytes::Bytes::from_static(b"{}"),
        body_size: 2,
        ..Default::default()
    }
}

fn detected(r: &Registry, d: &Delivery) -> Option<String> {
    r.detect(d).map(|x| r.at(x.provider).name.clone())
}

#[test]
fn x_signature_goes_to_segment_only_with_its_user_agent() {
    let r = Registry::builtin();
    let classic = req(&[("X-Signature", "ab"), ("User-Agent", "Segment.io/1.0")]);
    assert_eq!(detected(&r, &classic).as_deref(), Some("segment"));
    let actions = req(&[("X-Signature", "ab"), ("User-Agent", "Segment (Actions)")]);
    assert_eq!(detected(&r, &actions).as_deref(), Some("segment"));
    let other = req(&[("X-Signature", "ab"), ("User-Agent", "node-fetch/1.0")]);
    assert_eq!(detected(&r, &other).as_deref(), Some("lemon-squeezy"));
}

#[test]
fn generic_headers_are_never_claimed_by_polar_or_auth0() {
    let r = Registry::builtin();
    let sw = req(&[
        ("webhook-id", "msg_1"),
        ("webhook-timestamp", "1767225600"),
        ("webhook-signature", "v1,AAAA"),
    ]);
    assert_eq!(detected(&r, &sw).as_deref(), Some("standard-webhooks"));
    let bearer = req(&[("Authorization", "Bearer token")]);
    assert_ne!(detected(&r, &bearer).as_deref(), Some("auth0"));
}

#[test]
fn front_and_mollie_variants_follow_the_request() {
    let r = Registry::builtin();
    let front = r.get("front").unwrap();
    let app = req(&[
        ("x-front-signature", "AA=="),
        ("x-front-request-timestamp", "1767225600789"),
    ]);
    assert_eq!(detected(&r, &app).as_deref(), Some("front"));
    assert_eq!(
        select_variant(front, &app).spec.id.as_deref(),
        Some("application")
    );
    let rule = req(&[("x-front-signature", "AA==")]);
    assert_eq!(detected(&r, &rule).as_deref(), Some("front"));
    assert_eq!(
        select_variant(front, &rule).spec.id.as_deref(),
        Some("rule")
    );

    let mollie = r.get("mollie").unwrap();
    let prefixed = req(&[("X-Mollie-Signature", "sha256=00ff")]);
    assert_eq!(
        select_variant(mollie, &prefixed).spec.id.as_deref(),
        Some("prefixed")
    );
    let bare = req(&[("X-Mollie-Signature", "00ff")]);
    assert_eq!(
        select_variant(mollie, &bare).spec.id.as_deref(),
        Some("bare")
    );
}
