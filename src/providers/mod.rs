//! Providers as data: the built-in schemes (TOML files embedded in the binary), custom schemes
//! from the config, and detection of which one a request uses.

pub mod detect;
pub mod handshake;
pub mod scheme;
pub mod template;
mod variant_check;

use crate::delivery::Delivery;
pub use detect::Detection;
use detect::{HeaderIndex, detect_matches, json_at};
use scheme::{Provider, ProviderSpec, Variant};
use std::cell::OnceCell;
use std::collections::HashMap;

/// The built-in provider files (`builtin/*.toml`, by name), embedded at compile time by
/// `build.rs`.
const BUILTIN: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/builtin_providers.rs"));

/// All known providers, built-in first, then custom ones from the config.
#[derive(Clone, Debug)]
pub struct Registry {
    providers: Vec<Provider>,
    /// Lower-case name or alias → provider index (a name wins over another provider's alias).
    names: HashMap<String, usize>,
    index: HeaderIndex,
}

impl Registry {
    /// The built-in providers. Each file must name its `source` and `confidence`.
    pub fn builtin() -> Self {
        let providers = BUILTIN
            .iter()
            .map(|(name, text)| {
                let spec: ProviderSpec = toml::from_str(text)
                    .unwrap_or_else(|e| panic!("built-in provider {name} is malformed: {e}"));
                if spec.source.as_deref().is_none_or(|s| s.trim().is_empty())
                    || spec.confidence.is_none()
                {
                    panic!("built-in provider {name} must give `source` and `confidence`");
                }
                Provider::from_spec(spec, false)
                    .unwrap_or_else(|e| panic!("built-in provider {name} is malformed: {e}"))
            })
            .collect();
        Registry::from_providers(providers)
            .unwrap_or_else(|e| panic!("built-in providers clash: {e}"))
    }

    /// A registry of these providers, in this order. Fails when a name or alias is taken twice.
    pub fn from_providers(providers: Vec<Provider>) -> Result<Self, String> {
        let mut r = Registry {
            providers,
            names: HashMap::new(),
            index: HeaderIndex::default(),
        };
        r.reindex()?;
        Ok(r)
    }

    fn reindex(&mut self) -> Result<(), String> {
        let mut names: HashMap<String, usize> = HashMap::new();
        for (i, p) in self.providers.iter().enumerate() {
            if let Some(j) = names.insert(p.name.to_ascii_lowercase(), i) {
                return Err(format!(
                    "{} and {} have the same name",
                    self.providers[j].name, p.name
                ));
            }
        }
        for (i, p) in self.providers.iter().enumerate() {
            for a in &p.aliases {
                match names.get(a) {
                    // A custom provider may take a built-in's alias as its name.
                    Some(&j) if self.providers[j].custom && !p.custom => {}
                    Some(&j) => {
                        return Err(format!(
                            "alias {a:?} of {} is already a name or alias of {}",
                            p.name, self.providers[j].name
                        ));
                    }
                    None => {
                        names.insert(a.clone(), i);
                    }
                }
            }
        }
        self.names = names;
        self.index = HeaderIndex::build(&self.providers);
        Ok(())
    }

    /// Add a custom provider; a custom provider with a built-in's name replaces it. Fails when
    /// one of its aliases is another provider's name or alias.
    pub fn add(&mut self, provider: Provider) -> Result<(), String> {
        let before = self.providers.clone();
        if let Some(slot) = self.providers.iter_mut().find(|p| p.name == provider.name) {
            *slot = provider;
        } else {
            self.providers.push(provider);
        }
        self.reindex().inspect_err(|_| {
            self.providers = before;
            let _ = self.reindex();
        })
    }

    /// All providers, in order.
    pub fn all(&self) -> &[Provider] {
        &self.providers
    }

    /// Index of a provider by name or alias (case-insensitive).
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.names.get(&name.trim().to_ascii_lowercase()).copied()
    }

    /// A provider by name or alias.
    pub fn get(&self, name: &str) -> Option<&Provider> {
        self.index_of(name).map(|i| &self.providers[i])
    }

    /// The provider's own name for a name or alias (`clerk` → `svix`).
    pub fn canonical(&self, name: &str) -> Option<&str> {
        self.get(name).map(|p| p.name.as_str())
    }

    /// A provider by index.
    pub fn at(&self, i: usize) -> &Provider {
        &self.providers[i]
    }

    /// Detect the provider from the request: the most specific matching detection wins; equally
    /// specific matches of several providers come back with the others in `also`.
    pub fn detect(&self, d: &Delivery) -> Option<Detection> {
        self.index.detect(&self.providers, d)
    }
}

/// The variant of a provider that applies to this request: the first whose detection matches,
/// else the first whose signature field is present, else the first.
pub fn select_variant<'p>(p: &'p Provider, d: &Delivery) -> &'p Variant {
    let json = OnceCell::new();
    p.variants
        .iter()
        .find(|v| v.spec.detect.specificity() > 0 && detect_matches(&v.spec.detect, d, &json))
        .or_else(|| {
            p.variants.iter().find(|v| {
                let s = &v.spec.signature;
                match (&s.header, &s.json_path, &s.form_field) {
                    (Some(h), _, _) => d.has_header(h),
                    (None, Some(path), _) => json_at(&json, d, path).is_some(),
                    (None, None, Some(f)) => {
                        form_urlencoded::parse(&d.body).any(|(k, _)| k == f.as_str())
                    }
                    (None, None, None) => false,
                }
            })
        })
        .unwrap_or(&p.variants[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(headers: &[(&str, &str)], body: &str) -> Delivery {
        Delivery {
            method: "POST".into(),
            path: "/".into(),
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_ascii_lowercase(), v.as_bytes().to_vec()))
                .collect(),
            body: body.to_string().into(),
            ..Default::default()
        }
    }

    fn detected(r: &Registry, d: &Delivery) -> Option<String> {
        r.detect(d).map(|x| r.at(x.provider).name.clone())
    }

    #[test]
    fn builtins_load() {
        let r = Registry::builtin();
        assert_eq!(r.all().len(), BUILTIN.len());
        for (name, _) in BUILTIN {
            assert!(r.get(name).is_some(), "{name}");
        }
    }

    #[test]
    fn every_builtin_names_its_source_and_confidence() {
        for (name, text) in BUILTIN {
            let spec: ProviderSpec = toml::from_str(text).unwrap();
            assert!(
                spec.source.as_deref().is_some_and(|s| !s.trim().is_empty()),
                "{name}: no source"
            );
            assert!(spec.confidence.is_some(), "{name}: no confidence");
        }
        let r = Registry::builtin();
        assert!(
            r.all()
                .iter()
                .all(|p| p.source.is_some() && p.confidence.is_some())
        );
    }

    #[test]
    fn variants_after_the_first_have_ids() {
        // `--variant` and sign() can only reach a variant by its id.
        for p in Registry::builtin().all() {
            for v in p.variants.iter().skip(1) {
                assert!(v.spec.id.is_some(), "{}: a later variant has no id", p.name);
            }
        }
    }

    #[test]
    fn aliases_resolve_like_names() {
        let r = Registry::builtin();
        for (alias, name) in [
            ("clerk", "svix"),
            ("Resend", "svix"),
            ("stytch", "svix"),
            ("openai", "standard-webhooks"),
            ("replicate", "standard-webhooks"),
            ("supabase", "standard-webhooks"),
        ] {
            assert_eq!(r.canonical(alias), Some(name), "{alias}");
            assert_eq!(r.index_of(alias), r.index_of(name));
        }
        assert_eq!(r.canonical("nope"), None);
    }

    fn custom(text: &str) -> Provider {
        Provider::from_spec(toml::from_str(text).unwrap(), true).unwrap()
    }

    #[test]
    fn an_alias_taken_twice_is_refused() {
        let mut r = Registry::builtin();
        let before = r.all().len();
        let clash = custom(
            "name = \"acme\"\naliases = [\"clerk\"]\n[[variant]]\nsignature = { header = \"x-acme\" }\nalgorithm = \"hmac-sha256\"",
        );
        let e = r.add(clash).unwrap_err();
        assert!(e.contains("clerk") && e.contains("svix"), "{e}");
        assert_eq!(r.all().len(), before, "the registry is left as it was");
        assert_eq!(r.canonical("clerk"), Some("svix"));
        // A custom provider may be named like a built-in's alias: the name wins.
        let named = custom(
            "name = \"clerk\"\n[[variant]]\nsignature = { header = \"x-clerk\" }\nalgorithm = \"hmac-sha256\"",
        );
        r.add(named).unwrap();
        assert_eq!(r.canonical("clerk"), Some("clerk"));
        assert_eq!(r.canonical("resend"), Some("svix"));
    }

    #[test]
    fn header_names_in_any_case_are_indexed() {
        let r = Registry::builtin();
        let mut d = req(&[("Stripe-Signature", "t=1,v1=00")], "{}");
        d.headers[0].0 = "Stripe-Signature".into();
        assert_eq!(detected(&r, &d).as_deref(), Some("stripe"));
    }

    #[test]
    fn zoom_verification_token_needs_zooms_agent_and_no_signature() {
        let r = Registry::builtin();
        let zoom = r.get("zoom").unwrap();
        let legacy = req(
            &[
                ("authorization", "tok"),
                ("user-agent", "Zoom Marketplace/1.0a"),
            ],
            "{}",
        );
        assert_eq!(detected(&r, &legacy).as_deref(), Some("zoom"));
        assert_eq!(
            select_variant(zoom, &legacy).spec.id.as_deref(),
            Some("verification-token")
        );
        let other = req(
            &[("authorization", "Bearer x"), ("user-agent", "curl/8")],
            "{}",
        );
        assert_eq!(detected(&r, &other), None);
        let both = req(
            &[
                ("authorization", "tok"),
                ("user-agent", "Zoom Marketplace/1.0a"),
                ("x-zm-signature", "v0=00"),
            ],
            "{}",
        );
        assert_eq!(detected(&r, &both).as_deref(), Some("zoom"));
        assert_eq!(select_variant(zoom, &both).spec.id, None);
    }

    #[test]
    fn shared_x_hub_signature_is_told_apart() {
        let r = Registry::builtin();
        let gh = req(
            &[("X-Hub-Signature", "sha1=00"), ("X-GitHub-Event", "push")],
            "",
        );
        assert_eq!(detected(&r, &gh).as_deref(), Some("github"));
        let ic = req(&[("X-Hub-Signature", "sha1=00")], "");
        assert_eq!(detected(&r, &ic).as_deref(), Some("intercom"));
        let bb = req(
            &[
                ("X-Hub-Signature", "sha256=00"),
                ("X-Event-Key", "repo:push"),
            ],
            "",
        );
        assert_eq!(detected(&r, &bb).as_deref(), Some("bitbucket"));
        let both = req(
            &[
                ("X-Hub-Signature", "sha1=00"),
                ("X-Hub-Signature-256", "sha256=00"),
                ("X-GitHub-Event", "push"),
            ],
            "",
        );
        let p = r.get("github").unwrap();
        assert_eq!(select_variant(p, &both).spec.id.as_deref(), Some("sha256"));
    }

    #[test]
    fn webhook_signature_users() {
        let r = Registry::builtin();
        let sw = req(&[("webhook-signature", "v1,x")], "");
        assert_eq!(detected(&r, &sw).as_deref(), Some("standard-webhooks"));
        let gl = req(
            &[
                ("webhook-signature", "v1,x"),
                ("X-Gitlab-Event", "Push Hook"),
            ],
            "",
        );
        assert_eq!(detected(&r, &gl).as_deref(), Some("gitlab"));
    }

    #[test]
    fn body_and_query_detection() {
        let r = Registry::builtin();
        let mg = req(
            &[],
            r#"{"signature":{"signature":"ab","token":"t","timestamp":"1"}}"#,
        );
        assert_eq!(detected(&r, &mg).as_deref(), Some("mailgun"));
        let mut tw = req(&[("X-Twilio-Signature", "x")], "{}");
        tw.query = "bodySHA256=ab".into();
        let det = r.detect(&tw).unwrap();
        assert_eq!(r.at(det.provider).name, "twilio");
        assert_eq!(
            det.detected_by,
            "header x-twilio-signature + query bodySHA256"
        );
        assert_eq!(
            detected(&r, &req(&[("content-type", "text/plain")], "hi")),
            None
        );
    }
}
