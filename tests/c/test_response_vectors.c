/* Every answer of tests/vectors/responses.json through delete_parse_response.
 * The harness (crates/capi/tests/c.rs, write_response_vectors) turns the
 * JSON into DELETE_TEST_RESPONSE_VECTORS, one case a line of tab-separated
 * tokens, strings as "x" and their bytes in hex, "-" for absent:
 *   name product region reference status outcome code in_doubt
 *   confirmed_by retry_after_ms vendor_message within_secs until
 *   vendor_status header_count (name value)... audit_count audit... body
 * where outcome is a DELETE_OUTCOME_*, code 0 unless it failed, region 0
 * for a vendor without regions.
 * Each line is the case's one-attempt reading: delete_parse_response reads
 * one answer without the history of earlier attempts or retry decisions,
 * so "retry", "uncertain_before" and confirmation by absence are checked by
 * the Rust test of the op, not here. */
#include "support.h"

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

/* The next token of the line being read; every line has all its tokens. */
static const char *next_token(const char *name) {
    const char *token = strtok(NULL, "\t\n");
    if (token == NULL) {
        fprintf(stderr, "%s: the vector line ends early\n", name);
        exit(1);
    }
    return token;
}

static unsigned long next_number(const char *name) {
    const char *token = next_token(name);
    char *end = NULL;
    unsigned long value = strtoul(token, &end, 10);
    CHECK(end != token && *end == '\0');
    return value;
}

static void fail(const char *name, const char *what, const delete_outcome *outcome) {
    const char *message = "(none)";
    OK(delete_outcome_message(outcome, &message));
    fprintf(stderr, "%s: %s; outcome: %s\n", name, what, message);
    exit(1);
}

/* A client of every vendor's documented hosts, `product`'s vendor in
 * `region` when it has regions (Jumio's or Onfido's). */
static delete_client *client_in(delete_product product, delete_region region) {
    bool jumio = product <= DELETE_PRODUCT_JUMIO_DOCUMENT;
    bool onfido = product == DELETE_PRODUCT_ONFIDO_APPLICANT;
    CHECK((region != 0) == (jumio || onfido));
    delete_client_builder *builder = NULL;
    delete_client *client = NULL;
    OK(delete_client_builder_new(&builder));
    OK(delete_client_builder_set_jumio(builder, "token", "secret", USER_AGENT,
                                       jumio ? region : DELETE_REGION_US));
    OK(delete_client_builder_set_hyperverge(builder, "app-id", "app-key"));
    OK(delete_client_builder_set_onfido(builder, "onfido-token", onfido ? region : DELETE_REGION_EU));
    OK(delete_client_builder_set_persona(builder, "persona-key"));
    OK(delete_client_builder_set_stripe(builder, "sk_test_key"));
    OK(delete_client_builder_set_veriff(builder, "veriff-key", "veriff-secret"));
    OK(delete_client_builder_build(builder, &client));
    delete_client_builder_free(builder);
    return client;
}

/* Runs the case whose name token strtok has just returned. */
static void run_case(const char *hex_name) {
    char *name = decode(hex_name);
    delete_product product = (delete_product)next_number(name);
    delete_region region = (delete_region)next_number(name);
    char *reference = decode(next_token(name));
    uint16_t status = (uint16_t)next_number(name);
    delete_status want_outcome = (delete_status)next_number(name);
    delete_result want_code = (delete_result)next_number(name);
    bool want_in_doubt = next_number(name) != 0;
    unsigned long want_confirmed_by = next_number(name);
    const char *retry_token = next_token(name);
    bool want_retry_after = strcmp(retry_token, "-") != 0;
    uint64_t want_retry_after_ms = want_retry_after ? strtoull(retry_token, NULL, 10) : 0;
    char *want_message = decode(next_token(name));
    const char *within_token = next_token(name);
    bool want_within = strcmp(within_token, "-") != 0;
    uint64_t want_within_secs = want_within ? strtoull(within_token, NULL, 10) : 0;
    char *want_until = decode(next_token(name));
    char *want_vendor_status = decode(next_token(name));
    size_t header_count = next_number(name);
    delete_header *headers = calloc(header_count + 1, sizeof *headers);
    CHECK(headers != NULL);
    for (size_t i = 0; i < header_count; i++) {
        headers[i].name = decode(next_token(name));
        headers[i].value = decode(next_token(name));
    }
    const char *audit_token = next_token(name);
    bool check_audits = strcmp(audit_token, "-") != 0;
    size_t audit_count = 0;
    char **audits = NULL;
    if (check_audits) {
        char *end = NULL;
        audit_count = strtoul(audit_token, &end, 10);
        CHECK(*end == '\0');
        audits = calloc(audit_count + 1, sizeof *audits);
        CHECK(audits != NULL);
        for (size_t i = 0; i < audit_count; i++) {
            audits[i] = decode(next_token(name));
        }
    }
    char *body = decode(next_token(name));

    delete_client *client = client_in(product, region);
    delete_request *request = NULL;
    OK(delete_to_request(client, product, reference, &request));
    delete_outcome *outcome = NULL;
    OK(delete_parse_response(request, status, header_count > 0 ? headers : NULL, header_count,
                             (const uint8_t *)body, strlen(body), &outcome));

    delete_status outcome_status = 0;
    OK(delete_outcome_status(outcome, &outcome_status));
    if (outcome_status != want_outcome) {
        fail(name, "another status", outcome);
    }
    bool deleted = outcome_status != DELETE_OUTCOME_DELETED;
    OK(delete_outcome_deleted(outcome, &deleted));
    CHECK(deleted == (want_outcome == DELETE_OUTCOME_DELETED));
    delete_result code = DELETE_RESULT_PANIC;
    if (want_outcome == DELETE_OUTCOME_SCHEDULED) {
        /* Neither failed nor deleted: no result code at all. */
        EXPECT(delete_outcome_error(outcome, &code), DELETE_RESULT_ABSENT);
        CHECK(code == DELETE_RESULT_PANIC);
    } else if (test_error(outcome) != want_code) {
        fail(name, "another result code", outcome);
    }
    uint64_t within_secs = 0;
    const char *until = NULL, *vendor_status = NULL, *completes = NULL;
    if (want_outcome == DELETE_OUTCOME_SCHEDULED) {
        OK(delete_outcome_completes(outcome, &completes));
        CHECK(completes[0] != '\0');
    } else {
        EXPECT(delete_outcome_completes(outcome, &completes), DELETE_RESULT_ABSENT);
    }
    if (want_within) {
        OK(delete_outcome_within_secs(outcome, &within_secs));
        if (within_secs != want_within_secs) {
            fail(name, "another within", outcome);
        }
    } else {
        EXPECT(delete_outcome_within_secs(outcome, &within_secs), DELETE_RESULT_ABSENT);
    }
    if (want_until != NULL) {
        OK(delete_outcome_until(outcome, &until));
        if (strcmp(until, want_until) != 0) {
            fail(name, "another until", outcome);
        }
    } else {
        EXPECT(delete_outcome_until(outcome, &until), DELETE_RESULT_ABSENT);
    }
    if (want_vendor_status != NULL) {
        OK(delete_outcome_vendor_status(outcome, &vendor_status));
        if (strcmp(vendor_status, want_vendor_status) != 0) {
            fail(name, "another vendor status", outcome);
        }
    } else {
        EXPECT(delete_outcome_vendor_status(outcome, &vendor_status), DELETE_RESULT_ABSENT);
    }
    bool in_doubt = !want_in_doubt;
    OK(delete_outcome_in_doubt(outcome, &in_doubt));
    if (in_doubt != want_in_doubt) {
        fail(name, "in_doubt differs", outcome);
    }
    uint32_t attempts = 0;
    OK(delete_outcome_attempts(outcome, &attempts));
    CHECK(attempts == 1);
    delete_confirmed_by confirmed_by = DELETE_CONFIRMED_BY_RESPONSE;
    uint16_t got_status = 0;
    if (want_outcome == DELETE_OUTCOME_SCHEDULED) {
        /* A success that is not a deletion: neither confirmed nor failed. */
        EXPECT(delete_outcome_confirmed_by(outcome, &confirmed_by), DELETE_RESULT_ABSENT);
        EXPECT(delete_outcome_http_status(outcome, &got_status), DELETE_RESULT_ABSENT);
    } else if (want_confirmed_by == 0) {
        EXPECT(delete_outcome_confirmed_by(outcome, &confirmed_by), DELETE_RESULT_ABSENT);
        OK(delete_outcome_http_status(outcome, &got_status));
        if (got_status != status) {
            fail(name, "another HTTP status", outcome);
        }
    } else {
        OK(delete_outcome_confirmed_by(outcome, &confirmed_by));
        if ((unsigned long)confirmed_by != want_confirmed_by) {
            fail(name, "confirmed another way", outcome);
        }
    }
    uint64_t retry_after_ms = 0;
    if (want_retry_after) {
        OK(delete_outcome_retry_after_ms(outcome, &retry_after_ms));
        if (retry_after_ms != want_retry_after_ms) {
            fail(name, "another Retry-After", outcome);
        }
    } else {
        EXPECT(delete_outcome_retry_after_ms(outcome, &retry_after_ms), DELETE_RESULT_ABSENT);
    }
    const char *message = NULL;
    if (want_message != NULL) {
        OK(delete_outcome_vendor_message(outcome, &message));
        if (strcmp(message, want_message) != 0) {
            fail(name, "another vendor message", outcome);
        }
    } else {
        EXPECT(delete_outcome_vendor_message(outcome, &message), DELETE_RESULT_ABSENT);
    }
    if (check_audits) {
        size_t count = 0;
        OK(delete_outcome_audit_count(outcome, &count));
        CHECK(count == audit_count);
        for (size_t i = 0; i < audit_count; i++) {
            const char *audit = NULL;
            OK(delete_outcome_audit(outcome, i, &audit));
            CHECK(strcmp(audit, audits[i]) == 0);
        }
    }

    delete_outcome_free(outcome);
    delete_request_free(request);
    delete_client_free(client);
    for (size_t i = 0; i < header_count; i++) {
        free((char *)headers[i].name);
        free((char *)headers[i].value);
    }
    free(headers);
    for (size_t i = 0; i < audit_count; i++) {
        free(audits[i]);
    }
    free(audits);
    free(body);
    free(want_message);
    free(want_until);
    free(want_vendor_status);
    free(reference);
    free(name);
}

int main(void) {
    FILE *file = fopen(test_env("DELETE_TEST_RESPONSE_VECTORS"), "r");
    CHECK(file != NULL);
    unsigned long expected = strtoul(test_env("DELETE_TEST_RESPONSE_VECTOR_COUNT"), NULL, 10);
    static char line[65536];
    unsigned long count = 0;
    while (fgets(line, sizeof line, file) != NULL) {
        CHECK(strchr(line, '\n') != NULL);
        const char *name = strtok(line, "\t\n");
        CHECK(name != NULL);
        run_case(name);
        count++;
    }
    fclose(file);
    CHECK(count == expected && count >= 120);
    printf("%lu response vectors passed\n", count);
    return 0;
}
