/* delete_last_error_message: the calling thread's detail of its last failed
 * call. It names the setter and the value refused, the journal's path and
 * line, and never a credential (the harness also scans this program's
 * output for the canaries, which are printed here on purpose). */
#include "support.h"

/* The last error, or "" when there is none (a success cleared it). */
static const char *last_error(void) {
    static char buf[1024];
    size_t n = 0;
    delete_result rc = delete_last_error_message(buf, sizeof buf, &n);
    if (rc == DELETE_RESULT_ABSENT) return "";
    OK(rc);
    CHECK(n < sizeof buf && buf[n] == '\0' && strlen(buf) == n);
    return buf;
}

#define MENTIONS(text, part)                                                             \
    do {                                                                                 \
        const char *text_ = (text);                                                      \
        if (strstr(text_, (part)) == NULL) {                                             \
            fprintf(stderr, "%s:%d: \"%s\" does not mention \"%s\"\n", __FILE__, __LINE__, \
                    text_, (part));                                                      \
            exit(1);                                                                     \
        }                                                                                \
    } while (0)

#define SECRET_FREE(text)                                                                  \
    do {                                                                                   \
        const char *text_ = (text);                                                        \
        CHECK(strstr(text_, "CANARY") == NULL && strstr(text_, CANARY_BASIC) == NULL);    \
        /* Printed so that the harness's scan of the output sees it too. */                \
        printf("last error: %s\n", text_);                                                 \
    } while (0)

static void test_the_rule(void) {
    delete_client_builder *builder = NULL;
    char buf[16];
    size_t n = 99;

    /* A success leaves none; reading never changes it. */
    OK(delete_client_builder_new(&builder));
    EXPECT(delete_last_error_message(buf, sizeof buf, &n), DELETE_RESULT_ABSENT);
    CHECK(n == 99);
    EXPECT(delete_last_error_message(NULL, sizeof buf, &n), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_last_error_message(buf, sizeof buf, NULL), DELETE_RESULT_NULL_ARGUMENT);
    EXPECT(delete_last_error_message(buf, 0, &n), DELETE_RESULT_INVALID_ARGUMENT);

    /* A failure without more to say leaves the code's message. */
    EXPECT(delete_client_builder_set_max_attempts(NULL, 3), DELETE_RESULT_NULL_ARGUMENT);
    CHECK(strcmp(last_error(), delete_result_message(DELETE_RESULT_NULL_ARGUMENT)) == 0);
    CHECK(strcmp(last_error(), delete_result_message(DELETE_RESULT_NULL_ARGUMENT)) == 0);

    /* A short buffer gets the start of it, NUL-terminated. */
    OK(delete_last_error_message(buf, sizeof buf, &n));
    CHECK(n == sizeof buf - 1 && buf[n] == '\0');
    CHECK(strncmp(buf, delete_result_message(DELETE_RESULT_NULL_ARGUMENT), n) == 0);

    /* The next success clears it. */
    OK(delete_client_builder_set_max_attempts(builder, 3));
    CHECK(strcmp(last_error(), "") == 0);
    delete_client_builder_free(builder);
}

static void test_settings_are_named(void) {
    delete_client_builder *builder = NULL;
    delete_client *client = NULL;
    OK(delete_client_builder_new(&builder));

    EXPECT(delete_client_builder_set_base_url(builder, "ftp://kyc.example.com/v2"),
           DELETE_RESULT_INVALID_CONFIG);
    MENTIONS(last_error(), "delete_client_builder_set_base_url");
    MENTIONS(last_error(), "ftp://kyc.example.com/v2");
    MENTIONS(last_error(), "https://host[:port][/prefix]");

    EXPECT(delete_client_builder_set_base_url(builder, "http://kyc.example.com"),
           DELETE_RESULT_INVALID_CONFIG);
    MENTIONS(last_error(), "http://kyc.example.com");
    MENTIONS(last_error(), "127.0.0.1");

    EXPECT(delete_client_builder_set_hyperverge_host(builder, "https://x.example"),
           DELETE_RESULT_INVALID_CONFIG);
    MENTIONS(last_error(), "delete_client_builder_set_hyperverge_host");

    EXPECT(delete_client_builder_set_jumio(builder, JUMIO_TOKEN, NULL, USER_AGENT,
                                           DELETE_REGION_EU),
           DELETE_RESULT_NULL_ARGUMENT);
    MENTIONS(last_error(), "delete_client_builder_set_jumio: api_secret is NULL");

    EXPECT(delete_client_builder_set_jumio(builder, JUMIO_TOKEN, JUMIO_SECRET, NOT_UTF8,
                                           DELETE_REGION_EU),
           DELETE_RESULT_INVALID_UTF8);
    MENTIONS(last_error(), "user_agent is not valid UTF-8");

    EXPECT(delete_client_builder_set_jumio(builder, JUMIO_TOKEN, JUMIO_SECRET, "", DELETE_REGION_EU),
           DELETE_RESULT_INVALID_CONFIG);
    MENTIONS(last_error(), "User-Agent");

    EXPECT(delete_client_builder_set_jumio(builder, JUMIO_TOKEN, JUMIO_SECRET, USER_AGENT, 9),
           DELETE_RESULT_INVALID_ARGUMENT);
    MENTIONS(last_error(), "region 9");

    /* Build: no credentials, then a timeout out of range. */
    EXPECT(delete_client_builder_build(builder, &client), DELETE_RESULT_INVALID_CONFIG);
    MENTIONS(last_error(), "delete_client_builder_build: ");
    MENTIONS(last_error(), "no credentials");
    OK(delete_client_builder_set_jumio(builder, JUMIO_TOKEN, JUMIO_SECRET, USER_AGENT,
                                       DELETE_REGION_EU));
    OK(delete_client_builder_set_timeout_ms(builder, 0));
    EXPECT(delete_client_builder_build(builder, &client), DELETE_RESULT_INVALID_CONFIG);
    MENTIONS(last_error(), "timeout");
    delete_client_builder_free(builder);
}

static void test_no_secret_in_messages(void) {
    delete_client_builder *builder = NULL;
    OK(delete_client_builder_new(&builder));
    /* A stray newline after the secret, a ':' in the token, an empty
     * User-Agent, an unknown region: each names the part, not its value. */
    EXPECT(delete_client_builder_set_jumio(builder, CANARY_TOKEN, CANARY_SECRET "\n", USER_AGENT,
                                           DELETE_REGION_EU),
           DELETE_RESULT_INVALID_CONFIG);
    MENTIONS(last_error(), "secret");
    SECRET_FREE(last_error());
    EXPECT(delete_client_builder_set_jumio(builder, CANARY_TOKEN ":" CANARY_SECRET, CANARY_SECRET,
                                           USER_AGENT, DELETE_REGION_EU),
           DELETE_RESULT_INVALID_CONFIG);
    MENTIONS(last_error(), "token");
    SECRET_FREE(last_error());
    EXPECT(delete_client_builder_set_jumio(builder, CANARY_TOKEN, CANARY_SECRET, "",
                                           DELETE_REGION_EU),
           DELETE_RESULT_INVALID_CONFIG);
    SECRET_FREE(last_error());
    EXPECT(delete_client_builder_set_jumio(builder, CANARY_TOKEN, CANARY_SECRET, USER_AGENT, 0),
           DELETE_RESULT_INVALID_ARGUMENT);
    SECRET_FREE(last_error());
    EXPECT(delete_client_builder_set_hyperverge(builder, CANARY_APP_ID, " " CANARY_APP_KEY),
           DELETE_RESULT_INVALID_CONFIG);
    SECRET_FREE(last_error());
    /* Credentials in a base URL are refused without being repeated. */
    EXPECT(delete_client_builder_set_base_url(
               builder, "https://" CANARY_TOKEN ":" CANARY_SECRET "@kyc.example.com"),
           DELETE_RESULT_INVALID_CONFIG);
    MENTIONS(last_error(), "credentials");
    SECRET_FREE(last_error());
    delete_client_builder_free(builder);
}

static void test_deletions_and_batches(const char *url) {
    delete_client *client = test_client(url, 1);
    delete_outcome *outcome = NULL;
    delete_batch_options *options = NULL;
    delete_batch_report *report = NULL;
    char journal[512];
    const char *references[] = {"ref-0150", "ref-0151", "ref#0152"};

    EXPECT(delete_client_delete(client, DELETE_PRODUCT_JUMIO_SCAN, "ref/0150", &outcome),
           DELETE_RESULT_INVALID_REFERENCE);
    MENTIONS(last_error(), "ref/0150");
    EXPECT(delete_client_delete(client, 42, "ref-0150", &outcome), DELETE_RESULT_INVALID_ARGUMENT);
    MENTIONS(last_error(), "product 42");
    EXPECT(delete_client_delete_resumed(client, DELETE_PRODUCT_JUMIO_SCAN, NULL, &outcome),
           DELETE_RESULT_NULL_ARGUMENT);
    MENTIONS(last_error(), "delete_client_delete_resumed: reference is NULL");
    EXPECT(delete_client_delete_cancellable(client, DELETE_PRODUCT_JUMIO_SCAN, "ref-0150", NULL,
                                            &outcome),
           DELETE_RESULT_NULL_ARGUMENT);
    CHECK(strcmp(last_error(), "") != 0);

    /* The batch says which reference is wrong. */
    EXPECT(delete_client_delete_many(client, DELETE_PRODUCT_JUMIO_SCAN, references, 3, NULL,
                                     &report),
           DELETE_RESULT_INVALID_REFERENCE);
    MENTIONS(last_error(), "references[2]");
    MENTIONS(last_error(), "ref#0152");

    /* A corrupt journal: its path and the line. */
    OK(delete_batch_options_new(&options));
    snprintf(journal, sizeof journal, "%s/last-error.journal", test_env("DELETE_TEST_TMPDIR"));
    FILE *file = fopen(journal, "w");
    CHECK(file != NULL);
    fputs("this is not a journal\n{\"event\":\"nonsense\"}\n", file);
    fclose(file);
    OK(delete_batch_options_set_journal(options, journal));
    EXPECT(delete_client_delete_many(client, DELETE_PRODUCT_JUMIO_SCAN, references, 2, options,
                                     &report),
           DELETE_RESULT_JOURNAL_CORRUPT);
    MENTIONS(last_error(), journal);
    MENTIONS(last_error(), "line 1");

    /* A journal that cannot be created: its path and the OS's reason. */
    snprintf(journal, sizeof journal, "%s/missing/last-error.journal",
             test_env("DELETE_TEST_TMPDIR"));
    OK(delete_batch_options_set_journal(options, journal));
    EXPECT(delete_client_delete_many(client, DELETE_PRODUCT_JUMIO_SCAN, references, 2, options,
                                     &report),
           DELETE_RESULT_JOURNAL_IO);
    MENTIONS(last_error(), journal);
    MENTIONS(last_error(), "No such file or directory");

    OK(delete_batch_options_set_concurrency(options, 0));
    EXPECT(delete_client_delete_many(client, DELETE_PRODUCT_JUMIO_SCAN, references, 2, options,
                                     &report),
           DELETE_RESULT_INVALID_BATCH_OPTIONS);
    MENTIONS(last_error(), "concurrency");
    delete_batch_options_free(options);

    /* A deletion that ran is OK, whatever its outcome: no last error. */
    OK(delete_client_delete(client, DELETE_PRODUCT_JUMIO_SCAN, "ref-0150", &outcome));
    CHECK(strcmp(last_error(), "") == 0);
    delete_outcome_free(outcome);
    delete_client_free(client);
}

int main(void) {
    test_the_rule();
    test_settings_are_named();
    test_no_secret_in_messages();
    test_deletions_and_batches(test_env("DELETE_TEST_URL"));
    puts("test_last_error: ok");
    return 0;
}
