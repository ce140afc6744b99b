package hfhub

/*
#include "hf_hub.h"
*/
import "C"

import (
	"context"
	"strconv"
)

// RepoType is the kind of repository (hf_repo_type).
type RepoType int

// Repository types. The zero value is a model repository.
const (
	RepoModel   RepoType = C.HF_REPO_TYPE_MODEL
	RepoDataset RepoType = C.HF_REPO_TYPE_DATASET
	RepoSpace   RepoType = C.HF_REPO_TYPE_SPACE
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

// ProgressPhase tells what a progress report counts (hf_progress_phase).
type ProgressPhase int

const (
	PhaseDownload ProgressPhase = C.HF_PROGRESS_DOWNLOAD // bytes received and written
	PhaseHash     ProgressPhase = C.HF_PROGRESS_HASH     // bytes read and hashed (before an upload)
	PhaseUpload   ProgressPhase = C.HF_PROGRESS_UPLOAD   // bytes sent
)

// Progress is one progress report of a download, a snapshot, an upload or a cache verification.
type Progress struct {
	Filename   string // the repo filename being transferred (a snapshot: the file that changed last)
	BytesDone  uint64 // bytes of this file written so far
	BytesTotal uint64 // total bytes of this file

	// The whole call: one file for Download, every selected file for SnapshotDownload. Zero when
	// the native library is older than these fields.
	FilesDone       uint64 // files finished so far (downloaded or found in the cache)
	FilesTotal      uint64 // files the call processes
	TotalBytesDone  uint64 // bytes of all the call's files done so far
	TotalBytesTotal uint64 // bytes of all the call's files

	Phase ProgressPhase // what BytesDone counts
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

	// LocalDir (Download only) writes the file as a real file under this folder (created if
	// needed) instead of the shared cache, with the Python client's bookkeeping in
	// <LocalDir>/.cache/huggingface/; it is fetched again only when it changed on the Hub or was
	// modified locally. "" means the cache.
	LocalDir string

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
	CacheUnknown      CacheResult = C.HF_CACHE_UNKNOWN       // the cache cannot tell
	CacheFound        CacheResult = C.HF_CACHE_FOUND         // the file is cached; its path is returned
	CacheKnownMissing CacheResult = C.HF_CACHE_KNOWN_MISSING // the cache recorded that the file does not exist (.no_exist)
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

// Download downloads one file into the Hugging Face cache (or finds it there) and returns its
// path, <cache>/<type>s--<org>--<name>/snapshots/<commit>/<filename>, laid out exactly as the
// official Python client does.
//
// When ctx is done the download stops promptly; the error then satisfies both
// errors.Is(err, ErrCancelled) and errors.Is(err, ctx.Err()).
func (c *Client) Download(ctx context.Context, repoID, filename string, opts *DownloadOptions) (string, error) {
	var path string
	err := c.call(ctx, func(k *call) C.hf_status {
		co := k.downloadOptions(opts)
		if opts != nil {
			k.setProgress(co, opts.Progress)
		}
		var out *C.char
		status := C.hf_file_download(k.client, k.str("repoID", repoID), k.str("filename", filename), co, &out, &k.cerr)
		path = takeString(out) // here, so that it is freed even when call re-raises a progress panic
		return status
	})
	return path, err
}

// Metadata asks the Hub for a file's metadata (one HEAD request; nothing is written to disk).
// opts supplies RepoType, Revision and Subfolder; Progress is not used. ctx cancels it as it
// cancels Download.
func (c *Client) Metadata(ctx context.Context, repoID, filename string, opts *DownloadOptions) (*FileMetadata, error) {
	var md *C.hf_file_metadata
	if err := c.call(ctx, func(k *call) C.hf_status {
		return C.hf_file_get_metadata(k.client, k.str("repoID", repoID), k.str("filename", filename), k.downloadOptions(opts), &md, &k.cerr)
	}); err != nil {
		return nil, err
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
	var (
		res  C.int32_t
		path string
	)
	err := c.call(context.Background(), func(k *call) C.hf_status {
		var out *C.char
		status := C.hf_cache_try_load(k.client, k.str("repoID", repoID), k.str("filename", filename), k.downloadOptions(opts), &res, &out, &k.cerr)
		path = takeString(out)
		return status
	})
	if err != nil {
		return CacheUnknown, "", err
	}
	return CacheResult(res), path, nil
}
