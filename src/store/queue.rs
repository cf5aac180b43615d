//! The write queue: every write goes into one ordered queue, and whoever holds the [`Writer`]
//! runs what is at its head.
//!
//! Inserts use leader-based group commit. The thread that queues an insert tries to take the
//! writer; if it is free, that thread becomes the leader: it commits every insert queued so far
//! (its own and those queued while the previous commit ran) in one transaction and acknowledges
//! each. If the writer is busy, the insert waits for the current holder, which looks at the
//! queue again after letting go of the writer and leads again if inserts are waiting. A
//! capture request is thus committed on its own task, with no hand-off to another thread and
//! back, which on a 2-core machine costs more than the commit itself.
//!
//! Everything else (flushes, imports, deletes, verdict rewrites, settings, retention pruning)
//! runs on the store's own thread, in queue order: a leader that finds such a job at the head
//! stops there and wakes the thread, so a slow bulk write never runs on a request's task.

use super::writer::{InsertJob, Job, Writer};
use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard, TryLockError};

/// Rows per transaction at most.
const MAX_BATCH_ROWS: usize = 1024;
/// Payload bytes per transaction at most.
const MAX_BATCH_BYTES: usize = 32 << 20;

/// The queue, the writer, and the store thread's wake-up signal.
pub(crate) struct Queue {
    jobs: Mutex<VecDeque<Queued>>,
    writer: Mutex<Writer>,
    signal: Mutex<Signal>,
    woken: Condvar,
}

/// One entry of the queue.
enum Queued {
    Insert(Box<InsertJob>),
    Other(Job),
}

#[derive(Default)]
struct Signal {
    work: bool,
    closed: bool,
}

/// What is at the head of the queue after taking a batch of inserts.
enum Next {
    Empty,
    Insert,
    Other,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Queue {
    pub(crate) fn new(writer: Writer) -> Queue {
        Queue {
            jobs: Mutex::new(VecDeque::new()),
            writer: Mutex::new(writer),
            signal: Mutex::new(Signal::default()),
            woken: Condvar::new(),
        }
    }

    /// Queue an insert. It is committed by the next [`Queue::lead`] that finds the writer free
    /// (the caller's own, or that of whoever holds the writer now).
    pub(crate) fn push_insert(&self, job: InsertJob) {
        lock(&self.jobs).push_back(Queued::Insert(Box::new(job)));
    }

    /// Queue a job that is not an insert, for the store thread.
    pub(crate) fn push_other(&self, job: Job) {
        lock(&self.jobs).push_back(Queued::Other(job));
        self.wake();
    }

    /// Tell the store thread to finish what is queued and exit.
    pub(crate) fn close(&self) {
        lock(&self.signal).closed = true;
        self.woken.notify_one();
    }

    /// The store thread: run the queue whenever woken, until closed.
    pub(crate) fn run_thread(&self) {
        loop {
            let closed = self.wait();
            let mut writer = lock(&self.writer);
            self.run_all(&mut writer);
            drop(writer);
            if closed {
                return;
            }
            // Inserts queued while this thread held the writer found it busy.
            self.lead();
        }
    }

    /// Commit waiting inserts while the writer is free; stop at anything else.
    pub(crate) fn lead(&self) {
        loop {
            let mut writer = match self.writer.try_lock() {
                Ok(w) => w,
                Err(TryLockError::Poisoned(p)) => p.into_inner(),
                Err(TryLockError::WouldBlock) => return,
            };
            let other_next = self.commit_inserts(&mut writer);
            let prune = writer.prune_due();
            drop(writer);
            if other_next || prune {
                self.wake();
                return;
            }
            // An insert queued after the last batch was taken but before the writer was let go
            // found it busy: it is this thread's to commit.
            if !matches!(self.next(), Next::Insert) {
                return;
            }
        }
    }

    /// Run every job in order, pruning between batches when due, until the queue is empty.
    fn run_all(&self, writer: &mut Writer) {
        loop {
            if self.commit_inserts(writer) {
                let next = lock(&self.jobs).pop_front();
                if let Some(Queued::Other(job)) = next {
                    writer.run_job(job);
                }
            } else if writer.prune_due() {
                writer.prune_step();
            } else {
                return;
            }
        }
    }

    /// Commit the inserts at the head of the queue, batch by batch. True when a job that is
    /// not an insert is next.
    fn commit_inserts(&self, writer: &mut Writer) -> bool {
        loop {
            let (batch, next) = self.take_inserts();
            if !batch.is_empty() {
                writer.commit_batch(batch);
            }
            match next {
                Next::Empty => return false,
                Next::Other => return true,
                Next::Insert => {}
            }
        }
    }

    /// Take the inserts at the head of the queue, up to one transaction's worth.
    fn take_inserts(&self) -> (Vec<InsertJob>, Next) {
        let mut jobs = lock(&self.jobs);
        let mut batch = Vec::new();
        let mut bytes = 0;
        while batch.len() < MAX_BATCH_ROWS && bytes < MAX_BATCH_BYTES {
            match jobs.pop_front() {
                Some(Queued::Insert(j)) => {
                    bytes += j.write_size();
                    batch.push(*j);
                }
                Some(other) => {
                    jobs.push_front(other);
                    break;
                }
                None => break,
            }
        }
        (batch, next_of(&jobs))
    }

    fn next(&self) -> Next {
        next_of(&lock(&self.jobs))
    }

    fn wake(&self) {
        lock(&self.signal).work = true;
        self.woken.notify_one();
    }

    /// Block until there is work or the queue is closed; returns whether it is closed.
    fn wait(&self) -> bool {
        let mut s = lock(&self.signal);
        while !s.work && !s.closed {
            s = self.woken.wait(s).unwrap_or_else(|e| e.into_inner());
        }
        s.work = false;
        s.closed
    }
}

fn next_of(jobs: &VecDeque<Queued>) -> Next {
    match jobs.front() {
        None => Next::Empty,
        Some(Queued::Insert(_)) => Next::Insert,
        Some(Queued::Other(_)) => Next::Other,
    }
}
