/* One client shared by several pthreads: deletions and sans-IO requests
 * at once. */
#include <pthread.h>

#include "support.h"

#define THREADS 6
#define PER_THREAD 8

struct work {
    const delete_client *client;
    int first;
    int deleted;
};

static void *worker(void *argument) {
    struct work *work = argument;
    char reference[16];
    for (int i = 0; i < PER_THREAD; i++) {
        snprintf(reference, sizeof reference, "ref-%04d", work->first + i);
        delete_product product =
            i % 2 == 0 ? DELETE_PRODUCT_JUMIO_DOCUMENT : DELETE_PRODUCT_JUMIO_SCAN;
        delete_outcome *outcome = test_delete(work->client, product, reference);
        if (test_error(outcome) == DELETE_RESULT_OK) {
            work->deleted++;
        }
        delete_outcome_free(outcome);

        delete_request *request = NULL;
        const char *url = NULL;
        OK(delete_to_request(work->client, product, reference, &request));
        OK(delete_request_url(request, &url));
        CHECK(strstr(url, reference) != NULL);
        delete_request_free(request);
    }
    return NULL;
}

int main(void) {
    delete_client *client = test_client(test_env("DELETE_TEST_URL"), 2);
    pthread_t threads[THREADS];
    struct work work[THREADS];
    for (int t = 0; t < THREADS; t++) {
        work[t] = (struct work){.client = client, .first = 20 + t * PER_THREAD, .deleted = 0};
        CHECK(pthread_create(&threads[t], NULL, worker, &work[t]) == 0);
    }
    int deleted = 0;
    for (int t = 0; t < THREADS; t++) {
        CHECK(pthread_join(threads[t], NULL) == 0);
        deleted += work[t].deleted;
    }
    CHECK(deleted == THREADS * PER_THREAD);
    delete_client_free(client);
    printf("test_threads: ok\n");
    return 0;
}
