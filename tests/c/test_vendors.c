/* Onfido, Persona, Stripe Identity and Veriff through libdelete against the
 * emulator: an accepted erasure is DELETE_OUTCOME_SCHEDULED with what the
 * vendor told (never deleted); delete_client_recheck after the emulator's
 * delay confirms it (DELETE_CONFIRMED_BY_RECHECK), or is ABSENT for Veriff;
 * records the vendors will not delete yet are DELETE_RESULT_NOT_DELETABLE_YET
 * (114), sent once; a batch counts them apart and a resume sends nothing;
 * the sans-IO pair builds each vendor's request; the setters refuse bad
 * settings. */
#include <pthread.h>
#include <time.h>

#include "support.h"

static int marker;
#define SENTINEL ((void *)&marker)

/* Each product that schedules its erasure, and its first seeded id. */
static const struct {
    delete_product product;
    const char *reference;
    /* What the vendor tells when it accepts: Stripe's state and 4 days,
     * Veriff's 12 hours. */
    const char *vendor_status;
    uint64_t within_secs;
    /* Whether the vendor offers a read to recheck. */
    bool rechecked;
} SCHEDULING[] = {
    {DELETE_PRODUCT_ONFIDO_APPLICANT, ONFIDO_APPLICANT("0000"), NULL, 0, true},
    {DELETE_PRODUCT_PERSONA_INQUIRY, PERSONA_INQUIRY("0000"), NULL, 0, true},
    {DELETE_PRODUCT_PERSONA_ACCOUNT, PERSONA_ACCOUNT("0000"), NULL, 0, true},
    {DELETE_PRODUCT_STRIPE_VERIFICATION_SESSION, STRIPE_SESSION("0000"), "processing",
     4 * 24 * 3600, true},
    {DELETE_PRODUCT_VERIFF_SESSION, VERIFF_SESSION("0000"), NULL, 12 * 3600, false},
};
#define SCHEDULING_COUNT (sizeof SCHEDULING / sizeof SCHEDULING[0])

static delete_client *client_at(const char *url) {
    return test_scheduling_client(url, ONFIDO_TOKEN, PERSONA_KEY, STRIPE_KEY, VERIFF_KEY,
                                  VERIFF_SECRET);
}

/* A scheduled erasure: its status, its accessors, and every accessor of a
 * deletion saying "not deleted". */
static void check_scheduled(size_t i, const delete_outcome *outcome) {
    delete_status status = DELETE_OUTCOME_DELETED;
    bool deleted = true;
    delete_result error = DELETE_RESULT_OK;
    delete_confirmed_by confirmed_by = DELETE_CONFIRMED_BY_RESPONSE;
    const char *text = NULL;
    uint64_t within = 0;
    uint32_t attempts = 0;

    OK(delete_outcome_status(outcome, &status));
    if (status != DELETE_OUTCOME_SCHEDULED) {
        OK(delete_outcome_message(outcome, &text));
        fprintf(stderr, "%s: status %d, expected scheduled: %s\n", SCHEDULING[i].reference,
                (int)status, text);
        exit(1);
    }
    OK(delete_outcome_deleted(outcome, &deleted));
    CHECK(!deleted);
    EXPECT(delete_outcome_error(outcome, &error), DELETE_RESULT_ABSENT);
    EXPECT(delete_outcome_confirmed_by(outcome, &confirmed_by), DELETE_RESULT_ABSENT);
    CHECK(error == DELETE_RESULT_OK && confirmed_by == DELETE_CONFIRMED_BY_RESPONSE);
    OK(delete_outcome_message(outcome, &text));
    CHECK(strncmp(text, "scheduled", 9) == 0);
    OK(delete_outcome_completes(outcome, &text));
    CHECK(text[0] != '\0');
    OK(delete_outcome_attempts(outcome, &attempts));
    CHECK(attempts == 1);
    if (SCHEDULING[i].vendor_status != NULL) {
        OK(delete_outcome_vendor_status(outcome, &text));
        CHECK(strcmp(text, SCHEDULING[i].vendor_status) == 0);
    }
    if (SCHEDULING[i].within_secs != 0) {
        OK(delete_outcome_within_secs(outcome, &within));
        CHECK(within == SCHEDULING[i].within_secs);
    }
}

static void sleep_ms(long milliseconds) {
    struct timespec wait = {milliseconds / 1000, (milliseconds % 1000) * 1000 * 1000};
    nanosleep(&wait, NULL);
}

static void test_scheduled_then_rechecked(const char *url) {
    delete_client *client = client_at(url);
    delete_outcome *outcome = NULL;
    const char *text = NULL;

    for (size_t i = 0; i < SCHEDULING_COUNT; i++) {
        outcome = test_delete(client, SCHEDULING[i].product, SCHEDULING[i].reference);
        check_scheduled(i, outcome);
        delete_outcome_free(outcome);
    }
    /* At once, Onfido's archive shows its delete_at and Stripe still says
     * processing. */
    OK(delete_client_recheck(client, DELETE_PRODUCT_ONFIDO_APPLICANT, ONFIDO_APPLICANT("0000"),
                             &outcome));
    check_scheduled(0, outcome);
    OK(delete_outcome_until(outcome, &text));
    CHECK(text[0] != '\0');
    delete_outcome_free(outcome);
    OK(delete_client_recheck(client, DELETE_PRODUCT_STRIPE_VERIFICATION_SESSION,
                             STRIPE_SESSION("0000"), &outcome));
    check_scheduled(3, outcome);
    delete_outcome_free(outcome);

    sleep_ms(atol(test_env("DELETE_TEST_SCHEDULE_DELAY_MS")) + 500);
    for (size_t i = 0; i < SCHEDULING_COUNT; i++) {
        outcome = SENTINEL;
        delete_result got = delete_client_recheck(client, SCHEDULING[i].product,
                                                  SCHEDULING[i].reference, &outcome);
        if (!SCHEDULING[i].rechecked) {
            /* Veriff offers no read: nothing sent, nothing written. */
            CHECK(got == DELETE_RESULT_ABSENT && outcome == SENTINEL);
            continue;
        }
        OK(got);
        delete_status status = DELETE_OUTCOME_FAILED;
        delete_confirmed_by confirmed_by = DELETE_CONFIRMED_BY_RESPONSE;
        bool deleted = false;
        OK(delete_outcome_status(outcome, &status));
        OK(delete_outcome_message(outcome, &text));
        if (status != DELETE_OUTCOME_DELETED) {
            fprintf(stderr, "%s: after the delay the recheck says %s\n", SCHEDULING[i].reference,
                    text);
            exit(1);
        }
        OK(delete_outcome_deleted(outcome, &deleted));
        OK(delete_outcome_confirmed_by(outcome, &confirmed_by));
        CHECK(deleted && confirmed_by == DELETE_CONFIRMED_BY_RECHECK);
        CHECK(test_error(outcome) == DELETE_RESULT_OK);
        EXPECT(delete_outcome_completes(outcome, &text), DELETE_RESULT_ABSENT);
        delete_outcome_free(outcome);
    }

    /* Recheck checks its arguments like delete_client_delete. */
    outcome = SENTINEL;
    EXPECT(delete_client_recheck(NULL, DELETE_PRODUCT_VERIFF_SESSION, VERIFF_SESSION("0001"),
                                 &outcome),
           DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_client_recheck(client, DELETE_PRODUCT_VERIFF_SESSION, NULL, &outcome),
           DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_client_recheck(client, DELETE_PRODUCT_VERIFF_SESSION, VERIFF_SESSION("0001"),
                                 NULL),
           DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_client_recheck(client, 99, VERIFF_SESSION("0001"), &outcome),
           DELETE_RESULT_INVALID_ARGUMENT);
    EXPECT(delete_client_recheck(client, DELETE_PRODUCT_STRIPE_VERIFICATION_SESSION, "vs_a/b",
                                 &outcome),
           DELETE_RESULT_INVALID_REFERENCE);
    EXPECT(delete_client_recheck(client, DELETE_PRODUCT_JUMIO_SCAN, "ref-0001", &outcome),
           DELETE_RESULT_INVALID_CONFIG);
    CHECK(outcome == SENTINEL);
    delete_client_free(client);

    /* Jumio erases at once: there is nothing to recheck. */
    client = test_client(url, 1);
    EXPECT(delete_client_recheck(client, DELETE_PRODUCT_JUMIO_SCAN, "ref-0001", &outcome),
           DELETE_RESULT_ABSENT);
    CHECK(outcome == SENTINEL);
    delete_client_free(client);
}

/* A session in progress, a redaction already processing, a pending
 * inquiry: 114, sent once, not in doubt. */
static void test_not_deletable_yet(const char *url) {
    delete_client *client = client_at(url);
    const struct {
        delete_product product;
        const char *reference;
        uint16_t status;
    } cases[] = {
        {DELETE_PRODUCT_VERIFF_SESSION, VERIFF_IN_PROGRESS, 400},
        {DELETE_PRODUCT_STRIPE_VERIFICATION_SESSION, STRIPE_PROCESSING, 400},
        {DELETE_PRODUCT_PERSONA_INQUIRY, PERSONA_PENDING, 409},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        delete_outcome *outcome = test_delete(client, cases[i].product, cases[i].reference);
        delete_status status = DELETE_OUTCOME_DELETED;
        uint16_t http_status = 0;
        uint32_t attempts = 0;
        bool in_doubt = true;
        const char *text = NULL;
        OK(delete_outcome_status(outcome, &status));
        CHECK(status == DELETE_OUTCOME_FAILED);
        if (test_error(outcome) != DELETE_RESULT_NOT_DELETABLE_YET) {
            OK(delete_outcome_message(outcome, &text));
            fprintf(stderr, "%s: expected not deletable yet, got: %s\n", cases[i].reference, text);
            exit(1);
        }
        OK(delete_outcome_http_status(outcome, &http_status));
        CHECK(http_status == cases[i].status);
        OK(delete_outcome_attempts(outcome, &attempts));
        CHECK(attempts == 1);
        OK(delete_outcome_in_doubt(outcome, &in_doubt));
        CHECK(!in_doubt);
        delete_outcome_free(outcome);
    }
    delete_client_free(client);
}

static uint64_t count_of(const delete_batch_report *report, uint32_t which) {
    uint64_t count = 99;
    OK(delete_batch_report_count(report, which, &count));
    return count;
}

/* Five Stripe sessions with a journal: scheduled, counted apart from
 * deleted; the resume has nothing to send. */
static void test_batch(const char *url) {
    delete_client *client = client_at(url);
    char journal[4096];
    snprintf(journal, sizeof journal, "%s/stripe.journal", test_env("DELETE_TEST_TMPDIR"));
    const char *sessions[] = {STRIPE_SESSION("0005"), STRIPE_SESSION("0006"),
                              STRIPE_SESSION("0007"), STRIPE_SESSION("0008"),
                              STRIPE_SESSION("0009")};
    for (int run = 0; run < 2; run++) {
        delete_batch_options *options = NULL;
        OK(delete_batch_options_new(&options));
        OK(delete_batch_options_set_journal(options, journal));
        delete_batch_report *report = NULL;
        OK(delete_client_delete_many(client, DELETE_PRODUCT_STRIPE_VERIFICATION_SESSION, sessions,
                                     5, options, &report));
        if (run == 0) {
            CHECK(count_of(report, DELETE_BATCH_COUNT_SCHEDULED) == 5);
            CHECK(count_of(report, DELETE_BATCH_COUNT_DELETED) == 0);
            CHECK(count_of(report, DELETE_BATCH_COUNT_FAILED) == 0);
        } else {
            CHECK(count_of(report, DELETE_BATCH_COUNT_SKIPPED) == 5);
            CHECK(count_of(report, DELETE_BATCH_COUNT_ATTEMPTS) == 0);
        }
        delete_batch_report_free(report);
        delete_batch_options_free(options);
    }
    delete_client_free(client);
}

/* The sans-IO pair: each vendor's method, URL and credential headers; an
 * answer accepting the erasure is scheduled, a refusal 114. */
static void test_sans_io(void) {
    delete_client *client = test_scheduling_client("https://proxy.example", ONFIDO_TOKEN,
                                                   PERSONA_KEY, STRIPE_KEY, VERIFF_KEY,
                                                   VERIFF_SECRET);
    const struct {
        delete_product product;
        const char *reference;
        const char *method;
        const char *url;
        const char *credential_header;
    } cases[] = {
        {DELETE_PRODUCT_ONFIDO_APPLICANT, ONFIDO_APPLICANT("0001"), "DELETE",
         "https://proxy.example/v3.6/applicants/" ONFIDO_APPLICANT("0001"), "authorization"},
        {DELETE_PRODUCT_PERSONA_INQUIRY, PERSONA_INQUIRY("0001"), "DELETE",
         "https://proxy.example/api/v1/inquiries/" PERSONA_INQUIRY("0001"), "authorization"},
        {DELETE_PRODUCT_PERSONA_ACCOUNT, PERSONA_ACCOUNT("0001"), "DELETE",
         "https://proxy.example/api/v1/accounts/" PERSONA_ACCOUNT("0001"), "authorization"},
        {DELETE_PRODUCT_STRIPE_VERIFICATION_SESSION, STRIPE_SESSION("0001"), "POST",
         "https://proxy.example/v1/identity/verification_sessions/" STRIPE_SESSION("0001")
         "/redact",
         "authorization"},
        {DELETE_PRODUCT_VERIFF_SESSION, VERIFF_SESSION("0001"), "DELETE",
         "https://proxy.example/v1/sessions/" VERIFF_SESSION("0001"), "x-auth-client"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        delete_request *request = NULL;
        const char *text = NULL;
        OK(delete_to_request(client, cases[i].product, cases[i].reference, &request));
        OK(delete_request_method(request, &text));
        CHECK(strcmp(text, cases[i].method) == 0);
        OK(delete_request_url(request, &text));
        if (strcmp(text, cases[i].url) != 0) {
            fprintf(stderr, "URL %s, expected %s\n", text, cases[i].url);
            exit(1);
        }
        const uint8_t *body = NULL;
        size_t length = 99;
        OK(delete_request_body(request, &body, &length));
        CHECK(length == 0);
        size_t count = 0;
        bool credential = false;
        OK(delete_request_header_count(request, &count));
        for (size_t h = 0; h < count; h++) {
            const char *name = NULL;
            const char *value = NULL;
            OK(delete_request_header(request, h, &name, &value));
            credential = credential || strcmp(name, cases[i].credential_header) == 0;
            if (strcmp(name, "x-hmac-signature") == 0) {
                CHECK(strlen(value) == 64 && strspn(value, "0123456789abcdef") == 64);
            }
        }
        CHECK(credential);
        delete_request_free(request);
    }

    /* Stripe's answer: processing is scheduled; Veriff's 1305 is 114. */
    delete_request *request = NULL;
    delete_outcome *outcome = NULL;
    OK(delete_to_request(client, DELETE_PRODUCT_STRIPE_VERIFICATION_SESSION, STRIPE_SESSION("0001"),
                         &request));
    const char *stripe = "{\"id\":\"vs_0001\",\"object\":\"identity.verification_session\","
                         "\"status\":\"verified\",\"redaction\":{\"status\":\"processing\"}}";
    OK(delete_parse_response(request, 200, NULL, 0, (const uint8_t *)stripe, strlen(stripe),
                             &outcome));
    check_scheduled(3, outcome);
    delete_outcome_free(outcome);
    delete_request_free(request);
    OK(delete_to_request(client, DELETE_PRODUCT_VERIFF_SESSION, VERIFF_SESSION("0001"), &request));
    const char *veriff =
        "{\"status\":\"fail\",\"code\":\"1305\",\"message\":\"Session is not in a completed status.\"}";
    OK(delete_parse_response(request, 400, NULL, 0, (const uint8_t *)veriff, strlen(veriff),
                             &outcome));
    CHECK(test_error(outcome) == DELETE_RESULT_NOT_DELETABLE_YET);
    delete_outcome_free(outcome);
    delete_request_free(request);
    delete_client_free(client);
}

/* The setters' refusals, and Veriff's own base URL winning over the
 * shared one. */
static void test_setters(const char *url) {
    delete_client_builder *builder = NULL;
    delete_client *client = NULL;
    OK(delete_client_builder_new(&builder));
    EXPECT(delete_client_builder_set_onfido(NULL, ONFIDO_TOKEN, DELETE_REGION_EU),
           DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_client_builder_set_onfido(builder, NULL, DELETE_REGION_EU),
           DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_client_builder_set_onfido(builder, NOT_UTF8, DELETE_REGION_EU),
           DELETE_RESULT_INVALID_UTF8);
    EXPECT(delete_client_builder_set_onfido(builder, "", DELETE_REGION_EU),
           DELETE_RESULT_INVALID_CONFIG);
    /* Singapore is Jumio's, not Onfido's; Canada is Onfido's only. */
    EXPECT(delete_client_builder_set_onfido(builder, ONFIDO_TOKEN, DELETE_REGION_SGP),
           DELETE_RESULT_INVALID_ARGUMENT);
    EXPECT(delete_client_builder_set_onfido(builder, ONFIDO_TOKEN, 0),
           DELETE_RESULT_INVALID_ARGUMENT);
    EXPECT(delete_client_builder_set_jumio(builder, JUMIO_TOKEN, JUMIO_SECRET, USER_AGENT,
                                           DELETE_REGION_CA),
           DELETE_RESULT_INVALID_ARGUMENT);
    OK(delete_client_builder_set_onfido(builder, ONFIDO_TOKEN, DELETE_REGION_CA));
    EXPECT(delete_client_builder_set_persona(NULL, PERSONA_KEY), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_client_builder_set_persona(builder, NULL), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_client_builder_set_persona(builder, "key\n"), DELETE_RESULT_INVALID_CONFIG);
    EXPECT(delete_client_builder_set_stripe(NULL, STRIPE_KEY), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_client_builder_set_stripe(builder, NOT_UTF8), DELETE_RESULT_INVALID_UTF8);
    /* A publishable key cannot redact. */
    EXPECT(delete_client_builder_set_stripe(builder, "pk_test_emulator"),
           DELETE_RESULT_INVALID_CONFIG);
    EXPECT(delete_client_builder_set_veriff(NULL, VERIFF_KEY, VERIFF_SECRET),
           DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_client_builder_set_veriff(builder, VERIFF_KEY, NULL),
           DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_client_builder_set_veriff(builder, "", VERIFF_SECRET),
           DELETE_RESULT_INVALID_CONFIG);
    EXPECT(delete_client_builder_set_veriff_base_url(NULL, url), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_client_builder_set_veriff_base_url(builder, NULL), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_client_builder_set_veriff_base_url(builder, "http://veriff.example"),
           DELETE_RESULT_INVALID_CONFIG);
    delete_client_builder_free(builder);

    /* Every vendor at a closed port, Veriff at the emulator. */
    OK(delete_client_builder_new(&builder));
    OK(delete_client_builder_set_stripe(builder, STRIPE_KEY));
    OK(delete_client_builder_set_veriff(builder, VERIFF_KEY, VERIFF_SECRET));
    OK(delete_client_builder_set_base_url(builder, test_env("DELETE_TEST_CLOSED_URL")));
    OK(delete_client_builder_set_veriff_base_url(builder, url));
    OK(delete_client_builder_set_max_attempts(builder, 1));
    OK(delete_client_builder_build(builder, &client));
    delete_client_builder_free(builder);
    delete_outcome *outcome = test_delete(client, DELETE_PRODUCT_VERIFF_SESSION,
                                          VERIFF_SESSION("0002"));
    delete_status status = DELETE_OUTCOME_FAILED;
    OK(delete_outcome_status(outcome, &status));
    CHECK(status == DELETE_OUTCOME_SCHEDULED);
    delete_outcome_free(outcome);
    outcome = test_delete(client, DELETE_PRODUCT_STRIPE_VERIFICATION_SESSION,
                          STRIPE_SESSION("0002"));
    CHECK(test_error(outcome) == DELETE_RESULT_CONNECT);
    delete_outcome_free(outcome);
    /* No Onfido or Persona credentials here. */
    outcome = SENTINEL;
    EXPECT(delete_client_delete(client, DELETE_PRODUCT_ONFIDO_APPLICANT, ONFIDO_APPLICANT("0002"),
                                &outcome),
           DELETE_RESULT_INVALID_CONFIG);
    EXPECT(delete_client_delete(client, DELETE_PRODUCT_PERSONA_ACCOUNT, PERSONA_ACCOUNT("0002"),
                                &outcome),
           DELETE_RESULT_INVALID_CONFIG);
    CHECK(outcome == SENTINEL);
    delete_client_free(client);
}

int main(void) {
    const char *url = test_env("DELETE_TEST_URL");
    test_setters(url);
    test_not_deletable_yet(url);
    test_batch(url);
    test_sans_io();
    test_scheduled_then_rechecked(url);
    printf("test_vendors: ok\n");
    return 0;
}
