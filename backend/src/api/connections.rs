//! How many connections a listener holds at once, and how long a client may take to send a
//! request's head. Each listener's acceptor takes a permit per connection (at most
//! `max_connections`); when all are taken it first closes the connection that has waited
//! longest for a request head (an idle keep-alive or a half-sent request), so sockets that send
//! nothing cannot crowd out `/healthz` or a visitor. A connection that has not sent a whole
//! request head `HEAD_TIMEOUT` after it opened or after its last answer is closed. A failed
//! accept (no file handles left) is retried after a pause, never in a busy loop.
//!
//! Invariant: bodies are not timed here (the request is being served then; `guards::body_limit`
//! bounds the body's size and time); only the wait for a head is.

use std::collections::BTreeMap;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use poem::http::uri::Scheme;
use poem::listener::Acceptor;
use poem::web::{LocalAddr, RemoteAddr};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::{Instant, Sleep};

/// How long a client has to send a request's whole head (request line and headers), from the
/// moment the connection opens or its previous answer was sent; also the keep-alive idle time.
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(10);

/// The public listener's most connections at once (fewer when the process may open fewer files).
pub const PUBLIC_MAX_CONNECTIONS: usize = 1024;

/// The admin listener's most connections at once.
pub const ADMIN_MAX_CONNECTIONS: usize = 64;

/// Files kept for everything but connections: the database and its journal, snapshots, the
/// outbound HTTP, CalDAV and SMTP clients, logs.
const RESERVED_FILES: u64 = 128;

/// How long a failed accept waits before the next try.
const ACCEPT_RETRY: Duration = Duration::from_millis(100);

/// Raises the soft limit of open files to the hard one (as Go's runtime does) and returns what
/// the process may open. Failing that, the soft limit as it is.
pub fn raise_file_limit() -> Option<u64> {
    #[cfg(unix)]
    {
        use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
        let limit = getrlimit(Resource::Nofile);
        if limit.current.is_some() && limit.current != limit.maximum {
            let raised = Rlimit {
                current: limit.maximum,
                maximum: limit.maximum,
            };
            if setrlimit(Resource::Nofile, raised).is_ok() {
                return limit.maximum;
            }
        }
        limit.current
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// The two listeners' caps within `open_files` (None: no limit known): the admin listener's
/// first (it is small), the public one gets what is left after the reserve.
pub fn caps(open_files: Option<u64>) -> (usize, usize) {
    let Some(files) = open_files else {
        return (PUBLIC_MAX_CONNECTIONS, ADMIN_MAX_CONNECTIONS);
    };
    let usable = files.saturating_sub(RESERVED_FILES);
    let admin = (usable / 4).clamp(1, ADMIN_MAX_CONNECTIONS as u64);
    let public = usable
        .saturating_sub(admin)
        .clamp(1, PUBLIC_MAX_CONNECTIONS as u64);
    (public as usize, admin as usize)
}

/// A connection that may be closed to make room: it waits for a request head.
#[derive(Debug, Default)]
struct Slot {
    kicked: AtomicBool,
    waker: Mutex<Option<Waker>>,
}

impl Slot {
    fn kick(&self) {
        self.kicked.store(true, Ordering::Release);
        if let Some(waker) = self.waker.lock().ok().and_then(|mut w| w.take()) {
            waker.wake();
        }
    }
}

/// What one listener's acceptor and its connections share.
#[derive(Debug)]
struct Shared {
    permits: Arc<Semaphore>,
    /// Connections waiting for a head, oldest wait first.
    waiting: Mutex<BTreeMap<u64, Arc<Slot>>>,
    next: AtomicU64,
}

impl Shared {
    fn wait_for_head(&self, slot: &Arc<Slot>) -> u64 {
        let seq = self.next.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut waiting) = self.waiting.lock() {
            waiting.insert(seq, Arc::clone(slot));
        }
        seq
    }

    fn forget(&self, seq: u64) {
        if let Ok(mut waiting) = self.waiting.lock() {
            waiting.remove(&seq);
        }
    }

    /// Closes the connection that has waited longest for a head; whether there was one.
    fn shed_oldest(&self) -> bool {
        let oldest = self.waiting.lock().ok().and_then(|mut w| w.pop_first());
        match oldest {
            Some((_, slot)) => {
                slot.kick();
                true
            }
            None => false,
        }
    }
}

/// A listener's acceptor with a connection cap and the head timeout.
pub struct LimitedAcceptor<A> {
    inner: A,
    shared: Arc<Shared>,
    name: &'static str,
    warned: Option<Instant>,
}

impl<A> std::fmt::Debug for LimitedAcceptor<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LimitedAcceptor")
            .field("name", &self.name)
            .field("free", &self.shared.permits.available_permits())
            .finish_non_exhaustive()
    }
}

impl<A: Acceptor> LimitedAcceptor<A> {
    /// `name` says which listener in the log.
    pub fn new(inner: A, max_connections: usize, name: &'static str) -> LimitedAcceptor<A> {
        LimitedAcceptor {
            inner,
            shared: Arc::new(Shared {
                permits: Arc::new(Semaphore::new(max_connections.max(1))),
                waiting: Mutex::new(BTreeMap::new()),
                next: AtomicU64::new(0),
            }),
            name,
            warned: None,
        }
    }
}

impl Shared {
    async fn permit(self: Arc<Self>) -> OwnedSemaphorePermit {
        loop {
            if let Ok(permit) = Arc::clone(&self.permits).try_acquire_owned() {
                return permit;
            }
            // Full: make room by closing the longest wait for a head, else wait for a request
            // to end.
            self.shed_oldest();
            tokio::select! {
                permit = Arc::clone(&self.permits).acquire_owned() => {
                    if let Ok(permit) = permit {
                        return permit;
                    }
                }
                _ = tokio::time::sleep(Duration::from_millis(200)) => {}
            }
        }
    }
}

impl<A: Acceptor> Acceptor for LimitedAcceptor<A> {
    type Io = Guarded<A::Io>;

    fn local_addr(&self) -> Vec<LocalAddr> {
        self.inner.local_addr()
    }

    async fn accept(&mut self) -> io::Result<(Self::Io, LocalAddr, RemoteAddr, Scheme)> {
        let permit = Arc::clone(&self.shared).permit().await;
        loop {
            match self.inner.accept().await {
                Ok((io, local, remote, scheme)) => {
                    return Ok((
                        Guarded::new(io, permit, Arc::clone(&self.shared)),
                        local,
                        remote,
                        scheme,
                    ));
                }
                Err(e) => {
                    let now = Instant::now();
                    if self
                        .warned
                        .is_none_or(|at| now.duration_since(at) > Duration::from_secs(10))
                    {
                        tracing::warn!(listener = self.name, error = %e, "cannot accept a connection");
                        self.warned = Some(now);
                    }
                    tokio::time::sleep(ACCEPT_RETRY).await;
                }
            }
        }
    }
}

#[derive(Debug)]
enum Phase {
    /// Waiting for a request head; `newlines` in a row seen (a blank line ends the head).
    Head { seq: u64, newlines: u8 },
    /// A request is being served (its body read, its answer computed).
    Request,
}

/// One connection: holds its permit, times the wait for each request head.
pub struct Guarded<T> {
    inner: T,
    _permit: OwnedSemaphorePermit,
    shared: Arc<Shared>,
    slot: Arc<Slot>,
    phase: Phase,
    deadline: Pin<Box<Sleep>>,
}

impl<T> std::fmt::Debug for Guarded<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Guarded")
            .field("phase", &self.phase)
            .finish_non_exhaustive()
    }
}

impl<T> Guarded<T> {
    fn new(inner: T, permit: OwnedSemaphorePermit, shared: Arc<Shared>) -> Guarded<T> {
        let slot = Arc::new(Slot::default());
        let seq = shared.wait_for_head(&slot);
        Guarded {
            inner,
            _permit: permit,
            shared,
            slot,
            phase: Phase::Head { seq, newlines: 0 },
            deadline: Box::pin(tokio::time::sleep(HEAD_TIMEOUT)),
        }
    }

    /// Waits (again) for a head from now on: after an answer, or while one is still written.
    /// The deadline and the slot take the writing task's waker: hyper may not read again
    /// until woken, so the timeout and a kick must wake it.
    fn restart_head_wait(&mut self, cx: &mut Context<'_>) {
        let newlines = match self.phase {
            Phase::Head { seq, newlines } => {
                self.shared.forget(seq);
                newlines
            }
            Phase::Request => 0,
        };
        let seq = self.shared.wait_for_head(&self.slot);
        self.phase = Phase::Head { seq, newlines };
        self.deadline.as_mut().reset(Instant::now() + HEAD_TIMEOUT);
        let _ = self.deadline.as_mut().poll(cx);
        if let Ok(mut waker) = self.slot.waker.lock() {
            *waker = Some(cx.waker().clone());
        }
    }

    /// Follows the bytes read while waiting for a head; a blank line ends it.
    fn saw(&mut self, bytes: &[u8]) {
        let Phase::Head { seq, mut newlines } = self.phase else {
            return;
        };
        for &b in bytes {
            match b {
                b'\n' => newlines += 1,
                b'\r' => {}
                _ => newlines = 0,
            }
            if newlines >= 2 {
                self.shared.forget(seq);
                self.phase = Phase::Request;
                return;
            }
        }
        self.phase = Phase::Head { seq, newlines };
    }
}

impl<T> Drop for Guarded<T> {
    fn drop(&mut self) {
        if let Phase::Head { seq, .. } = self.phase {
            self.shared.forget(seq);
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Guarded<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        if this.slot.kicked.load(Ordering::Acquire) {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "closed to make room for another connection",
            )));
        }
        let before = buf.filled().len();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                let read = buf.filled()[before..].to_vec();
                this.saw(&read);
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => {
                if matches!(this.phase, Phase::Request) {
                    return Poll::Pending;
                }
                if let Ok(mut waker) = this.slot.waker.lock() {
                    *waker = Some(cx.waker().clone());
                }
                if this.slot.kicked.load(Ordering::Acquire) {
                    return Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::ConnectionAborted,
                        "closed to make room for another connection",
                    )));
                }
                match this.deadline.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "no request head in time",
                    ))),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Guarded<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let written = Pin::new(&mut this.inner).poll_write(cx, buf);
        if matches!(written, Poll::Ready(Ok(n)) if n > 0) {
            this.restart_head_wait(cx);
        }
        written
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let written = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        if matches!(written, Poll::Ready(Ok(n)) if n > 0) {
            this.restart_head_wait(cx);
        }
        written
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_fit_the_open_files() {
        assert_eq!(caps(None), (PUBLIC_MAX_CONNECTIONS, ADMIN_MAX_CONNECTIONS));
        assert_eq!(
            caps(Some(1_048_576)),
            (PUBLIC_MAX_CONNECTIONS, ADMIN_MAX_CONNECTIONS)
        );
        // 256 files: 128 kept, 32 for the admin listener, 96 for the public one.
        assert_eq!(caps(Some(256)), (96, 32));
        assert_eq!(caps(Some(10)), (1, 1));
    }
}
