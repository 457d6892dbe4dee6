//! The operation vectors (`tests/vectors/operations.json`): multi-step
//! scenarios of one deletion, run through the core's `DeleteOp` and, for
//! the Jumio Platform, its `TokenState`. The Python and C tests run the
//! same file with an interpreter of the same shape, so this one stays
//! small: one function per step, strict about keys, and every failure
//! names its scenario and step.

use std::collections::BTreeSet;
use std::time::Duration;

use idv_delete_core::{
    to_request_with_token, Action, Credentials, DeleteError, DeleteIntent, DeleteOp, Endpoint,
    Erasure, HyperVergeCredentials, JumioCredentials, JumioPlatformCredentials, OnfidoCredentials,
    PersonaCredentials, RetryPolicy, StripeCredentials, Target, TokenAction, TokenState,
    TransportError, Vendor, VeriffCredentials,
};
use serde_json::{Map, Value};

const VECTORS: &str = include_str!("../../../tests/vectors/operations.json");

/// Fewer scenarios than this means some were dropped from the file.
const AT_LEAST: usize = 30;

type Object = Map<String, Value>;
type Outcome = Result<(), String>;

#[test]
fn every_operation_scenario_runs_as_written() {
    let vectors: Value = serde_json::from_str(VECTORS).unwrap();
    let top = vectors.as_object().unwrap();
    only_keys(top, &["_comment", "credentials", "scenarios"]).unwrap();
    let scenarios = top["scenarios"].as_array().unwrap();

    let mut names = BTreeSet::new();
    let mut failures = Vec::new();
    let mut ran = 0;
    for scenario in scenarios {
        let name = scenario["name"].as_str().unwrap_or("(unnamed)").to_owned();
        assert!(names.insert(name.clone()), "two scenarios are named {name}");
        match run(&top["credentials"], scenario) {
            Ok(()) => ran += 1,
            Err(why) => failures.push(format!("scenario {name}: {why}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(ran, scenarios.len(), "every scenario ran");
    assert!(
        ran >= AT_LEAST,
        "only {ran} scenarios; expected at least {AT_LEAST}"
    );
}

/// One scenario: its op, its token state (Jumio Platform) and its clock.
struct Run {
    op: DeleteOp,
    tokens: Option<TokenState>,
    /// What `token: use` compares a token's value with.
    intent: DeleteIntent,
    endpoint: Endpoint,
    credentials: Credentials,
    now: Duration,
}

fn run(all_credentials: &Value, scenario: &Value) -> Outcome {
    let scenario = object(scenario, "the scenario")?;
    only_keys(
        scenario,
        &[
            "name",
            "about",
            "item",
            "base_url",
            "policy",
            "jitter_seed",
            "in_doubt",
            "steps",
        ],
    )?;
    for required in [
        "about",
        "item",
        "base_url",
        "policy",
        "jitter_seed",
        "in_doubt",
        "steps",
    ] {
        if !scenario.contains_key(required) {
            return Err(format!("no {required:?}"));
        }
    }
    let item = object(&scenario["item"], "item")?;
    only_keys(item, &["vendor", "product", "region", "reference"])?;
    let target = Target::parse(
        text(item, "vendor")?,
        text(item, "product")?,
        item["region"].as_str(),
    )
    .map_err(|e| format!("item: {e}"))?;
    let intent = DeleteIntent::new(target, text(item, "reference")?).map_err(|e| e.to_string())?;
    let endpoint = match &scenario["base_url"] {
        Value::Null => Endpoint::Documented,
        url => Endpoint::custom(url.as_str().ok_or("base_url is not a string")?)
            .map_err(|e| e.to_string())?,
    };
    let credentials = credentials(all_credentials, target.vendor())?;
    let policy = policy(object(&scenario["policy"], "policy")?)?;
    let seed = number(scenario, "jitter_seed")?;
    let op = match flag(scenario, "in_doubt")? {
        true => DeleteOp::resume_in_doubt(&intent, &endpoint, &credentials, policy, seed),
        false => DeleteOp::new(&intent, &endpoint, &credentials, policy, seed),
    }
    .map_err(|e| e.to_string())?;
    let tokens = match target {
        Target::JumioPlatform { region, .. } => {
            Some(TokenState::new(&credentials, region, &endpoint).map_err(|e| e.to_string())?)
        }
        _ => None,
    };
    let mut run = Run {
        op,
        tokens,
        intent,
        endpoint,
        credentials,
        now: Duration::ZERO,
    };
    let steps = scenario["steps"].as_array().ok_or("steps is not a list")?;
    let mut done = false;
    for (index, step) in steps.iter().enumerate() {
        let step = object(step, "a step")?;
        done |= step.get("expect").and_then(Value::as_str) == Some("done");
        run.step(step)
            .map_err(|why| format!("step {index}: {why}"))?;
    }
    if !done {
        return Err("no step expects the op to be done".into());
    }
    Ok(())
}

impl Run {
    fn step(&mut self, step: &Object) -> Outcome {
        if let Some(expect) = step.get("expect") {
            return match expect.as_str() {
                Some("send") => self.expect_send(step),
                Some("wait") => self.expect_wait(step),
                Some("authorize") => {
                    only_keys(step, &["expect"])?;
                    match self.op.poll_action() {
                        Action::Authorize => Ok(()),
                        other => Err(format!("expected Authorize, got {other:?}")),
                    }
                }
                Some("done") => self.expect_done(step),
                _ => Err(format!("unknown expect {expect}")),
            };
        }
        if let Some(answer) = step.get("respond") {
            only_keys(step, &["respond"])?;
            self.op.handle_response(response(answer)?);
            if let Some(generation) = self.op.take_rejected_token() {
                self.token_state()?.reject(generation);
            }
            return Ok(());
        }
        if let Some(kind) = step.get("transport_error") {
            only_keys(step, &["transport_error", "sent"])?;
            self.op
                .handle_transport_error(transport(kind)?, flag(step, "sent")?);
            return Ok(());
        }
        if step.contains_key("advance_ms") {
            only_keys(step, &["advance_ms"])?;
            self.now += Duration::from_millis(number(step, "advance_ms")?);
            return Ok(());
        }
        if let Some(answer) = step.get("token_respond") {
            only_keys(step, &["token_respond"])?;
            let now = self.now;
            if let Err(error) = self.token_state()?.handle_response(now, response(answer)?) {
                self.op.token_failed(error);
            }
            return Ok(());
        }
        if let Some(kind) = step.get("token_transport_error") {
            only_keys(step, &["token_transport_error", "sent"])?;
            // A token request changes nothing at the vendor: `sent` is
            // recorded for the other runners' transports, not used here.
            flag(step, "sent")?;
            let error = self.token_state()?.handle_transport_error(transport(kind)?);
            self.op.token_failed(error);
            return Ok(());
        }
        if let Some(token) = step.get("token") {
            return self.token_step(token.as_str().unwrap_or(""), step);
        }
        Err(format!("unknown step {}", Value::Object(step.clone())))
    }

    fn expect_send(&mut self, step: &Object) -> Outcome {
        only_keys(step, &["expect", "method", "url", "headers"])?;
        let Action::Send(request) = self.op.poll_action() else {
            return Err("expected Send".into());
        };
        if let Some(method) = step.get("method") {
            equal("method", request.method().as_str(), method)?;
        }
        if let Some(url) = step.get("url") {
            equal("url", &request.uri().to_string(), url)?;
        }
        if let Some(headers) = step.get("headers") {
            for (name, want) in object(headers, "headers")? {
                let got = request.headers().get(name.as_str()).map(|v| v.to_str());
                match got {
                    Some(Ok(got)) => equal(name, got, want)?,
                    _ => return Err(format!("the request has no readable {name} header")),
                }
            }
        }
        Ok(())
    }

    fn expect_wait(&mut self, step: &Object) -> Outcome {
        let (least, most) = if step.contains_key("ms") {
            only_keys(step, &["expect", "ms"])?;
            let ms = number(step, "ms")?;
            (ms, ms)
        } else {
            only_keys(step, &["expect", "min_ms", "max_ms"])?;
            (number(step, "min_ms")?, number(step, "max_ms")?)
        };
        let Action::Wait(wait) = self.op.poll_action() else {
            return Err("expected Wait".into());
        };
        let (least, most) = (Duration::from_millis(least), Duration::from_millis(most));
        if wait < least || wait > most {
            return Err(format!("waits {wait:?}, not within {least:?}..={most:?}"));
        }
        self.now += wait;
        Ok(())
    }

    fn token_step(&mut self, token: &str, step: &Object) -> Outcome {
        let now = self.now;
        match token {
            "send" => {
                only_keys(step, &["token", "url"])?;
                let TokenAction::Send(request) = self.token_state()?.poll(now) else {
                    return Err("expected the token state to Send".into());
                };
                if let Some(url) = step.get("url") {
                    equal("token url", &request.uri().to_string(), url)?;
                }
            }
            "use" => {
                only_keys(step, &["token", "value"])?;
                let TokenAction::Use(bearer) = self.token_state()?.poll(now) else {
                    return Err("expected the token state to Use a token".into());
                };
                if let Some(value) = step.get("value") {
                    // The value is not readable from a token by design;
                    // the request it authorizes shows it.
                    let request = to_request_with_token(
                        &self.intent,
                        &self.endpoint,
                        &self.credentials,
                        &bearer,
                    )
                    .map_err(|e| e.to_string())?;
                    let got = request.headers()["authorization"].to_str().unwrap_or("");
                    let want = format!("Bearer {}", value.as_str().ok_or("value")?);
                    if got != want {
                        return Err(format!("the token used is not {value}"));
                    }
                }
                self.op.authorize(bearer);
            }
            "refused" => {
                only_keys(step, &["token", "kind"])?;
                let TokenAction::Refused(error) = self.token_state()?.poll(now) else {
                    return Err("expected the token state to refuse".into());
                };
                equal("refusal kind", error.kind().as_str(), &step["kind"])?;
                self.op.token_failed(error);
            }
            other => return Err(format!("unknown token step {other:?}")),
        }
        Ok(())
    }

    fn expect_done(&mut self, step: &Object) -> Outcome {
        let Action::Done(result) = self.op.poll_action() else {
            return Err("expected Done".into());
        };
        let outcome = text(step, "outcome")?;
        let attempts = match &result {
            Ok(erasure) => erasure.attempts(),
            Err(error) => error.attempts(),
        };
        if let Some(want) = step.get("attempts") {
            if want.as_u64() != Some(u64::from(attempts)) {
                return Err(format!("attempts is {attempts}, not {want}"));
            }
        }
        match (outcome, result) {
            ("deleted", Ok(Erasure::Deleted(deleted))) => {
                only_keys(step, &["expect", "outcome", "attempts", "confirmed_by"])?;
                if let Some(by) = step.get("confirmed_by") {
                    equal("confirmed_by", deleted.confirmed_by.as_str(), by)?;
                }
            }
            ("scheduled", Ok(Erasure::Scheduled(scheduled))) => {
                only_keys(
                    step,
                    &["expect", "outcome", "attempts", "within_secs", "until"],
                )?;
                if let Some(within) = step.get("within_secs") {
                    let got = scheduled.within.map(|w| w.as_secs());
                    optional("within_secs", got, within.as_u64(), within)?;
                }
                if let Some(until) = step.get("until") {
                    let want = until.as_str().map(str::to_owned);
                    optional("until", scheduled.until.clone(), want, until)?;
                }
            }
            ("error", Err(error)) => check_error(step, &error)?,
            (_, result) => return Err(format!("expected {outcome}, got {result:?}")),
        }
        Ok(())
    }

    fn token_state(&mut self) -> Result<&mut TokenState, String> {
        self.tokens
            .as_mut()
            .ok_or_else(|| "a token step for an item that uses no token".into())
    }
}

fn check_error(step: &Object, error: &DeleteError) -> Outcome {
    only_keys(
        step,
        &[
            "expect",
            "outcome",
            "attempts",
            "kind",
            "in_doubt",
            "status",
            "retry_after_ms",
        ],
    )?;
    if let Some(kind) = step.get("kind") {
        equal("kind", error.kind().as_str(), kind)?;
    }
    if let Some(in_doubt) = step.get("in_doubt") {
        if Some(error.in_doubt()) != in_doubt.as_bool() {
            return Err(format!("in_doubt is {}, not {in_doubt}", error.in_doubt()));
        }
    }
    if let Some(status) = step.get("status") {
        let got = error.status().map(u64::from);
        optional("status", got, status.as_u64(), status)?;
    }
    if let Some(delay) = step.get("retry_after_ms") {
        let got = error.retry_after().map(|d| d.as_millis() as u64);
        optional("retry_after_ms", got, delay.as_u64(), delay)?;
    }
    Ok(())
}

/// A vendor's answer: `{status, headers, body}`.
fn response(answer: &Value) -> Result<http::Response<Vec<u8>>, String> {
    let answer = object(answer, "an answer")?;
    only_keys(answer, &["status", "headers", "body"])?;
    let mut response = http::Response::builder().status(number(answer, "status")? as u16);
    for (name, value) in object(&answer["headers"], "headers")? {
        response = response.header(name.as_str(), value.as_str().ok_or("a header value")?);
    }
    response
        .body(text(answer, "body")?.as_bytes().to_vec())
        .map_err(|e| e.to_string())
}

fn transport(kind: &Value) -> Result<TransportError, String> {
    Ok(match kind.as_str() {
        Some("timeout") => TransportError::Timeout,
        Some("connect") => TransportError::Connect,
        Some("tls") => TransportError::Tls,
        Some("io") => TransportError::Io,
        _ => return Err(format!("unknown transport error {kind}")),
    })
}

fn policy(policy: &Object) -> Result<RetryPolicy, String> {
    only_keys(
        policy,
        &[
            "max_attempts",
            "base_delay_ms",
            "max_delay_ms",
            "max_retry_after_ms",
        ],
    )?;
    Ok(RetryPolicy {
        max_attempts: number(policy, "max_attempts")? as u32,
        base_delay: Duration::from_millis(number(policy, "base_delay_ms")?),
        max_delay: Duration::from_millis(number(policy, "max_delay_ms")?),
        max_retry_after: Duration::from_millis(number(policy, "max_retry_after_ms")?),
    })
}

/// The credentials of `vendor` from the file's `credentials` object.
fn credentials(all: &Value, vendor: Vendor) -> Result<Credentials, String> {
    let given = object(&all[vendor.as_str()], vendor.as_str())?;
    let field = |key: &str| text(given, key);
    match vendor {
        Vendor::Jumio => JumioCredentials::new(
            field("api_token")?,
            field("api_secret")?,
            field("user_agent")?,
        )
        .map(Credentials::from),
        Vendor::JumioPlatform => JumioPlatformCredentials::new(
            field("client_id")?,
            field("client_secret")?,
            field("user_agent")?,
        )
        .map(Credentials::from),
        Vendor::HyperVerge => {
            HyperVergeCredentials::new(field("app_id")?, field("app_key")?).map(Credentials::from)
        }
        Vendor::Onfido => OnfidoCredentials::new(field("api_token")?).map(Credentials::from),
        Vendor::Persona => PersonaCredentials::new(field("api_key")?).map(Credentials::from),
        Vendor::Stripe => StripeCredentials::new(field("secret_key")?).map(Credentials::from),
        Vendor::Veriff => VeriffCredentials::new(field("api_key")?, field("shared_secret")?)
            .map(Credentials::from),
    }
    .map_err(|e| e.to_string())
}

fn only_keys(object: &Object, allowed: &[&str]) -> Outcome {
    match object.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(key) => Err(format!("unknown key {key:?} (allowed here: {allowed:?})")),
        None => Ok(()),
    }
}

fn object<'a>(value: &'a Value, what: &str) -> Result<&'a Object, String> {
    value
        .as_object()
        .ok_or_else(|| format!("{what} is not an object"))
}

fn text<'a>(object: &'a Object, key: &str) -> Result<&'a str, String> {
    object
        .get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("{key} is missing or not a string"))
}

fn number(object: &Object, key: &str) -> Result<u64, String> {
    object
        .get(key)
        .and_then(Value::as_u64)
        .ok_or_else(|| format!("{key} is missing or not a whole number"))
}

fn flag(object: &Object, key: &str) -> Result<bool, String> {
    object
        .get(key)
        .and_then(Value::as_bool)
        .ok_or_else(|| format!("{key} is missing or not true/false"))
}

fn equal(what: &str, got: &str, want: &Value) -> Outcome {
    match want.as_str() {
        Some(want) if want == got => Ok(()),
        _ => Err(format!("{what} is {got:?}, not {want}")),
    }
}

/// Compares a field that may be absent: `null` in the file means absent.
fn optional<T: PartialEq + std::fmt::Debug>(
    what: &str,
    got: Option<T>,
    want: Option<T>,
    written: &Value,
) -> Outcome {
    if !written.is_null() && want.is_none() {
        return Err(format!(
            "{what} is written as {written}, not a value or null"
        ));
    }
    match got == want {
        true => Ok(()),
        false => Err(format!("{what} is {got:?}, not {written}")),
    }
}
