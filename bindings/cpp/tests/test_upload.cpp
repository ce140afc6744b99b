// Uploads and repository administration through the C++ wrapper, against the hub emulator: what
// lands in the repository (read back with download()) and the statuses of the failure paths.
#include "test_util.hpp"

using namespace hft;

namespace {

const std::string kRepo = "tester/cpp-upload";

std::string head(const Emulator& emu, const std::string& rev = "main") {
    const HttpResponse r = http("GET", emu.hub() + "/_emulator/resolve?type=model&id=" + kRepo + "&rev=" + rev);
    const Json j = Json::parse(r.body);
    return j.str("commit");
}

std::string remote(const hf::Client& c, const std::string& file, const std::string& rev = "main") {
    hf::DownloadOptions o;
    o.revision = rev;
    return read_file(c.download(kRepo, file, o));
}

} // namespace

TEST_F(HubTest, RepoBranchesAndTags) {
    const hf::Client c = client();
    const std::string url = c.create_repo(kRepo);
    EXPECT_EQ(url, emu().hub() + "/" + kRepo);
    expect_error(HF_ERR_HTTP, [&] { (void)c.create_repo(kRepo); });
    hf::RepoOptions ok;
    ok.exist_ok = true;
    EXPECT_EQ(c.create_repo(kRepo, ok), url);

    const std::string main = head(emu());
    c.create_branch(kRepo, "dev");
    EXPECT_EQ(head(emu(), "dev"), main);
    c.create_tag(kRepo, "v1", std::string("dev"), std::string("first release"));
    EXPECT_EQ(head(emu(), "v1"), main);
    c.delete_tag(kRepo, "v1");
    c.delete_branch(kRepo, "dev");
    expect_error(HF_ERR_REVISION_NOT_FOUND, [&] { c.delete_branch(kRepo, "dev"); });

    c.update_repo_visibility(kRepo, hf::Visibility::Private);
    const hf::Client anon = client(std::nullopt);
    expect_error(HF_ERR_REPO_NOT_FOUND, [&] { (void)anon.metadata(kRepo, ".gitattributes"); });
    c.update_repo_visibility(kRepo, hf::Visibility::Public);
    EXPECT_EQ(anon.metadata(kRepo, ".gitattributes").size, read_file(c.download(kRepo, ".gitattributes")).size());

    c.move_repo(kRepo, "tester/moved");
    c.delete_repo("tester/moved");
    hf::RepoOptions missing;
    missing.missing_ok = true;
    c.delete_repo("tester/moved", missing);
    expect_error(HF_ERR_REPO_NOT_FOUND, [&] { c.delete_repo("tester/moved"); });
}

TEST_F(HubTest, PushEveryOperationKind) {
    const hf::Client c = client();
    c.create_repo(kRepo);
    TempDir dir("up");
    const std::string big(300000, 'x');
    { std::ofstream(dir.path() / "w.bin", std::ios::binary) << big; }

    hf::Commit first;
    first.add_bytes("a.txt", "alpha").add_bytes("dir/b.txt", "beta").add_file("w.bin", dir.path() / "w.bin");
    std::vector<hf::Progress> reports;
    hf::CommitOptions o;
    o.progress = [&](const hf::Progress& p) {
        reports.push_back(p);
        return true;
    };
    const hf::CommitInfo one = c.push(kRepo, first, "seed", o);
    EXPECT_TRUE(one.committed);
    EXPECT_EQ(one.oid, head(emu()));
    EXPECT_EQ(one.url, emu().hub() + "/" + kRepo + "/commit/" + one.oid);
    ASSERT_FALSE(reports.empty());
    EXPECT_EQ(reports.front().phase, hf::ProgressPhase::Hash);
    EXPECT_EQ(reports.back().phase, hf::ProgressPhase::Upload);
    EXPECT_EQ(reports.back().total_bytes_done, 2 * big.size());
    EXPECT_EQ(reports.back().total_bytes_total, 2 * big.size());

    hf::Commit second;
    second.add_bytes("new.txt", "new").delete_file("a.txt").delete_folder("dir").copy("w.bin", "w2.bin");
    hf::CommitOptions parent;
    parent.parent_commit = one.oid;
    parent.description = "every kind";
    const hf::CommitInfo two = c.push(kRepo, second, "ops", parent);
    EXPECT_EQ(remote(c, "new.txt"), "new");
    EXPECT_EQ(remote(c, "w2.bin"), big);
    expect_error(HF_ERR_ENTRY_NOT_FOUND, [&] { (void)c.download(kRepo, "a.txt"); });

    // A stale parent: its own status, nothing committed.
    hf::Commit third;
    third.add_bytes("late.txt", "late");
    const hf::Error e = expect_error(HF_ERR_STALE_PARENT, [&] { (void)c.push(kRepo, third, "late", parent); });
    EXPECT_EQ(e.http_status(), 412);
    EXPECT_EQ(head(emu()), two.oid);

    // A pull request.
    hf::CommitOptions pr;
    pr.create_pr = true;
    const hf::CommitInfo p = c.push(kRepo, third, "as a PR", pr);
    EXPECT_EQ(p.pr_num, 1u);
    EXPECT_EQ(p.pr_revision, std::optional<std::string>("refs/pr/1"));
    EXPECT_EQ(p.pr_url, std::optional<std::string>(emu().hub() + "/" + kRepo + "/discussions/1"));
    EXPECT_EQ(head(emu()), two.oid);
    EXPECT_EQ(remote(c, "late.txt", "refs/pr/1"), "late");

    // Invalid input never reaches the network.
    hf::Commit bad;
    bad.add_bytes("../x", "x");
    expect_error(HF_ERR_INVALID_ARGUMENT, [&] { (void)c.push(kRepo, bad, "bad"); });
    expect_error(HF_ERR_INVALID_ARGUMENT, [&] { (void)c.push(kRepo, third, ""); });
}

TEST_F(HubTest, UploadFileAndFolderAndCancel) {
    const hf::Client c = client();
    c.create_repo(kRepo);
    TempDir dir("folder");
    const fs::path root = dir.path();
    fs::create_directories(root / "sub");
    fs::create_directories(root / ".git");
    { std::ofstream(root / "a.txt") << "a"; }
    { std::ofstream(root / "skip.log") << "log"; }
    { std::ofstream(root / "sub" / "b.txt") << "b"; }
    { std::ofstream(root / ".git" / "HEAD") << "ref"; }

    const hf::CommitInfo f = c.upload_file(kRepo, root / "a.txt", "single/a.txt");
    EXPECT_TRUE(f.committed);
    EXPECT_EQ(remote(c, "single/a.txt"), "a");

    hf::FolderOptions fo;
    fo.path_in_repo = "up";
    fo.ignore_patterns = {"*.log"};
    fo.max_operations_per_commit = 1;
    const hf::CommitInfo folder = c.upload_folder(kRepo, root, fo);
    EXPECT_EQ(folder.commits, 2u);
    EXPECT_EQ(remote(c, "up/a.txt"), "a");
    EXPECT_EQ(remote(c, "up/sub/b.txt"), "b");
    expect_error(HF_ERR_ENTRY_NOT_FOUND, [&] { (void)c.download(kRepo, "up/skip.log"); });
    expect_error(HF_ERR_ENTRY_NOT_FOUND, [&] { (void)c.download(kRepo, "up/.git/HEAD"); });
    // Again: nothing to do.
    const hf::CommitInfo again = c.upload_folder(kRepo, root, fo);
    EXPECT_FALSE(again.committed);
    EXPECT_EQ(again.commits, 0u);
    EXPECT_EQ(again.oid, head(emu()));

    // Cancel from the callback while hashing: the repository is unchanged.
    const std::string before = head(emu());
    const std::string big(200000, 'y');
    { std::ofstream(root / "w.bin", std::ios::binary) << big; }
    hf::CommitOptions stop;
    stop.progress = [](const hf::Progress& p) { return p.phase != hf::ProgressPhase::Upload; };
    expect_error(HF_ERR_CANCELLED, [&] { (void)c.upload_file(kRepo, root / "w.bin", "w.bin", std::nullopt, stop); });
    EXPECT_EQ(head(emu()), before);
    // An exception in the callback cancels too, and is rethrown.
    hf::CommitOptions thrower;
    thrower.progress = [](const hf::Progress&) -> bool { throw std::runtime_error("boom"); };
    EXPECT_THROW((void)c.upload_file(kRepo, root / "w.bin", "w.bin", std::nullopt, thrower), std::runtime_error);
    EXPECT_EQ(head(emu()), before);
    // try_ form: a Result, no exception.
    const hf::Result<hf::CommitInfo> r = c.try_upload_file(kRepo, root / "missing.bin", "m.bin");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().status(), HF_ERR_IO);
}
