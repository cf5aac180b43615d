//! Dashboard snapshots on ratatui's TestBackend (fixed clock, fixed ids, real signed deliveries)
//! and App-state tests driven by key and mouse events without a terminal.

mod common;

use common::*;
use crossterm::event::{KeyCode, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use hookscope::checker::Checker;
use hookscope::config::Config;
use hookscope::tui::{BodyView, CopyKind, Effect, Focus, Input, Overlay, Tab};
use hookscope::verify::Verdict;

// ---------- snapshots ----------

#[test]
fn snapshot_overview_of_a_failing_delivery() {
    let mut h = Harness::standard(160, 48);
    h.select(6);
    insta::assert_snapshot!("overview", h.screen());
}

#[test]
fn snapshot_headers_tab_highlights_scheme_headers() {
    let mut h = Harness::standard(160, 48);
    h.select(6);
    h.ch('2');
    insta::assert_snapshot!("headers", h.screen());
}

#[test]
fn snapshot_body_raw_pretty_hex_form() {
    let mut h = Harness::standard(160, 48);
    h.select(2);
    h.ch('3');
    // A JSON body opens pretty; v cycles on to raw.
    assert_eq!(h.app.detail_pane().body_view(), BodyView::Pretty);
    h.typed("vvv");
    assert_eq!(h.app.detail_pane().body_view(), BodyView::Raw);
    insta::assert_snapshot!("body_raw", h.screen());
    h.select(1);
    assert_eq!(h.app.detail_pane().body_view(), BodyView::Pretty);
    insta::assert_snapshot!("body_pretty", h.screen());
    h.select(3);
    assert_eq!(h.app.detail_pane().body_view(), BodyView::Form);
    insta::assert_snapshot!("body_form", h.screen());
    h.ch('v');
    assert_eq!(h.app.detail_pane().body_view(), BodyView::Hex);
    insta::assert_snapshot!("body_hex", h.screen());
}

#[test]
fn snapshot_signature_tab() {
    let mut h = Harness::standard(160, 48);
    h.select(6);
    h.ch('4');
    insta::assert_snapshot!("signature_invalid", h.screen());
    h.select(5);
    insta::assert_snapshot!("signature_stale", h.screen());
}

#[test]
fn snapshot_help_overlay() {
    let mut h = Harness::standard(160, 48);
    h.ch('?');
    insta::assert_snapshot!("help", h.screen());
}

#[test]
fn snapshot_active_filter() {
    let mut h = Harness::standard(160, 48);
    h.ch('/');
    h.typed("failed stripe");
    insta::assert_snapshot!("filter_typing", h.screen());
    h.key(KeyCode::Enter);
    insta::assert_snapshot!("filter_applied", h.screen());
}

#[test]
fn snapshot_empty_state() {
    let mut h = Harness::new(160, 48, &[], &[]);
    insta::assert_snapshot!("empty", h.screen());
}

#[test]
fn snapshot_80x24() {
    let mut h = Harness::standard(80, 24);
    insta::assert_snapshot!("small_list", h.screen());
    h.key(KeyCode::Enter);
    h.ch('4');
    insta::assert_snapshot!("small_signature", h.screen());
}

// ---------- app state ----------

#[test]
fn rows_carry_the_engines_verdicts() {
    let h = Harness::standard(160, 48);
    let verdicts: Vec<Verdict> = (0..7)
        .map(|p| h.app.list().row_at(p).unwrap().verdict)
        .collect();
    use Verdict::*;
    assert_eq!(
        verdicts,
        vec![
            Verified, Failed, Unverified, Verified, Failed, Failed, Unverified
        ]
    );
    assert_eq!(h.app.list().counts(), (7, 3));
    let stripe = &h.app.provider_stats()["stripe"];
    assert_eq!((stripe.verified, stripe.failed), (1, 2));
    // Skew samples come from live arrivals (#5: 600 s old, #6: 1 s old).
    assert_eq!(
        stripe.skews.iter().copied().collect::<Vec<_>>(),
        vec![-600, -1]
    );
}

#[test]
fn follow_mode_tracks_the_newest_and_moving_up_stops_it() {
    let all = deliveries();
    let mut h = Harness::new(160, 48, &all[..3], &[]);
    assert!(h.app.list().follow());
    assert_eq!(h.app.selected(), Some(3));
    h.live(&all[3]);
    assert_eq!(h.app.selected(), Some(4), "follow selects the newest");
    h.ch('k');
    assert_eq!(h.app.selected(), Some(3));
    h.live(&all[4]);
    assert_eq!(
        h.app.selected(),
        Some(3),
        "a user looking at an older row keeps it"
    );
    h.ch('F');
    assert!(!h.app.list().follow());
    assert_eq!(h.app.list().row_at(0).unwrap().id, 5, "newest first");
    assert_eq!(h.app.selected(), Some(3));
    h.live(&all[5]);
    assert_eq!(h.app.list().row_at(0).unwrap().id, 6);
    assert_eq!(h.app.selected(), Some(3));
    h.ch('F');
    assert_eq!(
        h.app.selected(),
        Some(6),
        "follow again jumps to the newest"
    );
}

#[test]
fn moving_loads_only_the_selected_delivery() {
    let all = deliveries();
    let mut h = Harness::new(160, 48, &all, &[]);
    let fx = h.app.update(Input::Key(crossterm::event::KeyEvent::new(
        KeyCode::Char('k'),
        KeyModifiers::NONE,
    )));
    assert_eq!(fx, vec![Effect::LoadDetail(6)]);
    // Until the answer arrives the detail says it is loading.
    assert!(h.app.detail().is_none());
    h.input(Input::Detail {
        id: 6,
        delivery: h.source_get(6),
        replays: vec![],
    });
    assert_eq!(h.app.detail().unwrap().delivery.id, 6);
    h.ch('g');
    assert_eq!(h.app.selected(), Some(1));
    h.ch('G');
    assert_eq!(h.app.selected(), Some(7));
    h.key(KeyCode::Up);
    h.key(KeyCode::Up);
    assert_eq!(h.app.selected(), Some(5));
    h.key(KeyCode::PageDown);
    assert_eq!(h.app.selected(), Some(7), "page down stops at the end");
    // An answer for a delivery that is no longer selected is ignored.
    h.input(Input::Detail {
        id: 2,
        delivery: h.source_get(2),
        replays: vec![],
    });
    assert_eq!(h.app.detail().unwrap().delivery.id, 7);
    // A delivery gone from the store says so.
    h.ch('k');
    let fx = h.app.update(Input::Detail {
        id: 6,
        delivery: None,
        replays: vec![],
    });
    assert!(fx.is_empty());
    assert!(h.app.status().unwrap().contains("#6 is no longer stored"));
}

trait SourceGet {
    fn source_get(&self, id: u64) -> Option<Box<hookscope::delivery::Delivery>>;
}

impl SourceGet for Harness {
    fn source_get(&self, id: u64) -> Option<Box<hookscope::delivery::Delivery>> {
        self.source.get(id).unwrap().map(Box::new)
    }
}

#[test]
fn tabs_focus_scroll_and_body_views() {
    // A short terminal, so the pretty JSON is taller than the pane.
    let mut h = Harness::standard(160, 12);
    h.select(2);
    assert_eq!(h.app.detail_pane().tab(), Tab::Overview);
    h.key(KeyCode::Tab);
    assert_eq!(h.app.detail_pane().tab(), Tab::Headers);
    h.input(Input::Key(crossterm::event::KeyEvent::new(
        KeyCode::BackTab,
        KeyModifiers::SHIFT,
    )));
    h.input(Input::Key(crossterm::event::KeyEvent::new(
        KeyCode::BackTab,
        KeyModifiers::SHIFT,
    )));
    assert_eq!(
        h.app.detail_pane().tab(),
        Tab::Replay,
        "the tab cycle wraps to the last tab"
    );
    h.ch('1');
    assert_eq!(h.app.detail_pane().tab(), Tab::Overview);
    h.ch('v');
    assert_eq!(
        (h.app.detail_pane().tab(), h.app.detail_pane().body_view()),
        (Tab::Body, BodyView::Pretty),
        "v opens the Body tab first, in the JSON body's pretty view"
    );
    h.key(KeyCode::Enter);
    assert_eq!(h.app.focus(), Focus::Detail);
    let before = h.screen();
    h.ch('j');
    h.ch('j');
    assert_eq!(
        h.app.selected(),
        Some(2),
        "j scrolls the detail, not the list"
    );
    let after = h.screen();
    assert_ne!(before, after);
    assert!(after.contains("\"object\": {"), "{after}");
    h.ch('G');
    let bottom = h.screen();
    assert!(
        bottom.lines().any(|l| l.contains("│}")),
        "G reaches the end:\n{bottom}"
    );
    h.key(KeyCode::Esc);
    assert_eq!(h.app.focus(), Focus::List);
    h.ch('j');
    assert_eq!(h.app.selected(), Some(3));
}

#[test]
fn filter_narrows_counts_and_cycles_with_n() {
    let mut h = Harness::standard(160, 48);
    h.ch('/');
    assert!(h.app.filter().editing());
    h.typed("failed");
    assert_eq!(h.app.list().len(), 3);
    h.key(KeyCode::Backspace);
    h.typed("d stripe");
    h.key(KeyCode::Enter);
    assert!(!h.app.filter().editing());
    assert_eq!(h.app.filter().input().text(), "failed stripe");
    assert_eq!(h.app.list().len(), 2);
    let ids: Vec<u64> = (0..2).map(|p| h.app.list().row_at(p).unwrap().id).collect();
    assert_eq!(ids, vec![5, 6]);
    assert_eq!(h.app.selected(), Some(6));
    h.ch('n');
    assert_eq!(h.app.selected(), Some(5), "n wraps");
    h.ch('N');
    assert_eq!(h.app.selected(), Some(6));
    // Body text: the github body is held (it arrived live).
    h.key(KeyCode::Esc);
    assert_eq!(h.app.list().len(), 7, "esc clears");
    h.ch('/');
    h.typed("opened");
    assert_eq!(h.app.list().len(), 1);
    assert_eq!(h.app.selected(), Some(4));
    h.ctrl('w');
    h.typed("POST 401");
    assert_eq!(h.app.list().len(), 1);
    assert_eq!(h.app.selected(), Some(2));
    h.key(KeyCode::Esc);
    assert!(!h.app.filter().editing());
    assert_eq!(h.app.list().len(), 7);
}

#[test]
fn copy_menu_returns_copy_effects_or_says_why_not() {
    let mut h = Harness::standard(160, 48);
    h.select(6);
    h.ch('y');
    assert_eq!(h.app.overlay(), Some(Overlay::CopyMenu));
    let fx = h.ch('c');
    let computed = h
        .app
        .detail()
        .unwrap()
        .verification
        .signature
        .computed
        .clone()
        .unwrap();
    assert_eq!(
        fx,
        vec![Effect::Copy {
            what: CopyKind::Computed,
            text: computed
        }]
    );
    assert_eq!(h.app.overlay(), None);
    h.ch('y');
    let fx = h.ch('u');
    match &fx[..] {
        [
            Effect::Copy {
                what: CopyKind::Curl,
                text,
            },
        ] => {
            assert!(
                text.contains(
                    "| curl -sS --path-as-is -g -X 'POST' 'http://localhost:3000/hooks/stripe'"
                ),
                "{text}"
            );
            assert!(text.contains("-H 'stripe-signature: t="), "{text}");
        }
        other => panic!("{other:?}"),
    }
    // No secret for standard-webhooks: nothing computed, and the status says why.
    h.select(7);
    h.ch('y');
    assert!(h.ch('c').is_empty());
    assert!(
        h.app
            .status()
            .unwrap()
            .contains("no usable secret for standard-webhooks"),
        "{:?}",
        h.app.status()
    );
    // The status expires with the clock.
    h.input(Input::Tick {
        now_ms: NOW_MS + 6_000,
    });
    assert_eq!(h.app.status(), None);
    h.ch('y');
    h.key(KeyCode::Esc);
    assert_eq!(h.app.overlay(), None);
}

#[test]
fn quit_and_ctrl_c_always_quits() {
    let mut h = Harness::standard(80, 24);
    assert_eq!(h.ch('q'), vec![Effect::Quit]);
    h.ch('/');
    h.ch('q');
    assert_eq!(
        h.app.filter().input().text(),
        "q",
        "q is text while filtering"
    );
    assert_eq!(h.ctrl('c'), vec![Effect::Quit]);
    h.key(KeyCode::Esc);
    h.ch('?');
    assert_eq!(h.ctrl('c'), vec![Effect::Quit]);
}

#[test]
fn help_overlay_comes_from_the_key_table() {
    let mut h = Harness::with_keys(
        160,
        48,
        &deliveries(),
        &[],
        keys(&[("down", "ctrl-n"), ("copy", "c")]),
    );
    h.ch('?');
    assert_eq!(h.app.overlay(), Some(Overlay::Help));
    // The help scrolls (PgDn, like every list): every row of the table is on one of its pages,
    // with the action's name as `[keys]` spells it.
    let mut s = h.screen();
    for _ in 0..4 {
        h.key(KeyCode::PageDown);
        s.push_str(&h.screen());
    }
    for b in hookscope::tui::keys::TABLE {
        assert!(s.contains(b.description), "help lacks {}", b.description);
        assert!(
            s.contains(&format!("  {}  ", b.name)),
            "help lacks {}",
            b.name
        );
    }
    assert!(s.contains("ctrl-n  "), "{s}");
    h.key(KeyCode::Esc);
    let s = h.screen();
    let hints = s.lines().last().unwrap().to_string();
    assert!(hints.contains("ctrl-n/k move"), "{hints}");
    assert!(hints.contains("c copy"), "{hints}");
    // Remapped keys drive dispatch.
    h.ch('g');
    h.ctrl('n');
    assert_eq!(h.app.selected(), Some(2));
    h.ch('j');
    assert_eq!(h.app.selected(), Some(2), "j is no longer bound");
    h.ch('c');
    assert_eq!(h.app.overlay(), Some(Overlay::CopyMenu));
}

#[test]
fn mouse_click_selects_and_wheel_scrolls() {
    let mut h = Harness::standard(160, 48);
    h.screen();
    // Rows start under the top bar, the list border and the column header: row y=3 is #1.
    let click = |y| {
        Input::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column: 10,
            row: y,
            modifiers: KeyModifiers::NONE,
        })
    };
    h.input(click(3));
    assert_eq!(h.app.selected(), Some(1));
    h.input(click(5));
    assert_eq!(h.app.selected(), Some(3));
    h.input(Input::Mouse(MouseEvent {
        kind: MouseEventKind::ScrollDown,
        column: 10,
        row: 10,
        modifiers: KeyModifiers::NONE,
    }));
    assert_eq!(h.app.selected(), Some(6));
    // Clicking a tab label switches tabs.
    let s = h.screen();
    let (y, line) = s
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains(" 4 Signature "))
        .unwrap();
    let x = line.find(" 4 Signature ").unwrap();
    let col = line[..x].chars().count() as u16 + 2;
    h.input(Input::Mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: col,
        row: y as u16,
        modifiers: KeyModifiers::NONE,
    }));
    assert_eq!(h.app.detail_pane().tab(), Tab::Signature);
}

#[test]
fn a_new_checker_reverifies_the_detail_and_the_counts() {
    let mut h = Harness::standard(160, 48);
    h.select(6);
    assert_eq!(
        h.app.detail().unwrap().verification.verdict,
        Verdict::Failed
    );
    assert_eq!(h.app.list().counts().1, 3);
    // The rotated secret becomes the second candidate.
    let cfg = Config::parse(&format!(
        "[providers.stripe]\nsecrets = [\"{STRIPE_SECRET}\", \"whsec_rotated_old_secret\"]\n[providers.zoom]\nsecrets = [\"{ZOOM_SECRET}\"]\n"
    ))
    .unwrap();
    let new = Checker::from_config(&cfg, &[]).unwrap();
    h.app.set_checker(new.clone());
    let v = &h.app.detail().unwrap().verification;
    assert_eq!(v.verdict, Verdict::Verified);
    assert_eq!(v.signature.secret_index, Some(2));
    // The list is the store's: its verdicts change once the store's rows are re-verified.
    assert_eq!(h.app.list().counts().1, 3);
    h.reverify(new);
    assert_eq!(h.app.list().counts().1, 2);
    assert_eq!(h.app.list().row_at(5).unwrap().verdict, Verdict::Verified);
    h.ch('4');
    let s = h.screen();
    assert!(s.contains("2 failing"), "{s}");
    assert!(s.contains("stripe #2 matched"), "{s}");
}

#[test]
fn screen_never_shows_a_secret() {
    let mut h = Harness::standard(160, 48);
    for id in 1..=7 {
        h.select(id);
        for tab in ['1', '2', '3', '4'] {
            h.ch(tab);
            let s = h.screen();
            for secret in [
                STRIPE_SECRET,
                ZOOM_SECRET,
                GITHUB_SECRET,
                STD_SECRET,
                "whsec_rotated_old_secret",
            ] {
                assert!(!s.contains(secret), "#{id} tab {tab} shows a secret");
            }
        }
    }
}

#[test]
fn a_ten_mib_body_renders_only_what_is_visible() {
    let mut d = deliveries().remove(0);
    d.id = 1;
    let big: Vec<u8> = (0..10 * 1024 * 1024)
        .map(|i| {
            if i % 997 == 0 {
                b'\n'
            } else {
                b'a' + (i % 26) as u8
            }
        })
        .collect();
    d.body = big.into();
    d.body_size = d.body.len() as u64;
    let mut h = Harness::new(160, 48, &[d], &[]);
    h.ch('3');
    let t = std::time::Instant::now();
    let s = h.screen();
    assert!(s.contains("10,485,760 bytes"), "{s}");
    for view in [BodyView::Pretty, BodyView::Form] {
        h.ch('v');
        assert_eq!(h.app.detail_pane().body_view(), view);
        let s = h.screen();
        assert!(s.contains("over the 4.0M limit"), "{s}");
    }
    h.ch('v');
    h.key(KeyCode::Enter);
    h.ch('G');
    let s = h.screen();
    assert!(
        s.contains("009ffff0"),
        "hex view reaches the last row at once:\n{s}"
    );
    // Generous bound for an unoptimised build: nothing here may scan the body per frame.
    assert!(
        t.elapsed() < std::time::Duration::from_secs(5),
        "{:?}",
        t.elapsed()
    );
}

/// The README capture (`docs/dashboard.txt`) is this screen; the test keeps it current.
#[test]
fn readme_capture_matches_the_dashboard() {
    let mut h = Harness::standard(120, 30);
    h.select(2);
    h.ch('4');
    let screen = h.screen();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/dashboard.txt");
    if std::env::var_os("HOOKSCOPE_WRITE_DOCS").is_some() {
        std::fs::write(path, &screen).unwrap();
    }
    let doc = std::fs::read_to_string(path).unwrap_or_default();
    assert_eq!(
        doc, screen,
        "docs/dashboard.txt is out of date: re-run with HOOKSCOPE_WRITE_DOCS=1"
    );
}

#[test]
fn the_user_doc_lists_every_default_key() {
    let doc = include_str!("../docs/dashboard.md");
    for b in hookscope::tui::keys::TABLE {
        for k in b.keys {
            let shown = hookscope::tui::keys::parse_key(k).unwrap().to_string();
            assert!(
                doc.contains(&format!("`{shown}`")),
                "docs/dashboard.md lacks `{shown}` ({})",
                b.name
            );
        }
    }
}
