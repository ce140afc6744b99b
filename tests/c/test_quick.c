/* A short download scenario, run under valgrind (ctest label "memcheck") and AddressSanitizer:
 * a regular file, an LFS file, a cache hit, an error object, metadata and whoami. */
#define _GNU_SOURCE
#include <string.h>

#include "test_util.h"

int main(void) {
    tu_emulator emu;
    tu_emulator_start(&emu, NULL);
    char *home = tu_mkdtemp("quick");
    hf_client *c = tu_client(&emu, home, DEMO_TOKEN, 0);
    hf_error *err = NULL;
    char *path = NULL;

    CHECK_STATUS(hf_file_download(c, DEMO_MODEL, "config.json", NULL, &path, &err), HF_OK, &err);
    CHECK(tu_ends_with(path, "/config.json"));
    hf_string_free(path);
    CHECK_STATUS(hf_file_download(c, DEMO_MODEL, "config.json", NULL, &path, &err), HF_OK, &err);
    hf_string_free(path);
    CHECK_STATUS(hf_file_download(c, DEMO_MODEL, "model.safetensors", NULL, &path, &err), HF_OK, &err);
    size_t len = 0;
    char *data = tu_read_file(path, &len);
    CHECK_EQ_INT(len, MIB);
    free(data);
    hf_string_free(path);

    CHECK_EQ_INT(hf_file_download(c, DEMO_MODEL, "missing.txt", NULL, &path, &err), HF_ERR_ENTRY_NOT_FOUND);
    CHECK(err && hf_error_message(err) && hf_error_http_status(err) == 404);
    ERR_CLEAR(err);

    hf_file_metadata *m = NULL;
    CHECK_STATUS(hf_file_get_metadata(c, DEMO_MODEL, "model.safetensors", NULL, &m, &err), HF_OK, &err);
    CHECK(hf_file_metadata_is_lfs(m));
    hf_file_metadata_free(m);

    hf_user *u = NULL;
    CHECK_STATUS(hf_auth_whoami(c, &u, &err), HF_OK, &err);
    CHECK_STR_EQ(hf_user_name(u), DEMO_USER);
    hf_user_free(u);

    hf_client_free(c);
    tu_emulator_stop(&emu);
    tu_rm_rf(home);
    free(home);
    return 0;
}
