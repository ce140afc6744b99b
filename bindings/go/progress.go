package hfhub

/*
#include <stdint.h>
#include "hf_hub.h"
*/
import "C"

import "runtime/cgo"

// hfhubGoProgress is called by the C trampoline (trampoline.c) with the cgo.Handle of a
// *progressState. It never lets a panic unwind into C: the panic is recorded, the download is
// cancelled (non-zero return), and Download re-raises it after the library returns.
//
//export hfhubGoProgress
func hfhubGoProgress(p *C.hf_progress, h C.uintptr_t) (ret C.int32_t) {
	st, ok := cgo.Handle(h).Value().(*progressState)
	if !ok || st.stopped {
		return 1
	}
	defer func() {
		if r := recover(); r != nil {
			st.stopped, st.panicked, st.panicVal = true, true, r
			ret = 1
		}
	}()
	pr := Progress{
		Filename:   C.GoString(p.filename),
		BytesDone:  uint64(p.bytes_done),
		BytesTotal: uint64(p.bytes_total),
		Phase:      ProgressPhase(p.phase),
		TotalDone:  uint64(p.total_done),
		TotalBytes: uint64(p.total_bytes),
	}
	if !st.fn(pr) {
		st.stopped = true
		return 1
	}
	return 0
}
