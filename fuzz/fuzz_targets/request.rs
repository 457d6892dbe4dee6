//! Reference validation and request building: any string through the
//! validating constructors is accepted exactly when the vendor's rules say
//! so, and what is accepted becomes exactly the documented request: the
//! reference is the path's last segment (Jumio) or the body's only value
//! (HyperVerge), there is no query or fragment, no header but the
//! documented ones, and no credential in anything printed.
#![no_main]

use arbitrary::{Result, Unstructured};
use base64::Engine as _;
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use idv_delete_core::{
    jumio_host, to_request, Credentials, DeleteIntent, Endpoint, ErrorKind, HyperVergeCredentials,
    JumioCredentials, Target, HYPERVERGE_HOST, HYPERVERGE_PATH, MAX_HYPERVERGE_ID,
    MAX_JUMIO_REFERENCE,
};
use idv_delete_fuzz::{base_url, credentials, credentials_for, reference, rotate, target};
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Value};

fuzz_target!(|data: &[u8]| {
    let _ = run(&mut Unstructured::new(data));
});

fn valid_reference(target: Target, reference: &str) -> bool {
    match target {
        Target::Jumio { .. } => {
            (1..=MAX_JUMIO_REFERENCE).contains(&reference.len())
                && reference
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        }
        Target::HyperVerge => {
            !reference.is_empty()
                && reference.trim() == reference
                && reference.chars().count() <= MAX_HYPERVERGE_ID
                && !reference.chars().any(char::is_control)
        }
        _ => unreachable!("target() draws only Netverify v2 and HyperVerge targets"),
    }
}

fn run(u: &mut Unstructured<'_>) -> Result<()> {
    let target = target(u)?;
    let reference = reference(u, target)?;
    let built = DeleteIntent::new(target, &reference);
    let by_vendor = match target {
        Target::Jumio { product, region } => DeleteIntent::jumio(product, region, &reference),
        Target::HyperVerge => DeleteIntent::hyperverge(&reference),
        _ => unreachable!("target() draws only Netverify v2 and HyperVerge targets"),
    };
    assert_eq!(built, by_vendor);
    assert_eq!(
        built.is_ok(),
        valid_reference(target, &reference),
        "{target:?} {reference:?}: {built:?}"
    );
    let intent = match built {
        Err(error) => {
            assert_eq!(error.kind(), ErrorKind::InvalidReference);
            assert_eq!((error.status(), error.attempts()), (None, 0));
            let shown = error.to_string();
            assert!(shown.len() <= 1024, "error text of {} bytes", shown.len());
            assert!(!shown.chars().any(char::is_control), "{shown:?}");
            return Ok(());
        }
        Ok(intent) => intent,
    };
    assert_eq!(intent.reference(), reference);
    assert_eq!(intent.target(), target);
    assert!(intent.to_string().len() <= 64 + 6 * 4 * MAX_HYPERVERGE_ID);

    let endpoint = if u.arbitrary()? {
        Endpoint::Documented
    } else {
        Endpoint::custom(&base_url(u)?).unwrap_or_default()
    };

    // Credentials for the other vendor are refused, without showing them.
    if u.ratio(1, 8)? {
        let other = match target {
            Target::Jumio { .. } => Target::HyperVerge,
            Target::HyperVerge => Target::Jumio {
                product: idv_delete_core::JumioProduct::IdVerification,
                region: idv_delete_core::Region::Us,
            },
            _ => unreachable!("target() draws only Netverify v2 and HyperVerge targets"),
        };
        let error = to_request(&intent, &endpoint, &credentials_for(other))
            .expect_err("credentials of the other vendor accepted");
        assert_eq!(error.kind(), ErrorKind::InvalidConfig);
        assert!(!error.to_string().contains("fuzz-"));
        return Ok(());
    }

    let (credentials, secrets, agent) = credentials(u, target)?;
    let request = to_request(&intent, &endpoint, &credentials).expect("a valid request");
    assert_eq!(request.method(), http::Method::DELETE);
    let uri = request.uri();
    assert_eq!(uri.to_string(), endpoint.url_for(&intent));
    assert_eq!(uri.query(), None, "a query in {uri}");
    assert!(!uri.to_string().contains(['#', '?']), "{uri}");
    let (prefix, authority) = match &endpoint {
        Endpoint::Documented => {
            assert_eq!(uri.scheme_str(), Some("https"));
            let host = match target {
                Target::Jumio { product, region } => jumio_host(product, region),
                Target::HyperVerge => HYPERVERGE_HOST,
                _ => unreachable!("target() draws only Netverify v2 and HyperVerge targets"),
            };
            (String::new(), host.to_owned())
        }
        Endpoint::Custom(base) => {
            let base: http::Uri = base.as_str().parse().expect("a base URL is a URI");
            assert_eq!(uri.scheme(), base.scheme());
            (
                base.path().trim_end_matches('/').to_owned(),
                base.authority().expect("a base URL has a host").to_string(),
            )
        }
    };
    assert_eq!(
        uri.authority().map(|a| a.as_str()),
        Some(authority.as_str())
    );
    let path = uri.path();
    let rest = path
        .strip_prefix(prefix.as_str())
        .unwrap_or_else(|| panic!("path {path:?} lost the prefix {prefix:?}"));

    let headers = request.headers();
    let names: Vec<&str> = headers.keys().map(|k| k.as_str()).collect();
    match (target, &credentials) {
        (Target::Jumio { product, .. }, Credentials::Jumio(_)) => {
            let collection = match product.as_str() {
                "scan" => "scans",
                "authentication" => "authentications",
                _ => "documents",
            };
            assert_eq!(
                rest,
                format!("/api/netverify/v2/{collection}/{reference}"),
                "path {path:?}"
            );
            assert_eq!(path.rsplit('/').next(), Some(reference.as_str()));
            assert!(request.body().is_empty());
            assert_eq!(names.len(), 3, "headers {names:?}");
            assert_eq!(headers[ACCEPT], "application/json");
            assert_eq!(headers[USER_AGENT], agent.as_deref().unwrap_or_default());
            let authorization = &headers[AUTHORIZATION];
            assert!(authorization.is_sensitive());
            let encoded = authorization
                .to_str()
                .ok()
                .and_then(|a| a.strip_prefix("Basic "))
                .expect("Basic authorization");
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .expect("base64");
            assert_eq!(decoded, format!("{}:{}", secrets[0], secrets[1]).as_bytes());
        }
        (Target::HyperVerge, Credentials::HyperVerge(_)) => {
            assert_eq!(rest, HYPERVERGE_PATH, "path {path:?}");
            assert_eq!(names.len(), 3, "headers {names:?}");
            assert_eq!(headers[CONTENT_TYPE], "application/json");
            for (name, secret) in ["appid", "appkey"].into_iter().zip(&secrets) {
                assert!(headers[name].is_sensitive());
                assert_eq!(headers[name], secret.as_str());
            }
            // Exactly {"transactionId":"<id>"}: one key, the id round-trips.
            let body: Value = serde_json::from_slice(request.body()).expect("JSON body");
            assert_eq!(body, json!({ "transactionId": reference }));
            assert!(request.body().starts_with(br#"{"transactionId":""#));
        }
        _ => unreachable!("credentials of the intent's vendor"),
    }

    // Nothing printed depends on the secrets' values.
    let rotated: Credentials = match target {
        Target::Jumio { .. } => JumioCredentials::new(
            &rotate(&secrets[0]),
            &rotate(&secrets[1]),
            agent.as_deref().unwrap_or_default(),
        )
        .expect("rotated credentials stay valid")
        .into(),
        Target::HyperVerge => {
            HyperVergeCredentials::new(&rotate(&secrets[0]), &rotate(&secrets[1]))
                .expect("rotated credentials stay valid")
                .into()
        }
        _ => unreachable!("target() draws only Netverify v2 and HyperVerge targets"),
    };
    assert_eq!(format!("{credentials:?}"), format!("{rotated:?}"));
    let other = to_request(&intent, &endpoint, &rotated).expect("a valid request");
    assert_eq!(format!("{request:?}"), format!("{other:?}"));
    Ok(())
}
