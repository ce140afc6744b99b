/* Progress callbacks (values, cancellation by returning non-zero) and hf_cancel_token cancelled from
 * another thread during a throttled download. A cancelled download never publishes a blob. */
#define _GNU_SOURCE
#include <glob.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "test_util.h"

static tu_emulator g_emu;

#define LFS_FILE "model.safetensors"

typedef struct progress_log {
    int calls;
    int cancel_after; /* return non-zero on this call (1-based); 0 = never */
    uint64_t last_done;
    uint64_t total;
    bool monotonic;
    bool name_ok;
    bool size_ok;
} progress_log;

static int32_t on_progress(const hf_progress *p, void *user_data) {
    progress_log *log = user_data;
    log->calls++;
    if (p->struct_size < sizeof(hf_progress)) log->size_ok = false;
    if (!p->filename || strcmp(p->filename, LFS_FILE) != 0) log->name_ok = false;
    if (p->bytes_done < log->last_done) log->monotonic = false;
    log->last_done = p->bytes_done;
    log->total = p->bytes_total;
    return (log->cancel_after && log->calls >= log->cancel_after) ? 1 : 0;
}

static char *repo_dir(const char *home) {
    return tu_strdup_printf("%s/hub/models--test-org--test-model", home);
}

/* No complete blob and no snapshot entry for the LFS file (an .incomplete file may stay to resume). */
static void check_nothing_published(const char *home) {
    char *dir = repo_dir(home);
    char *blobs = tu_path_join(dir, "blobs");
    int n = tu_count_dir_entries(blobs, ".incomplete");
    CHECK_MSG(n <= 0, "%d complete blob(s) left in %s after a cancelled download", n, blobs);
    /* the snapshot folder may exist (it is created before the transfer, as in Python), the file not */
    char *pattern = tu_path_join(dir, "snapshots/*/" LFS_FILE);
    glob_t g;
    int rc = glob(pattern, GLOB_NOSORT, NULL, &g);
    CHECK_MSG(rc == GLOB_NOMATCH, "%s published after a cancelled download", rc == 0 ? g.gl_pathv[0] : pattern);
    if (rc == 0) globfree(&g);
    free(pattern);
    free(blobs);
    free(dir);
}

static void check_complete(const char *path) {
    size_t len = 0;
    char *data = tu_read_file(path, &len);
    CHECK(data && len == MIB);
    char sha[65];
    tu_sha256_hex(data, len, sha);
    char *target = tu_readlink(path);
    CHECK_MSG(target && tu_ends_with(target, sha), "blob %s is not named after its sha256 %s",
              target ? target : "(null)", sha);
    free(target);
    free(data);
}

static void test_progress_reports(void) {
    char *home = tu_mkdtemp("progress");
    hf_client *c = tu_client(&g_emu, home, NULL, 0);
    progress_log log = {0, 0, 0, 0, true, true, true};
    hf_download_options o;
    hf_download_options_init(&o);
    o.progress = on_progress;
    o.user_data = &log;
    char *path = NULL;
    hf_error *err = NULL;
    CHECK_STATUS(hf_file_download(c, DEMO_MODEL, LFS_FILE, &o, &path, &err), HF_OK, &err);
    CHECK(log.calls >= 1);
    CHECK(log.monotonic && log.name_ok && log.size_ok);
    CHECK_EQ_INT(log.total, MIB);
    CHECK_EQ_INT(log.last_done, MIB);
    check_complete(path);
    hf_string_free(path);
    hf_client_free(c);
    tu_rm_rf(home);
    free(home);
}

static void test_progress_cancel(void) {
    char *home = tu_mkdtemp("progress-cancel");
    hf_client *c = tu_client(&g_emu, home, NULL, 0);
    progress_log log = {0, 1, 0, 0, true, true, true};
    hf_download_options o;
    hf_download_options_init(&o);
    o.progress = on_progress;
    o.user_data = &log;
    char *path = NULL;
    hf_error *err = NULL;
    CHECK_STATUS(hf_file_download(c, DEMO_MODEL, LFS_FILE, &o, &path, &err), HF_ERR_CANCELLED, &err);
    CHECK(path == NULL);
    CHECK_EQ_INT(log.calls, 1); /* never called again after asking to stop */
    check_nothing_published(home);

    /* a later download completes (resuming or restarting) */
    log = (progress_log){0, 0, 0, 0, true, true, true};
    CHECK_STATUS(hf_file_download(c, DEMO_MODEL, LFS_FILE, &o, &path, &err), HF_OK, &err);
    check_complete(path);
    hf_string_free(path);
    hf_client_free(c);
    tu_rm_rf(home);
    free(home);
}

typedef struct canceller {
    hf_cancel_token *token;
    unsigned delay_ms;
} canceller;

static void *cancel_thread(void *arg) {
    canceller *k = arg;
    struct timespec ts = {(time_t)(k->delay_ms / 1000), (long)(k->delay_ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
    hf_cancel_token_cancel(k->token);
    return NULL;
}

static void test_cancel_token_from_thread(void) {
    /* Throttle the CDN to 200 kB/s: the 1 MiB file would take ~5 s. */
    int st_fault = tu_emulator_add_fault(
        &g_emu, "{\"origin\":\"cdn\",\"path_contains\":null,\"method\":null,\"times\":null,"
                "\"action\":{\"throttle\":{\"bytes_per_sec\":200000}}}");
    CHECK_MSG(st_fault >= 200 && st_fault < 300, "adding the throttle fault failed: %d", st_fault);

    char *home = tu_mkdtemp("cancel-token");
    hf_client *c = tu_client(&g_emu, home, NULL, 0);
    hf_cancel_token *token = hf_cancel_token_new();
    hf_download_options o;
    hf_download_options_init(&o);
    o.cancel = token;
    canceller k = {token, 500};
    pthread_t th;
    CHECK(pthread_create(&th, NULL, cancel_thread, &k) == 0);
    char *path = NULL;
    hf_error *err = NULL;
    double t0 = tu_now();
    int32_t st = hf_file_download(c, DEMO_MODEL, LFS_FILE, &o, &path, &err);
    double elapsed = tu_now() - t0;
    pthread_join(th, NULL);
    CHECK(hf_cancel_token_is_cancelled(token));
    CHECK_STATUS(st, HF_ERR_CANCELLED, &err);
    CHECK(path == NULL);
    CHECK_MSG(elapsed < 3.0, "cancellation took %.2f s", elapsed);
    check_nothing_published(home);

    /* an already-cancelled token stops before any transfer */
    tu_emulator_clear_requests(&g_emu);
    CHECK_STATUS(hf_file_download(c, DEMO_MODEL, "README.md", &o, &path, &err), HF_ERR_CANCELLED, &err);
    char *log = tu_emulator_requests(&g_emu);
    CHECK_MSG(tu_count_requests(log, NULL, "GET", "README.md") == 0, "GET after cancellation: %s", log);
    free(log);

    hf_cancel_token_free(token);
    hf_client_free(c);
    tu_rm_rf(home);
    free(home);
}

/* The callback runs on the calling thread, outside the library's runtime: it may call the
 * library itself (here: a cache lookup and a whole download with the same client). */
typedef struct nested {
    hf_client *client;
    int calls;
    int nested_ok;
} nested;

static int32_t on_progress_nested(const hf_progress *p, void *user_data) {
    (void)p;
    nested *n = user_data;
    n->calls++;
    int32_t result = -1;
    char *found = NULL;
    char *path = NULL;
    if (hf_cache_try_load(n->client, DEMO_MODEL, "config.json", NULL, &result, &found, NULL) == HF_OK &&
        hf_file_download(n->client, DEMO_MODEL, "config.json", NULL, &path, NULL) == HF_OK && path) {
        n->nested_ok++;
    }
    hf_string_free(found);
    hf_string_free(path);
    return 0;
}

static void test_nested_call_from_callback(void) {
    char *home = tu_mkdtemp("nested");
    hf_client *c = tu_client(&g_emu, home, NULL, 0);
    nested n = {c, 0, 0};
    hf_download_options o;
    hf_download_options_init(&o);
    o.progress = on_progress_nested;
    o.user_data = &n;
    char *path = NULL;
    hf_error *err = NULL;
    CHECK_STATUS(hf_file_download(c, DEMO_MODEL, LFS_FILE, &o, &path, &err), HF_OK, &err);
    CHECK(n.calls >= 1);
    CHECK_EQ_INT(n.nested_ok, n.calls);
    check_complete(path);
    hf_string_free(path);
    hf_client_free(c);
    tu_rm_rf(home);
    free(home);
}

/* A cancel aborts a request to a silent server at once (well within 50 ms). */
static void test_cancel_silent_server(void) {
    int st_fault = tu_emulator_add_fault(
        &g_emu, "{\"origin\":\"hub\",\"path_contains\":\"silent.txt\",\"method\":null,\"times\":null,"
                "\"action\":{\"delay_ms\":5000}}");
    CHECK_MSG(st_fault >= 200 && st_fault < 300, "adding the delay fault failed: %d", st_fault);
    char *home = tu_mkdtemp("cancel-silent");
    hf_client *c = tu_client(&g_emu, home, NULL, 0);
    hf_cancel_token *token = hf_cancel_token_new();
    hf_download_options o;
    hf_download_options_init(&o);
    o.cancel = token;
    canceller k = {token, 300};
    pthread_t th;
    CHECK(pthread_create(&th, NULL, cancel_thread, &k) == 0);
    char *path = NULL;
    hf_error *err = NULL;
    double t0 = tu_now();
    int32_t st = hf_file_download(c, DEMO_MODEL, "silent.txt", &o, &path, &err);
    double elapsed = tu_now() - t0;
    pthread_join(th, NULL);
    CHECK_STATUS(st, HF_ERR_CANCELLED, &err);
    CHECK_MSG(elapsed < 0.300 + 0.050, "returned %.1f ms after the cancel", (elapsed - 0.300) * 1000.0);
    hf_cancel_token_free(token);
    hf_client_free(c);
    tu_rm_rf(home);
    free(home);
}

int main(void) {
    tu_emulator_start(&g_emu, NULL);
    RUN_TEST(test_progress_reports);
    RUN_TEST(test_progress_cancel);
    RUN_TEST(test_nested_call_from_callback);
    RUN_TEST(test_cancel_silent_server);
    RUN_TEST(test_cancel_token_from_thread); /* last: installs a throttle fault */
    tu_emulator_stop(&g_emu);
    return 0;
}
