// hf_hub/upload.hpp — uploads and repository administration: RepoOptions, Commit (the builder),
// CommitOptions, FolderOptions, CommitInfo, and the calls behind Client::create_repo / push /
// upload_file / upload_folder / create_branch / create_tag ... (which take a borrowed
// `const hf_client *`). Part of hf_hub.hpp; compiles alone.
#ifndef HF_HUB_CPP_UPLOAD_HPP
#define HF_HUB_CPP_UPLOAD_HPP

#include "hf_hub.h"
#include "repo.hpp"
#include "cancel.hpp"
#include "detail.hpp"
#include "download.hpp"
#include "error.hpp"
#include "handle.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hf {

namespace detail {
struct CommitAccess;
} // namespace detail

// A commit being built: an ordered list of operations, pushed with Client::push. A value type
// (copyable); the C builder is made at push time.
class Commit {
  public:
    // Add (or replace) `path_in_repo` with a local file, read (streamed) when pushed.
    Commit& add_file(std::string path_in_repo, std::filesystem::path local_path) {
        ops_.push_back({Kind::AddFile, std::move(path_in_repo), local_path.string(), {}});
        return *this;
    }
    // Add (or replace) `path_in_repo` with these bytes (copied).
    Commit& add_bytes(std::string path_in_repo, std::string_view data) {
        ops_.push_back({Kind::AddBytes, std::move(path_in_repo), std::string(data), {}});
        return *this;
    }
    Commit& delete_file(std::string path_in_repo) {
        ops_.push_back({Kind::DeleteFile, std::move(path_in_repo), {}, {}});
        return *this;
    }
    // Delete a folder and everything in it.
    Commit& delete_folder(std::string path_in_repo) {
        ops_.push_back({Kind::DeleteFolder, std::move(path_in_repo), {}, {}});
        return *this;
    }
    // Copy a file of the same repo (at `src_revision`, default: the revision pushed to).
    Commit& copy(std::string src_path_in_repo, std::string dest_path_in_repo,
                 std::optional<std::string> src_revision = std::nullopt) {
        ops_.push_back({Kind::Copy, std::move(dest_path_in_repo), std::move(src_path_in_repo), std::move(src_revision)});
        return *this;
    }
    size_t size() const noexcept { return ops_.size(); }
    bool empty() const noexcept { return ops_.empty(); }

  private:
    enum class Kind { AddFile, AddBytes, DeleteFile, DeleteFolder, Copy };
    struct Op {
        Kind kind;
        std::string path; // destination
        std::string arg;  // local path, bytes or copy source
        std::optional<std::string> revision;
    };
    std::vector<Op> ops_;
    friend struct detail::CommitAccess;
};

// Options of push(), upload_file() and upload_folder() (see hf_commit_options in hf_hub.h).
struct CommitOptions {
    RepoType repo_type = RepoType::Model;
    std::optional<std::string> revision;      // branch or refs/pr/N; default "main"
    std::optional<std::string> description;   // commit description
    std::optional<std::string> parent_commit; // 5-40 hex: fails with Status::StaleParent if not the head
    bool create_pr = false;                   // open a pull request instead
    // Called on the calling thread: LFS files while hashed (Progress::phase == Hash) and sent
    // (Upload), with whole-call totals. Return false to cancel (Status::Cancelled); the repository
    // is then unchanged. An exception thrown by the callback cancels and is rethrown.
    std::function<bool(const Progress&)> progress;
    const CancelToken* cancel = nullptr; // borrowed for the duration of the call
};

// What upload_folder() uploads and deletes (see hf_folder_options in hf_hub.h). Patterns follow
// Python fnmatch: `*` also matches `/`, case-sensitive; "dir/" matches everything under dir.
struct FolderOptions {
    std::string path_in_repo;                 // destination folder; "" is the root
    std::vector<std::string> allow_patterns;  // empty: every file
    std::vector<std::string> ignore_patterns; // .git/ and .cache/huggingface/ are always ignored
    std::vector<std::string> delete_patterns; // remote files under path_in_repo to delete
    size_t max_operations_per_commit = 0;     // split past this many operations; 0: 25000
};

// The result of a push or an upload.
struct CommitInfo {
    std::string oid; // the new commit, or the current head when nothing changed
    std::string url;
    std::optional<std::string> pr_url;      // set when a pull request was opened
    std::optional<std::string> pr_revision; // refs/pr/N
    uint64_t pr_num = 0;                    // 0 when none
    bool committed = false;                 // false when every operation was a no-op
    uint32_t commits = 0;                   // several for a split folder upload
};

namespace detail {

using CommitHandle = Owner<hf_commit, hf_commit_free>;
using CommitInfoHandle = Owner<hf_commit_info, hf_commit_info_free>;

struct CommitAccess {
    // The C builder for `c`; nullptr with `err` set on failure.
    static hf_status build(const Commit& c, CommitHandle& out, ErrorHandle& err) {
        hf_status st = hf_commit_new(out.out(), err.out());
        for (const Commit::Op& op : c.ops_) {
            if (st != HF_OK) break;
            Args args;
            const char* path = args.str(op.path, "path_in_repo");
            switch (op.kind) {
            case Commit::Kind::AddFile: {
                const char* local = args.str(op.arg, "local_path");
                if (args.failed()) return HF_ERR_INVALID_ARGUMENT;
                st = hf_commit_add_file(out.get(), path, local, err.out());
                break;
            }
            case Commit::Kind::AddBytes:
                if (args.failed()) return HF_ERR_INVALID_ARGUMENT;
                st = hf_commit_add_bytes(out.get(), path, reinterpret_cast<const uint8_t*>(op.arg.data()),
                                         op.arg.size(), err.out());
                break;
            case Commit::Kind::DeleteFile:
                if (args.failed()) return HF_ERR_INVALID_ARGUMENT;
                st = hf_commit_delete_file(out.get(), path, err.out());
                break;
            case Commit::Kind::DeleteFolder:
                if (args.failed()) return HF_ERR_INVALID_ARGUMENT;
                st = hf_commit_delete_folder(out.get(), path, err.out());
                break;
            case Commit::Kind::Copy: {
                const char* src = args.str(op.arg, "src_path_in_repo");
                const char* rev = args.opt(op.revision, "src_revision");
                if (args.failed()) return HF_ERR_INVALID_ARGUMENT;
                st = hf_commit_copy(out.get(), src, rev, path, err.out());
                break;
            }
            }
        }
        return st;
    }
};

// The C options struct of one upload call, plus what the progress trampoline needs.
class CommitCall {
  public:
    CommitCall(const CommitOptions& o, Args& args) : relay_(o.progress) {
        hf_commit_options_init(&c_);
        c_.repo_type = static_cast<int32_t>(o.repo_type);
        c_.revision = args.opt(o.revision, "revision");
        c_.description = args.opt(o.description, "description");
        c_.parent_commit = args.opt(o.parent_commit, "parent_commit");
        c_.create_pr = o.create_pr;
        c_.cancel = o.cancel ? o.cancel->native() : nullptr;
        c_.progress = relay_.callback();
        c_.user_data = relay_.user_data();
    }
    CommitCall(const CommitCall&) = delete;
    CommitCall& operator=(const CommitCall&) = delete;
    const hf_commit_options* get() const noexcept { return &c_; }
    void rethrow_callback_exception() const { relay_.rethrow_callback_exception(); }

  private:
    hf_commit_options c_{};
    ProgressRelay relay_;
};

inline CommitInfo commit_info(const hf_commit_info* i) {
    CommitInfo out;
    out.oid = borrowed(hf_commit_info_oid(i));
    out.url = borrowed(hf_commit_info_url(i));
    if (const char* p = hf_commit_info_pr_url(i)) out.pr_url = p;
    if (const char* p = hf_commit_info_pr_revision(i)) out.pr_revision = p;
    out.pr_num = hf_commit_info_pr_num(i);
    out.committed = hf_commit_info_committed(i);
    out.commits = hf_commit_info_commits(i);
    return out;
}

// hf_repo_create.
inline Result<std::string> repo_create(const hf_client* client, std::string_view repo_id, const RepoOptions& o) {
    Args args;
    const char* id = args.str(repo_id, "repo_id");
    const hf_repo_options c = repo_options(o, args);
    if (args.failed()) return args.error();
    StringHandle url;
    ErrorHandle err;
    const hf_status st = hf_repo_create(client, id, &c, url.out(), err.out());
    if (st != HF_OK) return make_error(st, err.get());
    return std::string(str(url));
}

// An administration call without a result: `call(&options, &error)` with the strings converted.
template <class Call> inline Result<void> admin(const RepoOptions& o, Args& args, Call call) {
    const hf_repo_options c = repo_options(o, args);
    if (args.failed()) return args.error();
    ErrorHandle err;
    const hf_status st = call(&c, err.out());
    if (st != HF_OK) return make_error(st, err.get());
    return {};
}

// hf_repo_delete.
inline Result<void> repo_delete(const hf_client* client, std::string_view repo_id, const RepoOptions& o) {
    Args a;
    const char* id = a.str(repo_id, "repo_id");
    return admin(o, a, [&](const hf_repo_options* c, hf_error** e) { return hf_repo_delete(client, id, c, e); });
}

// hf_repo_move.
inline Result<void> repo_move(const hf_client* client, std::string_view from, std::string_view to,
                              const RepoOptions& o) {
    Args a;
    const char* f = a.str(from, "from_repo_id");
    const char* t = a.str(to, "to_repo_id");
    return admin(o, a, [&](const hf_repo_options* c, hf_error** e) { return hf_repo_move(client, f, t, c, e); });
}

// hf_repo_update_visibility.
inline Result<void> repo_update_visibility(const hf_client* client, std::string_view repo_id, Visibility v,
                                           const RepoOptions& o) {
    Args a;
    const char* id = a.str(repo_id, "repo_id");
    return admin(o, a, [&](const hf_repo_options* c, hf_error** e) {
        return hf_repo_update_visibility(client, id, static_cast<int32_t>(v), c, e);
    });
}

// hf_branch_create.
inline Result<void> branch_create(const hf_client* client, std::string_view repo_id, std::string_view branch,
                                  const std::optional<std::string>& revision, const RepoOptions& o) {
    Args a;
    const char* id = a.str(repo_id, "repo_id");
    const char* b = a.str(branch, "branch");
    const char* r = a.opt(revision, "revision");
    return admin(o, a, [&](const hf_repo_options* c, hf_error** e) { return hf_branch_create(client, id, b, r, c, e); });
}

// hf_branch_delete.
inline Result<void> branch_delete(const hf_client* client, std::string_view repo_id, std::string_view branch,
                                  const RepoOptions& o) {
    Args a;
    const char* id = a.str(repo_id, "repo_id");
    const char* b = a.str(branch, "branch");
    return admin(o, a, [&](const hf_repo_options* c, hf_error** e) { return hf_branch_delete(client, id, b, c, e); });
}

// hf_tag_create.
inline Result<void> tag_create(const hf_client* client, std::string_view repo_id, std::string_view tag,
                               const std::optional<std::string>& revision, const std::optional<std::string>& message,
                               const RepoOptions& o) {
    Args a;
    const char* id = a.str(repo_id, "repo_id");
    const char* t = a.str(tag, "tag");
    const char* r = a.opt(revision, "revision");
    const char* m = a.opt(message, "message");
    return admin(o, a, [&](const hf_repo_options* c, hf_error** e) { return hf_tag_create(client, id, t, r, m, c, e); });
}

// hf_tag_delete.
inline Result<void> tag_delete(const hf_client* client, std::string_view repo_id, std::string_view tag,
                               const RepoOptions& o) {
    Args a;
    const char* id = a.str(repo_id, "repo_id");
    const char* t = a.str(tag, "tag");
    return admin(o, a, [&](const hf_repo_options* c, hf_error** e) { return hf_tag_delete(client, id, t, c, e); });
}

// hf_commit_push.
inline Result<CommitInfo> commit_push(const hf_client* client, std::string_view repo_id, const Commit& commit,
                                      std::string_view summary, const CommitOptions& o) {
    Args args;
    const char* id = args.str(repo_id, "repo_id");
    const char* s = args.str(summary, "summary");
    CommitCall call(o, args);
    if (args.failed()) return args.error();
    CommitHandle builder;
    ErrorHandle err;
    hf_status st = CommitAccess::build(commit, builder, err);
    if (st == HF_ERR_INVALID_ARGUMENT && !err) return Error(HF_ERR_INVALID_ARGUMENT, "an operation path contains a NUL byte");
    if (st != HF_OK) return make_error(st, err.get());
    CommitInfoHandle info;
    st = hf_commit_push(client, id, builder.get(), s, call.get(), info.out(), err.out());
    call.rethrow_callback_exception();
    if (st != HF_OK) return make_error(st, err.get());
    return commit_info(info.get());
}

// hf_upload_file.
inline Result<CommitInfo> upload_file(const hf_client* client, std::string_view repo_id,
                                      const std::filesystem::path& local_path, std::string_view path_in_repo,
                                      const std::optional<std::string>& summary, const CommitOptions& o) {
    Args args;
    const char* id = args.str(repo_id, "repo_id");
    const char* local = args.str(local_path.string(), "local_path");
    const char* path = args.str(path_in_repo, "path_in_repo");
    const char* s = args.opt(summary, "summary");
    CommitCall call(o, args);
    if (args.failed()) return args.error();
    CommitInfoHandle info;
    ErrorHandle err;
    const hf_status st = hf_upload_file(client, id, local, path, s, call.get(), info.out(), err.out());
    call.rethrow_callback_exception();
    if (st != HF_OK) return make_error(st, err.get());
    return commit_info(info.get());
}

// hf_upload_folder.
inline Result<CommitInfo> upload_folder(const hf_client* client, std::string_view repo_id,
                                        const std::filesystem::path& folder, const FolderOptions& f,
                                        const std::optional<std::string>& summary, const CommitOptions& o) {
    Args args;
    const char* id = args.str(repo_id, "repo_id");
    const char* dir = args.str(folder.string(), "folder_path");
    const char* prefix = args.str(f.path_in_repo, "path_in_repo");
    const char* s = args.opt(summary, "summary");
    auto list = [&args](const std::vector<std::string>& v, const char* what) {
        std::vector<const char*> out;
        for (const std::string& p : v) out.push_back(args.str(p, what));
        return out;
    };
    const std::vector<const char*> allow = list(f.allow_patterns, "allow_patterns");
    const std::vector<const char*> ignore = list(f.ignore_patterns, "ignore_patterns");
    const std::vector<const char*> del = list(f.delete_patterns, "delete_patterns");
    CommitCall call(o, args);
    if (args.failed()) return args.error();
    hf_folder_options fo;
    hf_folder_options_init(&fo);
    fo.allow_patterns = allow.data();
    fo.allow_patterns_len = allow.size();
    fo.ignore_patterns = ignore.data();
    fo.ignore_patterns_len = ignore.size();
    fo.delete_patterns = del.data();
    fo.delete_patterns_len = del.size();
    fo.max_operations_per_commit = f.max_operations_per_commit;
    CommitInfoHandle info;
    ErrorHandle err;
    const hf_status st = hf_upload_folder(client, id, dir, prefix, s, call.get(), &fo, info.out(), err.out());
    call.rethrow_callback_exception();
    if (st != HF_OK) return make_error(st, err.get());
    return commit_info(info.get());
}

} // namespace detail

} // namespace hf

#endif // HF_HUB_CPP_UPLOAD_HPP
