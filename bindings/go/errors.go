package hfhub

import "errors"

// Status mirrors the C enum hf_status. Its values are stable and never reused.
type Status int32

// The status codes of libhf_hub (hf_status).
const (
	StatusOK                 Status = 0
	StatusInvalidArgument    Status = 1
	StatusRepoNotFound       Status = 2
	StatusRevisionNotFound   Status = 3
	StatusEntryNotFound      Status = 4
	StatusGated              Status = 5
	StatusUnauthorized       Status = 6
	StatusForbidden          Status = 7
	StatusRateLimited        Status = 8
	StatusOffline            Status = 9
	StatusIncompleteSnapshot Status = 10
	StatusNetwork            Status = 11
	StatusTimeout            Status = 12
	StatusHTTP               Status = 13
	StatusChecksum           Status = 14
	StatusIO                 Status = 15
	StatusCancelled          Status = 16
	StatusInternal           Status = 17
	StatusDisabled           Status = 18
	StatusBadRequest         Status = 19
	StatusMetadata           Status = 20
	StatusNoToken            Status = 21
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
