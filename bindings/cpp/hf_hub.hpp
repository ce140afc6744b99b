// hf_hub.hpp — header-only C++17 wrapper of libhf_hub (the C API in hf_hub.h).
//
//   #include "hf_hub.hpp"
//   hf::Client client;                                   // configured from HF_* like the Python client
//   std::filesystem::path p = client.download("org/repo", "model.gguf");
//
// A thin layer: every method is one C call. What it adds is C++ vocabulary only:
//   - errors are thrown as hf::Error (status, message, HTTP status, request id) — never returned;
//   - the library's objects are owned by RAII handles (std::unique_ptr / std::shared_ptr with the
//     C `_free` functions), and results are copied into plain values (std::string, std::filesystem::path,
//     structs); no C pointer owned by the library escapes, except `Client::native()`, which is borrowed;
//   - options are plain structs with std::optional fields, progress is a std::function.
//
// Thread safety (the C library's contract, unchanged):
//   - A `const hf::Client&` may be used from many threads at once: every method is const and one client
//     can serve a whole program. Destroying or moving a Client while another thread uses it is a data race.
//   - An hf::CancelToken may be cancelled from any thread; copies share the same token.
//   - The progress callback runs on the thread that called download(), never concurrently with itself.
//
// Ownership: inputs are copied before a call returns (nothing keeps a reference to a caller's string,
// options struct or callback after the call). The DownloadOptions::cancel token and the progress
// callback are borrowed for the duration of the call only.
//
// Requires C++17; with C++20 and <stop_token>, a CancelToken can also follow a std::stop_token.
#ifndef HF_HUB_HPP
#define HF_HUB_HPP

#include "hf_hub.h"

#include <chrono>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <functional>
#include <limits>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#if __cplusplus >= 202002L && __has_include(<stop_token>)
#include <stop_token>
#if defined(__cpp_lib_jthread)
#define HF_HUB_CPP_HAS_STOP_TOKEN 1
#endif
#endif
#ifndef HF_HUB_CPP_HAS_STOP_TOKEN
#define HF_HUB_CPP_HAS_STOP_TOKEN 0
#endif

// The C API version this wrapper was written against. 0.x: a minor bump may change the ABI, so the
// wrapper requires the same major and at least this minor (options structs only grow at the end).
#define HF_HUB_CPP_API_MAJOR 0
#define HF_HUB_CPP_API_MINOR 1

static_assert(HF_HUB_VERSION_MAJOR == HF_HUB_CPP_API_MAJOR,
              "hf_hub.hpp does not match the major version of hf_hub.h");
static_assert(HF_HUB_VERSION_MINOR >= HF_HUB_CPP_API_MINOR, "hf_hub.hpp needs a newer hf_hub.h");

#define HF_HUB_CPP_STR2_(x) #x
#define HF_HUB_CPP_STR_(x) HF_HUB_CPP_STR2_(x)

namespace hf {

// ------------------------------------------------------------------------------------------------
// Version
// ------------------------------------------------------------------------------------------------

// The version of the header compiled in (HF_HUB_VERSION_*), e.g. "0.1.0".
inline constexpr int version_major = HF_HUB_VERSION_MAJOR;
inline constexpr int version_minor = HF_HUB_VERSION_MINOR;
inline constexpr int version_patch = HF_HUB_VERSION_PATCH;
inline constexpr std::string_view header_version = HF_HUB_CPP_STR_(HF_HUB_VERSION_MAJOR) "." HF_HUB_CPP_STR_(
    HF_HUB_VERSION_MINOR) "." HF_HUB_CPP_STR_(HF_HUB_VERSION_PATCH);

// The version of the library loaded at run time (hf_version()), "MAJOR.MINOR.PATCH".
inline std::string version() { return hf_version(); }

// Static text naming a status code, e.g. "HF_ERR_GATED: gated repository" (hf_status_str).
inline std::string_view status_str(hf_status status) { return hf_status_str(status); }

// ------------------------------------------------------------------------------------------------
// Errors
// ------------------------------------------------------------------------------------------------

// Thrown by every call that fails (any status other than HF_OK). what() is the library's message
// (it never contains the token).
class Error : public std::runtime_error {
  public:
    Error(hf_status status, const std::string& message, int http_status = 0, std::string request_id = {})
        : std::runtime_error(message), status_(status), http_status_(http_status),
          request_id_(std::move(request_id)) {}

    // The hf_status code (never HF_OK).
    hf_status status() const noexcept { return status_; }
    // The HTTP status that caused the error, or 0 when it did not come from an HTTP answer.
    int http_status() const noexcept { return http_status_; }
    // The server's request id (for support requests), or empty when unknown.
    const std::string& request_id() const noexcept { return request_id_; }
    // Static text naming the status, e.g. "HF_ERR_GATED: gated repository".
    std::string_view status_str() const noexcept { return hf_status_str(status_); }

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

struct ErrorDeleter {
    void operator()(hf_error* e) const noexcept { hf_error_free(e); }
};
struct StringDeleter {
    void operator()(char* s) const noexcept { hf_string_free(s); }
};
struct ClientDeleter {
    void operator()(hf_client* c) const noexcept { hf_client_free(c); }
};
struct CancelTokenDeleter {
    void operator()(hf_cancel_token* t) const noexcept { hf_cancel_token_free(t); }
};
struct MetadataDeleter {
    void operator()(hf_file_metadata* m) const noexcept { hf_file_metadata_free(m); }
};
struct UserDeleter {
    void operator()(hf_user* u) const noexcept { hf_user_free(u); }
};
struct StringListDeleter {
    void operator()(hf_string_list* l) const noexcept { hf_string_list_free(l); }
};

using ErrorPtr = std::unique_ptr<hf_error, ErrorDeleter>;
using StringPtr = std::unique_ptr<char, StringDeleter>;

// Receives a `char **` out-parameter and owns what the library wrote into it.
class OutString {
  public:
    OutString() = default;
    OutString(const OutString&) = delete;
    OutString& operator=(const OutString&) = delete;
    ~OutString() { hf_string_free(raw_); }
    char** out() noexcept { return &raw_; }
    bool has_value() const noexcept { return raw_ != nullptr; }
    std::string str() const { return raw_ ? std::string(raw_) : std::string(); }
    std::optional<std::string> opt() const {
        return raw_ ? std::optional<std::string>(raw_) : std::nullopt;
    }

  private:
    char* raw_ = nullptr;
};

// Receives an `hf_error **` out-parameter; throw_if() turns a failed status into hf::Error.
class OutError {
  public:
    OutError() = default;
    OutError(const OutError&) = delete;
    OutError& operator=(const OutError&) = delete;
    ~OutError() { hf_error_free(raw_); }
    hf_error** out() noexcept { return &raw_; }

    void throw_if(hf_status status) {
        ErrorPtr err(raw_);
        raw_ = nullptr;
        if (status == HF_OK) return;
        if (!err) throw Error(status, hf_status_str(status));
        const char* msg = hf_error_message(err.get());
        const char* rid = hf_error_request_id(err.get());
        const int http_status = hf_error_http_status(err.get());
        throw Error(status, msg && *msg ? std::string(msg) : std::string(hf_status_str(status)), http_status,
                    rid ? std::string(rid) : std::string());
    }

  private:
    hf_error* raw_ = nullptr;
};

// A NUL-terminated copy of a string_view (the C API takes NUL-terminated strings). An embedded NUL
// would silently cut the string short, so it is refused like any other malformed argument.
inline std::string z(std::string_view s) {
    if (s.find('\0') != std::string_view::npos)
        throw Error(HF_ERR_INVALID_ARGUMENT, "argument contains a NUL byte");
    return std::string(s);
}

inline const char* opt_cstr(const std::optional<std::string>& s) {
    if (!s) return nullptr;
    if (s->find('\0') != std::string::npos) throw Error(HF_ERR_INVALID_ARGUMENT, "option contains a NUL byte");
    return s->c_str();
}

inline int32_t tristate(const std::optional<bool>& b) noexcept { return b ? (*b ? 1 : 0) : -1; }

inline uint32_t millis(std::chrono::milliseconds ms, const char* what) {
    if (ms.count() < 0 || static_cast<unsigned long long>(ms.count()) > std::numeric_limits<uint32_t>::max())
        throw Error(HF_ERR_INVALID_ARGUMENT, std::string(what) + " is out of range (0 .. 2^32-1 ms)");
    return static_cast<uint32_t>(ms.count());
}

inline std::string borrowed(const char* s) { return s ? std::string(s) : std::string(); }
inline std::optional<std::string> borrowed_opt(const char* s) {
    return s ? std::optional<std::string>(s) : std::nullopt;
}

} // namespace detail

// ------------------------------------------------------------------------------------------------
// Options
// ------------------------------------------------------------------------------------------------

// Options of a Client. Every field left unset means "from the environment, else the default"
// (see hf_client_options in hf_hub.h); with ignore_env no environment variable is read at all.
struct ClientOptions {
    std::optional<std::string> endpoint;          // HF_ENDPOINT, e.g. "https://huggingface.co"
    std::optional<std::string> hf_home;           // HF_HOME
    std::optional<std::string> cache_dir;         // HF_HUB_CACHE (default <hf_home>/hub)
    std::optional<std::string> token;             // explicit token; wins over HF_TOKEN and the token file
    std::optional<std::string> token_path;        // HF_TOKEN_PATH (default <hf_home>/token)
    std::optional<std::string> user_agent;        // extra user-agent text, e.g. "myapp/1.2"
    std::optional<std::string> user_agent_origin; // HF_HUB_USER_AGENT_ORIGIN
    std::optional<bool> offline;                  // HF_HUB_OFFLINE
    std::optional<bool> disable_implicit_token;   // HF_HUB_DISABLE_IMPLICIT_TOKEN
    std::optional<bool> disable_symlinks;         // HF_HUB_DISABLE_SYMLINKS
    std::chrono::milliseconds etag_timeout{0};    // 0: HF_HUB_ETAG_TIMEOUT, default 10 s
    std::chrono::milliseconds download_timeout{0}; // 0: HF_HUB_DOWNLOAD_TIMEOUT, default 10 s
    int max_retries = -1;                         // -1: default (5); 0: fail at once when unreachable
    bool ignore_env = false;                      // read no environment variable
};

enum class RepoType : int32_t {
    Model = HF_REPO_TYPE_MODEL,
    Dataset = HF_REPO_TYPE_DATASET,
    Space = HF_REPO_TYPE_SPACE,
};

// A progress report, passed to DownloadOptions::progress.
struct Progress {
    std::string filename;     // repo filename being transferred
    uint64_t bytes_done = 0;  // bytes written so far
    uint64_t bytes_total = 0; // total bytes expected
};

// A cancellation flag for long calls. Copies share one token (a std::shared_ptr), so a copy can be
// handed to another thread and cancelled there; the call watching it returns with an hf::Error whose
// status is HF_ERR_CANCELLED. Cancelling is permanent. Keep the token alive until the call using it
// returns (DownloadOptions borrows it).
class CancelToken {
  public:
    CancelToken() : state_(std::make_shared<State>()) {}

#if HF_HUB_CPP_HAS_STOP_TOKEN
    // C++20: a token that is cancelled when `stop` is requested (for std::jthread and friends).
    explicit CancelToken(std::stop_token stop) : CancelToken() {
        hf_cancel_token* raw = state_->token.get();
        state_->on_stop.emplace(std::move(stop), StopFn{raw});
    }
#endif

    // Cancels every call watching this token. Safe from any thread, any number of times.
    void cancel() const noexcept { hf_cancel_token_cancel(state_->token.get()); }
    bool cancelled() const noexcept { return hf_cancel_token_is_cancelled(state_->token.get()); }

    // The C token, borrowed for as long as any copy of this CancelToken lives.
    const hf_cancel_token* native() const noexcept { return state_->token.get(); }

  private:
#if HF_HUB_CPP_HAS_STOP_TOKEN
    struct StopFn {
        hf_cancel_token* token;
        void operator()() const noexcept { hf_cancel_token_cancel(token); }
    };
#endif
    struct State {
        State() : token(hf_cancel_token_new()) {
            if (!token) throw std::bad_alloc();
        }
        std::unique_ptr<hf_cancel_token, detail::CancelTokenDeleter> token;
#if HF_HUB_CPP_HAS_STOP_TOKEN
        // Declared after `token`, so it is destroyed (unregistered) before the token is freed.
        std::optional<std::stop_callback<StopFn>> on_stop;
#endif
    };
    std::shared_ptr<State> state_;
};

// Options of download(), metadata() and try_load(). metadata() and try_load() use only repo_type,
// revision and subfolder.
struct DownloadOptions {
    RepoType repo_type = RepoType::Model;
    std::optional<std::string> revision;  // branch, tag, 40-hex commit or refs/pr/N; default "main"
    std::optional<std::string> subfolder; // folder inside the repo, prefixed to the filename
    bool force_download = false;          // download again even when cached
    bool local_files_only = false;        // never use the network
    bool verify = true;                   // verify LFS files against their SHA-256
    // Called on the calling thread, about ten times a second plus at the start and end of each file.
    // Return false to cancel (download() then throws an Error with HF_ERR_CANCELLED). An exception
    // thrown by the callback cancels the download and is rethrown by download() once the library
    // has returned (it never unwinds through the C library). Calls that share one DownloadOptions
    // share its callback: then it may run on several threads at once.
    std::function<bool(const Progress&)> progress;
    // Borrowed for the duration of the call; nullptr for none.
    const CancelToken* cancel = nullptr;
};

// ------------------------------------------------------------------------------------------------
// Results
// ------------------------------------------------------------------------------------------------

// Metadata of a remote file (one HEAD request).
struct FileMetadata {
    std::string commit;   // the 40-hex commit the revision resolved to
    std::string etag;     // normalized ETag: git blob sha1, or sha256 for LFS files
    uint64_t size = 0;    // bytes
    std::string location; // URL the bytes are downloaded from (a CDN URL for LFS files)
    bool is_lfs = false;
};

enum class CacheStatus : int32_t {
    Unknown = HF_CACHE_UNKNOWN,            // the cache cannot tell
    Found = HF_CACHE_FOUND,                // cached; `path` is set
    KnownMissing = HF_CACHE_KNOWN_MISSING, // the cache recorded that the file does not exist (.no_exist)
};

// Answer of Client::try_load.
struct CacheLookup {
    CacheStatus status = CacheStatus::Unknown;
    std::optional<std::filesystem::path> path; // set when status == Found
    bool found() const noexcept { return status == CacheStatus::Found; }
};

// The account a token belongs to (whoami).
struct User {
    std::string name;
    std::string type; // "user", "org" or "app"
    std::optional<std::string> fullname;
    std::vector<std::string> orgs;
    std::optional<std::string> token_name;
    std::optional<std::string> token_role; // "read", "write", "fineGrained"
    std::string json;                      // the whole whoami answer
};

// The stored tokens (login/switch) and the name of the active one.
struct TokenList {
    std::vector<std::string> names;    // sorted
    std::optional<std::string> active; // unset when the token file matches no stored token
};

// ------------------------------------------------------------------------------------------------
// Client
// ------------------------------------------------------------------------------------------------

namespace detail {

// Holds the C options struct for one call, plus what the progress trampoline needs.
class DownloadCall {
  public:
    explicit DownloadCall(const DownloadOptions& o) : fn_(o.progress ? &o.progress : nullptr) {
        hf_download_options_init(&c_);
        c_.repo_type = static_cast<int32_t>(o.repo_type);
        c_.revision = opt_cstr(o.revision);
        c_.subfolder = opt_cstr(o.subfolder);
        c_.force_download = o.force_download;
        c_.local_files_only = o.local_files_only;
        c_.verify = o.verify;
        c_.cancel = o.cancel ? o.cancel->native() : nullptr;
        if (fn_) {
            c_.progress = &DownloadCall::trampoline;
            c_.user_data = this;
        }
    }
    DownloadCall(const DownloadCall&) = delete;
    DownloadCall& operator=(const DownloadCall&) = delete;

    const hf_download_options* get() const noexcept { return &c_; }

    // After the C call: rethrows what the callback threw (it takes precedence over the status, which
    // is then HF_ERR_CANCELLED), else throws for a failed status.
    void finish(hf_status status, OutError& err) {
        if (error_) std::rethrow_exception(error_); // `err` is freed by its destructor
        err.throw_if(status);
    }

  private:
    static int32_t trampoline(const hf_progress* p, void* user_data) noexcept {
        auto* self = static_cast<DownloadCall*>(user_data);
        if (self->error_) return 1;
        if (!p) return 0;
        try {
            Progress progress;
            progress.filename = borrowed(p->filename);
            progress.bytes_done = p->bytes_done;
            progress.bytes_total = p->bytes_total;
            return (*self->fn_)(progress) ? 0 : 1;
        } catch (...) {
            self->error_ = std::current_exception();
            return 1;
        }
    }

    hf_download_options c_{};
    const std::function<bool(const Progress&)>* fn_;
    std::exception_ptr error_;
};

} // namespace detail

// A Hub client: configuration, connection pool, token. Move-only; owns its hf_client.
// All methods are const and safe to call concurrently from many threads on the same Client.
// Every method throws hf::Error on failure. A moved-from Client holds no hf_client: its methods throw
// hf::Error(HF_ERR_INVALID_ARGUMENT).
class Client {
  public:
    // Reads the environment (unless options.ignore_env) once, here.
    explicit Client(const ClientOptions& options = {}) {
        hf_client_options c;
        hf_client_options_init(&c);
        c.ignore_env = options.ignore_env;
        c.endpoint = detail::opt_cstr(options.endpoint);
        c.hf_home = detail::opt_cstr(options.hf_home);
        c.cache_dir = detail::opt_cstr(options.cache_dir);
        c.token = detail::opt_cstr(options.token);
        c.token_path = detail::opt_cstr(options.token_path);
        c.user_agent = detail::opt_cstr(options.user_agent);
        c.user_agent_origin = detail::opt_cstr(options.user_agent_origin);
        c.offline = detail::tristate(options.offline);
        c.disable_implicit_token = detail::tristate(options.disable_implicit_token);
        c.disable_symlinks = detail::tristate(options.disable_symlinks);
        c.etag_timeout_ms = detail::millis(options.etag_timeout, "etag_timeout");
        c.download_timeout_ms = detail::millis(options.download_timeout, "download_timeout");
        c.max_retries = options.max_retries;
        hf_client* raw = nullptr;
        detail::OutError err;
        err.throw_if(hf_client_new(&c, &raw, err.out()));
        client_.reset(raw);
    }

    Client(Client&&) noexcept = default;
    Client& operator=(Client&&) noexcept = default;
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;
    ~Client() = default;

    // Downloads one file into the Hugging Face cache (or finds it there) and returns its path,
    // <cache>/<type>s--<org>--<name>/snapshots/<commit>/<filename>. See hf_file_download.
    std::filesystem::path download(std::string_view repo_id, std::string_view filename,
                                   const DownloadOptions& options = {}) const {
        detail::DownloadCall call(options);
        detail::OutString path;
        detail::OutError err;
        hf_status st = hf_file_download(client_.get(), detail::z(repo_id).c_str(), detail::z(filename).c_str(),
                                        call.get(), path.out(), err.out());
        call.finish(st, err);
        return std::filesystem::path(path.str());
    }

    // A file's metadata (one HEAD request; nothing is written). See hf_file_get_metadata.
    FileMetadata metadata(std::string_view repo_id, std::string_view filename,
                          const DownloadOptions& options = {}) const {
        detail::DownloadCall call(options);
        hf_file_metadata* raw = nullptr;
        detail::OutError err;
        hf_status st = hf_file_get_metadata(client_.get(), detail::z(repo_id).c_str(), detail::z(filename).c_str(),
                                            call.get(), &raw, err.out());
        call.finish(st, err);
        std::unique_ptr<hf_file_metadata, detail::MetadataDeleter> m(raw);
        FileMetadata out;
        out.commit = detail::borrowed(hf_file_metadata_commit(m.get()));
        out.etag = detail::borrowed(hf_file_metadata_etag(m.get()));
        out.size = hf_file_metadata_size(m.get());
        out.location = detail::borrowed(hf_file_metadata_location(m.get()));
        out.is_lfs = hf_file_metadata_is_lfs(m.get());
        return out;
    }

    // Looks a file up in the cache, without any network access. See hf_cache_try_load.
    CacheLookup try_load(std::string_view repo_id, std::string_view filename,
                         const DownloadOptions& options = {}) const {
        detail::DownloadCall call(options);
        int32_t result = HF_CACHE_UNKNOWN;
        detail::OutString path;
        detail::OutError err;
        hf_status st = hf_cache_try_load(client_.get(), detail::z(repo_id).c_str(), detail::z(filename).c_str(),
                                         call.get(), &result, path.out(), err.out());
        call.finish(st, err);
        CacheLookup out;
        out.status = static_cast<CacheStatus>(result);
        if (path.has_value()) out.path = std::filesystem::path(path.str());
        return out;
    }

    // Who the client's token belongs to (GET /api/whoami-v2). See hf_auth_whoami.
    User whoami() const {
        hf_user* raw = nullptr;
        detail::OutError err;
        err.throw_if(hf_auth_whoami(client_.get(), &raw, err.out()));
        std::unique_ptr<hf_user, detail::UserDeleter> u(raw);
        User out;
        out.name = detail::borrowed(hf_user_name(u.get()));
        out.type = detail::borrowed(hf_user_type(u.get()));
        out.fullname = detail::borrowed_opt(hf_user_fullname(u.get()));
        const size_t n = hf_user_org_count(u.get());
        out.orgs.reserve(n);
        for (size_t i = 0; i < n; i++) out.orgs.push_back(detail::borrowed(hf_user_org_name(u.get(), i)));
        out.token_name = detail::borrowed_opt(hf_user_token_name(u.get()));
        out.token_role = detail::borrowed_opt(hf_user_token_role(u.get()));
        out.json = detail::borrowed(hf_user_json(u.get()));
        return out;
    }

    // Validates `token`, stores it and makes it the active token; returns the name it was stored
    // under. See hf_auth_login.
    std::string login(std::string_view token) const {
        detail::OutString name;
        detail::OutError err;
        err.throw_if(hf_auth_login(client_.get(), detail::z(token).c_str(), name.out(), err.out()));
        return name.str();
    }

    // Without a name: deletes the token file and all stored tokens. With one: removes that stored
    // token (unknown names are ignored). See hf_auth_logout.
    void logout(std::optional<std::string_view> name = std::nullopt) const {
        std::optional<std::string> n;
        if (name) n = detail::z(*name);
        detail::OutError err;
        err.throw_if(hf_auth_logout(client_.get(), detail::opt_cstr(n), err.out()));
    }

    // Makes the stored token `name` the active one. See hf_auth_switch.
    void switch_token(std::string_view name) const {
        detail::OutError err;
        err.throw_if(hf_auth_switch(client_.get(), detail::z(name).c_str(), err.out()));
    }

    // The stored tokens and the active one. See hf_auth_list.
    TokenList tokens() const {
        hf_string_list* raw = nullptr;
        detail::OutString active;
        detail::OutError err;
        err.throw_if(hf_auth_list(client_.get(), &raw, active.out(), err.out()));
        std::unique_ptr<hf_string_list, detail::StringListDeleter> list(raw);
        TokenList out;
        const size_t n = hf_string_list_len(list.get());
        out.names.reserve(n);
        for (size_t i = 0; i < n; i++) out.names.push_back(detail::borrowed(hf_string_list_get(list.get(), i)));
        out.active = active.opt();
        return out;
    }

    // The hub cache folder this client uses.
    std::filesystem::path cache_dir() const {
        detail::OutString path;
        detail::OutError err;
        err.throw_if(hf_client_cache_dir(client_.get(), path.out(), err.out()));
        return std::filesystem::path(path.str());
    }

    // The C client, borrowed (owned by this Client; nullptr after a move). For C calls that have no
    // wrapper yet.
    const hf_client* native() const noexcept { return client_.get(); }

  private:
    std::unique_ptr<hf_client, detail::ClientDeleter> client_;
};

} // namespace hf

#endif // HF_HUB_HPP
