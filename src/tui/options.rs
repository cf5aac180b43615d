//! The fixed facts the dashboard shows (listener, forward target, time zone, retention), given
//! at start.

use jiff::tz::TimeZone;

/// Fixed facts the dashboard shows.
#[derive(Clone, Debug)]
pub struct AppOptions {
    /// The listener's URL, e.g. `http://127.0.0.1:4545`.
    pub listen_url: String,
    /// Attached to this store without listening (`--no-listen`): where it lives.
    pub attached: Option<String>,
    /// Where deliveries are forwarded, if anywhere.
    pub forward: Option<String>,
    /// The listener accepts connections from other machines (shown as a warning).
    pub non_loopback: bool,
    /// Zone for times in the list and detail.
    pub time_zone: TimeZone,
    /// Retention (`--keep`), shown in the header bar; `None` when not known.
    pub keep: Option<u64>,
}
