package hfhub

// The C memory handling of the package lives here: C strings in and out, and the conversion of
// hf_error into *Error. The other files only call these helpers (through call.go for client
// calls); the cgo build settings are in cgo.go.

/*
#include <stdlib.h>
#include "hf_hub.h"
*/
import "C"

import (
	"strconv"
	"strings"
	"unsafe"
)

// cArena collects the C strings made for one call so that they can be freed together.
type cArena struct {
	ptrs []unsafe.Pointer
	err  error
}

// str returns a C copy of s, or NULL for "". A string with a NUL byte cannot cross into C: it
// records an invalid-argument error (checked with check) and returns NULL.
func (a *cArena) str(what, s string) *C.char {
	if s == "" {
		return nil
	}
	if strings.IndexByte(s, 0) >= 0 {
		if a.err == nil {
			a.err = &Error{Status: StatusInvalidArgument, Message: what + " contains a NUL byte"}
		}
		return nil
	}
	p := C.CString(s)
	a.ptrs = append(a.ptrs, unsafe.Pointer(p))
	return p
}

// strs returns a C array (C memory) of C copies of ss, or NULL when ss is empty. Unlike str, ""
// becomes an empty C string: an array element is never NULL. A NUL byte records an
// invalid-argument error naming what[i] and returns NULL.
func (a *cArena) strs(what string, ss []string) **C.char {
	if len(ss) == 0 {
		return nil
	}
	for i, s := range ss {
		if strings.IndexByte(s, 0) >= 0 {
			if a.err == nil {
				a.err = &Error{Status: StatusInvalidArgument, Message: what + "[" + strconv.Itoa(i) + "] contains a NUL byte"}
			}
			return nil
		}
	}
	arr := unsafe.Slice((**C.char)(C.malloc(C.size_t(len(ss))*C.size_t(unsafe.Sizeof((*C.char)(nil))))), len(ss))
	a.ptrs = append(a.ptrs, unsafe.Pointer(&arr[0]))
	for i, s := range ss {
		arr[i] = C.CString(s)
		a.ptrs = append(a.ptrs, unsafe.Pointer(arr[i]))
	}
	return &arr[0]
}

// check returns the first error recorded while building the call's arguments.
func (a *cArena) check() error { return a.err }

func (a *cArena) free() {
	for _, p := range a.ptrs {
		C.free(p)
	}
	a.ptrs = nil
}

// takeString converts a library-owned string to Go and frees it with hf_string_free.
func takeString(s *C.char) string {
	if s == nil {
		return ""
	}
	defer C.hf_string_free(s)
	return C.GoString(s)
}

// borrowed converts a borrowed C string (NULL → "").
func borrowed(s *C.char) string {
	if s == nil {
		return ""
	}
	return C.GoString(s)
}

// takeError turns a failed status and its hf_error into *Error and frees the hf_error.
// It returns nil for HF_OK.
func takeError(status C.hf_status, e *C.hf_error) error {
	defer C.hf_error_free(e)
	if status == C.HF_OK {
		return nil
	}
	err := &Error{Status: Status(status)}
	if e != nil {
		err.Status = Status(C.hf_error_status(e))
		err.Message = borrowed(C.hf_error_message(e))
		err.HTTPStatus = int(C.hf_error_http_status(e))
		err.RequestID = borrowed(C.hf_error_request_id(e))
	}
	return err
}

func statusText(s Status) string { return C.GoString(C.hf_status_str(C.int32_t(s))) }

func cBool3(b *bool) C.int32_t {
	switch {
	case b == nil:
		return -1
	case *b:
		return 1
	default:
		return 0
	}
}
