//! `hookscope export`: stored deliveries as curl commands, a HAR 1.2 document or JSON lines,
//! each with the verdict the store holds (`--reverify`: judged again by the config's checker
//! at its arrival time, and labelled so).

use super::CliError;
use super::location::Opened;
use crate::checker::Checker;
use crate::cli::ExportArgs;
use crate::config::process_env;
use crate::export::{self, Item, Redact};
use crate::record::Judged;
use crate::tui::filter::Query;
use std::path::Path;

/// Run `export`; returns the exit code.
pub fn run(args: &ExportArgs) -> Result<i32, CliError> {
    let (cfg, checker) = config_and_checker(args.config.as_deref())?;
    let opened = super::location::open(&args.location, cfg.store.as_deref(), false)?;
    let items = select(&opened, args, &checker)?;
    let redact = if args.redact {
        Redact::credentials(checker.registry())
    } else {
        Redact::none()
    };
    let text = export::text(args.format, &items, args.base.as_deref(), &redact);
    match &args.out {
        Some(path) => crate::private_fs::write(path, text.as_bytes())
            .map_err(|e| CliError::input(format!("cannot write {}: {e}", path.display())))?,
        None => {
            if !text.is_empty() {
                super::out(text.trim_end_matches('\n'));
            }
        }
    }
    Ok(0)
}

/// The deliveries to export: the ids given (each must exist), else all or the filter's matches
/// (over what the store holds), each with its stored verdict, or judged again with `--reverify`.
fn select(
    Opened { store, place }: &Opened,
    args: &ExportArgs,
    checker: &Checker,
) -> Result<Vec<Item>, CliError> {
    let ids = if args.ids.is_empty() {
        let query = match args.filter.as_deref().map(Query::parse) {
            Some(Ok(q)) if !q.is_empty() => Some(q),
            Some(Err(e)) => return Err(CliError::input(format!("--filter: {e}"))),
            _ => None,
        };
        store
            .matching_ids(query.as_ref(), false)
            .map_err(|e| CliError::failed(format!("cannot read the stored deliveries: {e}")))?
    } else {
        args.ids.clone()
    };
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let row = store
            .get_judged(id)
            .map_err(|e| CliError::failed(format!("cannot read delivery {id}: {e}")))?;
        let Some((delivery, judgement)) = row else {
            if args.ids.is_empty() {
                continue; // pruned or deleted since it was listed
            }
            return Err(CliError::input(format!(
                "there is no delivery {id} in {place} (see the ids in the dashboard or in `hookscope listen --headless`)"
            )));
        };
        out.push(if args.reverify {
            Item::judged_now(delivery, checker)
        } else {
            Item {
                delivery,
                judgement,
                judged: Judged::Stored,
                check: None,
            }
        });
    }
    Ok(out)
}

/// The config of `--config` (or the default config file) and its checker with the environment.
pub(super) fn config_and_checker(
    config: Option<&Path>,
) -> Result<(crate::config::Config, Checker), CliError> {
    let cfg = super::request::load_config(config)?;
    let checker = Checker::from_config(&cfg, &process_env())
        .map_err(|e| CliError::input(format!("config: {e}")))?;
    Ok((cfg, checker))
}
