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
    /// Tunnel to start (`bore[:HOST]`, `ssh:USER@HOST`, `cloudflared`, `ngrok`, `cmd:…`).
    pub tunnel: Option<String>,
    /// Theme name.
    pub theme: Option<String>,
    /// Maximum accepted body size in bytes.
    pub max_body: Option<u64>,
    /// Number of deliveries to keep.
    pub keep: Option<u64>,
    /// A shared capture store (`postgres://…`) instead of SQLite in the data directory.
    pub store: Option<String>,
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

    /// Parse config text. Errors name the line and key but never quote the text (see
    /// [`crate::config_error`]): a malformed line may hold a secret.
    pub fn parse(text: &str) -> Result<Config, String> {
        let cfg: Config =
            toml::from_str(text).map_err(|e| crate::config_error::describe(&e, text))?;
        for (name, s) in &cfg.providers {
            if let Some(t) = s.tolerance_secs
                && t < 0
            {
                return Err(format!(
                    "providers.{name}.tolerance_secs = {t}: give 0 or more seconds"
                ));
            }
        }
        Ok(cfg)
    }

    /// The custom providers, each checked; errors name the entry and the field. A custom
    /// provider named like a built-in replaces it only with `override = true`.
    pub fn custom_provider_list(&self) -> Result<Vec<Provider>, String> {
        if self.custom_providers.is_empty() {
            return Ok(Vec::new());
        }
        let builtin = Registry::builtin();
        self.custom_providers
            .iter()
            .enumerate()
            .map(|(i, value)| {
                let name = value.get("name").and_then(|n| n.as_str());
                let at = format!(
                    "custom_providers[{i}]{}",
                    name.map(|n| format!(" ({n})")).unwrap_or_default()
                );
                let mut value = value.clone();
                let overrides = match value.as_table_mut().and_then(|t| t.remove("override")) {
                    None => false,
                    Some(toml::Value::Boolean(b)) => b,
                    Some(_) => return Err(format!("{at}: override must be true or false")),
                };
                if let Some(n) = name
                    && builtin.get(n).is_some()
                    && !overrides
                {
                    return Err(format!(
                        "{at}: a built-in provider is named {n}; set override = true to replace it, \
                         or choose another name"
                    ));
                }
                crate::config_error::check_header_fields(&value).map_err(|e| format!("{at}: {e}"))?;
                let spec: ProviderSpec = value
                    .try_into()
                    .map_err(|e: toml::de::Error| format!("{at}: {}", e.message().trim()))?;
                Provider::from_spec(spec, true).map_err(|e| format!("{at}: {e}"))
            })
            .collect()
    }

    /// Warnings that do not stop a run: `[providers.NAME]` tables naming no known provider
    /// (their secrets would silently go unused), with the nearest known name.
    pub fn warnings(&self, registry: &Registry) -> Vec<String> {
        self.providers
            .keys()
            .filter(|name| registry.get(name).is_none())
            .map(|name| {
                let nearest = registry
                    .all()
                    .iter()
                    .map(|p| (strsim::levenshtein(name, &p.name), &p.name))
                    .min()
                    .filter(|(d, _)| *d <= 3)
                    .map(|(_, n)| format!(" (did you mean {n}?)"))
                    .unwrap_or_default();
                format!(
                    "[providers.{name}] names no known provider{nearest}; its settings are not used"
                )
            })
            .collect()
    }

    /// The registry: built-ins plus this config's custom providers. Routes must name known
    /// providers (or aliases), and no two `[providers.*]` tables may name the same provider.
    pub fn registry(&self) -> Result<Registry, String> {
        let mut r = Registry::builtin();
        for p in self.custom_provider_list()? {
            let name = p.name.clone();
            r.add(p)
                .map_err(|e| format!("custom_providers ({name}): {e}"))?;
        }
        for route in &self.routes {
            if r.get(&route.provider).is_none() {
                return Err(format!(
                    "routes: path {} names unknown provider {:?}",
                    route.path, route.provider
                ));
            }
        }
        let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
        for key in self.providers.keys() {
            if let Some(name) = r.canonical(key)
                && let Some(other) = seen.insert(name, key)
            {
                return Err(format!(
                    "[providers.{other}] and [providers.{key}] both configure {name} (an alias names the same provider): keep one"
                ));
            }
        }
        Ok(r)
    }

    /// The `[providers.*]` table that configures a provider, by its name or one of its aliases:
    /// (the table's key as written, its settings).
    pub fn settings_for<'a>(
        &'a self,
        registry: &Registry,
        provider: &str,
    ) -> Option<(&'a str, &'a ProviderSettings)> {
        let want = registry.canonical(provider).unwrap_or(provider);
        self.providers
            .iter()
            .find(|(k, _)| registry.canonical(k).unwrap_or(k) == want)
            .map(|(k, s)| (k.as_str(), s))
    }

    /// Secrets per provider (by its own name, aliases resolved): the file's, then
    /// `HOOKSCOPE_SECRET_<PROVIDER or ALIAS>` from `env`.
    pub fn secrets(
        &self,
        registry: &Registry,
        env: &[(String, String)],
    ) -> BTreeMap<String, Vec<Secret>> {
        let mut out: BTreeMap<String, Vec<Secret>> = BTreeMap::new();
        for (name, s) in &self.providers {
            if !s.secrets.is_empty() {
                let name = registry.canonical(name).unwrap_or(name);
                out.entry(name.to_string())
                    .or_default()
                    .extend(s.secrets.iter().cloned());
            }
        }
        for (k, v) in env {
            let Some(suffix) = k.strip_prefix("HOOKSCOPE_SECRET_") else {
                continue;
            };
            if let Some(p) = registry.all().iter().find(|p| {
                crate::verify::env_name(&p.name) == suffix
                    || p.aliases
                        .iter()
                        .any(|a| crate::verify::env_name(a) == suffix)
            }) {
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

/// Load the config: `explicit` (a `--config` flag) must exist; otherwise `default` (the usual
/// path) is read when present and an empty config is used when it is absent.
pub fn load_explicit(explicit: Option<&Path>, default: Option<&Path>) -> Result<Config, String> {
    if let Some(p) = explicit
        && !p.exists()
    {
        return Err(format!("config file {} does not exist", p.display()));
    }
    match explicit.or(default) {
        Some(p) => Config::load(p).map_err(|e| e.to_string()),
        None => Ok(Config::default()),
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
algorithm = "hmac-md4"
"#,
        )
        .unwrap();
        let e = cfg.registry().unwrap_err();
        assert!(
            e.contains("custom_providers[0] (acme)") && e.contains("hmac-md4"),
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
    fn aliases_name_their_provider_in_tables_env_and_routes() {
        let cfg = Config::parse(
            "[providers.clerk]\nsecrets = [\"whsec_a\"]\ntolerance_secs = 60\n[[routes]]\npath = \"/c\"\nprovider = \"Resend\"",
        )
        .unwrap();
        let r = cfg.registry().unwrap();
        let env = vec![("HOOKSCOPE_SECRET_STYTCH".to_string(), "whsec_b".to_string())];
        let s = cfg.secrets(&r, &env);
        assert_eq!(
            s["svix"],
            vec![Secret::new("whsec_a"), Secret::new("whsec_b")]
        );
        assert_eq!(s.len(), 1);
        let (key, settings) = cfg.settings_for(&r, "svix").unwrap();
        assert_eq!((key, settings.tolerance_secs), ("clerk", Some(60)));
        assert!(cfg.settings_for(&r, "resend").is_some());
        assert!(cfg.settings_for(&r, "stripe").is_none());
    }

    #[test]
    fn two_tables_for_one_provider_are_refused() {
        let cfg = Config::parse("[providers.svix]\n[providers.clerk]\n").unwrap();
        let e = cfg.registry().unwrap_err();
        assert!(
            e.contains("[providers.clerk]")
                && e.contains("[providers.svix]")
                && e.contains("keep one"),
            "{e}"
        );
    }

    #[test]
    fn routes_must_name_known_providers() {
        let cfg = Config::parse("[[routes]]\npath = \"/x\"\nprovider = \"nope\"").unwrap();
        assert!(cfg.registry().unwrap_err().contains("unknown provider"));
    }
}
