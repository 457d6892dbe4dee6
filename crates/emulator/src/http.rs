//! Just enough HTTP/1.1 for the vendors' delete APIs: reading one request at a
//! time from a keep-alive connection, and serializing a response into one
//! buffer so it leaves in a single write.
//!
//! Request bodies are framed by `Content-Length` only. The vendors' clients
//! never send chunked bodies, so a `Transfer-Encoding` request is answered 411
//! instead of being half-supported. Head and body sizes are bounded, and every
//! malformed input becomes a [`RequestError`] with the status to answer: a
//! client can never make a connection thread panic.

use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::date;

/// Largest request head (request line and headers) accepted: 431 beyond.
pub(crate) const MAX_HEAD_BYTES: usize = 16 * 1024;
/// Largest request body accepted: 413 beyond. Seeding a large batch through
/// the admin API is the biggest legitimate body.
pub(crate) const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;
/// Most header lines accepted in one request.
const MAX_HEADERS: usize = 100;

/// One parsed request. Header names are lower-cased; values are trimmed.
#[derive(Debug)]
pub(crate) struct Request {
    pub(crate) method: String,
    /// The path part of the request target: the query, if any, is ignored.
    pub(crate) path: String,
    headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
    /// Whether the connection stays open after the response.
    pub(crate) keep_alive: bool,
}

impl Request {
    /// The value of the first header called `name` (lower-case), if present.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Why a request could not be read; answered with `status` and the connection
/// is closed, since the stream can no longer be trusted to be in sync.
#[derive(Debug)]
pub(crate) struct RequestError {
    pub(crate) status: u16,
    pub(crate) message: &'static str,
}

fn bad(status: u16, message: &'static str) -> RequestError {
    RequestError { status, message }
}

/// What reading the next request gave.
pub(crate) enum ReadOutcome {
    Request(Request),
    /// The peer closed the connection cleanly between requests.
    Closed,
    /// The bytes received are not an acceptable request.
    Invalid(RequestError),
}

/// Buffered reader of requests from one connection. Bytes received past the
/// end of one request (pipelining) are kept for the next.
pub(crate) struct RequestReader {
    buf: Vec<u8>,
}

impl RequestReader {
    pub(crate) fn new() -> Self {
        RequestReader {
            buf: Vec::with_capacity(4096),
        }
    }

    /// Reads the next request from `stream`. I/O errors (including a reset
    /// or a shutdown of the socket) are returned as `Err`.
    ///
    /// A request with `Expect: 100-continue` whose body has not arrived yet
    /// gets the interim `100 Continue` written to `stream` first (curl sends
    /// one for larger admin bodies and would otherwise wait a second).
    pub(crate) fn read(&mut self, stream: &mut (impl Read + Write)) -> io::Result<ReadOutcome> {
        let head_len = loop {
            if let Some(end) = find_head_end(&self.buf) {
                break end;
            }
            if self.buf.len() >= MAX_HEAD_BYTES {
                return Ok(ReadOutcome::Invalid(bad(431, "request head too large")));
            }
            if self.fill(stream)? == 0 {
                return Ok(if self.buf.is_empty() {
                    ReadOutcome::Closed
                } else {
                    ReadOutcome::Invalid(bad(400, "connection closed inside a request head"))
                });
            }
        };
        if head_len > MAX_HEAD_BYTES {
            return Ok(ReadOutcome::Invalid(bad(431, "request head too large")));
        }
        let head = match parse_head(&self.buf[..head_len]) {
            Ok(head) => head,
            Err(e) => return Ok(ReadOutcome::Invalid(e)),
        };
        let body_len = head.content_length;
        if head.expect_continue && self.buf.len() < head_len + body_len {
            stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
        }
        while self.buf.len() < head_len + body_len {
            if self.fill(stream)? == 0 {
                return Ok(ReadOutcome::Invalid(bad(
                    400,
                    "connection closed inside a request body",
                )));
            }
        }
        let body = self.buf[head_len..head_len + body_len].to_vec();
        self.buf.drain(..head_len + body_len);
        Ok(ReadOutcome::Request(Request {
            method: head.method,
            path: head.path,
            headers: head.headers,
            body,
            keep_alive: head.keep_alive,
        }))
    }

    fn fill(&mut self, stream: &mut impl Read) -> io::Result<usize> {
        let mut chunk = [0u8; 8192];
        let n = stream.read(&mut chunk)?;
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(n)
    }
}

/// Index just past the blank line that ends the head, if it has arrived.
fn find_head_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4)
}

struct Head {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    content_length: usize,
    keep_alive: bool,
    expect_continue: bool,
}

fn parse_head(raw: &[u8]) -> Result<Head, RequestError> {
    let text = std::str::from_utf8(raw).map_err(|_| bad(400, "request head is not UTF-8"))?;
    let mut lines = text.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad(400, "malformed request line"));
    };
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(bad(400, "malformed method"));
    }
    let http11 = match version {
        "HTTP/1.1" => true,
        "HTTP/1.0" => false,
        _ => return Err(bad(505, "only HTTP/1.0 and HTTP/1.1 are supported")),
    };
    if !target.starts_with('/') {
        return Err(bad(400, "request target must be an absolute path"));
    }
    let path = target.split_once('?').map_or(target, |(path, _)| path);

    let mut headers = Vec::new();
    for line in lines.take_while(|l| !l.is_empty()) {
        if headers.len() == MAX_HEADERS {
            return Err(bad(431, "too many header lines"));
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err(bad(400, "malformed header line"));
        };
        if name.is_empty() || name.bytes().any(|b| b.is_ascii_whitespace()) {
            return Err(bad(400, "malformed header name"));
        }
        headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
    }

    if headers.iter().any(|(n, _)| n == "transfer-encoding") {
        return Err(bad(
            411,
            "Transfer-Encoding request bodies are not supported: send Content-Length",
        ));
    }
    let mut content_length: Option<usize> = None;
    for (_, value) in headers.iter().filter(|(n, _)| n == "content-length") {
        let n = parse_content_length(value).ok_or(bad(400, "malformed Content-Length"))?;
        if content_length.is_some_and(|m| m != n) {
            return Err(bad(400, "conflicting Content-Length headers"));
        }
        content_length = Some(n);
    }
    let content_length = content_length.unwrap_or(0);
    if content_length > MAX_BODY_BYTES {
        return Err(bad(413, "request body too large"));
    }

    let connection = headers
        .iter()
        .find(|(n, _)| n == "connection")
        .map(|(_, v)| v.to_ascii_lowercase());
    let keep_alive = match connection.as_deref() {
        Some(v) if v.split(',').any(|t| t.trim() == "close") => false,
        Some(v) if v.split(',').any(|t| t.trim() == "keep-alive") => true,
        _ => http11,
    };

    let expect_continue = headers
        .iter()
        .any(|(n, v)| n == "expect" && v.eq_ignore_ascii_case("100-continue"));

    Ok(Head {
        expect_continue,
        method: method.to_owned(),
        path: path.to_owned(),
        headers,
        content_length,
        keep_alive,
    })
}

fn parse_content_length(value: &str) -> Option<usize> {
    if value.is_empty() || value.len() > 19 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse().ok()
}

/// How the value of a `Retry-After` header is written.
#[derive(Debug, PartialEq)]
pub(crate) enum RetryAfterValue {
    /// Delay in whole seconds.
    Seconds(u64),
    /// An HTTP-date this many seconds after the response's `Date` header.
    DateAfter(u64),
}

/// One response, before serialization. Only the headers this emulator needs
/// are representable, which keeps every response's shape easy to audit.
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) content_type: Option<&'static str>,
    /// Value of an `Allow` header (405 answers).
    pub(crate) allow: Option<&'static str>,
    pub(crate) retry_after: Option<RetryAfterValue>,
    /// Value of a `WWW-Authenticate` header (OAuth2 401 answers).
    pub(crate) www_authenticate: Option<&'static str>,
    /// Persona's `ratelimit-*` headers.
    pub(crate) rate_limit: Option<RateLimitHeaders>,
    /// The vendor's request-id header, if this is a vendor's answer (set
    /// by [`crate::service::Service::handle`]); [`Response::write_head`]
    /// writes it with a fresh id, so a client can keep it as evidence.
    /// One byte, so the checks' error type stays small.
    pub(crate) request_id: Option<RequestIdHeader>,
    pub(crate) body: Vec<u8>,
}

/// The values of the `ratelimit-limit`, `ratelimit-remaining` and
/// `ratelimit-reset` headers (Persona's, after the IETF draft).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RateLimitHeaders {
    /// Requests allowed per window.
    pub(crate) limit: u32,
    /// Requests left in the current window.
    pub(crate) remaining: u32,
    /// Whole seconds until the window resets.
    pub(crate) reset: u64,
}

/// Which request-id header a vendor sends: `Request-Id` (Stripe and
/// Persona, documented) or `X-Request-Id` (the others, which document
/// none; a common choice).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RequestIdHeader {
    RequestId,
    XRequestId,
}

impl RequestIdHeader {
    fn name(self) -> &'static str {
        match self {
            RequestIdHeader::RequestId => "Request-Id",
            RequestIdHeader::XRequestId => "X-Request-Id",
        }
    }
}

/// A fresh request id: a per-process nonce (the start time) and a counter,
/// so ids differ across answers and across emulators.
fn fresh_request_id() -> String {
    static NONCE: OnceLock<u64> = OnceLock::new();
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nonce = *NONCE.get_or_init(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64)
    });
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("req_{nonce:016x}{n:08x}")
}

/// `Content-Type` of JSON bodies.
pub(crate) const JSON: &str = "application/json; charset=utf-8";
/// `Content-Type` of plain-text bodies.
pub(crate) const TEXT: &str = "text/plain; charset=utf-8";

impl Response {
    /// A response with a JSON body.
    pub(crate) fn json(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Response {
            status,
            content_type: Some(JSON),
            allow: None,
            retry_after: None,
            www_authenticate: None,
            rate_limit: None,
            request_id: None,
            body: body.into(),
        }
    }

    /// A response with a plain-text body.
    pub(crate) fn text(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Response {
            content_type: Some(TEXT),
            ..Response::json(status, body)
        }
    }

    /// A response with an empty body.
    pub(crate) fn empty(status: u16) -> Self {
        Response {
            content_type: None,
            ..Response::json(status, Vec::new())
        }
    }

    /// Serializes the status line and headers into `out` (cleared first),
    /// announcing a body of `content_length` bytes. The caller appends the
    /// body, or, to inject a truncated body, only part of it.
    pub(crate) fn write_head(&self, out: &mut Vec<u8>, content_length: usize, close: bool) {
        out.clear();
        let (now, date) = date::now();
        // Writing into a Vec cannot fail.
        let _ = write!(
            out,
            "HTTP/1.1 {} {}\r\nDate: {}\r\nContent-Length: {}\r\n",
            self.status,
            reason(self.status),
            date,
            content_length
        );
        if let Some(content_type) = self.content_type {
            let _ = write!(out, "Content-Type: {content_type}\r\n");
        }
        if let Some(allow) = self.allow {
            let _ = write!(out, "Allow: {allow}\r\n");
        }
        match self.retry_after {
            Some(RetryAfterValue::Seconds(secs)) => {
                let _ = write!(out, "Retry-After: {secs}\r\n");
            }
            Some(RetryAfterValue::DateAfter(secs)) => {
                let _ = write!(out, "Retry-After: {}\r\n", date::format(now + secs));
            }
            None => {}
        }
        if let Some(challenge) = self.www_authenticate {
            let _ = write!(out, "WWW-Authenticate: {challenge}\r\n");
        }
        if let Some(r) = self.rate_limit {
            let _ = write!(
                out,
                "ratelimit-limit: {}\r\nratelimit-remaining: {}\r\nratelimit-reset: {}\r\n",
                r.limit, r.remaining, r.reset
            );
        }
        if let Some(header) = self.request_id {
            let _ = write!(out, "{}: {}\r\n", header.name(), fresh_request_id());
        }
        if close {
            out.extend_from_slice(b"Connection: close\r\n");
        }
        out.extend_from_slice(b"\r\n");
    }

    /// Serializes the whole response into `out` (cleared first).
    pub(crate) fn write_to(&self, out: &mut Vec<u8>, close: bool) {
        self.write_head(out, self.body.len(), close);
        out.extend_from_slice(&self.body);
    }
}

/// The reason phrase of every status this emulator sends.
fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        411 => "Length Required",
        413 => "Content Too Large",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        _ => "Unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A connection reading from `input` and collecting what is written.
    struct Duplex<'a> {
        input: &'a [u8],
        output: Vec<u8>,
    }

    impl Read for Duplex<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.input.read(buf)
        }
    }

    impl Write for Duplex<'_> {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.output.write(buf)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn read_all(input: &[u8]) -> Vec<Result<Request, u16>> {
        let mut reader = RequestReader::new();
        let mut stream = Duplex {
            input,
            output: Vec::new(),
        };
        let mut out = Vec::new();
        for _ in 0..10 {
            match reader.read(&mut stream).expect("reading a slice") {
                ReadOutcome::Request(r) => out.push(Ok(r)),
                ReadOutcome::Closed => break,
                ReadOutcome::Invalid(e) => {
                    out.push(Err(e.status));
                    break;
                }
            }
        }
        out
    }

    #[test]
    fn pipelined_requests_are_split_by_content_length() {
        let got = read_all(
            b"DELETE /a?x=1 HTTP/1.1\r\nContent-Length: 2\r\nX-A:  b \r\n\r\nhiGET /b HTTP/1.1\r\n\r\n",
        );
        let first = got[0].as_ref().expect("first request");
        assert_eq!(
            (first.method.as_str(), first.path.as_str()),
            ("DELETE", "/a")
        );
        assert_eq!(first.header("x-a"), Some("b"));
        assert_eq!(first.body, b"hi");
        assert!(first.keep_alive);
        assert_eq!(got[1].as_ref().expect("second request").path, "/b");
        assert_eq!(got.len(), 2);
    }

    #[test]
    fn malformed_requests_get_a_status_not_a_panic() {
        let cases: &[(&[u8], u16)] = &[
            (
                b"DELETE /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
                411,
            ),
            (b"DELETE /a HTTP/1.1\r\nContent-Length: x\r\n\r\n", 400),
            (
                b"DELETE /a HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
                400,
            ),
            (
                b"DELETE /a HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n",
                413,
            ),
            (b"DELETE /a HTTP/1.1\r\nno colon\r\n\r\n", 400),
            (b"DELETE /a HTTP/2\r\n\r\n", 505),
            (b"DELETE a HTTP/1.1\r\n\r\n", 400),
            (b"DELETE  /a HTTP/1.1\r\n\r\n", 400),
            (b"\xff\xfe /a HTTP/1.1\r\n\r\n", 400),
            (b"DELETE /a HTTP/1.1\r\nContent-Length: 5\r\n\r\nab", 400),
            (b"DELETE /a HTTP/1.1\r\nHost: x", 400),
        ];
        for (input, status) in cases {
            let got = read_all(input);
            assert_eq!(
                got.last().and_then(|r| r.as_ref().err()),
                Some(status),
                "{}",
                String::from_utf8_lossy(input)
            );
        }
        let huge = [b"GET / HTTP/1.1\r\nX: ".as_slice(), &[b'a'; MAX_HEAD_BYTES]].concat();
        assert_eq!(
            read_all(&huge).last().and_then(|r| r.as_ref().err()),
            Some(&431)
        );
    }

    #[test]
    fn expect_continue_gets_an_interim_answer() {
        let mut reader = RequestReader::new();
        let mut stream = Duplex {
            input: b"PUT /x HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n",
            output: Vec::new(),
        };
        // The body never comes here, but the interim answer was sent first.
        assert!(matches!(
            reader.read(&mut stream),
            Ok(ReadOutcome::Invalid(_))
        ));
        assert_eq!(stream.output, b"HTTP/1.1 100 Continue\r\n\r\n");
    }

    #[test]
    fn connection_header_and_version_decide_keep_alive() {
        let keep = |input: &[u8]| read_all(input)[0].as_ref().expect("request").keep_alive;
        assert!(!keep(b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n"));
        assert!(!keep(b"GET / HTTP/1.0\r\n\r\n"));
        assert!(keep(b"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"));
    }
}
