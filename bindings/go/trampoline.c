// C side of the progress callback: libhf_hub calls hfhub_progress_trampoline with the
// cgo.Handle (smuggled through user_data as an integer), which forwards to the exported Go
// function hfhubGoProgress. Kept in its own file because a cgo preamble of a file with //export
// may only hold declarations.
#include <stdint.h>

#include "hf_hub.h"
#include "_cgo_export.h"

static int32_t hfhub_progress_trampoline(const hf_progress *progress, void *user_data) {
    return hfhubGoProgress((hf_progress *)progress, (uintptr_t)user_data);
}

void hfhub_set_progress(hf_download_options *options, uintptr_t handle) {
    options->progress = hfhub_progress_trampoline;
    options->user_data = (void *)handle;
}

void hfhub_set_verify_progress(hf_cache_verify_options *options, uintptr_t handle) {
    options->progress = hfhub_progress_trampoline;
    options->user_data = (void *)handle;
}

void hfhub_set_snapshot_progress(hf_snapshot_options *options, uintptr_t handle) {
    options->progress = hfhub_progress_trampoline;
    options->user_data = (void *)handle;
}

void hfhub_set_gguf_progress(hf_gguf_options *options, uintptr_t handle) {
    options->progress = hfhub_progress_trampoline;
    options->user_data = (void *)handle;
}

void hfhub_set_commit_progress(hf_commit_options *options, uintptr_t handle) {
    options->progress = hfhub_progress_trampoline;
    options->user_data = (void *)handle;
}
