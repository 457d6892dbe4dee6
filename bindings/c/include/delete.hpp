// delete.hpp: a small C++17 wrapper of libdelete (delete.h), shipped with
// the library. RAII handles (std::unique_ptr with the matching *_free),
// exceptions (idv_delete::Error) instead of codes, std::string_view for
// strings owned by a handle. Header-only; link libdelete as for C.
//
// `delete` is a C++ keyword, so Client::delete is spelled delete_one; the
// other names follow the Rust API (delete_resumed, delete_many, to_request,
// parse_response).
//
// SPDX-License-Identifier: MIT OR Apache-2.0
#ifndef DELETE_HPP
#define DELETE_HPP

#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "delete.h"

namespace idv_delete {

/// A call failed: code() is its delete_result, what() its message: what
/// delete_last_error_message said (which setting or value was refused, the
/// journal's path and line), never a credential.
class Error : public std::runtime_error {
public:
    explicit Error(delete_result code) : Error(code, delete_result_message(code)) {}
    Error(delete_result code, const std::string &message)
        : std::runtime_error(message), code_(code) {}
    delete_result code() const noexcept { return code_; }

private:
    delete_result code_;
};

namespace detail {
/// The calling thread's detail of the call that just failed with `code`.
inline std::string last_error(delete_result code) {
    char message[1024];
    std::size_t length = 0;
    if (delete_last_error_message(message, sizeof message, &length) == DELETE_RESULT_OK)
        return std::string(message, length);
    return delete_result_message(code);
}

inline void check(delete_result code) {
    if (code != DELETE_RESULT_OK) throw Error(code, last_error(code));
}

template <class T, void (*Free)(T *)>
struct Deleter {
    void operator()(T *handle) const noexcept { Free(handle); }
};

template <class T, void (*Free)(T *)>
using Handle = std::unique_ptr<T, Deleter<T, Free>>;

// Reads an optional value: DELETE_RESULT_ABSENT is "none".
template <class T, class F>
std::optional<T> optional(F read) {
    T value{};
    delete_result code = read(&value);
    if (code == DELETE_RESULT_ABSENT) return std::nullopt;
    check(code);
    return value;
}
}  // namespace detail

/// The version of the loaded libdelete.
inline std::string_view version() { return delete_version(); }

/// How one deletion ended: deleted, scheduled by the vendor for later, or
/// failed (status()). Movable, not copyable; strings it hands out live as
/// long as it does.
class Outcome {
public:
    /// DELETE_OUTCOME_DELETED, DELETE_OUTCOME_SCHEDULED or DELETE_OUTCOME_FAILED.
    delete_status status() const { return read<delete_status>(delete_outcome_status); }
    /// True only when the vendor no longer holds the data: false for a
    /// scheduled erasure.
    bool deleted() const { return read<bool>(delete_outcome_deleted); }
    /// True when the vendor accepted the erasure and completes it later: a
    /// success, but not a deletion (see completes(), within(), until()).
    bool scheduled() const { return status() == DELETE_OUTCOME_SCHEDULED; }
    /// DELETE_RESULT_OK if deleted, otherwise the kind of failure; none for
    /// a scheduled erasure, which neither failed nor is deleted yet.
    std::optional<delete_result> error() const {
        return detail::optional<delete_result>(
            [&](delete_result *out) { return delete_outcome_error(get(), out); });
    }
    std::string_view message() const { return read<const char *>(delete_outcome_message); }
    std::optional<std::uint16_t> http_status() const {
        return detail::optional<std::uint16_t>(
            [&](std::uint16_t *out) { return delete_outcome_http_status(get(), out); });
    }
    std::optional<std::string_view> vendor_message() const {
        auto text = detail::optional<const char *>(
            [&](const char **out) { return delete_outcome_vendor_message(get(), out); });
        if (!text) return std::nullopt;
        return std::string_view(*text);
    }
    std::vector<std::string_view> audits() const {
        std::vector<std::string_view> audits(read<std::size_t>(delete_outcome_audit_count));
        for (std::size_t i = 0; i < audits.size(); i++) {
            const char *audit = nullptr;
            detail::check(delete_outcome_audit(get(), i, &audit));
            audits[i] = audit;
        }
        return audits;
    }
    std::optional<std::chrono::milliseconds> retry_after() const {
        auto ms = detail::optional<std::uint64_t>(
            [&](std::uint64_t *out) { return delete_outcome_retry_after_ms(get(), out); });
        if (!ms) return std::nullopt;
        return std::chrono::milliseconds(*ms);
    }
    std::uint32_t attempts() const { return read<std::uint32_t>(delete_outcome_attempts); }
    std::optional<delete_confirmed_by> confirmed_by() const {
        return detail::optional<delete_confirmed_by>(
            [&](delete_confirmed_by *out) { return delete_outcome_confirmed_by(get(), out); });
    }
    bool in_doubt() const { return read<bool>(delete_outcome_in_doubt); }
    /// What the vendor does to complete a scheduled erasure, and when.
    std::optional<std::string_view> completes() const { return text(delete_outcome_completes); }
    /// The longest the vendor documents for completing a scheduled erasure.
    std::optional<std::chrono::seconds> within() const {
        auto seconds = detail::optional<std::uint64_t>(
            [&](std::uint64_t *out) { return delete_outcome_within_secs(get(), out); });
        if (!seconds) return std::nullopt;
        return std::chrono::seconds(static_cast<std::chrono::seconds::rep>(*seconds));
    }
    /// The vendor's own date for completing a scheduled erasure.
    std::optional<std::string_view> until() const { return text(delete_outcome_until); }
    /// The vendor's own state of a scheduled erasure (Stripe: "processing").
    std::optional<std::string_view> vendor_status() const {
        return text(delete_outcome_vendor_status);
    }
    const delete_outcome *get() const noexcept { return handle_.get(); }

private:
    friend class Client;
    friend class Request;
    explicit Outcome(delete_outcome *handle) : handle_(handle) {}
    template <class T>
    T read(delete_result (*accessor)(const delete_outcome *, T *)) const {
        T value{};
        detail::check(accessor(get(), &value));
        return value;
    }
    std::optional<std::string_view> text(
        delete_result (*accessor)(const delete_outcome *, const char **)) const {
        auto value = detail::optional<const char *>(
            [&](const char **out) { return accessor(get(), out); });
        if (!value) return std::nullopt;
        return std::string_view(*value);
    }
    detail::Handle<delete_outcome, delete_outcome_free> handle_;
};

/// The request that deletes one transaction, for your own HTTP client.
/// Header values include credentials: never log them.
class Request {
public:
    std::string_view method() const { return read(delete_request_method); }
    std::string_view url() const { return read(delete_request_url); }
    std::size_t header_count() const {
        std::size_t count = 0;
        detail::check(delete_request_header_count(get(), &count));
        return count;
    }
    /// Header `index`: lowercase name and value, owned by the request.
    std::pair<std::string_view, std::string_view> header(std::size_t index) const {
        const char *name = nullptr, *value = nullptr;
        detail::check(delete_request_header(get(), index, &name, &value));
        return {name, value};
    }
    std::string_view body() const {
        const std::uint8_t *body = nullptr;
        std::size_t length = 0;
        detail::check(delete_request_body(get(), &body, &length));
        return {reinterpret_cast<const char *>(body), length};
    }
    /// Reads the vendor's answer to this request into an outcome.
    Outcome parse_response(std::uint16_t status,
                           const std::vector<std::pair<std::string, std::string>> &headers,
                           std::string_view body) const {
        std::vector<delete_header> raw;
        raw.reserve(headers.size());
        for (const auto &[name, value] : headers) raw.push_back({name.c_str(), value.c_str()});
        delete_outcome *outcome = nullptr;
        detail::check(delete_parse_response(get(), status, raw.data(), raw.size(),
                                            reinterpret_cast<const std::uint8_t *>(body.data()),
                                            body.size(), &outcome));
        return Outcome(outcome);
    }
    const delete_request *get() const noexcept { return handle_.get(); }

private:
    friend class Client;
    explicit Request(delete_request *handle) : handle_(handle) {}
    std::string_view read(delete_result (*accessor)(const delete_request *, const char **)) const {
        const char *text = nullptr;
        detail::check(accessor(get(), &text));
        return text;
    }
    detail::Handle<delete_request, delete_request_free> handle_;
};

/// How to run a batch (see delete_batch_options_*).
struct BatchOptions {
    std::optional<std::uint32_t> concurrency;
    std::optional<double> rate;
    std::optional<std::string> journal;
    /// Called from worker threads after each item; return false to cancel.
    /// An exception cancels the batch and is rethrown by delete_many.
    std::function<bool(const delete_progress &)> progress;
    /// Request windows by vendor name ("veriff"...): (count, seconds) each,
    /// replacing the vendor's documented ones; an empty list lifts them
    /// (delete_batch_options_set_window, _lift_windows).
    std::map<std::string, std::vector<std::pair<std::uint32_t, double>>> windows;
    /// Wait for a window full for over 2 minutes instead of stopping.
    bool wait_for_windows = false;
    /// Adapt the rate to the vendors' 429s (delete_batch_options_set_adaptive_rate).
    bool adaptive_rate = false;
    /// Check only: send and write nothing (delete_batch_options_set_dry_run).
    bool dry_run = false;
};

/// One item of any vendor (C: delete_item): region 0 is the region given
/// with the vendor's credentials; ignored for vendors without regions.
/// `subject` is the data subject's key (your customer id), journaled with
/// the item and never sent to the vendor; none when empty (std::nullopt).
struct Item {
    delete_product product;
    delete_region region = 0;
    std::string reference;
    std::optional<std::string> subject = std::nullopt;
};

/// What a batch did.
class BatchReport {
public:
    std::uint64_t count(delete_batch_count which) const {
        std::uint64_t value = 0;
        detail::check(delete_batch_report_count(get(), which, &value));
        return value;
    }
    std::uint64_t failed_kind(delete_result kind) const {
        std::uint64_t value = 0;
        detail::check(delete_batch_report_failed_kind(get(), kind, &value));
        return value;
    }
    bool cancelled() const {
        bool cancelled = false;
        detail::check(delete_batch_report_cancelled(get(), &cancelled));
        return cancelled;
    }
    /// When the vendor window that stopped the batch lets a request go
    /// again (ms since the Unix epoch, UTC), if one stopped it.
    std::optional<std::uint64_t> window_full_until_ms() const {
        bool full = false;
        std::uint64_t until = 0;
        detail::check(delete_batch_report_window_full(get(), &full, &until));
        if (!full) return std::nullopt;
        return until;
    }
    /// The journal's fingerprint after this run (64 hex digits): store it
    /// elsewhere to prove the journal unchanged later. None without a
    /// journal, in a dry run, or for a journal started before the chain.
    std::optional<std::string> journal_fingerprint() const {
        auto fingerprint = detail::optional<const char *>([&](const char **out) {
            return delete_batch_report_journal_fingerprint(get(), out);
        });
        if (!fingerprint) return std::nullopt;
        return std::string(*fingerprint);
    }
    /// The listed failures: input position and kind.
    std::vector<std::pair<std::uint64_t, delete_result>> failures() const {
        std::size_t count = 0;
        detail::check(delete_batch_report_failure_count(get(), &count));
        std::vector<std::pair<std::uint64_t, delete_result>> failures(count);
        for (std::size_t i = 0; i < count; i++) {
            detail::check(delete_batch_report_failure(get(), i, &failures[i].first,
                                                      &failures[i].second));
        }
        return failures;
    }
    const delete_batch_report *get() const noexcept { return handle_.get(); }

private:
    friend class Client;
    explicit BatchReport(delete_batch_report *handle) : handle_(handle) {}
    detail::Handle<delete_batch_report, delete_batch_report_free> handle_;
};

/// What Client::recheck_journal learnt (C: delete_recheck_report).
class RecheckReport {
public:
    std::uint64_t count(delete_recheck_count which) const {
        std::uint64_t value = 0;
        detail::check(delete_recheck_report_count(get(), which, &value));
        return value;
    }
    bool cancelled() const {
        bool cancelled = false;
        detail::check(delete_recheck_report_cancelled(get(), &cancelled));
        return cancelled;
    }
    /// The failed reads: position in the journal's input and kind.
    std::vector<std::pair<std::uint64_t, delete_result>> failures() const {
        auto count = static_cast<std::size_t>(this->count(DELETE_RECHECK_COUNT_FAILED));
        std::vector<std::pair<std::uint64_t, delete_result>> failures(count);
        for (std::size_t i = 0; i < count; i++) {
            detail::check(delete_recheck_report_failure(get(), i, &failures[i].first,
                                                        &failures[i].second));
        }
        return failures;
    }
    const delete_recheck_report *get() const noexcept { return handle_.get(); }

private:
    friend class Client;
    explicit RecheckReport(delete_recheck_report *handle) : handle_(handle) {}
    detail::Handle<delete_recheck_report, delete_recheck_report_free> handle_;
};

class ClientBuilder;

/// A thread-safe client: share one across threads (const methods only).
class Client {
public:
    static ClientBuilder builder();

    /// Deletes one transaction (C: delete_client_delete). Throws only when
    /// nothing was sent; a failed deletion is an Outcome: check status()
    /// or deleted().
    Outcome delete_one(delete_product product, const std::string &reference) const {
        delete_outcome *outcome = nullptr;
        detail::check(delete_client_delete(get(), product, reference.c_str(), &outcome));
        return Outcome(outcome);
    }
    /// Deletes an in-doubt transaction: a 404 confirms the deletion.
    Outcome delete_resumed(delete_product product, const std::string &reference) const {
        delete_outcome *outcome = nullptr;
        detail::check(delete_client_delete_resumed(get(), product, reference.c_str(), &outcome));
        return Outcome(outcome);
    }
    /// Asks the vendor whether a scheduled erasure is complete
    /// (C: delete_client_recheck): deleted confirmed by recheck, still
    /// scheduled, or failed. std::nullopt when the vendor offers no read
    /// (Veriff) or erases at once; nothing was sent then.
    std::optional<Outcome> recheck(delete_product product, const std::string &reference) const {
        delete_outcome *outcome = nullptr;
        delete_result code = delete_client_recheck(get(), product, reference.c_str(), &outcome);
        if (code == DELETE_RESULT_ABSENT) return std::nullopt;
        detail::check(code);
        return Outcome(outcome);
    }
    /// Rechecks the journal's scheduled items and appends what the vendors
    /// say (C: delete_client_recheck_journal, without a cancel switch).
    /// Throws when the journal cannot be used; failed reads are in the
    /// report.
    RecheckReport recheck_journal(const std::string &path) const {
        delete_recheck_report *report = nullptr;
        detail::check(delete_client_recheck_journal(get(), path.c_str(), nullptr, &report));
        return RecheckReport(report);
    }
    /// Deletes many; failed items are counted in the report, not thrown.
    BatchReport delete_many(delete_product product, const std::vector<std::string> &references,
                            const BatchOptions &options = {}) const {
        std::vector<const char *> raw;
        raw.reserve(references.size());
        for (const auto &reference : references) raw.push_back(reference.c_str());
        return batch(options, [&](const delete_batch_options *handle, delete_batch_report **out) {
            return delete_client_delete_many(get(), product, raw.data(), raw.size(), handle, out);
        });
    }
    /// Deletes items of any vendors the client has credentials for, in one
    /// journaled batch (C: delete_client_delete_items); a refused item
    /// throws (its index in the message) with nothing sent.
    BatchReport delete_items(const std::vector<Item> &items, const BatchOptions &options = {}) const {
        std::vector<delete_item> raw;
        raw.reserve(items.size());
        for (const auto &item : items)
            raw.push_back(delete_item{item.product, item.region, item.reference.c_str(),
                                      item.subject ? item.subject->c_str() : nullptr});
        return batch(options, [&](const delete_batch_options *handle, delete_batch_report **out) {
            return delete_client_delete_items(get(), raw.data(), raw.size(), handle, out);
        });
    }
    /// The request deleting one transaction, for your own HTTP client.
    Request to_request(delete_product product, const std::string &reference) const {
        delete_request *request = nullptr;
        detail::check(delete_to_request(get(), product, reference.c_str(), &request));
        return Request(request);
    }
    /// Jumio Platform access tokens requested so far
    /// (C: delete_client_token_requests).
    std::uint64_t token_requests() const {
        std::uint64_t count = 0;
        detail::check(delete_client_token_requests(get(), &count));
        return count;
    }
    const delete_client *get() const noexcept { return handle_.get(); }

private:
    friend class ClientBuilder;
    explicit Client(delete_client *handle) : handle_(handle) {}

    /// Runs `run` (a delete_client_delete_* batch call) with `options`.
    template <typename Run>
    BatchReport batch(const BatchOptions &options, Run run) const {
        detail::Handle<delete_batch_options, delete_batch_options_free> handle;
        {
            delete_batch_options *made = nullptr;
            detail::check(delete_batch_options_new(&made));
            handle.reset(made);
        }
        if (options.concurrency)
            detail::check(delete_batch_options_set_concurrency(handle.get(), *options.concurrency));
        if (options.rate) detail::check(delete_batch_options_set_rate(handle.get(), *options.rate));
        if (options.journal)
            detail::check(delete_batch_options_set_journal(handle.get(), options.journal->c_str()));
        for (const auto &[vendor, windows] : options.windows) {
            if (windows.empty())
                detail::check(delete_batch_options_lift_windows(handle.get(), vendor.c_str()));
            for (const auto &[count, seconds] : windows)
                detail::check(
                    delete_batch_options_set_window(handle.get(), vendor.c_str(), count, seconds));
        }
        detail::check(
            delete_batch_options_set_wait_for_windows(handle.get(), options.wait_for_windows));
        detail::check(delete_batch_options_set_adaptive_rate(handle.get(), options.adaptive_rate));
        detail::check(delete_batch_options_set_dry_run(handle.get(), options.dry_run));
        Progress progress(options.progress);
        if (options.progress)
            detail::check(delete_batch_options_set_progress(handle.get(), &Progress::call, &progress));
        delete_batch_report *report = nullptr;
        delete_result code = run(handle.get(), &report);
        BatchReport owned(code == DELETE_RESULT_OK ? report : nullptr);
        if (auto error = progress.first_error()) std::rethrow_exception(error);
        detail::check(code);
        return owned;
    }

    // The progress callback's state. call() runs on several worker
    // threads at once, so the exception it keeps is guarded by a mutex:
    // the first one wins (enough to rethrow), later ones are dropped.
    class Progress {
    public:
        explicit Progress(const std::function<bool(const delete_progress &)> &function)
            : function_(function) {}
        static bool call(void *user_data, const delete_progress *snapshot) {
            auto *self = static_cast<Progress *>(user_data);
            try {
                return self->function_(*snapshot);
            } catch (...) {
                // The batch is cancelled; delete_many rethrows it.
                std::lock_guard<std::mutex> lock(self->mutex_);
                if (!self->error_) self->error_ = std::current_exception();
                return false;
            }
        }
        std::exception_ptr first_error() {
            std::lock_guard<std::mutex> lock(mutex_);
            return error_;
        }

    private:
        const std::function<bool(const delete_progress &)> &function_;
        std::mutex mutex_;
        std::exception_ptr error_;
    };

    detail::Handle<delete_client, delete_client_free> handle_;
};

/// Configures a Client (C: delete_client_builder_*).
class ClientBuilder {
public:
    ClientBuilder() {
        delete_client_builder *made = nullptr;
        detail::check(delete_client_builder_new(&made));
        handle_.reset(made);
    }
    ClientBuilder &jumio(const std::string &api_token, const std::string &api_secret,
                         const std::string &user_agent, delete_region region) {
        detail::check(delete_client_builder_set_jumio(handle_.get(), api_token.c_str(),
                                                      api_secret.c_str(), user_agent.c_str(),
                                                      region));
        return *this;
    }
    /// Jumio Platform (KYX) OAuth2 client credentials and region
    /// (C: delete_client_builder_set_jumio_platform).
    ClientBuilder &jumio_platform(const std::string &client_id, const std::string &client_secret,
                                  const std::string &user_agent, delete_region region) {
        detail::check(delete_client_builder_set_jumio_platform(
            handle_.get(), client_id.c_str(), client_secret.c_str(), user_agent.c_str(), region));
        return *this;
    }
    ClientBuilder &hyperverge(const std::string &app_id, const std::string &app_key) {
        detail::check(
            delete_client_builder_set_hyperverge(handle_.get(), app_id.c_str(), app_key.c_str()));
        return *this;
    }
    /// Onfido API token and region: DELETE_REGION_EU, _US or _CA
    /// (C: delete_client_builder_set_onfido).
    ClientBuilder &onfido(const std::string &api_token, delete_region region) {
        detail::check(delete_client_builder_set_onfido(handle_.get(), api_token.c_str(), region));
        return *this;
    }
    /// Persona API key (C: delete_client_builder_set_persona).
    ClientBuilder &persona(const std::string &api_key) {
        detail::check(delete_client_builder_set_persona(handle_.get(), api_key.c_str()));
        return *this;
    }
    /// Stripe secret or restricted key (C: delete_client_builder_set_stripe).
    ClientBuilder &stripe(const std::string &secret_key) {
        detail::check(delete_client_builder_set_stripe(handle_.get(), secret_key.c_str()));
        return *this;
    }
    /// Veriff API key and shared secret (C: delete_client_builder_set_veriff).
    ClientBuilder &veriff(const std::string &api_key, const std::string &shared_secret) {
        detail::check(delete_client_builder_set_veriff(handle_.get(), api_key.c_str(),
                                                       shared_secret.c_str()));
        return *this;
    }
    /// The Veriff integration's base URL
    /// (C: delete_client_builder_set_veriff_base_url).
    ClientBuilder &veriff_base_url(const std::string &url) {
        detail::check(delete_client_builder_set_veriff_base_url(handle_.get(), url.c_str()));
        return *this;
    }
    ClientBuilder &base_url(const std::string &url) {
        detail::check(delete_client_builder_set_base_url(handle_.get(), url.c_str()));
        return *this;
    }
    ClientBuilder &hyperverge_host(const std::string &host) {
        detail::check(delete_client_builder_set_hyperverge_host(handle_.get(), host.c_str()));
        return *this;
    }
    ClientBuilder &connect_timeout(std::chrono::milliseconds timeout) {
        detail::check(
            delete_client_builder_set_connect_timeout_ms(handle_.get(), milliseconds(timeout)));
        return *this;
    }
    ClientBuilder &timeout(std::chrono::milliseconds timeout) {
        detail::check(delete_client_builder_set_timeout_ms(handle_.get(), milliseconds(timeout)));
        return *this;
    }
    ClientBuilder &max_attempts(std::uint32_t attempts) {
        detail::check(delete_client_builder_set_max_attempts(handle_.get(), attempts));
        return *this;
    }
    /// Backoff and the longest Retry-After honoured
    /// (C: delete_client_builder_set_retry_delays).
    ClientBuilder &retry_delays(std::chrono::milliseconds base, std::chrono::milliseconds max,
                                std::chrono::milliseconds max_retry_after) {
        detail::check(delete_client_builder_set_retry_delays(
            handle_.get(), milliseconds(base), milliseconds(max), milliseconds(max_retry_after)));
        return *this;
    }
    Client build() const {
        delete_client *client = nullptr;
        detail::check(delete_client_builder_build(handle_.get(), &client));
        return Client(client);
    }

private:
    static std::uint32_t milliseconds(std::chrono::milliseconds timeout) {
        // Out-of-range values become 0, which build() refuses.
        auto count = timeout.count();
        return count > 0 && count <= 0xFFFFFFFF ? static_cast<std::uint32_t>(count) : 0;
    }
    detail::Handle<delete_client_builder, delete_client_builder_free> handle_;
};

inline ClientBuilder Client::builder() { return ClientBuilder(); }

}  // namespace idv_delete

#endif  // DELETE_HPP
