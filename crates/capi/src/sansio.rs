//! The sans-IO pair, for callers with their own HTTP client:
//! [`delete_to_request`] and [`delete_parse_response`].

use std::ffi::{c_char, CString};

use idv_delete_blocking::core::parse_response;
use idv_delete_blocking::{DeleteIntent, Target};
use zeroize::Zeroizing;

use crate::client::{delete_client, delete_product};
use crate::ffi::{self, arg, c_string, guard, into_handle, slice_arg, str_arg, Out};
use crate::last_error::detailed;
use crate::outcome::delete_outcome;
use crate::result::delete_result::{self, *};

/// One header of an answer given to `delete_parse_response`: a name and a
/// value, NUL-terminated UTF-8, both required.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct delete_header {
    /// The header name, such as `"Retry-After"` (any case).
    pub name: *const c_char,
    /// The header value, such as `"2"`.
    pub value: *const c_char,
}

/// The exact request that deletes one transaction, to send with your own
/// HTTP client: method, URL, headers and body.
///
/// Header values include the credentials (`Authorization` for Jumio,
/// Onfido, Persona and Stripe, `appid` and `appkey` for HyperVerge,
/// `X-AUTH-CLIENT` and the signature `X-HMAC-SIGNATURE` for Veriff) in
/// clear text, because that is what must be sent: never log them. libdelete wipes its copies when the
/// request is freed. Immutable and thread-safe; strings it hands out live
/// until `delete_request_free`.
pub struct delete_request {
    /// The deletion it belongs to; `None` for a Jumio Platform token
    /// request (`delete_token_state_poll`), which has no deletion outcome.
    intent: Option<DeleteIntent>,
    method: CString,
    url: CString,
    headers: Vec<(CString, Zeroizing<Vec<u8>>)>,
    body: Vec<u8>,
}

/// Builds the request that deletes `reference` of `product` (a
/// `DELETE_PRODUCT_*` constant; Jumio and Onfido references in the
/// client's region)
/// with the client's credentials and endpoint. No I/O: the client is only
/// read. Send it once (retrying is up to you), then give the answer to
/// `delete_parse_response`. Returns `DELETE_RESULT_INVALID_ARGUMENT` for an
/// unknown product, `DELETE_RESULT_INVALID_REFERENCE` for a malformed
/// reference, `DELETE_RESULT_INVALID_CONFIG` without credentials for the
/// vendor; `DELETE_RESULT_INVALID_ARGUMENT` for a Jumio Platform product
/// too (its requests need an access token, which only the client's own
/// deletions buy). Free it with `delete_request_free`.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_to_request(
    client: *const delete_client,
    product: delete_product,
    reference: *const c_char,
    request_out: *mut *mut delete_request,
) -> delete_result {
    guard(|| {
        let client = arg(client)?;
        let reference = str_arg(reference)?;
        let out = Out::new(request_out)?;
        let intent = client.resolve(product, reference)?;
        if let Target::JumioPlatform { .. } = intent.target() {
            return Err(detailed(
                DELETE_RESULT_INVALID_ARGUMENT,
                "delete_to_request: a Jumio Platform request needs an OAuth2 access token, which only the client's own deletions buy: delete it with delete_client_delete; nothing was built",
            ));
        }
        let request = client
            .rust()
            .to_request(&intent)
            .map_err(|e| delete_result::from_kind(e.kind()))?;
        out.write(into_handle(delete_request::new(Some(intent), request)));
        Ok(())
    })
}

impl delete_request {
    /// The C form of `request`, which deletes `intent` (`None`: a token
    /// request).
    pub(crate) fn new(
        intent: Option<DeleteIntent>,
        request: http::Request<Vec<u8>>,
    ) -> delete_request {
        let (parts, body) = request.into_parts();
        let headers = parts
            .headers
            .iter()
            .map(|(name, value)| {
                let mut bytes = Zeroizing::new(Vec::with_capacity(value.len() + 1));
                bytes.extend_from_slice(value.as_bytes());
                bytes.push(0);
                (c_string(name.as_str()), bytes)
            })
            .collect();
        delete_request {
            method: c_string(parts.method.as_str()),
            url: c_string(&parts.uri.to_string()),
            headers,
            body,
            intent,
        }
    }
}

/// The answer a C caller describes: `status`, `headers` and `body`
/// (`DELETE_RESULT_INVALID_ARGUMENT` for a status outside 100-999 or a
/// header HTTP does not allow, naming `call`).
pub(crate) fn response<'a>(
    call: &str,
    status: u16,
    headers: *const delete_header,
    header_count: usize,
    body: *const u8,
    body_length: usize,
) -> ffi::Result<http::Response<&'a [u8]>> {
    let headers = slice_arg(headers, header_count)?;
    let body = slice_arg(body, body_length)?;
    let mut response = http::Response::builder().status(status);
    for (index, header) in headers.iter().enumerate() {
        let (name, value) = (str_arg(header.name)?, str_arg(header.value)?);
        let refused = |what: &str| {
            detailed(
                DELETE_RESULT_INVALID_ARGUMENT,
                format!("{call}: headers[{index}] has a {what} HTTP does not allow"),
            )
        };
        let name = http::HeaderName::from_bytes(name.as_bytes()).map_err(|_| refused("name"))?;
        let value = http::HeaderValue::from_str(value).map_err(|_| refused("value"))?;
        response = response.header(name, value);
    }
    response.body(body).map_err(|_| {
        detailed(
            DELETE_RESULT_INVALID_ARGUMENT,
            format!("{call}: the status {status} is not an HTTP status (100-999)"),
        )
    })
}

/// Frees a request and wipes the credentials in its headers. NULL does
/// nothing.
#[no_mangle]
pub extern "C" fn delete_request_free(request: *mut delete_request) {
    ffi::free(request);
}

/// Writes the HTTP method: `"DELETE"`, or `"POST"` for Stripe's redaction.
/// Owned by the request.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_request_method(
    request: *const delete_request,
    method_out: *mut *const c_char,
) -> delete_result {
    guard(|| {
        let request = arg(request)?;
        Out::new(method_out)?.write(request.method.as_ptr());
        Ok(())
    })
}

/// Writes the full URL, such as
/// `"https://lon.netverify.com/api/netverify/v2/scans/REF"`. Owned by the
/// request.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_request_url(
    request: *const delete_request,
    url_out: *mut *const c_char,
) -> delete_result {
    guard(|| {
        let request = arg(request)?;
        Out::new(url_out)?.write(request.url.as_ptr());
        Ok(())
    })
}

/// Writes the number of headers to send.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_request_header_count(
    request: *const delete_request,
    count_out: *mut usize,
) -> delete_result {
    guard(|| {
        let request = arg(request)?;
        Out::new(count_out)?.write(request.headers.len());
        Ok(())
    })
}

/// Writes header number `index` (below `delete_request_header_count`): its
/// lowercase name and its value. Values may be credentials: never log them.
/// Returns `DELETE_RESULT_INDEX_OUT_OF_RANGE` past the end; nothing is
/// written unless both pointers are valid. Owned by the request.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_request_header(
    request: *const delete_request,
    index: usize,
    name_out: *mut *const c_char,
    value_out: *mut *const c_char,
) -> delete_result {
    guard(|| {
        let request = arg(request)?;
        let (name_out, value_out) = (Out::new(name_out)?, Out::new(value_out)?);
        let (name, value) = request
            .headers
            .get(index)
            .ok_or(DELETE_RESULT_INDEX_OUT_OF_RANGE)?;
        name_out.write(name.as_ptr());
        value_out.write(value.as_ptr().cast());
        Ok(())
    })
}

/// Writes the body: its bytes (not NUL-terminated) and its length.
/// `{"transactionId":"..."}` for HyperVerge, empty for the other vendors.
/// Owned by the request.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_request_body(
    request: *const delete_request,
    body_out: *mut *const u8,
    length_out: *mut usize,
) -> delete_result {
    guard(|| {
        let request = arg(request)?;
        let (body_out, length_out) = (Out::new(body_out)?, Out::new(length_out)?);
        body_out.write(request.body.as_ptr());
        length_out.write(request.body.len());
        Ok(())
    })
}

/// Reads the vendor's answer to `request`: its HTTP `status`, its
/// `header_count` headers (NULL when 0) and its `body_length` body bytes
/// (NULL when 0), into an outcome, exactly as `delete_client_delete` would
/// for one attempt. Every answer gives an outcome: a 404 is
/// `DELETE_RESULT_NOT_FOUND`, a 429 `DELETE_RESULT_RATE_LIMITED` with its
/// `Retry-After`, a HyperVerge 200 counts only if its body says success,
/// and an answer accepting an erasure the vendor completes later is
/// `DELETE_OUTCOME_SCHEDULED` (see `delete_outcome_status`), never deleted.
/// Returns `DELETE_RESULT_INVALID_ARGUMENT` for a status outside 100-999,
/// a header HTTP does not allow, or a token request (from
/// `delete_token_state_poll`). Free the outcome with
/// `delete_outcome_free`.
#[must_use]
#[no_mangle]
pub extern "C" fn delete_parse_response(
    request: *const delete_request,
    status: u16,
    headers: *const delete_header,
    header_count: usize,
    body: *const u8,
    body_length: usize,
    outcome_out: *mut *mut delete_outcome,
) -> delete_result {
    guard(|| {
        const CALL: &str = "delete_parse_response";
        let request = arg(request)?;
        let response = response(CALL, status, headers, header_count, body, body_length)?;
        let out = Out::new(outcome_out)?;
        let Some(intent) = &request.intent else {
            return Err(detailed(
                DELETE_RESULT_INVALID_ARGUMENT,
                format!("{CALL}: this is a token request: give its answer to delete_token_state_handle_response"),
            ));
        };
        let result = parse_response(intent, response);
        out.write(into_handle(delete_outcome::new(result)));
        Ok(())
    })
}
