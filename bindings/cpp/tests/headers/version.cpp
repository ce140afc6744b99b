// hf_hub/version.hpp compiles on its own: it is included first (twice, so its guard is checked too), before
// any other header, and without the umbrella hf_hub.hpp.
#include "hf_hub/version.hpp"
#include "hf_hub/version.hpp"

#ifdef HF_HUB_HPP
#error "hf_hub/version.hpp includes the umbrella hf_hub.hpp"
#endif

#include <gtest/gtest.h>

TEST(CppHeaderAlone, Version) {
    EXPECT_EQ(hf::version_number(), hf::header_version_number);
    EXPECT_EQ(hf::version(), hf::header_version);
}
