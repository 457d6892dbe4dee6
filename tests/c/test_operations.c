/* Every scenario of tests/vectors/operations.json through delete_op and
 * delete_token_state: a clock `now` from 0, one op, and for the Jumio
 * Platform one token state for the item's region. The harness
 * (crates/capi/tests/c.rs, write_operation_vectors) turns the JSON into
 * DELETE_TEST_OPERATION_VECTORS, one line of tab-separated tokens per
 * scenario and per step (strings as "x" and their bytes in hex, "-" for
 * unchecked), and passes the number of scenarios: every one must run. */
#include "support.h"

#define MAX_LINE 65536

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

static const char *scenario_name = "";

static const char *next_token(void) {
    const char *token = strtok(NULL, "\t\n");
    if (token == NULL) {
        fprintf(stderr, "%s: a vector line ends early\n", scenario_name);
        exit(1);
    }
    return token;
}

static unsigned long long next_number(void) {
    const char *token = next_token();
    char *end = NULL;
    unsigned long long value = strtoull(token, &end, 10);
    CHECK(end != token && *end == '\0');
    return value;
}

/* What a done step expects of one value. */
enum expect { UNCHECKED, VALUE, NONE };

/* A number, "-" (unchecked) or "none" (the outcome must have none). */
static unsigned long long next_optional(enum expect *expect) {
    const char *token = next_token();
    *expect = strcmp(token, "-") == 0 ? UNCHECKED : strcmp(token, "none") == 0 ? NONE : VALUE;
    if (*expect != VALUE) {
        return 0;
    }
    char *end = NULL;
    unsigned long long value = strtoull(token, &end, 10);
    CHECK(end != token && *end == '\0');
    return value;
}

static void fail(const char *what) {
    fprintf(stderr, "%s: %s\n", scenario_name, what);
    exit(1);
}

/* An answer's tokens: status, headers, body. Free with free_answer. */
struct answer {
    uint16_t status;
    size_t header_count;
    delete_header headers[32];
    char *strings[64];
    char *body;
};

static void read_answer(struct answer *answer) {
    answer->status = (uint16_t)next_number();
    answer->header_count = (size_t)next_number();
    CHECK(answer->header_count <= 32);
    for (size_t i = 0; i < answer->header_count; i++) {
        answer->strings[2 * i] = decode(next_token());
        answer->strings[2 * i + 1] = decode(next_token());
        answer->headers[i].name = answer->strings[2 * i];
        answer->headers[i].value = answer->strings[2 * i + 1];
    }
    answer->body = decode(next_token());
}

static void free_answer(struct answer *answer) {
    for (size_t i = 0; i < 2 * answer->header_count; i++) {
        free(answer->strings[i]);
    }
    free(answer->body);
}

/* The value of `name` (lowercase) in `request`, or NULL. */
static const char *request_header(const delete_request *request, const char *name) {
    size_t count = 0;
    OK(delete_request_header_count(request, &count));
    for (size_t i = 0; i < count; i++) {
        const char *header = NULL;
        const char *value = NULL;
        OK(delete_request_header(request, i, &header, &value));
        if (strcmp(header, name) == 0) {
            return value;
        }
    }
    return NULL;
}

/* One scenario's state. */
struct run {
    delete_client *client;
    delete_op *op;
    delete_token_state *tokens;
    uint64_t now;
    /* The token value the last token_use step expects on the next send. */
    char *expected_token;
};

static delete_client *scenario_client(char **credentials, const char *base_url,
                                      uint32_t max_attempts, uint32_t base_ms, uint32_t max_ms,
                                      uint32_t retry_after_ms) {
    delete_client_builder *builder = NULL;
    delete_client *client = NULL;
    OK(delete_client_builder_new(&builder));
    OK(delete_client_builder_set_jumio(builder, credentials[0], credentials[1], credentials[2],
                                       DELETE_REGION_US));
    OK(delete_client_builder_set_hyperverge(builder, credentials[3], credentials[4]));
    OK(delete_client_builder_set_onfido(builder, credentials[5], DELETE_REGION_EU));
    OK(delete_client_builder_set_persona(builder, credentials[6]));
    OK(delete_client_builder_set_stripe(builder, credentials[7]));
    OK(delete_client_builder_set_veriff(builder, credentials[8], credentials[9]));
    OK(delete_client_builder_set_jumio_platform(builder, credentials[10], credentials[11],
                                                credentials[12], DELETE_REGION_US));
    if (base_url != NULL) {
        OK(delete_client_builder_set_base_url(builder, base_url));
    }
    OK(delete_client_builder_set_max_attempts(builder, max_attempts));
    OK(delete_client_builder_set_retry_delays(builder, base_ms, max_ms, retry_after_ms));
    OK(delete_client_builder_build(builder, &client));
    delete_client_builder_free(builder);
    return client;
}

static delete_action poll_op(struct run *run, delete_action_kind want) {
    delete_action action;
    OK(delete_op_poll(run->op, &action));
    if (action.kind != want) {
        char what[256];
        snprintf(what, sizeof what, "expected action %d, polled %d", (int)want, (int)action.kind);
        if (action.outcome != NULL) {
            const char *message = "";
            OK(delete_outcome_message(action.outcome, &message));
            fprintf(stderr, "%s: outcome: %s\n", scenario_name, message);
        }
        fail(what);
    }
    return action;
}

static void step_send(struct run *run) {
    char *method = decode(next_token());
    char *url = decode(next_token());
    size_t count = (size_t)next_number();
    delete_action action = poll_op(run, DELETE_ACTION_SEND);
    const char *got = NULL;
    if (method != NULL) {
        OK(delete_request_method(action.request, &got));
        if (strcmp(got, method) != 0) fail("the method differs");
    }
    if (url != NULL) {
        OK(delete_request_url(action.request, &got));
        if (strcmp(got, url) != 0) {
            fprintf(stderr, "%s: url %s, expected %s\n", scenario_name, got, url);
            exit(1);
        }
    }
    for (size_t i = 0; i < count; i++) {
        char *name = decode(next_token());
        char *value = decode(next_token());
        const char *sent = request_header(action.request, name);
        if (sent == NULL || strcmp(sent, value) != 0) {
            /* Never print the value: it may be a credential. */
            fprintf(stderr, "%s: the header %s is missing or differs\n", scenario_name, name);
            exit(1);
        }
        free(name);
        free(value);
    }
    if (run->expected_token != NULL) {
        const char *authorization = request_header(action.request, "authorization");
        CHECK(authorization != NULL && strncmp(authorization, "Bearer ", 7) == 0);
        if (strcmp(authorization + 7, run->expected_token) != 0) fail("another token was sent");
        free(run->expected_token);
        run->expected_token = NULL;
    }
    CHECK(action.outcome == NULL);
    delete_request_free(action.request);
    free(method);
    free(url);
}

static void step_respond(struct run *run) {
    struct answer answer;
    read_answer(&answer);
    OK(delete_op_handle_response(run->op, answer.status, answer.headers, answer.header_count,
                                 (const uint8_t *)answer.body, strlen(answer.body)));
    uint64_t generation = 0;
    delete_result taken = delete_op_take_rejected_token(run->op, &generation);
    if (taken == DELETE_RESULT_OK) {
        CHECK(run->tokens != NULL);
        OK(delete_token_state_reject(run->tokens, generation));
    } else {
        EXPECT(taken, DELETE_RESULT_ABSENT);
    }
    free_answer(&answer);
}

/* Gives a token state's error to the op, if there is one. */
static void token_error_to_op(struct run *run, delete_outcome *error) {
    if (error != NULL) {
        OK(delete_op_token_failed(run->op, error));
        delete_outcome_free(error);
    }
}

static void step_token_respond(struct run *run) {
    struct answer answer;
    read_answer(&answer);
    CHECK(run->tokens != NULL);
    delete_outcome *error = NULL;
    OK(delete_token_state_handle_response(run->tokens, run->now, answer.status, answer.headers,
                                          answer.header_count, (const uint8_t *)answer.body,
                                          strlen(answer.body), &error));
    token_error_to_op(run, error);
    free_answer(&answer);
}

static delete_token_action poll_tokens(struct run *run, delete_token_action_kind want) {
    CHECK(run->tokens != NULL);
    delete_token_action action;
    OK(delete_token_state_poll(run->tokens, run->now, &action));
    if (action.kind != want) {
        char what[128];
        snprintf(what, sizeof what, "expected token action %d, polled %d", (int)want,
                 (int)action.kind);
        fail(what);
    }
    return action;
}

static void step_done(struct run *run) {
    unsigned long long status_want = next_number();
    unsigned long long code = next_number();
    unsigned long long confirmed = next_number();
    enum expect has_doubt, has_http, has_attempts, has_retry, has_within;
    unsigned long long in_doubt = next_optional(&has_doubt);
    unsigned long long http = next_optional(&has_http);
    unsigned long long attempts = next_optional(&has_attempts);
    unsigned long long retry_after = next_optional(&has_retry);
    unsigned long long within = next_optional(&has_within);
    const char *until_token = next_token();
    enum expect has_until = strcmp(until_token, "-") == 0      ? UNCHECKED
                            : strcmp(until_token, "none") == 0 ? NONE
                                                               : VALUE;
    char *until = has_until == VALUE ? decode(until_token) : NULL;

    delete_action action = poll_op(run, DELETE_ACTION_DONE);
    const delete_outcome *outcome = action.outcome;
    CHECK(outcome != NULL && action.request == NULL);
    const char *message = "";
    OK(delete_outcome_message(outcome, &message));
    delete_status status;
    OK(delete_outcome_status(outcome, &status));
    if ((unsigned long long)status != status_want) {
        fprintf(stderr, "%s: status %d, expected %llu: %s\n", scenario_name, (int)status,
                status_want, message);
        exit(1);
    }
    delete_result error = DELETE_RESULT_PANIC;
    if (status == DELETE_OUTCOME_SCHEDULED) {
        /* Never answers "deleted" (DELETE_RESULT_OK) for a scheduled one. */
        EXPECT(delete_outcome_error(outcome, &error), DELETE_RESULT_ABSENT);
        error = DELETE_RESULT_OK;
    } else {
        OK(delete_outcome_error(outcome, &error));
    }
    if ((unsigned long long)error != code) {
        fprintf(stderr, "%s: error %d, expected %llu: %s\n", scenario_name, (int)error, code,
                message);
        exit(1);
    }
    if (confirmed != 0) {
        delete_confirmed_by by;
        OK(delete_outcome_confirmed_by(outcome, &by));
        if ((unsigned long long)by != confirmed) fail("confirmed otherwise");
    }
    if (has_doubt == VALUE) {
        bool doubt = false;
        OK(delete_outcome_in_doubt(outcome, &doubt));
        if (doubt != (in_doubt != 0)) fail("in_doubt differs");
    }
    uint16_t http_got = 0;
    if (has_http == VALUE) {
        OK(delete_outcome_http_status(outcome, &http_got));
        if (http_got != http) fail("the HTTP status differs");
    } else if (has_http == NONE) {
        EXPECT(delete_outcome_http_status(outcome, &http_got), DELETE_RESULT_ABSENT);
    }
    CHECK(has_doubt != NONE && has_attempts != NONE);
    if (has_attempts == VALUE) {
        uint32_t got = 0;
        OK(delete_outcome_attempts(outcome, &got));
        uint32_t op_attempts = 0;
        OK(delete_op_attempts(run->op, &op_attempts));
        if (got != attempts || op_attempts != attempts) {
            fprintf(stderr, "%s: %u attempts (op %u), expected %llu\n", scenario_name, got,
                    op_attempts, attempts);
            exit(1);
        }
    }
    uint64_t number = 0;
    if (has_retry == VALUE) {
        OK(delete_outcome_retry_after_ms(outcome, &number));
        if (number != retry_after) fail("retry_after_ms differs");
    } else if (has_retry == NONE) {
        EXPECT(delete_outcome_retry_after_ms(outcome, &number), DELETE_RESULT_ABSENT);
    }
    if (has_within == VALUE) {
        OK(delete_outcome_within_secs(outcome, &number));
        if (number != within) fail("within_secs differs");
    } else if (has_within == NONE) {
        EXPECT(delete_outcome_within_secs(outcome, &number), DELETE_RESULT_ABSENT);
    }
    const char *text = NULL;
    if (has_until == VALUE) {
        OK(delete_outcome_until(outcome, &text));
        if (strcmp(text, until) != 0) fail("until differs");
        free(until);
    } else if (has_until == NONE) {
        EXPECT(delete_outcome_until(outcome, &text), DELETE_RESULT_ABSENT);
    }
    delete_outcome_free(action.outcome);
}

static void run_step(struct run *run, char *line) {
    const char *kind = strtok(line, "\t\n");
    CHECK(kind != NULL);
    if (strcmp(kind, "send") == 0) {
        step_send(run);
    } else if (strcmp(kind, "respond") == 0) {
        step_respond(run);
    } else if (strcmp(kind, "transport") == 0) {
        delete_transport_error error = (delete_transport_error)next_number();
        bool sent = next_number() != 0;
        OK(delete_op_handle_transport_error(run->op, error, sent));
    } else if (strcmp(kind, "wait") == 0) {
        uint64_t min = next_number();
        uint64_t max = next_number();
        delete_action action = poll_op(run, DELETE_ACTION_WAIT);
        CHECK(action.request == NULL && action.outcome == NULL);
        if (action.wait_ms < min || action.wait_ms > max) {
            fprintf(stderr, "%s: waits %llu ms, expected %llu to %llu\n", scenario_name,
                    (unsigned long long)action.wait_ms, (unsigned long long)min,
                    (unsigned long long)max);
            exit(1);
        }
        run->now += action.wait_ms;
    } else if (strcmp(kind, "advance") == 0) {
        run->now += next_number();
    } else if (strcmp(kind, "authorize") == 0) {
        delete_action action = poll_op(run, DELETE_ACTION_AUTHORIZE);
        CHECK(action.request == NULL && action.outcome == NULL);
    } else if (strcmp(kind, "token_send") == 0) {
        char *url = decode(next_token());
        delete_token_action action = poll_tokens(run, DELETE_TOKEN_ACTION_SEND);
        CHECK(action.request != NULL && action.token == NULL && action.error == NULL);
        if (url != NULL) {
            const char *got = NULL;
            OK(delete_request_url(action.request, &got));
            if (strcmp(got, url) != 0) fail("the token URL differs");
            free(url);
        }
        delete_request_free(action.request);
    } else if (strcmp(kind, "token_respond") == 0) {
        step_token_respond(run);
    } else if (strcmp(kind, "token_transport") == 0) {
        delete_transport_error error = (delete_transport_error)next_number();
        (void)next_number(); /* sent: a token request changes nothing */
        CHECK(run->tokens != NULL);
        delete_outcome *outcome = NULL;
        OK(delete_token_state_handle_transport_error(run->tokens, error, &outcome));
        CHECK(outcome != NULL);
        token_error_to_op(run, outcome);
    } else if (strcmp(kind, "token_use") == 0) {
        char *value = decode(next_token());
        delete_token_action action = poll_tokens(run, DELETE_TOKEN_ACTION_USE);
        CHECK(action.token != NULL && action.request == NULL && action.error == NULL);
        OK(delete_op_authorize(run->op, action.token));
        delete_token_free(action.token);
        free(run->expected_token);
        run->expected_token = value;
    } else if (strcmp(kind, "token_refused") == 0) {
        unsigned long long code = next_number();
        delete_token_action action = poll_tokens(run, DELETE_TOKEN_ACTION_REFUSED);
        CHECK(action.error != NULL && action.token == NULL && action.request == NULL);
        delete_result error = DELETE_RESULT_OK;
        OK(delete_outcome_error(action.error, &error));
        if ((unsigned long long)error != code) fail("refused with another kind");
        token_error_to_op(run, action.error);
    } else if (strcmp(kind, "done") == 0) {
        step_done(run);
    } else {
        fail("unknown step");
    }
    if (strtok(NULL, "\t\n") != NULL) fail("a step line has extra tokens");
}

int main(void) {
    const char *path = test_env("DELETE_TEST_OPERATION_VECTORS");
    unsigned long expected = strtoul(test_env("DELETE_TEST_OPERATION_VECTOR_COUNT"), NULL, 10);
    FILE *file = fopen(path, "r");
    CHECK(file != NULL);
    static char line[MAX_LINE];
    char *credentials[13];
    CHECK(fgets(line, sizeof line, file) != NULL);
    for (int i = 0; i < 13; i++) {
        credentials[i] = decode(i == 0 ? strtok(line, "\t\n") : next_token());
        CHECK(credentials[i] != NULL);
    }
    unsigned long scenarios = 0;
    while (fgets(line, sizeof line, file) != NULL) {
        CHECK(strchr(line, '\n') != NULL); /* the whole line was read */
        CHECK(strcmp(strtok(line, "\t\n"), "scenario") == 0);
        char *name = decode(next_token());
        scenario_name = name;
        delete_item item;
        item.product = (delete_product)next_number();
        item.region = (delete_region)next_number();
        char *reference = decode(next_token());
        item.reference = reference;
        item.subject = NULL;
        char *base_url = decode(next_token());
        uint32_t max_attempts = (uint32_t)next_number();
        uint32_t base_ms = (uint32_t)next_number();
        uint32_t max_ms = (uint32_t)next_number();
        uint32_t retry_after_ms = (uint32_t)next_number();
        uint64_t seed = next_number();
        bool in_doubt = next_number() != 0;
        unsigned long long steps = next_number();

        struct run run = {0};
        run.client = scenario_client(credentials, base_url, max_attempts, base_ms, max_ms,
                                     retry_after_ms);
        OK(delete_client_op_new(run.client, &item, seed, in_doubt, &run.op));
        if (item.product == DELETE_PRODUCT_JUMIO_PLATFORM_ACCOUNT ||
            item.product == DELETE_PRODUCT_JUMIO_PLATFORM_WORKFLOW) {
            OK(delete_client_token_state_new(run.client, item.region, &run.tokens));
        }
        for (unsigned long long i = 0; i < steps; i++) {
            CHECK(fgets(line, sizeof line, file) != NULL);
            CHECK(strchr(line, '\n') != NULL);
            run_step(&run, line);
        }
        CHECK(run.expected_token == NULL);
        delete_token_state_free(run.tokens);
        delete_op_free(run.op);
        delete_client_free(run.client);
        free(reference);
        free(base_url);
        free(name);
        scenario_name = "";
        scenarios++;
    }
    fclose(file);
    for (int i = 0; i < 13; i++) {
        free(credentials[i]);
    }
    if (scenarios != expected || scenarios == 0) {
        fprintf(stderr, "ran %lu operation scenarios of %lu\n", scenarios, expected);
        return 1;
    }
    printf("test_operations: %lu scenarios ok\n", scenarios);
    return 0;
}
