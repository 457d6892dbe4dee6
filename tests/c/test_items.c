/* One client, every vendor: a mixed-vendor journaled batch with
 * delete_client_delete_items (the harness then replays its journal as
 * `idv-delete verify` does, and runs that command when it is built), its
 * resume, a dry run, the one-item calls, and bad items refused by index
 * with nothing sent (DELETE_TEST_UNTOUCHED_URL). */
#include <time.h>

#include "support.h"

static delete_client *every_vendor(const char *base_url) {
    delete_client_builder *builder = NULL;
    delete_client *client = NULL;
    OK(delete_client_builder_new(&builder));
    OK(delete_client_builder_set_jumio(builder, JUMIO_TOKEN, JUMIO_SECRET, USER_AGENT,
                                       DELETE_REGION_EU));
    OK(delete_client_builder_set_jumio_platform(builder, PLATFORM_CLIENT_ID,
                                                PLATFORM_CLIENT_SECRET, USER_AGENT,
                                                DELETE_REGION_EU));
    OK(delete_client_builder_set_hyperverge(builder, HV_APP_ID, HV_APP_KEY));
    OK(delete_client_builder_set_onfido(builder, ONFIDO_TOKEN, DELETE_REGION_EU));
    OK(delete_client_builder_set_persona(builder, PERSONA_KEY));
    OK(delete_client_builder_set_stripe(builder, STRIPE_KEY));
    OK(delete_client_builder_set_veriff(builder, VERIFF_KEY, VERIFF_SECRET));
    OK(delete_client_builder_set_base_url(builder, base_url));
    OK(delete_client_builder_set_max_attempts(builder, 2));
    OK(delete_client_builder_build(builder, &client));
    delete_client_builder_free(builder);
    return client;
}

static uint64_t count(const delete_batch_report *report, delete_batch_count which) {
    uint64_t value = 999;
    OK(delete_batch_report_count(report, which, &value));
    return value;
}

static delete_batch_options *options_for(const char *journal) {
    delete_batch_options *options = NULL;
    OK(delete_batch_options_new(&options));
    const char *vendors[] = {"jumio",   "jumio-platform", "hyperverge", "onfido",
                             "persona", "stripe",         "veriff"};
    for (size_t i = 0; i < sizeof vendors / sizeof vendors[0]; i++) {
        OK(delete_batch_options_lift_windows(options, vendors[i]));
    }
    OK(delete_batch_options_set_concurrency(options, 4));
    OK(delete_batch_options_set_adaptive_rate(options, true));
    if (journal != NULL) {
        OK(delete_batch_options_set_journal(options, journal));
    }
    return options;
}

/* How many lines of the journal at `path` hold `needle`. */
static unsigned journal_mentions(const char *path, const char *needle) {
    FILE *file = fopen(path, "r");
    CHECK(file != NULL);
    char line[8192];
    unsigned lines = 0;
    while (fgets(line, sizeof line, file) != NULL) {
        lines += strstr(line, needle) != NULL;
    }
    fclose(file);
    return lines;
}

/* The last error message holds `needle`. */
static void check_last_error(const char *needle) {
    char message[1024];
    size_t length = 0;
    OK(delete_last_error_message(message, sizeof message, &length));
    printf("refused: %s\n", message);
    if (strstr(message, needle) == NULL) {
        fprintf(stderr, "the last error \"%s\" does not name %s\n", message, needle);
        exit(1);
    }
}

static const delete_item MIXED[] = {
    /* Two data subjects' records, journaled with their subject; the rest
     * without one. */
    {DELETE_PRODUCT_JUMIO_SCAN, 0, "ref-0100", "customer-0001"},
    {DELETE_PRODUCT_JUMIO_AUTHENTICATION, DELETE_REGION_US, "ref-0101", "customer-0001"},
    {DELETE_PRODUCT_HYPERVERGE_TRANSACTION, DELETE_REGION_SGP /* ignored */, "txn-0100",
     "customer-0002"},
    {DELETE_PRODUCT_JUMIO_PLATFORM_ACCOUNT, DELETE_REGION_EU, PLATFORM_ACCOUNT("0100"), NULL},
    {DELETE_PRODUCT_JUMIO_PLATFORM_WORKFLOW, 0, PLATFORM_WORKFLOW("0101"), NULL},
    {DELETE_PRODUCT_ONFIDO_APPLICANT, DELETE_REGION_EU, ONFIDO_APPLICANT("0010"), NULL},
    {DELETE_PRODUCT_PERSONA_ACCOUNT, 0, PERSONA_ACCOUNT("0010"), NULL},
    {DELETE_PRODUCT_STRIPE_VERIFICATION_SESSION, 0, STRIPE_SESSION("0010"), NULL},
    {DELETE_PRODUCT_VERIFF_SESSION, 0, VERIFF_SESSION("0010"), NULL},
};
#define MIXED_COUNT (sizeof MIXED / sizeof MIXED[0])

static void test_mixed_batch(void) {
    delete_client *client = every_vendor(test_env("DELETE_TEST_URL"));
    const char *journal = test_env("DELETE_TEST_ITEMS_JOURNAL");
    delete_batch_options *options = options_for(journal);
    delete_batch_report *report = NULL;
    OK(delete_client_delete_items(client, MIXED, MIXED_COUNT, options, &report));
    uint64_t deleted = count(report, DELETE_BATCH_COUNT_DELETED);
    uint64_t scheduled = count(report, DELETE_BATCH_COUNT_SCHEDULED);
    printf("mixed batch: %llu deleted, %llu scheduled, %llu token request(s)\n",
           (unsigned long long)deleted, (unsigned long long)scheduled,
           (unsigned long long)count(report, DELETE_BATCH_COUNT_TOKEN_REQUESTS));
    CHECK(count(report, DELETE_BATCH_COUNT_FAILED) == 0);
    CHECK(count(report, DELETE_BATCH_COUNT_NOT_FOUND) == 0);
    /* Jumio, HyperVerge and the Jumio Platform erase at once; Onfido,
     * Stripe and Veriff schedule (Persona's account: either). */
    CHECK(deleted >= 5 && scheduled >= 3 && deleted + scheduled == MIXED_COUNT);
    CHECK(count(report, DELETE_BATCH_COUNT_TOKEN_REQUESTS) == 1);
    CHECK(count(report, DELETE_BATCH_COUNT_WOULD_DELETE) == 0);
    bool dry_run = true;
    OK(delete_batch_report_dry_run(report, &dry_run));
    CHECK(!dry_run);
    delete_batch_report_free(report);
    /* Each subject is journaled with its items. */
    CHECK(journal_mentions(journal, "\"subject\":\"customer-0001\"") == 2 * 2);
    CHECK(journal_mentions(journal, "\"subject\":\"customer-0002\"") == 2);

    /* The same items with the same journal: all skipped, nothing sent. */
    OK(delete_client_delete_items(client, MIXED, MIXED_COUNT, options, &report));
    CHECK(count(report, DELETE_BATCH_COUNT_SKIPPED) == MIXED_COUNT);
    CHECK(count(report, DELETE_BATCH_COUNT_ATTEMPTS) == 0);
    delete_batch_report_free(report);

    delete_batch_options_free(options);

    /* Another order is another input: refused, nothing sent (in a journal
     * of its own, which the failed run leaves incomplete). */
    char other[4096];
    snprintf(other, sizeof other, "%s/changed.jsonl", test_env("DELETE_TEST_TMPDIR"));
    options = options_for(other);
    delete_item pair[2] = {
        {DELETE_PRODUCT_JUMIO_SCAN, 0, "ref-0103", NULL},
        {DELETE_PRODUCT_HYPERVERGE_TRANSACTION, 0, "txn-0103", NULL},
    };
    OK(delete_client_delete_items(client, pair, 2, options, &report));
    CHECK(count(report, DELETE_BATCH_COUNT_DELETED) == 2);
    delete_batch_report_free(report);
    delete_item swapped[2] = {pair[1], pair[0]};
    EXPECT(delete_client_delete_items(client, swapped, 2, options, &report),
           DELETE_RESULT_JOURNAL_INPUT_CHANGED);
    check_last_error("delete_client_delete_items: journal");
    delete_batch_options_free(options);
    delete_client_free(client);
}

static void test_dry_run(void) {
    /* The untouched emulator: a dry run sends nothing. */
    delete_client *client = every_vendor(test_env("DELETE_TEST_UNTOUCHED_URL"));
    char journal[4096];
    snprintf(journal, sizeof journal, "%s/dry.jsonl", test_env("DELETE_TEST_TMPDIR"));
    delete_batch_options *options = options_for(journal);
    OK(delete_batch_options_set_dry_run(options, true));
    delete_batch_report *report = NULL;
    OK(delete_client_delete_items(client, MIXED, MIXED_COUNT, options, &report));
    CHECK(count(report, DELETE_BATCH_COUNT_WOULD_DELETE) == MIXED_COUNT);
    CHECK(count(report, DELETE_BATCH_COUNT_ATTEMPTS) == 0);
    CHECK(count(report, DELETE_BATCH_COUNT_DELETED) == 0);
    CHECK(count(report, DELETE_BATCH_COUNT_RUN) == 0);
    CHECK(count(report, DELETE_BATCH_COUNT_DONE) == MIXED_COUNT);
    bool dry_run = false;
    OK(delete_batch_report_dry_run(report, &dry_run));
    CHECK(dry_run);
    delete_batch_report_free(report);
    FILE *file = fopen(journal, "r");
    CHECK(file == NULL); /* no journal written */
    delete_batch_options_free(options);
    delete_client_free(client);
}

static void test_one_item(void) {
    delete_client *client = every_vendor(test_env("DELETE_TEST_URL"));
    delete_item item = {DELETE_PRODUCT_JUMIO_DOCUMENT, DELETE_REGION_SGP, "ref-0102", NULL};
    delete_outcome *outcome = NULL;
    OK(delete_client_delete_item(client, &item, &outcome));
    CHECK(test_error(outcome) == DELETE_RESULT_OK);
    delete_outcome_free(outcome);
    OK(delete_client_delete_item(client, &item, &outcome));
    CHECK(test_error(outcome) == DELETE_RESULT_NOT_FOUND);
    delete_outcome_free(outcome);
    /* Resumed, the 404 confirms an earlier attempt by absence. */
    OK(delete_client_delete_item_resumed(client, &item, &outcome));
    delete_confirmed_by by;
    OK(delete_outcome_confirmed_by(outcome, &by));
    CHECK(by == DELETE_CONFIRMED_BY_ABSENCE);
    delete_outcome_free(outcome);
    /* The same with a cancel switch that nobody pulls. */
    delete_cancel *cancel = NULL;
    OK(delete_cancel_new(&cancel));
    OK(delete_client_delete_item_resumed_cancellable(client, &item, cancel, &outcome));
    OK(delete_outcome_confirmed_by(outcome, &by));
    CHECK(by == DELETE_CONFIRMED_BY_ABSENCE);
    delete_outcome_free(outcome);
    OK(delete_client_check_item(client, &item));
    delete_client_free(client);

    /* Pulled: the 60 s Retry-After of the paused emulator ends at once,
     * cancelled and still in doubt (the item was resumed). */
    client = every_vendor(test_env("DELETE_TEST_PAUSED_URL"));
    OK(delete_cancel_cancel(cancel));
    time_t started = time(NULL);
    OK(delete_client_delete_item_resumed_cancellable(client, &item, cancel, &outcome));
    CHECK(time(NULL) - started < 10);
    CHECK(test_error(outcome) == DELETE_RESULT_CANCELLED);
    bool in_doubt = false;
    OK(delete_outcome_in_doubt(outcome, &in_doubt));
    CHECK(in_doubt);
    delete_outcome_free(outcome);
    EXPECT(delete_client_delete_item_resumed_cancellable(client, &item, NULL, &outcome),
           DELETE_RESULT_NULL_ARGUMENT);
    delete_cancel_free(cancel);
    delete_client_free(client);
}

static void test_bad_items(void) {
    /* Jumio and HyperVerge only, at the emulator that must stay untouched. */
    delete_client *client = test_client(test_env("DELETE_TEST_UNTOUCHED_URL"), 1);
    delete_batch_report *report = NULL;
    delete_item items[3] = {
        {DELETE_PRODUCT_JUMIO_SCAN, 0, "ref-0000", NULL},
        {DELETE_PRODUCT_HYPERVERGE_TRANSACTION, 0, "txn-0000", NULL},
        {DELETE_PRODUCT_JUMIO_SCAN, 0, "ref-0001", NULL},
    };
    /* A vendor the client has no credentials for. */
    items[1] = (delete_item){DELETE_PRODUCT_VERIFF_SESSION, 0, VERIFF_SESSION("0000"), NULL};
    EXPECT(delete_client_delete_items(client, items, 3, NULL, &report),
           DELETE_RESULT_INVALID_CONFIG);
    check_last_error("delete_client_delete_items: items[1]: this client has no veriff");
    /* A malformed reference. */
    items[1] = (delete_item){DELETE_PRODUCT_JUMIO_SCAN, 0, "ref 0000/..", NULL};
    EXPECT(delete_client_delete_items(client, items, 3, NULL, &report),
           DELETE_RESULT_INVALID_REFERENCE);
    check_last_error("items[1]");
    /* A NULL reference, an unknown product, a region the vendor lacks. */
    items[1] = (delete_item){DELETE_PRODUCT_JUMIO_SCAN, 0, NULL, NULL};
    EXPECT(delete_client_delete_items(client, items, 3, NULL, &report),
           DELETE_RESULT_NULL_ARGUMENT);
    check_last_error("items[1]: reference is NULL");
    items[1] = (delete_item){99, 0, "ref-0000", NULL};
    EXPECT(delete_client_delete_items(client, items, 3, NULL, &report),
           DELETE_RESULT_INVALID_ARGUMENT);
    check_last_error("items[1]: product 99");
    items[1] = (delete_item){DELETE_PRODUCT_JUMIO_SCAN, DELETE_REGION_CA, "ref-0000", NULL};
    EXPECT(delete_client_delete_items(client, items, 3, NULL, &report),
           DELETE_RESULT_INVALID_ARGUMENT);
    check_last_error("items[1]");
    /* A subject that is empty, padded, too long or not UTF-8: refused by
     * index, nothing sent. */
    items[1] = (delete_item){DELETE_PRODUCT_JUMIO_SCAN, 0, "ref-0000", ""};
    EXPECT(delete_client_delete_items(client, items, 3, NULL, &report),
           DELETE_RESULT_INVALID_SUBJECT);
    check_last_error("items[1]: invalid subject: subject \"\" is empty");
    items[1] = (delete_item){DELETE_PRODUCT_JUMIO_SCAN, 0, "ref-0000", " customer-1"};
    EXPECT(delete_client_delete_items(client, items, 3, NULL, &report),
           DELETE_RESULT_INVALID_SUBJECT);
    check_last_error("whitespace at an end");
    char long_subject[130];
    memset(long_subject, 'x', 129);
    long_subject[129] = '\0';
    items[1] = (delete_item){DELETE_PRODUCT_JUMIO_SCAN, 0, "ref-0000", long_subject};
    EXPECT(delete_client_check_item(client, &items[1]), DELETE_RESULT_INVALID_SUBJECT);
    check_last_error("is 129 characters long");
    delete_outcome *refused = NULL;
    EXPECT(delete_client_delete_item(client, &items[1], &refused), DELETE_RESULT_INVALID_SUBJECT);
    CHECK(refused == NULL);
    items[1] = (delete_item){DELETE_PRODUCT_JUMIO_SCAN, 0, "ref-0000", NOT_UTF8};
    EXPECT(delete_client_delete_items(client, items, 3, NULL, &report),
           DELETE_RESULT_INVALID_UTF8);
    check_last_error("subject");
    CHECK(strcmp(delete_result_message(DELETE_RESULT_INVALID_SUBJECT), "") != 0);
    items[1] = (delete_item){DELETE_PRODUCT_JUMIO_SCAN, 0, NOT_UTF8, NULL};
    EXPECT(delete_client_delete_items(client, items, 3, NULL, &report),
           DELETE_RESULT_INVALID_UTF8);
    /* NULLs. */
    EXPECT(delete_client_delete_items(NULL, items, 1, NULL, &report), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_client_delete_items(client, NULL, 1, NULL, &report),
           DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_client_delete_items(client, items, 1, NULL, NULL), DELETE_RESULT_NULL_ARGUMENT);
    delete_outcome *outcome = NULL;
    EXPECT(delete_client_delete_item(client, NULL, &outcome), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_client_delete_item_resumed(client, &items[1], &outcome),
           DELETE_RESULT_INVALID_UTF8);
    /* The check refuses what a deletion would, sending nothing. */
    EXPECT(delete_client_check_item(client, &items[1]), DELETE_RESULT_INVALID_UTF8);
    delete_item veriff = {DELETE_PRODUCT_VERIFF_SESSION, 0, VERIFF_SESSION("0000"), NULL};
    EXPECT(delete_client_check_item(client, &veriff), DELETE_RESULT_INVALID_CONFIG);
    check_last_error("delete_client_check_item: this client has no veriff");
    OK(delete_client_check_item(client, &items[0]));
    EXPECT(delete_client_check_item(NULL, &items[0]), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_client_check_item(client, NULL), DELETE_RESULT_NULL_ARGUMENT);
    /* An empty batch is a batch of nothing. */
    OK(delete_client_delete_items(client, NULL, 0, NULL, &report));
    CHECK(count(report, DELETE_BATCH_COUNT_ATTEMPTS) == 0);
    delete_batch_report_free(report);
    /* The new options refuse NULL. */
    EXPECT(delete_batch_options_set_dry_run(NULL, true), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_batch_options_set_adaptive_rate(NULL, true), DELETE_RESULT_NULL_ARGUMENT);
    delete_client_free(client);
}

int main(void) {
    test_bad_items();
    test_dry_run();
    test_one_item();
    test_mixed_batch();
    printf("test_items: ok\n");
    return 0;
}
