// hf_hub/repo.hpp — the read-only repository API: RepoOptions, RepoInfo (summary, files, the server's
// JSON), RepoEntry lists (tree listings, paths info), refs, commits, and the calls behind
// Client::repo_info / list_tree / paths_info / list_refs / list_commits / repo_exists / file_exists
// (which take a borrowed `const hf_client *`). Part of hf_hub.hpp; compiles alone.
//
//   hf::RepoInfo info = client.repo_info("org/repo");
//   for (const hf::RepoEntry& e : client.list_tree("org/repo", "subdir", true)) std::cout << e.path << "\n";
//   if (client.file_exists("org/repo", "config.json")) { ... }
//
// Every value is copied out of the library's object before the call returns.
#ifndef HF_HUB_CPP_REPO_HPP
#define HF_HUB_CPP_REPO_HPP

#include "hf_hub.h"
#include "cancel.hpp"
#include "detail.hpp"
#include "download.hpp"
#include "error.hpp"
#include "handle.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hf {

// Options of the repository calls.
enum class Visibility : int32_t {
    Default = HF_VISIBILITY_DEFAULT, // creating: the Hub's default (public)
    Public = HF_VISIBILITY_PUBLIC,
    Private = HF_VISIBILITY_PRIVATE,
    Protected = HF_VISIBILITY_PROTECTED, // Spaces only
};

// Options of the repository calls, reading (repo_info, list_tree...) and administering
// (create_repo, create_branch...); each call reads the fields it documents (see hf_repo_options).
struct RepoOptions {
    RepoType repo_type = RepoType::Model;
    // Reading calls: branch, tag, 40-hex commit or refs/pr/N; unset: "main" (repo_info: the
    // default branch). list_refs() and repo_exists() ignore it.
    std::optional<std::string> revision;
    // Borrowed for the duration of the call; nullptr for none.
    const CancelToken* cancel = nullptr;
    Visibility visibility = Visibility::Default; // create_repo
    std::optional<std::string> space_sdk;        // create_repo of a Space: gradio, streamlit, docker, static
    bool exist_ok = false;                       // create_repo, create_branch, create_tag
    bool missing_ok = false;                     // delete_repo
};

// What a RepoEntry is (the C `hf_entry_type`: HF_ENTRY_FILE = 0, HF_ENTRY_DIRECTORY = 1).
enum class EntryType : int32_t {
    File = 0,
    Directory = 1,
};

// One file or folder of a listing, a paths-info answer or a repo's files (RepoInfo::siblings).
struct RepoEntry {
    EntryType type = EntryType::File;
    std::string path;                      // path in the repo ('/'-separated)
    uint64_t size = 0;                     // bytes (0 for folders; for siblings 0 when the Hub did not say)
    std::optional<std::string> oid;        // git object id (blob SHA-1 of a file, tree id of a folder)
    std::optional<std::string> lfs_sha256; // SHA-256 of an LFS file (its blob's name in the cache)
    uint64_t lfs_size = 0;                 // size of an LFS file (0 otherwise)
    std::optional<std::string> xet_hash;   // Xet hash (64 hex) when the Hub sent a valid one
    bool is_file() const noexcept { return type == EntryType::File; }
    bool is_directory() const noexcept { return type == EntryType::Directory; }
    bool is_lfs() const noexcept { return lfs_sha256.has_value(); }
};

// A list of entries (Client::list_tree, Client::paths_info) and the server's records as JSON.
// Iterable: `for (const hf::RepoEntry& e : list)`.
struct RepoEntries {
    std::vector<RepoEntry> entries; // in the server's order
    std::string json;               // the server's records, a JSON array

    size_t size() const noexcept { return entries.size(); }
    bool empty() const noexcept { return entries.empty(); }
    const RepoEntry& operator[](size_t i) const { return entries[i]; }
    std::vector<RepoEntry>::const_iterator begin() const noexcept { return entries.begin(); }
    std::vector<RepoEntry>::const_iterator end() const noexcept { return entries.end(); }
    // The entry with this path, or nullptr.
    const RepoEntry* find(std::string_view path) const noexcept {
        for (const RepoEntry& e : entries)
            if (e.path == path) return &e;
        return nullptr;
    }
};

// What Client::repo_info() returns.
struct RepoInfo {
    std::string id;                           // org/name
    std::optional<std::string> sha;           // the 40-hex commit of the revision asked for
    bool is_private = false;
    bool disabled = false;                    // disabled by the Hub
    std::optional<std::string> gated;         // "auto" or "manual" for a gated repo; unset otherwise
    std::optional<std::string> last_modified; // ISO 8601
    std::vector<RepoEntry> siblings;          // the repo's files (all EntryType::File)
    std::string json;                         // the server's whole answer (cardData, tags, downloads, ...)
};

// What a RepoRef is (the C `hf_ref_kind`: HF_REF_BRANCH = 0, HF_REF_TAG = 1, HF_REF_CONVERT = 2,
// HF_REF_PULL_REQUEST = 3).
enum class RefKind : int32_t {
    Branch = 0,      // refs/heads/...
    Tag = 1,         // refs/tags/...
    Convert = 2,     // refs/convert/...
    PullRequest = 3, // refs/pr/N
};

// One ref of a repo (Client::list_refs).
struct RepoRef {
    RefKind kind = RefKind::Branch;
    std::string name;          // short name ("main", "v1.0"; pull requests as the Hub names them)
    std::string full_ref;      // "refs/heads/main", "refs/pr/1"
    std::string target_commit; // the 40-hex commit it points to
};

// One commit of a history (Client::list_commits).
struct RepoCommit {
    std::string id;                   // 40-hex commit id
    std::string title;                // first line of the message
    std::string message;              // the rest of the message
    std::string date;                 // ISO 8601
    std::vector<std::string> authors; // user names
};

// A history, newest first, and the server's records as JSON. Iterable like RepoEntries.
struct RepoCommits {
    std::vector<RepoCommit> commits; // newest first
    std::string json;                // the server's records, a JSON array

    size_t size() const noexcept { return commits.size(); }
    bool empty() const noexcept { return commits.empty(); }
    const RepoCommit& operator[](size_t i) const { return commits[i]; }
    std::vector<RepoCommit>::const_iterator begin() const noexcept { return commits.begin(); }
    std::vector<RepoCommit>::const_iterator end() const noexcept { return commits.end(); }
};

namespace detail {

inline hf_repo_options repo_options(const RepoOptions& o, Args& args) {
    hf_repo_options c;
    hf_repo_options_init(&c);
    c.repo_type = static_cast<int32_t>(o.repo_type);
    c.revision = args.opt(o.revision, "revision");
    c.cancel = o.cancel ? o.cancel->native() : nullptr;
    c.visibility = static_cast<int32_t>(o.visibility);
    c.space_sdk = args.opt(o.space_sdk, "space_sdk");
    c.exist_ok = o.exist_ok;
    c.missing_ok = o.missing_ok;
    return c;
}

inline RepoEntry repo_entry(const hf_repo_entry& e) {
    RepoEntry out;
    out.type = static_cast<EntryType>(e.kind);
    out.path = borrowed(e.path);
    out.size = e.size;
    out.oid = borrowed_opt(e.oid);
    out.lfs_sha256 = borrowed_opt(e.lfs_sha256);
    out.lfs_size = e.lfs_size;
    out.xet_hash = borrowed_opt(e.xet_hash);
    return out;
}

// The Result of a C call that makes an entry list.
inline Result<RepoEntries> entries_result(hf_status st, const RepoEntriesHandle& list, const ErrorHandle& err) {
    if (st != HF_OK) return make_error(st, err.get());
    RepoEntries out;
    const size_t n = hf_repo_entries_count(list.get());
    out.entries.reserve(n);
    for (size_t i = 0; i < n; i++)
        if (const hf_repo_entry* e = hf_repo_entries_get(list.get(), i)) out.entries.push_back(repo_entry(*e));
    out.json = borrowed(hf_repo_entries_json(list.get()));
    return out;
}

// hf_repo_get_info.
inline Result<RepoInfo> repo_info(const hf_client* client, std::string_view repo_id, const RepoOptions& options) {
    Args args;
    const char* repo = args.str(repo_id, "repo_id");
    const hf_repo_options c = repo_options(options, args);
    if (args.failed()) return args.error();
    RepoInfoHandle info;
    ErrorHandle err;
    const hf_status st = hf_repo_get_info(client, repo, &c, info.out(), err.out());
    if (st != HF_OK) return make_error(st, err.get());
    RepoInfo out;
    if (const hf_repo_summary* s = hf_repo_info_summary(info.get())) {
        out.id = borrowed(s->id);
        out.sha = borrowed_opt(s->sha);
        out.is_private = s->is_private;
        out.disabled = s->disabled;
        out.gated = borrowed_opt(s->gated);
        out.last_modified = borrowed_opt(s->last_modified);
    }
    const size_t n = hf_repo_info_sibling_count(info.get());
    out.siblings.reserve(n);
    for (size_t i = 0; i < n; i++)
        if (const hf_repo_entry* e = hf_repo_info_sibling(info.get(), i)) out.siblings.push_back(repo_entry(*e));
    out.json = borrowed(hf_repo_info_json(info.get()));
    return out;
}

// hf_repo_list_tree.
inline Result<RepoEntries> list_tree(const hf_client* client, std::string_view repo_id,
                                     std::optional<std::string_view> path, bool recursive,
                                     const RepoOptions& options) {
    Args args;
    const char* repo = args.str(repo_id, "repo_id");
    const char* p = args.opt(path, "path");
    const hf_repo_options c = repo_options(options, args);
    if (args.failed()) return args.error();
    RepoEntriesHandle list;
    ErrorHandle err;
    const hf_status st = hf_repo_list_tree(client, repo, p, recursive, &c, list.out(), err.out());
    return entries_result(st, list, err);
}

// hf_repo_get_paths_info.
inline Result<RepoEntries> paths_info(const hf_client* client, std::string_view repo_id,
                                      const std::vector<std::string>& paths, const RepoOptions& options) {
    Args args;
    const char* repo = args.str(repo_id, "repo_id");
    const std::vector<const char*> ps = args.strs(paths, "paths");
    const hf_repo_options c = repo_options(options, args);
    if (args.failed()) return args.error();
    RepoEntriesHandle list;
    ErrorHandle err;
    const hf_status st =
        hf_repo_get_paths_info(client, repo, ps.empty() ? nullptr : ps.data(), ps.size(), &c, list.out(), err.out());
    return entries_result(st, list, err);
}

// hf_repo_list_refs.
inline Result<std::vector<RepoRef>> list_refs(const hf_client* client, std::string_view repo_id,
                                              bool include_pull_requests, const RepoOptions& options) {
    Args args;
    const char* repo = args.str(repo_id, "repo_id");
    const hf_repo_options c = repo_options(options, args);
    if (args.failed()) return args.error();
    RepoRefsHandle refs;
    ErrorHandle err;
    const hf_status st = hf_repo_list_refs(client, repo, include_pull_requests, &c, refs.out(), err.out());
    if (st != HF_OK) return make_error(st, err.get());
    std::vector<RepoRef> out;
    const size_t n = hf_repo_refs_count(refs.get());
    out.reserve(n);
    for (size_t i = 0; i < n; i++) {
        const hf_repo_ref* r = hf_repo_refs_get(refs.get(), i);
        if (!r) continue;
        RepoRef ref;
        ref.kind = static_cast<RefKind>(r->kind);
        ref.name = borrowed(r->name);
        ref.full_ref = borrowed(r->full_ref);
        ref.target_commit = borrowed(r->target_commit);
        out.push_back(std::move(ref));
    }
    return out;
}

// hf_repo_list_commits.
inline Result<RepoCommits> list_commits(const hf_client* client, std::string_view repo_id,
                                        const RepoOptions& options) {
    Args args;
    const char* repo = args.str(repo_id, "repo_id");
    const hf_repo_options c = repo_options(options, args);
    if (args.failed()) return args.error();
    RepoCommitsHandle commits;
    ErrorHandle err;
    const hf_status st = hf_repo_list_commits(client, repo, &c, commits.out(), err.out());
    if (st != HF_OK) return make_error(st, err.get());
    RepoCommits out;
    const size_t n = hf_repo_commits_count(commits.get());
    out.commits.reserve(n);
    for (size_t i = 0; i < n; i++) {
        const hf_repo_commit* r = hf_repo_commits_get(commits.get(), i);
        if (!r) continue;
        RepoCommit commit;
        commit.id = borrowed(r->id);
        commit.title = borrowed(r->title);
        commit.message = borrowed(r->message);
        commit.date = borrowed(r->date);
        commit.authors = split_commas(r->authors);
        out.commits.push_back(std::move(commit));
    }
    out.json = borrowed(hf_repo_commits_json(commits.get()));
    return out;
}

// hf_repo_exists.
inline Result<bool> repo_exists(const hf_client* client, std::string_view repo_id, const RepoOptions& options) {
    Args args;
    const char* repo = args.str(repo_id, "repo_id");
    const hf_repo_options c = repo_options(options, args);
    if (args.failed()) return args.error();
    bool exists = false;
    ErrorHandle err;
    const hf_status st = hf_repo_exists(client, repo, &c, &exists, err.out());
    if (st != HF_OK) return make_error(st, err.get());
    return exists;
}

// hf_repo_file_exists.
inline Result<bool> file_exists(const hf_client* client, std::string_view repo_id, std::string_view filename,
                                const RepoOptions& options) {
    Args args;
    const char* repo = args.str(repo_id, "repo_id");
    const char* file = args.str(filename, "filename");
    const hf_repo_options c = repo_options(options, args);
    if (args.failed()) return args.error();
    bool exists = false;
    ErrorHandle err;
    const hf_status st = hf_repo_file_exists(client, repo, file, &c, &exists, err.out());
    if (st != HF_OK) return make_error(st, err.get());
    return exists;
}

} // namespace detail

} // namespace hf

#endif // HF_HUB_CPP_REPO_HPP
