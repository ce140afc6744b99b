package hfhub

/*
#include "hf_hub.h"
*/
import "C"

import (
	"context"
	"strconv"
	"strings"
)

// The read-only repository API (hf_repo_* in hf_hub.h): repo info, tree listings, paths info,
// refs, commits, and whether a repo or a file exists. Results are Go copies; no native handle
// outlives the call. Every call takes a context: when it is done the request is aborted and the
// error satisfies both errors.Is(err, ErrCancelled) and errors.Is(err, ctx.Err()).

// RepoOptions are the options of the repository calls, reading (RepoInfo, ListTree...) and
// administering (CreateRepo, CreateBranch...); each call reads the fields it documents. A nil
// pointer means a model repo at revision "main" (RepoInfo: the default branch).
type RepoOptions struct {
	RepoType   RepoType
	Revision   string     // reading calls: branch, tag, 40-hex commit or refs/pr/N; ignored by ListRefs and RepoExists
	Visibility Visibility // CreateRepo
	SpaceSDK   string     // CreateRepo of a Space: gradio, streamlit, docker or static
	ExistOK    bool       // CreateRepo, CreateBranch, CreateTag: an existing one is not an error
	MissingOK  bool       // DeleteRepo: a missing repository is not an error
}

// EntryType is what a RepoEntry is (the C hf_entry_type).
type EntryType int

// Entry types. hf_hub.h does not declare the hf_entry_type constants, so the values are written
// out here (HF_ENTRY_FILE = 0, HF_ENTRY_DIRECTORY = 1).
const (
	EntryFile      EntryType = 0
	EntryDirectory EntryType = 1
)

func (t EntryType) String() string {
	switch t {
	case EntryFile:
		return "file"
	case EntryDirectory:
		return "directory"
	}
	return "EntryType(" + strconv.Itoa(int(t)) + ")"
}

// RepoEntry is one file or folder of a listing, a paths-info answer or a repo's files
// (hf_repo_entry).
type RepoEntry struct {
	Type      EntryType
	Path      string // path in the repo, '/'-separated
	Size      uint64 // bytes (0 for folders; for RepoInfo.Siblings 0 when the Hub did not say)
	OID       string // git object id (blob SHA-1 of a file, tree id of a folder); "" when not sent
	LFSSHA256 string // SHA-256 of an LFS file (its blob's name in the cache); "" for regular files
	LFSSize   uint64 // size of an LFS file (0 otherwise)
	XetHash   string // Xet hash (64 hex) when the Hub sent a valid one, else ""
}

// IsLFS reports whether the entry is an LFS file.
func (e RepoEntry) IsLFS() bool { return e.LFSSHA256 != "" }

// RepoEntries is the result of ListTree and PathsInfo.
type RepoEntries struct {
	Entries []RepoEntry // in the server's order
	JSON    string      // the server's records, a JSON array
}

// Find returns the entry with this path, or nil.
func (l *RepoEntries) Find(path string) *RepoEntry {
	for i := range l.Entries {
		if l.Entries[i].Path == path {
			return &l.Entries[i]
		}
	}
	return nil
}

// RepoInfo is the Hub's information about a repo (hf_repo_info).
type RepoInfo struct {
	ID           string      // org/name
	SHA          string      // the 40-hex commit of the revision asked for; "" when the Hub sent none
	Private      bool        // a private repo
	Disabled     bool        // disabled by the Hub
	Gated        string      // "auto" or "manual" for a gated repo, "" otherwise
	LastModified string      // ISO 8601, "" when not sent
	Siblings     []RepoEntry // the repo's files (all EntryFile)
	JSON         string      // the server's whole answer (cardData, tags, downloads, ...)
}

// RefKind is the kind of a Ref (the C hf_ref_kind).
type RefKind int

// Ref kinds. hf_hub.h does not declare the hf_ref_kind constants, so the values are written out
// here (HF_REF_BRANCH = 0, HF_REF_TAG = 1, HF_REF_CONVERT = 2, HF_REF_PULL_REQUEST = 3).
const (
	RefBranch      RefKind = 0 // refs/heads/...
	RefTag         RefKind = 1 // refs/tags/...
	RefConvert     RefKind = 2 // refs/convert/...
	RefPullRequest RefKind = 3 // refs/pr/N
)

func (k RefKind) String() string {
	switch k {
	case RefBranch:
		return "branch"
	case RefTag:
		return "tag"
	case RefConvert:
		return "convert"
	case RefPullRequest:
		return "pull request"
	}
	return "RefKind(" + strconv.Itoa(int(k)) + ")"
}

// Ref is one ref of a repo (hf_repo_ref).
type Ref struct {
	Kind         RefKind
	Name         string // short name ("main", "v1.0"; pull requests as the Hub names them)
	FullRef      string // "refs/heads/main", "refs/pr/1"
	TargetCommit string // the 40-hex commit it points to
}

// CommitEntry is one commit of a history (hf_repo_commit).
type CommitEntry struct {
	ID      string   // 40-hex commit id
	Title   string   // first line of the message
	Message string   // the rest of the message
	Date    string   // ISO 8601
	Authors []string // user names
}

// RepoCommits is the result of ListCommits.
type RepoCommits struct {
	Commits []CommitEntry // newest first
	JSON    string        // the server's records, a JSON array
}

// RepoInfo asks the Hub about a repo at opts.Revision (default: the default branch): id, commit,
// private, gated, disabled, last modified and its files. Errors: ErrRepoNotFound,
// ErrRevisionNotFound, ErrGated, ErrUnauthorized, ErrNetwork, ...
func (c *Client) RepoInfo(ctx context.Context, repoID string, opts *RepoOptions) (*RepoInfo, error) {
	var info *RepoInfo
	err := c.call(ctx, func(k *call) C.hf_status {
		var out *C.hf_repo_info
		status := C.hf_repo_get_info(k.client, k.str("repoID", repoID), k.repoOptions(opts), &out, &k.cerr)
		if out != nil {
			info = goRepoInfo(out)
			C.hf_repo_info_free(out)
		}
		return status
	})
	if err != nil {
		return nil, err
	}
	return info, nil
}

func goRepoInfo(p *C.hf_repo_info) *RepoInfo {
	info := &RepoInfo{JSON: borrowed(C.hf_repo_info_json(p))}
	if s := C.hf_repo_info_summary(p); s != nil {
		info.ID = borrowed(s.id)
		info.SHA = borrowed(s.sha)
		info.Private = bool(s.is_private)
		info.Disabled = bool(s.disabled)
		info.Gated = borrowed(s.gated)
		info.LastModified = borrowed(s.last_modified)
	}
	n := int(C.hf_repo_info_sibling_count(p))
	info.Siblings = make([]RepoEntry, 0, n)
	for i := 0; i < n; i++ {
		e := C.hf_repo_info_sibling(p, C.size_t(i))
		if e == nil {
			break
		}
		info.Siblings = append(info.Siblings, goRepoEntry(e))
	}
	return info
}

func goRepoEntry(e *C.hf_repo_entry) RepoEntry {
	return RepoEntry{
		Type:      EntryType(e.kind),
		Path:      borrowed(e.path),
		Size:      uint64(e.size),
		OID:       borrowed(e.oid),
		LFSSHA256: borrowed(e.lfs_sha256),
		LFSSize:   uint64(e.lfs_size),
		XetHash:   borrowed(e.xet_hash),
	}
}

// ListTree lists the files and folders of repoID at opts.Revision under path ("" means the
// root), following every page; recursive lists the whole subtree. A folder that does not exist
// is ErrEntryNotFound; a listing with unsafe, duplicate or malformed entries is ErrMetadata.
func (c *Client) ListTree(ctx context.Context, repoID, path string, recursive bool, opts *RepoOptions) (*RepoEntries, error) {
	return c.entries(ctx, func(k *call, out **C.hf_repo_entries) C.hf_status {
		return C.hf_repo_list_tree(k.client, k.str("repoID", repoID), k.str("path", path), C.bool(recursive), k.repoOptions(opts), out, &k.cerr)
	})
}

// PathsInfo returns the entries of paths at opts.Revision; paths that do not exist are left out
// (no error).
func (c *Client) PathsInfo(ctx context.Context, repoID string, paths []string, opts *RepoOptions) (*RepoEntries, error) {
	return c.entries(ctx, func(k *call, out **C.hf_repo_entries) C.hf_status {
		return C.hf_repo_get_paths_info(k.client, k.str("repoID", repoID), k.strs("paths", paths), C.size_t(len(paths)), k.repoOptions(opts), out, &k.cerr)
	})
}

// entries runs body, a C call that makes an entry list, and copies the list out.
func (c *Client) entries(ctx context.Context, body func(k *call, out **C.hf_repo_entries) C.hf_status) (*RepoEntries, error) {
	var list *RepoEntries
	err := c.call(ctx, func(k *call) C.hf_status {
		var out *C.hf_repo_entries
		status := body(k, &out)
		if out != nil {
			n := int(C.hf_repo_entries_count(out))
			list = &RepoEntries{Entries: make([]RepoEntry, 0, n), JSON: borrowed(C.hf_repo_entries_json(out))}
			for i := 0; i < n; i++ {
				e := C.hf_repo_entries_get(out, C.size_t(i))
				if e == nil {
					break
				}
				list.Entries = append(list.Entries, goRepoEntry(e))
			}
			C.hf_repo_entries_free(out)
		}
		return status
	})
	if err != nil {
		return nil, err
	}
	return list, nil
}

// ListRefs lists the branches, tags and conversion refs of a repo, then its pull requests when
// includePullRequests. opts.Revision is ignored.
func (c *Client) ListRefs(ctx context.Context, repoID string, includePullRequests bool, opts *RepoOptions) ([]Ref, error) {
	var refs []Ref
	err := c.call(ctx, func(k *call) C.hf_status {
		var out *C.hf_repo_refs
		status := C.hf_repo_list_refs(k.client, k.str("repoID", repoID), C.bool(includePullRequests), k.repoOptions(opts), &out, &k.cerr)
		if out != nil {
			n := int(C.hf_repo_refs_count(out))
			refs = make([]Ref, 0, n)
			for i := 0; i < n; i++ {
				r := C.hf_repo_refs_get(out, C.size_t(i))
				if r == nil {
					break
				}
				refs = append(refs, Ref{
					Kind:         RefKind(r.kind),
					Name:         borrowed(r.name),
					FullRef:      borrowed(r.full_ref),
					TargetCommit: borrowed(r.target_commit),
				})
			}
			C.hf_repo_refs_free(out)
		}
		return status
	})
	if err != nil {
		return nil, err
	}
	return refs, nil
}

// ListCommits lists the history of opts.Revision (default "main"), newest first, every page.
func (c *Client) ListCommits(ctx context.Context, repoID string, opts *RepoOptions) (*RepoCommits, error) {
	var list *RepoCommits
	err := c.call(ctx, func(k *call) C.hf_status {
		var out *C.hf_repo_commits
		status := C.hf_repo_list_commits(k.client, k.str("repoID", repoID), k.repoOptions(opts), &out, &k.cerr)
		if out != nil {
			n := int(C.hf_repo_commits_count(out))
			list = &RepoCommits{Commits: make([]CommitEntry, 0, n), JSON: borrowed(C.hf_repo_commits_json(out))}
			for i := 0; i < n; i++ {
				r := C.hf_repo_commits_get(out, C.size_t(i))
				if r == nil {
					break
				}
				var authors []string
				if s := borrowed(r.authors); s != "" {
					authors = strings.Split(s, ",")
				}
				list.Commits = append(list.Commits, CommitEntry{
					ID:      borrowed(r.id),
					Title:   borrowed(r.title),
					Message: borrowed(r.message),
					Date:    borrowed(r.date),
					Authors: authors,
				})
			}
			C.hf_repo_commits_free(out)
		}
		return status
	})
	if err != nil {
		return nil, err
	}
	return list, nil
}

// RepoExists reports whether the repo exists and the client's token can see it (a gated repo
// exists). opts.Revision is ignored. An error means the answer could not be known
// (ErrUnauthorized, ErrNetwork, ...), never that the repo does not exist.
func (c *Client) RepoExists(ctx context.Context, repoID string, opts *RepoOptions) (bool, error) {
	var exists C.bool
	err := c.call(ctx, func(k *call) C.hf_status {
		return C.hf_repo_exists(k.client, k.str("repoID", repoID), k.repoOptions(opts), &exists, &k.cerr)
	})
	return err == nil && bool(exists), err
}

// FileExists reports whether filename exists in the repo at opts.Revision (one HEAD request;
// nothing is downloaded or cached). Errors: ErrRepoNotFound, ErrRevisionNotFound, ErrGated,
// ErrNetwork, ...
func (c *Client) FileExists(ctx context.Context, repoID, filename string, opts *RepoOptions) (bool, error) {
	var exists C.bool
	err := c.call(ctx, func(k *call) C.hf_status {
		return C.hf_repo_file_exists(k.client, k.str("repoID", repoID), k.str("filename", filename), k.repoOptions(opts), &exists, &k.cerr)
	})
	return err == nil && bool(exists), err
}
