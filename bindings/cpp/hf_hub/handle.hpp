// hf_hub/handle.hpp — hf::Owner, the one move-only RAII owner of every C handle the wrapper holds,
// and its aliases for the library's handle types. Part of hf_hub.hpp; compiles alone.
//
//   hf::UserHandle user;                                  // empty
//   hf_auth_whoami_ex(client.native(), nullptr, user.out(), nullptr);
//   std::puts(hf_user_name(user.get()));                  // hf_user_free runs when `user` goes
#ifndef HF_HUB_CPP_HANDLE_HPP
#define HF_HUB_CPP_HANDLE_HPP

#include "hf_hub.h"

#include <utility>

namespace hf {

// Owns one `T *` and frees it with `Free` (the library's NULL-safe `_free`), exactly once. Move-only:
// a moved-from Owner is empty. Every handle in the wrapper (client, error, user, string list, file
// metadata, cancel token, cache scan, cache plan, verify report, snapshot, repo info and lists,
// returned string) is held by one of
// these; none is freed by hand.
template <class T, void (*Free)(T*)> class Owner {
  public:
    using element_type = T;

    constexpr Owner() noexcept = default;
    // Takes ownership of `raw` (may be nullptr).
    explicit Owner(T* raw) noexcept : raw_(raw) {}
    Owner(Owner&& other) noexcept : raw_(other.release()) {}
    Owner& operator=(Owner&& other) noexcept {
        reset(other.release()); // safe for self-move: release() empties first, reset() frees nothing
        return *this;
    }
    Owner(const Owner&) = delete;
    Owner& operator=(const Owner&) = delete;
    ~Owner() { reset(); }

    // The handle, still owned (nullptr when empty).
    T* get() const noexcept { return raw_; }
    explicit operator bool() const noexcept { return raw_ != nullptr; }

    // Gives up ownership without freeing; the caller must free the returned handle.
    [[nodiscard]] T* release() noexcept { return std::exchange(raw_, nullptr); }

    // Frees the handle held (if any) and takes `raw` instead.
    void reset(T* raw = nullptr) noexcept {
        T* old = std::exchange(raw_, raw);
        if (old) Free(old);
    }

    // For a C `T **` out-parameter: frees the handle held (if any) and returns the slot the library
    // writes into (it writes only on success, so the Owner stays empty after a failed call).
    T** out() noexcept {
        reset();
        return &raw_;
    }

  private:
    T* raw_ = nullptr;
};

using ClientHandle = Owner<hf_client, hf_client_free>;
using ErrorHandle = Owner<hf_error, hf_error_free>;
using UserHandle = Owner<hf_user, hf_user_free>;
using StringListHandle = Owner<hf_string_list, hf_string_list_free>;
using FileMetadataHandle = Owner<hf_file_metadata, hf_file_metadata_free>;
using CancelTokenHandle = Owner<hf_cancel_token, hf_cancel_token_free>;
using CacheInfoHandle = Owner<hf_cache_info, hf_cache_info_free>;
using CachePlanHandle = Owner<hf_cache_plan, hf_cache_plan_free>;
using VerifyReportHandle = Owner<hf_cache_verify_report, hf_cache_verify_report_free>;
using GgufPlanHandle = Owner<hf_gguf_plan, hf_gguf_plan_free>;
using SnapshotHandle = Owner<hf_snapshot, hf_snapshot_free>;
using RepoInfoHandle = Owner<hf_repo_info, hf_repo_info_free>;
using RepoEntriesHandle = Owner<hf_repo_entries, hf_repo_entries_free>;
using RepoRefsHandle = Owner<hf_repo_refs, hf_repo_refs_free>;
using RepoCommitsHandle = Owner<hf_repo_commits, hf_repo_commits_free>;
// A `char *` returned by the library (a path, a name), freed with hf_string_free.
using StringHandle = Owner<char, hf_string_free>;

} // namespace hf

#endif // HF_HUB_CPP_HANDLE_HPP
