/* whoami, login / logout / switch and the token files they write under HF_HOME. */
#define _GNU_SOURCE
#include <string.h>
#include <sys/stat.h>

#include "test_util.h"

#define SECOND_TOKEN "hf_secondtoken0123456789abcdef"

static tu_emulator g_emu;

static void test_whoami(void) {
    char *home = tu_mkdtemp("whoami");
    hf_client *c = tu_client(&g_emu, home, DEMO_TOKEN, 0);
    hf_user *u = NULL;
    hf_error *err = NULL;
    CHECK_STATUS(hf_auth_whoami(c, &u, &err), HF_OK, &err);
    CHECK(u != NULL);
    CHECK_STR_EQ(hf_user_name(u), DEMO_USER);
    CHECK_STR_EQ(hf_user_type(u), "user");
    CHECK(hf_user_json(u) != NULL && strstr(hf_user_json(u), DEMO_USER) != NULL);
    size_t n = hf_user_org_count(u);
    bool found = false;
    for (size_t i = 0; i < n; i++) {
        const char *org = hf_user_org_name(u, i);
        CHECK(org != NULL);
        found |= strcmp(org, DEMO_ORG) == 0;
    }
    CHECK_MSG(found, "%s is not among the %zu orgs", DEMO_ORG, n);
    CHECK(hf_user_org_name(u, n) == NULL);
    CHECK(hf_user_org_name(u, (size_t)-1) == NULL);
    hf_user_free(u);
    hf_client_free(c);

    /* no token at all */
    c = tu_client(&g_emu, home, NULL, 0);
    u = NULL;
    CHECK_STATUS(hf_auth_whoami(c, &u, &err), HF_ERR_NO_TOKEN, &err);
    CHECK(u == NULL);
    hf_client_free(c);
    tu_rm_rf(home);
    free(home);
}

static char *read_token_file(const char *home) {
    char *p = tu_path_join(home, "token");
    char *t = tu_read_file(p, NULL);
    free(p);
    return t;
}

static void test_login_logout_switch(void) {
    char *home = tu_mkdtemp("login");
    hf_client *c = tu_client(&g_emu, home, NULL, 0);
    hf_error *err = NULL;

    /* a bad token is not saved */
    char *name = NULL;
    CHECK_STATUS(hf_auth_login(c, "hf_notarealtoken000000000000", &name, &err), HF_ERR_UNAUTHORIZED, &err);
    CHECK(name == NULL);
    char *tok = read_token_file(home);
    CHECK(tok == NULL);

    char *name1 = NULL;
    CHECK_STATUS(hf_auth_login(c, DEMO_TOKEN, &name1, &err), HF_OK, &err);
    CHECK(name1 && name1[0]);
    tok = read_token_file(home);
    CHECK_STR_EQ(tok, DEMO_TOKEN);
    free(tok);
    char *tf = tu_path_join(home, "token");
    struct stat st;
    CHECK(stat(tf, &st) == 0);
    CHECK_MSG((st.st_mode & 077) == 0 || (st.st_mode & 022) == 0, "token file mode %o", st.st_mode & 0777);
    free(tf);
    char *stored = tu_path_join(home, "stored_tokens");
    char *stored_text = tu_read_file(stored, NULL);
    CHECK_MSG(stored_text && strstr(stored_text, DEMO_TOKEN) && strstr(stored_text, name1),
              "stored_tokens: %s", stored_text ? stored_text : "(missing)");
    free(stored_text);

    /* the client picks up the saved token */
    hf_user *u = NULL;
    CHECK_STATUS(hf_auth_whoami(c, &u, &err), HF_OK, &err);
    CHECK_STR_EQ(hf_user_name(u), DEMO_USER);
    hf_user_free(u);

    /* a second account, then switch back */
    char *name2 = NULL;
    CHECK_STATUS(hf_auth_login(c, SECOND_TOKEN, &name2, &err), HF_OK, &err);
    CHECK(name2 && strcmp(name1, name2) != 0);
    tok = read_token_file(home);
    CHECK_STR_EQ(tok, SECOND_TOKEN);
    free(tok);
    CHECK_STATUS(hf_auth_whoami(c, &u, &err), HF_OK, &err);
    CHECK_STR_EQ(hf_user_name(u), "second");
    hf_user_free(u);

    /* both names are listed, the second one active */
    hf_string_list *list = NULL;
    char *active = NULL;
    CHECK_STATUS(hf_auth_list(c, &list, &active, &err), HF_OK, &err);
    CHECK_EQ_INT(hf_string_list_len(list), 2);
    bool has1 = false, has2 = false;
    for (size_t i = 0; i < hf_string_list_len(list); i++) {
        has1 |= strcmp(hf_string_list_get(list, i), name1) == 0;
        has2 |= strcmp(hf_string_list_get(list, i), name2) == 0;
    }
    CHECK(has1 && has2);
    CHECK(hf_string_list_get(list, 2) == NULL);
    CHECK_STR_EQ(active, name2);
    hf_string_free(active);
    hf_string_list_free(list);

    CHECK_STATUS(hf_auth_switch(c, name1, &err), HF_OK, &err);
    tok = read_token_file(home);
    CHECK_STR_EQ(tok, DEMO_TOKEN);
    free(tok);
    CHECK(hf_auth_switch(c, "no-such-token-name", &err) != HF_OK);
    ERR_CLEAR(err);

    /* logout of one name keeps the other; logout of all removes everything */
    CHECK_STATUS(hf_auth_logout(c, name2, &err), HF_OK, &err);
    stored_text = tu_read_file(stored, NULL);
    CHECK(stored_text && !strstr(stored_text, SECOND_TOKEN) && strstr(stored_text, DEMO_TOKEN));
    free(stored_text);
    CHECK_STATUS(hf_auth_logout(c, NULL, &err), HF_OK, &err);
    tok = read_token_file(home);
    CHECK(tok == NULL);
    CHECK_STATUS(hf_auth_whoami(c, &u, &err), HF_ERR_NO_TOKEN, &err);

    free(stored);
    hf_string_free(name1);
    hf_string_free(name2);
    hf_client_free(c);
    tu_rm_rf(home);
    free(home);
}

int main(void) {
    const char *args[] = {"--user", SECOND_TOKEN ":second", NULL};
    tu_emulator_start(&g_emu, args);
    RUN_TEST(test_whoami);
    RUN_TEST(test_login_logout_switch);
    tu_emulator_stop(&g_emu);
    return 0;
}
