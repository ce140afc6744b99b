/* gguf-fetch org/repo[:QUANT] — resolve a GGUF model the way llama.cpp's -hf does (Q4_K_M, else
 * Q8_0, else the first model GGUF; every part of a split model; the multimodal projector), download
 * it into the shared Hugging Face cache with one progress bar for the whole model, and print the
 * local paths, one per line: the model parts in order, then the projector.
 *
 *   gguf-fetch [--offline] [--no-mmproj] [--dry-run] [--revision REV] org/repo[:QUANT]
 *
 * Configured by the environment like the Python client (HF_ENDPOINT, HF_HOME, HF_HUB_CACHE,
 * HF_TOKEN, HF_HUB_OFFLINE). Exit status: 0, 2 for bad usage, else the hf_status of the failure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hf_hub.h"

static int usage(FILE *to) {
    fprintf(to, "usage: gguf-fetch [--offline] [--no-mmproj] [--dry-run] [--revision REV] org/repo[:QUANT]\n");
    return to == stdout ? 0 : 2;
}

/* One line on stderr, redrawn in place: files, a bar and the bytes of the whole plan. */
static int32_t on_progress(const hf_progress *p, void *user_data) {
    (void)user_data;
    const int width = 30;
    uint64_t total = p->total_bytes_total ? p->total_bytes_total : 1;
    int filled = (int)((p->total_bytes_done * (uint64_t)width) / total);
    if (filled > width) filled = width;
    char bar[64];
    for (int i = 0; i < width; i++) bar[i] = i < filled ? '#' : '-';
    bar[width] = '\0';
    fprintf(stderr, "\r[%s] %3d%% %llu/%llu files, %.1f/%.1f MB  ", bar, (int)(p->total_bytes_done * 100 / total),
            (unsigned long long)p->files_done, (unsigned long long)p->files_total, p->total_bytes_done / 1e6,
            p->total_bytes_total / 1e6);
    if (p->files_done == p->files_total) fputc('\n', stderr);
    fflush(stderr);
    return 0;
}

int main(int argc, char **argv) {
    hf_gguf_options opts;
    hf_gguf_options_init(&opts);
    int dry_run = 0, offline = 0;
    const char *model = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) return usage(stdout);
        if (!strcmp(argv[i], "--offline")) offline = 1;
        else if (!strcmp(argv[i], "--no-mmproj")) opts.no_mmproj = true;
        else if (!strcmp(argv[i], "--dry-run")) dry_run = 1;
        else if (!strcmp(argv[i], "--revision") && i + 1 < argc) opts.revision = argv[++i];
        else if (argv[i][0] == '-' || model) return usage(stderr);
        else model = argv[i];
    }
    if (!model) return usage(stderr);
    opts.local_files_only = offline;
    opts.progress = on_progress;

    hf_client *client = NULL;
    hf_error *err = NULL;
    hf_gguf_plan *plan = NULL;
    int32_t st = hf_client_new(NULL, &client, &err);
    if (st == HF_OK) st = dry_run ? hf_gguf_resolve(client, model, &opts, &plan, &err)
                                  : hf_gguf_download(client, model, &opts, &plan, &err);
    if (st != HF_OK) {
        fprintf(stderr, "error: %s\n", err ? hf_error_message(err) : hf_status_str(st));
        hf_error_free(err);
        hf_client_free(client);
        return (int)st;
    }
    fprintf(stderr, "%s @ %.12s: %s, %zu model file(s)\n", hf_gguf_plan_repo_id(plan), hf_gguf_plan_commit(plan),
            hf_gguf_plan_quant(plan), hf_gguf_plan_model_count(plan));
    for (size_t i = 0; i < hf_gguf_plan_file_count(plan); i++) {
        const hf_gguf_file *f = hf_gguf_plan_file(plan, i);
        if (dry_run) printf("%s\t%llu\n", f->path, (unsigned long long)f->size);
        else printf("%s\n", f->local_path);
    }
    hf_gguf_plan_free(plan);
    hf_client_free(client);
    return 0;
}
