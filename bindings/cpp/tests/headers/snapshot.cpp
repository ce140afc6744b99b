// hf_hub/snapshot.hpp compiles on its own: it is included first (twice, so its guard is checked too), before
// any other header, and without the umbrella hf_hub.hpp.
#include "hf_hub/snapshot.hpp"
#include "hf_hub/snapshot.hpp"

#ifdef HF_HUB_HPP
#error "hf_hub/snapshot.hpp includes the umbrella hf_hub.hpp"
#endif

#include <gtest/gtest.h>

TEST(CppHeaderAlone, Snapshot) {
    hf::SnapshotOptions o;
    EXPECT_TRUE(o.verify);
    EXPECT_EQ(o.max_workers, 0u);
    // no client: the library refuses it
    const hf::Result<hf::Snapshot> r = hf::detail::snapshot_download(nullptr, "org/repo", o);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().status(), HF_ERR_INVALID_ARGUMENT);
    // a pattern with a NUL byte never reaches the library
    o.allow_patterns = {"*.json", std::string("a\0b", 3)};
    const hf::Result<hf::Snapshot> nul = hf::detail::snapshot_download(nullptr, "org/repo", o);
    ASSERT_FALSE(nul);
    EXPECT_NE(std::string(nul.error().what()).find("allow_patterns[1]"), std::string::npos) << nul.error().what();
}
