//! The dashboard shows what the store holds (docs/dashboard.md, "What the counts mean"):
//! verdicts re-judged after a restart with other secrets, pruned rows gone, other writers
//! visible, body search over every stored body, ids never reused, imports that would prune
//! captures refused.

mod common;

use common::*;
use hookscope::checker::Checker;
use hookscope::config::Config;
use hookscope::listing::{Anchor, ListRequest};
use hookscope::store::Store;
use hookscope::tui::Input;
use hookscope::tui::filter::Query;
use std::process::Command;

fn wrong_stripe() -> Checker {
    let cfg = Config::parse(&format!(
        "[providers.stripe]\nsecrets = [\"whsec_wrong\"]\n\
         [providers.zoom]\nsecrets = [\"{ZOOM_SECRET}\"]\n\
         [providers.github]\nsecrets = [\"{GITHUB_SECRET}\"]\n"
    ))
    .unwrap();
    Checker::from_config(&cfg, &[]).unwrap()
}

/// A dashboard (TestBackend) over a store file.
fn dashboard_over(store: Store) -> Harness {
    let mut h = Harness::new(160, 48, &[], &[]);
    h.source = store;
    h.input(Input::Resize {
        width: 160,
        height: 48,
    });
    h
}

#[test]
fn a_restart_with_a_changed_secret_rejudges_every_row_without_opening_one() {
    let dir = tempfile::tempdir().unwrap();
    let all = deliveries();
    {
        // The first run judged the stripe deliveries with a wrong secret.
        let store = Store::open(dir.path()).unwrap();
        for d in &all {
            store_judged(&store, d, &wrong_stripe());
        }
        assert_eq!(store.counts().unwrap().by_provider["stripe"].failed, 3);
    }
    // Restart with the right secret: the pass judges the stale rows again.
    let store = Store::open(dir.path()).unwrap();
    let mut h = dashboard_over(store);
    assert_eq!(
        h.app.list().counts(),
        (7, 4),
        "before the pass: what was stored"
    );
    h.reverify(checker());
    assert_eq!(h.app.list().counts(), (7, 3));
    let stripe = &h.app.provider_stats()["stripe"];
    assert_eq!((stripe.verified, stripe.failed), (1, 2));
    let screen = h.screen();
    assert!(screen.contains("7 · 3 failing"), "{screen}");
    let row1 = screen
        .lines()
        .find(|l| l.contains("/hooks/stripe") && l.contains("10:00:01"))
        .unwrap();
    assert!(row1.contains('✓'), "{row1}");
    assert!(
        h.app.detail().is_none_or(|d| d.delivery.id != 1),
        "no row was opened"
    );
    // A second pass finds nothing left to do.
    assert_eq!(
        hookscope::reverify::generations(&h.source, &checker())
            .map(|g| h.source.count_stale(&g).unwrap())
            .unwrap(),
        0
    );
}

#[test]
fn retention_prunes_rows_and_the_list_never_holds_them() {
    let store = Store::in_memory().unwrap();
    store.set_keep(5);
    let mut h = dashboard_over(store.clone());
    let all = deliveries();
    for i in 0..10 {
        let mut d = all[i % all.len()].clone();
        d.id = 0;
        h.live(&d);
    }
    block(store.flush()).unwrap();
    h.input(Input::StoreChanged);
    assert_eq!(h.app.list().counts().0, 5);
    assert_eq!(h.app.list().len(), 5);
    let ids: Vec<u64> = (0..5).map(|p| h.app.list().row_at(p).unwrap().id).collect();
    assert_eq!(ids, vec![6, 7, 8, 9, 10]);
    assert!(h.screen().contains("5 deliveries"));
}

#[test]
fn a_write_by_another_process_is_seen_through_the_change_feed() {
    let dir = tempfile::tempdir().unwrap();
    let dashboard_side = Store::open(dir.path()).unwrap();
    let first = dashboard_side.data_version().unwrap();
    assert_eq!(dashboard_side.data_version().unwrap(), first);
    // `hookscope import` from another shell: a real process writing the same file.
    let file = dir.path().join("one.jsonl");
    std::fs::write(
        &file,
        r#"{"schema_version":1,"received_at":"2026-11-22T10:00:00.000Z","method":"POST","path":"/other","query":"","headers":[["content-type","text/plain"]],"body_base64":"aGVsbG8="}"#,
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_hookscope"))
        .args(["import", file.to_str().unwrap(), "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_ne!(
        dashboard_side.data_version().unwrap(),
        first,
        "the feed saw it"
    );
    let mut h = dashboard_over(dashboard_side);
    h.input(Input::StoreChanged);
    assert_eq!(h.app.list().counts().0, 1);
    assert_eq!(h.app.list().row_at(0).unwrap().path, "/other");
}

#[test]
fn a_replay_from_another_process_appears_in_a_running_dashboard() {
    // The user's app: a real HTTP server that answers 202 to anything.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let app_url = rt.block_on(async {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        let app = axum::Router::new().fallback(|| async { axum::http::StatusCode::ACCEPTED });
        tokio::spawn(async move { axum::serve(l, app).await.unwrap() });
        format!("http://{addr}")
    });
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let all = deliveries();
    let original = store_judged(&store, &all[0], &checker());
    let mut h = dashboard_over(store.clone());
    assert_eq!(h.app.list().counts().0, 1);
    let before = store.data_version().unwrap();
    // `hookscope replay` from another shell, writing the same store.
    let out = Command::new(env!("CARGO_BIN_EXE_hookscope"))
        .args([
            "replay",
            &original.to_string(),
            "--to",
            &app_url,
            "--data-dir",
        ])
        .arg(dir.path())
        .env("XDG_CONFIG_HOME", dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_ne!(store.data_version().unwrap(), before, "the feed saw it");
    h.input(Input::StoreChanged);
    assert_eq!(h.app.list().counts().0, 2);
    let rows: Vec<_> = (0..2).map(|p| h.app.list().row_at(p).unwrap()).collect();
    let replay = rows
        .iter()
        .find(|r| r.id != original)
        .expect("the replay is listed");
    assert_eq!(replay.replay_of, Some(original), "{rows:?}");
    assert_eq!(replay.status, Some(202));
}

#[test]
fn body_search_covers_every_stored_body_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        let all = deliveries();
        for i in 0..300 {
            let mut d = all[i % all.len()].clone();
            d.id = 0;
            if i % 3 == 0 {
                d.body = format!("{{\"kind\":\"Bulk-{i}\"}}").into_bytes().into();
                d.body_size = d.body.len() as u64;
            }
            store_judged(&store, &d, &checker());
        }
    }
    let store = Store::open(dir.path()).unwrap();
    let req = |q: &str| ListRequest {
        seq: 1,
        query: Some(Query::parse(q).unwrap()),
        newest_first: true,
        anchor: Anchor::Newest,
        len: 10,
    };
    assert_eq!(store.window(&req("body:bulk")).unwrap().matching, 100);
    assert_eq!(store.window(&req("bulk")).unwrap().matching, 100);
    assert_eq!(store.window(&req("!body:bulk")).unwrap().matching, 200);
    // Through the dashboard: the filter bar counts what the store found.
    let mut h = dashboard_over(store);
    h.ch('/');
    h.typed("body:bulk");
    assert_eq!(h.app.list().len(), 100);
    assert!(h.screen().contains("100 of 300 match"));
}

#[test]
fn a_body_search_counts_in_steps_and_the_bar_never_shows_a_partial_count_as_final() {
    let store = Store::in_memory().unwrap();
    let all = deliveries();
    for i in 0..300 {
        let mut d = all[i % all.len()].clone();
        d.id = 0;
        if i % 3 == 0 {
            d.body = format!("{{\"kind\":\"Bulk-{i}\"}}").into_bytes().into();
            d.body_size = d.body.len() as u64;
        }
        store_judged(&store, &d, &checker());
    }
    let req = ListRequest {
        seq: 7,
        query: Some(Query::parse("body:bulk").unwrap()),
        newest_first: true,
        anchor: Anchor::Newest,
        len: 10,
    };
    let mut steps = Vec::new();
    let w = store
        .window_with_progress(&req, 50, &mut |m, s, of| {
            steps.push((m, s, of));
            true
        })
        .unwrap()
        .expect("not stopped");
    // Steps of 6, 12, 25, then 50 ids: a first count comes early.
    assert_eq!(steps.len(), 9, "{steps:?}");
    assert_eq!(steps[0].1, 6, "{steps:?}");
    assert!(
        steps
            .windows(2)
            .all(|p| p[0].0 <= p[1].0 && p[0].1 < p[1].1)
    );
    assert_eq!(steps.last(), Some(&(100, 300, 300)));
    assert_eq!(w.matching, 100);
    assert_eq!(w.rows, store.window(&req).unwrap().rows);
    // A newer question stops the count.
    let mut calls = 0;
    let stopped = store
        .window_with_progress(&req, 50, &mut |_, _, _| {
            calls += 1;
            false
        })
        .unwrap();
    assert!(stopped.is_none() && calls == 1);

    // The filter bar while the search runs: the count so far, said to be partial.
    let mut h = dashboard_over(store);
    h.ch('/');
    h.app.update(Input::Key(crossterm::event::KeyEvent::new(
        crossterm::event::KeyCode::Char('b'),
        crossterm::event::KeyModifiers::NONE,
    )));
    assert!(h.app.list().waiting());
    h.app.update(Input::Searching {
        seq: 0,
        matched: 12,
        scanned: 120,
        of: 300,
    });
    let bar = h.screen();
    assert!(
        bar.contains("searching the store… 12 so far (40% of 300)"),
        "{bar}"
    );
    assert!(!bar.contains("12 of 300 match"), "{bar}");
}

#[test]
fn a_deleted_id_is_never_reused_even_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let all = deliveries();
    {
        let mut store = Store::open(dir.path()).unwrap();
        for d in &all[..3] {
            store_judged(&store, d, &checker());
        }
        assert!(block(store.delete(3)).unwrap());
        let mut next = all[3].clone();
        next.id = 0;
        assert_eq!(store_judged(&store, &next, &checker()), 4);
        assert_eq!(block(store.clear()).unwrap(), 3);
        let _ = &mut store;
    }
    let store = Store::open(dir.path()).unwrap();
    let mut next = all[4].clone();
    next.id = 0;
    assert_eq!(store_judged(&store, &next, &checker()), 5);
}

#[test]
fn an_import_that_would_prune_captures_is_refused_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        for d in &deliveries()[..3] {
            store_judged(&store, d, &checker());
        }
    }
    let file = dir.path().join("three.jsonl");
    let line = r#"{"schema_version":1,"received_at":"2026-11-22T10:00:00.000Z","method":"POST","path":"/imported","query":"","headers":[],"body_base64":""}"#;
    std::fs::write(&file, format!("{line}\n{line}\n{line}\n")).unwrap();
    let import = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_hookscope"))
            .args([
                "import",
                file.to_str().unwrap(),
                "--keep",
                "4",
                "--data-dir",
            ])
            .arg(dir.path())
            .args(extra)
            .output()
            .unwrap()
    };
    let out = import(&[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("importing 3 deliveries beside the 3 stored would exceed the retention of 4 and prune the 2 oldest"),
        "{err}"
    );
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.count().unwrap(), 3, "nothing lost, nothing imported");
    drop(store);
    let out = import(&["--prune-captures"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let store = Store::open(dir.path()).unwrap();
    let s = store.summaries().unwrap();
    assert_eq!(s.len(), 4);
    assert_eq!(s[0].id, 3, "#3, the newest capture, is kept");
}
