// hf_download_cpp: download one file from the Hugging Face Hub into the shared cache and print its
// path — the C++ twin of examples/c/hf_download.c, written with the header-only wrapper hf_hub.hpp.
//
//   hf_download_cpp [--repo-type model|dataset|space] [--revision REV] [--offline] REPO_ID FILENAME
//
// Configured by the environment (HF_ENDPOINT, HF_HOME, HF_HUB_CACHE, HF_TOKEN, HF_HUB_OFFLINE, ...),
// like the official Python client. On failure it prints "error: <status name>: <message>" on stderr
// and exits with the hf_status code.
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "hf_hub.hpp"

namespace {

void usage(std::ostream& out, const char* argv0) {
    out << "usage: " << argv0
        << " [--repo-type model|dataset|space] [--revision REV] [--offline] REPO_ID FILENAME\n"
           "Downloads FILENAME from REPO_ID into the Hugging Face cache and prints its local path.\n"
           "Configured by the environment: HF_ENDPOINT, HF_HOME, HF_HUB_CACHE, HF_TOKEN, HF_HUB_OFFLINE...\n";
}

} // namespace

int main(int argc, char** argv) {
    hf::ClientOptions client_options; // unset fields: from the environment
    hf::DownloadOptions options;
    std::vector<std::string_view> positional;

    for (int i = 1; i < argc; i++) {
        const std::string_view a = argv[i];
        if (a == "--help" || a == "-h") {
            usage(std::cout, argv[0]);
            return 0;
        } else if (a == "--version") {
            std::cout << "hf_download_cpp (libhf_hub " << hf::version() << ")\n";
            return 0;
        } else if (a == "--repo-type" && i + 1 < argc) {
            const std::string_view t = argv[++i];
            if (t == "model") {
                options.repo_type = hf::RepoType::Model;
            } else if (t == "dataset") {
                options.repo_type = hf::RepoType::Dataset;
            } else if (t == "space") {
                options.repo_type = hf::RepoType::Space;
            } else {
                std::cerr << "error: --repo-type must be model, dataset or space\n";
                return 2;
            }
        } else if (a == "--revision" && i + 1 < argc) {
            options.revision = argv[++i];
        } else if (a == "--offline") {
            client_options.offline = true;
        } else if (a.size() > 2 && a.substr(0, 2) == "--") {
            std::cerr << "error: unknown or incomplete option " << a << "\n";
            usage(std::cerr, argv[0]);
            return 2;
        } else {
            positional.push_back(a);
        }
    }
    if (positional.size() != 2) {
        usage(std::cerr, argv[0]);
        return 2;
    }

    try {
        const hf::Client client(client_options);
        std::cout << client.download(positional[0], positional[1], options).string() << "\n";
        return 0;
    } catch (const hf::Error& e) {
        // status_str() is "HF_ERR_GATED: gated repository": print the name, then the message.
        const std::string_view text = e.status_str();
        std::cerr << "error: " << text.substr(0, text.find(':')) << ": " << e.what() << "\n";
        const int code = static_cast<int>(e.status());
        return code > 0 && code < 256 ? code : 1;
    }
}
