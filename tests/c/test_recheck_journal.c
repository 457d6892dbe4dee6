/* delete_client_recheck_journal against the emulator (scheduled erasures
 * complete after DELETE_TEST_SCHEDULE_DELAY_MS): journaled batches of
 * Stripe, Persona and Veriff items rechecked before the delay (still
 * scheduled), after it (deleted, confirmed by recheck) and again (nothing
 * left to ask; a resume of the batch sends nothing); Veriff offers no read;
 * a client without a vendor's credentials lists its items as failures; a
 * missing, damaged or elsewhere-written journal is refused before anything
 * is sent; a cancelled switch asks nothing; the report's accessors refuse
 * bad arguments. */
/* nanosleep */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <time.h>

#include "support.h"

static void sleep_ms(long milliseconds) {
    struct timespec wait = {milliseconds / 1000, (milliseconds % 1000) * 1000 * 1000};
    nanosleep(&wait, NULL);
}

static delete_client *full_client(const char *url) {
    return test_scheduling_client(url, ONFIDO_TOKEN, PERSONA_KEY, STRIPE_KEY, VERIFF_KEY,
                                  VERIFF_SECRET);
}

/* A client of Onfido alone at url. */
static delete_client *onfido_client(const char *url) {
    delete_client_builder *builder = NULL;
    delete_client *client = NULL;
    OK(delete_client_builder_new(&builder));
    OK(delete_client_builder_set_onfido(builder, ONFIDO_TOKEN, DELETE_REGION_EU));
    OK(delete_client_builder_set_base_url(builder, url));
    OK(delete_client_builder_build(builder, &client));
    delete_client_builder_free(builder);
    return client;
}

static void journal_path(char *buf, size_t len, const char *name) {
    snprintf(buf, len, "%s/%s", test_env("DELETE_TEST_TMPDIR"), name);
}

/* Runs a journaled batch of `count` references of `product`: all
 * scheduled. */
static void batch(const delete_client *client, delete_product product, const char *const *refs,
                  size_t count, const char *journal, uint64_t want_skipped) {
    delete_batch_options *options = NULL;
    delete_batch_report *report = NULL;
    uint64_t scheduled = 99, skipped = 99, attempts = 99;
    OK(delete_batch_options_new(&options));
    OK(delete_batch_options_set_journal(options, journal));
    OK(delete_client_delete_many(client, product, refs, count, options, &report));
    OK(delete_batch_report_count(report, DELETE_BATCH_COUNT_SCHEDULED, &scheduled));
    OK(delete_batch_report_count(report, DELETE_BATCH_COUNT_SKIPPED, &skipped));
    OK(delete_batch_report_count(report, DELETE_BATCH_COUNT_ATTEMPTS, &attempts));
    CHECK(skipped == want_skipped);
    CHECK(want_skipped == count ? scheduled == 0 && attempts == 0 : scheduled == count);
    delete_batch_report_free(report);
    delete_batch_options_free(options);
}

struct counts {
    uint64_t scheduled, deleted, still_scheduled, not_offered, failed, run;
    bool cancelled;
};

/* Rechecks `journal`, which must run, and reads every count. */
static struct counts recheck(const delete_client *client, const char *journal,
                             const delete_cancel *cancel) {
    delete_recheck_report *report = NULL;
    struct counts c = {99, 99, 99, 99, 99, 99, true};
    OK(delete_client_recheck_journal(client, journal, cancel, &report));
    CHECK(report != NULL);
    OK(delete_recheck_report_count(report, DELETE_RECHECK_COUNT_SCHEDULED, &c.scheduled));
    OK(delete_recheck_report_count(report, DELETE_RECHECK_COUNT_DELETED, &c.deleted));
    OK(delete_recheck_report_count(report, DELETE_RECHECK_COUNT_STILL_SCHEDULED,
                                   &c.still_scheduled));
    OK(delete_recheck_report_count(report, DELETE_RECHECK_COUNT_NOT_OFFERED, &c.not_offered));
    OK(delete_recheck_report_count(report, DELETE_RECHECK_COUNT_FAILED, &c.failed));
    OK(delete_recheck_report_count(report, DELETE_RECHECK_COUNT_RUN, &c.run));
    OK(delete_recheck_report_cancelled(report, &c.cancelled));
    for (uint64_t i = 0; i < c.failed; i++) {
        uint64_t position = 99;
        delete_result error = DELETE_RESULT_OK;
        OK(delete_recheck_report_failure(report, (size_t)i, &position, &error));
        CHECK(position == i && error == DELETE_RESULT_INVALID_CONFIG);
    }
    delete_recheck_report_free(report);
    return c;
}

#define COUNTS(c, s, d, st, no, f, r)                                                        \
    CHECK((c).scheduled == (s) && (c).deleted == (d) && (c).still_scheduled == (st) &&     \
          (c).not_offered == (no) && (c).failed == (f) && (c).run == (r) && !(c).cancelled)

/* How many times `needle` occurs in the file at `path`. */
static int occurrences(const char *path, const char *needle) {
    FILE *file = fopen(path, "r");
    char line[4096];
    int n = 0;
    CHECK(file != NULL);
    while (fgets(line, sizeof line, file) != NULL) {
        if (strstr(line, needle) != NULL) n++;
    }
    fclose(file);
    return n;
}

static void expect_last_error(const char *needle) {
    char buf[2048];
    size_t n = 0;
    OK(delete_last_error_message(buf, sizeof buf, &n));
    if (strstr(buf, needle) == NULL) {
        fprintf(stderr, "the last error lacks \"%s\": %s\n", needle, buf);
        exit(1);
    }
}

static void test_before_and_after_the_delay(const char *url) {
    delete_client *client = full_client(url);
    delete_client *onfido_only = onfido_client(url);
    char stripe[4096], persona[4096], veriff[4096];
    const char *sessions[] = {STRIPE_SESSION("0000"), STRIPE_SESSION("0001"),
                              STRIPE_SESSION("0002")};
    const char *inquiries[] = {PERSONA_INQUIRY("0000"), PERSONA_INQUIRY("0001")};
    const char *veriff_sessions[] = {VERIFF_SESSION("0000"), VERIFF_SESSION("0001")};
    struct counts c;

    journal_path(stripe, sizeof stripe, "stripe.journal");
    journal_path(persona, sizeof persona, "persona.journal");
    journal_path(veriff, sizeof veriff, "veriff.journal");
    /* At once: Stripe still says processing. */
    batch(client, DELETE_PRODUCT_STRIPE_VERIFICATION_SESSION, sessions, 3, stripe, 0);
    c = recheck(client, stripe, NULL);
    COUNTS(c, 3, 0, 3, 0, 0, 2);
    batch(client, DELETE_PRODUCT_PERSONA_INQUIRY, inquiries, 2, persona, 0);
    batch(client, DELETE_PRODUCT_VERIFF_SESSION, veriff_sessions, 2, veriff, 0);
    /* Veriff offers no read: nothing asked, nothing journaled. */
    int veriff_outcomes = occurrences(veriff, "\"event\":\"outcome\"");
    c = recheck(client, veriff, NULL);
    COUNTS(c, 2, 0, 0, 2, 0, 2);
    CHECK(occurrences(veriff, "\"event\":\"outcome\"") == veriff_outcomes);
    /* Without Persona's credentials, each item is a failure (INVALID_CONFIG,
     * position 0 and 1), nothing journaled. */
    c = recheck(onfido_only, persona, NULL);
    COUNTS(c, 2, 0, 0, 0, 2, 2);
    CHECK(occurrences(persona, "\"confirmed_by\":\"recheck\"") == 0);

    sleep_ms(atol(test_env("DELETE_TEST_SCHEDULE_DELAY_MS")) + 500);
    c = recheck(client, stripe, NULL);
    COUNTS(c, 3, 3, 0, 0, 0, 3);
    CHECK(occurrences(stripe, "\"confirmed_by\":\"recheck\"") == 3);
    c = recheck(client, persona, NULL);
    COUNTS(c, 2, 2, 0, 0, 0, 3);

    /* The journal now reads as deleted: nothing left to ask, and the
     * batch's resume skips every item and sends nothing. */
    c = recheck(client, stripe, NULL);
    COUNTS(c, 0, 0, 0, 0, 0, 4);
    batch(client, DELETE_PRODUCT_STRIPE_VERIFICATION_SESSION, sessions, 3, stripe, 3);

    delete_client_free(onfido_only);
    delete_client_free(client);
}

static void test_refusals(const char *url) {
    delete_client *client = full_client(url);
    delete_client *elsewhere = full_client(test_env("DELETE_TEST_UNTOUCHED_URL"));
    delete_recheck_report *report = (delete_recheck_report *)&report;
    char journal[4096], missing[4096], damaged[4096];
    const char *sessions[] = {STRIPE_SESSION("0010")};

    journal_path(journal, sizeof journal, "refusals.journal");
    batch(client, DELETE_PRODUCT_STRIPE_VERIFICATION_SESSION, sessions, 1, journal, 0);

    /* A missing journal: not created. */
    journal_path(missing, sizeof missing, "missing.journal");
    EXPECT(delete_client_recheck_journal(client, missing, NULL, &report),
           DELETE_RESULT_JOURNAL_IO);
    expect_last_error("no journal to recheck");
    CHECK(fopen(missing, "r") == NULL);
    /* A damaged one. */
    journal_path(damaged, sizeof damaged, "damaged.journal");
    FILE *file = fopen(damaged, "w");
    CHECK(file != NULL);
    fputs("this is not a journal\n{}\n", file);
    fclose(file);
    EXPECT(delete_client_recheck_journal(client, damaged, NULL, &report),
           DELETE_RESULT_JOURNAL_CORRUPT);
    expect_last_error("line 1");
    /* At another endpoint than the batch's: the untouched emulator gets no
     * request (the harness checks), and the message names the journal's. */
    EXPECT(delete_client_recheck_journal(elsewhere, journal, NULL, &report),
           DELETE_RESULT_JOURNAL_ENDPOINT_CHANGED);
    expect_last_error("this recheck would read at");
    expect_last_error(url);
    /* Bad arguments. */
    EXPECT(delete_client_recheck_journal(NULL, journal, NULL, &report),
           DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_client_recheck_journal(client, NULL, NULL, &report),
           DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_client_recheck_journal(client, journal, NULL, NULL),
           DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_client_recheck_journal(client, NOT_UTF8, NULL, &report),
           DELETE_RESULT_INVALID_UTF8);
    CHECK(report == (delete_recheck_report *)&report); /* never written */

    /* A cancelled switch: nothing asked, the item stays scheduled. */
    delete_cancel *cancel = NULL;
    OK(delete_cancel_new(&cancel));
    OK(delete_cancel_cancel(cancel));
    OK(delete_client_recheck_journal(client, journal, cancel, &report));
    bool cancelled = false;
    uint64_t count = 99;
    OK(delete_recheck_report_cancelled(report, &cancelled));
    CHECK(cancelled);
    OK(delete_recheck_report_count(report, DELETE_RECHECK_COUNT_SCHEDULED, &count));
    CHECK(count == 1);
    OK(delete_recheck_report_count(report, DELETE_RECHECK_COUNT_STILL_SCHEDULED, &count));
    CHECK(count == 0);
    /* The accessors refuse what is not there. */
    uint64_t position = 7;
    delete_result error = DELETE_RESULT_OK;
    EXPECT(delete_recheck_report_failure(report, 0, &position, &error),
           DELETE_RESULT_INDEX_OUT_OF_RANGE);
    CHECK(position == 7 && error == DELETE_RESULT_OK);
    EXPECT(delete_recheck_report_count(report, 0, &count), DELETE_RESULT_INVALID_ARGUMENT);
    EXPECT(delete_recheck_report_count(report, DELETE_RECHECK_COUNT_RUN + 1, &count),
           DELETE_RESULT_INVALID_ARGUMENT);
    EXPECT(delete_recheck_report_count(NULL, DELETE_RECHECK_COUNT_RUN, &count),
           DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_recheck_report_cancelled(report, NULL), DELETE_RESULT_NULL_ARGUMENT);
    delete_recheck_report_free(report);
    delete_recheck_report_free(NULL);
    delete_cancel_free(cancel);

    delete_client_free(elsewhere);
    delete_client_free(client);
}

int main(void) {
    const char *url = test_env("DELETE_TEST_URL");
    test_refusals(url);
    test_before_and_after_the_delay(url);
    printf("test_recheck_journal: ok\n");
    return 0;
}
