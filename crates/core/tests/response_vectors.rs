//! Vendor answers and what they mean, checked against
//! `tests/vectors/responses.json` (shared with the Python and C tests; its
//! `_comment` says how each case is read).
//!
//! Every case runs twice: through a [`DeleteOp`] with two attempts (fresh,
//! or resumed in doubt when an earlier attempt may have been applied), which
//! gives the outcome and whether it is retried; and through
//! [`parse_response`] alone, which is what the Python and C sans-IO pair
//! expose, so the three languages are held to the same reading.

use std::time::Duration;

use std::collections::BTreeMap;

use idv_delete_core::{
    parse_response, Action, Credentials, DeleteError, DeleteIntent, DeleteOp, Endpoint, Erasure,
    HyperVergeCredentials, JumioCredentials, OnfidoCredentials, PersonaCredentials, RetryPolicy,
    StripeCredentials, Target, Vendor, VeriffCredentials,
};
use serde_json::Value;

const VECTORS: &str = include_str!("../../../tests/vectors/responses.json");

/// The op's view: the result or the error about to be retried, and whether
/// the next action is a retry (with its wait).
struct OpView {
    result: Result<Erasure, DeleteError>,
    retry_wait: Option<Duration>,
}

/// How many response vectors each vendor has: a vector this reader
/// skipped, or one dropped from the file, fails here.
const COUNTS: [(&str, usize); 6] = [
    ("jumio", 42),
    ("hyperverge", 23),
    ("onfido", 15),
    ("persona", 14),
    ("stripe", 14),
    ("veriff", 14),
];

/// The case's intent: its vendor, product and region read as journals
/// are ([`Target::parse`]; HyperVerge's cases name no product).
fn intent_of(name: &str, case: &Value) -> DeleteIntent {
    let target = Target::parse(
        case["vendor"].as_str().unwrap(),
        case["product"].as_str().unwrap_or(""),
        case["region"].as_str(),
    )
    .unwrap_or_else(|e| panic!("{name}: {e}"));
    DeleteIntent::new(target, case["reference"].as_str().unwrap())
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn credentials_for(intent: &DeleteIntent) -> Credentials {
    match intent.vendor() {
        Vendor::Jumio => {
            JumioCredentials::new("token", "secret", "Acme KYC-Cleaner/1.0").map(Credentials::from)
        }
        Vendor::HyperVerge => {
            HyperVergeCredentials::new("app-id", "app-key").map(Credentials::from)
        }
        Vendor::Onfido => OnfidoCredentials::new("onfido-token").map(Credentials::from),
        Vendor::Persona => PersonaCredentials::new("persona-key").map(Credentials::from),
        Vendor::Stripe => StripeCredentials::new("sk_test_key").map(Credentials::from),
        Vendor::Veriff => {
            VeriffCredentials::new("veriff-key", "veriff-secret").map(Credentials::from)
        }
        other => panic!("no response vectors for {other:?}"),
    }
    .unwrap()
}

fn response_of(case: &Value) -> http::Response<Vec<u8>> {
    let mut builder = http::Response::builder().status(case["status"].as_u64().unwrap() as u16);
    for (name, value) in case["headers"].as_object().unwrap() {
        builder = builder.header(name.as_str(), value.as_str().unwrap());
    }
    builder
        .body(case["body"].as_str().unwrap().as_bytes().to_vec())
        .unwrap()
}

fn run_op(name: &str, intent: &DeleteIntent, uncertain: bool, case: &Value) -> OpView {
    let policy = RetryPolicy {
        max_attempts: 2,
        ..RetryPolicy::default()
    };
    let credentials = credentials_for(intent);
    let mut op = if uncertain {
        DeleteOp::resume_in_doubt(intent, &Endpoint::Documented, &credentials, policy, 0)
    } else {
        DeleteOp::new(intent, &Endpoint::Documented, &credentials, policy, 0)
    }
    .unwrap();
    let Action::Send(_) = op.poll_action() else {
        panic!("{name}: a fresh op sends first")
    };
    op.handle_response(response_of(case));
    // The error to be retried is readable until the wait is handed out.
    let pending = op.pending_retry().cloned();
    match (op.poll_action(), pending) {
        (Action::Done(result), None) => OpView {
            result,
            retry_wait: None,
        },
        (Action::Wait(wait), Some(error)) => OpView {
            result: Err(error),
            retry_wait: Some(wait),
        },
        (action, pending) => panic!("{name}: {action:?} with pending retry {pending:?}"),
    }
}

/// Checks `result` against the fields of `expected` (outcome, kind,
/// in_doubt, confirmed_by, audits, vendor_message, retry_after_secs; for a
/// scheduled erasure vendor_status, within_secs and until).
fn check(name: &str, status: u16, result: &Result<Erasure, DeleteError>, expected: &Value) {
    let outcome = expected["outcome"].as_str().unwrap();
    match result {
        Ok(Erasure::Scheduled(scheduled)) => {
            assert_eq!(outcome, "scheduled", "{name}: got {scheduled:?}");
            assert!(!expected["in_doubt"].as_bool().unwrap(), "{name}");
            assert_eq!(scheduled.attempts, 1, "{name}");
            assert!(
                !scheduled.completes.is_empty(),
                "{name}: says what the vendor does"
            );
            assert_eq!(
                scheduled.vendor_status.as_deref(),
                expected["vendor_status"].as_str(),
                "{name}"
            );
            assert_eq!(
                scheduled.within,
                expected["within_secs"].as_u64().map(Duration::from_secs),
                "{name}"
            );
            assert_eq!(
                scheduled.until.as_deref(),
                expected["until"].as_str(),
                "{name}"
            );
            assert_eq!(
                scheduled.vendor_message.as_deref(),
                expected["vendor_message"].as_str(),
                "{name}"
            );
        }
        Ok(Erasure::Deleted(deleted)) => {
            assert_eq!(outcome, "deleted", "{name}: got {deleted:?}");
            assert_eq!(
                deleted.confirmed_by.as_str(),
                expected["confirmed_by"].as_str().unwrap(),
                "{name}"
            );
            assert!(!expected["in_doubt"].as_bool().unwrap(), "{name}");
            assert_eq!(deleted.attempts, 1, "{name}");
            if let Some(audits) = expected.get("audits") {
                let audits: Vec<&str> = audits
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|a| a.as_str().unwrap())
                    .collect();
                assert_eq!(deleted.audits, audits, "{name}");
            }
            assert_eq!(
                deleted.vendor_message.as_deref(),
                expected["vendor_message"].as_str(),
                "{name}"
            );
        }
        Err(error) => {
            assert_eq!(outcome, "error", "{name}: got {error}");
            assert_eq!(
                error.kind().as_str(),
                expected["kind"].as_str().unwrap(),
                "{name}: {error}"
            );
            assert_eq!(
                error.in_doubt(),
                expected["in_doubt"].as_bool().unwrap(),
                "{name}: {error}"
            );
            assert_eq!(error.status(), Some(status), "{name}");
            assert_eq!(error.attempts(), 1, "{name}");
            assert_eq!(
                error.retry_after(),
                expected
                    .get("retry_after_secs")
                    .map(|s| Duration::from_secs(s.as_u64().unwrap())),
                "{name}"
            );
            assert_eq!(
                error.vendor_message(),
                expected["vendor_message"].as_str(),
                "{name}"
            );
        }
    }
}

#[test]
fn every_response_vector_gives_its_expected_outcome() {
    let vectors: Value = serde_json::from_str(VECTORS).unwrap();
    let cases = vectors["cases"].as_array().unwrap();
    let mut counts = BTreeMap::<String, usize>::new();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let status = case["status"].as_u64().unwrap() as u16;
        let uncertain = case["uncertain_before"].as_bool().unwrap();
        let expected = &case["expected"];
        let intent = intent_of(name, case);

        // The op: outcome, and whether it retries.
        let view = run_op(name, &intent, uncertain, case);
        check(name, status, &view.result, expected);
        let retry = expected["retry"].as_bool().unwrap();
        assert_eq!(view.retry_wait.is_some(), retry, "{name}: retry");
        if let (Some(wait), Some(asked)) = (view.retry_wait, expected.get("retry_after_secs")) {
            assert_eq!(wait, Duration::from_secs(asked.as_u64().unwrap()), "{name}");
        }

        // One attempt alone: what the Python and C sans-IO pair see.
        let (parts, body) = response_of(case).into_parts();
        let parsed = parse_response(&intent, http::Response::from_parts(parts, &body[..]));
        let mut one_attempt = expected.clone();
        if let Some(differs) = case.get("one_attempt") {
            let fields = differs.as_object().unwrap();
            let mut same = true;
            for (key, value) in fields {
                same &= expected.get(key) == Some(value);
                one_attempt[key] = value.clone();
            }
            assert!(!same, "{name}: one_attempt repeats expected; drop it");
            if one_attempt["outcome"] == "error" {
                one_attempt.as_object_mut().unwrap().remove("confirmed_by");
            }
        }
        check(name, status, &parsed, &one_attempt);
        *counts
            .entry(intent.vendor().as_str().to_owned())
            .or_default() += 1;
    }
    let want: BTreeMap<String, usize> = COUNTS.iter().map(|(v, n)| (v.to_string(), *n)).collect();
    assert_eq!(counts, want, "response vectors per vendor");
}

/// Retry-After, as the vectors state it, is whole seconds: a sanity check
/// on the file itself so the Python and C readers can rely on it.
#[test]
fn response_vectors_are_well_formed() {
    let vectors: Value = serde_json::from_str(VECTORS).unwrap();
    let mut names = std::collections::BTreeSet::new();
    for case in vectors["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        assert!(names.insert(name), "{name}: a duplicate name");
        let expected = &case["expected"];
        for key in ["outcome", "in_doubt", "retry"] {
            assert!(expected.get(key).is_some(), "{name}: no {key}");
        }
        if expected["outcome"] == "scheduled" {
            // Each is stated, null for none, so a misspelt key cannot pass
            // as "none".
            for key in ["within_secs", "until", "vendor_status", "vendor_message"] {
                assert!(expected.get(key).is_some(), "{name}: no {key}");
            }
            if let Some(within) = expected.get("within_secs").filter(|w| !w.is_null()) {
                assert!(within.is_u64(), "{name}: within_secs in whole seconds");
            }
        }
        if let Some(secs) = expected.get("retry_after_secs") {
            assert!(secs.is_u64(), "{name}: retry_after_secs in whole seconds");
        }
        assert!(
            !case["body"].as_str().unwrap().contains('\0'),
            "{name}: a C reader gets the body as a string"
        );
    }
}
