// whoami, login / logout / switch_token / tokens and the token files they write under HF_HOME.
#include "test_util.hpp"

#include <algorithm>
#include <sys/stat.h>

using namespace hft;

TEST_F(HubTest, Whoami) {
    const hf::User u = client().whoami();
    EXPECT_EQ(u.name, kDemoUser);
    EXPECT_EQ(u.type, "user");
    EXPECT_NE(std::find(u.orgs.begin(), u.orgs.end(), kDemoOrg), u.orgs.end());
    EXPECT_NE(u.json.find(kDemoUser), std::string::npos);
    if (u.token_role) {
        EXPECT_FALSE(u.token_role->empty());
    }

    const hf::Error e = expect_error(HF_ERR_NO_TOKEN, [&] { client(std::nullopt).whoami(); });
    EXPECT_TRUE(e.is_auth());
}

TEST_F(HubTest, LoginLogoutSwitch) {
    const hf::Client c = client(std::nullopt);
    const fs::path token_file = home() / "token";

    // a bad token is not saved
    expect_error(HF_ERR_UNAUTHORIZED, [&] { c.login("hf_notarealtoken000000000000"); });
    EXPECT_FALSE(fs::exists(token_file));
    hf::TokenList none = c.tokens();
    EXPECT_TRUE(none.names.empty());
    EXPECT_FALSE(none.active.has_value());

    const std::string name1 = c.login(kDemoToken);
    EXPECT_FALSE(name1.empty());
    EXPECT_EQ(read_file(token_file), kDemoToken);
    struct stat st {};
    ASSERT_EQ(::stat(token_file.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 077, 0u) << "token file mode " << std::oct << (st.st_mode & 0777);
    EXPECT_EQ(c.whoami().name, kDemoUser); // the client picks up the saved token

    const std::string name2 = c.login(kSecondToken);
    EXPECT_NE(name1, name2);
    EXPECT_EQ(c.whoami().name, "second");

    hf::TokenList list = c.tokens();
    EXPECT_EQ(list.names.size(), 2u);
    EXPECT_TRUE(std::is_sorted(list.names.begin(), list.names.end()));
    EXPECT_NE(std::find(list.names.begin(), list.names.end(), name1), list.names.end());
    EXPECT_NE(std::find(list.names.begin(), list.names.end(), name2), list.names.end());
    EXPECT_EQ(list.active, name2);

    c.switch_token(name1);
    EXPECT_EQ(read_file(token_file), kDemoToken);
    EXPECT_EQ(c.tokens().active, name1);
    expect_error(HF_ERR_INVALID_ARGUMENT, [&] { c.switch_token("no-such-token-name"); });

    // logout of one name keeps the other; logout of all removes everything
    c.logout(name2);
    list = c.tokens();
    EXPECT_EQ(list.names, std::vector<std::string>{name1});
    c.logout(std::string("unknown-name")); // ignored
    c.logout();
    EXPECT_FALSE(fs::exists(token_file));
    EXPECT_TRUE(c.tokens().names.empty());
    expect_error(HF_ERR_NO_TOKEN, [&] { c.whoami(); });
}

TEST_F(HubTest, LoginRefusesOrgTokens) {
    expect_error(HF_ERR_INVALID_ARGUMENT, [&] { client(std::nullopt).login("api_org_0123456789"); });
    expect_error(HF_ERR_INVALID_ARGUMENT, [&] { client(std::nullopt).login(""); });
}
