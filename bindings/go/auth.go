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
// The native call cannot be interrupted; when ctx is done first, Whoami returns at once with an
// error wrapping ctx.Err() and the request finishes (bounded by the client's timeouts) in the
// background.
func (c *Client) Whoami(ctx context.Context) (*User, error) {
	if err := ctx.Err(); err != nil {
		return nil, contextError(err)
	}
	ptr, err := c.acquire()
	if err != nil {
		return nil, err
	}
	type result struct {
		u   *User
		err error
	}
	done := make(chan result, 1)
	go func() {
		defer c.release()
		var (
			u    *C.hf_user
			cerr *C.hf_error
		)
		if err := takeError(C.hf_auth_whoami(ptr, &u, &cerr), cerr); err != nil {
			done <- result{err: err}
			return
		}
		defer C.hf_user_free(u)
		done <- result{u: goUser(u)}
	}()
	select {
	case r := <-done:
		return r.u, r.err
	case <-ctx.Done():
		select {
		case r := <-done: // finished at the same time: prefer the real answer
			return r.u, r.err
		default:
			return nil, contextError(ctx.Err())
		}
	}
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
// ctx is checked before the request is sent; once started, a login runs to completion (bounded
// by the client's timeouts) because it writes files.
func (c *Client) Login(ctx context.Context, token string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", contextError(err)
	}
	ptr, err := c.acquire()
	if err != nil {
		return "", err
	}
	defer c.release()
	var a cArena
	defer a.free()
	ctok := a.str("token", token)
	if err := a.check(); err != nil {
		return "", err
	}
	var (
		name *C.char
		cerr *C.hf_error
	)
	if err := takeError(C.hf_auth_login(ptr, ctok, &name, &cerr), cerr); err != nil {
		return "", err
	}
	return takeString(name), nil
}

// Logout removes the stored token name (and the token file if it held it). An empty name logs
// out completely: the token file and all stored tokens are deleted. Tokens given through HF_TOKEN
// or ClientOptions.Token are not affected.
func (c *Client) Logout(name string) error {
	return c.withName(name, func(ptr *C.hf_client, cname *C.char, cerr **C.hf_error) C.hf_status {
		return C.hf_auth_logout(ptr, cname, cerr)
	})
}

// SwitchToken makes the stored token name the active one.
func (c *Client) SwitchToken(name string) error {
	return c.withName(name, func(ptr *C.hf_client, cname *C.char, cerr **C.hf_error) C.hf_status {
		return C.hf_auth_switch(ptr, cname, cerr)
	})
}

// withName runs a C call that takes the client and one token name.
func (c *Client) withName(name string, call func(*C.hf_client, *C.char, **C.hf_error) C.hf_status) error {
	ptr, err := c.acquire()
	if err != nil {
		return err
	}
	defer c.release()
	var a cArena
	defer a.free()
	cname := a.str("name", name)
	if err := a.check(); err != nil {
		return err
	}
	var cerr *C.hf_error
	return takeError(call(ptr, cname, &cerr), cerr)
}

// Tokens lists the names of the stored tokens (sorted) and the name of the active one ("" when
// the token file matches no stored token).
func (c *Client) Tokens() (names []string, active string, err error) {
	ptr, err := c.acquire()
	if err != nil {
		return nil, "", err
	}
	defer c.release()
	var (
		list *C.hf_string_list
		act  *C.char
		cerr *C.hf_error
	)
	if err := takeError(C.hf_auth_list(ptr, &list, &act, &cerr), cerr); err != nil {
		return nil, "", err
	}
	defer C.hf_string_list_free(list)
	active = takeString(act)
	n := int(C.hf_string_list_len(list))
	names = make([]string, 0, n)
	for i := 0; i < n; i++ {
		names = append(names, borrowed(C.hf_string_list_get(list, C.size_t(i))))
	}
	return names, active, nil
}
