//! The documented delete calls of every vendor, checked against
//! `tests/vectors/requests.json` (written from the vendors' documentation,
//! independently of this crate: Veriff's signatures and the idempotency
//! keys were computed with Python's `hmac` and `hashlib`).

use std::collections::BTreeMap;

use idv_delete_core::{
    to_request, Credentials, DeleteIntent, Endpoint, HyperVergeCredentials, JumioCredentials,
    OnfidoCredentials, PersonaCredentials, StripeCredentials, Target, Vendor, VeriffCredentials,
};
use serde_json::Value;

const VECTORS: &str = include_str!("../../../tests/vectors/requests.json");

/// How many request vectors each vendor has: a vector this reader skipped,
/// or one dropped from the file, fails here.
const COUNTS: [(&str, usize); 6] = [
    ("jumio", 9),
    ("hyperverge", 1),
    ("onfido", 4),
    ("persona", 3),
    ("stripe", 2),
    ("veriff", 2),
];

/// Headers that carry a credential or a signature: marked sensitive, so
/// that no `Debug` of a request shows them.
const SECRET_HEADERS: [&str; 5] = [
    "authorization",
    "appid",
    "appkey",
    "x-auth-client",
    "x-hmac-signature",
];

fn text<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} is not a string"))
}

/// The credentials of `vendor` from the file's `credentials` object.
fn credentials(vectors: &Value, vendor: Vendor) -> Credentials {
    let given = &vectors["credentials"][vendor.as_str()];
    match vendor {
        Vendor::Jumio => JumioCredentials::new(
            text(given, "api_token"),
            text(given, "api_secret"),
            text(given, "user_agent"),
        )
        .map(Credentials::from),
        Vendor::HyperVerge => {
            HyperVergeCredentials::new(text(given, "app_id"), text(given, "app_key"))
                .map(Credentials::from)
        }
        Vendor::Onfido => OnfidoCredentials::new(text(given, "api_token")).map(Credentials::from),
        Vendor::Persona => PersonaCredentials::new(text(given, "api_key")).map(Credentials::from),
        Vendor::Stripe => StripeCredentials::new(text(given, "secret_key")).map(Credentials::from),
        Vendor::Veriff => {
            VeriffCredentials::new(text(given, "api_key"), text(given, "shared_secret"))
                .map(Credentials::from)
        }
        other => panic!("no request vectors for {other:?}"),
    }
    .unwrap()
}

#[test]
fn every_documented_call_matches_its_vector() {
    let vectors: Value = serde_json::from_str(VECTORS).unwrap();
    let cases = vectors["cases"].as_array().unwrap();
    let mut counts = BTreeMap::<String, usize>::new();
    for case in cases {
        let name = text(case, "name");
        let target = Target::parse(
            text(case, "vendor"),
            text(case, "product"),
            case["region"].as_str(),
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        let intent = DeleteIntent::new(target, text(case, "reference")).unwrap();
        let endpoint = match case.get("base_url").and_then(Value::as_str) {
            Some(base_url) => Endpoint::custom(base_url).unwrap(),
            None => Endpoint::Documented,
        };
        let credentials = credentials(&vectors, target.vendor());
        let request = to_request(&intent, &endpoint, &credentials).unwrap();
        let expected = &case["request"];

        assert_eq!(
            request.method().as_str(),
            expected["method"],
            "{name}: method"
        );
        assert_eq!(request.uri().to_string(), expected["url"], "{name}: url");
        let headers: BTreeMap<String, String> = request
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap().to_owned()))
            .collect();
        let expected_headers: BTreeMap<String, String> = expected["headers"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
            .collect();
        assert_eq!(headers, expected_headers, "{name}: headers");
        assert_eq!(
            String::from_utf8(request.body().clone()).unwrap(),
            expected["body"],
            "{name}: body"
        );
        for (header, value) in request.headers() {
            assert_eq!(
                value.is_sensitive(),
                SECRET_HEADERS.contains(&header.as_str()),
                "{name}: {header} is sensitive exactly when it carries a secret"
            );
        }
        *counts
            .entry(target.vendor().as_str().to_owned())
            .or_default() += 1;
    }
    let want: BTreeMap<String, usize> = COUNTS.iter().map(|(v, n)| (v.to_string(), *n)).collect();
    assert_eq!(counts, want, "request vectors per vendor");
}
