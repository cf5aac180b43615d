//! History management in the dashboard: `x` export, `d` delete, `z` clear, the keep figure.

mod common;

use common::{Harness, NOW_MS, deliveries};
use crossterm::event::KeyCode;
use hookscope::export::{Format, parse_jsonl};
use hookscope::tui::history::{self, ExportJob, Selection};
use hookscope::tui::{Effect, Input, KeyMap, Overlay};

/// `d` asks first; `y` deletes.
fn delete(h: &mut Harness) -> Vec<Effect> {
    let asked = h.ch('d');
    if h.app.overlay().is_none() {
        return asked;
    }
    h.ch('y')
}

#[test]
fn d_asks_then_deletes_the_selected_delivery_and_selects_the_next() {
    let mut h = Harness::standard(160, 48);
    assert_eq!(h.app.list().counts(), (7, 3));
    h.select(5);
    assert!(h.ch('d').is_empty());
    assert_eq!(h.app.overlay(), Some(Overlay::ConfirmDelete(5)));
    assert!(h.ch('n').is_empty());
    assert_eq!(h.app.status(), Some("#5 kept: nothing was deleted"));
    assert_eq!(h.app.list().counts(), (7, 3));
    assert_eq!(delete(&mut h), vec![Effect::Delete(5)]);
    assert_eq!(h.app.list().counts(), (6, 2), "#5 was a failing delivery");
    assert_eq!(h.app.selected(), Some(6), "the row that took its place");
    assert_eq!(h.app.detail().unwrap().delivery.id, 6);
    assert!(h.app.list().position_of(5).is_none());
    assert!(h.source.get(5).unwrap().is_none());
    assert_eq!(h.app.status(), Some("deleted #5"));
    // The last row: the selection moves up.
    h.select(7);
    delete(&mut h);
    assert_eq!(h.app.selected(), Some(6));
    // Deleting inside a filter keeps the filter.
    h.ch('/');
    h.typed("stripe");
    h.key(KeyCode::Enter);
    assert_eq!(h.app.list().len(), 2);
    h.select(1);
    delete(&mut h);
    assert_eq!(h.app.list().len(), 1);
    assert_eq!(h.app.selected(), Some(6));
    delete(&mut h);
    assert_eq!(h.app.list().len(), 0);
    assert_eq!(h.app.selected(), None);
    assert!(delete(&mut h).is_empty());
    assert_eq!(
        h.app.status(),
        Some("nothing to delete: no delivery selected")
    );
    h.key(KeyCode::Esc);
    let left: Vec<u64> = h.source.summaries().unwrap().iter().map(|s| s.id).collect();
    assert_eq!(left, vec![2, 3, 4]);
    assert_eq!(h.app.list().len(), 3);
}

#[test]
fn z_asks_first_and_cancels_on_any_other_key() {
    let mut h = Harness::standard(160, 48);
    assert!(h.ch('z').is_empty());
    assert_eq!(h.app.overlay(), Some(Overlay::ConfirmClear));
    assert!(h.ch('n').is_empty());
    assert_eq!(h.app.overlay(), None);
    assert_eq!(h.app.list().counts(), (7, 3));
    assert_eq!(h.app.status(), Some("clear cancelled: nothing was deleted"));
    h.ch('z');
    assert!(h.key(KeyCode::Esc).is_empty());
    assert_eq!(h.app.list().counts(), (7, 3));
    assert_eq!(h.source.summaries().unwrap().len(), 7);
}

#[test]
fn z_then_y_clears_everything_and_new_deliveries_still_arrive() {
    let all = deliveries();
    let mut h = Harness::new(160, 48, &all[..6], &[]);
    h.ch('z');
    assert_eq!(h.ch('y'), vec![Effect::Clear]);
    assert_eq!(h.app.list().counts(), (0, 0));
    assert_eq!(h.app.selected(), None);
    assert!(h.app.detail().is_none());
    assert!(h.source.summaries().unwrap().is_empty());
    assert_eq!(h.app.status(), Some("cleared 6 deliveries"));
    assert!(h.ch('z').is_empty(), "nothing to clear");
    assert_eq!(h.app.overlay(), None);
    let live = Harness::new(160, 48, &[], &all[6..]);
    assert_eq!(live.app.list().counts(), (1, 0));
    // A delivery arriving after the clear is listed and selected; ids are never reused.
    let mut next = all[6].clone();
    next.id = 0;
    h.live(&next);
    assert_eq!(h.app.selected(), Some(7));
}

#[test]
fn x_exports_the_selection_or_the_shown_list() {
    let mut h = Harness::standard(160, 48);
    h.select(2);
    assert!(h.ch('x').is_empty());
    assert_eq!(h.app.overlay(), Some(Overlay::ExportMenu));
    assert_eq!(
        h.ch('h'),
        vec![Effect::Export(ExportJob {
            format: Format::Har,
            ids: Selection::Ids(vec![2]),
            file: Some("hookscope-20261122-100100.har".into()),
            base: "http://localhost:3000".into(),
        })]
    );
    assert_eq!(h.app.overlay(), None);
    h.ch('x');
    let fx = h.ch('c');
    assert!(
        matches!(&fx[..], [Effect::Export(j)] if j.format == Format::Curl && j.file.is_none() && j.ids == Selection::Ids(vec![2])),
        "{fx:?}"
    );
    // Upper case: the filtered list, in list order.
    h.ch('/');
    h.typed("stripe");
    h.key(KeyCode::Enter);
    h.ch('x');
    let fx = h.ch('J');
    let [Effect::Export(job)] = &fx[..] else {
        panic!("{fx:?}")
    };
    assert!(matches!(
        &job.ids,
        Selection::Shown {
            query: Some(_),
            newest_first: false
        }
    ));
    assert_eq!(job.file.as_deref(), Some("hookscope-20261122-100100.jsonl"));
    // What the loop writes: the deliveries themselves, verified by the app's checker.
    let (text, n) = history::render(job, &h.source, h.app.checker()).unwrap();
    assert_eq!(n, 3);
    let back = parse_jsonl(&text).unwrap();
    for ((got, _), id) in back.iter().zip([1, 5, 6]) {
        let want = h.source.get(id).unwrap().unwrap();
        assert_eq!((&got.headers, &got.body), (&want.headers, &want.body));
    }
    assert!(
        text.lines()
            .next()
            .unwrap()
            .contains("\"verdict\":\"verified\"")
    );
    assert!(
        text.lines()
            .nth(1)
            .unwrap()
            .contains("\"status\":\"stale\"")
    );
    // Esc closes the menu without exporting.
    h.ch('x');
    assert!(h.key(KeyCode::Esc).is_empty());
    assert_eq!(h.app.overlay(), None);
    // An empty list has nothing to export.
    h.ch('/');
    h.typed("nothing-matches-this");
    h.key(KeyCode::Enter);
    h.ch('x');
    assert_eq!(h.app.overlay(), None);
    assert_eq!(h.app.status(), Some("nothing to export: the list is empty"));
}

#[test]
fn export_menu_snapshot_with_keep_in_header() {
    let all = deliveries();
    let mut h = Harness::build(
        120,
        30,
        &all[..3],
        &all[3..],
        KeyMap::default(),
        Some(100_000),
    );
    h.input(hookscope::tui::Input::Tick { now_ms: NOW_MS });
    h.select(4);
    h.ch('x');
    insta::assert_snapshot!("export_menu_keep", h.screen());
}

#[test]
fn confirm_clear_snapshot() {
    let mut h = Harness::standard(100, 24);
    h.ch('z');
    insta::assert_snapshot!("confirm_clear", h.screen());
}

#[test]
fn a_result_line_stays_until_esc_but_a_hint_expires() {
    let all = deliveries();
    let mut h = Harness::new(160, 48, &all[..6], &[]);
    h.ch('z');
    h.ch('y');
    assert_eq!(h.app.status(), Some("cleared 6 deliveries"));
    assert!(h.app.status_stays());
    // An hour later the result is still there, with the key that dismisses it.
    h.input(Input::Tick {
        now_ms: NOW_MS + 3_600_000,
    });
    assert_eq!(h.app.status(), Some("cleared 6 deliveries"));
    assert!(h.screen().contains("cleared 6 deliveries  esc dismiss"));
    h.key(KeyCode::Esc);
    assert_eq!(h.app.status(), None);
    // A hint (nothing to clear) goes by itself after a few seconds.
    h.ch('z');
    assert_eq!(h.app.status(), Some("nothing to clear: no deliveries"));
    assert!(!h.app.status_stays());
    h.input(Input::Tick {
        now_ms: NOW_MS + 3_606_000,
    });
    assert_eq!(h.app.status(), None);
}
