//! `hookscope listen` (and `hookscope` alone): capture until SIGINT/SIGTERM.
//!
//! Front end: the dashboard when stdout is a terminal; the headless JSON-lines printer when
//! `--headless` is given or stdout is not a terminal.

use crate::bounds;
use crate::capture::{self, ListenOptions, Storage};
use crate::checker::Checker;
use crate::cli::ListenArgs;
use crate::config::{self, Config};
use crate::headless;
use crate::respond::{Rule, Rules, rules_from_config};
use crate::tunnel::{Tunnel, TunnelKind};
use std::io::IsTerminal;
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::time::Duration;

/// How long the headless `ready` line waits for the tunnel's first start to settle.
const READY_WAIT: Duration = Duration::from_secs(20);

/// Run the listener; returns the exit code (0 after a signal, 1 runtime failure, 2 bad input).
pub fn run(args: ListenArgs) -> i32 {
    let planned = load_config(&args).and_then(|cfg| {
        let tunnel = tunnel_kind(&args, &cfg)?;
        Ok((options_with(&args, &cfg)?, tunnel, cfg))
    });
    let (opts, tunnel, cfg) = match planned {
        Ok(p) => p,
        Err(msg) => {
            eprintln!("hookscope: {msg}");
            return 2;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("hookscope: cannot start the async runtime: {e}");
            return 1;
        }
    };
    if args.no_listen {
        return super::attach::run(runtime, opts, &args, &cfg);
    }
    if !args.headless && std::io::stdout().is_terminal() {
        return run_dashboard(runtime, opts, tunnel, &args, &cfg);
    }
    if !opts.addr.ip().is_loopback() {
        eprintln!(
            "hookscope: warning: listening on {} — reachable from other machines",
            opts.addr
        );
    }
    // Headless: warnings (store, pruning, checkpoints) go to stderr; stdout is JSON lines only.
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(crate::conventions::color(std::io::stderr().is_terminal()))
        .with_max_level(crate::conventions::log_level(tracing::Level::WARN))
        .without_time()
        .with_target(false)
        .try_init();
    let events = opts.events.subscribe();
    let include_body = args.include_body;
    let config_path = args.config.clone().or_else(Config::default_path);
    let state_file = state_file(&opts.storage);
    let code = runtime.block_on(async move {
        // Registered before the store opens and the port is bound: a SIGTERM or SIGINT from
        // here on ends the run cleanly instead of killing the process.
        let stop = crate::signals::shutdown_signal();
        let running = match capture::start(opts).await {
            Ok(r) => r,
            Err(e) => {
                eprintln!("hookscope: {e}");
                let code = match e {
                    capture::CaptureError::ForwardUrl { .. }
                    | capture::CaptureError::ResponseStatus(_) => 2,
                    _ => 1,
                };
                return (code, None);
            }
        };
        let tunnel = tunnel.map(|kind| (start_tunnel(kind, &running), state_file));
        if let Some(path) = config_path {
            crate::config_watch::spawn(
                path,
                running.checker.clone(),
                running.events.clone(),
                config::process_env(),
                running.rejudge.clone(),
            );
        }
        // The ready line carries the tunnel's URL: wait (bounded) for its first start.
        tokio::pin!(stop);
        let settled = match &tunnel {
            Some((t, _)) => tokio::select! {
                s = t.settled(READY_WAIT) => Some(s),
                _ = &mut stop => {
                    stop_tunnel(tunnel).await;
                    return (shutdown_code(running.shutdown().await), None);
                }
            },
            None => None,
        };
        let ready = headless::ready_line(running.local_addr, settled.as_ref());
        let (done_tx, done_rx) = tokio::sync::oneshot::channel::<()>();
        let printer = headless::spawn_printer(
            ready,
            events,
            Box::new(DoneOnDrop {
                out: std::io::stdout(),
                done: Some(done_tx),
            }),
            include_body,
        );
        if let Some((t, state)) = &tunnel {
            crate::tunnel::spawn_reports(
                t.watch(),
                running.events.clone(),
                running.checker.clone(),
                state.clone(),
            );
        }
        tokio::select! {
            _ = stop => {}
            _ = done_rx => {}
        }
        stop_tunnel(tunnel).await;
        (shutdown_code(running.shutdown().await), Some(printer))
    });
    let (code, printer) = code;
    // Dropping the runtime drops every remaining event sender, so the printer drains and ends.
    runtime.shutdown_timeout(Duration::from_secs(2));
    if let Some(printer) = printer {
        match printer.join() {
            Ok(Ok(())) => {}
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
            Ok(Err(e)) => {
                eprintln!("hookscope: cannot write to stdout: {e}");
                return 1;
            }
            Err(_) => return 1,
        }
    }
    code
}

fn shutdown_code(stored: Result<(), crate::store::StoreError>) -> i32 {
    match stored {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("hookscope: {e}");
            1
        }
    }
}

/// Start the tunnel to the running listener and make its URL the checker's default
/// `public_url`.
fn start_tunnel(kind: TunnelKind, running: &capture::Running) -> Tunnel {
    let tunnel = Tunnel::start(kind, running.local_addr);
    let mut checker = running.checker.write().unwrap_or_else(|e| e.into_inner());
    let mut live = checker.live().clone();
    live.tunnel = Some(tunnel.watch());
    checker.set_live(live);
    tunnel
}

/// Stop the tunnel (its child process is gone when this returns) and remove its state file.
async fn stop_tunnel(tunnel: Option<(Tunnel, Option<PathBuf>)>) {
    if let Some((t, state)) = tunnel {
        t.stop().await;
        if let Some(path) = state {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// `tunnel.json` in the data directory (for `hookscope setup`), when there is one.
fn state_file(storage: &Storage) -> Option<PathBuf> {
    match storage {
        Storage::Dir(d) => crate::private_fs::create_dir(d)
            .ok()
            .map(|_| crate::tunnel::state_path(d)),
        Storage::Memory | Storage::Postgres(_) => None,
    }
}

/// `--tunnel`, else the config's `tunnel`.
fn tunnel_kind(args: &ListenArgs, cfg: &Config) -> Result<Option<TunnelKind>, String> {
    match args.tunnel.as_deref().or(cfg.tunnel.as_deref()) {
        Some(text) => TunnelKind::parse(text).map(Some),
        None => Ok(None),
    }
}

/// The dashboard front end: capture runs on the runtime, the dashboard on this thread.
fn run_dashboard(
    runtime: tokio::runtime::Runtime,
    opts: ListenOptions,
    tunnel: Option<TunnelKind>,
    args: &ListenArgs,
    cfg: &Config,
) -> i32 {
    let state = state_file(&opts.storage);
    log_to_file(&opts.storage);
    let events = opts.events.subscribe();
    let non_loopback = !opts.addr.ip().is_loopback();
    let forward = opts.forward.clone();
    let keep = opts.keep;
    let running = match runtime.block_on(capture::start(opts)) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("hookscope: {e}");
            return match e {
                capture::CaptureError::ForwardUrl { .. }
                | capture::CaptureError::ResponseStatus(_) => 2,
                _ => 1,
            };
        }
    };
    let tunnel = tunnel.map(|kind| {
        let _guard = runtime.enter();
        let t = start_tunnel(kind, &running);
        crate::tunnel::spawn_reports(
            t.watch(),
            running.events.clone(),
            running.checker.clone(),
            state.clone(),
        );
        (t, state)
    });
    let checker = running
        .checker
        .read()
        .map(|c| c.clone())
        .unwrap_or_else(|e| e.into_inner().clone());
    let dash = crate::tui::DashboardOptions {
        listen_url: running.listen_url(),
        attached: None,
        forward,
        non_loopback,
        theme: args.theme.clone().or_else(|| cfg.theme.clone()),
        keys: cfg.keys.clone(),
        time_zone: None,
        runtime: Some(runtime.handle().clone()),
        store: Some(running.store.clone()),
        keep: Some(keep),
        config_path: args.config.clone().or_else(Config::default_path),
        shared_checker: Some(running.checker.clone()),
        rejudge: Some(running.rejudge.clone()),
        rules: Some(running.rules.clone()),
    };
    // Edits of the config file while the dashboard runs are reloaded as in headless mode.
    let watch = dash.config_path.clone().map(|path| {
        let _guard = runtime.enter();
        crate::config_watch::spawn(
            path,
            running.checker.clone(),
            running.events.clone(),
            config::process_env(),
            running.rejudge.clone(),
        )
    });
    let result = crate::tui::run_dashboard(dash, Box::new(running.store.clone()), events, checker);
    if let Some(w) = watch {
        w.abort();
    }
    runtime.block_on(stop_tunnel(tunnel));
    let stored = runtime.block_on(running.shutdown());
    runtime.shutdown_timeout(Duration::from_secs(2));
    match (result, stored) {
        (Ok(()), Ok(())) => 0,
        (Err(e), _) => {
            eprintln!("hookscope: {e:#}");
            1
        }
        (_, Err(e)) => {
            eprintln!("hookscope: {e}");
            1
        }
    }
}

/// The terminal belongs to the dashboard: log lines (and a crash report) go to a file.
pub(super) fn log_to_file(storage: &Storage) {
    let log_path = log_file(storage);
    if let Some(path) = &log_path
        && let Ok(file) = crate::private_fs::open_append(path)
    {
        let _ = tracing_subscriber::fmt()
            .with_writer(std::sync::Mutex::new(file))
            .with_max_level(crate::conventions::log_level(tracing::Level::INFO))
            .with_ansi(false)
            .try_init();
    }
    super::crash::install(log_path);
}

fn load_config(args: &ListenArgs) -> Result<Config, String> {
    let path = args.config.clone().or_else(Config::default_path);
    config::load_explicit(args.config.as_deref(), path.as_deref())
}

/// Where the dashboard session logs: beside the database, else in the temp dir.
pub fn log_file(storage: &Storage) -> Option<PathBuf> {
    match storage {
        Storage::Dir(d) => crate::private_fs::create_dir(d)
            .ok()
            .map(|_| d.join("hookscope.log")),
        Storage::Memory | Storage::Postgres(_) => Some(std::env::temp_dir().join("hookscope.log")),
    }
}

/// Stdout that signals when the printer drops it (its thread ended: channel closed or a
/// write failed, e.g. the reader of the pipe went away).
struct DoneOnDrop {
    out: std::io::Stdout,
    done: Option<tokio::sync::oneshot::Sender<()>>,
}

impl std::io::Write for DoneOnDrop {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.out.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

impl Drop for DoneOnDrop {
    fn drop(&mut self) {
        if let Some(done) = self.done.take() {
            let _ = done.send(());
        }
    }
}

/// The listener options from flags, config file and environment (flags win).
pub fn options(args: &ListenArgs) -> Result<ListenOptions, String> {
    options_with(args, &load_config(args)?)
}

/// [`options`] with the config file already read.
fn options_with(args: &ListenArgs, cfg: &Config) -> Result<ListenOptions, String> {
    let config_path = args.config.clone().or_else(Config::default_path);
    let mut checker =
        Checker::from_config(cfg, &config::process_env()).map_err(|e| match &config_path {
            Some(p) => format!("config file {}: {e}", p.display()),
            None => e,
        })?;
    for w in cfg.warnings(checker.registry()) {
        match &config_path {
            Some(p) => eprintln!("hookscope: warning: config file {}: {w}", p.display()),
            None => eprintln!("hookscope: warning: {w}"),
        }
    }
    if args.forward_challenges {
        let mut live = checker.live().clone();
        live.answer_challenges = false;
        checker.set_live(live);
    }
    let rules = rules(args, cfg, checker.registry(), config_path.as_deref())?;
    let mut opts = ListenOptions::new(checker);
    let addr_text = args
        .addr
        .clone()
        .or_else(|| cfg.addr.clone())
        .unwrap_or_else(|| capture::DEFAULT_ADDR.to_string());
    opts.addr = resolve_addr(&addr_text)?;
    if args.addr.is_none() && !opts.addr.ip().is_loopback() {
        return Err(format!(
            "the config's addr {addr_text} is reachable from other machines; pass --addr {addr_text} to bind there on purpose"
        ));
    }
    opts.forward = args.forward.clone().or_else(|| cfg.forward.clone());
    if args.forward_challenges && opts.forward.is_none() {
        return Err(
            "--forward-challenges sends handshakes to the app: give the app with --forward URL"
                .into(),
        );
    }
    if let Some(secs) = args.forward_timeout {
        opts.forward_timeout = bounds::timeout_secs("--forward-timeout", secs)?;
    }
    opts.max_body = args
        .max_body
        .or(cfg.max_body)
        .unwrap_or(capture::DEFAULT_MAX_BODY);
    if let Some(secs) = args.header_timeout {
        opts.header_timeout = bounds::timeout_secs("--header-timeout", secs)?;
    }
    if let Some(secs) = args.body_timeout {
        opts.body_timeout = bounds::timeout_secs("--body-timeout", secs)?;
    }
    if let Some(n) = args.forward_max_body {
        opts.forward_max_body = n;
    }
    // By default room for at least one body of the largest accepted size.
    opts.max_in_flight = args
        .max_in_flight
        .unwrap_or(opts.max_in_flight.max(opts.max_body));
    if opts.max_in_flight < opts.max_body {
        return Err(format!(
            "--max-in-flight {} is smaller than --max-body {}: a body of the largest accepted \
             size could never be taken",
            opts.max_in_flight, opts.max_body
        ));
    }
    if let Some(n) = args.max_connections {
        if n == 0 {
            return Err("--max-connections must be at least 1".into());
        }
        opts.max_connections = n;
    }
    opts.keep = args.keep.or(cfg.keep).unwrap_or(crate::store::DEFAULT_KEEP);
    if opts.keep == 0 {
        return Err("--keep must be at least 1".into());
    }
    opts.response = cfg.response.clone();
    let shared = args.location.store.clone().or_else(|| cfg.store.clone());
    opts.rules = std::sync::Arc::new(rules);
    opts.storage = if args.no_store {
        Storage::Memory
    } else if let Some(url) = shared {
        Storage::Postgres(shared_store_url(&url)?.to_string())
    } else {
        Storage::Dir(data_dir(args.location.data_dir.clone())?)
    };
    Ok(opts)
}

/// `--respond` first, then the config's `[[responses]]`; errors name the file, entry and field.
fn rules(
    args: &ListenArgs,
    cfg: &Config,
    registry: &crate::providers::Registry,
    config_path: Option<&std::path::Path>,
) -> Result<Rules, String> {
    let mut list = Vec::new();
    if let Some(status) = args.respond {
        list.push(Rule::respond_flag(status)?);
    }
    let base = config_path.and_then(|p| p.parent());
    let from_file = rules_from_config(cfg, registry, base).map_err(|e| match config_path {
        Some(p) => format!("config file {}: {e}", p.display()),
        None => e,
    })?;
    list.extend(from_file);
    Ok(Rules::new(list))
}

fn resolve_addr(text: &str) -> Result<SocketAddr, String> {
    text.to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .ok_or_else(|| format!("--addr {text:?} is not a HOST:PORT address"))
}

/// `url` if it names a PostgreSQL database (the only shared store), else why not.
pub(crate) fn shared_store_url(url: &str) -> Result<&str, String> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(url)
    } else {
        Err(format!(
            "--store takes a PostgreSQL URL (postgres://user:password@host:port/db), not {:?}",
            url.split(':').next().unwrap_or("")
        ))
    }
}

/// `--data-dir`, else the platform data directory (`$XDG_DATA_HOME/hookscope`).
pub(crate) fn data_dir(flag: Option<PathBuf>) -> Result<PathBuf, String> {
    flag.or_else(|| {
        directories::ProjectDirs::from("", "", "hookscope").map(|d| d.data_dir().to_path_buf())
    })
    .ok_or_else(|| "cannot find a data directory; pass --data-dir or --no-store".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_override_config_and_defaults_apply() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = dir.path().join("config.toml");
        std::fs::write(
            &cfg,
            "addr = \"127.0.0.1:9999\"\nmax_body = 5\nkeep = 7\n[response]\nstatus = 202\n",
        )
        .unwrap();
        let args = ListenArgs {
            config: Some(cfg.clone()),
            no_store: true,
            ..Default::default()
        };
        let o = options(&args).unwrap();
        assert_eq!(o.addr, "127.0.0.1:9999".parse().unwrap());
        assert_eq!((o.max_body, o.keep, o.response.status), (5, 7, 202));
        assert_eq!(o.storage, Storage::Memory);
        let args = ListenArgs {
            config: Some(cfg),
            addr: Some("127.0.0.1:0".into()),
            max_body: Some(9),
            location: crate::cli::StoreLocation {
                data_dir: Some(dir.path().join("data")),
                store: None,
            },
            ..Default::default()
        };
        let o = options(&args).unwrap();
        assert_eq!(o.addr.port(), 0);
        assert_eq!(o.max_body, 9);
        assert_eq!(o.storage, Storage::Dir(dir.path().join("data")));
    }

    #[test]
    fn forward_challenges_needs_an_app_and_tunnel_kinds_are_checked() {
        let args = ListenArgs {
            forward_challenges: true,
            no_store: true,
            config: None,
            ..Default::default()
        };
        let e = options(&args).err().unwrap();
        assert!(
            e.contains("--forward-challenges") && e.contains("--forward URL"),
            "{e}"
        );
        let args = ListenArgs {
            forward: Some("http://127.0.0.1:3000".into()),
            ..args
        };
        let o = options(&args).unwrap();
        assert!(!o.checker.live().answer_challenges);
        let cfg = Config::parse("tunnel = \"bore:example.org\"").unwrap();
        let kind = tunnel_kind(&ListenArgs::default(), &cfg).unwrap();
        assert_eq!(
            kind,
            Some(TunnelKind::Bore {
                server: "example.org".into()
            })
        );
        let flag = ListenArgs {
            tunnel: Some("nope".into()),
            ..Default::default()
        };
        assert!(
            tunnel_kind(&flag, &cfg)
                .unwrap_err()
                .contains("not a tunnel")
        );
    }

    #[test]
    fn bad_input_is_one_sentence() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = dir.path().join("config.toml");
        std::fs::write(&cfg, "").unwrap();
        let args = |f: &dyn Fn(&mut ListenArgs)| {
            let mut a = ListenArgs {
                no_store: true,
                config: Some(cfg.clone()),
                ..Default::default()
            };
            f(&mut a);
            options(&a).err().unwrap()
        };
        let e = args(&|a| a.addr = Some("nowhere".into()));
        assert!(e.contains("--addr \"nowhere\""), "{e}");
        let e = args(&|a| a.config = Some(PathBuf::from("/nonexistent/hookscope.toml")));
        assert_eq!(e, "config file /nonexistent/hookscope.toml does not exist");
        let e = args(&|a| a.forward_timeout = Some(0));
        assert!(e.starts_with("--forward-timeout 0 is out of range"), "{e}");
        let e = args(&|a| a.body_timeout = Some(u64::MAX));
        assert!(
            e.starts_with("--body-timeout 18446744073709551615 is out of range"),
            "{e}"
        );
        let e = args(&|a| a.header_timeout = Some(1 << 63));
        assert!(e.contains("1 to 86400 seconds"), "{e}");
    }
}
