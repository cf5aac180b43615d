//! `verify()`: a pure function from (request, scheme, secrets, now) to a `Verification`.
//! No clock reads and no I/O; signatures are compared in constant time.

use crate::crypto::{self, ct_eq};
use crate::delivery::Delivery;
use crate::diagnose;
use crate::providers::scheme::{
    Algorithm, Confidence, Provider, Syntax, TimeUnit, TimestampSpec, Variant,
};
use crate::providers::select_variant;
use crate::providers::template::{RenderError, RenderInput, Template};
use crate::secret::Secret;
pub(crate) use crate::sig_field::ParsedSig;
use crate::sig_field::{SigField, parse_signature, timestamp_raw};
use serde::{Deserialize, Serialize};

/// Everything `verify` needs besides the request, the scheme and the secrets.
#[derive(Clone, Debug, Default)]
pub struct Context<'a> {
    /// Current time, unix seconds.
    pub now: i64,
    /// `scheme://host[:port]` the sender used, for URL-signing schemes (else inferred from `Host`).
    pub base_url: Option<&'a str>,
    /// Overrides the scheme's default tolerance.
    pub tolerance_secs: Option<i64>,
    /// Other providers' secrets, tried by the diagnosis ("signed with zoom's secret").
    pub other_secrets: &'a [(String, Vec<Secret>)],
}

/// Result of checking one request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Verification {
    pub provider: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    pub detected_by: Option<String>,
    pub signature: SignatureCheck,
    pub timestamp: TimestampCheck,
    pub verdict: Verdict,
    pub hints: Vec<String>,
    /// Whose material the scheme was confirmed against (`community`: third parties only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<Confidence>,
    /// Providers whose schemes the headers match equally (empty unless ambiguous).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ambiguous: Vec<String>,
    /// The signed message as hookscope built it (`{secret}` masked), for display.
    #[serde(skip)]
    pub signed_preview: Option<Vec<u8>>,
    /// Lower-case names of the headers the scheme reads.
    #[serde(skip)]
    pub used_headers: Vec<String>,
}

/// The signature half of a verification.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureCheck {
    pub status: SigStatus,
    pub scheme: Option<String>,
    /// The signature field exactly as received.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub received: Option<String>,
    /// What hookscope computes, in the provider's own format (omitted without a secret).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub computed: Option<String>,
    /// Fingerprint of the secret that matched (or was used to compute).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_fingerprint: Option<String>,
    /// 1-based position of the matching secret among the candidates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_index: Option<usize>,
}

/// Signature status names of the headless JSON lines (README, "Headless output").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SigStatus {
    Valid,
    Invalid,
    NoSecret,
    Missing,
    Malformed,
    Unverifiable,
    #[default]
    NotApplicable,
}

impl SigStatus {
    /// The status as written in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            SigStatus::Valid => "valid",
            SigStatus::Invalid => "invalid",
            SigStatus::NoSecret => "no_secret",
            SigStatus::Missing => "missing",
            SigStatus::Malformed => "malformed",
            SigStatus::Unverifiable => "unverifiable",
            SigStatus::NotApplicable => "not_applicable",
        }
    }
}

/// The timestamp half of a verification.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimestampCheck {
    pub status: TsStatus,
    /// Unix seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<i64>,
    /// `value - now`: negative = in the past.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skew_secs: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tolerance_secs: Option<i64>,
}

/// Timestamp status names of the headless JSON lines (README, "Headless output").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TsStatus {
    Fresh,
    Stale,
    Future,
    Missing,
    Malformed,
    #[default]
    NotApplicable,
}

impl TsStatus {
    /// The status as written in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            TsStatus::Fresh => "fresh",
            TsStatus::Stale => "stale",
            TsStatus::Future => "future",
            TsStatus::Missing => "missing",
            TsStatus::Malformed => "malformed",
            TsStatus::NotApplicable => "not_applicable",
        }
    }
}

/// Overall verdict.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Verified,
    Failed,
    #[default]
    Unverified,
}

impl Verdict {
    /// The verdict as written in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Verified => "verified",
            Verdict::Failed => "failed",
            Verdict::Unverified => "unverified",
        }
    }
}

impl Verification {
    /// The result for a request no provider claims.
    pub fn no_provider() -> Self {
        Verification {
            provider: None,
            variant: None,
            detected_by: None,
            signature: SignatureCheck::default(),
            timestamp: TimestampCheck::default(),
            verdict: Verdict::Unverified,
            hints: Vec::new(),
            confidence: None,
            ambiguous: Vec::new(),
            signed_preview: None,
            used_headers: Vec::new(),
        }
    }
}

/// What the diagnosis needs to rebuild messages.
pub(crate) struct Prepared<'a> {
    pub d: &'a Delivery,
    pub v: &'a Variant,
    pub provider: &'a Provider,
    pub sig: ParsedSig,
    pub ts_raw: Option<String>,
    pub urls: Vec<String>,
}

impl Prepared<'_> {
    /// Build the signed message for a body, URL and secret bytes.
    pub fn message(
        &self,
        body: &[u8],
        url: Option<&str>,
        secret: &[u8],
        masked: bool,
    ) -> Result<Vec<u8>, RenderError> {
        self.message_with(&self.v.template, body, url, secret, masked)
    }

    /// Build the signed message with one of the variant's templates. A JWS signs its own
    /// `header.payload`, whatever the template.
    pub fn message_with(
        &self,
        template: &Template,
        body: &[u8],
        url: Option<&str>,
        secret: &[u8],
        masked: bool,
    ) -> Result<Vec<u8>, RenderError> {
        if let Some(t) = &self.sig.jws {
            return Ok(t.signing_input.clone().into_bytes());
        }
        let d = self.d;
        let header = |name: &str| d.header(name);
        let id = self.v.spec.id_header.as_deref().and_then(|h| d.header(h));
        let path_and_query = d.path_and_query();
        let input = RenderInput {
            body,
            timestamp: self.ts_raw.as_deref(),
            id,
            header: &header,
            method: &d.method,
            url,
            path_and_query: &path_and_query,
            secret,
        };
        if masked {
            template.render_masked(&input)
        } else {
            template.render(&input)
        }
    }

    /// Whether `key` over `msg` matches any received entry (`entries` decoded with `alg`'s rules).
    pub fn matches(alg: Algorithm, key: &[u8], msg: &[u8], entries: &[Vec<u8>]) -> bool {
        if alg.is_public_key() {
            return entries
                .iter()
                .any(|e| crypto::verify_public(alg, key, msg, e).unwrap_or(false));
        }
        crypto::compute(alg, key, msg).is_some_and(|mac| Self::any_equal(&mac, entries))
    }

    /// Whether a computed MAC equals any received entry, in constant time per entry.
    pub fn any_equal(mac: &[u8], entries: &[Vec<u8>]) -> bool {
        let mut any = false;
        for e in entries {
            // Keep comparing after a match: the time taken does not depend on which entry matched.
            any |= ct_eq(mac, e);
        }
        any
    }

    /// Format a computed signature the way the provider writes its header.
    pub fn format(&self, sig: &[u8]) -> String {
        let s = &self.v.spec.signature;
        let enc = crypto::encode_sig(s.encoding, sig);
        match s.syntax {
            Syntax::Plain | Syntax::List => format!("{}{}", s.prefix, enc),
            Syntax::Jws => {
                let input = self
                    .sig
                    .jws
                    .as_ref()
                    .map_or("", |t| t.signing_input.as_str());
                let enc = crypto::encode_sig(crate::providers::scheme::Encoding::Base64url, sig);
                format!("{}{input}.{enc}", s.prefix)
            }
            Syntax::KeyValue => {
                let sep = s.separator();
                let pair = s.pair_separator.as_deref().unwrap_or("=");
                let sig_key = s.sig_key.as_deref().unwrap_or("v1");
                match (&s.ts_key, &self.ts_raw) {
                    (Some(k), Some(ts)) => format!("{k}{pair}{ts}{sep}{sig_key}{pair}{enc}"),
                    _ => format!("{sig_key}{pair}{enc}"),
                }
            }
        }
    }
}

/// Check a request against a provider's scheme with candidate secrets, tried in order.
pub fn verify(
    d: &Delivery,
    provider: &Provider,
    secrets: &[Secret],
    ctx: &Context<'_>,
) -> Verification {
    let v = select_variant(provider, d);
    let spec = &v.spec;
    let mut out = Verification::no_provider();
    out.provider = Some(provider.name.clone());
    out.confidence = provider.confidence;
    out.variant = spec.id.clone();
    out.signature.scheme = Some(spec.algorithm.name().to_string());
    out.used_headers = used_headers(v);

    let sig_field = parse_signature(d, v);
    let ts_raw = match &spec.timestamp {
        Some(ts) => timestamp_raw(d, ts, &sig_field),
        None => None,
    };
    out.timestamp = check_timestamp(spec.timestamp.as_ref(), ts_raw.as_deref(), ctx);

    if spec.algorithm == Algorithm::Certificate {
        out.signature.status = SigStatus::Unverifiable;
        if let SigField::Parsed(p) = &sig_field {
            out.signature.received = Some(p.raw.clone());
        }
        out.hints.push(
            provider
                .unverifiable
                .clone()
                .unwrap_or_else(|| "this scheme cannot be verified offline".into()),
        );
        return finish(out);
    }

    let sig = match sig_field {
        SigField::Missing => {
            out.signature.status = SigStatus::Missing;
            let field = spec
                .signature
                .header
                .as_deref()
                .map(|h| format!("header {h}"))
                .or_else(|| {
                    spec.signature
                        .json_path
                        .as_deref()
                        .map(|p| format!("body field {p}"))
                })
                .or_else(|| {
                    spec.signature
                        .form_field
                        .as_deref()
                        .map(|f| format!("form field {f}"))
                })
                .unwrap_or_default();
            out.hints.push(format!(
                "the {field} that {} signs with is absent",
                provider.title
            ));
            return finish(out);
        }
        SigField::Malformed(raw, why, _) => {
            out.signature.status = SigStatus::Malformed;
            out.signature.received = Some(raw);
            out.hints.push(why);
            return finish(out);
        }
        SigField::Parsed(p) => p,
    };
    out.signature.received = Some(if spec.algorithm == Algorithm::Token {
        crate::secret::Secret::new(sig.raw.clone()).masked()
    } else {
        sig.raw.clone()
    });

    let urls = if v.template.uses_url() {
        let base = ctx
            .base_url
            .map(str::to_string)
            .or_else(|| d.inferred_base_url());
        match base {
            Some(base) => url_candidates(&base, d, spec.url_port_variants),
            None => {
                out.signature.status = SigStatus::Unverifiable;
                out.hints.push(format!(
                    "{} signs the URL the sender used; set public_url for it (or pass --url)",
                    provider.title
                ));
                return finish(out);
            }
        }
    } else {
        Vec::new()
    };
    let prepared = Prepared {
        d,
        v,
        provider,
        sig,
        ts_raw,
        urls,
    };

    if secrets.is_empty() {
        out.signature.status = SigStatus::NoSecret;
        out.signed_preview = prepared
            .message(
                &d.body,
                prepared.urls.first().map(String::as_str),
                b"",
                true,
            )
            .ok();
        out.hints.push(format!(
            "no secret configured for {}: add one (s in the dashboard, --secret, or HOOKSCOPE_SECRET_{})",
            provider.name,
            env_name(&provider.name)
        ));
        return finish(out);
    }

    let outcome = check_secrets(&prepared, secrets);
    for h in &outcome.key_errors {
        out.hints.push(h.clone());
    }
    if let Some(err) = &outcome.render_error {
        out.hints
            .push(format!("the signed message cannot be built: {err}"));
    }
    out.signature.computed = outcome.computed;
    out.signed_preview = outcome.preview;
    out.signature.secret_fingerprint = outcome.fingerprint;
    match outcome.matched {
        Some(i) => {
            out.signature.status = SigStatus::Valid;
            out.signature.secret_index = Some(i + 1);
            if i > 0 {
                out.hints.push(format!(
                    "verified with secret #{} of {} (fp {}); the earlier ones did not match",
                    i + 1,
                    secrets.len(),
                    secrets[i].fingerprint()
                ));
            }
            if let Some(t) = outcome.matched_template.filter(|t| *t > 0) {
                out.hints.push(format!(
                    "signed as {:?} (another form {}'s own material gives), not as the documented {:?}",
                    v.spec.alt_messages[t - 1],
                    provider.title,
                    v.spec.message
                ));
            }
            let problems = binding_problems(&prepared);
            if !problems.is_empty() {
                out.signature.status = SigStatus::Invalid;
                out.hints.extend(problems);
            }
        }
        None => {
            out.signature.status = SigStatus::Invalid;
            let found = diagnose::diagnose(&prepared, secrets, ctx);
            if found.is_empty() {
                out.hints.push(diagnose::no_match(secrets));
            }
            out.hints.extend(found);
            out.hints.extend(binding_problems(&prepared));
        }
    }
    finish(out)
}

/// What trying every candidate secret found.
struct SecretOutcome {
    matched: Option<usize>,
    /// Which template matched: 0 = `message`, n = `alt_messages[n - 1]`.
    matched_template: Option<usize>,
    computed: Option<String>,
    fingerprint: Option<String>,
    preview: Option<Vec<u8>>,
    key_errors: Vec<String>,
    render_error: Option<RenderError>,
}

fn check_secrets(p: &Prepared<'_>, secrets: &[Secret]) -> SecretOutcome {
    let spec = &p.v.spec;
    let alg = spec.algorithm;
    let mut out = SecretOutcome {
        matched: None,
        matched_template: None,
        computed: None,
        fingerprint: None,
        preview: None,
        key_errors: Vec::new(),
        render_error: None,
    };
    let urls: Vec<Option<&str>> = if p.urls.is_empty() {
        vec![None]
    } else {
        p.urls.iter().map(|u| Some(u.as_str())).collect()
    };
    for (i, secret) in secrets.iter().enumerate() {
        for form in &spec.key {
            let key = match crypto::decode_key(secret.expose(), *form) {
                Ok(k) => k,
                Err(e) => {
                    if spec.key.len() == 1 {
                        out.key_errors.push(format!(
                            "secret #{} (fp {}) cannot be used by {}: {e}",
                            i + 1,
                            secret.fingerprint(),
                            p.provider.name
                        ));
                    }
                    continue;
                }
            };
            for (ti, template) in p.v.templates().enumerate() {
                for url in &urls {
                    let msg = match p.message_with(template, &p.d.body, *url, &key, false) {
                        Ok(m) => m,
                        Err(e) => {
                            out.render_error = Some(e);
                            return out;
                        }
                    };
                    // One MAC per candidate: it decides the match and is shown as `computed`.
                    let mac = match alg {
                        Algorithm::Token => None,
                        a if a.is_public_key() => None,
                        a => crypto::compute(a, &key, &msg),
                    };
                    let hit = match (&mac, alg) {
                        (_, Algorithm::Token) => Prepared::any_equal(&key, &p.sig.entries),
                        (Some(mac), _) => Prepared::any_equal(mac, &p.sig.entries),
                        (None, _) => Prepared::matches(alg, &key, &msg, &p.sig.entries),
                    };
                    if hit || out.fingerprint.is_none() {
                        out.fingerprint = Some(secret.fingerprint());
                        out.computed = match (&mac, alg) {
                            (_, Algorithm::Token) => {
                                Some(format!("token with fp {}", secret.fingerprint()))
                            }
                            (Some(mac), _) => Some(p.format(mac)),
                            (None, _) => None,
                        };
                        out.preview = if template.uses_secret() {
                            p.message_with(template, &p.d.body, *url, &key, true).ok()
                        } else {
                            Some(msg)
                        };
                    }
                    if hit {
                        out.matched = Some(i);
                        out.matched_template = Some(ti);
                        return out;
                    }
                }
            }
        }
    }
    out
}

/// What binds the body (or more) to a signature that does not cover it: the `bodySHA256`
/// query value (Twilio JSON), a JWS's body-hash and fixed claims.
fn binding_problems(p: &Prepared<'_>) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(param) = p.v.spec.body_sha256_param.as_deref()
        && let Some(sent) = form_urlencoded::parse(p.d.query.as_bytes())
            .find(|(k, _)| k == param)
            .map(|(_, v)| v.into_owned())
    {
        let actual = crypto::sha256_hex(&p.d.body);
        if !sent.eq_ignore_ascii_case(&actual) {
            out.push(format!("the {param} query value does not match the body's SHA-256 ({actual}): the body changed after signing"));
        }
    }
    if let Some(t) = &p.sig.jws {
        out.extend(t.claim_problems(&p.v.spec, &p.d.body));
    }
    out
}

/// Candidate full URLs: `base + path?query`, and with/without the default port when asked.
pub(crate) fn url_candidates(base: &str, d: &Delivery, port_variants: bool) -> Vec<String> {
    let url = format!("{}{}", base.trim_end_matches('/'), d.path_and_query());
    let mut out = vec![url.clone()];
    if port_variants && let Some(alt) = toggle_default_port(&url) {
        out.push(alt);
    }
    out
}

/// The same URL with the scheme's default port added (or removed when present).
pub(crate) fn toggle_default_port(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let default = match scheme {
        "https" => "443",
        "http" => "80",
        _ => return None,
    };
    let host_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (host, tail) = rest.split_at(host_end);
    let suffix = format!(":{default}");
    let host = match host.strip_suffix(&suffix) {
        Some(h) => h.to_string(),
        None if !host.contains(':') || host.ends_with(']') => format!("{host}{suffix}"),
        None => return None,
    };
    Some(format!("{scheme}://{host}{tail}"))
}

fn finish(mut out: Verification) -> Verification {
    use SigStatus as S;
    use TsStatus as T;
    out.verdict = match (out.signature.status, out.timestamp.status) {
        (S::Invalid | S::Malformed | S::Missing, _) => Verdict::Failed,
        (_, T::Stale | T::Future | T::Missing | T::Malformed)
            if out.signature.status != S::NotApplicable =>
        {
            Verdict::Failed
        }
        (S::Valid, _) => Verdict::Verified,
        _ => Verdict::Unverified,
    };
    match out.timestamp.status {
        T::Stale => out.hints.push(format!(
            "the timestamp is {}s old, beyond the {}s tolerance: a replay of it would be rejected",
            out.timestamp.skew_secs.unwrap_or(0).unsigned_abs(),
            out.timestamp.tolerance_secs.unwrap_or(0)
        )),
        T::Future => out.hints.push(format!(
            "the timestamp is {}s in the future, beyond the {}s tolerance: check the sender's clock",
            out.timestamp.skew_secs.unwrap_or(0),
            out.timestamp.tolerance_secs.unwrap_or(0)
        )),
        T::Missing => out
            .hints
            .push("the timestamp the scheme signs is absent".to_string()),
        T::Malformed => out
            .hints
            .push("the timestamp cannot be read as a time".to_string()),
        _ => {}
    }
    out
}

/// Parse a timestamp value in a unit into unix seconds.
pub fn parse_timestamp(raw: &str, unit: TimeUnit) -> Option<i64> {
    let raw = raw.trim();
    match unit {
        TimeUnit::Seconds => raw.parse::<i64>().ok(),
        TimeUnit::Millis => raw.parse::<i64>().ok().map(|ms| ms.div_euclid(1000)),
        TimeUnit::Rfc3339 => raw.parse::<jiff::Timestamp>().ok().map(|t| t.as_second()),
    }
}

/// Write unix seconds in a unit, as a provider would send it.
pub fn format_timestamp(secs: i64, unit: TimeUnit) -> String {
    match unit {
        TimeUnit::Seconds => secs.to_string(),
        TimeUnit::Millis => (secs * 1000).to_string(),
        TimeUnit::Rfc3339 => jiff::Timestamp::from_second(secs)
            .map(|t| t.to_string())
            .unwrap_or_else(|_| secs.to_string()),
    }
}

fn check_timestamp(
    spec: Option<&TimestampSpec>,
    raw: Option<&str>,
    ctx: &Context<'_>,
) -> TimestampCheck {
    let Some(spec) = spec else {
        return TimestampCheck::default();
    };
    let tolerance = ctx.tolerance_secs.or(spec.tolerance_secs);
    let mut out = TimestampCheck {
        tolerance_secs: tolerance,
        ..Default::default()
    };
    let Some(raw) = raw else {
        out.status = TsStatus::Missing;
        return out;
    };
    let Some(value) = parse_timestamp(raw, spec.unit) else {
        out.status = TsStatus::Malformed;
        return out;
    };
    let skew = value.saturating_sub(ctx.now);
    out.value = Some(value);
    out.skew_secs = Some(skew);
    out.status = match tolerance {
        // Not `-skew > tol`: `-i64::MIN` overflows (a sender can send that timestamp).
        Some(tol) if skew < tol.saturating_neg() => TsStatus::Stale,
        Some(tol) if spec.reject_future && skew > tol => TsStatus::Future,
        _ => TsStatus::Fresh,
    };
    out
}

fn used_headers(v: &Variant) -> Vec<String> {
    let spec = &v.spec;
    let mut out: Vec<String> = Vec::new();
    out.extend(spec.signature.header.clone());
    out.extend(
        spec.signature
            .extra_headers
            .iter()
            .filter(|h| !h.ends_with('*'))
            .cloned(),
    );
    out.extend(spec.timestamp.as_ref().and_then(|t| t.header.clone()));
    out.extend(spec.id_header.clone());
    for t in v.templates().flat_map(|t| &t.tokens) {
        use crate::providers::template::Token;
        if let Token::Header(h) | Token::SignedHeaders(h) = t {
            out.push(h.clone());
        }
    }
    out.extend(spec.detect.sibling.clone());
    out.sort();
    out.dedup();
    out
}

/// `HOOKSCOPE_SECRET_<NAME>` suffix for a provider name.
pub fn env_name(provider: &str) -> String {
    provider.to_ascii_uppercase().replace('-', "_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_port_toggles() {
        assert_eq!(
            toggle_default_port("https://a.com/x?y=1").as_deref(),
            Some("https://a.com:443/x?y=1")
        );
        assert_eq!(
            toggle_default_port("http://a.com:80/x").as_deref(),
            Some("http://a.com/x")
        );
        assert_eq!(toggle_default_port("http://a.com:8080/x"), None);
    }

    #[test]
    fn timestamps_parse_in_each_unit() {
        assert_eq!(
            parse_timestamp(" 1700000000 ", TimeUnit::Seconds),
            Some(1_700_000_000)
        );
        assert_eq!(
            parse_timestamp("1700000000999", TimeUnit::Millis),
            Some(1_700_000_000)
        );
        assert_eq!(
            parse_timestamp("2025-01-01T00:00:00.123456789Z", TimeUnit::Rfc3339),
            Some(1_735_689_600)
        );
        assert_eq!(parse_timestamp("soon", TimeUnit::Seconds), None);
        assert_eq!(
            format_timestamp(1_735_689_600, TimeUnit::Rfc3339),
            "2025-01-01T00:00:00Z"
        );
        assert_eq!(format_timestamp(2, TimeUnit::Millis), "2000");
    }

    #[test]
    fn a_malformed_signature_still_reports_the_timestamp_beside_it() {
        let now = 1_763_805_600;
        let d = Delivery {
            method: "POST".into(),
            path: "/hooks".into(),
            headers: vec![(
                "stripe-signature".into(),
                format!("t={},v1=not-hex", now - 10).into_bytes(),
            )],
            body: bytes::Bytes::from_static(b"{}"),
            body_size: 2,
            ..Default::default()
        };
        let reg = crate::providers::Registry::builtin();
        let ctx = Context {
            now,
            ..Default::default()
        };
        let v = verify(&d, reg.get("stripe").unwrap(), &[], &ctx);
        assert_eq!(v.signature.status, SigStatus::Malformed);
        assert_eq!(v.timestamp.status, TsStatus::Fresh);
        assert_eq!(v.timestamp.skew_secs, Some(-10));
        assert!(
            v.hints.iter().all(|h| !h.contains("absent")),
            "{:?}",
            v.hints
        );
        assert_eq!(v.verdict, Verdict::Failed);
    }
}
