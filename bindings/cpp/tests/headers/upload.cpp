// hf_hub/upload.hpp compiles on its own: it is included first (twice, so its guard is checked too), before
// any other header, and without the umbrella hf_hub.hpp.
#include "hf_hub/upload.hpp"
#include "hf_hub/upload.hpp"

#ifdef HF_HUB_HPP
#error "hf_hub/upload.hpp includes the umbrella hf_hub.hpp"
#endif

#include <gtest/gtest.h>

TEST(CppHeaderAlone, Upload) {
    hf::Commit c;
    c.add_bytes("a.txt", "a").delete_file("b.txt");
    EXPECT_EQ(c.size(), 2u);
    // no client: the library refuses it
    const hf::Result<hf::CommitInfo> r = hf::detail::commit_push(nullptr, "org/repo", c, "msg", {});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().status(), HF_ERR_INVALID_ARGUMENT);
}
