//! The secrets pane: snapshots (masked, revealed, a paste warning), editing through key events
//! until a failing delivery verifies, and the saved config file (0600, comments kept, removed
//! secrets gone).

mod common;

use common::*;
use crossterm::event::KeyCode;
use hookscope::secret::Secret;
use hookscope::tui::save::Saver;
use hookscope::tui::secrets::Item;
use hookscope::tui::{Effect, Input};
use hookscope::verify::Verdict;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Move the pane's selection to `item`.
fn go(h: &mut Harness, item: impl Fn(&hookscope::tui::secrets::SecretsPane) -> Item) {
    for _ in 0..50 {
        let pane = h.app.secrets_pane().expect("pane open");
        let want = item(pane);
        match pane.current() {
            Some(c) if c == want => return,
            _ => {}
        }
        let items = pane.items();
        let at = items.iter().position(|i| *i == want).unwrap();
        if at > pane.selected {
            h.ch('j');
        } else {
            h.ch('k');
        }
    }
    panic!("cannot reach the item");
}

fn provider(pane: &hookscope::tui::secrets::SecretsPane, name: &str) -> usize {
    pane.providers.iter().position(|p| p.name == name).unwrap()
}

/// Perform the harness's pending saves the way the event loop does, and feed the answers back.
fn perform_saves(h: &mut Harness, saver: &mut Saver) {
    let saves: Vec<_> = h
        .effects
        .iter()
        .filter_map(|e| match e {
            Effect::SaveSecrets { changes } => Some(changes.clone()),
            _ => None,
        })
        .collect();
    h.effects.clear();
    assert!(!saves.is_empty(), "no save was asked for");
    for changes in saves {
        let (input, checker) = saver.save(changes);
        h.input(input);
        if let Some(checker) = checker {
            h.reverify(checker);
        }
    }
}

fn saver(path: Option<PathBuf>) -> Saver {
    Saver::new(path, None, BTreeMap::new(), checker())
}

#[test]
fn snapshot_pane_masked_revealed_and_warning() {
    let mut h = Harness::standard(160, 40);
    h.ch('s');
    let screen = h.screen();
    assert!(!screen.contains(STRIPE_SECRET) && !screen.contains(ZOOM_SECRET));
    insta::assert_snapshot!("secrets_masked", screen);

    go(&mut h, |p| Item::Secret(provider(p, "zoom"), 0));
    h.ch('r');
    let screen = h.screen();
    assert!(screen.contains(ZOOM_SECRET), "{screen}");
    assert!(!screen.contains(STRIPE_SECRET));
    insta::assert_snapshot!("secrets_revealed", screen);
    // Hidden again when the pane closes and opens again.
    h.key(KeyCode::Esc);
    assert!(h.app.secrets_pane().is_none());
    h.ch('s');
    assert!(!h.screen().contains(ZOOM_SECRET));

    go(&mut h, |p| Item::Add(provider(p, "stripe")));
    h.ch('a');
    h.input(Input::Paste(" sk_live_51Habcdefghijkl\n".into()));
    let screen = h.screen();
    assert!(
        screen.contains("⚠ this looks like a Stripe secret API key (sk_…)"),
        "{screen}"
    );
    let warnings = h.app.secrets_pane().unwrap().edit_warnings(h.app.checker());
    assert!(
        warnings[1].starts_with("surrounding whitespace"),
        "{warnings:?}"
    );
    assert!(!screen.contains("51Habcdefghijkl"), "typed text is masked");
    insta::assert_snapshot!("secrets_warning", screen);
}

#[test]
fn editing_a_secret_with_keys_makes_a_failing_delivery_verify() {
    let mut h = Harness::standard(160, 40);
    let row6 = |h: &Harness| {
        (0..h.app.list().len())
            .filter_map(|i| h.app.list().row_at(i))
            .find(|s| s.id == 6)
            .unwrap()
            .verdict
    };
    assert_eq!(h.app.list().counts(), (7, 3));
    assert_eq!(row6(&h), Verdict::Failed);
    h.select(6);
    h.ch('4');
    assert!(h.screen().contains("3 failing"));

    h.ch('s');
    go(&mut h, |p| Item::Add(provider(p, "stripe")));
    h.ch('a');
    h.typed("whsec_rotated_old_secreX");
    h.key(KeyCode::Backspace);
    h.ch('t');
    h.key(KeyCode::Home);
    h.key(KeyCode::Right);
    h.ch('Z');
    // ctrl-w deletes the word before the cursor ("wZ").
    h.ctrl('w');
    h.ch('w');
    h.key(KeyCode::Enter);
    let pane = h.app.secrets_pane().unwrap();
    let stripe = &pane.providers[provider(pane, "stripe")];
    assert_eq!(
        stripe.secrets,
        vec![
            Secret::new(STRIPE_SECRET),
            Secret::new("whsec_rotated_old_secret")
        ]
    );
    assert!(h.effects.is_empty(), "nothing is saved before w");
    assert_eq!(h.app.list().counts(), (7, 3));

    h.ch('w');
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    let mut saver = saver(Some(path.clone()));
    perform_saves(&mut h, &mut saver);
    assert_eq!(h.app.list().counts(), (7, 2));
    assert_eq!(row6(&h), Verdict::Verified);
    let screen = h.screen();
    assert!(screen.contains("7 · 2 failing"), "{screen}");
    assert!(screen.contains("re-verified 3 deliveries"), "{screen}");
    // The pane's per-provider counts follow in the same frame.
    assert!(screen.contains("no route  2 ✓ 1 ✗ 0 ?"), "{screen}");
    // The stored rows carry the new verdict too.
    let stored = h.source.summaries().unwrap();
    assert_eq!(stored[5].verdict, Verdict::Verified);
    // The Signature tab of #6 (behind the pane) re-verified in the same update.
    h.key(KeyCode::Esc);
    let d = h.app.detail().unwrap();
    assert_eq!(d.delivery.id, 6);
    assert_eq!(d.verification.verdict, Verdict::Verified);
    let screen = h.screen();
    assert!(!screen.contains("whsec_rotated_old_secret"), "{screen}");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("whsec_rotated_old_secret"), "{text}");
}

#[test]
fn remove_reorder_and_bad_input() {
    let mut h = Harness::standard(160, 40);
    h.ch('s');
    go(&mut h, |p| Item::Add(provider(p, "stripe")));
    h.ch('a');
    h.input(Input::Paste("   ".into()));
    h.key(KeyCode::Enter);
    let pane = h.app.secrets_pane().unwrap();
    assert!(pane.edit.is_some(), "an empty secret is refused");
    assert_eq!(
        pane.message.as_deref(),
        Some("the secret is empty: type or paste one, or esc to cancel")
    );
    h.ctrl('u');
    h.typed(STRIPE_SECRET);
    h.key(KeyCode::Enter);
    assert_eq!(
        h.app.secrets_pane().unwrap().message.as_deref(),
        Some("that secret is already #1 of stripe")
    );
    h.ctrl('u');
    h.input(Input::Paste("whsec_second\n".into()));
    h.key(KeyCode::Enter);
    let pane = h.app.secrets_pane().unwrap();
    let si = provider(pane, "stripe");
    assert_eq!(pane.providers[si].secrets[1], Secret::new("whsec_second"));
    assert!(
        pane.message
            .as_deref()
            .unwrap()
            .starts_with("surrounding whitespace trimmed")
    );
    assert_eq!(pane.current(), Some(Item::Secret(si, 1)));
    h.ch('K');
    let pane = h.app.secrets_pane().unwrap();
    assert_eq!(pane.providers[si].secrets[0], Secret::new("whsec_second"));
    assert_eq!(pane.current(), Some(Item::Secret(si, 0)));
    h.ch('d');
    assert_eq!(
        h.app.secrets_pane().unwrap().providers[si].secrets,
        vec![Secret::new(STRIPE_SECRET)]
    );
    // Closing with unsaved changes asks first.
    h.ch('d');
    h.key(KeyCode::Esc);
    assert!(h.app.secrets_pane().is_some());
    h.key(KeyCode::Esc);
    assert!(h.app.secrets_pane().is_none());
    assert!(h.effects.is_empty());
    assert_eq!(h.app.checker().secrets_for("stripe").len(), 1);
}

#[cfg(unix)]
#[test]
fn saved_file_is_private_keeps_comments_and_drops_removed_secrets() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    let original = format!(
        "# team config\ntheme = \"default\"  # dark\n\n[providers.stripe]\nsecrets = [\"{STRIPE_SECRET}\"]\ntolerance_secs = 300\n\n[providers.zoom]\n# rotate monthly\nsecrets = [\"{ZOOM_SECRET}\"]\n\n[[routes]]\npath = \"/z\"\nprovider = \"zoom\"\n"
    );
    std::fs::write(&path, &original).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();

    let mut h = Harness::standard(160, 40);
    h.ch('s');
    go(&mut h, |p| Item::Secret(provider(p, "stripe"), 0));
    h.ch('d');
    go(&mut h, |p| Item::Secret(provider(p, "zoom"), 0));
    h.ch('e');
    h.ctrl('u');
    h.typed("zoom-new-secret");
    h.key(KeyCode::Enter);
    h.ch('w');
    let mut saver = saver(Some(path.clone()));
    perform_saves(&mut h, &mut saver);

    let text = std::fs::read_to_string(&path).unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    for kept in [
        "# team config",
        "theme = \"default\"  # dark",
        "# rotate monthly",
        "tolerance_secs = 300",
        "[[routes]]",
        "path = \"/z\"",
        "secrets = [\"zoom-new-secret\"]",
    ] {
        assert!(text.contains(kept), "{kept:?} missing from:\n{text}");
    }
    assert!(!text.contains(STRIPE_SECRET), "{text}");
    assert!(!text.contains(ZOOM_SECRET), "{text}");
    // Stripe lost its only secret: its deliveries are unverified now.
    // Stripe has no secret now: #1 and #6 are unverified; #5 still fails (stale), and so
    // does #2 (zoom, body re-serialized).
    assert_eq!(h.app.list().counts(), (7, 2));
    let verdict = |id: u64| {
        (0..7)
            .filter_map(|i| h.app.list().row_at(i))
            .find(|s| s.id == id)
            .unwrap()
            .verdict
    };
    assert_eq!(verdict(6), Verdict::Unverified);
    assert_eq!(verdict(1), Verdict::Unverified);
    assert!(h.app.checker().secrets_for("stripe").is_empty());
}

#[test]
fn a_broken_config_file_is_reported_and_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, "[providers\n").unwrap();
    let mut h = Harness::standard(160, 40);
    h.ch('s');
    go(&mut h, |p| Item::Secret(provider(p, "stripe"), 0));
    h.ch('d');
    h.ch('w');
    let mut saver = saver(Some(path.clone()));
    perform_saves(&mut h, &mut saver);
    let status = h.app.status().unwrap().to_string();
    assert!(
        status.starts_with("secrets not saved: cannot update the config file"),
        "{status}"
    );
    assert_eq!(h.app.checker().secrets_for("stripe").len(), 1);
    assert_eq!(h.app.list().counts(), (7, 3));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "[providers\n");
    let pane = h.app.secrets_pane().unwrap();
    assert!(
        pane.changes().contains_key("stripe"),
        "the edit is unsaved again"
    );
}

#[test]
fn secrets_from_the_environment_are_marked_in_the_pane() {
    let mut h = Harness::standard(160, 40);
    let env: BTreeMap<String, Vec<Secret>> = [(
        "zoom".to_string(),
        vec![Secret::new(ZOOM_SECRET.to_string())],
    )]
    .into();
    h.app.set_env_secrets(env);
    h.ch('s');
    let screen = h.screen();
    let marked: Vec<&str> = screen
        .lines()
        .filter(|l| l.contains("from HOOKSCOPE_SECRET_"))
        .collect();
    assert_eq!(marked.len(), 1, "{screen}");
    assert!(
        marked[0].contains("from HOOKSCOPE_SECRET_ZOOM · not written to the config"),
        "{screen}"
    );
    assert!(!screen.contains(ZOOM_SECRET), "still masked");
}

#[test]
fn the_pane_keys_come_from_the_key_table_and_remap() {
    let mut h = Harness::with_keys(
        160,
        40,
        &deliveries(),
        &[],
        keys(&[("secret_add", "n"), ("secret_save", "ctrl-w")]),
    );
    h.ch('s');
    // The moves of every list: G to the last line, g back to the first.
    h.ch('G');
    let pane = h.app.secrets_pane().unwrap();
    assert_eq!(pane.selected, pane.items().len() - 1);
    h.ch('g');
    assert_eq!(h.app.secrets_pane().unwrap().selected, 0);
    // The remapped keys drive the pane and its hint line; `a` no longer adds.
    assert!(h.screen().contains(" n add "), "{}", h.screen());
    h.ch('a');
    assert!(h.app.secrets_pane().unwrap().edit.is_none());
    h.ch('n');
    assert!(h.app.secrets_pane().unwrap().edit.is_some());
    h.typed("whsec_new");
    h.key(KeyCode::Enter);
    assert!(
        h.ctrl('w')
            .iter()
            .any(|e| matches!(e, Effect::SaveSecrets { .. })),
        "ctrl-w saves"
    );
}
