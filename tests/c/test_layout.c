/* The layout of the transparent structs, as a C compiler sees it, for the 64-bit Linux ABI (LP64:
 * x86_64, aarch64). tests/layout.rs asserts the same numbers on the Rust side (offset_of!), so a
 * field that is reordered, inserted, resized or removed in src/ffi fails both; a change that only one
 * side sees (a stale header) fails one of them.
 *
 * Options structs may only grow at the end (their struct_size tells which fields a caller has):
 * when a field is appended, add its offset here and in tests/layout.rs, and update the sizes. */
#include <stddef.h>
#include <stdio.h>

#include "hf_hub.h"

#define OFF(type, field, n) _Static_assert(offsetof(type, field) == (n), #type "." #field " moved")
#define SIZE(type, n) _Static_assert(sizeof(type) == (n), "sizeof(" #type ") changed")
#define ALIGN(type, n) _Static_assert(_Alignof(type) == (n), "_Alignof(" #type ") changed")

#if defined(__linux__) && defined(__LP64__)

SIZE(hf_client_options, 136);
ALIGN(hf_client_options, 8);
OFF(hf_client_options, struct_size, 0);
OFF(hf_client_options, ignore_env, 4);
OFF(hf_client_options, endpoint, 8);
OFF(hf_client_options, hf_home, 16);
OFF(hf_client_options, cache_dir, 24);
OFF(hf_client_options, token, 32);
OFF(hf_client_options, token_path, 40);
OFF(hf_client_options, offline, 48);
OFF(hf_client_options, disable_implicit_token, 52);
OFF(hf_client_options, etag_timeout_ms, 56);
OFF(hf_client_options, download_timeout_ms, 60);
OFF(hf_client_options, user_agent, 64);
OFF(hf_client_options, user_agent_origin, 72);
OFF(hf_client_options, disable_symlinks, 80);
OFF(hf_client_options, max_retries, 84);
OFF(hf_client_options, cache_max_bytes, 88); /* appended in 0.1: the first header's struct was 88 bytes */
OFF(hf_client_options, durable, 96);
OFF(hf_client_options, max_bytes_per_sec, 104);
OFF(hf_client_options, lanes, 112); /* appended after max_bytes_per_sec: that struct was 112 bytes */
OFF(hf_client_options, lane_chunk_bytes, 120);
OFF(hf_client_options, lanes_min_size, 128);

SIZE(hf_download_options, 64);
ALIGN(hf_download_options, 8);
OFF(hf_download_options, struct_size, 0);
OFF(hf_download_options, repo_type, 4);
OFF(hf_download_options, revision, 8);
OFF(hf_download_options, subfolder, 16);
OFF(hf_download_options, force_download, 24);
OFF(hf_download_options, local_files_only, 25);
OFF(hf_download_options, verify, 26);
OFF(hf_download_options, progress, 32);
OFF(hf_download_options, user_data, 40);
OFF(hf_download_options, cancel, 48);
OFF(hf_download_options, local_dir, 56); /* appended in 0.1: the first header's struct was 56 bytes */

SIZE(hf_snapshot_options, 88);
ALIGN(hf_snapshot_options, 8);
OFF(hf_snapshot_options, struct_size, 0);
OFF(hf_snapshot_options, repo_type, 4);
OFF(hf_snapshot_options, revision, 8);
OFF(hf_snapshot_options, allow_patterns, 16);
OFF(hf_snapshot_options, allow_pattern_count, 24);
OFF(hf_snapshot_options, ignore_patterns, 32);
OFF(hf_snapshot_options, ignore_pattern_count, 40);
OFF(hf_snapshot_options, local_dir, 48);
OFF(hf_snapshot_options, max_workers, 56);
OFF(hf_snapshot_options, force_download, 60);
OFF(hf_snapshot_options, local_files_only, 61);
OFF(hf_snapshot_options, verify, 62);
OFF(hf_snapshot_options, progress, 64);
OFF(hf_snapshot_options, user_data, 72);
OFF(hf_snapshot_options, cancel, 80);

SIZE(hf_repo_options, 40);
ALIGN(hf_repo_options, 8);
OFF(hf_repo_options, struct_size, 0);
OFF(hf_repo_options, repo_type, 4);
OFF(hf_repo_options, revision, 8);
OFF(hf_repo_options, cancel, 16);
OFF(hf_repo_options, visibility, 24);
OFF(hf_repo_options, exist_ok, 28);
OFF(hf_repo_options, missing_ok, 29);
OFF(hf_repo_options, space_sdk, 32);

SIZE(hf_gguf_options, 48);
ALIGN(hf_gguf_options, 8);
OFF(hf_gguf_options, struct_size, 0);
OFF(hf_gguf_options, revision, 8);
OFF(hf_gguf_options, no_mmproj, 16);
OFF(hf_gguf_options, other_sidecars, 17);
OFF(hf_gguf_options, local_files_only, 18);
OFF(hf_gguf_options, verify, 19);
OFF(hf_gguf_options, max_workers, 20);
OFF(hf_gguf_options, progress, 24);
OFF(hf_gguf_options, user_data, 32);
OFF(hf_gguf_options, cancel, 40);

SIZE(hf_call_options, 16);
ALIGN(hf_call_options, 8);
OFF(hf_call_options, struct_size, 0);
OFF(hf_call_options, cancel, 8);

SIZE(hf_progress, 72);
ALIGN(hf_progress, 8);
OFF(hf_progress, struct_size, 0);
OFF(hf_progress, filename, 8);
OFF(hf_progress, bytes_done, 16);
OFF(hf_progress, bytes_total, 24);
OFF(hf_progress, files_done, 32); /* appended in 0.1 */
OFF(hf_progress, files_total, 40);
OFF(hf_progress, total_bytes_done, 48);
OFF(hf_progress, total_bytes_total, 56);
OFF(hf_progress, phase, 64);

/* The scalar types the structs are made of. */
_Static_assert(sizeof(bool) == 1, "bool is one byte");
_Static_assert(sizeof(hf_status) == 4 && sizeof(hf_repo_type) == 4 && sizeof(hf_cache_result) == 4,
               "the enums' C types are int32_t");

#else
#error "test_layout.c: the expected numbers are for 64-bit Linux; add this platform's"
#endif

int main(void) {
    /* The library agrees at run time: each _init sets struct_size to the size this header declares. */
    hf_client_options c;
    hf_download_options d;
    hf_call_options o;
    hf_client_options_init(&c);
    hf_download_options_init(&d);
    hf_call_options_init(&o);
    if (c.struct_size != sizeof c || d.struct_size != sizeof d || o.struct_size != sizeof o) {
        fprintf(stderr, "struct_size from the library: client %u, download %u, call %u; header: %zu, %zu, %zu\n",
                (unsigned)c.struct_size, (unsigned)d.struct_size, (unsigned)o.struct_size, sizeof c, sizeof d,
                sizeof o);
        return 1;
    }
    hf_snapshot_options s;
    hf_repo_options r;
    hf_snapshot_options_init(&s);
    hf_repo_options_init(&r);
    if (s.struct_size != sizeof s || r.struct_size != sizeof r) {
        fprintf(stderr, "struct_size from the library: snapshot %u, repo %u; header: %zu, %zu\n",
                (unsigned)s.struct_size, (unsigned)r.struct_size, sizeof s, sizeof r);
        return 1;
    }
    hf_gguf_options g;
    hf_gguf_options_init(&g);
    if (g.struct_size != sizeof g) {
        fprintf(stderr, "struct_size from the library: gguf %u; header: %zu\n", (unsigned)g.struct_size, sizeof g);
        return 1;
    }
    printf("layout OK\n");
    return 0;
}
