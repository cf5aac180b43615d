//! `hookscope diff ID1 ID2`: what differs between two stored deliveries, as text or `--json`.
//! Each is judged as stored (at its arrival time, by the config's checker) for the signed
//! strings and verdicts.

use super::CliError;
use crate::cli::DiffArgs;

/// Run `diff`; exit 0 when request line, headers and body are the same, 1 when they differ.
pub fn run(args: &DiffArgs) -> Result<i32, CliError> {
    let (cfg, checker) = super::export::config_and_checker(args.config.as_deref())?;
    let super::location::Opened { store, place } =
        super::location::open(&args.location, cfg.store.as_deref(), false)?;
    let load = |id: u64| {
        let d = store
            .get(id)
            .map_err(|e| CliError::failed(format!("cannot read delivery {id}: {e}")))?
            .ok_or_else(|| CliError::input(format!("there is no delivery {id} in {place}")))?;
        let v = checker.check_stored(&d);
        Ok::<_, CliError>((d, v))
    };
    let (a, va) = load(args.left)?;
    let (b, vb) = load(args.right)?;
    let c = crate::diff::compare((&a, &va), (&b, &vb));
    if args.json {
        let json = serde_json::to_string(&c)
            .map_err(|e| CliError::failed(format!("cannot write the comparison: {e}")))?;
        super::out(json);
    } else {
        super::out(crate::diff::render::text(&c).trim_end());
    }
    Ok(if c.is_same() { 0 } else { 1 })
}
