//! Errors keep their cause: a transport failure's [`DeleteError`] has the
//! HTTP client's error as its `source()`, named once in its message, and
//! never a credential. Also the client's own sans-IO request.

mod common;

use std::error::Error as _;
use std::net::TcpListener;

use common::{builder, emulator, hyperverge, plain_http_server, scan, seed, AtOnce};
use idv_delete_blocking::core::parse_response;
use idv_delete_blocking::{Client, ErrorKind, RetryPolicy};

#[test]
fn a_tls_failure_keeps_its_cause() {
    let addr = plain_http_server();
    let client = builder(&format!("https://{addr}")).build().unwrap();
    let error = client.delete(&scan("tls-cause")).at_once().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Tls, "{error}");
    let source = error.source().expect("the TLS failure's cause").to_string();
    let lowered = source.to_lowercase();
    assert!(
        ["corrupt", "tls", "handshake", "certificate", "invalid"]
            .iter()
            .any(|word| lowered.contains(word)),
        "the cause names the TLS problem: {source}"
    );
    let text = error.to_string();
    assert_eq!(text.matches(&source).count(), 1, "named once: {text}");
    assert_error_holds_no_secret(&text);
}

#[test]
fn a_refused_connection_keeps_its_cause_and_an_answer_has_none() {
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = closed.local_addr().unwrap();
    drop(closed);
    let client = builder(&format!("http://{addr}"))
        .retry_policy(RetryPolicy::no_retries())
        .build()
        .unwrap();
    let error = client.delete(&hyperverge("refused")).at_once().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Connect, "{error}");
    let source = error.source().expect("the connect failure's cause");
    assert!(error.to_string().contains(&source.to_string()), "{error}");
    assert_error_holds_no_secret(&error.to_string());

    let emulator = emulator();
    let client = builder(&emulator.base_url()).build().unwrap();
    let error = client.delete(&scan("never-seeded")).at_once().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::NotFound, "{error}");
    assert!(error.source().is_none(), "an answer is its own cause");
}

/// `Client::to_request` is the request `Client::delete` sends: the
/// emulator accepts it, and the core reads its answer.
#[test]
fn the_clients_request_deletes_when_sent_by_another_client() {
    let emulator = emulator();
    let client = builder(&emulator.base_url()).build().unwrap();
    for intent in [scan("sans-io-jumio"), hyperverge("sans-io-hv")] {
        seed(&emulator, std::slice::from_ref(&intent));
        let request = client.to_request(&intent).expect("a request");
        assert!(request.uri().to_string().starts_with(&emulator.base_url()));
        let (status, body) = send_elsewhere(request);
        let response = http::Response::builder()
            .status(status)
            .body(&body[..])
            .unwrap();
        let deleted = parse_response(&intent, response)
            .at_once()
            .expect("deleted");
        assert_eq!(deleted.attempts, 1);
    }

    let jumio_only = Client::builder()
        .jumio(common::jumio_credentials())
        .build()
        .unwrap();
    let error = jumio_only.to_request(&hyperverge("no-creds")).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidConfig, "{error}");
    assert!(
        error.to_string().contains("no hyperverge credentials"),
        "{error}"
    );
}

/// Sends `request` with an agent of its own, as a binding's user would.
fn send_elsewhere(request: http::Request<Vec<u8>>) -> (u16, Vec<u8>) {
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .new_agent();
    let mut response = agent.run(request).expect("the emulator answers");
    let status = response.status().as_u16();
    let body = response.body_mut().read_to_vec().expect("a body");
    (status, body)
}

fn assert_error_holds_no_secret(text: &str) {
    for secret in [
        idv_delete_emulator::DEFAULT_JUMIO_TOKEN,
        idv_delete_emulator::DEFAULT_JUMIO_SECRET,
        idv_delete_emulator::DEFAULT_HYPERVERGE_APP_KEY,
    ] {
        assert!(!text.contains(secret), "a secret in {text}");
    }
}
