package hfhub

/*
#include "hf_hub.h"
*/
import "C"

import (
	"context"
	"runtime"
	"strconv"
	"unsafe"
)

// GGUFRole is what a file of a GGUF plan is for (hf_gguf_role).
type GGUFRole int

// File roles of a GGUF plan.
const (
	GGUFModel  GGUFRole = C.HF_GGUF_ROLE_MODEL  // the model, or one part of a split model
	GGUFMmproj GGUFRole = C.HF_GGUF_ROLE_MMPROJ // the multimodal projector
	GGUFMtp    GGUFRole = C.HF_GGUF_ROLE_MTP    // multi-token-prediction draft
	GGUFEagle3 GGUFRole = C.HF_GGUF_ROLE_EAGLE3 // EAGLE-3 draft
	GGUFDflash GGUFRole = C.HF_GGUF_ROLE_DFLASH // DFlash draft
	GGUFDspark GGUFRole = C.HF_GGUF_ROLE_DSPARK // DSpark draft
	GGUFPreset GGUFRole = C.HF_GGUF_ROLE_PRESET // preset.ini
)

func (r GGUFRole) String() string {
	switch r {
	case GGUFModel:
		return "model"
	case GGUFMmproj:
		return "mmproj"
	case GGUFMtp:
		return "mtp"
	case GGUFEagle3:
		return "eagle3"
	case GGUFDflash:
		return "dflash"
	case GGUFDspark:
		return "dspark"
	case GGUFPreset:
		return "preset"
	}
	return "GGUFRole(" + strconv.Itoa(int(r)) + ")"
}

// GGUFOptions are the options of the GGUF calls. A nil pointer means defaults: revision "main",
// the projector included, the other sidecars left out, SHA-256 verification on.
// DownloadGGUFPlan uses LocalFilesOnly, SkipVerify, MaxWorkers and Progress only.
type GGUFOptions struct {
	Revision       string // branch, tag or 40-hex commit; "" means "main"
	NoMmproj       bool   // leave the multimodal projector out of the plan
	OtherSidecars  bool   // also the draft models and preset.ini llama.cpp recognises
	LocalFilesOnly bool   // resolve from the cache alone, download nothing
	SkipVerify     bool   // do not check LFS files against their SHA-256
	MaxWorkers     uint32 // files downloaded at once (0: the default, 8)

	// Progress, if set, reports the whole plan (Progress.FilesDone, TotalBytesDone...) on the
	// calling goroutine. Return false to cancel. A panic in it is re-raised once the library has
	// returned, as for Download.
	Progress func(Progress) bool
}

// GGUFFile is one file of a plan.
type GGUFFile struct {
	Role      GGUFRole
	Path      string // path in the repo
	Size      uint64 // bytes
	SHA256    string // SHA-256 of an LFS file, "" otherwise
	LocalPath string // in the cache; "" until downloaded
}

// GGUFPlan is what "org/repo[:QUANT]" resolves to (hf_gguf_plan): plain Go values, plus the
// native plan DownloadGGUFPlan downloads. Close it when done (a finalizer does it otherwise).
type GGUFPlan struct {
	RepoID   string
	Revision string     // the revision asked for ("main" by default)
	Commit   string     // the 40-hex commit the plan is for
	Quant    string     // the chosen model's quant, upper-case ("Q4_K_M"; may be empty)
	Files    []GGUFFile // model parts in order, then the sidecars
	// ModelCount is how many of Files are the model (the parts of a split model; 1 otherwise).
	ModelCount int
	JSON       string // the plan as JSON (hf_gguf_plan_json)

	h nativeHandle[*C.hf_gguf_plan]
}

// Close frees the native plan. It is idempotent; DownloadGGUFPlan after Close fails with
// ErrInvalidArgument. The Go values stay.
func (p *GGUFPlan) Close() error {
	if p.h.close() {
		runtime.SetFinalizer(p, nil)
	}
	return nil
}

// Model returns the model's files in part order (the first ModelCount files).
func (p *GGUFPlan) Model() []GGUFFile {
	return p.Files[:p.ModelCount]
}

// File returns the first file of a role (the projector: GGUFMmproj).
func (p *GGUFPlan) File(role GGUFRole) (GGUFFile, bool) {
	for _, f := range p.Files {
		if f.Role == role {
			return f, true
		}
	}
	return GGUFFile{}, false
}

// ggufOptions returns the C form of o (nil: defaults) carrying the call's cancel token.
func (k *call) ggufOptions(o *GGUFOptions) *C.hf_gguf_options {
	co := new(C.hf_gguf_options)
	C.hf_gguf_options_init_sized(co, C.uint32_t(unsafe.Sizeof(*co)))
	co.cancel = k.cancelToken()
	if o != nil {
		co.revision = k.str("Revision", o.Revision)
		co.no_mmproj = C.bool(o.NoMmproj)
		co.other_sidecars = C.bool(o.OtherSidecars)
		co.local_files_only = C.bool(o.LocalFilesOnly)
		co.verify = C.bool(!o.SkipVerify)
		co.max_workers = C.uint32_t(o.MaxWorkers)
		k.setGgufProgress(co, o.Progress)
	}
	return co
}

// takePlan copies a C plan out and keeps it for DownloadGGUFPlan (nil: nil).
func takePlan(p *C.hf_gguf_plan) *GGUFPlan {
	if p == nil {
		return nil
	}
	out := &GGUFPlan{
		RepoID:   borrowed(C.hf_gguf_plan_repo_id(p)),
		Revision: borrowed(C.hf_gguf_plan_revision(p)),
		Commit:   borrowed(C.hf_gguf_plan_commit(p)),
		Quant:    borrowed(C.hf_gguf_plan_quant(p)),
		JSON:     borrowed(C.hf_gguf_plan_json(p)),
		// The C plan lists the model's files first, in part order.
		ModelCount: int(C.hf_gguf_plan_model_count(p)),
	}
	n := int(C.hf_gguf_plan_file_count(p))
	for i := 0; i < n; i++ {
		f := C.hf_gguf_plan_file(p, C.size_t(i))
		if f == nil {
			continue
		}
		out.Files = append(out.Files, GGUFFile{
			Role:      GGUFRole(f.role),
			Path:      borrowed(f.path),
			Size:      uint64(f.size),
			SHA256:    borrowed(f.sha256),
			LocalPath: borrowed(f.local_path),
		})
	}
	out.ModelCount = min(out.ModelCount, len(out.Files))
	out.h.init("GGUF plan", p, func(p *C.hf_gguf_plan) { C.hf_gguf_plan_free(p) })
	runtime.SetFinalizer(out, func(pl *GGUFPlan) { _ = pl.Close() })
	return out
}

// ResolveGGUF resolves model ("org/repo" or "org/repo:QUANT", the quant case-insensitive) to a
// plan without downloading: the commit, the model GGUF (every part of a split model, in order),
// its projector, sizes and SHA-256. Without a quant: Q4_K_M, else Q8_0, else the first model GGUF.
// With LocalFilesOnly (or offline mode, or when the Hub cannot be reached) the plan comes from
// the cache alone and every LocalPath is set. See hf_gguf_resolve for the errors: ErrEntryNotFound
// when no GGUF matches (the message lists the quants the repo has) or a split part is missing.
func (c *Client) ResolveGGUF(ctx context.Context, model string, opts *GGUFOptions) (*GGUFPlan, error) {
	var plan *GGUFPlan
	err := c.call(ctx, func(k *call) C.hf_status {
		var out *C.hf_gguf_plan
		status := C.hf_gguf_resolve(k.client, k.str("model", model), k.ggufOptions(opts), &out, &k.cerr)
		plan = takePlan(out)
		return status
	})
	if err != nil {
		return nil, err
	}
	return plan, nil
}

// DownloadGGUFPlan downloads every file of plan into the Hugging Face cache (files already there
// cost no request; the rest in parallel, with aggregate progress), writes refs/<revision>, and
// returns a new plan whose every LocalPath is set. plan is not changed.
func (c *Client) DownloadGGUFPlan(ctx context.Context, plan *GGUFPlan, opts *GGUFOptions) (*GGUFPlan, error) {
	native, err := plan.h.acquire()
	if err != nil {
		return nil, err
	}
	defer plan.h.release()
	var done *GGUFPlan
	err = c.call(ctx, func(k *call) C.hf_status {
		var out *C.hf_gguf_plan
		status := C.hf_gguf_download_plan(k.client, native, k.ggufOptions(opts), &out, &k.cerr)
		done = takePlan(out)
		return status
	})
	if err != nil {
		return nil, err
	}
	return done, nil
}

// DownloadGGUF resolves model like ResolveGGUF and downloads its plan into the Hugging Face cache
// (files in parallel, aggregate progress); every LocalPath of the result is set.
func (c *Client) DownloadGGUF(ctx context.Context, model string, opts *GGUFOptions) (*GGUFPlan, error) {
	var plan *GGUFPlan
	err := c.call(ctx, func(k *call) C.hf_status {
		var out *C.hf_gguf_plan
		status := C.hf_gguf_download(k.client, k.str("model", model), k.ggufOptions(opts), &out, &k.cerr)
		plan = takePlan(out)
		return status
	})
	if err != nil {
		return nil, err
	}
	return plan, nil
}
