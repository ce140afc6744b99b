/* Error mapping against the hub emulator: entry / repo / revision not found, gated, private,
 * unauthorized; the hf_error object (status, message, HTTP status, request id); .no_exist;
 * out-parameters untouched on failure; the token never appears in a message. */
#define _GNU_SOURCE
#include <string.h>

#include "test_util.h"

#define OUTSIDER_TOKEN "hf_outsidertoken0123456789abcd"

static tu_emulator g_emu;
static char *g_home;

/* Runs a download expected to fail with `expected`; checks the error object and returns it. */
static hf_error *expect_failure(hf_client *c, const char *repo, const char *filename, int32_t repo_type,
                                int32_t expected) {
    hf_download_options o;
    hf_download_options_init(&o);
    o.repo_type = repo_type;
    char *sentinel = (char *)"untouched";
    char *path = sentinel;
    hf_error *err = NULL;
    int32_t st = hf_file_download(c, repo, filename, &o, &path, &err);
    CHECK_MSG(st == expected, "%s/%s: status %d (%s), expected %d (%s); message: %s", repo, filename, (int)st,
              hf_status_str(st), (int)expected, hf_status_str(expected),
              err && hf_error_message(err) ? hf_error_message(err) : "(none)");
    CHECK_MSG(path == sentinel, "path_out written on failure");
    CHECK(err != NULL);
    CHECK_EQ_INT(hf_error_status(err), expected);
    const char *msg = hf_error_message(err);
    CHECK(msg != NULL && msg[0] != '\0');
    const char *rid = hf_error_request_id(err);
    CHECK(rid == NULL || rid[0] != '\0');
    /* error_out is optional */
    CHECK_EQ_INT(hf_file_download(c, repo, filename, &o, &path, NULL), expected);
    return err;
}

static char *read_commit(void) {
    char *ref_path = tu_strdup_printf("%s/hub/models--test-org--test-model/refs/main", g_home);
    char *commit = tu_read_file(ref_path, NULL);
    CHECK_MSG(commit != NULL, "%s missing", ref_path);
    free(ref_path);
    return commit;
}

static void test_entry_not_found(void) {
    hf_client *c = tu_client(&g_emu, g_home, DEMO_TOKEN, 0);
    hf_error *err = expect_failure(c, DEMO_MODEL, "missing.txt", HF_REPO_TYPE_MODEL, HF_ERR_ENTRY_NOT_FOUND);
    CHECK_EQ_INT(hf_error_http_status(err), 404);
    ERR_CLEAR(err);

    char *commit = read_commit();
    CHECK(strlen(commit) == 40 && tu_is_hex(commit, 40));
    char *marker = tu_strdup_printf("%s/hub/models--test-org--test-model/.no_exist/%s/missing.txt", g_home, commit);
    CHECK_MSG(tu_exists(marker), "%s missing", marker);
    free(marker);

    /* nested missing file */
    err = expect_failure(c, DEMO_MODEL, "subdir/missing.bin", HF_REPO_TYPE_MODEL, HF_ERR_ENTRY_NOT_FOUND);
    ERR_CLEAR(err);
    marker = tu_strdup_printf("%s/hub/models--test-org--test-model/.no_exist/%s/subdir/missing.bin", g_home, commit);
    CHECK_MSG(tu_exists(marker), "%s missing", marker);
    free(marker);
    free(commit);
    hf_client_free(c);
}

static void test_repo_not_found(void) {
    hf_client *c = tu_client(&g_emu, g_home, DEMO_TOKEN, 0);
    hf_error *err = expect_failure(c, "test-org/does-not-exist", "config.json", HF_REPO_TYPE_MODEL,
                                   HF_ERR_REPO_NOT_FOUND);
    int http = hf_error_http_status(err);
    CHECK_MSG(http == 401 || http == 404, "http status %d", http);
    ERR_CLEAR(err);
    err = expect_failure(c, "nobody/nothing", "config.json", HF_REPO_TYPE_DATASET, HF_ERR_REPO_NOT_FOUND);
    ERR_CLEAR(err);
    hf_client_free(c);

    /* a private repo looks missing without a token */
    c = tu_client(&g_emu, g_home, NULL, 0);
    err = expect_failure(c, "test-org/private-model", "config.json", HF_REPO_TYPE_MODEL, HF_ERR_REPO_NOT_FOUND);
    ERR_CLEAR(err);
    hf_client_free(c);
}

static void test_revision_not_found(void) {
    hf_client *c = tu_client(&g_emu, g_home, NULL, 0);
    hf_download_options o;
    hf_download_options_init(&o);
    o.revision = "no-such-branch";
    char *path = NULL;
    hf_error *err = NULL;
    int32_t st = hf_file_download(c, DEMO_MODEL, "config.json", &o, &path, &err);
    CHECK(path == NULL);
    CHECK(err && hf_error_http_status(err) == 404);
    CHECK_STATUS(st, HF_ERR_REVISION_NOT_FOUND, &err);
    hf_client_free(c);
}

static void test_gated(void) {
    /* a user outside test-org, not granted access: 403 */
    hf_client *c = tu_client(&g_emu, g_home, OUTSIDER_TOKEN, 0);
    hf_error *err = expect_failure(c, "test-org/gated-model", "config.json", HF_REPO_TYPE_MODEL, HF_ERR_GATED);
    CHECK_EQ_INT(hf_error_http_status(err), 403);
    ERR_CLEAR(err);
    hf_client_free(c);

    /* anonymous: 401, still gated */
    c = tu_client(&g_emu, g_home, NULL, 0);
    err = expect_failure(c, "test-org/gated-model", "config.json", HF_REPO_TYPE_MODEL, HF_ERR_GATED);
    CHECK_EQ_INT(hf_error_http_status(err), 401);
    ERR_CLEAR(err);
    hf_client_free(c);

    /* members of the owning org can read it */
    c = tu_client(&g_emu, g_home, DEMO_TOKEN, 0);
    char *path = NULL;
    CHECK_STATUS(hf_file_download(c, "test-org/gated-model", "config.json", NULL, &path, &err), HF_OK, &err);
    hf_string_free(path);
    hf_client_free(c);
}

static void test_private_other_user(void) {
    /* private repo, token of a user outside the org: looks missing. A fresh cache: a cached copy
     * would be returned when the Hub refuses (as the Python client does). */
    char *home = tu_mkdtemp("errors-outsider");
    hf_client *c = tu_client(&g_emu, home, OUTSIDER_TOKEN, 0);
    hf_error *err = expect_failure(c, "test-org/private-model", "config.json", HF_REPO_TYPE_MODEL,
                                   HF_ERR_REPO_NOT_FOUND);
    ERR_CLEAR(err);
    hf_client_free(c);

    /* with the file cached by an authorized client, the refusal falls back to the cache */
    c = tu_client(&g_emu, g_home, OUTSIDER_TOKEN, 0);
    char *path = NULL;
    CHECK_STATUS(hf_file_download(c, "test-org/private-model", "config.json", NULL, &path, &err), HF_OK, &err);
    hf_string_free(path);
    hf_client_free(c);
    tu_rm_rf(home);
    free(home);
}

static void test_private_with_token(void) {
    hf_client *c = tu_client(&g_emu, g_home, DEMO_TOKEN, 0);
    char *path = NULL;
    hf_error *err = NULL;
    CHECK_STATUS(hf_file_download(c, "test-org/private-model", "config.json", NULL, &path, &err), HF_OK, &err);
    CHECK(path && strstr(path, "/models--test-org--private-model/snapshots/"));
    hf_string_free(path);
    hf_client_free(c);
}

static void test_bad_token(void) {
    const char *bad = "hf_thisTokenIsNotValid0123456789";
    hf_client *c = tu_client(&g_emu, g_home, bad, 0);
    hf_error *err = expect_failure(c, DEMO_MODEL, "config.json", HF_REPO_TYPE_MODEL, HF_ERR_UNAUTHORIZED);
    CHECK_EQ_INT(hf_error_http_status(err), 401);
    CHECK_MSG(strstr(hf_error_message(err), bad) == NULL, "the token leaked into the message: %s",
              hf_error_message(err));
    ERR_CLEAR(err);

    hf_user *u = NULL;
    CHECK_EQ_INT(hf_auth_whoami(c, &u, &err), HF_ERR_UNAUTHORIZED);
    CHECK(u == NULL);
    CHECK(err && strstr(hf_error_message(err), bad) == NULL);
    ERR_CLEAR(err);
    hf_client_free(c);
}

static void test_network_error(void) {
    /* Nothing listens on the emulator's port once it is stopped: start a second emulator, stop it,
     * and talk to its dead address. */
    tu_emulator dead;
    tu_emulator_start(&dead, NULL);
    tu_emulator dead_copy = dead;
    tu_emulator_stop(&dead);
    hf_client_options o;
    hf_client_options_init(&o);
    o.ignore_env = true;
    o.endpoint = dead_copy.hub;
    o.hf_home = g_home;
    o.max_retries = 0;
    hf_client *c = NULL;
    hf_error *err = NULL;
    CHECK_STATUS(hf_client_new(&o, &c, &err), HF_OK, &err);
    char *path = NULL;
    int32_t st = hf_file_download(c, "test-org/other-model", "config.json", NULL, &path, &err);
    CHECK_MSG(st == HF_ERR_NETWORK || st == HF_ERR_OFFLINE, "status %d (%s)", (int)st, hf_status_str(st));
    ERR_CLEAR(err);
    hf_client_free(c);
}

/* A Hub that echoes the token it was sent (error body, X-Error-Message, X-Request-Id, X-Repo-Commit)
 * never gets it into hf_error_message, for downloads, snapshots, the repo API and whoami; with a
 * token that is not hf_-shaped, so only the redaction of the configured token can hide it. */
static void test_echoed_token(void) {
    const char *tok = "Zq9plainSecretValue77";
    char *fault = tu_strdup_printf(
        "{\"origin\":\"hub\",\"path_contains\":null,\"method\":null,\"times\":null,\"action\":{\"respond\":"
        "{\"status\":403,\"headers\":[[\"x-error-message\",\"bad token %s\"],[\"x-request-id\",\"r-%s\"],"
        "[\"x-repo-commit\",\"%s\"]],\"body\":\"{\\\"error\\\": \\\"Bearer %s is not valid (%s)\\\"}\"}}}",
        tok, tok, tok, tok, tok);
    int fst = tu_emulator_add_fault(&g_emu, fault);
    CHECK_MSG(fst >= 200 && fst < 300, "adding the fault failed: %d", fst);
    free(fault);
    char *home = tu_mkdtemp("errors-echo");
    hf_client *c = tu_client(&g_emu, home, tok, 0);
    hf_error *err = NULL;
    char *path = NULL;
    const char *msgs[4] = {NULL, NULL, NULL, NULL};
    hf_error *errs[4] = {NULL, NULL, NULL, NULL};

    CHECK(hf_file_download(c, DEMO_MODEL, "model.safetensors", NULL, &path, &err) != HF_OK);
    errs[0] = err;
    err = NULL;
    hf_snapshot *snap = NULL;
    CHECK(hf_snapshot_download(c, DEMO_MODEL, NULL, &snap, &err) != HF_OK);
    errs[1] = err;
    err = NULL;
    hf_repo_info *info = NULL;
    CHECK(hf_repo_get_info(c, DEMO_MODEL, NULL, &info, &err) != HF_OK);
    errs[2] = err;
    err = NULL;
    hf_user *u = NULL;
    CHECK(hf_auth_whoami(c, &u, &err) != HF_OK);
    errs[3] = err;
    for (int i = 0; i < 4; i++) {
        CHECK(errs[i] != NULL);
        msgs[i] = hf_error_message(errs[i]);
        CHECK(msgs[i] != NULL);
        CHECK_MSG(strstr(msgs[i], tok) == NULL, "call %d: the token leaked into the message: %s", i, msgs[i]);
        CHECK_MSG(strstr(msgs[i], "REDACTED") != NULL, "call %d: the echo is shown redacted: %s", i, msgs[i]);
        hf_error_free(errs[i]);
    }
    char *url = tu_path_join(g_emu.hub, "_emulator/faults");
    int status = 0;
    free(tu_http("DELETE", url, NULL, NULL, &status));
    CHECK(status >= 200 && status < 300);
    free(url);
    hf_client_free(c);
    tu_rm_rf(home);
    free(home);
}

int main(void) {
    const char *args[] = {"--user", OUTSIDER_TOKEN ":outsider", NULL};
    tu_emulator_start(&g_emu, args);
    g_home = tu_mkdtemp("errors");
    RUN_TEST(test_entry_not_found);
    RUN_TEST(test_repo_not_found);
    RUN_TEST(test_revision_not_found);
    RUN_TEST(test_gated);
    RUN_TEST(test_private_with_token);
    RUN_TEST(test_private_other_user);
    RUN_TEST(test_bad_token);
    RUN_TEST(test_network_error);
    RUN_TEST(test_echoed_token);
    tu_emulator_stop(&g_emu);
    tu_rm_rf(g_home);
    free(g_home);
    return 0;
}
