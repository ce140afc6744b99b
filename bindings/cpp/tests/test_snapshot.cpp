// snapshot_download() (patterns, the cache layout, requests, local_dir, offline, progress with the call
// totals, cancel) and DownloadOptions::local_dir, against the hub emulator.
#include "test_util.hpp"

#include <algorithm>
#include <atomic>

using namespace hft;

namespace {

// The demo model's files, sorted (the emulator's --demo seed).
const std::vector<std::string> kDemoFiles = {"README.md", "config.json", "model.safetensors", "subdir/data.txt"};

std::vector<std::string> paths_of(const hf::Snapshot& s) {
    std::vector<std::string> out;
    for (const hf::SnapshotFile& f : s.files) out.push_back(f.path);
    return out;
}

// The bytes the Hub serves for `path` at `rev` (following the LFS redirect to the CDN).
std::string served(const Emulator& emu, const std::string& path, const std::string& rev = "main") {
    HttpResponse r = http("GET", emu.hub() + "/test-org/test-model/resolve/" + rev + "/" + path);
    if (r.status / 100 == 3) r = http("GET", r.header("location"));
    if (r.status != 200) throw std::runtime_error("GET " + path + " -> " + std::to_string(r.status));
    return r.body;
}

} // namespace

TEST_F(HubTest, SnapshotDownloadIntoTheCache) {
    const hf::Client c = client();
    const hf::Snapshot s = c.snapshot_download(kDemoModel);
    const std::string commit = emu().resolve(kDemoModel);
    ASSERT_TRUE(is_hex(commit, 40)) << commit;
    EXPECT_EQ(s.commit, commit);
    EXPECT_EQ(s.path, repo_dir() / "snapshots" / commit);
    EXPECT_EQ(paths_of(s), kDemoFiles);
    for (const hf::SnapshotFile& f : s.files) {
        EXPECT_EQ(f.local_path, s.path / f.path);
        EXPECT_TRUE(fs::is_symlink(f.local_path)) << f.local_path;
        const std::string data = read_file(f.local_path);
        EXPECT_EQ(data, served(emu(), f.path)) << f.path;
        EXPECT_EQ(f.size, data.size()) << f.path;
    }
    EXPECT_EQ(read_file(repo_dir() / "refs" / "main"), commit);
    EXPECT_TRUE(fs::exists(repo_dir() / "trees" / (commit + ".json")));
    EXPECT_EQ(emu().count("hub", "HEAD", ""), 0u) << "a snapshot makes no per-file HEAD";

    // Again by branch name: the revision request and nothing else; pinned to the commit: nothing.
    emu().clear_requests();
    const hf::Snapshot again = c.snapshot_download(kDemoModel);
    EXPECT_EQ(again.path, s.path);
    EXPECT_EQ(paths_of(again), kDemoFiles);
    EXPECT_EQ(emu().requests().size(), 1u);
    emu().clear_requests();
    hf::SnapshotOptions pinned;
    pinned.revision = commit;
    EXPECT_EQ(c.snapshot_download(kDemoModel, pinned).path, s.path);
    EXPECT_EQ(emu().requests().size(), 0u);
}

TEST_F(HubTest, SnapshotPatterns) {
    const hf::Client c = client();
    const auto select = [&](std::vector<std::string> allow, std::vector<std::string> ignore) {
        hf::SnapshotOptions o;
        o.allow_patterns = std::move(allow);
        o.ignore_patterns = std::move(ignore);
        return paths_of(c.snapshot_download(kDemoModel, o));
    };
    EXPECT_EQ(select({"*.json"}, {}), (std::vector<std::string>{"config.json"}));
    EXPECT_EQ(select({"subdir/"}, {}), (std::vector<std::string>{"subdir/data.txt"}));
    EXPECT_EQ(select({"*.md", "*.txt"}, {}), (std::vector<std::string>{"README.md", "subdir/data.txt"}));
    EXPECT_EQ(select({}, {"*.safetensors", "subdir/*"}), (std::vector<std::string>{"README.md", "config.json"}));
    EXPECT_EQ(select({"*.json", "*.md"}, {"*.md"}), (std::vector<std::string>{"config.json"})) << "ignore wins";
    EXPECT_TRUE(select({"nothing-matches"}, {}).empty());
    // Only what was selected was fetched.
    EXPECT_FALSE(fs::exists(repo_dir() / "snapshots" / emu().resolve(kDemoModel) / "model.safetensors"));

    // A pattern the C API cannot take fails before any request.
    hf::SnapshotOptions bad;
    bad.ignore_patterns = {"ok", std::string("x\0y", 3)};
    emu().clear_requests();
    const hf::Result<hf::Snapshot> r = c.try_snapshot_download(kDemoModel, bad);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), hf::Status::InvalidArgument);
    EXPECT_NE(std::string(r.error().what()).find("ignore_patterns[1]"), std::string::npos) << r.error().what();
    EXPECT_EQ(emu().requests().size(), 0u);
}

TEST_F(HubTest, SnapshotOfADatasetAtABranch) {
    emu().control("commit", R"({"type":"dataset","id":"test-org/test-dataset","branch":"dev",)"
                            R"("files":[{"path":"data/dev.csv","content":"id\n7\n"}]})");
    const hf::Client c = client();
    hf::SnapshotOptions o;
    o.repo_type = hf::RepoType::Dataset;
    o.revision = "dev";
    const hf::Snapshot s = c.snapshot_download("test-org/test-dataset", o);
    EXPECT_EQ(paths_of(s), (std::vector<std::string>{"data/dev.csv", "data/train.csv"}));
    const fs::path repo = repo_dir("datasets--test-org--test-dataset");
    EXPECT_EQ(s.path, repo / "snapshots" / s.commit);
    EXPECT_EQ(read_file(repo / "refs" / "dev"), s.commit);
    EXPECT_EQ(read_file(s.path / "data" / "dev.csv"), "id\n7\n");
}

TEST_F(HubTest, SnapshotErrors) {
    const hf::Client c = client();
    const hf::Result<hf::Snapshot> missing = c.try_snapshot_download("test-org/no-such-repo");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().status(), HF_ERR_REPO_NOT_FOUND) << missing.error().what();
    EXPECT_TRUE(missing.error().is_not_found());
    hf::SnapshotOptions o;
    o.revision = "no-such-branch";
    expect_error(HF_ERR_REVISION_NOT_FOUND, [&] { c.snapshot_download(kDemoModel, o); });
    expect_error(HF_ERR_INVALID_ARGUMENT, [&] { c.snapshot_download("not a repo id"); });
}

TEST_F(HubTest, SnapshotIntoALocalDir) {
    const TempDir dir("local");
    const hf::Client c = client();
    hf::SnapshotOptions o;
    o.local_dir = dir.str();
    const hf::Snapshot s = c.snapshot_download(kDemoModel, o);
    EXPECT_EQ(s.path, fs::canonical(dir.path()));
    EXPECT_EQ(s.commit, emu().resolve(kDemoModel));
    EXPECT_EQ(paths_of(s), kDemoFiles);
    for (const hf::SnapshotFile& f : s.files) {
        EXPECT_EQ(f.local_path, s.path / f.path);
        EXPECT_FALSE(fs::is_symlink(f.local_path)) << "real files in a local_dir: " << f.local_path;
        EXPECT_EQ(read_file(f.local_path), served(emu(), f.path)) << f.path;
        EXPECT_TRUE(fs::exists(dir.path() / ".cache" / "huggingface" / "download" / (f.path + ".metadata"))) << f.path;
    }
    EXPECT_FALSE(fs::exists(repo_dir() / "refs")) << "a local_dir snapshot writes no refs into the cache";

    // Up to date: nothing is fetched again.
    emu().clear_requests();
    c.snapshot_download(kDemoModel, o);
    EXPECT_EQ(emu().count("", "GET", "/resolve/"), 0u);

    // One file changed on the Hub: only that one is fetched again.
    emu().control("commit", R"({"id":"test-org/test-model","files":[{"path":"README.md","content":"# new\n"}]})");
    emu().clear_requests();
    const hf::Snapshot s2 = c.snapshot_download(kDemoModel, o);
    EXPECT_NE(s2.commit, s.commit);
    EXPECT_EQ(emu().count("", "GET", "/resolve/"), 1u);
    EXPECT_EQ(emu().count("hub", "GET", "README.md"), 1u);
    EXPECT_EQ(read_file(dir.path() / "README.md"), "# new\n");
}

TEST_F(HubTest, DownloadIntoALocalDir) {
    const TempDir dir("local");
    const hf::Client c = client();
    hf::DownloadOptions o;
    o.local_dir = (dir.path() / "out").string();
    const fs::path p = c.download(kDemoModel, "subdir/data.txt", o);
    EXPECT_EQ(p, fs::canonical(dir.path() / "out") / "subdir" / "data.txt");
    EXPECT_FALSE(fs::is_symlink(p));
    EXPECT_EQ(read_file(p), "hello from subdir/data.txt\n");
    EXPECT_TRUE(fs::exists(dir.path() / "out" / ".cache" / "huggingface" / "download" / "subdir" / "data.txt.metadata"));
    EXPECT_FALSE(fs::exists(repo_dir() / "snapshots")) << "a local_dir download publishes nothing in the cache";

    // Pinned to the commit and already there: no request.
    o.revision = emu().resolve(kDemoModel);
    emu().clear_requests();
    EXPECT_EQ(c.download(kDemoModel, "subdir/data.txt", o), p);
    EXPECT_EQ(emu().requests().size(), 0u);

    hf::DownloadOptions nul;
    nul.local_dir = std::string("a\0b", 3);
    const hf::Result<fs::path> r = c.try_download(kDemoModel, "config.json", nul);
    ASSERT_FALSE(r);
    EXPECT_NE(std::string(r.error().what()).find("local_dir"), std::string::npos) << r.error().what();
}

TEST_F(HubTest, SnapshotOfflineAnswersOnlyWhenComplete) {
    hf::SnapshotOptions json;
    json.allow_patterns = {"*.json"};
    const hf::Snapshot s = client().snapshot_download(kDemoModel, json);

    hf::ClientOptions oo = options();
    oo.offline = true;
    const hf::Client offline(oo);
    emu().clear_requests();
    const hf::Snapshot cached = offline.snapshot_download(kDemoModel, json);
    EXPECT_EQ(cached.commit, s.commit);
    EXPECT_EQ(paths_of(cached), (std::vector<std::string>{"config.json"}));

    const hf::Result<hf::Snapshot> all = offline.try_snapshot_download(kDemoModel);
    ASSERT_FALSE(all);
    EXPECT_EQ(all.error().status(), HF_ERR_INCOMPLETE_SNAPSHOT) << all.error().what();
    EXPECT_TRUE(all.error().is_offline());
    const std::string message = all.error().what();
    EXPECT_NE(message.find("model.safetensors"), std::string::npos) << message;
    EXPECT_EQ(message.find("config.json"), std::string::npos) << "a present file is named missing: " << message;

    // local_files_only on an online client answers the same way.
    hf::SnapshotOptions local;
    local.local_files_only = true;
    expect_error(HF_ERR_INCOMPLETE_SNAPSHOT, [&] { client().snapshot_download(kDemoModel, local); });
    local.allow_patterns = {"*.json"};
    EXPECT_EQ(client().snapshot_download(kDemoModel, local).commit, s.commit);
    // A repo never downloaded.
    expect_error(HF_ERR_OFFLINE, [&] { offline.snapshot_download("test-org/private-model"); });
    EXPECT_EQ(emu().requests().size(), 0u) << "offline makes no request";
}

TEST_F(HubTest, SnapshotProgressHasTheCallTotals) {
    const hf::Client c = client();
    std::vector<hf::Progress> reports;
    hf::SnapshotOptions o;
    o.max_workers = 2;
    o.progress = [&](const hf::Progress& p) {
        reports.push_back(p);
        return true;
    };
    const hf::Snapshot s = c.snapshot_download(kDemoModel, o);
    ASSERT_FALSE(reports.empty());
    uint64_t bytes = 0;
    for (const hf::SnapshotFile& f : s.files) bytes += f.size;
    const hf::Progress& last = reports.back();
    EXPECT_EQ(last.files_done, s.files.size());
    EXPECT_EQ(last.files_total, s.files.size());
    EXPECT_EQ(last.total_bytes_done, bytes);
    EXPECT_EQ(last.total_bytes_total, bytes);
    uint64_t files_done = 0, bytes_done = 0;
    for (const hf::Progress& p : reports) {
        EXPECT_EQ(p.files_total, s.files.size());
        EXPECT_EQ(p.total_bytes_total, bytes);
        EXPECT_GE(p.files_done, files_done) << "files_done went back";
        EXPECT_GE(p.total_bytes_done, bytes_done) << "total_bytes_done went back";
        EXPECT_TRUE(std::find(kDemoFiles.begin(), kDemoFiles.end(), p.filename) != kDemoFiles.end()) << p.filename;
        files_done = p.files_done;
        bytes_done = p.total_bytes_done;
    }
}

TEST_F(HubTest, DownloadProgressHasTheCallTotals) {
    const hf::Client c = client();
    hf::Progress last;
    hf::DownloadOptions o;
    o.progress = [&](const hf::Progress& p) {
        last = p;
        return true;
    };
    c.download(kDemoModel, "model.safetensors", o);
    EXPECT_EQ(last.files_total, 1u);
    EXPECT_EQ(last.files_done, 1u);
    EXPECT_EQ(last.bytes_done, kMiB);
    EXPECT_EQ(last.total_bytes_done, kMiB);
    EXPECT_EQ(last.total_bytes_total, kMiB);
}

TEST_F(HubTest, SnapshotProgressCancelsAndRethrows) {
    const hf::Client c = client();
    hf::SnapshotOptions o;
    int calls = 0;
    o.progress = [&](const hf::Progress&) {
        calls++;
        return false;
    };
    const hf::Result<hf::Snapshot> r = c.try_snapshot_download(kDemoModel, o);
    ASSERT_FALSE(r);
    EXPECT_TRUE(r.error().is_cancelled()) << r.error().what();
    EXPECT_EQ(calls, 1) << "called again after asking to stop";

    struct Boom : std::runtime_error {
        Boom() : std::runtime_error("boom") {}
    };
    o.progress = [](const hf::Progress&) -> bool { throw Boom(); };
    EXPECT_THROW((void)c.try_snapshot_download(kDemoModel, o), Boom);
    EXPECT_THROW(c.snapshot_download(kDemoModel, o), Boom);

    // Nothing half-written was published: a later snapshot completes with the right bytes.
    const hf::Snapshot s = c.snapshot_download(kDemoModel);
    for (const hf::SnapshotFile& f : s.files) EXPECT_EQ(read_file(f.local_path), served(emu(), f.path)) << f.path;
}

TEST_F(HubTest, SnapshotCancelToken) {
    const hf::Client c = client();
    hf::CancelToken token;
    token.cancel();
    hf::SnapshotOptions o;
    o.cancel = &token;
    emu().clear_requests();
    expect_error(HF_ERR_CANCELLED, [&] { c.snapshot_download(kDemoModel, o); });
    EXPECT_EQ(emu().requests().size(), 0u) << "a cancelled snapshot sent a request";

    // Cancelled from another thread while the LFS file crawls through a throttled CDN.
    ASSERT_EQ(emu().add_fault(R"({"origin":"cdn","action":{"throttle":{"bytes_per_sec":200000}}})"), 200);
    hf::CancelToken live;
    o.cancel = &live;
    std::atomic<bool> started{false};
    o.progress = [&](const hf::Progress& p) {
        if (p.filename == "model.safetensors" && p.bytes_done > 0) started = true;
        return true;
    };
    std::thread canceller([&] {
        while (!started) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        live.cancel();
    });
    const auto t0 = std::chrono::steady_clock::now();
    const hf::Result<hf::Snapshot> r = c.try_snapshot_download(kDemoModel, o);
    const auto elapsed = std::chrono::steady_clock::now() - t0;
    started = true; // let the canceller go if the call ended before the LFS file started
    canceller.join();
    ASSERT_FALSE(r) << "the snapshot completed";
    EXPECT_EQ(r.error().status(), HF_ERR_CANCELLED) << r.error().what();
    EXPECT_LT(elapsed, std::chrono::seconds(4)) << "the cancel did not stop the transfer";
    EXPECT_FALSE(fs::exists(fs::symlink_status(repo_dir() / "snapshots" / emu().resolve(kDemoModel) / "model.safetensors")));
}
