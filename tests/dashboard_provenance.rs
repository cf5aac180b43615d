//! The dashboard says where a verdict's scheme comes from: a community-confirmed scheme is named
//! as such on the Signature tab, and a delivery whose headers match two providers equally is
//! shown as ambiguous with both names instead of being given to one.

mod common;

use bytes::Bytes;
use common::*;
use hookscope::checker::Checker;
use hookscope::config::Config;
use hookscope::delivery::Delivery;

/// A delivery with Intercom's X-Hub-Signature (sha1=, no X-GitHub-Event).
fn hub_sha1(id: u64, secret: &str) -> Delivery {
    let body = b"{\"type\":\"notification_event\",\"topic\":\"ping\"}";
    let mac = hookscope::crypto::compute(
        hookscope::providers::scheme::Algorithm::HmacSha1,
        secret.as_bytes(),
        body,
    )
    .unwrap();
    Delivery {
        id,
        received_at_ms: T0 * 1000,
        method: "POST".into(),
        path: "/hooks/hub".into(),
        headers: vec![
            ("host".into(), b"127.0.0.1:4545".to_vec()),
            ("content-type".into(), b"application/json".to_vec()),
            (
                "x-hub-signature".into(),
                format!("sha1={}", hex::encode(mac)).into_bytes(),
            ),
        ],
        body: Bytes::from_static(body),
        body_size: body.len() as u64,
        ..Default::default()
    }
}

#[test]
fn the_signature_tab_names_a_community_scheme() {
    let mut h = Harness::new(160, 48, &[hub_sha1(1, "intercom-secret")], &[]);
    h.select(1);
    h.ch('4');
    let s = h.screen();
    assert!(s.contains("intercom"), "{s}");
    assert!(
        s.contains("community: confirmed against third-party material only"),
        "{s}"
    );
}

#[test]
fn an_ambiguous_delivery_shows_both_providers_on_overview_and_signature_tabs() {
    let cfg = Config::parse(
        "[[custom_providers]]\nname = \"acme\"\n[[custom_providers.variant]]\n\
         detect = { header = \"x-hub-signature\", prefix = \"sha1=\" }\n\
         signature = { header = \"x-hub-signature\", prefix = \"sha1=\", encoding = \"hex\" }\n\
         algorithm = \"hmac-sha1\"\n",
    )
    .unwrap();
    let mut h = Harness::new(160, 48, &[hub_sha1(1, "s3cret")], &[]);
    h.app.set_checker(Checker::from_config(&cfg, &[]).unwrap());
    h.select(1);
    let s = h.screen();
    assert!(s.contains("ambiguous: intercom or acme"), "{s}");
    h.ch('4');
    let s = h.screen();
    assert!(
        s.contains("ambiguous: the headers match intercom and acme equally"),
        "{s}"
    );
    assert!(s.contains("pin a route"), "{s}");
}
