//! Tunnels that are child processes: `ssh -R`, cloudflared, ngrok and `cmd:`. Each runs in a
//! process group of its own (so a shell's children go with it), with stdin closed and its
//! output read line by line — for the URL, and for the last line to quote when it exits.
//! The group gets SIGTERM on close (SIGKILL after [`GRACE`]) and on drop.

use super::{Failure, TunnelKind, URL_WAIT, scan};
use std::net::SocketAddr;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::sync::mpsc;

/// How long a child has to exit after SIGTERM before it gets SIGKILL.
const GRACE: Duration = Duration::from_secs(3);
/// How often a local status endpoint (cloudflared metrics, ngrok API) is asked for the URL.
const POLL: Duration = Duration::from_millis(500);
/// ngrok's local API (`web_addr`, default).
const NGROK_API: &str = "http://127.0.0.1:4040/api/tunnels";

/// A child tunnel that is up.
pub(super) struct Session {
    pub url: String,
    group: Group,
    lines: Lines,
}

impl Session {
    /// Resolves when the child exits: which program, its status and its last line.
    pub async fn ended(&mut self) -> String {
        loop {
            tokio::select! {
                status = self.group.child.wait() => {
                    self.lines.drain().await;
                    return self.lines.exited(&self.group.program, status);
                }
                more = self.lines.next() => {
                    if !more {
                        // Output closed; the exit itself is still to come.
                        let status = self.group.child.wait().await;
                        return self.lines.exited(&self.group.program, status);
                    }
                }
            }
        }
    }

    /// Stop the child and wait for it.
    pub async fn close(mut self) {
        self.group.terminate().await;
    }
}

/// The child and its process group.
struct Group {
    program: String,
    child: tokio::process::Child,
    pgid: Option<i32>,
    reaped: bool,
}

impl Group {
    fn signal(&self, sig: i32) {
        #[cfg(unix)]
        if let Some(pgid) = self.pgid {
            // SAFETY: kill(2) with a negative pid signals that process group; it takes no
            // pointers and has no memory effects in this process.
            unsafe {
                libc::kill(-pgid, sig);
            }
        }
        #[cfg(not(unix))]
        let _ = sig;
    }

    /// SIGTERM to the group, SIGKILL after [`GRACE`], and wait for the child.
    async fn terminate(&mut self) {
        if self.reaped {
            return;
        }
        #[cfg(unix)]
        self.signal(libc::SIGTERM);
        #[cfg(not(unix))]
        let _ = self.child.start_kill();
        if tokio::time::timeout(GRACE, self.child.wait())
            .await
            .is_err()
        {
            #[cfg(unix)]
            self.signal(libc::SIGKILL);
            let _ = self.child.start_kill();
            let _ = self.child.wait().await;
        }
        self.reaped = true;
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        if !self.reaped {
            #[cfg(unix)]
            self.signal(libc::SIGTERM);
            // kill_on_drop sends SIGKILL to the child itself.
        }
    }
}

/// The child's output lines (stdout and stderr together), and the last one seen.
struct Lines {
    rx: mpsc::UnboundedReceiver<String>,
    open: bool,
    last: Option<String>,
}

impl Lines {
    /// Wait for the next line (kept as `last`); false once the output is closed.
    async fn next(&mut self) -> bool {
        if !self.open {
            return std::future::pending().await;
        }
        match self.rx.recv().await {
            Some(line) => {
                if !line.trim().is_empty() {
                    self.last = Some(line);
                }
                true
            }
            None => {
                self.open = false;
                false
            }
        }
    }

    /// Take the lines still on their way (after the child exited).
    async fn drain(&mut self) {
        while self.open {
            match tokio::time::timeout(Duration::from_millis(200), self.next()).await {
                Ok(true) => {}
                _ => break,
            }
        }
    }

    /// `PROGRAM exited (STATUS): LAST LINE`.
    fn exited(&self, program: &str, status: std::io::Result<std::process::ExitStatus>) -> String {
        let status = match status {
            Ok(s) => s.to_string(),
            Err(e) => e.to_string(),
        };
        match &self.last {
            Some(l) => format!("{program} exited ({status}): {}", clip(l)),
            None => format!("{program} exited ({status})"),
        }
    }
}

/// A line cut to a readable length, control characters removed.
fn clip(line: &str) -> String {
    let clean: String = line.trim().chars().filter(|c| !c.is_control()).collect();
    match clean.char_indices().nth(200) {
        Some((i, _)) => format!("{}…", &clean[..i]),
        None => clean,
    }
}

/// How the URL is found.
enum Finder {
    /// In a line of output.
    Line(fn(&str) -> Option<String>),
    /// From an HTTP endpoint, polled (and ngrok's JSON log lines).
    Poll { url: String, ngrok: bool },
}

/// The program, its arguments, and how its URL is found.
fn command_line(
    kind: &TunnelKind,
    local: SocketAddr,
) -> Result<(String, Vec<String>, Finder), Failure> {
    let s = |x: &str| x.to_string();
    let target = format!("http://{local}");
    Ok(match kind {
        TunnelKind::Ssh { target: server } => {
            let host = match local {
                SocketAddr::V4(a) => a.ip().to_string(),
                SocketAddr::V6(a) => format!("[{}]", a.ip()),
            };
            let mut args: Vec<String> = [
                "-T",
                "-n",
                "-o",
                "BatchMode=yes",
                "-o",
                "ExitOnForwardFailure=yes",
                "-o",
                "ServerAliveInterval=30",
                "-o",
                "StrictHostKeyChecking=accept-new",
                "-R",
            ]
            .map(s)
            .to_vec();
            args.push(format!("80:{host}:{}", local.port()));
            args.push(server.clone());
            (s("ssh"), args, Finder::Line(scan::ssh_url))
        }
        TunnelKind::Cloudflared => {
            let metrics = free_port().map_err(|e| {
                Failure::Retry(format!("no free port for cloudflared's metrics: {e}"))
            })?;
            let args = [
                "tunnel",
                "--no-autoupdate",
                "--metrics",
                &metrics.to_string(),
                "--url",
                &target,
            ]
            .map(s)
            .to_vec();
            let poll = format!("http://{metrics}/quicktunnel");
            (
                s("cloudflared"),
                args,
                Finder::Poll {
                    url: poll,
                    ngrok: false,
                },
            )
        }
        TunnelKind::Ngrok => {
            let args = ["http", &target, "--log", "stdout", "--log-format", "json"]
                .map(s)
                .to_vec();
            let poll = NGROK_API.to_string();
            (
                s("ngrok"),
                args,
                Finder::Poll {
                    url: poll,
                    ngrok: true,
                },
            )
        }
        TunnelKind::Cmd { command } => {
            let line = command.replace("{port}", &local.port().to_string());
            (s("sh"), vec![s("-c"), line], Finder::Line(scan::first_url))
        }
        TunnelKind::Bore { .. } => unreachable!("bore is not a child process"),
    })
}

fn free_port() -> std::io::Result<SocketAddr> {
    std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()
}

/// Start the child and wait (at most [`URL_WAIT`]) for its public URL.
pub(super) async fn open(kind: &TunnelKind, local: SocketAddr) -> Result<Session, Failure> {
    let (program, args, finder) = command_line(kind, local)?;
    let mut cmd = tokio::process::Command::new(&program);
    cmd.args(&args)
        .env("HOOKSCOPE_PORT", local.port().to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    #[cfg(unix)]
    cmd.process_group(0);
    let mut child = cmd.spawn().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Failure::Fatal(format!(
            "{program} is not on PATH; install it or use --tunnel bore"
        )),
        _ => Failure::Retry(format!("cannot start {program}: {e}")),
    })?;
    let (tx, rx) = mpsc::unbounded_channel();
    if let Some(out) = child.stdout.take() {
        tokio::spawn(read_lines(out, tx.clone()));
    }
    if let Some(err) = child.stderr.take() {
        tokio::spawn(read_lines(err, tx));
    }
    let shown = match kind {
        TunnelKind::Cmd { .. } => "the tunnel command".to_string(),
        _ => program.clone(),
    };
    let mut group = Group {
        program: shown,
        pgid: child.id().map(|id| id as i32),
        child,
        reaped: false,
    };
    let mut lines = Lines {
        rx,
        open: true,
        last: None,
    };
    let deadline = tokio::time::sleep(URL_WAIT);
    tokio::pin!(deadline);
    let client = match &finder {
        Finder::Poll { .. } => Some(
            crate::http_text::client_builder()
                .no_proxy()
                .timeout(Duration::from_secs(2))
                .build()
                .map_err(|e| Failure::Retry(format!("cannot build an HTTP client: {e}")))?,
        ),
        Finder::Line(_) => None,
    };
    let mut tick = tokio::time::interval(POLL);
    loop {
        tokio::select! {
            status = group.child.wait() => {
                group.reaped = true;
                lines.drain().await;
                let code = status.as_ref().ok().and_then(|s| s.code());
                let message = lines.exited(&group.program, status);
                return Err(match (kind, code) {
                    (TunnelKind::Cmd { .. }, Some(127)) => Failure::Fatal(message),
                    _ => Failure::Retry(message),
                });
            }
            more = lines.next() => {
                if more && let Some(line) = &lines.last {
                    let found = match &finder {
                        Finder::Line(find) => find(line),
                        Finder::Poll { ngrok: true, .. } => scan::ngrok_log_url(line),
                        Finder::Poll { .. } => None,
                    };
                    if let Some(url) = found {
                        return Ok(Session { url, group, lines });
                    }
                }
            }
            _ = tick.tick(), if client.is_some() => {
                if let (Some(client), Finder::Poll { url, ngrok }) = (&client, &finder)
                    && let Some(found) = poll(client, url, *ngrok).await
                {
                    return Ok(Session { url: found, group, lines });
                }
            }
            _ = &mut deadline => {
                group.terminate().await;
                return Err(Failure::Retry(format!(
                    "{} printed no public URL within {} s",
                    group.program,
                    URL_WAIT.as_secs()
                )));
            }
        }
    }
}

/// Ask a local status endpoint for the URL.
async fn poll(client: &reqwest::Client, url: &str, ngrok: bool) -> Option<String> {
    let body = client.get(url).send().await.ok()?.text().await.ok()?;
    if ngrok {
        scan::ngrok_api_url(&body)
    } else {
        scan::quicktunnel_url(&body)
    }
}

/// Send each line of `from` (lossily decoded) until it closes.
async fn read_lines(from: impl AsyncRead + Unpin, to: mpsc::UnboundedSender<String>) {
    let mut reader = BufReader::new(from);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_until(b'\n', &mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {
                let line = String::from_utf8_lossy(&buf).trim_end().to_string();
                if to.send(line).is_err() {
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_lines_point_at_the_listener() {
        let local: SocketAddr = "127.0.0.1:4545".parse().unwrap();
        let (p, args, _) = command_line(
            &TunnelKind::Ssh {
                target: "nokey@localhost.run".into(),
            },
            local,
        )
        .unwrap();
        assert_eq!(p, "ssh");
        assert!(args.ends_with(&[
            "-R".into(),
            "80:127.0.0.1:4545".into(),
            "nokey@localhost.run".into()
        ]));
        let (p, args, _) = command_line(&TunnelKind::Ngrok, local).unwrap();
        assert_eq!(p, "ngrok");
        assert_eq!(
            args[..2],
            ["http".to_string(), "http://127.0.0.1:4545".into()]
        );
        let (p, args, f) = command_line(&TunnelKind::Cloudflared, local).unwrap();
        assert_eq!(p, "cloudflared");
        assert!(args.contains(&"http://127.0.0.1:4545".to_string()));
        assert!(matches!(f, Finder::Poll { url, ngrok: false } if url.ends_with("/quicktunnel")));
        let (p, args, _) = command_line(
            &TunnelKind::Cmd {
                command: "t --to {port}".into(),
            },
            local,
        )
        .unwrap();
        assert_eq!((p.as_str(), args[1].as_str()), ("sh", "t --to 4545"));
    }

    #[test]
    fn long_lines_are_clipped() {
        let long = "x".repeat(500);
        assert_eq!(clip(&long).chars().count(), 201);
        assert_eq!(clip(" a\u{1b}b "), "ab");
    }
}
