// The public header compiles as C++ (-Wall -Wextra -Werror -Wpedantic) and its symbols have C linkage.
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
