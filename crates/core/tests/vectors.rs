//! The ten documented delete calls, checked against `tests/vectors/requests.json`
//! (written from the vendors' documentation, independently of this crate).

use std::collections::BTreeMap;

use idv_delete_core::{
    to_request, Credentials, DeleteIntent, Endpoint, HyperVergeCredentials, JumioCredentials,
    JumioProduct, Region,
};
use serde_json::Value;

const VECTORS: &str = include_str!("../../../tests/vectors/requests.json");

#[test]
fn every_documented_call_matches_its_vector() {
    let vectors: Value = serde_json::from_str(VECTORS).unwrap();
    let jumio = &vectors["credentials"]["jumio"];
    let jumio = Credentials::from(
        JumioCredentials::new(
            jumio["api_token"].as_str().unwrap(),
            jumio["api_secret"].as_str().unwrap(),
            jumio["user_agent"].as_str().unwrap(),
        )
        .unwrap(),
    );
    let hyperverge = &vectors["credentials"]["hyperverge"];
    let hyperverge = Credentials::from(
        HyperVergeCredentials::new(
            hyperverge["app_id"].as_str().unwrap(),
            hyperverge["app_key"].as_str().unwrap(),
        )
        .unwrap(),
    );

    let cases = vectors["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 10, "3 Jumio products x 3 regions + HyperVerge");
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let reference = case["reference"].as_str().unwrap();
        let (intent, credentials) = match case["vendor"].as_str().unwrap() {
            "jumio" => {
                let product: JumioProduct = case["product"].as_str().unwrap().parse().unwrap();
                let region: Region = case["region"].as_str().unwrap().parse().unwrap();
                (
                    DeleteIntent::jumio(product, region, reference).unwrap(),
                    &jumio,
                )
            }
            "hyperverge" => (DeleteIntent::hyperverge(reference).unwrap(), &hyperverge),
            other => panic!("{name}: unknown vendor {other}"),
        };
        let request = to_request(&intent, &Endpoint::Documented, credentials).unwrap();
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
        for secret_header in ["authorization", "appid", "appkey"] {
            if let Some(value) = request.headers().get(secret_header) {
                assert!(value.is_sensitive(), "{name}: {secret_header} is sensitive");
            }
        }
    }
}
