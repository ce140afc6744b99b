// The wrapper's building blocks, without a server: hf::Owner (the one handle template), hf::Result,
// hf::Status against the C status table, and the version checks.
#include "test_util.hpp"

#include <iterator>
#include <memory>
#include <type_traits>
#include <vector>

using namespace hft;

namespace {

// A fake C handle, to count what Owner frees.
struct Fake {
    int id;
};
std::vector<int> g_freed;
void free_fake(Fake* f) {
    g_freed.push_back(f->id);
    delete f;
}
using FakeOwner = hf::Owner<Fake, free_fake>;

} // namespace

// ---- hf::Owner ------------------------------------------------------------------------------------

static_assert(!std::is_copy_constructible_v<FakeOwner> && !std::is_copy_assignable_v<FakeOwner>);
static_assert(std::is_nothrow_move_constructible_v<FakeOwner> && std::is_nothrow_move_assignable_v<FakeOwner>);
static_assert(sizeof(FakeOwner) == sizeof(Fake*), "an Owner is just the pointer");
// Every handle of the wrapper is an Owner: a Client is exactly its ClientHandle.
static_assert(std::is_same_v<hf::ClientHandle, hf::Owner<hf_client, hf_client_free>>);
static_assert(std::is_same_v<hf::ErrorHandle, hf::Owner<hf_error, hf_error_free>>);
static_assert(std::is_same_v<hf::StringHandle, hf::Owner<char, hf_string_free>>);
static_assert(sizeof(hf::Client) == sizeof(hf::ClientHandle));

TEST(CppOwner, FreesExactlyOnce) {
    g_freed.clear();
    {
        FakeOwner empty;
        EXPECT_FALSE(empty);
        EXPECT_EQ(empty.get(), nullptr);
        FakeOwner a(new Fake{1});
        EXPECT_TRUE(a);
        EXPECT_EQ(a.get()->id, 1);
    }
    EXPECT_EQ(g_freed, std::vector<int>{1});
}

TEST(CppOwner, MoveTransfersOwnership) {
    g_freed.clear();
    {
        FakeOwner a(new Fake{1});
        Fake* raw = a.get();
        FakeOwner b(std::move(a));
        EXPECT_EQ(a.get(), nullptr); // NOLINT(bugprone-use-after-move): documented state
        EXPECT_EQ(b.get(), raw);
        EXPECT_TRUE(g_freed.empty());

        FakeOwner c(new Fake{2});
        c = std::move(b); // frees 2 at once, takes 1
        EXPECT_EQ(g_freed, std::vector<int>{2});
        EXPECT_EQ(c.get(), raw);

        FakeOwner& alias = c;
        c = std::move(alias); // self-move keeps the handle
        EXPECT_EQ(c.get(), raw);
        EXPECT_EQ(g_freed, std::vector<int>{2});
    }
    EXPECT_EQ(g_freed, (std::vector<int>{2, 1}));
}

TEST(CppOwner, ResetReleaseAndOut) {
    g_freed.clear();
    FakeOwner a(new Fake{1});
    a.reset(new Fake{2});
    EXPECT_EQ(g_freed, std::vector<int>{1});
    Fake* mine = a.release();
    EXPECT_FALSE(a);
    EXPECT_EQ(g_freed, std::vector<int>{1});
    free_fake(mine);

    // out(): frees what is held, then the slot receives a new handle, owned from then on
    a.reset(new Fake{3});
    Fake** slot = a.out();
    EXPECT_EQ(g_freed, (std::vector<int>{1, 2, 3}));
    EXPECT_EQ(*slot, nullptr);
    *slot = new Fake{4};
    EXPECT_EQ(a.get()->id, 4);
    a.reset();
    EXPECT_EQ(g_freed, (std::vector<int>{1, 2, 3, 4}));
    a.reset(); // empty: nothing more is freed
    EXPECT_EQ(g_freed.size(), 4u);
}

TEST(CppOwner, HoldsLibraryHandles) {
    // hf_error written through out() by a failed C call
    hf_client_options o;
    hf_client_options_init(&o);
    o.ignore_env = true;
    o.endpoint = "not a url";
    hf::ClientHandle client;
    hf::ErrorHandle err;
    EXPECT_EQ(hf_client_new(&o, client.out(), err.out()), HF_ERR_INVALID_ARGUMENT);
    EXPECT_FALSE(client); // out-parameters are written only on success
    ASSERT_TRUE(err);
    EXPECT_EQ(hf_error_status(err.get()), HF_ERR_INVALID_ARGUMENT);

    hf::CancelTokenHandle token(hf_cancel_token_new());
    ASSERT_TRUE(token);
    hf_cancel_token_cancel(token.get());
    EXPECT_TRUE(hf_cancel_token_is_cancelled(token.get()));
}

// ---- hf::Result ------------------------------------------------------------------------------------

// The try_ calls return a Result; the throwing ones keep their plain types.
using ClientRef = const hf::Client&;
static_assert(std::is_same_v<decltype(std::declval<ClientRef>().try_download("", "")),
                             hf::Result<std::filesystem::path>>);
static_assert(std::is_same_v<decltype(std::declval<ClientRef>().download("", "")), std::filesystem::path>);
static_assert(std::is_same_v<decltype(std::declval<ClientRef>().try_file_metadata("", "")),
                             hf::Result<hf::FileMetadata>>);
static_assert(std::is_same_v<decltype(std::declval<ClientRef>().try_cache_lookup("", "")),
                             hf::Result<hf::CacheLookup>>);
static_assert(std::is_same_v<decltype(std::declval<ClientRef>().try_whoami()), hf::Result<hf::User>>);
static_assert(std::is_same_v<decltype(std::declval<ClientRef>().try_login("")), hf::Result<std::string>>);
static_assert(std::is_same_v<decltype(std::declval<ClientRef>().try_logout()), hf::Result<void>>);
static_assert(std::is_same_v<decltype(std::declval<ClientRef>().try_switch_token("")), hf::Result<void>>);
static_assert(std::is_same_v<decltype(std::declval<ClientRef>().try_tokens()), hf::Result<hf::TokenList>>);
static_assert(std::is_same_v<decltype(std::declval<ClientRef>().try_cache_dir()),
                             hf::Result<std::filesystem::path>>);
static_assert(std::is_same_v<decltype(hf::Client::try_create()), hf::Result<hf::Client>>);
static_assert(std::is_same_v<decltype(std::declval<ClientRef>().whoami()), hf::User>);
static_assert(std::is_same_v<decltype(std::declval<ClientRef>().login("")), std::string>);

TEST(CppResult, Success) {
    hf::Result<int> r = 42;
    EXPECT_TRUE(r.ok());
    EXPECT_TRUE(static_cast<bool>(r));
    EXPECT_EQ(r.value(), 42);
    EXPECT_EQ(*r, 42);
    EXPECT_EQ(r.value_or(7), 42);
    EXPECT_EQ(r.unwrap(), 42);
    EXPECT_THROW((void)r.error(), std::logic_error);
    r.value() = 43;
    EXPECT_EQ(*r, 43);

    const hf::Result<std::string> s = std::string("abc");
    EXPECT_EQ(s->size(), 3u);
    EXPECT_EQ(s.value(), "abc");
}

TEST(CppResult, FailureHoldsTheErrorAndThrowsIt) {
    hf::Result<int> r = hf::Error(HF_ERR_GATED, "gated!", 403, "req-9");
    EXPECT_FALSE(r.ok());
    EXPECT_FALSE(r);
    EXPECT_EQ(r.error().status(), HF_ERR_GATED);
    EXPECT_EQ(r.error().code(), hf::Status::Gated);
    EXPECT_EQ(r.error().http_status(), 403);
    EXPECT_EQ(r.value_or(7), 7);
    try {
        (void)r.value();
        FAIL() << "value() did not throw";
    } catch (const hf::Error& e) {
        EXPECT_EQ(e.status(), HF_ERR_GATED);
        EXPECT_STREQ(e.what(), "gated!");
        EXPECT_EQ(e.http_status(), 403);
        EXPECT_EQ(e.request_id(), "req-9");
    }
    EXPECT_THROW((void)*r, hf::Error);
    EXPECT_THROW((void)r.unwrap(), hf::Error);
    EXPECT_THROW((void)std::move(r).unwrap(), hf::Error);
    // the error is still there after a failed unwrap
    EXPECT_EQ(r.error().status(), HF_ERR_GATED); // NOLINT(bugprone-use-after-move)
}

TEST(CppResult, MoveOnlyValues) {
    hf::Result<std::unique_ptr<int>> r = std::make_unique<int>(5);
    ASSERT_TRUE(r);
    EXPECT_EQ(**r, 5);
    std::unique_ptr<int> p = std::move(r).unwrap();
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(*p, 5);

    hf::Result<std::unique_ptr<int>> failed = hf::Error(hf::Status::Io, "disk");
    EXPECT_EQ(failed.error().status(), HF_ERR_IO);
    std::unique_ptr<int> fallback = std::move(failed).value_or(std::make_unique<int>(9));
    EXPECT_EQ(*fallback, 9);
}

TEST(CppResult, Void) {
    const hf::Result<void> ok;
    EXPECT_TRUE(ok.ok());
    EXPECT_NO_THROW(ok.value());
    EXPECT_NO_THROW(ok.unwrap());
    EXPECT_THROW((void)ok.error(), std::logic_error);

    const hf::Result<void> failed = hf::Error(HF_ERR_IO, "nope");
    EXPECT_FALSE(failed);
    EXPECT_EQ(failed.error().status(), HF_ERR_IO);
    EXPECT_THROW(failed.value(), hf::Error);
    EXPECT_THROW(failed.unwrap(), hf::Error);
}

// ---- hf::Status against hf_status_str --------------------------------------------------------------

namespace {

struct StatusRow {
    hf::Status status;
    int32_t c;
    const char* c_name;
};
#define HF_TEST_STATUS(cpp, c) {hf::Status::cpp, c, #c}
const StatusRow kStatusRows[] = {
    HF_TEST_STATUS(Ok, HF_OK),
    HF_TEST_STATUS(InvalidArgument, HF_ERR_INVALID_ARGUMENT),
    HF_TEST_STATUS(RepoNotFound, HF_ERR_REPO_NOT_FOUND),
    HF_TEST_STATUS(RevisionNotFound, HF_ERR_REVISION_NOT_FOUND),
    HF_TEST_STATUS(EntryNotFound, HF_ERR_ENTRY_NOT_FOUND),
    HF_TEST_STATUS(Gated, HF_ERR_GATED),
    HF_TEST_STATUS(Unauthorized, HF_ERR_UNAUTHORIZED),
    HF_TEST_STATUS(Forbidden, HF_ERR_FORBIDDEN),
    HF_TEST_STATUS(RateLimited, HF_ERR_RATE_LIMITED),
    HF_TEST_STATUS(Offline, HF_ERR_OFFLINE),
    HF_TEST_STATUS(IncompleteSnapshot, HF_ERR_INCOMPLETE_SNAPSHOT),
    HF_TEST_STATUS(Network, HF_ERR_NETWORK),
    HF_TEST_STATUS(Timeout, HF_ERR_TIMEOUT),
    HF_TEST_STATUS(Http, HF_ERR_HTTP),
    HF_TEST_STATUS(Checksum, HF_ERR_CHECKSUM),
    HF_TEST_STATUS(Io, HF_ERR_IO),
    HF_TEST_STATUS(Cancelled, HF_ERR_CANCELLED),
    HF_TEST_STATUS(Internal, HF_ERR_INTERNAL),
    HF_TEST_STATUS(Disabled, HF_ERR_DISABLED),
    HF_TEST_STATUS(BadRequest, HF_ERR_BAD_REQUEST),
    HF_TEST_STATUS(Metadata, HF_ERR_METADATA),
    HF_TEST_STATUS(NoToken, HF_ERR_NO_TOKEN),
    HF_TEST_STATUS(StaleParent, HF_ERR_STALE_PARENT),
};
#undef HF_TEST_STATUS

} // namespace

TEST(CppStatus, EveryCodeIsKnownAndNamedAlike) {
    ASSERT_EQ(std::size(kStatusRows), 23u);
    ASSERT_EQ(hf::status_count, 23);
    const std::string_view unknown = hf_status_str(-1);
    for (int32_t code = 0; code < 23; code++) {
        SCOPED_TRACE("code " + std::to_string(code));
        const StatusRow& row = kStatusRows[code];
        EXPECT_EQ(row.c, code);
        EXPECT_EQ(static_cast<int32_t>(row.status), code);
        const std::string_view text = hf_status_str(code); // "HF_ERR_GATED: gated repository..."
        EXPECT_NE(text, unknown) << "the library does not know code " << code;
        const size_t colon = text.find(": ");
        ASSERT_NE(colon, std::string_view::npos) << text;
        EXPECT_EQ(text.substr(0, colon), row.c_name);
        EXPECT_GT(text.size(), colon + 2) << "no description: " << text;
        EXPECT_EQ(hf::status_name(row.status), row.c_name);
        EXPECT_EQ(hf::status_name(static_cast<hf_status>(code)), row.c_name);
        EXPECT_EQ(hf::status_str(row.status), text);
        EXPECT_EQ(hf::status_str(static_cast<hf_status>(code)), text);
        const hf::Error e(row.status, "m");
        EXPECT_EQ(e.status(), code);
        EXPECT_EQ(e.code(), row.status);
        EXPECT_EQ(e.name(), row.c_name);
        EXPECT_EQ(e.status_str(), text);
    }
    // The next code is unknown to the library: if the library gains one, hf::Status must follow.
    EXPECT_EQ(std::string_view(hf_status_str(hf::status_count)), unknown);
    EXPECT_TRUE(hf::status_name(static_cast<hf::Status>(hf::status_count)).empty());
    EXPECT_TRUE(hf::status_name(static_cast<hf::Status>(-1)).empty());
}

TEST(CppStatus, ErrorPredicatesFollowTheCode) {
    EXPECT_TRUE(hf::Error(hf::Status::EntryNotFound, "").is_not_found());
    EXPECT_TRUE(hf::Error(hf::Status::RevisionNotFound, "").is_not_found());
    EXPECT_TRUE(hf::Error(hf::Status::NoToken, "").is_auth());
    EXPECT_TRUE(hf::Error(hf::Status::IncompleteSnapshot, "").is_offline());
    EXPECT_TRUE(hf::Error(hf::Status::Cancelled, "").is_cancelled());
    EXPECT_FALSE(hf::Error(hf::Status::Network, "").is_offline());
}

// ---- versions --------------------------------------------------------------------------------------

static_assert(hf::header_version_number == HF_HUB_VERSION_NUMBER);
static_assert(hf::header_version_number ==
              static_cast<uint32_t>(hf::version_major * 1000000 + hf::version_minor * 1000 + hf::version_patch));

TEST(CppVersion, NumberMatchesHeaderAndString) {
    EXPECT_EQ(hf::version_number(), static_cast<uint32_t>(HF_HUB_VERSION_NUMBER));
    EXPECT_EQ(hf::version_number(), hf::header_version_number);
    const uint32_t n = hf::version_number();
    EXPECT_EQ(hf::version(), std::to_string(n / 1000000) + "." + std::to_string(n / 1000 % 1000) + "." +
                                 std::to_string(n % 1000));
}
