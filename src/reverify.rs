//! Judging stored deliveries again when what they were judged with changed: secrets, tolerance,
//! a scheme, a route (docs/architecture.md, "Verdicts and generations").
//!
//! Every stored verdict carries the generation it was computed under (`Checker::generation`).
//! A pass finds the rows whose generation is not the current one, newest first, judges them
//! with the current checker on a background thread and writes verdict, provider and generation
//! back in batches; views see the rows change through the store's change feed. A new pass
//! (another save, another config change) cancels the one before.

use crate::checker::Checker;
use crate::store::{Generations, PendingWrite, Store};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Rows judged and written back per batch.
const BATCH: usize = 512;
/// Passes over the store before giving up on rows that keep arriving stale.
const MAX_PASSES: usize = 4;

/// The one owner of re-verification for a store: starts a pass with the current checker (at
/// start-up, after a save, after a config change), stopping the one before, and reports its
/// progress on the event channel as [`crate::event::Event::Reverifying`].
#[derive(Debug)]
pub struct Rejudger {
    store: Store,
    events: tokio::sync::broadcast::Sender<crate::event::Event>,
    current: std::sync::Mutex<Option<Reverifier>>,
}

impl Rejudger {
    pub fn new(store: Store, events: tokio::sync::broadcast::Sender<crate::event::Event>) -> Self {
        Rejudger {
            store,
            events,
            current: std::sync::Mutex::new(None),
        }
    }

    /// Judge every out-of-date stored delivery with `checker`, in the background.
    pub fn start(&self, checker: Checker) {
        let events = self.events.clone();
        let pass = Reverifier::start(self.store.clone(), checker, move |p| {
            // A pass that found nothing to do is not news.
            if p.total > 0 {
                let _ = events.send(crate::event::Event::Reverifying(p));
            }
        });
        let old = self
            .current
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .replace(pass);
        drop(old);
    }

    /// Wait for the pass under way (tests, one-shot commands).
    pub fn wait(&self) {
        let pass = self
            .current
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(p) = pass {
            p.join();
        }
    }
}

/// How far a pass has come.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// Rows judged again so far.
    pub done: u64,
    /// Rows found out of date when the pass started (grows if more turn up).
    pub total: u64,
    /// The pass ended (all done, or stopped by `error`).
    pub finished: bool,
    /// Why the pass stopped early.
    pub error: Option<String>,
}

/// The generation each stored provider's rows should have under `checker`.
pub fn generations(store: &Store, checker: &Checker) -> Result<Generations, String> {
    let providers = store.stored_providers().map_err(|e| e.to_string())?;
    Ok(Generations {
        by_provider: providers
            .into_iter()
            .map(|p| {
                let g = checker.generation(Some(&p));
                (p, g)
            })
            .collect(),
        none: checker.generation(None),
    })
}

/// A running pass; dropping it (or starting another) stops it after its current batch.
#[derive(Debug)]
pub struct Reverifier {
    cancel: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Reverifier {
    /// Start a pass on its own thread; `report` gets the progress after every batch and once at
    /// the end (`finished`). Nothing out of date: one report, finished, with `total` 0.
    pub fn start(
        store: Store,
        checker: Checker,
        report: impl Fn(Progress) + Send + 'static,
    ) -> Reverifier {
        let cancel = Arc::new(AtomicBool::new(false));
        let stop = cancel.clone();
        let thread = std::thread::Builder::new()
            .name("hookscope-reverify".into())
            .spawn(move || {
                let mut p = run(&store, &checker, &stop, &report);
                p.finished = true;
                if !stop.load(Ordering::Relaxed) {
                    report(p);
                }
            })
            .expect("spawning the re-verification thread");
        Reverifier {
            cancel,
            thread: Some(thread),
        }
    }

    /// Wait for the pass to end (tests, one-shot commands).
    pub fn join(mut self) {
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Reverifier {
    fn drop(&mut self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
}

fn run(store: &Store, checker: &Checker, stop: &AtomicBool, report: &dyn Fn(Progress)) -> Progress {
    let mut p = Progress::default();
    let fail = |mut p: Progress, e: String| {
        p.error = Some(e);
        p
    };
    for _ in 0..MAX_PASSES {
        let current = match generations(store, checker) {
            Ok(g) => g,
            Err(e) => return fail(p, e),
        };
        let stale = match store.count_stale(&current) {
            Ok(n) => n,
            Err(e) => return fail(p, e.to_string()),
        };
        if stale == 0 {
            return p;
        }
        p.total = p.done + stale;
        let mut before = u64::MAX;
        // The batch being written while the next one is judged.
        let mut writing: Option<(PendingWrite, u64)> = None;
        let land = |p: &mut Progress, w: Option<(PendingWrite, u64)>| {
            let Some((pending, n)) = w else { return Ok(()) };
            pending.wait().map_err(|e| e.to_string())?;
            p.done += n;
            p.total = p.total.max(p.done);
            report(p.clone());
            Ok::<(), String>(())
        };
        loop {
            if stop.load(Ordering::Relaxed) {
                return match land(&mut p, writing.take()) {
                    Ok(()) => p,
                    Err(e) => fail(p, e),
                };
            }
            let batch = match store.stale_batch(&current, before, BATCH) {
                Ok(b) => b,
                Err(e) => return fail(p, e.to_string()),
            };
            let Some(last) = batch.last() else { break };
            before = last.id;
            let judged: Vec<_> = batch
                .iter()
                .map(|d| (d.id, checker.judgement(&checker.check_stored(d))))
                .collect();
            let n = judged.len() as u64;
            if let Err(e) = land(&mut p, writing.take()) {
                return fail(p, e);
            }
            writing = Some((store.queue_judgements(judged), n));
        }
        if let Err(e) = land(&mut p, writing.take()) {
            return fail(p, e);
        }
    }
    p
}
