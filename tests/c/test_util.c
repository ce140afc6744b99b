#define _GNU_SOURCE
#include "test_util.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef HF_TEST_EMULATOR
#define HF_TEST_EMULATOR "hub-emulator"
#endif

/* ------------------------------------------------------------------------------------------------ */
/* assertions                                                                                        */
/* ------------------------------------------------------------------------------------------------ */

void tu_fail(const char *file, int line, const char *fmt, ...) {
    va_list ap;
    fprintf(stderr, "%s:%d: FAILED: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
    exit(1);
}

bool tu_test_selected(const char *name) {
    const char *only = getenv("HF_TEST_ONLY");
    if (!only || !*only) return true;
    size_t n = strlen(name);
    for (const char *p = only; *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && strncmp(p, name, n) == 0) return true;
        if (!end) break;
        p = end + 1;
    }
    return false;
}

void tu_check_status(const char *file, int line, int32_t st, int32_t expected, hf_error **errp) {
    hf_error *err = errp ? *errp : NULL;
    if (st != expected) {
        const char *msg = err ? hf_error_message(err) : NULL;
        tu_fail(file, line, "status %d (%s) != expected %d (%s); error: %s (http %d)", (int)st,
                hf_status_str(st), (int)expected, hf_status_str(expected), msg ? msg : "(none)",
                err ? (int)hf_error_http_status(err) : 0);
    }
    if (errp) {
        hf_error_free(*errp);
        *errp = NULL;
    }
}

/* ------------------------------------------------------------------------------------------------ */
/* emulator                                                                                          */
/* ------------------------------------------------------------------------------------------------ */

#define TU_MAX_EMULATORS 8
static tu_emulator *g_emulators[TU_MAX_EMULATORS];
static bool g_atexit_registered;

static void tu_kill_all(void) {
    for (int i = 0; i < TU_MAX_EMULATORS; i++) {
        if (g_emulators[i] && g_emulators[i]->pid > 0) {
            kill(g_emulators[i]->pid, SIGKILL);
            waitpid(g_emulators[i]->pid, NULL, 0);
            g_emulators[i]->pid = 0;
        }
    }
}

static bool json_url_field(const char *json, const char *key, char *out, size_t cap) {
    char *v = tu_json_get_string(json, key);
    if (!v) return false;
    bool ok = strlen(v) < cap;
    if (ok) strcpy(out, v);
    free(v);
    return ok;
}

void tu_emulator_start(tu_emulator *emu, const char *const *extra_args) {
    memset(emu, 0, sizeof(*emu));
    const char *bin = getenv("HF_HUB_EMULATOR");
    if (!bin || !*bin) bin = HF_TEST_EMULATOR;
    emu->dir = tu_mkdtemp("emu");
    char *ready = tu_path_join(emu->dir, "ready.json");

    const char *argv[64];
    int n = 0;
    argv[n++] = bin;
    argv[n++] = "--demo";
    argv[n++] = "--ready-file";
    argv[n++] = ready;
    for (int i = 0; extra_args && extra_args[i] && n < 62; i++) argv[n++] = extra_args[i];
    argv[n] = NULL;

    if (!g_atexit_registered) {
        atexit(tu_kill_all);
        g_atexit_registered = true;
    }
    fflush(NULL);
    pid_t pid = fork();
    CHECK_MSG(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0) {
            dup2(devnull, STDOUT_FILENO);
            if (!getenv("HF_TEST_EMULATOR_VERBOSE")) dup2(devnull, STDERR_FILENO);
            close(devnull);
        }
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    emu->pid = pid;
    for (int i = 0; i < TU_MAX_EMULATORS; i++) {
        if (!g_emulators[i]) {
            g_emulators[i] = emu;
            break;
        }
    }

    double deadline = tu_now() + 60.0;
    for (;;) {
        size_t len = 0;
        char *text = tu_read_file(ready, &len);
        if (text && strchr(text, '}')) {
            bool ok = json_url_field(text, "hub", emu->hub, sizeof emu->hub) &&
                      json_url_field(text, "cdn", emu->cdn, sizeof emu->cdn);
            CHECK_MSG(ok, "bad ready file from the emulator: %s", text);
            free(text);
            break;
        }
        free(text);
        int wstatus;
        if (waitpid(pid, &wstatus, WNOHANG) == pid) {
            emu->pid = 0;
            tu_fail(__FILE__, __LINE__, "hub emulator %s exited before becoming ready (status %d)", bin,
                    WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1);
        }
        CHECK_MSG(tu_now() < deadline, "hub emulator %s did not become ready", bin);
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    free(ready);
}

void tu_emulator_stop(tu_emulator *emu) {
    if (emu->pid > 0) {
        kill(emu->pid, SIGTERM);
        double deadline = tu_now() + 5.0;
        int wstatus;
        while (waitpid(emu->pid, &wstatus, WNOHANG) == 0) {
            if (tu_now() > deadline) {
                kill(emu->pid, SIGKILL);
                waitpid(emu->pid, &wstatus, 0);
                break;
            }
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
        emu->pid = 0;
    }
    for (int i = 0; i < TU_MAX_EMULATORS; i++)
        if (g_emulators[i] == emu) g_emulators[i] = NULL;
    if (emu->dir) {
        tu_rm_rf(emu->dir);
        free(emu->dir);
        emu->dir = NULL;
    }
}

char *tu_emulator_requests(const tu_emulator *emu) {
    char *url = tu_path_join(emu->hub, "_emulator/requests");
    int status = 0;
    char *body = tu_http("GET", url, NULL, NULL, &status);
    CHECK_MSG(body && status == 200, "GET %s -> %d", url, status);
    free(url);
    return body;
}

void tu_emulator_clear_requests(const tu_emulator *emu) {
    char *url = tu_path_join(emu->hub, "_emulator/requests");
    int status = 0;
    char *body = tu_http("DELETE", url, NULL, NULL, &status);
    CHECK_MSG(body && status >= 200 && status < 300, "DELETE %s -> %d", url, status);
    free(body);
    free(url);
}

int tu_emulator_add_fault(const tu_emulator *emu, const char *json) {
    char *url = tu_path_join(emu->hub, "_emulator/faults");
    int status = 0;
    char *body = tu_http("POST", url, "application/json", json, &status);
    CHECK_MSG(body, "POST %s failed to connect", url);
    if (status < 200 || status >= 300) fprintf(stderr, "POST %s -> %d: %s\n", url, status, body);
    free(body);
    free(url);
    return status;
}

/* ------------------------------------------------------------------------------------------------ */
/* HTTP                                                                                              */
/* ------------------------------------------------------------------------------------------------ */

static char *dechunk(const char *p, size_t len) {
    char *out = malloc(len + 1);
    size_t o = 0;
    const char *end = p + len;
    while (p < end) {
        char *after = NULL;
        unsigned long n = strtoul(p, &after, 16);
        const char *line_end = strstr(p, "\r\n");
        if (!line_end || after == p) break;
        p = line_end + 2;
        if (n == 0 || p + n > end) break;
        memcpy(out + o, p, n);
        o += n;
        p += n + 2;
    }
    out[o] = '\0';
    return out;
}

char *tu_http(const char *method, const char *url, const char *content_type, const char *body,
              int *status_out) {
    *status_out = 0;
    if (strncmp(url, "http://", 7) != 0) return NULL;
    const char *hostport = url + 7;
    const char *slash = strchr(hostport, '/');
    size_t hp_len = slash ? (size_t)(slash - hostport) : strlen(hostport);
    const char *path = slash ? slash : "/";
    char host[64];
    if (hp_len >= sizeof host) return NULL;
    memcpy(host, hostport, hp_len);
    host[hp_len] = '\0';
    char *colon = strrchr(host, ':');
    int port = 80;
    if (colon) {
        port = atoi(colon + 1);
        *colon = '\0';
    }
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    if (strcmp(host, "localhost") == 0) strcpy(host, "127.0.0.1");
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) return NULL;

    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return NULL;
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        close(fd);
        return NULL;
    }
    size_t body_len = body ? strlen(body) : 0;
    char *req = tu_strdup_printf("%s %s HTTP/1.1\r\nHost: %s:%d\r\nConnection: close\r\n"
                                 "User-Agent: hf_hub-c-tests\r\nContent-Length: %zu\r\n%s%s%s\r\n",
                                 method, path, host, port, body_len, content_type ? "Content-Type: " : "",
                                 content_type ? content_type : "", content_type ? "\r\n" : "");
    size_t req_len = strlen(req);
    bool ok = send(fd, req, req_len, MSG_NOSIGNAL) == (ssize_t)req_len;
    if (ok && body_len) ok = send(fd, body, body_len, MSG_NOSIGNAL) == (ssize_t)body_len;
    free(req);
    if (!ok) {
        close(fd);
        return NULL;
    }
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (len + 4096 + 1 > cap) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
        ssize_t r = recv(fd, buf + len, cap - len - 1, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        len += (size_t)r;
    }
    close(fd);
    buf[len] = '\0';
    int status = 0;
    if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1) {
        free(buf);
        return NULL;
    }
    *status_out = status;
    char *hdr_end = strstr(buf, "\r\n\r\n");
    char *result;
    if (!hdr_end) {
        result = calloc(1, 1);
    } else {
        *hdr_end = '\0';
        const char *payload = hdr_end + 4;
        size_t payload_len = len - (size_t)(payload - buf);
        if (strcasestr(buf, "\r\ntransfer-encoding: chunked")) {
            result = dechunk(payload, payload_len);
        } else {
            result = malloc(payload_len + 1);
            memcpy(result, payload, payload_len);
            result[payload_len] = '\0';
        }
    }
    free(buf);
    return result;
}

/* ------------------------------------------------------------------------------------------------ */
/* JSON                                                                                              */
/* ------------------------------------------------------------------------------------------------ */

static const char *skip_ws(const char *p) {
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
    return p;
}

/* p at '"': returns the position after the closing quote. */
static const char *skip_string(const char *p) {
    p++;
    while (*p && *p != '"') {
        if (*p == '\\' && p[1]) p++;
        p++;
    }
    return *p ? p + 1 : p;
}

static const char *skip_value(const char *p) {
    p = skip_ws(p);
    if (*p == '"') return skip_string(p);
    if (*p == '{' || *p == '[') {
        int depth = 0;
        while (*p) {
            if (*p == '"') {
                p = skip_string(p);
                continue;
            }
            if (*p == '{' || *p == '[') depth++;
            if (*p == '}' || *p == ']') {
                depth--;
                if (depth == 0) return p + 1;
            }
            p++;
        }
        return p;
    }
    while (*p && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\n') p++;
    return p;
}

static void put_utf8(char *out, size_t *o, unsigned cp) {
    if (cp < 0x80) {
        out[(*o)++] = (char)cp;
    } else if (cp < 0x800) {
        out[(*o)++] = (char)(0xC0 | (cp >> 6));
        out[(*o)++] = (char)(0x80 | (cp & 0x3F));
    } else {
        out[(*o)++] = (char)(0xE0 | (cp >> 12));
        out[(*o)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[(*o)++] = (char)(0x80 | (cp & 0x3F));
    }
}

/* p at '"': decoded copy of the string. */
static char *decode_string(const char *p) {
    const char *end = skip_string(p);
    char *out = malloc((size_t)(end - p) + 4);
    size_t o = 0;
    for (p++; p < end - 1; p++) {
        if (*p != '\\') {
            out[o++] = *p;
            continue;
        }
        p++;
        switch (*p) {
        case 'n': out[o++] = '\n'; break;
        case 't': out[o++] = '\t'; break;
        case 'r': out[o++] = '\r'; break;
        case 'b': out[o++] = '\b'; break;
        case 'f': out[o++] = '\f'; break;
        case 'u': {
            unsigned cp = 0;
            if (sscanf(p + 1, "%4x", &cp) == 1) p += 4;
            put_utf8(out, &o, cp);
            break;
        }
        default: out[o++] = *p; break;
        }
    }
    out[o] = '\0';
    return out;
}

tu_json_objs tu_json_split_array(const char *json) {
    tu_json_objs objs = {0, NULL};
    const char *p = skip_ws(json);
    if (*p != '[') return objs;
    p++;
    size_t cap = 0;
    for (;;) {
        p = skip_ws(p);
        if (*p == ',') {
            p++;
            continue;
        }
        if (*p == '\0' || *p == ']') break;
        const char *start = p;
        p = skip_value(p);
        if (*start == '{') {
            if (objs.count == cap) {
                cap = cap ? cap * 2 : 16;
                objs.items = realloc(objs.items, cap * sizeof(char *));
            }
            size_t n = (size_t)(p - start);
            char *item = malloc(n + 1);
            memcpy(item, start, n);
            item[n] = '\0';
            objs.items[objs.count++] = item;
        }
        if (p == start) break;
    }
    return objs;
}

void tu_json_objs_free(tu_json_objs *objs) {
    for (size_t i = 0; i < objs->count; i++) free(objs->items[i]);
    free(objs->items);
    objs->items = NULL;
    objs->count = 0;
}

/* Position of the value of a top-level key of the object at `obj`, or NULL. */
static const char *find_key(const char *obj, const char *key) {
    const char *p = skip_ws(obj);
    if (*p != '{') return NULL;
    p++;
    size_t klen = strlen(key);
    for (;;) {
        p = skip_ws(p);
        if (*p == ',') {
            p++;
            continue;
        }
        if (*p != '"') return NULL;
        const char *kstart = p + 1;
        const char *kend = skip_string(p);
        bool match = (size_t)(kend - 1 - kstart) == klen && strncmp(kstart, key, klen) == 0;
        p = skip_ws(kend);
        if (*p != ':') return NULL;
        p = skip_ws(p + 1);
        if (match) return p;
        p = skip_value(p);
    }
}

char *tu_json_get_raw(const char *obj, const char *key) {
    const char *v = find_key(obj, key);
    if (!v) return NULL;
    const char *end = skip_value(v);
    size_t n = (size_t)(end - v);
    char *out = malloc(n + 1);
    memcpy(out, v, n);
    out[n] = '\0';
    return out;
}

char *tu_json_get_string(const char *obj, const char *key) {
    const char *v = find_key(obj, key);
    if (!v || *v != '"') return NULL;
    return decode_string(v);
}

long long tu_json_get_int(const char *obj, const char *key, long long fallback) {
    const char *v = find_key(obj, key);
    if (!v) return fallback;
    char *end = NULL;
    long long x = strtoll(v, &end, 10);
    return end == v ? fallback : x;
}

bool tu_request_has_header(const char *entry_obj, const char *name) {
    const char *p = find_key(entry_obj, "headers");
    if (!p || *p != '[') return false;
    p++;
    for (;;) {
        p = skip_ws(p);
        if (*p == ',') {
            p++;
            continue;
        }
        if (*p != '[') return false;
        const char *first = skip_ws(p + 1);
        if (*first == '"') {
            char *hname = decode_string(first);
            bool match = strcasecmp(hname, name) == 0;
            free(hname);
            if (match) return true;
        }
        p = skip_value(p);
    }
}

size_t tu_count_requests(const char *log_json, const char *origin, const char *method, const char *path_sub) {
    tu_json_objs objs = tu_json_split_array(log_json);
    size_t n = 0;
    for (size_t i = 0; i < objs.count; i++) {
        char *o = tu_json_get_string(objs.items[i], "origin");
        char *m = tu_json_get_string(objs.items[i], "method");
        char *path = tu_json_get_string(objs.items[i], "path");
        bool ok = (!origin || (o && strcasecmp(o, origin) == 0)) && (!method || (m && strcmp(m, method) == 0)) &&
                  (!path_sub || (path && strstr(path, path_sub)));
        n += ok;
        free(o);
        free(m);
        free(path);
    }
    tu_json_objs_free(&objs);
    return n;
}

/* ------------------------------------------------------------------------------------------------ */
/* files                                                                                             */
/* ------------------------------------------------------------------------------------------------ */

char *tu_strdup_printf(const char *fmt, ...) {
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *out = malloc((size_t)n + 1);
    vsnprintf(out, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return out;
}

char *tu_path_join(const char *a, const char *b) {
    size_t la = strlen(a);
    bool slash = la > 0 && a[la - 1] == '/';
    return tu_strdup_printf("%s%s%s", a, slash ? "" : "/", b);
}

char *tu_mkdtemp(const char *tag) {
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp) tmp = "/tmp";
    char *templ = tu_strdup_printf("%s/hfhub-c-%s-XXXXXX", tmp, tag);
    CHECK_MSG(mkdtemp(templ) != NULL, "mkdtemp(%s): %s", templ, strerror(errno));
    return templ;
}

static int rm_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

void tu_rm_rf(const char *path) {
    if (path && *path) nftw(path, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

char *tu_read_file(const char *path, size_t *len_out) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap + 1);
    size_t r;
    while ((r = fread(buf + len, 1, cap - len, f)) > 0) {
        len += r;
        if (len == cap) {
            cap *= 2;
            buf = realloc(buf, cap + 1);
        }
    }
    fclose(f);
    buf[len] = '\0';
    if (len_out) *len_out = len;
    return buf;
}

bool tu_exists(const char *path) {
    struct stat st;
    return lstat(path, &st) == 0;
}

bool tu_is_symlink(const char *path) {
    struct stat st;
    return lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
}

char *tu_readlink(const char *path) {
    char buf[4096];
    ssize_t n = readlink(path, buf, sizeof buf - 1);
    if (n < 0) return NULL;
    buf[n] = '\0';
    return strdup(buf);
}

bool tu_ends_with(const char *s, const char *suffix) {
    size_t ls = strlen(s), lx = strlen(suffix);
    return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

bool tu_is_hex(const char *s, size_t len) {
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
}

int tu_count_dir_entries(const char *dir, const char *ignore_suffix) {
    DIR *d = opendir(dir);
    if (!d) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        if (ignore_suffix && tu_ends_with(e->d_name, ignore_suffix)) continue;
        n++;
    }
    closedir(d);
    return n;
}

double tu_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------------------------------------------ */
/* hashes                                                                                            */
/* ------------------------------------------------------------------------------------------------ */

static uint32_t rol32(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }
static uint32_t ror32(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

typedef struct {
    uint32_t h[8];
    uint64_t len;
    uint8_t buf[64];
    size_t n;
    bool sha256;
} hash_ctx;

static const uint32_t K256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static void hash_block(hash_ctx *c, const uint8_t *b) {
    uint32_t w[80];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)b[4 * i] << 24 | (uint32_t)b[4 * i + 1] << 16 | (uint32_t)b[4 * i + 2] << 8 | b[4 * i + 3];
    if (!c->sha256) {
        for (int i = 16; i < 80; i++) w[i] = rol32(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
        uint32_t a = c->h[0], bb = c->h[1], cc = c->h[2], d = c->h[3], e = c->h[4];
        for (int i = 0; i < 80; i++) {
            uint32_t f, k;
            if (i < 20) f = (bb & cc) | (~bb & d), k = 0x5A827999;
            else if (i < 40) f = bb ^ cc ^ d, k = 0x6ED9EBA1;
            else if (i < 60) f = (bb & cc) | (bb & d) | (cc & d), k = 0x8F1BBCDC;
            else f = bb ^ cc ^ d, k = 0xCA62C1D6;
            uint32_t t = rol32(a, 5) + f + e + k + w[i];
            e = d, d = cc, cc = rol32(bb, 30), bb = a, a = t;
        }
        c->h[0] += a, c->h[1] += bb, c->h[2] += cc, c->h[3] += d, c->h[4] += e;
        return;
    }
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ror32(w[i - 15], 7) ^ ror32(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ror32(w[i - 2], 17) ^ ror32(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t v[8];
    memcpy(v, c->h, sizeof v);
    for (int i = 0; i < 64; i++) {
        uint32_t S1 = ror32(v[4], 6) ^ ror32(v[4], 11) ^ ror32(v[4], 25);
        uint32_t ch = (v[4] & v[5]) ^ (~v[4] & v[6]);
        uint32_t t1 = v[7] + S1 + ch + K256[i] + w[i];
        uint32_t S0 = ror32(v[0], 2) ^ ror32(v[0], 13) ^ ror32(v[0], 22);
        uint32_t maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
        uint32_t t2 = S0 + maj;
        memmove(v + 1, v, 7 * sizeof(uint32_t));
        v[4] += t1;
        v[0] = t1 + t2;
    }
    for (int i = 0; i < 8; i++) c->h[i] += v[i];
}

static void hash_init(hash_ctx *c, bool sha256) {
    static const uint32_t h1[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
    static const uint32_t h256[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                     0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memset(c, 0, sizeof *c);
    c->sha256 = sha256;
    memcpy(c->h, sha256 ? h256 : h1, sha256 ? sizeof h256 : sizeof h1);
}

static void hash_update(hash_ctx *c, const void *data, size_t len) {
    const uint8_t *p = data;
    c->len += len;
    while (len--) {
        c->buf[c->n++] = *p++;
        if (c->n == 64) {
            hash_block(c, c->buf);
            c->n = 0;
        }
    }
}

static void hash_final_hex(hash_ctx *c, char *out) {
    uint64_t bits = c->len * 8;
    uint8_t pad = 0x80, zero = 0;
    uint64_t saved = c->len;
    hash_update(c, &pad, 1);
    while (c->n != 56) hash_update(c, &zero, 1);
    uint8_t lenbuf[8];
    for (int i = 0; i < 8; i++) lenbuf[i] = (uint8_t)(bits >> (56 - 8 * i));
    hash_update(c, lenbuf, 8);
    c->len = saved;
    int words = c->sha256 ? 8 : 5;
    for (int i = 0; i < words; i++) sprintf(out + 8 * i, "%08x", c->h[i]);
    out[8 * words] = '\0';
}

void tu_sha1_hex(const void *data, size_t len, char out[41]) {
    hash_ctx c;
    hash_init(&c, false);
    hash_update(&c, data, len);
    hash_final_hex(&c, out);
}

void tu_git_blob_sha1_hex(const void *data, size_t len, char out[41]) {
    char header[64];
    int n = snprintf(header, sizeof header, "blob %zu", len);
    hash_ctx c;
    hash_init(&c, false);
    hash_update(&c, header, (size_t)n + 1); /* including the NUL */
    hash_update(&c, data, len);
    hash_final_hex(&c, out);
}

void tu_sha256_hex(const void *data, size_t len, char out[65]) {
    hash_ctx c;
    hash_init(&c, true);
    hash_update(&c, data, len);
    hash_final_hex(&c, out);
}

/* ------------------------------------------------------------------------------------------------ */
/* clients                                                                                           */
/* ------------------------------------------------------------------------------------------------ */

hf_client *tu_client(const tu_emulator *emu, const char *hf_home, const char *token, int offline) {
    hf_client_options opts;
    hf_client_options_init(&opts);
    opts.ignore_env = true;
    opts.endpoint = emu ? emu->hub : NULL;
    opts.hf_home = hf_home;
    opts.token = token;
    opts.offline = offline;
    hf_client *client = NULL;
    hf_error *err = NULL;
    int32_t st = hf_client_new(&opts, &client, &err);
    CHECK_STATUS(st, HF_OK, &err);
    CHECK(client != NULL);
    return client;
}
