/* One hf_client shared by many threads downloading concurrently into one cache: every call
 * succeeds, every thread gets the same path per file, and the cache ends up clean (one blob per
 * file, no temp files). */
#define _GNU_SOURCE
#include <pthread.h>
#include <string.h>

#include "test_util.h"

#define N_THREADS 8
#define N_ROUNDS 3

static const char *const FILES[] = {"config.json", "README.md", "subdir/data.txt", "model.safetensors"};
#define N_FILES (sizeof FILES / sizeof FILES[0])

typedef struct worker {
    const hf_client *client;
    int index;
    int32_t status[N_ROUNDS][N_FILES];
    char *paths[N_ROUNDS][N_FILES];
    char message[256];
} worker;

static void *run_worker(void *arg) {
    worker *w = arg;
    for (int r = 0; r < N_ROUNDS; r++) {
        for (size_t k = 0; k < N_FILES; k++) {
            size_t f = (k + (size_t)w->index) % N_FILES; /* each thread starts on a different file */
            hf_error *err = NULL;
            w->paths[r][f] = NULL;
            w->status[r][f] = hf_file_download(w->client, DEMO_MODEL, FILES[f], NULL, &w->paths[r][f], &err);
            if (err) {
                snprintf(w->message, sizeof w->message, "%s: %s", FILES[f], hf_error_message(err));
                ERR_CLEAR(err);
            }
        }
    }
    return NULL;
}

static void test_shared_client(void) {
    tu_emulator emu;
    tu_emulator_start(&emu, NULL);
    char *home = tu_mkdtemp("threads");
    hf_client *c = tu_client(&emu, home, DEMO_TOKEN, 0);

    static worker workers[N_THREADS];
    pthread_t threads[N_THREADS];
    for (int i = 0; i < N_THREADS; i++) {
        memset(&workers[i], 0, sizeof workers[i]);
        workers[i].client = c;
        workers[i].index = i;
        CHECK(pthread_create(&threads[i], NULL, run_worker, &workers[i]) == 0);
    }
    for (int i = 0; i < N_THREADS; i++) pthread_join(threads[i], NULL);

    for (int i = 0; i < N_THREADS; i++) {
        for (int r = 0; r < N_ROUNDS; r++) {
            for (size_t f = 0; f < N_FILES; f++) {
                int32_t st = workers[i].status[r][f];
                CHECK_MSG(st == HF_OK, "thread %d round %d %s: %s (%s)", i, r, FILES[f], hf_status_str(st),
                          workers[i].message);
                CHECK_STR_EQ(workers[i].paths[r][f], workers[0].paths[0][f]);
            }
        }
    }
    for (size_t f = 0; f < N_FILES; f++) {
        const char *p = workers[0].paths[0][f];
        CHECK(tu_ends_with(p, FILES[f]));
        size_t len = 0;
        char *data = tu_read_file(p, &len);
        CHECK(data && len > 0);
        if (strcmp(FILES[f], "model.safetensors") == 0) CHECK_EQ_INT(len, MIB);
        free(data);
    }
    char *blobs = tu_strdup_printf("%s/hub/models--test-org--test-model/blobs", home);
    CHECK_EQ_INT(tu_count_dir_entries(blobs, NULL), N_FILES);
    free(blobs);

    for (int i = 0; i < N_THREADS; i++)
        for (int r = 0; r < N_ROUNDS; r++)
            for (size_t f = 0; f < N_FILES; f++) hf_string_free(workers[i].paths[r][f]);
    hf_client_free(c);
    tu_emulator_stop(&emu);
    tu_rm_rf(home);
    free(home);
}

int main(void) {
    RUN_TEST(test_shared_client);
    return 0;
}
