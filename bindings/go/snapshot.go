package hfhub

/*
#include "hf_hub.h"
*/
import "C"

import "context"

// SnapshotOptions are the options of SnapshotDownload. A nil pointer means defaults: every file
// of a model repo at revision "main", into the cache, 8 files at a time, SHA-256 verification on.
type SnapshotOptions struct {
	RepoType RepoType
	Revision string // branch, tag, 40-hex commit or refs/pr/N; "" means "main"

	// AllowPatterns keeps only the files matching one of these patterns (Python fnmatch on the
	// repo path: "*" also matches "/"; a pattern ending in "/" selects a folder). Empty: every
	// file. IgnorePatterns drops the files matching one of its patterns (it wins over
	// AllowPatterns).
	AllowPatterns  []string
	IgnorePatterns []string

	// LocalDir writes real files into this folder (created if needed) instead of the shared
	// cache, with the Python client's bookkeeping in <LocalDir>/.cache/huggingface/; only files
	// that changed on the Hub or were modified locally are fetched again. "" means the cache.
	LocalDir string

	MaxWorkers     int  // files fetched at once; 0 means the default (8)
	ForceDownload  bool // download every selected file again even when present
	LocalFilesOnly bool // never use the network: answer from the cache when complete
	SkipVerify     bool // do not check LFS files against their SHA-256

	// Progress, if set, is called on the calling goroutine with the snapshot's totals
	// (FilesDone/FilesTotal, TotalBytesDone/TotalBytesTotal) and the file that changed last, at
	// most about ten times a second. Return false to cancel: SnapshotDownload then fails with
	// ErrCancelled. A panic in Progress cancels the snapshot and is re-raised by SnapshotDownload
	// once the library has returned. Progress must not call Close.
	Progress func(Progress) bool
}

// SnapshotFile is one file of a snapshot (hf_snapshot_file).
type SnapshotFile struct {
	Path      string // path in the repo, '/'-separated
	LocalPath string // on disk: the snapshot symlink in the cache, or the real file in LocalDir
	Size      uint64 // bytes
}

// Snapshot is the result of SnapshotDownload.
type Snapshot struct {
	Path   string         // <cache>/<type>s--<org>--<name>/snapshots/<commit>, or LocalDir (its real path)
	Commit string         // the 40-hex commit the revision resolved to
	Files  []SnapshotFile // the selected files, sorted by repo path
}

// SnapshotDownload downloads every file of one commit of repoID selected by the patterns, into
// the Hugging Face cache (laid out as the official Python client lays it out) or into
// opts.LocalDir. The revision is resolved to a commit once, the file list comes from the cache or
// the Hub, and the selected files are fetched MaxWorkers at a time; a file already present costs
// no request. Offline (HF_HUB_OFFLINE, LocalFilesOnly) or when the Hub cannot be reached, the
// cached snapshot is returned only when the cached file list says every selected file is present;
// otherwise the error is ErrIncompleteSnapshot (its message names the missing files) or
// ErrOffline. opts may be nil.
//
// When ctx is done the snapshot stops promptly and publishes no partial file; the error then
// satisfies both errors.Is(err, ErrCancelled) and errors.Is(err, ctx.Err()).
func (c *Client) SnapshotDownload(ctx context.Context, repoID string, opts *SnapshotOptions) (*Snapshot, error) {
	var snap *Snapshot
	err := c.call(ctx, func(k *call) C.hf_status {
		co := k.snapshotOptions(opts)
		if opts != nil {
			k.setSnapshotProgress(co, opts.Progress)
		}
		var out *C.hf_snapshot
		status := C.hf_snapshot_download(k.client, k.str("repoID", repoID), co, &out, &k.cerr)
		if out != nil { // here, so that it is freed even when call re-raises a progress panic
			snap = goSnapshot(out)
			C.hf_snapshot_free(out)
		}
		return status
	})
	if err != nil {
		return nil, err
	}
	return snap, nil
}

func goSnapshot(p *C.hf_snapshot) *Snapshot {
	n := int(C.hf_snapshot_file_count(p))
	s := &Snapshot{
		Path:   borrowed(C.hf_snapshot_path(p)),
		Commit: borrowed(C.hf_snapshot_commit(p)),
		Files:  make([]SnapshotFile, 0, n),
	}
	for i := 0; i < n; i++ {
		f := C.hf_snapshot_file_get(p, C.size_t(i))
		if f == nil {
			break
		}
		s.Files = append(s.Files, SnapshotFile{
			Path:      borrowed(f.path),
			LocalPath: borrowed(f.local_path),
			Size:      uint64(f.size),
		})
	}
	return s
}
