/*
 * hf_download: download one file from the Hugging Face Hub into the shared cache and print its path.
 *
 *   hf_download [--repo-type model|dataset|space] [--revision REV] [--offline] REPO_ID FILENAME
 *
 * The client is configured from the environment (HF_ENDPOINT, HF_HOME, HF_HUB_CACHE, HF_TOKEN,
 * HF_HUB_OFFLINE, ...), exactly like the official Python client. On failure it prints
 * "error: <status name>: <message>" on stderr and exits with the hf_status code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hf_hub.h"

static void usage(FILE *out, const char *argv0) {
    fprintf(out,
            "usage: %s [--repo-type model|dataset|space] [--revision REV] [--offline] REPO_ID FILENAME\n"
            "Downloads FILENAME from REPO_ID into the Hugging Face cache and prints its local path.\n"
            "Configured by the environment: HF_ENDPOINT, HF_HOME, HF_HUB_CACHE, HF_TOKEN, HF_HUB_OFFLINE...\n",
            argv0);
}

static int fail(int32_t status, hf_error *err) {
    /* hf_status_str gives "HF_ERR_GATED: gated repository"; print the name, then our message. */
    const char *text = hf_status_str(status);
    const char *colon = strchr(text, ':');
    int name_len = colon ? (int)(colon - text) : (int)strlen(text);
    const char *message = err ? hf_error_message(err) : NULL;
    fprintf(stderr, "error: %.*s: %s\n", name_len, text, message ? message : text);
    hf_error_free(err);
    return status > 0 && status < 256 ? (int)status : 1;
}

int main(int argc, char **argv) {
    const char *repo_type = "model";
    const char *revision = NULL;
    const char *positional[2] = {NULL, NULL};
    int n_positional = 0;
    int offline = 0;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout, argv[0]);
            return 0;
        } else if (strcmp(a, "--version") == 0) {
            printf("hf_download (libhf_hub %s)\n", hf_version());
            return 0;
        } else if (strcmp(a, "--repo-type") == 0 && i + 1 < argc) {
            repo_type = argv[++i];
        } else if (strcmp(a, "--revision") == 0 && i + 1 < argc) {
            revision = argv[++i];
        } else if (strcmp(a, "--offline") == 0) {
            offline = 1;
        } else if (a[0] == '-' && a[1] == '-' && a[2] != '\0') {
            fprintf(stderr, "error: unknown or incomplete option %s\n", a);
            usage(stderr, argv[0]);
            return 2;
        } else if (n_positional < 2) {
            positional[n_positional++] = a;
        } else {
            usage(stderr, argv[0]);
            return 2;
        }
    }
    if (n_positional != 2) {
        usage(stderr, argv[0]);
        return 2;
    }

    hf_download_options dl;
    hf_download_options_init(&dl);
    if (strcmp(repo_type, "model") == 0) {
        dl.repo_type = HF_REPO_TYPE_MODEL;
    } else if (strcmp(repo_type, "dataset") == 0) {
        dl.repo_type = HF_REPO_TYPE_DATASET;
    } else if (strcmp(repo_type, "space") == 0) {
        dl.repo_type = HF_REPO_TYPE_SPACE;
    } else {
        fprintf(stderr, "error: --repo-type must be model, dataset or space\n");
        return 2;
    }
    dl.revision = revision;

    hf_client *client = NULL;
    hf_error *err = NULL;
    int32_t status;
    if (offline) {
        /* Everything else still comes from the environment. */
        hf_client_options opts;
        hf_client_options_init(&opts);
        opts.offline = 1;
        status = hf_client_new(&opts, &client, &err);
    } else {
        status = hf_client_new(NULL, &client, &err);
    }
    if (status != HF_OK) {
        return fail(status, err);
    }

    char *path = NULL;
    status = hf_file_download(client, positional[0], positional[1], &dl, &path, &err);
    hf_client_free(client);
    if (status != HF_OK) {
        return fail(status, err);
    }
    printf("%s\n", path);
    hf_string_free(path);
    return 0;
}
