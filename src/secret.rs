//! The `Secret` type: a provider secret that never prints in clear.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};
use std::fmt;

/// A provider secret (or public key). `Debug` and `Display` print a mask and a fingerprint.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wrap a secret string.
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }

    /// The secret in clear; call only to compute or to write the config file.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// First 8 hex digits of SHA-256 of the secret: safe to show, lets users compare with their app.
    pub fn fingerprint(&self) -> String {
        fingerprint(self.0.as_bytes())
    }

    /// A masked rendering: a few leading characters of a known prefix, the rest hidden.
    pub fn masked(&self) -> String {
        let keep = ["whsec_", "pdl_ntfset_", "key-", "sk_", "pk_"]
            .iter()
            .find(|p| self.0.starts_with(*p))
            .map_or(0, |p| p.len());
        format!("{}•••••• (fp {})", &self.0[..keep], self.fingerprint())
    }
}

/// First 8 hex digits of SHA-256 of some bytes.
pub fn fingerprint(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    hex::encode(&digest[..4])
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({})", self.masked())
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Secret)
    }
}

/// Serializes masked: a `Secret` never reaches JSON, exports or logs in clear by accident.
impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_display_and_serde_never_show_the_secret() {
        let s = Secret::new("whsec_supersecretvalue");
        for out in [
            format!("{s:?}"),
            format!("{s}"),
            serde_json::to_string(&s).unwrap(),
        ] {
            assert!(!out.contains("supersecretvalue"), "{out}");
            assert!(out.contains(&s.fingerprint()));
        }
    }

    #[test]
    fn fingerprint_is_first_8_hex_of_sha256() {
        // sha256("abc") = ba7816bf...
        assert_eq!(Secret::new("abc").fingerprint(), "ba7816bf");
    }
}
