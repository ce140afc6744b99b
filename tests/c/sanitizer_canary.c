/* Sanitizer canaries: built with the flags of the sanitized C tests, each run commits one error
 * the sanitizer must report (ctest passes on the report's text, see CMakeLists.txt). Should the
 * flags vanish, the program exits 0 with "canary: no sanitizer report" and the test fails.
 * HF_CANARY selects the error: heap-overflow (ASan), signed-overflow or misaligned (UBSan). The
 * values come from the environment so the compiler cannot prove the error at build time. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
    const char *which = getenv("HF_CANARY");
    const char *n_env = getenv("HF_CANARY_N"); /* normally unset: 0 */
    int n = n_env ? atoi(n_env) : 0;
    if (!which) which = "";
    if (strcmp(which, "heap-overflow") == 0) {
        volatile char *p = malloc(16 + (size_t)n);
        if (!p) return 2;
        p[16 + n] = 1; /* one past the end */
        printf("canary: wrote %d\n", p[16 + n]);
        free((void *)p);
    } else if (strcmp(which, "signed-overflow") == 0) {
        volatile int x = INT32_MAX - n;
        int y = x + 1;
        printf("canary: %d\n", y);
    } else if (strcmp(which, "misaligned") == 0) {
        _Alignas(8) unsigned char buf[16] = {0};
        volatile int32_t *p = (int32_t *)(void *)(buf + 1 + n);
        printf("canary: %d\n", (int)*p);
    } else {
        fprintf(stderr, "canary: HF_CANARY must be heap-overflow, signed-overflow or misaligned\n");
        return 2;
    }
    fprintf(stderr, "canary: no sanitizer report\n");
    return 0;
}
