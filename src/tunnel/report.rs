//! From the tunnel's `watch` to the front ends: one [`Event::Tunnel`] for the current state
//! and one per change, each with the HTTPS warning for the configured providers; and the
//! state file `tunnel.json` in the data directory, which `hookscope setup` reads to print the
//! running tunnel's URL (removed when the run ends).

use super::{TunnelState, TunnelStatus, TunnelWatch};
use crate::checker::Checker;
use crate::event::Event;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use tokio::sync::broadcast;

/// A tunnel state as the front ends get it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TunnelReport {
    #[serde(flatten)]
    pub status: TunnelStatus,
    /// Providers of the config that need HTTPS, when the tunnel's URL is plain HTTP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
}

/// The HTTPS warning for the providers the config names (secrets, settings or routes).
pub fn warning_for(checker: &Checker, status: &TunnelStatus) -> Option<String> {
    let names: std::collections::BTreeSet<&str> = checker
        .secrets()
        .keys()
        .chain(checker.configured_providers())
        .map(String::as_str)
        .chain(checker.routes().iter().map(|r| r.provider.as_str()))
        .collect();
    let providers: Vec<_> = names
        .iter()
        .filter_map(|n| checker.registry().get(n))
        .collect();
    let https = super::is_https(Some(status.public_url.as_deref()?), None);
    crate::setup::https_mismatch(&providers, https, Some(status.kind))
}

/// What `tunnel.json` holds.
#[derive(Debug, Serialize, Deserialize)]
pub struct StateFile {
    pub pid: u32,
    pub kind: String,
    pub state: String,
    pub public_url: Option<String>,
}

/// The state file's path in a data directory.
pub fn state_path(data_dir: &Path) -> PathBuf {
    data_dir.join("tunnel.json")
}

/// The running tunnel's state from `data_dir`, if its process is still alive.
pub fn read_state(data_dir: &Path) -> Option<StateFile> {
    let text = std::fs::read_to_string(state_path(data_dir)).ok()?;
    let s: StateFile = serde_json::from_str(&text).ok()?;
    #[cfg(target_os = "linux")]
    if !Path::new(&format!("/proc/{}", s.pid)).exists() {
        return None;
    }
    Some(s)
}

fn write_state(path: &Path, status: &TunnelStatus) {
    let state = StateFile {
        pid: std::process::id(),
        kind: status.kind.to_string(),
        state: serde_json::to_value(status.state)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        public_url: status.url().map(str::to_string),
    };
    if let Ok(text) = serde_json::to_string(&state) {
        let tmp = path.with_extension("json.tmp");
        if std::fs::write(&tmp, text).is_ok() {
            let _ = std::fs::rename(&tmp, path);
        }
    }
}

/// Send the current state and every change on `events` (and into `state_file`) until the
/// tunnel's supervisor ends or no one listens. The state file is removed at the end.
pub fn spawn(
    mut watch: TunnelWatch,
    events: broadcast::Sender<Event>,
    checker: Arc<RwLock<Checker>>,
    state_file: Option<PathBuf>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let _remove = state_file.clone().map(RemoveOnDrop);
        loop {
            let status = watch.borrow_and_update().clone();
            if let Some(path) = &state_file {
                write_state(path, &status);
            }
            let warning = match status.state {
                TunnelState::Up => {
                    let c = checker.read().unwrap_or_else(|e| e.into_inner());
                    warning_for(&c, &status)
                }
                _ => None,
            };
            if events
                .send(Event::Tunnel(TunnelReport { status, warning }))
                .is_err()
            {
                return;
            }
            if watch.changed().await.is_err() {
                return;
            }
        }
    })
}

struct RemoveOnDrop(PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}
