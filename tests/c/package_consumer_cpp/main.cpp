// Built with nothing but hf_hub::cpp: the wrapper header, C++17 and the library all come from it.
#include <hf_hub.hpp>

#include <cstdio>
#include <string>

static_assert(__cplusplus >= 201703L, "hf_hub::cpp must bring C++17");

int main() {
    const std::string v = hf::version(); // the wrapper, over hf_version() in the shared library
    if (hf_version_number() != HF_HUB_VERSION_NUMBER || v.empty()) {
        std::fprintf(stderr, "library %s (%u) does not match the header (%u)\n", v.c_str(), hf_version_number(),
                     static_cast<unsigned>(HF_HUB_VERSION_NUMBER));
        return 1;
    }
    std::printf("hf_hub::cpp consumer: libhf_hub %s\n", v.c_str());
    return 0;
}
