/*
 * hf_cache: look at and manage the Hugging Face cache (shared with the Python client).
 *
 *   hf_cache scan [--json]                 repos as a table, largest first (or the full scan as JSON)
 *   hf_cache delete [--dry-run] [--json] COMMIT...   delete revisions (blobs other revisions use stay)
 *   hf_cache prune [--dry-run] [--json]    delete detached revisions and incomplete downloads
 *   hf_cache evict [--dry-run] [--json] MAX_BYTES    delete least recently used revisions down to a size
 *   hf_cache verify [--repo REPO_ID] [--delete]      re-hash blobs; --delete removes the bad ones
 *
 * The cache is the one the environment names (HF_HOME, HF_HUB_CACHE), like the official client.
 * Removals skip what a running download holds locked. Exit status: 0, or the hf_status of a
 * failure, or 3 when verify found a mismatch (and did not delete it).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hf_hub.h"

static int fail(int32_t status, hf_error *err) {
    const char *text = hf_status_str(status);
    const char *message = err ? hf_error_message(err) : NULL;
    fprintf(stderr, "error: %s%s%s\n", text, message ? ": " : "", message ? message : "");
    hf_error_free(err);
    return status > 0 && status < 256 ? (int)status : 1;
}

static void human(uint64_t bytes, char out[32]) {
    const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)bytes;
    int u = 0;
    while (v >= 1024.0 && u < 4) {
        v /= 1024.0;
        u++;
    }
    snprintf(out, 32, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
}

static const char *type_name(int32_t t) {
    return t == HF_REPO_TYPE_DATASET ? "dataset" : t == HF_REPO_TYPE_SPACE ? "space" : "model";
}

static const hf_cached_repo **sorted_repos(const hf_cache_info *info, size_t *n_out) {
    size_t n = hf_cache_info_repo_count(info);
    const hf_cached_repo **v = calloc(n ? n : 1, sizeof *v);
    if (!v) return NULL;
    for (size_t i = 0; i < n; i++) v[i] = hf_cache_info_repo(info, i);
    for (size_t i = 1; i < n; i++) { /* insertion sort, largest first */
        const hf_cached_repo *x = v[i];
        size_t j = i;
        while (j > 0 && v[j - 1]->size_on_disk < x->size_on_disk) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
    *n_out = n;
    return v;
}

static int cmd_scan(const hf_cache_info *info, int json) {
    if (json) {
        printf("%s\n", hf_cache_info_json(info));
        return 0;
    }
    size_t n = 0;
    const hf_cached_repo **repos = sorted_repos(info, &n);
    if (!repos) return 1;
    printf("%-8s %-40s %10s %6s %5s  %s\n", "TYPE", "REPO", "SIZE", "FILES", "REVS", "REFS");
    for (size_t i = 0; i < n; i++) {
        char size[32];
        human(repos[i]->size_on_disk, size);
        /* the refs of every revision of this repo */
        char refs[256] = "";
        for (size_t r = 0; r < hf_cache_info_revision_count(info); r++) {
            const hf_cached_revision *rev = hf_cache_info_revision(info, r);
            if (hf_cache_info_repo(info, rev->repo_index) != repos[i] || !rev->refs[0]) continue;
            if (refs[0]) strncat(refs, ",", sizeof refs - strlen(refs) - 1);
            strncat(refs, rev->refs, sizeof refs - strlen(refs) - 1);
        }
        printf("%-8s %-40s %10s %6llu %5zu  %s\n", type_name(repos[i]->repo_type), repos[i]->repo_id, size,
               (unsigned long long)repos[i]->nb_files, repos[i]->revision_count, refs);
    }
    free(repos);
    char total[32];
    human(hf_cache_info_size_on_disk(info), total);
    printf("%zu repos, %s on disk", n, total);
    if (hf_cache_info_incomplete_count(info)) printf(", %zu incomplete downloads", hf_cache_info_incomplete_count(info));
    printf("\n");
    for (size_t w = 0; w < hf_cache_info_warning_count(info); w++) fprintf(stderr, "warning: %s\n", hf_cache_info_warning(info, w));
    return 0;
}

static int run_plan(hf_cache_plan *plan, int dry_run, int json) {
    static const char *kinds[] = {"repo", "snapshot", "ref", "pointer", "blob", "incomplete"};
    for (size_t w = 0; w < hf_cache_plan_warning_count(plan); w++) fprintf(stderr, "warning: %s\n", hf_cache_plan_warning(plan, w));
    if (json && dry_run) {
        printf("%s\n", hf_cache_plan_json(plan));
        hf_cache_plan_free(plan);
        return 0;
    }
    char freed[32];
    human(hf_cache_plan_freed_bytes(plan), freed);
    if (!json) {
        for (size_t i = 0; i < hf_cache_plan_entry_count(plan); i++) {
            const hf_cache_plan_entry *e = hf_cache_plan_entry_get(plan, i);
            printf("%s %-10s %s\n", dry_run ? "would delete" : "deleting", kinds[e->kind], e->path);
        }
    }
    if (dry_run) {
        printf("would free %s\n", freed);
        hf_cache_plan_free(plan);
        return 0;
    }
    uint64_t deleted = 0, skipped = 0;
    char *report = NULL;
    hf_error *err = NULL;
    hf_status st = hf_cache_plan_execute(plan, &deleted, &skipped, json ? &report : NULL, &err);
    hf_cache_plan_free(plan);
    if (st != HF_OK) return fail(st, err);
    if (json) {
        printf("%s\n", report);
        hf_string_free(report);
    } else {
        printf("deleted %llu paths (%s), skipped %llu held by running downloads\n", (unsigned long long)deleted, freed,
               (unsigned long long)skipped);
    }
    return 0;
}

static int32_t on_progress(const hf_progress *p, void *user_data) {
    (void)user_data;
    fprintf(stderr, "\rverifying %.16s… %3d%%", p->filename,
            p->bytes_total ? (int)(100.0 * (double)p->bytes_done / (double)p->bytes_total) : 100);
    return 0;
}

static int cmd_verify(const hf_client *client, const hf_cache_info *info, const char *repo, int delete_bad) {
    hf_cache_verify_options o;
    hf_cache_verify_options_init(&o);
    o.repo_id = repo;
    o.progress = on_progress;
    hf_cache_verify_report *report = NULL;
    hf_error *err = NULL;
    hf_status st = hf_cache_verify(client, info, &o, &report, &err);
    fprintf(stderr, "\n");
    if (st != HF_OK) return fail(st, err);
    size_t bad = hf_cache_verify_report_mismatch_count(report);
    char bytes[32];
    human(hf_cache_verify_report_bytes_checked(report), bytes);
    printf("checked %llu blobs (%s), %zu mismatched\n", (unsigned long long)hf_cache_verify_report_files_checked(report),
           bytes, bad);
    for (size_t i = 0; i < bad; i++) {
        const hf_cache_mismatch *m = hf_cache_verify_report_mismatch(report, i);
        printf("MISMATCH %s expected %s got %s (%zu pointers)\n", m->blob_path, m->expected, m->actual, m->pointer_count);
    }
    int rc = bad ? 3 : 0;
    if (bad && delete_bad) {
        hf_cache_plan *plan = NULL;
        st = hf_cache_verify_report_plan_delete(report, &plan, &err);
        rc = st != HF_OK ? fail(st, err) : run_plan(plan, 0, 0);
    }
    hf_cache_verify_report_free(report);
    return rc;
}

int main(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fprintf(argc < 2 ? stderr : stdout,
                "usage: %s scan [--json] | delete [--dry-run] [--json] COMMIT... | prune [--dry-run] [--json]\n"
                "       | evict [--dry-run] [--json] MAX_BYTES | verify [--repo REPO_ID] [--delete]\n",
                argv[0]);
        return argc < 2 ? 2 : 0;
    }
    const char *cmd = argv[1];
    int json = 0, dry_run = 0, delete_bad = 0;
    const char *repo = NULL;
    const char **rest = calloc((size_t)argc, sizeof *rest);
    size_t n_rest = 0;
    if (!rest) return 1;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) json = 1;
        else if (!strcmp(argv[i], "--dry-run")) dry_run = 1;
        else if (!strcmp(argv[i], "--delete")) delete_bad = 1;
        else if (!strcmp(argv[i], "--repo") && i + 1 < argc) repo = argv[++i];
        else rest[n_rest++] = argv[i];
    }
    hf_client *client = NULL;
    hf_error *err = NULL;
    hf_status st = hf_client_new(NULL, &client, &err);
    if (st != HF_OK) return free(rest), fail(st, err);
    hf_cache_info *info = NULL;
    st = hf_cache_scan(client, &info, &err);
    if (st != HF_OK) {
        hf_client_free(client);
        free(rest);
        return fail(st, err);
    }
    int rc = 0;
    hf_cache_plan *plan = NULL;
    if (!strcmp(cmd, "scan")) {
        rc = cmd_scan(info, json);
    } else if (!strcmp(cmd, "delete") && n_rest > 0) {
        st = hf_cache_plan_delete(info, rest, n_rest, &plan, &err);
        rc = st != HF_OK ? fail(st, err) : run_plan(plan, dry_run, json);
    } else if (!strcmp(cmd, "prune")) {
        st = hf_cache_plan_prune(info, &plan, &err);
        rc = st != HF_OK ? fail(st, err) : run_plan(plan, dry_run, json);
    } else if (!strcmp(cmd, "evict") && n_rest == 1) {
        char *end = NULL;
        unsigned long long max = strtoull(rest[0], &end, 10);
        if (!end || *end) {
            fprintf(stderr, "error: MAX_BYTES must be a number of bytes\n");
            rc = 2;
        } else {
            st = hf_cache_plan_evict(info, (uint64_t)max, &plan, &err);
            rc = st != HF_OK ? fail(st, err) : run_plan(plan, dry_run, json);
        }
    } else if (!strcmp(cmd, "verify")) {
        rc = cmd_verify(client, info, repo, delete_bad);
    } else {
        fprintf(stderr, "error: unknown command or missing argument (try --help)\n");
        rc = 2;
    }
    hf_cache_info_free(info);
    hf_client_free(client);
    free(rest);
    return rc;
}
