//! `hookscope verify`: exit 0 verified, 1 not verified, 2 usage or input error.

use super::CliError;
use super::request;
use crate::ambiguity::{ambiguous_hint, and_list, settle};
use crate::cli::VerifyArgs;
use crate::providers::scheme::{Confidence, Provider};
use crate::secret::Secret;
use crate::verify::{Context, SigStatus, Verdict, Verification, verify};

/// Run `verify`; returns the exit code.
pub fn run(args: &VerifyArgs) -> Result<i32, CliError> {
    let req = request::build(&args.request)?;
    let now = match args.now {
        Some(n) => crate::bounds::unix_secs("--now", n).map_err(CliError::input)?,
        None => jiff::Timestamp::now().as_second(),
    };
    let (candidates, detected_by) = match &args.request.provider {
        Some(name) => (
            vec![request::provider(
                &req.registry,
                name,
                args.request.variant.as_deref(),
            )?],
            None,
        ),
        None => {
            let det = req.registry.detect(&req.delivery).ok_or_else(|| {
                CliError::input(
                    "no provider recognised from the headers: pass --provider (see `hookscope providers`)",
                )
            })?;
            // With --variant, the candidates that have it (the first one's error when none).
            let mut found = Vec::new();
            let mut first_error = None;
            for i in det.candidates() {
                let name = &req.registry.at(i).name;
                match request::provider(&req.registry, name, args.request.variant.as_deref()) {
                    Ok(p) => found.push(p),
                    Err(e) => {
                        first_error.get_or_insert(e);
                    }
                }
            }
            if found.is_empty()
                && let Some(e) = first_error
            {
                return Err(e);
            }
            (found, Some(det.detected_by))
        }
    };
    let mut outcomes = Vec::new();
    for provider in &candidates {
        let secrets = request::secrets(&req, provider, &args.secret);
        if secrets.is_empty() && candidates.len() == 1 {
            return Err(CliError::input(format!(
                "no secret for {}: pass --secret, or set HOOKSCOPE_SECRET_{} or [providers.{}] secrets in the config",
                provider.name,
                crate::verify::env_name(&provider.name),
                provider.name
            )));
        }
        if candidates.len() == 1 {
            request::check_secrets_decode(provider, &secrets)?;
        }
        outcomes.push(check(&req, provider, &secrets, now));
    }
    let mut out = if outcomes.len() == 1 {
        outcomes.remove(0)
    } else {
        // Headers several providers match equally: the one candidate the secrets verify.
        let names: Vec<String> = candidates.iter().map(|p| p.name.clone()).collect();
        settle(&names, outcomes).ok_or_else(|| CliError::input(ambiguous_hint(&names)))?
    };
    out.detected_by = detected_by.or_else(|| Some("--provider".to_string()));
    if args.json {
        super::out(serde_json::to_string(&out).expect("verification serializes"));
    } else {
        super::out(human(&out).trim_end());
    }
    Ok(if out.verdict == Verdict::Verified {
        0
    } else {
        1
    })
}

/// Verify the request as one provider with these secrets.
fn check(
    req: &request::Request,
    provider: &Provider,
    secrets: &[Secret],
    now: i64,
) -> Verification {
    let settings = req
        .config
        .settings_for(&req.registry, &provider.name)
        .map(|(_, s)| s);
    let base_url = req
        .base_url
        .clone()
        .or_else(|| settings.and_then(|s| s.public_url.clone()));
    let all_secrets: Vec<_> = req
        .config
        .secrets(&req.registry, &crate::config::process_env())
        .into_iter()
        .collect();
    let ctx = Context {
        now,
        base_url: base_url.as_deref(),
        tolerance_secs: settings.and_then(|s| s.tolerance_secs),
        other_secrets: &all_secrets,
    };
    verify(&req.delivery, provider, secrets, &ctx)
}

/// The human-readable report.
fn human(v: &Verification) -> String {
    let mut s = String::new();
    let provider = v.provider.as_deref().unwrap_or("-");
    let variant = v
        .variant
        .as_deref()
        .map(|x| format!(" {x}"))
        .unwrap_or_default();
    let scheme = v.signature.scheme.as_deref().unwrap_or("-");
    s.push_str(&format!(
        "{}  {provider}{variant} ({scheme})",
        v.verdict.as_str().to_uppercase()
    ));
    if let Some(by) = &v.detected_by {
        s.push_str(&format!(", detected by {by}"));
    }
    s.push('\n');
    if v.confidence == Some(Confidence::Community) {
        s.push_str("  scheme     community: confirmed against third-party material only, not the provider's own docs\n");
    }
    if !v.ambiguous.is_empty() {
        s.push_str(&format!(
            "  ambiguous  the headers match {} equally\n",
            and_list(&v.ambiguous)
        ));
    }
    s.push_str(&format!("  signature  {}", v.signature.status.as_str()));
    if let (SigStatus::Valid, Some(fp)) = (v.signature.status, &v.signature.secret_fingerprint) {
        s.push_str(&format!(
            " (secret #{} fp {fp})",
            v.signature.secret_index.unwrap_or(1)
        ));
    }
    s.push('\n');
    if let Some(r) = &v.signature.received {
        s.push_str(&format!("  received   {r}\n"));
    }
    if let Some(c) = &v.signature.computed {
        s.push_str(&format!("  computed   {c}\n"));
    }
    if v.timestamp.status != crate::verify::TsStatus::NotApplicable {
        let t = &v.timestamp;
        s.push_str(&format!("  timestamp  {}", t.status.as_str()));
        if let (Some(val), Some(skew)) = (t.value, t.skew_secs) {
            s.push_str(&format!(" ({val}, skew {skew:+}s"));
            match t.tolerance_secs {
                Some(tol) => s.push_str(&format!(", tolerance {tol}s)")),
                None => s.push(')'),
            }
        }
        s.push('\n');
    }
    if let Some(p) = &v.signed_preview {
        let text = String::from_utf8_lossy(p);
        let shown: String = text.chars().take(120).collect();
        let more = if text.chars().count() > 120 {
            "…"
        } else {
            ""
        };
        s.push_str(&format!(
            "  signed     {shown:?}{more} ({} bytes)\n",
            p.len()
        ));
    }
    for h in &v.hints {
        s.push_str(&format!("  hint       {h}\n"));
    }
    s
}
