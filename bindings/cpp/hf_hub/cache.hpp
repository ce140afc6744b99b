// hf_hub/cache.hpp — managing the hub cache: CacheInfo (a scan: repos, revisions, their files,
// incomplete downloads), CachePlan (what a deletion, prune or eviction would remove; execute() removes it),
// VerifyOptions and VerifyReport (blobs re-hashed against their names), and the calls behind
// Client::cache_scan / cache_verify (which take a borrowed `const hf_client *`). Part of hf_hub.hpp;
// compiles alone.
//
//   hf::CacheInfo info = client.cache_scan();
//   hf::CachePlan plan = info.plan_evict(10ull << 30);   // down to 10 GiB, least recently used first
//   std::cout << plan.freed_bytes() << " bytes in " << plan.entries().size() << " paths\n";
//   hf::PlanExecution done = plan.execute();
//
// The values (repos, revisions, files, entries, mismatches) are copied out of the library's objects when the
// C++ object is made; CacheInfo, CachePlan and VerifyReport also keep the C handle they came from
// (plans are made from a scan, a deletion plan from a report). They are move-only.
#ifndef HF_HUB_CPP_CACHE_HPP
#define HF_HUB_CPP_CACHE_HPP

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

// One cached repository.
struct CachedRepo {
    RepoType repo_type = RepoType::Model;
    std::string repo_id;        // org/name
    std::filesystem::path path; // the repo folder, <cache>/<type>s--org--name
    uint64_t size_on_disk = 0;  // bytes of its distinct blobs (each blob counted once)
    uint64_t nb_files = 0;      // number of distinct blobs
    double last_accessed = 0;   // newest access time of its blobs (seconds since the epoch)
    double last_modified = 0;   // newest modification time of its blobs (seconds since the epoch)
    size_t revision_count = 0;  // number of its revisions in CacheInfo::revisions()
};

// One cached revision (a snapshot folder).
struct CachedRevision {
    size_t repo_index = 0;          // its repo: CacheInfo::repos()[repo_index]
    std::string commit;             // the 40-hex commit (the snapshot folder's name)
    std::filesystem::path path;     // the snapshot folder
    std::vector<std::string> refs;  // names of the refs pointing at it ("main", "v1.0"); empty: detached
    uint64_t size_on_disk = 0;      // bytes of the distinct blobs its files use
    uint64_t nb_files = 0;          // number of files in the snapshot
    double last_modified = 0;       // newest modification time of its blobs (seconds since the epoch)
    double last_accessed = 0;       // newest access time of its blobs: the eviction order
    bool detached() const noexcept { return refs.empty(); }
};

// One file of a cached revision: a snapshot pointer and the blob it resolves to.
struct CachedFile {
    size_t revision_index = 0;         // its revision: CacheInfo::revisions()[revision_index]
    std::string path;                  // path inside the repo ('/'-separated), relative to the snapshot folder
    std::filesystem::path file_path;   // the pointer in the snapshot folder
    std::filesystem::path blob_path;   // the blob it resolves to
    uint64_t size_on_disk = 0;         // size of the blob in bytes
    double blob_last_accessed = 0;     // last access of the blob (seconds since the epoch)
    double blob_last_modified = 0;     // last modification of the blob (seconds since the epoch)
};

// An incomplete download found by the scan (a blobs/<etag>.incomplete file).
struct IncompleteFile {
    std::filesystem::path path;
    uint64_t size = 0; // bytes
};

// What a plan entry removes.
enum class CachePlanKind : int32_t {
    Repo = HF_CACHE_PLAN_REPO,             // a whole repo folder
    Snapshot = HF_CACHE_PLAN_SNAPSHOT,     // a snapshot folder (one revision)
    Ref = HF_CACHE_PLAN_REF,               // a refs/<name> file
    Pointer = HF_CACHE_PLAN_POINTER,       // a snapshot pointer (verify: the pointer of a bad blob)
    Blob = HF_CACHE_PLAN_BLOB,             // a blob
    Incomplete = HF_CACHE_PLAN_INCOMPLETE, // an incomplete download
};

// One path a plan removes.
struct CachePlanEntry {
    CachePlanKind kind = CachePlanKind::Repo;
    std::filesystem::path path;
};

// What CachePlan::execute() did.
struct PlanExecution {
    uint64_t deleted = 0;    // paths removed
    uint64_t skipped = 0;    // paths left alone (a download held their lock)
    std::string report_json; // the full report (removed, skipped, warnings) as JSON
};

// A blob whose content does not match its name (VerifyReport::mismatches()).
struct CacheMismatch {
    std::filesystem::path blob_path;
    std::string expected;     // the digest its name promises (SHA-256 for LFS blobs, git blob SHA-1 otherwise)
    std::string actual;       // the digest of its content
    size_t pointer_count = 0; // how many snapshot pointers resolve to it
};

// Options of Client::cache_verify().
struct VerifyOptions {
    std::optional<std::string> repo_id; // verify only this repo (org/name); unset: every scanned repo
    // Called on the calling thread with the bytes hashed so far of each blob (the blob's name as
    // `filename`). Return false to cancel (the call then fails with HF_ERR_CANCELLED). An exception
    // it throws cancels the call and is rethrown by cache_verify() and try_cache_verify() alike once
    // the library has returned, as with DownloadOptions::progress.
    std::function<bool(const Progress&)> progress;
    // Borrowed for the duration of the call; nullptr for none.
    const CancelToken* cancel = nullptr;
};

namespace detail {

// "main,v1.0" -> {"main", "v1.0"}; "" or NULL -> {}.
inline std::vector<std::string> split_refs(const char* refs) { return split_commas(refs); }

} // namespace detail

// A deletion, prune, eviction or verify plan: the paths it would remove, in execution order, and the
// bytes that frees. Nothing is deleted until execute(). Move-only; owns its hf_cache_plan.
class CachePlan {
  public:
    // Takes ownership of a plan made by the C API (hf_cache_plan_*) and copies its values out.
    explicit CachePlan(CachePlanHandle plan) : plan_(std::move(plan)) {
        const hf_cache_plan* p = plan_.get();
        freed_bytes_ = hf_cache_plan_freed_bytes(p);
        const size_t n = hf_cache_plan_entry_count(p);
        entries_.reserve(n);
        for (size_t i = 0; i < n; i++) {
            const hf_cache_plan_entry* e = hf_cache_plan_entry_get(p, i);
            if (!e) continue;
            CachePlanEntry entry;
            entry.kind = static_cast<CachePlanKind>(e->kind);
            entry.path = detail::borrowed(e->path);
            entries_.push_back(std::move(entry));
        }
        const size_t w = hf_cache_plan_warning_count(p);
        warnings_.reserve(w);
        for (size_t i = 0; i < w; i++) warnings_.push_back(detail::borrowed(hf_cache_plan_warning(p, i)));
        json_ = detail::borrowed(hf_cache_plan_json(p));
    }

    // Bytes the plan frees when executed whole.
    uint64_t freed_bytes() const noexcept { return freed_bytes_; }
    // The paths it removes, in execution order (repos, snapshots, refs, pointers, blobs, incomplete files).
    const std::vector<CachePlanEntry>& entries() const noexcept { return entries_; }
    bool empty() const noexcept { return entries_.empty(); }
    // Revisions asked for that the cache does not hold.
    const std::vector<std::string>& warnings() const noexcept { return warnings_; }
    // The plan as JSON (entries with kind and path, freed bytes, warnings).
    const std::string& json() const noexcept { return json_; }

    // Removes the plan's paths in order. A path a download holds (its .locks/ lock) is skipped, never
    // deleted under it; a path already gone or that cannot be removed is a warning in the report;
    // execution never stops half-way. See hf_cache_plan_execute.
    [[nodiscard]] Result<PlanExecution> try_execute() const {
        uint64_t deleted = 0;
        uint64_t skipped = 0;
        StringHandle report;
        ErrorHandle err;
        const hf_status st = hf_cache_plan_execute(plan_.get(), &deleted, &skipped, report.out(), err.out());
        if (st != HF_OK) return detail::make_error(st, err.get());
        PlanExecution out;
        out.deleted = deleted;
        out.skipped = skipped;
        out.report_json = detail::str(report);
        return out;
    }
    PlanExecution execute() const { return try_execute().unwrap(); }

    // The C plan, borrowed (owned by this CachePlan; nullptr after a move).
    const hf_cache_plan* native() const noexcept { return plan_.get(); }

  private:
    CachePlanHandle plan_;
    uint64_t freed_bytes_ = 0;
    std::vector<CachePlanEntry> entries_;
    std::vector<std::string> warnings_;
    std::string json_;
};

namespace detail {

// The Result of a C call that makes a plan.
inline Result<CachePlan> plan_result(hf_status st, CachePlanHandle& plan, const ErrorHandle& err) {
    if (st != HF_OK) return make_error(st, err.get());
    return CachePlan(std::move(plan));
}

} // namespace detail

// A scan of the hub cache (Client::cache_scan): its repos, revisions, incomplete downloads and the
// corrupted entries it left out (warnings), copied out of the scan; plans are made from it. Move-only;
// owns its hf_cache_info. A moved-from CacheInfo holds no scan: its plan calls fail with
// HF_ERR_INVALID_ARGUMENT.
class CacheInfo {
  public:
    // Takes ownership of a scan made by the C API (hf_cache_scan) and copies its values out.
    explicit CacheInfo(CacheInfoHandle info) : info_(std::move(info)) {
        const hf_cache_info* p = info_.get();
        size_on_disk_ = hf_cache_info_size_on_disk(p);
        const size_t nr = hf_cache_info_repo_count(p);
        repos_.reserve(nr);
        for (size_t i = 0; i < nr; i++) {
            const hf_cached_repo* r = hf_cache_info_repo(p, i);
            if (!r) continue;
            CachedRepo repo;
            repo.repo_type = static_cast<RepoType>(r->repo_type);
            repo.repo_id = detail::borrowed(r->repo_id);
            repo.path = detail::borrowed(r->path);
            repo.size_on_disk = r->size_on_disk;
            repo.nb_files = r->nb_files;
            repo.last_accessed = r->last_accessed;
            repo.last_modified = r->last_modified;
            repo.revision_count = r->revision_count;
            repos_.push_back(std::move(repo));
        }
        const size_t nv = hf_cache_info_revision_count(p);
        revisions_.reserve(nv);
        for (size_t i = 0; i < nv; i++) {
            const hf_cached_revision* r = hf_cache_info_revision(p, i);
            if (!r) continue;
            CachedRevision rev;
            rev.repo_index = r->repo_index;
            rev.commit = detail::borrowed(r->commit);
            rev.path = detail::borrowed(r->path);
            rev.refs = detail::split_refs(r->refs);
            rev.size_on_disk = r->size_on_disk;
            rev.nb_files = r->nb_files;
            rev.last_modified = r->last_modified;
            rev.last_accessed = r->last_accessed;
            revisions_.push_back(std::move(rev));
        }
        const size_t nf = hf_cache_info_file_count(p);
        files_.reserve(nf);
        for (size_t i = 0; i < nf; i++) {
            const hf_cached_file* f = hf_cache_info_file(p, i);
            if (!f) continue;
            CachedFile file;
            file.revision_index = f->revision_index;
            file.path = detail::borrowed(f->path);
            file.file_path = detail::borrowed(f->file_path);
            file.blob_path = detail::borrowed(f->blob_path);
            file.size_on_disk = f->size_on_disk;
            file.blob_last_accessed = f->blob_last_accessed;
            file.blob_last_modified = f->blob_last_modified;
            files_.push_back(std::move(file));
        }
        const size_t ni = hf_cache_info_incomplete_count(p);
        incomplete_.reserve(ni);
        for (size_t i = 0; i < ni; i++) {
            const hf_cache_incomplete* f = hf_cache_info_incomplete(p, i);
            if (!f) continue;
            IncompleteFile file;
            file.path = detail::borrowed(f->path);
            file.size = f->size;
            incomplete_.push_back(std::move(file));
        }
        const size_t nw = hf_cache_info_warning_count(p);
        warnings_.reserve(nw);
        for (size_t i = 0; i < nw; i++) warnings_.push_back(detail::borrowed(hf_cache_info_warning(p, i)));
        json_ = detail::borrowed(hf_cache_info_json(p));
    }

    // Bytes on disk of all scanned repos.
    uint64_t size_on_disk() const noexcept { return size_on_disk_; }
    // The repos, sorted by type, then id.
    const std::vector<CachedRepo>& repos() const noexcept { return repos_; }
    // The revisions of all repos, grouped by repo (CachedRevision::repo_index), sorted by commit.
    const std::vector<CachedRevision>& revisions() const noexcept { return revisions_; }
    // The revision with this commit, or nullptr when the scan holds none.
    const CachedRevision* revision(std::string_view commit) const noexcept {
        for (const CachedRevision& r : revisions_)
            if (r.commit == commit) return &r;
        return nullptr;
    }
    // The files of all revisions, grouped by revision (CachedFile::revision_index), sorted by path.
    const std::vector<CachedFile>& files() const noexcept { return files_; }
    // The files of one revision of this scan (copies, sorted by path); empty for a revision the scan
    // does not hold. `revision` is an element of revisions() or a copy of one (matched by its folder).
    std::vector<CachedFile> files_of(const CachedRevision& revision) const {
        std::vector<CachedFile> out;
        size_t index = revisions_.size();
        for (size_t i = 0; i < revisions_.size() && index == revisions_.size(); i++)
            if (&revisions_[i] == &revision) index = i;
        for (size_t i = 0; i < revisions_.size() && index == revisions_.size(); i++)
            if (revisions_[i].path == revision.path) index = i;
        if (index == revisions_.size()) return out;
        for (const CachedFile& f : files_)
            if (f.revision_index == index) out.push_back(f);
        return out;
    }
    // Incomplete downloads (blobs/<etag>.incomplete files).
    const std::vector<IncompleteFile>& incomplete() const noexcept { return incomplete_; }
    // Corrupted entries left out of the scan (text naming the path and the problem).
    const std::vector<std::string>& warnings() const noexcept { return warnings_; }
    // The whole scan as JSON (repos with revisions and files, incomplete files, warnings).
    const std::string& json() const noexcept { return json_; }

    // Plans the deletion of these revisions (40-hex commits): a repo whose every revision is listed
    // goes whole; otherwise each revision's snapshot folder and refs go, and each blob no remaining
    // revision uses. Unknown commits become plan warnings. See hf_cache_plan_delete.
    [[nodiscard]] Result<CachePlan> try_plan_delete(const std::vector<std::string>& commits) const {
        detail::Args args;
        const std::vector<const char*> c = args.strs(commits, "commits");
        if (args.failed()) return args.error();
        CachePlanHandle plan;
        ErrorHandle err;
        const hf_status st = hf_cache_plan_delete(info_.get(), c.data(), c.size(), plan.out(), err.out());
        return detail::plan_result(st, plan, err);
    }
    CachePlan plan_delete(const std::vector<std::string>& commits) const {
        return try_plan_delete(commits).unwrap();
    }

    // Plans what `hf cache prune` removes: every detached revision and every incomplete download.
    // See hf_cache_plan_prune.
    [[nodiscard]] Result<CachePlan> try_plan_prune() const {
        CachePlanHandle plan;
        ErrorHandle err;
        const hf_status st = hf_cache_plan_prune(info_.get(), plan.out(), err.out());
        return detail::plan_result(st, plan, err);
    }
    CachePlan plan_prune() const { return try_plan_prune().unwrap(); }

    // Plans an eviction down to at most `max_bytes` on disk, least recently used revisions first.
    // See hf_cache_plan_evict.
    [[nodiscard]] Result<CachePlan> try_plan_evict(uint64_t max_bytes) const {
        CachePlanHandle plan;
        ErrorHandle err;
        const hf_status st = hf_cache_plan_evict(info_.get(), max_bytes, plan.out(), err.out());
        return detail::plan_result(st, plan, err);
    }
    CachePlan plan_evict(uint64_t max_bytes) const { return try_plan_evict(max_bytes).unwrap(); }

    // The C scan, borrowed (owned by this CacheInfo; nullptr after a move).
    const hf_cache_info* native() const noexcept { return info_.get(); }

  private:
    CacheInfoHandle info_;
    uint64_t size_on_disk_ = 0;
    std::vector<CachedRepo> repos_;
    std::vector<CachedRevision> revisions_;
    std::vector<CachedFile> files_;
    std::vector<IncompleteFile> incomplete_;
    std::vector<std::string> warnings_;
    std::string json_;
};

// What Client::cache_verify() found. Move-only; owns its hf_cache_verify_report.
class VerifyReport {
  public:
    // Takes ownership of a report made by the C API (hf_cache_verify) and copies its values out.
    explicit VerifyReport(VerifyReportHandle report) : report_(std::move(report)) {
        const hf_cache_verify_report* p = report_.get();
        files_checked_ = hf_cache_verify_report_files_checked(p);
        bytes_checked_ = hf_cache_verify_report_bytes_checked(p);
        const size_t n = hf_cache_verify_report_mismatch_count(p);
        mismatches_.reserve(n);
        for (size_t i = 0; i < n; i++) {
            const hf_cache_mismatch* m = hf_cache_verify_report_mismatch(p, i);
            if (!m) continue;
            CacheMismatch mismatch;
            mismatch.blob_path = detail::borrowed(m->blob_path);
            mismatch.expected = detail::borrowed(m->expected);
            mismatch.actual = detail::borrowed(m->actual);
            mismatch.pointer_count = m->pointer_count;
            mismatches_.push_back(std::move(mismatch));
        }
        json_ = detail::borrowed(hf_cache_verify_report_json(p));
    }

    // Blobs hashed.
    uint64_t files_checked() const noexcept { return files_checked_; }
    // Bytes hashed.
    uint64_t bytes_checked() const noexcept { return bytes_checked_; }
    // Blobs whose content does not match their name.
    const std::vector<CacheMismatch>& mismatches() const noexcept { return mismatches_; }
    // No mismatch.
    bool clean() const noexcept { return mismatches_.empty(); }
    // The report as JSON (counts, mismatches with their pointers, unchecked files).
    const std::string& json() const noexcept { return json_; }

    // Plans the removal of every mismatched blob and of the snapshot pointers to it (a later
    // download fetches the file again). See hf_cache_verify_report_plan_delete.
    [[nodiscard]] Result<CachePlan> try_plan_delete() const {
        CachePlanHandle plan;
        ErrorHandle err;
        const hf_status st = hf_cache_verify_report_plan_delete(report_.get(), plan.out(), err.out());
        return detail::plan_result(st, plan, err);
    }
    CachePlan plan_delete() const { return try_plan_delete().unwrap(); }

    // The C report, borrowed (owned by this VerifyReport; nullptr after a move).
    const hf_cache_verify_report* native() const noexcept { return report_.get(); }

  private:
    VerifyReportHandle report_;
    uint64_t files_checked_ = 0;
    uint64_t bytes_checked_ = 0;
    std::vector<CacheMismatch> mismatches_;
    std::string json_;
};

namespace detail {

// hf_cache_scan.
inline Result<CacheInfo> cache_scan(const hf_client* client) {
    CacheInfoHandle info;
    ErrorHandle err;
    const hf_status st = hf_cache_scan(client, info.out(), err.out());
    if (st != HF_OK) return make_error(st, err.get());
    return CacheInfo(std::move(info));
}

// hf_cache_verify.
inline Result<VerifyReport> cache_verify(const hf_client* client, const CacheInfo& info,
                                         const VerifyOptions& options) {
    Args args;
    ProgressRelay relay(options.progress);
    hf_cache_verify_options c;
    hf_cache_verify_options_init(&c);
    c.repo_id = args.opt(options.repo_id, "repo_id");
    c.progress = relay.callback();
    c.user_data = relay.user_data();
    c.cancel = options.cancel ? options.cancel->native() : nullptr;
    if (args.failed()) return args.error();
    VerifyReportHandle report;
    ErrorHandle err;
    const hf_status st = hf_cache_verify(client, info.native(), &c, report.out(), err.out());
    relay.rethrow_callback_exception();
    if (st != HF_OK) return make_error(st, err.get());
    return VerifyReport(std::move(report));
}

} // namespace detail

} // namespace hf

#endif // HF_HUB_CPP_CACHE_HPP
