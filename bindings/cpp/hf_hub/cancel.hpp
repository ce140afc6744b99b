// hf_hub/cancel.hpp — hf::CancelToken (cancel a call from another thread; with C++20, follow a
// std::stop_token) and hf::CallOptions (the options of network calls that take no others: whoami,
// login). Part of hf_hub.hpp; compiles alone.
#ifndef HF_HUB_CPP_CANCEL_HPP
#define HF_HUB_CPP_CANCEL_HPP

#include "hf_hub.h"
#include "handle.hpp"

#include <memory>
#include <new>
#include <optional>
#include <utility>

#if __cplusplus >= 202002L && __has_include(<stop_token>)
#include <stop_token>
#if defined(__cpp_lib_jthread)
#define HF_HUB_CPP_HAS_STOP_TOKEN 1
#endif
#endif
#ifndef HF_HUB_CPP_HAS_STOP_TOKEN
#define HF_HUB_CPP_HAS_STOP_TOKEN 0
#endif

namespace hf {

// A cancellation flag for calls that may touch the network (download, metadata, whoami, login).
// Copies share one token (it is held by an hf::CancelTokenHandle inside a std::shared_ptr), so a copy
// can be handed to another thread and cancelled there; every call watching it returns an hf::Error
// with HF_ERR_CANCELLED. Cancelling is permanent. Keep the token alive until the calls using it
// return (the options that name it only borrow it).
class CancelToken {
  public:
    // Throws std::bad_alloc when the library cannot allocate a token.
    CancelToken() : state_(std::make_shared<State>()) {}

#if HF_HUB_CPP_HAS_STOP_TOKEN
    // C++20: a token that is cancelled when `stop` is requested (for std::jthread and friends).
    explicit CancelToken(std::stop_token stop) : CancelToken() {
        state_->on_stop.emplace(std::move(stop), StopFn{state_->token.get()});
    }
#endif

    // Cancels every call watching this token. Safe from any thread, any number of times.
    void cancel() const noexcept { hf_cancel_token_cancel(state_->token.get()); }
    bool cancelled() const noexcept { return hf_cancel_token_is_cancelled(state_->token.get()); }

    // The C token, borrowed for as long as any copy of this CancelToken lives.
    const hf_cancel_token* native() const noexcept { return state_->token.get(); }

  private:
#if HF_HUB_CPP_HAS_STOP_TOKEN
    struct StopFn {
        const hf_cancel_token* token;
        void operator()() const noexcept { hf_cancel_token_cancel(token); }
    };
#endif
    struct State {
        State() : token(hf_cancel_token_new()) {
            if (!token) throw std::bad_alloc();
        }
        CancelTokenHandle token;
#if HF_HUB_CPP_HAS_STOP_TOKEN
        // Declared after `token`, so it is destroyed (unregistered) before the token is freed.
        std::optional<std::stop_callback<StopFn>> on_stop;
#endif
    };
    std::shared_ptr<State> state_;
};

// Options of the network calls that take no other options (Client::whoami, Client::login):
//   client.whoami({&token});
struct CallOptions {
    // Borrowed for the duration of the call; nullptr for none.
    const CancelToken* cancel = nullptr;
};

namespace detail {

inline hf_call_options call_options(const CallOptions& o) noexcept {
    hf_call_options c;
    hf_call_options_init(&c);
    c.cancel = o.cancel ? o.cancel->native() : nullptr;
    return c;
}

} // namespace detail

} // namespace hf

#endif // HF_HUB_CPP_CANCEL_HPP
