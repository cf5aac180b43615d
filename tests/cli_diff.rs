//! `hookscope diff ID1 ID2` through the real binary over a real store: the text layout, the
//! JSON, and the exit codes.

mod common;

use bytes::Bytes;
use common::*;
use hookscope::delivery::Delivery;
use hookscope::store::Store;
use hookscope::verify::Verdict;
use std::path::Path;
use std::process::{Command, Output};

/// Store these deliveries (ids 1, 2, … in order) and write the fixture secrets' config.
fn seed(dir: &Path, deliveries: &[Delivery]) {
    let store = Store::open(&dir.join("data")).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    for d in deliveries {
        let mut d = d.clone();
        d.id = 0;
        rt.block_on(store.insert(d, Verdict::Unverified, None))
            .unwrap();
    }
    std::fs::write(
        dir.join("config.toml"),
        format!(
            "[providers.stripe]\nsecrets = [\"{STRIPE_SECRET}\"]\n[providers.zoom]\nsecrets = [\"{ZOOM_SECRET}\"]\n"
        ),
    )
    .unwrap();
}

fn diff(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hookscope"))
        .arg("diff")
        .args(args)
        .arg("--data-dir")
        .arg(dir.join("data"))
        .arg("--config")
        .arg(dir.join("config.toml"))
        .env_remove("HOOKSCOPE_SECRET_STRIPE")
        .env_remove("HOOKSCOPE_SECRET_ZOOM")
        .output()
        .unwrap()
}

/// The fixture's re-serialized Zoom delivery and the compact body it was signed over.
fn zoom_pair() -> (Delivery, Delivery) {
    let pretty = deliveries()[1].clone();
    let value: serde_json::Value = serde_json::from_slice(&pretty.body).unwrap();
    let compact = serde_json::to_vec(&value).unwrap();
    let original = Delivery {
        body_size: compact.len() as u64,
        body: Bytes::from(compact),
        received_at_ms: pretty.received_at_ms - 1000,
        ..pretty.clone()
    };
    (original, pretty)
}

#[test]
fn text_output_shows_a_reserialized_body_and_its_signed_strings() {
    let dir = tempfile::tempdir().unwrap();
    let (original, pretty) = zoom_pair();
    seed(dir.path(), &[original, pretty]);
    let out = diff(dir.path(), &["1", "2"]);
    assert_eq!(out.status.code(), Some(1), "they differ");
    let text = String::from_utf8(out.stdout).unwrap();
    insta::assert_snapshot!("cli_diff_reserialized", text);
    assert!(text.contains("JSON: the same values, written differently (re-serialized)"));
    assert!(text.contains("first difference at byte 1 (0x1)"));
}

#[test]
fn json_output_names_the_changed_header_and_timestamps() {
    let dir = tempfile::tempdir().unwrap();
    let all = deliveries();
    // #1: stripe, signed with the configured secret; #6: the same body signed 30 s later with
    // another secret.
    seed(dir.path(), &[all[0].clone(), all[5].clone()]);
    let out = diff(dir.path(), &["1", "2", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["left"]["verdict"], "verified");
    assert_eq!(j["right"]["verdict"], "failed");
    assert_eq!(
        j["headers"].as_array().unwrap().len(),
        1,
        "{}",
        j["headers"]
    );
    assert_eq!(j["headers"][0]["change"], "changed");
    assert_eq!(j["headers"][0]["name"], "stripe-signature");
    assert_eq!(j["body"]["kind"], "identical");
    assert!(j["body"]["first_difference"].is_null());
    assert_eq!(j["signature"]["provider"], "stripe");
    assert_eq!(j["signature"]["timestamp_delta_secs"], 31);
    assert_eq!(j["signature"]["left"]["status"], "valid");
    assert_eq!(j["signature"]["right"]["status"], "invalid");
    assert_eq!(
        j["signature"]["signed_first_difference"], 7,
        "1795341599 vs 1795341630"
    );
    // Secrets never appear, even in a diff of signed strings.
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains(STRIPE_SECRET) && !text.contains("whsec_rotated"));
}

#[test]
fn the_same_delivery_exits_0_and_a_missing_one_2() {
    let dir = tempfile::tempdir().unwrap();
    seed(dir.path(), &[deliveries()[2].clone()]);
    let same = diff(dir.path(), &["1", "1"]);
    assert_eq!(same.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&same.stdout).contains("all 3 the same"));
    let missing = diff(dir.path(), &["1", "9"]);
    assert_eq!(missing.status.code(), Some(2));
    let err = String::from_utf8_lossy(&missing.stderr);
    assert!(
        err.starts_with("hookscope: there is no delivery 9 in "),
        "{err}"
    );
}
