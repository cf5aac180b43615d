//! History management in the dashboard: the `x` export menu (what it offers, the file names it
//! picks) and the export work the event loop performs. Delete (`d`) and clear (`z`) change the
//! App in `app/manage.rs`; the loop deletes from the [`DeliverySource`].

use super::source::DeliverySource;
use crate::checker::Checker;
use crate::export::{Format, Redact};
use std::path::{Path, PathBuf};

/// The export menu: key (lower case = the selected delivery, upper case = the shown list),
/// format, label.
pub const MENU: &[(char, Format, &str)] = &[
    ('c', Format::Curl, "curl command → clipboard"),
    ('h', Format::Har, "HAR 1.2 → file"),
    ('j', Format::Jsonl, "JSON lines → file"),
];

/// Which deliveries an export takes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selection {
    /// These ids, in this order.
    Ids(Vec<u64>),
    /// Every stored row the filter keeps (all without one), in list order: asked of the store
    /// when the export runs, so it is what the store holds then.
    Shown {
        query: Option<crate::tui::filter::Query>,
        newest_first: bool,
    },
}

/// An export for the loop: these deliveries, in this format, to the clipboard or a new file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportJob {
    pub format: Format,
    /// What to export.
    pub ids: Selection,
    /// A file name in the current directory; `None` = the clipboard.
    pub file: Option<String>,
    /// Base URL for curl commands (the forward target, else the listener).
    pub base: String,
}

/// The export menu's choice as a job: the shown list (upper-case keys: the filter's rows in the
/// list's order) or the selected delivery; `Err` when nothing is selected.
pub fn job(
    format: Format,
    shown: Option<Selection>,
    selected: Option<u64>,
    now_ms: i64,
    base: &str,
) -> Result<ExportJob, String> {
    let ids = match (shown, selected) {
        (Some(s), _) => s,
        (None, Some(id)) => Selection::Ids(vec![id]),
        (None, None) => return Err("nothing to export: no delivery selected".into()),
    };
    Ok(ExportJob {
        format,
        ids,
        file: (format != Format::Curl).then(|| file_name(format, now_ms)),
        base: base.to_string(),
    })
}

/// What the upper-case export keys export: "the 3 filtered deliveries" / "all 7 deliveries".
pub fn shown_label(n: usize, filtered: bool) -> String {
    let count = super::fmt::count(n);
    match (filtered, n) {
        (true, 1) => "the 1 filtered delivery".into(),
        (true, _) => format!("the {count} filtered deliveries"),
        (false, 1) => "the 1 delivery".into(),
        (false, _) => format!("all {count} deliveries"),
    }
}

/// `hookscope-YYYYMMDD-HHMMSS.EXT` for an instant (UTC), EXT `har` or `jsonl`.
pub fn file_name(format: Format, now_ms: i64) -> String {
    let ext = match format {
        Format::Har => "har",
        Format::Jsonl => "jsonl",
        Format::Curl => "sh",
    };
    let stamp = jiff::Timestamp::from_millisecond(now_ms)
        .map(|t| t.strftime("%Y%m%d-%H%M%S").to_string())
        .unwrap_or_else(|_| "export".into());
    format!("hookscope-{stamp}.{ext}")
}

/// Load, verify and render the job's deliveries (ids no longer stored are skipped).
pub fn render(
    job: &ExportJob,
    source: &dyn DeliverySource,
    checker: &Checker,
) -> Result<(String, usize), String> {
    let ids = match &job.ids {
        Selection::Ids(ids) => ids.clone(),
        Selection::Shown {
            query,
            newest_first,
        } => source
            .matching_ids(query.as_ref(), *newest_first)
            .map_err(|e| format!("cannot list the deliveries: {e:#}"))?,
    };
    let mut items = Vec::with_capacity(ids.len());
    for id in ids {
        match source.get(id) {
            Ok(Some(d)) => items.push(crate::export::Item::judged_now(d, checker)),
            Ok(None) => {}
            Err(e) => return Err(format!("cannot load delivery #{id}: {e:#}")),
        }
    }
    if items.is_empty() {
        return Err("nothing to export: the deliveries are no longer stored".into());
    }
    let n = items.len();
    let text = crate::export::text(job.format, &items, Some(&job.base), &Redact::none());
    Ok((text, n))
}

/// Write `text` to a new file `name` in `dir` (adding `-2`, `-3`… if the name is taken); returns
/// the path written.
pub fn write_new(dir: &Path, name: &str, text: &str) -> std::io::Result<PathBuf> {
    use std::io::Write;
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
    for n in 1..1000 {
        let candidate = if n == 1 {
            name.to_string()
        } else {
            format!("{stem}-{n}.{ext}")
        };
        let path = dir.join(candidate);
        match crate::private_fs::create_new(&path) {
            Ok(mut f) => {
                f.write_all(text.as_bytes())?;
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other("too many exports with the same name"))
}

/// Perform an export to a file in the current directory; the status message says where.
pub fn export_to_file(job: &ExportJob, source: &dyn DeliverySource, checker: &Checker) -> String {
    let Some(name) = &job.file else {
        return "export: no file name".into();
    };
    let (text, n) = match render(job, source, checker) {
        Ok(x) => x,
        Err(e) => return e,
    };
    let dir = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    match write_new(&dir, name, &text) {
        Ok(path) => format!(
            "exported {n} {} to {}",
            if n == 1 { "delivery" } else { "deliveries" },
            path.display()
        ),
        Err(e) => format!("cannot write {}: {e}", dir.join(name).display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_timestamped_and_never_overwrite() {
        let ms = 1_795_341_660_000; // 2026-11-22T10:01:00Z
        assert_eq!(file_name(Format::Har, ms), "hookscope-20261122-100100.har");
        assert_eq!(
            file_name(Format::Jsonl, ms),
            "hookscope-20261122-100100.jsonl"
        );
        let dir = tempfile::tempdir().unwrap();
        let a = write_new(dir.path(), "x.har", "one").unwrap();
        let b = write_new(dir.path(), "x.har", "two").unwrap();
        assert_eq!(b.file_name().unwrap(), "x-2.har");
        assert_eq!(std::fs::read_to_string(a).unwrap(), "one");
        assert_eq!(std::fs::read_to_string(b).unwrap(), "two");
    }
}
