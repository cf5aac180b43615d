//! `hookscope import`: load a HAR or JSON-lines file into the store in one transaction — a bad
//! line or entry is named and nothing is committed. A record's verdict travels with it; a
//! delivery without one is verified like a live one. Deliveries the store already holds (same
//! arrival time, method, path and body) are skipped and counted, so importing twice is harmless.

use super::CliError;
use super::export::config_and_checker;
use super::location::Opened;
use crate::cli::ImportArgs;
use crate::export::{ImportError, Imported, parse_har, parse_jsonl};
use std::path::Path;

/// Run `import`; returns the exit code.
pub fn run(args: &ImportArgs) -> Result<i32, CliError> {
    let file = args.file.display();
    let bytes = std::fs::read(&args.file)
        .map_err(|e| CliError::input(format!("cannot read {file}: {e}")))?;
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        CliError::input(format!(
            "{file} is not UTF-8 text (byte {}), so it is neither HAR nor JSON lines",
            e.valid_up_to()
        ))
    })?;
    let deliveries = parse(&args.file, text).map_err(|e| {
        CliError::input(format!(
            "{file}: {}: {}; nothing was imported",
            e.place, e.message
        ))
    })?;
    if deliveries.is_empty() {
        return Err(CliError::input(format!("{file} holds no deliveries")));
    }
    let (cfg, checker) = config_and_checker(args.config.as_deref())?;
    let rows: Vec<_> = deliveries
        .into_iter()
        .map(|(mut d, carried)| {
            // A record's verdict travels with it; a delivery without one is judged here.
            let judgement = carried.unwrap_or_else(|| {
                let v = checker.check_received(&d, d.received_at_ms.div_euclid(1000));
                checker.judgement(&v)
            });
            // Tokens are stored masked, as on capture (a mask in the file is masked again).
            checker.mask_tokens(&mut d);
            (d, judgement)
        })
        .collect();
    let Opened { store, place: db } =
        super::location::open(&args.location, cfg.store.as_deref(), true)?;
    let present = store
        .already_stored(&rows.iter().map(|(d, _)| d.clone()).collect::<Vec<_>>())
        .map_err(|e| CliError::failed(format!("cannot read the stored deliveries: {e}")))?;
    let total = rows.len();
    let rows: Vec<_> = rows
        .into_iter()
        .zip(&present)
        .filter(|(_, present)| !**present)
        .map(|(row, _)| row)
        .collect();
    let skipped = total - rows.len();
    let count = |n: usize| crate::tui::fmt::count(n);
    if rows.is_empty() {
        super::out(format!(
            "imported 0, skipped {} already present in {}",
            count(skipped),
            db
        ));
        return Ok(0);
    }
    let keep = args.keep.unwrap_or(crate::store::DEFAULT_KEEP).max(1);
    let stored = store
        .count()
        .map_err(|e| CliError::failed(format!("cannot count the stored deliveries: {e}")))?;
    let incoming = rows.len() as u64;
    let pruned = (stored + incoming).saturating_sub(keep).min(stored);
    if pruned > 0 && !args.prune_captures {
        return Err(CliError::input(format!(
            "importing {incoming} deliveries beside the {stored} stored would exceed the \
             retention of {keep} and prune the {pruned} oldest stored ones; nothing was \
             imported (pass --prune-captures to allow it, or a larger --keep)"
        )));
    }
    store.set_keep(keep);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(|e| CliError::failed(format!("cannot start the async runtime: {e}")))?;
    let ids = runtime
        .block_on(store.import(rows))
        .map_err(|e| CliError::failed(format!("{e}; nothing was imported")))?;
    // Retention (when allowed to prune) is applied before the command returns.
    runtime
        .block_on(store.flush())
        .map_err(|e| CliError::failed(format!("{e}")))?;
    let (first, last) = (ids[0], ids[ids.len() - 1]);
    let skipped = match skipped {
        0 => String::new(),
        n => format!(", skipped {} already present", count(n)),
    };
    super::out(format!(
        "imported {} deliveries (ids {first}–{last}) into {}{skipped}",
        count(ids.len()),
        db
    ));
    Ok(0)
}

/// Parse by extension (`.har`, `.jsonl`/`.ndjson`), else by content: a JSON document with
/// `log.entries` is HAR, anything else is read as JSON lines.
pub fn parse(path: &Path, text: &str) -> Result<Vec<Imported>, ImportError> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("har") => parse_har(text),
        Some("jsonl" | "ndjson") => parse_jsonl(text),
        _ => {
            let is_har = serde_json::from_str::<serde_json::Value>(text)
                .is_ok_and(|v| v["log"]["entries"].is_array());
            if is_har {
                parse_har(text)
            } else {
                parse_jsonl(text)
            }
        }
    }
}
