//! The status line's message: a notice that expires, or a result of long work that stays until
//! dismissed (`esc`) or replaced.

/// How long a notice stays, in milliseconds.
const STATUS_MS: i64 = 5_000;
/// The expiry of a result: never, until dismissed.
const UNTIL_DISMISSED: i64 = i64::MAX;

/// What the store's answer to a delete says.
pub fn deleted(id: u64, result: Result<bool, String>) -> String {
    match result {
        Ok(true) => format!("deleted #{id}"),
        Ok(false) => format!("#{id} was already gone"),
        Err(e) => format!("#{id} not deleted: {e}"),
    }
}

/// What the store's answer to a clear says.
pub fn cleared(result: Result<u64, String>) -> String {
    match result {
        Ok(n) => format!("cleared {} deliveries", super::fmt::count(n as usize)),
        Err(e) => format!("not cleared: {e}"),
    }
}

/// What a finished re-verification says, if anything.
pub fn reverified(p: &crate::reverify::Progress) -> Option<String> {
    match &p.error {
        Some(e) => Some(format!("re-verifying stopped: {e}")),
        None if p.total > 0 => Some(format!(
            "re-verified {} deliveries with the current secrets",
            super::fmt::count(p.total as usize)
        )),
        None => None,
    }
}

/// The message and when it expires (unix milliseconds).
#[derive(Clone, Debug, Default)]
pub struct Status(Option<(String, i64)>);

impl Status {
    /// The message, if one is showing.
    pub fn text(&self) -> Option<&str> {
        self.0.as_ref().map(|(s, _)| s.as_str())
    }

    /// Whether the message stays until dismissed.
    pub fn stays(&self) -> bool {
        self.0
            .as_ref()
            .is_some_and(|(_, until)| *until == UNTIL_DISMISSED)
    }

    /// A notice, shown for a few seconds from `now_ms`.
    pub fn notice(&mut self, text: String, now_ms: i64) {
        self.0 = Some((text, now_ms + STATUS_MS));
    }

    /// A result of long work: it stays until dismissed or replaced.
    pub fn result(&mut self, text: String) {
        self.0 = Some((text, UNTIL_DISMISSED));
    }

    /// Dismiss the message.
    pub fn dismiss(&mut self) {
        self.0 = None;
    }

    /// The clock moved: returns whether the message expired.
    pub fn tick(&mut self, now_ms: i64) -> bool {
        if self.0.as_ref().is_some_and(|(_, until)| *until <= now_ms) {
            self.0 = None;
            return true;
        }
        false
    }
}
