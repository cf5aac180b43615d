//! Headless config reloading: poll the config file's metadata (mtime, size, inode) and, when it
//! changes, rebuild the listener's shared checker from it. The outcome goes out on the event
//! channel (`Event::ConfigReloaded` / `Event::ConfigError`); a broken file leaves the previous
//! secrets in force.

use crate::checker::Checker;
use crate::config::Config;
use crate::event::Event;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};
use tokio::sync::broadcast;

/// How often the file is looked at.
pub const POLL: Duration = Duration::from_millis(500);

/// What identifies one version of the file.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
    ino: u64,
}

fn stamp(path: &std::path::Path) -> Option<Stamp> {
    let m = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    let ino = std::os::unix::fs::MetadataExt::ino(&m);
    #[cfg(not(unix))]
    let ino = 0;
    Some(Stamp {
        modified: m.modified().ok(),
        len: m.len(),
        ino,
    })
}

/// Rebuild a checker from the file: the new checker, or one sentence saying what is wrong.
pub fn load(path: &std::path::Path, env: &[(String, String)]) -> Result<Checker, String> {
    if !path.exists() {
        return Err(format!(
            "config file {} was removed; the previous secrets stay in force",
            path.display()
        ));
    }
    let cfg = Config::load(path).map_err(|e| e.to_string())?;
    Checker::from_config(&cfg, env).map_err(|e| format!("config file {}: {e}", path.display()))
}

/// Watch `path` on the current tokio runtime until `events` has no receiver left.
pub fn spawn(
    path: PathBuf,
    checker: Arc<RwLock<Checker>>,
    events: broadcast::Sender<Event>,
    env: Vec<(String, String)>,
    rejudge: Arc<crate::reverify::Rejudger>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut last = stamp(&path);
        let mut tick = tokio::time::interval(POLL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let now = stamp(&path);
            if now == last {
                continue;
            }
            last = now;
            let event = match load(&path, &env) {
                Ok(c) => {
                    let providers = c.secrets().keys().cloned().collect();
                    let c = {
                        let mut current = checker.write().unwrap_or_else(|e| e.into_inner());
                        *current = c.keep_live_settings(&current);
                        current.clone()
                    };
                    rejudge.start(c.clone());
                    Event::ConfigReloaded {
                        providers,
                        checker: Arc::new(c),
                    }
                }
                Err(message) => Event::ConfigError(message),
            };
            if events.send(event).is_err() {
                return;
            }
        }
    })
}
