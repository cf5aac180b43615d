//! bore through its library client: the server gives a public TCP port and forwards each
//! connection to it back to the listener. The public URL is `http://SERVER:PORT` (bore is plain
//! TCP; there is no TLS). A server that asks for a secret gets `BORE_SECRET` from the
//! environment, as the bore command line does.

use super::Failure;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;

/// A bore tunnel that is up.
pub(super) struct Session {
    pub url: String,
    serving: Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send>>,
}

impl Session {
    /// Resolves when the control connection ends.
    pub async fn ended(&mut self) -> String {
        match (&mut self.serving).await {
            Ok(()) => "the bore server closed the connection".to_string(),
            Err(e) => format!("the bore connection failed: {e:#}"),
        }
    }
}

/// Ask `server` for a public port forwarding to `local`.
pub(super) async fn open(server: &str, local: SocketAddr) -> Result<Session, Failure> {
    let secret = std::env::var("BORE_SECRET").ok();
    let client = bore_cli::client::Client::new(
        &local.ip().to_string(),
        local.port(),
        server,
        0,
        secret.as_deref(),
    )
    .await
    .map_err(|e| Failure::Retry(format!("bore cannot reach {server}: {e:#}")))?;
    let host = if server.contains(':') && !server.starts_with('[') {
        format!("[{server}]")
    } else {
        server.to_string()
    };
    Ok(Session {
        url: format!("http://{host}:{}", client.remote_port()),
        serving: Box::pin(client.listen()),
    })
}
