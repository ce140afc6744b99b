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
#include "gguf.hpp"
#include "error.hpp"
#include "handle.hpp"
#include "repo.hpp"
#include "snapshot.hpp"
#include "upload.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

    // ---- GGUF model plans (hf_hub/gguf.hpp) ----------------------------------------------------

    // Resolves "org/repo[:QUANT]" to a plan without downloading (model parts in order, projector,
    // sizes, commit); with options.local_files_only (or offline, or the Hub unreachable) from the
    // cache alone, local paths set. See hf_gguf_resolve.
    [[nodiscard]] Result<GgufPlan> try_gguf_resolve(std::string_view model, const GgufOptions& options = {}) const {
        return detail::gguf_resolve(client_.get(), model, options);
    }
    GgufPlan gguf_resolve(std::string_view model, const GgufOptions& options = {}) const {
        return try_gguf_resolve(model, options).unwrap();
    }

    // Downloads a plan's files (in parallel, aggregate progress) and returns it with local paths set.
    // See hf_gguf_download_plan.
    [[nodiscard]] Result<GgufPlan> try_gguf_download_plan(const GgufPlan& plan,
                                                          const GgufOptions& options = {}) const {
        return detail::gguf_download_plan(client_.get(), plan, options);
    }
    GgufPlan gguf_download_plan(const GgufPlan& plan, const GgufOptions& options = {}) const {
        return try_gguf_download_plan(plan, options).unwrap();
    }

    // gguf_resolve() then gguf_download_plan() in one call. See hf_gguf_download.
    [[nodiscard]] Result<GgufPlan> try_gguf_download(std::string_view model, const GgufOptions& options = {}) const {
        return detail::gguf_download(client_.get(), model, options);
    }
    GgufPlan gguf_download(std::string_view model, const GgufOptions& options = {}) const {
        return try_gguf_download(model, options).unwrap();
    }

    // ---- snapshots (hf_hub/snapshot.hpp) -------------------------------------------------------

    // Downloads every file of one commit of a repo selected by options.allow_patterns /
    // ignore_patterns into the Hugging Face cache (<cache>/<type>s--<org>--<name>/snapshots/<commit>/)
    // or into options.local_dir, max_workers files at a time; files already present cost no
    // request. Offline (or local_files_only) it answers from the cache only when the cached file
    // list says every selected file is there, else fails with HF_ERR_INCOMPLETE_SNAPSHOT naming the
    // missing files. See hf_snapshot_download.
    [[nodiscard]] Result<Snapshot> try_snapshot_download(std::string_view repo_id,
                                                         const SnapshotOptions& options = {}) const {
        return detail::snapshot_download(client_.get(), repo_id, options);
    }
    Snapshot snapshot_download(std::string_view repo_id, const SnapshotOptions& options = {}) const {
        return try_snapshot_download(repo_id, options).unwrap();
    }

    // ---- the repository API (hf_hub/repo.hpp) --------------------------------------------------

    // The Hub's information about a repo at options.revision (unset: the default branch): id,
    // commit, private, gated, disabled, last modified, its files, and the whole answer as JSON.
    // See hf_repo_get_info.
    [[nodiscard]] Result<RepoInfo> try_repo_info(std::string_view repo_id, const RepoOptions& options = {}) const {
        return detail::repo_info(client_.get(), repo_id, options);
    }
    RepoInfo repo_info(std::string_view repo_id, const RepoOptions& options = {}) const {
        return try_repo_info(repo_id, options).unwrap();
    }

    // The files and folders under `path` (unset or "": the root) at options.revision, every page;
    // `recursive` lists the whole subtree. A folder that does not exist fails with
    // HF_ERR_ENTRY_NOT_FOUND. See hf_repo_list_tree.
    [[nodiscard]] Result<RepoEntries> try_list_tree(std::string_view repo_id,
                                                    std::optional<std::string_view> path = std::nullopt,
                                                    bool recursive = false, const RepoOptions& options = {}) const {
        return detail::list_tree(client_.get(), repo_id, path, recursive, options);
    }
    RepoEntries list_tree(std::string_view repo_id, std::optional<std::string_view> path = std::nullopt,
                          bool recursive = false, const RepoOptions& options = {}) const {
        return try_list_tree(repo_id, path, recursive, options).unwrap();
    }

    // The entries of these paths at options.revision; paths that do not exist are left out.
    // See hf_repo_get_paths_info.
    [[nodiscard]] Result<RepoEntries> try_paths_info(std::string_view repo_id, const std::vector<std::string>& paths,
                                                     const RepoOptions& options = {}) const {
        return detail::paths_info(client_.get(), repo_id, paths, options);
    }
    RepoEntries paths_info(std::string_view repo_id, const std::vector<std::string>& paths,
                           const RepoOptions& options = {}) const {
        return try_paths_info(repo_id, paths, options).unwrap();
    }

    // The branches, tags and conversion refs of a repo, then its pull requests when
    // `include_pull_requests`. See hf_repo_list_refs.
    [[nodiscard]] Result<std::vector<RepoRef>> try_list_refs(std::string_view repo_id,
                                                             bool include_pull_requests = false,
                                                             const RepoOptions& options = {}) const {
        return detail::list_refs(client_.get(), repo_id, include_pull_requests, options);
    }
    std::vector<RepoRef> list_refs(std::string_view repo_id, bool include_pull_requests = false,
                                   const RepoOptions& options = {}) const {
        return try_list_refs(repo_id, include_pull_requests, options).unwrap();
    }

    // The history of options.revision (unset: main), newest first, every page.
    // See hf_repo_list_commits.
    [[nodiscard]] Result<RepoCommits> try_list_commits(std::string_view repo_id,
                                                       const RepoOptions& options = {}) const {
        return detail::list_commits(client_.get(), repo_id, options);
    }
    RepoCommits list_commits(std::string_view repo_id, const RepoOptions& options = {}) const {
        return try_list_commits(repo_id, options).unwrap();
    }

    // Whether the repo exists and the token can see it (a gated repo exists). The Result fails only
    // when the answer cannot be known (network, 401, ...): test the value, not the Result, for the
    // answer. See hf_repo_exists.
    [[nodiscard]] Result<bool> try_repo_exists(std::string_view repo_id, const RepoOptions& options = {}) const {
        return detail::repo_exists(client_.get(), repo_id, options);
    }
    bool repo_exists(std::string_view repo_id, const RepoOptions& options = {}) const {
        return try_repo_exists(repo_id, options).unwrap();
    }

    // Whether `filename` exists in the repo at options.revision (one HEAD request; nothing is
    // downloaded). As with try_repo_exists(), the Result says whether the answer is known, its value
    // what the answer is. See hf_repo_file_exists.
    [[nodiscard]] Result<bool> try_file_exists(std::string_view repo_id, std::string_view filename,
                                               const RepoOptions& options = {}) const {
        return detail::file_exists(client_.get(), repo_id, filename, options);
    }
    bool file_exists(std::string_view repo_id, std::string_view filename, const RepoOptions& options = {}) const {
        return try_file_exists(repo_id, filename, options).unwrap();
    }

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

    // ---- uploads and repository administration (hf_hub/upload.hpp) -----------------------------

    // Creates a repository; returns its URL. See hf_repo_create.
    [[nodiscard]] Result<std::string> try_create_repo(std::string_view repo_id, const RepoOptions& options = {}) const {
        return detail::repo_create(client_.get(), repo_id, options);
    }
    std::string create_repo(std::string_view repo_id, const RepoOptions& options = {}) const {
        return try_create_repo(repo_id, options).unwrap();
    }
    // Deletes a repository (options.missing_ok: a missing one is fine). See hf_repo_delete.
    [[nodiscard]] Result<void> try_delete_repo(std::string_view repo_id, const RepoOptions& options = {}) const {
        return detail::repo_delete(client_.get(), repo_id, options);
    }
    void delete_repo(std::string_view repo_id, const RepoOptions& options = {}) const {
        try_delete_repo(repo_id, options).unwrap();
    }
    // Renames or transfers a repository ("namespace/name" both). See hf_repo_move.
    [[nodiscard]] Result<void> try_move_repo(std::string_view from, std::string_view to,
                                             const RepoOptions& options = {}) const {
        return detail::repo_move(client_.get(), from, to, options);
    }
    void move_repo(std::string_view from, std::string_view to, const RepoOptions& options = {}) const {
        try_move_repo(from, to, options).unwrap();
    }
    // Makes a repository public or private. See hf_repo_update_visibility.
    [[nodiscard]] Result<void> try_update_repo_visibility(std::string_view repo_id, Visibility visibility,
                                                          const RepoOptions& options = {}) const {
        return detail::repo_update_visibility(client_.get(), repo_id, visibility, options);
    }
    void update_repo_visibility(std::string_view repo_id, Visibility visibility, const RepoOptions& options = {}) const {
        try_update_repo_visibility(repo_id, visibility, options).unwrap();
    }
    // Creates `branch` at `revision` (default: the head of main). See hf_branch_create.
    [[nodiscard]] Result<void> try_create_branch(std::string_view repo_id, std::string_view branch,
                                                 const std::optional<std::string>& revision = std::nullopt,
                                                 const RepoOptions& options = {}) const {
        return detail::branch_create(client_.get(), repo_id, branch, revision, options);
    }
    void create_branch(std::string_view repo_id, std::string_view branch,
                       const std::optional<std::string>& revision = std::nullopt, const RepoOptions& options = {}) const {
        try_create_branch(repo_id, branch, revision, options).unwrap();
    }
    // Deletes a branch. See hf_branch_delete.
    [[nodiscard]] Result<void> try_delete_branch(std::string_view repo_id, std::string_view branch,
                                                 const RepoOptions& options = {}) const {
        return detail::branch_delete(client_.get(), repo_id, branch, options);
    }
    void delete_branch(std::string_view repo_id, std::string_view branch, const RepoOptions& options = {}) const {
        try_delete_branch(repo_id, branch, options).unwrap();
    }
    // Tags `revision` (default main) as `tag`, with an optional message. See hf_tag_create.
    [[nodiscard]] Result<void> try_create_tag(std::string_view repo_id, std::string_view tag,
                                              const std::optional<std::string>& revision = std::nullopt,
                                              const std::optional<std::string>& message = std::nullopt,
                                              const RepoOptions& options = {}) const {
        return detail::tag_create(client_.get(), repo_id, tag, revision, message, options);
    }
    void create_tag(std::string_view repo_id, std::string_view tag,
                    const std::optional<std::string>& revision = std::nullopt,
                    const std::optional<std::string>& message = std::nullopt, const RepoOptions& options = {}) const {
        try_create_tag(repo_id, tag, revision, message, options).unwrap();
    }
    // Deletes a tag. See hf_tag_delete.
    [[nodiscard]] Result<void> try_delete_tag(std::string_view repo_id, std::string_view tag,
                                              const RepoOptions& options = {}) const {
        return detail::tag_delete(client_.get(), repo_id, tag, options);
    }
    void delete_tag(std::string_view repo_id, std::string_view tag, const RepoOptions& options = {}) const {
        try_delete_tag(repo_id, tag, options).unwrap();
    }

    // Pushes `commit` as one commit titled `summary` (LFS files hashed once and streamed; the
    // commit is the last request, so a failure leaves the repository unchanged). See hf_commit_push.
    [[nodiscard]] Result<CommitInfo> try_push(std::string_view repo_id, const Commit& commit, std::string_view summary,
                                              const CommitOptions& options = {}) const {
        return detail::commit_push(client_.get(), repo_id, commit, summary, options);
    }
    CommitInfo push(std::string_view repo_id, const Commit& commit, std::string_view summary,
                    const CommitOptions& options = {}) const {
        return try_push(repo_id, commit, summary, options).unwrap();
    }
    // Uploads one local file (summary default: "Upload <path_in_repo> with huggingface_hub").
    // See hf_upload_file.
    [[nodiscard]] Result<CommitInfo> try_upload_file(std::string_view repo_id, const std::filesystem::path& local_path,
                                                     std::string_view path_in_repo,
                                                     const std::optional<std::string>& summary = std::nullopt,
                                                     const CommitOptions& options = {}) const {
        return detail::upload_file(client_.get(), repo_id, local_path, path_in_repo, summary, options);
    }
    CommitInfo upload_file(std::string_view repo_id, const std::filesystem::path& local_path,
                           std::string_view path_in_repo, const std::optional<std::string>& summary = std::nullopt,
                           const CommitOptions& options = {}) const {
        return try_upload_file(repo_id, local_path, path_in_repo, summary, options).unwrap();
    }
    // Uploads a local folder, split into several commits past the limits; a rerun sends and
    // commits only what the Hub lacks. See hf_upload_folder.
    [[nodiscard]] Result<CommitInfo> try_upload_folder(std::string_view repo_id, const std::filesystem::path& folder,
                                                       const FolderOptions& folder_options = {},
                                                       const std::optional<std::string>& summary = std::nullopt,
                                                       const CommitOptions& options = {}) const {
        return detail::upload_folder(client_.get(), repo_id, folder, folder_options, summary, options);
    }
    CommitInfo upload_folder(std::string_view repo_id, const std::filesystem::path& folder,
                             const FolderOptions& folder_options = {},
                             const std::optional<std::string>& summary = std::nullopt,
                             const CommitOptions& options = {}) const {
        return try_upload_folder(repo_id, folder, folder_options, summary, options).unwrap();
    }

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
