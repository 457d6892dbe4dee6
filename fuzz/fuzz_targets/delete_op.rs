//! The `DeleteOp` state machine under any sequence of answers, transport
//! failures and abandoned attempts: it sends the one documented request,
//! never more than `max_attempts` times, never waits longer than the
//! policy allows, retries only what `docs/ARCHITECTURE.md#retries`
//! says, always ends, and
//! reports a 404 as a deletion only after an attempt that may have been
//! applied.
#![no_main]

use std::time::Duration;

use arbitrary::{Result, Unstructured};
use idv_delete_core::{
    to_request, Action, ConfirmedBy, DeleteOp, Endpoint, ErrorKind, RetryPolicy, Target,
    TransportError,
};
use idv_delete_fuzz::{credentials_for, valid_intent};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = run(&mut Unstructured::new(data));
});

const STATUSES: &[u16] = &[
    200, 204, 301, 400, 401, 403, 404, 404, 404, 409, 422, 429, 429, 500, 501, 502, 503, 503, 504,
    599,
];

#[derive(Debug)]
enum Last {
    Nothing,
    Status(u16),
    Transport(TransportError),
}

fn run(u: &mut Unstructured<'_>) -> Result<()> {
    let intent = valid_intent(u)?;
    let credentials = credentials_for(intent.target());
    let base_delay = Duration::from_millis(u.int_in_range(0..=5_000)?);
    let policy = RetryPolicy {
        max_attempts: u.int_in_range(0..=12)?,
        base_delay,
        max_delay: Duration::from_millis(u.int_in_range(0..=60_000)?),
        max_retry_after: Duration::from_secs(u.int_in_range(0..=300)?),
    };
    let resumed: bool = u.arbitrary()?;
    let make = if resumed {
        DeleteOp::resume_in_doubt
    } else {
        DeleteOp::new
    };
    let mut op = match make(
        &intent,
        &Endpoint::Documented,
        &credentials,
        policy,
        u.arbitrary()?,
    ) {
        Ok(op) => op,
        Err(error) => {
            assert!(
                policy.validate().is_err(),
                "a valid policy refused: {error}"
            );
            assert_eq!(error.kind(), ErrorKind::InvalidConfig);
            return Ok(());
        }
    };
    assert!(policy.validate().is_ok());
    let expected_request =
        to_request(&intent, &Endpoint::Documented, &credentials).expect("a request");

    let mut sent = 0u32;
    let mut maybe_applied = resumed;
    let mut last = Last::Nothing;
    // An attempt left without an answer: the next poll reports it itself.
    let mut abandoned = false;
    for _ in 0..=(2 * policy.max_attempts + 2) {
        // The error about to be retried, seen before the wait is handed out.
        let pending = op.pending_retry().cloned();
        if pending.is_some() && u.ratio(1, 8)? {
            // A driver's budget or deadline forbids the retry.
            op.stop_retrying();
            match op.poll_action() {
                Action::Done(Err(error)) => assert_eq!(Some(error), pending),
                other => panic!("stop_retrying then {other:?}"),
            }
            return Ok(());
        }
        let was_abandoned = std::mem::take(&mut abandoned);
        match op.poll_action() {
            Action::Authorize => panic!("a Netverify v2 or HyperVerge op asked for a token"),
            Action::Send(request) => {
                assert!(pending.is_none(), "sent without waiting");
                sent += 1;
                assert!(sent <= policy.max_attempts, "sent past max_attempts");
                assert_eq!(op.attempts(), sent);
                assert_eq!(request.uri(), expected_request.uri());
                assert_eq!(request.body(), expected_request.body());
                assert_eq!(request.headers(), expected_request.headers());
                match u.int_in_range(0..=9)? {
                    0..=5 => {
                        let status = *u.choose(STATUSES)?;
                        let mut response = http::Response::builder().status(status);
                        if u.ratio(1, 3)? {
                            response = response
                                .header("retry-after", u.int_in_range(0u64..=400)?.to_string());
                        }
                        op.handle_response(response.body(Vec::<u8>::new()).unwrap());
                        // A 5xx may follow an applied deletion; so may a
                        // HyperVerge 2xx without its JSON body (ours are empty).
                        let unreadable_2xx =
                            intent.target() == Target::HyperVerge && (200..=299).contains(&status);
                        if matches!(status, 500 | 502 | 504) || unreadable_2xx {
                            maybe_applied = true;
                        }
                        last = Last::Status(status);
                    }
                    6..=8 => {
                        let error = *u.choose(&[
                            TransportError::Timeout,
                            TransportError::Connect,
                            TransportError::Tls,
                            TransportError::Io,
                        ])?;
                        let was_sent = u.arbitrary()?;
                        op.handle_transport_error(error, was_sent);
                        maybe_applied |= was_sent;
                        last = Last::Transport(error);
                    }
                    _ => {
                        // Abandoned: polled again without an answer, which
                        // counts as a broken connection after sending.
                        maybe_applied = true;
                        last = Last::Transport(TransportError::Io);
                        abandoned = true;
                        continue;
                    }
                }
                // A second answer to the same attempt is ignored.
                if u.ratio(1, 8)? {
                    op.handle_response(http::Response::new(Vec::<u8>::new()));
                }
            }
            Action::Wait(wait) => {
                assert!(wait <= policy.longest_wait(), "waits {wait:?}");
                assert_eq!(op.pending_retry(), None, "the wait is handed out once");
                let Some(pending) = pending else {
                    // Only an abandoned attempt goes straight to a wait.
                    assert!(was_abandoned, "a wait without a pending retry");
                    assert!(wait <= policy.max_delay);
                    continue;
                };
                assert!(sent < policy.max_attempts);
                match &last {
                    Last::Status(status) => {
                        assert!(
                            matches!(status, 429 | 500 | 502 | 503 | 504),
                            "retried {status}"
                        );
                        match pending.retry_after() {
                            Some(asked) if *status == 429 || *status == 503 => {
                                assert_eq!(wait, asked);
                                assert!(asked <= policy.max_retry_after);
                            }
                            _ => assert!(wait <= policy.max_delay),
                        }
                    }
                    Last::Transport(error) => {
                        assert_ne!(*error, TransportError::Tls, "retried a TLS failure");
                        assert!(wait <= policy.max_delay);
                    }
                    Last::Nothing => panic!("waits before sending"),
                }
                assert_eq!(pending.in_doubt(), maybe_applied);
            }
            Action::Done(result) => {
                match &result {
                    Ok(erasure) => {
                        let deleted = erasure.deleted().expect("v2 and HyperVerge erase at once");
                        assert_eq!(deleted.attempts, sent);
                        match (deleted.confirmed_by, &last) {
                            (ConfirmedBy::Response, Last::Status(200..=299)) => {}
                            (ConfirmedBy::Absence, Last::Status(404)) => {
                                assert!(maybe_applied, "a 404 reported deleted")
                            }
                            other => panic!("deleted after {other:?}"),
                        }
                    }
                    Err(error) => {
                        assert_eq!(error.attempts(), sent);
                        assert_eq!(error.in_doubt(), maybe_applied);
                        if let Last::Status(404) = last {
                            assert!(!maybe_applied);
                            assert_eq!(error.kind(), ErrorKind::NotFound);
                        }
                        let retryable = match &last {
                            Last::Status(s) => matches!(s, 429 | 500 | 502 | 503 | 504),
                            Last::Transport(e) => *e != TransportError::Tls,
                            Last::Nothing => panic!("ended before sending"),
                        };
                        if retryable && sent < policy.max_attempts {
                            assert!(
                                error
                                    .retry_after()
                                    .is_some_and(|asked| asked > policy.max_retry_after),
                                "gave up on a retryable {last:?}"
                            );
                        }
                    }
                }
                // Done is final.
                match op.poll_action() {
                    Action::Done(again) => assert_eq!(again, result),
                    other => panic!("after Done: {other:?}"),
                }
                return Ok(());
            }
        }
    }
    panic!("the op did not end within its attempts")
}
