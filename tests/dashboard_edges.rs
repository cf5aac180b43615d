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
            assert!(
                terminal.starts_with(b"\x1b]52;c;"),
                "sent through the terminal"
            );
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
    for (w, ht) in [(60, 20), (80, 24), (160, 48)] {
        let mut h = Harness::standard(w, ht);
        assert!(h.screen().contains("· following "));
        h.ch('k');
        let s = h.screen();
        assert!(h.app.list().follow() && !h.app.list().following());
        assert!(!s.contains("following"), "{s}");
        assert!(s.contains("· paused: G follows "), "{s}");
        insta::assert_snapshot!(format!("follow_paused_{w}x{ht}"), s);
        h.ch('G');
        assert!(h.app.list().following());
        assert!(h.screen().contains("· following "));
        h.ch('F');
        assert!(h.screen().contains("· newest first "));
    }
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
    assert!(
        s.lines().next().unwrap().contains("→ localhost:3000"),
        "{s}"
    );
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

/// Send the replay jobs of `fx` for real and record them in the harness's store, as the loop's
/// replayer does, then hand the answers to the dashboard.
fn send_replays(h: &mut Harness, rt: &tokio::runtime::Runtime, fx: Vec<Effect>) {
    use hookscope::replay::record::{TIMEOUT, send_and_record};
    use hookscope::tui::ReplayAnswer;
    for e in fx {
        if let Effect::Replay(job) = e {
            let s = rt.block_on(send_and_record(
                Some(&h.source),
                job.original,
                &job.prepared,
                job.verdict,
                job.provider.clone(),
                TIMEOUT,
            ));
            // The latency is the clock's, not behaviour: a fixed figure keeps the screen stable.
            let mut answer = s.answer;
            answer.latency_ms = Some(7);
            h.input(Input::Replayed(Box::new(ReplayAnswer {
                job: *job,
                answer,
                replay: s.replay,
                store_error: s.store_error,
            })));
        }
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap()
}

/// The screen with what a real send makes vary (the app's port, the wall-clock time a replay
/// was sent at, the app's `date` header) written as fixed words of the same width.
fn stable(h: &mut Harness, ports: &[u16]) -> String {
    let mut s = h.screen();
    for id in 8..12 {
        if let Some(d) = h.source.get(id).unwrap() {
            let t = jiff::Timestamp::from_millisecond(d.received_at_ms).unwrap();
            s = s.replace(&t.strftime("%H:%M:%S").to_string(), "HH:MM:SS");
        }
    }
    for p in ports {
        s = s.replace(&p.to_string(), "PORT");
    }
    s.lines()
        .map(|l| match l.find("date: ") {
            Some(i) => {
                let (head, rest) = l.split_at(i + 6);
                let cut = rest.char_indices().nth(29).map_or(rest.len(), |(k, _)| k);
                format!("{head}Www, DD Mmm YYYY HH:MM:SS GMT{}", &rest[cut..])
            }
            None => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn set_target(h: &mut Harness, url: &str) {
    h.ch('t');
    h.ctrl('u');
    h.typed(url);
    h.key(crossterm::event::KeyCode::Enter);
    assert_eq!(h.app.replay_target(), Some(url));
}

#[test]
fn a_refused_replay_says_nothing_listens_and_lists_no_status_0() {
    // A port nothing listens on: bound, then closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let rt = runtime();
    let mut h = Harness::standard(160, 48);
    h.select(1);
    set_target(&mut h, &format!("http://127.0.0.1:{port}"));
    let fx = h.ch('r');
    send_replays(&mut h, &rt, fx);
    let s = stable(&mut h, &[port]);
    assert!(
        s.contains("no answer: connection refused: nothing listens on 127.0.0.1:PORT"),
        "{s}"
    );
    assert!(
        s.contains("blame      the app never saw this replay"),
        "{s}"
    );
    let replay_row = s.lines().find(|l| l.contains("↻#1 /hooks/stripe")).unwrap();
    assert!(replay_row.contains(" 130B err│"), "{replay_row}");
    let history = s.lines().find(|l| l.contains("↻#8 ")).unwrap();
    assert!(history.contains(" err  as captured"), "{history}");
    insta::assert_snapshot!("replay_refused_160x48", s);
    // The replay's own Overview: no answer, not "0 · forwarding failed".
    h.select(8);
    h.ch('1');
    let s = h.screen();
    assert!(
        s.contains("answer     no answer · the replay reached no app"),
        "{s}"
    );
}

#[test]
fn a_shifted_replay_is_blamed_on_the_shift() {
    use axum::Router;
    use axum::http::StatusCode;
    use axum::routing::post;
    let rt = runtime();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    // An app that checks timestamps: it rejects everything this test sends it.
    let app = Router::new().fallback(post(|| async { StatusCode::UNAUTHORIZED }));
    rt.spawn(async move { axum::serve(listener, app).await });
    let mut h = Harness::standard(160, 48);
    h.select(1);
    set_target(&mut h, &format!("http://127.0.0.1:{port}"));
    // Ten minutes into the past: beyond stripe's 300 s tolerance.
    for _ in 0..10 {
        h.ch('-');
    }
    let fx = h.ch('R');
    send_replays(&mut h, &rt, fx);
    let s = stable(&mut h, &[port]);
    assert!(s.contains("401 Unauthorized"), "{s}");
    assert!(s.contains("the shift you set caused it"), "{s}");
    assert!(!s.contains("replay re-signed (R)"), "{s}");
    insta::assert_snapshot!("replay_shift_blame_160x48", s);
    // Shifted into the future, which stripe accepts: the app's 401 is still put to the shift.
    for _ in 0..20 {
        h.ch('+');
    }
    let fx = h.ch('R');
    send_replays(&mut h, &rt, fx);
    let s = h.screen();
    assert!(s.contains("likely the shift you set"), "{s}");
}

#[test]
fn the_body_view_follows_each_deliverys_content_type() {
    use hookscope::tui::BodyView;
    let mut h = Harness::standard(160, 48);
    h.select(2);
    h.ch('3');
    assert_eq!(
        h.app.detail_pane().body_view(),
        BodyView::Pretty,
        "JSON opens pretty"
    );
    h.select(3);
    assert_eq!(
        h.app.detail_pane().body_view(),
        BodyView::Form,
        "a form body opens as a form"
    );
    insta::assert_snapshot!("body_form_default_160x48", h.screen());
    // The user's pick stays with its delivery, and only that one.
    h.typed("vv");
    assert_eq!(h.app.detail_pane().body_view(), BodyView::Raw);
    h.select(4);
    assert_eq!(
        h.app.detail_pane().body_view(),
        BodyView::Pretty,
        "not sticky"
    );
    h.select(3);
    assert_eq!(
        h.app.detail_pane().body_view(),
        BodyView::Raw,
        "kept for #3"
    );
    let mut h = Harness::standard(80, 24);
    h.select(3);
    h.key(crossterm::event::KeyCode::Enter);
    h.ch('3');
    assert_eq!(h.app.detail_pane().body_view(), BodyView::Form);
    insta::assert_snapshot!("body_form_default_80x24", h.screen());
}

#[test]
fn a_json_body_with_a_bom_is_pretty_with_the_bom_shown() {
    use hookscope::tui::BodyView;
    let mut d = deliveries().remove(3);
    let mut body = b"\xef\xbb\xbf".to_vec();
    body.extend_from_slice(&d.body);
    d.body = body.into();
    d.body_size = d.body.len() as u64;
    let mut h = Harness::new(160, 48, &[d], &[]);
    h.ch('3');
    assert_eq!(h.app.detail_pane().body_view(), BodyView::Pretty);
    let s = h.screen();
    assert!(
        s.contains("│\\u{feff}{"),
        "the mark is shown, then the JSON:\n{s}"
    );
    assert!(s.contains("│  \"action\": \"opened\","), "{s}");
    insta::assert_snapshot!("body_bom_pretty_160x48", s);
    // Raw still shows exactly the bytes.
    h.typed("vvv");
    assert_eq!(h.app.detail_pane().body_view(), BodyView::Raw);
    assert!(
        h.screen()
            .contains("│\\u{feff}{\"action\":\"opened\",\"number\":42}")
    );
}

/// A delivery of `provider` signed with some secret (its verdict does not matter here).
fn signed_as(provider: &str, path: &str) -> hookscope::delivery::Delivery {
    use hookscope::providers::Registry;
    use hookscope::secret::Secret;
    use hookscope::sign::{SignOptions, sign};
    let mut d = deliveries().remove(3);
    d.path = path.into();
    d.headers.retain(|(n, _)| !n.starts_with("x-"));
    let reg = Registry::builtin();
    let s = sign(
        &d,
        reg.get(provider).unwrap(),
        &Secret::new("some-secret-of-the-sender"),
        &SignOptions {
            timestamp: T0,
            ..SignOptions::default()
        },
    )
    .unwrap();
    for (n, v) in s.headers {
        d.headers.push((n.to_ascii_lowercase(), v.into_bytes()));
    }
    d
}

#[test]
fn the_skew_panel_pages_through_providers_that_do_not_fit() {
    let mut stored = deliveries();
    stored.push(signed_as("shopify", "/hooks/shopify"));
    stored.push(signed_as("slack", "/hooks/slack"));
    for (w, ht) in [(60, 20), (80, 24)] {
        let mut h = Harness::new(w, ht, &stored, &[]);
        assert_eq!(
            h.app.provider_stats().len(),
            6,
            "{:?}",
            h.app.provider_stats()
        );
        let s = h.screen();
        assert!(s.contains("1–3 of 6 providers · p more"), "{s}");
        assert!(!s.contains("+3 more"), "{s}");
        insta::assert_snapshot!(format!("skew_page1_{w}x{ht}"), s);
        h.ch('p');
        let s = h.screen();
        assert!(
            s.contains("4–6 of 6 providers · p back to the first"),
            "{s}"
        );
        for name in ["standard-webh", "stripe", "zoom"] {
            assert!(s.contains(&format!("│{name}")), "{name}:\n{s}");
        }
        insta::assert_snapshot!(format!("skew_page2_{w}x{ht}"), s);
        h.ch('p');
        assert!(h.screen().contains("1–3 of 6 providers · p more"));
    }
    // Where they all fit (four providers), p changes nothing.
    let mut h = Harness::standard(160, 48);
    let before = h.screen();
    h.ch('p');
    assert_eq!(before, h.screen());
}

/// The screen's text with wrapped rows joined (borders and indents dropped).
fn flat(s: &str) -> String {
    s.lines()
        .map(|l| l.trim_matches(|c| c == '│' || c == ' '))
        .collect::<Vec<_>>()
        .join(" ")
}

/// #1 (stripe, verified) with its amount changed after signing: the bytes changed on the way.
fn tampered() -> hookscope::delivery::Delivery {
    let mut d = deliveries().remove(0);
    let body = String::from_utf8(d.body.to_vec())
        .unwrap()
        .replace("\"amount_paid\":2000", "\"amount_paid\":3000");
    d.body = body.into_bytes().into();
    d
}

#[test]
fn a_tampered_body_says_secret_or_bytes_and_points_at_its_verified_twin() {
    let mut stored = deliveries();
    stored.push(tampered());
    for (w, ht) in [(160, 48), (60, 20)] {
        let mut h = Harness::new(w, ht, &stored, &[]);
        h.select(8);
        if w < 100 {
            h.key(crossterm::event::KeyCode::Enter);
        }
        h.ch('4');
        if w < 100 {
            h.ch('G');
        }
        let s = h.screen();
        let flat = flat(&s);
        assert!(flat.contains("either the secret differs"), "{s}");
        assert!(
            flat.contains("or the signed bytes changed on the way"),
            "{s}"
        );
        assert!(
            flat.contains(
                "#1 has the same event id (evt_1QxFixture) and verified, with other body bytes"
            ),
            "{s}"
        );
        insta::assert_snapshot!(format!("tampered_twin_{w}x{ht}"), s);
    }
}

#[test]
fn a_delivery_signed_with_another_secret_points_at_its_twin_with_the_same_bytes() {
    let mut h = Harness::standard(80, 24);
    h.select(6);
    h.key(crossterm::event::KeyCode::Enter);
    h.ch('4');
    h.ch('G');
    let s = h.screen();
    assert!(flat(&s).contains("#1 has the same event id"), "{s}");
    assert!(
        flat(&s).contains("verified with the same body bytes"),
        "{s}"
    );
    insta::assert_snapshot!("other_secret_twin_80x24", s);
    // #5's signature is valid (only stale): no twin is looked for.
    h.key(crossterm::event::KeyCode::Esc);
    h.select(5);
    assert!(!h.screen().contains("has the same event id"));
}
