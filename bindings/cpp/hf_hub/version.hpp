// hf_hub/version.hpp — the versions of hf_hub.h (compiled in) and of libhf_hub (loaded at run time),
// and the compile-time check that this wrapper matches hf_hub.h. Part of hf_hub.hpp; compiles alone.
#ifndef HF_HUB_CPP_VERSION_HPP
#define HF_HUB_CPP_VERSION_HPP

#include "hf_hub.h"

#include <cstdint>
#include <string>
#include <string_view>

#ifndef HF_HUB_VERSION_NUMBER
#error "hf_hub.hpp needs an hf_hub.h with HF_HUB_VERSION_NUMBER, hf_call_options and hf_auth_whoami_ex"
#endif

// The C API version this wrapper was written against. 0.x: a minor bump may change the ABI, so the
// wrapper requires the same major and at least this minor (options structs only grow at the end).
#define HF_HUB_CPP_API_MAJOR 0
#define HF_HUB_CPP_API_MINOR 1

static_assert(HF_HUB_VERSION_MAJOR == HF_HUB_CPP_API_MAJOR,
              "hf_hub.hpp does not match the major version of hf_hub.h");
static_assert(HF_HUB_VERSION_MINOR >= HF_HUB_CPP_API_MINOR, "hf_hub.hpp needs a newer hf_hub.h");
static_assert(HF_HUB_VERSION_NUMBER ==
                  HF_HUB_VERSION_MAJOR * 1000000 + HF_HUB_VERSION_MINOR * 1000 + HF_HUB_VERSION_PATCH,
              "HF_HUB_VERSION_NUMBER disagrees with HF_HUB_VERSION_MAJOR/MINOR/PATCH");

#define HF_HUB_CPP_STR2_(x) #x
#define HF_HUB_CPP_STR_(x) HF_HUB_CPP_STR2_(x)

namespace hf {

// The version of the header compiled in (HF_HUB_VERSION_*), e.g. "0.1.0" and 1000.
inline constexpr int version_major = HF_HUB_VERSION_MAJOR;
inline constexpr int version_minor = HF_HUB_VERSION_MINOR;
inline constexpr int version_patch = HF_HUB_VERSION_PATCH;
inline constexpr std::string_view header_version = HF_HUB_CPP_STR_(HF_HUB_VERSION_MAJOR) "." HF_HUB_CPP_STR_(
    HF_HUB_VERSION_MINOR) "." HF_HUB_CPP_STR_(HF_HUB_VERSION_PATCH);
// MAJOR * 1000000 + MINOR * 1000 + PATCH (HF_HUB_VERSION_NUMBER).
inline constexpr uint32_t header_version_number = HF_HUB_VERSION_NUMBER;

// The version of the library loaded at run time (hf_version()), "MAJOR.MINOR.PATCH".
inline std::string version() { return hf_version(); }

// The version of the library loaded at run time as one number (hf_version_number()), comparable
// with header_version_number.
inline uint32_t version_number() noexcept { return hf_version_number(); }

} // namespace hf

#endif // HF_HUB_CPP_VERSION_HPP
