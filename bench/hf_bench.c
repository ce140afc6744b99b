/*
 * hf_bench: per-call latency of hf_file_download inside one process (the benchmark's C driver).
 *
 *   hf_bench [--revision REV] [--repeat N] [--warmup] [--no-verify] [--durable] REPO_ID FILE...
 *   hf_bench --snapshot [--revision REV] [--max-workers N] [--no-verify] REPO_ID
 *                                        one hf_snapshot_download into the cache, timed in-process
 *   hf_bench --scan                      one hf_cache_scan of the cache, timed in-process
 *   hf_bench --upload REPO_ID LOCAL_FILE PATH_IN_REPO
 *                                        one hf_upload_file (to main), timed in-process; the token
 *                                        comes from the environment (HF_TOKEN)
 *
 * --durable sets hf_client_options.durable = 1 (sync each blob before publishing); without it the
 * client options are the defaults, read from the environment (HF_HUB_C_DURABLE, HF_HUB_C_LANES...).
 *
 * Creates one client from the environment (HF_ENDPOINT, HF_HOME, ...), optionally makes one untimed
 * call (--warmup: fills the cache and opens the connection), then times each call of
 * `for rep in 1..N: for f in FILE...: hf_file_download(f)` with CLOCK_MONOTONIC. Prints one JSON line:
 *   {"client_new_s":…, "calls":…, "total_s":…, "call_min_s":…, "call_p50_s":…, "call_max_s":…}
 * bench/py_bench.py prints the same line for the official Python client.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hf_hub.h"

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int download(const hf_client *client, const char *repo, const char *file, const hf_download_options *o) {
    char *path = NULL;
    hf_error *err = NULL;
    hf_status st = hf_file_download(client, repo, file, o, &path, &err);
    if (st != HF_OK) {
        fprintf(stderr, "hf_bench: %s: %s: %s\n", file, hf_status_str(st), err ? hf_error_message(err) : "");
        hf_error_free(err);
        return 1;
    }
    hf_string_free(path);
    return 0;
}

static hf_client *new_client(int durable) {
    hf_client_options co;
    hf_client_options_init(&co);
    if (durable) {
        co.durable = 1;
    }
    hf_client *client = NULL;
    hf_error *err = NULL;
    if (hf_client_new(&co, &client, &err) != HF_OK) {
        fprintf(stderr, "hf_bench: hf_client_new: %s\n", err ? hf_error_message(err) : "");
        hf_error_free(err);
        return NULL;
    }
    return client;
}

/* --snapshot: one hf_snapshot_download; prints the JSON line with calls = files in the snapshot. */
static int snapshot(const char *repo, const char *revision, unsigned max_workers, int verify) {
    double t0 = now_s();
    hf_client *client = new_client(0);
    if (!client) {
        return 1;
    }
    double client_new = now_s() - t0;
    hf_snapshot_options o;
    hf_snapshot_options_init(&o);
    o.revision = revision;
    o.max_workers = max_workers;
    o.verify = verify;
    hf_snapshot *snap = NULL;
    hf_error *err = NULL;
    double start = now_s();
    hf_status st = hf_snapshot_download(client, repo, &o, &snap, &err);
    double total = now_s() - start;
    if (st != HF_OK) {
        fprintf(stderr, "hf_bench: hf_snapshot_download: %s: %s\n", hf_status_str(st), err ? hf_error_message(err) : "");
        hf_error_free(err);
        hf_client_free(client);
        return 1;
    }
    printf("{\"client_new_s\":%.9f,\"calls\":1,\"files\":%zu,\"total_s\":%.9f,\"call_min_s\":%.9f,"
           "\"call_p50_s\":%.9f,\"call_max_s\":%.9f}\n",
           client_new, hf_snapshot_file_count(snap), total, total, total, total);
    hf_snapshot_free(snap);
    hf_client_free(client);
    return 0;
}

/* --scan: one scan of the client's cache; prints the same JSON line (calls = files seen). */
static int scan(void) {
    hf_client *client = new_client(0);
    hf_error *err = NULL;
    if (!client) {
        return 1;
    }
    double t0 = now_s();
    hf_cache_info *info = NULL;
    if (hf_cache_scan(client, &info, &err) != HF_OK) {
        fprintf(stderr, "hf_bench: hf_cache_scan: %s\n", err ? hf_error_message(err) : "");
        hf_error_free(err);
        return 1;
    }
    double total = now_s() - t0;
    unsigned long long files = 0;
    for (size_t r = 0; r < hf_cache_info_repo_count(info); r++) files += hf_cache_info_repo(info, r)->nb_files;
    printf("{\"client_new_s\":0,\"calls\":%llu,\"total_s\":%.9f,\"repos\":%zu,\"call_min_s\":%.9f,"
           "\"call_p50_s\":%.9f,\"call_max_s\":%.9f}\n",
           files, total, hf_cache_info_repo_count(info), total, total, total);
    hf_cache_info_free(info);
    hf_client_free(client);
    return 0;
}

/* --upload: one hf_upload_file; prints the JSON line (calls = 1) plus the commit and whether one was made. */
static int upload(const char *repo, const char *local_path, const char *path_in_repo) {
    double t0 = now_s();
    hf_client *client = new_client(0);
    if (!client) {
        return 1;
    }
    double client_new = now_s() - t0;
    hf_commit_info *info = NULL;
    hf_error *err = NULL;
    double start = now_s();
    hf_status st = hf_upload_file(client, repo, local_path, path_in_repo, NULL, NULL, &info, &err);
    double total = now_s() - start;
    if (st != HF_OK) {
        fprintf(stderr, "hf_bench: hf_upload_file: %s: %s\n", hf_status_str(st), err ? hf_error_message(err) : "");
        hf_error_free(err);
        hf_client_free(client);
        return 1;
    }
    printf("{\"client_new_s\":%.9f,\"calls\":1,\"total_s\":%.9f,\"call_min_s\":%.9f,\"call_p50_s\":%.9f,"
           "\"call_max_s\":%.9f,\"commit\":\"%s\",\"committed\":%s}\n",
           client_new, total, total, total, total, hf_commit_info_oid(info),
           hf_commit_info_committed(info) ? "true" : "false");
    hf_commit_info_free(info);
    hf_client_free(client);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 2 && strcmp(argv[1], "--scan") == 0) {
        return scan();
    }
    if (argc >= 2 && strcmp(argv[1], "--upload") == 0) {
        if (argc != 5) {
            fprintf(stderr, "usage: hf_bench --upload REPO_ID LOCAL_FILE PATH_IN_REPO\n");
            return 2;
        }
        return upload(argv[2], argv[3], argv[4]);
    }
    const char *revision = NULL;
    long repeat = 1, max_workers = 0;
    int warmup = 0, verify = 1, durable = 0, snap = 0, i = 1;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        if (strcmp(argv[i], "--revision") == 0 && i + 1 < argc) {
            revision = argv[++i];
        } else if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) {
            repeat = strtol(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--warmup") == 0) {
            warmup = 1;
        } else if (strcmp(argv[i], "--no-verify") == 0) {
            verify = 0;
        } else if (strcmp(argv[i], "--durable") == 0) {
            durable = 1;
        } else if (strcmp(argv[i], "--snapshot") == 0) {
            snap = 1;
        } else if (strcmp(argv[i], "--max-workers") == 0 && i + 1 < argc) {
            max_workers = strtol(argv[++i], NULL, 10);
        } else {
            fprintf(stderr, "hf_bench: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (snap) {
        if (argc - i != 1 || max_workers < 0) {
            fprintf(stderr, "usage: hf_bench --snapshot [--revision REV] [--max-workers N] [--no-verify] REPO_ID\n");
            return 2;
        }
        return snapshot(argv[i], revision, (unsigned)max_workers, verify);
    }
    if (argc - i < 2 || repeat < 1) {
        fprintf(stderr, "usage: hf_bench [--revision REV] [--repeat N] [--warmup] [--no-verify] [--durable] REPO_ID "
                        "FILE...\n");
        return 2;
    }
    const char *repo = argv[i];
    char **files = argv + i + 1;
    size_t nfiles = (size_t)(argc - i - 1);
    size_t calls = nfiles * (size_t)repeat;

    hf_download_options o;
    hf_download_options_init(&o);
    o.revision = revision;
    o.verify = verify;

    double t0 = now_s();
    hf_client *client = new_client(durable);
    if (!client) {
        return 1;
    }
    double client_new = now_s() - t0;
    if (warmup && download(client, repo, files[0], &o) != 0) {
        return 1;
    }

    double *lat = malloc(calls * sizeof *lat);
    if (!lat) {
        return 1;
    }
    size_t k = 0;
    double start = now_s();
    for (long r = 0; r < repeat; r++) {
        for (size_t f = 0; f < nfiles; f++) {
            double c0 = now_s();
            if (download(client, repo, files[f], &o) != 0) {
                return 1;
            }
            lat[k++] = now_s() - c0;
        }
    }
    double total = now_s() - start;
    hf_client_free(client);

    qsort(lat, calls, sizeof *lat, cmp_double);
    printf("{\"client_new_s\":%.9f,\"calls\":%zu,\"total_s\":%.9f,\"call_min_s\":%.9f,\"call_p50_s\":%.9f,"
           "\"call_max_s\":%.9f}\n",
           client_new, calls, total, lat[0], lat[calls / 2], lat[calls - 1]);
    free(lat);
    return 0;
}
