/* The three places the version lives agree: the header's macros, the library's hf_version() and
 * hf_version_number(), and Cargo.toml (HF_TEST_VERSION, read from it by CMake). A program built
 * against one header and run against another library sees the mismatch through
 * hf_version_number() != HF_HUB_VERSION_NUMBER.
 *
 * Self-contained (no test_util): cargo_output_link.sh also builds it with a plain `cc` against the
 * cargo output directory. Prints the library version on success. */
#include <stdio.h>
#include <string.h>

#include "hf_hub.h"

#ifndef HF_TEST_VERSION
#error "HF_TEST_VERSION (the Cargo.toml version) must be defined"
#endif

static int failures;

#define EXPECT(cond, ...)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: CHECK(%s) failed: ", __FILE__, __LINE__, #cond);               \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

/* The number is the documented combination of the three macros, computed by the preprocessor. */
#if HF_HUB_VERSION_NUMBER != HF_HUB_VERSION_MAJOR * 1000000 + HF_HUB_VERSION_MINOR * 1000 + HF_HUB_VERSION_PATCH
#error "HF_HUB_VERSION_NUMBER is not MAJOR * 1000000 + MINOR * 1000 + PATCH"
#endif
#if HF_HUB_VERSION_MINOR > 999 || HF_HUB_VERSION_PATCH > 999
#error "MINOR and PATCH must stay below 1000 for HF_HUB_VERSION_NUMBER to be unambiguous"
#endif

int main(void) {
    char macros[64];
    snprintf(macros, sizeof macros, "%d.%d.%d", HF_HUB_VERSION_MAJOR, HF_HUB_VERSION_MINOR,
             HF_HUB_VERSION_PATCH);

    /* Cargo.toml is the single source: the header's macros were generated from it. */
    EXPECT(strcmp(macros, HF_TEST_VERSION) == 0, "header macros %s != Cargo.toml %s", macros,
           HF_TEST_VERSION);

    /* The library this program runs against. */
    const unsigned long number = (unsigned long)hf_version_number();
    EXPECT(number == (unsigned long)HF_HUB_VERSION_NUMBER, "hf_version_number() = %lu, HF_HUB_VERSION_NUMBER = %lu",
           number, (unsigned long)HF_HUB_VERSION_NUMBER);
    const char *text = hf_version();
    EXPECT(text != NULL, "hf_version() is NULL");
    if (text != NULL) {
        /* "MAJOR.MINOR.PATCH", or that followed by a pre-release or build suffix ("0.2.0-dev"). */
        const size_t n = strlen(macros);
        EXPECT(strncmp(text, macros, n) == 0 && (text[n] == '\0' || text[n] == '-' || text[n] == '+'),
               "hf_version() = \"%s\", macros = \"%s\"", text, macros);
        EXPECT(hf_version() == text, "hf_version() is not one static string");
    }
    if (failures) return 1;
    printf("libhf_hub %s (%lu)\n", text, number);
    return 0;
}
