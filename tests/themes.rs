//! Every theme file in `themes/` meets WCAG AA (4.5:1) for each role against the background it
//! is drawn on (the file's `background`, a role's own background, the selected row's), computed
//! from the file itself.

use hookscope::tui::Theme;
use hookscope::tui::contrast::{AA, pairs};

#[test]
fn every_theme_file_meets_wcag_aa_for_every_role() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/themes");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 3, "{files:?}");
    let mut failures = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy();
        let empty = Theme::default();
        let (theme, missing) = Theme::parse_over(&text, &name, &empty).unwrap();
        assert!(missing.is_empty(), "{name} leaves out {missing:?}");
        assert!(
            theme.background.is_some(),
            "{name} names no background to measure against"
        );
        let pairs = pairs(&theme);
        for role in ["muted", "border", "accent", "ok", "bad", "warn", "key"] {
            assert!(
                pairs.iter().any(|p| p.what == role),
                "{name}: {role} is not judged (no colour?)"
            );
        }
        for p in pairs {
            let r = p.ratio();
            if r < AA {
                failures.push(format!(
                    "{name}: {} {:02x?} on {:02x?} is {r:.2}:1",
                    p.what, p.fg, p.bg
                ));
            }
        }
    }
    assert!(failures.is_empty(), "under 4.5:1:\n{}", failures.join("\n"));
}
