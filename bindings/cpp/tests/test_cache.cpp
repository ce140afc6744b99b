// Cache management against the hub emulator: cache_scan() (repos, revisions, sizes, refs, the files of
// each revision, incomplete downloads), the plans made from a scan (plan_delete, plan_prune, plan_evict)
// and their execute(), cache_verify() and the plan of its mismatches, the cache_max_bytes quota,
// cancellation, and the try_ twins' errors.
#include "test_util.hpp"

#include <algorithm>
#include <map>
#include <set>

using namespace hft;

namespace {

// POST /_emulator/commit: one file added or replaced on `branch`; returns the new commit.
std::string emu_commit(const Emulator& emu, const std::string& path, const std::string& content,
                       const std::string& branch = "main") {
    const HttpResponse r = http("POST", emu.hub() + "/_emulator/commit",
                                R"({"type": "model", "id": ")" + kDemoModel + R"(", "branch": ")" + branch +
                                    R"(", "files": [{"path": ")" + path + R"(", "content": ")" + content + R"("}]})",
                                "application/json");
    if (r.status != 200) throw std::runtime_error("POST /_emulator/commit -> " + std::to_string(r.status) + r.body);
    const std::string commit = Json::parse(r.body).str("commit");
    if (!is_hex(commit, 40)) throw std::runtime_error("bad commit answer: " + r.body);
    return commit;
}

// POST /_emulator/tag: tag `rev` of the demo model.
void emu_tag(const Emulator& emu, const std::string& tag, const std::string& rev) {
    const HttpResponse r =
        http("POST", emu.hub() + "/_emulator/tag",
             R"({"type": "model", "id": ")" + kDemoModel + R"(", "tag": ")" + tag + R"(", "rev": ")" + rev + R"("})",
             "application/json");
    if (r.status != 200) throw std::runtime_error("POST /_emulator/tag -> " + std::to_string(r.status) + r.body);
}

// Every path under `dir` (symlinks not followed), as strings.
std::set<std::string> tree(const fs::path& dir) {
    std::set<std::string> out;
    std::error_code ec;
    if (!fs::exists(dir, ec)) return out;
    for (const auto& e : fs::recursive_directory_iterator(dir)) out.insert(e.path().string());
    return out;
}

bool gone(const fs::path& p) { return !fs::exists(fs::symlink_status(p)); }

// Blob (resolved symlink target) -> size, for every file of the snapshot folders under `repo`: the
// distinct blobs the cache holds, computed from the files themselves.
std::map<std::string, uint64_t> distinct_blobs(const fs::path& repo, const std::string& only_commit = {}) {
    std::map<std::string, uint64_t> out;
    for (const auto& snap : fs::directory_iterator(repo / "snapshots")) {
        if (!only_commit.empty() && snap.path().filename() != only_commit) continue;
        for (const auto& e : fs::recursive_directory_iterator(snap.path()))
            if (fs::is_regular_file(e.path())) out[fs::canonical(e.path()).string()] = fs::file_size(e.path());
    }
    return out;
}

uint64_t total(const std::map<std::string, uint64_t>& blobs) {
    uint64_t n = 0;
    for (const auto& b : blobs) n += b.second;
    return n;
}

std::vector<std::string> sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
}

const std::vector<std::string> kFiles = {"config.json", "README.md", "model.safetensors"};
const std::string kNewReadme = "# test-model, second commit\\n"; // JSON-escaped for emu_commit
const std::string kNewReadmeText = "# test-model, second commit\n";

// The demo model cached at two commits: `first` (the seeded main; tagged v1 when `tag_first`, else
// detached) and `second` (README.md changed, on main, also tagged v2). config.json and
// model.safetensors are shared; each commit has its own README.md blob.
class CacheTest : public HubTest {
  protected:
    void cache_two_revisions(const hf::Client& c, bool tag_first) {
        for (const std::string& f : kFiles) c.download(kDemoModel, f);
        first_ = read_file(repo_dir() / "refs" / "main");
        ASSERT_TRUE(is_hex(first_, 40)) << first_;
        readme_first_ = fs::canonical(repo_dir() / "snapshots" / first_ / "README.md");
        if (tag_first) {
            emu_tag(emu(), "v1", first_);
            hf::DownloadOptions v1;
            v1.revision = "v1";
            c.download(kDemoModel, "README.md", v1); // writes refs/v1
        }
        second_ = emu_commit(emu(), "README.md", kNewReadme);
        ASSERT_NE(second_, first_);
        emu_tag(emu(), "v2", second_);
        hf::DownloadOptions v2;
        v2.revision = "v2";
        for (const std::string& f : kFiles) c.download(kDemoModel, f);
        c.download(kDemoModel, "README.md", v2); // writes refs/v2
        ASSERT_EQ(read_file(repo_dir() / "refs" / "main"), second_);
        ASSERT_EQ(read_file(repo_dir() / "snapshots" / second_ / "README.md"), kNewReadmeText);
    }

    // The files of the second commit still read, with the bytes the Hub serves.
    void expect_second_intact() const {
        const fs::path snap = repo_dir() / "snapshots" / second_;
        EXPECT_EQ(read_file(snap / "README.md"), kNewReadmeText);
        EXPECT_NE(read_file(snap / "config.json").find("model_type"), std::string::npos);
        const std::string weights = read_file(snap / "model.safetensors");
        EXPECT_EQ(weights.size(), kMiB);
        EXPECT_EQ(sha256_hex(weights), fs::canonical(snap / "model.safetensors").filename().string());
    }

    std::string first_, second_;
    fs::path readme_first_;
};

} // namespace

TEST_F(CacheTest, ScanTwoRevisions) {
    const hf::Client c = client();
    ASSERT_NO_FATAL_FAILURE(cache_two_revisions(c, true));
    const auto blobs = distinct_blobs(repo_dir());
    ASSERT_EQ(blobs.size(), 4u); // config, weights, two READMEs
    const uint64_t size = total(blobs);

    hf::CacheInfo info = c.cache_scan();
    EXPECT_EQ(info.size_on_disk(), size);
    ASSERT_EQ(info.repos().size(), 1u);
    const hf::CachedRepo& repo = info.repos()[0];
    EXPECT_EQ(repo.repo_type, hf::RepoType::Model);
    EXPECT_EQ(repo.repo_id, kDemoModel);
    EXPECT_EQ(repo.path, repo_dir());
    EXPECT_EQ(repo.size_on_disk, size);
    EXPECT_EQ(repo.nb_files, 4u);
    EXPECT_EQ(repo.revision_count, 2u);
    EXPECT_GT(repo.last_accessed, 0.0);
    EXPECT_GT(repo.last_modified, 0.0);

    ASSERT_EQ(info.revisions().size(), 2u);
    EXPECT_LT(info.revisions()[0].commit, info.revisions()[1].commit); // sorted by commit
    const hf::CachedRevision* a = info.revision(first_);
    const hf::CachedRevision* b = info.revision(second_);
    ASSERT_NE(a, nullptr);
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(info.revision(std::string(40, '0')), nullptr);
    EXPECT_EQ(a->repo_index, 0u);
    EXPECT_EQ(a->path, repo_dir() / "snapshots" / first_);
    EXPECT_EQ(a->refs, std::vector<std::string>{"v1"});
    EXPECT_FALSE(a->detached());
    EXPECT_EQ(a->nb_files, 3u);
    EXPECT_EQ(a->size_on_disk, total(distinct_blobs(repo_dir(), first_)));
    EXPECT_EQ(b->path, repo_dir() / "snapshots" / second_);
    EXPECT_EQ(sorted(b->refs), (std::vector<std::string>{"main", "v2"}));
    EXPECT_EQ(b->nb_files, 3u);
    EXPECT_EQ(b->size_on_disk, total(distinct_blobs(repo_dir(), second_)));
    EXPECT_GT(b->last_modified, 0.0);

    EXPECT_TRUE(info.incomplete().empty());
    EXPECT_TRUE(info.warnings().empty());
    EXPECT_NE(info.native(), nullptr);
    const Json j = Json::parse(info.json());
    EXPECT_EQ(j.kind, Json::Kind::Object);
    EXPECT_NE(info.json().find(first_), std::string::npos);
    EXPECT_NE(info.json().find(second_), std::string::npos);

    // a move keeps the values and the handle
    const hf_cache_info* native = info.native();
    const hf::CacheInfo moved = std::move(info);
    EXPECT_EQ(moved.native(), native);
    EXPECT_EQ(moved.size_on_disk(), size);
    EXPECT_EQ(moved.revisions().size(), 2u);
}

TEST_F(CacheTest, FilesOfEachRevision) {
    const hf::Client c = client();
    ASSERT_NO_FATAL_FAILURE(cache_two_revisions(c, true));
    hf::DownloadOptions at_first;
    at_first.revision = first_;
    c.download(kDemoModel, "subdir/data.txt", at_first); // a nested path, in the first revision only

    hf::CacheInfo info = c.cache_scan();
    ASSERT_EQ(info.revisions().size(), 2u);
    const std::map<std::string, std::vector<std::string>> expected = {
        {first_, {"README.md", "config.json", "model.safetensors", "subdir/data.txt"}},
        {second_, {"README.md", "config.json", "model.safetensors"}},
    };

    // all files of all revisions, grouped by revision, sorted by path within each
    const std::vector<hf::CachedFile>& all = info.files();
    ASSERT_EQ(all.size(), 7u);
    for (size_t i = 1; i < all.size(); i++) {
        const hf::CachedFile& prev = all[i - 1];
        const hf::CachedFile& cur = all[i];
        EXPECT_TRUE(prev.revision_index < cur.revision_index ||
                    (prev.revision_index == cur.revision_index && prev.path < cur.path))
            << prev.path << " before " << cur.path;
    }

    std::map<std::string, std::map<std::string, fs::path>> blob_of; // commit -> path -> blob
    size_t seen = 0;
    for (const hf::CachedRevision& rev : info.revisions()) {
        const std::vector<hf::CachedFile> files = info.files_of(rev);
        std::vector<std::string> paths;
        std::map<fs::path, uint64_t> blobs;
        for (const hf::CachedFile& f : files) {
            paths.push_back(f.path);
            ASSERT_LT(f.revision_index, info.revisions().size());
            EXPECT_EQ(&info.revisions()[f.revision_index], &rev) << f.path;
            EXPECT_EQ(f.file_path, rev.path / fs::path(f.path)) << f.path;
            EXPECT_EQ(f.blob_path, fs::canonical(f.file_path)) << f.path; // the resolved snapshot file
            EXPECT_EQ(f.blob_path.parent_path(), repo_dir() / "blobs") << f.path;
            EXPECT_EQ(f.size_on_disk, fs::file_size(f.blob_path)) << f.path;
            EXPECT_EQ(read_file(f.file_path), read_file(f.blob_path)) << f.path;
            EXPECT_GT(f.blob_last_accessed, 0.0) << f.path;
            EXPECT_GT(f.blob_last_modified, 0.0) << f.path;
            blobs[f.blob_path] = f.size_on_disk;
            blob_of[rev.commit][f.path] = f.blob_path;
        }
        EXPECT_EQ(paths, expected.at(rev.commit)) << rev.commit;
        EXPECT_EQ(files.size(), rev.nb_files) << rev.commit;
        uint64_t size = 0;
        for (const auto& b : blobs) size += b.second;
        EXPECT_EQ(size, rev.size_on_disk) << rev.commit; // its distinct blobs
        seen += files.size();
    }
    EXPECT_EQ(seen, all.size());

    // what was downloaded: the shared files resolve to one blob, each commit has its own README.md
    EXPECT_EQ(blob_of[first_]["README.md"], readme_first_);
    EXPECT_NE(blob_of[second_]["README.md"], readme_first_);
    EXPECT_EQ(read_file(blob_of[second_]["README.md"]), kNewReadmeText);
    EXPECT_EQ(blob_of[first_]["config.json"], blob_of[second_]["config.json"]);
    EXPECT_EQ(blob_of[first_]["model.safetensors"], blob_of[second_]["model.safetensors"]);
    EXPECT_EQ(fs::file_size(blob_of[second_]["model.safetensors"]), kMiB);
    EXPECT_EQ(read_file(blob_of[first_]["subdir/data.txt"]), "hello from subdir/data.txt\n");

    // a copy of a revision finds its files too; a revision this scan does not hold has none
    const hf::CachedRevision copy = *info.revision(second_);
    EXPECT_EQ(info.files_of(copy).size(), 3u);
    hf::CachedRevision stranger;
    stranger.path = home() / "nowhere";
    EXPECT_TRUE(info.files_of(stranger).empty());

    // a move keeps them
    const hf::CacheInfo moved = std::move(info);
    EXPECT_EQ(moved.files().size(), 7u);
    EXPECT_EQ(moved.files_of(moved.revisions()[0]).size() + moved.files_of(moved.revisions()[1]).size(), 7u);
}

TEST_F(CacheTest, PlanDeleteRemovesExactlyItsPaths) {
    const hf::Client c = client();
    ASSERT_NO_FATAL_FAILURE(cache_two_revisions(c, true));
    const hf::CacheInfo info = c.cache_scan();

    const hf::CachePlan plan = info.plan_delete({first_});
    // only the first README blob is not shared with the kept revision
    EXPECT_EQ(plan.freed_bytes(), fs::file_size(readme_first_));
    EXPECT_TRUE(plan.warnings().empty());
    std::map<hf::CachePlanKind, std::vector<fs::path>> by_kind;
    for (const hf::CachePlanEntry& e : plan.entries()) by_kind[e.kind].push_back(e.path);
    EXPECT_EQ(by_kind.size(), 3u);
    EXPECT_EQ(by_kind[hf::CachePlanKind::Snapshot], std::vector<fs::path>{repo_dir() / "snapshots" / first_});
    EXPECT_EQ(by_kind[hf::CachePlanKind::Ref], std::vector<fs::path>{repo_dir() / "refs" / "v1"});
    EXPECT_EQ(by_kind[hf::CachePlanKind::Blob], std::vector<fs::path>{readme_first_});
    EXPECT_FALSE(plan.empty());
    EXPECT_EQ(Json::parse(plan.json()).kind, Json::Kind::Object);

    const std::set<std::string> before = tree(repo_dir());
    const hf::PlanExecution done = plan.execute();
    EXPECT_EQ(done.deleted, plan.entries().size());
    EXPECT_EQ(done.skipped, 0u);
    EXPECT_EQ(Json::parse(done.report_json).kind, Json::Kind::Object);
    for (const hf::CachePlanEntry& e : plan.entries()) EXPECT_TRUE(gone(e.path)) << e.path;

    // what disappeared is exactly the entries and what was inside them
    const std::set<std::string> after = tree(repo_dir());
    for (const std::string& p : before) {
        bool planned = false;
        for (const hf::CachePlanEntry& e : plan.entries()) {
            const std::string root = e.path.string();
            planned = planned || p == root || p.rfind(root + "/", 0) == 0;
        }
        EXPECT_EQ(after.count(p) == 0, planned) << p;
    }
    EXPECT_TRUE(std::includes(before.begin(), before.end(), after.begin(), after.end()));
    expect_second_intact();

    const hf::CacheInfo rescan = c.cache_scan();
    ASSERT_EQ(rescan.revisions().size(), 1u);
    EXPECT_EQ(rescan.revisions()[0].commit, second_);
    EXPECT_EQ(rescan.size_on_disk(), info.size_on_disk() - plan.freed_bytes());
    EXPECT_EQ(rescan.size_on_disk(), total(distinct_blobs(repo_dir())));

    // an unknown commit is a plan warning, not an error
    const hf::CachePlan unknown = rescan.plan_delete({std::string(40, 'a')});
    EXPECT_TRUE(unknown.empty());
    EXPECT_EQ(unknown.freed_bytes(), 0u);
    ASSERT_EQ(unknown.warnings().size(), 1u);
    EXPECT_NE(unknown.warnings()[0].find(std::string(40, 'a')), std::string::npos) << unknown.warnings()[0];
}

TEST_F(CacheTest, PruneRemovesDetachedRevisionAndIncompleteFiles) {
    const hf::Client c = client();
    ASSERT_NO_FATAL_FAILURE(cache_two_revisions(c, false)); // the first commit is now detached
    const fs::path incomplete = repo_dir() / "blobs" / (std::string(64, 'e') + ".incomplete");
    std::ofstream(incomplete, std::ios::binary) << std::string(123, 'x');

    const hf::CacheInfo info = c.cache_scan();
    ASSERT_EQ(info.revisions().size(), 2u);
    ASSERT_NE(info.revision(first_), nullptr);
    EXPECT_TRUE(info.revision(first_)->detached());
    EXPECT_FALSE(info.revision(second_)->detached());
    ASSERT_EQ(info.incomplete().size(), 1u);
    EXPECT_EQ(info.incomplete()[0].path, incomplete);
    EXPECT_EQ(info.incomplete()[0].size, 123u);

    const hf::CachePlan plan = info.plan_prune();
    EXPECT_EQ(plan.freed_bytes(), fs::file_size(readme_first_) + 123u);
    std::set<std::pair<hf::CachePlanKind, std::string>> entries;
    for (const hf::CachePlanEntry& e : plan.entries()) entries.emplace(e.kind, e.path.string());
    const std::set<std::pair<hf::CachePlanKind, std::string>> expected = {
        {hf::CachePlanKind::Snapshot, (repo_dir() / "snapshots" / first_).string()},
        {hf::CachePlanKind::Blob, readme_first_.string()},
        {hf::CachePlanKind::Incomplete, incomplete.string()},
    };
    EXPECT_EQ(entries, expected);

    const hf::PlanExecution done = plan.execute();
    EXPECT_EQ(done.deleted, 3u);
    EXPECT_EQ(done.skipped, 0u);
    EXPECT_TRUE(gone(repo_dir() / "snapshots" / first_));
    EXPECT_TRUE(gone(readme_first_));
    EXPECT_TRUE(gone(incomplete));
    expect_second_intact();

    const hf::CacheInfo rescan = c.cache_scan();
    ASSERT_EQ(rescan.revisions().size(), 1u);
    EXPECT_EQ(rescan.revisions()[0].commit, second_);
    EXPECT_TRUE(rescan.incomplete().empty());
    EXPECT_TRUE(rescan.plan_prune().empty()); // nothing left to prune
}

TEST_F(CacheTest, EvictToZeroRemovesTheRepo) {
    const hf::Client c = client();
    ASSERT_NO_FATAL_FAILURE(cache_two_revisions(c, true));
    const hf::CacheInfo info = c.cache_scan();
    ASSERT_GT(info.size_on_disk(), kMiB);

    // already under the limit: nothing to do
    const hf::CachePlan none = info.plan_evict(info.size_on_disk());
    EXPECT_TRUE(none.empty());
    EXPECT_EQ(none.freed_bytes(), 0u);

    const hf::CachePlan plan = info.plan_evict(0);
    EXPECT_EQ(plan.freed_bytes(), info.size_on_disk());
    ASSERT_EQ(plan.entries().size(), 1u);
    EXPECT_EQ(plan.entries()[0].kind, hf::CachePlanKind::Repo);
    EXPECT_EQ(plan.entries()[0].path, repo_dir());

    const hf::PlanExecution done = plan.execute();
    EXPECT_EQ(done.deleted, 1u);
    EXPECT_TRUE(gone(repo_dir()));
    const hf::CacheInfo rescan = c.cache_scan();
    EXPECT_TRUE(rescan.repos().empty());
    EXPECT_TRUE(rescan.revisions().empty());
    EXPECT_EQ(rescan.size_on_disk(), 0u);

    // executing it again deletes nothing (the path is gone: a warning in the report)
    const hf::PlanExecution again = plan.execute();
    EXPECT_EQ(again.deleted, 0u);
    EXPECT_NE(again.report_json, done.report_json);
}

TEST_F(CacheTest, QuotaEvictsTheOlderRevision) {
    const uint64_t big_size = kMiB * 3 / 2;
    const uint64_t quota = big_size + 256 * 1024; // a little above the new file alone
    hf::ClientOptions o = options();
    o.cache_max_bytes = quota;
    const hf::Client c(o);

    // under the quota: nothing is evicted
    for (const std::string& f : kFiles) c.download(kDemoModel, f);
    const std::string first = read_file(repo_dir() / "refs" / "main");
    ASSERT_TRUE(is_hex(first, 40)) << first;
    const hf::CacheInfo before = c.cache_scan();
    ASSERT_EQ(before.revisions().size(), 1u);
    ASSERT_LE(before.size_on_disk(), quota);
    ASSERT_GT(before.size_on_disk() + big_size, quota);

    // a second commit on main adds a ~1.5 MB file; downloading it goes over the quota
    std::string big;
    big.reserve(big_size);
    for (uint64_t i = 0; i < big_size; i++) big.push_back(static_cast<char>('a' + (i * 7 + i / 4096) % 26));
    const std::string second = emu_commit(emu(), "big.bin", big);
    ASSERT_NE(second, first);
    const fs::path path = c.download(kDemoModel, "big.bin");
    EXPECT_EQ(path, repo_dir() / "snapshots" / second / "big.bin");
    ASSERT_TRUE(fs::exists(path));
    EXPECT_EQ(read_file(path), big);

    // the older revision went, the one just downloaded stayed
    const hf::CacheInfo after = c.cache_scan();
    ASSERT_EQ(after.revisions().size(), 1u);
    EXPECT_EQ(after.revisions()[0].commit, second);
    EXPECT_LE(after.size_on_disk(), quota);
    EXPECT_EQ(after.size_on_disk(), big_size);
    ASSERT_EQ(after.files().size(), 1u);
    EXPECT_EQ(after.files()[0].path, "big.bin");
    EXPECT_TRUE(gone(repo_dir() / "snapshots" / first));
    EXPECT_EQ(read_file(repo_dir() / "refs" / "main"), second);

    // without a quota nothing is evicted: the older revision comes back and stays
    const hf::Client plain = client();
    hf::DownloadOptions at_first;
    at_first.revision = first;
    EXPECT_EQ(read_file(plain.download(kDemoModel, "model.safetensors", at_first)).size(), kMiB);
    const hf::CacheInfo both = plain.cache_scan();
    EXPECT_EQ(both.revisions().size(), 2u);
    EXPECT_GT(both.size_on_disk(), quota);
}

TEST_F(CacheTest, VerifyFindsAFlippedByteAndItsPlanRemovesIt) {
    const hf::Client c = client();
    const fs::path config = c.download(kDemoModel, "config.json");
    const fs::path weights = c.download(kDemoModel, "model.safetensors");
    const fs::path blob = fs::canonical(weights);
    const std::string sha = blob.filename().string();
    ASSERT_TRUE(is_hex(sha, 64)) << sha;

    // a clean cache first, with progress reported per blob under its name
    std::map<std::string, uint64_t> progress;
    hf::VerifyOptions o;
    o.progress = [&](const hf::Progress& p) {
        EXPECT_LE(p.bytes_done, p.bytes_total);
        progress[p.filename] = std::max(progress[p.filename], p.bytes_done);
        return true;
    };
    const hf::CacheInfo info = c.cache_scan();
    const hf::VerifyReport ok = c.cache_verify(info, o);
    EXPECT_TRUE(ok.clean());
    EXPECT_EQ(ok.files_checked(), 2u);
    EXPECT_EQ(ok.bytes_checked(), kMiB + fs::file_size(config));
    EXPECT_EQ(progress[sha], kMiB);
    EXPECT_EQ(progress[fs::canonical(config).filename().string()], fs::file_size(config));

    // flip one byte of the LFS blob
    std::string data = read_file(blob);
    data[1000] = static_cast<char>(data[1000] ^ 0x40);
    {
        std::fstream f(blob, std::ios::in | std::ios::out | std::ios::binary);
        ASSERT_TRUE(f);
        f.seekp(1000);
        f.put(data[1000]);
    }
    const hf::CacheInfo scan = c.cache_scan();
    const hf::VerifyReport bad = c.cache_verify(scan);
    EXPECT_FALSE(bad.clean());
    EXPECT_EQ(bad.files_checked(), 2u);
    ASSERT_EQ(bad.mismatches().size(), 1u);
    const hf::CacheMismatch& m = bad.mismatches()[0];
    EXPECT_EQ(m.blob_path, blob);
    EXPECT_EQ(m.expected, sha);
    EXPECT_EQ(m.actual, sha256_hex(data));
    EXPECT_EQ(m.pointer_count, 1u);
    EXPECT_NE(bad.json().find(sha256_hex(data)), std::string::npos);
    EXPECT_NE(bad.native(), nullptr);

    // only another repo: nothing of this one is checked
    hf::VerifyOptions other;
    other.repo_id = "test-org/test-dataset";
    EXPECT_EQ(c.cache_verify(scan, other).files_checked(), 0u);
    other.repo_id = kDemoModel;
    EXPECT_EQ(c.cache_verify(scan, other).mismatches().size(), 1u);

    const hf::CachePlan plan = bad.plan_delete();
    EXPECT_EQ(plan.freed_bytes(), kMiB);
    ASSERT_EQ(plan.entries().size(), 2u);
    EXPECT_EQ(plan.entries()[0].kind, hf::CachePlanKind::Pointer);
    EXPECT_EQ(plan.entries()[0].path, weights);
    EXPECT_EQ(plan.entries()[1].kind, hf::CachePlanKind::Blob);
    EXPECT_EQ(plan.entries()[1].path, blob);
    EXPECT_EQ(plan.execute().deleted, 2u);
    EXPECT_TRUE(gone(weights));
    EXPECT_TRUE(gone(blob));
    EXPECT_NE(read_file(config).find("model_type"), std::string::npos);

    // a download fetches it again, and the cache verifies clean
    EXPECT_EQ(c.download(kDemoModel, "model.safetensors"), weights);
    EXPECT_EQ(sha256_hex(read_file(weights)), sha);
    const hf::VerifyReport fixed = c.cache_verify(c.cache_scan());
    EXPECT_TRUE(fixed.clean());
    EXPECT_EQ(fixed.files_checked(), 2u);
}

TEST_F(CacheTest, VerifyCancelled) {
    const hf::Client c = client();
    c.download(kDemoModel, "model.safetensors");
    const hf::CacheInfo info = c.cache_scan();

    // a token cancelled before the call
    const hf::CancelToken token;
    token.cancel();
    hf::VerifyOptions o;
    o.cancel = &token;
    const hf::Result<hf::VerifyReport> r = c.try_cache_verify(info, o);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().status(), HF_ERR_CANCELLED);
    EXPECT_TRUE(r.error().is_cancelled());
    expect_error(HF_ERR_CANCELLED, [&] { (void)c.cache_verify(info, o); });

    // the progress callback returning false
    hf::VerifyOptions stop;
    int calls = 0;
    stop.progress = [&](const hf::Progress&) {
        calls++;
        return false;
    };
    expect_error(HF_ERR_CANCELLED, [&] { (void)c.cache_verify(info, stop); });
    EXPECT_GE(calls, 1);

    // an exception thrown by the callback is rethrown, by the try_ twin too
    hf::VerifyOptions throws;
    throws.progress = [](const hf::Progress&) -> bool { throw std::out_of_range("from the callback"); };
    EXPECT_THROW((void)c.try_cache_verify(info, throws), std::out_of_range);
    EXPECT_THROW((void)c.cache_verify(info, throws), std::out_of_range);

    // and without any of them it completes
    EXPECT_EQ(c.cache_verify(info).files_checked(), 1u);
}

TEST_F(CacheTest, TryTwinsReturnErrors) {
    const hf::Client c = client();
    ASSERT_NO_FATAL_FAILURE(cache_two_revisions(c, true));

    // a cache folder that does not exist
    hf::ClientOptions missing = options();
    missing.cache_dir = (home() / "no-such-cache").string();
    const hf::Client nowhere(missing);
    hf::Result<hf::CacheInfo> scan = nowhere.try_cache_scan();
    ASSERT_FALSE(scan);
    EXPECT_EQ(scan.error().status(), HF_ERR_IO);
    EXPECT_STRNE(scan.error().what(), "");
    expect_error(HF_ERR_IO, [&] { (void)nowhere.cache_scan(); });

    // a commit list holding a string with a NUL byte never reaches the library
    scan = c.try_cache_scan();
    ASSERT_TRUE(scan) << scan.error().what();
    const hf::CacheInfo& info = *scan;
    const std::vector<std::string> commits = {first_, std::string("abc\0def", 7)};
    const hf::Result<hf::CachePlan> nul = info.try_plan_delete(commits);
    ASSERT_FALSE(nul);
    EXPECT_EQ(nul.error().status(), HF_ERR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(nul.error().what()).find("commits[1] contains a NUL byte"), std::string::npos)
        << nul.error().what();
    expect_error(HF_ERR_INVALID_ARGUMENT, [&] { (void)info.plan_delete(commits); });
    hf::VerifyOptions vo;
    vo.repo_id = std::string("a\0b", 3);
    const hf::Result<hf::VerifyReport> v = c.try_cache_verify(info, vo);
    ASSERT_FALSE(v);
    EXPECT_EQ(v.error().status(), HF_ERR_INVALID_ARGUMENT);

    // the successful twins agree with the throwing calls
    const hf::Result<hf::CachePlan> del = info.try_plan_delete({first_});
    ASSERT_TRUE(del) << del.error().what();
    EXPECT_EQ(del->freed_bytes(), info.plan_delete({first_}).freed_bytes());
    const hf::Result<hf::CachePlan> prune = info.try_plan_prune();
    ASSERT_TRUE(prune) << prune.error().what();
    EXPECT_TRUE(prune->empty()); // every revision has a ref
    const hf::Result<hf::CachePlan> evict = info.try_plan_evict(0);
    ASSERT_TRUE(evict) << evict.error().what();
    EXPECT_EQ(evict->freed_bytes(), info.size_on_disk());
    const hf::Result<hf::PlanExecution> done = del->try_execute();
    ASSERT_TRUE(done) << done.error().what();
    EXPECT_EQ(done->deleted, del->entries().size());

    // a moved-from scan holds none: its plans fail instead of crashing
    hf::CacheInfo owner = std::move(scan).unwrap();
    const hf::CacheInfo taken = std::move(owner);
    EXPECT_NE(taken.native(), nullptr);
    EXPECT_EQ(owner.native(), nullptr); // NOLINT(bugprone-use-after-move)
    const hf::Result<hf::CachePlan> empty = owner.try_plan_evict(0);
    ASSERT_FALSE(empty);
    EXPECT_EQ(empty.error().status(), HF_ERR_INVALID_ARGUMENT);
    const hf::Result<hf::VerifyReport> none = c.try_cache_verify(owner);
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().status(), HF_ERR_INVALID_ARGUMENT);
}
