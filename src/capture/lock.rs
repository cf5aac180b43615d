//! One listener per data directory: `listen.lock` beside the database, held with `flock` for
//! the listener's lifetime. A second listener on the same directory refuses to start with one
//! sentence naming the first (its pid and address are written in the file), instead of both
//! racing for the same ids. Other commands (`export`, `import`, `replay`) do not take it: they
//! work beside a running listener.
//!
//! The lock goes with the process (the kernel releases it on exit, even after SIGKILL), so a
//! stale file never blocks a start. A directory where the file cannot be created (read-only)
//! is not locked: no listener can write there anyway.

use std::fs::File;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

/// File name of the lock inside the data directory.
pub const LOCK_FILE: &str = "listen.lock";

/// The held lock; released when dropped.
#[derive(Debug)]
pub struct ListenLock {
    file: Option<File>,
}

/// Another listener holds the data directory.
#[derive(Debug, thiserror::Error)]
#[error(
    "another hookscope is already listening on the data directory {dir}{holder}; stop it, or \
     pass another --data-dir (or --no-store)"
)]
pub struct Locked {
    pub dir: PathBuf,
    holder: String,
}

impl ListenLock {
    /// Take the lock of `dir` (created 0700 if missing).
    pub fn acquire(dir: &Path) -> Result<ListenLock, Locked> {
        let _ = crate::private_fs::create_dir(dir);
        let path = dir.join(LOCK_FILE);
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .or_else(|_| File::open(&path));
        let Ok(mut file) = file else {
            return Ok(ListenLock { file: None });
        };
        #[cfg(unix)]
        {
            use std::os::fd::AsRawFd;
            // SAFETY: flock on a file descriptor this function owns.
            if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
                let mut text = String::new();
                let _ = file.read_to_string(&mut text);
                let text = text.trim();
                return Err(Locked {
                    dir: dir.to_path_buf(),
                    holder: if text.is_empty() {
                        String::new()
                    } else {
                        format!(" ({text})")
                    },
                });
            }
        }
        Ok(ListenLock { file: Some(file) })
    }

    /// Record who holds it, for the message another listener shows.
    pub fn describe(&mut self, listen_url: &str) {
        if let Some(f) = &mut self.file {
            let _ = f.set_len(0);
            let _ = f.rewind();
            let _ = write!(f, "pid {}, {listen_url}", std::process::id());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_the_same_directory_names_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let mut first = ListenLock::acquire(dir.path()).unwrap();
        first.describe("http://127.0.0.1:4545");
        let e = ListenLock::acquire(dir.path()).unwrap_err().to_string();
        assert!(e.contains("another hookscope is already listening"), "{e}");
        assert!(e.contains("http://127.0.0.1:4545"), "{e}");
        drop(first);
        assert!(ListenLock::acquire(dir.path()).is_ok());
    }
}
