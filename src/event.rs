//! Events on the one-way flow: capture → store commit → broadcast → sinks (dashboard, headless).

use crate::delivery::Delivery;
use crate::verify::Verification;
use std::sync::Arc;

/// A delivery together with its verification at capture time.
#[derive(Clone, Debug)]
pub struct Captured {
    pub delivery: Delivery,
    pub verification: Verification,
}

/// What sinks receive.
#[derive(Clone, Debug)]
pub enum Event {
    /// A delivery was committed (or kept in memory with `--no-store`).
    Delivery(Arc<Captured>),
    /// The store failed and capture continues in memory; the text says why.
    StoreWarning(String),
    /// The config file changed and its secrets are now in force; the providers that have
    /// secrets, and the new checker (views judge details with it).
    ConfigReloaded {
        providers: Vec<String>,
        checker: Arc<crate::checker::Checker>,
    },
    /// Stored deliveries are being judged again (see `crate::reverify`).
    Reverifying(crate::reverify::Progress),
    /// The config file changed but cannot be used; the previous secrets stay in force.
    ConfigError(String),
    /// The tunnel's state: once when it is started, then on every change.
    Tunnel(crate::tunnel::TunnelReport),
}
