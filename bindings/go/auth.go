package hfhub

/*
#include "hf_hub.h"
*/
import "C"

import "context"

// User is the account a token belongs to (whoami).
type User struct {
	Name      string   // user or org name
	Type      string   // "user", "org" or "app"
	Fullname  string   // display name, "" when the Hub sent none
	Orgs      []string // organizations the user belongs to
	TokenName string   // the token's display name, "" for OAuth tokens
	TokenRole string   // "read", "write", "fineGrained", or ""
	JSON      string   // the whole whoami answer as JSON text
}

// Whoami asks the Hub who the client's token belongs to (explicit token, else HF_TOKEN, else the
// token file). Errors: ErrNoToken, ErrUnauthorized, ErrOffline, ErrNetwork, ...
//
// When ctx is done the request is aborted; the error then satisfies both
// errors.Is(err, ErrCancelled) and errors.Is(err, ctx.Err()).
func (c *Client) Whoami(ctx context.Context) (*User, error) {
	var u *C.hf_user
	if err := c.call(ctx, func(k *call) C.hf_status {
		return C.hf_auth_whoami_ex(k.client, k.callOptions(), &u, &k.cerr)
	}); err != nil {
		return nil, err
	}
	defer C.hf_user_free(u)
	return goUser(u), nil
}

func goUser(u *C.hf_user) *User {
	n := int(C.hf_user_org_count(u))
	orgs := make([]string, 0, n)
	for i := 0; i < n; i++ {
		orgs = append(orgs, borrowed(C.hf_user_org_name(u, C.size_t(i))))
	}
	return &User{
		Name:      borrowed(C.hf_user_name(u)),
		Type:      borrowed(C.hf_user_type(u)),
		Fullname:  borrowed(C.hf_user_fullname(u)),
		Orgs:      orgs,
		TokenName: borrowed(C.hf_user_token_name(u)),
		TokenRole: borrowed(C.hf_user_token_role(u)),
		JSON:      borrowed(C.hf_user_json(u)),
	}
}

// Login validates token with whoami, stores it among the stored tokens under its name (returned)
// and makes it the active token (the token file), byte-compatible with the Python client.
//
// ctx cancels the validation request (the error then matches ErrCancelled and ctx.Err(), and no
// file is written); once the token is validated, the files are written whatever ctx says.
func (c *Client) Login(ctx context.Context, token string) (string, error) {
	var name string
	err := c.call(ctx, func(k *call) C.hf_status {
		var out *C.char
		status := C.hf_auth_login_ex(k.client, k.str("token", token), k.callOptions(), &out, &k.cerr)
		name = takeString(out)
		return status
	})
	return name, err
}

// Logout removes the stored token name (and the token file if it held it). An empty name logs
// out completely: the token file and all stored tokens are deleted. Tokens given through HF_TOKEN
// or ClientOptions.Token are not affected.
func (c *Client) Logout(name string) error {
	return c.call(context.Background(), func(k *call) C.hf_status {
		return C.hf_auth_logout(k.client, k.str("name", name), &k.cerr)
	})
}

// SwitchToken makes the stored token name the active one.
func (c *Client) SwitchToken(name string) error {
	return c.call(context.Background(), func(k *call) C.hf_status {
		return C.hf_auth_switch(k.client, k.str("name", name), &k.cerr)
	})
}

// Tokens lists the names of the stored tokens (sorted) and the name of the active one ("" when
// the token file matches no stored token).
func (c *Client) Tokens() (names []string, active string, err error) {
	var list *C.hf_string_list
	err = c.call(context.Background(), func(k *call) C.hf_status {
		var act *C.char
		status := C.hf_auth_list(k.client, &list, &act, &k.cerr)
		active = takeString(act)
		return status
	})
	if err != nil {
		return nil, "", err
	}
	defer C.hf_string_list_free(list)
	n := int(C.hf_string_list_len(list))
	names = make([]string, 0, n)
	for i := 0; i < n; i++ {
		names = append(names, borrowed(C.hf_string_list_get(list, C.size_t(i))))
	}
	return names, active, nil
}
