//! Providers that share a signature header with another are told apart by what else the request
//! carries (sibling headers, absent headers, body fields), never by table order.

use hookscope::delivery::Delivery;
use hookscope::providers::Registry;

fn req(headers: &[(&str, &str)], body: &str) -> Delivery {
    Delivery {
        method: "POST".into(),
        path: "/".into(),
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_ascii_lowercase(), v.as_bytes().to_vec()))
            .collect(),
        body: body.to_string().into(),
        body_size: body.len() as u64,
        ..Default::default()
    }
}

fn detected(d: &Delivery) -> Option<String> {
    let r = Registry::builtin();
    r.detect(d).map(|x| r.at(x.provider).name.clone())
}

#[test]
fn webhook_signature_from_the_gocardless_agent_is_gocardless() {
    let gc = req(
        &[
            ("User-Agent", "gocardless-webhook-service/1.1"),
            ("Webhook-Signature", "00ff"),
        ],
        r#"{"events":[]}"#,
    );
    assert_eq!(detected(&gc).as_deref(), Some("gocardless"));
    let sw = req(
        &[
            ("webhook-signature", "v1,AA=="),
            ("webhook-id", "msg_1"),
            ("webhook-timestamp", "1700000000"),
        ],
        "{}",
    );
    assert_eq!(detected(&sw).as_deref(), Some("standard-webhooks"));
    let gl = req(
        &[
            ("webhook-signature", "v1,AA=="),
            ("webhook-id", "msg_1"),
            ("webhook-timestamp", "1700000000"),
            ("X-Gitlab-Event", "Push Hook"),
        ],
        "{}",
    );
    assert_eq!(detected(&gl).as_deref(), Some("gitlab"));
}

#[test]
fn x_signature_is_told_apart_by_body_field_or_timestamp_sibling() {
    let cu = req(
        &[("X-Signature", "00ff")],
        r#"{"webhook_id":"7689a169","event":"taskCreated","task_id":"c0j"}"#,
    );
    assert_eq!(detected(&cu).as_deref(), Some("clickup"));
    let ls = req(
        &[("X-Signature", "00ff"), ("X-Event-Name", "order_created")],
        r#"{"meta":{"event_name":"order_created"},"data":{}}"#,
    );
    assert_eq!(detected(&ls).as_deref(), Some("lemon-squeezy"));
    let aw = req(
        &[("x-signature", "00ff"), ("x-timestamp", "1700000000123")],
        r#"{"id":"evt_1","name":"payment_intent.succeeded"}"#,
    );
    assert_eq!(detected(&aw).as_deref(), Some("airwallex"));
}
