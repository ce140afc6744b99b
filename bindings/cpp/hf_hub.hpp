// hf_hub.hpp — header-only C++17 wrapper of libhf_hub (the C API in hf_hub.h). The umbrella header:
// it includes every area header below; each of them also compiles on its own.
//
//   #include "hf_hub.hpp"
//   hf::Client client;                                   // configured from HF_* like the Python client
//   std::filesystem::path p = client.download("org/repo", "model.gguf");   // throws hf::Error
//
//   hf::Result<std::filesystem::path> r = client.try_download("org/repo", "model.gguf");
//   if (!r) return r.error().status();                   // never throws an hf::Error
//
// Headers (one per area, after wasmtime.hh):
//   hf_hub/version.hpp   version(), version_number(), header_version*, the hf_hub.h compatibility check
//   hf_hub/error.hpp     hf::Status (from the hf_status codes), hf::Error, hf::Result<T>
//   hf_hub/handle.hpp    hf::Owner<T, Free>, the one move-only owner of every C handle, and its aliases
//   hf_hub/cancel.hpp    hf::CancelToken (+ std::stop_token with C++20), hf::CallOptions
//   hf_hub/download.hpp  DownloadOptions, Progress, FileMetadata, CacheLookup
//   hf_hub/snapshot.hpp  SnapshotOptions, Snapshot, SnapshotFile (snapshot_download)
//   hf_hub/repo.hpp      RepoOptions, RepoInfo, RepoEntry(ies), RepoRef, RepoCommit(s) (the repository API)
//   hf_hub/auth.hpp      User, TokenList
//   hf_hub/gguf.hpp      GgufOptions, GgufFile, GgufPlan ("org/repo[:QUANT]" model plans)
//   hf_hub/cache.hpp     CacheInfo (scan), CachePlan (delete / prune / evict, execute), VerifyOptions, VerifyReport
//   hf_hub/client.hpp    ClientOptions, hf::Client
//
// A thin layer: every call is one C call. What it adds is C++ vocabulary only:
//   - every operation comes twice. `client.try_x(...)` is [[nodiscard]] and returns an hf::Result<T>:
//     a T, or the hf::Error (status, message, HTTP status, request id) the library reported; it
//     never throws an hf::Error. `client.x(...)` is `try_x(...).unwrap()`: it returns the T or
//     throws the hf::Error. One code path: the throwing calls are built on the try_ ones.
//     Arguments the C API cannot take (a string with a NUL byte, a timeout out of range) fail with
//     HF_ERR_INVALID_ARGUMENT the same way. Neither style swallows std::bad_alloc, nor an exception
//     thrown by your own progress callback (rethrown once the library has returned);
//   - the library's objects are owned by hf::Owner (hf_hub/handle.hpp), one move-only RAII template
//     over the C `_free` functions; results are copied into plain values (std::string,
//     std::filesystem::path, structs), so no C pointer owned by the library escapes, except
//     `Client::native()`, which is borrowed;
//   - options are plain structs with std::optional fields, progress is a std::function;
//   - every call that may touch the network takes a cancel token: DownloadOptions::cancel for
//     download() and file_metadata(), SnapshotOptions::cancel for snapshot_download(),
//     RepoOptions::cancel for the repository calls, CallOptions::cancel for whoami() and login();
//     so does the long local one, cache_verify() (VerifyOptions::cancel).
//
// Thread safety (the C library's contract, unchanged):
//   - A `const hf::Client&` may be used from many threads at once: every method is const and one client
//     can serve a whole program. Destroying or moving a Client while another thread uses it is a data race.
//   - An hf::CancelToken may be cancelled from any thread; copies share the same token.
//   - The progress callback runs on the thread that called download() (snapshot_download(),
//     cache_verify()), never concurrently with itself.
//
// Ownership: inputs are copied before a call returns (nothing keeps a reference to a caller's string,
// options struct or callback after the call). The cancel token and the progress callback named by
// the options are borrowed for the duration of the call only.
//
// Requires C++17; with C++20 and <stop_token>, a CancelToken can also follow a std::stop_token
// (HF_HUB_CPP_HAS_STOP_TOKEN is then 1).
#ifndef HF_HUB_HPP
#define HF_HUB_HPP

#include "hf_hub.h"

#include "hf_hub/version.hpp"
#include "hf_hub/error.hpp"
#include "hf_hub/handle.hpp"
#include "hf_hub/cancel.hpp"
#include "hf_hub/download.hpp"
#include "hf_hub/gguf.hpp"
#include "hf_hub/snapshot.hpp"
#include "hf_hub/repo.hpp"
#include "hf_hub/auth.hpp"
#include "hf_hub/cache.hpp"
#include "hf_hub/upload.hpp"
#include "hf_hub/client.hpp"

#endif // HF_HUB_HPP
