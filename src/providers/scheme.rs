//! The scheme vocabulary: every provider, built-in or custom, is described with these types.
//!
//! A provider has one or more *variants* (GitHub sha256 / legacy sha1, HubSpot v1/v2/v3, Twilio
//! form / JSON). Each variant is a complete scheme: how to detect it, where the signature is and
//! how it is written, the signed message template, the algorithm, the key form and the timestamp.

use super::handshake::ChallengeSpec;
use super::template::Template;
use serde::Deserialize;

/// A provider as written in a TOML file (built-in or `[[custom_providers]]`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderSpec {
    /// Name used on the command line and in the config (`stripe`, `zoho-webinar`).
    pub name: String,
    /// Human title ("Zoho Webinar").
    #[serde(default)]
    pub title: Option<String>,
    /// Other names that mean this provider everywhere a name is accepted (Clerk, Resend for Svix).
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Where the scheme is documented.
    #[serde(default)]
    pub docs: Option<String>,
    /// The doc page or SDK file this scheme was checked against (required for built-ins).
    #[serde(default)]
    pub source: Option<String>,
    /// Whether `source` is the provider's own material or a third party's (required for built-ins).
    #[serde(default)]
    pub confidence: Option<Confidence>,
    /// Handshake hookscope answers for this provider (see `handshake` and `capture`).
    #[serde(default)]
    pub challenge: Option<ChallengeSpec>,
    /// Why it cannot be verified offline (PayPal): detected and reported `unverifiable`.
    #[serde(default)]
    pub unverifiable: Option<String>,
    /// What the provider's secrets look like, for paste checks.
    #[serde(default)]
    pub secret: SecretShape,
    /// What `hookscope setup NAME` prints: where to paste the URL, where the secret is, …
    #[serde(default)]
    pub setup: Option<SetupSpec>,
    /// The schemes, tried in order; the first whose detection matches is used.
    #[serde(rename = "variant")]
    pub variants: Vec<VariantSpec>,
}

/// The provider's side of setting up an endpoint, in the provider's own words (its docs).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetupSpec {
    /// The provider accepts only `https://` endpoints (a plain-HTTP tunnel will not do).
    #[serde(default)]
    pub https_only: bool,
    /// Why, when `https_only`: the rule and where the provider states it.
    #[serde(default)]
    pub https_why: Option<String>,
    /// Suggested path on the public URL (default `/hooks/NAME`).
    #[serde(default)]
    pub path: Option<String>,
    /// Where in the provider's console the endpoint URL is pasted.
    pub endpoint: String,
    /// Where the provider shows the secret to copy back (and what it is called there).
    pub secret: String,
    /// The first event to trigger, to see a delivery arrive.
    pub first_event: String,
    /// Anything else worth knowing before the first delivery.
    #[serde(default)]
    pub notes: Vec<String>,
}

/// Who published the material a scheme was confirmed against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// The provider's own documentation or SDK.
    Official,
    /// Third-party material only (independent implementations, community write-ups).
    Community,
}

/// The expected shape of a provider's secret, for warnings when one is pasted.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretShape {
    /// Real secrets start with this (`whsec_`, `pdl_ntfset_`).
    #[serde(default)]
    pub prefix: Option<String>,
    /// Prefixes of other credentials often pasted by mistake, with what they are.
    #[serde(default)]
    pub wrong_prefixes: Vec<(String, String)>,
}

/// One complete signature scheme.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariantSpec {
    /// Short id shown beside the provider (`sha256`, `legacy-sha1`, `v3`).
    #[serde(default)]
    pub id: Option<String>,
    /// When this variant applies.
    #[serde(default)]
    pub detect: Detect,
    /// Where the signature is and how it is written.
    #[serde(default)]
    pub signature: SignatureSpec,
    /// Signed message template, e.g. `v0:{timestamp}:{body}`.
    #[serde(default = "default_message")]
    pub message: String,
    /// Other message templates the provider's own material gives for the same scheme (sources
    /// that disagree on the order): tried after `message`; the one that matched is reported.
    #[serde(default)]
    pub alt_messages: Vec<String>,
    pub algorithm: Algorithm,
    /// Key forms; several = any may verify (first one is used to sign).
    #[serde(default, deserialize_with = "one_or_many")]
    pub key: Vec<KeyForm>,
    #[serde(default)]
    pub timestamp: Option<TimestampSpec>,
    /// Header carrying a message id that is part of the signed message (`webhook-id`).
    #[serde(default)]
    pub id_header: Option<String>,
    /// Also accept the URL with/without the default port (Twilio).
    #[serde(default)]
    pub url_port_variants: bool,
    /// Query parameter that must equal the lowercase hex SHA-256 of the body (Twilio JSON).
    #[serde(default)]
    pub body_sha256_param: Option<String>,
    /// Headers that sign adds with fixed values (e.g. `x-hubspot-signature-version = "v2"`).
    #[serde(default)]
    pub fixed_headers: Vec<(String, String)>,
    /// JWS syntax: the claim that must equal the lowercase hex SHA-256 of the raw body.
    #[serde(default)]
    pub body_hash_claim: Option<String>,
    /// JWS syntax: claims that must hold these values (`[["iss", "netlify"]]`); sign writes them.
    #[serde(default)]
    pub claims: Vec<(String, String)>,
}

pub(super) fn default_message() -> String {
    "{body}".to_string()
}

fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<KeyForm>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(KeyForm),
        Many(Vec<KeyForm>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(k) => vec![k],
        OneOrMany::Many(v) => v,
    })
}

/// Conditions under which a variant applies. Every condition set must hold; the number of
/// conditions is the match's specificity (the most specific provider wins detection).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Detect {
    /// A header that must be present.
    #[serde(default)]
    pub header: Option<String>,
    /// The `header` value must start with this.
    #[serde(default)]
    pub prefix: Option<String>,
    /// Another header that must be present.
    #[serde(default)]
    pub sibling: Option<String>,
    /// The sibling's value must equal this (case-insensitive).
    #[serde(default)]
    pub sibling_value: Option<String>,
    /// A header that must be absent.
    #[serde(default)]
    pub absent: Option<String>,
    /// A query parameter that must be present.
    #[serde(default)]
    pub query_param: Option<String>,
    /// The body must be a JSON object with a value at this dotted path.
    #[serde(default)]
    pub json_path: Option<String>,
    /// The body must be a URL-encoded form with this field.
    #[serde(default)]
    pub form_field: Option<String>,
    /// The `user-agent` must contain this (case-insensitive).
    #[serde(default)]
    pub user_agent: Option<String>,
}

impl Detect {
    /// Number of conditions: how specific a match is.
    pub fn specificity(&self) -> usize {
        [
            self.header.is_some(),
            self.prefix.is_some(),
            self.sibling.is_some(),
            self.sibling_value.is_some(),
            self.absent.is_some(),
            self.query_param.is_some(),
            self.json_path.is_some(),
            self.form_field.is_some(),
            self.user_agent.is_some(),
        ]
        .iter()
        .filter(|b| **b)
        .count()
    }
}

/// Where the signature is and how its value is written.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignatureSpec {
    /// Header holding the signature.
    #[serde(default)]
    pub header: Option<String>,
    /// More headers that may each carry signatures (one per key during rotation): any entry of
    /// any of them verifying passes. A name ending in `*` stands for every header starting with
    /// the text before it (`x-docusign-signature-*`).
    #[serde(default)]
    pub extra_headers: Vec<String>,
    /// Or: dotted JSON path in the body (Mailgun).
    #[serde(default)]
    pub json_path: Option<String>,
    /// Or: a field of a URL-encoded form body (its decoded value).
    #[serde(default)]
    pub form_field: Option<String>,
    #[serde(default)]
    pub syntax: Syntax,
    /// Text before each signature (`sha256=`, `v0=`, `v1,`).
    #[serde(default)]
    pub prefix: String,
    /// Separator of list entries or key-value pairs (`,`, `;`, ` `, `, `), written as given by `sign`.
    #[serde(default)]
    pub separator: Option<String>,
    /// In key-value syntax: the key of signature entries (`v1`, `h1`); `*` takes every entry
    /// whatever its key (the key names the account, not the scheme).
    #[serde(default)]
    pub sig_key: Option<String>,
    /// In key-value syntax: what joins a key to its value (default `=`).
    #[serde(default)]
    pub pair_separator: Option<String>,
    /// In key-value syntax: the key of the timestamp (`t`, `ts`).
    #[serde(default)]
    pub ts_key: Option<String>,
    #[serde(default)]
    pub encoding: Encoding,
}

impl SignatureSpec {
    /// The separator as it is written (`,` when none is given).
    pub fn separator(&self) -> &str {
        self.separator.as_deref().unwrap_or(",")
    }

    /// What entries are split on when reading: the separator without its blanks (`, ` reads
    /// `a=1,b=2` too, as entries are trimmed), or the separator itself when it is all blank (` `).
    pub fn split_on(&self) -> &str {
        let sep = self.separator();
        match sep.trim() {
            "" => sep,
            core => core,
        }
    }
}

/// How a signature header is laid out.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Syntax {
    /// One signature: `prefix` + value.
    #[default]
    Plain,
    /// Several `prefix`+value entries split on `separator`; entries with another prefix are skipped.
    List,
    /// `key=value` pairs split on `separator`; signatures under `sig_key`, timestamp under `ts_key`.
    KeyValue,
    /// A compact JWS (`header.payload.signature`, base64url) after `prefix` (`Bearer `): the
    /// signed message is the token's own `header.payload`; the body is bound by
    /// `body_hash_claim`, the time by a `timestamp.claim`.
    Jws,
}

/// Text encoding of signature bytes.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Encoding {
    #[default]
    Hex,
    Base64,
    /// URL-safe base64 without padding (RFC 4648 §5).
    Base64url,
}

impl Encoding {
    /// Name shown to users.
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Hex => "hex",
            Encoding::Base64 => "base64",
            Encoding::Base64url => "base64url",
        }
    }
}

/// The algorithm that produces the signature.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Algorithm {
    HmacMd5,
    HmacSha1,
    HmacSha256,
    HmacSha512,
    /// Plain SHA-256 of the message (the template includes `{secret}`).
    Sha256,
    /// Ed25519 signature, verified with a public key.
    Ed25519,
    /// ECDSA P-256 with SHA-256 (DER signature), verified with a public key.
    EcdsaP256,
    /// The header carries the secret itself (GitLab token): constant-time equality.
    Token,
    /// Signed with a certificate fetched over the network (PayPal): reported `unverifiable`.
    #[serde(rename = "x509-certificate")]
    Certificate,
}

impl Confidence {
    /// The value as written in TOML and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Official => "official",
            Confidence::Community => "community",
        }
    }
}

impl Algorithm {
    /// Name shown to users (`hmac-sha256`).
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::HmacMd5 => "hmac-md5",
            Algorithm::HmacSha1 => "hmac-sha1",
            Algorithm::HmacSha256 => "hmac-sha256",
            Algorithm::HmacSha512 => "hmac-sha512",
            Algorithm::Sha256 => "sha256",
            Algorithm::Ed25519 => "ed25519",
            Algorithm::EcdsaP256 => "ecdsa-p256",
            Algorithm::Token => "token",
            Algorithm::Certificate => "x509-certificate",
        }
    }

    /// Public-key schemes can be verified but not signed.
    pub fn is_public_key(self) -> bool {
        matches!(self, Algorithm::Ed25519 | Algorithm::EcdsaP256)
    }

    /// The JWS `alg` name (RFC 7518) for the algorithms a JWS can be made with.
    pub fn jws_name(self) -> Option<&'static str> {
        match self {
            Algorithm::HmacSha256 => Some("HS256"),
            Algorithm::HmacSha512 => Some("HS512"),
            Algorithm::EcdsaP256 => Some("ES256"),
            Algorithm::Ed25519 => Some("EdDSA"),
            _ => None,
        }
    }
}

/// How the configured secret string becomes key bytes.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum KeyForm {
    /// The secret's UTF-8 bytes as they are (prefixes included).
    #[default]
    Utf8,
    /// Hex-decoded.
    Hex,
    /// Base64-decoded.
    Base64,
    /// Standard Webhooks: optional `whsec_` prefix stripped, rest base64-decoded (padding optional).
    Whsec,
    /// The SHA-1 digest of the secret's UTF-8 bytes.
    Sha1Digest,
    /// The SHA-256 digest of the secret's UTF-8 bytes.
    Sha256Digest,
    /// A public JSON Web Key (RFC 7517): EC P-256 (`x`, `y`) or OKP Ed25519 (`x`).
    Jwk,
}

impl KeyForm {
    /// Name shown to users.
    pub fn name(self) -> &'static str {
        match self {
            KeyForm::Utf8 => "utf8",
            KeyForm::Hex => "hex",
            KeyForm::Base64 => "base64",
            KeyForm::Whsec => "whsec",
            KeyForm::Sha1Digest => "sha1-digest",
            KeyForm::Sha256Digest => "sha256-digest",
            KeyForm::Jwk => "jwk",
        }
    }
}

/// Where the timestamp is and how it is judged.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimestampSpec {
    /// Header holding it.
    #[serde(default)]
    pub header: Option<String>,
    /// Or: taken from the signature header's `ts_key`.
    #[serde(default)]
    pub from_signature: bool,
    /// Or: dotted JSON path in the body.
    #[serde(default)]
    pub json_path: Option<String>,
    /// Or: a claim of the JWS the signature field carries (`iat`).
    #[serde(default)]
    pub claim: Option<String>,
    #[serde(default)]
    pub unit: TimeUnit,
    /// Allowed age in seconds; `None` = the provider applies none (skew is shown, never stale).
    #[serde(default)]
    pub tolerance_secs: Option<i64>,
    /// Reject timestamps ahead of the clock by more than the tolerance.
    #[serde(default)]
    pub reject_future: bool,
}

/// Unit of a timestamp value.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum TimeUnit {
    #[default]
    Seconds,
    Millis,
    Rfc3339,
}

/// A variant ready to use: the spec plus its parsed template.
#[derive(Clone, Debug)]
pub struct Variant {
    pub spec: VariantSpec,
    pub template: Template,
    /// `alt_messages`, parsed (same order).
    pub alt_templates: Vec<Template>,
}

impl Variant {
    /// Every message template: `message` first, then `alt_messages`.
    pub fn templates(&self) -> impl Iterator<Item = &Template> {
        std::iter::once(&self.template).chain(&self.alt_templates)
    }
}

/// A provider ready to use.
#[derive(Clone, Debug)]
pub struct Provider {
    pub name: String,
    pub title: String,
    /// Other accepted names, lower-case.
    pub aliases: Vec<String>,
    pub docs: Option<String>,
    pub source: Option<String>,
    pub confidence: Option<Confidence>,
    pub challenge: Option<ChallengeSpec>,
    pub unverifiable: Option<String>,
    pub secret: SecretShape,
    /// Only `https://` endpoints are accepted.
    pub https_only: bool,
    /// The setup card's text, when written.
    pub setup: Option<SetupSpec>,
    pub variants: Vec<Variant>,
    /// Whether it came from the user's config.
    pub custom: bool,
}

impl Provider {
    /// Build a provider from its spec, checking every field that can be wrong.
    pub fn from_spec(spec: ProviderSpec, custom: bool) -> Result<Self, String> {
        if spec.name.trim().is_empty() {
            return Err("name: must not be empty".into());
        }
        if spec.variants.is_empty() {
            return Err("variant: at least one [[variant]] is required".into());
        }
        let mut aliases: Vec<String> = Vec::new();
        for a in &spec.aliases {
            let a = a.trim().to_ascii_lowercase();
            if a.is_empty() || a.eq_ignore_ascii_case(&spec.name) || aliases.contains(&a) {
                return Err(format!(
                    "aliases: {a:?} is empty, the name itself or given twice"
                ));
            }
            aliases.push(a);
        }
        let variants = spec
            .variants
            .into_iter()
            .enumerate()
            .map(|(i, v)| super::variant_check::check_variant(i, v))
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(c) = &spec.challenge {
            c.check().map_err(|e| format!("challenge: {e}"))?;
        }
        Ok(Provider {
            title: spec.title.unwrap_or_else(|| spec.name.clone()),
            name: spec.name,
            aliases,
            docs: spec.docs,
            source: spec.source,
            confidence: spec.confidence,
            challenge: spec.challenge,
            unverifiable: spec.unverifiable,
            secret: spec.secret,
            https_only: spec.setup.as_ref().is_some_and(|s| s.https_only),
            setup: spec.setup,
            variants,
            custom,
        })
    }
}
