/* The client, its builder and outcomes: every function, success and error
 * paths, every error kind the emulator can produce. */
#include "support.h"

static int marker;
#define SENTINEL ((void *)&marker)

static void test_version(void) {
    char expected[64];
    snprintf(expected, sizeof expected, "%d.%d.%d", DELETE_VERSION_MAJOR, DELETE_VERSION_MINOR,
             DELETE_VERSION_PATCH);
    CHECK(strcmp(delete_version(), expected) == 0);
    CHECK(strcmp(delete_version(), DELETE_VERSION_STRING) == 0);
}

static void test_result_messages(void) {
    static const delete_result codes[] = {
        DELETE_RESULT_OK,
        DELETE_RESULT_NULL_ARGUMENT,
        DELETE_RESULT_INVALID_UTF8,
        DELETE_RESULT_PANIC,
        DELETE_RESULT_INVALID_ARGUMENT,
        DELETE_RESULT_INDEX_OUT_OF_RANGE,
        DELETE_RESULT_ABSENT,
        DELETE_RESULT_UNKNOWN_ERROR,
        DELETE_RESULT_INVALID_REFERENCE,
        DELETE_RESULT_INVALID_CONFIG,
        DELETE_RESULT_NOT_FOUND,
        DELETE_RESULT_UNAUTHORIZED,
        DELETE_RESULT_FORBIDDEN,
        DELETE_RESULT_INVALID_INPUT,
        DELETE_RESULT_RATE_LIMITED,
        DELETE_RESULT_SERVER,
        DELETE_RESULT_UNEXPECTED_RESPONSE,
        DELETE_RESULT_TIMEOUT,
        DELETE_RESULT_CONNECT,
        DELETE_RESULT_TLS,
        DELETE_RESULT_IO,
        DELETE_RESULT_CANCELLED,
        DELETE_RESULT_NOT_DELETABLE_YET,
        DELETE_RESULT_INVALID_BATCH_OPTIONS,
        DELETE_RESULT_JOURNAL_IO,
        DELETE_RESULT_JOURNAL_CORRUPT,
        DELETE_RESULT_JOURNAL_INPUT_CHANGED,
    };
    const char *unknown = delete_result_message(9999);
    CHECK(strcmp(unknown, "unknown delete_result code") == 0);
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        const char *message = delete_result_message(codes[i]);
        CHECK(message != NULL && message[0] != '\0');
        CHECK(strcmp(message, unknown) != 0);
    }
    CHECK(strcmp(delete_result_message(DELETE_RESULT_OK), "ok") == 0);
    CHECK(DELETE_RESULT_OK == 0 && DELETE_RESULT_PANIC == 3 && DELETE_RESULT_NOT_FOUND == 102);
    CHECK(DELETE_RESULT_NOT_DELETABLE_YET == 114);
    CHECK(DELETE_RESULT_INVALID_SUBJECT == 115);
    const char *not_yet = delete_result_message(DELETE_RESULT_NOT_DELETABLE_YET);
    CHECK(strstr(not_yet, "retry later") != NULL);
    CHECK(DELETE_OUTCOME_DELETED == 1 && DELETE_OUTCOME_SCHEDULED == 2 &&
          DELETE_OUTCOME_FAILED == 3);
    CHECK(DELETE_CONFIRMED_BY_RECHECK == 3 && DELETE_BATCH_COUNT_SCHEDULED == 11);
}

static void test_builder_errors(void) {
    delete_client_builder *builder = SENTINEL;
    delete_client *client = SENTINEL;

    EXPECT(delete_client_builder_new(NULL), DELETE_RESULT_NULL_ARGUMENT);
    OK(delete_client_builder_new(&builder));
    CHECK(builder != SENTINEL && builder != NULL);

    /* NULL, invalid UTF-8, malformed parts, unknown region. */
    EXPECT(delete_client_builder_set_jumio(NULL, JUMIO_TOKEN, JUMIO_SECRET, USER_AGENT,
                                           DELETE_REGION_US),
           DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_client_builder_set_jumio(builder, NULL, JUMIO_SECRET, USER_AGENT,
                                           DELETE_REGION_US),
           DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_client_builder_set_jumio(builder, JUMIO_TOKEN, NULL, USER_AGENT,
                                           DELETE_REGION_US),
           DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_client_builder_set_jumio(builder, JUMIO_TOKEN, JUMIO_SECRET, NULL,
                                           DELETE_REGION_US),
           DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_client_builder_set_jumio(builder, NOT_UTF8, JUMIO_SECRET, USER_AGENT,
                                           DELETE_REGION_US),
           DELETE_RESULT_INVALID_UTF8);
    EXPECT(delete_client_builder_set_jumio(builder, JUMIO_TOKEN, "secret\n", USER_AGENT,
                                           DELETE_REGION_US),
           DELETE_RESULT_INVALID_CONFIG);
    EXPECT(delete_client_builder_set_jumio(builder, "tok:en", JUMIO_SECRET, USER_AGENT,
                                           DELETE_REGION_US),
           DELETE_RESULT_INVALID_CONFIG);
    EXPECT(delete_client_builder_set_jumio(builder, JUMIO_TOKEN, JUMIO_SECRET, "",
                                           DELETE_REGION_US),
           DELETE_RESULT_INVALID_CONFIG);
    EXPECT(delete_client_builder_set_jumio(builder, JUMIO_TOKEN, JUMIO_SECRET, USER_AGENT, 0),
           DELETE_RESULT_INVALID_ARGUMENT);
    EXPECT(delete_client_builder_set_jumio(builder, JUMIO_TOKEN, JUMIO_SECRET, USER_AGENT, 99),
           DELETE_RESULT_INVALID_ARGUMENT);
    EXPECT(delete_client_builder_set_hyperverge(NULL, HV_APP_ID, HV_APP_KEY),
           DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_client_builder_set_hyperverge(builder, NULL, HV_APP_KEY),
           DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_client_builder_set_hyperverge(builder, HV_APP_ID, NOT_UTF8),
           DELETE_RESULT_INVALID_UTF8);
    EXPECT(delete_client_builder_set_hyperverge(builder, "", HV_APP_KEY),
           DELETE_RESULT_INVALID_CONFIG);
    EXPECT(delete_client_builder_set_base_url(NULL, "https://proxy.example"),
           DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_client_builder_set_base_url(builder, NULL), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_client_builder_set_base_url(builder, NOT_UTF8), DELETE_RESULT_INVALID_UTF8);
    /* Plain http only on loopback: credentials would travel in clear text. */
    EXPECT(delete_client_builder_set_base_url(builder, "http://proxy.example"),
           DELETE_RESULT_INVALID_CONFIG);
    EXPECT(delete_client_builder_set_base_url(builder, "https://u:p@proxy.example"),
           DELETE_RESULT_INVALID_CONFIG);
    EXPECT(delete_client_builder_set_hyperverge_host(NULL, "ind.idv.hyperverge.co"),
           DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_client_builder_set_hyperverge_host(builder, NULL), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_client_builder_set_hyperverge_host(builder, "https://x.example/path"),
           DELETE_RESULT_INVALID_CONFIG);
    EXPECT(delete_client_builder_set_connect_timeout_ms(NULL, 100), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_client_builder_set_timeout_ms(NULL, 100), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_client_builder_set_max_attempts(NULL, 1), DELETE_RESULT_NULL_ARGUMENT);

    /* No credentials: refused, and the out-parameter is untouched. */
    EXPECT(delete_client_builder_build(builder, &client), DELETE_RESULT_INVALID_CONFIG);
    CHECK(client == SENTINEL);
    EXPECT(delete_client_builder_build(NULL, &client), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_client_builder_build(builder, NULL), DELETE_RESULT_NULL_ARGUMENT);

    OK(delete_client_builder_set_jumio(builder, JUMIO_TOKEN, JUMIO_SECRET, USER_AGENT,
                                       DELETE_REGION_US));
    /* Unusable timeouts and attempt counts are refused by build. */
    OK(delete_client_builder_set_timeout_ms(builder, 0));
    EXPECT(delete_client_builder_build(builder, &client), DELETE_RESULT_INVALID_CONFIG);
    OK(delete_client_builder_set_timeout_ms(builder, 5000));
    OK(delete_client_builder_set_connect_timeout_ms(builder, 0));
    EXPECT(delete_client_builder_build(builder, &client), DELETE_RESULT_INVALID_CONFIG);
    OK(delete_client_builder_set_connect_timeout_ms(builder, 5000));
    OK(delete_client_builder_set_max_attempts(builder, 0));
    EXPECT(delete_client_builder_build(builder, &client), DELETE_RESULT_INVALID_CONFIG);
    OK(delete_client_builder_set_max_attempts(builder, 101));
    EXPECT(delete_client_builder_build(builder, &client), DELETE_RESULT_INVALID_CONFIG);
    CHECK(client == SENTINEL);
    OK(delete_client_builder_set_max_attempts(builder, 2));
    OK(delete_client_builder_set_hyperverge_host(builder, "ind.idv.hyperverge.co"));
    OK(delete_client_builder_build(builder, &client));
    CHECK(client != SENTINEL && client != NULL);
    /* Building does not consume the builder: a second client. */
    delete_client *second = NULL;
    OK(delete_client_builder_build(builder, &second));
    delete_client_free(second);
    delete_client_free(client);
    delete_client_builder_free(builder);

    /* Freeing NULL does nothing. */
    delete_client_builder_free(NULL);
    delete_client_free(NULL);
    delete_outcome_free(NULL);
}

/* The status of an outcome, and the accessors of a scheduled erasure,
 * which answer DELETE_RESULT_ABSENT and write nothing for any other. */
static void check_status(const delete_outcome *outcome, delete_status want) {
    delete_status status = DELETE_OUTCOME_SCHEDULED;
    const char *text = SENTINEL;
    uint64_t seconds = 7;

    OK(delete_outcome_status(outcome, &status));
    CHECK(status == want);
    CHECK(status != DELETE_OUTCOME_SCHEDULED);
    EXPECT(delete_outcome_completes(outcome, &text), DELETE_RESULT_ABSENT);
    EXPECT(delete_outcome_until(outcome, &text), DELETE_RESULT_ABSENT);
    EXPECT(delete_outcome_vendor_status(outcome, &text), DELETE_RESULT_ABSENT);
    CHECK(text == SENTINEL);
    EXPECT(delete_outcome_within_secs(outcome, &seconds), DELETE_RESULT_ABSENT);
    CHECK(seconds == 7);
}

/* Every accessor of a deletion confirmed by the vendor's answer. */
static void check_deleted(const delete_outcome *outcome, size_t audits) {
    bool deleted = false, in_doubt = true;
    delete_confirmed_by confirmed_by = DELETE_CONFIRMED_BY_ABSENCE;
    uint32_t attempts = 0;
    size_t count = 99;
    uint16_t status = 7;
    uint64_t wait = 7;
    const char *text = NULL;

    OK(delete_outcome_deleted(outcome, &deleted));
    CHECK(deleted);
    check_status(outcome, DELETE_OUTCOME_DELETED);
    CHECK(test_error(outcome) == DELETE_RESULT_OK);
    OK(delete_outcome_confirmed_by(outcome, &confirmed_by));
    CHECK(confirmed_by == DELETE_CONFIRMED_BY_RESPONSE);
    OK(delete_outcome_attempts(outcome, &attempts));
    CHECK(attempts == 1);
    OK(delete_outcome_in_doubt(outcome, &in_doubt));
    CHECK(!in_doubt);
    OK(delete_outcome_message(outcome, &text));
    CHECK(strncmp(text, "deleted", 7) == 0);
    EXPECT(delete_outcome_http_status(outcome, &status), DELETE_RESULT_ABSENT);
    CHECK(status == 7);
    EXPECT(delete_outcome_retry_after_ms(outcome, &wait), DELETE_RESULT_ABSENT);
    CHECK(wait == 7);
    OK(delete_outcome_audit_count(outcome, &count));
    CHECK(count == audits);
    for (size_t i = 0; i < count; i++) {
        text = NULL;
        OK(delete_outcome_audit(outcome, i, &text));
        CHECK(text != NULL && text[0] != '\0');
    }
    text = SENTINEL;
    EXPECT(delete_outcome_audit(outcome, count, &text), DELETE_RESULT_INDEX_OUT_OF_RANGE);
    CHECK(text == SENTINEL);
}

/* A failed deletion: its kind, status and attempts; never a secret in its
 * messages. */
static void check_failed(const delete_outcome *outcome, delete_result kind, int status,
                         uint32_t attempts) {
    bool deleted = true;
    delete_confirmed_by confirmed_by = DELETE_CONFIRMED_BY_RESPONSE;
    uint32_t sent = 0;
    uint16_t got_status = 0;
    const char *text = NULL;

    OK(delete_outcome_deleted(outcome, &deleted));
    CHECK(!deleted);
    check_status(outcome, DELETE_OUTCOME_FAILED);
    if (test_error(outcome) != kind) {
        OK(delete_outcome_message(outcome, &text));
        fprintf(stderr, "expected %s, got: %s\n", delete_result_message(kind), text);
        exit(1);
    }
    EXPECT(delete_outcome_confirmed_by(outcome, &confirmed_by), DELETE_RESULT_ABSENT);
    CHECK(confirmed_by == DELETE_CONFIRMED_BY_RESPONSE);
    if (status == 0) {
        EXPECT(delete_outcome_http_status(outcome, &got_status), DELETE_RESULT_ABSENT);
    } else {
        OK(delete_outcome_http_status(outcome, &got_status));
        CHECK(got_status == status);
    }
    OK(delete_outcome_attempts(outcome, &sent));
    CHECK(sent == attempts);
    OK(delete_outcome_message(outcome, &text));
    CHECK(text[0] != '\0');
    CHECK(strstr(text, JUMIO_TOKEN) == NULL && strstr(text, JUMIO_SECRET) == NULL);
    CHECK(strstr(text, HV_APP_KEY) == NULL);
    if (delete_outcome_vendor_message(outcome, &text) == DELETE_RESULT_OK) {
        CHECK(strstr(text, JUMIO_SECRET) == NULL && strstr(text, HV_APP_KEY) == NULL);
    }
}

static void test_deletions(const char *url) {
    delete_client *client = test_client(url, 1);
    delete_outcome *outcome;
    const char *text = NULL;

    outcome = test_delete(client, DELETE_PRODUCT_JUMIO_SCAN, "ref-0000");
    check_deleted(outcome, 0);
    EXPECT(delete_outcome_vendor_message(outcome, &text), DELETE_RESULT_ABSENT);
    delete_outcome_free(outcome);
    outcome = test_delete(client, DELETE_PRODUCT_JUMIO_AUTHENTICATION, "ref-0000");
    check_deleted(outcome, 0);
    delete_outcome_free(outcome);
    outcome = test_delete(client, DELETE_PRODUCT_JUMIO_DOCUMENT, "ref-0000");
    check_deleted(outcome, 0);
    delete_outcome_free(outcome);

    outcome = test_delete(client, DELETE_PRODUCT_HYPERVERGE_TRANSACTION, "txn-0000");
    size_t audits = 0;
    OK(delete_outcome_audit_count(outcome, &audits));
    CHECK(audits >= 1);
    check_deleted(outcome, audits);
    OK(delete_outcome_vendor_message(outcome, &text));
    CHECK(strcmp(text, "Transaction deleted successfully") == 0);
    delete_outcome_free(outcome);

    /* A second delete is not found, never a deletion. */
    outcome = test_delete(client, DELETE_PRODUCT_JUMIO_SCAN, "ref-0000");
    check_failed(outcome, DELETE_RESULT_NOT_FOUND, 404, 1);
    OK(delete_outcome_vendor_message(outcome, &text));
    CHECK(text[0] != '\0');
    delete_outcome_free(outcome);
    outcome = test_delete(client, DELETE_PRODUCT_HYPERVERGE_TRANSACTION, "txn-0000");
    check_failed(outcome, DELETE_RESULT_NOT_FOUND, 404, 1);
    OK(delete_outcome_vendor_message(outcome, &text));
    CHECK(strcmp(text, "Transaction not found") == 0);
    delete_outcome_free(outcome);

    delete_client_free(client);
}

/* Bad arguments and references fail before any request, and the
 * out-parameter stays untouched. */
static void test_rejected_before_sending(const char *url) {
    delete_client *client = test_client(url, 1);
    delete_outcome *outcome = SENTINEL;
    char long_reference[64];
    memset(long_reference, 'a', 37);
    long_reference[37] = '\0';

    EXPECT(delete_client_delete(NULL, DELETE_PRODUCT_JUMIO_SCAN, "ref-0001", &outcome),
           DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_client_delete(client, DELETE_PRODUCT_JUMIO_SCAN, NULL, &outcome),
           DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_client_delete(client, DELETE_PRODUCT_JUMIO_SCAN, "ref-0001", NULL),
           DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_client_delete(client, DELETE_PRODUCT_JUMIO_SCAN, NOT_UTF8, &outcome),
           DELETE_RESULT_INVALID_UTF8);
    EXPECT(delete_client_delete(client, 0, "ref-0001", &outcome), DELETE_RESULT_INVALID_ARGUMENT);
    EXPECT(delete_client_delete(client, 99, "ref-0001", &outcome),
           DELETE_RESULT_INVALID_ARGUMENT);
    /* The path cannot be changed by a reference. */
    EXPECT(delete_client_delete(client, DELETE_PRODUCT_JUMIO_SCAN, "ref-0001#x", &outcome),
           DELETE_RESULT_INVALID_REFERENCE);
    EXPECT(delete_client_delete(client, DELETE_PRODUCT_JUMIO_SCAN, "../admin", &outcome),
           DELETE_RESULT_INVALID_REFERENCE);
    EXPECT(delete_client_delete(client, DELETE_PRODUCT_JUMIO_SCAN, "", &outcome),
           DELETE_RESULT_INVALID_REFERENCE);
    EXPECT(delete_client_delete(client, DELETE_PRODUCT_JUMIO_DOCUMENT, long_reference, &outcome),
           DELETE_RESULT_INVALID_REFERENCE);
    EXPECT(delete_client_delete(client, DELETE_PRODUCT_HYPERVERGE_TRANSACTION, "txn\x01", &outcome),
           DELETE_RESULT_INVALID_REFERENCE);
    EXPECT(delete_client_delete(client, DELETE_PRODUCT_HYPERVERGE_TRANSACTION, "", &outcome),
           DELETE_RESULT_INVALID_REFERENCE);
    EXPECT(delete_client_delete_resumed(client, DELETE_PRODUCT_JUMIO_SCAN, "a b", &outcome),
           DELETE_RESULT_INVALID_REFERENCE);
    CHECK(outcome == SENTINEL);
    delete_client_free(client);

    /* A client without HyperVerge credentials cannot delete there. */
    delete_client_builder *builder = NULL;
    OK(delete_client_builder_new(&builder));
    OK(delete_client_builder_set_jumio(builder, JUMIO_TOKEN, JUMIO_SECRET, USER_AGENT,
                                       DELETE_REGION_US));
    OK(delete_client_builder_set_base_url(builder, url));
    OK(delete_client_builder_build(builder, &client));
    EXPECT(delete_client_delete(client, DELETE_PRODUCT_HYPERVERGE_TRANSACTION, "txn-0001",
                                &outcome),
           DELETE_RESULT_INVALID_CONFIG);
    delete_client_free(client);
    delete_client_builder_free(builder);
    /* Nor one without Jumio credentials at Jumio. */
    OK(delete_client_builder_new(&builder));
    OK(delete_client_builder_set_hyperverge(builder, HV_APP_ID, HV_APP_KEY));
    OK(delete_client_builder_build(builder, &client));
    EXPECT(delete_client_delete(client, DELETE_PRODUCT_JUMIO_SCAN, "ref-0001", &outcome),
           DELETE_RESULT_INVALID_CONFIG);
    CHECK(outcome == SENTINEL);
    delete_client_free(client);
    delete_client_builder_free(builder);

    /* Outcome accessors check their arguments. */
    outcome = NULL;
    client = test_client(url, 1);
    outcome = test_delete(client, DELETE_PRODUCT_JUMIO_SCAN, "ref-0001");
    bool flag;
    delete_result code;
    const char *text;
    uint16_t status;
    size_t count;
    uint64_t wait;
    uint32_t attempts;
    delete_confirmed_by confirmed_by;
    delete_status outcome_status;
    EXPECT(delete_outcome_status(NULL, &outcome_status), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_outcome_status(outcome, NULL), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_outcome_completes(NULL, &text), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_outcome_completes(outcome, NULL), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_outcome_within_secs(NULL, &wait), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_outcome_within_secs(outcome, NULL), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_outcome_until(NULL, &text), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_outcome_until(outcome, NULL), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_outcome_vendor_status(NULL, &text), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_outcome_vendor_status(outcome, NULL), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_outcome_deleted(NULL, &flag), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_outcome_deleted(outcome, NULL), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_outcome_error(NULL, &code), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_outcome_error(outcome, NULL), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_outcome_message(NULL, &text), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_outcome_message(outcome, NULL), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_outcome_http_status(NULL, &status), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_outcome_http_status(outcome, NULL), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_outcome_vendor_message(NULL, &text), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_outcome_vendor_message(outcome, NULL), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_outcome_audit_count(NULL, &count), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_outcome_audit_count(outcome, NULL), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_outcome_audit(NULL, 0, &text), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_outcome_audit(outcome, 0, NULL), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_outcome_retry_after_ms(NULL, &wait), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_outcome_retry_after_ms(outcome, NULL), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_outcome_attempts(NULL, &attempts), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_outcome_attempts(outcome, NULL), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_outcome_confirmed_by(NULL, &confirmed_by), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_outcome_confirmed_by(outcome, NULL), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_outcome_in_doubt(NULL, &flag), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_outcome_in_doubt(outcome, NULL), DELETE_RESULT_NULL_ARGUMENT);
    delete_outcome_free(outcome);
    delete_client_free(client);
}

static void test_unauthorized(const char *url) {
    delete_client_builder *builder = NULL;
    delete_client *client = NULL;
    OK(delete_client_builder_new(&builder));
    OK(delete_client_builder_set_jumio(builder, "wrong-token", "wrong-secret", USER_AGENT,
                                       DELETE_REGION_EU));
    OK(delete_client_builder_set_hyperverge(builder, HV_APP_ID, "wrong-key"));
    OK(delete_client_builder_set_base_url(builder, url));
    OK(delete_client_builder_build(builder, &client));
    delete_client_builder_free(builder);

    delete_outcome *outcome = test_delete(client, DELETE_PRODUCT_JUMIO_SCAN, "ref-0002");
    check_failed(outcome, DELETE_RESULT_UNAUTHORIZED, 401, 1);
    const char *text = NULL;
    OK(delete_outcome_message(outcome, &text));
    CHECK(strstr(text, "wrong-token") == NULL && strstr(text, "wrong-secret") == NULL);
    delete_outcome_free(outcome);
    outcome = test_delete(client, DELETE_PRODUCT_HYPERVERGE_TRANSACTION, "txn-0002");
    check_failed(outcome, DELETE_RESULT_UNAUTHORIZED, 401, 1);
    OK(delete_outcome_message(outcome, &text));
    CHECK(strstr(text, "wrong-key") == NULL);
    delete_outcome_free(outcome);
    delete_client_free(client);
}

static void test_transport_and_vendor_failures(void) {
    delete_client *client;
    delete_outcome *outcome;
    const char *text = NULL;
    uint64_t wait = 0;
    bool in_doubt = false;

    /* 403: HyperVerge answers only allow-listed IP addresses. */
    client = test_client(test_env("DELETE_TEST_FORBIDDEN_URL"), 4);
    outcome = test_delete(client, DELETE_PRODUCT_HYPERVERGE_TRANSACTION, "txn-0003");
    check_failed(outcome, DELETE_RESULT_FORBIDDEN, 403, 1);
    OK(delete_outcome_vendor_message(outcome, &text));
    CHECK(strcmp(text, "No whitelisted IPs match found") == 0);
    delete_outcome_free(outcome);
    delete_client_free(client);

    /* 429 with Retry-After. */
    client = test_client(test_env("DELETE_TEST_RATE_LIMITED_URL"), 1);
    outcome = test_delete(client, DELETE_PRODUCT_JUMIO_SCAN, "ref-0003");
    check_failed(outcome, DELETE_RESULT_RATE_LIMITED, 429, 1);
    OK(delete_outcome_retry_after_ms(outcome, &wait));
    CHECK(wait == 1000);
    delete_outcome_free(outcome);
    delete_client_free(client);

    /* 500, retried once. */
    client = test_client(test_env("DELETE_TEST_SERVER_ERROR_URL"), 2);
    outcome = test_delete(client, DELETE_PRODUCT_JUMIO_SCAN, "ref-0003");
    check_failed(outcome, DELETE_RESULT_SERVER, 500, 2);
    delete_outcome_free(outcome);
    delete_client_free(client);

    /* No answer in time. */
    delete_client_builder *builder = NULL;
    OK(delete_client_builder_new(&builder));
    OK(delete_client_builder_set_jumio(builder, JUMIO_TOKEN, JUMIO_SECRET, USER_AGENT,
                                       DELETE_REGION_EU));
    OK(delete_client_builder_set_base_url(builder, test_env("DELETE_TEST_SLOW_URL")));
    OK(delete_client_builder_set_timeout_ms(builder, 300));
    OK(delete_client_builder_set_max_attempts(builder, 1));
    OK(delete_client_builder_build(builder, &client));
    delete_client_builder_free(builder);
    outcome = test_delete(client, DELETE_PRODUCT_JUMIO_SCAN, "ref-0003");
    check_failed(outcome, DELETE_RESULT_TIMEOUT, 0, 1);
    delete_outcome_free(outcome);
    delete_client_free(client);

    /* Nobody listening. */
    client = test_client(test_env("DELETE_TEST_CLOSED_URL"), 1);
    outcome = test_delete(client, DELETE_PRODUCT_JUMIO_SCAN, "ref-0003");
    check_failed(outcome, DELETE_RESULT_CONNECT, 0, 1);
    delete_outcome_free(outcome);
    delete_client_free(client);

    /* The connection breaks after the delete was applied: in doubt. */
    client = test_client(test_env("DELETE_TEST_RESET_URL"), 1);
    outcome = test_delete(client, DELETE_PRODUCT_JUMIO_SCAN, "ref-0004");
    check_failed(outcome, DELETE_RESULT_IO, 0, 1);
    OK(delete_outcome_in_doubt(outcome, &in_doubt));
    CHECK(in_doubt);
    delete_outcome_free(outcome);
    delete_client_free(client);
}

/* An in-doubt reference run again: a 404 confirms the deletion. */
static void test_resumed(const char *url) {
    delete_client *client = test_client(url, 1);
    delete_confirmed_by confirmed_by = DELETE_CONFIRMED_BY_RESPONSE;
    delete_outcome *outcome = NULL;
    OK(delete_client_delete_resumed(client, DELETE_PRODUCT_JUMIO_SCAN, "gone-already", &outcome));
    CHECK(test_error(outcome) == DELETE_RESULT_OK);
    OK(delete_outcome_confirmed_by(outcome, &confirmed_by));
    CHECK(confirmed_by == DELETE_CONFIRMED_BY_ABSENCE);
    delete_outcome_free(outcome);
    /* A seeded one is simply deleted. */
    OK(delete_client_delete_resumed(client, DELETE_PRODUCT_JUMIO_SCAN, "ref-0005", &outcome));
    check_deleted(outcome, 0);
    delete_outcome_free(outcome);
    EXPECT(delete_client_delete_resumed(NULL, DELETE_PRODUCT_JUMIO_SCAN, "ref-0005", &outcome),
           DELETE_RESULT_NULL_ARGUMENT);
    delete_client_free(client);
}

/* https to a server that answers in plain HTTP: a TLS failure, never
 * retried. */
static void test_tls(void) {
    delete_client *client = test_client(test_env("DELETE_TEST_NOT_TLS_URL"), 3);
    delete_outcome *outcome = test_delete(client, DELETE_PRODUCT_JUMIO_SCAN, "ref-0006");
    check_failed(outcome, DELETE_RESULT_TLS, 0, 1);
    delete_outcome_free(outcome);
    delete_client_free(client);
}

int main(void) {
    const char *url = test_env("DELETE_TEST_URL");
    test_version();
    test_result_messages();
    test_builder_errors();
    test_deletions(url);
    test_rejected_before_sending(url);
    test_unauthorized(url);
    test_transport_and_vendor_failures();
    test_resumed(url);
    test_tls();
    printf("test_client: ok\n");
    return 0;
}
