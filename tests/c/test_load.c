/* Load: 32 threads share one hf_client for HF_LOAD_SECONDS (default 60) against a loopback
 * emulator, mixing commit-pinned cache hits, branch downloads (HEAD + cache), forced downloads of
 * small files and of a 4 MiB LFS file fetched with ranged lanes, snapshots, metadata calls, and
 * downloads cancelled mid-transfer through an hf_cancel_token.
 *
 * Asserted:
 * - 0 unexpected results: every call returns HF_OK with the right path/size, except the
 *   cancelled ones, which return HF_ERR_CANCELLED and nothing else;
 * - no growth between the end of the warm-up (duration/3) and the end of the run, both sampled
 *   with every worker paused between two calls:
 *   . threads (/proc/self/task) other than the library's blocking pool: equal. The blocking pool
 *     ("hf_hub-blocking") is elastic by design (idle threads exit after 10 s) and capped at 64 by
 *     the runtime: asserted <= 64 at both samples;
 *   . file descriptors (/proc/self/fd) other than sockets: equal (a leaked file handle shows here);
 *     sockets are the HTTP connection pool (at most 32 idle per origin, hub + CDN): asserted <= 80
 *     at both samples, so a socket leak over the run (thousands of connections) fails;
 *   . VmRSS: growth < 16 MiB;
 * - the cache is consistent at the end: every snapshot entry resolves to a blob, the load repo's
 *   files equal what was committed, and hf_cache_verify finds no mismatch.
 *
 * Ops counts per kind are printed. Loopback only; the emulator is a child process (its threads and
 * fds are not counted). */
#define _GNU_SOURCE
#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_util.h"

#define N_THREADS 32
#define LOAD_REPO "test-org/load-model"
#define BIG_SIZE (4u * MIB)
#define SLOW_SIZE (2u * MIB)
#define RSS_GROWTH_LIMIT_KB (16 * 1024)
#define MAX_BLOCKING_THREADS 64
#define MAX_SOCKETS 80

enum op_kind { OP_PINNED_HIT, OP_BRANCH_HIT, OP_FORCE_SMALL, OP_FORCE_BIG, OP_SNAPSHOT, OP_METADATA, OP_CANCEL, OP_KINDS };
static const char *const OP_NAMES[OP_KINDS] = {"pinned cache hit", "branch download/hit", "forced small download",
                                               "forced 4 MiB LFS download", "snapshot",  "metadata",
                                               "cancelled download"};
/* Relative weights of the kinds. */
static const unsigned OP_WEIGHTS[OP_KINDS] = {6, 4, 3, 1, 2, 4, 1};

typedef struct repo_file {
    const char *name;
    unsigned char *data;
    size_t len;
} repo_file;

static repo_file g_files[] = {{"a.txt", NULL, 0}, {"b.txt", NULL, 0}, {"c/d.json", NULL, 0}, {"big.bin", NULL, 0},
                              {"slow.bin", NULL, 0}};
#define N_SMALL 3
#define BIG_INDEX 3
#define SLOW_INDEX 4
#define N_REPO_FILES (sizeof g_files / sizeof g_files[0])


static const hf_client *g_client;
static char g_commit[41];
static char *g_cache;

/* Pause protocol: the main thread raises g_pause and waits until every worker sits in pause_point. */
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cv = PTHREAD_COND_INITIALIZER;
static int g_pause, g_paused;
static atomic_int g_stop;

static atomic_ullong g_ops[OP_KINDS];
static atomic_ullong g_unexpected;
static pthread_mutex_t g_msg_mu = PTHREAD_MUTEX_INITIALIZER;
static char g_first_error[512];

static void unexpected(const char *fmt, const char *a, int32_t st, const hf_error *err) {
    atomic_fetch_add(&g_unexpected, 1);
    pthread_mutex_lock(&g_msg_mu);
    if (!g_first_error[0]) {
        const char *m = err ? hf_error_message(err) : NULL;
        snprintf(g_first_error, sizeof g_first_error, "%s %s: %s (%s)", fmt, a, hf_status_str(st), m ? m : "no message");
    }
    pthread_mutex_unlock(&g_msg_mu);
}

static void pause_point(void) {
    pthread_mutex_lock(&g_mu);
    if (g_pause) {
        g_paused++;
        pthread_cond_broadcast(&g_cv);
        while (g_pause) pthread_cond_wait(&g_cv, &g_mu);
        g_paused--;
    }
    pthread_mutex_unlock(&g_mu);
}

static uint64_t xorshift(uint64_t *s) {
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

static enum op_kind pick(uint64_t *rng) {
    unsigned total = 0;
    for (int k = 0; k < OP_KINDS; k++) total += OP_WEIGHTS[k];
    unsigned r = (unsigned)(xorshift(rng) % total);
    for (int k = 0; k < OP_KINDS; k++) {
        if (r < OP_WEIGHTS[k]) return (enum op_kind)k;
        r -= OP_WEIGHTS[k];
    }
    return OP_METADATA;
}

static bool size_is(const char *path, size_t len) {
    struct stat st;
    return path && stat(path, &st) == 0 && (size_t)st.st_size == len;
}

static void download_one(const char *repo, const char *name, size_t len, const char *revision, bool force,
                         const char *what) {
    hf_download_options o;
    hf_download_options_init(&o);
    o.revision = revision;
    o.force_download = force;
    char *path = NULL;
    hf_error *err = NULL;
    int32_t st = hf_file_download(g_client, repo, name, &o, &path, &err);
    if (st != HF_OK) {
        unexpected(what, name, st, err);
    } else if (!tu_ends_with(path, name) || (len && !size_is(path, len))) {
        unexpected(what, name, HF_ERR_INTERNAL, NULL);
    }
    hf_error_free(err);
    hf_string_free(path);
}

typedef struct cancel_ctx {
    hf_cancel_token *token;
    bool at_start; /* cancel at the first report, else once bytes have arrived */
} cancel_ctx;

static int32_t cancel_progress(const hf_progress *p, void *user_data) {
    cancel_ctx *k = user_data;
    if (k->at_start || p->bytes_done > 0) hf_cancel_token_cancel(k->token);
    return 0;
}

static void run_op(enum op_kind kind, uint64_t *rng) {
    size_t f = (size_t)(xorshift(rng) % N_SMALL);
    switch (kind) {
    case OP_PINNED_HIT: {
        /* A commit-pinned revision whose file is cached: no request at all. */
        size_t d = (size_t)(xorshift(rng) % 2);
        download_one(LOAD_REPO, g_files[d].name, g_files[d].len, g_commit, false, "pinned");
        break;
    }
    case OP_BRANCH_HIT:
        download_one(LOAD_REPO, g_files[f].name, g_files[f].len, NULL, false, "branch");
        break;
    case OP_FORCE_SMALL:
        download_one(LOAD_REPO, g_files[f].name, g_files[f].len, NULL, true, "force");
        break;
    case OP_FORCE_BIG:
        download_one(LOAD_REPO, g_files[BIG_INDEX].name, BIG_SIZE, NULL, true, "force-big");
        break;
    case OP_SNAPSHOT: {
        hf_snapshot_options o;
        hf_snapshot_options_init(&o);
        o.max_workers = 4;
        hf_snapshot *snap = NULL;
        hf_error *err = NULL;
        int32_t st = hf_snapshot_download(g_client, DEMO_MODEL, &o, &snap, &err);
        if (st != HF_OK) unexpected("snapshot", DEMO_MODEL, st, err);
        else if (hf_snapshot_file_count(snap) != 4) unexpected("snapshot count", DEMO_MODEL, HF_ERR_INTERNAL, NULL);
        hf_error_free(err);
        hf_snapshot_free(snap);
        break;
    }
    case OP_METADATA: {
        size_t i = (size_t)(xorshift(rng) % (N_SMALL + 1));
        hf_file_metadata *m = NULL;
        hf_error *err = NULL;
        int32_t st = hf_file_get_metadata(g_client, LOAD_REPO, g_files[i].name, NULL, &m, &err);
        if (st != HF_OK) unexpected("metadata", g_files[i].name, st, err);
        else if (hf_file_metadata_size(m) != g_files[i].len || strcmp(hf_file_metadata_commit(m), g_commit) != 0)
            unexpected("metadata values", g_files[i].name, HF_ERR_INTERNAL, NULL);
        hf_error_free(err);
        hf_file_metadata_free(m);
        break;
    }
    case OP_CANCEL: {
        /* slow.bin comes from a CDN throttled to 256 kB/s (8 s for the file): cancelled long before. */
        cancel_ctx k = {hf_cancel_token_new(), (xorshift(rng) & 1) != 0};
        hf_download_options o;
        hf_download_options_init(&o);
        o.force_download = true;
        o.cancel = k.token;
        o.progress = cancel_progress;
        o.user_data = &k;
        char *path = NULL;
        hf_error *err = NULL;
        int32_t st = hf_file_download(g_client, LOAD_REPO, g_files[SLOW_INDEX].name, &o, &path, &err);
        if (st != HF_ERR_CANCELLED) unexpected("cancel", k.at_start ? "at start" : "mid-transfer", st, err);
        if (path) unexpected("cancel left a path", g_files[SLOW_INDEX].name, st, NULL);
        hf_error_free(err);
        hf_string_free(path);
        hf_cancel_token_free(k.token);
        break;
    }
    default:
        break;
    }
    atomic_fetch_add(&g_ops[kind], 1);
}

static void *worker(void *arg) {
    uint64_t rng = 0x9e3779b97f4a7c15ull ^ ((uint64_t)(uintptr_t)arg * 0x100000001b3ull);
    while (!atomic_load(&g_stop)) {
        pause_point();
        if (atomic_load(&g_stop)) break;
        run_op(pick(&rng), &rng);
    }
    return NULL;
}

typedef struct sample {
    int threads, blocking;
    int fds, sockets;
    long rss_kb;
} sample;

static sample take_sample(void) {
    sample s = {0, 0, 0, 0, -1};
    DIR *d = opendir("/proc/self/task");
    CHECK(d);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        s.threads++;
        char *comm_path = tu_strdup_printf("/proc/self/task/%s/comm", e->d_name);
        char *comm = tu_read_file(comm_path, NULL);
        if (comm && strncmp(comm, "hf_hub-blocking", 15) == 0) s.blocking++;
        free(comm);
        free(comm_path);
    }
    closedir(d);
    d = opendir("/proc/self/fd");
    CHECK(d);
    int dfd = dirfd(d);
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || atoi(e->d_name) == dfd) continue;
        s.fds++;
        char *p = tu_strdup_printf("/proc/self/fd/%s", e->d_name);
        char target[256];
        ssize_t n = readlink(p, target, sizeof target - 1);
        if (n > 0) {
            target[n] = 0;
            if (strncmp(target, "socket:", 7) == 0) s.sockets++;
        }
        free(p);
    }
    closedir(d);
    char *status = tu_read_file("/proc/self/status", NULL);
    CHECK(status);
    const char *v = strstr(status, "VmRSS:");
    CHECK(v);
    s.rss_kb = atol(v + 6);
    free(status);
    return s;
}

/* Pause every worker between two calls, sample, resume. */
static sample quiesced_sample(const tu_emulator *emu, const char *label) {
    pthread_mutex_lock(&g_mu);
    g_pause = 1;
    while (g_paused < N_THREADS) pthread_cond_wait(&g_cv, &g_mu);
    sample s = take_sample();
    tu_emulator_clear_requests(emu); /* keeps the emulator's log small */
    g_pause = 0;
    pthread_cond_broadcast(&g_cv);
    pthread_mutex_unlock(&g_mu);
    fprintf(stderr, "load: %-8s threads %d (blocking pool %d), fds %d (sockets %d), VmRSS %ld kB\n", label, s.threads,
            s.blocking, s.fds, s.sockets, s.rss_kb);
    return s;
}

static void sleep_until(double t) {
    while (tu_now() < t) usleep(100 * 1000);
}

/* Every snapshot entry of every cached repo resolves, and the load repo's files equal their source. */
static void check_cache(void) {
    char *repo_dir = tu_strdup_printf("%s/models--test-org--load-model/snapshots/%s", g_cache, g_commit);
    for (size_t i = 0; i < N_REPO_FILES; i++) {
        if (i == SLOW_INDEX) continue; /* only ever cancelled */
        char *p = tu_path_join(repo_dir, g_files[i].name);
        size_t len = 0;
        char *data = tu_read_file(p, &len);
        CHECK_MSG(data && len == g_files[i].len && memcmp(data, g_files[i].data, len) == 0, "%s differs from the repo",
                  p);
        free(data);
        free(p);
    }
    char *slow = tu_path_join(repo_dir, g_files[SLOW_INDEX].name);
    CHECK_MSG(!tu_exists(slow), "a cancelled download was published: %s", slow);
    free(slow);
    free(repo_dir);

    hf_cache_info *info = NULL;
    hf_error *err = NULL;
    CHECK_STATUS(hf_cache_scan(g_client, &info, &err), HF_OK, &err);
    CHECK_EQ_INT(hf_cache_info_repo_count(info), 2);
    size_t nfiles = hf_cache_info_file_count(info);
    CHECK(nfiles >= 8);
    for (size_t i = 0; i < nfiles; i++) {
        const hf_cached_file *f = hf_cache_info_file(info, i);
        CHECK(f);
        struct stat st;
        CHECK_MSG(stat(f->file_path, &st) == 0, "%s does not resolve", f->file_path);
        CHECK_MSG(stat(f->blob_path, &st) == 0 && (uint64_t)st.st_size == f->size_on_disk, "blob %s", f->blob_path);
    }
    for (size_t i = 0; i < hf_cache_info_warning_count(info); i++)
        fprintf(stderr, "load: cache warning: %s\n", hf_cache_info_warning(info, i));
    CHECK_EQ_INT(hf_cache_info_warning_count(info), 0);
    hf_cache_verify_report *report = NULL;
    CHECK_STATUS(hf_cache_verify(g_client, info, NULL, &report, &err), HF_OK, &err);
    CHECK_EQ_INT(hf_cache_verify_report_mismatch_count(report), 0);
    CHECK(hf_cache_verify_report_files_checked(report) >= 6);
    hf_cache_verify_report_free(report);
    hf_cache_info_free(info);
}

int main(void) {
    const char *secs_env = getenv("HF_LOAD_SECONDS");
    double duration = secs_env && atof(secs_env) > 0 ? atof(secs_env) : 60.0;
    /* The allocator's arenas (one per busy thread) keep growing for the first ~20 s; after that
     * VmRSS is flat (150 s run: +0.5 MiB between 25 s and 150 s). */
    double warmup = duration / 3 < 2 ? 2 : duration / 3;

    /* The load repo, committed by the emulator at start-up (--load). */
    char *src = tu_mkdtemp("load-repo");
    for (size_t i = 0; i < N_REPO_FILES; i++) {
        size_t len = i == BIG_INDEX ? BIG_SIZE : i == SLOW_INDEX ? SLOW_SIZE : 200 + 700 * i;
        unsigned char *d = malloc(len);
        CHECK(d);
        uint64_t s = 0x1234567ull + i;
        for (size_t j = 0; j < len; j++) d[j] = (unsigned char)(i < N_SMALL ? 'a' + xorshift(&s) % 26 : xorshift(&s));
        g_files[i].data = d;
        g_files[i].len = len;
        char *p = tu_path_join(src, g_files[i].name);
        if (strchr(g_files[i].name, '/')) {
            char *sub = tu_path_join(src, "c");
            mkdir(sub, 0700);
            free(sub);
        }
        FILE *fp = fopen(p, "wb");
        CHECK(fp && fwrite(d, 1, len, fp) == len && fclose(fp) == 0);
        free(p);
    }
    char *load = tu_strdup_printf("model:" LOAD_REPO "=%s", src);
    const char *args[] = {"--load", load, NULL};
    tu_emulator emu;
    tu_emulator_start(&emu, args);

    char slow_sha[65];
    tu_sha256_hex(g_files[SLOW_INDEX].data, SLOW_SIZE, slow_sha);
    char *fault = tu_strdup_printf("{\"origin\":\"cdn\",\"path_contains\":\"%s\",\"method\":null,\"times\":null,"
                                   "\"action\":{\"throttle\":{\"bytes_per_sec\":262144}}}",
                                   slow_sha);
    int fst = tu_emulator_add_fault(&emu, fault);
    CHECK_MSG(fst >= 200 && fst < 300, "adding the throttle fault failed: %d", fst);
    free(fault);

    char *home = tu_mkdtemp("load-home");
    g_cache = tu_path_join(home, "hub");
    hf_client_options opts;
    hf_client_options_init(&opts);
    opts.ignore_env = true;
    opts.endpoint = emu.hub;
    opts.hf_home = home;
    opts.token = DEMO_TOKEN;
    opts.lanes = 4; /* the 4 MiB file in 4 lanes of 512 KiB ranges */
    opts.lane_chunk_bytes = 512 * 1024;
    opts.lanes_min_size = 1 * MIB;
    hf_client *client = NULL;
    hf_error *err = NULL;
    CHECK_STATUS(hf_client_new(&opts, &client, &err), HF_OK, &err);
    g_client = client;

    /* The commit, and the pinned files in the cache before the workers start. */
    hf_file_metadata *m = NULL;
    CHECK_STATUS(hf_file_get_metadata(client, LOAD_REPO, "a.txt", NULL, &m, &err), HF_OK, &err);
    snprintf(g_commit, sizeof g_commit, "%s", hf_file_metadata_commit(m));
    hf_file_metadata_free(m);
    for (size_t i = 0; i < N_SMALL; i++) download_one(LOAD_REPO, g_files[i].name, g_files[i].len, NULL, false, "seed");
    download_one(LOAD_REPO, g_files[BIG_INDEX].name, BIG_SIZE, NULL, false, "seed");
    CHECK_EQ_INT(atomic_load(&g_unexpected), 0);

    double t0 = tu_now();
    pthread_t threads[N_THREADS];
    for (int i = 0; i < N_THREADS; i++) CHECK(pthread_create(&threads[i], NULL, worker, (void *)(uintptr_t)(i + 1)) == 0);

    sleep_until(t0 + warmup);
    sample a = quiesced_sample(&emu, "warm-up");
    sleep_until(t0 + duration);
    sample b = quiesced_sample(&emu, "end");
    atomic_store(&g_stop, 1);
    for (int i = 0; i < N_THREADS; i++) pthread_join(threads[i], NULL);
    double elapsed = tu_now() - t0;

    unsigned long long total = 0;
    for (int k = 0; k < OP_KINDS; k++) {
        unsigned long long n = atomic_load(&g_ops[k]);
        total += n;
        fprintf(stderr, "load: %-26s %llu\n", OP_NAMES[k], n);
    }
    fprintf(stderr, "load: %llu calls from %d threads in %.1f s, %llu unexpected\n", total, N_THREADS, elapsed,
            (unsigned long long)atomic_load(&g_unexpected));
    CHECK_MSG(atomic_load(&g_unexpected) == 0, "%llu unexpected result(s); first: %s",
              (unsigned long long)atomic_load(&g_unexpected), g_first_error);
    for (int k = 0; k < OP_KINDS; k++) CHECK_MSG(atomic_load(&g_ops[k]) > 0, "no %s ran", OP_NAMES[k]);

    CHECK_MSG(b.threads - b.blocking == a.threads - a.blocking, "threads outside the blocking pool: %d then %d",
              a.threads - a.blocking, b.threads - b.blocking);
    CHECK(a.blocking <= MAX_BLOCKING_THREADS && b.blocking <= MAX_BLOCKING_THREADS);
    CHECK_MSG(b.fds - b.sockets == a.fds - a.sockets, "non-socket fds: %d then %d", a.fds - a.sockets,
              b.fds - b.sockets);
    CHECK_MSG(a.sockets <= MAX_SOCKETS && b.sockets <= MAX_SOCKETS, "sockets: %d then %d", a.sockets, b.sockets);
    CHECK_MSG(b.rss_kb - a.rss_kb < RSS_GROWTH_LIMIT_KB, "VmRSS grew by %ld kB", b.rss_kb - a.rss_kb);

    check_cache();

    hf_client_free(client);
    tu_emulator_stop(&emu);
    tu_rm_rf(home);
    tu_rm_rf(src);
    free(home);
    free(src);
    free(load);
    free(g_cache);
    for (size_t i = 0; i < N_REPO_FILES; i++) free(g_files[i].data);
    fprintf(stderr, "load: OK\n");
    return 0;
}
