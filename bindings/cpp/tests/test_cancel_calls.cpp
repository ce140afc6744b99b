// Every network call takes a cancel token: whoami and login (hf::CallOptions, over
// hf_auth_whoami_ex / hf_auth_login_ex), in both the throwing and the try_ forms; file_metadata
// (DownloadOptions::cancel). Downloads: test_progress.cpp.
//
// The CoreCancel tests need the library's cancel to reach every wait of the call: they cancel
// requests the emulator holds back (delay faults), and a metadata HEAD. A library whose whoami and
// login only look at the token before sending, and whose metadata ignores it, fails them.
#include "test_util.hpp"

#include <atomic>

using namespace hft;

namespace {

const char* const kDelayWhoami = R"({"path_contains":"/api/whoami-v2","action":{"delay_ms":5000}})";

} // namespace

TEST_F(HubTest, WhoamiTakesACancelToken) {
    const hf::Client c = client();
    hf::CancelToken token;
    EXPECT_EQ(c.whoami({&token}).name, kDemoUser); // a live token changes nothing
    const hf::Result<hf::User> live = c.try_whoami({&token});
    ASSERT_TRUE(live) << live.error().what();
    EXPECT_EQ(live->name, kDemoUser);

    token.cancel();
    emu().clear_requests();
    const hf::Error e = expect_error(HF_ERR_CANCELLED, [&] { c.whoami({&token}); });
    EXPECT_TRUE(e.is_cancelled());
    const hf::Result<hf::User> r = c.try_whoami({&token});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), hf::Status::Cancelled);
    EXPECT_EQ(emu().count("hub", "", "whoami"), 0u) << "a cancelled whoami was sent";

    // another token, or none, is not affected
    hf::CancelToken other;
    EXPECT_EQ(c.whoami({&other}).name, kDemoUser);
    EXPECT_EQ(c.whoami().name, kDemoUser);
}

TEST_F(HubTest, LoginTakesACancelToken) {
    const hf::Client c = client(std::nullopt);
    hf::CancelToken token;
    token.cancel();
    emu().clear_requests();
    expect_error(HF_ERR_CANCELLED, [&] { c.login(kDemoToken, {&token}); });
    const hf::Result<std::string> r = c.try_login(kDemoToken, {&token});
    ASSERT_FALSE(r);
    EXPECT_TRUE(r.error().is_cancelled());
    EXPECT_EQ(emu().count("hub", "", "whoami"), 0u) << "a cancelled login validated its token";
    EXPECT_FALSE(fs::exists(home() / "token")) << "a cancelled login stored its token";
    EXPECT_TRUE(c.tokens().names.empty());

    hf::CancelToken live;
    const std::string name = c.login(kDemoToken, {&live});
    EXPECT_FALSE(name.empty());
    EXPECT_EQ(read_file(home() / "token"), kDemoToken);
}

// Cancelling a call whose request the server holds back: the call returns HF_ERR_CANCELLED at once
// instead of waiting for the answer.
class CoreCancel : public HubTest {
  protected:
    // Runs `call` while another thread cancels `token` 300 ms in; returns how long `call` took.
    template <typename Fn> std::chrono::milliseconds cancel_during(const hf::CancelToken& token, Fn&& call) {
        std::thread canceller([copy = token] {
            std::this_thread::sleep_for(std::chrono::milliseconds(300));
            copy.cancel();
        });
        const auto t0 = std::chrono::steady_clock::now();
        call();
        const auto elapsed = std::chrono::steady_clock::now() - t0;
        canceller.join();
        return std::chrono::duration_cast<std::chrono::milliseconds>(elapsed);
    }
};

TEST_F(CoreCancel, WhoamiInFlight) {
    ASSERT_EQ(emu().add_fault(kDelayWhoami), 200);
    const hf::Client c = client();
    hf::CancelToken token;
    std::optional<hf::Result<hf::User>> r;
    const auto elapsed = cancel_during(token, [&] { r.emplace(c.try_whoami({&token})); });
    ASSERT_TRUE(r.has_value());
    ASSERT_FALSE(r->ok()) << "whoami returned " << (*r)->name << " after " << elapsed.count() << " ms";
    EXPECT_EQ(r->error().status(), HF_ERR_CANCELLED) << r->error().what();
    EXPECT_LT(elapsed, std::chrono::milliseconds(3000)) << "the cancel did not abort the request";
    EXPECT_GE(emu().count("hub", "GET", "whoami"), 1u) << "the request was never sent: not an in-flight cancel";
}

TEST_F(CoreCancel, LoginInFlight) {
    ASSERT_EQ(emu().add_fault(kDelayWhoami), 200);
    const hf::Client c = client(std::nullopt);
    hf::CancelToken token;
    std::optional<hf::Error> error;
    const auto elapsed = cancel_during(token, [&] {
        try {
            c.login(kDemoToken, {&token});
        } catch (const hf::Error& e) {
            error = e;
        }
    });
    ASSERT_TRUE(error.has_value()) << "login succeeded after " << elapsed.count() << " ms";
    EXPECT_EQ(error->status(), HF_ERR_CANCELLED) << error->what();
    EXPECT_LT(elapsed, std::chrono::milliseconds(3000)) << "the cancel did not abort the request";
    EXPECT_GE(emu().count("hub", "GET", "whoami"), 1u);
    EXPECT_FALSE(fs::exists(home() / "token")) << "a cancelled login stored its token";
}

TEST_F(CoreCancel, FileMetadataPreCancelled) {
    const hf::Client c = client();
    hf::CancelToken token;
    token.cancel();
    hf::DownloadOptions o;
    o.cancel = &token;
    emu().clear_requests();
    const hf::Result<hf::FileMetadata> r = c.try_file_metadata(kDemoModel, "config.json", o);
    ASSERT_FALSE(r) << "metadata ignored a cancelled token";
    EXPECT_EQ(r.error().status(), HF_ERR_CANCELLED) << r.error().what();
    expect_error(HF_ERR_CANCELLED, [&] { c.file_metadata(kDemoModel, "config.json", o); });
    EXPECT_EQ(emu().count("hub", "HEAD", "config.json"), 0u) << "a cancelled metadata request was sent";
}

TEST_F(CoreCancel, FileMetadataInFlight) {
    ASSERT_EQ(emu().add_fault(R"({"method":"HEAD","path_contains":"config.json","action":{"delay_ms":5000}})"), 200);
    const hf::Client c = client();
    hf::CancelToken token;
    hf::DownloadOptions o;
    o.cancel = &token;
    std::optional<hf::Result<hf::FileMetadata>> r;
    const auto elapsed = cancel_during(token, [&] { r.emplace(c.try_file_metadata(kDemoModel, "config.json", o)); });
    ASSERT_TRUE(r.has_value());
    ASSERT_FALSE(r->ok()) << "metadata returned after " << elapsed.count() << " ms";
    EXPECT_EQ(r->error().status(), HF_ERR_CANCELLED) << r->error().what();
    EXPECT_LT(elapsed, std::chrono::milliseconds(3000)) << "the cancel did not abort the request";
}
