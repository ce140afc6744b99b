// hf_hub/detail.hpp compiles on its own: it is included first (twice, so its guard is checked too), before
// any other header, and without the umbrella hf_hub.hpp.
#include "hf_hub/detail.hpp"
#include "hf_hub/detail.hpp"

#ifdef HF_HUB_HPP
#error "hf_hub/detail.hpp includes the umbrella hf_hub.hpp"
#endif

#include <gtest/gtest.h>

TEST(CppHeaderAlone, Detail) {
    hf::detail::Args args;
    EXPECT_STREQ(args.str("org/repo", "repo_id"), "org/repo");
    EXPECT_EQ(args.opt(std::optional<std::string>(), "revision"), nullptr);
    EXPECT_EQ(args.millis(std::chrono::seconds(2), "timeout"), 2000u);
    EXPECT_FALSE(args.failed());
    (void)args.str(std::string_view("a\0b", 3), "filename");
    (void)args.millis(std::chrono::milliseconds(-1), "timeout");
    ASSERT_TRUE(args.failed());
    EXPECT_EQ(args.error().status(), HF_ERR_INVALID_ARGUMENT);
    EXPECT_STREQ(args.error().what(), "filename contains a NUL byte"); // the first error is kept
}
