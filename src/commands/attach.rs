//! `hookscope --no-listen`: the dashboard attached to a store that other processes write to,
//! without a listener of its own (docs/architecture.md, "The shared store").

use crate::capture::{ListenOptions, Storage};
use crate::cli::ListenArgs;
use crate::config::{self, Config};
use std::io::IsTerminal;
use std::time::Duration;

/// `--no-listen`: the dashboard over a store that other processes write to (a team's shared
/// PostgreSQL store, or the SQLite file of a listener running elsewhere on this machine). No
/// port is opened; re-verification, the config watcher and replays work as in the dashboard of
/// a listener, with this process's own secrets.
pub(super) fn run(
    runtime: tokio::runtime::Runtime,
    opts: ListenOptions,
    args: &ListenArgs,
    cfg: &Config,
) -> i32 {
    if !std::io::stdout().is_terminal() {
        eprintln!("hookscope: --no-listen opens the dashboard, which needs a terminal");
        return 2;
    }
    let store = match &opts.storage {
        Storage::Postgres(url) => crate::store::Store::open_postgres(url),
        Storage::Dir(dir) if !dir.join(crate::store::DB_FILE).is_file() => {
            eprintln!(
                "hookscope: there is no capture database in {} to attach to (pass --data-dir \
                 DIR where `hookscope listen` stores it, or --store URL)",
                dir.display()
            );
            return 2;
        }
        Storage::Dir(dir) => crate::store::Store::open(dir),
        Storage::Memory => unreachable!("--no-listen conflicts with --no-store"),
    };
    let store = match store {
        Ok(s) => s,
        Err(e) => {
            eprintln!("hookscope: {e}");
            return 1;
        }
    };
    super::listen::log_to_file(&opts.storage);
    let place = store.shared_location().unwrap_or_else(|| {
        store
            .path()
            .map(|p| p.display().to_string())
            .unwrap_or_default()
    });
    let events = opts.events.clone();
    let checker = std::sync::Arc::new(std::sync::RwLock::new(opts.checker.clone()));
    let rejudge = std::sync::Arc::new(crate::reverify::Rejudger::new(
        store.clone(),
        events.clone(),
    ));
    rejudge.start(opts.checker.clone());
    let dash = crate::tui::DashboardOptions {
        listen_url: String::new(),
        attached: Some(place),
        forward: opts.forward.clone(),
        theme: args.theme.clone().or_else(|| cfg.theme.clone()),
        keys: cfg.keys.clone(),
        runtime: Some(runtime.handle().clone()),
        store: Some(store.clone()),
        keep: Some(opts.keep),
        config_path: args.config.clone().or_else(Config::default_path),
        shared_checker: Some(checker.clone()),
        rejudge: Some(rejudge.clone()),
        ..Default::default()
    };
    let watch = dash.config_path.clone().map(|path| {
        let _guard = runtime.enter();
        crate::config_watch::spawn(
            path,
            checker.clone(),
            events.clone(),
            config::process_env(),
            rejudge.clone(),
        )
    });
    let result = crate::tui::run_dashboard(
        dash,
        Box::new(store.clone()),
        events.subscribe(),
        opts.checker,
    );
    if let Some(w) = watch {
        w.abort();
    }
    drop(rejudge);
    runtime.shutdown_timeout(Duration::from_secs(2));
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("hookscope: {e:#}");
            1
        }
    }
}
