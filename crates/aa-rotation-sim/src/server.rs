//! The listener, its accept loop, and [`Simulator`], the handle that tests hold.
//!
//! The simulator accepts connections itself and serves each with hyper's
//! HTTP/1.1 connection driver instead of `axum::serve`. That way a handler can
//! have its connection closed without a single response byte
//! (`drop_after_apply`), which a client sees as a transport error.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use jiff::{SignedDuration, Timestamp};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};
use tokio::task::{JoinHandle, JoinSet};
use tower::ServiceExt;

use crate::api::{self, JWKS_PATH, OIDC_TOKEN_PATH};
use crate::state::Shared;
use crate::{
    ActiveFault, Counters, Endpoint, EntitySeed, Fault, Seed, SeedDocument, SimConfig, SimError,
    UserSeed, control,
};

/// Pause after a failed `accept` (for example, out of file descriptors) before trying again.
const ACCEPT_RETRY_DELAY: Duration = Duration::from_millis(100);

/// Lets a handler close its own connection without sending a response.
#[derive(Clone, Debug, Default)]
pub(crate) struct ConnectionHandle {
    close: Arc<Notify>,
}

impl ConnectionHandle {
    /// Asks the connection task to drop the connection. The handler must not
    /// complete afterwards, or hyper could write its response first.
    pub(crate) fn close_without_response(&self) {
        self.close.notify_one();
    }

    async fn close_requested(&self) {
        self.close.notified().await;
    }
}

/// A running Token Service simulator on a loopback port.
///
/// Dropping it stops the server as [`Simulator::shutdown`] does, without waiting.
pub struct Simulator {
    shared: Arc<Shared>,
    local_addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    server: Option<JoinHandle<()>>,
}

impl Simulator {
    /// Starts a simulator on `127.0.0.1` with a port chosen by the operating system.
    ///
    /// # Errors
    /// [`SimError::InvalidConfig`] for a configuration out of range, or
    /// [`SimError::Bind`] when the socket cannot be bound.
    pub async fn start(config: SimConfig) -> Result<Simulator, SimError> {
        Simulator::start_on(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), config).await
    }

    /// Starts a simulator on `addr`, which must be a loopback address (port 0 picks a free port).
    ///
    /// # Errors
    /// [`SimError::NonLoopbackAddress`] for any other address,
    /// [`SimError::InvalidConfig`] for a configuration out of range, or
    /// [`SimError::Bind`] when the socket cannot be bound.
    pub async fn start_on(addr: SocketAddr, config: SimConfig) -> Result<Simulator, SimError> {
        if !addr.ip().is_loopback() {
            return Err(SimError::NonLoopbackAddress { addr });
        }
        config.validate()?;

        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| SimError::Bind { addr, source })?;
        let local_addr = listener
            .local_addr()
            .map_err(|source| SimError::Bind { addr, source })?;

        let shared = Arc::new(Shared::new(config, format!("http://{local_addr}/iam")));
        let router = Router::new()
            .merge(api::routes())
            .nest("/_sim", control::routes(Arc::clone(&shared)))
            .fallback(api::not_found)
            .method_not_allowed_fallback(api::method_not_allowed)
            .with_state(Arc::clone(&shared));

        let (shutdown, shutdown_requested) = watch::channel(false);
        let server = tokio::spawn(accept_loop(listener, router, shutdown_requested));
        tracing::info!(%local_addr, "Token Service simulator listening");

        Ok(Simulator {
            shared,
            local_addr,
            shutdown,
            server: Some(server),
        })
    }

    /// Returns the socket address the simulator listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Returns the IAM base URL, `http://127.0.0.1:PORT/iam`.
    pub fn base_url(&self) -> String {
        self.shared.base_url.clone()
    }

    /// Returns the root URL, `http://127.0.0.1:PORT`, under which `/_sim/` and `/auth/` live.
    pub fn root_url(&self) -> String {
        format!("http://{}", self.local_addr)
    }

    /// Returns the URL of the deprecated OpenID Connect token endpoint.
    pub fn oidc_token_url(&self) -> String {
        format!("{}{OIDC_TOKEN_PATH}", self.root_url())
    }

    /// Returns the URL of the JWKS under the IAM base URL.
    pub fn jwks_url(&self) -> String {
        format!("{}{JWKS_PATH}", self.root_url())
    }

    /// Adds a designated user, replacing one with the same username.
    pub fn add_user(&self, user: UserSeed) {
        self.shared.lock().add_user(user);
    }

    /// Adds an entity, replacing one with the same entity id.
    pub fn add_entity(&self, entity: EntitySeed) {
        self.shared.lock().add_entity(entity);
    }

    /// Adds the users and entities of `seed`.
    pub fn seed(&self, seed: Seed) {
        self.shared.lock().apply_seed(seed);
    }

    /// Resolves a JSON seed document against the simulator clock and adds its
    /// users and entities.
    ///
    /// # Errors
    /// [`SimError::InvalidSeed`] as described on [`SeedDocument::resolve`];
    /// nothing is added then.
    pub fn seed_document(&self, document: SeedDocument) -> Result<(), SimError> {
        let mut state = self.shared.lock();
        let seed = document.resolve(state.clock.now())?;
        state.apply_seed(seed);
        Ok(())
    }

    /// Moves the simulator clock forward.
    pub fn advance_clock(&self, by: Duration) {
        let by = SignedDuration::try_from(by).unwrap_or(SignedDuration::MAX);
        self.shared.lock().clock.advance(by);
    }

    /// Returns the simulator clock's current time.
    pub fn now(&self) -> Timestamp {
        self.shared.lock().clock.now()
    }

    /// Injects `fault` into the next `count` requests to `endpoint`, or into
    /// every request until [`Simulator::clear_faults`] when `count` is `None`.
    ///
    /// # Errors
    /// [`SimError::InvalidFault`] for a count of 0 or a value that
    /// [`Fault::validate`] rejects.
    pub fn inject_fault(
        &self,
        endpoint: Endpoint,
        fault: Fault,
        count: Option<u32>,
    ) -> Result<(), SimError> {
        self.shared.lock().faults.inject(endpoint, fault, count)
    }

    /// Removes every injected fault.
    pub fn clear_faults(&self) {
        self.shared.lock().faults.clear();
    }

    /// Returns the injected faults that still apply.
    pub fn active_faults(&self) -> Vec<ActiveFault> {
        self.shared.lock().faults.list()
    }

    /// Returns a snapshot of the call, reset and secret counters.
    pub fn counters(&self) -> Counters {
        self.shared.lock().counters()
    }

    /// Returns the entity's current secret, so that a test can compare it with
    /// what a client stored. `None` for an unknown entity id.
    pub fn current_secret(&self, entity_id: &str) -> Option<String> {
        self.shared
            .lock()
            .entities
            .get(entity_id)
            .map(|entity| entity.secret.clone())
    }

    /// Returns the current configuration.
    pub fn config(&self) -> SimConfig {
        self.shared.lock().config.clone()
    }

    /// Replaces the configuration. Secrets and tokens already issued keep
    /// their expiry.
    ///
    /// # Errors
    /// [`SimError::InvalidConfig`] when a value is out of range.
    pub fn set_config(&self, config: SimConfig) -> Result<(), SimError> {
        config.validate()?;
        self.shared.lock().config = config;
        Ok(())
    }

    /// Stops accepting connections, closes open ones (including those held
    /// by `hang_after_apply`) and waits for the server task to end.
    pub async fn shutdown(mut self) {
        self.shutdown.send_replace(true);
        let Some(server) = self.server.take() else {
            return;
        };
        if let Err(error) = server.await {
            tracing::warn!(%error, "simulator server task ended abnormally");
        }
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.shutdown.send_replace(true);
    }
}

/// Resolves once shutdown is requested or the [`Simulator`] is gone.
async fn shutdown_requested(receiver: &mut watch::Receiver<bool>) {
    // `wait_for` fails only when the sender was dropped, which also means stop.
    let _ = receiver.wait_for(|stop| *stop).await;
}

async fn accept_loop(listener: TcpListener, router: Router, mut shutdown: watch::Receiver<bool>) {
    let connection_shutdown = shutdown.clone();
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            () = shutdown_requested(&mut shutdown) => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    connections.spawn(serve_connection(
                        stream,
                        peer,
                        router.clone(),
                        connection_shutdown.clone(),
                    ));
                }
                Err(error) => {
                    tracing::warn!(%error, "accepting a connection failed; retrying");
                    tokio::time::sleep(ACCEPT_RETRY_DELAY).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }

    drop(listener);
    connections.shutdown().await;
    tracing::info!("Token Service simulator stopped");
}

async fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    router: Router,
    mut shutdown: watch::Receiver<bool>,
) {
    let handle = ConnectionHandle::default();
    let request_handle = handle.clone();
    let service = service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        request.extensions_mut().insert(request_handle.clone());
        router.clone().oneshot(request)
    });

    let connection = http1::Builder::new()
        .timer(TokioTimer::new())
        .serve_connection(TokioIo::new(stream), service);

    // Leaving the `select!` drops the connection future, which closes the
    // socket without writing anything further.
    tokio::select! {
        result = connection => {
            if let Err(error) = result {
                tracing::debug!(%peer, %error, "connection ended with an error");
            }
        }
        () = handle.close_requested() => {
            tracing::debug!(%peer, "connection closed without a response");
        }
        () = shutdown_requested(&mut shutdown) => {}
    }
}
