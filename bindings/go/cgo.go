// Package hfhub is a Go client for the Hugging Face Hub, a thin cgo layer over libhf_hub (the C
// library of include/hf_hub.h). Downloads land in the same cache, laid out byte for byte as the
// official Python client lays it out.
//
// # Building
//
// The compiler and linker flags come from pkg-config (`pkg-config hf_hub`), so a plain `go build`
// works once the library is installed; set PKG_CONFIG_PATH when its prefix is not a standard
// one. With the build tag "static", libhf_hub.a is linked into the program instead of
// libhf_hub.so (Linux: GNU ld, gold or lld), with the native libraries `pkg-config --static`
// lists (Libs.private). See README.md.
package hfhub

// The cgo build settings of the whole package (cgo applies them to every file).
//
// Default: the header's folder, -L, -lhf_hub (and whatever else hf_hub.pc says) from pkg-config.
//
// static: `pkg-config --static` adds Libs.private (-lpthread -lutil -lrt -lm -ldl -lgcc_s).
// pkg-config can only say -lhf_hub, which the linker resolves to libhf_hub.so when both the .so
// and the .a are installed, so the archive is named explicitly (-l:libhf_hub.a; every -L applies
// to every -l, wherever they stand). cgo puts these LDFLAGS before pkg-config's, and the
// --as-needed that follows them keeps pkg-config's -lhf_hub, now unused, out of the program's
// DT_NEEDED: the binary does not need libhf_hub.so at run time.

/*
#cgo !static pkg-config: hf_hub
#cgo static pkg-config: --static hf_hub
#cgo static LDFLAGS: -l:libhf_hub.a -Wl,--as-needed
*/
import "C"
