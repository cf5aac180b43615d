//! Inputs shared by `verify` and `sign`: headers, body, URL, config, provider, secrets.

use super::CliError;
use crate::cli::RequestArgs;
use crate::config::{Config, process_env};
use crate::delivery::Delivery;
use crate::providers::Registry;
use crate::providers::scheme::Provider;
use crate::secret::Secret;
use std::io::{IsTerminal, Read};

/// The request built from the command line, with the config it was read under.
pub struct Request {
    pub delivery: Delivery,
    /// `scheme://host[:port]` from `--url`.
    pub base_url: Option<String>,
    pub config: Config,
    pub registry: Registry,
}

/// Build the request from `-H`, `--body*`, `--method`, `--url` and `--config`.
pub fn build(args: &RequestArgs) -> Result<Request, CliError> {
    let config = load_config(args.config.as_deref())?;
    let registry = config.registry().map_err(|e| {
        CliError::input(format!(
            "config file {}: {e}",
            config_path_text(args.config.as_deref())
        ))
    })?;
    for w in config.warnings(&registry) {
        eprintln!(
            "hookscope: warning: config file {}: {w}",
            config_path_text(args.config.as_deref())
        );
    }
    let headers = args
        .headers
        .iter()
        .map(|h| parse_header(h))
        .collect::<Result<Vec<_>, _>>()?;
    let body = read_body(args)?;
    let (base_url, path, query) = match &args.url {
        Some(u) => split_url(u)?,
        None => (None, "/".to_string(), String::new()),
    };
    let method = args.method.trim().to_ascii_uppercase();
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(CliError::input(format!(
            "malformed --method {:?}",
            args.method
        )));
    }
    Ok(Request {
        delivery: Delivery {
            method,
            path,
            query,
            headers,
            body_size: body.len() as u64,
            body: body.into(),
            ..Default::default()
        },
        base_url,
        config,
        registry,
    })
}

fn config_path_text(p: Option<&std::path::Path>) -> String {
    p.map(|p| p.display().to_string())
        .or_else(|| Config::default_path().map(|p| p.display().to_string()))
        .unwrap_or_default()
}

/// Load `--config` (must exist) or the default config file (may be absent).
pub fn load_config(path: Option<&std::path::Path>) -> Result<Config, CliError> {
    match path {
        Some(p) => {
            if !p.exists() {
                return Err(CliError::input(format!(
                    "config file {} does not exist",
                    p.display()
                )));
            }
            Config::load(p).map_err(|e| CliError::input(e.to_string()))
        }
        None => match Config::default_path() {
            Some(p) => Config::load(&p).map_err(|e| CliError::input(e.to_string())),
            None => Ok(Config::default()),
        },
    }
}

/// `Name: value` → (lower-case name, value bytes).
pub fn parse_header(h: &str) -> Result<(String, Vec<u8>), CliError> {
    let bad = || CliError::input(format!("malformed header {h:?}: expected 'Name: value'"));
    let (name, value) = h.split_once(':').ok_or_else(bad)?;
    let name = name.trim();
    let token = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
    if name.is_empty() || !name.bytes().all(token) {
        return Err(bad());
    }
    if crate::bounds::has_control_bytes(value.as_bytes()) {
        return Err(CliError::input(format!(
            "malformed header {name:?}: its value holds CR, LF or another control character"
        )));
    }
    Ok((name.to_ascii_lowercase(), value.trim().as_bytes().to_vec()))
}

fn read_body(args: &RequestArgs) -> Result<Vec<u8>, CliError> {
    if let Some(b) = &args.body {
        return Ok(b.as_bytes().to_vec());
    }
    match &args.body_file {
        Some(p) if p.as_os_str() == "-" => read_stdin(),
        Some(p) => std::fs::read(p).map_err(|e| {
            CliError::input(format!(
                "cannot read body file {}: {}",
                p.display(),
                io_reason(&e)
            ))
        }),
        None if !std::io::stdin().is_terminal() => read_stdin(),
        None => Ok(Vec::new()),
    }
}

fn read_stdin() -> Result<Vec<u8>, CliError> {
    let mut buf = Vec::new();
    std::io::stdin().read_to_end(&mut buf).map_err(|e| {
        CliError::input(format!(
            "cannot read the body from stdin: {}",
            io_reason(&e)
        ))
    })?;
    Ok(buf)
}

/// An I/O error as a short reason ("no such file", "permission denied").
pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::IsADirectory => "it is a directory".into(),
        _ => e.to_string(),
    }
}

/// `https://host:port/path?q` → (base, path, query).
pub fn split_url(u: &str) -> Result<(Option<String>, String, String), CliError> {
    let bad = || {
        CliError::input(format!(
            "malformed --url {u:?}: expected http(s)://host/path"
        ))
    };
    let (scheme, rest) = u.split_once("://").ok_or_else(bad)?;
    if scheme != "http" && scheme != "https" {
        return Err(bad());
    }
    let host_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let host = &rest[..host_end];
    if host.is_empty() || host.contains(char::is_whitespace) {
        return Err(bad());
    }
    let pq = &rest[host_end..];
    let (path, query) = pq.split_once('?').unwrap_or((pq, ""));
    let path = if path.is_empty() { "/" } else { path };
    Ok((
        Some(format!("{scheme}://{host}")),
        path.to_string(),
        query.to_string(),
    ))
}

/// The provider named on the command line, restricted to `--variant` when given.
pub fn provider(
    registry: &Registry,
    name: &str,
    variant: Option<&str>,
) -> Result<Provider, CliError> {
    let p = registry.get(name).ok_or_else(|| {
        CliError::input(format!(
            "unknown provider {name:?} (run `hookscope providers` for the list)"
        ))
    })?;
    let mut p = p.clone();
    if let Some(v) = variant {
        let known: Vec<String> = p
            .variants
            .iter()
            .filter_map(|x| x.spec.id.clone())
            .collect();
        p.variants.retain(|x| x.spec.id.as_deref() == Some(v));
        if p.variants.is_empty() {
            return Err(CliError::input(format!(
                "{name} has no variant {v:?} (variants: {})",
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            )));
        }
    }
    Ok(p)
}

/// Secrets from `--secret`, else the config file and `HOOKSCOPE_SECRET_<PROVIDER>`.
pub fn secrets(req: &Request, provider: &Provider, given: &[String]) -> Vec<Secret> {
    if !given.is_empty() {
        return given.iter().map(Secret::new).collect();
    }
    req.config
        .secrets(&req.registry, &process_env())
        .remove(&provider.name)
        .unwrap_or_default()
}

/// Every secret must decode in at least one of the scheme's key forms.
pub fn check_secrets_decode(provider: &Provider, secrets: &[Secret]) -> Result<(), CliError> {
    let v = &provider.variants[0];
    for (i, s) in secrets.iter().enumerate() {
        let errors: Vec<_> = v
            .spec
            .key
            .iter()
            .filter_map(|f| crate::crypto::decode_key(s.expose(), *f).err())
            .collect();
        if errors.len() == v.spec.key.len()
            && let Some(e) = errors.first()
        {
            return Err(CliError::input(format!(
                "secret #{} (fp {}) cannot be used for {}: {e}",
                i + 1,
                s.fingerprint(),
                provider.name
            )));
        }
    }
    Ok(())
}
