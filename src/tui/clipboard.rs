//! The clipboard: one long-lived arboard handle (X11/Wayland/macOS/Windows keep the content only
//! while its owner lives), falling back to the OSC 52 escape, which terminals, SSH and tmux
//! (`set -g set-clipboard on`) pass to the local clipboard.

use base64::Engine;
use std::io::Write;

/// Terminals commonly cap OSC 52 payloads around this size.
const OSC52_WARN: usize = 100_000;

/// The clipboard the event loop owns.
pub struct Clipboard {
    handle: Option<arboard::Clipboard>,
    /// Why the system clipboard is not used (logged; see [`Clipboard::unavailable`]).
    unavailable: Option<String>,
}

impl Clipboard {
    /// Open the system clipboard once; when that fails, copies go through OSC 52.
    pub fn new() -> Clipboard {
        match arboard::Clipboard::new() {
            Ok(h) => Clipboard {
                handle: Some(h),
                unavailable: None,
            },
            Err(e) => {
                tracing::info!(
                    "no system clipboard ({e}): copies go through the terminal (OSC 52)"
                );
                Clipboard {
                    handle: None,
                    unavailable: Some(e.to_string()),
                }
            }
        }
    }

    /// A clipboard that only uses OSC 52 (tests, or when the system clipboard is unwanted).
    pub fn osc52_only() -> Clipboard {
        Clipboard {
            handle: None,
            unavailable: Some("system clipboard not used".into()),
        }
    }

    /// Copy `text` (called `what` in the message); returns the status message to show. Without
    /// a system clipboard the message is short and says so (it fits a 60-column status line); the
    /// system clipboard's own error (an X11 timeout text, say) goes to the log.
    pub fn copy(&mut self, what: &str, text: &str, terminal: &mut impl Write) -> String {
        let size = super::fmt::size(text.len() as u64);
        if let Some(h) = &mut self.handle {
            match h.set_text(text) {
                Ok(()) => return format!("copied the {what} ({size}) to the clipboard"),
                Err(e) => {
                    tracing::warn!("system clipboard: {e}; copying through the terminal (OSC 52)");
                    self.handle = None;
                    self.unavailable = Some(e.to_string());
                }
            }
        }
        match terminal
            .write_all(&osc52(text))
            .and_then(|()| terminal.flush())
        {
            Ok(()) if text.len() > OSC52_WARN => format!(
                "no system clipboard; sent {size} through the terminal (OSC 52): many terminals drop over ~100K"
            ),
            Ok(()) => NO_CLIPBOARD.to_string(),
            Err(e) => format!("could not copy the {what}: no system clipboard; terminal: {e}"),
        }
    }

    /// Why the system clipboard is not used, if it is not (for the log).
    pub fn unavailable(&self) -> Option<&str> {
        self.unavailable.as_deref()
    }
}

/// The status after a copy through the terminal when there is no system clipboard.
pub const NO_CLIPBOARD: &str = "no system clipboard; sent through the terminal (OSC 52)";

impl Default for Clipboard {
    fn default() -> Self {
        Clipboard::new()
    }
}

/// The OSC 52 escape that sets the clipboard to `text`.
pub fn osc52(text: &str) -> Vec<u8> {
    let b64 = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    format!("\x1b]52;c;{b64}\x07").into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn falls_back_to_osc52() {
        let mut c = Clipboard::osc52_only();
        let mut out = Vec::new();
        let msg = c.copy("body", "héllo", &mut out);
        assert_eq!(out, b"\x1b]52;c;aMOpbGxv\x07");
        assert_eq!(msg, NO_CLIPBOARD);
        let big = "a".repeat(OSC52_WARN + 1);
        let msg = c.copy("body", &big, &mut Vec::new());
        assert!(
            msg.starts_with("no system clipboard; sent 98K through"),
            "{msg}"
        );
    }
}
