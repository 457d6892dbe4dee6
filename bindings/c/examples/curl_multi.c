/* curl_multi: many deletions at once on ONE thread, with libcurl's multi
 * interface as the event loop. A model for any program that has its own
 * loop (libcurl multi, libuv, epoll): libdelete decides what to send, how
 * long to wait and when a deletion is done (delete_op); this file only
 * moves bytes and keeps time.
 *
 *   curl_multi [--items FILE.csv | --generate N] [--in-flight N] [--base-url URL]
 *
 * FILE.csv is the CLI's batch format, `vendor,product,region,reference`
 * (a header line, blank lines and `#` comments are skipped; the region may
 * be empty). `--generate N` makes N synthetic items instead (for tests:
 * see generated_item). `--in-flight N` (default 64) bounds the deletions
 * under way. Credentials come from the CLI's environment variables
 * (JUMIO_API_TOKEN, JUMIO_API_SECRET, JUMIO_USER_AGENT, JUMIO_CLIENT_ID,
 * JUMIO_CLIENT_SECRET, HYPERVERGE_APP_ID, HYPERVERGE_APP_KEY,
 * ONFIDO_API_TOKEN, PERSONA_API_KEY, STRIPE_SECRET_KEY, VERIFF_API_KEY,
 * VERIFF_SHARED_SECRET), for the vendors whose variables are set, never
 * from arguments (which other users can read).
 *
 * Prints a summary (deleted, scheduled, not found, failed by kind, seconds,
 * requests). Exit status: 0 every item deleted or scheduled, 1 some not
 * found or failed, 2 usage or configuration error (nothing sent).
 *
 * Build: cc -std=c11 curl_multi.c $(pkg-config --cflags --libs delete libcurl) */
#define _POSIX_C_SOURCE 200809L

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "delete.h"

/* A response larger than this is not a vendor's answer to a delete (a
 * proxy's page, a wrong base URL): the attempt fails as an I/O error
 * rather than let a peer make us buffer without limit. */
#define MAX_RESPONSE_BYTES (64 * 1024)
#define MAX_HEADERS 64
#define CONNECT_TIMEOUT_MS 10000L
#define TIMEOUT_MS 30000L
/* The longest the loop sleeps with nothing due: a bound, not a tick. */
#define MAX_POLL_MS 1000

/* ---- time ---------------------------------------------------------- */

/* One monotonic clock for the whole program, in milliseconds since start:
 * waits and the token state's freshness both read it, and a wall clock
 * could jump. */
static struct timespec started;

static uint64_t now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    int64_t ms = (int64_t)(t.tv_sec - started.tv_sec) * 1000 +
                 (t.tv_nsec - started.tv_nsec) / 1000000;
    return ms > 0 ? (uint64_t)ms : 0;
}

/* ---- items --------------------------------------------------------- */

struct item {
    delete_product product;
    delete_region region; /* 0: the credentials' region */
    char *reference;
};

struct items {
    struct item *list;
    size_t count, capacity;
};

static bool items_push(struct items *items, delete_product product, delete_region region,
                       const char *reference) {
    if (items->count == items->capacity) {
        size_t capacity = items->capacity ? items->capacity * 2 : 256;
        struct item *list = realloc(items->list, capacity * sizeof *list);
        if (list == NULL) return false;
        items->list = list;
        items->capacity = capacity;
    }
    char *copy = strdup(reference);
    if (copy == NULL) return false;
    items->list[items->count++] = (struct item){product, region, copy};
    return true;
}

static void items_free(struct items *items) {
    for (size_t i = 0; i < items->count; i++) free(items->list[i].reference);
    free(items->list);
}

/* The CSV's vendor and product names, as the CLI spells them. */
static delete_product product_of(const char *vendor, const char *product) {
    static const struct { const char *vendor, *product; delete_product code; } names[] = {
        {"jumio", "scan", DELETE_PRODUCT_JUMIO_SCAN},
        {"jumio", "authentication", DELETE_PRODUCT_JUMIO_AUTHENTICATION},
        {"jumio", "document", DELETE_PRODUCT_JUMIO_DOCUMENT},
        {"jumio-platform", "account", DELETE_PRODUCT_JUMIO_PLATFORM_ACCOUNT},
        {"jumio-platform", "workflow", DELETE_PRODUCT_JUMIO_PLATFORM_WORKFLOW},
        {"hyperverge", "transaction", DELETE_PRODUCT_HYPERVERGE_TRANSACTION},
        {"hyperverge", "", DELETE_PRODUCT_HYPERVERGE_TRANSACTION},
        {"onfido", "applicant", DELETE_PRODUCT_ONFIDO_APPLICANT},
        {"persona", "inquiry", DELETE_PRODUCT_PERSONA_INQUIRY},
        {"persona", "account", DELETE_PRODUCT_PERSONA_ACCOUNT},
        {"stripe", "verification_session", DELETE_PRODUCT_STRIPE_VERIFICATION_SESSION},
        {"stripe", "verification-session", DELETE_PRODUCT_STRIPE_VERIFICATION_SESSION},
        {"veriff", "session", DELETE_PRODUCT_VERIFF_SESSION},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(vendor, names[i].vendor) == 0 && strcmp(product, names[i].product) == 0)
            return names[i].code;
    }
    return 0;
}

/* 0 for an empty region (the credentials' own), UINT32_MAX if unknown. */
static delete_region region_of(const char *name) {
    if (*name == '\0') return 0;
    if (strcmp(name, "us") == 0) return DELETE_REGION_US;
    if (strcmp(name, "eu") == 0) return DELETE_REGION_EU;
    if (strcmp(name, "sgp") == 0) return DELETE_REGION_SGP;
    if (strcmp(name, "ca") == 0) return DELETE_REGION_CA;
    return UINT32_MAX;
}

/* Spaces and tabs around a field are removed, as the CLI does. */
static char *trim(char *text) {
    while (*text == ' ' || *text == '\t') text++;
    size_t n = strlen(text);
    while (n > 0 && (text[n - 1] == ' ' || text[n - 1] == '\t' || text[n - 1] == '\r' ||
                     text[n - 1] == '\n'))
        text[--n] = '\0';
    return text;
}

/* Reads `vendor,product,region,reference` lines; the reference is the
 * rest of the line. A bad line is named with its number. */
static bool read_csv(const char *path, struct items *items) {
    FILE *file = fopen(path, "r");
    if (file == NULL) {
        perror(path);
        return false;
    }
    char *line = NULL;
    size_t size = 0;
    bool ok = true;
    for (size_t number = 1; ok && getline(&line, &size, file) != -1; number++) {
        char *text = trim(line);
        if (*text == '\0' || *text == '#' || strcmp(text, "vendor,product,region,reference") == 0)
            continue;
        char *fields[4] = {text, NULL, NULL, NULL};
        for (int f = 1; f < 4 && fields[f - 1] != NULL; f++) {
            char *comma = strchr(fields[f - 1], ',');
            if (comma != NULL) *comma = '\0';
            fields[f] = comma != NULL ? comma + 1 : NULL;
        }
        if (fields[3] == NULL) {
            fprintf(stderr, "%s: line %zu: expected vendor,product,region,reference\n", path,
                    number);
            ok = false;
            break;
        }
        delete_product product = product_of(trim(fields[0]), trim(fields[1]));
        delete_region region = region_of(trim(fields[2]));
        if (product == 0 || region == UINT32_MAX) {
            fprintf(stderr, "%s: line %zu: unknown %s \"%s\"\n", path, number,
                    product == 0 ? "vendor and product" : "region",
                    product == 0 ? fields[1] : fields[2]);
            ok = false;
            break;
        }
        ok = items_push(items, product, region, trim(fields[3]));
    }
    free(line);
    fclose(file);
    return ok;
}

/* Item `i` of `--generate`: 99 in 100 cycle through Jumio Netverify v2
 * scans (EU), HyperVerge transactions, Onfido applicants (EU) and Stripe
 * verification sessions; every hundredth is a Jumio Platform account,
 * alternately in the US and the EU. The emulator tests seed exactly
 * these references (crates/capi/tests/c.rs). */
static bool generated_item(struct items *items, size_t i) {
    char reference[64];
    if (i % 100 == 99) {
        snprintf(reference, sizeof reference, "a1000000-0000-4000-8000-%012zu", i);
        return items_push(items, DELETE_PRODUCT_JUMIO_PLATFORM_ACCOUNT,
                          (i / 100) % 2 ? DELETE_REGION_EU : DELETE_REGION_US, reference);
    }
    switch (i % 4) {
    case 0:
        snprintf(reference, sizeof reference, "curl-scan-%06zu", i);
        return items_push(items, DELETE_PRODUCT_JUMIO_SCAN, DELETE_REGION_EU, reference);
    case 1:
        snprintf(reference, sizeof reference, "curl-txn-%06zu", i);
        return items_push(items, DELETE_PRODUCT_HYPERVERGE_TRANSACTION, 0, reference);
    case 2:
        snprintf(reference, sizeof reference, "d1000000-0000-4000-8000-%012zu", i);
        return items_push(items, DELETE_PRODUCT_ONFIDO_APPLICANT, DELETE_REGION_EU, reference);
    default:
        snprintf(reference, sizeof reference, "vs_curl%06zu", i);
        return items_push(items, DELETE_PRODUCT_STRIPE_VERIFICATION_SESSION, 0, reference);
    }
}

/* ---- the client ---------------------------------------------------- */

static const char *env(const char *name) {
    const char *value = getenv(name);
    return value != NULL && *value != '\0' ? value : NULL;
}

/* The regions given with credentials that take one (an item's region 0
 * means these), so that token states are keyed by a real region. */
#define DEFAULT_REGION DELETE_REGION_US

static void print_last_error(const char *what, delete_result code) {
    char why[512];
    size_t n = 0;
    if (delete_last_error_message(why, sizeof why, &n) != DELETE_RESULT_OK)
        snprintf(why, sizeof why, "%s", delete_result_message(code));
    fprintf(stderr, "curl_multi: %s: %s\n", what, why);
}

/* A client with every vendor whose variables are set. Its retry policy is
 * the library's default; every op made from it follows it. */
static delete_client *client_from_env(const char *base_url) {
    delete_client_builder *builder = NULL;
    delete_client *client = NULL;
    delete_result rc = delete_client_builder_new(&builder);
    const char *user_agent = env("JUMIO_USER_AGENT") ? env("JUMIO_USER_AGENT") : "";
    if (rc == DELETE_RESULT_OK && env("JUMIO_API_TOKEN") && env("JUMIO_API_SECRET"))
        rc = delete_client_builder_set_jumio(builder, env("JUMIO_API_TOKEN"),
                                             env("JUMIO_API_SECRET"), user_agent, DEFAULT_REGION);
    if (rc == DELETE_RESULT_OK && env("JUMIO_CLIENT_ID") && env("JUMIO_CLIENT_SECRET"))
        rc = delete_client_builder_set_jumio_platform(builder, env("JUMIO_CLIENT_ID"),
                                                      env("JUMIO_CLIENT_SECRET"), user_agent,
                                                      DEFAULT_REGION);
    if (rc == DELETE_RESULT_OK && env("HYPERVERGE_APP_ID") && env("HYPERVERGE_APP_KEY"))
        rc = delete_client_builder_set_hyperverge(builder, env("HYPERVERGE_APP_ID"),
                                                  env("HYPERVERGE_APP_KEY"));
    if (rc == DELETE_RESULT_OK && env("ONFIDO_API_TOKEN"))
        rc = delete_client_builder_set_onfido(builder, env("ONFIDO_API_TOKEN"), DEFAULT_REGION);
    if (rc == DELETE_RESULT_OK && env("PERSONA_API_KEY"))
        rc = delete_client_builder_set_persona(builder, env("PERSONA_API_KEY"));
    if (rc == DELETE_RESULT_OK && env("STRIPE_SECRET_KEY"))
        rc = delete_client_builder_set_stripe(builder, env("STRIPE_SECRET_KEY"));
    if (rc == DELETE_RESULT_OK && env("VERIFF_API_KEY") && env("VERIFF_SHARED_SECRET"))
        rc = delete_client_builder_set_veriff(builder, env("VERIFF_API_KEY"),
                                              env("VERIFF_SHARED_SECRET"));
    if (rc == DELETE_RESULT_OK && env("VERIFF_BASE_URL"))
        rc = delete_client_builder_set_veriff_base_url(builder, env("VERIFF_BASE_URL"));
    if (rc == DELETE_RESULT_OK && base_url != NULL)
        rc = delete_client_builder_set_base_url(builder, base_url);
    if (rc == DELETE_RESULT_OK) rc = delete_client_builder_build(builder, &client);
    if (rc != DELETE_RESULT_OK) print_last_error("configuration", rc);
    delete_client_builder_free(builder); /* wipes the copied credentials */
    return client;
}

/* ---- transfers ----------------------------------------------------- */

/* One HTTP exchange in flight: a deletion's request or a token request.
 * It owns its easy handle, header list and the bounded answer. */
struct transfer {
    CURL *easy;
    struct curl_slist *headers;
    struct job *job;          /* the deletion it belongs to, or NULL... */
    struct region *region;    /* ...the region whose token it buys */
    char buffer[MAX_RESPONSE_BYTES]; /* headers and body, as received */
    size_t used;
    size_t body_start;        /* where the body begins in buffer */
    size_t header_count;
    size_t header_offsets[MAX_HEADERS][2]; /* name, value offsets in buffer */
    bool too_big;
    int sends;                /* times libcurl sent the request (see on_send) */
};

enum job_state { JOB_RUNNING, JOB_IN_FLIGHT, JOB_WAITING, JOB_AWAITING_TOKEN };

/* One deletion under way: a slot of the loop's fixed table, free while
 * `op` is NULL. A fixed table bounds memory and lets a failed run free
 * whatever is still under way. */
struct job {
    delete_op *op;
    const struct item *item;
    enum job_state state;
    struct transfer *transfer; /* JOB_IN_FLIGHT: its request */
    uint64_t wake_ms;          /* JOB_WAITING: when to poll again */
    struct job *next;          /* in the timer list or a token wait list */
};

/* The Jumio Platform's token for one region: one delete_token_state shared
 * by every op of the region, at most one token request in flight (single
 * flight), and the ops waiting for it. */
struct region {
    delete_token_state *state;
    struct transfer *fetch;  /* the token request in flight, or NULL */
    struct job *asker;       /* the op whose poll asked for it */
    struct job *waiting;     /* other ops waiting for that request */
};

struct summary {
    size_t deleted, by_absence, scheduled, not_found, failed, in_doubt;
    size_t by_kind[128]; /* failures by delete_result - 100 */
    uint64_t requests;   /* deletion requests sent, libcurl's re-sends included */
};

struct loop {
    CURLM *multi;
    const delete_client *client;
    struct region regions[DELETE_REGION_CA + 1]; /* by DELETE_REGION_* */
    struct job *jobs;        /* `slots` of them: the deletions under way */
    size_t *free_slots;      /* a stack of the free ones' indices */
    size_t free_count, slots;
    struct job *timers;      /* JOB_WAITING, earliest first */
    size_t active;           /* jobs started and not done */
    struct summary summary;
    bool broken;             /* a libdelete or libcurl call failed: stop */
};

/* CURLOPT_HEADERFUNCTION: each line of the head. Offsets, not pointers,
 * so the buffer could be moved; a new status line (after a 1xx) starts
 * the head again. */
static size_t on_header(char *data, size_t size, size_t count, void *user) {
    struct transfer *t = user;
    size_t n = size * count;
    if (n >= 5 && memcmp(data, "HTTP/", 5) == 0) t->used = t->header_count = 0;
    if (t->used + n + 1 > sizeof t->buffer) {
        t->too_big = true;
        return 0; /* aborts the transfer: CURLE_WRITE_ERROR */
    }
    char *line = t->buffer + t->used;
    memcpy(line, data, n);
    while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == '\n')) n--;
    line[n] = '\0';
    char *colon = memchr(line, ':', n);
    if (colon != NULL && t->header_count < MAX_HEADERS) {
        *colon = '\0';
        char *value = colon + 1;
        while (*value == ' ' || *value == '\t') value++;
        t->header_offsets[t->header_count][0] = (size_t)(line - t->buffer);
        t->header_offsets[t->header_count][1] = (size_t)(value - t->buffer);
        t->header_count++;
    }
    t->used += n + 1;
    t->body_start = t->used;
    return size * count;
}

/* CURLOPT_PREREQFUNCTION: called each time libcurl sends the request.
 * libcurl silently sends it again on a fresh connection when a reused one
 * dies before any answer; but the vendor may have applied the first (a
 * reset after the delete), and the second's 404 would then read as "not
 * found". Counting the sends lets finish_delete report such an attempt as
 * sent-and-failed, so the op retries and a 404 confirms the deletion. */
static int on_send(void *user, char *primary_ip, char *local_ip, int primary_port,
                   int local_port) {
    (void)primary_ip, (void)local_ip, (void)primary_port, (void)local_port;
    ((struct transfer *)user)->sends++;
    return CURL_PREREQFUNC_OK;
}

/* CURLOPT_WRITEFUNCTION: the body, bounded. */
static size_t on_body(char *data, size_t size, size_t count, void *user) {
    struct transfer *t = user;
    size_t n = size * count;
    if (t->used + n > sizeof t->buffer) {
        t->too_big = true;
        return 0;
    }
    memcpy(t->buffer + t->used, data, n);
    t->used += n;
    return n;
}

/* Header values hold credentials or a token: wipe them before freeing. */
static void wipe_headers(struct curl_slist *headers) {
    for (struct curl_slist *h = headers; h != NULL; h = h->next) {
        volatile char *p = (volatile char *)h->data;
        while (*p != '\0') *p++ = '\0';
    }
    curl_slist_free_all(headers);
}

static void transfer_free(struct transfer *t) {
    if (t == NULL) return;
    curl_easy_cleanup(t->easy);
    wipe_headers(t->headers);
    memset(t->buffer, 0, t->used); /* a token answer holds the token */
    free(t);
}

static bool add_header(struct transfer *t, const char *name, const char *value) {
    size_t n = strlen(name) + strlen(value) + 3;
    char *line = malloc(n);
    if (line == NULL) return false;
    /* "Name:" alone would tell curl to drop its default; every header
     * here has a value, and "Name;" would send an empty one. */
    snprintf(line, n, "%s: %s", name, value);
    struct curl_slist *list = curl_slist_append(t->headers, line);
    memset(line, 0, n);
    free(line);
    if (list == NULL) return false;
    t->headers = list;
    return true;
}

/* An easy handle for `request` (which may be freed after: libcurl copies
 * what it keeps), added to the multi handle. */
static struct transfer *transfer_start(struct loop *loop, const delete_request *request) {
    const char *method = NULL, *url = NULL, *name = NULL, *value = NULL;
    const uint8_t *body = NULL;
    size_t header_count = 0, body_length = 0;
    if (delete_request_method(request, &method) != DELETE_RESULT_OK ||
        delete_request_url(request, &url) != DELETE_RESULT_OK ||
        delete_request_header_count(request, &header_count) != DELETE_RESULT_OK ||
        delete_request_body(request, &body, &body_length) != DELETE_RESULT_OK)
        return NULL;
    struct transfer *t = calloc(1, sizeof *t);
    if (t == NULL || (t->easy = curl_easy_init()) == NULL) {
        free(t);
        return NULL;
    }
    bool ok = true, has_content_type = false;
    for (size_t i = 0; ok && i < header_count; i++) {
        ok = delete_request_header(request, i, &name, &value) == DELETE_RESULT_OK &&
             add_header(t, name, value);
        if (ok && strcmp(name, "content-type") == 0) has_content_type = true;
    }
    /* No "Expect: 100-continue" round trip, and no form Content-Type that
     * the request did not ask for. */
    struct curl_slist *list = ok ? curl_slist_append(t->headers, "Expect:") : NULL;
    if (list != NULL) t->headers = list;
    if (list != NULL && !has_content_type) {
        list = curl_slist_append(t->headers, "Content-Type:");
        if (list != NULL) t->headers = list;
    }
    ok = list != NULL;
    CURL *e = t->easy;
    ok = ok && curl_easy_setopt(e, CURLOPT_URL, url) == CURLE_OK &&
         curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers) == CURLE_OK &&
         /* A redirect is the vendor's answer (a wrong host): report it. */
         curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK &&
         curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK &&
         curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, CONNECT_TIMEOUT_MS) == CURLE_OK &&
         curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, TIMEOUT_MS) == CURLE_OK &&
         /* One thread, no alarm(): signals would disturb the host program. */
         curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
         curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header) == CURLE_OK &&
         curl_easy_setopt(e, CURLOPT_HEADERDATA, t) == CURLE_OK &&
         curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body) == CURLE_OK &&
         curl_easy_setopt(e, CURLOPT_WRITEDATA, t) == CURLE_OK &&
         curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, on_send) == CURLE_OK &&
         curl_easy_setopt(e, CURLOPT_PREREQDATA, t) == CURLE_OK;
    /* A body (HyperVerge's DELETE, a token request) or a POST (Stripe's
     * redaction, sent with an empty body and Content-Length: 0). */
    if (ok && (body_length > 0 || strcmp(method, "POST") == 0)) {
        ok = curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)body_length) == CURLE_OK &&
             curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, body_length ? (const char *)body : "") ==
                 CURLE_OK;
    }
    if (ok && strcmp(method, "POST") != 0)
        ok = curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method) == CURLE_OK;
    if (ok) ok = curl_easy_setopt(e, CURLOPT_PRIVATE, t) == CURLE_OK;
    if (ok) ok = curl_multi_add_handle(loop->multi, e) == CURLM_OK;
    if (!ok) {
        transfer_free(t);
        return NULL;
    }
    return t;
}

/* How a failed transfer is reported: its kind, and whether a byte of the
 * request may have reached the vendor (then the deletion may have been
 * applied, and the op counts the attempt as in doubt). */
static delete_transport_error transport_error(struct transfer *t, CURLcode code, bool *sent) {
    long request_size = 0;
    curl_easy_getinfo(t->easy, CURLINFO_REQUEST_SIZE, &request_size);
    *sent = true;
    if (t->too_big) return DELETE_TRANSPORT_ERROR_IO;
    switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        *sent = false;
        return DELETE_TRANSPORT_ERROR_CONNECT;
    case CURLE_OPERATION_TIMEDOUT:
        *sent = request_size > 0; /* a connect timeout sent nothing */
        return DELETE_TRANSPORT_ERROR_TIMEOUT;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_USE_SSL_FAILED:
        /* The handshake comes before the request. */
        *sent = false;
        return DELETE_TRANSPORT_ERROR_TLS;
    default:
        return DELETE_TRANSPORT_ERROR_IO; /* a reset, a cut answer: in doubt */
    }
}

/* The answer's headers as libdelete takes them (pointers into buffer). */
static size_t answer_headers(struct transfer *t, delete_header *headers) {
    for (size_t i = 0; i < t->header_count; i++)
        headers[i] = (delete_header){t->buffer + t->header_offsets[i][0],
                                     t->buffer + t->header_offsets[i][1]};
    return t->header_count;
}

/* ---- the deletions ------------------------------------------------- */

static void advance(struct loop *loop, struct job *job);

static void timer_add(struct loop *loop, struct job *job) {
    struct job **at = &loop->timers;
    while (*at != NULL && (*at)->wake_ms <= job->wake_ms) at = &(*at)->next;
    job->next = *at;
    *at = job;
}

static struct region *region_of_job(struct loop *loop, const struct job *job) {
    delete_region region = job->item->region ? job->item->region : DEFAULT_REGION;
    struct region *r = &loop->regions[region];
    if (r->state == NULL &&
        delete_client_token_state_new(loop->client, region, &r->state) != DELETE_RESULT_OK) {
        print_last_error("token state", DELETE_RESULT_INVALID_CONFIG);
        loop->broken = true;
        return NULL;
    }
    return r;
}

static void count_outcome(struct summary *s, const delete_outcome *outcome) {
    /* Each read below fails only when the outcome lacks that fact (a
     * failure has no confirmed_by): the defaults are then right. */
    delete_status status = DELETE_OUTCOME_FAILED;
    if (delete_outcome_status(outcome, &status) != DELETE_RESULT_OK) status = DELETE_OUTCOME_FAILED;
    if (status == DELETE_OUTCOME_DELETED) {
        delete_confirmed_by by = DELETE_CONFIRMED_BY_RESPONSE;
        if (delete_outcome_confirmed_by(outcome, &by) != DELETE_RESULT_OK)
            by = DELETE_CONFIRMED_BY_RESPONSE;
        s->deleted++;
        if (by == DELETE_CONFIRMED_BY_ABSENCE) s->by_absence++;
    } else if (status == DELETE_OUTCOME_SCHEDULED) {
        s->scheduled++; /* accepted, erased later: never counted as deleted */
    } else {
        delete_result kind = DELETE_RESULT_UNKNOWN_ERROR;
        bool doubt = false;
        if (delete_outcome_error(outcome, &kind) != DELETE_RESULT_OK) kind = DELETE_RESULT_UNKNOWN_ERROR;
        if (delete_outcome_in_doubt(outcome, &doubt) != DELETE_RESULT_OK) doubt = false;
        if (kind == DELETE_RESULT_NOT_FOUND) {
            s->not_found++;
        } else {
            s->failed++;
            if (doubt) s->in_doubt++;
            if (kind >= 100 && kind - 100 < 128) s->by_kind[kind - 100]++;
        }
    }
}

/* Asks the region's token state for a token on `job`'s behalf. Returns
 * true when the op may be polled again now (a token or an error given),
 * false when it waits for the region's token request. */
static bool authorize(struct loop *loop, struct job *job) {
    struct region *r = region_of_job(loop, job);
    if (r == NULL) return false;
    delete_token_action action;
    if (delete_token_state_poll(r->state, now_ms(), &action) != DELETE_RESULT_OK) {
        loop->broken = true;
        return false;
    }
    switch (action.kind) {
    case DELETE_TOKEN_ACTION_USE: {
        delete_result rc = delete_op_authorize(job->op, action.token);
        delete_token_free(action.token); /* the op keeps its own copy */
        if (rc != DELETE_RESULT_OK) loop->broken = true;
        return true;
    }
    case DELETE_TOKEN_ACTION_SEND:
        r->fetch = transfer_start(loop, action.request);
        delete_request_free(action.request);
        if (r->fetch == NULL) {
            loop->broken = true;
            return false;
        }
        r->fetch->region = r;
        r->asker = job;
        job->state = JOB_AWAITING_TOKEN;
        return false;
    case DELETE_TOKEN_ACTION_AWAIT_FETCH:
        /* Single flight: another op's token request is on its way. */
        job->state = JOB_AWAITING_TOKEN;
        job->next = r->waiting;
        r->waiting = job;
        return false;
    case DELETE_TOKEN_ACTION_REFUSED: {
        delete_result rc = delete_op_token_failed(job->op, action.error);
        delete_outcome_free(action.error);
        if (rc != DELETE_RESULT_OK) loop->broken = true;
        return true;
    }
    }
    return false;
}

/* Polls `job`'s op until it must wait for something (a response, a
 * timer, a token) or is done. */
static void advance(struct loop *loop, struct job *job) {
    job->state = JOB_RUNNING;
    while (!loop->broken) {
        delete_action action;
        if (delete_op_poll(job->op, &action) != DELETE_RESULT_OK) {
            loop->broken = true;
            return;
        }
        switch (action.kind) {
        case DELETE_ACTION_SEND: {
            struct transfer *t = transfer_start(loop, action.request);
            delete_request_free(action.request); /* wipes the credentials */
            if (t == NULL) {
                loop->broken = true;
                return;
            }
            t->job = job;
            job->transfer = t;
            job->state = JOB_IN_FLIGHT;
            return;
        }
        case DELETE_ACTION_WAIT:
            /* Retry-After or backoff: the loop's poll timeout honours it. */
            job->state = JOB_WAITING;
            job->wake_ms = now_ms() + action.wait_ms;
            timer_add(loop, job);
            return;
        case DELETE_ACTION_AUTHORIZE:
            if (!authorize(loop, job)) return;
            break;
        case DELETE_ACTION_DONE:
            count_outcome(&loop->summary, action.outcome);
            delete_outcome_free(action.outcome);
            delete_op_free(job->op);
            *job = (struct job){0};
            loop->free_slots[loop->free_count++] = (size_t)(job - loop->jobs);
            loop->active--;
            return;
        }
    }
}

/* A deletion's transfer ended: report it to its op, then go on. */
static void finish_delete(struct loop *loop, struct transfer *t, CURLcode code) {
    struct job *job = t->job;
    delete_result rc;
    long status = 0;
    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
    delete_header headers[MAX_HEADERS];
    size_t count = answer_headers(t, headers);
    loop->summary.requests += (uint64_t)t->sends;
    if (code == CURLE_OK && t->sends == 1 &&
        delete_op_handle_response(job->op, (uint16_t)status, headers, count,
                                  (const uint8_t *)t->buffer + t->body_start,
                                  t->used - t->body_start) == DELETE_RESULT_OK) {
        /* A 401 refused the Jumio Platform token it carried: every op of
         * the region must stop using it. */
        uint64_t generation = 0;
        if (delete_op_take_rejected_token(job->op, &generation) == DELETE_RESULT_OK) {
            struct region *r = region_of_job(loop, job);
            if (r != NULL && delete_token_state_reject(r->state, generation) != DELETE_RESULT_OK)
                loop->broken = true;
        }
    } else {
        /* A transport failure, an answer to a request libcurl sent twice,
         * or an answer HTTP does not allow: in doubt, sent. */
        bool sent = true;
        delete_transport_error kind =
            code == CURLE_OK ? DELETE_TRANSPORT_ERROR_IO : transport_error(t, code, &sent);
        rc = delete_op_handle_transport_error(job->op, kind, sent);
        if (rc != DELETE_RESULT_OK) loop->broken = true;
    }
    transfer_free(t);
    job->transfer = NULL;
    advance(loop, job);
}

/* A region's token request ended: the asker gets the token or the error;
 * the ops that waited poll the state again (they find the token, or one
 * of them sends the next request). */
static void finish_token(struct loop *loop, struct transfer *t, CURLcode code) {
    struct region *r = t->region;
    struct job *asker = r->asker, *waiting = r->waiting;
    delete_outcome *error = NULL;
    delete_result rc;
    long status = 0;
    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
    delete_header headers[MAX_HEADERS];
    size_t count = answer_headers(t, headers);
    rc = code == CURLE_OK
             ? delete_token_state_handle_response(r->state, now_ms(), (uint16_t)status, headers,
                                                  count, (const uint8_t *)t->buffer + t->body_start,
                                                  t->used - t->body_start, &error)
             : DELETE_RESULT_INVALID_ARGUMENT;
    if (rc == DELETE_RESULT_INVALID_ARGUMENT) {
        bool sent = true;
        delete_transport_error kind =
            code == CURLE_OK ? DELETE_TRANSPORT_ERROR_IO : transport_error(t, code, &sent);
        rc = delete_token_state_handle_transport_error(r->state, kind, &error);
    }
    transfer_free(t);
    r->fetch = NULL;
    r->asker = NULL;
    r->waiting = NULL;
    if (rc != DELETE_RESULT_OK) {
        loop->broken = true;
        return;
    }
    if (error != NULL) {
        /* The asker retries under its own policy (or fails); one error, one op. */
        if (delete_op_token_failed(asker->op, error) != DELETE_RESULT_OK) loop->broken = true;
        delete_outcome_free(error);
    }
    advance(loop, asker);
    while (waiting != NULL) {
        struct job *next = waiting->next;
        advance(loop, waiting);
        waiting = next;
    }
}

/* Starts `item`'s deletion in a free slot. Each op gets its own jitter
 * seed, so that retries after a shared 5xx spread out. */
static bool start_job(struct loop *loop, const struct item *item, uint64_t seed) {
    struct job *job = &loop->jobs[loop->free_slots[--loop->free_count]];
    delete_item wanted = {item->product, item->region, item->reference, NULL};
    if (delete_client_op_new(loop->client, &wanted, seed, false, &job->op) != DELETE_RESULT_OK)
        return false;
    job->item = item;
    loop->active++;
    advance(loop, job);
    return true;
}

/* Every item checked before anything is sent: an op is made and dropped
 * for each, and the first refused one is named. */
static bool check_items(const delete_client *client, const struct items *items) {
    for (size_t i = 0; i < items->count; i++) {
        const struct item *item = &items->list[i];
        delete_item wanted = {item->product, item->region, item->reference, NULL};
        delete_op *op = NULL;
        delete_result rc = delete_client_op_new(client, &wanted, 0, false, &op);
        delete_op_free(op);
        if (rc != DELETE_RESULT_OK) {
            char what[128];
            snprintf(what, sizeof what, "item %zu (\"%.64s\")", i + 1, item->reference);
            print_last_error(what, rc);
            return false;
        }
    }
    return true;
}

/* The loop: keep `in_flight` deletions under way, sleep in
 * curl_multi_poll until a socket is ready or the earliest timer is due,
 * then hand finished transfers and due timers back to their ops. */
static bool run(struct loop *loop, const struct items *items, size_t in_flight) {
    size_t next = 0;
    while (!loop->broken && (next < items->count || loop->active > 0)) {
        while (!loop->broken && next < items->count && loop->active < in_flight) {
            if (!start_job(loop, &items->list[next], next + 1)) loop->broken = true;
            next++;
        }
        uint64_t now = now_ms();
        while (loop->timers != NULL && loop->timers->wake_ms <= now) {
            struct job *due = loop->timers;
            loop->timers = due->next;
            advance(loop, due);
        }
        if (loop->broken || (next >= items->count && loop->active == 0)) break;
        int timeout = MAX_POLL_MS;
        if (loop->timers != NULL) {
            uint64_t due = loop->timers->wake_ms, t = now_ms();
            timeout = due <= t ? 0 : (due - t < MAX_POLL_MS ? (int)(due - t) : MAX_POLL_MS);
        }
        int running = 0;
        if (curl_multi_poll(loop->multi, NULL, 0, timeout, NULL) != CURLM_OK ||
            curl_multi_perform(loop->multi, &running) != CURLM_OK) {
            loop->broken = true;
            break;
        }
        CURLMsg *message;
        int left = 0;
        while ((message = curl_multi_info_read(loop->multi, &left)) != NULL) {
            if (message->msg != CURLMSG_DONE) continue;
            CURL *easy = message->easy_handle;
            CURLcode code = message->data.result; /* read before removing */
            char *private = NULL;
            curl_easy_getinfo(easy, CURLINFO_PRIVATE, &private);
            struct transfer *t = (struct transfer *)private;
            curl_multi_remove_handle(loop->multi, easy);
            if (t->job != NULL) finish_delete(loop, t, code);
            else finish_token(loop, t, code);
        }
    }
    return !loop->broken;
}

static bool loop_init(struct loop *loop, size_t slots) {
    loop->multi = curl_multi_init();
    loop->jobs = calloc(slots, sizeof *loop->jobs);
    loop->free_slots = calloc(slots, sizeof *loop->free_slots);
    loop->slots = slots;
    for (size_t i = 0; loop->free_slots != NULL && i < slots; i++)
        loop->free_slots[loop->free_count++] = slots - 1 - i;
    return loop->multi != NULL && loop->jobs != NULL && loop->free_slots != NULL;
}

/* Frees the loop, and what a stopped loop still holds (after a failure
 * only: a loop that ran to its end holds no op and no transfer). */
static void loop_free(struct loop *loop) {
    for (size_t i = 0; loop->jobs != NULL && i < loop->slots; i++) {
        struct job *job = &loop->jobs[i];
        if (job->transfer != NULL) {
            curl_multi_remove_handle(loop->multi, job->transfer->easy);
            transfer_free(job->transfer);
        }
        delete_op_free(job->op);
    }
    free(loop->jobs);
    free(loop->free_slots);
    for (size_t r = 0; r < sizeof loop->regions / sizeof loop->regions[0]; r++) {
        if (loop->regions[r].fetch != NULL) {
            curl_multi_remove_handle(loop->multi, loop->regions[r].fetch->easy);
            transfer_free(loop->regions[r].fetch);
        }
        delete_token_state_free(loop->regions[r].state);
    }
    curl_multi_cleanup(loop->multi);
}

static int usage(void) {
    fprintf(stderr, "usage: curl_multi [--items FILE.csv | --generate N] [--in-flight N] "
                    "[--base-url URL]\n");
    return 2;
}

static bool parse_count(const char *text, size_t *out) {
    char *end = NULL;
    unsigned long long n = strtoull(text, &end, 10);
    if (*text == '\0' || *end != '\0' || *text == '-' || n == 0 || n > 10000000ULL)
        return false;
    *out = (size_t)n;
    return true;
}

static const char *const KIND_NAMES[] = {
    "invalid_reference", "invalid_config", "not_found", "unauthorized", "forbidden",
    "invalid_input", "rate_limited", "server", "unexpected_response", "timeout",
    "connect", "tls", "io", "cancelled", "not_deletable_yet",
};

int main(int argc, char **argv) {
    const char *csv = NULL, *base_url = NULL;
    size_t generate = 0, in_flight = 64;
    for (int i = 1; i < argc; i++) {
        if (i + 1 >= argc) return usage();
        const char *flag = argv[i], *value = argv[++i];
        if (strcmp(flag, "--items") == 0) csv = value;
        else if (strcmp(flag, "--base-url") == 0) base_url = value;
        else if (strcmp(flag, "--generate") == 0 && parse_count(value, &generate)) {}
        else if (strcmp(flag, "--in-flight") == 0 && parse_count(value, &in_flight) &&
                 in_flight <= 4096) {}
        else return usage();
    }
    if ((csv == NULL) == (generate == 0)) return usage();

    clock_gettime(CLOCK_MONOTONIC, &started);
    struct items items = {0};
    bool ok = csv != NULL ? read_csv(csv, &items) : true;
    for (size_t i = 0; ok && i < generate; i++) ok = generated_item(&items, i);
    if (!ok) {
        items_free(&items);
        return 2;
    }
    delete_client *client = client_from_env(base_url);
    if (client == NULL || !check_items(client, &items)) {
        delete_client_free(client);
        items_free(&items);
        return 2;
    }
    /* Once per program, before any other libcurl call. */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        delete_client_free(client);
        items_free(&items);
        return 2;
    }
    struct loop loop = {.client = client};
    bool ran = loop_init(&loop, in_flight) && run(&loop, &items, in_flight);
    uint64_t token_requests = 0;
    for (size_t r = 0; r < sizeof loop.regions / sizeof loop.regions[0]; r++) {
        uint64_t n = 0;
        if (loop.regions[r].state != NULL &&
            delete_token_state_token_requests(loop.regions[r].state, &n) == DELETE_RESULT_OK)
            token_requests += n;
    }
    loop_free(&loop);
    curl_global_cleanup();
    delete_client_free(client);

    const struct summary *s = &loop.summary;
    double seconds = (double)now_ms() / 1000.0;
    printf("items: %zu, %zu in flight at most, one thread\n", items.count, in_flight);
    printf("deleted: %zu (confirmed by absence: %zu)\n", s->deleted, s->by_absence);
    printf("scheduled: %zu (accepted, erased later: not deleted yet)\n", s->scheduled);
    printf("not found: %zu\n", s->not_found);
    printf("failed: %zu (in doubt: %zu)\n", s->failed, s->in_doubt);
    for (size_t k = 0; k < sizeof KIND_NAMES / sizeof KIND_NAMES[0]; k++)
        if (s->by_kind[k] > 0) printf("  %s: %zu\n", KIND_NAMES[k], s->by_kind[k]);
    printf("seconds: %.2f\n", seconds);
    printf("requests: %llu (token requests: %llu)\n", (unsigned long long)s->requests,
           (unsigned long long)token_requests);
    items_free(&items);
    if (!ran) {
        fprintf(stderr, "curl_multi: stopped: a libdelete or libcurl call failed\n");
        return 2;
    }
    return s->failed + s->not_found == 0 ? 0 : 1;
}
