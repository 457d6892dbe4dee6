/* delete_cancel: a cancel from another thread during a 60 s Retry-After
 * pause stops a single deletion and a batch promptly (the target is 2 s;
 * the bound is a generous 10 s, the program runs under valgrind). The
 * measured times are printed. */
#include <pthread.h>
#include <time.h>

#include "support.h"

/* Generous: valgrind and a shared machine. */
#define BOUND_SECONDS 10.0

static double now_seconds(void) {
    struct timespec ts;
    CHECK(clock_gettime(CLOCK_MONOTONIC, &ts) == 0);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct canceller {
    const delete_cancel *cancel;
    double cancelled_at;
    /* With a journal: wait until it holds this many sent records (the
     * batch's workers are in flight) before the second's wait. */
    const char *journal;
    int sent_wanted;
};

static int sent_records(const char *journal) {
    FILE *file = fopen(journal, "r");
    if (file == NULL) {
        return 0;
    }
    char line[1024];
    int sent = 0;
    while (fgets(line, sizeof line, file) != NULL) {
        sent += strstr(line, "\"event\":\"sent\"") != NULL;
    }
    fclose(file);
    return sent;
}

/* Waits for the batch's sent records, if asked (valgrind makes start-up
 * slow), then one second (the first request meets its 429), then
 * cancels. */
static void *cancel_later(void *arg) {
    struct canceller *canceller = arg;
    struct timespec tick = {0, 50 * 1000 * 1000};
    for (int i = 0; canceller->journal != NULL && i < 600; i++) {
        if (sent_records(canceller->journal) >= canceller->sent_wanted) {
            break;
        }
        nanosleep(&tick, NULL);
    }
    struct timespec second = {1, 0};
    nanosleep(&second, NULL);
    canceller->cancelled_at = now_seconds();
    OK(delete_cancel_cancel(canceller->cancel));
    return NULL;
}

static void test_handle(void) {
    delete_cancel *cancel = NULL;
    bool cancelled = true;
    EXPECT(delete_cancel_new(NULL), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_cancel_cancel(NULL), DELETE_RESULT_NULL_ARGUMENT);
    OK(delete_cancel_new(&cancel));
    EXPECT(delete_cancel_is_cancelled(cancel, NULL), DELETE_RESULT_NULL_ARGUMENT);
    OK(delete_cancel_is_cancelled(cancel, &cancelled));
    CHECK(!cancelled);
    OK(delete_cancel_cancel(cancel));
    OK(delete_cancel_cancel(cancel));
    OK(delete_cancel_is_cancelled(cancel, &cancelled));
    CHECK(cancelled);
    delete_cancel_free(cancel);
    delete_cancel_free(NULL);
}

static void test_single(const char *paused_url) {
    delete_client *client = test_client(paused_url, 4);
    delete_cancel *cancel = NULL;
    delete_outcome *outcome = NULL;
    OK(delete_cancel_new(&cancel));
    EXPECT(delete_client_delete_cancellable(client, DELETE_PRODUCT_JUMIO_SCAN, "scan-1", NULL,
                                            &outcome),
           DELETE_RESULT_NULL_ARGUMENT);

    struct canceller canceller = {cancel, 0.0, NULL, 0};
    pthread_t thread;
    CHECK(pthread_create(&thread, NULL, cancel_later, &canceller) == 0);
    OK(delete_client_delete_cancellable(client, DELETE_PRODUCT_JUMIO_SCAN, "scan-1", cancel,
                                        &outcome));
    double returned = now_seconds();
    CHECK(pthread_join(thread, NULL) == 0);
    double took = returned - canceller.cancelled_at;
    printf("single deletion returned %.3f s after delete_cancel_cancel (Retry-After 60)\n", took);
    CHECK(took < BOUND_SECONDS);
    CHECK(test_error(outcome) == DELETE_RESULT_CANCELLED);
    bool in_doubt = true;
    OK(delete_outcome_in_doubt(outcome, &in_doubt));
    CHECK(!in_doubt); /* a 429 is never applied */
    delete_outcome_free(outcome);

    /* Already cancelled: nothing is sent, the outcome says cancelled. */
    OK(delete_client_delete_cancellable(client, DELETE_PRODUCT_JUMIO_SCAN, "scan-2", cancel,
                                        &outcome));
    CHECK(test_error(outcome) == DELETE_RESULT_CANCELLED);
    uint32_t attempts = 99;
    OK(delete_outcome_attempts(outcome, &attempts));
    CHECK(attempts == 0);
    delete_outcome_free(outcome);
    delete_cancel_free(cancel);
    delete_client_free(client);
}

static void test_batch(const char *paused_url) {
    delete_client *client = test_client(paused_url, 4);
    delete_cancel *cancel = NULL;
    delete_batch_options *options = NULL;
    delete_batch_report *report = NULL;
    char journal[512];
    snprintf(journal, sizeof journal, "%s/cancel.journal", test_env("DELETE_TEST_TMPDIR"));
    const char *references[] = {"scan-1", "scan-2", "scan-3", "scan-4", "scan-5", "scan-6"};

    OK(delete_cancel_new(&cancel));
    OK(delete_batch_options_new(&options));
    EXPECT(delete_batch_options_set_cancel(NULL, cancel), DELETE_RESULT_NULL_ARGUMENT);
    OK(delete_batch_options_set_cancel(options, NULL));
    OK(delete_batch_options_set_cancel(options, cancel));
    OK(delete_batch_options_set_concurrency(options, 2));
    OK(delete_batch_options_set_journal(options, journal));

    struct canceller canceller = {cancel, 0.0, journal, 2};
    pthread_t thread;
    CHECK(pthread_create(&thread, NULL, cancel_later, &canceller) == 0);
    OK(delete_client_delete_many(client, DELETE_PRODUCT_JUMIO_SCAN, references, 6, options,
                                 &report));
    double returned = now_seconds();
    CHECK(pthread_join(thread, NULL) == 0);
    double took = returned - canceller.cancelled_at;
    printf("batch returned %.3f s after delete_cancel_cancel (Retry-After 60)\n", took);
    CHECK(took < BOUND_SECONDS);

    bool cancelled = false;
    OK(delete_batch_report_cancelled(report, &cancelled));
    CHECK(cancelled);
    uint64_t cut_short = 0;
    OK(delete_batch_report_failed_kind(report, DELETE_RESULT_CANCELLED, &cut_short));
    uint64_t failed = 0;
    OK(delete_batch_report_count(report, DELETE_BATCH_COUNT_FAILED, &failed));
    CHECK(cut_short >= 1 && cut_short <= 2);
    CHECK(failed == cut_short);

    delete_batch_report_free(report);
    /* The options hold their own reference: freeing the switch first is fine. */
    delete_cancel_free(cancel);
    delete_batch_options_free(options);
    delete_client_free(client);
}

int main(void) {
    const char *paused_url = test_env("DELETE_TEST_PAUSED_URL");
    CHECK(strcmp(delete_result_message(DELETE_RESULT_CANCELLED), "ok") != 0);
    test_handle();
    test_single(paused_url);
    test_batch(paused_url);
    return 0;
}
