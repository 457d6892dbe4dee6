//! Shared helpers: an emulator per test on 127.0.0.1:0, clients for it, and
//! a tiny hand-written HTTP server for answers the emulator never gives.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use idv_delete_blocking::{
    Client, ClientBuilder, DeleteError, DeleteIntent, Deleted, Erasure, HyperVergeCredentials,
    JumioCredentials, JumioPlatformCredentials, JumioProduct, Region, RetryBudget, RetryPolicy,
};
use idv_delete_emulator::{Config, Emulator, Faults, SeedItem};

pub const USER_AGENT: &str = "Acme KYC-Cleaner/1.0";

/// Netverify v2, the Jumio Platform and HyperVerge erase at once: their
/// erasures are deletions, which these tests read.
pub trait AtOnce {
    /// The deletion, or the error; panics on a scheduled erasure.
    fn at_once(self) -> Result<Deleted, DeleteError>;
}

impl AtOnce for Result<Erasure, DeleteError> {
    fn at_once(self) -> Result<Deleted, DeleteError> {
        self.map(|erasure| match erasure {
            Erasure::Deleted(deleted) => deleted,
            Erasure::Scheduled(scheduled) => panic!("erases at once, yet scheduled: {scheduled:?}"),
        })
    }
}

pub fn emulator() -> Emulator {
    Emulator::start(Config::default()).expect("emulator starts")
}

pub fn emulator_with(faults: Faults) -> Emulator {
    Emulator::start(Config {
        faults,
        ..Config::default()
    })
    .expect("emulator starts")
}

/// Quick retries so that tests stay fast.
pub fn fast_policy(max_attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        ..RetryPolicy::default()
    }
}

pub fn jumio_credentials() -> JumioCredentials {
    JumioCredentials::new(
        idv_delete_emulator::DEFAULT_JUMIO_TOKEN,
        idv_delete_emulator::DEFAULT_JUMIO_SECRET,
        USER_AGENT,
    )
    .expect("valid credentials")
}

pub fn hyperverge_credentials() -> HyperVergeCredentials {
    HyperVergeCredentials::new(
        idv_delete_emulator::DEFAULT_HYPERVERGE_APP_ID,
        idv_delete_emulator::DEFAULT_HYPERVERGE_APP_KEY,
    )
    .expect("valid credentials")
}

pub fn platform_credentials() -> JumioPlatformCredentials {
    JumioPlatformCredentials::new(
        idv_delete_emulator::DEFAULT_JUMIO_CLIENT_ID,
        idv_delete_emulator::DEFAULT_JUMIO_CLIENT_SECRET,
        USER_AGENT,
    )
    .expect("valid credentials")
}

/// The `n`th of a family of valid, distinct UUIDs.
pub fn uuid(n: u64) -> String {
    format!("{:08x}-0000-4000-8000-{n:012x}", n >> 16)
}

/// A builder for `base_url` with every vendor's emulator credentials,
/// short timeouts and quick retries.
pub fn builder(base_url: &str) -> ClientBuilder {
    Client::builder()
        .jumio(jumio_credentials())
        .jumio_platform(platform_credentials())
        .hyperverge(hyperverge_credentials())
        .base_url(base_url)
        .connect_timeout(Duration::from_secs(2))
        .timeout(Duration::from_secs(5))
        .retry_policy(fast_policy(4))
        .retry_budget(RetryBudget::unlimited())
}

pub fn client(emulator: &Emulator) -> Client {
    builder(&emulator.base_url())
        .build()
        .expect("client builds")
}

pub fn scan(reference: &str) -> DeleteIntent {
    DeleteIntent::jumio(JumioProduct::IdVerification, Region::Eu, reference).expect("valid")
}

pub fn document(reference: &str) -> DeleteIntent {
    DeleteIntent::jumio(JumioProduct::DocumentVerification, Region::Us, reference).expect("valid")
}

pub fn hyperverge(reference: &str) -> DeleteIntent {
    DeleteIntent::hyperverge(reference).expect("valid")
}

/// Seeds every intent in the emulator.
pub fn seed(emulator: &Emulator, intents: &[DeleteIntent]) {
    let items: Vec<SeedItem> = intents.iter().map(seed_item).collect();
    emulator.seed(&items).expect("seeded");
}

pub fn seed_item(intent: &DeleteIntent) -> SeedItem {
    let target = intent.target();
    SeedItem::new(
        target.vendor().as_str(),
        target.product_name(),
        intent.reference(),
    )
}

/// `(applied, not_found)` of one intent in the emulator's stats.
pub fn counts(emulator: &Emulator, intent: &DeleteIntent) -> (u64, u64) {
    let target = intent.target();
    emulator
        .stats()
        .reference(
            target.vendor().as_str(),
            target.product_name(),
            intent.reference(),
        )
        .map_or((0, 0), |r| (r.applied, r.not_found))
}

/// `n` intents, alternating Jumio scans, Jumio documents and HyperVerge
/// transactions, named after `prefix`.
pub fn mixed(prefix: &str, n: usize) -> Vec<DeleteIntent> {
    (0..n)
        .map(|i| {
            let reference = format!("{prefix}-{i}");
            match i % 3 {
                0 => scan(&reference),
                1 => document(&reference),
                _ => hyperverge(&reference),
            }
        })
        .collect()
}

/// One request as the raw server saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub at: Instant,
    pub head: String,
}

/// A plain-http server on a loopback port that answers anything, a TLS
/// ClientHello included, with a plain-text 400 (as most HTTP servers do):
/// `https://` to it fails the TLS handshake.
pub fn plain_http_server() -> SocketAddr {
    let plain = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let addr = plain.local_addr().expect("its address");
    thread::spawn(move || {
        for stream in plain.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut hello = [0u8; 512];
            let _ = stream.read(&mut hello);
            let _ = stream.write_all(
                b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
            );
        }
    });
    addr
}

/// A hand-written HTTP/1.1 server: answers request number `n` (from 0)
/// with `answer(n)`, a complete raw response, and closes the connection.
/// Dropping it stops accepting and joins the accept thread; connection
/// threads end with their answer (or the 5 s read timeout).
pub struct RawServer {
    pub addr: SocketAddr,
    pub seen: Arc<Mutex<Vec<Seen>>>,
    stop: Arc<AtomicBool>,
    accept: Option<thread::JoinHandle<()>>,
}

impl RawServer {
    pub fn start(answer: impl Fn(usize) -> Vec<u8> + Send + Sync + 'static) -> RawServer {
        RawServer::start_streaming(move |n, stream| {
            let _ = stream.write_all(&answer(n));
        })
    }

    /// Like [`RawServer::start`], but `answer(n, stream)` writes the answer
    /// itself, at its own pace (slow, endless or cut answers); the
    /// connection is closed when it returns.
    pub fn start_streaming(
        answer: impl Fn(usize, &mut TcpStream) + Send + Sync + 'static,
    ) -> RawServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let answer = Arc::new(answer);
        let accept = {
            let (seen, stop) = (Arc::clone(&seen), Arc::clone(&stop));
            thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        return;
                    }
                    let Ok(stream) = stream else { return };
                    let (seen, answer) = (Arc::clone(&seen), Arc::clone(&answer));
                    thread::spawn(move || serve_one(stream, &seen, &*answer));
                }
            })
        };
        RawServer {
            addr,
            seen,
            stop,
            accept: Some(accept),
        }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop, which then sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

fn serve_one(stream: TcpStream, seen: &Mutex<Vec<Seen>>, answer: &dyn Fn(usize, &mut TcpStream)) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut reader = BufReader::new(stream);
    let mut head = String::new();
    let mut content_length = 0usize;
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            content_length = v.trim().parse().unwrap_or(0);
        }
        let end = line == "\r\n";
        head.push_str(&line);
        if end {
            break;
        }
    }
    let mut body = vec![0u8; content_length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let n = {
        let mut seen = seen.lock().unwrap();
        seen.push(Seen {
            at: Instant::now(),
            head,
        });
        seen.len() - 1
    };
    let mut stream = reader.into_inner();
    answer(n, &mut stream);
    let _ = stream.flush();
}

/// A raw response with `Connection: close` and a correct `Content-Length`.
pub fn response(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\nconnection: close\r\n");
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str(&format!("content-length: {}\r\n\r\n", body.len()));
    let mut out = out.into_bytes();
    out.extend_from_slice(body);
    out
}
