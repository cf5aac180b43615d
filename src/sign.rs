//! `sign()`: the inverse of `verify` for every symmetric scheme — the exact headers a provider
//! would send for a body, secret, timestamp and id.

use crate::crypto;
use crate::delivery::Delivery;
use crate::providers::scheme::{Algorithm, Provider, Syntax, TimeUnit, Variant};
use crate::providers::template::json_body_text;
use crate::secret::Secret;
use crate::verify::{ParsedSig, Prepared, format_timestamp, url_candidates};

/// What to sign besides the request itself.
#[derive(Clone, Debug, Default)]
pub struct SignOptions<'a> {
    /// Unix seconds.
    pub timestamp: i64,
    /// The timestamp text as given (RFC 3339 with nanoseconds): used verbatim by RFC 3339
    /// schemes; numeric schemes use `timestamp` in their unit.
    pub timestamp_text: Option<String>,
    /// Message id for schemes that sign one (`webhook-id`); generated when absent.
    pub id: Option<String>,
    /// `scheme://host[:port]` for URL-signing schemes (else inferred from `Host`).
    pub base_url: Option<&'a str>,
    /// Variant id (`legacy-sha1`, `v2`, `json`); default: the one the request matches.
    pub variant: Option<&'a str>,
}

/// The result of signing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signed {
    /// Headers to add, in the order a provider sends them.
    pub headers: Vec<(String, String)>,
    /// For schemes that carry the signature in a JSON body: (JSON path, value).
    pub body_field: Option<(String, String)>,
    /// For schemes that carry the signature in a form body: (field name, value).
    pub form_field: Option<(String, String)>,
    /// The path and query to send to, when signing changed it (Twilio JSON adds `bodySHA256`).
    pub path_and_query: String,
}

/// Why a request cannot be signed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    #[error(
        "{0} signs with a private key (public-key scheme): hookscope can verify it but not sign it"
    )]
    PublicKey(String),
    #[error("{0}")]
    Unverifiable(String),
    #[error("{provider} has no variant {variant:?} (variants: {known})")]
    UnknownVariant {
        provider: String,
        variant: String,
        known: String,
    },
    #[error("the secret cannot be used by {0}: {1}")]
    Key(String, crypto::KeyError),
    #[error("the signed message cannot be built: {0}")]
    Message(String),
}

/// Sign a request for a provider; `d` holds method, path, query, extra headers and the body.
pub fn sign(
    d: &Delivery,
    provider: &Provider,
    secret: &Secret,
    opts: &SignOptions<'_>,
) -> Result<Signed, SignError> {
    let v = choose_variant(provider, d, opts.variant)?;
    let spec = &v.spec;
    match spec.algorithm {
        a if a.is_public_key() => return Err(SignError::PublicKey(provider.name.clone())),
        Algorithm::Certificate => {
            return Err(SignError::Unverifiable(
                provider
                    .unverifiable
                    .clone()
                    .unwrap_or_else(|| format!("{} cannot be signed offline", provider.name)),
            ));
        }
        _ => {}
    }
    let mut req = d.clone();
    let mut headers = Vec::new();
    let mut set = |req: &mut Delivery, name: &str, value: String| {
        req.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        req.headers
            .push((name.to_ascii_lowercase(), value.clone().into_bytes()));
        headers.push((name.to_string(), value));
    };

    let mut ts_raw = None;
    if let Some(ts) = &spec.timestamp {
        if let Some(path) = &ts.json_path {
            ts_raw = json_body_text(&req.body, path);
        } else if ts.claim.is_some() {
            // Written into the token's claims below.
            ts_raw = Some(opts.timestamp.to_string());
        } else {
            // Exact text only where the provider writes RFC 3339 (Twitch keeps nanoseconds);
            // numeric schemes always get the number in their unit.
            let value = match (&opts.timestamp_text, ts.unit) {
                (Some(text), TimeUnit::Rfc3339) => text.clone(),
                _ => format_timestamp(opts.timestamp, ts.unit),
            };
            if let Some(h) = &ts.header {
                set(&mut req, h, value.clone());
            }
            ts_raw = Some(value);
        }
    }
    if let Some(h) = &spec.id_header {
        let id = opts
            .id
            .clone()
            .or_else(|| req.header_str(h).map(str::to_string))
            .unwrap_or_else(new_message_id);
        set(&mut req, h, id);
    }
    for (name, value) in &spec.fixed_headers {
        set(&mut req, name, value.clone());
    }
    if let Some(param) = &spec.body_sha256_param
        && !req.has_query_param(param)
    {
        let hash = crypto::sha256_hex(&req.body);
        let sep = if req.query.is_empty() { "" } else { "&" };
        req.query = format!("{}{sep}{param}={hash}", req.query);
    }

    let key = crypto::decode_key(secret.expose(), spec.key[0])
        .map_err(|e| SignError::Key(provider.name.clone(), e))?;
    let urls = if v.template.uses_url() {
        let base = opts
            .base_url
            .map(str::to_string)
            .or_else(|| req.inferred_base_url())
            .ok_or_else(|| {
                SignError::Message(format!("{} signs the URL: pass --url", provider.name))
            })?;
        url_candidates(&base, &req, false)
    } else {
        Vec::new()
    };
    let mut sig = ParsedSig::empty();
    if spec.signature.syntax == Syntax::Jws {
        let claims = crate::jws::claims_for(spec, &req.body, opts.timestamp);
        let signing_input = crate::jws::signing_input(spec.algorithm, &claims);
        sig.jws = Some(Box::new(crate::jws::Token {
            signing_input,
            header: serde_json::Value::Null,
            claims,
            signature_text: String::new(),
        }));
    }
    let prepared = Prepared {
        d: &req,
        v,
        provider,
        sig,
        ts_raw,
        urls,
    };
    let msg = prepared
        .message(
            &req.body,
            prepared.urls.first().map(String::as_str),
            &key,
            false,
        )
        .map_err(|e| SignError::Message(e.to_string()))?;
    let sig = crypto::compute(spec.algorithm, &key, &msg).expect("symmetric algorithm");
    let value = if spec.algorithm == Algorithm::Token {
        secret.expose().to_string()
    } else {
        prepared.format(&sig)
    };
    let (mut body_field, mut form_field) = (None, None);
    let s = &spec.signature;
    match (&s.header, &s.json_path, &s.form_field) {
        (Some(h), _, _) => headers.push((h.clone(), value)),
        (None, Some(path), _) => body_field = Some((path.clone(), value)),
        (None, None, Some(f)) => form_field = Some((f.clone(), value)),
        (None, None, None) => {}
    }
    Ok(Signed {
        headers,
        body_field,
        form_field,
        path_and_query: req.path_and_query(),
    })
}

fn choose_variant<'p>(
    p: &'p Provider,
    d: &Delivery,
    wanted: Option<&str>,
) -> Result<&'p Variant, SignError> {
    if let Some(w) = wanted {
        return p
            .variants
            .iter()
            .find(|v| v.spec.id.as_deref() == Some(w))
            .ok_or_else(|| SignError::UnknownVariant {
                provider: p.name.clone(),
                variant: w.to_string(),
                known: p
                    .variants
                    .iter()
                    .filter_map(|v| v.spec.id.clone())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
    }
    // A request being signed has no signature header yet: judge the other conditions only.
    Ok(p.variants
        .iter()
        .find(|v| {
            let det = &v.spec.detect;
            det.query_param
                .as_ref()
                .is_none_or(|q| d.has_query_param(q))
                && det
                    .sibling
                    .as_ref()
                    .is_none_or(|s| match &det.sibling_value {
                        Some(want) => d
                            .header_str(s)
                            .is_some_and(|x| x.trim().eq_ignore_ascii_case(want)),
                        None => d.has_header(s),
                    })
        })
        .unwrap_or(&p.variants[0]))
}

/// A fresh Standard Webhooks style message id.
pub fn new_message_id() -> String {
    let n: u128 = (u128::from(fastrand::u64(..)) << 64) | u128::from(fastrand::u64(..));
    let alphabet = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut x = n;
    let mut s = String::from("msg_");
    for _ in 0..22 {
        s.push(alphabet[(x % 62) as usize] as char);
        x /= 62;
    }
    s
}
