//! Command-line definitions (clap). `hookscope` alone means `hookscope listen`.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// A terminal webhook inspector: capture, verify, diagnose and replay signed webhooks.
#[derive(Debug, Parser)]
#[command(name = "hookscope", version, about, subcommand_negates_reqs = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Colour: auto (on a terminal, unless NO_COLOR is set), always or never.
    #[arg(long, global = true, value_enum, default_value_t, value_name = "WHEN")]
    pub color: crate::conventions::ColorChoice,
    /// Log errors only.
    #[arg(long, short = 'q', global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Log more: -v info, -vv debug, -vvv trace.
    #[arg(long, short = 'v', global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    #[command(flatten)]
    pub listen: ListenArgs,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Capture webhooks on a local listener (dashboard on a terminal, JSON lines otherwise).
    Listen(ListenArgs),
    /// Verify one request's signature (exit 0 verified, 1 not verified, 2 bad input).
    Verify(VerifyArgs),
    /// Print the headers a provider would send for a body (or send the signed request).
    Sign(SignArgs),
    /// List the built-in and configured provider schemes.
    Providers(ProvidersArgs),
    /// Resend a stored delivery to the app and record the replay (exit 0 on a 2xx answer).
    Replay(ReplayArgs),
    /// Write stored deliveries as curl commands, a HAR 1.2 file or JSON lines.
    Export(ExportArgs),
    /// Load deliveries from a HAR or JSON-lines file into the store (all or nothing).
    Import(ImportArgs),
    /// What differs between two stored deliveries (exit 0 the same, 1 different, 2 bad input).
    Diff(DiffArgs),
    /// What to paste where in a provider's console: endpoint URL, secret, handshake, first event.
    Setup(SetupArgs),
    /// Print a shell completion script (e.g. `hookscope completions bash > ~/.local/share/bash-completion/completions/hookscope`).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff; e.g. `hookscope man | man -l -`).
    Man,
}

/// Options of `hookscope listen`.
#[derive(Debug, Clone, Args, Default, PartialEq, Eq)]
pub struct ListenArgs {
    /// Address to listen on (port 0 picks a free port). Default 127.0.0.1:4545.
    #[arg(long, value_name = "HOST:PORT")]
    pub addr: Option<String>,
    /// Proxy each delivery to this URL (+ original path and query) and relay the app's answer.
    #[arg(long, value_name = "URL")]
    pub forward: Option<String>,
    /// Seconds to wait for the forwarded app (default 30).
    #[arg(long, value_name = "SECS")]
    pub forward_timeout: Option<u64>,
    /// Forward endpoint handshakes (Zoom URL validation, Slack url_verification, …) to the app
    /// instead of answering them.
    #[arg(long)]
    pub forward_challenges: bool,
    /// Start a tunnel for a public URL: bore[:HOST], ssh:USER@HOST, cloudflared, ngrok or
    /// cmd:'COMMAND {port}'.
    #[arg(long, value_name = "KIND[:ARG]")]
    pub tunnel: Option<String>,
    /// Answer every delivery (not handshakes) with this status, before any [[responses]] rule
    /// and instead of forwarding.
    #[arg(long, value_name = "STATUS", conflicts_with = "forward")]
    pub respond: Option<u16>,
    /// Config file (default: $XDG_CONFIG_HOME/hookscope/config.toml).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Where captures are stored: the data dir, or a team's shared PostgreSQL store.
    #[command(flatten)]
    pub location: StoreLocation,
    /// Keep deliveries in memory only (wins over --store and HOOKSCOPE_STORE).
    #[arg(long)]
    pub no_store: bool,
    /// Dashboard theme (default, light, high-contrast, or a file in the config dir).
    #[arg(long, value_name = "NAME")]
    pub theme: Option<String>,
    /// Largest body accepted, in bytes; larger ones get 413 and are recorded as rejected.
    #[arg(long, value_name = "BYTES")]
    pub max_body: Option<u64>,
    /// Keep this many newest deliveries (older ones are pruned).
    #[arg(long, value_name = "N")]
    pub keep: Option<u64>,
    /// Most of the forwarded app's answer read and relayed, in bytes (default 10 MiB); the rest
    /// is cut off and the delivery says so.
    #[arg(long, value_name = "BYTES")]
    pub forward_max_body: Option<u64>,
    /// Body bytes all requests may hold at once (default 64 MiB); beyond it, 503 + Retry-After.
    #[arg(long, value_name = "BYTES")]
    pub max_in_flight: Option<u64>,
    /// Connections open at once (default: the open-file limit minus 64); more wait to be accepted.
    #[arg(long, value_name = "N")]
    pub max_connections: Option<usize>,
    /// Seconds a sender has to send its headers (default 10; slowloris guard).
    #[arg(long, value_name = "SECS")]
    pub header_timeout: Option<u64>,
    /// Seconds a sender has to send its body after the headers (default 60); else 408.
    #[arg(long, value_name = "SECS")]
    pub body_timeout: Option<u64>,
    /// Print JSON lines instead of opening the dashboard.
    #[arg(long)]
    pub headless: bool,
    /// Open the dashboard over the store without listening (no port is opened): the
    /// deliveries come from the listeners writing to the same --store (or --data-dir).
    #[arg(long, conflicts_with_all = ["headless", "no_store", "tunnel", "addr", "respond"])]
    pub no_listen: bool,
    /// In JSON lines, include the body (`body` if UTF-8, else `body_base64`).
    #[arg(long)]
    pub include_body: bool,
}

/// The request to verify or sign.
#[derive(Debug, Clone, Args)]
pub struct RequestArgs {
    /// Provider scheme name (see `hookscope providers`); verify detects it from headers when absent.
    #[arg(long, short = 'p')]
    pub provider: Option<String>,
    /// Scheme variant id (e.g. github `legacy-sha1`, hubspot `v2`, twilio `json`).
    #[arg(long)]
    pub variant: Option<String>,
    /// A header `Name: value` (repeatable).
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE")]
    pub headers: Vec<String>,
    /// Read the body from this file (`-` for stdin).
    #[arg(long, value_name = "FILE", conflicts_with = "body")]
    pub body_file: Option<PathBuf>,
    /// The body as an argument.
    #[arg(long)]
    pub body: Option<String>,
    /// HTTP method.
    #[arg(long, default_value = "POST")]
    pub method: String,
    /// Full URL the sender used (for schemes that sign the URL: Twilio, Square, HubSpot).
    #[arg(long)]
    pub url: Option<String>,
    /// Config file for secrets and custom providers.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// Options of `hookscope verify`.
#[derive(Debug, Clone, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub request: RequestArgs,
    /// Secret to try (repeatable: candidates tried in order).
    #[arg(long, short = 's', allow_hyphen_values = true)]
    pub secret: Vec<String>,
    /// The current time as unix seconds (default: the clock).
    #[arg(long, value_name = "UNIX", allow_negative_numbers = true)]
    pub now: Option<i64>,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Options of `hookscope sign`.
#[derive(Debug, Clone, Args)]
pub struct SignArgs {
    #[command(flatten)]
    pub request: RequestArgs,
    /// The secret to sign with (default: the first configured one).
    #[arg(long, short = 's', allow_hyphen_values = true)]
    pub secret: Option<String>,
    /// Timestamp to sign: unix seconds or RFC 3339 (default: now); written in the scheme's own unit.
    #[arg(long, value_name = "UNIX|RFC3339", allow_negative_numbers = true)]
    pub timestamp: Option<String>,
    /// Message id for schemes that sign one (default: a fresh one).
    #[arg(long, allow_hyphen_values = true)]
    pub id: Option<String>,
    /// POST the signed request to this URL and print the response status.
    #[arg(long, value_name = "URL")]
    pub send: Option<String>,
}

/// Options of `hookscope providers` (exit 1 when a search matches nothing).
#[derive(Debug, Clone, Args)]
pub struct ProvidersArgs {
    /// Only providers whose name, alias or title contains this (case-insensitive).
    #[arg(value_name = "SEARCH")]
    pub query: Option<String>,
    /// Only providers whose schemes read or detect by this header (e.g. `x-signature`).
    #[arg(long, value_name = "NAME")]
    pub header: Option<String>,
    /// Config file with custom providers.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// The capture store a command reads or writes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Args)]
pub struct StoreLocation {
    /// Where the capture database lives (default: the XDG data dir).
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// A shared PostgreSQL store (postgres://user:pass@host/db) instead of SQLite in the data
    /// dir (default: the config's `store`).
    #[arg(
        long,
        value_name = "URL",
        env = "HOOKSCOPE_STORE",
        hide_env_values = true
    )]
    pub store: Option<String>,
}

/// Options of `hookscope replay`.
#[derive(Debug, Clone, Args)]
pub struct ReplayArgs {
    /// The stored delivery's id (as the dashboard lists it).
    pub id: u64,
    /// Target URL (default: the config's `forward`); a URL with a path replaces the captured path.
    #[arg(long, value_name = "URL")]
    pub to: Option<String>,
    /// Re-sign: fresh timestamp, new message id, the current secret.
    #[arg(long)]
    pub resign: bool,
    /// Seconds added to the fresh timestamp of a re-signed replay (may be negative).
    #[arg(
        long,
        value_name = "SECS",
        allow_hyphen_values = true,
        requires = "resign"
    )]
    pub shift: Option<i64>,
    /// Print `{"status":…,"latency_ms":…,"replay_id":…,"blame":…}`.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub location: StoreLocation,
    /// Config file for secrets and the forward target.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Seconds to wait for the app.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub timeout: u64,
}

/// Options of `hookscope export`.
#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    /// Output format.
    #[arg(long, value_enum)]
    pub format: crate::export::Format,
    /// Delivery ids (default: all stored, or those matching --filter).
    #[arg(value_name = "ID", conflicts_with = "filter")]
    pub ids: Vec<u64>,
    /// Only deliveries matching this filter (docs/filters.md; e.g. `failed provider:zoom`).
    #[arg(long, value_name = "EXPR")]
    pub filter: Option<String>,
    /// Mask authorization, cookies and signature headers (and the verification's signatures).
    #[arg(long)]
    pub redact: bool,
    /// Judge each delivery again with the current secrets (records say `"judged":"reverified"`)
    /// instead of carrying the verdict the store holds.
    #[arg(long)]
    pub reverify: bool,
    /// Write here instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Base URL for curl commands and HAR URLs (default: http:// + each delivery's Host).
    #[arg(long, value_name = "URL")]
    pub base: Option<String>,
    #[command(flatten)]
    pub location: StoreLocation,
    /// Config file for secrets and custom providers (verification fields).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// Options of `hookscope diff`.
#[derive(Debug, Clone, Args)]
pub struct DiffArgs {
    /// The left delivery's id.
    pub left: u64,
    /// The right delivery's id.
    pub right: u64,
    /// Print the comparison as JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub location: StoreLocation,
    /// Config file for secrets and custom providers (signed strings, verdicts).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// Options of `hookscope setup`.
#[derive(Debug, Clone, Args)]
pub struct SetupArgs {
    /// The provider (see `hookscope providers`).
    pub provider: String,
    /// The public URL (default: the running hookscope's tunnel, from the data directory).
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,
    /// The tunnel you use or plan to use (default: the config's `tunnel`), for the HTTPS check.
    #[arg(long, value_name = "KIND[:ARG]")]
    pub tunnel: Option<String>,
    /// Where a running hookscope keeps its data (its tunnel's URL is read from there).
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Config file for secrets and custom providers.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// Options of `hookscope import`.
#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// A `.har` or `.jsonl` file (other names: detected from the content).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    #[command(flatten)]
    pub location: StoreLocation,
    /// Config file for secrets and custom providers (to verify the imported deliveries).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The retention the store keeps (as the listener's `--keep`; default 100,000). An import
    /// that would push stored deliveries past it is refused unless `--prune-captures`.
    #[arg(long, value_name = "N")]
    pub keep: Option<u64>,
    /// Allow the import to prune the oldest stored deliveries to stay within `--keep`.
    #[arg(long)]
    pub prune_captures: bool,
}
