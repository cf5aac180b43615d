//! `Checker`: the registry plus the user's secrets, routes and settings — one call turns a
//! delivery into a `Verification`. Capture, headless output and the dashboard all use it.

use crate::config::{Config, ProviderSettings, Route};
use crate::delivery::Delivery;
use crate::providers::Registry;
use crate::secret::Secret;
use crate::verify::{Context, Verification, verify};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Detection + verification with the user's configuration.
#[derive(Clone, Debug)]
pub struct Checker {
    registry: Registry,
    secrets: BTreeMap<String, Vec<Secret>>,
    settings: BTreeMap<String, ProviderSettings>,
    routes: Vec<Route>,
    /// All secrets as a list, for the diagnosis ("another provider's secret").
    all_secrets: Vec<(String, Vec<Secret>)>,
    /// Digest of everything but the secrets that a verdict depends on (schemes, routes, settings).
    base_generation: [u8; 32],
}

/// What a stored verdict was judged with, so that rows judged with other secrets or settings
/// are found and judged again (see `crate::reverify`). Never holds a secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Judgement {
    pub verdict: crate::verify::Verdict,
    pub provider: Option<String>,
    /// [`Checker::generation`] of the provider it was judged as.
    pub generation: Option<String>,
}

impl Checker {
    /// Build from a config and environment pairs (`HOOKSCOPE_SECRET_*`).
    pub fn from_config(cfg: &Config, env: &[(String, String)]) -> Result<Checker, String> {
        let registry = cfg.registry()?;
        let secrets = cfg.secrets(&registry, env);
        let base_generation = {
            // Debug output is deterministic for these plain-data types; secrets are left out
            // here (settings carry secrets too, so only their other fields are hashed).
            let mut h = Sha256::new();
            h.update(format!("{:?}", registry.all()));
            h.update(format!("{:?}", cfg.routes));
            for (name, s) in &cfg.providers {
                h.update(format!("{name:?}{:?}{:?}", s.tolerance_secs, s.public_url));
            }
            h.finalize().into()
        };
        let mut c = Checker {
            registry,
            secrets: BTreeMap::new(),
            settings: cfg.providers.clone(),
            routes: cfg.routes.clone(),
            all_secrets: Vec::new(),
            base_generation,
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

    /// The generation a verdict for `provider` (`None`: no provider) is judged under now: a short
    /// digest of the schemes, routes and settings, and of that provider's secrets (their SHA-256
    /// only). Two checkers that would judge the provider's deliveries alike give the same value.
    pub fn generation(&self, provider: Option<&str>) -> String {
        let mut h = Sha256::new();
        h.update(self.base_generation);
        if let Some(p) = provider {
            h.update(p.as_bytes());
            for s in self.secrets_for(p) {
                h.update([0]);
                h.update(Sha256::digest(s.expose().as_bytes()));
            }
        }
        hex::encode(&h.finalize()[..8])
    }

    /// What to store beside a delivery judged as `v`.
    pub fn judgement(&self, v: &Verification) -> Judgement {
        Judgement {
            verdict: v.verdict,
            provider: v.provider.clone(),
            generation: Some(self.generation(v.provider.as_deref())),
        }
    }

    /// Per-provider settings (tolerance, public URL).
    pub fn settings(&self, provider: &str) -> Option<&ProviderSettings> {
        self.settings.get(provider)
    }

    /// Providers with a `[providers.NAME]` table in the config.
    pub fn configured_providers(&self) -> impl Iterator<Item = &String> {
        self.settings.keys()
    }

    /// Routes pinning paths to providers.
    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    /// Which provider a delivery belongs to: a route, else detection. Returns (index, reason).
    pub fn attribute(&self, d: &Delivery) -> Option<(usize, String)> {
        if let Some(route) = self.routes.iter().find(|r| r.path == d.path)
            && let Some(i) = self.registry.index_of(&route.provider)
        {
            return Some((i, format!("route {}", route.path)));
        }
        self.registry
            .detect(d)
            .map(|det| (det.provider, det.detected_by))
    }

    /// Detect and verify a delivery at time `now` (unix seconds).
    pub fn check(&self, d: &Delivery, now: i64) -> Verification {
        let Some((pi, detected_by)) = self.attribute(d) else {
            return Verification::no_provider();
        };
        let mut v = self.check_as(d, pi, now);
        v.detected_by = Some(detected_by);
        v
    }

    /// For a delivery whose body was not kept: who sent it, without judging a signature over
    /// bytes that are not there.
    pub fn attribute_only(&self, d: &Delivery) -> Verification {
        let mut v = Verification::no_provider();
        if let Some((i, by)) = self.attribute(d) {
            v.provider = Some(self.registry().at(i).name.clone());
            v.detected_by = Some(by);
            v.verdict = crate::verify::Verdict::Unverified;
            v.hints.push(
                "the body was not kept (over --max-body or cut off), so the signature was not \
                 checked"
                    .into(),
            );
        }
        v
    }

    /// Judge a stored delivery as capture did: at its arrival time, and by attribution alone
    /// when its body was not kept.
    pub fn check_stored(&self, d: &Delivery) -> Verification {
        if d.rejected.is_some() {
            return self.attribute_only(d);
        }
        self.check(d, d.received_at_ms.div_euclid(1000))
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
