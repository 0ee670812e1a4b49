//! A scenario serving in the background — the one way every front end starts a server.
//!
//! `netlab serve`, demos, lab checks, the TUI and the book all need the same sequence: bind the
//! scenario's socket, make a recorder, spawn the server, wait until it is `listening`, and at
//! the end let the server see every connection close (bounded), cancel it and join it.
//! [`start`] and [`Running`] are that sequence, written once.

use super::{bind, BindSpec, Bound, Scenario, ServeConfig};
use crate::trace::recorder::Subscription;
use crate::trace::Recorder;
use std::io;
use std::path::PathBuf;
use std::time::Duration;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// How long [`Running::stop`] waits for open connections to close before cancelling.
pub const SETTLE: Duration = Duration::from_secs(2);
/// How long a server may take to finish after it was cancelled.
const JOIN: Duration = Duration::from_secs(5);
/// How long [`Running::spawn`] waits for the server's `listening` event.
const LISTENING: Duration = Duration::from_secs(5);

/// A scenario's server running on a tokio task.
pub struct Running {
    /// Which scenario is serving.
    pub scenario: &'static Scenario,
    /// The bound TCP/UDP port, for commands and clients.
    pub port: Option<u16>,
    /// The Unix socket path (Unix scenarios).
    pub socket: Option<PathBuf>,
    /// Where the CA certificate was written (`https`).
    pub ca: Option<PathBuf>,
    /// Every event the server records.
    pub recorder: Recorder,
    /// Fires to stop the server gracefully.
    cancel: CancellationToken,
    /// Subscribed before the server started, so [`Running::stop`] misses no `close`.
    sub: Subscription,
    /// The server's task; its result says whether it could serve at all.
    task: JoinHandle<io::Result<()>>,
}

/// Bind `scenario` as `spec` says and serve it with a fresh recorder.
pub async fn start(
    scenario: &'static Scenario,
    spec: &BindSpec,
    cfg: ServeConfig,
) -> io::Result<Running> {
    let bound = bind(scenario, spec).await?;
    Ok(Running::spawn(scenario, bound, cfg, Recorder::new()).await)
}

impl Running {
    /// Serve an already bound socket (e.g. one opened inside a sandbox's network namespace),
    /// recording into `recorder`. Returns once the server is `listening` (bounded).
    pub async fn spawn(
        scenario: &'static Scenario,
        bound: Bound,
        cfg: ServeConfig,
        recorder: Recorder,
    ) -> Running {
        Running::spawn_until(scenario, bound, cfg, recorder, CancellationToken::new()).await
    }

    /// [`Running::spawn`], stopping gracefully when `cancel` fires — a token made before the
    /// server starts, e.g. one a signal handler already holds.
    pub async fn spawn_until(
        scenario: &'static Scenario,
        bound: Bound,
        cfg: ServeConfig,
        recorder: Recorder,
        cancel: CancellationToken,
    ) -> Running {
        let (port, socket, ca) = (bound.port(), bound.socket_path(), bound.ca_path());
        let mut sub = recorder.subscribe();
        let task = {
            let (rec, cancel) = (recorder.clone(), cancel.clone());
            tokio::spawn(async move { super::run(scenario, bound, cfg, cancel, rec).await })
        };
        // Clients start once `listening` is on the timeline, so both sides read in the order
        // things happened. Events seen meanwhile stay in the recorder.
        let ready = tokio::time::Instant::now() + LISTENING;
        while !recorder.counts().contains_key("listening") && !task.is_finished() {
            if tokio::time::timeout_at(ready, sub.recv()).await.is_err() {
                break;
            }
        }
        Running {
            scenario,
            port,
            socket,
            ca,
            recorder,
            cancel,
            sub,
            task,
        }
    }

    /// Let the server see every connection close (bounded by [`SETTLE`]), then stop it and wait
    /// for it to finish. Returns the server's own result.
    pub async fn stop(mut self) -> io::Result<()> {
        let deadline = tokio::time::Instant::now() + SETTLE;
        self.recorder.settle(&mut self.sub, deadline).await;
        self.cancel.cancel();
        self.join().await
    }

    /// Wait until the server ends by itself or someone cancels its token.
    pub async fn wait(self) -> io::Result<()> {
        self.task.await.map_err(io::Error::other)?
    }

    async fn join(self) -> io::Result<()> {
        match tokio::time::timeout(JOIN, self.task).await {
            Ok(joined) => joined.map_err(io::Error::other)?,
            Err(_) => Err(io::Error::other("the server did not stop within 5 s")),
        }
    }
}
