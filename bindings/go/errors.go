package hfhub

/*
#include "hf_hub.h"
*/
import "C"

import "errors"

// Status mirrors the C enum hf_status. Its values are stable and never reused.
type Status int32

// The status codes of libhf_hub, taken from the C enum hf_status.
const (
	StatusOK                 Status = C.HF_OK
	StatusInvalidArgument    Status = C.HF_ERR_INVALID_ARGUMENT
	StatusRepoNotFound       Status = C.HF_ERR_REPO_NOT_FOUND
	StatusRevisionNotFound   Status = C.HF_ERR_REVISION_NOT_FOUND
	StatusEntryNotFound      Status = C.HF_ERR_ENTRY_NOT_FOUND
	StatusGated              Status = C.HF_ERR_GATED
	StatusUnauthorized       Status = C.HF_ERR_UNAUTHORIZED
	StatusForbidden          Status = C.HF_ERR_FORBIDDEN
	StatusRateLimited        Status = C.HF_ERR_RATE_LIMITED
	StatusOffline            Status = C.HF_ERR_OFFLINE
	StatusIncompleteSnapshot Status = C.HF_ERR_INCOMPLETE_SNAPSHOT
	StatusNetwork            Status = C.HF_ERR_NETWORK
	StatusTimeout            Status = C.HF_ERR_TIMEOUT
	StatusHTTP               Status = C.HF_ERR_HTTP
	StatusChecksum           Status = C.HF_ERR_CHECKSUM
	StatusIO                 Status = C.HF_ERR_IO
	StatusCancelled          Status = C.HF_ERR_CANCELLED
	StatusInternal           Status = C.HF_ERR_INTERNAL
	StatusDisabled           Status = C.HF_ERR_DISABLED
	StatusBadRequest         Status = C.HF_ERR_BAD_REQUEST
	StatusMetadata           Status = C.HF_ERR_METADATA
	StatusNoToken            Status = C.HF_ERR_NO_TOKEN
	StatusStaleParent        Status = C.HF_ERR_STALE_PARENT
)

// String returns the library's text for the status, e.g. "HF_ERR_GATED: gated repository".
func (s Status) String() string { return statusText(s) }

// Error is a failed call: the library's status code, its message, the HTTP status that caused it
// (0 if none) and the server's request id (for support requests).
//
// Test for a kind of failure with errors.Is and the sentinels below:
//
//	if errors.Is(err, hfhub.ErrEntryNotFound) { ... }
//
// or get the details with errors.As(err, &e) where e is a *Error. An error from a call cancelled
// through its context also wraps the context's error (context.Canceled or
// context.DeadlineExceeded).
type Error struct {
	Status     Status
	HTTPStatus int
	RequestID  string
	Message    string

	cause error // returned by Unwrap: the context error of a cancelled call, ErrClientClosed
}

// Error returns the library's message (which already names the HTTP status and request id when
// there is one), or the status text when there is no message.
func (e *Error) Error() string {
	if e.Message != "" {
		return "hfhub: " + e.Message
	}
	return "hfhub: " + e.Status.String()
}

// Is reports whether target is an *Error with the same Status, so that errors.Is(err,
// ErrGated) matches any gated-repository error.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t != nil && t.Status == e.Status
}

// Unwrap returns the underlying cause: the context's error for a call cancelled through its
// context, ErrClientClosed for a call on a closed client, else nil.
func (e *Error) Unwrap() error { return e.cause }

// Sentinel errors, one per status, for errors.Is. Do not modify them.
var (
	ErrInvalidArgument    = &Error{Status: StatusInvalidArgument}
	ErrRepoNotFound       = &Error{Status: StatusRepoNotFound}
	ErrRevisionNotFound   = &Error{Status: StatusRevisionNotFound}
	ErrEntryNotFound      = &Error{Status: StatusEntryNotFound}
	ErrGated              = &Error{Status: StatusGated}
	ErrUnauthorized       = &Error{Status: StatusUnauthorized}
	ErrForbidden          = &Error{Status: StatusForbidden}
	ErrRateLimited        = &Error{Status: StatusRateLimited}
	ErrOffline            = &Error{Status: StatusOffline}
	ErrIncompleteSnapshot = &Error{Status: StatusIncompleteSnapshot}
	ErrNetwork            = &Error{Status: StatusNetwork}
	ErrTimeout            = &Error{Status: StatusTimeout}
	ErrHTTP               = &Error{Status: StatusHTTP}
	ErrChecksum           = &Error{Status: StatusChecksum}
	ErrIO                 = &Error{Status: StatusIO}
	ErrCancelled          = &Error{Status: StatusCancelled}
	ErrInternal           = &Error{Status: StatusInternal}
	ErrDisabled           = &Error{Status: StatusDisabled}
	ErrBadRequest         = &Error{Status: StatusBadRequest}
	ErrMetadata           = &Error{Status: StatusMetadata}
	ErrNoToken            = &Error{Status: StatusNoToken}
	ErrStaleParent        = &Error{Status: StatusStaleParent}
)

// ErrClientClosed is wrapped by the error (StatusInvalidArgument) of a call on a closed Client.
var ErrClientClosed = errors.New("hfhub: client is closed")

// cancelledBy returns the error of a call that the library reported cancelled, wrapping the
// context's error when the context is what cancelled it.
func cancelledBy(err error, ctxErr error) error {
	if e, ok := err.(*Error); ok && e.Status == StatusCancelled && ctxErr != nil && e.cause == nil {
		e.cause = ctxErr
	}
	return err
}

// contextError is the error of a call that did not run (or was abandoned) because its context
// was done.
func contextError(ctxErr error) error {
	return &Error{Status: StatusCancelled, Message: "cancelled: " + ctxErr.Error(), cause: ctxErr}
}
