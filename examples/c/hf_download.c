/*
 * hf_download: download one file, or a whole snapshot, from the Hugging Face Hub into the shared
 * cache (or a plain folder) and print its path.
 *
 *   hf_download [--repo-type model|dataset|space] [--revision REV] [--offline] [--local-dir DIR]
 *               [--include PATTERN]... [--exclude PATTERN]... [--max-workers N] [--progress]
 *               REPO_ID [FILENAME]
 *
 * With FILENAME: that file (hf_file_download). Without: a snapshot of the files selected by the
 * --include/--exclude patterns (hf_snapshot_download), printing the snapshot folder.
 *
 * The client is configured from the environment (HF_ENDPOINT, HF_HOME, HF_HUB_CACHE, HF_TOKEN,
 * HF_HUB_OFFLINE, ...), exactly like the official Python client. On failure it prints
 * "error: <status name>: <message>" on stderr and exits with the hf_status code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hf_hub.h"

static void usage(FILE *out, const char *argv0) {
    fprintf(out,
            "usage: %s [--repo-type model|dataset|space] [--revision REV] [--offline] [--local-dir DIR]\n"
            "       [--include PATTERN]... [--exclude PATTERN]... [--max-workers N] [--progress] REPO_ID [FILENAME]\n"
            "Downloads FILENAME from REPO_ID into the Hugging Face cache (or DIR) and prints its local path;\n"
            "without FILENAME, downloads a snapshot of the selected files and prints the snapshot folder.\n"
            "Configured by the environment: HF_ENDPOINT, HF_HOME, HF_HUB_CACHE, HF_TOKEN, HF_HUB_OFFLINE...\n",
            argv0);
}

static int fail(int32_t status, hf_error *err) {
    /* hf_status_str gives "HF_ERR_GATED: gated repository"; print the name, then our message. */
    const char *text = hf_status_str(status);
    const char *colon = strchr(text, ':');
    int name_len = colon ? (int)(colon - text) : (int)strlen(text);
    const char *message = err ? hf_error_message(err) : NULL;
    fprintf(stderr, "error: %.*s: %s\n", name_len, text, message ? message : text);
    hf_error_free(err);
    return status > 0 && status < 256 ? (int)status : 1;
}

/* Aggregate progress on stderr, one line per report. */
static int32_t show_progress(const hf_progress *p, void *user_data) {
    (void)user_data;
    fprintf(stderr, "\r%llu/%llu files, %llu/%llu MB", (unsigned long long)p->files_done,
            (unsigned long long)p->files_total, (unsigned long long)(p->total_bytes_done >> 20),
            (unsigned long long)(p->total_bytes_total >> 20));
    if (p->files_done == p->files_total) fputc('\n', stderr);
    return 0;
}

#define MAX_PATTERNS 64

int main(int argc, char **argv) {
    const char *repo_type = "model";
    const char *revision = NULL;
    const char *local_dir = NULL;
    const char *positional[2] = {NULL, NULL};
    const char *include[MAX_PATTERNS], *exclude[MAX_PATTERNS];
    size_t n_include = 0, n_exclude = 0;
    int n_positional = 0;
    int offline = 0, progress = 0;
    unsigned max_workers = 0;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout, argv[0]);
            return 0;
        } else if (strcmp(a, "--version") == 0) {
            printf("hf_download (libhf_hub %s)\n", hf_version());
            return 0;
        } else if (strcmp(a, "--repo-type") == 0 && i + 1 < argc) {
            repo_type = argv[++i];
        } else if (strcmp(a, "--revision") == 0 && i + 1 < argc) {
            revision = argv[++i];
        } else if (strcmp(a, "--offline") == 0) {
            offline = 1;
        } else if (strcmp(a, "--progress") == 0) {
            progress = 1;
        } else if (strcmp(a, "--local-dir") == 0 && i + 1 < argc) {
            local_dir = argv[++i];
        } else if (strcmp(a, "--max-workers") == 0 && i + 1 < argc) {
            max_workers = (unsigned)strtoul(argv[++i], NULL, 10);
        } else if (strcmp(a, "--include") == 0 && i + 1 < argc && n_include < MAX_PATTERNS) {
            include[n_include++] = argv[++i];
        } else if (strcmp(a, "--exclude") == 0 && i + 1 < argc && n_exclude < MAX_PATTERNS) {
            exclude[n_exclude++] = argv[++i];
        } else if (a[0] == '-' && a[1] == '-' && a[2] != '\0') {
            fprintf(stderr, "error: unknown or incomplete option %s\n", a);
            usage(stderr, argv[0]);
            return 2;
        } else if (n_positional < 2) {
            positional[n_positional++] = a;
        } else {
            usage(stderr, argv[0]);
            return 2;
        }
    }
    if (n_positional < 1) {
        usage(stderr, argv[0]);
        return 2;
    }
    int32_t type;
    if (strcmp(repo_type, "model") == 0) {
        type = HF_REPO_TYPE_MODEL;
    } else if (strcmp(repo_type, "dataset") == 0) {
        type = HF_REPO_TYPE_DATASET;
    } else if (strcmp(repo_type, "space") == 0) {
        type = HF_REPO_TYPE_SPACE;
    } else {
        fprintf(stderr, "error: --repo-type must be model, dataset or space\n");
        return 2;
    }

    hf_client *client = NULL;
    hf_error *err = NULL;
    int32_t status;
    if (offline) {
        /* Everything else still comes from the environment. */
        hf_client_options opts;
        hf_client_options_init(&opts);
        opts.offline = 1;
        status = hf_client_new(&opts, &client, &err);
    } else {
        status = hf_client_new(NULL, &client, &err);
    }
    if (status != HF_OK) {
        return fail(status, err);
    }

    if (n_positional == 1) {
        hf_snapshot_options so;
        hf_snapshot_options_init(&so);
        so.repo_type = type;
        so.revision = revision;
        so.local_dir = local_dir;
        so.allow_patterns = include;
        so.allow_pattern_count = n_include;
        so.ignore_patterns = exclude;
        so.ignore_pattern_count = n_exclude;
        so.max_workers = max_workers;
        if (progress) so.progress = show_progress;
        hf_snapshot *snap = NULL;
        status = hf_snapshot_download(client, positional[0], &so, &snap, &err);
        hf_client_free(client);
        if (status != HF_OK) {
            return fail(status, err);
        }
        printf("%s\n", hf_snapshot_path(snap));
        hf_snapshot_free(snap);
        return 0;
    }

    hf_download_options dl;
    hf_download_options_init(&dl);
    dl.repo_type = type;
    dl.revision = revision;
    dl.local_dir = local_dir;
    if (progress) dl.progress = show_progress;
    char *path = NULL;
    status = hf_file_download(client, positional[0], positional[1], &dl, &path, &err);
    hf_client_free(client);
    if (status != HF_OK) {
        return fail(status, err);
    }
    printf("%s\n", path);
    hf_string_free(path);
    return 0;
}
