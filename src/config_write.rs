//! Writing the config file: atomically (temp file in the same directory + rename) and with
//! mode 0600, since it holds secrets. Editing keeps the user's comments and layout.

use crate::secret::Secret;
use std::io::Write;
use std::path::Path;

/// Replace `path` with `text` atomically; the file has mode 0600 (on Unix) from its creation.
/// The parent directory is created (mode 0700) when missing.
pub fn write_config_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "config.toml".into());
    let tmp = dir.join(format!(
        ".{name}.tmp-{}-{}",
        std::process::id(),
        fastrand::u64(..)
    ));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let result = (|| {
        let mut file = options.open(&tmp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, path)?;
        // Make the rename itself durable (best effort: not every platform can open a directory).
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// `text` with `[providers.NAME] secrets = [...]` set to `secrets` (removed when empty),
/// keeping every comment and every other setting.
pub fn with_provider_secrets(
    text: &str,
    provider: &str,
    secrets: &[Secret],
) -> Result<String, toml_edit::TomlError> {
    let mut doc: toml_edit::DocumentMut = text.parse()?;
    let providers = doc.entry("providers").or_insert_with(|| {
        let mut t = toml_edit::Table::new();
        t.set_implicit(true);
        toml_edit::Item::Table(t)
    });
    if let Some(providers) = providers.as_table_like_mut() {
        let entry = providers
            .entry(provider)
            .or_insert(toml_edit::Item::Table(toml_edit::Table::new()));
        if let Some(table) = entry.as_table_like_mut() {
            if secrets.is_empty() {
                table.remove("secrets");
            } else {
                let list: toml_edit::Array = secrets.iter().map(|s| s.expose()).collect();
                table.insert("secrets", toml_edit::value(list));
            }
        }
    }
    Ok(doc.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn writes_atomically_with_mode_0600() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("config.toml");
        write_config_atomically(&path, "a = 1\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a = 1\n");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        // Replacing an existing, more open file still ends at 0600 and leaves no temp file.
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        write_config_atomically(&path, "b = 2\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "b = 2\n");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let entries: Vec<_> = std::fs::read_dir(path.parent().unwrap()).unwrap().collect();
        assert_eq!(entries.len(), 1);
    }

    #[test]
    fn setting_secrets_keeps_comments() {
        let text = "# my config\naddr = \"127.0.0.1:4545\" # port\n\n[providers.zoom]\n# rotate monthly\ntolerance_secs = 60\n";
        let out =
            with_provider_secrets(text, "zoom", &[Secret::new("a"), Secret::new("b")]).unwrap();
        assert!(
            out.contains("# my config")
                && out.contains("# port")
                && out.contains("# rotate monthly")
        );
        let cfg = crate::config::Config::parse(&out).unwrap();
        assert_eq!(
            cfg.providers["zoom"].secrets,
            vec![Secret::new("a"), Secret::new("b")]
        );
        assert_eq!(cfg.providers["zoom"].tolerance_secs, Some(60));
        let out = with_provider_secrets(&out, "stripe", &[Secret::new("whsec_x")]).unwrap();
        let cfg = crate::config::Config::parse(&out).unwrap();
        assert_eq!(
            cfg.providers["stripe"].secrets,
            vec![Secret::new("whsec_x")]
        );
        let out = with_provider_secrets(&out, "zoom", &[]).unwrap();
        let cfg = crate::config::Config::parse(&out).unwrap();
        assert!(cfg.providers["zoom"].secrets.is_empty());
    }
}
