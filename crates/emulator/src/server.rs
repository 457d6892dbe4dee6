//! Sockets and threads: one thread accepting, one thread per connection.
//!
//! The emulator's clients use at most a few dozen connections, so a thread
//! per connection is the simplest design that is fast enough (no async
//! runtime, no dependency). Every connection is registered so that stopping
//! can shut its socket down, which wakes a thread blocked reading an idle
//! keep-alive connection, and then join it.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use socket2::SockRef;

use crate::http::{ReadOutcome, RequestReader, Response};
use crate::service::{lock, Reply, Service};

/// Connections served at once; more are closed as soon as accepted.
const MAX_CONNECTIONS: usize = 1024;

/// One open connection: a clone of its socket (to shut it down) and its
/// thread (to join it; `None` until the acceptor has stored it).
type Registered = (TcpStream, Option<JoinHandle<()>>);

/// The open connections, by connection number.
#[derive(Default)]
struct Connections {
    open: Mutex<HashMap<u64, Registered>>,
}

/// A running server; [`Running::stop`] stops it.
pub(crate) struct Running {
    addr: SocketAddr,
    service: Arc<Service>,
    connections: Arc<Connections>,
    acceptor: Option<JoinHandle<()>>,
}

/// Starts serving `listener` with `service` on a new thread.
pub(crate) fn spawn(listener: TcpListener, service: Arc<Service>) -> io::Result<Running> {
    let addr = listener.local_addr()?;
    let connections = Arc::new(Connections::default());
    let acceptor = {
        let (service, connections) = (Arc::clone(&service), Arc::clone(&connections));
        thread::Builder::new()
            .name("emulator-accept".into())
            .spawn(move || accept_loop(&listener, &service, &connections))?
    };
    Ok(Running {
        addr,
        service,
        connections,
        acceptor: Some(acceptor),
    })
}

impl Running {
    /// Stops accepting, closes every connection and joins every thread.
    /// Calling it again does nothing.
    pub(crate) fn stop(&mut self) {
        let Some(acceptor) = self.acceptor.take() else {
            return;
        };
        self.service.stop.trigger();
        // Wake the blocking accept() with a connection of our own. If that
        // fails the acceptor is left to exit with the process, not joined.
        let mut wake_addr = self.addr;
        if wake_addr.ip().is_unspecified() {
            wake_addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
        }
        if TcpStream::connect_timeout(&wake_addr, Duration::from_secs(1)).is_ok() {
            let _ = acceptor.join();
        }
        let threads: Vec<_> = lock(&self.connections.open)
            .values_mut()
            .filter_map(|(stream, thread)| {
                let _ = stream.shutdown(Shutdown::Both);
                thread.take()
            })
            .collect();
        for thread in threads {
            let _ = thread.join();
        }
    }
}

fn accept_loop(listener: &TcpListener, service: &Arc<Service>, connections: &Arc<Connections>) {
    let mut next_id: u64 = 0;
    for stream in listener.incoming() {
        if service.stop.is_triggered() {
            return;
        }
        let Ok(stream) = stream else {
            // Typically out of file descriptors: wait instead of spinning.
            thread::sleep(Duration::from_millis(10));
            continue;
        };
        service.count_connection();
        let _ = stream.set_nodelay(true);
        let Ok(registered) = stream.try_clone() else {
            continue;
        };
        next_id += 1;
        let id = next_id;
        {
            let mut open = lock(&connections.open);
            if open.len() >= MAX_CONNECTIONS {
                continue;
            }
            open.insert(id, (registered, None));
        }
        let (service, conns) = (Arc::clone(service), Arc::clone(connections));
        let spawned = thread::Builder::new()
            .name("emulator-conn".into())
            .spawn(move || {
                let end = serve(stream, &service);
                finish(id, end, &conns);
            });
        let mut open = lock(&connections.open);
        match spawned {
            // If the thread already finished, its entry is gone: the handle
            // is dropped, which detaches a thread that has ended anyway.
            Ok(handle) => {
                if let Some(entry) = open.get_mut(&id) {
                    entry.1 = Some(handle);
                }
            }
            Err(_) => {
                open.remove(&id);
            }
        }
    }
}

/// How a connection ends.
enum End {
    /// Close normally (FIN).
    Close,
    /// Close after an error answer: stop writing, read what the client is
    /// still sending for a moment, then close, so that the kernel does not
    /// reset the connection (losing the answer) because of unread bytes.
    Linger(TcpStream),
    /// Reset: close with SO_LINGER 0, so the kernel sends RST.
    Reset(TcpStream),
}

/// Serves requests on one connection until it ends.
fn serve(mut stream: TcpStream, service: &Service) -> End {
    let peer = stream.peer_addr().ok().map(|a| a.ip());
    let mut reader = RequestReader::new();
    let mut out = Vec::with_capacity(1024);
    loop {
        let req = match reader.read(&mut stream) {
            Ok(ReadOutcome::Request(req)) => req,
            Ok(ReadOutcome::Closed) | Err(_) => return End::Close,
            Ok(ReadOutcome::Invalid(e)) => {
                Response::text(e.status, e.message).write_to(&mut out, true);
                let _ = stream.write_all(&out);
                return End::Linger(stream);
            }
        };
        if service.stop.is_triggered() {
            return End::Close;
        }
        match service.handle(&req, peer) {
            Reply::Reset => return End::Reset(stream),
            Reply::Send {
                response,
                truncate: true,
            } => {
                let body = &response.body;
                response.write_head(&mut out, body.len().max(1), true);
                out.extend_from_slice(&body[..body.len() / 2]);
                let _ = stream.write_all(&out);
                return End::Close;
            }
            Reply::Send {
                response,
                truncate: false,
            } => {
                response.write_to(&mut out, !req.keep_alive);
                if req.method == "HEAD" {
                    out.truncate(out.len() - response.body.len());
                }
                if stream.write_all(&out).is_err() || !req.keep_alive {
                    return End::Close;
                }
            }
        }
    }
}

/// Unregisters connection `id`, then closes it as `end` says. The
/// registered clone is dropped first, so that dropping the last handle
/// really closes the socket (and sends the RST of a reset).
fn finish(id: u64, end: End, connections: &Connections) {
    let registered = lock(&connections.open).remove(&id);
    drop(registered);
    match end {
        End::Close => {}
        End::Linger(mut stream) => {
            let _ = stream.shutdown(Shutdown::Write);
            let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
            let mut sink = [0u8; 8192];
            for _ in 0..128 {
                if matches!(stream.read(&mut sink), Ok(0) | Err(_)) {
                    break;
                }
            }
        }
        End::Reset(stream) => {
            let _ = SockRef::from(&stream).set_linger(Some(Duration::ZERO));
        }
    }
}
