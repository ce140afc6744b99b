// hf_hub/download.hpp — downloads and the cache: DownloadOptions, Progress, FileMetadata,
// CacheLookup, and the calls behind Client::download / file_metadata / cache_lookup (which take a
// borrowed `const hf_client *`). Part of hf_hub.hpp; compiles alone.
#ifndef HF_HUB_CPP_DOWNLOAD_HPP
#define HF_HUB_CPP_DOWNLOAD_HPP

#include "hf_hub.h"
#include "cancel.hpp"
#include "detail.hpp"
#include "error.hpp"
#include "handle.hpp"

#include <cstddef>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace hf {

enum class RepoType : int32_t {
    Model = HF_REPO_TYPE_MODEL,
    Dataset = HF_REPO_TYPE_DATASET,
    Space = HF_REPO_TYPE_SPACE,
};

// What a progress report counts.
enum class ProgressPhase : int32_t {
    Download = HF_PROGRESS_DOWNLOAD, // bytes received and written
    Hash = HF_PROGRESS_HASH,         // bytes read and hashed (before an upload)
    Upload = HF_PROGRESS_UPLOAD,     // bytes sent
};

// A progress report, passed to DownloadOptions::progress (and SnapshotOptions::progress,
// CommitOptions::progress).
struct Progress {
    std::string filename;     // repo filename being transferred (a snapshot: the file that changed last)
    uint64_t bytes_done = 0;  // bytes of this file written so far
    uint64_t bytes_total = 0; // total bytes of this file
    // The whole call (one file for download(); every selected file for snapshot_download()). Zero
    // when the library is older than these fields (hf_progress::struct_size says so).
    uint64_t files_done = 0;        // files finished so far (downloaded or found in the cache)
    uint64_t files_total = 0;       // files the call processes
    uint64_t total_bytes_done = 0;  // bytes of all the call's files done so far
    uint64_t total_bytes_total = 0; // bytes of all the call's files
    ProgressPhase phase = ProgressPhase::Download; // what bytes_done counts
};

// Options of download(), file_metadata() and cache_lookup(). file_metadata() uses repo_type,
// revision, subfolder and cancel; cache_lookup() only repo_type, revision and subfolder.
struct DownloadOptions {
    RepoType repo_type = RepoType::Model;
    std::optional<std::string> revision;  // branch, tag, 40-hex commit or refs/pr/N; default "main"
    std::optional<std::string> subfolder; // folder inside the repo, prefixed to the filename
    bool force_download = false;          // download again even when cached
    bool local_files_only = false;        // never use the network
    bool verify = true;                   // verify LFS files against their SHA-256
    // download() only: write the file as a real file under this folder (created if needed) instead
    // of the shared cache, with the Python client's bookkeeping in <local_dir>/.cache/huggingface/
    // (fetched again only when it changed on the Hub or was modified locally). Unset: the cache.
    std::optional<std::string> local_dir;
    // Called on the calling thread, about ten times a second plus at the start and end of each file.
    // Return false to cancel (the call then fails with HF_ERR_CANCELLED). An exception thrown by the
    // callback cancels the download and is rethrown by download() and try_download() alike once the
    // library has returned (it never unwinds through the C library). Calls that share one
    // DownloadOptions share its callback: then it may run on several threads at once.
    std::function<bool(const Progress&)> progress;
    // Borrowed for the duration of the call; nullptr for none.
    const CancelToken* cancel = nullptr;
};

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

// Answer of Client::cache_lookup.
struct CacheLookup {
    CacheStatus status = CacheStatus::Unknown;
    std::optional<std::filesystem::path> path; // set when status == Found
    bool found() const noexcept { return status == CacheStatus::Found; }
};

namespace detail {

// Relays the library's progress reports (an hf_progress_fn + user_data pair) to a
// std::function<bool(const Progress&)>, keeping what it throws until the C call has returned.
// Shared by downloads, snapshots and cache verification; it must outlive the C call that uses it.
class ProgressRelay {
  public:
    explicit ProgressRelay(const std::function<bool(const Progress&)>& fn) noexcept : fn_(fn ? &fn : nullptr) {}
    ProgressRelay(const ProgressRelay&) = delete;
    ProgressRelay& operator=(const ProgressRelay&) = delete;

    // For the C options: nullptr / nullptr when there is no callback.
    hf_progress_fn callback() const noexcept { return fn_ ? &ProgressRelay::trampoline : nullptr; }
    void* user_data() noexcept { return fn_ ? this : nullptr; }

    // After the C call: rethrows what the progress callback threw, if it threw (the status is then
    // HF_ERR_CANCELLED; the callback's own exception takes precedence).
    void rethrow_callback_exception() const {
        if (error_) std::rethrow_exception(error_);
    }

  private:
    static int32_t trampoline(const hf_progress* p, void* user_data) noexcept {
        auto* self = static_cast<ProgressRelay*>(user_data);
        if (self->error_) return 1;
        if (!p) return 0;
        try {
            Progress progress;
            progress.filename = borrowed(p->filename);
            progress.bytes_done = p->bytes_done;
            progress.bytes_total = p->bytes_total;
            // The call totals were appended to hf_progress: read them only from a library that
            // sends them.
            if (p->struct_size >= offsetof(hf_progress, total_bytes_total) + sizeof(p->total_bytes_total)) {
                progress.files_done = p->files_done;
                progress.files_total = p->files_total;
                progress.total_bytes_done = p->total_bytes_done;
                progress.total_bytes_total = p->total_bytes_total;
            }
            if (p->struct_size >= offsetof(hf_progress, phase) + sizeof(p->phase)) {
                progress.phase = static_cast<ProgressPhase>(p->phase);
            }
            return (*self->fn_)(progress) ? 0 : 1;
        } catch (...) {
            self->error_ = std::current_exception();
            return 1;
        }
    }

    const std::function<bool(const Progress&)>* fn_;
    std::exception_ptr error_;
};

// The C options struct of one call, plus what the progress trampoline needs.
class DownloadCall {
  public:
    DownloadCall(const DownloadOptions& o, Args& args) : relay_(o.progress) {
        hf_download_options_init(&c_);
        c_.repo_type = static_cast<int32_t>(o.repo_type);
        c_.revision = args.opt(o.revision, "revision");
        c_.subfolder = args.opt(o.subfolder, "subfolder");
        c_.force_download = o.force_download;
        c_.local_files_only = o.local_files_only;
        c_.verify = o.verify;
        c_.local_dir = args.opt(o.local_dir, "local_dir");
        c_.cancel = o.cancel ? o.cancel->native() : nullptr;
        c_.progress = relay_.callback();
        c_.user_data = relay_.user_data();
    }
    DownloadCall(const DownloadCall&) = delete;
    DownloadCall& operator=(const DownloadCall&) = delete;

    const hf_download_options* get() const noexcept { return &c_; }

    // After the C call: rethrows what the progress callback threw, if it threw.
    void rethrow_callback_exception() const { relay_.rethrow_callback_exception(); }

  private:
    hf_download_options c_{};
    ProgressRelay relay_;
};

// What every per-file call converts first: repo id, filename and options (the C side's file_args).
struct FileArgs {
    Args args;
    const char* repo;
    const char* file;
    DownloadCall call;

    FileArgs(std::string_view repo_id, std::string_view filename, const DownloadOptions& options)
        : repo(args.str(repo_id, "repo_id")), file(args.str(filename, "filename")), call(options, args) {}
};

// hf_file_download.
inline Result<std::filesystem::path> file_download(const hf_client* client, std::string_view repo_id,
                                                   std::string_view filename, const DownloadOptions& options) {
    FileArgs a(repo_id, filename, options);
    if (a.args.failed()) return a.args.error();
    StringHandle path;
    ErrorHandle err;
    const hf_status st = hf_file_download(client, a.repo, a.file, a.call.get(), path.out(), err.out());
    a.call.rethrow_callback_exception();
    if (st != HF_OK) return make_error(st, err.get());
    return std::filesystem::path(str(path));
}

// hf_file_get_metadata.
inline Result<FileMetadata> file_metadata(const hf_client* client, std::string_view repo_id,
                                          std::string_view filename, const DownloadOptions& options) {
    FileArgs a(repo_id, filename, options);
    if (a.args.failed()) return a.args.error();
    FileMetadataHandle m;
    ErrorHandle err;
    const hf_status st = hf_file_get_metadata(client, a.repo, a.file, a.call.get(), m.out(), err.out());
    a.call.rethrow_callback_exception();
    if (st != HF_OK) return make_error(st, err.get());
    FileMetadata out;
    out.commit = borrowed(hf_file_metadata_commit(m.get()));
    out.etag = borrowed(hf_file_metadata_etag(m.get()));
    out.size = hf_file_metadata_size(m.get());
    out.location = borrowed(hf_file_metadata_location(m.get()));
    out.is_lfs = hf_file_metadata_is_lfs(m.get());
    return out;
}

// hf_cache_try_load (no network access).
inline Result<CacheLookup> cache_lookup(const hf_client* client, std::string_view repo_id,
                                        std::string_view filename, const DownloadOptions& options) {
    FileArgs a(repo_id, filename, options);
    if (a.args.failed()) return a.args.error();
    int32_t result = HF_CACHE_UNKNOWN;
    StringHandle path;
    ErrorHandle err;
    const hf_status st = hf_cache_try_load(client, a.repo, a.file, a.call.get(), &result, path.out(), err.out());
    a.call.rethrow_callback_exception();
    if (st != HF_OK) return make_error(st, err.get());
    CacheLookup out;
    out.status = static_cast<CacheStatus>(result);
    if (path) out.path = std::filesystem::path(str(path));
    return out;
}

} // namespace detail

} // namespace hf

#endif // HF_HUB_CPP_DOWNLOAD_HPP
