//! Serving a fake third-party API on 127.0.0.1:0. Self-contained: benches include it (and the
//! fakes built on it) with `#[path]`.

use tokio_util::sync::CancellationToken;

/// Serves `app` on 127.0.0.1:0; returns its base URL and a stop handle.
pub async fn serve_fake(app: impl poem::Endpoint + 'static) -> (String, CancellationToken) {
    use poem::listener::{Acceptor, Listener, TcpListener};
    let acceptor = TcpListener::bind("127.0.0.1:0")
        .into_acceptor()
        .await
        .unwrap();
    let addr = *acceptor.local_addr()[0].as_socket_addr().unwrap();
    let shutdown = CancellationToken::new();
    let stop = shutdown.clone();
    tokio::spawn(async move {
        let _ = poem::Server::new_with_acceptor(acceptor)
            .run_with_graceful_shutdown(app, stop.cancelled_owned(), None)
            .await;
    });
    (format!("http://{addr}"), shutdown)
}
