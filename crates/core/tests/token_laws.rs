//! The Jumio Platform's OAuth2 laws (issue 17), as proptest properties:
//! for any sequence of token answers, delete answers and clock steps, a
//! delete is never sent without a token valid at that moment, no delete is
//! resent more than once because of a 401, token requests are single
//! flight, and neither the client secret nor a token is ever printed.

use std::collections::HashMap;
use std::time::Duration;

use base64::Engine as _;
use idv_delete_core::{
    parse_response, parse_token_response, Action, Credentials, DeleteIntent, DeleteOp, Endpoint,
    ErrorKind, JumioPlatformCredentials, Region, RetryPolicy, TokenAction, TokenState,
    TransportError,
};
use proptest::prelude::*;

const CLIENT_ID: &str = "CANARYclient1d";
const CLIENT_SECRET: &str = "CANARYcl13ntS3cret";
const TOKEN_PREFIX: &str = "CANARYt0ken";

fn credentials() -> Credentials {
    JumioPlatformCredentials::new(CLIENT_ID, CLIENT_SECRET, "Acme KYC-Cleaner/1.0")
        .unwrap()
        .into()
}

fn uuid() -> impl Strategy<Value = String> {
    "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
}

fn platform_intent() -> impl Strategy<Value = DeleteIntent> {
    let region = prop::sample::select(Region::ALL.to_vec());
    prop_oneof![
        (region.clone(), uuid())
            .prop_map(|(r, a)| DeleteIntent::jumio_platform_account(r, &a).unwrap()),
        (region, uuid(), uuid())
            .prop_map(|(r, a, w)| DeleteIntent::jumio_platform_workflow(r, &a, &w).unwrap()),
    ]
}

/// How the token endpoint answers one token request.
#[derive(Clone, Debug)]
enum TokenAnswer {
    /// A token living this many seconds.
    Issued(u64),
    Status(u16),
    /// Not a token: `expires_in` absurd, or no `access_token`.
    Garbage(&'static str),
    Transport(TransportError),
}

fn token_answer() -> impl Strategy<Value = TokenAnswer> {
    prop_oneof![
        6 => (1u64..7200).prop_map(TokenAnswer::Issued),
        2 => prop::sample::select(vec![429u16, 500, 503, 400, 401, 403]).prop_map(TokenAnswer::Status),
        1 => prop::sample::select(vec![
            r#"{"access_token":"x","token_type":"Bearer","expires_in":0}"#,
            r#"{"token_type":"Bearer","expires_in":60}"#,
            r#"{"access_token":"x","token_type":"mac","expires_in":60}"#,
        ]).prop_map(TokenAnswer::Garbage),
        1 => prop::sample::select(vec![TransportError::Timeout, TransportError::Connect, TransportError::Io])
            .prop_map(TokenAnswer::Transport),
    ]
}

/// How the vendor answers one delete, if the token is valid.
#[derive(Clone, Debug)]
enum DeleteAnswer {
    Status(u16),
    /// The token was revoked: 401 whatever its expiry.
    Revoked,
    Transport(TransportError, bool),
}

fn delete_answer() -> impl Strategy<Value = DeleteAnswer> {
    prop_oneof![
        5 => prop::sample::select(vec![200u16, 404, 500, 503, 429, 403]).prop_map(DeleteAnswer::Status),
        2 => Just(DeleteAnswer::Revoked),
        1 => (prop::sample::select(vec![TransportError::Timeout, TransportError::Io]), any::<bool>())
            .prop_map(|(t, sent)| DeleteAnswer::Transport(t, sent)),
    ]
}

/// The vendor's side: the tokens it issued and when each expires, on the
/// same clock as the driver.
#[derive(Default)]
struct Vendor {
    expiry: HashMap<String, Duration>,
    issued: u32,
}

struct World {
    now: Duration,
    vendor: Vendor,
    tokens: TokenState,
    token_answers: Vec<TokenAnswer>,
    delete_answers: Vec<DeleteAnswer>,
    steps: Vec<u64>,
    polls: usize,
    token_requests: usize,
    deletes: usize,
    texts: Vec<String>,
}

impl World {
    /// Advances the clock by the next step (milliseconds, up to minutes).
    fn step(&mut self) {
        let ms = self.steps[self.polls % self.steps.len()];
        self.now += Duration::from_millis(ms);
    }

    /// Answers the token request just handed out, after `latency`; the
    /// vendor issues the token half-way, so its lifetime starts later than
    /// the driver's count of it.
    fn answer_token_request(
        &mut self,
        latency: Duration,
    ) -> Result<(), idv_delete_core::DeleteError> {
        let answer = self.token_answers[self.token_requests % self.token_answers.len()].clone();
        self.token_requests += 1;
        let issued_at = self.now + latency / 2;
        self.now += latency;
        let response = |status: u16, body: String| {
            http::Response::builder()
                .status(status)
                .header("content-type", "application/json")
                .body(body.into_bytes())
                .unwrap()
        };
        match answer {
            TokenAnswer::Issued(lifetime) => {
                self.vendor.issued += 1;
                let token = format!("{TOKEN_PREFIX}{}", self.vendor.issued);
                self.vendor
                    .expiry
                    .insert(token.clone(), issued_at + Duration::from_secs(lifetime));
                self.tokens.handle_response(self.now, response(200, format!(
                    r#"{{"access_token":"{token}","expires_in":{lifetime},"token_type":"Bearer"}}"#
                )))
            }
            TokenAnswer::Status(status) => self.tokens.handle_response(
                self.now,
                response(status, r#"{"error":"invalid_client"}"#.into()),
            ),
            TokenAnswer::Garbage(body) => self
                .tokens
                .handle_response(self.now, response(200, body.into())),
            TokenAnswer::Transport(error) => Err(self.tokens.handle_transport_error(error)),
        }
    }
}

struct Outcome {
    sends: u32,
    /// 401 answers that were followed by another send of the same op.
    resent_after_401: u32,
    result: Result<idv_delete_core::Erasure, idv_delete_core::DeleteError>,
}

/// Drives one op against the world; fails the property on a delete sent
/// without a token the vendor accepts at that moment.
fn drive(world: &mut World, mut op: DeleteOp) -> Result<Outcome, TestCaseError> {
    let mut sends = 0;
    let mut resent_after_401 = 0;
    let mut last_was_401 = false;
    // The driver's contract: no time passes between authorize and the send.
    let mut just_authorized = false;
    for _ in 0..500 {
        world.polls += 1;
        if !std::mem::take(&mut just_authorized) {
            world.step();
        }
        match op.poll_action() {
            Action::Authorize => {
                // Get a token, sending for one as often as the state asks.
                loop {
                    match world.tokens.poll(world.now) {
                        TokenAction::Use(token) => {
                            world.texts.push(format!("{token:?}"));
                            op.authorize(token);
                            just_authorized = true;
                            break;
                        }
                        TokenAction::Send(request) => {
                            prop_assert_eq!(request.method(), http::Method::POST);
                            prop_assert_eq!(
                                request.body().as_slice(),
                                b"grant_type=client_credentials"
                            );
                            let latency = Duration::from_millis(
                                world.steps[world.token_requests % world.steps.len()] % 3000,
                            );
                            if let Err(error) = world.answer_token_request(latency) {
                                world.texts.push(format!("{error} {error:?}"));
                                op.token_failed(error);
                                break;
                            }
                        }
                        TokenAction::AwaitFetch => {
                            return Err(TestCaseError::fail(
                                "a single driver found a fetch in flight",
                            ));
                        }
                        TokenAction::Refused(error) => {
                            world.texts.push(format!("{error} {error:?}"));
                            op.token_failed(error);
                            break;
                        }
                    }
                }
            }
            Action::Send(request) => {
                if last_was_401 {
                    resent_after_401 += 1;
                }
                sends += 1;
                let bearer = request
                    .headers()
                    .get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.strip_prefix("Bearer "))
                    .map(str::to_owned);
                let Some(token) = bearer else {
                    return Err(TestCaseError::fail(
                        "a delete was sent without a bearer token",
                    ));
                };
                let expiry = world.vendor.expiry.get(&token).copied();
                prop_assert!(
                    expiry.is_some_and(|e| world.now < e),
                    "delete sent at {:?} with a token expiring at {:?}",
                    world.now,
                    expiry
                );
                let answer =
                    world.delete_answers[world.deletes % world.delete_answers.len()].clone();
                world.deletes += 1;
                last_was_401 = false;
                match answer {
                    DeleteAnswer::Status(status) => op.handle_response(
                        http::Response::builder()
                            .status(status)
                            .body(Vec::new())
                            .unwrap(),
                    ),
                    DeleteAnswer::Revoked => {
                        world.vendor.expiry.remove(&token);
                        last_was_401 = true;
                        op.handle_response(
                            http::Response::builder()
                                .status(401)
                                .body(Vec::new())
                                .unwrap(),
                        );
                    }
                    DeleteAnswer::Transport(error, sent) => op.handle_transport_error(error, sent),
                }
                if let Some(generation) = op.take_rejected_token() {
                    world.tokens.reject(generation);
                }
            }
            Action::Wait(wait) => world.now += wait,
            Action::Done(result) => {
                return Ok(Outcome {
                    sends,
                    resent_after_401,
                    result,
                })
            }
        }
    }
    Err(TestCaseError::fail("the op did not end within 500 polls"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Laws: a delete goes out only with a token the vendor accepts at that
    /// moment; a 401 causes at most one resend per op; an op never sends
    /// more than max_attempts deletes and always ends; once the token
    /// endpoint refuses the credentials, no delete and no token request
    /// follows; no text shows the client id, the secret or a token.
    #[test]
    fn deletes_carry_valid_tokens_and_401_resends_once(
        intents in prop::collection::vec(platform_intent(), 1..6),
        token_answers in prop::collection::vec(token_answer(), 1..8),
        delete_answers in prop::collection::vec(delete_answer(), 1..10),
        steps in prop::collection::vec(prop_oneof![0u64..50, 0u64..5_000, 0u64..4_000_000], 1..10),
        max_attempts in 1u32..6,
        start in 0u64..1_000_000,
    ) {
        let region = intents[0].target().region().unwrap();
        let mut world = World {
            now: Duration::from_millis(start),
            vendor: Vendor::default(),
            tokens: TokenState::new(&credentials(), region, &Endpoint::Documented).unwrap(),
            token_answers, delete_answers, steps,
            polls: 0, token_requests: 0, deletes: 0, texts: Vec::new(),
        };
        let policy = RetryPolicy { max_attempts, ..RetryPolicy::default() };
        let mut refused_at = None;
        for (n, intent) in intents.iter().enumerate() {
            let op = DeleteOp::new(intent, &Endpoint::Documented, &credentials(), policy, n as u64).unwrap();
            let (deletes, token_requests) = (world.deletes, world.token_requests);
            let outcome = drive(&mut world, op)?;
            prop_assert!(outcome.resent_after_401 <= 1);
            prop_assert!(outcome.sends <= max_attempts);
            if refused_at.is_some() {
                prop_assert_eq!((world.deletes, world.token_requests), (deletes, token_requests));
            }
            match &outcome.result {
                Ok(erasure) => {
                    prop_assert!(erasure.deleted().is_some(), "the Jumio Platform erases at once");
                    prop_assert_eq!(erasure.attempts(), outcome.sends);
                    world.texts.push(format!("{erasure:?}"));
                }
                Err(error) => {
                    prop_assert_eq!(error.attempts(), outcome.sends);
                    if error.attempts() == 0 && matches!(error.kind(), ErrorKind::Unauthorized | ErrorKind::UnexpectedResponse) {
                        refused_at = Some(n);
                    }
                    world.texts.push(format!("{error} {error:?}"));
                }
            }
        }
        prop_assert_eq!(world.tokens.token_requests() as usize, world.token_requests);
        world.texts.push(format!("{:?} {:?}", world.tokens, credentials()));
        let basic = base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"));
        for text in &world.texts {
            for secret in [CLIENT_ID, CLIENT_SECRET, TOKEN_PREFIX, basic.as_str()] {
                prop_assert!(!text.contains(secret), "{} leaks in {}", secret, text);
            }
        }
    }

    /// Law: parse_response is total for Jumio Platform intents too, and a
    /// 2xx is a deletion only with an empty or JSON body.
    #[test]
    fn platform_answers_are_typed(intent in platform_intent(), status in 100u16..600, body in prop_oneof![Just(Vec::new()), Just(b"{}".to_vec()), prop::collection::vec(any::<u8>(), 0..64)]) {
        let json = body.iter().all(u8::is_ascii_whitespace) || serde_json::from_slice::<serde_json::Value>(&body).is_ok();
        let result = parse_response(&intent, http::Response::builder().status(status).body(&body[..]).unwrap());
        match result {
            Ok(_) => prop_assert!((200..300).contains(&status) && json),
            Err(error) => prop_assert!(!(200..300).contains(&status) || !json || error.kind() == ErrorKind::UnexpectedResponse),
        }
    }

    /// Law: a token answer is a token only when it is one; the error never
    /// quotes the body, which may hold a token.
    #[test]
    fn token_answers_never_leak(status in prop::sample::select(vec![200u16, 201, 400, 401, 403, 429, 500, 503, 302]), lifetime in prop_oneof![Just(-1i64), 0i64..100_000], kind in prop::sample::select(vec!["Bearer", "bearer", "mac", ""])) {
        let body = format!(r#"{{"access_token":"{TOKEN_PREFIX}x","expires_in":{lifetime},"token_type":"{kind}"}}"#);
        let result = parse_token_response(http::Response::builder().status(status).body(body.as_bytes()).unwrap());
        let valid = (200..300).contains(&status) && (1..=86_400).contains(&lifetime) && kind.eq_ignore_ascii_case("bearer");
        match result {
            Ok((secret, l)) => {
                prop_assert!(valid);
                prop_assert_eq!(l, Duration::from_secs(lifetime as u64));
                let text = format!("{secret:?} {secret}");
                prop_assert_eq!(text, "[redacted] [redacted]");
            }
            Err(error) => {
                prop_assert!(!valid);
                let text = format!("{error} {error:?}");
                prop_assert!(!text.contains(TOKEN_PREFIX), "{}", text);
                prop_assert!(!error.in_doubt());
            }
        }
    }
}

#[test]
fn single_flight_and_one_refresh_for_many_rejections() {
    let mut tokens = TokenState::new(&credentials(), Region::Eu, &Endpoint::Documented).unwrap();
    let now = Duration::from_secs(10);
    let request = match tokens.poll(now) {
        TokenAction::Send(request) => request,
        other => panic!("expected a token request, got {other:?}"),
    };
    assert_eq!(request.uri(), "https://auth.emea-1.jumio.ai/oauth2/token");
    // A second caller while the first request is out waits for it.
    assert!(matches!(tokens.poll(now), TokenAction::AwaitFetch));
    let answer = |token: &str| {
        http::Response::builder()
            .status(200)
            .body(
                format!(r#"{{"access_token":"{token}","expires_in":3600,"token_type":"Bearer"}}"#)
                    .into_bytes(),
            )
            .unwrap()
    };
    tokens.handle_response(now, answer("first")).unwrap();
    let first = match tokens.poll(now) {
        TokenAction::Use(token) => token,
        other => panic!("expected the token, got {other:?}"),
    };
    assert_eq!(first.expires_at(), now + Duration::from_secs(3600));
    // Used until 5 minutes before expiry, then bought again.
    assert!(matches!(
        tokens.poll(now + Duration::from_secs(3299)),
        TokenAction::Use(_)
    ));
    assert!(matches!(
        tokens.poll(now + Duration::from_secs(3300)),
        TokenAction::Send(_)
    ));
    tokens
        .handle_response(now + Duration::from_secs(3300), answer("second"))
        .unwrap();
    let second = match tokens.poll(now + Duration::from_secs(3300)) {
        TokenAction::Use(token) => token,
        other => panic!("expected the token, got {other:?}"),
    };
    assert_eq!(second.generation(), first.generation() + 1);
    // Ten deletions rejected with the old token cost nothing; one rejected
    // with the current one costs one request.
    for _ in 0..10 {
        tokens.reject(first.generation());
    }
    assert!(matches!(
        tokens.poll(now + Duration::from_secs(3301)),
        TokenAction::Use(_)
    ));
    tokens.reject(second.generation());
    tokens.reject(second.generation());
    assert!(matches!(
        tokens.poll(now + Duration::from_secs(3301)),
        TokenAction::Send(_)
    ));
    assert!(matches!(
        tokens.poll(now + Duration::from_secs(3301)),
        TokenAction::AwaitFetch
    ));
    assert_eq!(tokens.token_requests(), 3);
}

#[test]
fn refused_credentials_refuse_every_later_poll_without_a_request() {
    let mut tokens = TokenState::new(&credentials(), Region::Us, &Endpoint::Documented).unwrap();
    assert!(matches!(tokens.poll(Duration::ZERO), TokenAction::Send(_)));
    let error = tokens
        .handle_response(
            Duration::ZERO,
            http::Response::builder()
                .status(401)
                .body(br#"{"error":"invalid_client"}"#.as_slice())
                .unwrap(),
        )
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Unauthorized);
    assert!(error.detail().contains("JUMIO_CLIENT_ID"), "{error}");
    assert_eq!(error.vendor_message(), Some("invalid_client"));
    for _ in 0..3 {
        assert!(
            matches!(tokens.poll(Duration::from_secs(1)), TokenAction::Refused(e) if e == error)
        );
    }
    assert_eq!(tokens.token_requests(), 1);
}

#[test]
fn a_custom_base_url_takes_the_token_request_too() {
    let endpoint = Endpoint::custom("http://127.0.0.1:9/prefix/").unwrap();
    let intent = DeleteIntent::jumio_platform_workflow(
        Region::Sgp,
        "2b6f4c1e-9d1a-4f7e-8a43-0c7d5e9b1f20",
        "7d9e0a4b-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
    )
    .unwrap();
    assert_eq!(
        intent.reference(),
        "2b6f4c1e-9d1a-4f7e-8a43-0c7d5e9b1f20/7d9e0a4b-1c2d-4e5f-8a9b-0c1d2e3f4a5b"
    );
    assert_eq!(
        endpoint.url_for(&intent),
        "http://127.0.0.1:9/prefix/api/v1/accounts/2b6f4c1e-9d1a-4f7e-8a43-0c7d5e9b1f20/workflow-executions/7d9e0a4b-1c2d-4e5f-8a9b-0c1d2e3f4a5b"
    );
    assert_eq!(Endpoint::Documented.url_for(&intent), "https://retrieval.apac-1.jumio.ai/api/v1/accounts/2b6f4c1e-9d1a-4f7e-8a43-0c7d5e9b1f20/workflow-executions/7d9e0a4b-1c2d-4e5f-8a9b-0c1d2e3f4a5b");
    assert_eq!(
        endpoint.token_url(Region::Sgp),
        "http://127.0.0.1:9/prefix/oauth2/token"
    );
}

#[test]
fn platform_ids_are_uuids_and_nothing_else() {
    use idv_delete_core::{PlatformResource, Target};
    let good = "2b6f4c1e-9d1a-4f7e-8a43-0c7d5e9b1f20";
    for bad in [
        "",
        "2b6f4c1e9d1a4f7e8a430c7d5e9b1f20",
        "2b6f4c1e-9d1a-4f7e-8a43-0c7d5e9b1f2",
        "2b6f4c1e-9d1a-4f7e-8a43-0c7d5e9b1f20/../x",
        "2b6f4c1e-9d1a-4f7e-8a43-0c7d5e9b1f20?force=1",
        "2b6f4c1e-9d1a-4f7e-8a43-0c7d5e9b1f2g",
        " 2b6f4c1e-9d1a-4f7e-8a43-0c7d5e9b1f20",
        "../../accounts",
    ] {
        let error = DeleteIntent::jumio_platform_account(Region::Us, bad).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidReference, "{bad:?}");
        assert!(error.detail().contains("UUID"), "{error}");
        let error = DeleteIntent::jumio_platform_workflow(Region::Us, good, bad).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidReference, "{bad:?}");
    }
    let workflow = Target::parse("jumio-platform", "workflow", Some("eu")).unwrap();
    assert_eq!(
        workflow,
        Target::JumioPlatform {
            resource: PlatformResource::Workflow,
            region: Region::Eu
        }
    );
    let missing = DeleteIntent::new(workflow, good).unwrap_err();
    assert!(
        missing.detail().contains("ACCOUNT_ID/WORKFLOW_ID"),
        "{missing}"
    );
    let three = DeleteIntent::new(workflow, &format!("{good}/{good}/{good}")).unwrap_err();
    assert_eq!(three.kind(), ErrorKind::InvalidReference);
    let intent = DeleteIntent::new(workflow, &format!("{good}/{good}")).unwrap();
    assert_eq!(
        intent.to_string(),
        format!("jumio-platform/workflow/eu/{good}/{good}")
    );
    for (vendor, product, region) in [
        ("jumio-platform", "account", None),
        ("jumio-platform", "scan", Some("us")),
        ("jumio", "account", Some("us")),
        ("hyperverge", "transaction", Some("us")),
        ("sumsub", "applicant", Some("eu")),
    ] {
        let error = Target::parse(vendor, product, region).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidConfig, "{vendor}/{product}");
    }
    assert_eq!(
        Target::parse("HyperVerge", "", None).unwrap(),
        Target::HyperVerge
    );
}
