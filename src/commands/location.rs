//! Which capture store a one-shot command (`export`, `import`, `replay`, `diff`) reads or
//! writes: `--store postgres://…` (or `HOOKSCOPE_STORE`, or the config's `store`), the shared
//! database a team's listeners write to; else SQLite in `--data-dir` (or the default data dir).

use super::CliError;
use crate::cli::StoreLocation;
use crate::store::{DB_FILE, Store};

/// An open store and where it lives, for messages (never a password).
pub(super) struct Opened {
    pub store: Store,
    pub place: String,
}

/// Open the store `loc` names (`config_store`: the config file's `store`). Reading needs an
/// existing SQLite database (`create` false) and no write access; importing may create one.
pub(super) fn open(
    loc: &StoreLocation,
    config_store: Option<&str>,
    create: bool,
) -> Result<Opened, CliError> {
    if let Some(url) = loc.store.as_deref().or(config_store) {
        let url = super::listen::shared_store_url(url).map_err(CliError::input)?;
        let store = Store::open_postgres(url).map_err(|e| CliError::failed(e.to_string()))?;
        let place = store.shared_location().unwrap_or_default();
        return Ok(Opened { store, place });
    }
    let dir = super::listen::data_dir(loc.data_dir.clone()).map_err(CliError::input)?;
    let place = dir.join(DB_FILE).display().to_string();
    if !create && !dir.join(DB_FILE).is_file() {
        return Err(CliError::input(format!(
            "there is no capture database in {} (pass --data-dir DIR where `hookscope listen` \
             stored it, or --store URL for a shared one)",
            dir.display()
        )));
    }
    let store = match Store::open(&dir) {
        Ok(store) => store,
        // Reading needs no write access: a read-only directory is read as it is.
        Err(e) if !create => match Store::open_read_only(&dir, &e.to_string()) {
            Ok((store, true)) => store,
            _ => return Err(CliError::failed(e.to_string())),
        },
        Err(e) => return Err(CliError::failed(e.to_string())),
    };
    Ok(Opened { store, place })
}
