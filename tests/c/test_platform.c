/* The Jumio Platform through libdelete: accounts and workflow executions
 * deleted against the emulator, one access token bought for a whole batch
 * and shared with later deletions, and bad client credentials refused with
 * DELETE_RESULT_UNAUTHORIZED, a message naming the client id setting, and
 * no secret. */
#include "support.h"

static uint64_t token_requests(const delete_client *client) {
    uint64_t count = 99;
    OK(delete_client_token_requests(client, &count));
    return count;
}

/* The calling thread's last error message holds `needle`. */
static void check_last_error(const char *needle) {
    char message[1024];
    size_t length = 0;
    OK(delete_last_error_message(message, sizeof message, &length));
    if (strstr(message, needle) == NULL) {
        fprintf(stderr, "the last error \"%s\" does not name %s\n", message, needle);
        exit(1);
    }
}

static void test_account_and_workflow(const char *url) {
    delete_client *client = test_platform_client(url, PLATFORM_CLIENT_SECRET, 1);
    CHECK(token_requests(client) == 0);

    delete_outcome *outcome =
        test_delete(client, DELETE_PRODUCT_JUMIO_PLATFORM_ACCOUNT, PLATFORM_ACCOUNT("0000"));
    CHECK(test_error(outcome) == DELETE_RESULT_OK);
    bool deleted = false;
    OK(delete_outcome_deleted(outcome, &deleted));
    CHECK(deleted);
    delete_outcome_free(outcome);
    outcome = test_delete(client, DELETE_PRODUCT_JUMIO_PLATFORM_ACCOUNT, PLATFORM_ACCOUNT("0000"));
    CHECK(test_error(outcome) == DELETE_RESULT_NOT_FOUND);
    delete_outcome_free(outcome);

    outcome = test_delete(client, DELETE_PRODUCT_JUMIO_PLATFORM_WORKFLOW, PLATFORM_WORKFLOW("0000"));
    CHECK(test_error(outcome) == DELETE_RESULT_OK);
    delete_outcome_free(outcome);
    outcome = test_delete(client, DELETE_PRODUCT_JUMIO_PLATFORM_WORKFLOW, PLATFORM_WORKFLOW("0000"));
    CHECK(test_error(outcome) == DELETE_RESULT_NOT_FOUND);
    delete_outcome_free(outcome);
    /* Deleting the workflow execution left its account. */
    outcome = test_delete(client, DELETE_PRODUCT_JUMIO_PLATFORM_ACCOUNT,
                          "b0000000-0000-4000-8000-000000000000");
    CHECK(test_error(outcome) == DELETE_RESULT_OK);
    delete_outcome_free(outcome);

    CHECK(token_requests(client) == 1);
    /* Without credentials of their own, the other products are refused. */
    EXPECT(delete_client_delete(client, DELETE_PRODUCT_JUMIO_SCAN, "ref-0000", &outcome),
           DELETE_RESULT_INVALID_CONFIG);
    check_last_error("delete_client_builder_set_jumio;");
    /* The sans-IO half cannot carry a token. */
    delete_request *request = NULL;
    EXPECT(delete_to_request(client, DELETE_PRODUCT_JUMIO_PLATFORM_ACCOUNT,
                             PLATFORM_ACCOUNT("0001"), &request),
           DELETE_RESULT_INVALID_ARGUMENT);
    CHECK(request == NULL);
    check_last_error("delete_client_delete");
    delete_client_free(client);

    /* A Jumio-only client refuses platform products, naming the setter. */
    client = test_client(url, 1);
    EXPECT(delete_client_delete(client, DELETE_PRODUCT_JUMIO_PLATFORM_ACCOUNT,
                                PLATFORM_ACCOUNT("0001"), &outcome),
           DELETE_RESULT_INVALID_CONFIG);
    check_last_error("delete_client_builder_set_jumio_platform");
    delete_client_free(client);
}

static void test_batch_buys_one_token(const char *url) {
    delete_client *client = test_platform_client(url, PLATFORM_CLIENT_SECRET, 1);
    char names[40][40];
    const char *accounts[40];
    for (int i = 0; i < 40; i++) {
        snprintf(names[i], sizeof names[i], "a0000000-0000-4000-8000-%012d", 100 + i);
        accounts[i] = names[i];
    }
    delete_batch_options *options = NULL;
    OK(delete_batch_options_new(&options));
    OK(delete_batch_options_set_concurrency(options, 8));
    delete_batch_report *report = NULL;
    OK(delete_client_delete_many(client, DELETE_PRODUCT_JUMIO_PLATFORM_ACCOUNT, accounts, 40,
                                 options, &report));
    uint64_t count = 0;
    OK(delete_batch_report_count(report, DELETE_BATCH_COUNT_DELETED, &count));
    CHECK(count == 40);
    OK(delete_batch_report_count(report, DELETE_BATCH_COUNT_ATTEMPTS, &count));
    CHECK(count == 40);
    OK(delete_batch_report_count(report, DELETE_BATCH_COUNT_TOKEN_REQUESTS, &count));
    CHECK(count == 1);
    delete_batch_report_free(report);

    /* Workflows as "ACCOUNT/WORKFLOW", with the token already held. */
    const char *workflows[] = {PLATFORM_WORKFLOW("0150"), PLATFORM_WORKFLOW("0151")};
    OK(delete_client_delete_many(client, DELETE_PRODUCT_JUMIO_PLATFORM_WORKFLOW, workflows, 2,
                                 options, &report));
    OK(delete_batch_report_count(report, DELETE_BATCH_COUNT_DELETED, &count));
    CHECK(count == 2);
    OK(delete_batch_report_count(report, DELETE_BATCH_COUNT_TOKEN_REQUESTS, &count));
    CHECK(count == 0);
    delete_batch_report_free(report);
    CHECK(token_requests(client) == 1);
    delete_batch_options_free(options);
    delete_client_free(client);
}

static void test_bad_client_credentials(const char *url) {
    const char *secret = "wrong-secret-5b7d19";
    delete_client *client = test_platform_client(url, secret, 1);
    delete_outcome *outcome =
        test_delete(client, DELETE_PRODUCT_JUMIO_PLATFORM_ACCOUNT, PLATFORM_ACCOUNT("0002"));
    CHECK(test_error(outcome) == DELETE_RESULT_UNAUTHORIZED);
    const char *message = NULL;
    OK(delete_outcome_message(outcome, &message));
    printf("bad client credentials: %s\n", message);
    CHECK(strstr(message, "client id") != NULL);
    CHECK(strstr(message, secret) == NULL && strstr(message, PLATFORM_CLIENT_SECRET) == NULL);
    uint16_t status = 0;
    OK(delete_outcome_http_status(outcome, &status));
    CHECK(status == 401);
    delete_outcome_free(outcome);
    CHECK(token_requests(client) == 1);
    /* The account is still there for good credentials. */
    delete_client_free(client);
    client = test_platform_client(url, PLATFORM_CLIENT_SECRET, 1);
    outcome = test_delete(client, DELETE_PRODUCT_JUMIO_PLATFORM_ACCOUNT, PLATFORM_ACCOUNT("0002"));
    CHECK(test_error(outcome) == DELETE_RESULT_OK);
    delete_outcome_free(outcome);
    delete_client_free(client);
}

int main(void) {
    const char *url = test_env("DELETE_TEST_URL");
    test_account_and_workflow(url);
    test_batch_buys_one_token(url);
    test_bad_client_credentials(url);
    printf("test_platform: ok\n");
    return 0;
}
