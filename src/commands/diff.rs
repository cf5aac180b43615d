//! `hookscope diff ID1 ID2`: what differs between two stored deliveries, as text or `--json`.
//! Each is judged as stored (at its arrival time, by the config's checker) for the signed
//! strings and verdicts.

use super::CliError;
use crate::cli::DiffArgs;
use crate::store::DB_FILE;

/// Run `diff`; exit 0 when request line, headers and body are the same, 1 when they differ.
pub fn run(args: &DiffArgs) -> Result<i32, CliError> {
    let checker = super::export::checker(args.config.as_deref())?;
    let (store, dir) = super::export::open_store(args.data_dir.clone(), false)?;
    let load = |id: u64| {
        let d = store
            .get(id)
            .map_err(|e| CliError::failed(format!("cannot read delivery {id}: {e}")))?
            .ok_or_else(|| {
                CliError::input(format!(
                    "there is no delivery {id} in {}",
                    dir.join(DB_FILE).display()
                ))
            })?;
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
