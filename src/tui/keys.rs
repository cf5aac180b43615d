//! Keys: parsing (`ctrl-d`, `G`, `pgdn`), and the effective [`KeyMap`], the one key table
//! ([`super::key_table`]) with the config's `[keys]` remapping applied, looked up per context.

pub use super::key_table::{
    Action, Binding, Context, DETAIL_HINTS, LIST_HINTS, SECRETS_HINTS, TABLE,
};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::{BTreeMap, HashMap};
use std::fmt;

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
    by_key: HashMap<(Context, Key), Action>,
    by_action: BTreeMap<Action, Vec<Key>>,
}

fn context_of(action: Action) -> Context {
    action.context()
}

impl Default for KeyMap {
    fn default() -> Self {
        KeyMap::new(&BTreeMap::new()).expect("the built-in key table parses")
    }
}

impl KeyMap {
    /// Build from `Config.keys`: action name → one or more keys separated by spaces or commas. A
    /// remapped action loses its default keys; a key taken from another action that can meet it
    /// (same pane) moves to it. Errors name the `keys.ACTION` entry.
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
            for (other, bound) in by_action.iter_mut() {
                if context_of(*other).meets(b.context) {
                    bound.retain(|k| !keys.contains(k));
                }
            }
            by_action.insert(b.action, keys);
        }
        let mut by_key = HashMap::new();
        for (action, keys) in &by_action {
            for k in keys {
                by_key.insert((context_of(*action), *k), *action);
            }
        }
        Ok(KeyMap { by_key, by_action })
    }

    /// The action a key event means in the dashboard (list and detail), if any.
    pub fn action(&self, ev: &KeyEvent) -> Option<Action> {
        self.action_in(Context::List, Key::of(ev))
    }

    /// The action a key means in a pane of `context`: its own contexts first, then the global
    /// one.
    pub fn action_in(&self, context: Context, key: Key) -> Option<Action> {
        context
            .chain()
            .iter()
            .find_map(|c| self.by_key.get(&(*c, key)).copied())
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
    fn every_table_key_parses_and_no_default_key_is_shared_where_contexts_meet() {
        for b in TABLE {
            for other in TABLE.iter().filter(|o| o.name != b.name) {
                for k in b.keys {
                    let key = parse_key(k).unwrap();
                    let shared = other.keys.iter().any(|o| parse_key(o).unwrap() == key);
                    assert!(
                        !(shared && b.context.meets(other.context)),
                        "{k} is bound to {} and {}",
                        b.name,
                        other.name
                    );
                }
            }
        }
    }

    #[test]
    fn a_pane_looks_in_its_context_then_the_global_one() {
        let m = KeyMap::default();
        let key = |s| parse_key(s).unwrap();
        assert_eq!(
            m.action_in(Context::Secrets, key("e")),
            Some(Action::SecretEdit)
        );
        assert_eq!(
            m.action_in(Context::List, key("e")),
            Some(Action::ReplayEdit)
        );
        assert_eq!(
            m.action_in(Context::Secrets, key("G")),
            Some(Action::Bottom)
        );
        assert_eq!(m.action_in(Context::Secrets, key("x")), None);
        // Remapping in one pane leaves a pane it never meets alone.
        let mut o = BTreeMap::new();
        o.insert("secret_add".to_string(), "x".to_string());
        let m = KeyMap::new(&o).unwrap();
        assert_eq!(
            m.action_in(Context::Secrets, key("x")),
            Some(Action::SecretAdd)
        );
        assert_eq!(m.action_in(Context::List, key("x")), Some(Action::Export));
        assert_eq!(m.action_in(Context::Secrets, key("a")), None);
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
