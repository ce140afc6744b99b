// C++20 only: hf::CancelToken following a std::stop_token (std::jthread cancels a download, a snapshot,
// a whoami).
#include "test_util.hpp"

#if !HF_HUB_CPP_HAS_STOP_TOKEN
#error "this test must be compiled as C++20 with <stop_token>"
#endif

using namespace hft;

TEST(Cpp20CancelToken, FollowsStopToken) {
    std::stop_source src;
    hf::CancelToken token(src.get_token());
    hf::CancelToken copy = token;
    EXPECT_FALSE(token.cancelled());
    src.request_stop();
    EXPECT_TRUE(token.cancelled());
    EXPECT_TRUE(copy.cancelled());

    // a token made from an already stopped stop_token starts cancelled
    EXPECT_TRUE(hf::CancelToken(src.get_token()).cancelled());
    // a token that outlives its stop_source is fine
    std::optional<hf::CancelToken> late;
    {
        std::stop_source gone;
        late.emplace(gone.get_token());
    }
    EXPECT_FALSE(late->cancelled());
}

TEST_F(HubTest, JthreadStopCancelsDownload) {
    ASSERT_EQ(emu().add_fault(R"({"origin":"cdn","action":{"throttle":{"bytes_per_sec":200000}}})"), 200);
    const hf::Client c = client(std::nullopt);
    std::optional<hf::Error> error;
    {
        std::jthread worker([&](std::stop_token stop) {
            hf::CancelToken token(stop);
            hf::DownloadOptions o;
            o.cancel = &token;
            try {
                c.download(kDemoModel, "model.safetensors", o);
            } catch (const hf::Error& e) {
                error = e;
            }
        });
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
    } // ~jthread: request_stop() + join()
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->status(), HF_ERR_CANCELLED);
}

TEST_F(HubTest, JthreadStopCancelsSnapshot) {
    ASSERT_EQ(emu().add_fault(R"({"origin":"cdn","action":{"throttle":{"bytes_per_sec":200000}}})"), 200);
    const hf::Client c = client();
    std::optional<hf::Result<hf::Snapshot>> r;
    const auto t0 = std::chrono::steady_clock::now();
    {
        std::jthread worker([&](std::stop_token stop) {
            hf::CancelToken token(stop);
            hf::SnapshotOptions o;
            o.cancel = &token;
            r.emplace(c.try_snapshot_download(kDemoModel, o));
        });
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
    } // ~jthread: request_stop() + join()
    ASSERT_TRUE(r.has_value());
    ASSERT_FALSE(r->ok()) << "the snapshot completed";
    EXPECT_EQ(r->error().status(), HF_ERR_CANCELLED) << r->error().what();
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(4));

    // A stop requested before the call: no request at all, for the repository calls too.
    std::stop_source src;
    src.request_stop();
    hf::CancelToken stopped(src.get_token());
    hf::RepoOptions ro;
    ro.cancel = &stopped;
    emu().clear_requests();
    expect_error(HF_ERR_CANCELLED, [&] { c.repo_info(kDemoModel, ro); });
    EXPECT_EQ(emu().requests().size(), 0u);
}

TEST_F(HubTest, StopTokenCancelsWhoamiAndLogin) {
    const hf::Client c = client();
    std::stop_source src;
    hf::CancelToken token(src.get_token());
    EXPECT_EQ(c.whoami({&token}).name, kDemoUser);
    src.request_stop();
    emu().clear_requests();
    const hf::Result<hf::User> r = c.try_whoami({&token});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().status(), HF_ERR_CANCELLED);
    expect_error(HF_ERR_CANCELLED, [&] { c.login(kSecondToken, {&token}); });
    EXPECT_EQ(emu().count("hub", "", "whoami"), 0u);
    EXPECT_FALSE(fs::exists(home() / "token"));
}

// Needs a library whose cancel token aborts an in-flight whoami (see test_cancel_calls.cpp).
class CoreCancel : public HubTest {};

TEST_F(CoreCancel, JthreadStopCancelsWhoamiInFlight) {
    ASSERT_EQ(emu().add_fault(R"({"path_contains":"/api/whoami-v2","action":{"delay_ms":5000}})"), 200);
    const hf::Client c = client();
    std::optional<hf::Result<hf::User>> r;
    const auto t0 = std::chrono::steady_clock::now();
    {
        std::jthread worker([&](std::stop_token stop) {
            hf::CancelToken token(stop);
            r.emplace(c.try_whoami({&token}));
        });
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
    } // ~jthread: request_stop() + join()
    const auto elapsed = std::chrono::steady_clock::now() - t0;
    ASSERT_TRUE(r.has_value());
    ASSERT_FALSE(r->ok()) << "whoami was not cancelled";
    EXPECT_EQ(r->error().status(), HF_ERR_CANCELLED);
    EXPECT_LT(elapsed, std::chrono::seconds(3));
}
