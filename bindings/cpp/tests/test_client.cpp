// One Client shared by many threads; move semantics; version; type properties of the wrapper.
#include "test_util.hpp"

#include <atomic>
#include <map>
#include <set>
#include <mutex>
#include <type_traits>

using namespace hft;

// Handles are move-only; small value types are regular.
static_assert(!std::is_copy_constructible_v<hf::Client>);
static_assert(!std::is_copy_assignable_v<hf::Client>);
static_assert(std::is_nothrow_move_constructible_v<hf::Client>);
static_assert(std::is_nothrow_move_assignable_v<hf::Client>);
static_assert(std::is_copy_constructible_v<hf::CancelToken>);
static_assert(std::is_base_of_v<std::runtime_error, hf::Error>);
static_assert(std::is_same_v<decltype(std::declval<const hf::Client&>().native()), const hf_client*>);
static_assert(hf::version_major == HF_HUB_VERSION_MAJOR);
static_assert(hf::version_minor == HF_HUB_VERSION_MINOR);
static_assert(hf::version_patch == HF_HUB_VERSION_PATCH);
static_assert(static_cast<int32_t>(hf::RepoType::Dataset) == HF_REPO_TYPE_DATASET);
static_assert(static_cast<int32_t>(hf::CacheStatus::KnownMissing) == HF_CACHE_KNOWN_MISSING);

TEST(CppVersion, MatchesHeaderAndLibrary) {
    EXPECT_EQ(hf::version(), hf::header_version);
    EXPECT_EQ(std::string(hf::header_version),
              std::to_string(HF_HUB_VERSION_MAJOR) + "." + std::to_string(HF_HUB_VERSION_MINOR) + "." +
                  std::to_string(HF_HUB_VERSION_PATCH));
#ifdef HF_TEST_VERSION
    EXPECT_EQ(hf::version(), HF_TEST_VERSION); // Cargo.toml's version, via CMake
#endif
}

TEST(CppClientOptions, Defaults) {
    const hf::ClientOptions o;
    EXPECT_FALSE(o.endpoint || o.hf_home || o.cache_dir || o.token || o.token_path || o.user_agent ||
                 o.user_agent_origin || o.offline || o.disable_implicit_token || o.disable_symlinks ||
                 o.durable);
    EXPECT_EQ(o.etag_timeout.count(), 0);
    EXPECT_EQ(o.download_timeout.count(), 0);
    EXPECT_EQ(o.max_retries, -1);
    EXPECT_FALSE(o.cache_max_bytes);
    EXPECT_FALSE(o.max_bytes_per_sec);
    EXPECT_FALSE(o.lanes || o.lane_chunk_bytes || o.lanes_min_size);
    EXPECT_FALSE(o.ignore_env);
    const hf::DownloadOptions d;
    EXPECT_EQ(d.repo_type, hf::RepoType::Model);
    EXPECT_TRUE(d.verify);
    EXPECT_FALSE(d.force_download || d.local_files_only);
    EXPECT_FALSE(d.progress);
    EXPECT_EQ(d.cancel, nullptr);
}

TEST_F(HubTest, MoveSemantics) {
    hf::Client a = client();
    const hf_client* raw = a.native();
    ASSERT_NE(raw, nullptr);
    const fs::path p = a.download(kDemoModel, "config.json");

    hf::Client b(std::move(a));
    EXPECT_EQ(b.native(), raw);
    EXPECT_EQ(a.native(), nullptr); // NOLINT(bugprone-use-after-move): documented state
    EXPECT_EQ(b.download(kDemoModel, "config.json"), p);
    // a moved-from client throws instead of crashing
    expect_error(HF_ERR_INVALID_ARGUMENT, [&] { a.download(kDemoModel, "config.json"); });
    expect_error(HF_ERR_INVALID_ARGUMENT, [&] { a.whoami(); });

    hf::Client c = client(std::nullopt);
    c = std::move(b); // the old client of `c` is freed
    EXPECT_EQ(c.native(), raw);
    EXPECT_EQ(c.whoami().name, kDemoUser);

    std::vector<hf::Client> clients;
    clients.push_back(std::move(c));
    clients.push_back(client());
    EXPECT_EQ(clients[0].download(kDemoModel, "config.json"), p);
    EXPECT_EQ(clients[1].download(kDemoModel, "config.json"), p);
}

TEST_F(HubTest, ThreadsShareOneClient) {
    const hf::Client shared = client();
    const std::vector<std::string> files = {"config.json", "README.md", "subdir/data.txt", "model.safetensors"};
    constexpr int kThreads = 8;
    std::mutex mu;
    std::map<std::string, std::set<std::string>> paths;
    std::vector<std::string> failures;
    std::atomic<int> progress_calls{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; t++)
        threads.emplace_back([&, t] {
            try {
                for (size_t i = 0; i < files.size(); i++) {
                    const std::string& f = files[(i + static_cast<size_t>(t)) % files.size()];
                    hf::DownloadOptions o;
                    o.progress = [&](const hf::Progress&) {
                        progress_calls++;
                        return true;
                    };
                    const fs::path p = shared.download(kDemoModel, f, o);
                    std::lock_guard<std::mutex> lock(mu);
                    paths[f].insert(p.string());
                }
                const hf::User u = shared.whoami();
                const hf::FileMetadata m = shared.metadata(kDemoModel, "config.json");
                if (u.name != kDemoUser || m.size == 0) throw std::runtime_error("bad whoami/metadata");
            } catch (const std::exception& e) {
                std::lock_guard<std::mutex> lock(mu);
                failures.push_back(e.what());
            }
        });
    for (auto& th : threads) th.join();
    EXPECT_TRUE(failures.empty()) << failures.front();
    ASSERT_EQ(paths.size(), files.size());
    for (const auto& [f, set] : paths) {
        EXPECT_EQ(set.size(), 1u) << f << " got different paths";
        EXPECT_TRUE(fs::is_regular_file(*set.begin())) << *set.begin();
    }
    EXPECT_EQ(fs::file_size(*paths["model.safetensors"].begin()), kMiB);
    // one complete blob per file, no leftovers
    EXPECT_EQ(count_entries(repo_dir() / "blobs"), static_cast<int>(files.size()));
    EXPECT_GE(progress_calls.load(), 1);
}
