/* GGUF plans through the C API against the hub emulator: resolve without downloading, download a
 * plan with aggregate progress, the same plan offline, resolve + download in one call, a missing
 * split part, an unknown quant, the JSON form. */
#define _GNU_SOURCE
#include <string.h>
#include <sys/stat.h>

#include "test_util.h"

static tu_emulator g_emu;
static char *g_home;

static const char *const FILES[] = {
    "README.md",
    "tiny-Q4_K_M.gguf",
    "tiny-Q8_0.gguf",
    "tiny-IQ8_0.gguf",
    "BF16/tiny-BF16-00001-of-00003.gguf",
    "BF16/tiny-BF16-00002-of-00003.gguf",
    "BF16/tiny-BF16-00003-of-00003.gguf",
    "mmproj-tiny-F16.gguf",
    "mmproj-tiny-Q8_0.gguf",
};

/* Distinct content per file: its name repeated (size 100 * strlen(name) + 4). */
static void write_repo_file(const char *dir, const char *name) {
    char *path = tu_path_join(dir, name);
    char *slash = strrchr(path, '/');
    *slash = '\0';
    mkdir(path, 0755);
    *slash = '/';
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    fputs("GGUF", f);
    for (int i = 0; i < 100; i++) fputs(name, f);
    CHECK(fclose(f) == 0);
    free(path);
}

static size_t size_of_repo_file(const char *name) { return 4 + 100 * strlen(name); }

typedef struct {
    uint64_t files_done, files_total, bytes_done, bytes_total;
    int calls;
} progress_seen;

static int32_t on_progress(const hf_progress *p, void *user_data) {
    progress_seen *s = user_data;
    s->files_done = p->files_done;
    s->files_total = p->files_total;
    s->bytes_done = p->total_bytes_done;
    s->bytes_total = p->total_bytes_total;
    s->calls++;
    return 0;
}

static void test_resolve_download_offline(void) {
    hf_client *c = tu_client(&g_emu, g_home, NULL, 0);
    hf_gguf_plan *plan = NULL;
    hf_error *err = NULL;
    CHECK_STATUS(hf_gguf_resolve(c, "test-org/tiny-GGUF:bf16", NULL, &plan, &err), HF_OK, &err);
    CHECK(tu_is_hex(hf_gguf_plan_commit(plan), 40));
    CHECK_STR_EQ(hf_gguf_plan_repo_id(plan), "test-org/tiny-GGUF");
    CHECK_STR_EQ(hf_gguf_plan_revision(plan), "main");
    CHECK_STR_EQ(hf_gguf_plan_quant(plan), "BF16");
    CHECK_EQ_INT(hf_gguf_plan_file_count(plan), 4);
    CHECK_EQ_INT(hf_gguf_plan_model_count(plan), 3);
    const char *want[] = {"BF16/tiny-BF16-00001-of-00003.gguf", "BF16/tiny-BF16-00002-of-00003.gguf",
                          "BF16/tiny-BF16-00003-of-00003.gguf", "mmproj-tiny-F16.gguf"};
    uint64_t total = 0;
    for (size_t i = 0; i < 4; i++) {
        const hf_gguf_file *f = hf_gguf_plan_file(plan, i);
        CHECK(f != NULL);
        CHECK_EQ_INT(f->struct_size, sizeof(hf_gguf_file));
        CHECK_STR_EQ(f->path, want[i]);
        CHECK_EQ_INT(f->role, i < 3 ? HF_GGUF_ROLE_MODEL : HF_GGUF_ROLE_MMPROJ);
        CHECK_EQ_INT(f->size, size_of_repo_file(want[i]));
        CHECK(f->sha256 != NULL && tu_is_hex(f->sha256, 64));
        CHECK_MSG(f->local_path == NULL, "not downloaded yet: %s", f->local_path);
        total += f->size;
    }
    CHECK(hf_gguf_plan_file(plan, 4) == NULL);
    const char *json = hf_gguf_plan_json(plan);
    CHECK(json != NULL && strstr(json, "\"role\":\"mmproj\"") && strstr(json, "\"quant\":\"BF16\""));

    /* Download the plan: a new plan with local paths, aggregate progress to the totals. */
    hf_gguf_options o;
    hf_gguf_options_init(&o);
    progress_seen seen = {0};
    o.progress = on_progress;
    o.user_data = &seen;
    hf_gguf_plan *done = NULL;
    CHECK_STATUS(hf_gguf_download_plan(c, plan, &o, &done, &err), HF_OK, &err);
    CHECK_EQ_INT(seen.files_done, 4);
    CHECK_EQ_INT(seen.files_total, 4);
    CHECK_EQ_INT(seen.bytes_done, total);
    CHECK_EQ_INT(seen.bytes_total, total);
    CHECK(hf_gguf_plan_file(plan, 0)->local_path == NULL); /* the input plan is unchanged */
    for (size_t i = 0; i < 4; i++) {
        const hf_gguf_file *f = hf_gguf_plan_file(done, i);
        CHECK(f->local_path != NULL && strstr(f->local_path, "/snapshots/") && tu_ends_with(f->local_path, want[i]));
        size_t len = 0;
        char *data = tu_read_file(f->local_path, &len);
        CHECK(data != NULL && len == f->size && memcmp(data, "GGUF", 4) == 0);
        free(data);
    }

    /* Offline: the same files from the cache alone. */
    hf_client *off = tu_client(NULL, g_home, NULL, 1);
    hf_gguf_plan *cached = NULL;
    CHECK_STATUS(hf_gguf_resolve(off, "test-org/tiny-GGUF:BF16", NULL, &cached, &err), HF_OK, &err);
    CHECK_STR_EQ(hf_gguf_plan_commit(cached), hf_gguf_plan_commit(done));
    CHECK_EQ_INT(hf_gguf_plan_file_count(cached), 4);
    for (size_t i = 0; i < 4; i++)
        CHECK_STR_EQ(hf_gguf_plan_file(cached, i)->local_path, hf_gguf_plan_file(done, i)->local_path);
    /* A quant the cache does not hold. */
    hf_gguf_plan *none = NULL;
    int32_t st = hf_gguf_resolve(off, "test-org/tiny-GGUF:Q8_0", NULL, &none, &err);
    CHECK_EQ_INT(st, HF_ERR_INCOMPLETE_SNAPSHOT);
    CHECK(none == NULL && strstr(hf_error_message(err), "tiny-Q8_0.gguf"));
    ERR_CLEAR(err);

    hf_gguf_plan_free(cached);
    hf_gguf_plan_free(done);
    hf_gguf_plan_free(plan);
    hf_client_free(off);
    hf_client_free(c);
}

static void test_one_call_and_errors(void) {
    hf_client *c = tu_client(&g_emu, g_home, NULL, 0);
    hf_gguf_options o;
    hf_gguf_options_init(&o);
    CHECK(o.verify && !o.no_mmproj && !o.other_sidecars && o.struct_size == sizeof o);
    hf_gguf_plan *plan = NULL;
    hf_error *err = NULL;
    /* Default quant Q4_K_M; Q8_0 never matches IQ8_0. */
    CHECK_STATUS(hf_gguf_download(c, "test-org/tiny-GGUF", &o, &plan, &err), HF_OK, &err);
    CHECK_STR_EQ(hf_gguf_plan_file(plan, 0)->path, "tiny-Q4_K_M.gguf");
    CHECK_STR_EQ(hf_gguf_plan_file(plan, 1)->path, "mmproj-tiny-Q8_0.gguf");
    CHECK(hf_gguf_plan_file(plan, 1)->local_path != NULL);
    hf_gguf_plan_free(plan);
    o.no_mmproj = true;
    CHECK_STATUS(hf_gguf_resolve(c, "test-org/tiny-GGUF:q8_0", &o, &plan, &err), HF_OK, &err);
    CHECK_EQ_INT(hf_gguf_plan_file_count(plan), 1);
    CHECK_STR_EQ(hf_gguf_plan_file(plan, 0)->path, "tiny-Q8_0.gguf");
    hf_gguf_plan_free(plan);
    plan = NULL;

    int32_t st = hf_gguf_resolve(c, "test-org/tiny-GGUF:Q5_K_M", NULL, &plan, &err);
    CHECK_EQ_INT(st, HF_ERR_ENTRY_NOT_FOUND);
    CHECK_MSG(strstr(hf_error_message(err), "BF16, IQ8_0, Q4_K_M, Q8_0") != NULL, "%s", hf_error_message(err));
    ERR_CLEAR(err);
    st = hf_gguf_download(c, "test-org/split-GGUF", NULL, &plan, &err);
    CHECK_EQ_INT(st, HF_ERR_ENTRY_NOT_FOUND);
    CHECK_MSG(strstr(hf_error_message(err), "m-Q4_K_M-00002-of-00003.gguf") != NULL, "%s", hf_error_message(err));
    ERR_CLEAR(err);
    st = hf_gguf_resolve(c, "not a repo", NULL, &plan, &err);
    CHECK_EQ_INT(st, HF_ERR_INVALID_ARGUMENT);
    ERR_CLEAR(err);
    CHECK_EQ_INT(hf_gguf_resolve(c, NULL, NULL, &plan, NULL), HF_ERR_INVALID_ARGUMENT);
    CHECK_EQ_INT(hf_gguf_download_plan(c, NULL, NULL, &plan, NULL), HF_ERR_INVALID_ARGUMENT);
    CHECK(plan == NULL);
    CHECK(hf_gguf_plan_commit(NULL) == NULL && hf_gguf_plan_file_count(NULL) == 0 && hf_gguf_plan_json(NULL) == NULL);
    hf_gguf_plan_free(NULL);
    hf_client_free(c);
}

int main(void) {
    char *repo = tu_mkdtemp("gguf-repo");
    for (size_t i = 0; i < sizeof FILES / sizeof *FILES; i++) write_repo_file(repo, FILES[i]);
    char *split = tu_mkdtemp("gguf-split");
    write_repo_file(split, "m-Q4_K_M-00001-of-00003.gguf");
    write_repo_file(split, "m-Q4_K_M-00003-of-00003.gguf");
    char *load1 = tu_strdup_printf("model:test-org/tiny-GGUF=%s", repo);
    char *load2 = tu_strdup_printf("model:test-org/split-GGUF=%s", split);
    const char *args[] = {"--load", load1, "--load", load2, NULL};
    tu_emulator_start(&g_emu, args);
    g_home = tu_mkdtemp("gguf-home");
    RUN_TEST(test_resolve_download_offline);
    RUN_TEST(test_one_call_and_errors);
    tu_emulator_stop(&g_emu);
    tu_rm_rf(g_home);
    tu_rm_rf(repo);
    tu_rm_rf(split);
    free(g_home);
    free(repo);
    free(split);
    free(load1);
    free(load2);
    return 0;
}
