// The C++17 RAII wrapper (bindings/c/include/delete.hpp) against the
// emulator: every class, success and failure, exceptions, no leak.
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "delete.hpp"

#define CHECK(cond)                                                                   \
    do {                                                                              \
        if (!(cond)) {                                                                \
            std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            std::exit(1);                                                             \
        }                                                                             \
    } while (0)

namespace {

std::string env(const char *name) {
    const char *value = std::getenv(name);
    CHECK(value != nullptr);
    return value;
}

idv_delete::Client client(const std::string &url, std::uint32_t attempts = 1) {
    return idv_delete::Client::builder()
        .jumio("emulator-token", "emulator-secret", "Acme KYC-Cleaner/1.0", DELETE_REGION_US)
        .hyperverge("emulator-app-id", "emulator-app-key")
        .base_url(url)
        .connect_timeout(std::chrono::seconds(5))
        .timeout(std::chrono::seconds(5))
        .max_attempts(attempts)
        .build();
}

template <class F>
delete_result thrown(F call) {
    try {
        call();
    } catch (const idv_delete::Error &error) {
        CHECK(error.what()[0] != '\0');
        return error.code();
    }
    return DELETE_RESULT_OK;
}

void test_delete(const std::string &url) {
    CHECK(idv_delete::version() == DELETE_VERSION_STRING);
    const auto c = client(url);
    auto outcome = c.delete_one(DELETE_PRODUCT_JUMIO_SCAN, "ref-0000");
    CHECK(outcome.deleted());
    CHECK(outcome.status() == DELETE_OUTCOME_DELETED);
    CHECK(!outcome.scheduled());
    CHECK(!outcome.completes() && !outcome.within() && !outcome.until());
    CHECK(!outcome.vendor_status());
    CHECK(outcome.error() == DELETE_RESULT_OK);
    CHECK(outcome.confirmed_by() == DELETE_CONFIRMED_BY_RESPONSE);
    CHECK(outcome.attempts() == 1);
    CHECK(!outcome.http_status());
    CHECK(!outcome.retry_after());
    CHECK(!outcome.in_doubt());
    CHECK(outcome.message().substr(0, 7) == "deleted");

    auto hv = c.delete_one(DELETE_PRODUCT_HYPERVERGE_TRANSACTION, "txn-0000");
    CHECK(hv.deleted());
    CHECK(!hv.audits().empty());
    CHECK(hv.vendor_message() == std::string_view("Transaction deleted successfully"));

    auto again = c.delete_one(DELETE_PRODUCT_JUMIO_SCAN, "ref-0000");
    CHECK(!again.deleted());
    CHECK(again.status() == DELETE_OUTCOME_FAILED && !again.scheduled());
    CHECK(!again.completes() && !again.within());
    CHECK(again.error() == DELETE_RESULT_NOT_FOUND);
    CHECK(again.http_status() == 404);
    CHECK(!again.confirmed_by());

    auto resumed = c.delete_resumed(DELETE_PRODUCT_JUMIO_SCAN, "ref-0000");
    CHECK(resumed.confirmed_by() == DELETE_CONFIRMED_BY_ABSENCE);

    // Moving keeps one owner.
    idv_delete::Outcome moved = std::move(outcome);
    CHECK(moved.deleted());

    CHECK(thrown([&] { (void)c.delete_one(DELETE_PRODUCT_JUMIO_SCAN, "a#b"); }) ==
          DELETE_RESULT_INVALID_REFERENCE);
    CHECK(thrown([&] { (void)c.delete_one(99, "ref-0001"); }) == DELETE_RESULT_INVALID_ARGUMENT);
    CHECK(thrown([] { (void)idv_delete::Client::builder().build(); }) ==
          DELETE_RESULT_INVALID_CONFIG);
    CHECK(thrown([] { idv_delete::Client::builder().base_url("http://example.com"); }) ==
          DELETE_RESULT_INVALID_CONFIG);
    CHECK(thrown([&] { (void)client(url, 0); }) == DELETE_RESULT_INVALID_CONFIG);

    // Shared across threads.
    std::atomic<int> deleted{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; t++) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 4; i++) {
                char reference[16];
                std::snprintf(reference, sizeof reference, "ref-%04d", 10 + t * 4 + i);
                if (c.delete_one(DELETE_PRODUCT_JUMIO_DOCUMENT, reference).deleted()) deleted++;
            }
        });
    }
    for (auto &thread : threads) thread.join();
    CHECK(deleted == 16);
}

void test_failures() {
    auto forbidden = client(env("DELETE_TEST_FORBIDDEN_URL"))
                         .delete_one(DELETE_PRODUCT_HYPERVERGE_TRANSACTION, "txn-0001");
    CHECK(forbidden.error() == DELETE_RESULT_FORBIDDEN);
    auto limited =
        client(env("DELETE_TEST_RATE_LIMITED_URL")).delete_one(DELETE_PRODUCT_JUMIO_SCAN, "ref-0001");
    CHECK(limited.error() == DELETE_RESULT_RATE_LIMITED);
    CHECK(limited.retry_after() == std::chrono::milliseconds(1000));
    auto closed =
        client(env("DELETE_TEST_CLOSED_URL")).delete_one(DELETE_PRODUCT_JUMIO_SCAN, "ref-0001");
    CHECK(closed.error() == DELETE_RESULT_CONNECT);
}

void test_batch(const std::string &url) {
    const auto c = client(url);
    std::vector<std::string> references;
    for (int i = 0; i < 10; i++) references.push_back("ref-01" + std::to_string(10 + i));
    references.push_back("never-seeded");
    std::atomic<int> calls{0};
    idv_delete::BatchOptions options;
    options.concurrency = 3;
    options.journal = env("DELETE_TEST_TMPDIR") + "/wrapper.journal";
    options.progress = [&](const delete_progress &progress) {
        calls++;
        return progress.done <= 11;
    };
    auto report = c.delete_many(DELETE_PRODUCT_JUMIO_SCAN, references, options);
    CHECK(report.count(DELETE_BATCH_COUNT_DELETED) == 10);
    CHECK(report.count(DELETE_BATCH_COUNT_NOT_FOUND) == 1);
    CHECK(report.count(DELETE_BATCH_COUNT_SCHEDULED) == 0);
    CHECK(report.failed_kind(DELETE_RESULT_SERVER) == 0);
    CHECK(report.failures().empty());
    CHECK(!report.cancelled());
    CHECK(calls == 11);
    auto fingerprint = report.journal_fingerprint();
    CHECK(fingerprint && fingerprint->size() == 64 &&
          fingerprint->find_first_not_of("0123456789abcdef") == std::string::npos);

    // An exception in the progress callback cancels and is rethrown.
    idv_delete::BatchOptions throwing;
    throwing.concurrency = 1;
    throwing.progress = [](const delete_progress &) -> bool { throw std::runtime_error("stop"); };
    bool caught = false;
    try {
        (void)c.delete_many(DELETE_PRODUCT_JUMIO_AUTHENTICATION, references, throwing);
    } catch (const std::runtime_error &error) {
        caught = std::string(error.what()) == "stop";
    }
    CHECK(caught);

    const auto failing = client(env("DELETE_TEST_SERVER_ERROR_URL"));
    auto failed = failing.delete_many(DELETE_PRODUCT_JUMIO_SCAN, {"ref-0190", "ref-0191"});
    CHECK(failed.failed_kind(DELETE_RESULT_SERVER) == 2);
    CHECK(failed.failures().size() == 2);
    CHECK(thrown([&] {
              idv_delete::BatchOptions bad;
              bad.concurrency = 0;
              (void)c.delete_many(DELETE_PRODUCT_JUMIO_SCAN, references, bad);
          }) == DELETE_RESULT_INVALID_BATCH_OPTIONS);

    // One request per hour: the batch stops after the first, saying when.
    idv_delete::BatchOptions hourly;
    hourly.windows["jumio"] = {{1, 3600.0}};
    auto stopped = c.delete_many(DELETE_PRODUCT_JUMIO_SCAN, {"ref-0196", "ref-0197"}, hourly);
    CHECK(stopped.count(DELETE_BATCH_COUNT_ATTEMPTS) == 1 && stopped.cancelled());
    CHECK(stopped.window_full_until_ms().has_value());
    CHECK(!failed.window_full_until_ms().has_value());
    CHECK(thrown([&] {
              idv_delete::BatchOptions bad;
              bad.windows["acme"] = {};
              (void)c.delete_many(DELETE_PRODUCT_JUMIO_SCAN, references, bad);
          }) == DELETE_RESULT_INVALID_ARGUMENT);
}

void test_sansio(const std::string &url) {
    const auto c = client(url);
    auto request = c.to_request(DELETE_PRODUCT_HYPERVERGE_TRANSACTION, "HV-1");
    CHECK(request.method() == "DELETE");
    CHECK(request.url() == url + "/api/v2/transaction/id");
    CHECK(request.header_count() == 3);
    CHECK(request.header(0).first == "content-type");
    CHECK(request.body() == R"({"transactionId":"HV-1"})");
    auto outcome = request.parse_response(
        429, {{"retry-after", "3"}},
        R"({"status":"failure","statusCode":"429","error":"Too many requests"})");
    CHECK(outcome.error() == DELETE_RESULT_RATE_LIMITED);
    CHECK(outcome.retry_after() == std::chrono::milliseconds(3000));
    CHECK(outcome.vendor_message() == std::string_view("Too many requests"));
    CHECK(thrown([&] { (void)request.header(3); }) == DELETE_RESULT_INDEX_OUT_OF_RANGE);
    CHECK(thrown([&] { (void)request.parse_response(42, {}, ""); }) ==
          DELETE_RESULT_INVALID_ARGUMENT);
}

}  // namespace

void test_platform(const std::string &url) {
    const auto c = idv_delete::Client::builder()
                       .jumio_platform("emulator-client-id", "emulator-client-secret",
                                       "Acme KYC-Cleaner/1.0", DELETE_REGION_EU)
                       .base_url(url)
                       .max_attempts(1)
                       .build();
    CHECK(c.token_requests() == 0);
    CHECK(c.delete_one(DELETE_PRODUCT_JUMIO_PLATFORM_ACCOUNT, "a0000000-0000-4000-8000-000000000005")
              .deleted());
    auto report = c.delete_many(DELETE_PRODUCT_JUMIO_PLATFORM_WORKFLOW,
                                {"b0000000-0000-4000-8000-000000000005/"
                                 "c0000000-0000-4000-8000-000000000005"});
    CHECK(report.count(DELETE_BATCH_COUNT_DELETED) == 1);
    CHECK(report.count(DELETE_BATCH_COUNT_TOKEN_REQUESTS) == 0);
    CHECK(c.token_requests() == 1);
    CHECK(thrown([&] {
              (void)idv_delete::Client::builder().jumio_platform("id:x", "s", "A/1",
                                                                 DELETE_REGION_EU);
          }) == DELETE_RESULT_INVALID_CONFIG);
}

// Onfido, Persona, Stripe and Veriff: scheduled, never deleted; the
// recheck is std::nullopt where the vendor has no read.
void test_scheduling_vendors(const std::string &url) {
    const auto c = idv_delete::Client::builder()
                       .onfido("emulator-onfido-token", DELETE_REGION_EU)
                       .persona("emulator-persona-key")
                       .stripe("sk_test_emulator")
                       .veriff("emulator-veriff-key", "emulator-veriff-secret")
                       .base_url(url)
                       .veriff_base_url(url)
                       .max_attempts(1)
                       .build();
    auto stripe = c.delete_one(DELETE_PRODUCT_STRIPE_VERIFICATION_SESSION, "vs_0010");
    CHECK(stripe.status() == DELETE_OUTCOME_SCHEDULED && stripe.scheduled() && !stripe.deleted());
    CHECK(stripe.vendor_status() == std::string_view("processing"));
    CHECK(stripe.within() == std::chrono::seconds(4 * 24 * 3600));
    auto veriff = c.delete_one(DELETE_PRODUCT_VERIFF_SESSION, "e0000000-0000-4000-8000-000000000010");
    CHECK(veriff.scheduled() && veriff.within() == std::chrono::hours(12));
    CHECK(!c.recheck(DELETE_PRODUCT_VERIFF_SESSION, "e0000000-0000-4000-8000-000000000010"));
    auto again = c.recheck(DELETE_PRODUCT_STRIPE_VERIFICATION_SESSION, "vs_0010");
    CHECK(again && (again->scheduled() || again->deleted()));
    auto onfido = c.delete_one(DELETE_PRODUCT_ONFIDO_APPLICANT,
                               "d0000000-0000-4000-8000-000000000010");
    CHECK(onfido.scheduled() && onfido.completes());
    auto persona = c.delete_one(DELETE_PRODUCT_PERSONA_ACCOUNT, "act_0010");
    CHECK(persona.scheduled());
    CHECK(thrown([&] { c.delete_one(DELETE_PRODUCT_STRIPE_VERIFICATION_SESSION, "vs_../x"); }) ==
          DELETE_RESULT_INVALID_REFERENCE);
    CHECK(thrown([&] { (void)c.recheck(DELETE_PRODUCT_JUMIO_SCAN, "ref-0001"); }) ==
          DELETE_RESULT_INVALID_CONFIG);

    // A journaled batch rechecked at once: still scheduled, run 2.
    idv_delete::BatchOptions journaled;
    journaled.journal = env("DELETE_TEST_TMPDIR") + "/wrapper-recheck.journal";
    auto batch = c.delete_many(DELETE_PRODUCT_STRIPE_VERIFICATION_SESSION, {"vs_0011", "vs_0012"},
                               journaled);
    CHECK(batch.count(DELETE_BATCH_COUNT_SCHEDULED) == 2);
    auto rechecked = c.recheck_journal(*journaled.journal);
    CHECK(rechecked.count(DELETE_RECHECK_COUNT_SCHEDULED) == 2);
    CHECK(rechecked.count(DELETE_RECHECK_COUNT_STILL_SCHEDULED) +
              rechecked.count(DELETE_RECHECK_COUNT_DELETED) ==
          2);
    CHECK(rechecked.count(DELETE_RECHECK_COUNT_RUN) == 2);
    CHECK(rechecked.failures().empty() && !rechecked.cancelled());
    CHECK(thrown([&] {
              (void)c.recheck_journal(env("DELETE_TEST_TMPDIR") + "/no-such.journal");
          }) == DELETE_RESULT_JOURNAL_IO);
    // The same journal with its run line edited: its hash chain breaks.
    {
        std::FILE *file = std::fopen(journaled.journal->c_str(), "r+");
        CHECK(file != nullptr);
        std::string text(8192, '\0');
        text.resize(std::fread(text.data(), 1, text.size(), file));
        auto pid = text.find("\"pid\":");
        CHECK(pid != std::string::npos);
        text[pid + 1] = 'P';
        CHECK(std::fseek(file, 0, SEEK_SET) == 0);
        CHECK(std::fwrite(text.data(), 1, text.size(), file) == text.size());
        CHECK(std::fclose(file) == 0);
    }
    CHECK(thrown([&] { (void)c.recheck_journal(*journaled.journal); }) ==
          DELETE_RESULT_JOURNAL_TAMPERED);
    CHECK(thrown([] {
              idv_delete::Client::builder().onfido("token", DELETE_REGION_SGP);
          }) == DELETE_RESULT_INVALID_ARGUMENT);
    CHECK(thrown([] { idv_delete::Client::builder().stripe("pk_test_x"); }) ==
          DELETE_RESULT_INVALID_CONFIG);
}

// One client, several vendors: a dry run, then the mixed batch; an item
// of a vendor without credentials throws before anything is sent.
void test_items(const std::string &url) {
    const auto c = idv_delete::Client::builder()
                       .jumio("emulator-token", "emulator-secret", "Acme KYC-Cleaner/1.0",
                              DELETE_REGION_EU)
                       .hyperverge("emulator-app-id", "emulator-app-key")
                       .veriff("emulator-veriff-key", "emulator-veriff-secret")
                       .base_url(url)
                       .retry_delays(std::chrono::milliseconds(100), std::chrono::seconds(1),
                                     std::chrono::seconds(5))
                       .build();
    const std::vector<idv_delete::Item> items = {
        {DELETE_PRODUCT_JUMIO_SCAN, DELETE_REGION_US, "ref-0170", "customer-0170"},
        {DELETE_PRODUCT_HYPERVERGE_TRANSACTION, 0, "txn-0170", "customer-0170"},
        {DELETE_PRODUCT_VERIFF_SESSION, 0, "e0000000-0000-4000-8000-000000000015", std::nullopt},
    };
    idv_delete::BatchOptions options;
    options.windows["veriff"] = {};
    options.dry_run = true;
    auto dry = c.delete_items(items, options);
    CHECK(dry.count(DELETE_BATCH_COUNT_WOULD_DELETE) == 3);
    CHECK(dry.count(DELETE_BATCH_COUNT_ATTEMPTS) == 0);
    options.dry_run = false;
    options.adaptive_rate = true;
    auto report = c.delete_items(items, options);
    CHECK(report.count(DELETE_BATCH_COUNT_DELETED) == 2);
    CHECK(report.count(DELETE_BATCH_COUNT_SCHEDULED) == 1);
    CHECK(thrown([&] {
              (void)c.delete_items({items[0], {DELETE_PRODUCT_ONFIDO_APPLICANT, 0,
                                               "d0000000-0000-4000-8000-000000000001",
                                               std::nullopt}});
          }) == DELETE_RESULT_INVALID_CONFIG);
    // A subject with whitespace at an end is refused before anything is sent.
    CHECK(thrown([&] {
              (void)c.delete_items(
                  {{DELETE_PRODUCT_JUMIO_SCAN, DELETE_REGION_US, "ref-0171", "customer-0171 "}});
          }) == DELETE_RESULT_INVALID_SUBJECT);
}

int main() {
    const std::string url = env("DELETE_TEST_URL");
    test_items(url);
    test_delete(url);
    test_platform(url);
    test_failures();
    test_batch(url);
    test_sansio(url);
    test_scheduling_vendors(url);
    std::printf("test_wrapper: ok\n");
    return 0;
}
