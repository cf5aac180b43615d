//! `Checker`: the registry plus the user's secrets, routes and settings — one call turns a
//! delivery into a `Verification`. Capture, headless output and the dashboard all use it.

use crate::config::{Config, ProviderSettings, Route};
use crate::delivery::Delivery;
use crate::providers::Registry;
use crate::providers::detect::{Detection, ambiguous_hint, and_list};
use crate::secret::Secret;
use crate::verify::{Context, SigStatus, Verification, verify};
use std::collections::BTreeMap;

/// Detection + verification with the user's configuration.
#[derive(Clone, Debug)]
pub struct Checker {
    registry: Registry,
    secrets: BTreeMap<String, Vec<Secret>>,
    settings: BTreeMap<String, ProviderSettings>,
    routes: Vec<Route>,
    /// Provider name → the `[providers.*]` key the config file uses for it, where that is an
    /// alias (`svix` → `clerk`), so edits go back to the user's own table.
    config_keys: BTreeMap<String, String>,
    /// All secrets as a list, for the diagnosis ("another provider's secret").
    all_secrets: Vec<(String, Vec<Secret>)>,
}

impl Checker {
    /// Build from a config and environment pairs (`HOOKSCOPE_SECRET_*`).
    /// Settings, routes and secrets are keyed by each provider's own name (aliases resolved).
    pub fn from_config(cfg: &Config, env: &[(String, String)]) -> Result<Checker, String> {
        let registry = cfg.registry()?;
        let secrets = cfg.secrets(&registry, env);
        let own = |name: &str| registry.canonical(name).unwrap_or(name).to_string();
        let settings = cfg
            .providers
            .iter()
            .map(|(k, s)| (own(k), s.clone()))
            .collect();
        let config_keys = cfg
            .providers
            .keys()
            .filter(|k| own(k) != **k)
            .map(|k| (own(k), k.clone()))
            .collect();
        let routes = cfg
            .routes
            .iter()
            .map(|r| Route {
                path: r.path.clone(),
                provider: own(&r.provider),
            })
            .collect();
        let mut c = Checker {
            registry,
            secrets: BTreeMap::new(),
            settings,
            routes,
            config_keys,
            all_secrets: Vec::new(),
        };
        c.replace_secrets(secrets);
        Ok(c)
    }

    /// A checker with built-in providers and no configuration.
    pub fn builtin() -> Checker {
        Checker::from_config(&Config::default(), &[]).expect("built-ins load")
    }

    /// The providers known to this checker.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Secrets for one provider.
    pub fn secrets_for(&self, provider: &str) -> &[Secret] {
        self.secrets.get(provider).map_or(&[], Vec::as_slice)
    }

    /// All configured secrets by provider.
    pub fn secrets(&self) -> &BTreeMap<String, Vec<Secret>> {
        &self.secrets
    }

    /// Replace one provider's secrets.
    pub fn set_secrets(&mut self, provider: &str, secrets: Vec<Secret>) {
        let mut all = self.secrets.clone();
        if secrets.is_empty() {
            all.remove(provider);
        } else {
            all.insert(provider.to_string(), secrets);
        }
        self.replace_secrets(all);
    }

    fn replace_secrets(&mut self, secrets: BTreeMap<String, Vec<Secret>>) {
        self.all_secrets = secrets
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        self.secrets = secrets;
    }

    /// Per-provider settings (tolerance, public URL).
    pub fn settings(&self, provider: &str) -> Option<&ProviderSettings> {
        self.settings.get(provider)
    }

    /// Providers with a `[providers.NAME]` table in the config.
    pub fn configured_providers(&self) -> impl Iterator<Item = &String> {
        self.settings.keys()
    }

    /// The `[providers.*]` key the config file uses for a provider (its name unless the file
    /// names it by an alias).
    pub fn config_key<'a>(&'a self, provider: &'a str) -> &'a str {
        self.config_keys
            .get(provider)
            .map_or(provider, String::as_str)
    }

    /// Routes pinning paths to providers (provider names resolved from aliases).
    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    /// Which provider a delivery belongs to: a route, else detection (which may be ambiguous).
    pub fn attribute(&self, d: &Delivery) -> Option<Detection> {
        if let Some(route) = self.routes.iter().find(|r| r.path == d.path)
            && let Some(i) = self.registry.index_of(&route.provider)
        {
            return Some(Detection {
                provider: i,
                detected_by: format!("route {}", route.path),
                also: Vec::new(),
            });
        }
        self.registry.detect(d)
    }

    /// The names of the providers a detection names (first, then the equally good others).
    pub fn candidates(&self, det: &Detection) -> Vec<String> {
        std::iter::once(det.provider)
            .chain(det.also.iter().copied())
            .map(|i| self.registry.at(i).name.clone())
            .collect()
    }

    /// Detect and verify a delivery at time `now` (unix seconds). A delivery whose headers match
    /// several providers equally is judged by the one whose configured secret verifies it, when
    /// exactly one does; otherwise it is left to none and reported ambiguous.
    pub fn check(&self, d: &Delivery, now: i64) -> Verification {
        let Some(det) = self.attribute(d) else {
            return Verification::no_provider();
        };
        if !det.is_ambiguous() {
            let mut v = self.check_as(d, det.provider, now);
            v.detected_by = Some(det.detected_by);
            return v;
        }
        let names = self.candidates(&det);
        let mut valid: Vec<Verification> = std::iter::once(det.provider)
            .chain(det.also.iter().copied())
            .filter(|&i| !self.secrets_for(&self.registry.at(i).name).is_empty())
            .map(|i| self.check_as(d, i, now))
            .filter(|v| v.signature.status == SigStatus::Valid)
            .collect();
        if valid.len() == 1 {
            let mut v = valid.remove(0);
            let chosen = v.provider.clone().unwrap_or_default();
            v.detected_by = Some(format!("{} + {chosen}'s secret", det.detected_by));
            v.hints.insert(
                0,
                format!(
                    "the headers match {} equally; only {chosen}'s secret verifies it",
                    and_list(&names)
                ),
            );
            v.ambiguous = names;
            return v;
        }
        let mut v = Verification::no_provider();
        v.detected_by = Some(det.detected_by);
        v.hints.push(ambiguous_hint(&names));
        v.ambiguous = names;
        v
    }

    /// Verify a delivery as a given provider (by registry index).
    pub fn check_as(&self, d: &Delivery, provider: usize, now: i64) -> Verification {
        let p = self.registry.at(provider);
        let settings = self.settings.get(&p.name);
        let ctx = Context {
            now,
            base_url: settings.and_then(|s| s.public_url.as_deref()),
            tolerance_secs: settings.and_then(|s| s.tolerance_secs),
            other_secrets: &self.all_secrets,
        };
        verify(d, p, self.secrets_for(&p.name), &ctx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A custom scheme with Intercom's detection: requests carrying it match both equally.
    const TWIN: &str = r#"
[[custom_providers]]
name = "acme"
[[custom_providers.variant]]
detect = { header = "x-hub-signature", prefix = "sha1=" }
signature = { header = "x-hub-signature", prefix = "sha1=", encoding = "hex" }
algorithm = "hmac-sha1"
"#;

    fn signed_with(secret: &str) -> Delivery {
        let body = b"{\"ping\":1}";
        let mac = crate::crypto::compute(
            crate::providers::scheme::Algorithm::HmacSha1,
            secret.as_bytes(),
            body,
        )
        .unwrap();
        Delivery {
            method: "POST".into(),
            path: "/hooks".into(),
            headers: vec![(
                "x-hub-signature".into(),
                format!("sha1={}", hex::encode(mac)).into_bytes(),
            )],
            body: bytes::Bytes::from_static(body),
            ..Default::default()
        }
    }

    #[test]
    fn ambiguous_headers_are_never_silently_given_to_one_provider() {
        let cfg = Config::parse(TWIN).unwrap();
        let c = Checker::from_config(&cfg, &[]).unwrap();
        let v = c.check(&signed_with("s3cret"), 0);
        assert_eq!(v.provider, None);
        assert_eq!(v.ambiguous, ["intercom", "acme"]);
        assert_eq!(v.verdict, crate::verify::Verdict::Unverified);
        assert!(
            v.hints
                .iter()
                .any(|h| h.starts_with("ambiguous: the headers match intercom and acme equally")),
            "{:?}",
            v.hints
        );
    }

    #[test]
    fn the_one_secret_that_verifies_settles_an_ambiguous_delivery() {
        let text = format!(
            "{TWIN}\n[providers.acme]\nsecrets = [\"s3cret\"]\n[providers.intercom]\nsecrets = [\"other\"]\n"
        );
        let c = Checker::from_config(&Config::parse(&text).unwrap(), &[]).unwrap();
        let v = c.check(&signed_with("s3cret"), 0);
        assert_eq!(v.provider.as_deref(), Some("acme"));
        assert_eq!(v.signature.status, SigStatus::Valid);
        assert_eq!(v.ambiguous, ["intercom", "acme"]);
        assert!(v.detected_by.unwrap().ends_with("+ acme's secret"));
        // A route pins the path: no ambiguity at all.
        let routed = format!("{text}\n[[routes]]\npath = \"/hooks\"\nprovider = \"intercom\"\n");
        let c = Checker::from_config(&Config::parse(&routed).unwrap(), &[]).unwrap();
        let v = c.check(&signed_with("s3cret"), 0);
        assert_eq!(v.provider.as_deref(), Some("intercom"));
        assert!(v.ambiguous.is_empty());
    }

    #[test]
    fn settings_routes_and_secrets_use_the_providers_own_name() {
        let cfg = Config::parse(
            "[providers.clerk]\nsecrets = [\"whsec_a\"]\n[[routes]]\npath = \"/c\"\nprovider = \"clerk\"",
        )
        .unwrap();
        let c = Checker::from_config(&cfg, &[]).unwrap();
        assert_eq!(c.secrets_for("svix").len(), 1);
        assert!(c.settings("svix").is_some());
        assert_eq!(c.routes()[0].provider, "svix");
        assert_eq!(c.config_key("svix"), "clerk");
        assert_eq!(c.config_key("stripe"), "stripe");
    }
}
