//! WCAG contrast of a theme's colours: relative luminance and contrast ratio of two colours, and
//! every (role, foreground, background) pair a theme draws, so a test can hold each built-in
//! theme to WCAG AA (4.5:1) against the background it is made for.
//!
//! Named and indexed colours are the terminal's palette; their RGB values here are xterm's
//! defaults, the most common reading of the 16 ANSI colours.

use super::theme::Theme;
use ratatui::style::{Color, Style};

/// WCAG AA for normal text.
pub const AA: f64 = 4.5;

/// xterm's default RGB for the 16 ANSI colours (indexes 0–15).
const ANSI: [(u8, u8, u8); 16] = [
    (0x00, 0x00, 0x00),
    (0xcd, 0x00, 0x00),
    (0x00, 0xcd, 0x00),
    (0xcd, 0xcd, 0x00),
    (0x00, 0x00, 0xee),
    (0xcd, 0x00, 0xcd),
    (0x00, 0xcd, 0xcd),
    (0xe5, 0xe5, 0xe5),
    (0x7f, 0x7f, 0x7f),
    (0xff, 0x00, 0x00),
    (0x00, 0xff, 0x00),
    (0xff, 0xff, 0x00),
    (0x5c, 0x5c, 0xff),
    (0xff, 0x00, 0xff),
    (0x00, 0xff, 0xff),
    (0xff, 0xff, 0xff),
];

/// The RGB a colour stands for (`None` for the terminal's default colour, `Color::Reset`).
pub fn rgb(c: Color) -> Option<(u8, u8, u8)> {
    let index = match c {
        Color::Reset => return None,
        Color::Rgb(r, g, b) => return Some((r, g, b)),
        Color::Black => 0,
        Color::Red => 1,
        Color::Green => 2,
        Color::Yellow => 3,
        Color::Blue => 4,
        Color::Magenta => 5,
        Color::Cyan => 6,
        Color::Gray => 7,
        Color::DarkGray => 8,
        Color::LightRed => 9,
        Color::LightGreen => 10,
        Color::LightYellow => 11,
        Color::LightBlue => 12,
        Color::LightMagenta => 13,
        Color::LightCyan => 14,
        Color::White => 15,
        Color::Indexed(i) => i,
    };
    Some(match index {
        0..=15 => ANSI[index as usize],
        // The 6×6×6 cube.
        16..=231 => {
            let i = index - 16;
            let level = |v: u8| if v == 0 { 0 } else { 55 + 40 * v };
            (level(i / 36), level(i / 6 % 6), level(i % 6))
        }
        // The gray ramp.
        _ => {
            let v = 8 + 10 * (index - 232);
            (v, v, v)
        }
    })
}

/// WCAG relative luminance of an sRGB colour.
pub fn luminance((r, g, b): (u8, u8, u8)) -> f64 {
    let lin = |c: u8| {
        let c = c as f64 / 255.0;
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
}

/// WCAG contrast ratio of two colours (1 to 21).
pub fn ratio(a: (u8, u8, u8), b: (u8, u8, u8)) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// One thing a theme draws: a role's foreground on the background under it.
#[derive(Clone, Debug, PartialEq)]
pub struct Pair {
    /// `muted`, or `muted on selected` for a role drawn inside the selected row.
    pub what: String,
    pub fg: (u8, u8, u8),
    pub bg: (u8, u8, u8),
}

impl Pair {
    /// This pair's contrast ratio.
    pub fn ratio(&self) -> f64 {
        ratio(self.fg, self.bg)
    }
}

/// Every pair `theme` draws whose colours are known: each role with a foreground, on its own
/// background or else the theme's [`Theme::background`]; and the roles a list row is made of
/// (text, muted, accent, ok, bad, warn) on the selected row's background. A reversed role swaps
/// its two colours. Roles left to the terminal's default colour are not judged.
pub fn pairs(theme: &Theme) -> Vec<Pair> {
    let page = theme.background.and_then(rgb);
    let mut out = Vec::new();
    let mut push = |what: String, s: &Style, under: Option<(u8, u8, u8)>| {
        let (mut fg, mut bg) = (s.fg.and_then(rgb), s.bg.and_then(rgb).or(under));
        if s.add_modifier.contains(ratatui::style::Modifier::REVERSED) {
            std::mem::swap(&mut fg, &mut bg);
        }
        if let (Some(fg), Some(bg)) = (fg, bg) {
            out.push(Pair { what, fg, bg });
        }
    };
    for (name, style) in theme.roles() {
        push(name.to_string(), &style, page);
    }
    if let Some(sel) = theme.selected.bg.and_then(rgb) {
        for (name, style) in theme.roles() {
            if ["text", "muted", "accent", "ok", "bad", "warn"].contains(&name) {
                push(format!("{name} on selected"), &style, Some(sel));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratio_matches_wcag_figures() {
        assert!((ratio((0, 0, 0), (255, 255, 255)) - 21.0).abs() < 1e-9);
        assert!((ratio((0x77, 0x77, 0x77), (255, 255, 255)) - 4.48).abs() < 0.01);
        assert_eq!(rgb(Color::Indexed(16)), Some((0, 0, 0)));
        assert_eq!(rgb(Color::Indexed(231)), Some((255, 255, 255)));
        assert_eq!(rgb(Color::Indexed(244)), Some((128, 128, 128)));
        assert_eq!(rgb(Color::DarkGray), Some((0x7f, 0x7f, 0x7f)));
        assert_eq!(rgb(Color::Reset), None);
    }
}
