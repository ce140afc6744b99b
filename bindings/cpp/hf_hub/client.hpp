// hf_hub/client.hpp — hf::ClientOptions and hf::Client, the one object every call goes through.
// Each operation comes twice: `try_x(...)` returns an hf::Result and never throws an hf::Error;
// `x(...)` is `try_x(...).unwrap()`, which throws it. Part of hf_hub.hpp; compiles alone.
#ifndef HF_HUB_CPP_CLIENT_HPP
#define HF_HUB_CPP_CLIENT_HPP

#include "hf_hub.h"
#include "auth.hpp"
#include "cache.hpp"
#include "cancel.hpp"
#include "detail.hpp"
#include "download.hpp"
#include "error.hpp"
#include "handle.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace hf {

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
    // Sync each downloaded blob and its folder to stable storage before publishing it (true), or
    // not (false, the default: a killed process never publishes a wrong blob, only a power loss
    // could lose the newest ones). Unset: HF_HUB_C_DURABLE.
    std::optional<bool> durable;
    std::chrono::milliseconds etag_timeout{0};    // 0: HF_HUB_ETAG_TIMEOUT, default 10 s
    std::chrono::milliseconds download_timeout{0}; // 0: HF_HUB_DOWNLOAD_TIMEOUT, default 10 s
    int max_retries = -1;                         // -1: default (5); 0: fail at once when unreachable
    // A cache size quota in bytes: after each download that adds a blob, the least recently used
    // revisions are evicted down to it (never the revision just downloaded, nor one another download
    // holds locked). Unset or 0: no quota.
    std::optional<uint64_t> cache_max_bytes;
    // A bandwidth cap in bytes per second, shared by every transfer of this Client. Unset or 0: none.
    std::optional<uint64_t> max_bytes_per_sec;
    // Parallel ranged connections ("lanes") for one large file (1: one stream; at most 64), the bytes
    // each range request asks for (at least 65536), and the size below which a file is one stream.
    // Unset or 0: HF_HUB_C_LANES (default 8), HF_HUB_C_LANE_CHUNK (16 MiB), HF_HUB_C_LANES_MIN_SIZE
    // (16 MiB).
    std::optional<uint32_t> lanes;
    std::optional<uint64_t> lane_chunk_bytes;
    std::optional<uint64_t> lanes_min_size;
    bool ignore_env = false;                      // read no environment variable
};

// A Hub client: configuration, connection pool, token. Move-only; owns its hf_client (an
// hf::ClientHandle). All methods are const and safe to call concurrently from many threads on the
// same Client. A moved-from Client holds no hf_client: its calls fail with HF_ERR_INVALID_ARGUMENT.
class Client {
  public:
    // Reads the environment (unless options.ignore_env) once, here. Throws hf::Error.
    explicit Client(const ClientOptions& options = {}) : Client(try_create(options).unwrap()) {}

    // The same, reporting a bad option (HF_ERR_INVALID_ARGUMENT) as a failed Result.
    [[nodiscard]] static Result<Client> try_create(const ClientOptions& options = {}) {
        detail::Args args;
        hf_client_options c;
        hf_client_options_init(&c);
        c.ignore_env = options.ignore_env;
        c.endpoint = args.opt(options.endpoint, "endpoint");
        c.hf_home = args.opt(options.hf_home, "hf_home");
        c.cache_dir = args.opt(options.cache_dir, "cache_dir");
        c.token = args.opt(options.token, "token");
        c.token_path = args.opt(options.token_path, "token_path");
        c.user_agent = args.opt(options.user_agent, "user_agent");
        c.user_agent_origin = args.opt(options.user_agent_origin, "user_agent_origin");
        c.offline = detail::Args::tristate(options.offline);
        c.disable_implicit_token = detail::Args::tristate(options.disable_implicit_token);
        c.disable_symlinks = detail::Args::tristate(options.disable_symlinks);
        c.etag_timeout_ms = args.millis(options.etag_timeout, "etag_timeout");
        c.download_timeout_ms = args.millis(options.download_timeout, "download_timeout");
        c.max_retries = options.max_retries;
        c.cache_max_bytes = options.cache_max_bytes.value_or(0);
        c.durable = detail::Args::tristate(options.durable);
        c.max_bytes_per_sec = options.max_bytes_per_sec.value_or(0);
        c.lanes = options.lanes.value_or(0);
        c.lane_chunk_bytes = options.lane_chunk_bytes.value_or(0);
        c.lanes_min_size = options.lanes_min_size.value_or(0);
        if (args.failed()) return args.error();
        ClientHandle client;
        ErrorHandle err;
        const hf_status st = hf_client_new(&c, client.out(), err.out());
        if (st != HF_OK) return detail::make_error(st, err.get());
        return Client(std::move(client));
    }

    Client(Client&&) noexcept = default;
    Client& operator=(Client&&) noexcept = default;
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;
    ~Client() = default;

    // ---- downloads and the cache (hf_hub/download.hpp) -----------------------------------------

    // Downloads one file into the Hugging Face cache (or finds it there) and returns its path,
    // <cache>/<type>s--<org>--<name>/snapshots/<commit>/<filename>. See hf_file_download.
    [[nodiscard]] Result<std::filesystem::path> try_download(std::string_view repo_id, std::string_view filename,
                                                             const DownloadOptions& options = {}) const {
        return detail::file_download(client_.get(), repo_id, filename, options);
    }
    std::filesystem::path download(std::string_view repo_id, std::string_view filename,
                                   const DownloadOptions& options = {}) const {
        return try_download(repo_id, filename, options).unwrap();
    }

    // A file's metadata (one HEAD request; nothing is written). See hf_file_get_metadata.
    [[nodiscard]] Result<FileMetadata> try_file_metadata(std::string_view repo_id, std::string_view filename,
                                                         const DownloadOptions& options = {}) const {
        return detail::file_metadata(client_.get(), repo_id, filename, options);
    }
    FileMetadata file_metadata(std::string_view repo_id, std::string_view filename,
                               const DownloadOptions& options = {}) const {
        return try_file_metadata(repo_id, filename, options).unwrap();
    }
    // The earlier name of file_metadata().
    FileMetadata metadata(std::string_view repo_id, std::string_view filename,
                          const DownloadOptions& options = {}) const {
        return file_metadata(repo_id, filename, options);
    }

    // Looks a file up in the cache, without any network access. See hf_cache_try_load.
    [[nodiscard]] Result<CacheLookup> try_cache_lookup(std::string_view repo_id, std::string_view filename,
                                                       const DownloadOptions& options = {}) const {
        return detail::cache_lookup(client_.get(), repo_id, filename, options);
    }
    CacheLookup cache_lookup(std::string_view repo_id, std::string_view filename,
                             const DownloadOptions& options = {}) const {
        return try_cache_lookup(repo_id, filename, options).unwrap();
    }
    // The earlier name of cache_lookup() (it throws, despite its name; try_cache_lookup() does not).
    CacheLookup try_load(std::string_view repo_id, std::string_view filename,
                         const DownloadOptions& options = {}) const {
        return cache_lookup(repo_id, filename, options);
    }

    // The hub cache folder this client uses.
    [[nodiscard]] Result<std::filesystem::path> try_cache_dir() const {
        StringHandle path;
        ErrorHandle err;
        const hf_status st = hf_client_cache_dir(client_.get(), path.out(), err.out());
        if (st != HF_OK) return detail::make_error(st, err.get());
        return std::filesystem::path(detail::str(path));
    }
    std::filesystem::path cache_dir() const { return try_cache_dir().unwrap(); }

    // ---- cache management (hf_hub/cache.hpp) ---------------------------------------------------

    // Scans the hub cache this client uses: repos, revisions, sizes (each blob counted once), refs,
    // incomplete downloads; corrupted entries become warnings. No network access. Plans are made
    // from the result (CacheInfo::plan_delete / plan_prune / plan_evict). See hf_cache_scan.
    [[nodiscard]] Result<CacheInfo> try_cache_scan() const { return detail::cache_scan(client_.get()); }
    CacheInfo cache_scan() const { return try_cache_scan().unwrap(); }

    // Re-hashes the blobs of a scan (of one repo when options.repo_id is set) against their names;
    // options.cancel cancels it, options.progress reports it. VerifyReport::plan_delete() turns the
    // mismatches into a plan. See hf_cache_verify.
    [[nodiscard]] Result<VerifyReport> try_cache_verify(const CacheInfo& info,
                                                        const VerifyOptions& options = {}) const {
        return detail::cache_verify(client_.get(), info, options);
    }
    VerifyReport cache_verify(const CacheInfo& info, const VerifyOptions& options = {}) const {
        return try_cache_verify(info, options).unwrap();
    }

    // ---- tokens and accounts (hf_hub/auth.hpp) -------------------------------------------------

    // Who the client's token belongs to (GET /api/whoami-v2); `options.cancel` cancels it.
    // See hf_auth_whoami_ex.
    [[nodiscard]] Result<User> try_whoami(const CallOptions& options = {}) const {
        return detail::whoami(client_.get(), options);
    }
    User whoami(const CallOptions& options = {}) const { return try_whoami(options).unwrap(); }

    // Validates `token` (whoami; `options.cancel` cancels it), stores it and makes it the active
    // token; returns the name it was stored under. See hf_auth_login_ex.
    [[nodiscard]] Result<std::string> try_login(std::string_view token, const CallOptions& options = {}) const {
        return detail::login(client_.get(), token, options);
    }
    std::string login(std::string_view token, const CallOptions& options = {}) const {
        return try_login(token, options).unwrap();
    }

    // Without a name: deletes the token file and all stored tokens. With one: removes that stored
    // token (unknown names are ignored). See hf_auth_logout.
    [[nodiscard]] Result<void> try_logout(std::optional<std::string_view> name = std::nullopt) const {
        return detail::logout(client_.get(), name);
    }
    void logout(std::optional<std::string_view> name = std::nullopt) const { try_logout(name).unwrap(); }

    // Makes the stored token `name` the active one. See hf_auth_switch.
    [[nodiscard]] Result<void> try_switch_token(std::string_view name) const {
        return detail::switch_token(client_.get(), name);
    }
    void switch_token(std::string_view name) const { try_switch_token(name).unwrap(); }

    // The stored tokens and the active one. See hf_auth_list.
    [[nodiscard]] Result<TokenList> try_tokens() const { return detail::token_list(client_.get()); }
    TokenList tokens() const { return try_tokens().unwrap(); }

    // ---------------------------------------------------------------------------------------------

    // The C client, borrowed (owned by this Client; nullptr after a move). For C calls that have no
    // wrapper yet.
    const hf_client* native() const noexcept { return client_.get(); }

  private:
    explicit Client(ClientHandle client) noexcept : client_(std::move(client)) {}

    ClientHandle client_;
};

} // namespace hf

#endif // HF_HUB_CPP_CLIENT_HPP
