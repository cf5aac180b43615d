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
