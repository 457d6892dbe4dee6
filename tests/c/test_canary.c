/* The secret canary through libdelete: the CANARY_* credentials of
 * support.h, accepted by DELETE_TEST_CANARY_URL, used for successes, 401,
 * 403, 429, 5xx with retries, timeouts, resets, refused connections,
 * batches with journals (and their resumes), progress callbacks and the
 * sans-IO requests and answers. Every string libdelete hands out (messages,
 * vendor messages, audits, URLs, bodies, non-credential headers) and every
 * journal byte must be free of the canaries, their distinctive suffixes in
 * any case, and the base64 of token:secret. Messages are also printed, so
 * the harness checks them again in this program's output. The Jumio
 * Platform runs through DELETE_TEST_CANARY_PLATFORM_URL, whose proxy
 * tells the harness the access tokens issued, so they are searched for in
 * the output too. */
#include <ctype.h>

#include "support.h"

static const char *const NEEDLES[] = {
    CANARY_TOKEN,        CANARY_SECRET,      CANARY_APP_ID,     CANARY_APP_KEY,
    CANARY_CLIENT_ID,    CANARY_CLIENT_SECRET, CANARY_ONFIDO_TOKEN, CANARY_PERSONA_KEY,
    CANARY_STRIPE_KEY,   CANARY_VERIFF_KEY,  CANARY_VERIFF_SECRET, CANARY_BASIC};
static const char *const SUFFIXES[] = {"7f3a9c", "b41d2e", "93c0e1", "d5a8f4", "0e7b26", "a9f3c8",
                                       "4c2e71", "8b5d03", "6f1a94", "2d7c50", "e83b16"};

static void check_clean_bytes(const char *label, const char *text, size_t length) {
    char *lower = malloc(length + 1);
    CHECK(lower != NULL);
    for (size_t i = 0; i < length; i++) {
        /* NUL bytes would end the searches early. */
        lower[i] = text[i] == '\0' ? ' ' : (char)tolower((unsigned char)text[i]);
    }
    lower[length] = '\0';
    for (size_t i = 0; i < length; i++) {
        for (size_t n = 0; n < sizeof NEEDLES / sizeof NEEDLES[0]; n++) {
            if (strncmp(text + i, NEEDLES[n], strlen(NEEDLES[n])) == 0) {
                fprintf(stderr, "%s leaks a canary credential\n", label);
                exit(1);
            }
        }
    }
    for (size_t n = 0; n < sizeof SUFFIXES / sizeof SUFFIXES[0]; n++) {
        if (strstr(lower, SUFFIXES[n]) != NULL) {
            fprintf(stderr, "%s leaks a canary suffix\n", label);
            exit(1);
        }
    }
    free(lower);
}

static void check_clean(const char *label, const char *text) {
    CHECK(text != NULL);
    check_clean_bytes(label, text, strlen(text));
}

/* A client with the canary credentials. */
static delete_client *canary_client(const char *base_url, uint32_t max_attempts,
                                    uint32_t timeout_ms) {
    delete_client_builder *builder = NULL;
    delete_client *client = NULL;
    OK(delete_client_builder_new(&builder));
    OK(delete_client_builder_set_jumio(builder, CANARY_TOKEN, CANARY_SECRET, USER_AGENT,
                                       DELETE_REGION_EU));
    OK(delete_client_builder_set_hyperverge(builder, CANARY_APP_ID, CANARY_APP_KEY));
    OK(delete_client_builder_set_base_url(builder, base_url));
    OK(delete_client_builder_set_max_attempts(builder, max_attempts));
    if (timeout_ms > 0) {
        OK(delete_client_builder_set_timeout_ms(builder, timeout_ms));
    }
    OK(delete_client_builder_build(builder, &client));
    delete_client_builder_free(builder);
    return client;
}

/* Every string of an outcome; prints its message. Returns its error code. */
static delete_result check_outcome(const char *label, const delete_outcome *outcome) {
    const char *text = NULL;
    OK(delete_outcome_message(outcome, &text));
    check_clean(label, text);
    printf("%s: %s\n", label, text);
    delete_result got = delete_outcome_vendor_message(outcome, &text);
    CHECK(got == DELETE_RESULT_OK || got == DELETE_RESULT_ABSENT);
    if (got == DELETE_RESULT_OK) {
        check_clean(label, text);
    }
    size_t audits = 0;
    OK(delete_outcome_audit_count(outcome, &audits));
    for (size_t i = 0; i < audits; i++) {
        OK(delete_outcome_audit(outcome, i, &text));
        check_clean(label, text);
    }
    return test_error(outcome);
}

/* Deletes a scan and a HyperVerge transaction; checks both outcomes. */
static void delete_both(const char *label, const delete_client *client, const char *reference,
                        const char *transaction, delete_result expected) {
    delete_outcome *outcome = test_delete(client, DELETE_PRODUCT_JUMIO_SCAN, reference);
    delete_result got = check_outcome(label, outcome);
    delete_outcome_free(outcome);
    if (expected != DELETE_RESULT_PANIC && got != expected) {
        fprintf(stderr, "%s (jumio): %d, expected %d\n", label, (int)got, (int)expected);
        exit(1);
    }
    outcome = test_delete(client, DELETE_PRODUCT_HYPERVERGE_TRANSACTION, transaction);
    got = check_outcome(label, outcome);
    delete_outcome_free(outcome);
    if (expected != DELETE_RESULT_PANIC && got != expected) {
        fprintf(stderr, "%s (hyperverge): %d, expected %d\n", label, (int)got, (int)expected);
        exit(1);
    }
}

static void test_one_offs(void) {
    delete_client *client = canary_client(test_env("DELETE_TEST_CANARY_URL"), 2, 0);
    delete_both("deleted", client, "ref-0001", "txn-0001", DELETE_RESULT_OK);
    delete_both("not found", client, "ref-0001", "txn-0001", DELETE_RESULT_NOT_FOUND);
    delete_client_free(client);

    /* DELETE_PANIC: any code (resets may end in a deletion by absence). */
    struct {
        const char *label;
        const char *url;
        uint32_t timeout_ms;
        delete_result expected;
    } cases[] = {
        {"401", "DELETE_TEST_URL", 0, DELETE_RESULT_UNAUTHORIZED},
        {"429", "DELETE_TEST_RATE_LIMITED_URL", 0, DELETE_RESULT_RATE_LIMITED},
        {"500", "DELETE_TEST_SERVER_ERROR_URL", 0, DELETE_RESULT_SERVER},
        {"timeout", "DELETE_TEST_SLOW_URL", 200, DELETE_RESULT_TIMEOUT},
        {"reset", "DELETE_TEST_RESET_URL", 0, DELETE_RESULT_PANIC},
        {"connect", "DELETE_TEST_CLOSED_URL", 0, DELETE_RESULT_CONNECT},
        {"tls", "DELETE_TEST_NOT_TLS_URL", 0, DELETE_RESULT_TLS},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        client = canary_client(test_env(cases[i].url), 2, cases[i].timeout_ms);
        delete_both(cases[i].label, client, "ref-0002", "txn-0002", cases[i].expected);
        delete_client_free(client);
    }

    /* 403 from HyperVerge's IP allow-list. */
    client = canary_client(test_env("DELETE_TEST_FORBIDDEN_URL"), 1, 0);
    delete_outcome *outcome =
        test_delete(client, DELETE_PRODUCT_HYPERVERGE_TRANSACTION, "txn-0003");
    CHECK(check_outcome("403", outcome) == DELETE_RESULT_FORBIDDEN);
    delete_outcome_free(outcome);
    delete_client_free(client);
}

/* A Jumio Platform client with the canary client credentials. */
static delete_client *canary_platform_client(const char *base_url) {
    delete_client_builder *builder = NULL;
    delete_client *client = NULL;
    OK(delete_client_builder_new(&builder));
    OK(delete_client_builder_set_jumio_platform(builder, CANARY_CLIENT_ID, CANARY_CLIENT_SECRET,
                                                USER_AGENT, DELETE_REGION_EU));
    OK(delete_client_builder_set_base_url(builder, base_url));
    OK(delete_client_builder_set_max_attempts(builder, 2));
    OK(delete_client_builder_build(builder, &client));
    delete_client_builder_free(builder);
    return client;
}

/* Deletes an account and a workflow execution; checks both outcomes. */
static void delete_platform(const char *label, const delete_client *client, const char *account,
                            const char *workflow, delete_result expected) {
    const delete_product products[] = {DELETE_PRODUCT_JUMIO_PLATFORM_WORKFLOW,
                                       DELETE_PRODUCT_JUMIO_PLATFORM_ACCOUNT};
    const char *references[] = {workflow, account};
    for (size_t i = 0; i < 2; i++) {
        delete_outcome *outcome = test_delete(client, products[i], references[i]);
        delete_result got = check_outcome(label, outcome);
        delete_outcome_free(outcome);
        if (got != expected) {
            fprintf(stderr, "%s (platform %zu): %d, expected %d\n", label, i, (int)got,
                    (int)expected);
            exit(1);
        }
    }
}

static void test_platform(void) {
    delete_client *client = canary_platform_client(test_env("DELETE_TEST_CANARY_PLATFORM_URL"));
    delete_platform("platform deleted", client, PLATFORM_ACCOUNT("0010"), PLATFORM_WORKFLOW("0010"),
                    DELETE_RESULT_OK);
    delete_platform("platform not found", client, PLATFORM_ACCOUNT("0010"),
                    PLATFORM_WORKFLOW("0010"), DELETE_RESULT_NOT_FOUND);
    uint64_t tokens = 0;
    OK(delete_client_token_requests(client, &tokens));
    CHECK(tokens == 1);
    delete_client_free(client);
    /* The other emulators accept only their default client credentials. */
    struct {
        const char *label;
        const char *url;
        delete_result expected;
    } cases[] = {
        {"platform 401", "DELETE_TEST_URL", DELETE_RESULT_UNAUTHORIZED},
        {"platform connect", "DELETE_TEST_CLOSED_URL", DELETE_RESULT_CONNECT},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        client = canary_platform_client(test_env(cases[i].url));
        delete_platform(cases[i].label, client, PLATFORM_ACCOUNT("0011"),
                        PLATFORM_WORKFLOW("0011"), cases[i].expected);
        delete_client_free(client);
    }
}

static bool progress(void *user_data, const delete_progress *p) {
    (void)p;
    (*(int *)user_data)++;
    return true;
}

/* Masks a journal's hash chain values (`"chain":"` and 64 hex digits,
 * SHA-256 outputs over the very lines checked here): random hex that holds
 * a canary suffix by chance (about 1 in 400 for a journal of 100 lines) is
 * no leak. */
static void mask_chains(char *bytes, size_t length) {
    static const char key[] = "\"chain\":\"";
    size_t key_length = strlen(key);
    for (size_t i = 0; i + key_length + 64 <= length; i++) {
        if (memcmp(bytes + i, key, key_length) != 0) continue;
        char *hex = bytes + i + key_length;
        size_t digits = 0;
        while (digits < 64 && ((hex[digits] >= '0' && hex[digits] <= '9') ||
                               (hex[digits] >= 'a' && hex[digits] <= 'f'))) {
            digits++;
        }
        if (digits == 64) memset(hex, 'x', 64);
    }
}

static void check_file(const char *path) {
    FILE *file = fopen(path, "rb");
    CHECK(file != NULL);
    CHECK(fseek(file, 0, SEEK_END) == 0);
    long length = ftell(file);
    CHECK(length > 0);
    rewind(file);
    char *bytes = malloc((size_t)length);
    CHECK(bytes != NULL);
    CHECK(fread(bytes, 1, (size_t)length, file) == (size_t)length);
    fclose(file);
    mask_chains(bytes, (size_t)length);
    check_clean_bytes(path, bytes, (size_t)length);
    free(bytes);
}

/* Runs a batch of 60 references; returns how often progress was reported. */
static int run_batch(const delete_client *client, delete_product product, const char *journal,
                     const char *prefix) {
    char names[60][16];
    const char *references[60];
    for (int i = 0; i < 60; i++) {
        snprintf(names[i], sizeof names[i], "%s-%04d", prefix, 100 + i);
        references[i] = names[i];
    }
    int calls = 0;
    delete_batch_options *options = NULL;
    OK(delete_batch_options_new(&options));
    OK(delete_batch_options_set_concurrency(options, 4));
    OK(delete_batch_options_set_journal(options, journal));
    OK(delete_batch_options_set_progress(options, progress, &calls));
    delete_batch_report *report = NULL;
    OK(delete_client_delete_many(client, product, references, 60, options, &report));
    size_t failures = 0;
    OK(delete_batch_report_failure_count(report, &failures));
    printf("batch %s: %zu failures\n", journal, failures);
    delete_batch_report_free(report);
    delete_batch_options_free(options);
    return calls;
}

/* A batch of 60 seeded accounts through the token recorder, then resumed. */
static void platform_batch(const char *journal) {
    delete_client *client = canary_platform_client(test_env("DELETE_TEST_CANARY_PLATFORM_URL"));
    char names[60][40];
    const char *accounts[60];
    for (int i = 0; i < 60; i++) {
        snprintf(names[i], sizeof names[i], "a0000000-0000-4000-8000-%012d", 100 + i);
        accounts[i] = names[i];
    }
    for (int run = 0; run < 2; run++) {
        int calls = 0;
        delete_batch_options *options = NULL;
        OK(delete_batch_options_new(&options));
        OK(delete_batch_options_set_concurrency(options, 4));
        OK(delete_batch_options_set_journal(options, journal));
        OK(delete_batch_options_set_progress(options, progress, &calls));
        delete_batch_report *report = NULL;
        OK(delete_client_delete_many(client, DELETE_PRODUCT_JUMIO_PLATFORM_ACCOUNT, accounts, 60,
                                     options, &report));
        uint64_t count = 0;
        OK(delete_batch_report_count(report, DELETE_BATCH_COUNT_TOKEN_REQUESTS, &count));
        CHECK(count == (run == 0 ? 1 : 0));
        delete_batch_report_free(report);
        delete_batch_options_free(options);
    }
    check_file(journal);
    delete_client_free(client);
}

static void test_batches(void) {
    const char *tmp = test_env("DELETE_TEST_TMPDIR");
    char journal[4096];
    snprintf(journal, sizeof journal, "%s/canary-platform.journal", tmp);
    platform_batch(journal);
    /* Succeeding, then resumed. */
    delete_client *client = canary_client(test_env("DELETE_TEST_CANARY_URL"), 2, 0);
    snprintf(journal, sizeof journal, "%s/canary-jumio.journal", tmp);
    CHECK(run_batch(client, DELETE_PRODUCT_JUMIO_DOCUMENT, journal, "ref") > 0);
    (void)run_batch(client, DELETE_PRODUCT_JUMIO_DOCUMENT, journal, "ref");
    check_file(journal);
    snprintf(journal, sizeof journal, "%s/canary-hyperverge.journal", tmp);
    CHECK(run_batch(client, DELETE_PRODUCT_HYPERVERGE_TRANSACTION, journal, "txn") > 0);
    check_file(journal);
    delete_client_free(client);
    /* Failing: refused credentials, and resets (in doubt), then resumed. */
    client = canary_client(test_env("DELETE_TEST_URL"), 1, 0);
    snprintf(journal, sizeof journal, "%s/refused.journal", tmp);
    CHECK(run_batch(client, DELETE_PRODUCT_JUMIO_SCAN, journal, "ref") > 0);
    check_file(journal);
    delete_client_free(client);
    client = canary_client(test_env("DELETE_TEST_RESET_URL"), 1, 0);
    snprintf(journal, sizeof journal, "%s/reset.journal", tmp);
    CHECK(run_batch(client, DELETE_PRODUCT_HYPERVERGE_TRANSACTION, journal, "txn") > 0);
    /* The resume re-runs the items left in doubt. */
    CHECK(run_batch(client, DELETE_PRODUCT_HYPERVERGE_TRANSACTION, journal, "txn") > 0);
    check_file(journal);
    delete_client_free(client);
}

static void test_sans_io(void) {
    delete_client *client = canary_client("https://proxy.example", 1, 0);
    const delete_product products[] = {DELETE_PRODUCT_JUMIO_SCAN, DELETE_PRODUCT_JUMIO_DOCUMENT,
                                       DELETE_PRODUCT_HYPERVERGE_TRANSACTION};
    for (size_t p = 0; p < sizeof products / sizeof products[0]; p++) {
        delete_request *request = NULL;
        OK(delete_to_request(client, products[p], "ref-0009", &request));
        const char *text = NULL;
        OK(delete_request_method(request, &text));
        check_clean("method", text);
        OK(delete_request_url(request, &text));
        check_clean("url", text);
        const uint8_t *body = NULL;
        size_t length = 0;
        OK(delete_request_body(request, &body, &length));
        check_clean_bytes("body", (const char *)body, length);
        size_t count = 0;
        OK(delete_request_header_count(request, &count));
        size_t credentials = 0;
        for (size_t i = 0; i < count; i++) {
            const char *name = NULL;
            const char *value = NULL;
            OK(delete_request_header(request, i, &name, &value));
            check_clean("header name", name);
            /* The credential headers carry them, for the caller to send. */
            if (strcmp(name, "authorization") == 0 || strcmp(name, "appid") == 0 ||
                strcmp(name, "appkey") == 0) {
                credentials++;
                continue;
            }
            check_clean(name, value);
        }
        CHECK(credentials > 0);
        static const struct {
            uint16_t status;
            const char *body;
        } answers[] = {
            {200, "{\"status\":\"success\",\"statusCode\":\"200\",\"message\":\"ok\","
                  "\"deletedAudits\":[\"a\"]}"},
            {401, "{\"status\":\"failure\",\"statusCode\":\"401\",\"error\":\"Missing/Invalid "
                  "credentials\"}"},
            {429, ""},
            {500, "<html>Internal Server Error</html>"},
            {302, ""},
        };
        const delete_header headers[] = {{"Retry-After", "1"}, {"Location", "https://x.example"}};
        for (size_t a = 0; a < sizeof answers / sizeof answers[0]; a++) {
            delete_outcome *outcome = NULL;
            OK(delete_parse_response(request, answers[a].status, headers, 2,
                                     (const uint8_t *)answers[a].body, strlen(answers[a].body),
                                     &outcome));
            (void)check_outcome("parse_response", outcome);
            delete_outcome_free(outcome);
        }
        delete_request_free(request);
    }
    delete_client_free(client);
}

/* Setters refusing a canary value must not keep or show it. */
static void test_refused_settings(void) {
    delete_client_builder *builder = NULL;
    OK(delete_client_builder_new(&builder));
    EXPECT(delete_client_builder_set_jumio(builder, CANARY_TOKEN ":" CANARY_SECRET, CANARY_SECRET,
                                           USER_AGENT, DELETE_REGION_EU),
           DELETE_RESULT_INVALID_CONFIG);
    EXPECT(delete_client_builder_set_base_url(builder,
                                              "https://" CANARY_TOKEN ":" CANARY_SECRET "@x.example"),
           DELETE_RESULT_INVALID_CONFIG);
    EXPECT(delete_client_builder_set_hyperverge_host(builder, CANARY_APP_KEY "@x.example"),
           DELETE_RESULT_INVALID_CONFIG);
    EXPECT(delete_client_builder_set_jumio_platform(builder, CANARY_CLIENT_ID ":" CANARY_CLIENT_SECRET,
                                                    CANARY_CLIENT_SECRET, USER_AGENT,
                                                    DELETE_REGION_EU),
           DELETE_RESULT_INVALID_CONFIG);
    EXPECT(delete_client_builder_set_jumio_platform(builder, CANARY_CLIENT_ID,
                                                    CANARY_CLIENT_SECRET "\n", USER_AGENT,
                                                    DELETE_REGION_EU),
           DELETE_RESULT_INVALID_CONFIG);
    for (unsigned int code = 0; code < 300; code++) {
        check_clean("delete_result_message", delete_result_message(code));
    }
    delete_client_builder_free(builder);
}

/* A client of the four vendors that schedule erasures, with the canary
 * credentials. */
static delete_client *canary_scheduling_client(const char *base_url) {
    return test_scheduling_client(base_url, CANARY_ONFIDO_TOKEN, CANARY_PERSONA_KEY,
                                  CANARY_STRIPE_KEY, CANARY_VERIFF_KEY, CANARY_VERIFF_SECRET);
}

/* Every string of an outcome of the vendors that schedule erasures,
 * scheduled ones included; prints its message. Returns its status. */
static delete_status check_any_outcome(const char *label, const delete_outcome *outcome) {
    const char *text = NULL;
    delete_status status = DELETE_OUTCOME_FAILED;
    OK(delete_outcome_status(outcome, &status));
    OK(delete_outcome_message(outcome, &text));
    check_clean(label, text);
    printf("%s: %s\n", label, text);
    if (delete_outcome_vendor_message(outcome, &text) == DELETE_RESULT_OK) {
        check_clean(label, text);
    }
    if (status == DELETE_OUTCOME_SCHEDULED) {
        OK(delete_outcome_completes(outcome, &text));
        check_clean(label, text);
        if (delete_outcome_until(outcome, &text) == DELETE_RESULT_OK) check_clean(label, text);
        if (delete_outcome_vendor_status(outcome, &text) == DELETE_RESULT_OK) {
            check_clean(label, text);
        }
    }
    return status;
}

/* Onfido, Persona, Stripe and Veriff with the canary credentials:
 * accepted, refused (401), rechecked, and through the sans-IO pair. */
static void test_scheduling_vendors(void) {
    static const struct {
        delete_product product;
        const char *reference;
    } items[] = {
        {DELETE_PRODUCT_ONFIDO_APPLICANT, ONFIDO_APPLICANT("0001")},
        {DELETE_PRODUCT_PERSONA_INQUIRY, PERSONA_INQUIRY("0001")},
        {DELETE_PRODUCT_PERSONA_ACCOUNT, PERSONA_ACCOUNT("0001")},
        {DELETE_PRODUCT_STRIPE_VERIFICATION_SESSION, STRIPE_SESSION("0001")},
        {DELETE_PRODUCT_VERIFF_SESSION, VERIFF_SESSION("0001")},
        {DELETE_PRODUCT_VERIFF_SESSION, VERIFF_IN_PROGRESS},
    };
    const size_t count = sizeof items / sizeof items[0];
    /* "accepted" at the canary emulator, "401" at one expecting others. */
    const char *urls[] = {"DELETE_TEST_CANARY_URL", "DELETE_TEST_URL"};
    for (size_t u = 0; u < 2; u++) {
        delete_client *client = canary_scheduling_client(test_env(urls[u]));
        for (size_t i = 0; i < count; i++) {
            delete_outcome *outcome = test_delete(client, items[i].product, items[i].reference);
            delete_status status = check_any_outcome(urls[u], outcome);
            if (u == 1) CHECK(test_error(outcome) == DELETE_RESULT_UNAUTHORIZED);
            if (u == 0 && i < count - 1) CHECK(status == DELETE_OUTCOME_SCHEDULED);
            delete_outcome_free(outcome);
            outcome = NULL;
            if (delete_client_recheck(client, items[i].product, items[i].reference, &outcome) ==
                DELETE_RESULT_OK) {
                (void)check_any_outcome("recheck", outcome);
                delete_outcome_free(outcome);
            }
        }
        delete_client_free(client);
    }

    /* A journaled batch of applicants, then resumed. */
    char journal[4096];
    snprintf(journal, sizeof journal, "%s/canary-onfido.journal", test_env("DELETE_TEST_TMPDIR"));
    const char *applicants[] = {ONFIDO_APPLICANT("0002"), ONFIDO_APPLICANT("0003"),
                                ONFIDO_APPLICANT("0004")};
    delete_client *client = canary_scheduling_client(test_env("DELETE_TEST_CANARY_URL"));
    for (int run = 0; run < 2; run++) {
        delete_batch_options *options = NULL;
        OK(delete_batch_options_new(&options));
        OK(delete_batch_options_set_journal(options, journal));
        delete_batch_report *report = NULL;
        OK(delete_client_delete_many(client, DELETE_PRODUCT_ONFIDO_APPLICANT, applicants, 3,
                                     options, &report));
        delete_batch_report_free(report);
        delete_batch_options_free(options);
    }
    check_file(journal);
    delete_client_free(client);

    /* The sans-IO requests: only the credential headers hold them. */
    client = canary_scheduling_client("https://proxy.example");
    for (size_t i = 0; i < count; i++) {
        delete_request *request = NULL;
        OK(delete_to_request(client, items[i].product, items[i].reference, &request));
        const char *text = NULL;
        OK(delete_request_url(request, &text));
        check_clean("url", text);
        size_t headers = 0;
        OK(delete_request_header_count(request, &headers));
        for (size_t h = 0; h < headers; h++) {
            const char *name = NULL;
            const char *value = NULL;
            OK(delete_request_header(request, h, &name, &value));
            check_clean("header name", name);
            if (strcmp(name, "authorization") != 0 && strcmp(name, "x-auth-client") != 0) {
                check_clean(name, value);
            }
        }
        delete_outcome *outcome = NULL;
        const char *answer = "{\"error\":{\"type\":\"authorization_error\",\"message\":\"no\"}}";
        OK(delete_parse_response(request, 401, NULL, 0, (const uint8_t *)answer, strlen(answer),
                                 &outcome));
        (void)check_any_outcome("parse_response", outcome);
        delete_outcome_free(outcome);
        delete_request_free(request);
    }
    delete_client_free(client);

    /* Refused settings do not keep or show the canary. */
    delete_client_builder *builder = NULL;
    OK(delete_client_builder_new(&builder));
    EXPECT(delete_client_builder_set_onfido(builder, CANARY_ONFIDO_TOKEN "\n", DELETE_REGION_EU),
           DELETE_RESULT_INVALID_CONFIG);
    EXPECT(delete_client_builder_set_persona(builder, CANARY_PERSONA_KEY " x"),
           DELETE_RESULT_INVALID_CONFIG);
    EXPECT(delete_client_builder_set_stripe(builder, "pk_" CANARY_STRIPE_KEY),
           DELETE_RESULT_INVALID_CONFIG);
    EXPECT(delete_client_builder_set_veriff(builder, CANARY_VERIFF_KEY, CANARY_VERIFF_SECRET "\n"),
           DELETE_RESULT_INVALID_CONFIG);
    EXPECT(delete_client_builder_set_veriff_base_url(
               builder, "https://" CANARY_VERIFF_KEY ":" CANARY_VERIFF_SECRET "@x.example"),
           DELETE_RESULT_INVALID_CONFIG);
    delete_client_builder_free(builder);
}

int main(void) {
    test_one_offs();
    test_platform();
    test_batches();
    test_sans_io();
    test_refused_settings();
    test_scheduling_vendors();
    printf("test_canary: no canary in any message, string or journal\n");
    return 0;
}
