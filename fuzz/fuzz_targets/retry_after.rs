//! The `Retry-After` parser: delay-seconds or an HTTP-date relative to the
//! response's own `Date`, anything else ignored; and a 429 carrying it is
//! honoured up to the policy's cap, never past it.
#![no_main]

use std::time::{Duration, UNIX_EPOCH};

use arbitrary::{Result, Unstructured};
use http::header::{HeaderValue, DATE, RETRY_AFTER};
use http::HeaderMap;
use idv_delete_core::{
    retry_after, Action, DeleteOp, Endpoint, ErrorKind, RetryPolicy, MAX_ATTEMPTS_LIMIT,
};
use idv_delete_fuzz::{credentials_for, valid_intent};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = run(&mut Unstructured::new(data));
});

const PADDING: &[&str] = &["", " ", "\t", "  ", " \t "];

/// Seconds since the epoch, up to the end of the year 9999 (the range
/// `httpdate` can format).
fn epoch_seconds(u: &mut Unstructured<'_>) -> Result<u64> {
    u.int_in_range(0u64..=253_402_300_799)
}

fn value(u: &mut Unstructured<'_>) -> Result<Vec<u8>> {
    let text = match u.int_in_range(0..=7)? {
        0 => u.arbitrary::<u64>()?.to_string(),
        1 => {
            // Long digit strings: past u64.
            let digits: Vec<u8> = u.arbitrary()?;
            digits.iter().map(|d| char::from(b'0' + d % 10)).collect()
        }
        2 | 3 => httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(epoch_seconds(u)?)),
        4 => {
            // RFC 850 and asctime forms, and near misses.
            let date = httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(epoch_seconds(u)?));
            let parts: Vec<&str> = date.split(' ').collect();
            match u.int_in_range(0..=2)? {
                0 => format!(
                    "{}day, {}-{}-{} {} GMT",
                    parts[0].trim_end_matches(','),
                    parts[1],
                    parts[2],
                    &parts[3][parts[3].len().saturating_sub(2)..],
                    parts[4]
                ),
                1 => format!(
                    "{} {} {:>2} {} {}",
                    parts[0].trim_end_matches(','),
                    parts[2],
                    parts[1].trim_start_matches('0'),
                    parts[4],
                    parts[3]
                ),
                _ => date.to_lowercase(),
            }
        }
        5 => format!("-{}", u.arbitrary::<u32>()?),
        6 => u.arbitrary::<String>()?,
        _ => return u.arbitrary(),
    };
    let before = u.choose(PADDING)?;
    let after = u.choose(PADDING)?;
    Ok(format!("{before}{text}{after}").into_bytes())
}

/// What `Retry-After` should mean, written from RFC 9110 §10.2.3 and the
/// design (a date counts from the response's `Date`, never from a clock).
fn expected(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?;
    // Visible ASCII, spaces and tabs only.
    let text = std::str::from_utf8(value.as_bytes()).ok()?;
    if !text
        .bytes()
        .all(|b| b == b'\t' || (b' '..=b'~').contains(&b))
    {
        return None;
    }
    let text = text.trim_matches(|c| c == ' ' || c == '\t');
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        // Saturating: a huge number is a long wait, not garbage.
        let seconds = text
            .bytes()
            .try_fold(0u64, |n, d| {
                n.checked_mul(10)?.checked_add(u64::from(d - b'0'))
            })
            .unwrap_or(u64::MAX);
        return Some(Duration::from_secs(seconds));
    }
    let until = httpdate::parse_http_date(text).ok()?;
    let date = std::str::from_utf8(headers.get(DATE)?.as_bytes()).ok()?;
    if !date
        .bytes()
        .all(|b| b == b'\t' || (b' '..=b'~').contains(&b))
    {
        return None;
    }
    let now = httpdate::parse_http_date(date.trim_matches(|c| c == ' ' || c == '\t')).ok()?;
    Some(until.duration_since(now).unwrap_or_default())
}

fn run(u: &mut Unstructured<'_>) -> Result<()> {
    let mut headers = HeaderMap::new();
    for _ in 0..u.int_in_range(0..=2)? {
        if let Ok(v) = HeaderValue::from_bytes(&value(u)?) {
            headers.append(RETRY_AFTER, v);
        }
    }
    for _ in 0..u.int_in_range(0..=2)? {
        let v = match u.int_in_range(0..=3)? {
            0 => value(u)?,
            _ => httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(epoch_seconds(u)?))
                .into_bytes(),
        };
        if let Ok(v) = HeaderValue::from_bytes(&v) {
            headers.append(DATE, v);
        }
    }
    let got = retry_after(&headers);
    assert_eq!(got, expected(&headers), "Retry-After of {headers:?}");

    // A 429 with it: the op waits exactly that long when it is within the
    // cap, ends rate-limited (carrying the delay) when it is not, and
    // backs off by its own policy when there is none.
    let intent = valid_intent(u)?;
    let policy = RetryPolicy {
        max_attempts: u.int_in_range(1..=MAX_ATTEMPTS_LIMIT)?,
        max_retry_after: Duration::from_secs(u.int_in_range(0..=600)?),
        ..RetryPolicy::default()
    };
    let mut op = DeleteOp::new(
        &intent,
        &Endpoint::Documented,
        &credentials_for(intent.target()),
        policy,
        u.arbitrary()?,
    )
    .expect("valid op");
    let Action::Send(_) = op.poll_action() else {
        panic!("a fresh op does not send first")
    };
    let mut response = http::Response::builder()
        .status(429)
        .body(Vec::<u8>::new())
        .expect("valid parts");
    *response.headers_mut() = headers;
    op.handle_response(response);
    match op.poll_action() {
        Action::Wait(wait) => {
            assert!(policy.max_attempts > 1, "retried past max_attempts");
            assert!(wait <= policy.longest_wait());
            match got {
                Some(asked) => assert_eq!(wait, asked),
                None => assert!(wait <= policy.base_delay),
            }
        }
        Action::Done(Err(error)) => {
            assert_eq!(error.kind(), ErrorKind::RateLimited);
            assert_eq!(error.retry_after(), got);
            assert!(
                policy.max_attempts == 1 || got.is_some_and(|asked| asked > policy.max_retry_after)
            );
            // The error text stays readable whatever the delay.
            let _ = error.to_string();
        }
        other => panic!("a 429 gave {other:?}"),
    }
    Ok(())
}
