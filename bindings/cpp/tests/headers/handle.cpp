// hf_hub/handle.hpp compiles on its own: it is included first (twice, so its guard is checked too), before
// any other header, and without the umbrella hf_hub.hpp.
#include "hf_hub/handle.hpp"
#include "hf_hub/handle.hpp"

#ifdef HF_HUB_HPP
#error "hf_hub/handle.hpp includes the umbrella hf_hub.hpp"
#endif

#include <gtest/gtest.h>

TEST(CppHeaderAlone, Handle) {
    hf::StringListHandle empty;
    EXPECT_FALSE(empty);
    hf::CancelTokenHandle token(hf_cancel_token_new());
    ASSERT_TRUE(token);
    hf::CancelTokenHandle moved(std::move(token));
    EXPECT_FALSE(token); // NOLINT(bugprone-use-after-move)
    EXPECT_FALSE(hf_cancel_token_is_cancelled(moved.get()));
}
