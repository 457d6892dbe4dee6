//! Vendor (and proxy) misbehaviour, through the blocking [`Client`] against
//! the hand-written [`RawServer`]: HTML error pages, empty bodies for every
//! status class, huge and endless bodies, answers slower than the timeout,
//! a 2xx that says failure or is an HTML page, malformed JSON, `Retry-After` of garbage or of a
//! year, `Content-Length` mismatches and connections closed mid-answer.
//!
//! Each case must get a typed answer (kind, status, attempts, in doubt)
//! whose vendor message is bounded to 1 KiB of control-free text and whose
//! whole error text stays small, within a bounded time.

mod common;

use std::io::Write;
use std::net::TcpStream;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use common::*;
use idv_delete_blocking::core::MAX_VENDOR_MESSAGE;
use idv_delete_blocking::{
    BatchOptions, Client, ConfirmedBy, DeleteError, DeleteIntent, Deleted, ErrorKind, RetryPolicy,
};

/// Attempts allowed in these tests: enough to see retries, few enough to
/// stay quick.
const ATTEMPTS: u32 = 3;
/// Longest any single case may take (retries included).
const CASE_BOUND: Duration = Duration::from_secs(5);
/// Longest error text accepted: our explanation plus a bounded vendor
/// message.
const MAX_ERROR_TEXT: usize = 4096;
const YEAR_SECS: u64 = 365 * 24 * 3600;

fn client_for(server: &RawServer) -> Client {
    builder(&server.base_url())
        .retry_policy(fast_policy(ATTEMPTS))
        .build()
        .unwrap()
}

/// Runs one deletion against a server answering every request with
/// `answer`, checking that it ends within [`CASE_BOUND`].
fn delete_against(
    intent: &DeleteIntent,
    answer: impl Fn(usize) -> Vec<u8> + Send + Sync + 'static,
) -> (Result<Deleted, DeleteError>, usize) {
    let server = RawServer::start(answer);
    let client = client_for(&server);
    let started = Instant::now();
    let result = client.delete(intent).at_once();
    let elapsed = started.elapsed();
    assert!(
        elapsed < CASE_BOUND,
        "{intent}: took {elapsed:?}: {result:?}"
    );
    let requests = server.seen().len();
    (result, requests)
}

/// What an error must look like.
#[derive(Clone, Copy, Debug)]
struct Expect {
    kind: ErrorKind,
    status: Option<u16>,
    attempts: u32,
    in_doubt: bool,
}

const fn expect(kind: ErrorKind, status: Option<u16>, attempts: u32, in_doubt: bool) -> Expect {
    Expect {
        kind,
        status,
        attempts,
        in_doubt,
    }
}

/// Checks a typed, bounded error, and that the server saw exactly as many
/// requests as the error counts.
fn check_error(case: &str, result: &Result<Deleted, DeleteError>, requests: usize, want: Expect) {
    let _ = expect_error(case, result, requests, want);
}

/// [`check_error`], returning the error for further checks.
fn expect_error(
    case: &str,
    result: &Result<Deleted, DeleteError>,
    requests: usize,
    want: Expect,
) -> DeleteError {
    let error = match result {
        Ok(deleted) => panic!("{case}: expected {want:?}, got {deleted:?}"),
        Err(error) => error.clone(),
    };
    assert_eq!(error.kind(), want.kind, "{case}: {error}");
    assert_eq!(error.status(), want.status, "{case}: {error}");
    assert_eq!(error.attempts(), want.attempts, "{case}: {error}");
    assert_eq!(error.in_doubt(), want.in_doubt, "{case}: {error}");
    assert_eq!(
        requests, want.attempts as usize,
        "{case}: the server saw every attempt and no other"
    );
    check_bounded(case, &error);
    error
}

fn check_bounded(case: &str, error: &DeleteError) {
    if let Some(message) = error.vendor_message() {
        assert!(
            message.len() <= MAX_VENDOR_MESSAGE,
            "{case}: vendor message of {} bytes",
            message.len()
        );
        assert!(
            !message.chars().any(char::is_control),
            "{case}: control characters in {message:?}"
        );
        assert!(!message.is_empty(), "{case}: an empty message is None");
    }
    let text = error.to_string();
    assert!(
        text.len() <= MAX_ERROR_TEXT,
        "{case}: error text of {} bytes",
        text.len()
    );
    assert!(
        !text.contains('\n') && !text.contains('\r'),
        "{case}: {text:?}"
    );
}

/// Headers and body of a canned answer.
type Answer = (&'static [(&'static str, &'static str)], &'static [u8]);

fn html_page(status: &str) -> Vec<u8> {
    // An nginx-style page, padded past the message bound, with newlines.
    let mut page = format!(
        "<html>\r\n<head><title>{status}</title></head>\r\n<body>\r\n<center><h1>{status}</h1></center>\r\n<hr><center>nginx</center>\r\n"
    );
    for i in 0..60 {
        page.push_str(&format!(
            "<!-- padding line {i} to look like a real error page -->\n"
        ));
    }
    page.push_str("</body>\r\n</html>\r\n");
    page.into_bytes()
}

#[test]
fn html_error_pages_from_a_proxy_are_server_errors_with_bounded_messages() {
    for intent in [scan("html-1"), hyperverge("html-1")] {
        for (status, code, in_doubt) in [
            ("502 Bad Gateway", 502, true),
            ("503 Service Temporarily Unavailable", 503, false),
        ] {
            let case = format!("{intent} {status} text/html");
            let (result, requests) = delete_against(&intent, move |_| {
                response(status, &[("content-type", "text/html")], &html_page(status))
            });
            let error = expect_error(
                &case,
                &result,
                requests,
                expect(ErrorKind::Server, Some(code), ATTEMPTS, in_doubt),
            );
            let message = error.vendor_message().expect("the page is kept");
            assert!(message.starts_with("<html>"), "{case}: {message:?}");
            assert_eq!(
                message.len(),
                MAX_VENDOR_MESSAGE,
                "{case}: cut at the bound"
            );
        }
    }
}

/// A 200 with an HTML page (a captive portal, a TLS-intercepting gateway's
/// login page, a wrong base URL) is no proof of deletion, for either
/// vendor, whether the page says so by its `Content-Type` (any case, any
/// parameters) or only by its body. It is not retried. The request may
/// have reached the vendor behind the proxy, so the error is in doubt:
/// running it again with `delete_resumed` (or resuming a journal) turns a
/// 404 into a deletion confirmed by absence instead of "not found".
#[test]
fn html_200_is_unexpected_and_in_doubt_for_both_vendors() {
    let answers: [(&str, Answer); 4] = [
        (
            "text/html",
            (&[("content-type", "text/html")], b"<html>Login</html>"),
        ),
        (
            "Text/HTML with parameters",
            (&[("content-type", "Text/HTML; charset=utf-8")], b""),
        ),
        (
            "an HTML body without Content-Type",
            (&[], b"\n  <!DOCTYPE html><html>Sign in</html>"),
        ),
        (
            "an HTML body behind a JSON Content-Type",
            (
                &[("content-type", "application/json")],
                b"<HTML><body>Portal</body></HTML>",
            ),
        ),
    ];
    for intent in [
        scan("html-200"),
        document("html-200"),
        hyperverge("html-200"),
    ] {
        for (what, (headers, body)) in answers {
            let case = format!("{intent} 200 {what}");
            let (result, requests) =
                delete_against(&intent, move |_| response("200 OK", headers, body));
            let error = expect_error(
                &case,
                &result,
                requests,
                expect(ErrorKind::UnexpectedResponse, Some(200), 1, true),
            );
            let text = error.to_string();
            assert!(
                text.contains("HTML page") && text.contains("proxy") && text.contains("base URL"),
                "{case}: says what to check: {text}"
            );
            assert!(
                text.contains("Nothing is known to be deleted"),
                "{case}: {text}"
            );
        }
        // The page came from a proxy: running it again in doubt against the
        // vendor, which answers 404, confirms the deletion by absence.
        let vendor = RawServer::start(|_| response("404 Not Found", &[], b""));
        let deleted = client_for(&vendor)
            .delete_resumed(&intent)
            .at_once()
            .expect("a 404 after an in-doubt attempt");
        assert_eq!(deleted.confirmed_by, ConfirmedBy::Absence, "{intent}");
    }

    // The full nginx-style page is kept only up to the bound.
    let (result, requests) = delete_against(&scan("html-200"), |_| {
        response(
            "200 OK",
            &[("content-type", "text/html")],
            &html_page("Welcome"),
        )
    });
    let error = expect_error(
        "Jumio 200 long page",
        &result,
        requests,
        expect(ErrorKind::UnexpectedResponse, Some(200), 1, true),
    );
    assert_eq!(
        error.vendor_message().map(str::len),
        Some(MAX_VENDOR_MESSAGE)
    );
}

/// Jumio documents 200 with no body; an empty or JSON body with no or a JSON
/// Content-Type is its success answer, anything else is no proof.
#[test]
fn jumio_2xx_counts_only_with_an_empty_or_json_answer() {
    let deletions: [Answer; 4] = [
        (&[], b""),
        (&[("content-type", "application/json")], b""),
        (
            &[("content-type", "application/json; charset=utf-8")],
            b"{\"ok\":true}",
        ),
        (&[], b"  {}  "),
    ];
    for (headers, body) in deletions {
        let case = format!("Jumio 200 {headers:?} {:?}", String::from_utf8_lossy(body));
        let (result, requests) =
            delete_against(&scan("ok"), move |_| response("200 OK", headers, body));
        let deleted = result.unwrap_or_else(|e| panic!("{case}: {e}"));
        assert_eq!(deleted.confirmed_by, ConfirmedBy::Response, "{case}");
        assert_eq!((deleted.attempts, requests), (1, 1), "{case}");
    }
    let refusals: [Answer; 4] = [
        (&[("content-type", "text/plain")], b"OK"),
        (&[("content-type", "text/plain")], b""),
        (&[], b"deleted"),
        (&[("content-type", "application/xml")], b"<ok/>"),
    ];
    for (headers, body) in refusals {
        let case = format!("Jumio 200 {headers:?} {:?}", String::from_utf8_lossy(body));
        let (result, requests) =
            delete_against(&scan("odd"), move |_| response("200 OK", headers, body));
        let error = expect_error(
            &case,
            &result,
            requests,
            expect(ErrorKind::UnexpectedResponse, Some(200), 1, true),
        );
        assert!(error.to_string().contains("proxy"), "{case}: {error}");
    }
}

#[test]
fn empty_bodies_for_every_status_class_get_typed_answers() {
    use ErrorKind::*;
    // (status line, Jumio expectation, HyperVerge expectation); `None` for
    // Jumio means a deletion confirmed by the response.
    let cases: [(&str, Option<Expect>, Expect); 18] = [
        (
            "200 OK",
            None,
            expect(UnexpectedResponse, Some(200), 1, true),
        ),
        (
            "202 Accepted",
            None,
            expect(UnexpectedResponse, Some(202), 1, true),
        ),
        (
            "204 No Content",
            None,
            expect(UnexpectedResponse, Some(204), 1, true),
        ),
        (
            "301 Moved Permanently",
            Some(expect(UnexpectedResponse, Some(301), 1, false)),
            expect(UnexpectedResponse, Some(301), 1, false),
        ),
        (
            "304 Not Modified",
            Some(expect(UnexpectedResponse, Some(304), 1, false)),
            expect(UnexpectedResponse, Some(304), 1, false),
        ),
        (
            "400 Bad Request",
            Some(expect(InvalidInput, Some(400), 1, false)),
            expect(InvalidInput, Some(400), 1, false),
        ),
        (
            "401 Unauthorized",
            Some(expect(Unauthorized, Some(401), 1, false)),
            expect(Unauthorized, Some(401), 1, false),
        ),
        (
            "403 Forbidden",
            Some(expect(Forbidden, Some(403), 1, false)),
            expect(Forbidden, Some(403), 1, false),
        ),
        (
            "404 Not Found",
            Some(expect(NotFound, Some(404), 1, false)),
            expect(NotFound, Some(404), 1, false),
        ),
        (
            "409 Conflict",
            Some(expect(UnexpectedResponse, Some(409), 1, false)),
            expect(UnexpectedResponse, Some(409), 1, false),
        ),
        (
            "422 Unprocessable Entity",
            Some(expect(InvalidInput, Some(422), 1, false)),
            expect(InvalidInput, Some(422), 1, false),
        ),
        (
            "429 Too Many Requests",
            Some(expect(RateLimited, Some(429), ATTEMPTS, false)),
            expect(RateLimited, Some(429), ATTEMPTS, false),
        ),
        (
            "500 Internal Server Error",
            Some(expect(Server, Some(500), ATTEMPTS, true)),
            expect(Server, Some(500), ATTEMPTS, true),
        ),
        (
            "501 Not Implemented",
            Some(expect(Server, Some(501), 1, false)),
            expect(Server, Some(501), 1, false),
        ),
        (
            "502 Bad Gateway",
            Some(expect(Server, Some(502), ATTEMPTS, true)),
            expect(Server, Some(502), ATTEMPTS, true),
        ),
        (
            "503 Service Unavailable",
            Some(expect(Server, Some(503), ATTEMPTS, false)),
            expect(Server, Some(503), ATTEMPTS, false),
        ),
        (
            "504 Gateway Timeout",
            Some(expect(Server, Some(504), ATTEMPTS, true)),
            expect(Server, Some(504), ATTEMPTS, true),
        ),
        (
            "599 Network Connect Timeout",
            Some(expect(Server, Some(599), 1, false)),
            expect(Server, Some(599), 1, false),
        ),
    ];
    for (status, jumio, hyperverge_expect) in cases {
        // 204 and 304 have no body by definition: no Content-Length either.
        let answer = move |_| {
            if status.starts_with("204") || status.starts_with("304") {
                format!("HTTP/1.1 {status}\r\nconnection: close\r\n\r\n").into_bytes()
            } else {
                response(status, &[], b"")
            }
        };
        let intent = scan("empty");
        let (result, requests) = delete_against(&intent, answer);
        let case = format!("Jumio {status} empty");
        match jumio {
            None => {
                let deleted = result.unwrap_or_else(|e| panic!("{case}: {e}"));
                assert_eq!(deleted.confirmed_by, ConfirmedBy::Response, "{case}");
                assert_eq!((deleted.attempts, requests), (1, 1), "{case}");
                assert_eq!(deleted.vendor_message, None, "{case}");
            }
            Some(want) => {
                let error = expect_error(&case, &result, requests, want);
                assert_eq!(error.vendor_message(), None, "{case}");
                assert_eq!(error.retry_after(), None, "{case}");
            }
        }
        let intent = hyperverge("empty");
        let (result, requests) = delete_against(&intent, answer);
        let case = format!("HyperVerge {status} empty");
        let error = expect_error(&case, &result, requests, hyperverge_expect);
        assert_eq!(error.vendor_message(), None, "{case}");
    }
}

/// A server that announces `announced` body bytes (or streams chunks
/// without end) and writes them until the client goes away; returns it and
/// the most bytes of body written on one connection.
fn endless_server(head: &'static str, chunked: bool) -> (RawServer, Arc<AtomicU64>) {
    let most = Arc::new(AtomicU64::new(0));
    let written = Arc::clone(&most);
    let server = RawServer::start_streaming(move |_, stream: &mut TcpStream| {
        let _ = stream.set_write_timeout(Some(Duration::from_secs(5)));
        if stream.write_all(head.as_bytes()).is_err() {
            return;
        }
        let filler = vec![b'x'; 64 * 1024];
        let mut total = 0u64;
        // At most 64 MiB: a client that read everything would get it all.
        for _ in 0..1024 {
            let ok = if chunked {
                stream
                    .write_all(format!("{:x}\r\n", filler.len()).as_bytes())
                    .and_then(|()| stream.write_all(&filler))
                    .and_then(|()| stream.write_all(b"\r\n"))
            } else {
                stream.write_all(&filler)
            };
            if ok.is_err() {
                break;
            }
            total += filler.len() as u64;
        }
        written.fetch_max(total, Ordering::SeqCst);
    });
    (server, most)
}

const SIXTY_FOUR_MIB: u64 = 64 * 1024 * 1024;

#[test]
fn huge_bodies_are_cut_at_the_cap_not_read_to_the_end() {
    let cases: [(&str, &'static str, bool, DeleteIntent); 4] = [
        (
            "Jumio 502, 64 MiB announced",
            "HTTP/1.1 502 Bad Gateway\r\ncontent-type: text/html\r\ncontent-length: 67108864\r\nconnection: close\r\n\r\n",
            false,
            scan("huge"),
        ),
        (
            "HyperVerge 500, endless chunked body",
            "HTTP/1.1 500 Internal Server Error\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n",
            true,
            hyperverge("huge"),
        ),
        (
            "Jumio 200, 64 MiB announced",
            "HTTP/1.1 200 OK\r\ncontent-length: 67108864\r\nconnection: close\r\n\r\n",
            false,
            scan("huge"),
        ),
        (
            "HyperVerge 200, 64 MiB announced",
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 67108864\r\nconnection: close\r\n\r\n",
            false,
            hyperverge("huge"),
        ),
    ];
    for (case, head, chunked, intent) in cases {
        let (server, most) = endless_server(head, chunked);
        let client = client_for(&server);
        let started = Instant::now();
        let result = client.delete(&intent).at_once();
        assert!(started.elapsed() < CASE_BOUND, "{case}: {result:?}");
        let requests = server.seen().len();
        drop(server);
        match (case, &result) {
            (c, _) if c.starts_with("Jumio 200") || c.starts_with("HyperVerge 200") => {
                // 64 KiB of "xxx" is no JSON: unconfirmed, maybe applied.
                check_error(
                    case,
                    &result,
                    requests,
                    expect(ErrorKind::UnexpectedResponse, Some(200), 1, true),
                );
            }
            (c, _) if c.starts_with("Jumio 502") => {
                check_error(
                    case,
                    &result,
                    requests,
                    expect(ErrorKind::Server, Some(502), ATTEMPTS, true),
                );
            }
            _ => {
                check_error(
                    case,
                    &result,
                    requests,
                    expect(ErrorKind::Server, Some(500), ATTEMPTS, true),
                );
            }
        }
        // Wait for the server's writers to notice the closed connections.
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline && most.load(Ordering::SeqCst) == 0 {
            thread::sleep(Duration::from_millis(10));
        }
        let most = most.load(Ordering::SeqCst);
        assert!(
            most < SIXTY_FOUR_MIB / 2,
            "{case}: the server could write {most} bytes: the client read far past its 64 KiB cap"
        );
    }
}

#[test]
fn answers_slower_than_the_timeout_are_timeouts_in_doubt() {
    let timeout = Duration::from_millis(300);
    // (case, what the server does after reading the request)
    type Slow = fn(&mut TcpStream);
    let cases: [(&str, Slow); 3] = [
        ("no answer at all in time", |stream| {
            thread::sleep(Duration::from_millis(1500));
            let _ = stream.write_all(&response("200 OK", &[], b""));
        }),
        ("head in time, body late", |stream| {
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 20\r\nconnection: close\r\n\r\n{\"status\"");
            thread::sleep(Duration::from_millis(1500));
            let _ = stream.write_all(b":\"success\"}");
        }),
        ("body trickling a byte at a time", |stream| {
            let _ = stream.write_all(b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 100\r\nconnection: close\r\n\r\n");
            for _ in 0..100 {
                thread::sleep(Duration::from_millis(50));
                if stream.write_all(b"x").is_err() {
                    return;
                }
            }
        }),
    ];
    for (case, slow) in cases {
        let server = RawServer::start_streaming(move |_, stream: &mut TcpStream| slow(stream));
        let client = builder(&server.base_url())
            .timeout(timeout)
            .retry_policy(fast_policy(2))
            .build()
            .unwrap();
        let started = Instant::now();
        let result = client.delete(&hyperverge("slow")).at_once();
        let elapsed = started.elapsed();
        let requests = server.seen().len();
        check_error(
            case,
            &result,
            requests,
            expect(ErrorKind::Timeout, None, 2, true),
        );
        // Two attempts of one timeout each (a phase may take up to the
        // timeout), a short backoff, and scheduling slack.
        assert!(
            elapsed < timeout * 2 * 3 + Duration::from_millis(500),
            "{case}: took {elapsed:?}"
        );
    }
}

#[test]
fn hyperverge_2xx_that_says_failure_is_not_a_deletion() {
    let intent = hyperverge("says-failure");
    for (body, message) in [
        (
            &br#"{"status":"failure","statusCode":"500","error":"could not delete"}"#[..],
            Some("could not delete"),
        ),
        (br#"{"status":"failure","statusCode":"200"}"#, None),
        (
            br#"{"status":"Success","statusCode":"200","message":"ok"}"#,
            Some("ok"),
        ),
        (
            br#"{"status":"error","statusCode":"200","message":"nope"}"#,
            Some("nope"),
        ),
    ] {
        let case = String::from_utf8_lossy(body).into_owned();
        let (result, requests) = delete_against(&intent, move |_| {
            response("200 OK", &[("content-type", "application/json")], body)
        });
        // The vendor itself says it did not delete: not retried (a retry
        // would most likely get the same answer), not in doubt.
        let error = expect_error(
            &case,
            &result,
            requests,
            expect(ErrorKind::UnexpectedResponse, Some(200), 1, false),
        );
        assert_eq!(error.vendor_message(), message, "{case}");
    }
}

#[test]
fn malformed_json_gets_typed_answers() {
    use ErrorKind::*;
    let intent = hyperverge("malformed");
    let cases: [(&str, &'static [u8], Expect, Option<&str>); 11] = [
        (
            "200 OK",
            br#"{"status":"succ"#,
            expect(UnexpectedResponse, Some(200), 1, true),
            Some(r#"{"status":"succ"#),
        ),
        (
            "200 OK",
            br#"{"status":"success""#,
            expect(UnexpectedResponse, Some(200), 1, true),
            Some(r#"{"status":"success""#),
        ),
        (
            "200 OK",
            b"[]",
            expect(UnexpectedResponse, Some(200), 1, true),
            Some("[]"),
        ),
        (
            "200 OK",
            b"null",
            expect(UnexpectedResponse, Some(200), 1, true),
            Some("null"),
        ),
        (
            "200 OK",
            br#""success""#,
            expect(UnexpectedResponse, Some(200), 1, true),
            Some(r#""success""#),
        ),
        (
            "200 OK",
            br#"{"status":1,"message":"one"}"#,
            expect(UnexpectedResponse, Some(200), 1, true),
            Some("one"),
        ),
        (
            "200 OK",
            b"{\"status\":\"success\xff\xfe\"}",
            expect(UnexpectedResponse, Some(200), 1, true),
            Some("{\"status\":\"success\u{fffd}\u{fffd}\"}"),
        ),
        (
            "422 Unprocessable Entity",
            b"{not json",
            expect(InvalidInput, Some(422), 1, false),
            Some("{not json"),
        ),
        (
            "500 Internal Server Error",
            br#"{"error":"#,
            expect(Server, Some(500), ATTEMPTS, true),
            Some(r#"{"error":"#),
        ),
        (
            "401 Unauthorized",
            br#"{"status":"failure","error":401}"#,
            expect(Unauthorized, Some(401), 1, false),
            None,
        ),
        (
            "403 Forbidden",
            b"{\"message\":\"line one\nline two\x07\"}",
            expect(Forbidden, Some(403), 1, false),
            Some("{\"message\":\"line one line two \"}"),
        ),
    ];
    for (status, body, want, message) in cases {
        let case = format!("{status} {}", String::from_utf8_lossy(body));
        let (result, requests) = delete_against(&intent, move |_| {
            response(status, &[("content-type", "application/json")], body)
        });
        let error = expect_error(&case, &result, requests, want);
        assert_eq!(error.vendor_message(), message, "{case}");
    }

    // A success body with extra or odd fields is still a success.
    let (result, _) = delete_against(&intent, |_| {
        response(
            "200 OK",
            &[("content-type", "application/json")],
            br#"{"status":"success","statusCode":200,"deletedAudits":"not a list","extra":{"a":[1,2]}}"#,
        )
    });
    let deleted = result.expect("the documented success status");
    assert!(deleted.audits.is_empty());
}

#[test]
fn retry_after_garbage_is_ignored_and_the_policy_backs_off() {
    for value in [
        "soon",
        "-1",
        "1.5",
        "",
        "0x10",
        "Tue, 99 Foo 2025 00:00:00 GMT",
    ] {
        for status in ["429 Too Many Requests", "503 Service Unavailable"] {
            let case = format!("{status} Retry-After {value:?}");
            let (result, requests) = delete_against(&scan("garbage"), move |_| {
                response(status, &[("retry-after", value)], b"")
            });
            let (kind, code) = if status.starts_with("429") {
                (ErrorKind::RateLimited, 429)
            } else {
                (ErrorKind::Server, 503)
            };
            let error = expect_error(
                &case,
                &result,
                requests,
                expect(kind, Some(code), ATTEMPTS, false),
            );
            assert_eq!(error.retry_after(), None, "{case}");
        }
    }
}

/// A vendor asking to wait a year, in seconds or as an HTTP-date a year
/// after its `Date`, or a number of seconds too large for any clock: the op
/// does not wait, it ends at once, rate limited, with the delay asked.
#[test]
fn retry_after_of_a_year_ends_the_op_without_waiting() {
    let year = Duration::from_secs(YEAR_SECS);
    let now = std::time::SystemTime::now();
    let date = httpdate::fmt_http_date(now);
    let next_year = httpdate::fmt_http_date(now + year);
    let headers: Vec<(Vec<(&'static str, String)>, Duration)> = vec![
        (vec![("retry-after", YEAR_SECS.to_string())], year),
        (
            vec![("date", date.clone()), ("retry-after", next_year.clone())],
            year,
        ),
        (
            vec![("retry-after", "99999999999999999999999".into())],
            Duration::from_secs(u64::MAX),
        ),
    ];
    for (headers, asked) in headers {
        for status in ["429 Too Many Requests", "503 Service Unavailable"] {
            let case = format!("{status} {headers:?}");
            let sent = headers.clone();
            let (result, requests) = delete_against(&hyperverge("a-year"), move |_| {
                let pairs: Vec<(&str, &str)> = sent.iter().map(|(n, v)| (*n, v.as_str())).collect();
                response(
                    status,
                    &pairs,
                    br#"{"status":"failure","error":"slow down"}"#,
                )
            });
            let (kind, code) = if status.starts_with("429") {
                (ErrorKind::RateLimited, 429)
            } else {
                (ErrorKind::Server, 503)
            };
            let error = expect_error(&case, &result, requests, expect(kind, Some(code), 1, false));
            assert_eq!(error.retry_after(), Some(asked), "{case}");
            assert_eq!(error.vendor_message(), Some("slow down"));
        }
    }

    // An HTTP-date without a `Date` header to measure it from is ignored
    // (no clock is read): the policy's own backoff applies.
    let (result, requests) = delete_against(&hyperverge("a-year"), move |_| {
        response("429 Too Many Requests", &[("retry-after", &next_year)], b"")
    });
    let error = expect_error(
        "a year as a date without Date",
        &result,
        requests,
        expect(ErrorKind::RateLimited, Some(429), ATTEMPTS, false),
    );
    assert_eq!(error.retry_after(), None);
}

/// In a batch, a 429 asking for a year pauses every worker only up to the
/// policy's `max_retry_after`, then the batch goes on.
#[test]
fn retry_after_of_a_year_pauses_a_batch_only_up_to_the_cap() {
    let server = RawServer::start(|n| {
        if n == 0 {
            response(
                "429 Too Many Requests",
                &[("retry-after", &YEAR_SECS.to_string())],
                b"",
            )
        } else {
            response("200 OK", &[], b"")
        }
    });
    let cap = Duration::from_millis(400);
    let client = builder(&server.base_url())
        .retry_policy(RetryPolicy {
            max_retry_after: cap,
            ..fast_policy(ATTEMPTS)
        })
        .build()
        .unwrap();
    let started = Instant::now();
    let report = client
        .delete_many(
            [scan("year-1"), scan("year-2")],
            BatchOptions::default().concurrency(1),
        )
        .unwrap();
    let elapsed = started.elapsed();
    assert_eq!(report.deleted_by_response, 1, "{report:?}");
    assert_eq!(report.failed.get(&ErrorKind::RateLimited), Some(&1));
    let failure = &report.failures[0].error;
    assert_eq!(failure.attempts(), 1);
    assert_eq!(failure.retry_after(), Some(Duration::from_secs(YEAR_SECS)));
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    let gap = seen[1].at - seen[0].at;
    assert!(gap >= cap - Duration::from_millis(50), "paused {gap:?}");
    assert!(elapsed < cap + Duration::from_secs(2), "took {elapsed:?}");
}

#[test]
fn content_length_mismatches_get_typed_answers() {
    use ErrorKind::*;
    // Announcing more than is sent, then closing: the body is truncated,
    // a transport failure after sending (retried, in doubt).
    for intent in [scan("cl"), hyperverge("cl")] {
        let case = format!("{intent}: Content-Length 100, 2 bytes sent");
        let (result, requests) = delete_against(&intent, |_| {
            b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\nconnection: close\r\n\r\nOK".to_vec()
        });
        check_error(&case, &result, requests, expect(Io, None, ATTEMPTS, true));
    }

    // Announcing less than is sent: the extra bytes are not part of the
    // answer.
    let (result, requests) = delete_against(&scan("cl"), |_| {
        b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 3\r\nconnection: close\r\n\r\nabcdef".to_vec()
    });
    let error = expect_error(
        "Jumio 500, Content-Length 3 of 6",
        &result,
        requests,
        expect(Server, Some(500), ATTEMPTS, true),
    );
    assert_eq!(error.vendor_message(), Some("abc"));
    let (result, requests) = delete_against(&hyperverge("cl"), |_| {
        let body = br#"{"status":"success","deletedAudits":["a"]}"#;
        let mut out = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 12\r\nconnection: close\r\n\r\n".to_vec();
        out.extend_from_slice(body);
        out
    });
    check_error(
        "HyperVerge 200, Content-Length cuts the JSON",
        &result,
        requests,
        expect(UnexpectedResponse, Some(200), 1, true),
    );

    // Unusable framing: the answer cannot be read, so nothing is known.
    for (case, head) in [
        (
            "two different Content-Lengths",
            "HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-length: 5\r\nconnection: close\r\n\r\nOKxyz",
        ),
        (
            "a Content-Length that is no number",
            "HTTP/1.1 200 OK\r\ncontent-length: lots\r\nconnection: close\r\n\r\nOK",
        ),
        (
            "a negative Content-Length",
            "HTTP/1.1 200 OK\r\ncontent-length: -1\r\nconnection: close\r\n\r\nOK",
        ),
    ] {
        let (result, requests) = delete_against(&scan("cl"), move |_| head.as_bytes().to_vec());
        check_error(case, &result, requests, expect(Io, None, ATTEMPTS, true));
    }
}

#[test]
fn connections_closed_mid_answer_are_io_errors_in_doubt() {
    for (case, answer) in [
        ("closed before any byte", &b""[..]),
        ("closed mid status line", b"HTTP/1.1 20"),
        ("closed mid headers", b"HTTP/1.1 200 OK\r\nContent-Len"),
        (
            "closed after headers without the blank line",
            b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n",
        ),
        ("no HTTP at all", b"SSH-2.0-OpenSSH_9.6\r\n"),
        (
            "an interim 100 then nothing",
            b"HTTP/1.1 100 Continue\r\n\r\n",
        ),
    ] {
        for intent in [scan("closed"), hyperverge("closed")] {
            let case = format!("{intent}: {case}");
            let (result, requests) = delete_against(&intent, move |_| answer.to_vec());
            check_error(
                &case,
                &result,
                requests,
                expect(ErrorKind::Io, None, ATTEMPTS, true),
            );
        }
    }
}
