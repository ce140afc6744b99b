/* No network: version, status strings, options structs, argument validation (NULL, bad UTF-8,
 * invalid ids), NULL-safe destructors, cancel tokens, an offline client on an empty cache.
 * Built twice: against the shared and against the static library. */
#define _GNU_SOURCE
#include <string.h>
#include <unistd.h>

#include "test_util.h"

#ifndef HF_TEST_VERSION
#error "HF_TEST_VERSION (the Cargo.toml version) must be defined by CMake"
#endif

static char *g_home;

static void test_version(void) {
    char expected[64];
    snprintf(expected, sizeof expected, "%d.%d.%d", HF_HUB_VERSION_MAJOR, HF_HUB_VERSION_MINOR,
             HF_HUB_VERSION_PATCH);
    const char *v = hf_version();
    CHECK(v != NULL);
    /* hf_version() may carry a suffix ("0.1.0-dev"), but starts with the macros' version. */
    CHECK_MSG(strncmp(v, expected, strlen(expected)) == 0, "hf_version() = %s, macros = %s", v, expected);
    CHECK_MSG(strcmp(expected, HF_TEST_VERSION) == 0, "header macros %s != Cargo.toml %s", expected,
              HF_TEST_VERSION);
    CHECK(hf_version() == v || strcmp(hf_version(), v) == 0); /* static, stable */
}

static void test_status_str(void) {
    static const int32_t codes[] = {
        HF_OK, HF_ERR_INVALID_ARGUMENT, HF_ERR_REPO_NOT_FOUND, HF_ERR_REVISION_NOT_FOUND,
        HF_ERR_ENTRY_NOT_FOUND, HF_ERR_GATED, HF_ERR_UNAUTHORIZED, HF_ERR_FORBIDDEN, HF_ERR_RATE_LIMITED,
        HF_ERR_OFFLINE, HF_ERR_INCOMPLETE_SNAPSHOT, HF_ERR_NETWORK, HF_ERR_TIMEOUT, HF_ERR_HTTP,
        HF_ERR_CHECKSUM, HF_ERR_IO, HF_ERR_CANCELLED, HF_ERR_INTERNAL, HF_ERR_DISABLED, HF_ERR_BAD_REQUEST,
        HF_ERR_METADATA, HF_ERR_NO_TOKEN, HF_ERR_STALE_PARENT};
    const size_t n = sizeof codes / sizeof codes[0];
    /* Codes are explicit and never reused. */
    for (size_t i = 0; i < n; i++) CHECK_EQ_INT(codes[i], (int32_t)i);
    for (size_t i = 0; i < n; i++) {
        const char *s = hf_status_str(codes[i]);
        CHECK_MSG(s != NULL && s[0] != '\0', "hf_status_str(%d) is empty", (int)codes[i]);
        for (size_t j = 0; j < i; j++)
            CHECK_MSG(strcmp(s, hf_status_str(codes[j])) != 0, "hf_status_str(%d) == hf_status_str(%d) = %s",
                      (int)codes[i], (int)codes[j], s);
    }
    /* Unknown codes still give static text. */
    CHECK(hf_status_str(-1) != NULL);
    CHECK(hf_status_str(9999) != NULL);
    CHECK(hf_status_str(INT32_MIN) != NULL);
}

static void test_null_safe_destructors(void) {
    hf_string_free(NULL);
    hf_error_free(NULL);
    hf_client_free(NULL);
    hf_file_metadata_free(NULL);
    hf_user_free(NULL);
    hf_cancel_token_free(NULL);
    /* Accessors on NULL do not crash. */
    (void)hf_error_status(NULL);
    (void)hf_error_message(NULL);
    (void)hf_error_http_status(NULL);
    (void)hf_error_request_id(NULL);
    (void)hf_user_name(NULL);
    (void)hf_user_org_count(NULL);
    (void)hf_user_org_name(NULL, 0);
    (void)hf_file_metadata_commit(NULL);
    (void)hf_file_metadata_etag(NULL);
    (void)hf_file_metadata_size(NULL);
    (void)hf_file_metadata_location(NULL);
    (void)hf_file_metadata_is_lfs(NULL);
    (void)hf_cancel_token_is_cancelled(NULL);
    hf_cancel_token_cancel(NULL);
    hf_client_options_init(NULL);
    hf_download_options_init(NULL);
}

static void test_options_init(void) {
    hf_client_options o;
    memset(&o, 0xAB, sizeof o);
    hf_client_options_init(&o);
    CHECK_EQ_INT(o.struct_size, sizeof o);
    CHECK(o.endpoint == NULL && o.hf_home == NULL && o.cache_dir == NULL && o.token == NULL);
    CHECK(o.token_path == NULL && o.user_agent == NULL && o.user_agent_origin == NULL);
    CHECK_EQ_INT(o.offline, -1);
    CHECK(!o.ignore_env);

    hf_download_options d;
    memset(&d, 0xAB, sizeof d);
    hf_download_options_init(&d);
    CHECK_EQ_INT(d.struct_size, sizeof d);
    CHECK_EQ_INT(d.repo_type, HF_REPO_TYPE_MODEL);
    CHECK(d.revision == NULL && d.subfolder == NULL && d.progress == NULL && d.user_data == NULL &&
          d.cancel == NULL);
    CHECK(!d.force_download && !d.local_files_only);
    CHECK(d.verify); /* SHA-256 verification of LFS files is on by default */
}

static void test_client_new_invalid(void) {
    hf_client *client = NULL;
    hf_error *err = NULL;
    hf_client_options o;

    /* client_out NULL */
    hf_client_options_init(&o);
    o.ignore_env = true;
    o.hf_home = g_home;
    CHECK_STATUS(hf_client_new(&o, NULL, &err), HF_ERR_INVALID_ARGUMENT, &err);
    CHECK_EQ_INT(hf_client_new(&o, NULL, NULL), HF_ERR_INVALID_ARGUMENT);

    /* bad UTF-8 in every string field */
    const char *bad = "\xff\xfe\x80";
    for (int field = 0; field < 7; field++) {
        hf_client_options_init(&o);
        o.ignore_env = true;
        o.hf_home = g_home;
        switch (field) {
        case 0: o.endpoint = bad; break;
        case 1: o.hf_home = bad; break;
        case 2: o.cache_dir = bad; break;
        case 3: o.token = bad; break;
        case 4: o.token_path = bad; break;
        case 5: o.user_agent = bad; break;
        default: o.user_agent_origin = bad; break;
        }
        client = (hf_client *)&o; /* sentinel: must stay untouched */
        int32_t st = hf_client_new(&o, &client, &err);
        CHECK_MSG(st == HF_ERR_INVALID_ARGUMENT, "field %d: status %d (%s)", field, (int)st, hf_status_str(st));
        CHECK_MSG(client == (hf_client *)&o, "field %d: client_out written on failure", field);
        CHECK(err != NULL);
        CHECK_EQ_INT(hf_error_status(err), HF_ERR_INVALID_ARGUMENT);
        CHECK(hf_error_message(err) != NULL && hf_error_message(err)[0] != '\0');
        ERR_CLEAR(err);
    }

    /* not a URL */
    hf_client_options_init(&o);
    o.ignore_env = true;
    o.hf_home = g_home;
    o.endpoint = "not a url";
    CHECK_STATUS(hf_client_new(&o, &client, &err), HF_ERR_INVALID_ARGUMENT, &err);
}

static void test_cancel_token(void) {
    hf_cancel_token *t = hf_cancel_token_new();
    CHECK(t != NULL);
    CHECK(!hf_cancel_token_is_cancelled(t));
    hf_cancel_token_cancel(t);
    CHECK(hf_cancel_token_is_cancelled(t));
    hf_cancel_token_cancel(t); /* idempotent */
    CHECK(hf_cancel_token_is_cancelled(t));
    hf_cancel_token_free(t);
}

static void test_cache_dir(void) {
    hf_client *c = tu_client(NULL, g_home, NULL, 1);
    char *dir = NULL;
    hf_error *err = NULL;
    CHECK_STATUS(hf_client_cache_dir(c, &dir, &err), HF_OK, &err);
    char *expected = tu_path_join(g_home, "hub");
    CHECK_STR_EQ(dir, expected);
    free(expected);
    hf_string_free(dir);
    CHECK_STATUS(hf_client_cache_dir(NULL, &dir, &err), HF_ERR_INVALID_ARGUMENT, &err);
    CHECK_STATUS(hf_client_cache_dir(c, NULL, &err), HF_ERR_INVALID_ARGUMENT, &err);
    hf_client_free(c);

    /* cache_dir overrides hf_home/hub */
    hf_client_options o;
    hf_client_options_init(&o);
    o.ignore_env = true;
    o.hf_home = g_home;
    char *custom = tu_path_join(g_home, "custom-cache");
    o.cache_dir = custom;
    CHECK_STATUS(hf_client_new(&o, &c, &err), HF_OK, &err);
    CHECK_STATUS(hf_client_cache_dir(c, &dir, &err), HF_OK, &err);
    CHECK_STR_EQ(dir, custom);
    hf_string_free(dir);
    hf_client_free(c);
    free(custom);
}

static void test_download_invalid_args(void) {
    hf_client *c = tu_client(NULL, g_home, NULL, 1);
    hf_error *err = NULL;
    char *sentinel = (char *)"untouched";
    char *path = sentinel;
    hf_download_options d;
    hf_download_options_init(&d);

    CHECK_STATUS(hf_file_download(NULL, DEMO_MODEL, "config.json", NULL, &path, &err), HF_ERR_INVALID_ARGUMENT, &err);
    CHECK_STATUS(hf_file_download(c, NULL, "config.json", NULL, &path, &err), HF_ERR_INVALID_ARGUMENT, &err);
    CHECK_STATUS(hf_file_download(c, DEMO_MODEL, NULL, NULL, &path, &err), HF_ERR_INVALID_ARGUMENT, &err);
    CHECK_STATUS(hf_file_download(c, DEMO_MODEL, "config.json", NULL, NULL, &err), HF_ERR_INVALID_ARGUMENT, &err);
    CHECK_EQ_INT(hf_file_download(c, NULL, NULL, NULL, NULL, NULL), HF_ERR_INVALID_ARGUMENT);
    /* bad UTF-8 */
    CHECK_STATUS(hf_file_download(c, "test-org/\xc3\x28", "config.json", NULL, &path, &err), HF_ERR_INVALID_ARGUMENT, &err);
    CHECK_STATUS(hf_file_download(c, DEMO_MODEL, "conf\xe2\x82ig.json", NULL, &path, &err), HF_ERR_INVALID_ARGUMENT, &err);
    d.revision = "\xff";
    CHECK_STATUS(hf_file_download(c, DEMO_MODEL, "config.json", &d, &path, &err), HF_ERR_INVALID_ARGUMENT, &err);
    hf_download_options_init(&d);
    d.subfolder = "\xfe";
    CHECK_STATUS(hf_file_download(c, DEMO_MODEL, "config.json", &d, &path, &err), HF_ERR_INVALID_ARGUMENT, &err);
    /* invalid repo ids and filenames, caught before any I/O */
    const char *bad_repos[] = {"", "a/b/c", "/abs", "org/", "org//name", "../x", "org/na me", NULL};
    for (int i = 0; bad_repos[i]; i++) {
        int32_t st = hf_file_download(c, bad_repos[i], "config.json", NULL, &path, &err);
        CHECK_MSG(st == HF_ERR_INVALID_ARGUMENT, "repo id \"%s\": status %d (%s)", bad_repos[i], (int)st,
                  hf_status_str(st));
        ERR_CLEAR(err);
    }
    const char *bad_files[] = {"", "../secret", "a/../../b", "/etc/passwd", NULL};
    for (int i = 0; bad_files[i]; i++) {
        int32_t st = hf_file_download(c, DEMO_MODEL, bad_files[i], NULL, &path, &err);
        CHECK_MSG(st == HF_ERR_INVALID_ARGUMENT, "filename \"%s\": status %d (%s)", bad_files[i], (int)st,
                  hf_status_str(st));
        ERR_CLEAR(err);
    }
    /* bad repo type */
    hf_download_options_init(&d);
    d.repo_type = 42;
    CHECK_STATUS(hf_file_download(c, DEMO_MODEL, "config.json", &d, &path, &err), HF_ERR_INVALID_ARGUMENT, &err);
    /* a too-small struct_size is rejected */
    hf_download_options_init(&d);
    d.struct_size = 0;
    CHECK_STATUS(hf_file_download(c, DEMO_MODEL, "config.json", &d, &path, &err), HF_ERR_INVALID_ARGUMENT, &err);
    CHECK(path == sentinel);

    /* metadata, cache lookup, auth */
    hf_file_metadata *m = (hf_file_metadata *)sentinel;
    CHECK_STATUS(hf_file_get_metadata(NULL, DEMO_MODEL, "config.json", NULL, &m, &err), HF_ERR_INVALID_ARGUMENT, &err);
    CHECK_STATUS(hf_file_get_metadata(c, DEMO_MODEL, "config.json", NULL, NULL, &err), HF_ERR_INVALID_ARGUMENT, &err);
    CHECK_STATUS(hf_file_get_metadata(c, "\x80", "config.json", NULL, &m, &err), HF_ERR_INVALID_ARGUMENT, &err);
    CHECK(m == (hf_file_metadata *)sentinel);
    int32_t result = 77;
    CHECK_STATUS(hf_cache_try_load(NULL, DEMO_MODEL, "config.json", NULL, &result, &path, &err), HF_ERR_INVALID_ARGUMENT, &err);
    CHECK_STATUS(hf_cache_try_load(c, DEMO_MODEL, "config.json", NULL, NULL, &path, &err), HF_ERR_INVALID_ARGUMENT, &err);
    CHECK_STATUS(hf_cache_try_load(c, DEMO_MODEL, "\xff", NULL, &result, &path, &err), HF_ERR_INVALID_ARGUMENT, &err);
    CHECK_EQ_INT(result, 77);
    hf_user *u = (hf_user *)sentinel;
    CHECK_STATUS(hf_auth_whoami(NULL, &u, &err), HF_ERR_INVALID_ARGUMENT, &err);
    CHECK_STATUS(hf_auth_whoami(c, NULL, &err), HF_ERR_INVALID_ARGUMENT, &err);
    CHECK(u == (hf_user *)sentinel);
    CHECK_STATUS(hf_auth_login(NULL, DEMO_TOKEN, NULL, &err), HF_ERR_INVALID_ARGUMENT, &err);
    CHECK_STATUS(hf_auth_login(c, NULL, NULL, &err), HF_ERR_INVALID_ARGUMENT, &err);
    CHECK_STATUS(hf_auth_login(c, "hf_\xff\xff", NULL, &err), HF_ERR_INVALID_ARGUMENT, &err);
    CHECK_STATUS(hf_auth_logout(NULL, NULL, &err), HF_ERR_INVALID_ARGUMENT, &err);
    CHECK_STATUS(hf_auth_logout(c, "\xff", &err), HF_ERR_INVALID_ARGUMENT, &err);
    CHECK_STATUS(hf_auth_switch(c, NULL, &err), HF_ERR_INVALID_ARGUMENT, &err);
    CHECK_STATUS(hf_auth_switch(NULL, "x", &err), HF_ERR_INVALID_ARGUMENT, &err);
    hf_client_free(c);
}

static void test_offline_empty_cache(void) {
    hf_client *c = tu_client(NULL, g_home, NULL, 1);
    hf_error *err = NULL;
    char *path = NULL;
    int32_t st = hf_file_download(c, DEMO_MODEL, "config.json", NULL, &path, &err);
    CHECK(path == NULL);
    CHECK(err != NULL);
    CHECK_EQ_INT(hf_error_status(err), st);
    CHECK_STATUS(st, HF_ERR_OFFLINE, &err);

    int32_t result = -1;
    path = NULL;
    CHECK_STATUS(hf_cache_try_load(c, DEMO_MODEL, "config.json", NULL, &result, &path, &err), HF_OK, &err);
    CHECK_EQ_INT(result, HF_CACHE_UNKNOWN);
    CHECK(path == NULL);
    /* error_out may be NULL */
    CHECK_EQ_INT(hf_file_download(c, DEMO_MODEL, "config.json", NULL, &path, NULL), HF_ERR_OFFLINE);
    hf_client_free(c);
}

int main(void) {
    g_home = tu_mkdtemp("basic");
    RUN_TEST(test_version);
    RUN_TEST(test_status_str);
    RUN_TEST(test_null_safe_destructors);
    RUN_TEST(test_options_init);
    RUN_TEST(test_client_new_invalid);
    RUN_TEST(test_cancel_token);
    RUN_TEST(test_cache_dir);
    RUN_TEST(test_download_invalid_args);
    RUN_TEST(test_offline_empty_cache);
    tu_rm_rf(g_home);
    free(g_home);
    return 0;
}
