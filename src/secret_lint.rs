//! Checks for a pasted secret: whitespace to trim, and secrets that look wrong for the provider.

use crate::crypto::{self, KeyError};
use crate::providers::scheme::{Algorithm, Provider};

/// What a pasted secret would become, and what looks wrong about it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SecretLint {
    /// The secret with surrounding whitespace removed (what is saved on confirmation).
    pub trimmed: String,
    /// Whether trimming changed it.
    pub had_whitespace: bool,
    /// One-line warnings; empty when the secret looks right.
    pub warnings: Vec<String>,
}

/// Check a pasted secret for a provider. Never quotes the secret beyond a known prefix.
pub fn lint(provider: &Provider, pasted: &str) -> SecretLint {
    let trimmed = pasted.trim().to_string();
    let mut warnings = Vec::new();
    let had_whitespace = trimmed != pasted;
    if had_whitespace {
        warnings.push(
            "surrounding whitespace or a newline was pasted; it is trimmed when you confirm"
                .to_string(),
        );
    }
    if trimmed.is_empty() {
        warnings.push("the secret is empty".to_string());
        return SecretLint {
            trimmed,
            had_whitespace,
            warnings,
        };
    }
    for (prefix, what) in &provider.secret.wrong_prefixes {
        if trimmed.starts_with(prefix.as_str()) {
            let expected = provider
                .secret
                .prefix
                .as_deref()
                .map(|p| format!(" (its webhook secrets start with {p})"))
                .unwrap_or_default();
            warnings.push(format!(
                "this looks like {what} ({prefix}…), not {}'s webhook signing secret{expected}",
                provider.title
            ));
        }
    }
    if let Some(p) = &provider.secret.prefix
        && !trimmed.starts_with(p.as_str())
        && !provider
            .secret
            .wrong_prefixes
            .iter()
            .any(|(w, _)| trimmed.starts_with(w.as_str()))
    {
        let accepted = provider.variants[0]
            .spec
            .key
            .contains(&crate::providers::scheme::KeyForm::Whsec);
        if accepted {
            warnings.push(format!(
                "accepted without the {p} prefix (it is optional for {})",
                provider.title
            ));
        } else {
            warnings.push(format!(
                "{} webhook secrets usually start with {p}",
                provider.title
            ));
        }
    }
    let v = &provider.variants[0].spec;
    let errors: Vec<KeyError> = v
        .key
        .iter()
        .filter_map(|f| crypto::decode_key(&trimmed, *f).err())
        .collect();
    if errors.len() == v.key.len() {
        if let Some(e) = errors.first() {
            warnings.push(format!("{}: {e}", provider.title));
        }
    } else if v.algorithm.is_public_key()
        && let Ok(key) = crypto::decode_key(&trimmed, v.key[0])
        && let Err(e) = crypto::check_public_key(v.algorithm, &key)
    {
        warnings.push(format!(
            "{} expects its public key here: {e}",
            provider.title
        ));
    }
    if v.algorithm == Algorithm::Certificate {
        warnings.push(format!(
            "{} is verified with a certificate, not a secret",
            provider.title
        ));
    }
    SecretLint {
        trimmed,
        had_whitespace,
        warnings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::Registry;

    fn warn(p: &str, s: &str) -> Vec<String> {
        lint(Registry::builtin().get(p).unwrap(), s).warnings
    }

    #[test]
    fn whitespace_is_flagged_and_trimmed() {
        let r = Registry::builtin();
        let l = lint(r.get("zoom").unwrap(), "  abc\n");
        assert_eq!(l.trimmed, "abc");
        assert!(l.had_whitespace);
        assert!(l.warnings[0].contains("trimmed when you confirm"));
        assert!(warn("zoom", "abc").is_empty());
    }

    #[test]
    fn wrong_credentials_are_named_without_quoting_the_secret() {
        let w = warn("stripe", "sk_live_abcdefghijkl");
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].contains("a Stripe secret API key (sk_…)"), "{w:?}");
        assert!(!w[0].contains("abcdefghijkl"));
        assert!(warn("stripe", "pk_test_x")[0].contains("publishable key"));
        assert!(warn("stripe", "whsec_x").is_empty());
        assert!(warn("stripe", "abc")[0].contains("usually start with whsec_"));
    }

    #[test]
    fn key_form_problems() {
        assert!(warn("zentact", "not-hex")[0].contains("not valid hex"));
        assert!(warn("zentact", "00ff").is_empty());
        let sw = warn("standard-webhooks", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        assert!(
            sw[0].contains("accepted without the whsec_ prefix"),
            "{sw:?}"
        );
        assert!(warn("discord", "00ff")[0].contains("expects its public key"));
        assert!(warn("discord", &"ab".repeat(32)).len() <= 1);
    }
}
