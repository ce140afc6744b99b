// The public header compiles as C++11 and C++17 (-Wall -Wextra -Werror -Wpedantic -Wundef) and its symbols
// have C linkage. Built as c_header_cpp (C++11) and c_header_cpp17.
#include "hf_hub.h"
#include "hf_hub.h" // include guard

#include <cstring>

int main() {
    hf_client_options opts;
    hf_client_options_init(&opts);
    hf_download_options dl;
    hf_download_options_init(&dl);
    const char *v = hf_version();
    hf_status_str(HF_OK);
    hf_string_free(nullptr);
    return (v != nullptr && std::strlen(v) > 0 && opts.struct_size == sizeof opts &&
            dl.struct_size == sizeof dl)
               ? 0
               : 1;
}
