/* The batch: options, progress, cancellation, journal and report. */
#include <math.h>
#include <stdatomic.h>
#include <time.h>

#include "support.h"

static int marker;
#define SENTINEL ((void *)&marker)

struct progress_log {
    atomic_ulong calls;
    atomic_ulong most_done;
    unsigned long cancel_after; /* 0: never cancel */
};

static bool on_progress(void *user_data, const delete_progress *progress) {
    struct progress_log *log = user_data;
    unsigned long calls = atomic_fetch_add(&log->calls, 1) + 1;
    unsigned long done = (unsigned long)progress->done;
    unsigned long seen = atomic_load(&log->most_done);
    while (done > seen && !atomic_compare_exchange_weak(&log->most_done, &seen, done)) {
    }
    CHECK(progress->done ==
          progress->deleted + progress->scheduled + progress->not_found + progress->failed);
    CHECK(progress->scheduled == 0); /* Jumio and HyperVerge erase at once */
    return log->cancel_after == 0 || calls < log->cancel_after;
}

static uint64_t count(const delete_batch_report *report, delete_batch_count which) {
    uint64_t value = 0;
    OK(delete_batch_report_count(report, which, &value));
    return value;
}

static void journal_path(char *path, size_t size, const char *name) {
    snprintf(path, size, "%s/%s", test_env("DELETE_TEST_TMPDIR"), name);
}

static void test_options(void) {
    delete_batch_options *options = SENTINEL;
    EXPECT(delete_batch_options_new(NULL), DELETE_RESULT_NULL_ARGUMENT);
    OK(delete_batch_options_new(&options));
    CHECK(options != SENTINEL);
    EXPECT(delete_batch_options_set_concurrency(NULL, 2), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_batch_options_set_rate(NULL, 2.0), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_batch_options_set_journal(NULL, "j"), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_batch_options_set_journal(options, NULL), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_batch_options_set_journal(options, NOT_UTF8), DELETE_RESULT_INVALID_UTF8);
    EXPECT(delete_batch_options_set_progress(NULL, on_progress, NULL), DELETE_RESULT_NULL_ARGUMENT);
    OK(delete_batch_options_set_progress(options, NULL, NULL));
    delete_batch_options_free(options);
    delete_batch_options_free(NULL);
    delete_batch_report_free(NULL);
}

static void test_batch_with_journal(const char *url) {
    delete_client *client = test_client(url, 1);
    delete_batch_options *options = NULL;
    delete_batch_report *report = NULL;
    struct progress_log log = {0};
    char journal[512];
    const char *references[22];
    char names[20][16];
    bool cancelled = true;
    size_t failures = 99;

    for (int i = 0; i < 20; i++) {
        snprintf(names[i], sizeof names[i], "ref-%04d", 100 + i);
        references[i] = names[i];
    }
    references[20] = "never-seeded-1";
    references[21] = "never-seeded-2";
    journal_path(journal, sizeof journal, "batch.journal");

    OK(delete_batch_options_new(&options));
    OK(delete_batch_options_set_concurrency(options, 4));
    OK(delete_batch_options_set_rate(options, 1000.0));
    OK(delete_batch_options_set_journal(options, journal));
    OK(delete_batch_options_set_progress(options, on_progress, &log));
    OK(delete_client_delete_many(client, DELETE_PRODUCT_JUMIO_SCAN, references, 22, options,
                                 &report));
    CHECK(count(report, DELETE_BATCH_COUNT_DELETED) == 20);
    CHECK(count(report, DELETE_BATCH_COUNT_DELETED_BY_RESPONSE) == 20);
    CHECK(count(report, DELETE_BATCH_COUNT_DELETED_BY_ABSENCE) == 0);
    CHECK(count(report, DELETE_BATCH_COUNT_NOT_FOUND) == 2);
    CHECK(count(report, DELETE_BATCH_COUNT_SCHEDULED) == 0);
    CHECK(count(report, DELETE_BATCH_COUNT_FAILED) == 0);
    CHECK(count(report, DELETE_BATCH_COUNT_IN_DOUBT) == 0);
    CHECK(count(report, DELETE_BATCH_COUNT_SKIPPED) == 0);
    CHECK(count(report, DELETE_BATCH_COUNT_RESUMED_IN_DOUBT) == 0);
    CHECK(count(report, DELETE_BATCH_COUNT_ATTEMPTS) == 22);
    OK(delete_batch_report_cancelled(report, &cancelled));
    CHECK(!cancelled);
    OK(delete_batch_report_failure_count(report, &failures));
    CHECK(failures == 0);
    CHECK(atomic_load(&log.calls) == 22);
    CHECK(atomic_load(&log.most_done) == 22);
    delete_batch_report_free(report);

    /* The journal exists and holds no secret. */
    FILE *file = fopen(journal, "r");
    CHECK(file != NULL);
    char line[1024];
    int lines = 0;
    while (fgets(line, sizeof line, file) != NULL) {
        CHECK(strstr(line, JUMIO_SECRET) == NULL && strstr(line, JUMIO_TOKEN) == NULL);
        lines++;
    }
    fclose(file);
    /* The header, the run's start, a sent and an outcome per item, the run's end. */
    CHECK(lines == 2 + 22 + 22 + 1);

    /* The same input with the same journal: everything is skipped. */
    OK(delete_client_delete_many(client, DELETE_PRODUCT_JUMIO_SCAN, references, 22, options,
                                 &report));
    CHECK(count(report, DELETE_BATCH_COUNT_SKIPPED) == 22);
    CHECK(count(report, DELETE_BATCH_COUNT_DELETED) == 0);
    CHECK(count(report, DELETE_BATCH_COUNT_ATTEMPTS) == 0);
    delete_batch_report_free(report);

    /* Another input with that journal is refused. */
    report = SENTINEL;
    const char *other[] = {"ref-0150"};
    EXPECT(delete_client_delete_many(client, DELETE_PRODUCT_JUMIO_SCAN, other, 1, options, &report),
           DELETE_RESULT_JOURNAL_INPUT_CHANGED);
    CHECK(report == SENTINEL);
    delete_batch_options_free(options);

    /* Defaults (NULL options), HyperVerge. */
    const char *transactions[] = {"txn-0100", "txn-0101", "txn-0102"};
    OK(delete_client_delete_many(client, DELETE_PRODUCT_HYPERVERGE_TRANSACTION, transactions, 3,
                                 NULL, &report));
    CHECK(count(report, DELETE_BATCH_COUNT_DELETED) == 3);
    delete_batch_report_free(report);

    /* An empty batch. */
    OK(delete_client_delete_many(client, DELETE_PRODUCT_JUMIO_SCAN, NULL, 0, NULL, &report));
    CHECK(count(report, DELETE_BATCH_COUNT_DELETED) == 0);
    delete_batch_report_free(report);
    delete_client_free(client);
}

/* Removes, in place, the hash chain from a journal's text: each line's
 * `,"chain":"<64 hex>"` and the header's `,"chaining":"sha256-v1"`. What
 * is left is an unchained journal, as written before the chain, which a
 * hand may edit (an edit to a chained one breaks its chain). */
static void unchain(char *text) {
    static const char chaining[] = ",\"chaining\":\"sha256-v1\"";
    static const char chain[] = ",\"chain\":\"";
    char *at = strstr(text, chaining);
    CHECK(at != NULL);
    memmove(at, at + strlen(chaining), strlen(at + strlen(chaining)) + 1);
    int lines = 0;
    while ((at = strstr(text, chain)) != NULL) {
        size_t cut = strlen(chain) + 64 + 1; /* the key, the hex, the closing quote */
        CHECK(strlen(at) > cut && at[cut] == '}');
        memmove(at, at + cut, strlen(at + cut) + 1);
        lines++;
    }
    CHECK(lines > 0);
}

/* A journal whose outcome line says "scheduled", as a vendor that erases
 * later leaves it (Jumio never does, so the test writes it, into the
 * journal made unchained first): a resume reads it, sends nothing for that
 * item, and counts it neither deleted nor scheduled again. */
static void test_scheduled_in_journal(const char *url) {
    static const char deleted[] = "\"result\":\"deleted\",\"confirmed_by\":\"response\",\"audits\":0";
    static const char scheduled[] = "\"result\":\"scheduled\",\"within_secs\":43200";
    delete_client *client = test_client(url, 1);
    delete_batch_options *options = NULL;
    delete_batch_report *report = NULL;
    const char *references[] = {"ref-0160", "ref-0161"};
    char journal[512], text[8192], edited[8192];

    journal_path(journal, sizeof journal, "scheduled.journal");
    OK(delete_batch_options_new(&options));
    OK(delete_batch_options_set_journal(options, journal));
    OK(delete_client_delete_many(client, DELETE_PRODUCT_JUMIO_SCAN, references, 2, options,
                                 &report));
    CHECK(count(report, DELETE_BATCH_COUNT_DELETED) == 2);
    CHECK(count(report, DELETE_BATCH_COUNT_SCHEDULED) == 0);
    delete_batch_report_free(report);

    /* The first item's outcome becomes "scheduled". */
    FILE *file = fopen(journal, "r");
    CHECK(file != NULL);
    size_t length = fread(text, 1, sizeof text - 1, file);
    CHECK(feof(file));
    fclose(file);
    text[length] = '\0';
    unchain(text);
    char *at = strstr(text, deleted);
    CHECK(at != NULL);
    int written = snprintf(edited, sizeof edited, "%.*s%s%s", (int)(at - text), text, scheduled,
                           at + strlen(deleted));
    CHECK(written > 0 && (size_t)written < sizeof edited);
    file = fopen(journal, "w");
    CHECK(file != NULL);
    CHECK(fwrite(edited, 1, (size_t)written, file) == (size_t)written);
    CHECK(fclose(file) == 0);

    OK(delete_client_delete_many(client, DELETE_PRODUCT_JUMIO_SCAN, references, 2, options,
                                 &report));
    CHECK(count(report, DELETE_BATCH_COUNT_SKIPPED) == 2);
    CHECK(count(report, DELETE_BATCH_COUNT_ATTEMPTS) == 0);
    CHECK(count(report, DELETE_BATCH_COUNT_DELETED) == 0);
    CHECK(count(report, DELETE_BATCH_COUNT_SCHEDULED) == 0);
    CHECK(count(report, DELETE_BATCH_COUNT_FAILED) == 0);
    delete_batch_report_free(report);
    delete_batch_options_free(options);
    delete_client_free(client);
}

static void test_rejected_batches(const char *url) {
    delete_client *client = test_client(url, 1);
    delete_batch_options *options = NULL;
    delete_batch_report *report = SENTINEL;
    char journal[512];
    const char *bad_reference[] = {"ref-0130", "ref#0131"};
    const char *null_reference[] = {"ref-0130", NULL};
    const char *not_utf8[] = {NOT_UTF8};
    const char *good[] = {"ref-0130"};

    EXPECT(delete_client_delete_many(NULL, DELETE_PRODUCT_JUMIO_SCAN, good, 1, NULL, &report),
           DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_client_delete_many(client, DELETE_PRODUCT_JUMIO_SCAN, NULL, 1, NULL, &report),
           DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_client_delete_many(client, DELETE_PRODUCT_JUMIO_SCAN, good, 1, NULL, NULL),
           DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_client_delete_many(client, DELETE_PRODUCT_JUMIO_SCAN, null_reference, 2, NULL,
                                     &report),
           DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_client_delete_many(client, DELETE_PRODUCT_JUMIO_SCAN, not_utf8, 1, NULL, &report),
           DELETE_RESULT_INVALID_UTF8);
    EXPECT(delete_client_delete_many(client, DELETE_PRODUCT_JUMIO_SCAN, bad_reference, 2, NULL,
                                     &report),
           DELETE_RESULT_INVALID_REFERENCE);
    EXPECT(delete_client_delete_many(client, 77, good, 1, NULL, &report),
           DELETE_RESULT_INVALID_ARGUMENT);

    OK(delete_batch_options_new(&options));
    OK(delete_batch_options_set_concurrency(options, 0));
    EXPECT(delete_client_delete_many(client, DELETE_PRODUCT_JUMIO_SCAN, good, 1, options, &report),
           DELETE_RESULT_INVALID_BATCH_OPTIONS);
    OK(delete_batch_options_set_concurrency(options, 257));
    EXPECT(delete_client_delete_many(client, DELETE_PRODUCT_JUMIO_SCAN, good, 1, options, &report),
           DELETE_RESULT_INVALID_BATCH_OPTIONS);
    OK(delete_batch_options_set_concurrency(options, 2));
    OK(delete_batch_options_set_rate(options, -1.0));
    EXPECT(delete_client_delete_many(client, DELETE_PRODUCT_JUMIO_SCAN, good, 1, options, &report),
           DELETE_RESULT_INVALID_BATCH_OPTIONS);
    OK(delete_batch_options_set_rate(options, 100.0));

    /* A journal that cannot be created, and one that is not a journal. */
    journal_path(journal, sizeof journal, "missing-directory/batch.journal");
    OK(delete_batch_options_set_journal(options, journal));
    EXPECT(delete_client_delete_many(client, DELETE_PRODUCT_JUMIO_SCAN, good, 1, options, &report),
           DELETE_RESULT_JOURNAL_IO);
    journal_path(journal, sizeof journal, "corrupt.journal");
    FILE *file = fopen(journal, "w");
    CHECK(file != NULL);
    fputs("this is not a journal\n{\"event\":\"nonsense\"}\n", file);
    fclose(file);
    OK(delete_batch_options_set_journal(options, journal));
    EXPECT(delete_client_delete_many(client, DELETE_PRODUCT_JUMIO_SCAN, good, 1, options, &report),
           DELETE_RESULT_JOURNAL_CORRUPT);
    CHECK(report == SENTINEL);
    delete_batch_options_free(options);

    /* Nothing was sent: the reference is still there. */
    delete_outcome *outcome = test_delete(client, DELETE_PRODUCT_JUMIO_SCAN, "ref-0130");
    CHECK(test_error(outcome) == DELETE_RESULT_OK);
    delete_outcome_free(outcome);
    delete_client_free(client);
}

/* A journal edited after the run (one byte of its first outcome): its hash
 * chain breaks at that line, so the next batch with it is refused with
 * DELETE_RESULT_JOURNAL_TAMPERED, the last error naming the line, and
 * nothing is sent. */
static void test_tampered_journal(const char *url) {
    static const char attempts[] = "\"attempts\":1";
    delete_client *client = test_client(url, 1);
    delete_batch_options *options = NULL;
    delete_batch_report *report = NULL;
    const char *references[] = {"ref-0186", "ref-0187"};
    const char *unsent[] = {"ref-0186", "ref-0187", "ref-0188"};
    char journal[512], text[8192], message[1024];
    size_t length = 0;

    journal_path(journal, sizeof journal, "tampered.journal");
    OK(delete_batch_options_new(&options));
    OK(delete_batch_options_set_concurrency(options, 1));
    OK(delete_batch_options_set_journal(options, journal));
    OK(delete_client_delete_many(client, DELETE_PRODUCT_JUMIO_SCAN, references, 2, options,
                                 &report));
    CHECK(count(report, DELETE_BATCH_COUNT_DELETED) == 2);
    /* The fingerprint: the chain value the journal's last line states. */
    const char *fingerprint = NULL;
    EXPECT(delete_batch_report_journal_fingerprint(NULL, &fingerprint),
           DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_batch_report_journal_fingerprint(report, NULL), DELETE_RESULT_NULL_ARGUMENT);
    OK(delete_batch_report_journal_fingerprint(report, &fingerprint));
    CHECK(strlen(fingerprint) == 64 && strspn(fingerprint, "0123456789abcdef") == 64);
    char stated[128];
    snprintf(stated, sizeof stated, "\"chain\":\"%s\"}\n", fingerprint);
    FILE *file = fopen(journal, "r+");
    CHECK(file != NULL);
    length = fread(text, 1, sizeof text - 1, file);
    CHECK(feof(file));
    text[length] = '\0';
    CHECK(length > strlen(stated) && strcmp(text + length - strlen(stated), stated) == 0);
    delete_batch_report_free(report);

    /* With concurrency 1: header, run, sent, outcome (line 4). */
    char *outcome = strstr(text, "\"event\":\"outcome\"");
    CHECK(outcome != NULL);
    int line = 1;
    for (const char *c = text; c < outcome; c++) line += *c == '\n';
    CHECK(line == 4);
    char *at = strstr(outcome, attempts);
    CHECK(at != NULL);
    at[strlen(attempts) - 1] = '2';
    CHECK(fseek(file, 0, SEEK_SET) == 0);
    CHECK(fwrite(text, 1, length, file) == length);
    CHECK(fclose(file) == 0);

    report = SENTINEL;
    EXPECT(delete_client_delete_many(client, DELETE_PRODUCT_JUMIO_SCAN, unsent, 3, options,
                                     &report),
           DELETE_RESULT_JOURNAL_TAMPERED);
    CHECK(report == SENTINEL);
    OK(delete_last_error_message(message, sizeof message, &length));
    CHECK(strstr(message, "line 4: the hash chain breaks here") != NULL);
    CHECK(strstr(message, "tampered.journal") != NULL);
    CHECK(strstr(delete_result_message(DELETE_RESULT_JOURNAL_TAMPERED), "hash chain") != NULL);
    delete_batch_options_free(options);

    /* Nothing was sent: the third reference is still there. */
    delete_outcome *deleted = test_delete(client, DELETE_PRODUCT_JUMIO_SCAN, "ref-0188");
    CHECK(test_error(deleted) == DELETE_RESULT_OK);
    delete_outcome_free(deleted);
    delete_client_free(client);
}

static void test_cancel(const char *url) {
    delete_client *client = test_client(url, 1);
    delete_batch_options *options = NULL;
    delete_batch_report *report = NULL;
    struct progress_log log = {0};
    const char *references[30];
    char names[30][16];
    bool cancelled = false;

    for (int i = 0; i < 30; i++) {
        snprintf(names[i], sizeof names[i], "ref-%04d", 140 + i);
        references[i] = names[i];
    }
    log.cancel_after = 1;
    OK(delete_batch_options_new(&options));
    OK(delete_batch_options_set_concurrency(options, 1));
    OK(delete_batch_options_set_progress(options, on_progress, &log));
    OK(delete_client_delete_many(client, DELETE_PRODUCT_JUMIO_AUTHENTICATION, references, 30,
                                 options, &report));
    OK(delete_batch_report_cancelled(report, &cancelled));
    CHECK(cancelled);
    CHECK(count(report, DELETE_BATCH_COUNT_DELETED) < 30);
    delete_batch_report_free(report);
    delete_batch_options_free(options);
    delete_client_free(client);
}

static void test_failures(void) {
    delete_client *client = test_client(test_env("DELETE_TEST_SERVER_ERROR_URL"), 1);
    delete_batch_report *report = NULL;
    const char *references[] = {"ref-0180", "ref-0181", "ref-0182"};
    size_t failures = 0;
    uint64_t position = 99, value = 99;
    delete_result error = DELETE_RESULT_OK;

    OK(delete_client_delete_many(client, DELETE_PRODUCT_JUMIO_SCAN, references, 3, NULL, &report));
    CHECK(count(report, DELETE_BATCH_COUNT_FAILED) == 3);
    CHECK(count(report, DELETE_BATCH_COUNT_DELETED) == 0);
    OK(delete_batch_report_failed_kind(report, DELETE_RESULT_SERVER, &value));
    CHECK(value == 3);
    OK(delete_batch_report_failed_kind(report, DELETE_RESULT_NOT_FOUND, &value));
    CHECK(value == 0);
    OK(delete_batch_report_failed_kind(report, DELETE_RESULT_NOT_DELETABLE_YET, &value));
    CHECK(value == 0);
    value = 99;
    EXPECT(delete_batch_report_failed_kind(report, DELETE_RESULT_OK, &value),
           DELETE_RESULT_INVALID_ARGUMENT);
    EXPECT(delete_batch_report_failed_kind(report, 9999, &value), DELETE_RESULT_INVALID_ARGUMENT);
    CHECK(value == 99);
    /* No journal: no fingerprint. */
    const char *fingerprint = SENTINEL;
    EXPECT(delete_batch_report_journal_fingerprint(report, &fingerprint), DELETE_RESULT_ABSENT);
    CHECK(fingerprint == SENTINEL);
    OK(delete_batch_report_failure_count(report, &failures));
    CHECK(failures == 3);
    bool seen[3] = {false, false, false};
    for (size_t i = 0; i < failures; i++) {
        OK(delete_batch_report_failure(report, i, &position, &error));
        CHECK(position < 3 && error == DELETE_RESULT_SERVER);
        seen[position] = true;
    }
    CHECK(seen[0] && seen[1] && seen[2]);
    position = 99;
    EXPECT(delete_batch_report_failure(report, 3, &position, &error),
           DELETE_RESULT_INDEX_OUT_OF_RANGE);
    CHECK(position == 99);
    EXPECT(delete_batch_report_failure(report, 0, NULL, &error), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_batch_report_failure(report, 0, &position, NULL), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_batch_report_failure(NULL, 0, &position, &error), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_batch_report_count(report, 0, &value), DELETE_RESULT_INVALID_ARGUMENT);
    EXPECT(delete_batch_report_count(report, 99, &value), DELETE_RESULT_INVALID_ARGUMENT);
    EXPECT(delete_batch_report_count(NULL, DELETE_BATCH_COUNT_FAILED, &value),
           DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_batch_report_count(report, DELETE_BATCH_COUNT_FAILED, NULL),
           DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_batch_report_failed_kind(NULL, DELETE_RESULT_SERVER, &value),
           DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_batch_report_cancelled(NULL, NULL), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_batch_report_failure_count(report, NULL), DELETE_RESULT_NULL_ARGUMENT);
    delete_batch_report_free(report);
    delete_client_free(client);
}

/* Request windows: bad vendors and windows are refused by the setters; a
 * window full for longer than 2 minutes stops the batch after what it
 * allows, with the time it frees up; a lifted window lets every item go. */
static void test_windows(const char *url) {
    delete_client *client = test_client(url, 1);
    delete_batch_options *options = NULL;
    delete_batch_report *report = NULL;
    const char *references[] = {"ref-0193", "ref-0194", "ref-0195"};
    bool full = false, cancelled = false;
    uint64_t until = 99;

    OK(delete_batch_options_new(&options));
    EXPECT(delete_batch_options_set_window(NULL, "jumio", 1, 60.0), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_batch_options_set_window(options, NULL, 1, 60.0), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_batch_options_set_window(options, "acme", 1, 60.0),
           DELETE_RESULT_INVALID_ARGUMENT);
    EXPECT(delete_batch_options_set_window(options, "jumio", 0, 60.0),
           DELETE_RESULT_INVALID_BATCH_OPTIONS);
    EXPECT(delete_batch_options_set_window(options, "jumio", 1, 0.0),
           DELETE_RESULT_INVALID_BATCH_OPTIONS);
    EXPECT(delete_batch_options_set_window(options, "jumio", 1, -1.0),
           DELETE_RESULT_INVALID_BATCH_OPTIONS);
    EXPECT(delete_batch_options_set_window(options, "jumio", 1, NAN),
           DELETE_RESULT_INVALID_BATCH_OPTIONS);
    EXPECT(delete_batch_options_set_window(options, "jumio", 1, 40.0 * 86400.0),
           DELETE_RESULT_INVALID_BATCH_OPTIONS);
    EXPECT(delete_batch_options_lift_windows(options, "acme"), DELETE_RESULT_INVALID_ARGUMENT);
    EXPECT(delete_batch_options_set_wait_for_windows(NULL, true), DELETE_RESULT_NULL_ARGUMENT);

    /* One request per hour: the first goes, the batch stops at the second.
       One worker, so the one that goes is references[0] (with several, any
       of the three could take the window's slot). */
    OK(delete_batch_options_set_concurrency(options, 1));
    OK(delete_batch_options_set_window(options, "jumio", 1, 3600.0));
    OK(delete_client_delete_many(client, DELETE_PRODUCT_JUMIO_SCAN, references, 3, options,
                                 &report));
    CHECK(count(report, DELETE_BATCH_COUNT_ATTEMPTS) == 1);
    CHECK(count(report, DELETE_BATCH_COUNT_DELETED) == 1);
    OK(delete_batch_report_cancelled(report, &cancelled));
    CHECK(cancelled);
    OK(delete_batch_report_window_full(report, &full, &until));
    CHECK(full);
    uint64_t now_ms = (uint64_t)time(NULL) * 1000;
    CHECK(until > now_ms + 3500 * 1000 && until <= now_ms + 3602 * 1000);
    EXPECT(delete_batch_report_window_full(report, NULL, &until), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_batch_report_window_full(NULL, &full, &until), DELETE_RESULT_NULL_ARGUMENT);
    delete_batch_report_free(report);

    /* Lifted: the other two go at once. */
    OK(delete_batch_options_lift_windows(options, "jumio"));
    OK(delete_batch_options_set_wait_for_windows(options, false));
    OK(delete_client_delete_many(client, DELETE_PRODUCT_JUMIO_SCAN, references + 1, 2, options,
                                 &report));
    CHECK(count(report, DELETE_BATCH_COUNT_DELETED) == 2);
    OK(delete_batch_report_window_full(report, &full, &until));
    CHECK(!full && until == 0);
    delete_batch_report_free(report);
    delete_batch_options_free(options);
    delete_client_free(client);
}

/* Every report field of Rust's BatchReport, read through C: a journaled
 * batch refused by HyperVerge (403, not in doubt) with a repeated item; its
 * resume at another endpoint, refused until allow_endpoint_change, which
 * runs the failures again; a shorter input, which leaves a journal note. */
static void test_resume_elsewhere(const char *url) {
    delete_client *forbidden = test_client(test_env("DELETE_TEST_FORBIDDEN_URL"), 1);
    delete_client *client = test_client(url, 1);
    delete_batch_options *options = NULL;
    delete_batch_report *report = NULL;
    const char *references[] = {"txn-0190", "txn-0191", "txn-0192", "txn-0190"};
    char journal[512];
    bool dry_run = true;
    uint64_t elapsed_ms = UINT64_MAX;
    size_t notes = 99;
    const char *note = NULL;

    journal_path(journal, sizeof journal, "elsewhere.journal");
    OK(delete_batch_options_new(&options));
    OK(delete_batch_options_set_journal(options, journal));
    OK(delete_client_delete_many(forbidden, DELETE_PRODUCT_HYPERVERGE_TRANSACTION, references, 4,
                                 options, &report));
    CHECK(count(report, DELETE_BATCH_COUNT_FAILED) == 3);
    CHECK(count(report, DELETE_BATCH_COUNT_IN_DOUBT) == 0);
    CHECK(count(report, DELETE_BATCH_COUNT_DUPLICATES) == 1);
    CHECK(count(report, DELETE_BATCH_COUNT_RUN) == 1);
    CHECK(count(report, DELETE_BATCH_COUNT_RETRIED_FAILURES) == 0);
    CHECK(count(report, DELETE_BATCH_COUNT_FAILURES_OMITTED) == 0);
    CHECK(count(report, DELETE_BATCH_COUNT_DONE) == 3);
    OK(delete_batch_report_dry_run(report, &dry_run));
    CHECK(!dry_run);
    OK(delete_batch_report_elapsed_ms(report, &elapsed_ms));
    CHECK(elapsed_ms < 60000);
    OK(delete_batch_report_journal_note_count(report, &notes));
    CHECK(notes == 0);
    EXPECT(delete_batch_report_journal_note(report, 0, &note), DELETE_RESULT_INDEX_OUT_OF_RANGE);
    CHECK(note == NULL);
    delete_batch_report_free(report);

    /* Another endpoint: refused before anything is sent... */
    report = SENTINEL;
    EXPECT(delete_client_delete_many(client, DELETE_PRODUCT_HYPERVERGE_TRANSACTION, references, 4,
                                     options, &report),
           DELETE_RESULT_JOURNAL_ENDPOINT_CHANGED);
    CHECK(report == SENTINEL);
    /* ...unless allowed: the three failures run again and are deleted. */
    OK(delete_batch_options_set_allow_endpoint_change(options, true));
    OK(delete_client_delete_many(client, DELETE_PRODUCT_HYPERVERGE_TRANSACTION, references, 4,
                                 options, &report));
    CHECK(count(report, DELETE_BATCH_COUNT_RETRIED_FAILURES) == 3);
    CHECK(count(report, DELETE_BATCH_COUNT_RESUMED_IN_DOUBT) == 0);
    CHECK(count(report, DELETE_BATCH_COUNT_DELETED) == 3);
    CHECK(count(report, DELETE_BATCH_COUNT_RUN) == 2);
    CHECK(count(report, DELETE_BATCH_COUNT_SKIPPED) == 1); /* the recorded duplicate */
    CHECK(count(report, DELETE_BATCH_COUNT_DONE) == 3);
    delete_batch_report_free(report);

    /* A shorter input: nothing to do, and a note says so. */
    OK(delete_client_delete_many(client, DELETE_PRODUCT_HYPERVERGE_TRANSACTION, references, 2,
                                 options, &report));
    CHECK(count(report, DELETE_BATCH_COUNT_SKIPPED) == 2);
    CHECK(count(report, DELETE_BATCH_COUNT_ATTEMPTS) == 0);
    CHECK(count(report, DELETE_BATCH_COUNT_RUN) == 3);
    OK(delete_batch_report_journal_note_count(report, &notes));
    CHECK(notes == 1);
    OK(delete_batch_report_journal_note(report, 0, &note));
    printf("journal note: %s\n", note);
    CHECK(strstr(note, "shortened") != NULL);
    EXPECT(delete_batch_report_journal_note(report, 0, NULL), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_batch_report_journal_note(NULL, 0, &note), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_batch_report_journal_note_count(report, NULL), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_batch_report_dry_run(NULL, &dry_run), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_batch_report_elapsed_ms(report, NULL), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_batch_options_set_allow_endpoint_change(NULL, true),
           DELETE_RESULT_NULL_ARGUMENT);
    delete_batch_report_free(report);
    delete_batch_options_free(options);
    delete_client_free(client);
    delete_client_free(forbidden);
}

int main(void) {
    const char *url = test_env("DELETE_TEST_URL");
    test_options();
    test_batch_with_journal(url);
    test_scheduled_in_journal(url);
    test_rejected_batches(url);
    test_tampered_journal(url);
    test_cancel(url);
    test_failures();
    test_windows(url);
    test_resume_elsewhere(url);
    printf("test_batch: ok\n");
    return 0;
}
