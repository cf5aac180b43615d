//! The rough edges a new user hits, each at the size it shows at (60×20, 80×24, 160×48):
//! snapshots on ratatui's TestBackend with the real components behind the screen.

mod common;

use common::*;
use hookscope::tui::clipboard::{Clipboard, NO_CLIPBOARD};
use hookscope::tui::{Effect, Input};

/// Perform the copy effects of `fx` the way the loop does without a system clipboard.
fn copy_without_a_display(h: &mut Harness, fx: Vec<Effect>) {
    let mut clipboard = Clipboard::osc52_only();
    for e in fx {
        if let Effect::Copy { what, text } = e {
            let mut terminal = Vec::new();
            let msg = clipboard.copy(what.label(), &text, &mut terminal);
            assert!(terminal.starts_with(b"\x1b]52;c;"), "sent through the terminal");
            h.input(Input::Notice(msg));
        }
    }
}

#[test]
fn copy_without_a_system_clipboard_says_so_in_full() {
    for (w, ht) in [(60, 20), (80, 24)] {
        let mut h = Harness::standard(w, ht);
        h.select(6);
        h.ch('y');
        let fx = h.ch('b');
        assert!(!fx.is_empty(), "{fx:?}");
        copy_without_a_display(&mut h, fx);
        let s = h.screen();
        let last = s.lines().last().unwrap();
        assert_eq!(last.trim(), NO_CLIPBOARD, "the whole sentence fits:\n{s}");
        insta::assert_snapshot!(format!("copy_no_clipboard_{w}x{ht}"), s);
    }
}

#[test]
fn the_title_says_following_only_while_it_follows() {
    let mut h = Harness::standard(80, 24);
    assert!(h.screen().contains("· following "));
    h.ch('k');
    let s = h.screen();
    assert!(h.app.follow() && !h.app.following());
    assert!(!s.contains("following"), "{s}");
    assert!(s.contains("· paused: G follows "), "{s}");
    insta::assert_snapshot!("follow_paused_80x24", s);
    h.ch('G');
    assert!(h.app.following());
    assert!(h.screen().contains("· following "));
    h.ch('F');
    assert!(h.screen().contains("· newest first "));
}

#[test]
fn the_header_at_60_columns_drops_the_forward_target_whole() {
    let all = deliveries();
    let mut h = Harness::build(60, 20, &all[..3], &all[3..], Default::default(), Some(1000));
    let s = h.screen();
    let top = s.lines().next().unwrap();
    assert!(top.contains("127.0.0.1:4545"), "{top}");
    assert!(top.ends_with("7 · 3 failing · keep 1,000"), "{top}");
    assert!(!top.contains('→'), "no arrow without its target: {top}");
    insta::assert_snapshot!("header_keep_60x20", s);
    // With room, the forward target is there, arrow and all.
    let mut h = Harness::build(80, 24, &all[..3], &all[3..], Default::default(), Some(1000));
    let s = h.screen();
    assert!(s.lines().next().unwrap().contains("→ localhost:3000"), "{s}");
}

#[test]
fn the_80_column_hint_bar_keeps_replay_secrets_and_export() {
    let mut h = Harness::standard(80, 24);
    let s = h.screen();
    let hints = s.lines().last().unwrap();
    for k in ["r/R replay", "s secrets", "x export", "? more", "j/k move"] {
        assert!(hints.contains(k), "{k} missing: {hints}");
    }
    insta::assert_snapshot!("hints_list_80x24", s);
    // The detail pane's bar, and the full bar where everything fits.
    h.key(crossterm::event::KeyCode::Enter);
    let s = h.screen();
    let hints = s.lines().last().unwrap();
    for k in ["r/R replay", "s secrets", "? more"] {
        assert!(hints.contains(k), "{k} missing: {hints}");
    }
    insta::assert_snapshot!("hints_detail_80x24", s);
    let mut h = Harness::standard(160, 48);
    let s = h.screen();
    assert!(s.lines().last().unwrap().contains("? help"), "{s}");
}
