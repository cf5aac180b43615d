//! Replay a captured delivery to the user's app: as captured, or re-signed with a fresh
//! timestamp (and a new message id), optionally shifted to test the app's tolerance; then say
//! whose fault a rejection is.

use crate::checker::Checker;
use crate::delivery::{Delivery, ResponseRecord};
use crate::providers::scheme::Algorithm;
use crate::sign::{SignOptions, sign};
use crate::verify::{SigStatus, TsStatus, Verification};
use std::time::{Duration, Instant};

pub mod record;

/// How to replay.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Exactly the captured bytes and headers.
    AsCaptured,
    /// Signature recomputed with the current secret over a fresh timestamp (`now + shift_secs`).
    Resign { shift_secs: i64 },
}

/// Why a delivery cannot be replayed in the asked mode.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReplayError {
    #[error("{0}: replayed as captured only — {1}")]
    CannotResign(String, String),
    #[error("no provider recognised for this delivery: it can be replayed as captured only")]
    NoProvider,
    #[error("cannot re-sign: {0}")]
    Ambiguous(String),
    #[error("no secret for {0}: add one to re-sign")]
    NoSecret(String),
    #[error("cannot re-sign: {0}")]
    Sign(String),
    #[error("malformed target URL {0:?}: expected http(s)://host[:port]")]
    BadTarget(String),
    #[error("{0}")]
    Shift(String),
    #[error("cannot send it: {0}")]
    Unsendable(String),
}

/// What goes out: the request to send (its headers exactly as they go on the wire) and the URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prepared {
    pub request: Delivery,
    pub url: String,
    /// The request's headers as they are recorded: tokens masked (see `Checker::mask_tokens`).
    pub recorded_headers: Vec<(String, Vec<u8>)>,
}

/// Build the outgoing request for a target base URL (`http://localhost:3000`).
pub fn prepare(
    d: &Delivery,
    checker: &Checker,
    mode: Mode,
    target: &str,
    now: i64,
) -> Result<Prepared, ReplayError> {
    let base = target.trim_end_matches('/');
    if !(base.starts_with("http://") || base.starts_with("https://"))
        || base.split_once("://").is_none_or(|(_, h)| h.is_empty())
    {
        return Err(ReplayError::BadTarget(target.to_string()));
    }
    // A target with a path replaces the captured path (the user typed the full URL).
    let (origin, target_path) = split_origin(base);
    let mut out = d.clone();
    // A stored token is masked; as captured means with the configured token it stands for.
    checker.unmask_tokens(&mut out);
    if let Some(p) = target_path {
        let (path, query) = p.split_once('?').unwrap_or((p, ""));
        out.path = path.to_string();
        if !query.is_empty() {
            out.query = query.to_string();
        }
    }
    if let Mode::Resign { shift_secs } = mode {
        let pi = match checker.attribute(d) {
            None => return Err(ReplayError::NoProvider),
            // Ambiguous headers: the provider whose secret verified the original, if one did.
            Some(det) if det.is_ambiguous() => checker
                .check(d, d.received_at_ms.div_euclid(1000))
                .provider
                .and_then(|name| checker.registry().index_of(&name))
                .ok_or_else(|| {
                    ReplayError::Ambiguous(crate::ambiguity::ambiguous_hint(
                        &checker.candidates(&det),
                    ))
                })?,
            Some(det) => det.provider,
        };
        let provider = checker.registry().at(pi);
        let variant = crate::providers::select_variant(provider, d);
        let alg = variant.spec.algorithm;
        if alg.is_public_key() || alg == Algorithm::Certificate {
            let why = if alg == Algorithm::Certificate {
                "its certificate signature cannot be made offline".to_string()
            } else {
                format!(
                    "{} signs with a private key only the provider has",
                    provider.title
                )
            };
            return Err(ReplayError::CannotResign(provider.name.clone(), why));
        }
        let secret = checker
            .secrets_for(&provider.name)
            .first()
            .cloned()
            .ok_or_else(|| ReplayError::NoSecret(provider.name.clone()))?;
        // A fresh id for schemes that dedupe on one.
        let fresh_id = variant
            .spec
            .id_header
            .as_ref()
            .map(|_| crate::sign::new_message_id());
        // Remove what the signature is made of, so sign() decides everything anew.
        let s = &variant.spec;
        let mut drop: Vec<&str> = Vec::new();
        drop.extend(s.signature.header.as_deref());
        drop.extend(s.timestamp.as_ref().and_then(|t| t.header.as_deref()));
        drop.extend(s.id_header.as_deref());
        out.headers
            .retain(|(n, _)| !drop.iter().any(|h| h.eq_ignore_ascii_case(n)));
        if let Some(param) = &s.body_sha256_param {
            out.query = form_urlencoded::Serializer::new(String::new())
                .extend_pairs(
                    form_urlencoded::parse(out.query.as_bytes()).filter(|(k, _)| k != param),
                )
                .finish();
        }
        let public_url = checker
            .settings(&provider.name)
            .and_then(|x| x.public_url.clone());
        let signed = sign(
            &out,
            provider,
            &secret,
            &SignOptions {
                timestamp: crate::bounds::shifted(now, shift_secs).map_err(ReplayError::Shift)?,
                timestamp_text: None,
                id: fresh_id,
                base_url: Some(public_url.as_deref().unwrap_or(origin)),
                variant: s.id.as_deref(),
            },
        )
        .map_err(|e| ReplayError::Sign(e.to_string()))?;
        for (name, value) in signed.headers {
            // The name as the original spelled it, if it had that header.
            let name = d
                .headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(&name))
                .map_or(name, |(n, _)| n.clone());
            out.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(&name));
            out.headers.push((name, value.into_bytes()));
        }
        if let Some((path, value)) = signed.body_field.or(signed.form_field) {
            return Err(ReplayError::CannotResign(
                provider.name.clone(),
                format!("its signature lives in the body ({path}); edit the body to set {value}"),
            ));
        }
        let (path, query) = signed
            .path_and_query
            .split_once('?')
            .map(|(p, q)| (p.to_string(), q.to_string()))
            .unwrap_or((signed.path_and_query.clone(), String::new()));
        out.path = path;
        out.query = query;
    }
    let url = out
        .url_at(origin)
        .ok_or_else(|| ReplayError::BadTarget(target.to_string()))?;
    if !out.path.starts_with('/') {
        out.path.insert(0, '/');
    }
    // What goes on the wire: names and order as captured, host and length for the target.
    let authority = origin.split_once("://").map_or(origin, |(_, a)| a);
    out.headers = crate::outbound::wire_headers(&out.headers, authority, out.body.len())
        .map_err(ReplayError::Unsendable)?;
    let mut recorded = out.clone();
    checker.mask_tokens(&mut recorded);
    Ok(Prepared {
        request: out,
        url,
        recorded_headers: recorded.headers,
    })
}

fn split_origin(base: &str) -> (&str, Option<&str>) {
    let after = base.find("://").map_or(0, |i| i + 3);
    match base[after..].find('/') {
        Some(i) if base.len() > after + i + 1 => (&base[..after + i], Some(&base[after + i..])),
        Some(i) => (&base[..after + i], None),
        None => (base, None),
    }
}

/// Send a prepared request exactly (see [`crate::outbound`]), following redirects within the
/// same origin only; the answer (or the error) as a `ResponseRecord`.
pub async fn send(p: &Prepared, timeout: Duration) -> ResponseRecord {
    let started = Instant::now();
    let (origin, _) = split_origin(&p.url);
    let req = crate::outbound::Outgoing {
        method: p.request.method.clone(),
        origin: origin.to_string(),
        target: p.request.path_and_query(),
        headers: p.request.headers.clone(),
        body: p.request.body.clone(),
    };
    match crate::outbound::send_same_origin(req, timeout, ANSWER_LIMIT).await {
        Ok(answer) => ResponseRecord {
            status: answer.status.as_u16(),
            source: "app".into(),
            latency_ms: Some(started.elapsed().as_millis() as u64),
            error: None,
            headers: answer
                .headers
                .iter()
                .map(|(n, v)| {
                    (
                        n.as_str().to_string(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect(),
            body: String::from_utf8_lossy(&answer.body).into_owned(),
            rule: None,
        },
        Err(e) => error_record(e.to_string(), Some(started.elapsed().as_millis() as u64)),
    }
}

/// Most of an app's answer to a replay that is read and recorded.
pub const ANSWER_LIMIT: u64 = 64 * 1024;

fn error_record(error: String, latency_ms: Option<u64>) -> ResponseRecord {
    ResponseRecord {
        status: 0,
        source: "error".into(),
        latency_ms,
        error: Some(error),
        ..Default::default()
    }
}

/// Whose fault the outcome is: hookscope's view of what was sent (in `mode`), against the app's
/// answer. No answer at all (status 0) blames the connection: nothing reached the app.
pub fn blame(sent: &Verification, answer: &ResponseRecord, mode: Mode) -> Option<String> {
    if answer.status == 0 {
        let error = answer.error.as_deref().unwrap_or("");
        return Some(if error.starts_with("connection refused") {
            "the app never saw this replay: start it, or point the replay at where it listens (t)"
                .to_string()
        } else {
            "the app never answered this replay: nothing in hookscope's view of it is at fault"
                .to_string()
        });
    }
    let rejected = matches!(answer.status, 401 | 403);
    let accepted = (200..300).contains(&answer.status);
    let fp = sent.signature.secret_fingerprint.as_deref().unwrap_or("?");
    let stale = matches!(sent.timestamp.status, TsStatus::Stale | TsStatus::Future);
    let skew = sent.timestamp.skew_secs.unwrap_or(0).abs();
    let tolerance = sent.timestamp.tolerance_secs.unwrap_or(0);
    // A re-signed replay's timestamp is now plus the shift: stale only because of the shift.
    let shifted = match mode {
        Mode::Resign { shift_secs } if shift_secs != 0 => Some(shift_secs),
        _ => None,
    };
    match (sent.signature.status, rejected, accepted) {
        (SigStatus::Valid, true, _) if stale => Some(match shifted {
            Some(shift) => format!(
                "the app rejected a timestamp shifted {shift:+}s (tolerance {tolerance}s) — as it should: the shift you set caused it (+/- sets it back to 0)"
            ),
            None => format!(
                "the app rejected a timestamp {skew}s off (tolerance {tolerance}s) — as it should; replay re-signed (R) to send a fresh one"
            ),
        }),
        (SigStatus::Valid, true, _) if shifted.is_some() => Some(format!(
            "hookscope finds this signature valid (secret fp {fp}); the app answered {} to a timestamp shifted {:+}s — likely the shift you set: set it back to 0 (+/-) to tell",
            answer.status,
            shifted.unwrap_or(0)
        )),
        (SigStatus::Valid, true, _) => Some(format!(
            "hookscope finds this signature valid (secret fp {fp}) but the app answered {}: the fault is on the app's side — it likely hashes a re-serialized body instead of the raw bytes, or loaded another secret (compare its secret's fingerprint with {fp})",
            answer.status
        )),
        (SigStatus::Invalid | SigStatus::Malformed | SigStatus::Missing, true, _) => Some(
            "hookscope finds this signature invalid too: the secret configured here or the relay (proxy, tunnel) changed something — not your handler".to_string(),
        ),
        (SigStatus::Invalid | SigStatus::Malformed | SigStatus::Missing, _, true) => Some(format!(
            "the app accepted a request whose signature is {}: its signature check may be missing or disabled",
            sent.signature.status.as_str()
        )),
        (SigStatus::Valid, _, true) if stale => Some(match shifted {
            Some(shift) => format!(
                "the app accepted a timestamp shifted {shift:+}s, outside the {tolerance}s tolerance: it does not enforce a replay window"
            ),
            None => "the app accepted a stale timestamp: it does not enforce a replay window"
                .to_string(),
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_and_path_split() {
        assert_eq!(split_origin("http://a:3000"), ("http://a:3000", None));
        assert_eq!(split_origin("http://a:3000/"), ("http://a:3000", None));
        assert_eq!(
            split_origin("http://a/x/y?z=1"),
            ("http://a", Some("/x/y?z=1"))
        );
    }

    #[test]
    fn a_stored_path_is_always_sent_as_a_path() {
        let c = Checker::builtin();
        for (path, want) in [
            (
                "@127.0.0.1:47102/x",
                "http://127.0.0.1:47101/@127.0.0.1:47102/x",
            ),
            ("//evil.example/x", "http://127.0.0.1:47101//evil.example/x"),
            ("/ok", "http://127.0.0.1:47101/ok"),
        ] {
            let d = Delivery {
                path: path.into(),
                ..Default::default()
            };
            let p = prepare(&d, &c, Mode::AsCaptured, "http://127.0.0.1:47101", 0).unwrap();
            assert_eq!(p.url, want);
            assert!(p.request.path.starts_with('/'));
        }
    }

    #[test]
    fn bad_targets_are_refused() {
        let c = Checker::builtin();
        let d = Delivery::default();
        for t in ["localhost:3000", "ftp://x", "http://"] {
            assert!(
                matches!(
                    prepare(&d, &c, Mode::AsCaptured, t, 0),
                    Err(ReplayError::BadTarget(_))
                ),
                "{t}"
            );
        }
    }
}
