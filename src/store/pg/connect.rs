//! Reaching the database: the URL's settings (libpq's `postgres://user:pass@host:port/db?…`),
//! TLS through rustls when the URL's `sslmode` is not `disable`, and a bounded connect time.
//!
//! Certificates are verified against the platform's roots (stricter than libpq's `prefer` and
//! `require`, which encrypt without verifying). A server that offers no TLS under `prefer`
//! (the default) is used in clear, as libpq does.

use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::mpsc;
use tokio_postgres::config::SslMode;
use tokio_postgres::{AsyncMessage, Client, Config, Connection};

/// How long a connection attempt may take unless the URL says (`connect_timeout`).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Where the store connects, parsed once.
pub(crate) struct Target {
    config: Config,
    tls: Option<tokio_postgres_rustls::MakeRustlsConnect>,
    location: String,
}

impl Target {
    /// Parse a `postgres://` URL (or libpq key=value string).
    pub(crate) fn parse(url: &str) -> Result<Target, String> {
        let mut config: Config = url
            .parse()
            .map_err(|e| format!("not a PostgreSQL connection URL: {e}"))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("hookscope");
        }
        let tls = match config.get_ssl_mode() {
            SslMode::Disable => None,
            _ => Some(rustls_connector()?),
        };
        let location = location_of(&config);
        Ok(Target {
            config,
            tls,
            location,
        })
    }

    /// `postgres://user@host:port/db`: the URL without its password, for messages.
    pub(crate) fn location(&self) -> &str {
        &self.location
    }

    /// A new connection, driven on the current runtime. Notifications (`LISTEN`) arrive on the
    /// returned channel, which closes when the connection ends.
    pub(crate) async fn connect(
        &self,
    ) -> Result<(Client, mpsc::UnboundedReceiver<()>), tokio_postgres::Error> {
        let (notes, heard) = mpsc::unbounded_channel();
        let client = match &self.tls {
            Some(tls) => {
                let (client, conn) = self.config.connect(tls.clone()).await?;
                tokio::spawn(drive(conn, notes));
                client
            }
            None => {
                let (client, conn) = self.config.connect(tokio_postgres::NoTls).await?;
                tokio::spawn(drive(conn, notes));
                client
            }
        };
        Ok((client, heard))
    }
}

/// Run a connection until it ends, passing on each notification.
async fn drive<S, T>(mut conn: Connection<S, T>, notes: mpsc::UnboundedSender<()>)
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
    T: AsyncRead + AsyncWrite + Unpin + Send,
{
    loop {
        match std::future::poll_fn(|cx| conn.poll_message(cx)).await {
            Some(Ok(AsyncMessage::Notification(_))) => {
                let _ = notes.send(());
            }
            Some(Ok(_)) => {}
            Some(Err(e)) => {
                tracing::debug!("shared capture database connection ended: {e}");
                return;
            }
            None => return,
        }
    }
}

fn rustls_connector() -> Result<tokio_postgres_rustls::MakeRustlsConnect, String> {
    use rustls_platform_verifier::ConfigVerifierExt;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let config = rustls::ClientConfig::with_platform_verifier()
        .map_err(|e| format!("cannot set up TLS for the database connection: {e}"))?;
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

fn location_of(config: &Config) -> String {
    use tokio_postgres::config::Host;
    let user = config.get_user().unwrap_or("");
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(h)) => h.clone(),
        #[cfg(unix)]
        Some(Host::Unix(p)) => p.display().to_string(),
        None => "localhost".into(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let db = config.get_dbname().unwrap_or(user);
    let at = if user.is_empty() {
        String::new()
    } else {
        format!("{user}@")
    };
    format!("postgres://{at}{host}:{port}/{db}")
}

/// An error as one line: the server's message when it sent one, else the client's cause.
pub(crate) fn describe(e: &tokio_postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return db.message().to_string();
    }
    let mut text = e.to_string();
    if let Some(source) = std::error::Error::source(e) {
        let s = source.to_string();
        if !text.contains(&s) {
            text = format!("{text}: {s}");
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_location_never_shows_the_password() {
        let t = Target::parse("postgres://team:s3cret-pw@db.example:6543/hooks?sslmode=disable")
            .unwrap();
        assert_eq!(t.location(), "postgres://team@db.example:6543/hooks");
        assert!(Target::parse("mysql://x").is_err());
    }
}
