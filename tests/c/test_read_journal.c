/* delete_journal_view: journals written by a real journaled batch
 * (delete_client_delete_items against the emulator) read back as one view,
 * its counts equal to the batch report's, its subjects grouped across
 * vendors, two shards with an overlapping item flagged, a tampered journal
 * untrusted with its first bad line named, and bad arguments refused. */
#include "support.h"

static delete_client *client_for(const char *base_url) {
    delete_client_builder *builder = NULL;
    delete_client *client = NULL;
    OK(delete_client_builder_new(&builder));
    OK(delete_client_builder_set_jumio(builder, JUMIO_TOKEN, JUMIO_SECRET, USER_AGENT,
                                       DELETE_REGION_EU));
    OK(delete_client_builder_set_hyperverge(builder, HV_APP_ID, HV_APP_KEY));
    OK(delete_client_builder_set_stripe(builder, STRIPE_KEY));
    OK(delete_client_builder_set_base_url(builder, base_url));
    OK(delete_client_builder_set_max_attempts(builder, 1));
    OK(delete_client_builder_build(builder, &client));
    delete_client_builder_free(builder);
    return client;
}

static uint64_t batch(const delete_client *client, const delete_item *items, size_t count,
                      const char *journal, delete_batch_count which) {
    delete_batch_options *options = NULL;
    delete_batch_report *report = NULL;
    uint64_t value = 0;
    OK(delete_batch_options_new(&options));
    OK(delete_batch_options_set_journal(options, journal));
    OK(delete_client_delete_items(client, items, count, options, &report));
    OK(delete_batch_report_count(report, which, &value));
    delete_batch_report_free(report);
    delete_batch_options_free(options);
    return value;
}

static const delete_item ITEMS[] = {
    {DELETE_PRODUCT_JUMIO_DOCUMENT, 0, "ref-0170", "customer-1"},
    {DELETE_PRODUCT_JUMIO_DOCUMENT, 0, "absent-0001", "customer-1"},
    {DELETE_PRODUCT_JUMIO_DOCUMENT, 0, "ref-0171", "customer-2"},
    {DELETE_PRODUCT_HYPERVERGE_TRANSACTION, 0, "txn-0185", "customer-2"},
    {DELETE_PRODUCT_STRIPE_VERIFICATION_SESSION, 0, STRIPE_SESSION("0015"), "customer-3"},
    {DELETE_PRODUCT_JUMIO_DOCUMENT, 0, "ref-0172", NULL},
};
#define ITEM_COUNT (sizeof ITEMS / sizeof ITEMS[0])

static void subject_at(const delete_journal_view *view, size_t index, const char *key,
                       delete_subject_status status, uint64_t deleted, uint64_t scheduled,
                       uint64_t not_found) {
    const char *subject = NULL, *until = NULL;
    delete_subject_status got = 0;
    delete_counts counts;
    OK(delete_journal_view_subject(view, index, &subject, &got, &counts, &until));
    printf("subject %s: status %u, %llu deleted, %llu scheduled, until %s\n", subject,
           (unsigned)got, (unsigned long long)counts.deleted,
           (unsigned long long)counts.scheduled, until ? until : "-");
    CHECK(strcmp(subject, key) == 0);
    CHECK(got == status);
    CHECK(counts.deleted == deleted && counts.scheduled == scheduled &&
          counts.not_found == not_found);
    CHECK(counts.items == deleted + scheduled + not_found);
    CHECK((until != NULL) == (status == DELETE_SUBJECT_STATUS_SCHEDULED));
}

static void test_one_journal(const char *journal) {
    delete_client *client = client_for(test_env("DELETE_TEST_URL"));
    uint64_t deleted = batch(client, ITEMS, ITEM_COUNT, journal, DELETE_BATCH_COUNT_DELETED);
    delete_client_free(client);
    CHECK(deleted == 4);

    delete_journal_view *view = NULL;
    OK(delete_journal_view_read(&journal, 1, &view));
    bool trusted = false;
    OK(delete_journal_view_trusted(view, &trusted));
    CHECK(trusted);
    size_t n = 0;
    OK(delete_journal_view_journal_count(view, &n));
    CHECK(n == 1);
    const char *path = NULL, *fingerprint = NULL, *message = NULL;
    bool chained = false;
    OK(delete_journal_view_journal(view, 0, &path, &chained));
    CHECK(strcmp(path, journal) == 0 && chained);
    OK(delete_journal_view_journal_fingerprint(view, 0, &fingerprint));
    CHECK(strlen(fingerprint) == 64);
    delete_result code = DELETE_RESULT_OK;
    uint64_t line = 0;
    EXPECT(delete_journal_view_journal_problem(view, 0, &code, &line, &message),
           DELETE_RESULT_ABSENT);

    /* The counts are the batch's: 4 deleted, 1 not found, 1 scheduled. */
    delete_counts totals;
    OK(delete_journal_view_totals(view, &totals));
    CHECK(totals.items == ITEM_COUNT && totals.deleted == 4 && totals.not_found == 1 &&
          totals.scheduled == 1);
    CHECK(totals.failed == 0 && totals.in_doubt == 0 && totals.duplicates == 0);

    /* Incomplete first, then scheduled, then erased; by key within each. */
    OK(delete_journal_view_subject_count(view, &n));
    CHECK(n == 3);
    subject_at(view, 0, "customer-3", DELETE_SUBJECT_STATUS_SCHEDULED, 0, 1, 0);
    subject_at(view, 1, "customer-1", DELETE_SUBJECT_STATUS_ERASED, 1, 0, 1);
    subject_at(view, 2, "customer-2", DELETE_SUBJECT_STATUS_ERASED, 2, 0, 0);

    OK(delete_journal_view_item_count(view, &n));
    CHECK(n == ITEM_COUNT);
    for (size_t i = 0; i < n; i++) {
        delete_journal_item item;
        OK(delete_journal_view_item(view, i, &item));
        CHECK(item.journal == 0 && item.position == i && item.counted);
        CHECK(item.product == ITEMS[i].product);
        CHECK(strcmp(item.reference, ITEMS[i].reference) == 0);
        CHECK(ITEMS[i].subject == NULL ? item.subject == NULL
                                       : strcmp(item.subject, ITEMS[i].subject) == 0);
        CHECK(item.error == DELETE_RESULT_OK);
        CHECK(strlen(item.at) >= 20 && item.at[10] == 'T' && item.at[strlen(item.at) - 1] == 'Z');
        CHECK(item.region == (item.product == DELETE_PRODUCT_JUMIO_DOCUMENT ? DELETE_REGION_EU
                                                                             : 0));
    }
    delete_journal_item item;
    OK(delete_journal_view_item(view, 1, &item));
    CHECK(item.status == DELETE_JOURNAL_STATUS_NOT_FOUND);
    OK(delete_journal_view_item(view, 4, &item));
    CHECK(item.status == DELETE_JOURNAL_STATUS_SCHEDULED);
    OK(delete_journal_view_item(view, 5, &item));
    CHECK(item.status == DELETE_JOURNAL_STATUS_DELETED);
    EXPECT(delete_journal_view_item(view, ITEM_COUNT, &item), DELETE_RESULT_INDEX_OUT_OF_RANGE);
    delete_subject_status status = 0;
    EXPECT(delete_journal_view_subject(view, 3, &path, &status, &totals, &message),
           DELETE_RESULT_INDEX_OUT_OF_RANGE);
    delete_journal_view_free(view);
}

static void test_shards(const char *first, const char *second) {
    /* The second shard repeats one item of the first: flagged, counted once. */
    const delete_item again[] = {ITEMS[0], {DELETE_PRODUCT_JUMIO_DOCUMENT, 0, "ref-0173", NULL}};
    delete_client *client = client_for(test_env("DELETE_TEST_URL"));
    CHECK(batch(client, again, 2, second, DELETE_BATCH_COUNT_DELETED) == 1);
    delete_client_free(client);

    const char *paths[] = {first, second};
    delete_journal_view *view = NULL;
    OK(delete_journal_view_read(paths, 2, &view));
    size_t n = 0;
    OK(delete_journal_view_cross_duplicate_count(view, &n));
    CHECK(n == 1);
    size_t first_journal = 9, also_journal = 9;
    uint64_t first_position = 9, also_position = 9;
    OK(delete_journal_view_cross_duplicate(view, 0, &first_journal, &first_position,
                                           &also_journal, &also_position));
    CHECK(first_journal == 0 && first_position == 0 && also_journal == 1 && also_position == 0);
    delete_counts totals;
    OK(delete_journal_view_totals(view, &totals));
    CHECK(totals.items == ITEM_COUNT + 2 && totals.deleted == 5 && totals.duplicates == 1);
    delete_journal_item item;
    OK(delete_journal_view_item(view, ITEM_COUNT, &item));
    CHECK(item.journal == 1 && item.position == 0 && !item.counted);
    delete_journal_view_free(view);
}

static void test_tampered(const char *journal) {
    /* One byte of line 4 changed. */
    FILE *file = fopen(journal, "r+b");
    CHECK(file != NULL);
    int c, lines = 1;
    long offset = 0;
    while (lines < 4 && (c = fgetc(file)) != EOF) {
        offset++;
        lines += c == '\n';
    }
    CHECK(lines == 4);
    CHECK(fseek(file, offset + 2, SEEK_SET) == 0); /* inside `{"event"...` */
    c = fgetc(file);
    CHECK(fseek(file, offset + 2, SEEK_SET) == 0);
    CHECK(fputc(c == 'x' ? 'y' : 'x', file) != EOF);
    CHECK(fclose(file) == 0);

    delete_journal_view *view = NULL;
    OK(delete_journal_view_read(&journal, 1, &view));
    bool trusted = true;
    OK(delete_journal_view_trusted(view, &trusted));
    CHECK(!trusted);
    delete_result code = DELETE_RESULT_OK;
    uint64_t line = 0;
    const char *message = NULL, *fingerprint = NULL;
    OK(delete_journal_view_journal_problem(view, 0, &code, &line, &message));
    printf("tampered: %s\n", message);
    CHECK(code == DELETE_RESULT_JOURNAL_TAMPERED && line == 4);
    CHECK(strstr(message, "line 4") != NULL);
    EXPECT(delete_journal_view_journal_fingerprint(view, 0, &fingerprint), DELETE_RESULT_ABSENT);
    size_t n = 9;
    OK(delete_journal_view_item_count(view, &n));
    CHECK(n == 0);
    delete_journal_view_free(view);

    /* A missing journal: an I/O problem without a line. */
    const char *missing = "/nonexistent/read-journal.journal";
    OK(delete_journal_view_read(&missing, 1, &view));
    OK(delete_journal_view_journal_problem(view, 0, &code, &line, &message));
    CHECK(code == DELETE_RESULT_JOURNAL_IO && line == 0);
    delete_journal_view_free(view);
}

static void test_bad_arguments(const char *journal) {
    delete_journal_view *view = NULL;
    EXPECT(delete_journal_view_read(&journal, 0, &view), DELETE_RESULT_INVALID_ARGUMENT);
    EXPECT(delete_journal_view_read(NULL, 1, &view), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_journal_view_read(&journal, 1, NULL), DELETE_RESULT_NULL_ARGUMENT);
    const char *bad[] = {journal, NOT_UTF8};
    EXPECT(delete_journal_view_read(bad, 2, &view), DELETE_RESULT_INVALID_UTF8);
    CHECK(view == NULL);
    bool trusted = false;
    EXPECT(delete_journal_view_trusted(NULL, &trusted), DELETE_RESULT_NULL_ARGUMENT);
    delete_journal_view_free(NULL);
}

int main(void) {
    char first[512], second[512];
    snprintf(first, sizeof first, "%s/read-1.journal", test_env("DELETE_TEST_TMPDIR"));
    snprintf(second, sizeof second, "%s/read-2.journal", test_env("DELETE_TEST_TMPDIR"));
    test_one_journal(first);
    test_shards(first, second);
    test_tampered(first);
    test_bad_arguments(first);
    printf("test_read_journal: ok\n");
    return 0;
}
