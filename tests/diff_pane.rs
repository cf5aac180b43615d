//! The diff pane (`m` mark, `D` diff) and the response-rules overlay (`a`) on ratatui's
//! TestBackend, with the fixtures' real signed deliveries; the two deliveries are loaded through
//! the same effect the event loop performs.

mod common;

use bytes::Bytes;
use common::*;
use hookscope::delivery::Delivery;
use hookscope::tui::Effect;
use hookscope::tui::rules_pane::RuleRow;

fn with_id(d: &Delivery, id: u64) -> Delivery {
    Delivery { id, ..d.clone() }
}

/// Mark `left`, select `right`, press `D`.
fn diff(h: &mut Harness, left: u64, right: u64) {
    h.select(left);
    h.ch('m');
    h.select(right);
    h.ch('D');
    let pane = h.app.compare().pane().expect("the diff pane is open");
    assert_eq!((pane.left, pane.right), (left, right));
}

#[test]
fn snapshot_a_reserialized_body_with_the_same_values() {
    let pretty = with_id(&deliveries()[1], 2);
    let value: serde_json::Value = serde_json::from_slice(&pretty.body).unwrap();
    let compact = serde_json::to_vec(&value).unwrap();
    let original = Delivery {
        id: 1,
        body_size: compact.len() as u64,
        body: Bytes::from(compact),
        received_at_ms: pretty.received_at_ms - 1000,
        ..pretty.clone()
    };
    let mut h = Harness::new(120, 40, &[original, pretty], &[]);
    diff(&mut h, 1, 2);
    let screen = h.screen();
    insta::assert_snapshot!("diff_reserialized", screen);
    let text = h.app.compare().pane().unwrap().text().join("\n");
    assert!(text.contains("JSON: the same values, written differently (re-serialized)"));
    assert!(text.contains("first difference at byte 1 (0x1)"));
    assert!(text.contains("signature  zoom"));
}

#[test]
fn snapshot_one_header_removed() {
    let stripe = with_id(&deliveries()[0], 1);
    let mut proxied = with_id(&stripe, 2);
    proxied.headers.retain(|(n, _)| n != "user-agent");
    proxied.received_at_ms += 2_000;
    let mut h = Harness::new(120, 40, &[stripe, proxied], &[]);
    diff(&mut h, 1, 2);
    insta::assert_snapshot!("diff_header_removed", h.screen());
    let text = h.app.compare().pane().unwrap().text();
    assert!(
        text.iter().any(|l| l == "  - user-agent: fixture/1.0"),
        "{text:#?}"
    );
    assert!(
        text.iter()
            .any(|l| l.starts_with("body       130 bytes each · identical"))
    );
}

#[test]
fn snapshot_one_byte_changed_in_a_binary_body() {
    let blob: Vec<u8> = (0..64u8).map(|i| i.wrapping_mul(37) | 0x80).collect();
    let mut changed = blob.clone();
    changed[37] ^= 0x10;
    let bin = |id: u64, body: Vec<u8>| {
        let mut d = with_id(&deliveries()[2], id);
        d.headers[2].1 = b"application/octet-stream".to_vec();
        d.body_size = body.len() as u64;
        d.body = Bytes::from(body);
        d
    };
    let mut h = Harness::new(120, 40, &[bin(1, blob), bin(2, changed)], &[]);
    diff(&mut h, 1, 2);
    insta::assert_snapshot!("diff_binary_byte", h.screen());
    let text = h.app.compare().pane().unwrap().text();
    assert!(
        text.iter()
            .any(|l| l.contains("first difference at byte 37 (0x25)")),
        "{text:#?}"
    );
    assert!(
        text.iter()
            .any(|l| l.trim() == "at 37 (0x25): 1 byte → 1 byte"),
        "{text:#?}"
    );
}

#[test]
fn a_replay_is_compared_with_its_original_by_default_and_esc_closes() {
    let all = deliveries();
    let mut replay = with_id(&all[0], 2);
    replay.replay_of = Some(1);
    let mut h = Harness::new(120, 40, &[with_id(&all[0], 1), replay], &[]);
    h.select(1);
    h.ch('D');
    assert!(h.app.compare().pane().is_none());
    assert_eq!(
        h.app.status(),
        Some("press m on one delivery, select another, then D")
    );
    h.select(2);
    h.ch('D');
    let pane = h.app.compare().pane().unwrap();
    assert_eq!((pane.left, pane.right), (1, 2), "the original on the left");
    // The pane has the keys: j scrolls it, not the list.
    h.ch('j');
    assert_eq!(h.app.selected(), Some(2));
    h.key(crossterm::event::KeyCode::Esc);
    assert!(h.app.compare().pane().is_none());
    // Marking, unmarking, and the mark shown in the list.
    h.select(1);
    h.ch('m');
    assert_eq!(h.app.compare().marked(), Some(1));
    assert!(h.screen().contains("✓◆"), "the marked row carries ◆");
    h.ch('D');
    let status = h.app.status().unwrap();
    assert!(status.contains("#1 is the marked delivery"), "{status}");
    h.ch('m');
    assert_eq!(h.app.compare().marked(), None);
}

#[test]
fn a_delivery_gone_before_the_diff_loads_is_said_in_the_pane() {
    let all = deliveries();
    let mut h2 = Harness::new(120, 40, &[with_id(&all[0], 1), with_id(&all[3], 2)], &[]);
    h2.select(1);
    h2.ch('m');
    h2.select(2);
    hookscope::tui::DeliverySource::delete(&mut h2.source, 1).unwrap();
    h2.ch('D');
    assert!(h2.screen().contains("delivery #1 is no longer stored"));
}

#[test]
fn the_rules_overlay_switches_a_rule_and_the_overview_names_the_rule() {
    let all = deliveries();
    let mut answered = with_id(&all[1], 1);
    let r = answered.response.as_mut().unwrap();
    (r.status, r.source, r.rule) = (401, "hookscope".into(), Some("strict".into()));
    let mut h = Harness::new(120, 40, &[answered], &[]);
    let overview = h.screen();
    assert!(
        overview.contains("rule       strict answered"),
        "{overview}"
    );
    h.ch('a');
    assert!(h.app.status().unwrap().starts_with("no response rules"));
    h.app.set_rules(vec![
        RuleRow {
            name: "strict".into(),
            when: "failed".into(),
            answer: "401".into(),
            flags: String::new(),
            enabled: true,
        },
        RuleRow {
            name: "slow".into(),
            when: "/slow/*".into(),
            answer: "503 after 2000 ms".into(),
            flags: "instead of forwarding".into(),
            enabled: false,
        },
    ]);
    h.ch('a');
    assert!(h.app.rules_pane().is_open());
    insta::assert_snapshot!("rules_overlay", h.screen());
    h.ch('j');
    let fx = h.ch(' ');
    assert_eq!(
        fx,
        vec![Effect::SetRule {
            index: 1,
            enabled: true
        }]
    );
    assert!(h.app.rules_pane().rows()[1].enabled);
    h.key(crossterm::event::KeyCode::Esc);
    assert!(!h.app.rules_pane().is_open());
}
