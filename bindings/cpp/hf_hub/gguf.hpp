// hf_hub/gguf.hpp — GGUF model plans: "org/repo[:QUANT]" resolved to the model's files (every part
// of a split model, in order), its multimodal projector and other sidecars; downloaded in one call
// with aggregate progress; the same answer offline from the cache. GgufOptions, GgufFile, GgufPlan
// and the calls behind Client::gguf_resolve / gguf_download_plan / gguf_download (which take a
// borrowed `const hf_client *`). Part of hf_hub.hpp; compiles alone.
//
//   hf::GgufPlan plan = client.gguf_download("ggml-org/gemma-3-4b-it-GGUF:Q4_K_M");
//   for (const auto& part : plan.model_paths()) load(part);
//   if (auto proj = plan.mmproj()) load_projector(*proj->local_path);
#ifndef HF_HUB_CPP_GGUF_HPP
#define HF_HUB_CPP_GGUF_HPP

#include "hf_hub.h"
#include "cancel.hpp"
#include "detail.hpp"
#include "download.hpp"
#include "error.hpp"
#include "handle.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hf {

// What a file of a plan is for.
enum class GgufRole : int32_t {
    Model = HF_GGUF_ROLE_MODEL,   // the model, or one part of a split model
    Mmproj = HF_GGUF_ROLE_MMPROJ, // the multimodal projector
    Mtp = HF_GGUF_ROLE_MTP,       // multi-token-prediction draft
    Eagle3 = HF_GGUF_ROLE_EAGLE3, // EAGLE-3 draft
    Dflash = HF_GGUF_ROLE_DFLASH, // DFlash draft
    Dspark = HF_GGUF_ROLE_DSPARK, // DSpark draft
    Preset = HF_GGUF_ROLE_PRESET, // preset.ini
};

// Options of the GGUF calls. gguf_download_plan() uses local_files_only, verify, max_workers,
// progress and cancel only.
struct GgufOptions {
    std::optional<std::string> revision; // branch, tag or 40-hex commit; default "main"
    bool no_mmproj = false;              // leave the projector out of the plan
    bool other_sidecars = false;         // also the draft models and preset.ini llama.cpp recognises
    bool local_files_only = false;       // resolve from the cache alone, download nothing
    bool verify = true;                  // verify LFS files against their SHA-256
    uint32_t max_workers = 0;            // files downloaded at once (0: the default, 8)
    // Aggregate progress of the whole plan (Progress::files_* and total_bytes_*), on the calling
    // thread; return false to cancel. What it throws is rethrown once the library has returned.
    std::function<bool(const Progress&)> progress;
    // Borrowed for the duration of the call; nullptr for none.
    const CancelToken* cancel = nullptr;
};

// One file of a plan.
struct GgufFile {
    GgufRole role = GgufRole::Model;
    std::string path;                               // path in the repo
    uint64_t size = 0;                              // bytes
    std::optional<std::string> sha256;              // SHA-256 of an LFS file
    std::optional<std::filesystem::path> local_path; // in the cache; unset until downloaded
};

// A plan (Client::gguf_resolve / gguf_download): the commit, the chosen quant and the files, copied
// out of the C plan it owns (needed to download it). Move-only.
class GgufPlan {
  public:
    // Takes ownership of a plan made by the C API and copies its values out.
    explicit GgufPlan(GgufPlanHandle plan) : plan_(std::move(plan)) {
        const hf_gguf_plan* p = plan_.get();
        repo_id_ = detail::borrowed(hf_gguf_plan_repo_id(p));
        revision_ = detail::borrowed(hf_gguf_plan_revision(p));
        commit_ = detail::borrowed(hf_gguf_plan_commit(p));
        quant_ = detail::borrowed(hf_gguf_plan_quant(p));
        model_count_ = hf_gguf_plan_model_count(p);
        const size_t n = hf_gguf_plan_file_count(p);
        files_.reserve(n);
        for (size_t i = 0; i < n; i++) {
            const hf_gguf_file* f = hf_gguf_plan_file(p, i);
            if (!f) continue;
            GgufFile file;
            file.role = static_cast<GgufRole>(f->role);
            file.path = detail::borrowed(f->path);
            file.size = f->size;
            file.sha256 = detail::borrowed_opt(f->sha256);
            if (f->local_path) file.local_path = std::filesystem::path(f->local_path);
            files_.push_back(std::move(file));
        }
        model_count_ = std::min(model_count_, files_.size());
    }
    GgufPlan(GgufPlan&&) noexcept = default;
    GgufPlan& operator=(GgufPlan&&) noexcept = default;

    const std::string& repo_id() const noexcept { return repo_id_; }
    const std::string& revision() const noexcept { return revision_; }
    const std::string& commit() const noexcept { return commit_; }
    // The chosen model's quant, upper-case ("Q4_K_M"; may be empty).
    const std::string& quant() const noexcept { return quant_; }
    // Model parts in order, then the sidecars.
    const std::vector<GgufFile>& files() const noexcept { return files_; }

    // How many files the model has (the parts of a split model; 1 otherwise): the first files.
    std::size_t model_count() const noexcept { return model_count_; }
    // The model's files in part order.
    std::vector<GgufFile> model() const {
        return std::vector<GgufFile>(files_.begin(), files_.begin() + static_cast<std::ptrdiff_t>(model_count_));
    }
    // The model's local paths in part order (empty paths when not downloaded).
    std::vector<std::filesystem::path> model_paths() const {
        std::vector<std::filesystem::path> out;
        for (std::size_t i = 0; i < model_count_; i++)
            out.push_back(files_[i].local_path.value_or(std::filesystem::path()));
        return out;
    }
    // The first file of a role (the projector: GgufRole::Mmproj).
    std::optional<GgufFile> file(GgufRole role) const {
        for (const GgufFile& f : files_)
            if (f.role == role) return f;
        return std::nullopt;
    }
    std::optional<GgufFile> mmproj() const { return file(GgufRole::Mmproj); }

    // The plan as JSON (see hf_gguf_plan_json).
    std::string json() const { return detail::borrowed(hf_gguf_plan_json(plan_.get())); }

    // The C plan, borrowed (nullptr after a move).
    const hf_gguf_plan* native() const noexcept { return plan_.get(); }

  private:
    GgufPlanHandle plan_;
    std::string repo_id_, revision_, commit_, quant_;
    std::size_t model_count_ = 0;
    std::vector<GgufFile> files_;
};

namespace detail {

// The C options of one GGUF call, plus what the progress trampoline needs.
class GgufCall {
  public:
    GgufCall(const GgufOptions& o, Args& args) : relay_(o.progress) {
        hf_gguf_options_init(&c_);
        c_.revision = args.opt(o.revision, "revision");
        c_.no_mmproj = o.no_mmproj;
        c_.other_sidecars = o.other_sidecars;
        c_.local_files_only = o.local_files_only;
        c_.verify = o.verify;
        c_.max_workers = o.max_workers;
        c_.cancel = o.cancel ? o.cancel->native() : nullptr;
        c_.progress = relay_.callback();
        c_.user_data = relay_.user_data();
    }
    GgufCall(const GgufCall&) = delete;
    GgufCall& operator=(const GgufCall&) = delete;

    const hf_gguf_options* get() const noexcept { return &c_; }
    void rethrow_callback_exception() const { relay_.rethrow_callback_exception(); }

  private:
    hf_gguf_options c_{};
    ProgressRelay relay_;
};

inline Result<GgufPlan> gguf_result(hf_status st, GgufPlanHandle& plan,
                                    const ErrorHandle& err) {
    if (st != HF_OK) return make_error(st, err.get());
    return GgufPlan(std::move(plan));
}

// hf_gguf_resolve (no download).
inline Result<GgufPlan> gguf_resolve(const hf_client* client, std::string_view model, const GgufOptions& options) {
    Args args;
    const char* m = args.str(model, "model");
    GgufCall call(options, args);
    if (args.failed()) return args.error();
    GgufPlanHandle plan;
    ErrorHandle err;
    const hf_status st = hf_gguf_resolve(client, m, call.get(), plan.out(), err.out());
    return gguf_result(st, plan, err);
}

// hf_gguf_download_plan.
inline Result<GgufPlan> gguf_download_plan(const hf_client* client, const GgufPlan& plan,
                                           const GgufOptions& options) {
    Args args;
    GgufCall call(options, args);
    if (args.failed()) return args.error();
    GgufPlanHandle out;
    ErrorHandle err;
    const hf_status st = hf_gguf_download_plan(client, plan.native(), call.get(), out.out(), err.out());
    call.rethrow_callback_exception();
    return gguf_result(st, out, err);
}

// hf_gguf_download.
inline Result<GgufPlan> gguf_download(const hf_client* client, std::string_view model, const GgufOptions& options) {
    Args args;
    const char* m = args.str(model, "model");
    GgufCall call(options, args);
    if (args.failed()) return args.error();
    GgufPlanHandle plan;
    ErrorHandle err;
    const hf_status st = hf_gguf_download(client, m, call.get(), plan.out(), err.out());
    call.rethrow_callback_exception();
    return gguf_result(st, plan, err);
}

} // namespace detail

} // namespace hf

#endif // HF_HUB_CPP_GGUF_HPP
