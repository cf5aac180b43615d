//! Performing a save from the secrets pane ([`super::Effect::SaveSecrets`]): write the config
//! file (comments kept, atomic, mode 0600) and swap the listener's shared checker so new
//! deliveries are judged with the new secrets. Stored deliveries are then judged again in the
//! background (`crate::reverify`); the list shows them change as the store does.

use super::events::{Input, SecretMap};
use crate::checker::Checker;
use crate::config_edit;
use crate::config_write::write_config_atomically;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

/// The checker with some providers' secrets replaced.
pub fn apply_changes(current: &Checker, changes: &SecretMap) -> Checker {
    let mut c = current.clone();
    for (provider, secrets) in changes {
        c.set_secrets(provider, secrets.clone());
    }
    c
}

/// Write changed providers' secrets into the config file at `path`, keeping everything else.
/// Secrets that come from the environment (`env`) are not written. A missing file is created.
/// `table` gives the `[providers.*]` key for a provider (the alias the file already uses).
pub fn write_secrets(
    path: &Path,
    changes: &SecretMap,
    env: &SecretMap,
    table: &dyn Fn(&str) -> String,
) -> Result<(), String> {
    let shown = path.display();
    let mut text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(format!("cannot read the config file {shown}: {e}")),
    };
    for (provider, secrets) in changes {
        let from_env = env.get(provider).map_or(&[][..], Vec::as_slice);
        let file: Vec<_> = secrets
            .iter()
            .filter(|s| !from_env.contains(s))
            .cloned()
            .collect();
        text = config_edit::set_secrets(&text, &table(provider), &file)
            .map_err(|e| format!("cannot update the config file {shown}: {e}"))?;
    }
    write_config_atomically(path, &text)
        .map_err(|e| format!("cannot write the config file {shown}: {e}"))
}

/// What the event loop needs to perform saves.
pub struct Saver {
    config_path: Option<PathBuf>,
    shared: Option<Arc<RwLock<Checker>>>,
    /// Secrets from `HOOKSCOPE_SECRET_*`: live, never written to the file.
    env: SecretMap,
    /// The checker of the latest save (saves may follow each other before a scan ends).
    current: Checker,
}

impl Saver {
    pub fn new(
        config_path: Option<PathBuf>,
        shared: Option<Arc<RwLock<Checker>>>,
        env: SecretMap,
        current: Checker,
    ) -> Saver {
        Saver {
            config_path,
            shared,
            env,
            current,
        }
    }

    /// Save `changes`: the config file, then the listener's checker. Returns the input for the
    /// app ([`Input::CheckerChanged`] with the checker to re-verify with, or
    /// [`Input::SaveFailed`]); the loop starts the re-verification.
    pub fn save(&mut self, changes: SecretMap) -> (Input, Option<Checker>) {
        if let Some(path) = &self.config_path
            && let Err(e) = write_secrets(path, &changes, &self.env, &|p| {
                self.current.config_key(p).to_string()
            })
        {
            return (Input::SaveFailed(e), None);
        }
        let checker = apply_changes(&self.current, &changes);
        self.current = checker.clone();
        if let Some(shared) = &self.shared {
            *shared.write().unwrap_or_else(|e| e.into_inner()) = checker.clone();
        }
        let place = self.config_path.as_ref().map_or_else(
            || "for this session (no config file)".to_string(),
            |p| format!("to {}", p.display()),
        );
        let input = Input::CheckerChanged {
            checker: Box::new(checker.clone()),
            notice: format!("secrets saved {place}; re-verifying the stored deliveries"),
        };
        (input, Some(checker))
    }

    /// The checker of the latest save or config reload.
    pub fn current(&self) -> &Checker {
        &self.current
    }

    /// Replace the checker of the latest save (a config reload).
    pub fn set_current(&mut self, checker: Checker) {
        self.current = checker;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::secret::Secret;

    #[test]
    fn a_provider_the_file_names_by_alias_is_saved_under_that_alias() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "[providers.clerk]\nsecrets = [\"whsec_old\"]\n").unwrap();
        let cfg = Config::load(&path).unwrap();
        let checker = Checker::from_config(&cfg, &[]).unwrap();
        let changes: SecretMap = [("svix".to_string(), vec![Secret::new("whsec_new")])].into();
        write_secrets(&path, &changes, &SecretMap::new(), &|p| {
            checker.config_key(p).to_string()
        })
        .unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("[providers.clerk]"), "{text}");
        assert!(!text.contains("[providers.svix]"), "{text}");
        let again = Checker::from_config(&Config::load(&path).unwrap(), &[]).unwrap();
        assert_eq!(again.secrets_for("svix"), [Secret::new("whsec_new")]);
    }
}
