/* delete_op and delete_token_state driven by a tiny blocking loop over
 * plain sockets (mini_http.h) against the emulators: deletions, not found,
 * an in-doubt resume, Retry-After waits, resets, the Jumio Platform's
 * shared token, refused client credentials; every message printed, so
 * that the harness finds any secret or issued token in them; and bad
 * inputs refused before anything is sent. */
#include "mini_http.h"

#include "support.h"

static void print_outcome(const char *what, const delete_outcome *outcome) {
    const char *message = NULL;
    OK(delete_outcome_message(outcome, &message));
    printf("%s: %s\n", what, message);
}

static void print_last_error(const char *what) {
    char message[1024];
    size_t length = 0;
    OK(delete_last_error_message(message, sizeof message, &length));
    printf("%s: %s\n", what, message);
}

/* Gets a token for the op's DELETE_ACTION_AUTHORIZE: gives it, or gives
 * why there is none. */
static void authorize(delete_op *op, delete_token_state *tokens) {
    CHECK(tokens != NULL);
    for (;;) {
        delete_token_action action;
        OK(delete_token_state_poll(tokens, mini_now_ms(), &action));
        switch (action.kind) {
        case DELETE_TOKEN_ACTION_USE:
            OK(delete_op_authorize(op, action.token));
            delete_token_free(action.token);
            return;
        case DELETE_TOKEN_ACTION_SEND: {
            struct mini_answer answer;
            bool sent = false;
            delete_transport_error failed = mini_send(action.request, &answer, &sent);
            delete_request_free(action.request);
            delete_outcome *error = NULL;
            if (failed != 0) {
                OK(delete_token_state_handle_transport_error(tokens, failed, &error));
            } else {
                OK(delete_token_state_handle_response(tokens, mini_now_ms(), answer.status,
                                                      answer.headers, answer.header_count,
                                                      answer.body, answer.body_length, &error));
            }
            mini_answer_free(&answer);
            if (error != NULL) {
                print_outcome("token request failed", error);
                OK(delete_op_token_failed(op, error));
                delete_outcome_free(error);
                return;
            }
            break; /* a token was had: poll again to use it */
        }
        case DELETE_TOKEN_ACTION_AWAIT_FETCH:
            /* One thread, one request at a time: never here. */
            CHECK(!"a single-threaded driver never awaits another's fetch");
            return;
        case DELETE_TOKEN_ACTION_REFUSED:
            print_outcome("token refused", action.error);
            OK(delete_op_token_failed(op, action.error));
            delete_outcome_free(action.error);
            return;
        }
    }
}

/* Drives `op` to its outcome; `slept_ms` adds up its waits. */
static delete_outcome *drive(delete_op *op, delete_token_state *tokens, uint64_t *slept_ms) {
    for (;;) {
        delete_action action;
        OK(delete_op_poll(op, &action));
        switch (action.kind) {
        case DELETE_ACTION_SEND: {
            struct mini_answer answer;
            bool sent = false;
            delete_transport_error failed = mini_send(action.request, &answer, &sent);
            delete_request_free(action.request);
            if (failed != 0) {
                OK(delete_op_handle_transport_error(op, failed, sent));
            } else {
                OK(delete_op_handle_response(op, answer.status, answer.headers,
                                             answer.header_count, answer.body,
                                             answer.body_length));
                uint64_t generation = 0;
                if (delete_op_take_rejected_token(op, &generation) == DELETE_RESULT_OK) {
                    OK(delete_token_state_reject(tokens, generation));
                }
            }
            mini_answer_free(&answer);
            break;
        }
        case DELETE_ACTION_WAIT:
            mini_sleep_ms(action.wait_ms);
            *slept_ms += action.wait_ms;
            break;
        case DELETE_ACTION_AUTHORIZE:
            authorize(op, tokens);
            break;
        case DELETE_ACTION_DONE:
            return action.outcome;
        }
    }
}

/* Deletes `item` with a new op (and `tokens` for the Jumio Platform). */
static delete_outcome *delete_with_op(const delete_client *client, delete_item item,
                                      bool in_doubt, delete_token_state *tokens,
                                      uint64_t *slept_ms) {
    static uint64_t seed = 1;
    delete_op *op = NULL;
    OK(delete_client_op_new(client, &item, seed++, in_doubt, &op));
    uint64_t slept = 0;
    delete_outcome *outcome = drive(op, tokens, slept_ms != NULL ? slept_ms : &slept);
    uint32_t op_attempts = 0, outcome_attempts = 0;
    OK(delete_op_attempts(op, &op_attempts));
    OK(delete_outcome_attempts(outcome, &outcome_attempts));
    CHECK(op_attempts == outcome_attempts);
    delete_op_free(op);
    print_outcome(item.reference, outcome);
    return outcome;
}

static uint32_t attempts(const delete_outcome *outcome) {
    uint32_t count = 0;
    OK(delete_outcome_attempts(outcome, &count));
    return count;
}

static bool in_doubt(const delete_outcome *outcome) {
    bool doubt = false;
    OK(delete_outcome_in_doubt(outcome, &doubt));
    return doubt;
}

static void test_jumio(void) {
    delete_client *client = test_client(test_env("DELETE_TEST_URL"), 3);
    delete_item item = {DELETE_PRODUCT_JUMIO_SCAN, 0, "ref-0150", NULL};
    delete_outcome *outcome = delete_with_op(client, item, false, NULL, NULL);
    CHECK(test_error(outcome) == DELETE_RESULT_OK && attempts(outcome) == 1);
    delete_outcome_free(outcome);
    outcome = delete_with_op(client, item, false, NULL, NULL);
    CHECK(test_error(outcome) == DELETE_RESULT_NOT_FOUND && !in_doubt(outcome));
    delete_outcome_free(outcome);
    /* Resumed in doubt, the 404 confirms it by absence. */
    outcome = delete_with_op(client, item, true, NULL, NULL);
    delete_confirmed_by by;
    OK(delete_outcome_confirmed_by(outcome, &by));
    CHECK(by == DELETE_CONFIRMED_BY_ABSENCE);
    delete_outcome_free(outcome);
    /* HyperVerge through the same client. */
    item = (delete_item){DELETE_PRODUCT_HYPERVERGE_TRANSACTION, 0, "txn-0150", NULL};
    outcome = delete_with_op(client, item, false, NULL, NULL);
    CHECK(test_error(outcome) == DELETE_RESULT_OK);
    delete_outcome_free(outcome);
    delete_client_free(client);
}

static void test_retries(void) {
    delete_client *client = test_client(test_env("DELETE_TEST_RATE_LIMITED_URL"), 2);
    delete_item item = {DELETE_PRODUCT_JUMIO_SCAN, 0, "ref-0151", NULL};
    uint64_t slept = 0;
    delete_outcome *outcome = delete_with_op(client, item, false, NULL, &slept);
    CHECK(test_error(outcome) == DELETE_RESULT_RATE_LIMITED && attempts(outcome) == 2);
    CHECK(slept == 1000); /* Retry-After: 1, exactly */
    delete_outcome_free(outcome);
    delete_client_free(client);

    client = test_client(test_env("DELETE_TEST_RESET_URL"), 2);
    outcome = delete_with_op(client, item, false, NULL, NULL);
    CHECK(test_error(outcome) == DELETE_RESULT_IO && in_doubt(outcome));
    CHECK(attempts(outcome) == 2);
    delete_outcome_free(outcome);
    delete_client_free(client);

    client = test_client(test_env("DELETE_TEST_CLOSED_URL"), 1);
    outcome = delete_with_op(client, item, false, NULL, NULL);
    CHECK(test_error(outcome) == DELETE_RESULT_CONNECT && !in_doubt(outcome));
    delete_outcome_free(outcome);
    delete_client_free(client);
}

/* A driver with a retry budget reads the pending retry before the wait and
   may end the op with it instead. No server: the answers are made here. */
static void test_refused_retry(void) {
    delete_client *client = test_client("http://127.0.0.1:9", 4);
    delete_item item = {DELETE_PRODUCT_HYPERVERGE_TRANSACTION, 0, "txn-0152", NULL};
    delete_op *op = NULL;
    OK(delete_client_op_new(client, &item, 7, false, &op));
    delete_outcome *pending = NULL;
    EXPECT(delete_op_pending_retry(op, &pending), DELETE_RESULT_ABSENT);
    CHECK(pending == NULL);
    delete_action action;
    OK(delete_op_poll(op, &action));
    CHECK(action.kind == DELETE_ACTION_SEND);
    delete_request_free(action.request);
    OK(delete_op_handle_response(op, 503, NULL, 0, NULL, 0));
    OK(delete_op_pending_retry(op, &pending));
    CHECK(test_error(pending) == DELETE_RESULT_SERVER);
    delete_outcome_free(pending);
    OK(delete_op_stop_retrying(op));
    EXPECT(delete_op_pending_retry(op, &pending), DELETE_RESULT_ABSENT);
    OK(delete_op_poll(op, &action));
    CHECK(action.kind == DELETE_ACTION_DONE);
    CHECK(test_error(action.outcome) == DELETE_RESULT_SERVER && attempts(action.outcome) == 1);
    delete_outcome_free(action.outcome);
    EXPECT(delete_op_pending_retry(NULL, &pending), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_op_stop_retrying(NULL), DELETE_RESULT_NULL_ARGUMENT);
    delete_op_free(op);
    delete_client_free(client);
}

static uint64_t token_requests(const delete_token_state *tokens) {
    uint64_t count = 99;
    OK(delete_token_state_token_requests(tokens, &count));
    return count;
}

/* The Jumio Platform at the canary emulator behind the token recorder:
 * one token for three deletions; no secret and no token in any output. */
static void test_platform_canary(void) {
    const char *url = test_env("DELETE_TEST_CANARY_PLATFORM_URL");
    delete_client_builder *builder = NULL;
    delete_client *client = NULL;
    OK(delete_client_builder_new(&builder));
    OK(delete_client_builder_set_jumio_platform(builder, CANARY_CLIENT_ID, CANARY_CLIENT_SECRET,
                                                USER_AGENT, DELETE_REGION_EU));
    OK(delete_client_builder_set_base_url(builder, url));
    OK(delete_client_builder_build(builder, &client));
    delete_client_builder_free(builder);
    delete_token_state *tokens = NULL;
    OK(delete_client_token_state_new(client, 0, &tokens));
    delete_item items[3] = {
        {DELETE_PRODUCT_JUMIO_PLATFORM_ACCOUNT, 0, PLATFORM_ACCOUNT("0150"), NULL},
        {DELETE_PRODUCT_JUMIO_PLATFORM_ACCOUNT, DELETE_REGION_EU, PLATFORM_ACCOUNT("0151"), NULL},
        {DELETE_PRODUCT_JUMIO_PLATFORM_WORKFLOW, 0, PLATFORM_WORKFLOW("0152"), NULL},
    };
    for (int i = 0; i < 3; i++) {
        delete_outcome *outcome = delete_with_op(client, items[i], false, tokens, NULL);
        CHECK(test_error(outcome) == DELETE_RESULT_OK);
        delete_outcome_free(outcome);
    }
    CHECK(token_requests(tokens) == 1);
    /* A request carries the token only in its Authorization header. */
    delete_op *op = NULL;
    OK(delete_client_op_new(client, &items[0], 9, false, &op));
    delete_action action;
    OK(delete_op_poll(op, &action));
    CHECK(action.kind == DELETE_ACTION_AUTHORIZE);
    delete_token_action use;
    OK(delete_token_state_poll(tokens, mini_now_ms(), &use));
    CHECK(use.kind == DELETE_TOKEN_ACTION_USE);
    uint64_t generation = 0;
    OK(delete_token_generation(use.token, &generation));
    CHECK(generation == 1);
    OK(delete_op_authorize(op, use.token));
    delete_token_free(use.token);
    OK(delete_op_cancel(op));
    OK(delete_op_poll(op, &action));
    CHECK(action.kind == DELETE_ACTION_DONE);
    CHECK(test_error(action.outcome) == DELETE_RESULT_CANCELLED && !in_doubt(action.outcome));
    print_outcome("cancelled", action.outcome);
    delete_outcome_free(action.outcome);
    delete_op_free(op);
    delete_token_state_free(tokens);
    delete_client_free(client);

    /* A wrong client secret: refused once, then by the state alone. */
    OK(delete_client_builder_new(&builder));
    OK(delete_client_builder_set_jumio_platform(builder, CANARY_CLIENT_ID, CANARY_SECRET,
                                                USER_AGENT, DELETE_REGION_EU));
    OK(delete_client_builder_set_base_url(builder, url));
    OK(delete_client_builder_build(builder, &client));
    delete_client_builder_free(builder);
    OK(delete_client_token_state_new(client, DELETE_REGION_EU, &tokens));
    for (int i = 0; i < 2; i++) {
        delete_outcome *outcome = delete_with_op(client, items[i], false, tokens, NULL);
        CHECK(test_error(outcome) == DELETE_RESULT_UNAUTHORIZED && attempts(outcome) == 0);
        delete_outcome_free(outcome);
    }
    CHECK(token_requests(tokens) == 1);
    delete_token_state_free(tokens);
    delete_client_free(client);
}

static void test_bad_inputs(void) {
    /* Jumio and HyperVerge only, at the emulator that must stay untouched. */
    delete_client *client = test_client(test_env("DELETE_TEST_UNTOUCHED_URL"), 1);
    delete_item item = {DELETE_PRODUCT_JUMIO_SCAN, 0, "ref-0000", NULL};
    delete_op *op = NULL;
    EXPECT(delete_client_op_new(NULL, &item, 1, false, &op), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_client_op_new(client, NULL, 1, false, &op), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_client_op_new(client, &item, 1, false, NULL), DELETE_RESULT_NULL_ARGUMENT);
    delete_item bad = {DELETE_PRODUCT_VERIFF_SESSION, 0, VERIFF_SESSION("0000"), NULL};
    EXPECT(delete_client_op_new(client, &bad, 1, false, &op), DELETE_RESULT_INVALID_CONFIG);
    print_last_error("no credentials");
    bad = (delete_item){DELETE_PRODUCT_JUMIO_SCAN, 0, "ref 0000", NULL};
    EXPECT(delete_client_op_new(client, &bad, 1, false, &op), DELETE_RESULT_INVALID_REFERENCE);
    print_last_error("malformed");
    bad = (delete_item){0, 0, "ref-0000", NULL};
    EXPECT(delete_client_op_new(client, &bad, 1, false, &op), DELETE_RESULT_INVALID_ARGUMENT);
    bad = (delete_item){DELETE_PRODUCT_JUMIO_SCAN, 0, NULL, NULL};
    EXPECT(delete_client_op_new(client, &bad, 1, false, &op), DELETE_RESULT_NULL_ARGUMENT);
    delete_token_state *tokens = NULL;
    EXPECT(delete_client_token_state_new(client, 0, &tokens), DELETE_RESULT_INVALID_CONFIG);
    print_last_error("no platform credentials");

    /* An op whose calls are refused without changing it. */
    OK(delete_client_op_new(client, &item, 1, false, &op));
    delete_action action;
    EXPECT(delete_op_poll(NULL, &action), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_op_poll(op, NULL), DELETE_RESULT_NULL_ARGUMENT);
    OK(delete_op_poll(op, &action));
    CHECK(action.kind == DELETE_ACTION_SEND && action.request != NULL);
    /* The request is the op's, read like any other: not sent. */
    delete_outcome *outcome = NULL;
    OK(delete_parse_response(action.request, 204, NULL, 0, NULL, 0, &outcome));
    CHECK(test_error(outcome) == DELETE_RESULT_OK);
    EXPECT(delete_op_token_failed(op, outcome), DELETE_RESULT_INVALID_ARGUMENT);
    delete_outcome_free(outcome);
    delete_request_free(action.request);
    EXPECT(delete_op_handle_response(op, 42, NULL, 0, NULL, 0), DELETE_RESULT_INVALID_ARGUMENT);
    print_last_error("status 42");
    delete_header header = {"bad header", "x"};
    EXPECT(delete_op_handle_response(op, 204, &header, 1, NULL, 0),
           DELETE_RESULT_INVALID_ARGUMENT);
    EXPECT(delete_op_handle_response(op, 204, NULL, 1, NULL, 0), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_op_handle_transport_error(op, 9, true), DELETE_RESULT_INVALID_ARGUMENT);
    EXPECT(delete_op_handle_transport_error(NULL, DELETE_TRANSPORT_ERROR_IO, true),
           DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_op_authorize(op, NULL), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_op_token_failed(op, NULL), DELETE_RESULT_NULL_ARGUMENT);
    uint64_t generation = 0;
    EXPECT(delete_op_take_rejected_token(op, &generation), DELETE_RESULT_ABSENT);
    EXPECT(delete_op_take_rejected_token(op, NULL), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_op_cancel(NULL), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_op_attempts(op, NULL), DELETE_RESULT_NULL_ARGUMENT);
    /* The attempt still awaits its answer: a 204 ends it deleted. */
    OK(delete_op_handle_response(op, 204, NULL, 0, NULL, 0));
    OK(delete_op_poll(op, &action));
    CHECK(action.kind == DELETE_ACTION_DONE && test_error(action.outcome) == DELETE_RESULT_OK);
    delete_outcome_free(action.outcome);
    delete_op_free(op);
    delete_op_free(NULL);

    /* A token state's calls. */
    delete_client *platform = test_platform_client(test_env("DELETE_TEST_UNTOUCHED_URL"),
                                                   PLATFORM_CLIENT_SECRET, 1);
    EXPECT(delete_client_token_state_new(platform, DELETE_REGION_CA, &tokens),
           DELETE_RESULT_INVALID_ARGUMENT);
    print_last_error("region");
    EXPECT(delete_client_token_state_new(platform, 0, NULL), DELETE_RESULT_NULL_ARGUMENT);
    OK(delete_client_token_state_new(platform, DELETE_REGION_SGP, &tokens));
    delete_token_action token_action;
    EXPECT(delete_token_state_poll(NULL, 0, &token_action), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_token_state_poll(tokens, 0, NULL), DELETE_RESULT_NULL_ARGUMENT);
    OK(delete_token_state_poll(tokens, 0, &token_action));
    CHECK(token_action.kind == DELETE_TOKEN_ACTION_SEND);
    /* A token request has no deletion outcome. */
    EXPECT(delete_parse_response(token_action.request, 200, NULL, 0, NULL, 0, &outcome),
           DELETE_RESULT_INVALID_ARGUMENT);
    print_last_error("token request");
    delete_request_free(token_action.request);
    OK(delete_token_state_poll(tokens, 0, &token_action));
    CHECK(token_action.kind == DELETE_TOKEN_ACTION_AWAIT_FETCH && token_action.request == NULL);
    EXPECT(delete_token_state_handle_transport_error(tokens, 0, &outcome),
           DELETE_RESULT_INVALID_ARGUMENT);
    OK(delete_token_state_handle_transport_error(tokens, DELETE_TRANSPORT_ERROR_TIMEOUT,
                                                 &outcome));
    CHECK(test_error(outcome) == DELETE_RESULT_TIMEOUT);
    print_outcome("token timeout", outcome);
    delete_outcome_free(outcome);
    EXPECT(delete_token_state_reject(NULL, 1), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_token_state_token_requests(tokens, NULL), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_token_generation(NULL, &generation), DELETE_RESULT_NULL_ARGUMENT);
    /* An answer with no request awaited changes nothing. */
    OK(delete_token_state_handle_response(tokens, 0, 200, NULL, 0, NULL, 0, &outcome));
    CHECK(outcome == NULL);
    delete_token_state_free(tokens);
    delete_token_state_free(NULL);
    delete_token_free(NULL);
    delete_client_free(platform);
    delete_client_free(client);
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    test_bad_inputs();
    test_jumio();
    test_retries();
    test_refused_retry();
    test_platform_canary();
    printf("test_op_loop: ok\n");
    return 0;
}
