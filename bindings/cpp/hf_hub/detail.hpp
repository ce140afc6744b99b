// hf_hub/detail.hpp — internal helpers of the wrapper (not API): turning C++ arguments into what the
// C functions take, and library strings into std::string. Compiles alone.
#ifndef HF_HUB_CPP_DETAIL_HPP
#define HF_HUB_CPP_DETAIL_HPP

#include "hf_hub.h"
#include "error.hpp"
#include "handle.hpp"

#include <chrono>
#include <cstdint>
#include <deque>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hf::detail {

// Converts the arguments of one call. An argument the C API cannot take (a string with an embedded
// NUL, which would silently cut it short; a duration out of range) is not thrown: the first one is
// recorded, and the call returns it as an hf::Error(HF_ERR_INVALID_ARGUMENT) before calling C.
class Args {
  public:
    Args() = default;
    Args(const Args&) = delete;
    Args& operator=(const Args&) = delete;

    // A NUL-terminated copy of `s`, valid as long as this Args.
    const char* str(std::string_view s, const char* what) {
        if (!no_nul(s, what)) return "";
        return copies_.emplace_back(s).c_str();
    }
    // nullptr when unset.
    const char* opt(const std::optional<std::string>& s, const char* what) {
        if (!s) return nullptr;
        return no_nul(*s, what) ? s->c_str() : "";
    }
    const char* opt(const std::optional<std::string_view>& s, const char* what) {
        return s ? str(*s, what) : nullptr;
    }
    // NUL-terminated copies of `v` (an element with a NUL byte is refused, named `what[i]`), for a
    // C `const char *const *` + count pair; valid as long as this Args.
    std::vector<const char*> strs(const std::vector<std::string>& v, const char* what) {
        std::vector<const char*> out;
        out.reserve(v.size());
        for (size_t i = 0; i < v.size(); i++)
            out.push_back(str(v[i], (std::string(what) + "[" + std::to_string(i) + "]").c_str()));
        return out;
    }
    uint32_t millis(std::chrono::milliseconds ms, const char* what) {
        if (ms.count() < 0 || static_cast<unsigned long long>(ms.count()) > std::numeric_limits<uint32_t>::max()) {
            fail(std::string(what) + " is out of range (0 .. 2^32-1 ms)");
            return 0;
        }
        return static_cast<uint32_t>(ms.count());
    }
    // -1 unset, 0 false, 1 true (the C options' tri-state fields).
    static int32_t tristate(const std::optional<bool>& b) noexcept { return b ? (*b ? 1 : 0) : -1; }

    bool failed() const noexcept { return error_.has_value(); }
    // The first argument error; only when failed().
    const Error& error() const noexcept { return *error_; }

  private:
    bool no_nul(std::string_view s, const char* what) {
        if (s.find('\0') == std::string_view::npos) return true;
        fail(std::string(what) + " contains a NUL byte");
        return false;
    }
    void fail(std::string message) {
        if (!error_) error_.emplace(HF_ERR_INVALID_ARGUMENT, message);
    }

    std::deque<std::string> copies_; // a deque never moves its elements: the c_str()s stay valid
    std::optional<Error> error_;
};

// A borrowed C string (from an accessor) copied out; empty / unset for NULL.
inline std::string borrowed(const char* s) { return s ? std::string(s) : std::string(); }
inline std::optional<std::string> borrowed_opt(const char* s) {
    return s ? std::optional<std::string>(s) : std::nullopt;
}
// A borrowed comma-separated C string split into its non-empty items: "a,b" -> {"a", "b"};
// "" or NULL -> {}.
inline std::vector<std::string> split_commas(const char* list) {
    std::vector<std::string> out;
    const std::string_view s = list ? std::string_view(list) : std::string_view();
    size_t start = 0;
    while (start < s.size()) {
        size_t comma = s.find(',', start);
        if (comma == std::string_view::npos) comma = s.size();
        if (comma > start) out.emplace_back(s.substr(start, comma - start));
        start = comma + 1;
    }
    return out;
}
inline std::string str(const StringHandle& s) { return borrowed(s.get()); }
inline std::optional<std::string> opt_str(const StringHandle& s) { return borrowed_opt(s.get()); }

} // namespace hf::detail

#endif // HF_HUB_CPP_DETAIL_HPP
