//! The config file (TOML) and environment secrets.
//!
//! Reading lives here; writing (atomic, mode 0600, comments kept) is `config_write`.

use crate::providers::Registry;
use crate::providers::scheme::{Provider, ProviderSpec};
use crate::secret::Secret;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The whole config file.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Listen address (`127.0.0.1:4545`).
    pub addr: Option<String>,
    /// Forward target URL.
    pub forward: Option<String>,
    /// Theme name.
    pub theme: Option<String>,
    /// Maximum accepted body size in bytes.
    pub max_body: Option<u64>,
    /// Number of deliveries to keep.
    pub keep: Option<u64>,
    /// What hookscope answers when not forwarding.
    #[serde(default)]
    pub response: ResponseConfig,
    /// Per-provider settings, keyed by provider name.
    #[serde(default)]
    pub providers: BTreeMap<String, ProviderSettings>,
    /// Paths pinned to a provider.
    #[serde(default)]
    pub routes: Vec<Route>,
    /// Custom schemes in the providers' vocabulary.
    #[serde(default)]
    pub custom_providers: Vec<toml::Value>,
    /// Response rules, tried in order (checked by [`crate::respond::rules_from_config`]).
    #[serde(default)]
    pub responses: Vec<toml::Value>,
    /// Dashboard key remapping: action name → key.
    #[serde(default)]
    pub keys: BTreeMap<String, String>,
}

/// The local answer to a delivery when not forwarding and no response rule answers.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ResponseConfig {
    #[serde(default = "default_status")]
    pub status: u16,
    #[serde(default = "default_body")]
    pub body: String,
}

fn default_status() -> u16 {
    200
}

fn default_body() -> String {
    "{\"ok\":true,\"by\":\"hookscope\"}".to_string()
}

impl Default for ResponseConfig {
    fn default() -> Self {
        ResponseConfig {
            status: default_status(),
            body: default_body(),
        }
    }
}

/// Settings for one provider.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderSettings {
    /// Candidate secrets, tried in order (rotation).
    #[serde(default)]
    pub secrets: Vec<Secret>,
    /// Overrides the scheme's tolerance.
    pub tolerance_secs: Option<i64>,
    /// `scheme://host` the provider sends to, for URL-signing schemes.
    pub public_url: Option<String>,
}

/// A path pinned to a provider.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Route {
    pub path: String,
    pub provider: String,
}

/// A config problem, naming the file and the field.
#[derive(Debug, thiserror::Error)]
#[error("config file {path}: {message}")]
pub struct ConfigError {
    pub path: String,
    pub message: String,
}

impl Config {
    /// The default config file: `$XDG_CONFIG_HOME/hookscope/config.toml`.
    pub fn default_path() -> Option<PathBuf> {
        directories::ProjectDirs::from("", "", "hookscope")
            .map(|d| d.config_dir().join("config.toml"))
    }

    /// Read a config file; a missing file is an empty config.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let err = |message: String| ConfigError {
            path: path.display().to_string(),
            message,
        };
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(e) => return Err(err(format!("cannot be read: {e}"))),
        };
        Config::parse(&text).map_err(err)
    }

    /// Parse config text.
    pub fn parse(text: &str) -> Result<Config, String> {
        toml::from_str(text).map_err(|e| e.to_string().trim_end().replace('\n', " "))
    }

    /// The custom providers, each checked; errors name the entry and the field.
    pub fn custom_provider_list(&self) -> Result<Vec<Provider>, String> {
        self.custom_providers
            .iter()
            .enumerate()
            .map(|(i, value)| {
                let name = value
                    .get("name")
                    .and_then(|n| n.as_str())
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default();
                let at = format!("custom_providers[{i}]{name}");
                let spec: ProviderSpec = value
                    .clone()
                    .try_into()
                    .map_err(|e: toml::de::Error| format!("{at}: {}", e.message().trim()))?;
                Provider::from_spec(spec, true).map_err(|e| format!("{at}: {e}"))
            })
            .collect()
    }

    /// The registry: built-ins plus this config's custom providers.
    pub fn registry(&self) -> Result<Registry, String> {
        let mut r = Registry::builtin();
        for p in self.custom_provider_list()? {
            r.add(p);
        }
        for route in &self.routes {
            if r.get(&route.provider).is_none() {
                return Err(format!(
                    "routes: path {} names unknown provider {:?}",
                    route.path, route.provider
                ));
            }
        }
        Ok(r)
    }

    /// Secrets per provider: the file's, then `HOOKSCOPE_SECRET_<PROVIDER>` from `env`.
    pub fn secrets(
        &self,
        registry: &Registry,
        env: &[(String, String)],
    ) -> BTreeMap<String, Vec<Secret>> {
        let mut out: BTreeMap<String, Vec<Secret>> = BTreeMap::new();
        for (name, s) in &self.providers {
            if !s.secrets.is_empty() {
                out.entry(name.clone())
                    .or_default()
                    .extend(s.secrets.iter().cloned());
            }
        }
        for (k, v) in env {
            let Some(suffix) = k.strip_prefix("HOOKSCOPE_SECRET_") else {
                continue;
            };
            if let Some(p) = registry
                .all()
                .iter()
                .find(|p| crate::verify::env_name(&p.name) == suffix)
            {
                let list = out.entry(p.name.clone()).or_default();
                let secret = Secret::new(v.clone());
                if !list.contains(&secret) {
                    list.push(secret);
                }
            }
        }
        out
    }
}

/// The process environment as pairs (secrets are read from `HOOKSCOPE_SECRET_*`).
pub fn process_env() -> Vec<(String, String)> {
    std::env::vars()
        .filter(|(k, _)| k.starts_with("HOOKSCOPE_"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_design_example() {
        let cfg = Config::parse(
            r#"
addr = "127.0.0.1:4545"
forward = "http://localhost:3000"
theme = "default"
[providers.stripe]
secrets = ["whsec_a", "whsec_b"]
tolerance_secs = 300
[providers.twilio]
public_url = "https://abc.example.dev"
[[routes]]
path = "/hooks/zoom"
provider = "zoom"
"#,
        )
        .unwrap();
        assert_eq!(cfg.providers["stripe"].secrets.len(), 2);
        assert_eq!(cfg.routes[0].provider, "zoom");
        assert!(cfg.registry().is_ok());
    }

    #[test]
    fn unknown_keys_and_bad_custom_providers_name_the_field() {
        let e = Config::parse("adr = 1").unwrap_err();
        assert!(e.contains("adr"), "{e}");
        let cfg = Config::parse(
            r#"
[[custom_providers]]
name = "acme"
[[custom_providers.variant]]
signature = { header = "x-acme-sig" }
message = "{bogus}"
algorithm = "hmac-sha256"
"#,
        )
        .unwrap();
        let e = cfg.registry().unwrap_err();
        assert!(
            e.contains("custom_providers[0] (acme): variant[0].message"),
            "{e}"
        );
        let cfg = Config::parse(
            r#"
[[custom_providers]]
name = "acme"
[[custom_providers.variant]]
signature = { header = "x-acme-sig" }
algorithm = "hmac-md5"
"#,
        )
        .unwrap();
        let e = cfg.registry().unwrap_err();
        assert!(
            e.contains("custom_providers[0] (acme)") && e.contains("hmac-md5"),
            "{e}"
        );
    }

    #[test]
    fn env_secrets_join_file_secrets() {
        let cfg = Config::parse("[providers.zoho-webinar]\nsecrets = [\"a\"]").unwrap();
        let r = cfg.registry().unwrap();
        let env = vec![
            ("HOOKSCOPE_SECRET_ZOHO_WEBINAR".to_string(), "b".to_string()),
            ("HOOKSCOPE_SECRET_NOPE".to_string(), "c".to_string()),
        ];
        let s = cfg.secrets(&r, &env);
        assert_eq!(s["zoho-webinar"], vec![Secret::new("a"), Secret::new("b")]);
        assert_eq!(s.len(), 1);
    }

    #[test]
    fn routes_must_name_known_providers() {
        let cfg = Config::parse("[[routes]]\npath = \"/x\"\nprovider = \"nope\"").unwrap();
        assert!(cfg.registry().unwrap_err().contains("unknown provider"));
    }
}
