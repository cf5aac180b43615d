//! Tunnels: a public URL for the local listener, from a tunnel developers already use
//! (`--tunnel KIND[:ARG]`, or `tunnel = "…"` in the config).
//!
//! One supervisor task owns the tunnel: it starts it (bore as a library, the others as child
//! processes in their own process group), publishes every change of state on a `watch`
//! channel ([`TunnelStatus`]: starting, up with its URL, down and retrying, failed), restarts
//! it with backoff when it dies, and stops it on every exit path: [`Tunnel::stop`] on quit and
//! SIGTERM, and dropping (a panic unwinding, the runtime shutting down) kills the child's
//! process group. The listener never depends on it: a tunnel that cannot start is one sentence
//! and capture goes on.

mod bore;
mod child;
mod report;
mod scan;

pub use report::{
    StateFile, TunnelReport, read_state, spawn as spawn_reports, state_path, warning_for,
};

use serde::Serialize;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

/// The bore server used by `--tunnel bore`.
pub const DEFAULT_BORE_SERVER: &str = "bore.pub";
/// How long a tunnel has to print its URL before the attempt counts as failed.
pub const URL_WAIT: Duration = Duration::from_secs(30);
/// First wait before a restart; it doubles up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_secs(1);
/// Longest wait between restarts.
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// A tunnel that stayed up this long starts its backoff again from the first step.
const STABLE: Duration = Duration::from_secs(60);

/// Which tunnel to start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TunnelKind {
    /// bore (the `bore-cli` library client) to this server's control port.
    Bore { server: String },
    /// `ssh -R 80:…` to this `USER@HOST` (localhost.run, serveo, or the user's own server).
    Ssh { target: String },
    /// A cloudflared quick tunnel (its hostname read from the metrics endpoint).
    Cloudflared,
    /// The ngrok agent (its URL read from the JSON log or the local API).
    Ngrok,
    /// Any shell command; `{port}` becomes the listener's port; the first URL printed is taken.
    Cmd { command: String },
}

/// The sentence for a `--tunnel` value that names no tunnel.
const KINDS: &str = "use bore[:HOST], ssh:USER@HOST, cloudflared, ngrok or cmd:'COMMAND {port}'";

impl TunnelKind {
    /// Parse `KIND[:ARG]`; errors are one sentence naming the accepted forms.
    pub fn parse(text: &str) -> Result<TunnelKind, String> {
        let text = text.trim();
        let (kind, arg) = match text.split_once(':') {
            Some((k, a)) => (k, Some(a.trim())),
            None => (text, None),
        };
        let needs_none = |k: TunnelKind| match arg {
            None => Ok(k),
            Some(_) => Err(format!("--tunnel {kind} takes no argument")),
        };
        match (kind, arg) {
            ("bore", None) => Ok(TunnelKind::Bore {
                server: DEFAULT_BORE_SERVER.into(),
            }),
            ("bore", Some(host)) if !host.is_empty() => Ok(TunnelKind::Bore {
                server: host.to_string(),
            }),
            ("ssh", Some(target)) if !target.is_empty() => Ok(TunnelKind::Ssh {
                target: target.to_string(),
            }),
            ("ssh", _) => Err(
                "--tunnel ssh needs a server, e.g. --tunnel ssh:nokey@localhost.run".to_string(),
            ),
            ("cloudflared", _) => needs_none(TunnelKind::Cloudflared),
            ("ngrok", _) => needs_none(TunnelKind::Ngrok),
            ("cmd", Some(command)) if !command.is_empty() => Ok(TunnelKind::Cmd {
                command: command.to_string(),
            }),
            ("cmd", _) => Err(
                "--tunnel cmd needs a command, e.g. --tunnel cmd:'my-tunnel {port}'".to_string(),
            ),
            _ => Err(format!("--tunnel {text:?} is not a tunnel; {KINDS}")),
        }
    }

    /// The kind's name (`bore`, `ssh`, `cloudflared`, `ngrok`, `cmd`).
    pub fn name(&self) -> &'static str {
        match self {
            TunnelKind::Bore { .. } => "bore",
            TunnelKind::Ssh { .. } => "ssh",
            TunnelKind::Cloudflared => "cloudflared",
            TunnelKind::Ngrok => "ngrok",
            TunnelKind::Cmd { .. } => "cmd",
        }
    }

    /// Whether this kind's public URL is `https://` (`None`: it depends on the command or server).
    pub fn https(&self) -> Option<bool> {
        match self {
            TunnelKind::Bore { .. } => Some(false),
            TunnelKind::Cloudflared | TunnelKind::Ngrok => Some(true),
            // The public ssh tunnel services terminate TLS; a user's own server may not.
            TunnelKind::Ssh { target } => {
                let host = target.rsplit('@').next().unwrap_or(target);
                ["localhost.run", "serveo.net"]
                    .contains(&host)
                    .then_some(true)
            }
            TunnelKind::Cmd { .. } => None,
        }
    }
}

/// Tunnels whose URL is HTTPS, as a user would pass them (for warnings that name one).
pub const HTTPS_TUNNELS: &str =
    "--tunnel cloudflared, --tunnel ngrok or --tunnel ssh:nokey@localhost.run";

/// Where a tunnel is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TunnelState {
    /// Being started (first start or a restart).
    Starting,
    /// Serving at `public_url`.
    Up,
    /// Gone or not reachable; restarted after `retry_in_secs`.
    Down,
    /// Cannot work as configured (missing binary); not retried.
    Failed,
}

/// One state of the tunnel, as the header bar and the headless `tunnel` line show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TunnelStatus {
    /// The kind's name.
    pub kind: &'static str,
    pub state: TunnelState,
    /// The public URL while up.
    pub public_url: Option<String>,
    /// Why it is down or failed (one sentence).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// When down: seconds until the next start.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_in_secs: Option<u64>,
}

impl TunnelStatus {
    fn new(kind: &'static str, state: TunnelState) -> TunnelStatus {
        TunnelStatus {
            kind,
            state,
            public_url: None,
            message: None,
            retry_in_secs: None,
        }
    }

    /// The public URL, only while up.
    pub fn url(&self) -> Option<&str> {
        match self.state {
            TunnelState::Up => self.public_url.as_deref(),
            _ => None,
        }
    }

    /// One line for people: `up https://…`, `starting`, `down (retry in 4s): why`, `failed: why`.
    pub fn describe(&self) -> String {
        let why = self
            .message
            .as_deref()
            .map(|m| format!(": {m}"))
            .unwrap_or_default();
        match self.state {
            TunnelState::Starting => format!("{} starting…", self.kind),
            TunnelState::Up => self.public_url.clone().unwrap_or_default(),
            TunnelState::Down => match self.retry_in_secs {
                Some(s) => format!("{} down (retry in {s}s){why}", self.kind),
                None => format!("{} down{why}", self.kind),
            },
            TunnelState::Failed => format!("{} failed{why}", self.kind),
        }
    }
}

/// A receiver of the tunnel's state (cheap to clone; the checker reads the URL from it).
pub type TunnelWatch = watch::Receiver<TunnelStatus>;

/// Whether a public URL (or, before one is known, the kind) is HTTPS.
pub fn is_https(url: Option<&str>, kind: Option<&TunnelKind>) -> Option<bool> {
    match url {
        Some(u) => Some(
            u.get(..8)
                .is_some_and(|s| s.eq_ignore_ascii_case("https://")),
        ),
        None => kind.and_then(TunnelKind::https),
    }
}

/// A running tunnel: the supervisor task and its state.
pub struct Tunnel {
    status: TunnelWatch,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl Tunnel {
    /// Start the tunnel to the listener at `local` on the current tokio runtime.
    pub fn start(kind: TunnelKind, local: SocketAddr) -> Tunnel {
        let (tx, rx) = watch::channel(TunnelStatus::new(kind.name(), TunnelState::Starting));
        let (stop, stopped) = oneshot::channel();
        let local = loopback_of(local);
        let task = tokio::spawn(supervise(kind, local, tx, stopped));
        Tunnel {
            status: rx,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// The state, now and on every change.
    pub fn watch(&self) -> TunnelWatch {
        self.status.clone()
    }

    /// Wait until the first start settles (up, down or failed), at most `within`; the state then.
    pub async fn settled(&self, within: Duration) -> TunnelStatus {
        let mut rx = self.status.clone();
        let wait = rx.wait_for(|s| s.state != TunnelState::Starting);
        let _ = tokio::time::timeout(within, wait).await;
        self.status.borrow().clone()
    }

    /// Stop the tunnel: the child process group gets SIGTERM (SIGKILL if it lingers) and is
    /// waited for.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Tunnel {
    fn drop(&mut self) {
        // Dropping the task's future drops the child's guard, which kills its process group.
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// The address to point the tunnel at: the listener's own, with a wildcard bind made loopback.
fn loopback_of(addr: SocketAddr) -> SocketAddr {
    let mut a = addr;
    if a.ip().is_unspecified() {
        a.set_ip(match a {
            SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
            SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
        });
    }
    a
}

/// Why an attempt did not bring the tunnel up.
#[derive(Debug)]
enum Failure {
    /// Cannot work as configured (missing binary): reported, not retried.
    Fatal(String),
    /// Try again after the backoff.
    Retry(String),
}

/// A tunnel that is up.
enum Session {
    Bore(bore::Session),
    Child(Box<child::Session>),
}

impl Session {
    fn url(&self) -> &str {
        match self {
            Session::Bore(s) => &s.url,
            Session::Child(s) => &s.url,
        }
    }

    /// Resolves when the tunnel has gone, with why.
    async fn ended(&mut self) -> String {
        match self {
            Session::Bore(s) => s.ended().await,
            Session::Child(s) => s.ended().await,
        }
    }

    async fn close(self) {
        match self {
            Session::Bore(_) => {}
            Session::Child(s) => s.close().await,
        }
    }
}

async fn open(kind: &TunnelKind, local: SocketAddr) -> Result<Session, Failure> {
    match kind {
        TunnelKind::Bore { server } => bore::open(server, local).await.map(Session::Bore),
        _ => child::open(kind, local)
            .await
            .map(|s| Session::Child(Box::new(s))),
    }
}

/// Doubling waits between restarts.
struct Backoff(Duration);

impl Backoff {
    fn next(&mut self) -> Duration {
        let now = self.0;
        self.0 = (self.0 * 2).min(MAX_BACKOFF);
        now
    }
}

/// The supervisor: start, publish, wait for the end, back off, start again — until `stop`.
async fn supervise(
    kind: TunnelKind,
    local: SocketAddr,
    tx: watch::Sender<TunnelStatus>,
    mut stop: oneshot::Receiver<()>,
) {
    let name = kind.name();
    let mut backoff = Backoff(FIRST_BACKOFF);
    loop {
        tx.send_if_modified(|s| {
            let next = TunnelStatus::new(name, TunnelState::Starting);
            let changed = *s != next;
            *s = next;
            changed
        });
        let attempt = tokio::select! {
            _ = &mut stop => return,
            a = open(&kind, local) => a,
        };
        let why = match attempt {
            Err(Failure::Fatal(message)) => {
                tracing::info!("tunnel: {message}");
                let _ = tx.send(TunnelStatus {
                    message: Some(message),
                    ..TunnelStatus::new(name, TunnelState::Failed)
                });
                return;
            }
            Err(Failure::Retry(message)) => message,
            Ok(mut session) => {
                let _ = tx.send(TunnelStatus {
                    public_url: Some(session.url().to_string()),
                    ..TunnelStatus::new(name, TunnelState::Up)
                });
                let since = tokio::time::Instant::now();
                let why = tokio::select! {
                    _ = &mut stop => {
                        session.close().await;
                        return;
                    }
                    why = session.ended() => why,
                };
                session.close().await;
                if since.elapsed() >= STABLE {
                    backoff = Backoff(FIRST_BACKOFF);
                }
                why
            }
        };
        let wait = backoff.next();
        tracing::info!("tunnel {name} down: {why}");
        let _ = tx.send(TunnelStatus {
            message: Some(why),
            retry_in_secs: Some(wait.as_secs()),
            ..TunnelStatus::new(name, TunnelState::Down)
        });
        tokio::select! {
            _ = &mut stop => return,
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_parse_and_bad_ones_are_one_sentence() {
        assert_eq!(
            TunnelKind::parse("bore").unwrap(),
            TunnelKind::Bore {
                server: "bore.pub".into()
            }
        );
        assert_eq!(
            TunnelKind::parse("bore:127.0.0.1").unwrap(),
            TunnelKind::Bore {
                server: "127.0.0.1".into()
            }
        );
        assert_eq!(
            TunnelKind::parse("ssh:nokey@localhost.run").unwrap(),
            TunnelKind::Ssh {
                target: "nokey@localhost.run".into()
            }
        );
        assert_eq!(
            TunnelKind::parse("cmd:my-tunnel --port {port}").unwrap(),
            TunnelKind::Cmd {
                command: "my-tunnel --port {port}".into()
            }
        );
        assert_eq!(
            TunnelKind::parse("cloudflared").unwrap(),
            TunnelKind::Cloudflared
        );
        assert_eq!(TunnelKind::parse("ngrok").unwrap(), TunnelKind::Ngrok);
        for (bad, says) in [
            ("ssh", "needs a server"),
            ("cmd:", "needs a command"),
            ("ngrok:x", "takes no argument"),
            ("frp", "use bore[:HOST]"),
        ] {
            let e = TunnelKind::parse(bad).unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
            assert!(!e.contains('\n'));
        }
    }

    #[test]
    fn https_by_kind_and_by_url() {
        let bore = TunnelKind::parse("bore").unwrap();
        assert_eq!(bore.https(), Some(false));
        assert_eq!(TunnelKind::Cloudflared.https(), Some(true));
        let lhr = TunnelKind::parse("ssh:nokey@localhost.run").unwrap();
        assert_eq!(lhr.https(), Some(true));
        let own = TunnelKind::parse("ssh:me@example.org").unwrap();
        assert_eq!(own.https(), None);
        assert_eq!(is_https(Some("HTTPS://a.example"), Some(&bore)), Some(true));
        assert_eq!(is_https(Some("http://bore.pub:4000"), None), Some(false));
        assert_eq!(is_https(None, Some(&bore)), Some(false));
    }

    #[test]
    fn backoff_doubles_to_a_cap() {
        let mut b = Backoff(FIRST_BACKOFF);
        let waits: Vec<u64> = (0..7).map(|_| b.next().as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 30, 30]);
    }

    #[test]
    fn status_lines_for_people() {
        let mut s = TunnelStatus::new("bore", TunnelState::Down);
        s.message = Some("the bore server closed the connection".into());
        s.retry_in_secs = Some(4);
        assert_eq!(
            s.describe(),
            "bore down (retry in 4s): the bore server closed the connection"
        );
        assert_eq!(s.url(), None);
        s.state = TunnelState::Up;
        s.public_url = Some("http://bore.pub:4000".into());
        assert_eq!(s.url(), Some("http://bore.pub:4000"));
    }

    #[test]
    fn wildcard_binds_are_reached_on_loopback() {
        assert_eq!(
            loopback_of("0.0.0.0:4545".parse().unwrap()),
            "127.0.0.1:4545".parse::<SocketAddr>().unwrap()
        );
        assert_eq!(
            loopback_of("127.0.0.2:1".parse().unwrap()),
            "127.0.0.2:1".parse::<SocketAddr>().unwrap()
        );
    }
}
