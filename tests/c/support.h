/* Shared helpers of the C tests of libdelete. The Rust harness
 * (crates/capi/tests/c.rs) starts the emulators, seeds them and passes their
 * base URLs in the environment:
 *   DELETE_TEST_URL               seeded: jumio scan/authentication/document
 *                                 "ref-0000".."ref-0199", hyperverge "txn-0000".."txn-0199",
 *                                 jumio-platform accounts PLATFORM_ACCOUNT(n) and workflows
 *                                 PLATFORM_WORKFLOW(n) for n 0..199; for n 0..19 Onfido
 *                                 applicants ONFIDO_APPLICANT(n), Persona inquiries and accounts
 *                                 PERSONA_INQUIRY(n), PERSONA_ACCOUNT(n), Stripe sessions
 *                                 STRIPE_SESSION(n) and Veriff sessions VERIFF_SESSION(n);
 *                                 VERIFF_IN_PROGRESS, STRIPE_PROCESSING and PERSONA_PENDING,
 *                                 which the vendors will not delete yet (every emulator below)
 *   DELETE_TEST_FORBIDDEN_URL     HyperVerge IP allow-list without 127.0.0.1 (403)
 *   DELETE_TEST_RATE_LIMITED_URL  every vendor request gets 429, Retry-After: 1
 *   DELETE_TEST_SERVER_ERROR_URL  every vendor request gets 500
 *   DELETE_TEST_SLOW_URL          every vendor request waits 2 s first
 *   DELETE_TEST_RESET_URL         every connection is reset after the delete is applied
 *   DELETE_TEST_PAUSED_URL        every vendor request gets 429, Retry-After: 60
 *   DELETE_TEST_CLOSED_URL        a loopback port nobody listens on
 *   DELETE_TEST_NOT_TLS_URL       https:// URL of a loopback server answering plain HTTP
 *   DELETE_TEST_CANARY_URL        seeded like DELETE_TEST_URL, accepting the CANARY_* credentials
 *   DELETE_TEST_CANARY_PLATFORM_URL  a proxy in front of DELETE_TEST_CANARY_URL that learns the
 *                                 access tokens it issues: the harness fails any program whose
 *                                 output holds one
 *   DELETE_TEST_UNTOUCHED_URL     must never receive a request (the harness checks)
 *   DELETE_TEST_SCHEDULE_DELAY_MS how long every emulator keeps an accepted Onfido, Persona or
 *                                 Stripe erasure scheduled before it completes
 *   DELETE_TEST_TMPDIR            an empty directory for journals
 *   DELETE_TEST_BAD_INPUTS        the C entries of tests/vectors/bad_inputs.json as text
 *   DELETE_TEST_BAD_INPUT_COUNT   how many entries that file has
 * The emulators accept their default credentials (below), except the canary
 * one. The harness fails any program whose output holds a CANARY_* value. */
#ifndef DELETE_TEST_SUPPORT_H
#define DELETE_TEST_SUPPORT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "delete.h"

#define JUMIO_TOKEN "emulator-token"
#define JUMIO_SECRET "emulator-secret"
#define USER_AGENT "Acme KYC-Cleaner/1.0"
#define HV_APP_ID "emulator-app-id"
#define HV_APP_KEY "emulator-app-key"
#define PLATFORM_CLIENT_ID "emulator-client-id"
#define PLATFORM_CLIENT_SECRET "emulator-client-secret"
#define ONFIDO_TOKEN "emulator-onfido-token"
#define PERSONA_KEY "emulator-persona-key"
#define STRIPE_KEY "sk_test_emulator"
#define VERIFF_KEY "emulator-veriff-key"
#define VERIFF_SECRET "emulator-veriff-secret"

/* The seeded Jumio Platform ids, n from 0 to 199 (a string literal's
 * digits): PLATFORM_ACCOUNT("0007"), PLATFORM_WORKFLOW("0007"). */
#define PLATFORM_ACCOUNT(n) "a0000000-0000-4000-8000-00000000" n
#define PLATFORM_WORKFLOW(n) "b0000000-0000-4000-8000-00000000" n "/c0000000-0000-4000-8000-00000000" n
/* The seeded ids of the vendors that schedule erasures, n from 0 to 19:
 * ONFIDO_APPLICANT("0003"), STRIPE_SESSION("0003"). */
#define ONFIDO_APPLICANT(n) "d0000000-0000-4000-8000-00000000" n
#define VERIFF_SESSION(n) "e0000000-0000-4000-8000-00000000" n
#define PERSONA_INQUIRY(n) "inq_" n
#define PERSONA_ACCOUNT(n) "act_" n
#define STRIPE_SESSION(n) "vs_" n
/* Seeded in states the vendors refuse to delete yet: Veriff 1305, Stripe
 * "processing" (400), Persona 409. */
#define VERIFF_IN_PROGRESS "f0000000-0000-4000-8000-000000000000"
#define STRIPE_PROCESSING "vs_busy"
#define PERSONA_PENDING "inq_busy"

/* Canary credentials (crates/capi/tests/c.rs has the same): distinctive, so
 * that a leak into any output, message or journal is found. */
#define CANARY_TOKEN "CANARY-TOKEN-7f3a9c"
#define CANARY_SECRET "CANARY-SECRET-b41d2e"
#define CANARY_APP_ID "CANARY-APPID-93c0e1"
#define CANARY_APP_KEY "CANARY-APPKEY-d5a8f4"
#define CANARY_CLIENT_ID "CANARY-CLIENTID-0e7b26"
#define CANARY_CLIENT_SECRET "CANARY-CLIENTSECRET-a9f3c8"
#define CANARY_ONFIDO_TOKEN "CANARY-ONFIDO-4c2e71"
#define CANARY_PERSONA_KEY "CANARY-PERSONA-8b5d03"
#define CANARY_STRIPE_KEY "sk_CANARY-STRIPE-6f1a94"
#define CANARY_VERIFF_KEY "CANARY-VERIFFKEY-2d7c50"
#define CANARY_VERIFF_SECRET "CANARY-VERIFFSECRET-e83b16"
/* base64("CANARY-TOKEN-7f3a9c:CANARY-SECRET-b41d2e"), the Basic credentials. */
#define CANARY_BASIC "Q0FOQVJZLVRPS0VOLTdmM2E5YzpDQU5BUlktU0VDUkVULWI0MWQyZQ=="

#define CHECK(cond)                                                                   \
    do {                                                                              \
        if (!(cond)) {                                                                \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            exit(1);                                                                  \
        }                                                                             \
    } while (0)

#define EXPECT(call, expected)                                                        \
    do {                                                                              \
        delete_result got_ = (call);                                                  \
        if (got_ != (expected)) {                                                     \
            fprintf(stderr, "%s:%d: %s returned %d (%s), expected %d\n", __FILE__,   \
                    __LINE__, #call, (int)got_, delete_result_message(got_),          \
                    (int)(expected));                                                 \
            exit(1);                                                                  \
        }                                                                             \
    } while (0)

#define OK(call) EXPECT(call, DELETE_RESULT_OK)

/* A byte sequence that is not UTF-8. */
#define NOT_UTF8 "ref-\xc3\x28"

static inline const char *test_env(const char *name) {
    const char *value = getenv(name);
    if (value == NULL || value[0] == '\0') {
        fprintf(stderr, "%s is not set: run the C tests through cargo test -p idv-delete-capi\n",
                name);
        exit(2);
    }
    return value;
}

/* A client of both vendors at base_url (NULL: the documented hosts). */
static inline delete_client *test_client(const char *base_url, uint32_t max_attempts) {
    delete_client_builder *builder = NULL;
    delete_client *client = NULL;
    OK(delete_client_builder_new(&builder));
    OK(delete_client_builder_set_jumio(builder, JUMIO_TOKEN, JUMIO_SECRET, USER_AGENT,
                                       DELETE_REGION_EU));
    OK(delete_client_builder_set_hyperverge(builder, HV_APP_ID, HV_APP_KEY));
    if (base_url != NULL) {
        OK(delete_client_builder_set_base_url(builder, base_url));
    }
    OK(delete_client_builder_set_max_attempts(builder, max_attempts));
    OK(delete_client_builder_build(builder, &client));
    delete_client_builder_free(builder);
    return client;
}

/* A Jumio Platform client (EU) with the emulator's client credentials. */
static inline delete_client *test_platform_client(const char *base_url, const char *client_secret,
                                                  uint32_t max_attempts) {
    delete_client_builder *builder = NULL;
    delete_client *client = NULL;
    OK(delete_client_builder_new(&builder));
    OK(delete_client_builder_set_jumio_platform(builder, PLATFORM_CLIENT_ID, client_secret,
                                                USER_AGENT, DELETE_REGION_EU));
    OK(delete_client_builder_set_base_url(builder, base_url));
    OK(delete_client_builder_set_max_attempts(builder, max_attempts));
    OK(delete_client_builder_build(builder, &client));
    delete_client_builder_free(builder);
    return client;
}

/* A client of Onfido (EU), Persona, Stripe and Veriff at base_url with
 * these credentials. */
static inline delete_client *test_scheduling_client(const char *base_url, const char *onfido,
                                                    const char *persona, const char *stripe,
                                                    const char *veriff_key,
                                                    const char *veriff_secret) {
    delete_client_builder *builder = NULL;
    delete_client *client = NULL;
    OK(delete_client_builder_new(&builder));
    OK(delete_client_builder_set_onfido(builder, onfido, DELETE_REGION_EU));
    OK(delete_client_builder_set_persona(builder, persona));
    OK(delete_client_builder_set_stripe(builder, stripe));
    OK(delete_client_builder_set_veriff(builder, veriff_key, veriff_secret));
    OK(delete_client_builder_set_base_url(builder, base_url));
    OK(delete_client_builder_set_max_attempts(builder, 2));
    OK(delete_client_builder_build(builder, &client));
    delete_client_builder_free(builder);
    return client;
}

/* Deletes one reference, which must reach an outcome. */
static inline delete_outcome *test_delete(const delete_client *client, delete_product product,
                                          const char *reference) {
    delete_outcome *outcome = NULL;
    OK(delete_client_delete(client, product, reference, &outcome));
    CHECK(outcome != NULL);
    return outcome;
}

/* The outcome's error code (DELETE_RESULT_OK when deleted). */
static inline delete_result test_error(const delete_outcome *outcome) {
    delete_result error = DELETE_RESULT_PANIC;
    OK(delete_outcome_error(outcome, &error));
    return error;
}

#endif
