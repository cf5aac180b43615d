//! The signals that end a run: SIGTERM and SIGINT, for the headless printer and the dashboard.

/// Resolves on the first SIGTERM or SIGINT. The handlers are installed by this call, not when
/// the future is first polled, so a signal that arrives in between is not lost. A handler that
/// cannot be installed never fires (it does not end the run on its own).
pub fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let term = signal(SignalKind::terminate()).ok();
        let int = signal(SignalKind::interrupt()).ok();
        async move {
            tokio::select! {
                _ = recv_or_never(term) => {}
                _ = recv_or_never(int) => {}
            }
        }
    }
    #[cfg(not(unix))]
    {
        async {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await
            }
        }
    }
}

#[cfg(unix)]
async fn recv_or_never(signal: Option<tokio::signal::unix::Signal>) {
    match signal {
        Some(mut s) => {
            s.recv().await;
        }
        None => std::future::pending().await,
    }
}
