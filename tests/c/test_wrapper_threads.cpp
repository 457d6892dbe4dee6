// The C++ wrapper's progress callback throwing from several worker threads
// at once: delete_many must keep exactly one of the exceptions, without a
// data race, and rethrow it. crates/capi/tests/c.rs runs this under
// valgrind (memcheck) like every test, and once more built with
// -fsanitize=thread, where a race on the kept exception is an error.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <set>
#include <stdexcept>
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

constexpr int kWorkers = 8;

/// The exception each throwing worker throws: it says which one it was.
struct Stop : std::runtime_error {
    explicit Stop(int number) : std::runtime_error("stop"), number(number) {}
    int number;
};

void test_concurrent_throws(const std::string &url) {
    const auto client = idv_delete::Client::builder()
                            .jumio("emulator-token", "emulator-secret", "Acme KYC-Cleaner/1.0",
                                   DELETE_REGION_US)
                            .base_url(url)
                            .max_attempts(1)
                            .build();
    std::vector<std::string> references;
    for (int i = 0; i < 64; i++) {
        char reference[16];
        std::snprintf(reference, sizeof reference, "ref-%04d", i);
        references.push_back(reference);
    }

    std::atomic<int> inside{0};
    std::mutex mutex;
    std::set<std::thread::id> threads;  // guarded by mutex
    std::set<int> thrown;               // guarded by mutex
    idv_delete::BatchOptions options;
    options.concurrency = kWorkers;
    options.progress = [&](const delete_progress &) -> bool {
        int number = ++inside;
        // Hold this worker until another one is in the callback too, so that
        // at least two throw at the same time (other workers' items are in
        // flight and call back when they finish). 20 s is a bound for a slow
        // valgrind run, never reached otherwise.
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (inside.load() < 2 && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        {
            std::lock_guard<std::mutex> lock(mutex);
            threads.insert(std::this_thread::get_id());
            thrown.insert(number);
        }
        throw Stop(number);
    };

    int rethrown = 0;
    try {
        (void)client.delete_many(DELETE_PRODUCT_JUMIO_DOCUMENT, references, options);
    } catch (const Stop &stop) {
        rethrown = stop.number;
    }
    std::lock_guard<std::mutex> lock(mutex);
    std::printf("%zu workers threw %zu exceptions; delete_many rethrew number %d\n",
                threads.size(), thrown.size(), rethrown);
    CHECK(threads.size() >= 2);
    CHECK(thrown.count(rethrown) == 1);
}

}  // namespace

int main() {
    const char *url = std::getenv("DELETE_TEST_URL");
    CHECK(url != nullptr);
    // Several rounds: each is a fresh batch whose workers race to throw.
    for (int round = 0; round < 5; round++) test_concurrent_throws(url);
    std::printf("test_wrapper_threads: ok\n");
    return 0;
}
