//! `hookscope sign`: print the headers a provider would send, or send the signed request.

use super::CliError;
use super::request;
use crate::cli::SignArgs;
use crate::secret::Secret;
use crate::sign::{SignOptions, sign};

/// Run `sign`; returns the exit code.
pub fn run(args: &SignArgs) -> Result<i32, CliError> {
    let name = args
        .request
        .provider
        .as_deref()
        .ok_or_else(|| CliError::input("sign needs --provider (see `hookscope providers`)"))?;
    let mut req = request::build(&args.request)?;
    let provider = request::provider(&req.registry, name, args.request.variant.as_deref())?;
    let secret = match &args.secret {
        Some(s) => Secret::new(s.clone()),
        None => request::secrets(&req, &provider, &[])
            .into_iter()
            .next()
            .ok_or_else(|| {
                CliError::input(format!(
                    "no secret for {}: pass --secret, or set HOOKSCOPE_SECRET_{}",
                    provider.name,
                    crate::verify::env_name(&provider.name)
                ))
            })?,
    };
    request::check_secrets_decode(&provider, std::slice::from_ref(&secret))?;
    let (timestamp, timestamp_text) = parse_timestamp(args.timestamp.as_deref())?;
    if let Some(id) = &args.id
        && crate::bounds::has_control_bytes(id.as_bytes())
    {
        return Err(CliError::input(
            "--id must not contain CR, LF or other control characters: it is sent as a header value",
        ));
    }
    // Sending without --url: the URL signed is the one sent to.
    if req.base_url.is_none()
        && let Some(send) = &args.send
    {
        let (base, path, query) = request::split_url(send)?;
        req.base_url = base;
        req.delivery.path = path;
        req.delivery.query = query;
    }
    let base_url = req.base_url.clone().or_else(|| {
        req.config
            .settings_for(&req.registry, &provider.name)
            .and_then(|(_, s)| s.public_url.clone())
    });
    let opts = SignOptions {
        timestamp,
        timestamp_text,
        id: args.id.clone(),
        base_url: base_url.as_deref(),
        variant: None,
    };
    let signed = sign(&req.delivery, &provider, &secret, &opts)
        .map_err(|e| CliError::input(e.to_string()))?;
    if signed.path_and_query != req.delivery.path_and_query() {
        eprintln!(
            "note: send to {} (the scheme signs this URL)",
            signed.path_and_query
        );
    }
    if let Some((path, value)) = &signed.body_field {
        eprintln!(
            "note: {} carries the signature in the body at {path}",
            provider.name
        );
        super::out(format!("{path}: {value}"));
    }
    if let Some((field, value)) = &signed.form_field {
        eprintln!(
            "note: {} carries the signature in the form field {field}",
            provider.name
        );
        super::out(format!("{field}: {value}"));
    }
    match &args.send {
        None => {
            for (n, v) in &signed.headers {
                super::out(format!("{n}: {v}"));
            }
            Ok(0)
        }
        Some(url) => send(url, &req.delivery, &signed),
    }
}

fn parse_timestamp(t: Option<&str>) -> Result<(i64, Option<String>), CliError> {
    match t {
        None => Ok((jiff::Timestamp::now().as_second(), None)),
        Some(t) => {
            let in_range =
                |secs| crate::bounds::unix_secs("--timestamp", secs).map_err(CliError::input);
            if let Ok(secs) = t.trim().parse::<i64>() {
                return Ok((in_range(secs)?, None));
            }
            let ts: jiff::Timestamp = t.trim().parse().map_err(|_| {
                CliError::input(format!(
                    "malformed --timestamp {t:?}: expected unix seconds or RFC 3339"
                ))
            })?;
            Ok((in_range(ts.as_second())?, Some(t.trim().to_string())))
        }
    }
}

fn send(
    url: &str,
    d: &crate::delivery::Delivery,
    signed: &crate::sign::Signed,
) -> Result<i32, CliError> {
    let (base, _, _) = request::split_url(url)?;
    let target = format!("{}{}", base.unwrap_or_default(), signed.path_and_query);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::input(format!("cannot start the HTTP client: {e}")))?;
    rt.block_on(async {
        let client = super::http_client()?;
        let method = reqwest::Method::from_bytes(d.method.as_bytes())
            .map_err(|_| CliError::input(format!("malformed --method {:?}", d.method)))?;
        let mut rb = client.request(method, &target).body(d.body.to_vec());
        for (n, v) in &d.headers {
            if !signed
                .headers
                .iter()
                .any(|(sn, _)| sn.eq_ignore_ascii_case(n))
            {
                rb = rb.header(n.as_str(), v.as_slice());
            }
        }
        for (n, v) in &signed.headers {
            rb = rb.header(n.as_str(), v.as_str());
        }
        let resp = rb.send().await.map_err(|e| {
            CliError::failed(format!(
                "sending to {target} failed: {}",
                crate::http_text::error_chain(&e)
            ))
        })?;
        let status = resp.status();
        let headers: Vec<(String, String)> = resp
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let mut body = Vec::new();
        let mut resp = resp;
        while let Ok(Some(chunk)) = resp.chunk().await {
            body.extend_from_slice(&chunk);
            if body.len() > super::PRINTED_BODY_LIMIT {
                break;
            }
        }
        super::print_answer(status.as_u16(), &headers, &body);
        if let Some(note) = crate::http_text::unfollowed_redirect(status.as_u16(), &headers) {
            super::out(note);
        }
        Ok(if status.is_success() { 0 } else { 1 })
    })
}
