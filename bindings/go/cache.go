package hfhub

/*
#include "hf_hub.h"
*/
import "C"

import (
	"context"
	"math"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Cache management: scan the hub cache, plan deletions (by revision, prune, LRU eviction),
// execute plans, and verify blobs against their names (hf_cache_* in hf_hub.h). A scan, a plan
// and a verify report each hold a native handle: Close them when done (a finalizer frees
// forgotten ones). Their exported fields are Go copies that stay valid after Close.
//
// Plans are made and executed through the Client that made the scan, so they fail with an error
// wrapping ErrClientClosed once that client is closed.

// PlanKind is what a plan entry removes (hf_cache_plan_kind).
type PlanKind int

// Plan entry kinds, in execution order.
const (
	PlanRepo       PlanKind = C.HF_CACHE_PLAN_REPO       // a whole repo folder
	PlanSnapshot   PlanKind = C.HF_CACHE_PLAN_SNAPSHOT   // a snapshot folder (one revision)
	PlanRef        PlanKind = C.HF_CACHE_PLAN_REF        // a refs/<name> file
	PlanPointer    PlanKind = C.HF_CACHE_PLAN_POINTER    // a snapshot pointer (verify: the pointer of a bad blob)
	PlanBlob       PlanKind = C.HF_CACHE_PLAN_BLOB       // a blob
	PlanIncomplete PlanKind = C.HF_CACHE_PLAN_INCOMPLETE // an incomplete download
)

func (k PlanKind) String() string {
	switch k {
	case PlanRepo:
		return "repo"
	case PlanSnapshot:
		return "snapshot"
	case PlanRef:
		return "ref"
	case PlanPointer:
		return "pointer"
	case PlanBlob:
		return "blob"
	case PlanIncomplete:
		return "incomplete"
	}
	return "PlanKind(" + strconv.Itoa(int(k)) + ")"
}

// CachedRepo is one cached repository (hf_cached_repo).
type CachedRepo struct {
	RepoType      RepoType
	RepoID        string    // org/name
	Path          string    // the repo folder, <cache>/<type>s--org--name
	SizeOnDisk    uint64    // bytes of its distinct blobs (each blob counted once)
	NumFiles      uint64    // number of distinct blobs (nb_files)
	LastAccessed  time.Time // newest access time of its blobs
	LastModified  time.Time // newest modification time of its blobs
	RevisionCount int       // number of its revisions in CacheInfo.Revisions
}

// CachedRevision is one cached revision, a snapshot folder (hf_cached_revision).
type CachedRevision struct {
	RepoIndex    int       // index of its repo in CacheInfo.Repos
	Commit       string    // the 40-hex commit (the snapshot folder's name)
	Path         string    // the snapshot folder
	Refs         []string  // names of the refs pointing at it (e.g. "main", "v1.0"); empty when detached
	SizeOnDisk   uint64    // bytes of the distinct blobs its files use
	NumFiles     uint64    // number of files in the snapshot (nb_files)
	LastModified time.Time // newest modification time of its blobs
	LastAccessed time.Time // newest access time of its blobs: the eviction order
}

// CachedFile is one file of a cached revision: a snapshot pointer and the blob it resolves to
// (hf_cached_file).
type CachedFile struct {
	RevisionIndex    int       // index of its revision in CacheInfo.Revisions
	Path             string    // path inside the repo, '/'-separated, relative to the snapshot folder
	FilePath         string    // the pointer in the snapshot folder
	BlobPath         string    // the blob it resolves to
	SizeOnDisk       uint64    // bytes of the blob
	BlobLastAccessed time.Time // last access of the blob
	BlobLastModified time.Time // last modification of the blob
}

// IncompleteFile is an incomplete download found by a scan (a blobs/<etag>.incomplete file).
type IncompleteFile struct {
	Path string
	Size uint64
}

// CacheInfo is a scan of the hub cache (hf_cache_info): Go copies of everything the scan found,
// and the native scan, which plans are made from. Close it when done.
type CacheInfo struct {
	SizeOnDisk uint64           // bytes on disk of all scanned repos
	Repos      []CachedRepo     // sorted by type, then id
	Revisions  []CachedRevision // grouped by repo (RepoIndex), sorted by commit
	Files      []CachedFile     // the files of all revisions, grouped by revision (RevisionIndex), sorted by path
	Incomplete []IncompleteFile
	Warnings   []string // corrupted entries left out of the scan, each naming the path and problem
	JSON       string   // the whole scan as JSON (repos with revisions and files, ...)

	client *Client
	h      nativeHandle[*C.hf_cache_info]
}

// PlanEntry is one path a plan removes.
type PlanEntry struct {
	Kind PlanKind
	Path string
}

// CachePlan is a deletion, prune or eviction plan (hf_cache_plan): nothing is deleted until
// Execute. Close it when done.
type CachePlan struct {
	Entries    []PlanEntry // in execution order
	FreedBytes uint64      // bytes the plan frees when executed whole
	Warnings   []string    // e.g. revisions asked for that the cache does not hold
	JSON       string      // the plan as JSON (entries with kind and path, freed bytes, warnings)

	client *Client
	h      nativeHandle[*C.hf_cache_plan]
}

// ExecReport is the outcome of CachePlan.Execute.
type ExecReport struct {
	Deleted uint64 // paths removed
	Skipped uint64 // paths left alone because a download holds them
	JSON    string // the full report as JSON (deleted, skipped, warnings: paths already gone or not removable)
}

// VerifyOptions are the options of CacheVerify. A nil pointer means every scanned repo, no
// progress.
type VerifyOptions struct {
	RepoID string // verify only this repo (org/name); "" means every scanned repo

	// Progress, if set, is called on the calling goroutine with the bytes hashed of each blob
	// (Filename is the blob's name). Return false to cancel: CacheVerify then fails with
	// ErrCancelled. A panic in Progress cancels the verification and is re-raised by CacheVerify
	// once the library has returned. Progress must not call Close.
	Progress func(Progress) bool
}

// Mismatch is a blob whose content does not match its name (hf_cache_mismatch).
type Mismatch struct {
	BlobPath     string
	Expected     string // the digest its name promises (SHA-256 for LFS blobs, git blob SHA-1 otherwise)
	Actual       string // the digest of its content
	PointerCount int    // how many snapshot pointers resolve to it
}

// VerifyReport is the result of CacheVerify (hf_cache_verify_report). Close it when done.
type VerifyReport struct {
	FilesChecked uint64 // blobs hashed
	BytesChecked uint64 // bytes hashed
	Mismatches   []Mismatch
	JSON         string // the report as JSON (counts, mismatches with their pointers, unchecked files)

	client *Client
	h      nativeHandle[*C.hf_cache_verify_report]
}

// CacheScan scans the client's hub cache with the rules of the official client's
// scan_cache_dir: repos, revisions, sizes (each blob counted once), times, refs and incomplete
// downloads. A corrupted entry becomes a warning, never an error. The scan is local and cannot be
// interrupted: ctx is only checked before it starts. Errors: ErrIO (the cache folder is missing
// or unreadable), ErrInvalidArgument.
func (c *Client) CacheScan(ctx context.Context) (*CacheInfo, error) {
	var info *CacheInfo
	err := c.call(ctx, func(k *call) C.hf_status {
		var out *C.hf_cache_info
		status := C.hf_cache_scan(k.client, &out, &k.cerr)
		if out != nil {
			info = newCacheInfo(c, out)
		}
		return status
	})
	if err != nil {
		return nil, err
	}
	return info, nil
}

func newCacheInfo(c *Client, p *C.hf_cache_info) *CacheInfo {
	i := &CacheInfo{
		SizeOnDisk: uint64(C.hf_cache_info_size_on_disk(p)),
		JSON:       borrowed(C.hf_cache_info_json(p)),
		client:     c,
	}
	n := int(C.hf_cache_info_repo_count(p))
	i.Repos = make([]CachedRepo, 0, n)
	for j := 0; j < n; j++ {
		r := C.hf_cache_info_repo(p, C.size_t(j))
		if r == nil {
			break
		}
		i.Repos = append(i.Repos, CachedRepo{
			RepoType:      RepoType(r.repo_type),
			RepoID:        borrowed(r.repo_id),
			Path:          borrowed(r.path),
			SizeOnDisk:    uint64(r.size_on_disk),
			NumFiles:      uint64(r.nb_files),
			LastAccessed:  epochTime(r.last_accessed),
			LastModified:  epochTime(r.last_modified),
			RevisionCount: int(r.revision_count),
		})
	}
	n = int(C.hf_cache_info_revision_count(p))
	i.Revisions = make([]CachedRevision, 0, n)
	for j := 0; j < n; j++ {
		r := C.hf_cache_info_revision(p, C.size_t(j))
		if r == nil {
			break
		}
		var refs []string
		if s := borrowed(r.refs); s != "" {
			refs = strings.Split(s, ",")
		}
		i.Revisions = append(i.Revisions, CachedRevision{
			RepoIndex:    int(r.repo_index),
			Commit:       borrowed(r.commit),
			Path:         borrowed(r.path),
			Refs:         refs,
			SizeOnDisk:   uint64(r.size_on_disk),
			NumFiles:     uint64(r.nb_files),
			LastModified: epochTime(r.last_modified),
			LastAccessed: epochTime(r.last_accessed),
		})
	}
	n = int(C.hf_cache_info_file_count(p))
	i.Files = make([]CachedFile, 0, n)
	for j := 0; j < n; j++ {
		f := C.hf_cache_info_file(p, C.size_t(j))
		if f == nil {
			break
		}
		i.Files = append(i.Files, CachedFile{
			RevisionIndex:    int(f.revision_index),
			Path:             borrowed(f.path),
			FilePath:         borrowed(f.file_path),
			BlobPath:         borrowed(f.blob_path),
			SizeOnDisk:       uint64(f.size_on_disk),
			BlobLastAccessed: epochTime(f.blob_last_accessed),
			BlobLastModified: epochTime(f.blob_last_modified),
		})
	}
	n = int(C.hf_cache_info_incomplete_count(p))
	i.Incomplete = make([]IncompleteFile, 0, n)
	for j := 0; j < n; j++ {
		f := C.hf_cache_info_incomplete(p, C.size_t(j))
		if f == nil {
			break
		}
		i.Incomplete = append(i.Incomplete, IncompleteFile{Path: borrowed(f.path), Size: uint64(f.size)})
	}
	n = int(C.hf_cache_info_warning_count(p))
	i.Warnings = make([]string, 0, n)
	for j := 0; j < n; j++ {
		i.Warnings = append(i.Warnings, borrowed(C.hf_cache_info_warning(p, C.size_t(j))))
	}
	i.h.init("cache info", p, func(p *C.hf_cache_info) { C.hf_cache_info_free(p) })
	runtime.SetFinalizer(i, func(i *CacheInfo) { _ = i.Close() })
	return i
}

// Close frees the native scan. It is idempotent and never blocks: a plan or verification still
// using the scan keeps it alive until it returns. Plans made after Close fail with
// ErrInvalidArgument; the exported fields stay valid.
func (i *CacheInfo) Close() error {
	if i.h.close() {
		runtime.SetFinalizer(i, nil)
	}
	return nil
}

// PlanDelete plans the deletion of revisions (40-hex commits) with the rules of the official
// client's delete_revisions: a repo whose every revision is listed goes whole; otherwise each
// listed revision's snapshot folder and refs go, and each blob no remaining revision of its repo
// uses. Commits the scan does not hold become plan warnings. Nothing is deleted yet.
func (i *CacheInfo) PlanDelete(commits ...string) (*CachePlan, error) {
	return i.plan(func(k *call, info *C.hf_cache_info, out **C.hf_cache_plan) C.hf_status {
		return C.hf_cache_plan_delete(info, k.strs("commits", commits), C.size_t(len(commits)), out, &k.cerr)
	})
}

// PlanPrune plans what `hf cache prune` removes: every detached revision (no ref points to it)
// and every incomplete download. Nothing is deleted yet.
func (i *CacheInfo) PlanPrune() (*CachePlan, error) {
	return i.plan(func(k *call, info *C.hf_cache_info, out **C.hf_cache_plan) C.hf_status {
		return C.hf_cache_plan_prune(info, out, &k.cerr)
	})
}

// PlanEvict plans an eviction down to at most maxBytes on disk: the least recently used
// revisions first, each removed with the rules of PlanDelete. Nothing is deleted yet.
func (i *CacheInfo) PlanEvict(maxBytes uint64) (*CachePlan, error) {
	return i.plan(func(k *call, info *C.hf_cache_info, out **C.hf_cache_plan) C.hf_status {
		return C.hf_cache_plan_evict(info, C.uint64_t(maxBytes), out, &k.cerr)
	})
}

// plan runs one planning call on the native scan, held for the duration of the call.
func (i *CacheInfo) plan(body func(k *call, info *C.hf_cache_info, out **C.hf_cache_plan) C.hf_status) (*CachePlan, error) {
	info, err := i.h.acquire()
	if err != nil {
		return nil, err
	}
	defer i.h.release()
	return planCall(i.client, func(k *call, out **C.hf_cache_plan) C.hf_status { return body(k, info, out) })
}

// planCall runs body, a C call that makes a plan, through c.call and wraps the plan.
func planCall(c *Client, body func(k *call, out **C.hf_cache_plan) C.hf_status) (*CachePlan, error) {
	var plan *CachePlan
	err := c.call(context.Background(), func(k *call) C.hf_status {
		var out *C.hf_cache_plan
		status := body(k, &out)
		if out != nil {
			plan = newCachePlan(c, out)
		}
		return status
	})
	if err != nil {
		return nil, err
	}
	return plan, nil
}

func newCachePlan(c *Client, p *C.hf_cache_plan) *CachePlan {
	pl := &CachePlan{
		FreedBytes: uint64(C.hf_cache_plan_freed_bytes(p)),
		JSON:       borrowed(C.hf_cache_plan_json(p)),
		client:     c,
	}
	n := int(C.hf_cache_plan_entry_count(p))
	pl.Entries = make([]PlanEntry, 0, n)
	for j := 0; j < n; j++ {
		e := C.hf_cache_plan_entry_get(p, C.size_t(j))
		if e == nil {
			break
		}
		pl.Entries = append(pl.Entries, PlanEntry{Kind: PlanKind(e.kind), Path: borrowed(e.path)})
	}
	n = int(C.hf_cache_plan_warning_count(p))
	pl.Warnings = make([]string, 0, n)
	for j := 0; j < n; j++ {
		pl.Warnings = append(pl.Warnings, borrowed(C.hf_cache_plan_warning(p, C.size_t(j))))
	}
	pl.h.init("cache plan", p, func(p *C.hf_cache_plan) { C.hf_cache_plan_free(p) })
	runtime.SetFinalizer(pl, func(pl *CachePlan) { _ = pl.Close() })
	return pl
}

// Execute removes the plan's paths in order. Each removal first takes, without waiting, the lock
// a download of that blob would hold: what a download holds is skipped, never deleted under it.
// A path already gone or that cannot be removed is a warning (in the report's JSON); execution
// never stops half-way, so executing a plan again only warns about what is already gone.
func (p *CachePlan) Execute() (ExecReport, error) {
	plan, err := p.h.acquire()
	if err != nil {
		return ExecReport{}, err
	}
	defer p.h.release()
	var (
		rep              ExecReport
		deleted, skipped C.uint64_t
	)
	err = p.client.call(context.Background(), func(k *call) C.hf_status {
		var js *C.char
		status := C.hf_cache_plan_execute(plan, &deleted, &skipped, &js, &k.cerr)
		rep.JSON = takeString(js)
		return status
	})
	if err != nil {
		return ExecReport{}, err
	}
	rep.Deleted, rep.Skipped = uint64(deleted), uint64(skipped)
	return rep, nil
}

// Close frees the native plan. It is idempotent and never blocks (an Execute still running keeps
// the plan alive); Execute after Close fails with ErrInvalidArgument.
func (p *CachePlan) Close() error {
	if p.h.close() {
		runtime.SetFinalizer(p, nil)
	}
	return nil
}

// CacheVerify re-hashes the blobs of info (of one repo with opts.RepoID) against their names:
// SHA-256 for LFS blobs, git blob SHA-1 for regular files. Files not named after a digest (copies
// made where symlinks are disabled) are listed as unchecked in the report's JSON. opts may be nil.
//
// When ctx is done the verification stops promptly; the error then satisfies both
// errors.Is(err, ErrCancelled) and errors.Is(err, ctx.Err()).
func (c *Client) CacheVerify(ctx context.Context, info *CacheInfo, opts *VerifyOptions) (*VerifyReport, error) {
	if info == nil {
		return nil, &Error{Status: StatusInvalidArgument, Message: "CacheVerify: info is nil"}
	}
	ci, err := info.h.acquire()
	if err != nil {
		return nil, err
	}
	defer info.h.release()
	var report *VerifyReport
	err = c.call(ctx, func(k *call) C.hf_status {
		co := k.verifyOptions(opts)
		if opts != nil {
			k.setVerifyProgress(co, opts.Progress)
		}
		var out *C.hf_cache_verify_report
		status := C.hf_cache_verify(k.client, ci, co, &out, &k.cerr)
		if out != nil { // here, so that it is wrapped even when call re-raises a progress panic
			report = newVerifyReport(c, out)
		}
		return status
	})
	if err != nil {
		return nil, err
	}
	return report, nil
}

func newVerifyReport(c *Client, p *C.hf_cache_verify_report) *VerifyReport {
	r := &VerifyReport{
		FilesChecked: uint64(C.hf_cache_verify_report_files_checked(p)),
		BytesChecked: uint64(C.hf_cache_verify_report_bytes_checked(p)),
		JSON:         borrowed(C.hf_cache_verify_report_json(p)),
		client:       c,
	}
	n := int(C.hf_cache_verify_report_mismatch_count(p))
	r.Mismatches = make([]Mismatch, 0, n)
	for j := 0; j < n; j++ {
		m := C.hf_cache_verify_report_mismatch(p, C.size_t(j))
		if m == nil {
			break
		}
		r.Mismatches = append(r.Mismatches, Mismatch{
			BlobPath:     borrowed(m.blob_path),
			Expected:     borrowed(m.expected),
			Actual:       borrowed(m.actual),
			PointerCount: int(m.pointer_count),
		})
	}
	r.h.init("verify report", p, func(p *C.hf_cache_verify_report) { C.hf_cache_verify_report_free(p) })
	runtime.SetFinalizer(r, func(r *VerifyReport) { _ = r.Close() })
	return r
}

// PlanDelete plans the removal of every mismatched blob and of the snapshot pointers to it (a
// later download fetches the file again). Nothing is deleted yet.
func (r *VerifyReport) PlanDelete() (*CachePlan, error) {
	report, err := r.h.acquire()
	if err != nil {
		return nil, err
	}
	defer r.h.release()
	return planCall(r.client, func(k *call, out **C.hf_cache_plan) C.hf_status {
		return C.hf_cache_verify_report_plan_delete(report, out, &k.cerr)
	})
}

// Close frees the native report. It is idempotent and never blocks; PlanDelete after Close fails
// with ErrInvalidArgument.
func (r *VerifyReport) Close() error {
	if r.h.close() {
		runtime.SetFinalizer(r, nil)
	}
	return nil
}

// nativeHandle owns a native handle (scan, plan or report) the way Client owns hf_client: calls
// hold it with acquire/release, and close frees it once no call holds it.
// P is the C pointer type (incomplete C types cannot be type arguments themselves).
type nativeHandle[P comparable] struct {
	mu     sync.Mutex
	ptr    P // the zero value once freed
	free   func(P)
	what   string
	active int
	closed bool
}

func (h *nativeHandle[P]) init(what string, ptr P, free func(P)) {
	h.what, h.ptr, h.free = what, ptr, free
}

// acquire returns the native handle for one call; release must follow.
func (h *nativeHandle[P]) acquire() (P, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	var none P
	if h.closed || h.ptr == none {
		return none, &Error{Status: StatusInvalidArgument, Message: h.what + " is closed"}
	}
	h.active++
	return h.ptr, nil
}

func (h *nativeHandle[P]) release() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.active--
	var none P
	if h.closed && h.active == 0 && h.ptr != none {
		h.free(h.ptr)
		h.ptr = none
	}
}

// close marks the handle closed and frees it unless a call holds it (the last release then
// does). It reports whether this was the first close.
func (h *nativeHandle[P]) close() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.closed = true
	var none P
	if h.active == 0 && h.ptr != none {
		h.free(h.ptr)
		h.ptr = none
	}
	return true
}

// epochTime converts seconds since the epoch; 0 (unknown) is the zero Time.
func epochTime(s C.double) time.Time {
	if s == 0 {
		return time.Time{}
	}
	sec, frac := math.Modf(float64(s))
	return time.Unix(int64(sec), int64(frac*1e9))
}
