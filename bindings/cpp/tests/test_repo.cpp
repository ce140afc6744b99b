// The repository API (repo_info, list_tree, paths_info, list_refs, list_commits, repo_exists,
// file_exists) against the hub emulator.
#include "test_util.hpp"

#include <algorithm>

using namespace hft;

namespace {

std::vector<std::string> paths_of(const hf::RepoEntries& list) {
    std::vector<std::string> out;
    for (const hf::RepoEntry& e : list) out.push_back(e.path);
    return out;
}

const hf::RepoRef* find_ref(const std::vector<hf::RepoRef>& refs, hf::RefKind kind, const std::string& name) {
    for (const hf::RepoRef& r : refs)
        if (r.kind == kind && r.name == name) return &r;
    return nullptr;
}

} // namespace

TEST_F(HubTest, RepoInfo) {
    const hf::Client c = client();
    const hf::RepoInfo info = c.repo_info(kDemoModel);
    EXPECT_EQ(info.id, kDemoModel);
    ASSERT_TRUE(info.sha.has_value());
    EXPECT_EQ(*info.sha, emu().resolve(kDemoModel));
    EXPECT_FALSE(info.is_private);
    EXPECT_FALSE(info.disabled);
    EXPECT_FALSE(info.gated.has_value());
    std::vector<std::string> names;
    for (const hf::RepoEntry& e : info.siblings) {
        names.push_back(e.path);
        EXPECT_TRUE(e.is_file()) << e.path;
    }
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string>{"README.md", "config.json", "model.safetensors", "subdir/data.txt"}));
    const auto lfs = std::find_if(info.siblings.begin(), info.siblings.end(),
                                  [](const hf::RepoEntry& e) { return e.path == "model.safetensors"; });
    ASSERT_NE(lfs, info.siblings.end());
    EXPECT_TRUE(lfs->is_lfs());
    EXPECT_EQ(lfs->lfs_size, kMiB);
    EXPECT_TRUE(is_hex(lfs->lfs_sha256.value_or(""), 64));
    const Json json = Json::parse(info.json);
    EXPECT_EQ(json.str("id"), kDemoModel);
    ASSERT_NE(json.get("siblings"), nullptr);
    EXPECT_EQ(json.get("siblings")->items.size(), info.siblings.size());

    // A private repo the token can see; at a branch.
    EXPECT_TRUE(c.repo_info("test-org/private-model").is_private);
    const std::string dev = emu().control("commit", R"({"id":"test-org/test-model","branch":"dev",)"
                                                    R"("files":[{"path":"dev.txt","content":"dev\n"}]})")
                                .str("commit");
    hf::RepoOptions o;
    o.revision = "dev";
    EXPECT_EQ(c.repo_info(kDemoModel, o).sha.value_or(""), dev);

    const hf::Result<hf::RepoInfo> missing = c.try_repo_info("test-org/no-such-repo");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().status(), HF_ERR_REPO_NOT_FOUND);
    o.revision = "no-such-branch";
    expect_error(HF_ERR_REVISION_NOT_FOUND, [&] { c.repo_info(kDemoModel, o); });
}

TEST_F(HubTest, ListTree) {
    const hf::Client c = client();
    const hf::RepoEntries root = c.list_tree(kDemoModel);
    const hf::RepoEntry* sub = root.find("subdir");
    ASSERT_NE(sub, nullptr) << "no subdir in the root listing";
    EXPECT_TRUE(sub->is_directory());
    EXPECT_EQ(sub->size, 0u);
    EXPECT_EQ(root.find("subdir/data.txt"), nullptr) << "a non-recursive listing went into subdir";
    const hf::RepoEntry* config = root.find("config.json");
    ASSERT_NE(config, nullptr);
    EXPECT_TRUE(config->is_file());
    EXPECT_FALSE(config->is_lfs());
    EXPECT_TRUE(is_hex(config->oid.value_or(""), 40));
    EXPECT_EQ(config->size, c.file_metadata(kDemoModel, "config.json").size);
    const hf::RepoEntry* lfs = root.find("model.safetensors");
    ASSERT_NE(lfs, nullptr);
    EXPECT_EQ(lfs->lfs_sha256.value_or(""), c.file_metadata(kDemoModel, "model.safetensors").etag);
    EXPECT_EQ(lfs->lfs_size, kMiB);
    const Json json = Json::parse(root.json);
    EXPECT_EQ(json.items.size(), root.size());

    EXPECT_EQ(paths_of(c.list_tree(kDemoModel, "subdir")), (std::vector<std::string>{"subdir/data.txt"}));
    const hf::RepoEntries all = c.list_tree(kDemoModel, std::nullopt, true);
    EXPECT_NE(all.find("subdir/data.txt"), nullptr);
    EXPECT_NE(all.find("subdir"), nullptr);
    EXPECT_EQ(all.size(), 5u) << "4 files and 1 folder";

    expect_error(HF_ERR_ENTRY_NOT_FOUND, [&] { c.list_tree(kDemoModel, "no-such-folder"); });
    hf::RepoOptions ds;
    ds.repo_type = hf::RepoType::Dataset;
    EXPECT_NE(c.list_tree("test-org/test-dataset", "", true, ds).find("data/train.csv"), nullptr);
    const hf::Result<hf::RepoEntries> nul = c.try_list_tree(kDemoModel, std::string_view("a\0b", 3));
    ASSERT_FALSE(nul);
    EXPECT_EQ(nul.error().status(), HF_ERR_INVALID_ARGUMENT);
}

TEST_F(HubTest, PathsInfo) {
    const hf::Client c = client();
    const hf::RepoEntries info = c.paths_info(kDemoModel, {"config.json", "missing.txt", "model.safetensors", "subdir"});
    std::vector<std::string> names = paths_of(info);
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string>{"config.json", "model.safetensors", "subdir"}));
    ASSERT_NE(info.find("model.safetensors"), nullptr);
    EXPECT_TRUE(info.find("model.safetensors")->is_lfs());
    EXPECT_TRUE(info.find("subdir")->is_directory());
    EXPECT_EQ(Json::parse(info.json).items.size(), 3u);
    EXPECT_TRUE(c.paths_info(kDemoModel, {"missing.txt"}).empty());
}

TEST_F(HubTest, ListRefs) {
    emu().control("branch", R"({"id":"test-org/test-model","name":"dev"})");
    emu().control("tag", R"({"id":"test-org/test-model","name":"v1"})");
    const Json pr = emu().control(
        "pr", R"({"id":"test-org/test-model","files":[{"path":"pr.txt","content":"pr\n"}]})");
    const std::string commit = emu().resolve(kDemoModel);
    const hf::Client c = client();

    const std::vector<hf::RepoRef> refs = c.list_refs(kDemoModel);
    const hf::RepoRef* main = find_ref(refs, hf::RefKind::Branch, "main");
    ASSERT_NE(main, nullptr);
    EXPECT_EQ(main->full_ref, "refs/heads/main");
    EXPECT_EQ(main->target_commit, commit);
    ASSERT_NE(find_ref(refs, hf::RefKind::Branch, "dev"), nullptr);
    const hf::RepoRef* tag = find_ref(refs, hf::RefKind::Tag, "v1");
    ASSERT_NE(tag, nullptr);
    EXPECT_EQ(tag->full_ref, "refs/tags/v1");
    EXPECT_EQ(tag->target_commit, commit);
    for (const hf::RepoRef& r : refs) EXPECT_NE(r.kind, hf::RefKind::PullRequest) << r.full_ref;

    const std::vector<hf::RepoRef> with_prs = c.list_refs(kDemoModel, true);
    const auto prs = std::count_if(with_prs.begin(), with_prs.end(),
                                   [](const hf::RepoRef& r) { return r.kind == hf::RefKind::PullRequest; });
    EXPECT_EQ(prs, 1);
    for (const hf::RepoRef& r : with_prs)
        if (r.kind == hf::RefKind::PullRequest) {
            EXPECT_EQ(r.full_ref, "refs/pr/" + std::to_string(static_cast<int>(pr.get("num")->number)));
            EXPECT_EQ(r.target_commit, pr.str("commit"));
        }
    expect_error(HF_ERR_REPO_NOT_FOUND, [&] { c.list_refs("test-org/no-such-repo"); });
}

TEST_F(HubTest, ListCommits) {
    const std::string first = emu().resolve(kDemoModel);
    const std::string second =
        emu().control("commit", R"({"id":"test-org/test-model","message":"Second commit",)"
                                R"("files":[{"path":"second.txt","content":"2\n"}]})")
            .str("commit");
    const hf::Client c = client();
    const hf::RepoCommits history = c.list_commits(kDemoModel);
    ASSERT_GE(history.size(), 2u);
    EXPECT_EQ(history[0].id, second);
    EXPECT_EQ(history[0].title, "Second commit");
    EXPECT_FALSE(history[0].date.empty());
    EXPECT_EQ(history[0].authors, (std::vector<std::string>{"emulator"}));
    EXPECT_EQ(history[1].id, first);
    EXPECT_EQ(Json::parse(history.json).items.size(), history.size());

    hf::RepoOptions o;
    o.revision = first;
    const hf::RepoCommits older = c.list_commits(kDemoModel, o);
    ASSERT_FALSE(older.empty());
    EXPECT_EQ(older[0].id, first);
    EXPECT_EQ(older.size(), history.size() - 1);
}

TEST_F(HubTest, RepoAndFileExist) {
    const hf::Client c = client();
    EXPECT_TRUE(c.repo_exists(kDemoModel));
    EXPECT_FALSE(c.repo_exists("test-org/no-such-repo"));
    EXPECT_TRUE(c.repo_exists("test-org/gated-model")) << "a gated repo exists";
    EXPECT_TRUE(c.repo_exists("test-org/private-model"));
    EXPECT_FALSE(client(kOutsiderToken).repo_exists("test-org/private-model")) << "private to others";
    hf::RepoOptions ds;
    ds.repo_type = hf::RepoType::Dataset;
    EXPECT_TRUE(c.repo_exists("test-org/test-dataset", ds));
    EXPECT_FALSE(c.repo_exists(kDemoModel, ds));

    EXPECT_TRUE(c.file_exists(kDemoModel, "config.json"));
    EXPECT_TRUE(c.file_exists(kDemoModel, "subdir/data.txt"));
    EXPECT_FALSE(c.file_exists(kDemoModel, "nope.json"));
    const hf::Result<bool> r = c.try_file_exists(kDemoModel, "nope.json");
    ASSERT_TRUE(r) << r.error().what();
    EXPECT_FALSE(*r);

    emu().control("commit", R"({"id":"test-org/test-model","branch":"dev","files":[{"path":"dev.txt","content":"d"}]})");
    hf::RepoOptions dev;
    dev.revision = "dev";
    EXPECT_TRUE(c.file_exists(kDemoModel, "dev.txt", dev));
    EXPECT_FALSE(c.file_exists(kDemoModel, "dev.txt"));
    EXPECT_EQ(emu().count("", "GET", "/resolve/"), 0u) << "file_exists downloaded something";
}

TEST_F(HubTest, RepoCallsTakeACancelToken) {
    const hf::Client c = client();
    hf::CancelToken token;
    token.cancel();
    hf::RepoOptions o;
    o.cancel = &token;
    emu().clear_requests();
    expect_error(HF_ERR_CANCELLED, [&] { c.repo_info(kDemoModel, o); });
    expect_error(HF_ERR_CANCELLED, [&] { c.list_tree(kDemoModel, std::nullopt, true, o); });
    expect_error(HF_ERR_CANCELLED, [&] { c.paths_info(kDemoModel, {"config.json"}, o); });
    expect_error(HF_ERR_CANCELLED, [&] { c.list_refs(kDemoModel, true, o); });
    expect_error(HF_ERR_CANCELLED, [&] { c.list_commits(kDemoModel, o); });
    const hf::Result<bool> exists = c.try_repo_exists(kDemoModel, o);
    ASSERT_FALSE(exists);
    EXPECT_TRUE(exists.error().is_cancelled());
    expect_error(HF_ERR_CANCELLED, [&] { c.file_exists(kDemoModel, "config.json", o); });
    EXPECT_EQ(emu().requests().size(), 0u) << "a cancelled call sent a request";

    // In flight: the Hub holds the listing back; another thread cancels.
    ASSERT_EQ(emu().add_fault(R"({"path_contains":"/tree/","action":{"delay_ms":5000}})"), 200);
    hf::CancelToken live;
    o.cancel = &live;
    std::thread canceller([copy = live] {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        copy.cancel();
    });
    const auto t0 = std::chrono::steady_clock::now();
    const hf::Result<hf::RepoEntries> r = c.try_list_tree(kDemoModel, std::nullopt, false, o);
    const auto elapsed = std::chrono::steady_clock::now() - t0;
    canceller.join();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().status(), HF_ERR_CANCELLED) << r.error().what();
    EXPECT_LT(elapsed, std::chrono::seconds(3));
}
