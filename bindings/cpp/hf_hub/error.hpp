// hf_hub/error.hpp — hf::Status (the hf_status codes), hf::Error (what a failed call reports) and
// hf::Result<T> (a T or an Error, returned by the non-throwing try_* calls). Part of hf_hub.hpp;
// compiles alone.
#ifndef HF_HUB_CPP_ERROR_HPP
#define HF_HUB_CPP_ERROR_HPP

#include "hf_hub.h"
#include "version.hpp"

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace hf {

// ------------------------------------------------------------------------------------------------
// Status
// ------------------------------------------------------------------------------------------------

// The hf_status codes, as a scoped enum. Each value is defined from the C constant; the table below
// (and a static_assert on it) checks that the codes are dense, in order and all named.
enum class Status : int32_t {
    Ok = HF_OK,
    InvalidArgument = HF_ERR_INVALID_ARGUMENT,
    RepoNotFound = HF_ERR_REPO_NOT_FOUND,
    RevisionNotFound = HF_ERR_REVISION_NOT_FOUND,
    EntryNotFound = HF_ERR_ENTRY_NOT_FOUND,
    Gated = HF_ERR_GATED,
    Unauthorized = HF_ERR_UNAUTHORIZED,
    Forbidden = HF_ERR_FORBIDDEN,
    RateLimited = HF_ERR_RATE_LIMITED,
    Offline = HF_ERR_OFFLINE,
    IncompleteSnapshot = HF_ERR_INCOMPLETE_SNAPSHOT,
    Network = HF_ERR_NETWORK,
    Timeout = HF_ERR_TIMEOUT,
    Http = HF_ERR_HTTP,
    Checksum = HF_ERR_CHECKSUM,
    Io = HF_ERR_IO,
    Cancelled = HF_ERR_CANCELLED,
    Internal = HF_ERR_INTERNAL,
    Disabled = HF_ERR_DISABLED,
    BadRequest = HF_ERR_BAD_REQUEST,
    Metadata = HF_ERR_METADATA,
    NoToken = HF_ERR_NO_TOKEN,
    StaleParent = HF_ERR_STALE_PARENT,
};

namespace detail {

struct StatusInfo {
    Status status;
    hf_status c;
    std::string_view name; // the C constant's name
};

// One row per code, indexed by the code.
inline constexpr StatusInfo status_table[] = {
    {Status::Ok, HF_OK, "HF_OK"},
    {Status::InvalidArgument, HF_ERR_INVALID_ARGUMENT, "HF_ERR_INVALID_ARGUMENT"},
    {Status::RepoNotFound, HF_ERR_REPO_NOT_FOUND, "HF_ERR_REPO_NOT_FOUND"},
    {Status::RevisionNotFound, HF_ERR_REVISION_NOT_FOUND, "HF_ERR_REVISION_NOT_FOUND"},
    {Status::EntryNotFound, HF_ERR_ENTRY_NOT_FOUND, "HF_ERR_ENTRY_NOT_FOUND"},
    {Status::Gated, HF_ERR_GATED, "HF_ERR_GATED"},
    {Status::Unauthorized, HF_ERR_UNAUTHORIZED, "HF_ERR_UNAUTHORIZED"},
    {Status::Forbidden, HF_ERR_FORBIDDEN, "HF_ERR_FORBIDDEN"},
    {Status::RateLimited, HF_ERR_RATE_LIMITED, "HF_ERR_RATE_LIMITED"},
    {Status::Offline, HF_ERR_OFFLINE, "HF_ERR_OFFLINE"},
    {Status::IncompleteSnapshot, HF_ERR_INCOMPLETE_SNAPSHOT, "HF_ERR_INCOMPLETE_SNAPSHOT"},
    {Status::Network, HF_ERR_NETWORK, "HF_ERR_NETWORK"},
    {Status::Timeout, HF_ERR_TIMEOUT, "HF_ERR_TIMEOUT"},
    {Status::Http, HF_ERR_HTTP, "HF_ERR_HTTP"},
    {Status::Checksum, HF_ERR_CHECKSUM, "HF_ERR_CHECKSUM"},
    {Status::Io, HF_ERR_IO, "HF_ERR_IO"},
    {Status::Cancelled, HF_ERR_CANCELLED, "HF_ERR_CANCELLED"},
    {Status::Internal, HF_ERR_INTERNAL, "HF_ERR_INTERNAL"},
    {Status::Disabled, HF_ERR_DISABLED, "HF_ERR_DISABLED"},
    {Status::BadRequest, HF_ERR_BAD_REQUEST, "HF_ERR_BAD_REQUEST"},
    {Status::Metadata, HF_ERR_METADATA, "HF_ERR_METADATA"},
    {Status::NoToken, HF_ERR_NO_TOKEN, "HF_ERR_NO_TOKEN"},
    {Status::StaleParent, HF_ERR_STALE_PARENT, "HF_ERR_STALE_PARENT"},
};

constexpr bool status_table_is_dense() {
    int32_t i = 0;
    for (const StatusInfo& row : status_table) {
        if (static_cast<int32_t>(row.status) != i || static_cast<int32_t>(row.c) != i) return false;
        if (row.name.substr(0, 3) != "HF_") return false;
        i++;
    }
    return true;
}

} // namespace detail

// Number of codes the wrapper knows: 0 .. status_count - 1.
inline constexpr int32_t status_count = static_cast<int32_t>(std::size(detail::status_table));

static_assert(std::is_same_v<std::underlying_type_t<Status>, std::underlying_type_t<hf_status>>);
static_assert(detail::status_table_is_dense(), "hf::Status and the hf_status table disagree");
static_assert(status_count == HF_ERR_STALE_PARENT + 1, "a status code is missing from hf::Status");
static_assert(static_cast<int32_t>(Status::Ok) == HF_OK);
static_assert(static_cast<int32_t>(Status::InvalidArgument) == HF_ERR_INVALID_ARGUMENT);
static_assert(static_cast<int32_t>(Status::RepoNotFound) == HF_ERR_REPO_NOT_FOUND);
static_assert(static_cast<int32_t>(Status::RevisionNotFound) == HF_ERR_REVISION_NOT_FOUND);
static_assert(static_cast<int32_t>(Status::EntryNotFound) == HF_ERR_ENTRY_NOT_FOUND);
static_assert(static_cast<int32_t>(Status::Gated) == HF_ERR_GATED);
static_assert(static_cast<int32_t>(Status::Unauthorized) == HF_ERR_UNAUTHORIZED);
static_assert(static_cast<int32_t>(Status::Forbidden) == HF_ERR_FORBIDDEN);
static_assert(static_cast<int32_t>(Status::RateLimited) == HF_ERR_RATE_LIMITED);
static_assert(static_cast<int32_t>(Status::Offline) == HF_ERR_OFFLINE);
static_assert(static_cast<int32_t>(Status::IncompleteSnapshot) == HF_ERR_INCOMPLETE_SNAPSHOT);
static_assert(static_cast<int32_t>(Status::Network) == HF_ERR_NETWORK);
static_assert(static_cast<int32_t>(Status::Timeout) == HF_ERR_TIMEOUT);
static_assert(static_cast<int32_t>(Status::Http) == HF_ERR_HTTP);
static_assert(static_cast<int32_t>(Status::Checksum) == HF_ERR_CHECKSUM);
static_assert(static_cast<int32_t>(Status::Io) == HF_ERR_IO);
static_assert(static_cast<int32_t>(Status::Cancelled) == HF_ERR_CANCELLED);
static_assert(static_cast<int32_t>(Status::Internal) == HF_ERR_INTERNAL);
static_assert(static_cast<int32_t>(Status::Disabled) == HF_ERR_DISABLED);
static_assert(static_cast<int32_t>(Status::BadRequest) == HF_ERR_BAD_REQUEST);
static_assert(static_cast<int32_t>(Status::Metadata) == HF_ERR_METADATA);
static_assert(static_cast<int32_t>(Status::NoToken) == HF_ERR_NO_TOKEN);
static_assert(static_cast<int32_t>(Status::StaleParent) == HF_ERR_STALE_PARENT);

// Static text naming a status code, e.g. "HF_ERR_GATED: gated repository" (hf_status_str).
inline std::string_view status_str(hf_status status) noexcept { return hf_status_str(status); }
inline std::string_view status_str(Status status) noexcept { return hf_status_str(static_cast<int32_t>(status)); }

// The C constant's name, e.g. "HF_ERR_GATED"; empty for a code this wrapper does not know.
constexpr std::string_view status_name(Status status) noexcept {
    const auto i = static_cast<int32_t>(status);
    return i >= 0 && i < status_count ? detail::status_table[i].name : std::string_view();
}
constexpr std::string_view status_name(hf_status status) noexcept { return status_name(static_cast<Status>(status)); }

// ------------------------------------------------------------------------------------------------
// Error
// ------------------------------------------------------------------------------------------------

// What a failed call reports: thrown by the throwing calls, held by a failed hf::Result. what() is
// the library's message (it never contains the token).
class Error : public std::runtime_error {
  public:
    Error(hf_status status, const std::string& message, int http_status = 0, std::string request_id = {})
        : std::runtime_error(message), status_(status), http_status_(http_status),
          request_id_(std::move(request_id)) {}
    Error(Status status, const std::string& message, int http_status = 0, std::string request_id = {})
        : Error(static_cast<hf_status>(status), message, http_status, std::move(request_id)) {}

    // The hf_status code (never HF_OK for an error the library reported).
    hf_status status() const noexcept { return status_; }
    // The same code as an hf::Status.
    Status code() const noexcept { return static_cast<Status>(status_); }
    // The HTTP status that caused the error, or 0 when it did not come from an HTTP answer.
    int http_status() const noexcept { return http_status_; }
    // The server's request id (for support requests), or empty when unknown.
    const std::string& request_id() const noexcept { return request_id_; }
    // Static text naming the status, e.g. "HF_ERR_GATED: gated repository".
    std::string_view status_str() const noexcept { return hf_status_str(status_); }
    // The status's C name, e.g. "HF_ERR_GATED" (empty for a code this wrapper does not know).
    std::string_view name() const noexcept { return status_name(status_); }

    // Repository, revision or file does not exist (or is private and the token cannot see it).
    bool is_not_found() const noexcept {
        return status_ == HF_ERR_REPO_NOT_FOUND || status_ == HF_ERR_REVISION_NOT_FOUND ||
               status_ == HF_ERR_ENTRY_NOT_FOUND;
    }
    bool is_gated() const noexcept { return status_ == HF_ERR_GATED; }
    // The token was rejected (401), lacks a permission (403), or none is configured.
    bool is_auth() const noexcept {
        return status_ == HF_ERR_UNAUTHORIZED || status_ == HF_ERR_FORBIDDEN || status_ == HF_ERR_NO_TOKEN;
    }
    // Offline (or local files only) and not cached.
    bool is_offline() const noexcept { return status_ == HF_ERR_OFFLINE || status_ == HF_ERR_INCOMPLETE_SNAPSHOT; }
    bool is_cancelled() const noexcept { return status_ == HF_ERR_CANCELLED; }

  private:
    hf_status status_;
    int http_status_;
    std::string request_id_;
};

namespace detail {

// The hf::Error of a failed C call: `status` and what the library wrote into `*error_out`
// (nullptr when it wrote nothing).
inline Error make_error(hf_status status, const hf_error* err) {
    const char* msg = err ? hf_error_message(err) : nullptr;
    const char* rid = err ? hf_error_request_id(err) : nullptr;
    return Error(status, msg && *msg ? std::string(msg) : std::string(hf_status_str(status)),
                 err ? hf_error_http_status(err) : 0, rid ? std::string(rid) : std::string());
}

[[noreturn]] inline void no_error() { throw std::logic_error("hf::Result::error() called on a success"); }

} // namespace detail

// ------------------------------------------------------------------------------------------------
// Result
// ------------------------------------------------------------------------------------------------

// Either a T (success) or an hf::Error: what the try_* calls return instead of throwing.
//
//   hf::Result<std::filesystem::path> r = client.try_download("org/repo", "model.gguf");
//   if (!r) { std::cerr << r.error().what(); return; }   // or r.ok()
//   use(*r);                                              // or r.value(), r->string()
//   std::filesystem::path p = std::move(r).unwrap();     // the value, or throws the Error
//
// value(), unwrap(), operator* and operator-> throw the held hf::Error when there is no value;
// error() throws std::logic_error when there is one.
template <class T> class [[nodiscard]] Result {
    static_assert(!std::is_reference_v<T> && !std::is_same_v<std::remove_cv_t<T>, Error>,
                  "hf::Result<T>: T must be a value type other than hf::Error");

  public:
    using value_type = T;

    Result(const T& value) : v_(std::in_place_index<0>, value) {}
    Result(T&& value) : v_(std::in_place_index<0>, std::move(value)) {}
    Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}

    bool ok() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }

    T& value() & {
        check();
        return *std::get_if<0>(&v_);
    }
    const T& value() const& {
        check();
        return *std::get_if<0>(&v_);
    }
    T&& value() && {
        check();
        return std::move(*std::get_if<0>(&v_));
    }

    // The value, moved out of an rvalue Result (copied from an lvalue); throws the Error if failed.
    T unwrap() && { return std::move(*this).value(); }
    T unwrap() const& { return value(); }

    // The value, or `fallback` when failed.
    template <class U> T value_or(U&& fallback) const& {
        return ok() ? *std::get_if<0>(&v_) : static_cast<T>(std::forward<U>(fallback));
    }
    template <class U> T value_or(U&& fallback) && {
        return ok() ? std::move(*std::get_if<0>(&v_)) : static_cast<T>(std::forward<U>(fallback));
    }

    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T&& operator*() && { return std::move(*this).value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    // The error; only when !ok().
    const Error& error() const {
        if (ok()) detail::no_error();
        return *std::get_if<1>(&v_);
    }

  private:
    void check() const {
        if (!ok()) throw *std::get_if<1>(&v_);
    }
    std::variant<T, Error> v_;
};

// Success without a value, or an hf::Error.
template <> class [[nodiscard]] Result<void> {
  public:
    using value_type = void;

    Result() noexcept = default;
    Result(Error error) : error_(std::move(error)) {}

    bool ok() const noexcept { return !error_.has_value(); }
    explicit operator bool() const noexcept { return ok(); }

    // Throws the Error if failed.
    void value() const {
        if (error_) throw *error_;
    }
    void unwrap() const { value(); }

    const Error& error() const {
        if (!error_) detail::no_error();
        return *error_;
    }

  private:
    std::optional<Error> error_;
};

} // namespace hf

#endif // HF_HUB_CPP_ERROR_HPP
