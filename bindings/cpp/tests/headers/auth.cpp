// hf_hub/auth.hpp compiles on its own: it is included first (twice, so its guard is checked too), before
// any other header, and without the umbrella hf_hub.hpp.
#include "hf_hub/auth.hpp"
#include "hf_hub/auth.hpp"

#ifdef HF_HUB_HPP
#error "hf_hub/auth.hpp includes the umbrella hf_hub.hpp"
#endif

#include <gtest/gtest.h>

TEST(CppHeaderAlone, Auth) {
    const hf::Result<hf::User> r = hf::detail::whoami(nullptr, {});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().status(), HF_ERR_INVALID_ARGUMENT);
}
