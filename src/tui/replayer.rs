//! The loop's replay side (I/O): sends prepared replays on the tokio runtime, records each in
//! the store, and answers the loop; runs `$EDITOR` on a private temp file.

use super::events::{Input, Msg, ReplayAnswer, ReplayJob};
use crate::replay::record;
use crate::store::Store;
use std::sync::mpsc;
use tokio::runtime::{Handle, Runtime};

/// Sends replays for the loop.
pub(super) struct Replayer {
    /// A runtime of our own when the caller gave none.
    _own: Option<Runtime>,
    handle: Handle,
    store: Option<Store>,
    tx: mpsc::Sender<Msg>,
}

impl Replayer {
    pub(super) fn new(
        handle: Option<Handle>,
        store: Option<Store>,
        tx: mpsc::Sender<Msg>,
    ) -> std::io::Result<Replayer> {
        let (own, handle) = match handle {
            Some(h) => (None, h),
            None => {
                let rt = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(1)
                    .enable_all()
                    .build()?;
                let h = rt.handle().clone();
                (Some(rt), h)
            }
        };
        Ok(Replayer {
            _own: own,
            handle,
            store,
            tx,
        })
    }

    /// Send and record one replay in the background; the answer arrives as [`Input::Replayed`].
    pub(super) fn start(&self, job: ReplayJob) {
        let store = self.store.clone();
        let tx = self.tx.clone();
        self.handle.spawn(async move {
            let s = record::send_and_record(
                store.as_ref(),
                job.original,
                &job.prepared,
                job.verdict,
                job.provider.clone(),
                record::TIMEOUT,
            )
            .await;
            let answer = ReplayAnswer {
                job,
                answer: s.answer,
                replay: s.replay,
                store_error: s.store_error,
            };
            let _ = tx.send(Msg::Input(Box::new(Input::Replayed(Box::new(answer)))));
        });
    }
}

/// Run `editor` (a shell command, e.g. `vim` or `code -w`) on a private temp file holding
/// `text`; the saved text, or why there is none.
pub(super) fn edit_in(editor: &str, text: &str) -> Result<String, String> {
    use std::io::Write;
    let path = std::env::temp_dir().join(format!(
        "hookscope-edit-{}-{}.txt",
        std::process::id(),
        jiff::Timestamp::now().as_nanosecond()
    ));
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let written = opts
        .open(&path)
        .and_then(|mut f| f.write_all(text.as_bytes()));
    let result = match written {
        Err(e) => Err(format!(
            "cannot write the edit file {}: {e}",
            path.display()
        )),
        Ok(()) => match std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("{editor} \"$1\""))
            .arg("hookscope-edit")
            .arg(&path)
            .status()
        {
            Err(e) => Err(format!("cannot run the editor {editor:?}: {e}")),
            Ok(s) if !s.success() => Err(format!(
                "the editor {editor:?} exited with {s}: nothing replayed"
            )),
            Ok(_) => std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read the edited file back: {e}")),
        },
    };
    let _ = std::fs::remove_file(&path);
    result
}

#[cfg(all(test, unix))]
mod tests {
    #[test]
    fn the_editor_edits_the_file_in_place() {
        let out = super::edit_in("sed -i -e s/old/new/", "x: 1\n\nold body").unwrap();
        assert_eq!(out, "x: 1\n\nnew body");
        let e = super::edit_in("false", "x").unwrap_err();
        assert!(e.contains("nothing replayed"), "{e}");
    }
}
