/* The C contender of bench/run: deletes every row of a batch CSV of Jumio
 * scans in the US (vendor,product,region,reference) with libdelete's
 * delete_client_delete_many and prints the counts as JSON.
 *
 *     c_batch BASE_URL CSV CONCURRENCY [RATE]
 *
 * libdelete's batch takes an array, so the references are read into memory
 * first (the harness's CPU-bound row holds 100,000 of them). */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "delete.h"

static void check(enum delete_result rc, const char *what) {
    if (rc != DELETE_RESULT_OK) {
        fprintf(stderr, "%s: %s\n", what, delete_result_message(rc));
        exit(1);
    }
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: c_batch BASE_URL CSV CONCURRENCY [RATE]\n");
        return 2;
    }
    FILE *csv = fopen(argv[2], "r");
    if (csv == NULL) {
        perror(argv[2]);
        return 1;
    }
    size_t count = 0, capacity = 1024;
    char **references = malloc(capacity * sizeof *references);
    char line[512];
    if (references == NULL || fgets(line, sizeof line, csv) == NULL) return 1; /* header */
    while (fgets(line, sizeof line, csv) != NULL) {
        char *reference = strrchr(line, ',');
        if (reference == NULL) continue;
        reference[strcspn(reference, "\r\n")] = '\0';
        if (count == capacity) {
            capacity *= 2;
            char **grown = realloc(references, capacity * sizeof *references);
            if (grown == NULL) return 1;
            references = grown;
        }
        references[count] = strdup(reference + 1);
        if (references[count++] == NULL) return 1;
    }
    fclose(csv);

    delete_client_builder *builder = NULL;
    delete_client *client = NULL;
    check(delete_client_builder_new(&builder), "builder");
    check(delete_client_builder_set_jumio(builder, "emulator-token", "emulator-secret",
                                          "Acme KYC-Cleaner/1.0", DELETE_REGION_US),
          "jumio");
    check(delete_client_builder_set_base_url(builder, argv[1]), "base url");
    check(delete_client_builder_build(builder, &client), "build");
    delete_client_builder_free(builder);

    delete_batch_options *options = NULL;
    check(delete_batch_options_new(&options), "options");
    check(delete_batch_options_set_concurrency(options, (uint32_t)atoi(argv[3])), "concurrency");
    if (argc > 4) check(delete_batch_options_set_rate(options, atof(argv[4])), "rate");

    delete_batch_report *report = NULL;
    check(delete_client_delete_many(client, DELETE_PRODUCT_JUMIO_SCAN,
                                    (const char *const *)references, count, options, &report),
          "batch");
    uint64_t deleted = 0, not_found = 0, failed = 0, attempts = 0;
    check(delete_batch_report_count(report, DELETE_BATCH_COUNT_DELETED, &deleted), "count");
    check(delete_batch_report_count(report, DELETE_BATCH_COUNT_NOT_FOUND, &not_found), "count");
    check(delete_batch_report_count(report, DELETE_BATCH_COUNT_FAILED, &failed), "count");
    check(delete_batch_report_count(report, DELETE_BATCH_COUNT_ATTEMPTS, &attempts), "count");
    printf("{\"deleted\":%llu,\"not_found\":%llu,\"failed\":%llu,\"attempts\":%llu}\n",
           (unsigned long long)deleted, (unsigned long long)not_found,
           (unsigned long long)failed, (unsigned long long)attempts);

    delete_batch_report_free(report);
    delete_batch_options_free(options);
    delete_client_free(client);
    for (size_t i = 0; i < count; i++) free(references[i]);
    free(references);
    return 0;
}
