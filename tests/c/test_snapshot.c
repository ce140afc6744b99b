/* Snapshots, local_dir and the repository API through the C ABI, against the hub emulator:
 * selected files and their content, the requests sent (no per-file HEAD; a warm snapshot by
 * branch costs one request), aggregate progress, offline completeness, local_dir re-fetches,
 * and the list handles of the repository calls. */
#define _GNU_SOURCE
#include <string.h>
#include <sys/stat.h>

#include "test_util.h"

static tu_emulator g_emu;
static char *g_home;

typedef struct progress_seen {
    uint64_t calls, files_done, files_total, total_done, total_total;
} progress_seen;

static int32_t on_progress(const hf_progress *p, void *ud) {
    progress_seen *s = ud;
    CHECK(p->struct_size >= sizeof(hf_progress));
    CHECK(p->filename != NULL);
    CHECK(p->total_bytes_done <= p->total_bytes_total);
    s->calls++;
    s->files_done = p->files_done;
    s->files_total = p->files_total;
    s->total_done = p->total_bytes_done;
    s->total_total = p->total_bytes_total;
    return 0;
}

static hf_snapshot *snapshot_ok(hf_client *c, const hf_snapshot_options *o) {
    hf_snapshot *s = NULL;
    hf_error *err = NULL;
    int32_t st = hf_snapshot_download(c, DEMO_MODEL, o, &s, &err);
    CHECK_STATUS(st, HF_OK, &err);
    CHECK(s != NULL);
    return s;
}

static void test_full_snapshot(void) {
    hf_client *c = tu_client(&g_emu, g_home, DEMO_TOKEN, 0);
    tu_emulator_clear_requests(&g_emu);
    progress_seen seen = {0};
    hf_snapshot_options o;
    hf_snapshot_options_init(&o);
    o.progress = on_progress;
    o.user_data = &seen;
    hf_snapshot *s = snapshot_ok(c, &o);
    const char *commit = hf_snapshot_commit(s);
    CHECK(commit && tu_is_hex(commit, 40));
    char *want = tu_strdup_printf("%s/hub/models--test-org--test-model/snapshots/%s", g_home, commit);
    CHECK_STR_EQ(hf_snapshot_path(s), want);
    size_t n = hf_snapshot_file_count(s);
    CHECK_EQ_INT(n, 4); /* README.md, config.json, model.safetensors, subdir/data.txt */
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        const hf_snapshot_file *f = hf_snapshot_file_get(s, i);
        CHECK(f && f->struct_size == sizeof(hf_snapshot_file));
        char *expect = tu_path_join(want, f->path);
        CHECK_STR_EQ(f->local_path, expect);
        size_t len = 0;
        char *data = tu_read_file(f->local_path, &len);
        CHECK(data != NULL);
        CHECK_EQ_INT(len, f->size);
        total += f->size;
        free(data);
        free(expect);
    }
    CHECK(hf_snapshot_file_get(s, n) == NULL);
    CHECK_EQ_INT(seen.files_done, n);
    CHECK_EQ_INT(seen.files_total, n);
    CHECK_EQ_INT(seen.total_done, total);
    CHECK_EQ_INT(seen.total_total, total);

    char *log = tu_emulator_requests(&g_emu);
    CHECK_EQ_INT(tu_count_requests(log, "hub", "HEAD", NULL), 0);
    CHECK_EQ_INT(tu_count_requests(log, "hub", "GET", "/revision/main"), 1);
    CHECK_EQ_INT(tu_count_requests(log, "hub", "GET", "/tree/"), 1);
    CHECK_EQ_INT(tu_count_requests(log, "hub", "GET", "/resolve/"), n);
    free(log);

    /* Warm, by branch: one request. */
    tu_emulator_clear_requests(&g_emu);
    hf_snapshot *again = snapshot_ok(c, NULL);
    CHECK_STR_EQ(hf_snapshot_commit(again), commit);
    log = tu_emulator_requests(&g_emu);
    tu_json_objs objs = tu_json_split_array(log);
    CHECK_EQ_INT(objs.count, 1);
    tu_json_objs_free(&objs);
    free(log);
    hf_snapshot_free(again);
    hf_snapshot_free(s);
    free(want);
    hf_client_free(c);
}

static void test_patterns_and_offline(void) {
    char *home = tu_mkdtemp("snap-offline");
    hf_client *c = tu_client(&g_emu, home, DEMO_TOKEN, 0);
    const char *allow[] = {"*.json", "subdir/"};
    const char *ignore[] = {"subdir/*.bin"};
    hf_snapshot_options o;
    hf_snapshot_options_init(&o);
    o.allow_patterns = allow;
    o.allow_pattern_count = 2;
    o.ignore_patterns = ignore;
    o.ignore_pattern_count = 1;
    hf_snapshot *s = snapshot_ok(c, &o);
    CHECK_EQ_INT(hf_snapshot_file_count(s), 2);
    CHECK_STR_EQ(hf_snapshot_file_get(s, 0)->path, "config.json");
    CHECK_STR_EQ(hf_snapshot_file_get(s, 1)->path, "subdir/data.txt");
    hf_snapshot_free(s);

    /* Offline: the same selection is complete; everything is not, and the message names a file. */
    hf_client *off = tu_client(&g_emu, home, DEMO_TOKEN, 1);
    s = snapshot_ok(off, &o);
    CHECK_EQ_INT(hf_snapshot_file_count(s), 2);
    hf_snapshot_free(s);
    hf_error *err = NULL;
    s = NULL;
    int32_t st = hf_snapshot_download(off, DEMO_MODEL, NULL, &s, &err);
    CHECK_EQ_INT(st, HF_ERR_INCOMPLETE_SNAPSHOT);
    CHECK(s == NULL);
    CHECK_MSG(strstr(hf_error_message(err), "model.safetensors") != NULL, "%s", hf_error_message(err));
    ERR_CLEAR(err);
    /* An unknown repo offline. */
    st = hf_snapshot_download(off, "nobody/nothing", NULL, &s, &err);
    CHECK_EQ_INT(st, HF_ERR_OFFLINE);
    ERR_CLEAR(err);
    /* Bad arguments. */
    o.allow_patterns = NULL;
    st = hf_snapshot_download(c, DEMO_MODEL, &o, &s, &err);
    CHECK_EQ_INT(st, HF_ERR_INVALID_ARGUMENT);
    ERR_CLEAR(err);
    st = hf_snapshot_download(c, "../x", NULL, &s, &err);
    CHECK_EQ_INT(st, HF_ERR_INVALID_ARGUMENT);
    ERR_CLEAR(err);
    st = hf_snapshot_download(c, DEMO_MODEL, NULL, NULL, &err);
    CHECK_EQ_INT(st, HF_ERR_INVALID_ARGUMENT);
    ERR_CLEAR(err);
    hf_client_free(off);
    hf_client_free(c);
    tu_rm_rf(home);
    free(home);
}

static void test_local_dir(void) {
    char *home = tu_mkdtemp("snap-ld-home");
    char *dir = tu_mkdtemp("snap-ld");
    hf_client *c = tu_client(&g_emu, home, DEMO_TOKEN, 0);
    hf_snapshot_options o;
    hf_snapshot_options_init(&o);
    o.local_dir = dir;
    hf_snapshot *s = snapshot_ok(c, &o);
    char real[4096];
    CHECK(realpath(dir, real) != NULL);
    CHECK_STR_EQ(hf_snapshot_path(s), real);
    for (size_t i = 0; i < hf_snapshot_file_count(s); i++) {
        const hf_snapshot_file *f = hf_snapshot_file_get(s, i);
        CHECK_MSG(!tu_is_symlink(f->local_path), "%s is a symlink", f->local_path);
        char *meta = tu_strdup_printf("%s/.cache/huggingface/download/%s.metadata", dir, f->path);
        CHECK_MSG(tu_exists(meta), "%s missing", meta);
        free(meta);
    }
    hf_snapshot_free(s);
    /* Nothing changed: no file is fetched again. */
    tu_emulator_clear_requests(&g_emu);
    s = snapshot_ok(c, &o);
    char *log = tu_emulator_requests(&g_emu);
    CHECK_EQ_INT(tu_count_requests(log, "hub", "GET", "/resolve/"), 0);
    free(log);
    hf_snapshot_free(s);

    /* Single file into a local_dir through hf_file_download. */
    char *dir2 = tu_mkdtemp("file-ld");
    hf_download_options d;
    hf_download_options_init(&d);
    d.local_dir = dir2;
    char *path = NULL;
    hf_error *err = NULL;
    int32_t st = hf_file_download(c, DEMO_MODEL, "subdir/data.txt", &d, &path, &err);
    CHECK_STATUS(st, HF_OK, &err);
    CHECK(realpath(dir2, real) != NULL);
    char *want = tu_strdup_printf("%s/subdir/data.txt", real);
    CHECK_STR_EQ(path, want);
    CHECK(!tu_is_symlink(path));
    hf_string_free(path);
    free(want);
    hf_client_free(c);
    tu_rm_rf(dir2);
    tu_rm_rf(dir);
    tu_rm_rf(home);
    free(dir2);
    free(dir);
    free(home);
}

static void test_repo_api(void) {
    hf_client *c = tu_client(&g_emu, g_home, DEMO_TOKEN, 0);
    hf_error *err = NULL;

    hf_repo_info *info = NULL;
    CHECK_STATUS(hf_repo_get_info(c, DEMO_MODEL, NULL, &info, &err), HF_OK, &err);
    const hf_repo_summary *sum = hf_repo_info_summary(info);
    CHECK(sum && sum->struct_size == sizeof(hf_repo_summary));
    CHECK_STR_EQ(sum->id, DEMO_MODEL);
    CHECK(sum->sha && tu_is_hex(sum->sha, 40));
    CHECK(!sum->is_private && !sum->disabled && sum->gated == NULL);
    CHECK_EQ_INT(hf_repo_info_sibling_count(info), 4);
    int lfs = 0;
    for (size_t i = 0; i < hf_repo_info_sibling_count(info); i++) {
        const hf_repo_entry *e = hf_repo_info_sibling(info, i);
        if (strcmp(e->path, "model.safetensors") == 0) {
            CHECK(e->lfs_sha256 && tu_is_hex(e->lfs_sha256, 64));
            CHECK_EQ_INT(e->lfs_size, MIB);
            lfs = 1;
        }
    }
    CHECK(lfs);
    CHECK(strstr(hf_repo_info_json(info), "\"siblings\"") != NULL);
    hf_repo_info_free(info);

    hf_repo_entries *tree = NULL;
    CHECK_STATUS(hf_repo_list_tree(c, DEMO_MODEL, NULL, false, NULL, &tree, &err), HF_OK, &err);
    int dirs = 0;
    for (size_t i = 0; i < hf_repo_entries_count(tree); i++) {
        const hf_repo_entry *e = hf_repo_entries_get(tree, i);
        if (e->kind == HF_ENTRY_DIRECTORY) {
            CHECK_STR_EQ(e->path, "subdir");
            dirs++;
        }
    }
    CHECK_EQ_INT(dirs, 1);
    hf_repo_entries_free(tree);
    tree = NULL;
    CHECK_EQ_INT(hf_repo_list_tree(c, DEMO_MODEL, "missing", false, NULL, &tree, &err), HF_ERR_ENTRY_NOT_FOUND);
    ERR_CLEAR(err);

    const char *paths[] = {"config.json", "nope.txt"};
    CHECK_STATUS(hf_repo_get_paths_info(c, DEMO_MODEL, paths, 2, NULL, &tree, &err), HF_OK, &err);
    CHECK_EQ_INT(hf_repo_entries_count(tree), 1);
    const hf_repo_entry *cfg = hf_repo_entries_get(tree, 0);
    CHECK_STR_EQ(cfg->path, "config.json");
    CHECK(cfg->oid && tu_is_hex(cfg->oid, 40) && cfg->lfs_sha256 == NULL);
    CHECK(strstr(hf_repo_entries_json(tree), "config.json") != NULL);
    hf_repo_entries_free(tree);

    hf_repo_refs *refs = NULL;
    CHECK_STATUS(hf_repo_list_refs(c, DEMO_MODEL, true, NULL, &refs, &err), HF_OK, &err);
    CHECK(hf_repo_refs_count(refs) >= 1);
    const hf_repo_ref *main_ref = hf_repo_refs_get(refs, 0);
    CHECK_EQ_INT(main_ref->kind, HF_REF_BRANCH);
    CHECK_STR_EQ(main_ref->name, "main");
    CHECK_STR_EQ(main_ref->full_ref, "refs/heads/main");
    hf_repo_refs_free(refs);

    hf_repo_commits *commits = NULL;
    CHECK_STATUS(hf_repo_list_commits(c, DEMO_MODEL, NULL, &commits, &err), HF_OK, &err);
    CHECK(hf_repo_commits_count(commits) >= 1);
    CHECK(tu_is_hex(hf_repo_commits_get(commits, 0)->id, 40));
    hf_repo_commits_free(commits);

    bool exists = false;
    CHECK_STATUS(hf_repo_exists(c, DEMO_MODEL, NULL, &exists, &err), HF_OK, &err);
    CHECK(exists);
    CHECK_STATUS(hf_repo_exists(c, "nobody/nothing", NULL, &exists, &err), HF_OK, &err);
    CHECK(!exists);
    CHECK_STATUS(hf_repo_file_exists(c, DEMO_MODEL, "config.json", NULL, &exists, &err), HF_OK, &err);
    CHECK(exists);
    CHECK_STATUS(hf_repo_file_exists(c, DEMO_MODEL, "nope.json", NULL, &exists, &err), HF_OK, &err);
    CHECK(!exists);
    hf_repo_options ro;
    hf_repo_options_init(&ro);
    ro.repo_type = HF_REPO_TYPE_DATASET;
    CHECK_STATUS(hf_repo_file_exists(c, "test-org/test-dataset", "data/train.csv", &ro, &exists, &err), HF_OK, &err);
    CHECK(exists);
    /* NULL accessors are safe. */
    CHECK(hf_repo_entries_count(NULL) == 0 && hf_repo_entries_get(NULL, 0) == NULL);
    CHECK(hf_repo_info_summary(NULL) == NULL && hf_snapshot_path(NULL) == NULL);
    hf_client_free(c);
}

int main(void) {
    tu_emulator_start(&g_emu, NULL);
    g_home = tu_mkdtemp("snapshot");
    RUN_TEST(test_full_snapshot);
    RUN_TEST(test_patterns_and_offline);
    RUN_TEST(test_local_dir);
    RUN_TEST(test_repo_api);
    tu_emulator_stop(&g_emu);
    tu_rm_rf(g_home);
    free(g_home);
    return 0;
}
