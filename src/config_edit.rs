//! Edits to the config file text that keep the user's comments, ordering and unrelated keys
//! (`toml_edit`). Writing the file (atomically, mode 0600) is the caller's job.

use crate::secret::Secret;
use toml_edit::{Array, DocumentMut, Item, Table, value};

/// Set one provider's secrets in config text. An empty list removes the `secrets` key, so a
/// removed secret is gone from the file.
pub fn set_secrets(text: &str, provider: &str, secrets: &[Secret]) -> Result<String, String> {
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| e.to_string().trim().replace('\n', " "))?;
    let providers = doc
        .entry("providers")
        .or_insert_with(|| {
            let mut t = Table::new();
            t.set_implicit(true);
            Item::Table(t)
        })
        .as_table_mut()
        .ok_or("`providers` is not a table")?;
    if secrets.is_empty() {
        if let Some(t) = providers.get_mut(provider).and_then(Item::as_table_mut) {
            t.remove("secrets");
            if t.is_empty() {
                providers.remove(provider);
            }
        }
    } else {
        let table = providers
            .entry(provider)
            .or_insert_with(|| Item::Table(Table::new()))
            .as_table_mut()
            .ok_or_else(|| format!("`providers.{provider}` is not a table"))?;
        let mut arr = Array::new();
        for s in secrets {
            arr.push(s.expose());
        }
        match table.get_mut("secrets") {
            Some(item) => {
                // Keep the key's own decoration (comments before it); replace only the value.
                let decor = item.as_value().map(|v| v.decor().clone());
                *item = value(arr);
                if let (Some(d), Some(v)) = (decor, item.as_value_mut()) {
                    *v.decor_mut() = d;
                }
            }
            None => {
                table.insert("secrets", value(arr));
            }
        }
    }
    Ok(doc.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"# my hookscope config
addr = "127.0.0.1:4545"   # local only

[providers.stripe]
# rotated in March
secrets = ["whsec_old", "whsec_new"]
tolerance_secs = 300

[[routes]]
path = "/hooks/zoom"
provider = "zoom"
"#;

    #[test]
    fn replaces_secrets_keeping_comments_and_other_keys() {
        let out = set_secrets(FILE, "stripe", &[Secret::new("whsec_new")]).unwrap();
        assert!(out.contains("# my hookscope config"));
        assert!(out.contains("# local only"));
        assert!(out.contains("# rotated in March"));
        assert!(out.contains("tolerance_secs = 300"));
        assert!(out.contains("[[routes]]"));
        assert!(out.contains("whsec_new"));
        assert!(!out.contains("whsec_old"), "{out}");
        let cfg = crate::config::Config::parse(&out).unwrap();
        assert_eq!(
            cfg.providers["stripe"].secrets,
            vec![Secret::new("whsec_new")]
        );
    }

    #[test]
    fn adds_a_provider_and_removes_one() {
        let out = set_secrets(FILE, "zoho-webinar", &[Secret::new("zw")]).unwrap();
        let cfg = crate::config::Config::parse(&out).unwrap();
        assert_eq!(
            cfg.providers["zoho-webinar"].secrets,
            vec![Secret::new("zw")]
        );
        let out = set_secrets(&out, "stripe", &[]).unwrap();
        assert!(!out.contains("whsec_"), "{out}");
        assert!(out.contains("tolerance_secs = 300"));
        let out = set_secrets("", "zoom", &[Secret::new("z")]).unwrap();
        assert_eq!(out.trim(), "[providers.zoom]\nsecrets = [\"z\"]");
        let out = set_secrets(&out, "zoom", &[]).unwrap();
        assert!(!out.contains('z'), "{out:?}");
    }

    #[test]
    fn broken_text_is_an_error() {
        assert!(set_secrets("[providers", "zoom", &[]).is_err());
    }
}
