// hf_hub/snapshot.hpp — whole-repository downloads: SnapshotOptions, Snapshot (the folder, the commit,
// the files) and the call behind Client::snapshot_download (which takes a borrowed
// `const hf_client *`). Part of hf_hub.hpp; compiles alone.
//
//   hf::SnapshotOptions o;
//   o.allow_patterns = {"*.json", "*.safetensors"};
//   hf::Snapshot s = client.snapshot_download("org/repo", o);   // throws hf::Error
//   for (const hf::SnapshotFile& f : s.files) std::cout << f.path << " -> " << f.local_path << "\n";
#ifndef HF_HUB_CPP_SNAPSHOT_HPP
#define HF_HUB_CPP_SNAPSHOT_HPP

#include "hf_hub.h"
#include "cancel.hpp"
#include "detail.hpp"
#include "download.hpp"
#include "error.hpp"
#include "handle.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hf {

// Options of Client::snapshot_download().
struct SnapshotOptions {
    RepoType repo_type = RepoType::Model;
    std::optional<std::string> revision; // branch, tag, 40-hex commit or refs/pr/N; default "main"
    // Keep only the files matching one of these patterns (Python fnmatch on the repo path: `*` also
    // matches `/`; a pattern ending in `/` selects a folder). Empty: every file.
    std::vector<std::string> allow_patterns;
    // Drop the files matching one of these (wins over allow_patterns).
    std::vector<std::string> ignore_patterns;
    // Write real files into this folder (created if needed) instead of the shared cache, with the
    // Python client's bookkeeping in <local_dir>/.cache/huggingface/. Unset: the cache.
    std::optional<std::string> local_dir;
    uint32_t max_workers = 0;     // files fetched at once; 0: the default (8)
    bool force_download = false;  // download every selected file again even when present
    // Never use the network: answer from the cache when it holds every selected file, else fail with
    // HF_ERR_OFFLINE / HF_ERR_INCOMPLETE_SNAPSHOT.
    bool local_files_only = false;
    bool verify = true;           // verify LFS files against their SHA-256
    // Aggregate progress: Progress::files_done / files_total and total_bytes_done /
    // total_bytes_total for the whole snapshot, plus the file that changed last (filename,
    // bytes_done, bytes_total). Called on the calling thread (never concurrently with itself),
    // return false to cancel; an exception it throws cancels the call and is rethrown once the
    // library has returned, as with DownloadOptions::progress.
    std::function<bool(const Progress&)> progress;
    // Borrowed for the duration of the call; nullptr for none.
    const CancelToken* cancel = nullptr;
};

// One file of a snapshot.
struct SnapshotFile {
    std::string path;                  // path in the repo ('/'-separated)
    std::filesystem::path local_path;  // on disk: the snapshot symlink in the cache, or the real file in local_dir
    uint64_t size = 0;                 // bytes
};

// What Client::snapshot_download() returns.
struct Snapshot {
    std::filesystem::path path;      // <cache>/<type>s--org--name/snapshots/<commit>, or the local_dir (real path)
    std::string commit;              // the 40-hex commit the revision resolved to
    std::vector<SnapshotFile> files; // the selected files, sorted by repo path
};

namespace detail {

// hf_snapshot_download.
inline Result<Snapshot> snapshot_download(const hf_client* client, std::string_view repo_id,
                                          const SnapshotOptions& options) {
    Args args;
    ProgressRelay relay(options.progress);
    const char* repo = args.str(repo_id, "repo_id");
    const std::vector<const char*> allow = args.strs(options.allow_patterns, "allow_patterns");
    const std::vector<const char*> ignore = args.strs(options.ignore_patterns, "ignore_patterns");
    hf_snapshot_options c;
    hf_snapshot_options_init(&c);
    c.repo_type = static_cast<int32_t>(options.repo_type);
    c.revision = args.opt(options.revision, "revision");
    c.allow_patterns = allow.empty() ? nullptr : allow.data();
    c.allow_pattern_count = allow.size();
    c.ignore_patterns = ignore.empty() ? nullptr : ignore.data();
    c.ignore_pattern_count = ignore.size();
    c.local_dir = args.opt(options.local_dir, "local_dir");
    c.max_workers = options.max_workers;
    c.force_download = options.force_download;
    c.local_files_only = options.local_files_only;
    c.verify = options.verify;
    c.progress = relay.callback();
    c.user_data = relay.user_data();
    c.cancel = options.cancel ? options.cancel->native() : nullptr;
    if (args.failed()) return args.error();
    SnapshotHandle snap;
    ErrorHandle err;
    const hf_status st = hf_snapshot_download(client, repo, &c, snap.out(), err.out());
    relay.rethrow_callback_exception();
    if (st != HF_OK) return make_error(st, err.get());
    Snapshot out;
    out.path = borrowed(hf_snapshot_path(snap.get()));
    out.commit = borrowed(hf_snapshot_commit(snap.get()));
    const size_t n = hf_snapshot_file_count(snap.get());
    out.files.reserve(n);
    for (size_t i = 0; i < n; i++) {
        const hf_snapshot_file* f = hf_snapshot_file_get(snap.get(), i);
        if (!f) continue;
        SnapshotFile file;
        file.path = borrowed(f->path);
        file.local_path = borrowed(f->local_path);
        file.size = f->size;
        out.files.push_back(std::move(file));
    }
    return out;
}

} // namespace detail

} // namespace hf

#endif // HF_HUB_CPP_SNAPSHOT_HPP
