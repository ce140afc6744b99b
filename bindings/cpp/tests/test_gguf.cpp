// gguf_resolve(), gguf_download_plan() and gguf_download() against the hub emulator: a repo with
// several quants, a split model and projectors loaded from a folder.
#include "test_util.hpp"

using namespace hft;

namespace {

const std::string kRepo = "test-org/tiny-GGUF";

// The repo's files, content "GGUF" + the name repeated (distinct per file).
const std::vector<std::string> kFiles = {
    "README.md", "tiny-Q4_K_M.gguf", "tiny-Q8_0.gguf", "BF16/tiny-BF16-00001-of-00002.gguf",
    "BF16/tiny-BF16-00002-of-00002.gguf", "mmproj-tiny-F16.gguf", "mmproj-tiny-Q8_0.gguf",
};

std::string content(const std::string& name) {
    std::string s = "GGUF";
    for (int i = 0; i < 50; i++) s += name;
    return s;
}

class GgufTest : public HubTest {
  protected:
    void SetUp() override {
        repo_ = std::make_unique<TempDir>("gguf-repo");
        for (const std::string& f : kFiles) {
            const fs::path p = repo_->path() / f;
            fs::create_directories(p.parent_path());
            std::ofstream(p, std::ios::binary) << content(f);
        }
        emu_ = std::make_unique<Emulator>(std::vector<std::string>{"--load", "model:" + kRepo + "=" + repo_->str()});
        home_ = std::make_unique<TempDir>("home");
    }
    std::unique_ptr<TempDir> repo_;
};

} // namespace

TEST_F(GgufTest, ResolveDownloadOffline) {
    const hf::Client c = client();
    const hf::GgufPlan plan = c.gguf_resolve(kRepo + ":bf16");
    EXPECT_TRUE(is_hex(plan.commit(), 40));
    EXPECT_EQ(plan.repo_id(), kRepo);
    EXPECT_EQ(plan.quant(), "BF16");
    ASSERT_EQ(plan.files().size(), 3u);
    EXPECT_EQ(plan.files()[0].path, "BF16/tiny-BF16-00001-of-00002.gguf");
    EXPECT_EQ(plan.files()[1].path, "BF16/tiny-BF16-00002-of-00002.gguf");
    EXPECT_EQ(plan.model().size(), 2u);
    EXPECT_EQ(plan.model_count(), 2u);
    for (const auto& f : plan.model()) EXPECT_EQ(f.role, hf::GgufRole::Model);
    ASSERT_TRUE(plan.mmproj());
    EXPECT_EQ(plan.mmproj()->path, "mmproj-tiny-F16.gguf");
    EXPECT_EQ(plan.mmproj()->sha256, sha256_hex(content("mmproj-tiny-F16.gguf")));
    for (const hf::GgufFile& f : plan.files()) EXPECT_FALSE(f.local_path) << f.path;

    uint64_t files_done = 0, total_done = 0, total = 0;
    hf::GgufOptions o;
    o.progress = [&](const hf::Progress& p) {
        files_done = p.files_done;
        total_done = p.total_bytes_done;
        total = p.total_bytes_total;
        return true;
    };
    const hf::GgufPlan done = c.gguf_download_plan(plan, o);
    EXPECT_EQ(files_done, 3u);
    EXPECT_EQ(total_done, total);
    uint64_t sum = 0;
    for (const hf::GgufFile& f : done.files()) {
        ASSERT_TRUE(f.local_path) << f.path;
        EXPECT_EQ(read_file(*f.local_path), content(f.path));
        sum += f.size;
    }
    EXPECT_EQ(total, sum);
    EXPECT_EQ(read_file(home() / "hub" / "models--test-org--tiny-GGUF" / "refs" / "main"), done.commit());

    hf::ClientOptions off = options();
    off.offline = true;
    const hf::GgufPlan cached = hf::Client(off).gguf_resolve(kRepo + ":BF16");
    ASSERT_EQ(cached.files().size(), 3u);
    for (size_t i = 0; i < 3; i++) EXPECT_EQ(cached.files()[i].local_path, done.files()[i].local_path);
    EXPECT_NE(cached.json().find("\"role\":\"mmproj\""), std::string::npos);
}

TEST_F(GgufTest, OneCallAndErrors) {
    const hf::Client c = client();
    hf::GgufOptions o;
    o.no_mmproj = true;
    const hf::GgufPlan plan = c.gguf_download(kRepo, o);
    ASSERT_EQ(plan.files().size(), 1u);
    EXPECT_EQ(plan.files()[0].path, "tiny-Q4_K_M.gguf");
    EXPECT_EQ(plan.model_paths().at(0), *plan.files()[0].local_path);

    const hf::Result<hf::GgufPlan> r = c.try_gguf_resolve(kRepo + ":Q5_K_M");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().status(), HF_ERR_ENTRY_NOT_FOUND);
    EXPECT_NE(std::string(r.error().what()).find("BF16, Q4_K_M, Q8_0"), std::string::npos) << r.error().what();
    expect_error(HF_ERR_INVALID_ARGUMENT, [&] { (void)c.gguf_resolve(std::string("org/re\0po", 9)); });
    // A progress callback that throws cancels the download; its exception comes back.
    hf::GgufOptions t;
    t.progress = [](const hf::Progress&) -> bool { throw std::runtime_error("stop"); };
    EXPECT_THROW((void)c.gguf_download(kRepo + ":Q8_0", t), std::runtime_error);
}
