/* The public header compiles on its own as strict C99 and C11 (-Wall -Wextra -Werror -Wpedantic -Wundef
 * -Wstrict-prototypes) and links. Built as c_header_c99 and c_header_c. */
#include "hf_hub.h"

int main(void) {
    hf_client_options opts;
    hf_download_options dl;
    hf_client_options_init(&opts);
    hf_download_options_init(&dl);
    return (opts.struct_size == sizeof opts && dl.struct_size == sizeof dl && hf_version() != 0) ? HF_OK : 1;
}
