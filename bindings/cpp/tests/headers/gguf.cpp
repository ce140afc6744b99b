// hf_hub/gguf.hpp compiles on its own: it is included first (twice, so its guard is checked too), before
// any other header, and without the umbrella hf_hub.hpp.
#include "hf_hub/gguf.hpp"
#include "hf_hub/gguf.hpp"

#ifdef HF_HUB_HPP
#error "hf_hub/gguf.hpp includes the umbrella hf_hub.hpp"
#endif

#include <gtest/gtest.h>

TEST(CppHeaderAlone, Gguf) {
    const hf::GgufOptions o;
    EXPECT_TRUE(o.verify);
    EXPECT_FALSE(o.no_mmproj);
    // no client: the library refuses it
    const hf::Result<hf::GgufPlan> r = hf::detail::gguf_resolve(nullptr, "org/repo:Q4_K_M", o);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().status(), HF_ERR_INVALID_ARGUMENT);
}
