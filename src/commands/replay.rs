//! `hookscope replay ID`: resend a stored delivery (as captured or re-signed), record the replay
//! in the store linked to its original, print the app's answer.

use super::{CliError, out};
use crate::checker::Checker;
use crate::cli::ReplayArgs;
use crate::config::{self, Config};
use crate::replay::{self, Mode, record};

/// Run `replay`; exit 0 when the app answered 2xx, 1 otherwise, 2 on bad input.
pub fn run(args: &ReplayArgs) -> Result<i32, CliError> {
    let config_path = args.config.clone().or_else(Config::default_path);
    let cfg = config::load_explicit(args.config.as_deref(), config_path.as_deref())
        .map_err(CliError::input)?;
    let timeout =
        crate::bounds::timeout_secs("--timeout", args.timeout).map_err(CliError::input)?;
    let checker = Checker::from_config(&cfg, &config::process_env()).map_err(CliError::input)?;
    let super::location::Opened { store, place } =
        super::location::open(&args.location, cfg.store.as_deref(), false)?;
    let d = store
        .get(args.id)
        .map_err(|e| CliError::input(e.to_string()))?
        .ok_or_else(|| CliError::input(format!("no delivery #{} in {place}", args.id)))?;
    let target = args
        .to
        .clone()
        .or_else(|| cfg.forward.clone())
        .ok_or_else(|| {
            CliError::input("no replay target: pass --to URL (or set forward in the config file)")
        })?;
    let mode = if args.resign {
        Mode::Resign {
            shift_secs: args.shift.unwrap_or(0),
        }
    } else {
        Mode::AsCaptured
    };
    let now = jiff::Timestamp::now().as_second();
    let prepared = replay::prepare(&d, &checker, mode, &target, now)
        .map_err(|e| CliError::input(e.to_string()))?;
    let sent = checker.check(&prepared.request, now);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::failed(format!("cannot start the async runtime: {e}")))?;
    let s = runtime.block_on(record::send_and_record(
        Some(&store),
        d.id,
        &prepared,
        sent.verdict,
        sent.provider.clone(),
        timeout,
    ));
    let blame = replay::blame(&sent, &s.answer, mode);
    if let Some(e) = &s.store_error {
        eprintln!("hookscope: {e}");
    }
    let replay_id = (s.replay.id != 0).then_some(s.replay.id);
    if args.json {
        let sent = &s.replay;
        let mut j = serde_json::json!({
            "status": s.answer.status,
            "latency_ms": s.answer.latency_ms,
            "replay_id": replay_id,
            "blame": blame,
            "request": {
                "method": sent.method,
                "url": prepared.url,
                "headers": sent.headers.iter()
                    .map(|(n, v)| crate::record::Header(n.into(), crate::record::header_value(v)))
                    .collect::<Vec<_>>(),
                "body_bytes": sent.body.len(),
                "body_sha256": crate::crypto::sha256_hex(&sent.body),
            },
            "response": {
                "status": s.answer.status,
                "headers": s.answer.headers,
                "body": s.answer.body,
            },
        });
        if let Some(e) = &s.answer.error {
            j["error"] = e.clone().into();
        }
        if (300..400).contains(&s.answer.status)
            && let Some((_, l)) = s
                .answer
                .headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case("location"))
        {
            j["location"] = l.clone().into();
        }
        out(j.to_string());
    } else {
        if s.answer.status == 0 {
            eprintln!(
                "hookscope: no answer from {}: {}",
                prepared.url,
                s.answer.error.as_deref().unwrap_or("unknown error")
            );
        } else {
            super::print_answer(s.answer.status, &s.answer.headers, s.answer.body.as_bytes());
        }
        if let Some(note) =
            crate::http_text::unfollowed_redirect(s.answer.status, &s.answer.headers)
        {
            out(note);
        }
        if let Some(b) = &blame {
            eprintln!("blame: {b}");
        }
    }
    Ok(if (200..300).contains(&s.answer.status) {
        0
    } else {
        1
    })
}
