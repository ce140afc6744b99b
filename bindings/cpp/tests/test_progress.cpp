// Progress callbacks (values, cancelling by returning false, exceptions from the callback) and
// hf::CancelToken cancelled from another thread. A cancelled download never publishes a blob.
#include "test_util.hpp"

#include <atomic>

using namespace hft;

namespace {

const std::string kLfs = "model.safetensors";

struct CallbackError : std::runtime_error {
    explicit CallbackError(int n) : std::runtime_error("callback failed"), call(n) {}
    int call;
};

// No complete blob and no snapshot entry for the LFS file (an .incomplete file may stay to resume).
void expect_nothing_published(const fs::path& repo) {
    EXPECT_LE(count_entries(repo / "blobs", ".incomplete"), 0) << "a complete blob was left in " << repo / "blobs";
    std::error_code ec;
    if (!fs::is_directory(repo / "snapshots", ec)) return;
    for (const auto& snap : fs::directory_iterator(repo / "snapshots")) {
        EXPECT_FALSE(fs::exists(fs::symlink_status(snap.path() / kLfs))) << snap.path() / kLfs << " published";
    }
}

void expect_complete(const fs::path& p) {
    const std::string data = read_file(p);
    ASSERT_EQ(data.size(), kMiB);
    EXPECT_EQ(fs::read_symlink(p).filename().string(), sha256_hex(data));
}

void throttle(const Emulator& emu) {
    // 200 kB/s: the 1 MiB file takes ~5 s.
    ASSERT_EQ(emu.add_fault(R"({"origin":"cdn","action":{"throttle":{"bytes_per_sec":200000}}})"), 200);
}

} // namespace

TEST_F(HubTest, ProgressReports) {
    const hf::Client c = client(std::nullopt);
    int calls = 0;
    uint64_t last = 0, total = 0;
    bool monotonic = true, name_ok = true;
    hf::DownloadOptions o;
    o.progress = [&](const hf::Progress& p) {
        calls++;
        monotonic = monotonic && p.bytes_done >= last;
        name_ok = name_ok && p.filename == kLfs;
        last = p.bytes_done;
        total = p.bytes_total;
        return true;
    };
    const fs::path p = c.download(kDemoModel, kLfs, o);
    EXPECT_GE(calls, 1);
    EXPECT_TRUE(monotonic);
    EXPECT_TRUE(name_ok);
    EXPECT_EQ(total, kMiB);
    EXPECT_EQ(last, kMiB);
    expect_complete(p);
}

TEST_F(HubTest, ProgressReturningFalseCancels) {
    const hf::Client c = client(std::nullopt);
    int calls = 0;
    hf::DownloadOptions o;
    o.progress = [&](const hf::Progress&) {
        calls++;
        return false;
    };
    const hf::Error e = expect_error(HF_ERR_CANCELLED, [&] { c.download(kDemoModel, kLfs, o); });
    EXPECT_TRUE(e.is_cancelled());
    EXPECT_EQ(calls, 1); // never called again after asking to stop
    expect_nothing_published(repo_dir());

    // a later download completes
    o.progress = [](const hf::Progress&) { return true; };
    expect_complete(c.download(kDemoModel, kLfs, o));
}

TEST_F(HubTest, ProgressExceptionIsRethrown) {
    const hf::Client c = client(std::nullopt);
    int calls = 0;
    hf::DownloadOptions o;
    o.progress = [&](const hf::Progress&) -> bool {
        calls++;
        throw CallbackError(calls);
    };
    try {
        c.download(kDemoModel, kLfs, o);
        FAIL() << "download() returned";
    } catch (const CallbackError& e) {
        EXPECT_EQ(e.call, 1);
    } catch (const hf::Error& e) {
        FAIL() << "the callback's exception was replaced by hf::Error: " << e.what();
    }
    EXPECT_EQ(calls, 1);
    expect_nothing_published(repo_dir());
    // the first report comes before any byte is written: not even a partial file is left
    EXPECT_LE(count_entries(repo_dir() / "blobs"), 0);

    // also for a small (non-LFS) file, and with a non-std exception type
    o.progress = [](const hf::Progress&) -> bool { throw 42; };
    try {
        c.download(kDemoModel, "README.md", o);
        FAIL() << "download() returned";
    } catch (int v) {
        EXPECT_EQ(v, 42);
    }

    // the client is still usable
    o.progress = nullptr;
    expect_complete(c.download(kDemoModel, kLfs, o));
}

TEST_F(HubTest, CancelTokenFromAnotherThread) {
    throttle(emu());
    const hf::Client c = client(std::nullopt);
    hf::CancelToken token;
    EXPECT_FALSE(token.cancelled());
    hf::DownloadOptions o;
    o.cancel = &token;

    std::thread canceller([copy = token] { // a copy shares the same token
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        copy.cancel();
    });
    const auto t0 = std::chrono::steady_clock::now();
    const hf::Error e = expect_error(HF_ERR_CANCELLED, [&] { c.download(kDemoModel, kLfs, o); });
    const auto elapsed = std::chrono::steady_clock::now() - t0;
    canceller.join();
    EXPECT_TRUE(e.is_cancelled());
    EXPECT_TRUE(token.cancelled());
    EXPECT_LT(elapsed, std::chrono::seconds(3));
    expect_nothing_published(repo_dir());

    // an already-cancelled token stops before any transfer
    emu().clear_requests();
    expect_error(HF_ERR_CANCELLED, [&] { c.download(kDemoModel, "README.md", o); });
    EXPECT_EQ(emu().count("", "GET", "README.md"), 0u);
}

TEST_F(HubTest, OneCancelTokenStopsSeveralDownloads) {
    // Several downloads watching one token, cancelled once from the main thread.
    throttle(emu());
    const hf::Client c = client(std::nullopt);
    hf::CancelToken token;
    std::atomic<int> cancelled{0}, other{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 3; i++)
        threads.emplace_back([&, i] {
            TempDir home("pool");
            hf::ClientOptions opts = options(std::nullopt);
            opts.hf_home = home.str(); // separate caches: three real transfers
            const hf::Client own(opts);
            hf::DownloadOptions o;
            o.cancel = &token;
            try {
                (i == 0 ? c : own).download(kDemoModel, kLfs, o);
                other++;
            } catch (const hf::Error& e) {
                (e.is_cancelled() ? cancelled : other)++;
            }
        });
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    token.cancel();
    for (auto& t : threads) t.join();
    EXPECT_EQ(cancelled.load(), 3);
    EXPECT_EQ(other.load(), 0);
}

TEST(CppCancelToken, CopiesShareOneToken) {
    hf::CancelToken a;
    hf::CancelToken b = a;
    hf::CancelToken c;
    EXPECT_EQ(a.native(), b.native());
    EXPECT_NE(a.native(), c.native());
    b.cancel();
    b.cancel(); // idempotent
    EXPECT_TRUE(a.cancelled());
    EXPECT_FALSE(c.cancelled());
    c = a;
    EXPECT_TRUE(c.cancelled());
}
