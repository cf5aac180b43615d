//! The event loop: the only place with terminal, clipboard, store and channel I/O. It turns
//! terminal events, captured deliveries and clock ticks into [`Input`]s, performs the
//! [`Effect`]s the [`App`] returns, and draws only when the state changed.

use super::app::App;
use super::change_feed::ChangeFeed;
use super::clipboard::Clipboard;
use super::diff_pane::compare_stored;
use super::events::{Effect, Input, Msg};
use super::history;
use super::keys::KeyMap;
use super::options::AppOptions;
use super::replayer::{Replayer, edit_in};
use super::save::Saver;
use super::source::DeliverySource;
use super::terminal::{TerminalGuard, spawn_input, stop_self, suspended};
use super::theme::Theme;
use crate::checker::Checker;
use crate::event::Event;
use crate::store::COUNT_STEP;
use anyhow::Context;
use crossterm::event as term;
use jiff::tz::TimeZone;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use std::collections::BTreeMap;
use std::io::stdout;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use tokio::sync::broadcast;

/// Clock ticks per second (the Signature tab's countdown, status expiry).
const TICK: Duration = Duration::from_millis(250);

/// What the dashboard shows besides the deliveries.
#[derive(Clone, Debug, Default)]
pub struct DashboardOptions {
    /// The listener's URL, e.g. `http://127.0.0.1:4545`.
    pub listen_url: String,
    /// Attached to this store without listening (`--no-listen`): where it lives, for the header.
    pub attached: Option<String>,
    /// The forward target, if any.
    pub forward: Option<String>,
    /// The listener is reachable from other machines (shown in a warning style).
    pub non_loopback: bool,
    /// Theme name (`--theme` / config `theme`); default `default`.
    pub theme: Option<String>,
    /// Key remapping from the config (`[keys]`).
    pub keys: BTreeMap<String, String>,
    /// Time zone for times; default the system's.
    pub time_zone: Option<TimeZone>,
    /// The runtime replays are sent on (default: a small one of the dashboard's own).
    pub runtime: Option<tokio::runtime::Handle>,
    /// Where replays are recorded (default: not recorded).
    pub store: Option<crate::store::Store>,
    /// Retention (`--keep`), shown in the header bar.
    pub keep: Option<u64>,
    /// Where the secrets pane saves (the config file); `None`: changes last for the session.
    pub config_path: Option<PathBuf>,
    /// The listener's checker: a save swaps it, so new deliveries use the new secrets.
    pub shared_checker: Option<Arc<RwLock<Checker>>>,
    /// The listener's response rules (the `a` overlay switches them).
    pub rules: Option<Arc<crate::respond::Rules>>,
    /// The listener's re-verifier (progress arrives on the event channel); without one the
    /// dashboard runs its own passes over the source's store.
    pub rejudge: Option<Arc<crate::reverify::Rejudger>>,
}

/// Who re-verifies stored deliveries for this dashboard.
enum Rejudge {
    /// The listener's: progress comes through the event channel.
    Shared(Arc<crate::reverify::Rejudger>),
    /// The dashboard's own passes, reporting through the loop's channel.
    Local {
        store: crate::store::Store,
        tx: mpsc::Sender<Msg>,
        current: Option<crate::reverify::Reverifier>,
    },
    None,
}

impl Rejudge {
    fn start(&mut self, checker: Checker) {
        match self {
            Rejudge::Shared(r) => r.start(checker),
            Rejudge::Local { store, tx, current } => {
                let tx = tx.clone();
                *current = Some(crate::reverify::Reverifier::start(
                    store.clone(),
                    checker,
                    move |p| {
                        let _ = tx.send(Msg::Input(Box::new(Input::Reverifying(p))));
                    },
                ));
            }
            Rejudge::None => {}
        }
    }
}

/// Answers list requests on a thread of its own (a body search may take a while), newest
/// request first; without a shareable store they are answered on the loop's thread.
struct QueryWorker {
    tx: Option<mpsc::Sender<crate::listing::ListRequest>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl QueryWorker {
    fn start(store: Option<crate::store::Store>, out: mpsc::Sender<Msg>) -> QueryWorker {
        let Some(store) = store else {
            return QueryWorker {
                tx: None,
                thread: None,
            };
        };
        let (tx, rx) = mpsc::channel::<crate::listing::ListRequest>();
        let thread = std::thread::spawn(move || {
            let mut next = None;
            loop {
                let Some(mut req) = next.take().or_else(|| rx.recv().ok()) else {
                    return;
                };
                // Only the newest question matters.
                while let Ok(newer) = rx.try_recv() {
                    req = newer;
                }
                let answer = if req.query.as_ref().is_some_and(|q| q.searches_bodies()) {
                    // A body search counts in steps and says how far it got; a newer question
                    // stops it.
                    let seq = req.seq;
                    store.window_with_progress(&req, COUNT_STEP, &mut |matched, scanned, of| {
                        if let Ok(newer) = rx.try_recv() {
                            next = Some(newer);
                            return false;
                        }
                        let p = Input::Searching {
                            seq,
                            matched,
                            scanned,
                            of,
                        };
                        out.send(Msg::Input(Box::new(p))).is_ok()
                    })
                } else {
                    store.window(&req).map(Some)
                };
                let input = match answer {
                    Ok(Some(w)) => Input::Window(Box::new(w)),
                    Ok(None) => continue,
                    Err(e) => Input::Notice(format!("cannot read the stored deliveries: {e}")),
                };
                if out.send(Msg::Input(Box::new(input))).is_err() {
                    return;
                }
            }
        });
        QueryWorker {
            tx: Some(tx),
            thread: Some(thread),
        }
    }

    /// Ask; `None` when it was sent to the thread, else the answer now.
    fn ask(&self, req: crate::listing::ListRequest, source: &dyn DeliverySource) -> Option<Input> {
        if let Some(tx) = &self.tx
            && tx.send(req.clone()).is_ok()
        {
            return None;
        }
        Some(match source.window(&req) {
            Ok(w) => Input::Window(Box::new(w)),
            Err(e) => Input::Notice(format!("cannot read the stored deliveries: {e:#}")),
        })
    }
}

impl Drop for QueryWorker {
    fn drop(&mut self) {
        self.tx = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Run the dashboard until the user quits (`q`, `ctrl-c`) or SIGTERM or SIGINT arrives; the terminal is
/// restored in every case, panics included. Call it from a thread that may block (not from inside
/// an async task): it owns the terminal and runs its own small helper threads. Theme, key and
/// store errors are returned before the terminal is touched.
pub fn run_dashboard(
    opts: DashboardOptions,
    mut source: Box<dyn DeliverySource>,
    events: broadcast::Receiver<Event>,
    checker: Checker,
) -> anyhow::Result<()> {
    let theme = Theme::load(
        opts.theme.as_deref(),
        Theme::user_dir().as_deref(),
        crate::conventions::dashboard_plain(),
    )?;
    let keys = KeyMap::new(&opts.keys).map_err(|e| anyhow::anyhow!("config file: {e}"))?;
    let mut feed = ChangeFeed::start(&*source)?;
    let env =
        crate::config::Config::default().secrets(checker.registry(), &crate::config::process_env());
    let mut saver = Saver::new(
        opts.config_path,
        opts.shared_checker,
        env.clone(),
        checker.clone(),
    );
    let app_opts = AppOptions {
        listen_url: opts.listen_url,
        attached: opts.attached,
        forward: opts.forward,
        non_loopback: opts.non_loopback,
        time_zone: opts.time_zone.unwrap_or_else(TimeZone::system),
        keep: opts.keep,
    };
    let mut app = App::new(app_opts, checker.clone(), keys, theme);
    app.set_editor(std::env::var("EDITOR").ok());
    if let Some(rules) = &opts.rules {
        app.set_rules(super::rules_pane::RuleRow::of(rules));
    }
    app.set_env_secrets(env);
    let mut clipboard = Clipboard::new();

    let guard = TerminalGuard::enter().context("cannot set up the terminal")?;
    let mut terminal = Terminal::new(CrosstermBackend::new(stdout()))?;
    let (tx, rx) = mpsc::channel();
    let mut rejudge = match (opts.rejudge, source.store()) {
        (Some(r), _) => Rejudge::Shared(r),
        (None, Some(store)) => {
            let mut r = Rejudge::Local {
                store,
                tx: tx.clone(),
                current: None,
            };
            r.start(checker);
            r
        }
        (None, None) => Rejudge::None,
    };
    let queries = QueryWorker::start(source.store(), tx.clone());
    let replayer = Replayer::new(opts.runtime, opts.store, tx.clone())
        .context("cannot start the replay runtime")?;
    let stop = Arc::new(AtomicBool::new(false));
    let pause = Arc::new(AtomicBool::new(false));
    let input = spawn_input(tx.clone(), stop.clone(), pause.clone());
    let (stop_bridge, bridge) = spawn_bridge(tx.clone(), events);

    let result = event_loop(
        &mut app,
        &mut terminal,
        &rx,
        source.as_mut(),
        (&replayer, &pause, &mut clipboard, opts.rules.as_deref()),
        (&mut saver, &mut rejudge),
        (&queries, &mut feed, &tx),
    );

    stop.store(true, Ordering::Relaxed);
    drop(stop_bridge);
    let _ = input.join();
    let _ = bridge.join();
    drop(terminal);
    drop(guard);
    result
}

/// The store's answer about a failing delivery's verified twin (none when the store fails).
fn twin_answer(source: &dyn DeliverySource, q: &super::twin::TwinQuery) -> Input {
    let twin = super::twin::find(source, q).unwrap_or_else(|e| {
        tracing::warn!("looking for a verified twin of #{}: {e:#}", q.id);
        None
    });
    Input::Twin { id: q.id, twin }
}

fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

fn event_loop(
    app: &mut App,
    terminal: &mut Terminal<CrosstermBackend<std::io::Stdout>>,
    rx: &mpsc::Receiver<Msg>,
    source: &mut dyn DeliverySource,
    (replayer, pause, clipboard, rules): (
        &Replayer,
        &AtomicBool,
        &mut Clipboard,
        Option<&crate::respond::Rules>,
    ),
    (saver, rejudge): (&mut Saver, &mut Rejudge),
    (queries, feed, tx): (&QueryWorker, &mut ChangeFeed, &mpsc::Sender<Msg>),
) -> anyhow::Result<()> {
    let size = terminal.size()?;
    let mut pending = app.update(Input::Resize {
        width: size.width,
        height: size.height,
    });
    pending.extend(app.update(Input::Tick { now_ms: now_ms() }));
    // Debug builds only: lets the tests prove a panic restores the terminal and says where the
    // details are (`tunnel`: once the tunnel is up, to prove its child goes with the panic).
    let test_panic = std::env::var("HOOKSCOPE_TEST_PANIC")
        .ok()
        .filter(|_| cfg!(debug_assertions));
    if test_panic.as_deref().is_some_and(|v| v != "tunnel") {
        panic!("HOOKSCOPE_TEST_PANIC is set");
    }
    let mut next_tick = Instant::now() + TICK;
    loop {
        // Perform effects until the app asks for nothing more (a load answer may ask for none).
        while !pending.is_empty() {
            let mut load = None;
            let mut next = Vec::new();
            for fx in pending.drain(..) {
                match fx {
                    Effect::Quit => return Ok(()),
                    Effect::LoadDetail(id) => load = Some(id),
                    Effect::Query(req) => {
                        if let Some(input) = queries.ask(req, source) {
                            next.extend(app.update(input));
                        }
                    }
                    Effect::Copy { what, text } => {
                        let msg = clipboard.copy(what.label(), &text, &mut stdout());
                        next.extend(app.update(Input::Notice(msg)));
                    }
                    Effect::Replay(job) => replayer.start(*job),
                    Effect::Suspend => suspended(terminal, pause, stop_self)?,
                    Effect::Edit { original, text } => {
                        let editor = app.replay_pane().editor.clone().unwrap_or_default();
                        let text = suspended(terminal, pause, || edit_in(&editor, &text))?;
                        next.extend(app.update(Input::Edited { original, text }));
                    }
                    // A file export of many deliveries runs on a thread of its own; the
                    // status line says when it is written.
                    Effect::Export(job) if job.file.is_some() && source.store().is_some() => {
                        let store = source.store().expect("checked");
                        let checker = app.checker().clone();
                        let tx = tx.clone();
                        next.extend(app.update(Input::Result("exporting…".into())));
                        std::thread::spawn(move || {
                            let msg = history::export_to_file(&job, &store, &checker);
                            let _ = tx.send(Msg::Input(Box::new(Input::Result(msg))));
                        });
                    }
                    Effect::Export(job) => {
                        let msg = match &job.file {
                            Some(_) => history::export_to_file(&job, source, app.checker()),
                            None => match history::render(&job, source, app.checker()) {
                                Ok((text, _)) => {
                                    clipboard.copy("curl command", &text, &mut stdout())
                                }
                                Err(e) => e,
                            },
                        };
                        next.extend(app.update(Input::Notice(msg)));
                    }
                    // Deleting and clearing run on a thread of their own (clearing a million
                    // rows takes seconds); the answer and the change feed update the list.
                    Effect::Delete(id) => match source.store() {
                        Some(mut store) => {
                            let tx = tx.clone();
                            std::thread::spawn(move || {
                                let result = DeliverySource::delete(&mut store, id)
                                    .map_err(|e| format!("{e:#}"));
                                let _ =
                                    tx.send(Msg::Input(Box::new(Input::Deleted { id, result })));
                                let _ = tx.send(Msg::Input(Box::new(Input::StoreChanged)));
                            });
                        }
                        None => {
                            let result = source.delete(id).map_err(|e| format!("{e:#}"));
                            next.extend(app.update(Input::Deleted { id, result }));
                            next.extend(app.update(Input::StoreChanged));
                        }
                    },
                    Effect::Clear => match source.store() {
                        Some(mut store) => {
                            let tx = tx.clone();
                            std::thread::spawn(move || {
                                let result =
                                    DeliverySource::clear(&mut store).map_err(|e| format!("{e:#}"));
                                let _ = tx.send(Msg::Input(Box::new(Input::Cleared(result))));
                                let _ = tx.send(Msg::Input(Box::new(Input::StoreChanged)));
                            });
                        }
                        None => {
                            let result = source.clear().map_err(|e| format!("{e:#}"));
                            next.extend(app.update(Input::Cleared(result)));
                            next.extend(app.update(Input::StoreChanged));
                        }
                    },
                    // Two large bodies take a while to compare: off the drawing thread.
                    Effect::LoadDiff { left, right } => match source.store() {
                        Some(store) => {
                            let checker = app.checker().clone();
                            let tx = tx.clone();
                            std::thread::spawn(move || {
                                let rows = compare_stored(&store, &checker, left, right);
                                let input = Input::DiffLoaded { left, right, rows };
                                let _ = tx.send(Msg::Input(Box::new(input)));
                            });
                        }
                        None => {
                            let rows = compare_stored(&*source, app.checker(), left, right);
                            next.extend(app.update(Input::DiffLoaded { left, right, rows }));
                        }
                    },
                    // A store scan: off the drawing thread.
                    Effect::FindTwin(q) => match source.store() {
                        Some(store) => {
                            let tx = tx.clone();
                            std::thread::spawn(move || {
                                let input = twin_answer(&store, &q);
                                let _ = tx.send(Msg::Input(Box::new(input)));
                            });
                        }
                        None => next.extend(app.update(twin_answer(&*source, &q))),
                    },
                    Effect::SetRule { index, enabled } => {
                        let msg = match rules {
                            Some(r) if r.set_enabled(index, enabled) => {
                                let name = &r.all()[index].name;
                                format!(
                                    "response rule {name} {}",
                                    if enabled { "on" } else { "off" }
                                )
                            }
                            _ => "the response rules are not live here".to_string(),
                        };
                        next.extend(app.update(Input::Notice(msg)));
                    }
                    Effect::SaveSecrets { changes } => {
                        let (input, checker) = saver.save(changes);
                        if let Some(c) = checker {
                            rejudge.start(c);
                        }
                        next.extend(app.update(input));
                    }
                }
            }
            // Only the latest selection matters when keys arrive faster than loads.
            if let Some(id) = load {
                let loaded = source.get(id).and_then(|d| Ok((d, source.replays_of(id)?)));
                let input = match loaded {
                    Ok((delivery, replays)) => Input::Detail {
                        id,
                        delivery: delivery.map(Box::new),
                        replays,
                    },
                    Err(e) => Input::Notice(format!("cannot load delivery #{id}: {e:#}")),
                };
                next.extend(app.update(input));
            }
            pending = next;
        }
        if app.take_dirty() {
            terminal.draw(|f| super::draw(app, f))?;
        }

        let timeout = next_tick.saturating_duration_since(Instant::now());
        let mut msgs = Vec::new();
        match rx.recv_timeout(timeout) {
            Ok(m) => {
                msgs.push(m);
                // Take what else is queued (a burst of deliveries draws once).
                while msgs.len() < 4096 {
                    match rx.try_recv() {
                        Ok(m) => msgs.push(m),
                        Err(_) => break,
                    }
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => return Ok(()),
        }
        for m in msgs {
            let input = match m {
                Msg::Term(term::Event::Key(k)) => Input::Key(k),
                Msg::Term(term::Event::Mouse(m)) => Input::Mouse(m),
                Msg::Term(term::Event::Resize(width, height)) => Input::Resize { width, height },
                Msg::Term(term::Event::Paste(text)) => Input::Paste(text),
                Msg::Term(_) => continue,
                Msg::TermError(e) => anyhow::bail!("reading the terminal failed: {e}"),
                Msg::Captured(c) => Input::Delivery(c),
                Msg::StoreWarning(w) => Input::StoreWarning(w),
                // Missed broadcasts are in the store, which the list reads anyway.
                Msg::Lagged => Input::StoreChanged,
                Msg::Input(input) => {
                    if test_panic.as_deref() == Some("tunnel")
                        && matches!(&*input, Input::Tunnel(r) if r.status.url().is_some())
                    {
                        panic!("HOOKSCOPE_TEST_PANIC is set");
                    }
                    if let Input::CheckerChanged { checker, .. } = input.as_ref() {
                        // The watcher seeing this dashboard's own save is no news.
                        if checker.secrets() == saver.current().secrets() {
                            continue;
                        }
                        saver.set_current((**checker).clone());
                    }
                    *input
                }
                Msg::Closed => {
                    Input::Notice("capture stopped: no new deliveries will arrive".into())
                }
                Msg::Terminate => return Ok(()),
            };
            pending.extend(app.update(input));
        }
        // The change feed: writes by any process (import, replay, another listener, pruning)
        // show within a poll.
        for input in feed.poll(&*source) {
            pending.extend(app.update(input));
        }
        if Instant::now() >= next_tick {
            next_tick = Instant::now() + TICK;
            pending.extend(app.update(Input::Tick { now_ms: now_ms() }));
        }
    }
}

/// Forward broadcast events, SIGTERM and SIGINT to the loop, on a thread with a small tokio runtime.
/// Dropping the returned sender stops it.
fn spawn_bridge(
    tx: mpsc::Sender<Msg>,
    mut events: broadcast::Receiver<Event>,
) -> (
    tokio::sync::oneshot::Sender<()>,
    std::thread::JoinHandle<()>,
) {
    let (stop_tx, mut stop_rx) = tokio::sync::oneshot::channel::<()>();
    // The SIGTERM handler must be in place before the first frame: until then the default
    // action would end the process with the terminal still in raw mode.
    let (ready_tx, ready_rx) = mpsc::channel::<()>();
    let handle = std::thread::spawn(move || {
        let rt = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(rt) => rt,
            Err(e) => {
                tracing::warn!("no live updates: {e}");
                let _ = tx.send(Msg::Closed);
                let _ = ready_tx.send(());
                return;
            }
        };
        rt.block_on(async move {
            // SIGINT is `kill -INT`; ctrl-c typed in the dashboard is a key, not a signal.
            let term = crate::signals::shutdown_signal();
            tokio::pin!(term);
            let _ = ready_tx.send(());
            let mut open = true;
            loop {
                let msg = tokio::select! {
                    _ = &mut stop_rx => return,
                    _ = &mut term => Msg::Terminate,
                    r = events.recv(), if open => match r {
                        Ok(Event::Delivery(c)) => Msg::Captured(c),
                        Ok(Event::StoreWarning(w)) => Msg::StoreWarning(w),
                        Ok(Event::ConfigReloaded { checker, .. }) => {
                            Msg::Input(Box::new(Input::CheckerChanged {
                                checker: Box::new((*checker).clone()),
                                notice: "the config file changed: its secrets are in force; \
                                         re-verifying the stored deliveries"
                                    .into(),
                            }))
                        }
                        Ok(Event::Reverifying(p)) => Msg::Input(Box::new(Input::Reverifying(p))),
                        Ok(Event::Tunnel(r)) => Msg::Input(Box::new(Input::Tunnel(r))),
                        Ok(Event::ConfigError(e)) => Msg::Input(Box::new(Input::Notice(format!(
                            "{e} (the previous secrets stay in force)"
                        )))),
                        Err(broadcast::error::RecvError::Lagged(_)) => Msg::Lagged,
                        Err(broadcast::error::RecvError::Closed) => {
                            open = false;
                            Msg::Closed
                        }
                    },
                };
                let terminate = matches!(msg, Msg::Terminate);
                if tx.send(msg).is_err() || terminate {
                    return;
                }
            }
        });
    });
    // Bounded: a bridge that cannot start reports it through `tx` and sends `ready` anyway.
    let _ = ready_rx.recv_timeout(Duration::from_secs(5));
    (stop_tx, handle)
}
