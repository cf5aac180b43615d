//! When the database file fails under the writer: it stops taking writes (disk full, read-only,
//! I/O error), or it is deleted or replaced while the listener runs.
//!
//! The acknowledgement rule: a delivery is acknowledged as stored only when its commit reached
//! the file. Once the file stops taking writes, capture continues in memory (see
//! [`crate::store::fallback`]) so the dashboard still shows every delivery, but each one is
//! acknowledged with [`StoreError::NotStored`] and recorded with the 503 its sender gets, so
//! the provider retries instead of believing it delivered.
//!
//! A deleted or replaced file is noticed before the next commit (its device and inode no longer
//! match the one opened) and the path is opened again: a new, empty database when it was
//! deleted, the replacement when it was replaced, with a warning either way.

use super::{Checkpointer, Fallback, InsertJob, Writer, WriterConn};
use crate::delivery::ResponseRecord;
use crate::store::StoreError;
use rusqlite::Connection;
use std::path::Path;

/// Device and inode of a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Identity {
    dev: u64,
    ino: u64,
}

impl Identity {
    pub(super) fn of(path: &Path) -> Option<Identity> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let m = std::fs::metadata(path).ok()?;
            Some(Identity {
                dev: m.dev(),
                ino: m.ino(),
            })
        }
        #[cfg(not(unix))]
        {
            let _ = path;
            None
        }
    }
}

/// Record on each captured delivery the answer its sender gets when it cannot be stored. A
/// replay's record keeps the app's answer (nobody waits on it).
pub(super) fn mark_not_stored(jobs: &mut [InsertJob], reason: &str) {
    for job in jobs.iter_mut().filter(|j| j.delivery.replay_of.is_none()) {
        job.delivery.response = Some(ResponseRecord {
            status: 503,
            source: "hookscope".into(),
            error: Some(format!("not stored: {reason}")),
            ..Default::default()
        });
    }
}

impl Writer {
    /// Switch to an in-memory database for the rest of the session, and say so once. Returns
    /// the reason every later acknowledgement carries.
    pub(super) fn fall_back(
        &mut self,
        target: Fallback,
        cause: &rusqlite::Error,
    ) -> Result<String, String> {
        let reason = format!(
            "the capture database {} stopped taking writes ({cause})",
            target.path.display()
        );
        self.continue_in_memory(target, reason.clone())?;
        Ok(reason)
    }

    fn continue_in_memory(&mut self, target: Fallback, reason: String) -> Result<(), String> {
        let (conn, readable) = crate::store::fallback::memory_with_disk(&target.path)
            .map_err(|e| format!("cannot keep deliveries in memory either: {e}"))?;
        *target.reader.lock().unwrap_or_else(|e| e.into_inner()) = conn;
        self.conn = WriterConn::Shared(target.reader);
        self.checkpointer = None;
        self.identity = None;
        // Retention now counts the rows in memory only.
        self.count = 0;
        let msg = format!(
            "{reason}: deliveries from #{} on are shown but not stored, and their senders get \
             503 with Retry-After so they retry later (restart hookscope once the file is \
             writable, or run with --no-store){}",
            self.last_id + 1,
            if readable {
                ""
            } else {
                "; earlier deliveries are unreadable"
            }
        );
        tracing::warn!("{msg}");
        if let Some(warn) = &self.on_warning {
            warn(msg);
        }
        self.not_stored = Some(reason);
        Ok(())
    }

    /// Before a commit: if the file was deleted or replaced since it was opened, open the path
    /// again, so what is acknowledged from now on is in the file that is there.
    pub(super) fn check_file(&mut self) {
        let Some(opened) = self.identity else {
            return;
        };
        let Some(target) = &self.fallback else {
            return;
        };
        let now = Identity::of(&target.path);
        if now == Some(opened) {
            return;
        }
        self.reopen(now.is_none());
    }

    fn reopen(&mut self, deleted: bool) {
        let Some(target) = self.fallback.take() else {
            return;
        };
        let path = target.path.clone();
        // Close every connection to the old file first; its WAL (named after the path) must
        // not be read as the new file's.
        self.checkpointer = None;
        let Ok(placeholder) = Connection::open_in_memory() else {
            return;
        };
        *target.reader.lock().unwrap_or_else(|e| e.into_inner()) = placeholder;
        let Ok(placeholder) = Connection::open_in_memory() else {
            return;
        };
        self.conn = WriterConn::Own(placeholder);
        for suffix in ["-wal", "-shm"] {
            let mut side = path.clone().into_os_string();
            side.push(suffix);
            let _ = std::fs::remove_file(side);
        }
        let what = if deleted { "deleted" } else { "replaced" };
        match crate::store::fallback::open_file(&path) {
            Ok(conns) => {
                *target.reader.lock().unwrap_or_else(|e| e.into_inner()) = conns.reader;
                self.conn = WriterConn::Own(conns.writer);
                let _ = self.with_conn(|c| c.pragma_update(None, "wal_autocheckpoint", 0));
                self.checkpointer = Some(Checkpointer::spawn(conns.checkpoint));
                self.identity = Identity::of(&path);
                let _ = self.resync();
                let msg = format!(
                    "the capture database {} was {what} while hookscope ran; storing in the \
                     file now there from delivery #{} on (what the old file held is no longer \
                     readable here)",
                    path.display(),
                    self.last_id + 1
                );
                tracing::warn!("{msg}");
                if let Some(warn) = &self.on_warning {
                    warn(msg);
                }
                self.fallback = Some(target);
            }
            Err(e) => {
                let reason = format!(
                    "the capture database {} was {what} and cannot be opened again ({e})",
                    path.display()
                );
                if let Err(why) = self.continue_in_memory(target, reason) {
                    tracing::error!("{why}");
                }
            }
        }
    }

    /// Refuse a bulk import while not durable: nothing is written, every job says why.
    pub(super) fn refuse_not_stored(&self, jobs: Vec<InsertJob>) -> Vec<InsertJob> {
        let Some(reason) = &self.not_stored else {
            return jobs;
        };
        for job in jobs {
            let _ = job.ack.send(Err(StoreError::NotStored {
                id: 0,
                reason: reason.clone(),
            }));
        }
        Vec::new()
    }
}
