/* Shared helpers of the C test suite: assertions, the hub emulator process, a tiny HTTP/1.1 client
 * (POSIX sockets, loopback only), temporary directories, file and hash utilities. */
#ifndef HF_TEST_UTIL_H
#define HF_TEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>

#include "hf_hub.h"

#define DEMO_TOKEN "hf_localtesttoken0123456789"
#define DEMO_USER "tester"
#define DEMO_ORG "test-org"
#define DEMO_MODEL "test-org/test-model"
#define MIB (1024u * 1024u)

/* ---- assertions: print the location and exit(1); the emulator is killed by an atexit hook ---- */
void tu_fail(const char *file, int line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((noreturn, format(printf, 3, 4)))
#endif
    ;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) tu_fail(__FILE__, __LINE__, "CHECK(%s) failed", #cond);                       \
    } while (0)
#define CHECK_MSG(cond, ...)                                                                       \
    do {                                                                                           \
        if (!(cond)) tu_fail(__FILE__, __LINE__, __VA_ARGS__);                                     \
    } while (0)
#define CHECK_EQ_INT(a, b)                                                                         \
    do {                                                                                           \
        long long tu_a_ = (long long)(a), tu_b_ = (long long)(b);                                  \
        if (tu_a_ != tu_b_)                                                                        \
            tu_fail(__FILE__, __LINE__, "%s == %s failed: %lld != %lld", #a, #b, tu_a_, tu_b_);    \
    } while (0)
#define CHECK_STR_EQ(a, b)                                                                         \
    do {                                                                                           \
        const char *tu_a_ = (a), *tu_b_ = (b);                                                     \
        if (!tu_a_ || !tu_b_ || strcmp(tu_a_, tu_b_) != 0)                                         \
            tu_fail(__FILE__, __LINE__, "%s == %s failed: \"%s\" != \"%s\"", #a, #b,               \
                    tu_a_ ? tu_a_ : "(null)", tu_b_ ? tu_b_ : "(null)");                           \
    } while (0)
/* Check an hf_status; on mismatch print both names and the error message. Frees *errp. */
#define CHECK_STATUS(st, expected, errp) tu_check_status(__FILE__, __LINE__, (st), (expected), (errp))
void tu_check_status(const char *file, int line, int32_t st, int32_t expected, hf_error **errp);

/* Free an error and forget it (out-parameters are only written on failure, so a stale pointer
 * must never be passed again). */
#define ERR_CLEAR(e)                                                                               \
    do {                                                                                           \
        hf_error_free(e);                                                                          \
        (e) = NULL;                                                                                \
    } while (0)

/* HF_TEST_ONLY="name1,name2" runs only those tests of a program (the valgrind variants use it to
 * stay within their time budget); unset: every test. */
bool tu_test_selected(const char *name);
#define RUN_TEST(fn)                                                                               \
    do {                                                                                           \
        if (!tu_test_selected(#fn)) {                                                              \
            fprintf(stderr, "[ SKIP ] %s (not in HF_TEST_ONLY)\n", #fn);                           \
            break;                                                                                 \
        }                                                                                          \
        fprintf(stderr, "[ RUN  ] %s\n", #fn);                                                     \
        fn();                                                                                      \
        fprintf(stderr, "[  OK  ] %s\n", #fn);                                                     \
    } while (0)

/* ---- the hub emulator ---- */
typedef struct tu_emulator {
    pid_t pid;
    char hub[128]; /* "http://127.0.0.1:P" */
    char cdn[128];
    char *dir; /* temporary directory holding the ready file */
} tu_emulator;

/* Start `hub-emulator --demo --ready-file ...` plus extra args (NULL-terminated, may be NULL).
 * The binary is $HF_HUB_EMULATOR or the compile-time HF_TEST_EMULATOR. Exits the test on failure. */
void tu_emulator_start(tu_emulator *emu, const char *const *extra_args);
void tu_emulator_stop(tu_emulator *emu);

/* Request log: GET /_emulator/requests (JSON text, malloc'd) and DELETE it. */
char *tu_emulator_requests(const tu_emulator *emu);
void tu_emulator_clear_requests(const tu_emulator *emu);
/* POST /_emulator/faults with a JSON body; returns the HTTP status. */
int tu_emulator_add_fault(const tu_emulator *emu, const char *json);

/* ---- HTTP/1.1 over a loopback socket (Connection: close). Returns the body (malloc'd, NUL-terminated)
 * or NULL on connection failure; *status_out gets the status code. ---- */
char *tu_http(const char *method, const char *url, const char *content_type, const char *body,
              int *status_out);

/* ---- a tiny JSON walker for the request log: split a top-level array into its objects and read
 * string / number fields. Not a general parser, but correct for serde_json output. ---- */
typedef struct tu_json_objs {
    size_t count;
    char **items; /* each a malloc'd copy of one top-level object's text */
} tu_json_objs;
tu_json_objs tu_json_split_array(const char *json);
void tu_json_objs_free(tu_json_objs *objs);
/* Value of "key": "..." at the top level of an object (decoded), malloc'd; NULL if absent/not a string. */
char *tu_json_get_string(const char *obj, const char *key);
/* Value of "key": <integer>; returns fallback if absent. */
long long tu_json_get_int(const char *obj, const char *key, long long fallback);
/* Raw text of the value of "key" (any type), malloc'd; NULL if absent. */
char *tu_json_get_raw(const char *obj, const char *key);
/* Count request-log entries matching origin ("hub"/"cdn", case-insensitive), method and a path substring (NULL = any). */
size_t tu_count_requests(const char *log_json, const char *origin, const char *method, const char *path_sub);
/* Whether the headers of an entry contain `name` (case-insensitive). */
bool tu_request_has_header(const char *entry_obj, const char *name);

/* ---- files ---- */
char *tu_mkdtemp(const char *tag);           /* fresh directory under $TMPDIR, malloc'd */
void tu_rm_rf(const char *path);             /* recursive delete (does not follow symlinks) */
char *tu_read_file(const char *path, size_t *len_out); /* NULL if unreadable */
bool tu_exists(const char *path);            /* lstat succeeds */
bool tu_is_symlink(const char *path);
char *tu_readlink(const char *path);         /* malloc'd */
char *tu_path_join(const char *a, const char *b); /* malloc'd "a/b" */
char *tu_strdup_printf(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
bool tu_ends_with(const char *s, const char *suffix);
bool tu_is_hex(const char *s, size_t len);
/* Number of entries in a directory whose name does not end with `ignore_suffix` (NULL = count all);
 * -1 if the directory does not exist. */
int tu_count_dir_entries(const char *dir, const char *ignore_suffix);

/* ---- hashes (hex, lowercase, into a buffer of 41 / 65 bytes) ---- */
void tu_sha1_hex(const void *data, size_t len, char out[41]);
void tu_git_blob_sha1_hex(const void *data, size_t len, char out[41]); /* sha1("blob <len>\0" + data) */
void tu_sha256_hex(const void *data, size_t len, char out[65]);

/* ---- clients ---- */
/* A client isolated from the environment: endpoint = emu->hub (emu may be NULL), hf_home, token
 * (NULL = none), offline (0/1). Exits the test on failure. */
hf_client *tu_client(const tu_emulator *emu, const char *hf_home, const char *token, int offline);

double tu_now(void); /* monotonic seconds */

#endif
