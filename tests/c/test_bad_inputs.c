/* The bad-input catalogue (tests/vectors/bad_inputs.json) through libdelete.
 * The harness turns the catalogue's C entries into DELETE_TEST_BAD_INPUTS,
 * one a line: "id TAB field TAB expected code TAB input", the input being
 * "-" for NULL or "x" and its bytes in hex (invalid UTF-8 included). Every
 * entry goes to each function taking its field, which must return the
 * expected code and leave its out-parameter untouched; the clients point at
 * DELETE_TEST_UNTOUCHED_URL, which the harness checks got no request. Then
 * the partial-credential and out-of-range cases the catalogue cannot hold. */
#include "support.h"

static int marker;
#define SENTINEL ((void *)&marker)

/* Decodes "x<hex>" into a new NUL-terminated string, or NULL for "-". */
static char *decode(const char *text) {
    if (strcmp(text, "-") == 0) {
        return NULL;
    }
    CHECK(text[0] == 'x');
    size_t length = strlen(text + 1) / 2;
    char *bytes = malloc(length + 1);
    CHECK(bytes != NULL);
    for (size_t i = 0; i < length; i++) {
        unsigned int byte = 0;
        CHECK(sscanf(text + 1 + 2 * i, "%2x", &byte) == 1);
        CHECK(byte != 0);
        bytes[i] = (char)byte;
    }
    bytes[length] = '\0';
    return bytes;
}

static void check_code(const char *id, const char *what, delete_result got, delete_result want) {
    if (got != want) {
        fprintf(stderr, "%s: %s returned %d (%s), expected %d (%s)\n", id, what, (int)got,
                delete_result_message(got), (int)want, delete_result_message(want));
        exit(1);
    }
}

/* Every way a reference of `product` reaches libdelete. */
static void try_reference(const delete_client *client, const char *id, delete_product product,
                          const char *reference, delete_result want) {
    delete_outcome *outcome = SENTINEL;
    check_code(id, "delete_client_delete",
               delete_client_delete(client, product, reference, &outcome), want);
    CHECK(outcome == SENTINEL);
    check_code(id, "delete_client_delete_resumed",
               delete_client_delete_resumed(client, product, reference, &outcome), want);
    CHECK(outcome == SENTINEL);

    delete_request *request = SENTINEL;
    check_code(id, "delete_to_request", delete_to_request(client, product, reference, &request),
               want);
    CHECK(request == SENTINEL);

    /* Alone, and after a valid reference: nothing may be sent either way. */
    const char *alone[] = {reference};
    const char *after_valid[] = {"ref-0001", reference};
    delete_batch_report *report = SENTINEL;
    check_code(id, "delete_client_delete_many",
               delete_client_delete_many(client, product, alone, 1, NULL, &report), want);
    CHECK(report == SENTINEL);
    if (product == DELETE_PRODUCT_HYPERVERGE_TRANSACTION) {
        after_valid[0] = "txn-0001";
    } else if (product == DELETE_PRODUCT_JUMIO_PLATFORM_ACCOUNT) {
        after_valid[0] = PLATFORM_ACCOUNT("0001");
    } else if (product == DELETE_PRODUCT_JUMIO_PLATFORM_WORKFLOW) {
        after_valid[0] = PLATFORM_WORKFLOW("0001");
    } else if (product == DELETE_PRODUCT_ONFIDO_APPLICANT) {
        after_valid[0] = ONFIDO_APPLICANT("0001");
    } else if (product == DELETE_PRODUCT_PERSONA_INQUIRY) {
        after_valid[0] = PERSONA_INQUIRY("0001");
    } else if (product == DELETE_PRODUCT_PERSONA_ACCOUNT) {
        after_valid[0] = PERSONA_ACCOUNT("0001");
    } else if (product == DELETE_PRODUCT_STRIPE_VERIFICATION_SESSION) {
        after_valid[0] = STRIPE_SESSION("0001");
    } else if (product == DELETE_PRODUCT_VERIFF_SESSION) {
        after_valid[0] = VERIFF_SESSION("0001");
    }
    check_code(id, "delete_client_delete_many (second of two)",
               delete_client_delete_many(client, product, after_valid, 2, NULL, &report), want);
    CHECK(report == SENTINEL);
}

static void try_entry(const delete_client *client, const char *id, const char *field,
                      const char *input, delete_result want) {
    const char *untouched = test_env("DELETE_TEST_UNTOUCHED_URL");
    if (strcmp(field, "jumio_reference") == 0) {
        try_reference(client, id, DELETE_PRODUCT_JUMIO_SCAN, input, want);
        try_reference(client, id, DELETE_PRODUCT_JUMIO_AUTHENTICATION, input, want);
        try_reference(client, id, DELETE_PRODUCT_JUMIO_DOCUMENT, input, want);
        return;
    }
    if (strcmp(field, "hyperverge_id") == 0) {
        try_reference(client, id, DELETE_PRODUCT_HYPERVERGE_TRANSACTION, input, want);
        return;
    }
    delete_client_builder *builder = NULL;
    OK(delete_client_builder_new(&builder));
    delete_result got = DELETE_RESULT_PANIC;
    if (strcmp(field, "base_url") == 0) {
        got = delete_client_builder_set_base_url(builder, input);
    } else if (strcmp(field, "hyperverge_host") == 0) {
        got = delete_client_builder_set_hyperverge_host(builder, input);
    } else if (strcmp(field, "user_agent") == 0) {
        got = delete_client_builder_set_jumio(builder, JUMIO_TOKEN, JUMIO_SECRET, input,
                                              DELETE_REGION_EU);
    } else if (strcmp(field, "jumio_token") == 0) {
        got = delete_client_builder_set_jumio(builder, input, JUMIO_SECRET, USER_AGENT,
                                              DELETE_REGION_EU);
    } else if (strcmp(field, "jumio_secret") == 0) {
        got = delete_client_builder_set_jumio(builder, JUMIO_TOKEN, input, USER_AGENT,
                                              DELETE_REGION_EU);
    } else if (strcmp(field, "hyperverge_app_id") == 0) {
        got = delete_client_builder_set_hyperverge(builder, input, HV_APP_KEY);
    } else if (strcmp(field, "hyperverge_app_key") == 0) {
        got = delete_client_builder_set_hyperverge(builder, HV_APP_ID, input);
    } else {
        fprintf(stderr, "%s: no C mapping for the field %s\n", id, field);
        exit(1);
    }
    check_code(id, field, got, want);
    /* The refused setting left the builder as it was: no credentials, so
     * building fails; with valid ones it builds a client for the loopback
     * emulator (never the vendors). */
    delete_client *built = SENTINEL;
    EXPECT(delete_client_builder_build(builder, &built), DELETE_RESULT_INVALID_CONFIG);
    CHECK(built == SENTINEL);
    OK(delete_client_builder_set_base_url(builder, untouched));
    OK(delete_client_builder_set_jumio(builder, JUMIO_TOKEN, JUMIO_SECRET, USER_AGENT,
                                       DELETE_REGION_EU));
    OK(delete_client_builder_build(builder, &built));
    delete_client_free(built);
    delete_client_builder_free(builder);
}

static size_t run_catalogue(const delete_client *client) {
    FILE *file = fopen(test_env("DELETE_TEST_BAD_INPUTS"), "r");
    CHECK(file != NULL);
    char line[16384];
    size_t count = 0;
    while (fgets(line, sizeof line, file) != NULL) {
        size_t length = strlen(line);
        CHECK(length > 0 && line[length - 1] == '\n');
        line[length - 1] = '\0';
        char *id = line;
        char *field = strchr(id, '\t');
        CHECK(field != NULL);
        *field++ = '\0';
        char *code = strchr(field, '\t');
        CHECK(code != NULL);
        *code++ = '\0';
        char *hex = strchr(code, '\t');
        CHECK(hex != NULL);
        *hex++ = '\0';
        char *input = decode(hex);
        try_entry(client, id, field, input, (delete_result)atoi(code));
        free(input);
        count++;
    }
    fclose(file);
    return count;
}

/* Jumio Platform ids that are not UUIDs, path tricks included: refused
 * as DELETE_RESULT_INVALID_REFERENCE, no token bought, nothing sent. */
static void test_platform_ids(void) {
    delete_client_builder *builder = NULL;
    delete_client *client = NULL;
    OK(delete_client_builder_new(&builder));
    OK(delete_client_builder_set_jumio_platform(builder, PLATFORM_CLIENT_ID,
                                                PLATFORM_CLIENT_SECRET, USER_AGENT,
                                                DELETE_REGION_US));
    OK(delete_client_builder_set_base_url(builder, test_env("DELETE_TEST_UNTOUCHED_URL")));
    OK(delete_client_builder_build(builder, &client));
    delete_client_builder_free(builder);
#define GOOD "2b6f4c1e-9d1a-4f7e-8a43-0c7d5e9b1f20"
    static const char *const accounts[] = {
        "",         "..",           "../accounts",  GOOD "/..",      GOOD "?x=1",
        GOOD "#f",  GOOD "%2F",     " " GOOD,       GOOD "\n",       "ref-0001",
        "2b6f4c1e9d1a4f7e8a430c7d5e9b1f20",        "2b6f4c1e-9d1a-4f7e-8a43-0c7d5e9b1f2",
        GOOD "/" GOOD,
    };
    static const char *const workflows[] = {
        GOOD,         GOOD "/",         "/" GOOD,         GOOD "/../" GOOD, ".." "/" GOOD,
        GOOD "/ref-1", GOOD "/" GOOD "/x", GOOD "/" GOOD "?", GOOD "/%2e%2e",  "",
    };
    /* delete_client_recheck refuses them too. */
    delete_outcome *outcome = SENTINEL;
    EXPECT(delete_client_recheck(client, DELETE_PRODUCT_JUMIO_PLATFORM_ACCOUNT, "..", &outcome),
           DELETE_RESULT_INVALID_REFERENCE);
    CHECK(outcome == SENTINEL);
    for (size_t i = 0; i < sizeof accounts / sizeof accounts[0]; i++) {
        try_reference(client, accounts[i], DELETE_PRODUCT_JUMIO_PLATFORM_ACCOUNT, accounts[i],
                      DELETE_RESULT_INVALID_REFERENCE);
    }
    for (size_t i = 0; i < sizeof workflows / sizeof workflows[0]; i++) {
        try_reference(client, workflows[i], DELETE_PRODUCT_JUMIO_PLATFORM_WORKFLOW, workflows[i],
                      DELETE_RESULT_INVALID_REFERENCE);
    }
#undef GOOD
    uint64_t tokens = 99;
    OK(delete_client_token_requests(client, &tokens));
    CHECK(tokens == 0);
    delete_client_free(client);
}

/* Malformed Onfido, Persona, Stripe and Veriff ids, path tricks included:
 * refused as DELETE_RESULT_INVALID_REFERENCE by every entry point,
 * delete_client_recheck included, nothing sent. */
static void test_scheduling_vendor_ids(void) {
    delete_client *client =
        test_scheduling_client(test_env("DELETE_TEST_UNTOUCHED_URL"), ONFIDO_TOKEN, PERSONA_KEY,
                               STRIPE_KEY, VERIFF_KEY, VERIFF_SECRET);
#define GOOD "2b6f4c1e-9d1a-4f7e-8a43-0c7d5e9b1f20"
    static const char *const uuids[] = {
        "",        "..",       GOOD "/..", GOOD "?x=1", GOOD "#f", GOOD "%2F", " " GOOD,
        GOOD "\n", "inq_0001", "2b6f4c1e9d1a4f7e8a430c7d5e9b1f20",
        "2b6f4c1e-9d1a-4f7e-8a43-0c7d5e9b1f2g",
    };
#undef GOOD
    static const struct {
        delete_product product;
        const char *ids[10];
    } prefixed[] = {
        {DELETE_PRODUCT_PERSONA_INQUIRY,
         {"", "inq_", "inq_a/b", "inq_../x", "act_0001", "INQ_0001", "inq_a-b", " inq_1", "inq_1?x",
          "inq_0000000000000000000000000000000000000000000000000000000000000000x"}},
        {DELETE_PRODUCT_PERSONA_ACCOUNT,
         {"", "act_", "act_a/b", "act_%2e", "inq_0001", "acct_1", "act_1#f", "act_1\n", "act_ 1",
          "act_0000000000000000000000000000000000000000000000000000000000000000x"}},
        {DELETE_PRODUCT_STRIPE_VERIFICATION_SESSION,
         {"", "vs_", "vs_a/b", "vs_../redact", "vr_0001", "pi_0001", "vs_1?x=1", "vs_1 ", "VS_1",
          "vs_0000000000000000000000000000000000000000000000000000000000000000x"}},
    };
    size_t refused = 0;
    for (size_t i = 0; i < sizeof uuids / sizeof uuids[0]; i++) {
        try_reference(client, uuids[i], DELETE_PRODUCT_ONFIDO_APPLICANT, uuids[i],
                      DELETE_RESULT_INVALID_REFERENCE);
        try_reference(client, uuids[i], DELETE_PRODUCT_VERIFF_SESSION, uuids[i],
                      DELETE_RESULT_INVALID_REFERENCE);
        refused += 2;
    }
    for (size_t p = 0; p < sizeof prefixed / sizeof prefixed[0]; p++) {
        for (size_t i = 0; i < 10; i++) {
            try_reference(client, prefixed[p].ids[i], prefixed[p].product, prefixed[p].ids[i],
                          DELETE_RESULT_INVALID_REFERENCE);
            refused++;
        }
    }
    for (delete_product product = DELETE_PRODUCT_ONFIDO_APPLICANT;
         product <= DELETE_PRODUCT_VERIFF_SESSION; product++) {
        delete_outcome *outcome = SENTINEL;
        EXPECT(delete_client_recheck(client, product, "../x", &outcome),
               DELETE_RESULT_INVALID_REFERENCE);
        EXPECT(delete_client_recheck(client, product, NOT_UTF8, &outcome),
               DELETE_RESULT_INVALID_UTF8);
        CHECK(outcome == SENTINEL);
    }
    printf("test_bad_inputs: %zu malformed Onfido, Persona, Stripe and Veriff ids refused\n",
           refused);
    delete_client_free(client);
}

/* Partial credentials, unknown products and regions. */
static void test_partial_credentials_and_ranges(void) {
    const char *untouched = test_env("DELETE_TEST_UNTOUCHED_URL");
    delete_client_builder *builder = NULL;
    delete_client *client = SENTINEL;
    delete_outcome *outcome = SENTINEL;
    delete_request *request = SENTINEL;

    /* No credentials at all. */
    OK(delete_client_builder_new(&builder));
    OK(delete_client_builder_set_base_url(builder, untouched));
    EXPECT(delete_client_builder_build(builder, &client), DELETE_RESULT_INVALID_CONFIG);
    CHECK(client == SENTINEL);
    EXPECT(delete_client_builder_set_jumio(builder, JUMIO_TOKEN, JUMIO_SECRET, USER_AGENT, 0),
           DELETE_RESULT_INVALID_ARGUMENT);
    EXPECT(delete_client_builder_set_jumio(builder, JUMIO_TOKEN, JUMIO_SECRET, USER_AGENT, 4),
           DELETE_RESULT_INVALID_ARGUMENT);
    EXPECT(delete_client_builder_set_jumio_platform(builder, PLATFORM_CLIENT_ID,
                                                    PLATFORM_CLIENT_SECRET, USER_AGENT, 0),
           DELETE_RESULT_INVALID_ARGUMENT);

    /* HyperVerge only: Jumio products are a configuration error. */
    OK(delete_client_builder_set_hyperverge(builder, HV_APP_ID, HV_APP_KEY));
    OK(delete_client_builder_build(builder, &client));
    EXPECT(delete_client_delete(client, DELETE_PRODUCT_JUMIO_SCAN, "ref-0001", &outcome),
           DELETE_RESULT_INVALID_CONFIG);
    EXPECT(delete_to_request(client, DELETE_PRODUCT_JUMIO_DOCUMENT, "ref-0001", &request),
           DELETE_RESULT_INVALID_CONFIG);
    EXPECT(delete_client_delete(client, 0, "ref-0001", &outcome), DELETE_RESULT_INVALID_ARGUMENT);
    EXPECT(delete_client_delete(client, 99, "ref-0001", &outcome), DELETE_RESULT_INVALID_ARGUMENT);
    EXPECT(delete_client_delete(client, 12, "ref-0001", &outcome), DELETE_RESULT_INVALID_ARGUMENT);
    /* Onfido, Persona, Stripe and Veriff products without their
     * credentials. */
    EXPECT(delete_client_delete(client, DELETE_PRODUCT_ONFIDO_APPLICANT, ONFIDO_APPLICANT("0001"),
                                &outcome),
           DELETE_RESULT_INVALID_CONFIG);
    EXPECT(delete_client_recheck(client, DELETE_PRODUCT_STRIPE_VERIFICATION_SESSION,
                                 STRIPE_SESSION("0001"), &outcome),
           DELETE_RESULT_INVALID_CONFIG);
    EXPECT(delete_to_request(client, DELETE_PRODUCT_VERIFF_SESSION, VERIFF_SESSION("0001"),
                             &request),
           DELETE_RESULT_INVALID_CONFIG);
    EXPECT(delete_client_delete(client, DELETE_PRODUCT_JUMIO_PLATFORM_ACCOUNT,
                                PLATFORM_ACCOUNT("0001"), &outcome),
           DELETE_RESULT_INVALID_CONFIG);
    CHECK(outcome == SENTINEL && request == SENTINEL);
    delete_client_free(client);
    delete_client_builder_free(builder);

    /* Jumio only: HyperVerge is a configuration error. */
    OK(delete_client_builder_new(&builder));
    OK(delete_client_builder_set_base_url(builder, untouched));
    OK(delete_client_builder_set_jumio(builder, JUMIO_TOKEN, JUMIO_SECRET, USER_AGENT,
                                       DELETE_REGION_US));
    client = SENTINEL;
    OK(delete_client_builder_build(builder, &client));
    EXPECT(delete_client_delete(client, DELETE_PRODUCT_HYPERVERGE_TRANSACTION, "txn-0001",
                                &outcome),
           DELETE_RESULT_INVALID_CONFIG);
    const char *one[] = {"txn-0001"};
    delete_batch_report *report = SENTINEL;
    EXPECT(delete_client_delete_many(client, DELETE_PRODUCT_HYPERVERGE_TRANSACTION, one, 1, NULL,
                                     &report),
           DELETE_RESULT_INVALID_CONFIG);
    CHECK(outcome == SENTINEL && report == SENTINEL);
    /* NULL handles and a NULL array with a count. */
    EXPECT(delete_client_delete(NULL, DELETE_PRODUCT_JUMIO_SCAN, "ref-0001", &outcome),
           DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_client_delete(client, DELETE_PRODUCT_JUMIO_SCAN, "ref-0001", NULL),
           DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_client_delete_many(client, DELETE_PRODUCT_JUMIO_SCAN, NULL, 3, NULL, &report),
           DELETE_RESULT_NULL_ARGUMENT);
    const char *with_null[] = {"ref-0001", NULL};
    EXPECT(delete_client_delete_many(client, DELETE_PRODUCT_JUMIO_SCAN, with_null, 2, NULL,
                                     &report),
           DELETE_RESULT_NULL_ARGUMENT);
    CHECK(outcome == SENTINEL && report == SENTINEL);
    delete_client_free(client);
    delete_client_builder_free(builder);
}

int main(void) {
    delete_client *client = test_client(test_env("DELETE_TEST_UNTOUCHED_URL"), 1);
    size_t count = run_catalogue(client);
    delete_client_free(client);
    size_t expected = (size_t)strtoul(test_env("DELETE_TEST_BAD_INPUT_COUNT"), NULL, 10);
    if (count != expected) {
        fprintf(stderr, "read %zu bad inputs, the harness wrote %zu\n", count, expected);
        return 1;
    }
    test_partial_credentials_and_ranges();
    test_platform_ids();
    test_scheduling_vendor_ids();
    printf("test_bad_inputs: %zu bad inputs refused, nothing sent\n", count);
    return 0;
}
