package hfhub

/*
#include <stdint.h>
#include <stdlib.h>
#include "hf_hub.h"

void hfhub_set_commit_progress(hf_commit_options *options, uintptr_t handle);
*/
import "C"

import (
	"context"
	"unsafe"
)

// Visibility of a repository (hf_visibility).
type Visibility int

const (
	VisibilityDefault   Visibility = C.HF_VISIBILITY_DEFAULT   // creating: the Hub's default (public)
	VisibilityPublic    Visibility = C.HF_VISIBILITY_PUBLIC    // everyone can read it
	VisibilityPrivate   Visibility = C.HF_VISIBILITY_PRIVATE   // the owner and granted users only
	VisibilityProtected Visibility = C.HF_VISIBILITY_PROTECTED // Spaces only: code hidden, app public
)

// CreateRepo creates a repository and returns its URL. repoID is "name" (the token owner's
// namespace) or "org/name". Uses RepoType, Visibility, SpaceSDK and ExistOK.
func (c *Client) CreateRepo(ctx context.Context, repoID string, opts *RepoOptions) (string, error) {
	var url string
	err := c.call(ctx, func(k *call) C.hf_status {
		var out *C.char
		st := C.hf_repo_create(k.client, k.str("repoID", repoID), k.repoOptions(opts), &out, &k.cerr)
		url = takeString(out)
		return st
	})
	return url, err
}

// DeleteRepo deletes a repository. Uses RepoType and MissingOK.
func (c *Client) DeleteRepo(ctx context.Context, repoID string, opts *RepoOptions) error {
	return c.call(ctx, func(k *call) C.hf_status {
		return C.hf_repo_delete(k.client, k.str("repoID", repoID), k.repoOptions(opts), &k.cerr)
	})
}

// MoveRepo renames or transfers a repository; both ids are "namespace/name". Uses RepoType.
func (c *Client) MoveRepo(ctx context.Context, fromRepoID, toRepoID string, opts *RepoOptions) error {
	return c.call(ctx, func(k *call) C.hf_status {
		return C.hf_repo_move(k.client, k.str("fromRepoID", fromRepoID), k.str("toRepoID", toRepoID), k.repoOptions(opts), &k.cerr)
	})
}

// UpdateRepoVisibility makes a repository public or private. Uses RepoType.
func (c *Client) UpdateRepoVisibility(ctx context.Context, repoID string, v Visibility, opts *RepoOptions) error {
	return c.call(ctx, func(k *call) C.hf_status {
		return C.hf_repo_update_visibility(k.client, k.str("repoID", repoID), C.int32_t(v), k.repoOptions(opts), &k.cerr)
	})
}

// CreateBranch creates branch at revision ("": the head of main). Uses RepoType and ExistOK.
func (c *Client) CreateBranch(ctx context.Context, repoID, branch, revision string, opts *RepoOptions) error {
	return c.call(ctx, func(k *call) C.hf_status {
		return C.hf_branch_create(k.client, k.str("repoID", repoID), k.str("branch", branch), k.str("revision", revision), k.repoOptions(opts), &k.cerr)
	})
}

// DeleteBranch deletes a branch. Uses RepoType.
func (c *Client) DeleteBranch(ctx context.Context, repoID, branch string, opts *RepoOptions) error {
	return c.call(ctx, func(k *call) C.hf_status {
		return C.hf_branch_delete(k.client, k.str("repoID", repoID), k.str("branch", branch), k.repoOptions(opts), &k.cerr)
	})
}

// CreateTag tags revision ("": main) as tag, with an optional message. Uses RepoType and ExistOK.
func (c *Client) CreateTag(ctx context.Context, repoID, tag, revision, message string, opts *RepoOptions) error {
	return c.call(ctx, func(k *call) C.hf_status {
		return C.hf_tag_create(k.client, k.str("repoID", repoID), k.str("tag", tag), k.str("revision", revision), k.str("message", message), k.repoOptions(opts), &k.cerr)
	})
}

// DeleteTag deletes a tag. Uses RepoType.
func (c *Client) DeleteTag(ctx context.Context, repoID, tag string, opts *RepoOptions) error {
	return c.call(ctx, func(k *call) C.hf_status {
		return C.hf_tag_delete(k.client, k.str("repoID", repoID), k.str("tag", tag), k.repoOptions(opts), &k.cerr)
	})
}

type commitOpKind int

const (
	opAddFile commitOpKind = iota
	opAddBytes
	opDeleteFile
	opDeleteFolder
	opCopy
)

type commitOp struct {
	kind     commitOpKind
	path     string // destination
	arg      string // local path or copy source
	data     []byte
	revision string
}

// Commit is a commit being built: an ordered list of operations, pushed with Client.Push. The
// zero value is an empty commit; methods return the commit for chaining.
type Commit struct {
	ops []commitOp
}

// AddFile adds (or replaces) pathInRepo with the local file localPath, read (streamed) at push time.
func (c *Commit) AddFile(pathInRepo, localPath string) *Commit {
	c.ops = append(c.ops, commitOp{kind: opAddFile, path: pathInRepo, arg: localPath})
	return c
}

// AddBytes adds (or replaces) pathInRepo with data (copied at push time).
func (c *Commit) AddBytes(pathInRepo string, data []byte) *Commit {
	c.ops = append(c.ops, commitOp{kind: opAddBytes, path: pathInRepo, data: data})
	return c
}

// DeleteFile deletes the file pathInRepo.
func (c *Commit) DeleteFile(pathInRepo string) *Commit {
	c.ops = append(c.ops, commitOp{kind: opDeleteFile, path: pathInRepo})
	return c
}

// DeleteFolder deletes the folder pathInRepo and everything in it.
func (c *Commit) DeleteFolder(pathInRepo string) *Commit {
	c.ops = append(c.ops, commitOp{kind: opDeleteFolder, path: pathInRepo})
	return c
}

// Copy copies the file src (at srcRevision, "": the revision pushed to) of the same repository
// to dest. LFS files are copied on the server without moving their bytes.
func (c *Commit) Copy(src, dest, srcRevision string) *Commit {
	c.ops = append(c.ops, commitOp{kind: opCopy, path: dest, arg: src, revision: srcRevision})
	return c
}

// Len is the number of operations.
func (c *Commit) Len() int { return len(c.ops) }

// CommitOptions are the options of Push, UploadFile and UploadFolder. A nil pointer means
// defaults: a model repository's main branch.
type CommitOptions struct {
	RepoType     RepoType
	Revision     string // branch or refs/pr/N; "" means "main"
	Description  string // commit description
	ParentCommit string // 5-40 hex: the push fails with ErrStaleParent unless the branch is still there
	CreatePR     bool   // open a pull request instead of committing to Revision

	// Progress, if set, is called on the calling goroutine: LFS files while hashed (PhaseHash)
	// and while sent (PhaseUpload), with whole-call totals. Return false to cancel: the call then
	// fails with ErrCancelled and the repository is unchanged. A panic in Progress cancels the
	// upload and is re-raised once the library has returned. Progress must not call Close.
	Progress func(Progress) bool
}

func (k *call) commitOptions(o *CommitOptions) *C.hf_commit_options {
	co := new(C.hf_commit_options)
	C.hf_commit_options_init_sized(co, C.uint32_t(unsafe.Sizeof(*co)))
	co.cancel = k.cancelToken()
	if o != nil {
		co.repo_type = C.int32_t(o.RepoType)
		co.revision = k.str("Revision", o.Revision)
		co.description = k.str("Description", o.Description)
		co.parent_commit = k.str("ParentCommit", o.ParentCommit)
		co.create_pr = C.bool(o.CreatePR)
		if h, ok := k.progressHandle(o.Progress); ok {
			C.hfhub_set_commit_progress(co, h)
		}
	}
	return co
}

// FolderOptions say what UploadFolder uploads and deletes. Patterns follow Python's fnmatch:
// `*` also matches `/`, case-sensitive, and "dir/" matches everything under dir.
type FolderOptions struct {
	PathInRepo             string   // destination folder; "" is the repository root
	AllowPatterns          []string // only matching files are uploaded; empty: all
	IgnorePatterns         []string // matching files are not uploaded (.git/ and .cache/huggingface/ never are)
	DeletePatterns         []string // remote files under PathInRepo matching these are deleted
	MaxOperationsPerCommit int      // split into several commits past this many operations; 0: 25000
}

// CommitInfo is the result of a push or an upload.
type CommitInfo struct {
	OID        string // the new commit, or the current head when nothing changed
	URL        string
	PRURL      string // set when a pull request was opened
	PRRevision string // refs/pr/N
	PRNum      uint64 // 0 when none
	Committed  bool   // false when every operation was a no-op
	Commits    int    // how many commits were made (several for a split folder upload)
}

func takeCommitInfo(i *C.hf_commit_info) *CommitInfo {
	defer C.hf_commit_info_free(i)
	return &CommitInfo{
		OID:        borrowed(C.hf_commit_info_oid(i)),
		URL:        borrowed(C.hf_commit_info_url(i)),
		PRURL:      borrowed(C.hf_commit_info_pr_url(i)),
		PRRevision: borrowed(C.hf_commit_info_pr_revision(i)),
		PRNum:      uint64(C.hf_commit_info_pr_num(i)),
		Committed:  bool(C.hf_commit_info_committed(i)),
		Commits:    int(C.hf_commit_info_commits(i)),
	}
}

// build makes the C builder of c; the caller frees it.
func (k *call) build(c *Commit) (*C.hf_commit, C.hf_status) {
	var b *C.hf_commit
	if st := C.hf_commit_new(&b, &k.cerr); st != C.HF_OK {
		return nil, st
	}
	for _, op := range c.ops {
		path := k.str("pathInRepo", op.path)
		var st C.hf_status
		switch op.kind {
		case opAddFile:
			st = C.hf_commit_add_file(b, path, k.str("localPath", op.arg), &k.cerr)
		case opAddBytes:
			var p *C.uint8_t
			if len(op.data) > 0 {
				p = (*C.uint8_t)(unsafe.Pointer(&op.data[0]))
			}
			st = C.hf_commit_add_bytes(b, path, p, C.size_t(len(op.data)), &k.cerr)
		case opDeleteFile:
			st = C.hf_commit_delete_file(b, path, &k.cerr)
		case opDeleteFolder:
			st = C.hf_commit_delete_folder(b, path, &k.cerr)
		case opCopy:
			st = C.hf_commit_copy(b, k.str("src", op.arg), k.str("srcRevision", op.revision), path, &k.cerr)
		}
		if st != C.HF_OK {
			C.hf_commit_free(b)
			return nil, st
		}
	}
	return b, C.HF_OK
}

// Push pushes the operations of commit to repoID as one commit titled summary (required). LFS
// files are hashed once and streamed, in parallel parts when the Hub asks for a multipart
// transfer; bytes the Hub already has are not sent again. The commit is the last request: a
// failed or cancelled push (ctx done, Progress returning false) leaves the repository unchanged.
// A parent that is no longer the branch head fails with ErrStaleParent.
func (c *Client) Push(ctx context.Context, repoID string, commit *Commit, summary string, opts *CommitOptions) (*CommitInfo, error) {
	if commit == nil {
		commit = &Commit{}
	}
	var info *C.hf_commit_info
	if err := c.call(ctx, func(k *call) C.hf_status {
		b, st := k.build(commit)
		if st != C.HF_OK {
			return st
		}
		defer C.hf_commit_free(b)
		return C.hf_commit_push(k.client, k.str("repoID", repoID), b, k.str("summary", summary), k.commitOptions(opts), &info, &k.cerr)
	}); err != nil {
		return nil, err
	}
	return takeCommitInfo(info), nil
}

// UploadFile uploads the local file localPath to pathInRepo in one commit (summary "":
// "Upload <pathInRepo> with huggingface_hub"). Otherwise as Push.
func (c *Client) UploadFile(ctx context.Context, repoID, localPath, pathInRepo, summary string, opts *CommitOptions) (*CommitInfo, error) {
	var info *C.hf_commit_info
	if err := c.call(ctx, func(k *call) C.hf_status {
		return C.hf_upload_file(k.client, k.str("repoID", repoID), k.str("localPath", localPath), k.str("pathInRepo", pathInRepo),
			k.str("summary", summary), k.commitOptions(opts), &info, &k.cerr)
	}); err != nil {
		return nil, err
	}
	return takeCommitInfo(info), nil
}

// UploadFolder uploads the files of the local folder (recursively; .git/ and .cache/huggingface/
// never) under fo.PathInRepo, deleting remote files that match fo.DeletePatterns. Past
// fo.MaxOperationsPerCommit the upload is split into several commits, and a rerun after an
// interruption sends and commits only what the Hub lacks. summary "": "Upload folder using
// huggingface_hub". The result describes the last commit. Otherwise as Push.
func (c *Client) UploadFolder(ctx context.Context, repoID, folder, summary string, fo *FolderOptions, opts *CommitOptions) (*CommitInfo, error) {
	var info *C.hf_commit_info
	if err := c.call(ctx, func(k *call) C.hf_status {
		cfo := new(C.hf_folder_options)
		C.hf_folder_options_init_sized(cfo, C.uint32_t(unsafe.Sizeof(*cfo)))
		prefix := ""
		if fo != nil {
			prefix = fo.PathInRepo
			cfo.allow_patterns = k.strs("AllowPatterns", fo.AllowPatterns)
			cfo.allow_patterns_len = C.size_t(len(fo.AllowPatterns))
			cfo.ignore_patterns = k.strs("IgnorePatterns", fo.IgnorePatterns)
			cfo.ignore_patterns_len = C.size_t(len(fo.IgnorePatterns))
			cfo.delete_patterns = k.strs("DeletePatterns", fo.DeletePatterns)
			cfo.delete_patterns_len = C.size_t(len(fo.DeletePatterns))
			if fo.MaxOperationsPerCommit > 0 {
				cfo.max_operations_per_commit = C.size_t(fo.MaxOperationsPerCommit)
			}
		}
		return C.hf_upload_folder(k.client, k.str("repoID", repoID), k.str("folder", folder), k.str("PathInRepo", prefix),
			k.str("summary", summary), k.commitOptions(opts), cfo, &info, &k.cerr)
	}); err != nil {
		return nil, err
	}
	return takeCommitInfo(info), nil
}
