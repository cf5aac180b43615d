//! Themes: semantic roles (ok, bad, warn, …) mapped to ratatui styles, read from TOML with
//! ratatui's own serde support. Built-ins are embedded; user themes live in
//! `<config dir>/themes/NAME.toml` and inherit missing roles from `default`.

use ratatui::style::{Color, Modifier, Style};
use std::path::{Path, PathBuf};

/// The embedded themes: (name, TOML text).
pub const BUILTIN: &[(&str, &str)] = &[
    ("default", include_str!("../../themes/default.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
];

/// The style of every semantic role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Theme {
    /// Ordinary text.
    pub text: Style,
    /// Secondary text (labels, separators, elisions).
    pub muted: Style,
    /// Verified, valid, fresh.
    pub ok: Style,
    /// Failed, invalid, stale.
    pub bad: Style,
    /// Needs attention (non-loopback listener, unverified).
    pub warn: Style,
    /// Values worth the eye (provider, computed signature).
    pub accent: Style,
    /// Titles of panes.
    pub title: Style,
    /// Pane borders.
    pub border: Style,
    /// The selected row.
    pub selected: Style,
    /// Column and section headers.
    pub header: Style,
    /// Inactive tab labels.
    pub tab: Style,
    /// The active tab label.
    pub tab_active: Style,
    /// Headers the signature scheme reads.
    pub highlight: Style,
    /// Keys in the hint bar and help.
    pub key: Style,
    /// Escaped bytes in the raw body view.
    pub escape: Style,
    /// The terminal background the theme is made for (`background = "#ffffff"` in its file).
    /// hookscope does not paint it: it is what the theme's contrast is measured against
    /// (see `contrast`).
    pub background: Option<Color>,
}

/// Role names as written in theme files.
pub const ROLES: &[&str] = &[
    "text",
    "muted",
    "ok",
    "bad",
    "warn",
    "accent",
    "title",
    "border",
    "selected",
    "header",
    "tab",
    "tab_active",
    "highlight",
    "key",
    "escape",
];

/// The key of a theme file naming the background it is made for (not a role).
pub const BACKGROUND: &str = "background";

/// A theme that cannot be used, naming the file and the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("theme {file}: {message}")]
pub struct ThemeError {
    /// File path, or `built-in NAME`.
    pub file: String,
    pub message: String,
}

impl Default for Theme {
    fn default() -> Self {
        Theme::builtin("default").expect("the default theme parses")
    }
}

impl Theme {
    fn role_mut(&mut self, name: &str) -> Option<&mut Style> {
        Some(match name {
            "text" => &mut self.text,
            "muted" => &mut self.muted,
            "ok" => &mut self.ok,
            "bad" => &mut self.bad,
            "warn" => &mut self.warn,
            "accent" => &mut self.accent,
            "title" => &mut self.title,
            "border" => &mut self.border,
            "selected" => &mut self.selected,
            "header" => &mut self.header,
            "tab" => &mut self.tab,
            "tab_active" => &mut self.tab_active,
            "highlight" => &mut self.highlight,
            "key" => &mut self.key,
            "escape" => &mut self.escape,
            _ => return None,
        })
    }

    /// An embedded theme by name.
    pub fn builtin(name: &str) -> Result<Theme, ThemeError> {
        let (_, text) = BUILTIN
            .iter()
            .find(|(n, _)| *n == name)
            .ok_or_else(|| ThemeError {
                file: format!("built-in {name}"),
                message: "no such built-in theme".into(),
            })?;
        let empty = Theme::all(Style::new());
        let file = format!("built-in {name}");
        let (theme, missing) = Theme::parse_over(text, &file, &empty)?;
        if let Some(role) = missing.first() {
            return Err(ThemeError {
                file,
                message: format!("{role}: missing"),
            });
        }
        Ok(theme)
    }

    fn all(s: Style) -> Theme {
        Theme {
            text: s,
            muted: s,
            ok: s,
            bad: s,
            warn: s,
            accent: s,
            title: s,
            border: s,
            selected: s,
            header: s,
            tab: s,
            tab_active: s,
            highlight: s,
            key: s,
            escape: s,
            background: None,
        }
    }

    /// Every role with its style, in [`ROLES`] order.
    pub fn roles(&self) -> Vec<(&'static str, Style)> {
        let mut t = self.clone();
        ROLES
            .iter()
            .map(|r| (*r, *t.role_mut(r).expect("known role")))
            .collect()
    }

    /// Parse theme text over `base` (roles absent from the text keep `base`'s style). `file`
    /// names the source in errors. Returns the theme and the roles the text did not set.
    pub fn parse_over(
        text: &str,
        file: &str,
        base: &Theme,
    ) -> Result<(Theme, Vec<&'static str>), ThemeError> {
        let err = |message: String| ThemeError {
            file: file.to_string(),
            message,
        };
        let table: toml::Table =
            toml::from_str(text).map_err(|e| err(e.to_string().trim_end().replace('\n', " ")))?;
        let mut theme = base.clone();
        for (role, value) in &table {
            if role == BACKGROUND {
                let bg = parse_style(role, value).map_err(err)?;
                theme.background = bg.fg.or(bg.bg);
                continue;
            }
            let slot = theme.role_mut(role).ok_or_else(|| {
                err(format!(
                    "{role}: unknown role (roles: {})",
                    ROLES.join(", ")
                ))
            })?;
            *slot = parse_style(role, value).map_err(err)?;
        }
        let missing = ROLES
            .iter()
            .copied()
            .filter(|r| !table.contains_key(*r))
            .collect();
        Ok((theme, missing))
    }

    /// The theme called `name` (default: `default`): a file `NAME.toml` in `user_dir` when it
    /// exists, else a built-in. A name ending in `.toml` is a path. With `no_color`, colours go.
    pub fn load(
        name: Option<&str>,
        user_dir: Option<&Path>,
        no_color: bool,
    ) -> Result<Theme, ThemeError> {
        let name = name.unwrap_or("default");
        let path: Option<PathBuf> = if name.ends_with(".toml") {
            Some(PathBuf::from(name))
        } else {
            user_dir
                .map(|d| d.join(format!("{name}.toml")))
                .filter(|p| p.is_file())
        };
        let theme = match path {
            Some(path) => {
                let file = path.display().to_string();
                let text = std::fs::read_to_string(&path).map_err(|e| ThemeError {
                    file: file.clone(),
                    message: format!("cannot be read: {e}"),
                })?;
                Theme::parse_over(&text, &file, &Theme::default())?.0
            }
            None if BUILTIN.iter().any(|(n, _)| *n == name) => Theme::builtin(name)?,
            None => {
                let names: Vec<&str> = BUILTIN.iter().map(|(n, _)| *n).collect();
                let looked = user_dir
                    .map(|d| {
                        format!(
                            " and there is no {}",
                            d.join(format!("{name}.toml")).display()
                        )
                    })
                    .unwrap_or_default();
                return Err(ThemeError {
                    file: name.to_string(),
                    message: format!("not a built-in theme ({}){looked}", names.join(", ")),
                });
            }
        };
        Ok(if no_color {
            theme.without_color()
        } else {
            theme
        })
    }

    /// The user theme directory: `<config dir>/themes`.
    pub fn user_dir() -> Option<PathBuf> {
        directories::ProjectDirs::from("", "", "hookscope").map(|d| d.config_dir().join("themes"))
    }

    /// The same theme with every colour removed (`NO_COLOR`); modifiers stay, and the selection
    /// and active tab are reversed so they remain visible.
    pub fn without_color(mut self) -> Theme {
        for role in ROLES {
            let s = self.role_mut(role).expect("known role");
            s.fg = None;
            s.bg = None;
            s.underline_color = None;
        }
        self.selected = self.selected.add_modifier(Modifier::REVERSED);
        self.tab_active = self.tab_active.add_modifier(Modifier::REVERSED);
        self
    }
}

/// Whether the `NO_COLOR` convention asks for no colour (set and non-empty).
pub fn no_color_env() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

fn parse_style(role: &str, value: &toml::Value) -> Result<Style, String> {
    let color = |field: &str, v: &toml::Value| -> Result<Color, String> {
        v.clone()
            .try_into::<Color>()
            .map_err(|e| format!("{role}.{field}: {} (got {v})", e.message().trim()))
    };
    let table = match value {
        toml::Value::String(_) => return Ok(Style::new().fg(color("fg", value)?)),
        toml::Value::Table(t) => t,
        other => {
            return Err(format!(
                "{role}: expected a table like {{ fg = \"green\" }} or a colour, got {other}"
            ));
        }
    };
    let mut style = Style::new();
    for (field, v) in table {
        match field.as_str() {
            "fg" => style.fg = Some(color(field, v)?),
            "bg" => style.bg = Some(color(field, v)?),
            "underline_color" => style.underline_color = Some(color(field, v)?),
            "add_modifier" | "sub_modifier" => {
                let m = v.clone().try_into::<Modifier>().map_err(|e| {
                    format!(
                        "{role}.{field}: {} (got {v}; e.g. \"BOLD | ITALIC\")",
                        e.message().trim()
                    )
                })?;
                if field == "add_modifier" {
                    style.add_modifier = m;
                } else {
                    style.sub_modifier = m;
                }
            }
            _ => {
                return Err(format!(
                    "{role}.{field}: unknown field (fields: fg, bg, underline_color, add_modifier, sub_modifier)"
                ));
            }
        }
    }
    Ok(style)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_sets_every_role() {
        for (name, _) in BUILTIN {
            Theme::builtin(name).unwrap_or_else(|e| panic!("{e}"));
        }
        assert_eq!(Theme::default().ok.fg, Some(Color::Green));
        assert!(Theme::default().bad.add_modifier.contains(Modifier::BOLD));
    }

    #[test]
    fn user_theme_inherits_and_errors_name_file_and_field() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("mine.toml"),
            "ok = \"#00ff00\"\nbad = { fg = \"red\", add_modifier = \"ITALIC\" }",
        )
        .unwrap();
        let t = Theme::load(Some("mine"), Some(dir.path()), false).unwrap();
        assert_eq!(t.ok.fg, Some(Color::Rgb(0, 255, 0)));
        assert_eq!(
            t.bad,
            Style::new().fg(Color::Red).add_modifier(Modifier::ITALIC)
        );
        assert_eq!(t.warn, Theme::default().warn);

        std::fs::write(dir.path().join("broken.toml"), "ok = { fg = \"grean\" }").unwrap();
        let e = Theme::load(Some("broken"), Some(dir.path()), false).unwrap_err();
        assert!(e.file.ends_with("broken.toml"), "{e}");
        assert!(e.message.starts_with("ok.fg:"), "{e}");

        std::fs::write(dir.path().join("typo.toml"), "ok = { fgg = \"red\" }").unwrap();
        let e = Theme::load(Some("typo"), Some(dir.path()), false).unwrap_err();
        assert!(e.to_string().contains("ok.fgg: unknown field"), "{e}");

        std::fs::write(dir.path().join("role.toml"), "okay = \"red\"").unwrap();
        let e = Theme::load(Some("role"), Some(dir.path()), false).unwrap_err();
        assert!(e.message.starts_with("okay: unknown role"), "{e}");

        std::fs::write(
            dir.path().join("mods.toml"),
            "ok = { add_modifier = \"bolder\" }",
        )
        .unwrap();
        let e = Theme::load(Some("mods"), Some(dir.path()), false).unwrap_err();
        assert!(e.message.starts_with("ok.add_modifier:"), "{e}");

        std::fs::write(dir.path().join("syntax.toml"), "ok = {").unwrap();
        let e = Theme::load(Some("syntax"), Some(dir.path()), false).unwrap_err();
        assert!(e.file.ends_with("syntax.toml"), "{e}");

        let e = Theme::load(Some("nope"), Some(dir.path()), false).unwrap_err();
        assert!(e.message.contains("not a built-in theme"), "{e}");
    }

    #[test]
    fn no_color_strips_colours_and_keeps_the_selection_visible() {
        let t = Theme::load(Some("default"), None, true).unwrap();
        for role in ROLES {
            let mut t = t.clone();
            let s = *t.role_mut(role).unwrap();
            assert_eq!((s.fg, s.bg), (None, None), "{role}");
        }
        assert!(t.selected.add_modifier.contains(Modifier::REVERSED));
    }
}
