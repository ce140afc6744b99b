package hfhub

/*
#include <stdint.h>
#include "hf_hub.h"

void hfhub_set_progress(hf_download_options *options, uintptr_t handle);
*/
import "C"

import (
	"context"
	"runtime/cgo"
	"strconv"
)

// RepoType is the kind of repository (hf_repo_type).
type RepoType int

// Repository types. The zero value is a model repository.
const (
	RepoModel   RepoType = 0
	RepoDataset RepoType = 1
	RepoSpace   RepoType = 2
)

func (t RepoType) String() string {
	switch t {
	case RepoModel:
		return "model"
	case RepoDataset:
		return "dataset"
	case RepoSpace:
		return "space"
	}
	return "RepoType(" + strconv.Itoa(int(t)) + ")"
}

// Progress is one progress report of a download.
type Progress struct {
	Filename   string // the repo filename being transferred
	BytesDone  uint64 // bytes written so far
	BytesTotal uint64 // total bytes expected
}

// DownloadOptions are the options of Download, Metadata and TryLoadFromCache. A nil pointer means
// defaults: a model repo at revision "main", SHA-256 verification on.
type DownloadOptions struct {
	RepoType       RepoType
	Revision       string // branch, tag, 40-hex commit or refs/pr/N; "" means "main"
	Subfolder      string // folder inside the repo, prefixed to the filename
	ForceDownload  bool   // download again even when cached
	LocalFilesOnly bool   // never use the network: answer from the cache or fail with ErrOffline
	SkipVerify     bool   // do not check LFS files against their SHA-256

	// Progress, if set, is called on the calling goroutine, at most about ten times a second plus
	// at the start and end of the file. Return false to cancel: the call then fails with
	// ErrCancelled. A panic in Progress cancels the download and is re-raised by Download once the
	// library has returned (with the original panic value). Progress must not call Close.
	Progress func(Progress) bool
}

// FileMetadata describes a remote file (one HEAD request).
type FileMetadata struct {
	Commit   string // the 40-hex commit the revision resolved to
	ETag     string // normalized ETag: git blob sha1, or sha256 for LFS files
	Size     uint64 // size in bytes
	Location string // URL the bytes are downloaded from (a CDN URL for LFS files)
	IsLFS    bool
}

// CacheResult is the answer of TryLoadFromCache (hf_cache_result).
type CacheResult int

const (
	CacheUnknown      CacheResult = 0 // the cache cannot tell
	CacheFound        CacheResult = 1 // the file is cached; its path is returned
	CacheKnownMissing CacheResult = 2 // the cache recorded that the file does not exist (.no_exist)
)

func (r CacheResult) String() string {
	switch r {
	case CacheUnknown:
		return "unknown"
	case CacheFound:
		return "found"
	case CacheKnownMissing:
		return "known missing"
	}
	return "CacheResult(" + strconv.Itoa(int(r)) + ")"
}

// build fills co from o (nil: defaults); strings are allocated in a.
func (o *DownloadOptions) build(a *cArena, co *C.hf_download_options) {
	C.hf_download_options_init(co)
	if o == nil {
		return
	}
	co.repo_type = C.int32_t(o.RepoType)
	co.revision = a.str("Revision", o.Revision)
	co.subfolder = a.str("Subfolder", o.Subfolder)
	co.force_download = C.bool(o.ForceDownload)
	co.local_files_only = C.bool(o.LocalFilesOnly)
	co.verify = C.bool(!o.SkipVerify)
}

// fileArgs holds the C arguments every per-file call takes: the options struct and the repo id
// and filename as C strings (all released by free).
type fileArgs struct {
	a    cArena
	co   C.hf_download_options
	repo *C.char
	file *C.char
}

func newFileArgs(repoID, filename string, opts *DownloadOptions) (*fileArgs, error) {
	fa := &fileArgs{}
	opts.build(&fa.a, &fa.co)
	fa.repo = fa.a.str("repoID", repoID)
	fa.file = fa.a.str("filename", filename)
	if err := fa.a.check(); err != nil {
		fa.a.free()
		return nil, err
	}
	return fa, nil
}

func (fa *fileArgs) free() { fa.a.free() }

// progressState is what the cgo.Handle in user_data points at.
type progressState struct {
	fn       func(Progress) bool
	stopped  bool // fn asked to stop or panicked: do not call it again
	panicked bool
	panicVal any
}

// Download downloads one file into the Hugging Face cache (or finds it there) and returns its
// path, <cache>/<type>s--<org>--<name>/snapshots/<commit>/<filename>, laid out exactly as the
// official Python client does.
//
// When ctx is done the download stops promptly; the error then satisfies both
// errors.Is(err, ErrCancelled) and errors.Is(err, ctx.Err()).
func (c *Client) Download(ctx context.Context, repoID, filename string, opts *DownloadOptions) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", contextError(err)
	}
	ptr, err := c.acquire()
	if err != nil {
		return "", err
	}
	defer c.release()

	fa, err := newFileArgs(repoID, filename, opts)
	if err != nil {
		return "", err
	}
	defer fa.free()
	var st *progressState
	if opts != nil && opts.Progress != nil {
		st = &progressState{fn: opts.Progress}
		h := cgo.NewHandle(st)
		defer h.Delete()
		C.hfhub_set_progress(&fa.co, C.uintptr_t(h))
	}

	var (
		out    *C.char
		cerr   *C.hf_error
		status C.hf_status
	)
	withCancel(ctx, func(tok *C.hf_cancel_token) {
		fa.co.cancel = tok
		status = C.hf_file_download(ptr, fa.repo, fa.file, &fa.co, &out, &cerr)
	})
	if st != nil && st.panicked {
		C.hf_string_free(out)
		C.hf_error_free(cerr)
		panic(st.panicVal)
	}
	if err := takeError(status, cerr); err != nil {
		return "", cancelledBy(err, ctx.Err())
	}
	return takeString(out), nil
}

// Metadata asks the Hub for a file's metadata (one HEAD request; nothing is written to disk).
// opts supplies RepoType, Revision and Subfolder; Progress is not used.
func (c *Client) Metadata(ctx context.Context, repoID, filename string, opts *DownloadOptions) (*FileMetadata, error) {
	if err := ctx.Err(); err != nil {
		return nil, contextError(err)
	}
	ptr, err := c.acquire()
	if err != nil {
		return nil, err
	}
	defer c.release()

	fa, err := newFileArgs(repoID, filename, opts)
	if err != nil {
		return nil, err
	}
	defer fa.free()
	var (
		md     *C.hf_file_metadata
		cerr   *C.hf_error
		status C.hf_status
	)
	withCancel(ctx, func(tok *C.hf_cancel_token) {
		fa.co.cancel = tok
		status = C.hf_file_get_metadata(ptr, fa.repo, fa.file, &fa.co, &md, &cerr)
	})
	if err := takeError(status, cerr); err != nil {
		return nil, cancelledBy(err, ctx.Err())
	}
	defer C.hf_file_metadata_free(md)
	return &FileMetadata{
		Commit:   borrowed(C.hf_file_metadata_commit(md)),
		ETag:     borrowed(C.hf_file_metadata_etag(md)),
		Size:     uint64(C.hf_file_metadata_size(md)),
		Location: borrowed(C.hf_file_metadata_location(md)),
		IsLFS:    bool(C.hf_file_metadata_is_lfs(md)),
	}, nil
}

// TryLoadFromCache looks a file up in the cache without any network access (Python's
// try_to_load_from_cache). The path is set only when the result is CacheFound.
func (c *Client) TryLoadFromCache(repoID, filename string, opts *DownloadOptions) (CacheResult, string, error) {
	ptr, err := c.acquire()
	if err != nil {
		return CacheUnknown, "", err
	}
	defer c.release()

	fa, err := newFileArgs(repoID, filename, opts)
	if err != nil {
		return CacheUnknown, "", err
	}
	defer fa.free()
	var (
		res  C.int32_t
		out  *C.char
		cerr *C.hf_error
	)
	if err := takeError(C.hf_cache_try_load(ptr, fa.repo, fa.file, &fa.co, &res, &out, &cerr), cerr); err != nil {
		return CacheUnknown, "", err
	}
	return CacheResult(res), takeString(out), nil
}
