// hf_hub/cache.hpp compiles on its own: it is included first (twice, so its guard is checked too), before
// any other header, and without the umbrella hf_hub.hpp.
#include "hf_hub/cache.hpp"
#include "hf_hub/cache.hpp"

#ifdef HF_HUB_HPP
#error "hf_hub/cache.hpp includes the umbrella hf_hub.hpp"
#endif

#include <gtest/gtest.h>

TEST(CppHeaderAlone, Cache) {
    EXPECT_EQ(hf::detail::split_refs("main,v1.0"), (std::vector<std::string>{"main", "v1.0"}));
    EXPECT_TRUE(hf::detail::split_refs("").empty());
    EXPECT_TRUE(hf::detail::split_refs(nullptr).empty());
    EXPECT_EQ(static_cast<int32_t>(hf::CachePlanKind::Incomplete), HF_CACHE_PLAN_INCOMPLETE);

    // no client: the library refuses it
    const hf::Result<hf::CacheInfo> scan = hf::detail::cache_scan(nullptr);
    ASSERT_FALSE(scan);
    EXPECT_EQ(scan.error().status(), HF_ERR_INVALID_ARGUMENT);

    // a CacheInfo without a scan is empty, and no plan can be made from it
    const hf::CacheInfo none{hf::CacheInfoHandle()};
    EXPECT_EQ(none.size_on_disk(), 0u);
    EXPECT_TRUE(none.repos().empty());
    EXPECT_EQ(none.native(), nullptr);
    const hf::Result<hf::CachePlan> plan = none.try_plan_prune();
    ASSERT_FALSE(plan);
    EXPECT_EQ(plan.error().status(), HF_ERR_INVALID_ARGUMENT);
}
