// hf_hub/download.hpp compiles on its own: it is included first (twice, so its guard is checked too), before
// any other header, and without the umbrella hf_hub.hpp.
#include "hf_hub/download.hpp"
#include "hf_hub/download.hpp"

#ifdef HF_HUB_HPP
#error "hf_hub/download.hpp includes the umbrella hf_hub.hpp"
#endif

#include <gtest/gtest.h>

TEST(CppHeaderAlone, Download) {
    const hf::DownloadOptions o;
    EXPECT_TRUE(o.verify);
    // no client: the library refuses it
    const hf::Result<std::filesystem::path> r = hf::detail::file_download(nullptr, "org/repo", "f.txt", o);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().status(), HF_ERR_INVALID_ARGUMENT);
}
