/* Downloads against the hub emulator: cache layout (snapshots, blobs, refs, symlinks), content and
 * hashes, LFS through the CDN without the token, metadata, cache lookups, offline mode,
 * local_files_only, revisions, subfolders, datasets, force_download. */
#define _GNU_SOURCE
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "test_util.h"

static tu_emulator g_emu;
static char *g_home;
static char *g_cache;
static char *g_commit; /* main's commit of test-org/test-model */

/* path == <cache>/<folder>/snapshots/<40 hex>/<filename>; returns the commit (malloc'd). */
static char *check_snapshot_path(const char *path, const char *folder, const char *filename) {
    char *prefix = tu_strdup_printf("%s/%s/snapshots/", g_cache, folder);
    size_t pl = strlen(prefix);
    CHECK_MSG(strncmp(path, prefix, pl) == 0, "path %s does not start with %s", path, prefix);
    const char *rest = path + pl;
    CHECK_MSG(strlen(rest) > 41 && tu_is_hex(rest, 40) && rest[40] == '/', "no commit dir in %s", path);
    CHECK_STR_EQ(rest + 41, filename);
    char *commit = strndup(rest, 40);
    free(prefix);
    return commit;
}

/* The snapshot file is a relative symlink to ../../blobs/<name>; returns the blob name (malloc'd). */
static char *check_blob_link(const char *path, const char *filename) {
    CHECK_MSG(tu_is_symlink(path), "%s is not a symlink", path);
    char *target = tu_readlink(path);
    CHECK(target != NULL);
    int depth = 2;
    for (const char *p = filename; *p; p++) depth += *p == '/';
    const char *t = target;
    for (int i = 0; i < depth; i++) {
        CHECK_MSG(strncmp(t, "../", 3) == 0, "symlink %s -> %s: expected %d x ../", path, target, depth);
        t += 3;
    }
    CHECK_MSG(strncmp(t, "blobs/", 6) == 0, "symlink %s -> %s", path, target);
    char *blob = strdup(t + 6);
    free(target);
    return blob;
}

static char *download_ok(hf_client *c, const char *repo, const char *filename, const hf_download_options *o) {
    char *path = NULL;
    hf_error *err = NULL;
    int32_t st = hf_file_download(c, repo, filename, o, &path, &err);
    CHECK_STATUS(st, HF_OK, &err);
    CHECK(path != NULL);
    return path;
}

/* The bytes the Hub serves for a regular file, straight from the emulator. */
static char *fetch_raw(const char *repo_path, const char *filename, size_t *len) {
    char *url = tu_strdup_printf("%s/%s/resolve/main/%s", g_emu.hub, repo_path, filename);
    int status = 0;
    char *body = tu_http("GET", url, NULL, NULL, &status);
    CHECK_MSG(body && status == 200, "GET %s -> %d", url, status);
    free(url);
    *len = strlen(body);
    return body;
}

static void test_regular_file(void) {
    hf_client *c = tu_client(&g_emu, g_home, DEMO_TOKEN, 0);
    tu_emulator_clear_requests(&g_emu);
    char *path = download_ok(c, DEMO_MODEL, "config.json", NULL);
    g_commit = check_snapshot_path(path, "models--test-org--test-model", "config.json");

    /* second call: same path, no second GET of the content */
    char *path2 = download_ok(c, DEMO_MODEL, "config.json", NULL);
    CHECK_STR_EQ(path2, path);
    char *log = tu_emulator_requests(&g_emu);
    CHECK_MSG(tu_count_requests(log, "Hub", "GET", "/config.json") == 1, "expected one GET: %s", log);

    /* content */
    size_t len = 0, raw_len = 0;
    char *data = tu_read_file(path, &len);
    char *raw = fetch_raw(DEMO_MODEL, "config.json", &raw_len);
    CHECK(data != NULL);
    CHECK_EQ_INT(len, raw_len);
    CHECK(memcmp(data, raw, len) == 0);

    /* blob named after the ETag = git blob sha1 of the content */
    char *blob = check_blob_link(path, "config.json");
    char sha1[41];
    tu_git_blob_sha1_hex(data, len, sha1);
    CHECK_STR_EQ(blob, sha1);
    char *blob_path = tu_strdup_printf("%s/models--test-org--test-model/blobs/%s", g_cache, blob);
    struct stat st;
    CHECK(lstat(blob_path, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size == len);

    /* refs/main holds the commit */
    char *ref_path = tu_strdup_printf("%s/models--test-org--test-model/refs/main", g_cache);
    char *ref = tu_read_file(ref_path, NULL);
    CHECK_MSG(ref != NULL, "%s missing", ref_path);
    CHECK_STR_EQ(ref, g_commit);

    free(log);
    hf_string_free(path2);
    free(ref);
    free(ref_path);
    free(blob_path);
    free(blob);
    free(raw);
    free(data);
    hf_string_free(path);
    hf_client_free(c);
}

static void test_lfs_file(void) {
    hf_client *c = tu_client(&g_emu, g_home, DEMO_TOKEN, 0);
    tu_emulator_clear_requests(&g_emu);
    char *path = download_ok(c, DEMO_MODEL, "model.safetensors", NULL);
    char *commit = check_snapshot_path(path, "models--test-org--test-model", "model.safetensors");
    CHECK_STR_EQ(commit, g_commit);

    size_t len = 0;
    char *data = tu_read_file(path, &len);
    CHECK(data != NULL);
    CHECK_EQ_INT(len, MIB);
    char sha256[65];
    tu_sha256_hex(data, len, sha256);
    char *blob = check_blob_link(path, "model.safetensors");
    CHECK_STR_EQ(blob, sha256);

    /* The Hub saw the token; the CDN GET did not. */
    char *log = tu_emulator_requests(&g_emu);
    tu_json_objs objs = tu_json_split_array(log);
    size_t cdn_gets = 0, hub_with_auth = 0;
    for (size_t i = 0; i < objs.count; i++) {
        char *origin = tu_json_get_string(objs.items[i], "origin");
        char *method = tu_json_get_string(objs.items[i], "method");
        CHECK(origin && method);
        bool auth = tu_request_has_header(objs.items[i], "authorization");
        if (strcasecmp(origin, "cdn") == 0) {
            CHECK_MSG(!auth, "a CDN request carried the token: %s", objs.items[i]);
            if (strcmp(method, "GET") == 0) cdn_gets++;
        } else if (auth) {
            hub_with_auth++;
        }
        free(origin);
        free(method);
    }
    CHECK_MSG(cdn_gets >= 1, "no CDN GET in the request log: %s", log);
    CHECK_MSG(hub_with_auth >= 1, "no Hub request carried the token: %s", log);

    tu_json_objs_free(&objs);
    free(log);
    free(blob);
    free(data);
    free(commit);
    hf_string_free(path);
    hf_client_free(c);
}

static void test_metadata(void) {
    hf_client *c = tu_client(&g_emu, g_home, DEMO_TOKEN, 0);
    hf_file_metadata *m = NULL;
    hf_error *err = NULL;

    CHECK_STATUS(hf_file_get_metadata(c, DEMO_MODEL, "model.safetensors", NULL, &m, &err), HF_OK, &err);
    CHECK(m != NULL);
    CHECK_STR_EQ(hf_file_metadata_commit(m), g_commit);
    CHECK(hf_file_metadata_is_lfs(m));
    CHECK_EQ_INT(hf_file_metadata_size(m), MIB);
    const char *etag = hf_file_metadata_etag(m);
    CHECK(etag && strlen(etag) == 64 && tu_is_hex(etag, 64));
    const char *loc = hf_file_metadata_location(m);
    CHECK_MSG(loc && strncmp(loc, g_emu.cdn, strlen(g_emu.cdn)) == 0, "location %s is not on the CDN %s",
              loc ? loc : "(null)", g_emu.cdn);
    hf_file_metadata_free(m);

    m = NULL;
    CHECK_STATUS(hf_file_get_metadata(c, DEMO_MODEL, "config.json", NULL, &m, &err), HF_OK, &err);
    CHECK(!hf_file_metadata_is_lfs(m));
    etag = hf_file_metadata_etag(m);
    CHECK(etag && strlen(etag) == 40 && tu_is_hex(etag, 40));
    CHECK(hf_file_metadata_size(m) > 0);
    CHECK_STR_EQ(hf_file_metadata_commit(m), g_commit);
    hf_file_metadata_free(m);

    m = (hf_file_metadata *)&g_emu;
    CHECK_STATUS(hf_file_get_metadata(c, DEMO_MODEL, "nope.bin", NULL, &m, &err), HF_ERR_ENTRY_NOT_FOUND, &err);
    CHECK(m == (hf_file_metadata *)&g_emu);
    hf_client_free(c);
}

static void test_subdir_subfolder_revision(void) {
    hf_client *c = tu_client(&g_emu, g_home, DEMO_TOKEN, 0);
    char *path = download_ok(c, DEMO_MODEL, "subdir/data.txt", NULL);
    free(check_snapshot_path(path, "models--test-org--test-model", "subdir/data.txt"));
    char *blob = check_blob_link(path, "subdir/data.txt");
    size_t len = 0;
    char *data = tu_read_file(path, &len);
    char sha1[41];
    tu_git_blob_sha1_hex(data, len, sha1);
    CHECK_STR_EQ(blob, sha1);

    /* the same file through `subfolder` */
    hf_download_options o;
    hf_download_options_init(&o);
    o.subfolder = "subdir";
    char *path2 = download_ok(c, DEMO_MODEL, "data.txt", &o);
    CHECK_STR_EQ(path2, path);

    /* pinned to the commit hash: same snapshot */
    hf_download_options_init(&o);
    o.revision = g_commit;
    char *path3 = download_ok(c, DEMO_MODEL, "subdir/data.txt", &o);
    CHECK_STR_EQ(path3, path);

    hf_string_free(path3);
    hf_string_free(path2);
    free(data);
    free(blob);
    hf_string_free(path);
    hf_client_free(c);
}

static void test_dataset(void) {
    hf_client *c = tu_client(&g_emu, g_home, DEMO_TOKEN, 0);
    hf_download_options o;
    hf_download_options_init(&o);
    o.repo_type = HF_REPO_TYPE_DATASET;
    char *path = download_ok(c, "test-org/test-dataset", "data/train.csv", &o);
    free(check_snapshot_path(path, "datasets--test-org--test-dataset", "data/train.csv"));
    size_t len = 0;
    char *data = tu_read_file(path, &len);
    CHECK(data && len > 0);
    free(data);
    hf_string_free(path);

    /* as a model it does not exist */
    hf_error *err = NULL;
    path = NULL;
    CHECK_STATUS(hf_file_download(c, "test-org/test-dataset", "data/train.csv", NULL, &path, &err),
                 HF_ERR_REPO_NOT_FOUND, &err);
    CHECK(path == NULL);
    hf_client_free(c);
}

static void test_cache_try_load(void) {
    hf_client *c = tu_client(&g_emu, g_home, NULL, 0);
    hf_error *err = NULL;
    int32_t result = -1;
    char *path = NULL;

    CHECK_STATUS(hf_cache_try_load(c, DEMO_MODEL, "config.json", NULL, &result, &path, &err), HF_OK, &err);
    CHECK_EQ_INT(result, HF_CACHE_FOUND);
    CHECK(path != NULL);
    free(check_snapshot_path(path, "models--test-org--test-model", "config.json"));
    hf_string_free(path);

    path = NULL;
    CHECK_STATUS(hf_cache_try_load(c, DEMO_MODEL, "README.md", NULL, &result, &path, &err), HF_OK, &err);
    CHECK_EQ_INT(result, HF_CACHE_UNKNOWN);
    CHECK(path == NULL);

    /* a 404 is remembered in .no_exist */
    CHECK_STATUS(hf_file_download(c, DEMO_MODEL, "missing.txt", NULL, &path, &err), HF_ERR_ENTRY_NOT_FOUND, &err);
    CHECK_STATUS(hf_cache_try_load(c, DEMO_MODEL, "missing.txt", NULL, &result, &path, &err), HF_OK, &err);
    CHECK_EQ_INT(result, HF_CACHE_KNOWN_MISSING);
    CHECK(path == NULL);

    /* another repo: unknown */
    CHECK_STATUS(hf_cache_try_load(c, "test-org/other", "config.json", NULL, &result, &path, &err), HF_OK, &err);
    CHECK_EQ_INT(result, HF_CACHE_UNKNOWN);
    hf_client_free(c);
}

static void test_offline(void) {
    hf_client *c = tu_client(&g_emu, g_home, NULL, 1);
    tu_emulator_clear_requests(&g_emu);
    char *path = download_ok(c, DEMO_MODEL, "config.json", NULL);
    free(check_snapshot_path(path, "models--test-org--test-model", "config.json"));
    hf_string_free(path);
    path = download_ok(c, DEMO_MODEL, "model.safetensors", NULL);
    hf_string_free(path);

    hf_error *err = NULL;
    path = NULL;
    CHECK_STATUS(hf_file_download(c, DEMO_MODEL, "README.md", NULL, &path, &err), HF_ERR_OFFLINE, &err);
    CHECK(path == NULL);
    CHECK_STATUS(hf_file_download(c, "test-org/private-model", "config.json", NULL, &path, &err), HF_ERR_OFFLINE, &err);

    char *log = tu_emulator_requests(&g_emu);
    CHECK_MSG(tu_count_requests(log, NULL, NULL, NULL) == 0, "offline client made requests: %s", log);
    free(log);
    hf_client_free(c);

    /* local_files_only on an online client behaves the same */
    c = tu_client(&g_emu, g_home, NULL, 0);
    hf_download_options o;
    hf_download_options_init(&o);
    o.local_files_only = true;
    path = download_ok(c, DEMO_MODEL, "config.json", &o);
    hf_string_free(path);
    path = NULL;
    CHECK_STATUS(hf_file_download(c, DEMO_MODEL, "README.md", &o, &path, &err), HF_ERR_OFFLINE, &err);
    log = tu_emulator_requests(&g_emu);
    CHECK_MSG(tu_count_requests(log, NULL, NULL, NULL) == 0, "local_files_only made requests: %s", log);
    free(log);
    hf_client_free(c);
}

static void test_force_download(void) {
    hf_client *c = tu_client(&g_emu, g_home, NULL, 0);
    tu_emulator_clear_requests(&g_emu);
    hf_download_options o;
    hf_download_options_init(&o);
    o.force_download = true;
    char *path = download_ok(c, DEMO_MODEL, "config.json", &o);
    char *log = tu_emulator_requests(&g_emu);
    CHECK_MSG(tu_count_requests(log, "Hub", "GET", "/config.json") == 1, "force_download did not GET: %s", log);
    free(log);
    hf_string_free(path);
    hf_client_free(c);
}

int main(void) {
    tu_emulator_start(&g_emu, NULL);
    g_home = tu_mkdtemp("download");
    g_cache = tu_path_join(g_home, "hub");
    RUN_TEST(test_regular_file);
    RUN_TEST(test_lfs_file);
    RUN_TEST(test_metadata);
    RUN_TEST(test_subdir_subfolder_revision);
    RUN_TEST(test_dataset);
    RUN_TEST(test_cache_try_load);
    RUN_TEST(test_offline);
    RUN_TEST(test_force_download);
    tu_emulator_stop(&g_emu);
    tu_rm_rf(g_home);
    free(g_cache);
    free(g_home);
    free(g_commit);
    return 0;
}
