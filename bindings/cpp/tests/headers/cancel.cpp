// hf_hub/cancel.hpp compiles on its own: it is included first (twice, so its guard is checked too), before
// any other header, and without the umbrella hf_hub.hpp.
#include "hf_hub/cancel.hpp"
#include "hf_hub/cancel.hpp"

#ifdef HF_HUB_HPP
#error "hf_hub/cancel.hpp includes the umbrella hf_hub.hpp"
#endif

#include <gtest/gtest.h>

TEST(CppHeaderAlone, Cancel) {
    hf::CancelToken token;
    const hf_call_options c = hf::detail::call_options(hf::CallOptions{&token});
    EXPECT_EQ(c.struct_size, sizeof(hf_call_options));
    EXPECT_EQ(c.cancel, token.native());
    EXPECT_EQ(hf::detail::call_options({}).cancel, nullptr);
}
