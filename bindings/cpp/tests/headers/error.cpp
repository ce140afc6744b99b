// hf_hub/error.hpp compiles on its own: it is included first (twice, so its guard is checked too), before
// any other header, and without the umbrella hf_hub.hpp.
#include "hf_hub/error.hpp"
#include "hf_hub/error.hpp"

#ifdef HF_HUB_HPP
#error "hf_hub/error.hpp includes the umbrella hf_hub.hpp"
#endif

#include <gtest/gtest.h>

TEST(CppHeaderAlone, Error) {
    const hf::Result<int> r = hf::Error(hf::Status::Io, "x");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().status(), HF_ERR_IO);
    EXPECT_EQ(r.error().name(), "HF_ERR_IO");
    EXPECT_THROW((void)r.value(), hf::Error);
}
