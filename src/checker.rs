//! `Checker`: the registry plus the user's secrets, routes and settings — one call turns a
//! delivery into a `Verification`. Capture, headless output and the dashboard all use it.

use crate::ambiguity::{ambiguous_hint, settle};
use crate::config::{Config, ProviderSettings, Route};
use crate::delivery::Delivery;
use crate::providers::Registry;
use crate::providers::detect::Detection;
use crate::providers::handshake::Requirement;
use crate::secret::Secret;
use crate::tunnel::TunnelWatch;
use crate::verify::{Context, Verdict, Verification, verify};
use sha2::{Digest, Sha256};
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
    /// Digest of everything but the secrets that a verdict depends on (schemes, routes, settings).
    base_generation: [u8; 32],
    /// [`Checker::generation`] of every known provider, kept with the secrets it depends on
    /// (computed once, not per judged delivery).
    generations: std::collections::HashMap<String, String>,
    /// [`Checker::generation`] of rows with no provider.
    generation_none: String,
    /// Facts of the running listener (not of the config file).
    live: LiveSettings,
    /// Every header a token variant of some provider reads (lower-case): a delivery with none
    /// of them has no token to mask, and is not attributed again for it.
    token_headers: Vec<String>,
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

/// Settings of the running listener rather than of the config file: they survive a config
/// reload ([`Checker::keep_live_settings`]).
#[derive(Clone, Debug)]
pub struct LiveSettings {
    /// The tunnel's state: while it is up, its URL is the default `public_url` of every
    /// URL-signing scheme.
    pub tunnel: Option<TunnelWatch>,
    /// Handshakes are answered by hookscope (default) or forwarded to the app
    /// (`--forward-challenges`).
    pub answer_challenges: bool,
}

impl Default for LiveSettings {
    fn default() -> Self {
        LiveSettings {
            tunnel: None,
            answer_challenges: true,
        }
    }
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
            settings,
            routes,
            config_keys,
            all_secrets: Vec::new(),
            base_generation,
            generations: Default::default(),
            generation_none: String::new(),
            live: LiveSettings::default(),
            token_headers: Vec::new(),
        };
        let mut token_headers: Vec<String> = (0..c.registry.all().len())
            .flat_map(|pi| c.token_headers(pi))
            .collect();
        token_headers.sort();
        token_headers.dedup();
        c.token_headers = token_headers;
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
        self.generation_none = self.compute_generation(None);
        let names: Vec<String> = (self.registry.all().iter().map(|p| p.name.clone()))
            .chain(self.secrets.keys().cloned())
            .collect();
        self.generations = names
            .into_iter()
            .map(|n| {
                let g = self.compute_generation(Some(&n));
                (n, g)
            })
            .collect();
    }

    /// The generation a verdict for `provider` (`None`: no provider) is judged under now: a short
    /// digest of the schemes, routes and settings, and of that provider's secrets (their SHA-256
    /// only). Two checkers that would judge the provider's deliveries alike give the same value.
    pub fn generation(&self, provider: Option<&str>) -> String {
        match provider {
            None => self.generation_none.clone(),
            Some(p) => match self.generations.get(p) {
                Some(g) => g.clone(),
                None => self.compute_generation(Some(p)),
            },
        }
    }

    fn compute_generation(&self, provider: Option<&str>) -> String {
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

    /// The running listener's settings.
    pub fn live(&self) -> &LiveSettings {
        &self.live
    }

    /// Set the running listener's settings.
    pub fn set_live(&mut self, live: LiveSettings) {
        self.live = live;
    }

    /// This checker with `previous`'s live settings (a reloaded config keeps the tunnel).
    pub fn keep_live_settings(mut self, previous: &Checker) -> Checker {
        self.live = previous.live.clone();
        self
    }

    /// The tunnel's public URL while it is up.
    pub fn tunnel_url(&self) -> Option<String> {
        let watch = self.live.tunnel.as_ref()?;
        watch.borrow().url().map(str::to_string)
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
        det.candidates()
            .map(|i| self.registry.at(i).name.clone())
            .collect()
    }

    /// Detect and verify a delivery as it arrived (from the wire or a file) at time `now`
    /// (unix seconds). A delivery whose headers match several providers equally is judged by
    /// the one whose configured secret verifies it, when exactly one does; otherwise it is left
    /// to none and reported ambiguous.
    pub fn check_received(&self, d: &Delivery, now: i64) -> Verification {
        let Some(det) = self.attribute(d) else {
            return Verification::no_provider();
        };
        if !det.is_ambiguous() {
            let mut v = self.check_as(d, det.provider, now);
            v.detected_by = Some(det.detected_by);
            self.handshake_hint(d, det.provider, &mut v);
            return v;
        }
        let names = self.candidates(&det);
        let outcomes = det
            .candidates()
            .filter(|&i| !self.secrets_for(&self.registry.at(i).name).is_empty())
            .map(|i| self.check_as(d, i, now))
            .collect();
        if let Some(mut v) = settle(&names, outcomes) {
            let chosen = v.provider.clone().unwrap_or_default();
            v.detected_by = Some(format!("{} + {chosen}'s secret", det.detected_by));
            if let Some(pi) = self.registry.index_of(&chosen) {
                self.handshake_hint(d, pi, &mut v);
            }
            return v;
        }
        let mut v = Verification::no_provider();
        v.detected_by = Some(det.detected_by);
        v.hints.push(ambiguous_hint(&names));
        v.ambiguous = names;
        v
    }

    /// Detect and verify a stored delivery at time `now` (unix seconds): a token that
    /// [`Checker::mask_tokens`] masked when it arrived is matched to the configured secret it
    /// came from (by its masked form), so the verdict is the one given on arrival. Only the
    /// store holds masks made by hookscope: a mask sent over the wire or in an imported file
    /// is masked again on arrival, so it never matches.
    pub fn check(&self, d: &Delivery, now: i64) -> Verification {
        // Only a header holding a mask (`••••••`) can need unmasking: others skip the copy.
        if (d.headers.iter()).any(|(_, v)| memchr::memmem::find(v, "•".as_bytes()).is_some()) {
            let mut copy = d.clone();
            if self.unmask_tokens(&mut copy) {
                return self.check_received(&copy, now);
            }
        }
        self.check_received(d, now)
    }

    /// Put back the configured secret in place of each token header whose value is that
    /// secret's masked form (a stored delivery, to verify or replay as captured). Returns
    /// whether anything changed.
    pub fn unmask_tokens(&self, d: &mut Delivery) -> bool {
        let Some(det) = self.attribute(d) else {
            return false;
        };
        let mut changed = false;
        for pi in det.candidates() {
            let secrets = self.secrets_for(&self.registry.at(pi).name);
            for h in self.token_headers(pi) {
                for (name, value) in d.headers.iter_mut() {
                    if name.eq_ignore_ascii_case(&h)
                        && let Some(s) = secrets.iter().find(|s| s.masked().as_bytes() == value)
                    {
                        *value = s.expose().as_bytes().to_vec();
                        changed = true;
                    }
                }
            }
        }
        changed
    }

    /// Replace the value of every header that carries a token (a scheme whose signature is the
    /// secret itself, e.g. GitLab's `X-Gitlab-Token`) by its masked form with fingerprint,
    /// before the delivery is stored or shown. The delivery's provider decides which headers
    /// (every candidate's, when its headers match several providers equally).
    pub fn mask_tokens(&self, d: &mut Delivery) {
        let carries_one = d.headers.iter().any(|(name, _)| {
            self.token_headers
                .iter()
                .any(|h| name.eq_ignore_ascii_case(h))
        });
        if !carries_one {
            return;
        }
        let Some(det) = self.attribute(d) else {
            return;
        };
        let mut headers: Vec<String> = det
            .candidates()
            .flat_map(|pi| self.token_headers(pi))
            .collect();
        headers.sort();
        headers.dedup();
        for h in headers {
            for (name, value) in d.headers.iter_mut() {
                if name.eq_ignore_ascii_case(&h) {
                    let token = Secret::new(String::from_utf8_lossy(value).into_owned());
                    *value = token.masked().into_bytes();
                }
            }
        }
    }

    /// The headers of a provider's token variants (lower-case).
    fn token_headers(&self, provider: usize) -> Vec<String> {
        let mut names: Vec<String> = self
            .registry
            .at(provider)
            .variants
            .iter()
            .filter(|v| v.spec.algorithm == crate::providers::scheme::Algorithm::Token)
            .filter_map(|v| v.spec.signature.header.as_deref())
            .map(str::to_ascii_lowercase)
            .collect();
        names.dedup();
        names
    }

    /// For a delivery whose body was not kept: who sent it, without judging a signature over
    /// bytes that are not there.
    pub fn attribute_only(&self, d: &Delivery) -> Verification {
        let mut v = Verification::no_provider();
        if let Some(det) = self.attribute(d) {
            if det.is_ambiguous() {
                let names = self.candidates(&det);
                v.hints.push(ambiguous_hint(&names));
                v.ambiguous = names;
            } else {
                v.provider = Some(self.registry().at(det.provider).name.clone());
            }
            v.detected_by = Some(det.detected_by);
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

    /// A provider's endpoint check that hookscope will not answer says why, and what follows.
    fn handshake_hint(&self, d: &Delivery, provider: usize, v: &mut Verification) {
        let p = self.registry.at(provider);
        let Some(challenge) = &p.challenge else {
            return;
        };
        if !challenge.matches(d) {
            return;
        }
        let what = challenge.label();
        if !self.live.answer_challenges {
            v.hints.push(format!(
                "{}'s endpoint check ({what}) was forwarded to the app (--forward-challenges): the app's answer is what {} sees",
                p.title, p.title
            ));
        } else if challenge.requires != Requirement::Nothing && self.secrets_for(&p.name).is_empty()
        {
            v.hints.push(format!(
                "{}'s endpoint check ({what}) arrived but no {} secret is configured, so hookscope cannot answer it and {} will reject the endpoint: set the secret (s in the dashboard, HOOKSCOPE_SECRET_{}, or [providers.{}] secrets in the config) and validate again",
                p.title,
                p.name,
                p.title,
                crate::verify::env_name(&p.name),
                p.name
            ));
        }
    }

    /// Verify a delivery as a given provider (by registry index).
    pub fn check_as(&self, d: &Delivery, provider: usize, now: i64) -> Verification {
        let p = self.registry.at(provider);
        let settings = self.settings.get(&p.name);
        let configured = settings.and_then(|s| s.public_url.as_deref());
        // The tunnel's URL stands in for `public_url` of URL-signing schemes.
        let tunnel = match configured {
            None if p.variants.iter().any(|v| v.template.uses_url()) => self.tunnel_url(),
            _ => None,
        };
        let ctx = |base_url| Context {
            now,
            base_url,
            tolerance_secs: settings.and_then(|s| s.tolerance_secs),
            other_secrets: &self.all_secrets,
        };
        let secrets = self.secrets_for(&p.name);
        let v = verify(d, p, secrets, &ctx(configured.or(tunnel.as_deref())));
        if tunnel.is_some() && v.verdict != Verdict::Verified {
            // Sent to the listener directly rather than through the tunnel: its Host says where.
            let direct = verify(d, p, secrets, &ctx(None));
            if direct.verdict == Verdict::Verified {
                return direct;
            }
        }
        v
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod token_tests {
    use super::*;

    fn gitlab(token: &str) -> Delivery {
        Delivery {
            method: "POST".into(),
            path: "/hook".into(),
            headers: vec![
                ("x-gitlab-event".into(), b"Push Hook".to_vec()),
                ("x-gitlab-token".into(), token.as_bytes().to_vec()),
            ],
            ..Default::default()
        }
    }

    #[test]
    fn a_masked_token_verifies_stored_but_a_sent_mask_never_does() {
        let cfg = Config::parse("[providers.gitlab]\nsecrets = [\"glpat-abc\"]\n").unwrap();
        let c = Checker::from_config(&cfg, &[]).unwrap();
        let mut d = gitlab("glpat-abc");
        assert_eq!(c.check_received(&d, 0).verdict, Verdict::Verified);
        c.mask_tokens(&mut d);
        let stored = d.header_str("x-gitlab-token").unwrap().to_string();
        assert!(!stored.contains("glpat-abc"));
        assert_eq!(stored, Secret::new("glpat-abc").masked());
        // The stored delivery verifies; replayed as captured it carries the token again.
        assert_eq!(c.check(&d, 0).verdict, Verdict::Verified);
        let mut replay = d.clone();
        assert!(c.unmask_tokens(&mut replay));
        assert_eq!(replay.header_str("x-gitlab-token"), Some("glpat-abc"));
        // Someone who saw the mask on screen and sends it: not verified on arrival, and masked
        // again, so the stored copy does not verify either.
        let mut forged = gitlab(&stored);
        assert_eq!(c.check_received(&forged, 0).verdict, Verdict::Failed);
        c.mask_tokens(&mut forged);
        assert_eq!(c.check(&forged, 0).verdict, Verdict::Failed);
    }
}
