//! The messages of the dashboard: [`Input`] (something happened, for [`super::App::update`]),
//! [`Effect`] (work the app asks the event loop to do) and [`Msg`] (what the loop's threads send
//! it). A data module: it names the payloads and imports no pane, so every pane and the loop can
//! use it without an import circle (docs/architecture.md, "Who owns what").

use super::copy::CopyKind;
use super::history::ExportJob;
use crate::checker::Checker;
use crate::delivery::{Delivery, ResponseRecord, Summary};
use crate::event::Captured;
use crate::listing::{ListRequest, ListWindow};
use crate::replay::Prepared;
use crate::reverify::Progress;
use crate::secret::Secret;
use crate::verify::Verdict;
use crossterm::event::{self as term, KeyEvent, MouseEvent};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Secrets per provider, as saved.
pub type SecretMap = BTreeMap<String, Vec<Secret>>;

/// The rows of a comparison, or why there are none.
pub type Compared = Result<Vec<crate::diff::render::Row>, String>;

/// Something that happened, for [`App::update`].
#[derive(Clone, Debug)]
pub enum Input {
    /// A key press (releases and repeats of other kinds are ignored).
    Key(KeyEvent),
    /// A mouse click or wheel.
    Mouse(MouseEvent),
    /// The terminal size.
    Resize { width: u16, height: u16 },
    /// The clock, unix milliseconds.
    Tick { now_ms: i64 },
    /// A delivery just captured.
    Delivery(Arc<Captured>),
    /// The answer to [`Effect::LoadDetail`]: the delivery (or `None` when it is gone) and the
    /// stored replays of it.
    Detail {
        id: u64,
        delivery: Option<Box<Delivery>>,
        replays: Vec<Summary>,
    },
    /// The store's answer to [`Effect::Query`].
    Window(Box<ListWindow>),
    /// The store changed (any process): ask for the window again.
    StoreChanged,
    /// How far re-verifying stored deliveries has come.
    Reverifying(Progress),
    /// The checker changed (a save, a config change): new details are judged with it; the
    /// stored verdicts follow through re-verification.
    CheckerChanged {
        checker: Box<Checker>,
        notice: String,
    },
    /// A message to show (copy results, load errors).
    Notice(String),
    /// How far a body search has counted: `matched` rows so far in `scanned` of `of` ids.
    Searching {
        seq: u64,
        matched: usize,
        scanned: u64,
        of: u64,
    },
    /// The outcome of long work (an export): it stays on the status line until dismissed.
    Result(String),
    /// The answer to [`Effect::Delete`]: whether the row was there, or why the store refused.
    Deleted {
        id: u64,
        result: Result<bool, String>,
    },
    /// The answer to [`Effect::Clear`]: how many rows went, or why the store refused.
    Cleared(Result<u64, String>),
    /// The answer to [`Effect::Replay`].
    Replayed(Box<ReplayAnswer>),
    /// The answer to [`Effect::Edit`]: the edited text, or why the editor failed.
    Edited {
        original: u64,
        text: Result<String, String>,
    },
    /// Pasted text (bracketed paste).
    Paste(String),
    /// A save failed before anything changed; the sentence says why.
    SaveFailed(String),
    /// The store failed and capture continues in memory: shown in the header until quit.
    StoreWarning(String),
    /// The store's change feed stopped (`Some`: why, e.g. a shared database out of reach) or
    /// works again (`None`: the list is read afresh).
    StoreFeed(Option<String>),
    /// The answer to [`Effect::LoadDiff`].
    DiffLoaded {
        left: u64,
        right: u64,
        rows: Compared,
    },
    /// The tunnel's state changed (shown in the header).
    Tunnel(crate::tunnel::TunnelReport),
    /// The answer to [`Effect::FindTwin`].
    Twin {
        id: u64,
        twin: Option<super::twin::Twin>,
    },
}

/// Work for the event loop.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Load this delivery (with its body) and answer with [`Input::Detail`].
    LoadDetail(u64),
    /// Ask the store for a window of the list; answer with [`Input::Window`].
    Query(ListRequest),
    /// Put text on the clipboard and answer with [`Input::Notice`].
    Copy { what: CopyKind, text: String },
    /// Leave the dashboard.
    Quit,
    /// Send a prepared replay, record it, answer with [`Input::Replayed`].
    Replay(Box<ReplayJob>),
    /// Stop the process until the shell resumes it (`ctrl-z`; the terminal is handed back and
    /// restored exactly as for `$EDITOR`).
    Suspend,
    /// Edit the text in `$EDITOR` (terminal suspended), answer with [`Input::Edited`].
    Edit { original: u64, text: String },
    /// Export deliveries to the clipboard or a file; answer with [`Input::Notice`].
    Export(ExportJob),
    /// Delete this delivery from the store (already gone from the list).
    Delete(u64),
    /// Delete every stored delivery (the list is already empty).
    Clear,
    /// Save these providers' secrets (config file, listener) and answer with
    /// [`Input::CheckerChanged`] (re-verification follows) or [`Input::SaveFailed`].
    SaveSecrets { changes: SecretMap },
    /// Compare these two stored deliveries ([`super::diff_pane::compare_stored`], with the
    /// dashboard's checker) and answer with [`Input::DiffLoaded`].
    LoadDiff { left: u64, right: u64 },
    /// Switch the listener's response rule `index` on or off.
    SetRule { index: usize, enabled: bool },
    /// Look for a verified delivery of the same event ([`super::twin::find`]) and answer with
    /// [`Input::Twin`].
    FindTwin(super::twin::TwinQuery),
}

/// One request for the loop to send (and record as a replay of `original`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplayJob {
    pub original: u64,
    /// Session-unique number; the answer carries it back.
    pub seq: u64,
    pub resigned: bool,
    /// The timestamp shift a re-signed replay was sent with.
    pub shift_secs: i64,
    pub edited: bool,
    pub prepared: Prepared,
    /// Hookscope's verdict on what is sent (recorded with the replay).
    pub verdict: Verdict,
    pub provider: Option<String>,
}

impl ReplayJob {
    /// How this job was prepared.
    pub fn mode(&self) -> crate::replay::Mode {
        if self.resigned {
            crate::replay::Mode::Resign {
                shift_secs: self.shift_secs,
            }
        } else {
            crate::replay::Mode::AsCaptured
        }
    }
}

/// The loop's answer to an [`Effect::Replay`].
#[derive(Clone, Debug)]
pub struct ReplayAnswer {
    pub job: ReplayJob,
    pub answer: ResponseRecord,
    /// The replay as stored (`id` 0 when not stored).
    pub replay: Delivery,
    pub store_error: Option<String>,
}

/// What the helper threads send to the loop.
pub(crate) enum Msg {
    Term(term::Event),
    TermError(String),
    Captured(Arc<Captured>),
    StoreWarning(String),
    Lagged,
    Closed,
    Terminate,
    /// An input produced off the loop (a finished re-verification).
    Input(Box<Input>),
}

/// What a pane or overlay did with a key or a paste (every component answers with one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Handled {
    /// Not its key: the router may offer it elsewhere.
    Ignored,
    /// Taken; the component's own state changed (or nothing needed to).
    Consumed,
    /// Taken, and the component is done: close it.
    Close,
    /// Taken: work for the event loop.
    Effects(Vec<Effect>),
    /// Taken: a message for the status line.
    Notice(String),
}
