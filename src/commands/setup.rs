//! `hookscope setup PROVIDER`: the setup card — what to paste where in the provider's console.

use super::CliError;
use super::request::load_config;
use crate::checker::Checker;
use crate::cli::SetupArgs;
use crate::setup::{CardContext, card};
use crate::tunnel::{TunnelKind, is_https};

/// Run `setup`; returns the exit code.
pub fn run(args: &SetupArgs) -> Result<i32, CliError> {
    let config = load_config(args.config.as_deref())?;
    let checker = Checker::from_config(&config, &crate::config::process_env())
        .map_err(|e| CliError::input(format!("config: {e}")))?;
    let provider = checker.registry().get(&args.provider).ok_or_else(|| {
        CliError::input(format!(
            "unknown provider {:?}; `hookscope providers` lists them",
            args.provider
        ))
    })?;
    let kind = match args.tunnel.as_deref().or(config.tunnel.as_deref()) {
        Some(text) => Some(TunnelKind::parse(text).map_err(CliError::input)?),
        None => None,
    };
    // Without --public-url: the URL of the tunnel a running hookscope has up.
    let running = match (
        &args.public_url,
        super::listen::data_dir(args.data_dir.clone()),
    ) {
        (None, Ok(dir)) => crate::tunnel::read_state(&dir),
        _ => None,
    };
    let public_url = args
        .public_url
        .clone()
        .or_else(|| running.as_ref().and_then(|r| r.public_url.clone()));
    if let Some(url) = &public_url
        && !(url.starts_with("http://") || url.starts_with("https://"))
    {
        return Err(CliError::input(format!(
            "--public-url {url:?} must start with http:// or https://"
        )));
    }
    let tunnel = kind
        .as_ref()
        .map(|k| k.name().to_string())
        .or_else(|| running.as_ref().map(|r| r.kind.clone()));
    let ctx = CardContext {
        https: is_https(public_url.as_deref(), kind.as_ref()),
        public_url,
        tunnel,
        fingerprints: checker
            .secrets_for(&provider.name)
            .iter()
            .map(|s| s.fingerprint())
            .collect(),
        answer_challenges: true,
    };
    super::out(card(provider, &ctx));
    Ok(0)
}
