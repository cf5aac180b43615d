//! The Replay tab: snapshots (before sending, answer shown, blame shown) and App-state tests of
//! its keys and effects (r / R / e / shift / target / repeat / re-sign toggle) without a terminal.

mod common;

use bytes::Bytes;
use common::*;
use crossterm::event::KeyCode;
use hookscope::delivery::{Delivery, ResponseRecord};
use hookscope::replay::record::replay_delivery;
use hookscope::tui::{Effect, Input, PaneInput, ReplayAnswer, ReplayJob, Tab};

fn jobs(fx: &[Effect]) -> Vec<ReplayJob> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Replay(j) => Some((**j).clone()),
            _ => None,
        })
        .collect()
}

fn one_job(fx: &[Effect]) -> ReplayJob {
    let j = jobs(fx);
    assert_eq!(j.len(), 1, "{fx:?}");
    j.into_iter().next().unwrap()
}

fn header(d: &Delivery, name: &str) -> String {
    d.header_str(name).unwrap_or("").to_string()
}

/// Answer a job the way the loop does: the replay stored as `id` with the app's answer.
fn answer(h: &mut Harness, job: ReplayJob, id: u64, status: u16, body: &str) {
    let answer = ResponseRecord {
        status,
        source: "app".into(),
        latency_ms: Some(7),
        error: None,
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.into(),
        rule: None,
    };
    let mut replay = replay_delivery(job.original, &job.prepared, answer.clone(), NOW_MS + 500);
    // Recorded in the store first, as the loop's replayer does.
    replay.id = common::store_judged(&h.source, &replay, &common::checker());
    assert_eq!(replay.id, id);
    h.input(Input::Replayed(Box::new(ReplayAnswer {
        job,
        answer,
        replay,
        store_error: None,
    })));
}

// ---------- snapshots ----------

#[test]
fn snapshot_pane_before_sending() {
    let mut h = Harness::standard(160, 48);
    h.select(1);
    h.ch('5');
    assert_eq!(h.app.detail_pane().tab(), Tab::Replay);
    insta::assert_snapshot!("replay_before", h.screen());
}

#[test]
fn snapshot_pane_with_the_answer_and_the_history() {
    let mut h = Harness::standard(160, 48);
    h.select(1);
    let job = one_job(&h.ch('R'));
    answer(&mut h, job, 8, 200, "{\"received\":true}");
    let s = h.screen();
    assert!(
        s.contains("200 OK · 7 ms · re-signed · stored as #8"),
        "{s}"
    );
    assert!(
        s.contains("↻#1 /hooks/stripe"),
        "the replay is listed with its link:\n{s}"
    );
    insta::assert_snapshot!("replay_answer", s);
}

#[test]
fn snapshot_pane_blames_the_app_when_hookscope_finds_the_signature_valid() {
    let mut h = Harness::standard(160, 48);
    h.select(1);
    let job = one_job(&h.ch('R'));
    answer(&mut h, job, 8, 401, "{\"error\":\"invalid signature\"}");
    let s = h.screen();
    assert!(s.contains("the fault is on the app's side"), "{s}");
    assert!(
        !s.contains(STRIPE_SECRET),
        "the secret must never be on screen"
    );
    insta::assert_snapshot!("replay_blame", s);
}

// ---------- keys and effects ----------

#[test]
fn r_replays_as_captured_to_the_forward_url_byte_exact() {
    let mut h = Harness::standard(160, 48);
    h.select(5);
    let original = h.app.detail().unwrap().delivery.clone();
    let job = one_job(&h.ch('r'));
    assert_eq!(h.app.detail_pane().tab(), Tab::Replay);
    assert_eq!((job.original, job.resigned, job.edited), (5, false, false));
    assert_eq!(job.prepared.url, "http://localhost:3000/hooks/stripe");
    let sent = &job.prepared.request;
    assert_eq!(sent.body, original.body, "body byte-exact");
    assert_eq!(
        header(sent, "stripe-signature"),
        header(&original, "stripe-signature")
    );
    // As it goes on the wire: the target's host, the body's length.
    assert_eq!(sent.header_str("host"), Some("localhost:3000"));
    assert_eq!(
        sent.header_str("content-length"),
        Some(sent.body.len().to_string().as_str())
    );
}

#[test]
fn capital_r_re_signs_with_a_fresh_timestamp_and_shift_moves_it() {
    let mut h = Harness::standard(160, 48);
    h.select(5);
    let now = NOW_MS / 1000;
    let job = one_job(&h.ch('R'));
    assert!(job.resigned);
    let sig = header(&job.prepared.request, "stripe-signature");
    assert!(sig.starts_with(&format!("t={now},v1=")), "{sig}");
    for _ in 0..10 {
        h.ch('+');
    }
    assert_eq!(h.app.replay_pane().shift_secs, 600);
    let sig = header(&one_job(&h.ch('R')).prepared.request, "stripe-signature");
    assert!(sig.starts_with(&format!("t={},", now + 600)), "{sig}");
    for _ in 0..12 {
        h.ch('-');
    }
    assert_eq!(h.app.replay_pane().shift_secs, -120);
    assert!(h.screen().contains("-120 s"));
}

#[test]
fn o_makes_r_re_sign() {
    let mut h = Harness::standard(160, 48);
    h.select(1);
    h.ch('o');
    assert!(h.app.replay_pane().resign);
    assert!(one_job(&h.ch('r')).resigned);
    h.ch('o');
    assert!(!one_job(&h.ch('r')).resigned);
}

#[test]
fn the_target_is_typed_in_the_pane_and_checked() {
    let mut h = Harness::standard(160, 48);
    h.select(1);
    h.ch('t');
    assert!(matches!(
        h.app.replay_pane().input,
        Some(PaneInput::Target(ref t)) if t.text() == "http://localhost:3000"
    ));
    h.ctrl('u');
    h.typed("localhost:3000");
    h.key(KeyCode::Enter);
    assert!(
        h.app.status().unwrap().contains("malformed target URL"),
        "{:?}",
        h.app.status()
    );
    assert!(h.app.replay_pane().input.is_some(), "stays open to fix");
    h.ctrl('u');
    h.typed("http://127.0.0.1:9/other/path");
    h.key(KeyCode::Enter);
    assert_eq!(h.app.replay_target(), Some("http://127.0.0.1:9/other/path"));
    // Keys typed in the input were not actions: no replay was sent meanwhile.
    assert!(jobs(&h.effects).is_empty());
    assert_eq!(
        one_job(&h.ch('r')).prepared.url,
        "http://127.0.0.1:9/other/path"
    );
    // An empty target goes back to the forward URL.
    h.ch('t');
    h.ctrl('u');
    h.key(KeyCode::Enter);
    assert_eq!(h.app.replay_target(), Some("http://localhost:3000"));
}

#[test]
fn repeat_sends_that_many_distinct_replays() {
    let mut h = Harness::standard(160, 48);
    h.select(7);
    h.ch(']');
    h.ch(']');
    assert_eq!(h.app.replay_pane().repeat, 3);
    let j = jobs(&h.ch('r'));
    assert_eq!(j.len(), 3);
    let mut seqs: Vec<u64> = j.iter().map(|j| j.seq).collect();
    seqs.dedup();
    assert_eq!(seqs.len(), 3);
    for _ in 0..5 {
        h.ch('[');
    }
    assert_eq!(h.app.replay_pane().repeat, 1);
}

#[test]
fn tab_cycles_through_replay_and_5_opens_it() {
    let mut h = Harness::standard(160, 48);
    h.ch('4');
    h.key(KeyCode::Tab);
    assert_eq!(h.app.detail_pane().tab(), Tab::Replay);
    h.key(KeyCode::Tab);
    assert_eq!(h.app.detail_pane().tab(), Tab::Overview);
    h.key(KeyCode::BackTab);
    assert_eq!(h.app.detail_pane().tab(), Tab::Replay);
    h.ch('1');
    h.ch('5');
    assert_eq!(h.app.detail_pane().tab(), Tab::Replay);
}

#[test]
fn inline_edit_replays_re_signed_and_keeps_an_unchanged_body_exact() {
    let mut h = Harness::standard(160, 48);
    h.select(1);
    let body = h.app.detail().unwrap().delivery.body.clone();
    assert!(h.ch('e').is_empty(), "no $EDITOR: edits inline");
    assert!(matches!(
        h.app.replay_pane().input,
        Some(PaneInput::Edit { original: 1, .. })
    ));
    assert!(h.screen().contains("ctrl-s replay re-signed"));
    let job = one_job(&h.ctrl('s'));
    assert!(job.resigned && job.edited);
    assert_eq!(job.prepared.request.body, body);

    // Edit the body inline: delete the closing brace, type a new field.
    h.ch('e');
    h.key(KeyCode::Backspace);
    h.typed(",\"edited\":1}");
    let job = one_job(&h.ctrl('s'));
    let sent = String::from_utf8(job.prepared.request.body.to_vec()).unwrap();
    assert!(sent.ends_with(",\"edited\":1}"), "{sent}");
    assert!(header(&job.prepared.request, "stripe-signature").starts_with("t="));
}

#[test]
fn e_with_an_editor_asks_the_loop_then_replays_the_edited_text() {
    let mut h = Harness::standard(160, 48);
    h.app.set_editor(Some("vim".into()));
    h.select(1);
    let fx = h.ch('e');
    let Some(Effect::Edit { original: 1, text }) = fx.first() else {
        panic!("{fx:?}")
    };
    assert!(text.contains("stripe-signature: t="), "{text}");
    let (head, _) = text.split_once("\n\n").unwrap();
    let edited = format!("{head}\nx-extra: yes\n\n{{\"id\":\"evt_edited\"}}\n");
    let fx = h.input(Input::Edited {
        original: 1,
        text: Ok(edited),
    });
    let job = one_job(&fx);
    // The editor's final newline is dropped, as the original body had none.
    assert_eq!(&job.prepared.request.body[..], b"{\"id\":\"evt_edited\"}");
    assert_eq!(header(&job.prepared.request, "x-extra"), "yes");
    // A failed editor sends nothing and says why.
    let fx = h.input(Input::Edited {
        original: 1,
        text: Err("the editor \"vim\" exited with exit status: 1: nothing replayed".into()),
    });
    assert!(jobs(&fx).is_empty());
    assert!(h.screen().contains("nothing replayed"));
}

#[test]
fn public_key_schemes_replay_as_captured_only_and_the_pane_says_why() {
    let discord = Delivery {
        id: 1,
        received_at_ms: NOW_MS - 5_000,
        method: "POST".into(),
        path: "/interactions".into(),
        headers: vec![
            ("x-signature-ed25519".into(), b"ab".repeat(32)),
            (
                "x-signature-timestamp".into(),
                (NOW_MS / 1000 - 5).to_string().into_bytes(),
            ),
        ],
        body: Bytes::from_static(b"{\"type\":1}"),
        body_size: 10,
        ..Delivery::default()
    };
    let mut h = Harness::new(160, 48, &[discord], &[]);
    h.select(1);
    h.ch('5');
    let s = h.screen();
    assert!(s.contains("discord: replayed as captured only"), "{s}");
    assert!(
        h.ch('R').is_empty(),
        "no re-signed replay of an ed25519 scheme"
    );
    assert!(h.screen().contains("not sent"));
    let job = one_job(&h.ch('r'));
    assert!(!job.resigned);
}

#[test]
fn no_target_is_one_clear_sentence() {
    use hookscope::tui::{App, AppOptions, KeyMap, Theme};
    let all = deliveries();
    let mut h = Harness::new(160, 48, &all[..1], &[]);
    let opts = AppOptions {
        listen_url: "http://127.0.0.1:4545".into(),
        attached: None,
        forward: None,
        non_loopback: false,
        time_zone: jiff::tz::TimeZone::UTC,
        keep: None,
    };
    h.app = App::new(opts, checker(), KeyMap::default(), Theme::default());
    h.input(Input::Resize {
        width: 160,
        height: 48,
    });
    h.input(Input::Tick { now_ms: NOW_MS });
    assert!(h.ch('r').is_empty());
    assert!(
        h.screen()
            .contains("no replay target: press t to type a URL")
    );
}

#[test]
fn a_paste_into_the_target_input_lands_there_at_the_cursor() {
    let mut h = Harness::standard(160, 48);
    h.select(1);
    h.ch('t');
    h.ctrl('u');
    h.input(Input::Paste("127.0.0.1:9/hooks\n".into()));
    h.key(KeyCode::Home);
    h.input(Input::Paste("http://".into()));
    assert!(matches!(
        h.app.replay_pane().input,
        Some(PaneInput::Target(ref t)) if t.text() == "http://127.0.0.1:9/hooks"
    ));
    h.key(KeyCode::Enter);
    assert_eq!(h.app.replay_target(), Some("http://127.0.0.1:9/hooks"));
    assert!(h.app.replay_pane().input.is_none());
}

#[test]
fn the_replay_tab_names_the_keys_as_remapped() {
    let mut h = Harness::with_keys(
        160,
        48,
        &deliveries(),
        &[],
        keys(&[("replay_target", "T"), ("replay_toggle_resign", "ctrl-o")]),
    );
    h.select(1);
    h.ch('5');
    let s = h.screen();
    let line = |label: &str| {
        s.lines()
            .find(|l| l.contains(label))
            .unwrap_or_else(|| panic!("no {label} line:\n{s}"))
            .to_string()
    };
    assert!(line("target  ").contains("  T"), "{s}");
    assert!(line("re-sign  ").contains("ctrl-o"), "{s}");
    h.ch('T');
    assert!(h.app.replay_pane().input.is_some(), "T types the target");
}
