// The non-throwing try_* calls against the hub emulator: each returns what its throwing twin
// returns, or the same hf::Error that the throwing twin throws, without throwing it.
#include "test_util.hpp"

using namespace hft;

namespace {

// Runs `fn` (which must not throw) and checks that its Result failed with `status`.
template <typename Fn> hf::Error expect_failed(hf_status status, Fn&& fn) {
    bool threw = false;
    std::optional<hf::Error> error;
    try {
        auto r = fn();
        if (r.ok()) {
            ADD_FAILURE() << "the Result is a success, expected " << hf::status_str(status);
        } else {
            error = r.error();
        }
    } catch (const std::exception& e) {
        threw = true;
        ADD_FAILURE() << "a try_ call threw: " << e.what();
    }
    if (!error) return hf::Error(HF_OK, threw ? "threw" : "no error");
    EXPECT_EQ(error->status(), status) << "message: " << error->what() << " (" << error->status_str() << ")";
    return *error;
}

} // namespace

TEST_F(HubTest, TryCreate) {
    hf::Result<hf::Client> r = hf::Client::try_create(options());
    ASSERT_TRUE(r.ok()) << r.error().what();
    EXPECT_NE(r->native(), nullptr);
    const hf::Client c = std::move(r).unwrap();
    EXPECT_EQ(c.whoami().name, kDemoUser);

    hf::ClientOptions bad = options();
    bad.endpoint = "not a url";
    const hf::Error e = expect_failed(HF_ERR_INVALID_ARGUMENT, [&] { return hf::Client::try_create(bad); });
    EXPECT_STRNE(e.what(), "");
    // the throwing constructor reports the same error
    const hf::Error thrown = expect_error(HF_ERR_INVALID_ARGUMENT, [&] { hf::Client x(bad); });
    EXPECT_STREQ(thrown.what(), e.what());

    // arguments the C API cannot take are reported the same way, naming the option
    hf::ClientOptions range = options();
    range.download_timeout = std::chrono::milliseconds(-5);
    const hf::Error t = expect_failed(HF_ERR_INVALID_ARGUMENT, [&] { return hf::Client::try_create(range); });
    EXPECT_NE(std::string(t.what()).find("download_timeout"), std::string::npos) << t.what();
    hf::ClientOptions nul = options();
    nul.token = std::string("hf_abc\0def", 10);
    const hf::Error n = expect_failed(HF_ERR_INVALID_ARGUMENT, [&] { return hf::Client::try_create(nul); });
    EXPECT_NE(std::string(n.what()).find("token contains a NUL byte"), std::string::npos) << n.what();
}

TEST_F(HubTest, TryDownload) {
    const hf::Client c = client();
    const hf::Result<fs::path> r = c.try_download(kDemoModel, "config.json");
    ASSERT_TRUE(r) << r.error().what();
    EXPECT_TRUE(fs::is_regular_file(*r));
    EXPECT_EQ(r->filename(), "config.json");
    EXPECT_EQ(c.download(kDemoModel, "config.json"), *r);

    const hf::Error e = expect_failed(HF_ERR_ENTRY_NOT_FOUND, [&] { return c.try_download(kDemoModel, "missing.txt"); });
    EXPECT_EQ(e.http_status(), 404);
    EXPECT_FALSE(e.request_id().empty());
    EXPECT_EQ(e.code(), hf::Status::EntryNotFound);
    EXPECT_EQ(e.name(), "HF_ERR_ENTRY_NOT_FOUND");
    // the throwing twin throws the same kind of error
    const hf::Error thrown = expect_error(HF_ERR_ENTRY_NOT_FOUND, [&] { c.download(kDemoModel, "missing.txt"); });
    EXPECT_EQ(thrown.http_status(), e.http_status());
    // and value() on the failed Result throws it
    const hf::Result<fs::path> missing = c.try_download(kDemoModel, "missing.txt");
    expect_error(HF_ERR_ENTRY_NOT_FOUND, [&] { (void)missing.value(); });

    const hf::Error g = expect_failed(
        HF_ERR_GATED, [&] { return client(kOutsiderToken).try_download("test-org/gated-model", "config.json"); });
    EXPECT_TRUE(g.is_gated());
}

TEST_F(HubTest, TryDownloadRefusesBadArgumentsBeforeAnyRequest) {
    const hf::Client c = client();
    using namespace std::string_view_literals;
    emu().clear_requests();
    const hf::Error f =
        expect_failed(HF_ERR_INVALID_ARGUMENT, [&] { return c.try_download(kDemoModel, "config.json\0../x"sv); });
    EXPECT_NE(std::string(f.what()).find("filename contains a NUL byte"), std::string::npos) << f.what();
    expect_failed(HF_ERR_INVALID_ARGUMENT, [&] { return c.try_download("test-org\0/x"sv, "config.json"); });
    hf::DownloadOptions o;
    o.revision = std::string("main\0x", 6);
    const hf::Error r = expect_failed(HF_ERR_INVALID_ARGUMENT, [&] { return c.try_download(kDemoModel, "config.json", o); });
    EXPECT_NE(std::string(r.what()).find("revision"), std::string::npos) << r.what();
    EXPECT_EQ(emu().requests().size(), 0u);
    // the library's own validation, too
    expect_failed(HF_ERR_INVALID_ARGUMENT, [&] { return c.try_download(kDemoModel, "../escape.txt"); });
}

TEST_F(HubTest, TryDownloadCancelledAndCallbackExceptions) {
    const hf::Client c = client(std::nullopt);
    hf::CancelToken token;
    token.cancel();
    hf::DownloadOptions o;
    o.cancel = &token;
    const hf::Error e = expect_failed(HF_ERR_CANCELLED, [&] { return c.try_download(kDemoModel, "README.md", o); });
    EXPECT_TRUE(e.is_cancelled());

    // returning false from the callback is a cancel, reported in the Result
    hf::DownloadOptions stop;
    stop.progress = [](const hf::Progress&) { return false; };
    expect_failed(HF_ERR_CANCELLED, [&] { return c.try_download(kDemoModel, "model.safetensors", stop); });

    // the callback's own exception is not a library error: try_download rethrows it
    hf::DownloadOptions throwing;
    throwing.progress = [](const hf::Progress&) -> bool { throw std::out_of_range("from the callback"); };
    EXPECT_THROW((void)c.try_download(kDemoModel, "model.safetensors", throwing), std::out_of_range);
    EXPECT_TRUE(c.try_download(kDemoModel, "model.safetensors").ok());
}

TEST_F(HubTest, TryFileMetadata) {
    const hf::Client c = client();
    const hf::Result<hf::FileMetadata> m = c.try_file_metadata(kDemoModel, "model.safetensors");
    ASSERT_TRUE(m) << m.error().what();
    EXPECT_TRUE(m->is_lfs);
    EXPECT_EQ(m->size, kMiB);
    EXPECT_TRUE(is_hex(m->etag, 64)) << m->etag;
    const hf::FileMetadata same = c.file_metadata(kDemoModel, "model.safetensors");
    EXPECT_EQ(same.etag, m->etag);
    EXPECT_EQ(same.commit, m->commit);
    EXPECT_EQ(c.metadata(kDemoModel, "model.safetensors").etag, m->etag); // the earlier name

    expect_failed(HF_ERR_ENTRY_NOT_FOUND, [&] { return c.try_file_metadata(kDemoModel, "missing.txt"); });
    hf::DownloadOptions o;
    o.revision = "no-such-branch";
    expect_failed(HF_ERR_REVISION_NOT_FOUND, [&] { return c.try_file_metadata(kDemoModel, "config.json", o); });
    // (its cancel token: CoreCancel.FileMetadata* in test_cancel_calls.cpp)
}

TEST_F(HubTest, TryCacheLookup) {
    const hf::Client c = client();
    hf::Result<hf::CacheLookup> r = c.try_cache_lookup(kDemoModel, "config.json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, hf::CacheStatus::Unknown);

    const fs::path p = c.download(kDemoModel, "config.json");
    r = c.try_cache_lookup(kDemoModel, "config.json");
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->found());
    EXPECT_EQ(r->path, p);
    EXPECT_EQ(c.cache_lookup(kDemoModel, "config.json").path, p);
    EXPECT_EQ(c.try_load(kDemoModel, "config.json").path, p); // the earlier name

    using namespace std::string_view_literals;
    expect_failed(HF_ERR_INVALID_ARGUMENT, [&] { return c.try_cache_lookup(kDemoModel, "a\0b"sv); });
}

TEST_F(HubTest, TryAuthCalls) {
    const hf::Client anon = client(std::nullopt);
    expect_failed(HF_ERR_NO_TOKEN, [&] { return anon.try_whoami(); });
    expect_failed(HF_ERR_UNAUTHORIZED, [&] { return anon.try_login("hf_notarealtoken000000000000"); });
    expect_failed(HF_ERR_INVALID_ARGUMENT, [&] { return anon.try_login("api_org_0123456789"); });
    EXPECT_FALSE(fs::exists(home() / "token"));

    const hf::Result<std::string> name = anon.try_login(kDemoToken);
    ASSERT_TRUE(name) << name.error().what();
    EXPECT_FALSE(name->empty());
    const hf::Result<hf::User> u = anon.try_whoami();
    ASSERT_TRUE(u) << u.error().what();
    EXPECT_EQ(u->name, kDemoUser);

    const hf::Result<hf::TokenList> list = anon.try_tokens();
    ASSERT_TRUE(list);
    EXPECT_EQ(list->names, std::vector<std::string>{*name});
    EXPECT_EQ(list->active, *name);

    expect_failed(HF_ERR_INVALID_ARGUMENT, [&] { return anon.try_switch_token("no-such-token-name"); });
    EXPECT_TRUE(anon.try_switch_token(*name).ok());
    EXPECT_TRUE(anon.try_logout(std::string("unknown-name")).ok());
    const hf::Result<void> out = anon.try_logout();
    EXPECT_TRUE(out.ok());
    EXPECT_FALSE(fs::exists(home() / "token"));
    expect_failed(HF_ERR_NO_TOKEN, [&] { return anon.try_whoami(); });

    const hf::Result<fs::path> cache = anon.try_cache_dir();
    ASSERT_TRUE(cache);
    EXPECT_EQ(*cache, home() / "hub");
}

TEST_F(HubTest, TryCallsOnAMovedFromClient) {
    hf::Client a = client();
    const hf::Client b(std::move(a));
    // NOLINTBEGIN(bugprone-use-after-move): documented state
    expect_failed(HF_ERR_INVALID_ARGUMENT, [&] { return a.try_download(kDemoModel, "config.json"); });
    expect_failed(HF_ERR_INVALID_ARGUMENT, [&] { return a.try_whoami(); });
    expect_failed(HF_ERR_INVALID_ARGUMENT, [&] { return a.try_login(kDemoToken); });
    expect_failed(HF_ERR_INVALID_ARGUMENT, [&] { return a.try_tokens(); });
    expect_failed(HF_ERR_INVALID_ARGUMENT, [&] { return a.try_cache_dir(); });
    expect_failed(HF_ERR_INVALID_ARGUMENT, [&] { return a.try_logout(); });
    // NOLINTEND(bugprone-use-after-move)
    EXPECT_TRUE(b.try_whoami().ok());
}
