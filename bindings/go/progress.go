package hfhub

/*
#include <stdint.h>
#include "hf_hub.h"
*/
import "C"

import (
	"runtime/cgo"
	"unsafe"
)

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
	}
	// The call totals were appended to hf_progress: read them only from a library that sends them.
	if uintptr(p.struct_size) >= unsafe.Offsetof(p.total_bytes_total)+unsafe.Sizeof(p.total_bytes_total) {
		pr.FilesDone = uint64(p.files_done)
		pr.FilesTotal = uint64(p.files_total)
		pr.TotalBytesDone = uint64(p.total_bytes_done)
		pr.TotalBytesTotal = uint64(p.total_bytes_total)
	}
	if uintptr(p.struct_size) >= unsafe.Offsetof(p.phase)+unsafe.Sizeof(p.phase) {
		pr.Phase = ProgressPhase(p.phase)
	}
	if !st.fn(pr) {
		st.stopped = true
		return 1
	}
	return 0
}
