// hf_hub/auth.hpp — tokens and accounts: User, TokenList, and the calls behind Client::whoami /
// login / logout / switch_token / tokens (which take a borrowed `const hf_client *`). whoami and
// login go to the network and take hf::CallOptions (a cancel token). Part of hf_hub.hpp; compiles
// alone.
#ifndef HF_HUB_CPP_AUTH_HPP
#define HF_HUB_CPP_AUTH_HPP

#include "hf_hub.h"
#include "cancel.hpp"
#include "detail.hpp"
#include "error.hpp"
#include "handle.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hf {

// The account a token belongs to (whoami).
struct User {
    std::string name;
    std::string type; // "user", "org" or "app"
    std::optional<std::string> fullname;
    std::vector<std::string> orgs;
    std::optional<std::string> token_name;
    std::optional<std::string> token_role; // "read", "write", "fineGrained"
    std::string json;                      // the whole whoami answer
};

// The stored tokens (login/switch) and the name of the active one.
struct TokenList {
    std::vector<std::string> names;    // sorted
    std::optional<std::string> active; // unset when the token file matches no stored token
};

namespace detail {

// hf_auth_whoami_ex.
inline Result<User> whoami(const hf_client* client, const CallOptions& options) {
    const hf_call_options c = call_options(options);
    UserHandle u;
    ErrorHandle err;
    const hf_status st = hf_auth_whoami_ex(client, &c, u.out(), err.out());
    if (st != HF_OK) return make_error(st, err.get());
    User out;
    out.name = borrowed(hf_user_name(u.get()));
    out.type = borrowed(hf_user_type(u.get()));
    out.fullname = borrowed_opt(hf_user_fullname(u.get()));
    const size_t n = hf_user_org_count(u.get());
    out.orgs.reserve(n);
    for (size_t i = 0; i < n; i++) out.orgs.push_back(borrowed(hf_user_org_name(u.get(), i)));
    out.token_name = borrowed_opt(hf_user_token_name(u.get()));
    out.token_role = borrowed_opt(hf_user_token_role(u.get()));
    out.json = borrowed(hf_user_json(u.get()));
    return out;
}

// hf_auth_login_ex: the name the token was stored under.
inline Result<std::string> login(const hf_client* client, std::string_view token, const CallOptions& options) {
    Args args;
    const char* t = args.str(token, "token");
    if (args.failed()) return args.error();
    const hf_call_options c = call_options(options);
    StringHandle name;
    ErrorHandle err;
    const hf_status st = hf_auth_login_ex(client, t, &c, name.out(), err.out());
    if (st != HF_OK) return make_error(st, err.get());
    return str(name);
}

// hf_auth_logout.
inline Result<void> logout(const hf_client* client, std::optional<std::string_view> name) {
    Args args;
    const char* n = args.opt(name, "name");
    if (args.failed()) return args.error();
    ErrorHandle err;
    const hf_status st = hf_auth_logout(client, n, err.out());
    if (st != HF_OK) return make_error(st, err.get());
    return {};
}

// hf_auth_switch.
inline Result<void> switch_token(const hf_client* client, std::string_view name) {
    Args args;
    const char* n = args.str(name, "name");
    if (args.failed()) return args.error();
    ErrorHandle err;
    const hf_status st = hf_auth_switch(client, n, err.out());
    if (st != HF_OK) return make_error(st, err.get());
    return {};
}

// hf_auth_list.
inline Result<TokenList> token_list(const hf_client* client) {
    StringListHandle list;
    StringHandle active;
    ErrorHandle err;
    const hf_status st = hf_auth_list(client, list.out(), active.out(), err.out());
    if (st != HF_OK) return make_error(st, err.get());
    TokenList out;
    const size_t n = hf_string_list_len(list.get());
    out.names.reserve(n);
    for (size_t i = 0; i < n; i++) out.names.push_back(borrowed(hf_string_list_get(list.get(), i)));
    out.active = opt_str(active);
    return out;
}

} // namespace detail

} // namespace hf

#endif // HF_HUB_CPP_AUTH_HPP
