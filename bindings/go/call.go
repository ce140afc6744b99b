package hfhub

/*
#include <stdint.h>
#include "hf_hub.h"

void hfhub_set_progress(hf_download_options *options, uintptr_t handle);
void hfhub_set_verify_progress(hf_cache_verify_options *options, uintptr_t handle);
void hfhub_set_gguf_progress(hf_gguf_options *options, uintptr_t handle);
void hfhub_set_snapshot_progress(hf_snapshot_options *options, uintptr_t handle);
*/
import "C"

import (
	"context"
	"math"
	"runtime/cgo"
	"strconv"
	"sync"
	"unsafe"
)

// Every method of Client that calls the library goes through Client.call, which does the
// per-call work once:
//
//   - a context that is already done fails the call at once (nothing is sent);
//   - the native client is held for the duration of the call (Close never frees it under a call);
//   - C strings made with k.str (string arrays with k.strs) are freed when the call returns, and
//     a Go string holding a NUL byte fails the call with ErrInvalidArgument before C is entered;
//   - k.cancelToken (also through k.callOptions, k.downloadOptions, k.snapshotOptions,
//     k.repoOptions and k.verifyOptions) gives an hf_cancel_token that is cancelled when the
//     context is done, and frees it when the call returns;
//   - k.setProgress (k.setSnapshotProgress, k.setVerifyProgress) routes the library's progress
//     callback to a Go function on the calling goroutine; a panic in it is re-raised once the
//     library has returned;
//   - the status and k.cerr become the returned *Error, which also wraps ctx.Err() when the
//     context is what cancelled the call.
//
// A new C call is then a few lines:
//
//	var u *C.hf_user
//	err := c.call(ctx, func(k *call) C.hf_status {
//		return C.hf_auth_whoami_ex(k.client, k.callOptions(), &u, &k.cerr)
//	})
//
// Outputs are written only on success: convert (and free) them when call returned nil. Calls
// that never touch the network pass context.Background(), which costs no cancel token.

// call is the state of one C call made through Client.call.
type call struct {
	client *C.hf_client // the native client, valid until the call returns
	cerr   *C.hf_error  // the C function's error_out: pass &k.cerr

	ctx      context.Context
	args     cArena
	token    *C.hf_cancel_token
	stop     func() bool // stops the context.AfterFunc that cancels token
	tokenMu  sync.Mutex  // orders that cancellation against freeing the token
	freed    bool
	progress *progressState
	handle   cgo.Handle
}

// argError is how k.str aborts body before C is called; Client.call recovers it.
type argError struct{ err error }

// call runs body, the C call, with the per-call scaffolding around it (see above). body returns
// the C function's status.
func (c *Client) call(ctx context.Context, body func(k *call) C.hf_status) error {
	if err := ctx.Err(); err != nil {
		return contextError(err)
	}
	ptr, err := c.acquire()
	if err != nil {
		return err
	}
	defer c.release()
	k := &call{client: ptr, ctx: ctx}
	defer k.free()

	status, err := k.run(body)
	if err != nil {
		return err
	}
	if k.progress != nil && k.progress.panicked {
		C.hf_error_free(k.cerr)
		panic(k.progress.panicVal)
	}
	return cancelledBy(takeError(status, k.cerr), ctx.Err())
}

func (k *call) run(body func(k *call) C.hf_status) (status C.hf_status, err error) {
	defer func() {
		if r := recover(); r != nil {
			a, ok := r.(argError)
			if !ok {
				panic(r)
			}
			err = a.err
		}
	}()
	return body(k), nil
}

// str returns a C copy of s (NULL for ""), freed when the call returns. A string with a NUL
// byte cannot cross into C: the call fails with ErrInvalidArgument naming what, and body stops
// here, so str must be called before the C function (in its argument list, typically).
func (k *call) str(what, s string) *C.char {
	p := k.args.str(what, s)
	if err := k.args.check(); err != nil {
		panic(argError{err})
	}
	return p
}

// strs returns a C array of C copies of ss (NULL when ss is empty; "" is an empty C string, not
// NULL), freed when the call returns. Like str, a NUL byte fails the call with
// ErrInvalidArgument naming what and the index.
func (k *call) strs(what string, ss []string) **C.char {
	p := k.args.strs(what, ss)
	if err := k.args.check(); err != nil {
		panic(argError{err})
	}
	return p
}

// cancelToken returns a cancel token that is cancelled when the call's context is done, or NULL
// when the context can never be done. The token is made on first use and freed when the call
// returns.
func (k *call) cancelToken() *C.hf_cancel_token {
	if k.token != nil || k.ctx.Done() == nil {
		return k.token
	}
	tok := C.hf_cancel_token_new()
	if tok == nil {
		return nil // out of memory: the call simply cannot be cancelled
	}
	k.token = tok
	k.stop = context.AfterFunc(k.ctx, func() {
		k.tokenMu.Lock()
		defer k.tokenMu.Unlock()
		if !k.freed {
			C.hf_cancel_token_cancel(tok)
		}
	})
	// The AfterFunc runs on its own goroutine; a context done by now is seen by the library
	// before it sends anything.
	if k.ctx.Err() != nil {
		C.hf_cancel_token_cancel(tok)
	}
	return tok
}

// callOptions returns hf_call_options carrying the call's cancel token.
func (k *call) callOptions() *C.hf_call_options {
	o := new(C.hf_call_options) // holds only C pointers, so it may be passed to C
	C.hf_call_options_init_sized(o, C.uint32_t(unsafe.Sizeof(*o)))
	o.cancel = k.cancelToken()
	return o
}

// downloadOptions returns the C form of o (nil: defaults) carrying the call's cancel token.
// Progress is not installed: see setProgress.
func (k *call) downloadOptions(o *DownloadOptions) *C.hf_download_options {
	co := new(C.hf_download_options)
	C.hf_download_options_init_sized(co, C.uint32_t(unsafe.Sizeof(*co)))
	co.cancel = k.cancelToken()
	if o != nil {
		co.repo_type = C.int32_t(o.RepoType)
		co.revision = k.str("Revision", o.Revision)
		co.subfolder = k.str("Subfolder", o.Subfolder)
		co.force_download = C.bool(o.ForceDownload)
		co.local_files_only = C.bool(o.LocalFilesOnly)
		co.verify = C.bool(!o.SkipVerify)
		co.local_dir = k.str("LocalDir", o.LocalDir)
	}
	return co
}

// snapshotOptions returns the C form of o (nil: defaults) carrying the call's cancel token.
// Progress is not installed: see setSnapshotProgress.
func (k *call) snapshotOptions(o *SnapshotOptions) *C.hf_snapshot_options {
	co := new(C.hf_snapshot_options)
	C.hf_snapshot_options_init_sized(co, C.uint32_t(unsafe.Sizeof(*co)))
	co.cancel = k.cancelToken()
	if o != nil {
		if o.MaxWorkers < 0 || int64(o.MaxWorkers) > math.MaxUint32 {
			panic(argError{&Error{Status: StatusInvalidArgument, Message: "MaxWorkers must be between 0 and 2^32-1, not " + strconv.Itoa(o.MaxWorkers)}})
		}
		co.repo_type = C.int32_t(o.RepoType)
		co.revision = k.str("Revision", o.Revision)
		co.allow_patterns = k.strs("AllowPatterns", o.AllowPatterns)
		co.allow_pattern_count = C.size_t(len(o.AllowPatterns))
		co.ignore_patterns = k.strs("IgnorePatterns", o.IgnorePatterns)
		co.ignore_pattern_count = C.size_t(len(o.IgnorePatterns))
		co.local_dir = k.str("LocalDir", o.LocalDir)
		co.max_workers = C.uint32_t(o.MaxWorkers)
		co.force_download = C.bool(o.ForceDownload)
		co.local_files_only = C.bool(o.LocalFilesOnly)
		co.verify = C.bool(!o.SkipVerify)
	}
	return co
}

// repoOptions returns the C form of o (nil: defaults) carrying the call's cancel token.
func (k *call) repoOptions(o *RepoOptions) *C.hf_repo_options {
	co := new(C.hf_repo_options)
	C.hf_repo_options_init_sized(co, C.uint32_t(unsafe.Sizeof(*co)))
	co.cancel = k.cancelToken()
	if o != nil {
		co.repo_type = C.int32_t(o.RepoType)
		co.revision = k.str("Revision", o.Revision)
		co.visibility = C.int32_t(o.Visibility)
		co.space_sdk = k.str("SpaceSDK", o.SpaceSDK)
		co.exist_ok = C.bool(o.ExistOK)
		co.missing_ok = C.bool(o.MissingOK)
	}
	return co
}

// verifyOptions returns the C form of o (nil: defaults) carrying the call's cancel token.
// Progress is not installed: see setVerifyProgress.
func (k *call) verifyOptions(o *VerifyOptions) *C.hf_cache_verify_options {
	co := new(C.hf_cache_verify_options)
	C.hf_cache_verify_options_init_sized(co, C.uint32_t(unsafe.Sizeof(*co)))
	co.cancel = k.cancelToken()
	if o != nil {
		co.repo_id = k.str("RepoID", o.RepoID)
	}
	return co
}

// setProgress makes fn (if not nil) co's progress callback, called on this goroutine through
// the C trampoline with a cgo.Handle as user_data. Client.call re-raises a panic of fn.
func (k *call) setProgress(co *C.hf_download_options, fn func(Progress) bool) {
	if h, ok := k.progressHandle(fn); ok {
		C.hfhub_set_progress(co, h)
	}
}

// setSnapshotProgress is setProgress for hf_snapshot_options.
func (k *call) setSnapshotProgress(co *C.hf_snapshot_options, fn func(Progress) bool) {
	if h, ok := k.progressHandle(fn); ok {
		C.hfhub_set_snapshot_progress(co, h)
	}
}

// setVerifyProgress is setProgress for hf_cache_verify_options.
func (k *call) setVerifyProgress(co *C.hf_cache_verify_options, fn func(Progress) bool) {
	if h, ok := k.progressHandle(fn); ok {
		C.hfhub_set_verify_progress(co, h)
	}
}

// setGgufProgress is setProgress for hf_gguf_options.
func (k *call) setGgufProgress(co *C.hf_gguf_options, fn func(Progress) bool) {
	if h, ok := k.progressHandle(fn); ok {
		C.hfhub_set_gguf_progress(co, h)
	}
}

// progressHandle registers fn (if not nil) as the call's progress function and returns the
// cgo.Handle the trampoline receives as user_data. One progress function per call.
func (k *call) progressHandle(fn func(Progress) bool) (C.uintptr_t, bool) {
	if fn == nil {
		return 0, false
	}
	k.progress = &progressState{fn: fn}
	k.handle = cgo.NewHandle(k.progress)
	return C.uintptr_t(k.handle), true
}

// free releases what the call made: the cancel token (never while the context's AfterFunc may
// be cancelling it), the progress handle and the C strings.
func (k *call) free() {
	if k.token != nil {
		k.stop()
		k.tokenMu.Lock()
		k.freed = true
		C.hf_cancel_token_free(k.token)
		k.tokenMu.Unlock()
	}
	if k.handle != 0 {
		k.handle.Delete()
	}
	k.args.free()
}

// progressState is what the cgo.Handle in user_data points at.
type progressState struct {
	fn       func(Progress) bool
	stopped  bool // fn asked to stop or panicked: do not call it again
	panicked bool
	panicVal any
}
