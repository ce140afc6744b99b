/* Uploads through the C ABI only, against the hub emulator (started with a 1 MiB multipart part
 * size): repository, branch and tag administration; a commit built with the commit builder (every
 * operation kind) with its result accessors; a stale parent; a pull request; hf_upload_file of an
 * LFS file (multipart, several parts, a size that is not a multiple of the part size) and of a
 * regular file, downloaded back byte-identical; hf_upload_folder with allow/ignore patterns
 * (`.git/` never sent); upload progress (hash, then upload); a cancel from the progress callback
 * leaving the repository unchanged; bad arguments. */
#define _GNU_SOURCE
#include <string.h>
#include <sys/stat.h>

#include "test_util.h"

static tu_emulator g_emu;
static char *g_home; /* HF_HOME of the downloads */
static char *g_work; /* local files to upload */

#define PART_SIZE (1024u * 1024u)

/* ---- helpers ---- */

static void write_file(const char *path, const void *data, size_t len) {
    /* Parent folders first. */
    char *dir = strdup(path);
    for (char *p = dir + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            mkdir(dir, 0755);
            *p = '/';
        }
    }
    free(dir);
    FILE *f = fopen(path, "wb");
    CHECK_MSG(f != NULL, "cannot write %s", path);
    CHECK(len == 0 || fwrite(data, 1, len, f) == len);
    CHECK(fclose(f) == 0);
}

/* Deterministic pseudo-random bytes (xorshift), malloc'd. */
static uint8_t *pseudo_random(size_t len, uint32_t seed) {
    uint8_t *b = malloc(len ? len : 1);
    CHECK(b != NULL);
    uint32_t x = seed * 2654435761u + 1;
    for (size_t i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        b[i] = (uint8_t)x;
    }
    return b;
}

static char *local(const char *name) { return tu_path_join(g_work, name); }

/* The commit `revision` of `repo_id` points at (malloc'd). */
static char *head_of(hf_client *c, const char *repo_id, const char *revision) {
    hf_repo_options o;
    hf_repo_options_init(&o);
    o.revision = revision;
    hf_repo_info *info = NULL;
    hf_error *err = NULL;
    CHECK_STATUS(hf_repo_get_info(c, repo_id, &o, &info, &err), HF_OK, &err);
    const hf_repo_summary *s = hf_repo_info_summary(info);
    CHECK(s && s->sha && tu_is_hex(s->sha, 40));
    char *sha = strdup(s->sha);
    hf_repo_info_free(info);
    return sha;
}

/* The files of `repo_id` at `revision`, as "path\n" lines in the server's order (malloc'd). */
static char *tree_of(hf_client *c, const char *repo_id, const char *revision) {
    hf_repo_options o;
    hf_repo_options_init(&o);
    o.revision = revision;
    hf_repo_entries *tree = NULL;
    hf_error *err = NULL;
    CHECK_STATUS(hf_repo_list_tree(c, repo_id, NULL, true, &o, &tree, &err), HF_OK, &err);
    size_t cap = 1, len = 0;
    for (size_t i = 0; i < hf_repo_entries_count(tree); i++) cap += strlen(hf_repo_entries_get(tree, i)->path) + 1;
    char *out = calloc(cap, 1);
    CHECK(out != NULL);
    for (size_t i = 0; i < hf_repo_entries_count(tree); i++) {
        const hf_repo_entry *e = hf_repo_entries_get(tree, i);
        if (e->kind != HF_ENTRY_FILE) continue;
        len += (size_t)sprintf(out + len, "%s\n", e->path);
    }
    hf_repo_entries_free(tree);
    return out;
}

static bool tree_has(const char *tree, const char *path) {
    char *line = tu_strdup_printf("\n%s\n", path);
    char *t = tu_strdup_printf("\n%s", tree);
    bool found = strstr(t, line) != NULL;
    free(line);
    free(t);
    return found;
}

/* Downloads `filename` at `revision` with hf_file_download and checks its bytes. */
static void check_download(hf_client *c, const char *repo_id, const char *revision, const char *filename,
                           const void *want, size_t want_len) {
    hf_download_options o;
    hf_download_options_init(&o);
    o.revision = revision;
    char *path = NULL;
    hf_error *err = NULL;
    CHECK_STATUS(hf_file_download(c, repo_id, filename, &o, &path, &err), HF_OK, &err);
    size_t len = 0;
    char *got = tu_read_file(path, &len);
    CHECK_MSG(got != NULL, "cannot read %s", path);
    CHECK_MSG(len == want_len && memcmp(got, want, len) == 0, "%s@%s: %zu bytes differ from the %zu uploaded",
              filename, revision ? revision : "main", len, want_len);
    free(got);
    hf_string_free(path);
}

static void create_repo(hf_client *c, const char *repo_id) {
    hf_repo_options o;
    hf_repo_options_init(&o);
    char *url = NULL;
    hf_error *err = NULL;
    CHECK_STATUS(hf_repo_create(c, repo_id, &o, &url, &err), HF_OK, &err);
    hf_string_free(url);
}

static hf_commit *new_commit(void) {
    hf_commit *cm = NULL;
    hf_error *err = NULL;
    CHECK_STATUS(hf_commit_new(&cm, &err), HF_OK, &err);
    CHECK(cm != NULL && hf_commit_len(cm) == 0);
    return cm;
}

static bool has_ref(hf_client *c, const char *repo_id, int32_t kind, const char *name) {
    hf_repo_refs *refs = NULL;
    hf_error *err = NULL;
    CHECK_STATUS(hf_repo_list_refs(c, repo_id, true, NULL, &refs, &err), HF_OK, &err);
    bool found = false;
    for (size_t i = 0; i < hf_repo_refs_count(refs); i++) {
        const hf_repo_ref *r = hf_repo_refs_get(refs, i);
        if (r->kind == kind && strcmp(r->name, name) == 0) found = true;
    }
    hf_repo_refs_free(refs);
    return found;
}

/* ---- progress ---- */

typedef struct upload_seen {
    uint64_t calls, hash_calls, upload_calls;
    uint64_t hash_last_done, hash_total, upload_last_done, upload_total;
    uint64_t total_done, total_total;
    int32_t cancel_in_phase; /* -1: never cancel */
    bool cancelled;
} upload_seen;

static int32_t on_progress(const hf_progress *p, void *ud) {
    upload_seen *s = ud;
    CHECK(p->struct_size >= sizeof(hf_progress));
    CHECK(p->filename != NULL);
    CHECK(p->bytes_done <= p->bytes_total);
    CHECK(p->total_bytes_done <= p->total_bytes_total);
    s->calls++;
    if (p->phase == HF_PROGRESS_HASH) {
        s->hash_calls++;
        s->hash_last_done = p->bytes_done;
        s->hash_total = p->bytes_total;
    } else if (p->phase == HF_PROGRESS_UPLOAD) {
        s->upload_calls++;
        s->upload_last_done = p->bytes_done;
        s->upload_total = p->bytes_total;
    } else {
        tu_fail(__FILE__, __LINE__, "unexpected phase %d in an upload", (int)p->phase);
    }
    s->total_done = p->total_bytes_done;
    s->total_total = p->total_bytes_total;
    if (s->cancel_in_phase >= 0 && p->phase == s->cancel_in_phase) {
        s->cancelled = true;
        return 1;
    }
    return 0;
}

/* ---- tests ---- */

static void test_repo_admin(void) {
    hf_client *c = tu_client(&g_emu, g_home, DEMO_TOKEN, 0);
    hf_repo_options o;
    hf_repo_options_init(&o);
    char *url = NULL;
    hf_error *err = NULL;

    /* Create (in the token owner's namespace, by its bare name), again, again with exist_ok. */
    CHECK_STATUS(hf_repo_create(c, "c-admin", &o, &url, &err), HF_OK, &err);
    char *want = tu_strdup_printf("%s/tester/c-admin", g_emu.hub);
    CHECK_STR_EQ(url, want);
    hf_string_free(url);
    url = NULL;
    CHECK_EQ_INT(hf_repo_create(c, "tester/c-admin", &o, &url, &err), HF_ERR_HTTP);
    CHECK_EQ_INT(hf_error_http_status(err), 409);
    CHECK(url == NULL);
    ERR_CLEAR(err);
    o.exist_ok = true;
    CHECK_STATUS(hf_repo_create(c, "tester/c-admin", &o, &url, &err), HF_OK, &err);
    CHECK_STR_EQ(url, want);
    hf_string_free(url);
    url = NULL;
    free(want);

    /* Visibility: a private repo in the org; a dataset; another namespace is refused. */
    hf_repo_options_init(&o);
    o.visibility = HF_VISIBILITY_PRIVATE;
    CHECK_STATUS(hf_repo_create(c, DEMO_ORG "/c-private", &o, &url, &err), HF_OK, &err);
    hf_string_free(url);
    url = NULL;
    hf_repo_info *info = NULL;
    CHECK_STATUS(hf_repo_get_info(c, DEMO_ORG "/c-private", NULL, &info, &err), HF_OK, &err);
    CHECK(hf_repo_info_summary(info)->is_private);
    hf_repo_info_free(info);
    info = NULL;
    hf_client *anon = tu_client(&g_emu, g_home, NULL, 0);
    CHECK_EQ_INT(hf_repo_get_info(anon, DEMO_ORG "/c-private", NULL, &info, &err), HF_ERR_REPO_NOT_FOUND);
    ERR_CLEAR(err);
    CHECK_STATUS(hf_repo_update_visibility(c, DEMO_ORG "/c-private", HF_VISIBILITY_PUBLIC, NULL, &err), HF_OK, &err);
    CHECK_STATUS(hf_repo_get_info(anon, DEMO_ORG "/c-private", NULL, &info, &err), HF_OK, &err);
    CHECK(!hf_repo_info_summary(info)->is_private);
    hf_repo_info_free(info);
    info = NULL;
    /* Writing without a token: sent anyway (like the official client), refused by the Hub. */
    CHECK_EQ_INT(hf_repo_create(anon, "tester/c-anon", NULL, &url, &err), HF_ERR_UNAUTHORIZED);
    ERR_CLEAR(err);
    hf_client_free(anon);

    hf_repo_options_init(&o);
    o.repo_type = HF_REPO_TYPE_DATASET;
    o.visibility = HF_VISIBILITY_PUBLIC;
    CHECK_STATUS(hf_repo_create(c, "tester/c-data", &o, &url, &err), HF_OK, &err);
    want = tu_strdup_printf("%s/datasets/tester/c-data", g_emu.hub);
    CHECK_STR_EQ(url, want);
    free(want);
    hf_string_free(url);
    url = NULL;
    CHECK_STATUS(hf_repo_delete(c, "tester/c-data", &o, &err), HF_OK, &err);
    CHECK_EQ_INT(hf_repo_create(c, "someone-else/c-admin", NULL, &url, &err), HF_ERR_FORBIDDEN);
    ERR_CLEAR(err);

    /* Branches: create from main, exists, exist_ok, delete; main cannot be deleted. */
    char *main_head = head_of(c, "tester/c-admin", "main");
    CHECK_STATUS(hf_branch_create(c, "tester/c-admin", "dev", NULL, NULL, &err), HF_OK, &err);
    CHECK(has_ref(c, "tester/c-admin", HF_REF_BRANCH, "dev"));
    char *dev_head = head_of(c, "tester/c-admin", "dev");
    CHECK_STR_EQ(dev_head, main_head);
    free(dev_head);
    CHECK_EQ_INT(hf_branch_create(c, "tester/c-admin", "dev", NULL, NULL, &err), HF_ERR_HTTP);
    CHECK_EQ_INT(hf_error_http_status(err), 409);
    ERR_CLEAR(err);
    hf_repo_options_init(&o);
    o.exist_ok = true;
    CHECK_STATUS(hf_branch_create(c, "tester/c-admin", "dev", NULL, &o, &err), HF_OK, &err);
    CHECK_EQ_INT(hf_branch_create(c, "tester/c-admin", "from-nowhere", "no-such-rev", NULL, &err),
                 HF_ERR_REVISION_NOT_FOUND);
    ERR_CLEAR(err);
    CHECK_STATUS(hf_branch_delete(c, "tester/c-admin", "dev", NULL, &err), HF_OK, &err);
    CHECK(!has_ref(c, "tester/c-admin", HF_REF_BRANCH, "dev"));
    CHECK_EQ_INT(hf_branch_delete(c, "tester/c-admin", "main", NULL, &err), HF_ERR_FORBIDDEN);
    ERR_CLEAR(err);

    /* Tags: create with a message, exists, exist_ok, delete. */
    CHECK_STATUS(hf_tag_create(c, "tester/c-admin", "v1.0", NULL, "first release", NULL, &err), HF_OK, &err);
    CHECK(has_ref(c, "tester/c-admin", HF_REF_TAG, "v1.0"));
    char *tag_head = head_of(c, "tester/c-admin", "v1.0");
    CHECK_STR_EQ(tag_head, main_head);
    free(tag_head);
    CHECK_EQ_INT(hf_tag_create(c, "tester/c-admin", "v1.0", NULL, NULL, NULL, &err), HF_ERR_HTTP);
    CHECK_EQ_INT(hf_error_http_status(err), 409);
    ERR_CLEAR(err);
    CHECK_STATUS(hf_tag_create(c, "tester/c-admin", "v1.0", NULL, NULL, &o, &err), HF_OK, &err);
    CHECK_STATUS(hf_tag_delete(c, "tester/c-admin", "v1.0", NULL, &err), HF_OK, &err);
    CHECK(!has_ref(c, "tester/c-admin", HF_REF_TAG, "v1.0"));
    free(main_head);

    /* Delete; a second delete is an error unless missing_ok. */
    CHECK_STATUS(hf_repo_delete(c, "tester/c-admin", NULL, &err), HF_OK, &err);
    bool exists = true;
    CHECK_STATUS(hf_repo_exists(c, "tester/c-admin", NULL, &exists, &err), HF_OK, &err);
    CHECK(!exists);
    CHECK_EQ_INT(hf_repo_delete(c, "tester/c-admin", NULL, &err), HF_ERR_REPO_NOT_FOUND);
    ERR_CLEAR(err);
    hf_repo_options_init(&o);
    o.missing_ok = true;
    CHECK_STATUS(hf_repo_delete(c, "tester/c-admin", &o, &err), HF_OK, &err);
    hf_client_free(c);
}

static void test_commit_builder(void) {
    const char *repo = "tester/c-commit";
    hf_client *c = tu_client(&g_emu, g_home, DEMO_TOKEN, 0);
    create_repo(c, repo);
    hf_error *err = NULL;

    const char local_text[] = "a local file\n";
    char *local_path = local("local.txt");
    write_file(local_path, local_text, strlen(local_text));
    size_t big_len = 200000; /* LFS by its extension */
    uint8_t *big = pseudo_random(big_len, 7);

    hf_commit *cm = new_commit();
    CHECK_STATUS(hf_commit_add_bytes(cm, "a.txt", (const uint8_t *)"alpha", 5, &err), HF_OK, &err);
    CHECK_STATUS(hf_commit_add_bytes(cm, "dir/b.txt", (const uint8_t *)"beta", 4, &err), HF_OK, &err);
    CHECK_STATUS(hf_commit_add_bytes(cm, "dir/c.txt", (const uint8_t *)"gamma", 5, &err), HF_OK, &err);
    CHECK_STATUS(hf_commit_add_bytes(cm, "empty.txt", NULL, 0, &err), HF_OK, &err);
    CHECK_STATUS(hf_commit_add_bytes(cm, "w.bin", big, big_len, &err), HF_OK, &err);
    CHECK_STATUS(hf_commit_add_file(cm, "local.txt", local_path, &err), HF_OK, &err);
    CHECK_EQ_INT(hf_commit_len(cm), 6);

    hf_commit_options co;
    hf_commit_options_init(&co);
    CHECK(co.struct_size == sizeof(co) && co.revision == NULL && !co.create_pr);
    co.description = "the first commit\nwith two lines";
    hf_commit_info *info = NULL;
    CHECK_STATUS(hf_commit_push(c, repo, cm, "seed the repo", &co, &info, &err), HF_OK, &err);
    hf_commit_free(cm);
    const char *oid = hf_commit_info_oid(info);
    CHECK(oid && tu_is_hex(oid, 40));
    char *first = strdup(oid);
    char *want_url = tu_strdup_printf("%s/%s/commit/%s", g_emu.hub, repo, first);
    CHECK_STR_EQ(hf_commit_info_url(info), want_url);
    free(want_url);
    CHECK(hf_commit_info_committed(info));
    CHECK_EQ_INT(hf_commit_info_commits(info), 1);
    CHECK(hf_commit_info_pr_url(info) == NULL && hf_commit_info_pr_revision(info) == NULL);
    CHECK_EQ_INT(hf_commit_info_pr_num(info), 0);
    hf_commit_info_free(info);
    info = NULL;

    char *head = head_of(c, repo, "main");
    CHECK_STR_EQ(head, first);
    free(head);
    hf_repo_commits *hist = NULL;
    CHECK_STATUS(hf_repo_list_commits(c, repo, NULL, &hist, &err), HF_OK, &err);
    CHECK_STR_EQ(hf_repo_commits_get(hist, 0)->id, first);
    CHECK_STR_EQ(hf_repo_commits_get(hist, 0)->title, "seed the repo");
    CHECK(strstr(hf_repo_commits_json(hist), "with two lines") != NULL);
    hf_repo_commits_free(hist);
    check_download(c, repo, NULL, "w.bin", big, big_len);
    check_download(c, repo, NULL, "local.txt", local_text, strlen(local_text));
    check_download(c, repo, NULL, "dir/b.txt", "beta", 4);
    check_download(c, repo, NULL, "empty.txt", "", 0);
    hf_repo_entries *paths = NULL;
    const char *w[] = {"w.bin"};
    CHECK_STATUS(hf_repo_get_paths_info(c, repo, w, 1, NULL, &paths, &err), HF_OK, &err);
    char sha[65];
    tu_sha256_hex(big, big_len, sha);
    CHECK_STR_EQ(hf_repo_entries_get(paths, 0)->lfs_sha256, sha);
    hf_repo_entries_free(paths);

    /* Delete a file and a folder, copy an LFS and a regular file, with the right parent. */
    cm = new_commit();
    CHECK_STATUS(hf_commit_delete_file(cm, "a.txt", &err), HF_OK, &err);
    CHECK_STATUS(hf_commit_delete_folder(cm, "dir", &err), HF_OK, &err);
    CHECK_STATUS(hf_commit_copy(cm, "w.bin", NULL, "copies/w-copy.bin", &err), HF_OK, &err);
    CHECK_STATUS(hf_commit_copy(cm, "local.txt", first, "copies/local-copy.txt", &err), HF_OK, &err);
    CHECK_EQ_INT(hf_commit_len(cm), 4);
    hf_commit_options_init(&co);
    co.parent_commit = first;
    tu_emulator_clear_requests(&g_emu);
    CHECK_STATUS(hf_commit_push(c, repo, cm, "delete and copy", &co, &info, &err), HF_OK, &err);
    hf_commit_free(cm);
    char *second = strdup(hf_commit_info_oid(info));
    CHECK(strcmp(second, first) != 0);
    hf_commit_info_free(info);
    info = NULL;
    char *log = tu_emulator_requests(&g_emu);
    CHECK_EQ_INT(tu_count_requests(log, "cdn", NULL, NULL), 0); /* the LFS copy moves no bytes */
    free(log);
    char *tree = tree_of(c, repo, "main");
    CHECK_MSG(!tree_has(tree, "a.txt") && !tree_has(tree, "dir/b.txt") && !tree_has(tree, "dir/c.txt"),
              "deleted files remain:\n%s", tree);
    CHECK_MSG(tree_has(tree, "w.bin") && tree_has(tree, "local.txt") && tree_has(tree, "empty.txt") &&
                  tree_has(tree, "copies/w-copy.bin") && tree_has(tree, "copies/local-copy.txt"),
              "unexpected tree:\n%s", tree);
    free(tree);
    check_download(c, repo, NULL, "copies/w-copy.bin", big, big_len);
    check_download(c, repo, NULL, "copies/local-copy.txt", local_text, strlen(local_text));
    /* The old revision is still there, by commit. */
    check_download(c, repo, first, "dir/c.txt", "gamma", 5);

    /* A stale parent: its own status, nothing committed. */
    cm = new_commit();
    CHECK_STATUS(hf_commit_add_bytes(cm, "late.txt", (const uint8_t *)"late", 4, &err), HF_OK, &err);
    hf_commit_options_init(&co);
    co.parent_commit = first;
    CHECK_EQ_INT(hf_commit_push(c, repo, cm, "too late", &co, &info, &err), HF_ERR_STALE_PARENT);
    CHECK(info == NULL);
    CHECK(err != NULL && hf_error_status(err) == HF_ERR_STALE_PARENT && hf_error_message(err)[0] != '\0');
    ERR_CLEAR(err);
    head = head_of(c, repo, "main");
    CHECK_STR_EQ(head, second);
    free(head);

    /* The same operations as a pull request: main does not move; the PR has the file. */
    co.create_pr = true;
    co.parent_commit = NULL;
    CHECK_STATUS(hf_commit_push(c, repo, cm, "propose late.txt", &co, &info, &err), HF_OK, &err);
    hf_commit_free(cm);
    uint64_t pr = hf_commit_info_pr_num(info);
    CHECK(pr >= 1);
    char *pr_rev = tu_strdup_printf("refs/pr/%llu", (unsigned long long)pr);
    CHECK_STR_EQ(hf_commit_info_pr_revision(info), pr_rev);
    char *pr_url = tu_strdup_printf("%s/%s/discussions/%llu", g_emu.hub, repo, (unsigned long long)pr);
    CHECK_STR_EQ(hf_commit_info_pr_url(info), pr_url);
    free(pr_url);
    CHECK(hf_commit_info_committed(info) && tu_is_hex(hf_commit_info_oid(info), 40));
    char *pr_head = head_of(c, repo, pr_rev);
    CHECK_STR_EQ(pr_head, hf_commit_info_oid(info));
    free(pr_head);
    hf_commit_info_free(info);
    info = NULL;
    head = head_of(c, repo, "main");
    CHECK_STR_EQ(head, second);
    free(head);
    check_download(c, repo, pr_rev, "late.txt", "late", 4);
    CHECK(has_ref(c, repo, HF_REF_PULL_REQUEST, pr_rev) || has_ref(c, repo, HF_REF_PULL_REQUEST, "1"));
    free(pr_rev);

    /* Deleting a missing file fails the push. */
    cm = new_commit();
    CHECK_STATUS(hf_commit_delete_file(cm, "nope.txt", &err), HF_OK, &err);
    CHECK_EQ_INT(hf_commit_push(c, repo, cm, "delete nothing", NULL, &info, &err), HF_ERR_ENTRY_NOT_FOUND);
    ERR_CLEAR(err);
    hf_commit_free(cm);
    head = head_of(c, repo, "main");
    CHECK_STR_EQ(head, second);
    free(head);

    free(first);
    free(second);
    free(big);
    free(local_path);
    hf_client_free(c);
}

static void test_upload_file(void) {
    const char *repo = "tester/c-files";
    hf_client *c = tu_client(&g_emu, g_home, DEMO_TOKEN, 0);
    create_repo(c, repo);
    hf_error *err = NULL;

    /* 3.5 MiB + 123 bytes: four parts of 1 MiB, the last one short. */
    size_t size = 3 * PART_SIZE + PART_SIZE / 2 + 123;
    uint8_t *data = pseudo_random(size, 11);
    char *path = local("weights.bin");
    write_file(path, data, size);

    upload_seen seen = {0};
    seen.cancel_in_phase = -1;
    hf_commit_options co;
    hf_commit_options_init(&co);
    co.progress = on_progress;
    co.user_data = &seen;
    hf_commit_info *info = NULL;
    tu_emulator_clear_requests(&g_emu);
    CHECK_STATUS(hf_upload_file(c, repo, path, "models/weights.bin", NULL, &co, &info, &err), HF_OK, &err);
    CHECK(hf_commit_info_committed(info) && tu_is_hex(hf_commit_info_oid(info), 40));
    char *head = head_of(c, repo, "main");
    CHECK_STR_EQ(head, hf_commit_info_oid(info));
    free(head);
    hf_commit_info_free(info);
    info = NULL;

    /* Progress: hashed, then sent, each to the end; the call's totals reach their end. */
    CHECK(seen.hash_calls >= 1 && seen.upload_calls >= 1);
    CHECK_EQ_INT(seen.hash_total, size);
    CHECK_EQ_INT(seen.hash_last_done, size);
    CHECK_EQ_INT(seen.upload_total, size);
    CHECK_EQ_INT(seen.upload_last_done, size);
    CHECK(seen.total_total >= size);
    CHECK_EQ_INT(seen.total_done, seen.total_total);

    /* Requests: four part PUTs on the CDN origin (no Authorization there), one completion. */
    char *log = tu_emulator_requests(&g_emu);
    CHECK_EQ_INT(tu_count_requests(log, "cdn", "PUT", "/part/"), 4);
    CHECK_EQ_INT(tu_count_requests(log, "hub", "POST", "/api/complete_multipart"), 1);
    CHECK_EQ_INT(tu_count_requests(log, "hub", "POST", "/commit/main"), 1);
    tu_json_objs objs = tu_json_split_array(log);
    for (size_t i = 0; i < objs.count; i++) {
        char *origin = tu_json_get_string(objs.items[i], "origin");
        if (origin && strcmp(origin, "cdn") == 0) CHECK(!tu_request_has_header(objs.items[i], "authorization"));
        free(origin);
    }
    tu_json_objs_free(&objs);
    free(log);
    check_download(c, repo, NULL, "models/weights.bin", data, size);

    /* A regular file, with a summary of ours. */
    const char text[] = "{\"hidden_size\": 64}\n";
    char *cfg = local("config.json");
    write_file(cfg, text, strlen(text));
    CHECK_STATUS(hf_upload_file(c, repo, cfg, "config.json", "add the config", NULL, &info, &err), HF_OK, &err);
    hf_commit_info_free(info);
    info = NULL;
    hf_repo_commits *hist = NULL;
    CHECK_STATUS(hf_repo_list_commits(c, repo, NULL, &hist, &err), HF_OK, &err);
    CHECK_STR_EQ(hf_repo_commits_get(hist, 0)->title, "add the config");
    CHECK_STR_EQ(hf_repo_commits_get(hist, 1)->title, "Upload models/weights.bin with huggingface_hub");
    hf_repo_commits_free(hist);
    check_download(c, repo, NULL, "config.json", text, strlen(text));

    /* The same LFS content under another name: the server has it, nothing is sent again. */
    tu_emulator_clear_requests(&g_emu);
    CHECK_STATUS(hf_upload_file(c, repo, path, "models/again.bin", NULL, NULL, &info, &err), HF_OK, &err);
    hf_commit_info_free(info);
    info = NULL;
    log = tu_emulator_requests(&g_emu);
    CHECK_EQ_INT(tu_count_requests(log, "cdn", NULL, NULL), 0);
    free(log);
    check_download(c, repo, NULL, "models/again.bin", data, size);

    free(cfg);
    free(path);
    free(data);
    hf_client_free(c);
}

static void test_upload_folder(void) {
    const char *repo = "tester/c-folder";
    hf_client *c = tu_client(&g_emu, g_home, DEMO_TOKEN, 0);
    create_repo(c, repo);
    hf_error *err = NULL;
    char *dir = local("folder");
    size_t model_len = 300000;
    uint8_t *model = pseudo_random(model_len, 13);
    struct {
        const char *path;
        const char *text;
    } files[] = {
        {"config.json", "{}\n"},
        {"sub/x.txt", "x\n"},
        {"sub/skip.log", "log\n"},
        {"notes.md", "not allowed\n"},
        {".git/config", "[core]\n"},
        {".git/HEAD", "ref: refs/heads/main\n"},
        {"sub/.git/HEAD", "nested\n"},
        {".cache/huggingface/upload/x.metadata", "meta\n"},
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char *p = tu_path_join(dir, files[i].path);
        write_file(p, files[i].text, strlen(files[i].text));
        free(p);
    }
    char *mp = tu_path_join(dir, "model.safetensors");
    write_file(mp, model, model_len);
    free(mp);

    const char *allow[] = {"*.json", "*.safetensors", "sub/*", ".git/*", ".cache/*"};
    const char *ignore[] = {"*.log"};
    hf_folder_options fo;
    hf_folder_options_init(&fo);
    CHECK(fo.struct_size == sizeof(fo) && fo.allow_patterns == NULL && fo.max_operations_per_commit == 0);
    fo.allow_patterns = allow;
    fo.allow_patterns_len = 5;
    fo.ignore_patterns = ignore;
    fo.ignore_patterns_len = 1;
    upload_seen seen = {0};
    seen.cancel_in_phase = -1;
    hf_commit_options co;
    hf_commit_options_init(&co);
    co.progress = on_progress;
    co.user_data = &seen;
    hf_commit_info *info = NULL;
    tu_emulator_clear_requests(&g_emu);
    CHECK_STATUS(hf_upload_folder(c, repo, dir, "up", NULL, &co, &fo, &info, &err), HF_OK, &err);
    CHECK_EQ_INT(hf_commit_info_commits(info), 1);
    hf_commit_info_free(info);
    info = NULL;
    CHECK(seen.upload_calls >= 1 && seen.total_done == seen.total_total);

    char *tree = tree_of(c, repo, "main");
    CHECK_MSG(tree_has(tree, "up/config.json") && tree_has(tree, "up/model.safetensors") &&
                  tree_has(tree, "up/sub/x.txt"),
              "missing files:\n%s", tree);
    CHECK_MSG(!tree_has(tree, "up/sub/skip.log") && !tree_has(tree, "up/notes.md") && !strstr(tree, ".git/") &&
                  !strstr(tree, ".cache/"),
              "unexpected files:\n%s", tree);
    free(tree);
    /* .git/ was never sent, not even asked about (the LFS batch URL has its own `<repo>.git/`). */
    char *log = tu_emulator_requests(&g_emu);
    CHECK(strstr(log, "up/.git/") == NULL && strstr(log, "sub/.git/") == NULL && strstr(log, ".git/config") == NULL &&
          strstr(log, ".git/HEAD") == NULL && strstr(log, ".cache/huggingface") == NULL);
    CHECK(strstr(log, "up/sub/x.txt") != NULL); /* the log does hold the paths asked about */
    CHECK_EQ_INT(tu_count_requests(log, "hub", "POST", "/commit/main"), 1);
    free(log);
    check_download(c, repo, NULL, "up/model.safetensors", model, model_len);
    check_download(c, repo, NULL, "up/sub/x.txt", "x\n", 2);
    check_download(c, repo, NULL, "up/config.json", "{}\n", 3);

    free(model);
    free(dir);
    hf_client_free(c);
}

static void test_cancel_from_callback(void) {
    const char *repo = "tester/c-cancel";
    hf_client *c = tu_client(&g_emu, g_home, DEMO_TOKEN, 0);
    create_repo(c, repo);
    hf_error *err = NULL;
    char *before = head_of(c, repo, "main");
    char *tree_before = tree_of(c, repo, "main");

    size_t size = 2 * PART_SIZE + 7;
    uint8_t *data = pseudo_random(size, 17);
    char *path = local("cancel.bin");
    write_file(path, data, size);
    /* Slow part PUTs, so that the sending is under way when the callback cancels. */
    int st_fault = tu_emulator_add_fault(&g_emu, "{\"origin\":\"cdn\",\"path_contains\":null,\"method\":null,"
                                                 "\"times\":null,\"action\":{\"delay_ms\":200}}");
    CHECK_MSG(st_fault >= 200 && st_fault < 300, "adding the delay fault failed: %d", st_fault);

    for (int32_t phase = HF_PROGRESS_HASH; phase <= HF_PROGRESS_UPLOAD; phase++) {
        upload_seen seen = {0};
        seen.cancel_in_phase = phase;
        hf_commit_options co;
        hf_commit_options_init(&co);
        co.progress = on_progress;
        co.user_data = &seen;
        hf_commit_info *info = NULL;
        tu_emulator_clear_requests(&g_emu);
        CHECK_EQ_INT(hf_upload_file(c, repo, path, "cancel.bin", NULL, &co, &info, &err), HF_ERR_CANCELLED);
        CHECK(info == NULL && seen.cancelled);
        ERR_CLEAR(err);
        char *log = tu_emulator_requests(&g_emu);
        CHECK_EQ_INT(tu_count_requests(log, "hub", "POST", "/commit/"), 0);
        if (phase == HF_PROGRESS_HASH) CHECK_EQ_INT(tu_count_requests(log, "cdn", NULL, NULL), 0);
        free(log);
        char *after = head_of(c, repo, "main");
        CHECK_STR_EQ(after, before);
        free(after);
        char *tree_after = tree_of(c, repo, "main");
        CHECK_STR_EQ(tree_after, tree_before);
        free(tree_after);
    }
    int status = 0;
    char *faults_url = tu_strdup_printf("%s/_emulator/faults", g_emu.hub);
    char *body = tu_http("DELETE", faults_url, NULL, NULL, &status);
    free(body);
    free(faults_url);
    CHECK_EQ_INT(status, 200);

    /* Without a cancel the same upload goes through. */
    hf_commit_info *info = NULL;
    CHECK_STATUS(hf_upload_file(c, repo, path, "cancel.bin", NULL, NULL, &info, &err), HF_OK, &err);
    CHECK(strcmp(hf_commit_info_oid(info), before) != 0);
    hf_commit_info_free(info);
    check_download(c, repo, NULL, "cancel.bin", data, size);

    free(tree_before);
    free(before);
    free(path);
    free(data);
    hf_client_free(c);
}

static void test_bad_arguments(void) {
    const char *repo = "tester/c-bad";
    hf_client *c = tu_client(&g_emu, g_home, DEMO_TOKEN, 0);
    create_repo(c, repo);
    char *before = head_of(c, repo, "main");
    hf_error *err = NULL;
    hf_commit_info *info = NULL;
    char *url = NULL;
    char *file = local("bad.txt");
    write_file(file, "bad\n", 4);

    /* The builder. */
    CHECK_EQ_INT(hf_commit_new(NULL, &err), HF_ERR_INVALID_ARGUMENT);
    ERR_CLEAR(err);
    hf_commit *cm = new_commit();
    CHECK_EQ_INT(hf_commit_add_bytes(NULL, "a.txt", (const uint8_t *)"a", 1, &err), HF_ERR_INVALID_ARGUMENT);
    ERR_CLEAR(err);
    CHECK_EQ_INT(hf_commit_add_bytes(cm, NULL, (const uint8_t *)"a", 1, &err), HF_ERR_INVALID_ARGUMENT);
    ERR_CLEAR(err);
    CHECK_EQ_INT(hf_commit_add_bytes(cm, "a.txt", NULL, 3, &err), HF_ERR_INVALID_ARGUMENT);
    ERR_CLEAR(err);
    CHECK_EQ_INT(hf_commit_add_file(cm, "a.txt", NULL, &err), HF_ERR_INVALID_ARGUMENT);
    ERR_CLEAR(err);
    CHECK_EQ_INT(hf_commit_add_file(cm, "a.txt", "\xff\xfe", &err), HF_ERR_INVALID_ARGUMENT);
    ERR_CLEAR(err);
    CHECK_EQ_INT(hf_commit_delete_file(cm, NULL, &err), HF_ERR_INVALID_ARGUMENT);
    ERR_CLEAR(err);
    CHECK_EQ_INT(hf_commit_delete_folder(NULL, "dir", &err), HF_ERR_INVALID_ARGUMENT);
    ERR_CLEAR(err);
    CHECK_EQ_INT(hf_commit_copy(cm, NULL, NULL, "b.txt", &err), HF_ERR_INVALID_ARGUMENT);
    ERR_CLEAR(err);
    CHECK_EQ_INT(hf_commit_len(cm), 0);
    CHECK_EQ_INT(hf_commit_len(NULL), 0);
    CHECK_STATUS(hf_commit_add_bytes(cm, "ok.txt", (const uint8_t *)"ok", 2, &err), HF_OK, &err);

    /* The push. */
    CHECK_EQ_INT(hf_commit_push(NULL, repo, cm, "s", NULL, &info, &err), HF_ERR_INVALID_ARGUMENT);
    ERR_CLEAR(err);
    CHECK_EQ_INT(hf_commit_push(c, NULL, cm, "s", NULL, &info, &err), HF_ERR_INVALID_ARGUMENT);
    ERR_CLEAR(err);
    CHECK_EQ_INT(hf_commit_push(c, repo, NULL, "s", NULL, &info, &err), HF_ERR_INVALID_ARGUMENT);
    ERR_CLEAR(err);
    CHECK_EQ_INT(hf_commit_push(c, repo, cm, "s", NULL, NULL, &err), HF_ERR_INVALID_ARGUMENT);
    ERR_CLEAR(err);
    CHECK_EQ_INT(hf_commit_push(c, repo, cm, NULL, NULL, &info, &err), HF_ERR_INVALID_ARGUMENT);
    ERR_CLEAR(err);
    CHECK_EQ_INT(hf_commit_push(c, repo, cm, "", NULL, &info, &err), HF_ERR_INVALID_ARGUMENT);
    ERR_CLEAR(err);
    CHECK_EQ_INT(hf_commit_push(c, "a/b/c", cm, "s", NULL, &info, &err), HF_ERR_INVALID_ARGUMENT);
    ERR_CLEAR(err);
    hf_commit_options co;
    hf_commit_options_init(&co);
    co.parent_commit = "not-hex";
    CHECK_EQ_INT(hf_commit_push(c, repo, cm, "s", &co, &info, &err), HF_ERR_INVALID_ARGUMENT);
    ERR_CLEAR(err);
    hf_commit_options_init(&co);
    co.repo_type = 42;
    CHECK_EQ_INT(hf_commit_push(c, repo, cm, "s", &co, &info, &err), HF_ERR_INVALID_ARGUMENT);
    ERR_CLEAR(err);
    hf_commit_options_init(&co);
    co.struct_size = 3; /* smaller than any version of the struct */
    CHECK_EQ_INT(hf_commit_push(c, repo, cm, "s", &co, &info, &err), HF_ERR_INVALID_ARGUMENT);
    ERR_CLEAR(err);
    hf_commit_free(cm);
    /* Unsafe paths in the repo. */
    const char *bad_paths[] = {"../escape.txt", "..", ""}; /* a leading "/" is dropped, as in Python */
    for (size_t i = 0; i < sizeof bad_paths / sizeof bad_paths[0]; i++) {
        hf_commit *b = new_commit();
        int32_t st = hf_commit_add_bytes(b, bad_paths[i], (const uint8_t *)"x", 1, &err);
        if (st == HF_OK) st = hf_commit_push(c, repo, b, "s", NULL, &info, &err);
        CHECK_MSG(st == HF_ERR_INVALID_ARGUMENT, "path \"%s\": status %d", bad_paths[i], (int)st);
        ERR_CLEAR(err);
        hf_commit_free(b);
    }

    /* The helpers. */
    CHECK_EQ_INT(hf_upload_file(c, repo, NULL, "x.txt", NULL, NULL, &info, &err), HF_ERR_INVALID_ARGUMENT);
    ERR_CLEAR(err);
    CHECK_EQ_INT(hf_upload_file(c, repo, file, NULL, NULL, NULL, &info, &err), HF_ERR_INVALID_ARGUMENT);
    ERR_CLEAR(err);
    CHECK_EQ_INT(hf_upload_file(c, repo, file, "x.txt", NULL, NULL, NULL, &err), HF_ERR_INVALID_ARGUMENT);
    ERR_CLEAR(err);
    CHECK_EQ_INT(hf_upload_folder(c, repo, NULL, NULL, NULL, NULL, NULL, &info, &err), HF_ERR_INVALID_ARGUMENT);
    ERR_CLEAR(err);
    hf_folder_options fo;
    hf_folder_options_init(&fo);
    fo.allow_patterns_len = 2; /* with NULL patterns */
    CHECK_EQ_INT(hf_upload_folder(c, repo, g_work, NULL, NULL, NULL, &fo, &info, &err), HF_ERR_INVALID_ARGUMENT);
    ERR_CLEAR(err);
    /* A local file that does not exist: an I/O error, nothing committed. */
    char *missing = local("missing.bin");
    CHECK_EQ_INT(hf_upload_file(c, repo, missing, "missing.bin", NULL, NULL, &info, &err), HF_ERR_IO);
    ERR_CLEAR(err);
    free(missing);
    CHECK(info == NULL);

    /* Administration. */
    CHECK_EQ_INT(hf_repo_create(c, NULL, NULL, &url, &err), HF_ERR_INVALID_ARGUMENT);
    ERR_CLEAR(err);
    CHECK_EQ_INT(hf_repo_create(c, "tester/x", NULL, NULL, &err), HF_ERR_INVALID_ARGUMENT);
    ERR_CLEAR(err);
    hf_repo_options ro;
    hf_repo_options_init(&ro);
    ro.visibility = 99;
    CHECK_EQ_INT(hf_repo_create(c, "tester/x", &ro, &url, &err), HF_ERR_INVALID_ARGUMENT);
    ERR_CLEAR(err);
    CHECK_EQ_INT(hf_repo_update_visibility(c, repo, HF_VISIBILITY_DEFAULT, NULL, &err), HF_ERR_INVALID_ARGUMENT);
    ERR_CLEAR(err);
    CHECK_EQ_INT(hf_branch_create(c, repo, NULL, NULL, NULL, &err), HF_ERR_INVALID_ARGUMENT);
    ERR_CLEAR(err);
    CHECK_EQ_INT(hf_branch_delete(c, NULL, "dev", NULL, &err), HF_ERR_INVALID_ARGUMENT);
    ERR_CLEAR(err);
    CHECK_EQ_INT(hf_tag_create(c, repo, NULL, NULL, NULL, NULL, &err), HF_ERR_INVALID_ARGUMENT);
    ERR_CLEAR(err);
    CHECK_EQ_INT(hf_tag_delete(c, repo, NULL, NULL, &err), HF_ERR_INVALID_ARGUMENT);
    ERR_CLEAR(err);
    CHECK_EQ_INT(hf_repo_move(c, repo, NULL, NULL, &err), HF_ERR_INVALID_ARGUMENT);
    ERR_CLEAR(err);
    CHECK(url == NULL);

    /* NULL accessors are safe; nothing above reached the repository. */
    CHECK(hf_commit_info_oid(NULL) == NULL && hf_commit_info_url(NULL) == NULL);
    CHECK(hf_commit_info_pr_url(NULL) == NULL && hf_commit_info_pr_revision(NULL) == NULL);
    CHECK(hf_commit_info_pr_num(NULL) == 0 && !hf_commit_info_committed(NULL) && hf_commit_info_commits(NULL) == 0);
    hf_commit_info_free(NULL);
    hf_commit_free(NULL);
    char *after = head_of(c, repo, "main");
    CHECK_STR_EQ(after, before);
    free(after);
    free(before);
    free(file);
    hf_client_free(c);
}

int main(void) {
    const char *args[] = {"--multipart-chunk-size", "1048576", NULL};
    tu_emulator_start(&g_emu, args);
    g_home = tu_mkdtemp("upload-home");
    g_work = tu_mkdtemp("upload-work");
    RUN_TEST(test_repo_admin);
    RUN_TEST(test_commit_builder);
    RUN_TEST(test_upload_file);
    RUN_TEST(test_upload_folder);
    RUN_TEST(test_cancel_from_callback);
    RUN_TEST(test_bad_arguments);
    tu_emulator_stop(&g_emu);
    tu_rm_rf(g_home);
    tu_rm_rf(g_work);
    free(g_home);
    free(g_work);
    return 0;
}
