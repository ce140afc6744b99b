// hf::Error: status, HTTP status, request id and message for each failure the Hub can report.
#include "test_util.hpp"

using namespace hft;

TEST_F(HubTest, MissingFile) {
    const hf::Client c = client();
    const hf::Error e = expect_error(HF_ERR_ENTRY_NOT_FOUND, [&] { c.download(kDemoModel, "missing.txt"); });
    EXPECT_EQ(e.http_status(), 404);
    EXPECT_TRUE(e.is_not_found());
    EXPECT_FALSE(e.is_gated());
    EXPECT_FALSE(e.request_id().empty()); // the emulator sends X-Request-Id
    EXPECT_STRNE(e.what(), "");
    EXPECT_EQ(e.status_str().rfind("HF_ERR_ENTRY_NOT_FOUND", 0), 0u) << e.status_str();

    // catchable as the standard exception types
    try {
        c.download(kDemoModel, "missing.txt");
        FAIL() << "no exception";
    } catch (const std::runtime_error& re) {
        EXPECT_NE(std::string(re.what()).find("ntry not found"), std::string::npos) << re.what();
    }
}

TEST_F(HubTest, MissingRepo) {
    const hf::Client c = client();
    const hf::Error e =
        expect_error(HF_ERR_REPO_NOT_FOUND, [&] { c.download("test-org/does-not-exist", "config.json"); });
    EXPECT_TRUE(e.http_status() == 401 || e.http_status() == 404) << e.http_status();
    EXPECT_TRUE(e.is_not_found());

    hf::DownloadOptions o;
    o.repo_type = hf::RepoType::Dataset;
    expect_error(HF_ERR_REPO_NOT_FOUND, [&] { c.download(kDemoModel, "config.json", o); });
}

TEST_F(HubTest, MissingRevision) {
    const hf::Client c = client();
    hf::DownloadOptions o;
    o.revision = "no-such-branch";
    const hf::Error e = expect_error(HF_ERR_REVISION_NOT_FOUND, [&] { c.download(kDemoModel, "config.json", o); });
    EXPECT_EQ(e.http_status(), 404);
    EXPECT_TRUE(e.is_not_found());
}

TEST_F(HubTest, Gated) {
    const hf::Error outsider = expect_error(
        HF_ERR_GATED, [&] { client(kOutsiderToken).download("test-org/gated-model", "config.json"); });
    EXPECT_EQ(outsider.http_status(), 403);
    EXPECT_TRUE(outsider.is_gated());

    const hf::Error anonymous =
        expect_error(HF_ERR_GATED, [&] { client(std::nullopt).download("test-org/gated-model", "config.json"); });
    EXPECT_EQ(anonymous.http_status(), 401);

    // a member of the owning org can read it
    EXPECT_TRUE(fs::exists(client().download("test-org/gated-model", "config.json")));
}

TEST_F(HubTest, Private) {
    expect_error(HF_ERR_REPO_NOT_FOUND,
                 [&] { client(std::nullopt).download("test-org/private-model", "config.json"); });
    const fs::path p = client().download("test-org/private-model", "config.json");
    EXPECT_NE(p.string().find("/models--test-org--private-model/snapshots/"), std::string::npos) << p;
}

TEST_F(HubTest, BadToken) {
    const std::string bad = "hf_thisTokenIsNotValid0123456789";
    const hf::Client c = client(bad);
    const hf::Error e = expect_error(HF_ERR_UNAUTHORIZED, [&] { c.download(kDemoModel, "config.json"); });
    EXPECT_EQ(e.http_status(), 401);
    EXPECT_TRUE(e.is_auth());
    EXPECT_EQ(std::string(e.what()).find(bad), std::string::npos) << "the token leaked: " << e.what();

    const hf::Error w = expect_error(HF_ERR_UNAUTHORIZED, [&] { c.whoami(); });
    EXPECT_EQ(std::string(w.what()).find(bad), std::string::npos);
}

TEST_F(HubTest, InvalidArguments) {
    const hf::Client c = client();
    expect_error(HF_ERR_INVALID_ARGUMENT, [&] { c.download(kDemoModel, "../escape.txt"); });
    expect_error(HF_ERR_INVALID_ARGUMENT, [&] { c.download("a/b/c", "config.json"); });
    expect_error(HF_ERR_INVALID_ARGUMENT, [&] { c.download(kDemoModel, ""); });
    // an embedded NUL would cut the C string short: refused instead
    using namespace std::string_view_literals;
    expect_error(HF_ERR_INVALID_ARGUMENT, [&] { c.download(kDemoModel, "config.json\0../x"sv); });
    expect_error(HF_ERR_INVALID_ARGUMENT, [&] { c.login("hf_abc\0def"sv); });
}

TEST(CppClientOptions, InvalidOptionsThrowFromTheConstructor) {
    TempDir home("opts");
    hf::ClientOptions o;
    o.ignore_env = true;
    o.hf_home = home.str();
    o.endpoint = "not a url";
    expect_error(HF_ERR_INVALID_ARGUMENT, [&] { hf::Client c(o); });

    o.endpoint = std::nullopt;
    o.etag_timeout = std::chrono::milliseconds(-1);
    expect_error(HF_ERR_INVALID_ARGUMENT, [&] { hf::Client c(o); });
    o.etag_timeout = std::chrono::hours(24 * 365);
    expect_error(HF_ERR_INVALID_ARGUMENT, [&] { hf::Client c(o); });
}

TEST(CppClientOptions, NetworkErrorWithoutRetries) {
    TempDir home("net");
    std::string dead;
    {
        Emulator e;
        dead = e.hub();
    } // stopped: nothing listens there any more
    hf::ClientOptions o;
    o.ignore_env = true;
    o.endpoint = dead;
    o.hf_home = home.str();
    o.max_retries = 0;
    const hf::Client c(o);
    try {
        c.download(kDemoModel, "config.json");
        FAIL() << "no exception";
    } catch (const hf::Error& e) {
        EXPECT_TRUE(e.status() == HF_ERR_NETWORK || e.status() == HF_ERR_OFFLINE) << e.status_str();
    }
}

TEST(CppError, ConstructedByHand) {
    const hf::Error e(HF_ERR_GATED, "nope", 403, "req-1");
    EXPECT_EQ(e.status(), HF_ERR_GATED);
    EXPECT_EQ(e.http_status(), 403);
    EXPECT_EQ(e.request_id(), "req-1");
    EXPECT_STREQ(e.what(), "nope");
    EXPECT_TRUE(e.is_gated());
    EXPECT_FALSE(e.is_not_found());
    EXPECT_FALSE(e.is_cancelled());
    EXPECT_EQ(hf::status_str(HF_OK).empty(), false);
}
