//! The one key table: actions, their default keys and descriptions. It drives dispatch, the help
//! overlay and the hint bar; `Config.keys` (action name → keys) remaps it.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::{BTreeMap, HashMap};
use std::fmt;

/// Something the user can ask for with a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    Quit,
    Help,
    Down,
    Up,
    Top,
    Bottom,
    PageDown,
    PageUp,
    Open,
    Back,
    NextTab,
    PrevTab,
    Tab1,
    Tab2,
    Tab3,
    Tab4,
    Filter,
    NextMatch,
    PrevMatch,
    Follow,
    Copy,
    BodyView,
    Tab5,
    Replay,
    ReplayResigned,
    ReplayEdit,
    ReplayTarget,
    ReplayToggleResign,
    ReplayShiftUp,
    ReplayShiftDown,
    ReplayRepeatUp,
    ReplayRepeatDown,
    Export,
    Delete,
    Clear,
    Secrets,
    Mark,
    Diff,
    Rules,
    Setup,
    SkewPage,
}

/// One row of the key table.
#[derive(Clone, Copy, Debug)]
pub struct Binding {
    pub action: Action,
    /// Name used in the config file (`[keys] down = "ctrl-n"`).
    pub name: &'static str,
    /// Default keys, in the syntax of [`parse_key`].
    pub keys: &'static [&'static str],
    /// What the help overlay says.
    pub description: &'static str,
}

/// The key table, in help-overlay order.
pub const TABLE: &[Binding] = &[
    Binding {
        action: Action::Down,
        name: "down",
        keys: &["j", "down"],
        description: "next delivery / scroll down",
    },
    Binding {
        action: Action::Up,
        name: "up",
        keys: &["k", "up"],
        description: "previous delivery / scroll up",
    },
    Binding {
        action: Action::Top,
        name: "top",
        keys: &["g", "home"],
        description: "first row / top",
    },
    Binding {
        action: Action::Bottom,
        name: "bottom",
        keys: &["G", "end"],
        description: "last row / bottom",
    },
    Binding {
        action: Action::PageDown,
        name: "page_down",
        keys: &["pgdn", "ctrl-d"],
        description: "page down",
    },
    Binding {
        action: Action::PageUp,
        name: "page_up",
        keys: &["pgup", "ctrl-u"],
        description: "page up",
    },
    Binding {
        action: Action::Open,
        name: "open",
        keys: &["enter"],
        description: "open the delivery (focus the detail)",
    },
    Binding {
        action: Action::Back,
        name: "back",
        keys: &["esc"],
        description: "back to the list; clear the filter",
    },
    Binding {
        action: Action::NextTab,
        name: "next_tab",
        keys: &["tab"],
        description: "next detail tab",
    },
    Binding {
        action: Action::PrevTab,
        name: "prev_tab",
        keys: &["backtab"],
        description: "previous detail tab",
    },
    Binding {
        action: Action::Tab1,
        name: "tab_overview",
        keys: &["1"],
        description: "Overview tab",
    },
    Binding {
        action: Action::Tab2,
        name: "tab_headers",
        keys: &["2"],
        description: "Headers tab",
    },
    Binding {
        action: Action::Tab3,
        name: "tab_body",
        keys: &["3"],
        description: "Body tab",
    },
    Binding {
        action: Action::Tab4,
        name: "tab_signature",
        keys: &["4"],
        description: "Signature tab",
    },
    Binding {
        action: Action::BodyView,
        name: "body_view",
        keys: &["v"],
        description: "body view: raw → pretty JSON → form → hex",
    },
    Binding {
        action: Action::Filter,
        name: "filter",
        keys: &["/"],
        description: "filter: path, provider, method, status, verdict, body text",
    },
    Binding {
        action: Action::NextMatch,
        name: "next_match",
        keys: &["n"],
        description: "next match (wraps)",
    },
    Binding {
        action: Action::PrevMatch,
        name: "prev_match",
        keys: &["N"],
        description: "previous match (wraps)",
    },
    Binding {
        action: Action::Follow,
        name: "follow",
        keys: &["F"],
        description: "follow: newest at the bottom, auto-scroll / newest first",
    },
    Binding {
        action: Action::Copy,
        name: "copy",
        keys: &["y"],
        description: "copy menu (signatures, signed string, body, headers, curl)",
    },
    Binding {
        action: Action::Help,
        name: "help",
        keys: &["?"],
        description: "this help",
    },
    Binding {
        action: Action::Quit,
        name: "quit",
        keys: &["q"],
        description: "quit (ctrl-c always quits)",
    },
    Binding {
        action: Action::Tab5,
        name: "tab_replay",
        keys: &["5"],
        description: "Replay tab",
    },
    Binding {
        action: Action::Replay,
        name: "replay",
        keys: &["r"],
        description: "replay to the target as captured (re-signed when the pane's re-sign is on)",
    },
    Binding {
        action: Action::ReplayResigned,
        name: "replay_resigned",
        keys: &["R"],
        description: "replay re-signed: fresh timestamp, new id, current secret",
    },
    Binding {
        action: Action::ReplayEdit,
        name: "replay_edit",
        keys: &["e"],
        description: "edit headers and body ($EDITOR or inline), then replay re-signed",
    },
    Binding {
        action: Action::ReplayTarget,
        name: "replay_target",
        keys: &["t"],
        description: "type the replay target URL (empty = the forward URL)",
    },
    Binding {
        action: Action::ReplayToggleResign,
        name: "replay_toggle_resign",
        keys: &["o"],
        description: "re-sign on/off for r",
    },
    Binding {
        action: Action::ReplayShiftUp,
        name: "replay_shift_up",
        keys: &["+"],
        description: "timestamp shift +60 s (re-signed replays)",
    },
    Binding {
        action: Action::ReplayShiftDown,
        name: "replay_shift_down",
        keys: &["-"],
        description: "timestamp shift −60 s (re-signed replays)",
    },
    Binding {
        action: Action::ReplayRepeatUp,
        name: "replay_repeat_up",
        keys: &["]"],
        description: "repeat count +1",
    },
    Binding {
        action: Action::ReplayRepeatDown,
        name: "replay_repeat_down",
        keys: &["["],
        description: "repeat count −1",
    },
    Binding {
        action: Action::Export,
        name: "export",
        keys: &["x"],
        description: "export menu: curl → clipboard, HAR or JSON lines → file",
    },
    Binding {
        action: Action::Delete,
        name: "delete",
        keys: &["d"],
        description: "delete the selected delivery",
    },
    Binding {
        action: Action::Clear,
        name: "clear",
        keys: &["z"],
        description: "delete all deliveries (asks first)",
    },
    Binding {
        action: Action::Secrets,
        name: "secrets",
        keys: &["s"],
        description: "secrets pane: add, edit, remove, reorder; save re-verifies everything",
    },
    Binding {
        action: Action::Mark,
        name: "mark",
        keys: &["m"],
        description: "mark the selected delivery for a diff (again: unmark)",
    },
    Binding {
        action: Action::Diff,
        name: "diff",
        keys: &["D"],
        description: "diff the marked delivery (or a replay's original) with the selected one",
    },
    Binding {
        action: Action::Rules,
        name: "rules",
        keys: &["a"],
        description: "response rules: switch each on or off",
    },
    Binding {
        action: Action::Setup,
        name: "setup",
        keys: &["u"],
        description: "setup card: the URL to paste, where the secret is, the handshake",
    },
    Binding {
        action: Action::SkewPage,
        name: "skew_page",
        keys: &["p"],
        description: "skew panel: the next providers, when they do not all fit",
    },
];

/// Hint-bar entries per context: actions shown together and a short label.
pub const LIST_HINTS: &[(&[Action], &str)] = &[
    (&[Action::Down, Action::Up], "move"),
    (&[Action::Open], "open"),
    (&[Action::NextTab], "tabs"),
    (&[Action::Filter], "filter"),
    (&[Action::Follow], "follow"),
    (&[Action::Copy], "copy"),
    (&[Action::Help], "help"),
    (&[Action::Quit], "quit"),
    (&[Action::Replay, Action::ReplayResigned], "replay"),
    (&[Action::Export], "export"),
    (&[Action::Secrets], "secrets"),
];

/// Hint-bar entries while the detail pane has the focus (an entry that does not fit is left out).
pub const DETAIL_HINTS: &[(&[Action], &str)] = &[
    (&[Action::Down, Action::Up], "scroll"),
    (&[Action::NextTab], "tabs"),
    (&[Action::BodyView], "body view"),
    (&[Action::Back], "back"),
    (&[Action::Copy], "copy"),
    (&[Action::Help], "help"),
    (&[Action::Quit], "quit"),
    (&[Action::NextMatch, Action::PrevMatch], "next/prev match"),
    (&[Action::Replay, Action::ReplayResigned], "replay"),
    (&[Action::Secrets], "secrets"),
];

/// A key with its modifiers, normalised (a character key carries no SHIFT).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    /// The normalised key of a terminal key event.
    pub fn of(ev: &KeyEvent) -> Key {
        let mut mods =
            ev.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let code = match ev.code {
            KeyCode::Char(c) => {
                mods.remove(KeyModifiers::SHIFT);
                // Terminals report ctrl-letter in either case.
                if mods.contains(KeyModifiers::CONTROL) {
                    KeyCode::Char(c.to_ascii_lowercase())
                } else {
                    KeyCode::Char(c)
                }
            }
            KeyCode::BackTab => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            c => c,
        };
        Key { code, mods }
    }

    /// Whether this is `ctrl-c`, which always quits.
    pub fn is_ctrl_c(&self) -> bool {
        self.code == KeyCode::Char('c') && self.mods == KeyModifiers::CONTROL
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("ctrl-")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("alt-")?;
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            f.write_str("shift-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("enter"),
            KeyCode::Esc => f.write_str("esc"),
            KeyCode::Tab => f.write_str("tab"),
            KeyCode::BackTab => f.write_str("shift-tab"),
            KeyCode::Backspace => f.write_str("backspace"),
            KeyCode::Delete => f.write_str("delete"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::Home => f.write_str("home"),
            KeyCode::End => f.write_str("end"),
            KeyCode::PageUp => f.write_str("pgup"),
            KeyCode::PageDown => f.write_str("pgdn"),
            KeyCode::Insert => f.write_str("insert"),
            KeyCode::F(n) => write!(f, "f{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// Parse a key like `j`, `G`, `ctrl-d`, `alt-x`, `enter`, `pgdn`, `shift-tab`, `f5`.
pub fn parse_key(s: &str) -> Result<Key, String> {
    let mut mods = KeyModifiers::NONE;
    let mut rest = s.trim();
    if rest.is_empty() {
        return Err("empty key".into());
    }
    loop {
        let lower = rest.to_ascii_lowercase();
        let (m, len) = if lower.starts_with("ctrl-") {
            (KeyModifiers::CONTROL, 5)
        } else if lower.starts_with("alt-") {
            (KeyModifiers::ALT, 4)
        } else if lower.starts_with("shift-") && rest.len() > 6 {
            (KeyModifiers::SHIFT, 6)
        } else {
            break;
        };
        mods |= m;
        rest = &rest[len..];
    }
    let mut chars = rest.chars();
    let code = match (chars.next(), chars.next()) {
        (Some(c), None) => {
            if mods.contains(KeyModifiers::SHIFT) {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::Char(c.to_ascii_uppercase())
            } else if mods.contains(KeyModifiers::CONTROL) {
                KeyCode::Char(c.to_ascii_lowercase())
            } else {
                KeyCode::Char(c)
            }
        }
        _ => match rest.to_ascii_lowercase().as_str() {
            "enter" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "tab" if mods.contains(KeyModifiers::SHIFT) => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "space" => KeyCode::Char(' '),
            "backspace" => KeyCode::Backspace,
            "delete" | "del" => KeyCode::Delete,
            "insert" => KeyCode::Insert,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "pgup" | "pageup" => KeyCode::PageUp,
            "pgdn" | "pagedown" => KeyCode::PageDown,
            f if f.starts_with('f')
                && f[1..].parse::<u8>().is_ok_and(|n| (1..=24).contains(&n)) =>
            {
                KeyCode::F(f[1..].parse().expect("checked"))
            }
            _ => {
                return Err(format!(
                    "unknown key {s:?} (examples: x, G, ctrl-d, alt-x, enter, esc, tab, pgdn, f5)"
                ));
            }
        },
    };
    Ok(Key { code, mods })
}

/// The effective key map: the table's defaults with the user's remapping applied.
#[derive(Clone, Debug)]
pub struct KeyMap {
    by_key: HashMap<Key, Action>,
    by_action: BTreeMap<Action, Vec<Key>>,
}

impl Default for KeyMap {
    fn default() -> Self {
        KeyMap::new(&BTreeMap::new()).expect("the built-in key table parses")
    }
}

impl KeyMap {
    /// Build from `Config.keys`: action name → one or more keys separated by spaces or commas. A
    /// remapped action loses its default keys; a key taken from another action moves to it.
    /// Errors name the `keys.ACTION` entry.
    pub fn new(overrides: &BTreeMap<String, String>) -> Result<KeyMap, String> {
        let mut by_action: BTreeMap<Action, Vec<Key>> = BTreeMap::new();
        for b in TABLE {
            let keys = b
                .keys
                .iter()
                .map(|k| parse_key(k))
                .collect::<Result<Vec<_>, _>>()?;
            by_action.insert(b.action, keys);
        }
        for (name, value) in overrides {
            let Some(b) = TABLE.iter().find(|b| b.name == name.as_str()) else {
                let known: Vec<&str> = TABLE.iter().map(|b| b.name).collect();
                return Err(format!(
                    "keys.{name}: unknown action (actions: {})",
                    known.join(", ")
                ));
            };
            let mut keys = Vec::new();
            for part in value.split([',', ' ']).filter(|p| !p.trim().is_empty()) {
                let key = parse_key(part).map_err(|e| format!("keys.{name}: {e}"))?;
                if key.is_ctrl_c() {
                    return Err(format!("keys.{name}: ctrl-c is reserved (it always quits)"));
                }
                keys.push(key);
            }
            if keys.is_empty() {
                return Err(format!("keys.{name}: no key given"));
            }
            for other in by_action.values_mut() {
                other.retain(|k| !keys.contains(k));
            }
            by_action.insert(b.action, keys);
        }
        let mut by_key = HashMap::new();
        for (action, keys) in &by_action {
            for k in keys {
                by_key.insert(*k, *action);
            }
        }
        Ok(KeyMap { by_key, by_action })
    }

    /// The action bound to a key event, if any.
    pub fn action(&self, ev: &KeyEvent) -> Option<Action> {
        self.by_key.get(&Key::of(ev)).copied()
    }

    /// The keys bound to an action.
    pub fn keys(&self, action: Action) -> &[Key] {
        self.by_action.get(&action).map_or(&[], Vec::as_slice)
    }

    /// All keys of an action, written `j, ↓`.
    pub fn label(&self, action: Action) -> String {
        let keys: Vec<String> = self.keys(action).iter().map(Key::to_string).collect();
        if keys.is_empty() {
            "(unbound)".to_string()
        } else {
            keys.join(", ")
        }
    }

    /// The first key of each action, joined by `/` (hint bar form).
    pub fn short_label(&self, actions: &[Action]) -> String {
        actions
            .iter()
            .filter_map(|a| self.keys(*a).first().map(Key::to_string))
            .collect::<Vec<_>>()
            .join("/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn defaults_dispatch() {
        let m = KeyMap::default();
        assert_eq!(
            m.action(&ev(KeyCode::Char('j'), KeyModifiers::NONE)),
            Some(Action::Down)
        );
        assert_eq!(
            m.action(&ev(KeyCode::Down, KeyModifiers::NONE)),
            Some(Action::Down)
        );
        // Terminals send `G` with SHIFT.
        assert_eq!(
            m.action(&ev(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(Action::Bottom)
        );
        assert_eq!(
            m.action(&ev(KeyCode::Char('d'), KeyModifiers::CONTROL)),
            Some(Action::PageDown)
        );
        assert_eq!(
            m.action(&ev(KeyCode::BackTab, KeyModifiers::SHIFT)),
            Some(Action::PrevTab)
        );
        assert_eq!(m.action(&ev(KeyCode::Char('w'), KeyModifiers::NONE)), None);
    }

    #[test]
    fn every_table_key_parses_and_no_default_key_is_shared() {
        let mut seen = HashMap::new();
        for b in TABLE {
            for k in b.keys {
                let key = parse_key(k).unwrap();
                assert!(seen.insert(key, b.name).is_none(), "{k} bound twice");
            }
        }
    }

    #[test]
    fn remapping_replaces_defaults_and_steals_keys() {
        let mut o = BTreeMap::new();
        o.insert("down".to_string(), "ctrl-n, x".to_string());
        o.insert("quit".to_string(), "k".to_string());
        let m = KeyMap::new(&o).unwrap();
        assert_eq!(
            m.action(&ev(KeyCode::Char('n'), KeyModifiers::CONTROL)),
            Some(Action::Down)
        );
        assert_eq!(
            m.action(&ev(KeyCode::Char('x'), KeyModifiers::NONE)),
            Some(Action::Down)
        );
        assert_eq!(m.action(&ev(KeyCode::Char('j'), KeyModifiers::NONE)), None);
        assert_eq!(
            m.action(&ev(KeyCode::Char('k'), KeyModifiers::NONE)),
            Some(Action::Quit)
        );
        assert_eq!(m.keys(Action::Up), &[parse_key("up").unwrap()]);
        assert_eq!(m.label(Action::Down), "ctrl-n, x");
    }

    #[test]
    fn bad_remaps_name_the_entry() {
        let mut o = BTreeMap::new();
        o.insert("dwn".to_string(), "x".to_string());
        assert!(
            KeyMap::new(&o)
                .unwrap_err()
                .starts_with("keys.dwn: unknown action")
        );
        let mut o = BTreeMap::new();
        o.insert("down".to_string(), "ctrl-".to_string());
        assert!(
            KeyMap::new(&o)
                .unwrap_err()
                .starts_with("keys.down: unknown key")
        );
        let mut o = BTreeMap::new();
        o.insert("help".to_string(), "ctrl-c".to_string());
        assert!(KeyMap::new(&o).unwrap_err().contains("reserved"));
    }
}
