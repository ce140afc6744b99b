// download(), metadata(), try_load() and cache_dir() against the hub emulator.
#include "test_util.hpp"

#include <algorithm>

using namespace hft;

namespace {

std::string read_ref(const fs::path& repo, const std::string& ref = "main") {
    return read_file(repo / "refs" / ref);
}

} // namespace

TEST_F(HubTest, DownloadRegularFile) {
    const hf::Client c = client();
    const fs::path p = c.download(kDemoModel, "config.json");

    const std::string commit = read_ref(repo_dir());
    ASSERT_TRUE(is_hex(commit, 40)) << commit;
    EXPECT_EQ(p, repo_dir() / "snapshots" / commit / "config.json");
    EXPECT_TRUE(fs::is_symlink(p));
    EXPECT_TRUE(fs::is_regular_file(p));

    // the bytes are the ones the Hub serves
    const HttpResponse served = http("GET", emu().hub() + "/test-org/test-model/resolve/main/config.json");
    ASSERT_EQ(served.status, 200);
    EXPECT_EQ(read_file(p), served.body);
    EXPECT_NE(read_file(p).find("model_type"), std::string::npos);

    // the blob is named after the ETag
    const hf::FileMetadata m = c.metadata(kDemoModel, "config.json");
    EXPECT_EQ(fs::read_symlink(p).filename().string(), m.etag);
    EXPECT_TRUE(fs::exists(repo_dir() / "blobs" / m.etag));

    // a second call is a cache hit with the same path
    EXPECT_EQ(c.download(kDemoModel, "config.json"), p);
}

TEST_F(HubTest, DownloadLfsFile) {
    const hf::Client c = client(std::nullopt);
    const fs::path p = c.download(kDemoModel, "model.safetensors");
    const std::string commit = read_ref(repo_dir());
    EXPECT_EQ(p, repo_dir() / "snapshots" / commit / "model.safetensors");

    const std::string data = read_file(p);
    ASSERT_EQ(data.size(), kMiB);
    const std::string sha = sha256_hex(data);
    EXPECT_EQ(fs::read_symlink(p).filename().string(), sha);

    // the bytes came from the CDN origin, without the token
    size_t cdn_gets = 0;
    for (const Request& q : emu().requests())
        if (q.origin == "cdn" && q.method == "GET") {
            cdn_gets++;
            EXPECT_FALSE(q.has_header("authorization"));
        }
    EXPECT_GE(cdn_gets, 1u);
}

// max_bytes_per_sec caps the client's transfers: 1 MiB at 1 MB/s takes about 1.05 s, while the same
// download without a cap (into a fresh cache) is much faster.
TEST_F(HubTest, MaxBytesPerSecCapsDownloads) {
    using Clock = std::chrono::steady_clock;
    const auto seconds = [](Clock::duration d) { return std::chrono::duration<double>(d).count(); };

    hf::ClientOptions free_opts = options();
    free_opts.cache_dir = (home() / "uncapped").string();
    const hf::Client uncapped(free_opts);
    auto t0 = Clock::now();
    const fs::path p0 = uncapped.download(kDemoModel, "model.safetensors");
    const double free_s = seconds(Clock::now() - t0);
    ASSERT_EQ(read_file(p0).size(), kMiB);

    hf::ClientOptions capped_opts = options();
    capped_opts.cache_dir = (home() / "capped").string();
    capped_opts.max_bytes_per_sec = 1'000'000;
    const hf::Client capped(capped_opts);
    t0 = Clock::now();
    const fs::path p1 = capped.download(kDemoModel, "model.safetensors");
    const double capped_s = seconds(Clock::now() - t0);

    EXPECT_EQ(read_file(p1), read_file(p0));
    EXPECT_GE(capped_s, 0.85) << "1 MiB at 1 MB/s took only " << capped_s << " s";
    EXPECT_LT(free_s * 2, capped_s) << "uncapped " << free_s << " s, capped " << capped_s << " s";
}

// durable = true (sync the blob and its folder before publishing) downloads the same bytes.
TEST_F(HubTest, DurableDownload) {
    hf::ClientOptions o = options();
    o.durable = true;
    const hf::Client c(o);
    const fs::path p = c.download(kDemoModel, "model.safetensors");
    EXPECT_EQ(p, repo_dir() / "snapshots" / read_ref(repo_dir()) / "model.safetensors");
    const std::string data = read_file(p);
    ASSERT_EQ(data.size(), kMiB);
    EXPECT_EQ(fs::read_symlink(p).filename().string(), sha256_hex(data));
    HttpResponse served = http("GET", emu().hub() + "/test-org/test-model/resolve/main/model.safetensors");
    if (served.status / 100 == 3) served = http("GET", served.header("location")); // LFS: to the CDN
    ASSERT_EQ(served.status, 200);
    EXPECT_EQ(data, served.body);
    EXPECT_EQ(c.download(kDemoModel, "model.safetensors"), p); // a cache hit
}

// lanes, lane_chunk_bytes, lanes_min_size: the 1 MiB LFS file comes as 16 ranges of 64 KiB over 4
// lanes (each range asked once, 206 each), and its bytes are the ones served; values out of range
// are refused.
TEST_F(HubTest, LanesFetchRanges) {
    hf::ClientOptions o = options();
    o.lanes = 4;
    o.lane_chunk_bytes = 65536;
    o.lanes_min_size = 1;
    const hf::Client c(o);
    emu().clear_requests();
    const fs::path p = c.download(kDemoModel, "model.safetensors");
    const std::string data = read_file(p);
    ASSERT_EQ(data.size(), kMiB);
    EXPECT_EQ(fs::read_symlink(p).filename().string(), sha256_hex(data));
    std::vector<std::string> ranges;
    for (const Request& q : emu().requests())
        if (q.origin == "cdn" && q.method == "GET") {
            EXPECT_EQ(q.status, 206);
            ranges.push_back(q.header("range"));
        }
    std::sort(ranges.begin(), ranges.end());
    EXPECT_EQ(ranges.size(), 16u);
    EXPECT_EQ(std::unique(ranges.begin(), ranges.end()), ranges.end()) << "each range asked once";
    EXPECT_TRUE(std::binary_search(ranges.begin(), ranges.end(), "bytes=0-65535"));
    EXPECT_TRUE(std::binary_search(ranges.begin(), ranges.end(), "bytes=983040-1048575"));

    // One stream when the file is below lanes_min_size.
    hf::ClientOptions one = o;
    one.cache_dir = (home() / "one").string();
    one.lanes_min_size = 2 * kMiB;
    emu().clear_requests();
    EXPECT_EQ(read_file(hf::Client(one).download(kDemoModel, "model.safetensors")), data);
    size_t gets = 0;
    for (const Request& q : emu().requests())
        if (q.origin == "cdn" && q.method == "GET") {
            gets++;
            EXPECT_FALSE(q.has_header("range"));
        }
    EXPECT_EQ(gets, 1u);

    hf::ClientOptions bad = options();
    bad.lanes = 65;
    EXPECT_FALSE(hf::Client::try_create(bad).ok());
    bad = options();
    bad.lane_chunk_bytes = 1000;
    EXPECT_FALSE(hf::Client::try_create(bad).ok());
}

TEST_F(HubTest, DownloadDatasetAndSubfolder) {
    const hf::Client c = client();
    hf::DownloadOptions o;
    o.repo_type = hf::RepoType::Dataset;
    const fs::path p = c.download("test-org/test-dataset", "data/train.csv", o);
    const fs::path repo = repo_dir("datasets--test-org--test-dataset");
    EXPECT_EQ(p, repo / "snapshots" / read_ref(repo) / "data" / "train.csv");
    EXPECT_GT(fs::file_size(p), 0u);

    hf::DownloadOptions sub;
    sub.subfolder = "subdir";
    const fs::path q = c.download(kDemoModel, "data.txt", sub);
    EXPECT_EQ(q, repo_dir() / "snapshots" / read_ref(repo_dir()) / "subdir" / "data.txt");
    EXPECT_EQ(read_file(q), read_file(c.download(kDemoModel, "subdir/data.txt")));
}

TEST_F(HubTest, CommitPinnedCacheHitMakesNoRequest) {
    const hf::Client c = client();
    const fs::path p = c.download(kDemoModel, "README.md");
    hf::DownloadOptions o;
    o.revision = read_ref(repo_dir());
    emu().clear_requests();
    EXPECT_EQ(c.download(kDemoModel, "README.md", o), p);
    EXPECT_EQ(emu().requests().size(), 0u);

    // force_download goes to the network again
    o.force_download = true;
    EXPECT_EQ(c.download(kDemoModel, "README.md", o), p);
    EXPECT_GE(emu().count("hub", "GET", "README.md"), 1u);
}

TEST_F(HubTest, OfflineHitAndMiss) {
    const fs::path p = client().download(kDemoModel, "config.json");

    hf::ClientOptions oo = options();
    oo.offline = true;
    const hf::Client offline(oo);
    emu().clear_requests();
    EXPECT_EQ(offline.download(kDemoModel, "config.json"), p);
    const hf::Error miss = expect_error(HF_ERR_OFFLINE, [&] { offline.download(kDemoModel, "README.md"); });
    EXPECT_TRUE(miss.is_offline());
    EXPECT_EQ(emu().requests().size(), 0u);

    // local_files_only on an online client
    hf::DownloadOptions local;
    local.local_files_only = true;
    const hf::Client online = client();
    EXPECT_EQ(online.download(kDemoModel, "config.json", local), p);
    expect_error(HF_ERR_OFFLINE, [&] { online.download(kDemoModel, "README.md", local); });
    EXPECT_EQ(emu().requests().size(), 0u);
}

TEST_F(HubTest, Metadata) {
    const hf::Client c = client();
    const hf::FileMetadata m = c.metadata(kDemoModel, "config.json");
    EXPECT_TRUE(is_hex(m.commit, 40)) << m.commit;
    EXPECT_TRUE(is_hex(m.etag, 40)) << m.etag;
    EXPECT_EQ(m.size, 48u);
    EXPECT_FALSE(m.is_lfs);
    EXPECT_NE(m.location.find("config.json"), std::string::npos) << m.location;

    const hf::FileMetadata lfs = c.metadata(kDemoModel, "model.safetensors");
    EXPECT_EQ(lfs.commit, m.commit);
    EXPECT_TRUE(is_hex(lfs.etag, 64)) << lfs.etag;
    EXPECT_EQ(lfs.size, kMiB);
    EXPECT_TRUE(lfs.is_lfs);
    EXPECT_EQ(lfs.location.rfind(emu().cdn(), 0), 0u) << lfs.location;

    // nothing was written
    EXPECT_FALSE(fs::exists(repo_dir() / "blobs"));

    expect_error(HF_ERR_ENTRY_NOT_FOUND, [&] { c.metadata(kDemoModel, "missing.txt"); });
}

TEST_F(HubTest, TryLoad) {
    const hf::Client c = client();
    hf::CacheLookup r = c.try_load(kDemoModel, "config.json");
    EXPECT_EQ(r.status, hf::CacheStatus::Unknown);
    EXPECT_FALSE(r.found());
    EXPECT_FALSE(r.path.has_value());

    const fs::path p = c.download(kDemoModel, "config.json");
    r = c.try_load(kDemoModel, "config.json");
    EXPECT_EQ(r.status, hf::CacheStatus::Found);
    EXPECT_TRUE(r.found());
    ASSERT_TRUE(r.path.has_value());
    EXPECT_EQ(*r.path, p);

    expect_error(HF_ERR_ENTRY_NOT_FOUND, [&] { c.download(kDemoModel, "missing.txt"); });
    r = c.try_load(kDemoModel, "missing.txt");
    EXPECT_EQ(r.status, hf::CacheStatus::KnownMissing);
    EXPECT_FALSE(r.path.has_value());

    hf::DownloadOptions o;
    o.repo_type = hf::RepoType::Dataset;
    EXPECT_EQ(c.try_load(kDemoModel, "config.json", o).status, hf::CacheStatus::Unknown);
}

TEST_F(HubTest, CacheDir) {
    EXPECT_EQ(client().cache_dir(), home() / "hub");
    hf::ClientOptions o = options();
    o.cache_dir = (home() / "elsewhere").string();
    const hf::Client c(o);
    EXPECT_EQ(c.cache_dir(), home() / "elsewhere");
    const fs::path p = c.download(kDemoModel, "config.json");
    EXPECT_EQ(p.string().rfind((home() / "elsewhere" / "models--test-org--test-model").string(), 0), 0u) << p;
}

TEST_F(HubTest, ClientOptionsAreApplied) {
    hf::ClientOptions o = options();
    o.user_agent = "cpp-test/1.0";
    o.etag_timeout = std::chrono::seconds(5);
    o.download_timeout = std::chrono::milliseconds(5000);
    o.max_retries = 0;
    o.disable_symlinks = true;
    const hf::Client c(o);
    const fs::path p = c.download(kDemoModel, "config.json");
    EXPECT_FALSE(fs::is_symlink(p)) << "disable_symlinks was not applied";
    bool ua = false;
    for (const Request& q : emu().requests())
        for (const auto& h : q.headers)
            if (strcasecmp(h.first.c_str(), "user-agent") == 0 && h.second.find("cpp-test/1.0") != std::string::npos)
                ua = true;
    EXPECT_TRUE(ua) << "user_agent was not applied";
}
