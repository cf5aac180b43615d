//! Files and directories only the user can read: exports, the log and the data directory
//! hold webhook bodies and headers (mode 0600 for files, 0700 for directories on Unix).

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;

/// Create `dir` and its missing parents with mode 0700 (an existing directory is left as is).
pub fn create_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Open `path` for appending, creating it with mode 0600; an existing file is narrowed to 0600.
pub fn open_append(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    open_private(&mut options, path)
}

/// Write `bytes` to `path` (created or truncated) with mode 0600.
pub fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = OpenOptions::new();
    options.create(true).write(true).truncate(true);
    open_private(&mut options, path)?.write_all(bytes)
}

/// Create `path`, which must not exist, with mode 0600.
pub fn create_new(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    open_private(&mut options, path)
}

fn open_private(options: &mut OpenOptions, path: &Path) -> std::io::Result<File> {
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(options, 0o600);
    let file = options.open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if file.metadata()?.permissions().mode() & 0o077 != 0 {
            file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        }
    }
    Ok(file)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn files_are_0600_and_dirs_0700_whatever_the_umask() {
        let dir = tempfile::tempdir().unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let old = unsafe { libc::umask(0) };
        let d = dir.path().join("a/b");
        create_dir(&d).unwrap();
        write(&d.join("x"), b"1").unwrap();
        drop(open_append(&d.join("log")).unwrap());
        drop(create_new(&d.join("new")).unwrap());
        unsafe { libc::umask(old) };
        assert_eq!(mode(&d), 0o700);
        for f in ["x", "log", "new"] {
            assert_eq!(mode(&d.join(f)), 0o600, "{f}");
        }
        std::fs::set_permissions(d.join("x"), std::fs::Permissions::from_mode(0o644)).unwrap();
        write(&d.join("x"), b"2").unwrap();
        assert_eq!(mode(&d.join("x")), 0o600);
    }
}
