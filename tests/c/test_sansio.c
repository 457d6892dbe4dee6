/* The sans-IO pair: delete_to_request and delete_parse_response. Every
 * request of tests/vectors/requests.json, which the harness
 * (crates/capi/tests/c.rs, write_request_vectors) turns into
 * DELETE_TEST_REQUEST_VECTORS: a first line of credentials, then one case
 * a line of tab-separated tokens, strings as "x" and their bytes in hex,
 * "-" for absent:
 *   name product region base_url reference method url header_count
 *   (name value)... body
 * then the errors and answers of the pair. */
#include "support.h"

static int marker;
#define SENTINEL ((void *)&marker)

/* The client of the shared test vectors: documented hosts, EU region. */
static delete_client *vector_client(const char *hyperverge_host) {
    delete_client_builder *builder = NULL;
    delete_client *client = NULL;
    OK(delete_client_builder_new(&builder));
    OK(delete_client_builder_set_jumio(builder, "jumio-vector-token", "jumio-vector-secret",
                                       USER_AGENT, DELETE_REGION_EU));
    OK(delete_client_builder_set_hyperverge(builder, "hv-vector-app-id", "hv-vector-app-key"));
    if (hyperverge_host != NULL) {
        OK(delete_client_builder_set_hyperverge_host(builder, hyperverge_host));
    }
    OK(delete_client_builder_build(builder, &client));
    delete_client_builder_free(builder);
    return client;
}

/* The value of header `name` of the request, which must have it once. */
static const char *header(const delete_request *request, const char *name) {
    size_t count = 0;
    const char *found = NULL;
    OK(delete_request_header_count(request, &count));
    for (size_t i = 0; i < count; i++) {
        const char *n = NULL, *v = NULL;
        OK(delete_request_header(request, i, &n, &v));
        if (strcmp(n, name) == 0) {
            CHECK(found == NULL);
            found = v;
        }
    }
    CHECK(found != NULL);
    return found;
}

/* Decodes "x<hex>" into a new NUL-terminated string, or NULL for "-". */
static char *decode(const char *text) {
    if (strcmp(text, "-") == 0) {
        return NULL;
    }
    CHECK(text[0] == 'x');
    size_t length = strlen(text + 1) / 2;
    char *bytes = malloc(length + 1);
    CHECK(bytes != NULL);
    for (size_t i = 0; i < length; i++) {
        unsigned int byte = 0;
        CHECK(sscanf(text + 1 + 2 * i, "%2x", &byte) == 1);
        CHECK(byte != 0);
        bytes[i] = (char)byte;
    }
    bytes[length] = '\0';
    return bytes;
}

/* The next token of the line strtok is reading, decoded (NULL for "-"). */
static char *next_text(void) {
    const char *token = strtok(NULL, "\t\n");
    CHECK(token != NULL);
    return decode(token);
}

static unsigned long next_number(void) {
    const char *token = strtok(NULL, "\t\n");
    CHECK(token != NULL);
    char *end = NULL;
    unsigned long value = strtoul(token, &end, 10);
    CHECK(end != token && *end == '\0');
    return value;
}

/* The credentials line: every vendor's, in the harness's order. */
enum {
    V_JUMIO_TOKEN,
    V_JUMIO_SECRET,
    V_JUMIO_USER_AGENT,
    V_HV_APP_ID,
    V_HV_APP_KEY,
    V_ONFIDO_TOKEN,
    V_PERSONA_KEY,
    V_STRIPE_KEY,
    V_VERIFF_KEY,
    V_VERIFF_SECRET,
    V_CREDENTIAL_COUNT
};

/* A client of `product`'s vendor with the vector credentials, in `region`
 * (Jumio's or Onfido's; 0 for the others) and at `base_url` (NULL: the
 * documented host; Veriff's own setter for Veriff). */
static delete_client *case_client(char *const *credentials, delete_product product,
                                  delete_region region, const char *base_url) {
    delete_client_builder *builder = NULL;
    delete_client *client = NULL;
    OK(delete_client_builder_new(&builder));
    switch (product) {
    case DELETE_PRODUCT_JUMIO_SCAN:
    case DELETE_PRODUCT_JUMIO_AUTHENTICATION:
    case DELETE_PRODUCT_JUMIO_DOCUMENT:
        OK(delete_client_builder_set_jumio(builder, credentials[V_JUMIO_TOKEN],
                                           credentials[V_JUMIO_SECRET],
                                           credentials[V_JUMIO_USER_AGENT], region));
        break;
    case DELETE_PRODUCT_HYPERVERGE_TRANSACTION:
        OK(delete_client_builder_set_hyperverge(builder, credentials[V_HV_APP_ID],
                                                credentials[V_HV_APP_KEY]));
        break;
    case DELETE_PRODUCT_ONFIDO_APPLICANT:
        OK(delete_client_builder_set_onfido(builder, credentials[V_ONFIDO_TOKEN], region));
        break;
    case DELETE_PRODUCT_PERSONA_INQUIRY:
    case DELETE_PRODUCT_PERSONA_ACCOUNT:
        OK(delete_client_builder_set_persona(builder, credentials[V_PERSONA_KEY]));
        break;
    case DELETE_PRODUCT_STRIPE_VERIFICATION_SESSION:
        OK(delete_client_builder_set_stripe(builder, credentials[V_STRIPE_KEY]));
        break;
    case DELETE_PRODUCT_VERIFF_SESSION:
        OK(delete_client_builder_set_veriff(builder, credentials[V_VERIFF_KEY],
                                            credentials[V_VERIFF_SECRET]));
        break;
    default:
        fprintf(stderr, "no client for product %u\n", (unsigned)product);
        exit(1);
    }
    if (base_url != NULL && product == DELETE_PRODUCT_VERIFF_SESSION) {
        OK(delete_client_builder_set_veriff_base_url(builder, base_url));
    } else if (base_url != NULL) {
        OK(delete_client_builder_set_base_url(builder, base_url));
    }
    OK(delete_client_builder_build(builder, &client));
    delete_client_builder_free(builder);
    return client;
}

/* Runs the case whose name token strtok has just returned. */
static void run_request_case(char *const *credentials, const char *hex_name) {
    char *name = decode(hex_name);
    delete_product product = (delete_product)next_number();
    delete_region region = (delete_region)next_number();
    char *base_url = next_text();
    char *reference = next_text();
    char *want_method = next_text();
    char *want_url = next_text();
    size_t want_headers = next_number();

    delete_client *client = case_client(credentials, product, region, base_url);
    delete_request *request = NULL;
    OK(delete_to_request(client, product, reference, &request));
    const char *text = NULL;
    OK(delete_request_method(request, &text));
    if (strcmp(text, want_method) != 0) {
        fprintf(stderr, "%s: method %s\n", name, text);
        exit(1);
    }
    OK(delete_request_url(request, &text));
    if (strcmp(text, want_url) != 0) {
        fprintf(stderr, "%s: url %s\n", name, text);
        exit(1);
    }
    size_t count = 0;
    OK(delete_request_header_count(request, &count));
    if (count != want_headers) {
        fprintf(stderr, "%s: %zu headers, not %zu\n", name, count, want_headers);
        exit(1);
    }
    /* Each expected header once with its value; with the count equal, the
     * request has no other. */
    for (size_t i = 0; i < want_headers; i++) {
        char *header_name = next_text();
        char *header_value = next_text();
        if (strcmp(header(request, header_name), header_value) != 0) {
            fprintf(stderr, "%s: another %s\n", name, header_name);
            exit(1);
        }
        free(header_name);
        free(header_value);
    }
    char *want_body = next_text();
    const uint8_t *body = NULL;
    size_t length = 0;
    OK(delete_request_body(request, &body, &length));
    CHECK(length == strlen(want_body) && memcmp(body, want_body, length) == 0);

    delete_request_free(request);
    delete_client_free(client);
    free(want_body);
    free(want_url);
    free(want_method);
    free(reference);
    free(base_url);
    free(name);
}

static void test_request_vectors(void) {
    FILE *file = fopen(test_env("DELETE_TEST_REQUEST_VECTORS"), "r");
    CHECK(file != NULL);
    unsigned long expected = strtoul(test_env("DELETE_TEST_REQUEST_VECTOR_COUNT"), NULL, 10);
    static char line[65536];
    char *credentials[V_CREDENTIAL_COUNT];
    CHECK(fgets(line, sizeof line, file) != NULL && strchr(line, '\n') != NULL);
    const char *first = strtok(line, "\t\n");
    CHECK(first != NULL);
    credentials[0] = decode(first);
    for (size_t i = 1; i < V_CREDENTIAL_COUNT; i++) {
        credentials[i] = next_text();
    }
    CHECK(strtok(NULL, "\t\n") == NULL);
    unsigned long count = 0;
    while (fgets(line, sizeof line, file) != NULL) {
        CHECK(strchr(line, '\n') != NULL);
        const char *name = strtok(line, "\t\n");
        CHECK(name != NULL);
        run_request_case(credentials, name);
        CHECK(strtok(NULL, "\t\n") == NULL);
        count++;
    }
    fclose(file);
    for (size_t i = 0; i < V_CREDENTIAL_COUNT; i++) {
        free(credentials[i]);
    }
    CHECK(count == expected && count >= 21);
    printf("%lu request vectors passed\n", count);
}

static void test_jumio_request(void) {
    delete_client *client = vector_client(NULL);
    delete_request *request = NULL;
    const char *text = NULL;
    size_t count = 0, length = 99;
    const uint8_t *body = NULL;

    OK(delete_to_request(client, DELETE_PRODUCT_JUMIO_SCAN, "2b6f4c1e-9d1a-4f7e-8a43-0c7d5e9b1f20",
                         &request));
    OK(delete_request_method(request, &text));
    CHECK(strcmp(text, "DELETE") == 0);
    OK(delete_request_url(request, &text));
    CHECK(strcmp(text,
                 "https://lon.netverify.com/api/netverify/v2/scans/"
                 "2b6f4c1e-9d1a-4f7e-8a43-0c7d5e9b1f20") == 0);
    OK(delete_request_header_count(request, &count));
    CHECK(count == 3);
    CHECK(strcmp(header(request, "accept"), "application/json") == 0);
    CHECK(strcmp(header(request, "authorization"),
                 "Basic anVtaW8tdmVjdG9yLXRva2VuOmp1bWlvLXZlY3Rvci1zZWNyZXQ=") == 0);
    CHECK(strcmp(header(request, "user-agent"), USER_AGENT) == 0);
    OK(delete_request_body(request, &body, &length));
    CHECK(length == 0);
    delete_request_free(request);

    OK(delete_to_request(client, DELETE_PRODUCT_JUMIO_DOCUMENT, "abc", &request));
    OK(delete_request_url(request, &text));
    CHECK(strcmp(text, "https://retrieval.lon.netverify.com/api/netverify/v2/documents/abc") == 0);
    delete_request_free(request);
    OK(delete_to_request(client, DELETE_PRODUCT_JUMIO_AUTHENTICATION, "abc", &request));
    OK(delete_request_url(request, &text));
    CHECK(strcmp(text, "https://lon.netverify.com/api/netverify/v2/authentications/abc") == 0);
    delete_request_free(request);
    delete_client_free(client);
}

static void test_hyperverge_request(void) {
    delete_client *client = vector_client(NULL);
    delete_request *request = NULL;
    const char *text = NULL;
    const uint8_t *body = NULL;
    size_t length = 0;
    static const char expected_body[] = "{\"transactionId\":\"HV-\\\"quoted\\\"\"}";

    OK(delete_to_request(client, DELETE_PRODUCT_HYPERVERGE_TRANSACTION, "HV-\"quoted\"", &request));
    OK(delete_request_url(request, &text));
    CHECK(strcmp(text, "https://review-api.idv.hyperverge.co/api/v2/transaction/id") == 0);
    CHECK(strcmp(header(request, "content-type"), "application/json") == 0);
    CHECK(strcmp(header(request, "appid"), "hv-vector-app-id") == 0);
    CHECK(strcmp(header(request, "appkey"), "hv-vector-app-key") == 0);
    OK(delete_request_body(request, &body, &length));
    CHECK(length == strlen(expected_body));
    CHECK(memcmp(body, expected_body, length) == 0);
    delete_request_free(request);
    delete_client_free(client);

    client = vector_client("ind.idv.hyperverge.co");
    OK(delete_to_request(client, DELETE_PRODUCT_HYPERVERGE_TRANSACTION, "HV-1", &request));
    OK(delete_request_url(request, &text));
    CHECK(strcmp(text, "https://ind.idv.hyperverge.co/api/v2/transaction/id") == 0);
    delete_request_free(request);
    delete_client_free(client);
}

static void test_request_errors(void) {
    delete_client *client = vector_client(NULL);
    delete_request *request = SENTINEL;
    const char *name = SENTINEL, *value = SENTINEL;
    const uint8_t *body = SENTINEL;
    size_t count = 0, length = 0;

    EXPECT(delete_to_request(NULL, DELETE_PRODUCT_JUMIO_SCAN, "abc", &request),
           DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_to_request(client, DELETE_PRODUCT_JUMIO_SCAN, NULL, &request),
           DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_to_request(client, DELETE_PRODUCT_JUMIO_SCAN, "abc", NULL),
           DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_to_request(client, DELETE_PRODUCT_JUMIO_SCAN, NOT_UTF8, &request),
           DELETE_RESULT_INVALID_UTF8);
    EXPECT(delete_to_request(client, 42, "abc", &request), DELETE_RESULT_INVALID_ARGUMENT);
    EXPECT(delete_to_request(client, DELETE_PRODUCT_JUMIO_SCAN, "a/b", &request),
           DELETE_RESULT_INVALID_REFERENCE);
    EXPECT(delete_to_request(client, DELETE_PRODUCT_JUMIO_SCAN, "a?b=c", &request),
           DELETE_RESULT_INVALID_REFERENCE);
    CHECK(request == SENTINEL);

    OK(delete_to_request(client, DELETE_PRODUCT_JUMIO_SCAN, "abc", &request));
    EXPECT(delete_request_method(NULL, &name), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_request_method(request, NULL), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_request_url(NULL, &name), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_request_url(request, NULL), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_request_header_count(NULL, &count), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_request_header_count(request, NULL), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_request_header(NULL, 0, &name, &value), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_request_header(request, 0, NULL, &value), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_request_header(request, 0, &name, NULL), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_request_header(request, 3, &name, &value), DELETE_RESULT_INDEX_OUT_OF_RANGE);
    CHECK(name == SENTINEL && value == SENTINEL);
    EXPECT(delete_request_body(NULL, &body, &length), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_request_body(request, NULL, &length), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_request_body(request, &body, NULL), DELETE_RESULT_NULL_ARGUMENT);
    CHECK(body == SENTINEL);
    delete_request_free(request);
    delete_request_free(NULL);
    delete_client_free(client);

    /* No HyperVerge credentials: no HyperVerge request. */
    delete_client_builder *builder = NULL;
    OK(delete_client_builder_new(&builder));
    OK(delete_client_builder_set_jumio(builder, "t", "s", USER_AGENT, DELETE_REGION_US));
    OK(delete_client_builder_build(builder, &client));
    delete_client_builder_free(builder);
    EXPECT(delete_to_request(client, DELETE_PRODUCT_HYPERVERGE_TRANSACTION, "HV-1", &request),
           DELETE_RESULT_INVALID_CONFIG);
    delete_client_free(client);
}

/* Parses one answer and returns its outcome. */
static delete_outcome *parse(const delete_request *request, uint16_t status,
                             const delete_header *headers, size_t header_count, const char *body) {
    delete_outcome *outcome = NULL;
    OK(delete_parse_response(request, status, headers, header_count, (const uint8_t *)body,
                             body != NULL ? strlen(body) : 0, &outcome));
    return outcome;
}

static void expect_kind(const delete_request *request, uint16_t status, const char *body,
                        delete_result kind) {
    delete_outcome *outcome = parse(request, status, NULL, 0, body);
    uint16_t got = 0;
    uint32_t attempts = 0;
    CHECK(test_error(outcome) == kind);
    if (kind != DELETE_RESULT_OK) {
        OK(delete_outcome_http_status(outcome, &got));
        CHECK(got == status);
    }
    OK(delete_outcome_attempts(outcome, &attempts));
    CHECK(attempts == 1);
    delete_outcome_free(outcome);
}

static void test_parse(void) {
    delete_client *client = vector_client(NULL);
    delete_request *jumio = NULL, *hyperverge = NULL;
    delete_outcome *outcome = NULL;
    const char *text = NULL;
    uint64_t wait = 0;
    size_t audits = 0;

    OK(delete_to_request(client, DELETE_PRODUCT_JUMIO_SCAN, "abc", &jumio));
    OK(delete_to_request(client, DELETE_PRODUCT_HYPERVERGE_TRANSACTION, "HV-1", &hyperverge));

    expect_kind(jumio, 200, NULL, DELETE_RESULT_OK);
    expect_kind(jumio, 404, "Not Found", DELETE_RESULT_NOT_FOUND);
    expect_kind(jumio, 401, NULL, DELETE_RESULT_UNAUTHORIZED);
    expect_kind(jumio, 403, NULL, DELETE_RESULT_FORBIDDEN);
    expect_kind(jumio, 400, NULL, DELETE_RESULT_INVALID_INPUT);
    expect_kind(jumio, 302, NULL, DELETE_RESULT_UNEXPECTED_RESPONSE);
    expect_kind(jumio, 502, NULL, DELETE_RESULT_SERVER);
    expect_kind(hyperverge, 422,
                "{\"status\":\"failure\",\"statusCode\":\"422\",\"error\":\"\\\"transactionId\\\" is required\"}",
                DELETE_RESULT_INVALID_INPUT);
    /* A HyperVerge 200 counts only if its body says success. */
    expect_kind(hyperverge, 200, "{\"status\":\"failure\"}", DELETE_RESULT_UNEXPECTED_RESPONSE);
    expect_kind(hyperverge, 200, "not json", DELETE_RESULT_UNEXPECTED_RESPONSE);

    outcome = parse(hyperverge, 200, NULL, 0,
                    "{\"status\":\"success\",\"statusCode\":\"200\",\"message\":\"Transaction "
                    "deleted successfully\",\"deletedAudits\":[\"audit-1\",\"audit-2\"]}");
    CHECK(test_error(outcome) == DELETE_RESULT_OK);
    OK(delete_outcome_audit_count(outcome, &audits));
    CHECK(audits == 2);
    OK(delete_outcome_audit(outcome, 1, &text));
    CHECK(strcmp(text, "audit-2") == 0);
    OK(delete_outcome_vendor_message(outcome, &text));
    CHECK(strcmp(text, "Transaction deleted successfully") == 0);
    delete_outcome_free(outcome);

    outcome = parse(hyperverge, 422, NULL, 0,
                    "{\"status\":\"failure\",\"statusCode\":\"422\",\"error\":\"\\\"someKey\\\" is "
                    "not allowed\"}");
    OK(delete_outcome_vendor_message(outcome, &text));
    CHECK(strcmp(text, "\"someKey\" is not allowed") == 0);
    delete_outcome_free(outcome);

    delete_header retry[] = {{"Retry-After", "7"}, {"content-type", "text/plain"}};
    outcome = parse(jumio, 429, retry, 2, "slow down");
    CHECK(test_error(outcome) == DELETE_RESULT_RATE_LIMITED);
    OK(delete_outcome_retry_after_ms(outcome, &wait));
    CHECK(wait == 7000);
    OK(delete_outcome_vendor_message(outcome, &text));
    CHECK(strcmp(text, "slow down") == 0);
    delete_outcome_free(outcome);

    /* Invalid answers are errors of the call, not outcomes. */
    outcome = SENTINEL;
    delete_header bad_name[] = {{"bad name", "1"}};
    delete_header bad_value[] = {{"x-test", "a\r\nb"}};
    delete_header not_utf8[] = {{"x-test", NOT_UTF8}};
    delete_header null_name[] = {{NULL, "1"}};
    delete_header null_value[] = {{"x-test", NULL}};
    EXPECT(delete_parse_response(jumio, 42, NULL, 0, NULL, 0, &outcome),
           DELETE_RESULT_INVALID_ARGUMENT);
    EXPECT(delete_parse_response(jumio, 1000, NULL, 0, NULL, 0, &outcome),
           DELETE_RESULT_INVALID_ARGUMENT);
    EXPECT(delete_parse_response(jumio, 200, bad_name, 1, NULL, 0, &outcome),
           DELETE_RESULT_INVALID_ARGUMENT);
    EXPECT(delete_parse_response(jumio, 200, bad_value, 1, NULL, 0, &outcome),
           DELETE_RESULT_INVALID_ARGUMENT);
    EXPECT(delete_parse_response(jumio, 200, not_utf8, 1, NULL, 0, &outcome),
           DELETE_RESULT_INVALID_UTF8);
    EXPECT(delete_parse_response(jumio, 200, null_name, 1, NULL, 0, &outcome),
           DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_parse_response(jumio, 200, null_value, 1, NULL, 0, &outcome),
           DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_parse_response(jumio, 200, NULL, 1, NULL, 0, &outcome),
           DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_parse_response(jumio, 200, NULL, 0, NULL, 5, &outcome),
           DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_parse_response(NULL, 200, NULL, 0, NULL, 0, &outcome),
           DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_parse_response(jumio, 200, NULL, 0, NULL, 0, NULL), DELETE_RESULT_NULL_ARGUMENT);
    CHECK(outcome == SENTINEL);

    delete_request_free(jumio);
    delete_request_free(hyperverge);
    delete_client_free(client);
}

int main(void) {
    test_request_vectors();
    test_jumio_request();
    test_hyperverge_request();
    test_request_errors();
    test_parse();
    printf("test_sansio: ok\n");
    return 0;
}
