// hf_hub/repo.hpp compiles on its own: it is included first (twice, so its guard is checked too), before
// any other header, and without the umbrella hf_hub.hpp.
#include "hf_hub/repo.hpp"
#include "hf_hub/repo.hpp"

#ifdef HF_HUB_HPP
#error "hf_hub/repo.hpp includes the umbrella hf_hub.hpp"
#endif

#include <gtest/gtest.h>

TEST(CppHeaderAlone, Repo) {
    const hf::RepoOptions o;
    EXPECT_EQ(o.repo_type, hf::RepoType::Model);
    EXPECT_EQ(hf::detail::split_commas("alice,bob"), (std::vector<std::string>{"alice", "bob"}));
    // no client: the library refuses every call
    const hf::Result<hf::RepoInfo> info = hf::detail::repo_info(nullptr, "org/repo", o);
    ASSERT_FALSE(info);
    EXPECT_EQ(info.error().status(), HF_ERR_INVALID_ARGUMENT);
    const hf::Result<bool> exists = hf::detail::repo_exists(nullptr, "org/repo", o);
    ASSERT_FALSE(exists);
    EXPECT_EQ(exists.error().status(), HF_ERR_INVALID_ARGUMENT);
    const hf::Result<hf::RepoEntries> tree = hf::detail::list_tree(nullptr, "org/repo", std::nullopt, true, o);
    ASSERT_FALSE(tree);
    EXPECT_EQ(tree.error().status(), HF_ERR_INVALID_ARGUMENT);
}
