//! The one key table: every action, the context it applies in, its name in the config's
//! `[keys]`, its default keys and its description. It drives dispatch ([`super::keys::KeyMap`]),
//! the help overlay and the hint bars (docs/dashboard.md, "Keys").

/// Something the user can ask for with a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    Quit,
    Help,
    Down,
    Up,
    Top,
    Bottom,
    PageDown,
    PageUp,
    Open,
    Back,
    NextTab,
    PrevTab,
    Tab1,
    Tab2,
    Tab3,
    Tab4,
    Filter,
    NextMatch,
    PrevMatch,
    Follow,
    Copy,
    BodyView,
    Tab5,
    Replay,
    ReplayResigned,
    ReplayEdit,
    ReplayTarget,
    ReplayToggleResign,
    ReplayShiftUp,
    ReplayShiftDown,
    ReplayRepeatUp,
    ReplayRepeatDown,
    Export,
    Delete,
    Clear,
    Secrets,
    Mark,
    Diff,
    Rules,
    Setup,
    SkewPage,
    Suspend,
    SecretAdd,
    SecretEdit,
    SecretRemove,
    SecretMoveUp,
    SecretMoveDown,
    SecretReveal,
    SecretSave,
}

impl Action {
    /// The context the key table gives the action.
    pub fn context(self) -> Context {
        TABLE
            .iter()
            .find(|b| b.action == self)
            .map_or(Context::Global, |b| b.context)
    }
}

/// Where an action applies. Each pane looks a key up in its own contexts, then in
/// [`Context::Global`]; a key may mean different actions in contexts that never meet (`e` edits
/// a replay in the dashboard and a secret in the secrets pane).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Context {
    /// Everywhere: moving in any list, back, help, quit.
    Global,
    /// The delivery list (and the dashboard around it).
    List,
    /// The detail tabs.
    Detail,
    /// The Replay tab's keys.
    Replay,
    /// The secrets pane.
    Secrets,
}

impl Context {
    /// The heading of the context in the help overlay.
    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "everywhere",
            Context::List => "list",
            Context::Detail => "detail",
            Context::Replay => "replay",
            Context::Secrets => "secrets pane",
        }
    }

    /// The contexts a pane looks keys up in, its own first.
    pub fn chain(self) -> &'static [Context] {
        match self {
            // The list and the detail share the dashboard's keys (a replay key works from the
            // list too, switching to the Replay tab).
            Context::Global | Context::List | Context::Detail | Context::Replay => &[
                Context::List,
                Context::Detail,
                Context::Replay,
                Context::Global,
            ],
            Context::Secrets => &[Context::Secrets, Context::Global],
        }
    }

    /// Whether a key can mean an action of each context in one pane (so remapping a key to
    /// one takes it from the other).
    pub fn meets(self, other: Context) -> bool {
        self.chain().contains(&other) || other.chain().contains(&self)
    }
}

/// One row of the key table.
#[derive(Clone, Copy, Debug)]
pub struct Binding {
    pub action: Action,
    /// Where it applies.
    pub context: Context,
    /// Name used in the config file (`[keys] down = "ctrl-n"`).
    pub name: &'static str,
    /// Default keys, in the syntax of [`parse_key`].
    pub keys: &'static [&'static str],
    /// What the help overlay says.
    pub description: &'static str,
}

/// The key table, in help-overlay order.
pub const TABLE: &[Binding] = &[
    Binding {
        action: Action::Down,
        context: Context::Global,
        name: "down",
        keys: &["j", "down"],
        description: "next delivery / scroll down",
    },
    Binding {
        action: Action::Up,
        context: Context::Global,
        name: "up",
        keys: &["k", "up"],
        description: "previous delivery / scroll up",
    },
    Binding {
        action: Action::Top,
        context: Context::Global,
        name: "top",
        keys: &["g", "home"],
        description: "first row / top",
    },
    Binding {
        action: Action::Bottom,
        context: Context::Global,
        name: "bottom",
        keys: &["G", "end"],
        description: "last row / bottom",
    },
    Binding {
        action: Action::PageDown,
        context: Context::Global,
        name: "page_down",
        keys: &["pgdn", "ctrl-d"],
        description: "page down",
    },
    Binding {
        action: Action::PageUp,
        context: Context::Global,
        name: "page_up",
        keys: &["pgup", "ctrl-u"],
        description: "page up",
    },
    Binding {
        action: Action::Open,
        context: Context::List,
        name: "open",
        keys: &["enter"],
        description: "open the delivery (focus the detail)",
    },
    Binding {
        action: Action::Back,
        context: Context::Global,
        name: "back",
        keys: &["esc"],
        description: "back to the list; clear the filter",
    },
    Binding {
        action: Action::NextTab,
        context: Context::Detail,
        name: "next_tab",
        keys: &["tab"],
        description: "next detail tab",
    },
    Binding {
        action: Action::PrevTab,
        context: Context::Detail,
        name: "prev_tab",
        keys: &["backtab"],
        description: "previous detail tab",
    },
    Binding {
        action: Action::Tab1,
        context: Context::Detail,
        name: "tab_overview",
        keys: &["1"],
        description: "Overview tab",
    },
    Binding {
        action: Action::Tab2,
        context: Context::Detail,
        name: "tab_headers",
        keys: &["2"],
        description: "Headers tab",
    },
    Binding {
        action: Action::Tab3,
        context: Context::Detail,
        name: "tab_body",
        keys: &["3"],
        description: "Body tab",
    },
    Binding {
        action: Action::Tab4,
        context: Context::Detail,
        name: "tab_signature",
        keys: &["4"],
        description: "Signature tab",
    },
    Binding {
        action: Action::BodyView,
        context: Context::Detail,
        name: "body_view",
        keys: &["v"],
        description: "body view: raw → pretty JSON → form → hex",
    },
    Binding {
        action: Action::Filter,
        context: Context::List,
        name: "filter",
        keys: &["/"],
        description: "filter: path, provider, method, status, verdict, body text",
    },
    Binding {
        action: Action::NextMatch,
        context: Context::List,
        name: "next_match",
        keys: &["n"],
        description: "next match (wraps)",
    },
    Binding {
        action: Action::PrevMatch,
        context: Context::List,
        name: "prev_match",
        keys: &["N"],
        description: "previous match (wraps)",
    },
    Binding {
        action: Action::Follow,
        context: Context::List,
        name: "follow",
        keys: &["F"],
        description: "follow: newest at the bottom, auto-scroll / newest first",
    },
    Binding {
        action: Action::Copy,
        context: Context::Detail,
        name: "copy",
        keys: &["y"],
        description: "copy menu (signatures, signed string, body, headers, curl)",
    },
    Binding {
        action: Action::Help,
        context: Context::Global,
        name: "help",
        keys: &["?"],
        description: "this help",
    },
    Binding {
        action: Action::Quit,
        context: Context::Global,
        name: "quit",
        keys: &["q"],
        description: "quit (ctrl-c always quits)",
    },
    Binding {
        action: Action::Tab5,
        context: Context::Detail,
        name: "tab_replay",
        keys: &["5"],
        description: "Replay tab",
    },
    Binding {
        action: Action::Replay,
        context: Context::Replay,
        name: "replay",
        keys: &["r"],
        description: "replay to the target as captured (re-signed when the pane's re-sign is on)",
    },
    Binding {
        action: Action::ReplayResigned,
        context: Context::Replay,
        name: "replay_resigned",
        keys: &["R"],
        description: "replay re-signed: fresh timestamp, new id, current secret",
    },
    Binding {
        action: Action::ReplayEdit,
        context: Context::Replay,
        name: "replay_edit",
        keys: &["e"],
        description: "edit headers and body ($EDITOR or inline), then replay re-signed",
    },
    Binding {
        action: Action::ReplayTarget,
        context: Context::Replay,
        name: "replay_target",
        keys: &["t"],
        description: "type the replay target URL (empty = the forward URL)",
    },
    Binding {
        action: Action::ReplayToggleResign,
        context: Context::Replay,
        name: "replay_toggle_resign",
        keys: &["o"],
        description: "re-sign on/off for r",
    },
    Binding {
        action: Action::ReplayShiftUp,
        context: Context::Replay,
        name: "replay_shift_up",
        keys: &["+"],
        description: "timestamp shift +60 s (re-signed replays)",
    },
    Binding {
        action: Action::ReplayShiftDown,
        context: Context::Replay,
        name: "replay_shift_down",
        keys: &["-"],
        description: "timestamp shift −60 s (re-signed replays)",
    },
    Binding {
        action: Action::ReplayRepeatUp,
        context: Context::Replay,
        name: "replay_repeat_up",
        keys: &["]"],
        description: "repeat count +1",
    },
    Binding {
        action: Action::ReplayRepeatDown,
        context: Context::Replay,
        name: "replay_repeat_down",
        keys: &["["],
        description: "repeat count −1",
    },
    Binding {
        action: Action::Export,
        context: Context::List,
        name: "export",
        keys: &["x"],
        description: "export menu: curl → clipboard, HAR or JSON lines → file",
    },
    Binding {
        action: Action::Delete,
        context: Context::List,
        name: "delete",
        keys: &["d"],
        description: "delete the selected delivery",
    },
    Binding {
        action: Action::Clear,
        context: Context::List,
        name: "clear",
        keys: &["z"],
        description: "delete all deliveries (asks first)",
    },
    Binding {
        action: Action::Secrets,
        context: Context::List,
        name: "secrets",
        keys: &["s"],
        description: "secrets pane: add, edit, remove, reorder; save re-verifies everything",
    },
    Binding {
        action: Action::Mark,
        context: Context::List,
        name: "mark",
        keys: &["m"],
        description: "mark the selected delivery for a diff (again: unmark)",
    },
    Binding {
        action: Action::Diff,
        context: Context::List,
        name: "diff",
        keys: &["D"],
        description: "diff the marked delivery (or a replay's original) with the selected one",
    },
    Binding {
        action: Action::Rules,
        context: Context::List,
        name: "rules",
        keys: &["a"],
        description: "response rules: switch each on or off",
    },
    Binding {
        action: Action::Setup,
        context: Context::List,
        name: "setup",
        keys: &["u"],
        description: "setup card: the URL to paste, where the secret is, the handshake",
    },
    Binding {
        action: Action::SkewPage,
        context: Context::List,
        name: "skew_page",
        keys: &["p"],
        description: "skew panel: the next providers, when they do not all fit",
    },
    Binding {
        action: Action::Suspend,
        context: Context::Global,
        name: "suspend",
        keys: &["ctrl-z"],
        description: "suspend to the shell (fg resumes; capture waits meanwhile)",
    },
    Binding {
        action: Action::SecretAdd,
        context: Context::Secrets,
        name: "secret_add",
        keys: &["a"],
        description: "add a secret to the selected provider",
    },
    Binding {
        action: Action::SecretEdit,
        context: Context::Secrets,
        name: "secret_edit",
        keys: &["enter", "e"],
        description: "edit the selected secret (type or paste it)",
    },
    Binding {
        action: Action::SecretRemove,
        context: Context::Secrets,
        name: "secret_remove",
        keys: &["d", "delete"],
        description: "remove the selected secret",
    },
    Binding {
        action: Action::SecretMoveUp,
        context: Context::Secrets,
        name: "secret_move_up",
        keys: &["K"],
        description: "try the secret earlier",
    },
    Binding {
        action: Action::SecretMoveDown,
        context: Context::Secrets,
        name: "secret_move_down",
        keys: &["J"],
        description: "try the secret later",
    },
    Binding {
        action: Action::SecretReveal,
        context: Context::Secrets,
        name: "secret_reveal",
        keys: &["r"],
        description: "show the selected secret in clear (again: hide)",
    },
    Binding {
        action: Action::SecretSave,
        context: Context::Secrets,
        name: "secret_save",
        keys: &["w", "ctrl-s"],
        description: "save the changed secrets; every delivery is re-verified",
    },
];

/// Hint-bar entries per context: actions shown together and a short label.
pub const LIST_HINTS: &[(&[Action], &str)] = &[
    (&[Action::Down, Action::Up], "move"),
    (&[Action::Open], "open"),
    (&[Action::NextTab], "tabs"),
    (&[Action::Filter], "filter"),
    (&[Action::Follow], "follow"),
    (&[Action::Copy], "copy"),
    (&[Action::Help], "help"),
    (&[Action::Quit], "quit"),
    (&[Action::Replay, Action::ReplayResigned], "replay"),
    (&[Action::Export], "export"),
    (&[Action::Secrets], "secrets"),
];

/// Hint entries of the secrets pane (`esc`/`q` close it).
pub const SECRETS_HINTS: &[(&[Action], &str)] = &[
    (&[Action::Down, Action::Up], "move"),
    (&[Action::SecretAdd], "add"),
    (&[Action::SecretEdit], "edit"),
    (&[Action::SecretRemove], "remove"),
    (&[Action::SecretMoveUp, Action::SecretMoveDown], "reorder"),
    (&[Action::SecretReveal], "reveal"),
    (&[Action::SecretSave], "save"),
    (&[Action::Back], "close"),
];

/// Hint-bar entries while the detail pane has the focus (an entry that does not fit is left out).
pub const DETAIL_HINTS: &[(&[Action], &str)] = &[
    (&[Action::Down, Action::Up], "scroll"),
    (&[Action::NextTab], "tabs"),
    (&[Action::BodyView], "body view"),
    (&[Action::Back], "back"),
    (&[Action::Copy], "copy"),
    (&[Action::Help], "help"),
    (&[Action::Quit], "quit"),
    (&[Action::NextMatch, Action::PrevMatch], "next/prev match"),
    (&[Action::Replay, Action::ReplayResigned], "replay"),
    (&[Action::Secrets], "secrets"),
];
