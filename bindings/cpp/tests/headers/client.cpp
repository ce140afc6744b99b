// hf_hub/client.hpp compiles on its own: it is included first (twice, so its guard is checked too), before
// any other header, and without the umbrella hf_hub.hpp.
#include "hf_hub/client.hpp"
#include "hf_hub/client.hpp"

#ifdef HF_HUB_HPP
#error "hf_hub/client.hpp includes the umbrella hf_hub.hpp"
#endif

#include <gtest/gtest.h>

TEST(CppHeaderAlone, Client) {
    hf::ClientOptions o;
    o.ignore_env = true;
    o.endpoint = "not a url";
    const hf::Result<hf::Client> r = hf::Client::try_create(o);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().status(), HF_ERR_INVALID_ARGUMENT);
}
