/* delete_one: erase one transaction at Jumio or HyperVerge with libdelete.
 *
 *   delete_one jumio REGION PRODUCT REFERENCE   REGION: us|eu|sgp, PRODUCT: scan|authentication|document
 *   delete_one hyperverge TRANSACTION_ID
 *
 * Credentials come from the environment, never from arguments (which other
 * users can read): JUMIO_API_TOKEN, JUMIO_API_SECRET, JUMIO_USER_AGENT, or
 * HYPERVERGE_APP_ID, HYPERVERGE_APP_KEY. IDV_DELETE_BASE_URL (optional)
 * sends requests elsewhere, such as the emulator: http://127.0.0.1:PORT.
 *
 * Exit status: 0 deleted, or scheduled (accepted by a vendor that erases
 * later: the message says so, never "deleted"), 1 not found or failed, 2
 * usage or configuration error.
 *
 * Build: cc -std=c11 delete_one.c $(pkg-config --cflags --libs delete) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "delete.h"

static int usage(void) {
    fprintf(stderr,
            "usage: delete_one jumio us|eu|sgp scan|authentication|document REFERENCE\n"
            "       delete_one hyperverge TRANSACTION_ID\n");
    return 2;
}

static int fail(const char *what, delete_result code) {
    fprintf(stderr, "delete_one: %s: %s\n", what, delete_result_message(code));
    return 2;
}

static const char *env_or_empty(const char *name) {
    const char *value = getenv(name);
    return value != NULL ? value : "";
}

int main(int argc, char **argv) {
    delete_product product;
    delete_region region = DELETE_REGION_US;
    const char *reference;

    if (argc == 5 && strcmp(argv[1], "jumio") == 0) {
        if (strcmp(argv[2], "us") == 0) region = DELETE_REGION_US;
        else if (strcmp(argv[2], "eu") == 0) region = DELETE_REGION_EU;
        else if (strcmp(argv[2], "sgp") == 0) region = DELETE_REGION_SGP;
        else return usage();
        if (strcmp(argv[3], "scan") == 0) product = DELETE_PRODUCT_JUMIO_SCAN;
        else if (strcmp(argv[3], "authentication") == 0) product = DELETE_PRODUCT_JUMIO_AUTHENTICATION;
        else if (strcmp(argv[3], "document") == 0) product = DELETE_PRODUCT_JUMIO_DOCUMENT;
        else return usage();
        reference = argv[4];
    } else if (argc == 3 && strcmp(argv[1], "hyperverge") == 0) {
        product = DELETE_PRODUCT_HYPERVERGE_TRANSACTION;
        reference = argv[2];
    } else {
        return usage();
    }

    /* Configure a client. Every call returns a delete_result. */
    delete_client_builder *builder = NULL;
    delete_client *client = NULL;
    delete_result rc = delete_client_builder_new(&builder);
    if (rc != DELETE_RESULT_OK) return fail("out of memory", rc);
    if (product == DELETE_PRODUCT_HYPERVERGE_TRANSACTION) {
        rc = delete_client_builder_set_hyperverge(builder, env_or_empty("HYPERVERGE_APP_ID"),
                                                  env_or_empty("HYPERVERGE_APP_KEY"));
    } else {
        rc = delete_client_builder_set_jumio(builder, env_or_empty("JUMIO_API_TOKEN"),
                                             env_or_empty("JUMIO_API_SECRET"),
                                             env_or_empty("JUMIO_USER_AGENT"), region);
    }
    if (rc == DELETE_RESULT_OK && getenv("IDV_DELETE_BASE_URL") != NULL) {
        rc = delete_client_builder_set_base_url(builder, getenv("IDV_DELETE_BASE_URL"));
    }
    if (rc == DELETE_RESULT_OK) rc = delete_client_builder_build(builder, &client);
    delete_client_builder_free(builder); /* wipes the copied credentials */
    if (rc != DELETE_RESULT_OK) return fail("configuration", rc);

    /* Delete. DELETE_RESULT_OK means "an outcome exists", not "deleted". */
    delete_outcome *outcome = NULL;
    rc = delete_client_delete(client, product, reference, &outcome);
    if (rc != DELETE_RESULT_OK) {
        delete_client_free(client);
        return fail(reference, rc); /* nothing was sent */
    }

    delete_status outcome_status = DELETE_OUTCOME_FAILED;
    const char *message = NULL;
    uint32_t attempts = 0;
    int status = 1;
    if (delete_outcome_status(outcome, &outcome_status) == DELETE_RESULT_OK &&
        delete_outcome_message(outcome, &message) == DELETE_RESULT_OK &&
        delete_outcome_attempts(outcome, &attempts) == DELETE_RESULT_OK) {
        printf("%s: %s (%u attempt%s)\n", reference, message, (unsigned)attempts,
               attempts == 1 ? "" : "s");
        status = outcome_status == DELETE_OUTCOME_DELETED ||
                         outcome_status == DELETE_OUTCOME_SCHEDULED
                     ? 0
                     : 1;
    }
    delete_outcome_free(outcome);
    delete_client_free(client);
    return status;
}
