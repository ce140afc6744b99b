package hfhub_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	hfhub "github.com/libhf-hub/hf_hub/bindings/go"
)

const modelFolder = "models--test-org--test-model"

var refSeq atomic.Int64

// newRef returns a branch or tag name no other test (or earlier run against the same emulator)
// has used.
func newRef(prefix string) string {
	return fmt.Sprintf("%s-%d-%d", prefix, time.Now().UnixNano(), refSeq.Add(1))
}

// commitConfig commits config.json with content to branch of the demo repo (created off main if
// needed) through the emulator's control API, and returns the new commit. main is not touched.
func commitConfig(t *testing.T, branch, content string) string {
	t.Helper()
	return commitFile(t, branch, "config.json", []byte(content))
}

// commitFile commits the file path with data to branch of the demo repo (created off main if
// needed) through the emulator's control API, and returns the new commit. main is not touched.
func commitFile(t *testing.T, branch, path string, data []byte) string {
	t.Helper()
	out := control(t, http.MethodPost, "/_emulator/commit", map[string]any{
		"id":     model,
		"branch": branch,
		"files":  []map[string]any{{"path": path, "content_b64": base64.StdEncoding.EncodeToString(data)}},
	})
	var r struct{ Commit string }
	if err := json.Unmarshal(out, &r); err != nil || !commitRE.MatchString(r.Commit) {
		t.Fatalf("commit: %s (%v)", out, err)
	}
	return r.Commit
}

// download downloads files of the demo repo at rev and returns their snapshot paths, and the
// commit their snapshot is named after.
func download(t *testing.T, c *hfhub.Client, rev string, files ...string) (map[string]string, string) {
	t.Helper()
	paths := map[string]string{}
	var commit string
	for _, f := range files {
		p, err := c.Download(context.Background(), model, f, &hfhub.DownloadOptions{Revision: rev})
		if err != nil {
			t.Fatalf("download %s@%s: %v", f, rev, err)
		}
		cm := checkSnapshotPath(t, c, p, modelFolder, f)
		if commit != "" && cm != commit {
			t.Fatalf("%s@%s landed in snapshot %s, others in %s", f, rev, cm, commit)
		}
		commit, paths[f] = cm, p
	}
	return paths, commit
}

// blobSizes resolves every snapshot file of the repo folder and returns the size of each
// distinct blob, and for each snapshot the blobs its files use.
func blobSizes(t *testing.T, repoDir string) (sizes map[string]uint64, perSnapshot map[string][]string) {
	t.Helper()
	sizes, perSnapshot = map[string]uint64{}, map[string][]string{}
	snaps := filepath.Join(repoDir, "snapshots")
	err := filepath.WalkDir(snaps, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		blob, err := filepath.EvalSymlinks(p)
		if err != nil {
			return err
		}
		fi, err := os.Stat(blob)
		if err != nil {
			return err
		}
		sizes[blob] = uint64(fi.Size())
		rel, _ := filepath.Rel(snaps, p)
		commit := strings.SplitN(rel, string(filepath.Separator), 2)[0]
		perSnapshot[commit] = append(perSnapshot[commit], blob)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return sizes, perSnapshot
}

func sumSizes(sizes map[string]uint64, blobs []string) uint64 {
	seen := map[string]bool{}
	var n uint64
	for _, b := range blobs {
		if !seen[b] {
			seen[b] = true
			n += sizes[b]
		}
	}
	return n
}

func keys(m map[string]uint64) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// tree lists every path under dir (symlinks not followed), dir included.
func tree(t *testing.T, dir string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	err := filepath.WalkDir(dir, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		out[p] = true
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return out
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

func scan(t *testing.T, c *hfhub.Client) *hfhub.CacheInfo {
	t.Helper()
	info, err := c.CacheScan(context.Background())
	if err != nil {
		t.Fatalf("CacheScan: %v", err)
	}
	t.Cleanup(func() { info.Close() })
	return info
}

func revision(t *testing.T, info *hfhub.CacheInfo, commit string) hfhub.CachedRevision {
	t.Helper()
	for _, r := range info.Revisions {
		if r.Commit == commit {
			return r
		}
	}
	t.Fatalf("revision %s not in the scan: %+v", commit, info.Revisions)
	return hfhub.CachedRevision{}
}

func sortedRefs(refs []string) string {
	r := append([]string(nil), refs...)
	sort.Strings(r)
	return strings.Join(r, "|")
}

// execute runs plan and checks that it removed exactly its entries' paths (and what they hold)
// from the repo folder and nothing else.
func execute(t *testing.T, plan *hfhub.CachePlan, repoDir string) hfhub.ExecReport {
	t.Helper()
	before := tree(t, repoDir)
	rep, err := plan.Execute()
	if err != nil {
		t.Fatalf("Execute: %v", err)
	}
	if rep.Deleted != uint64(len(plan.Entries)) || rep.Skipped != 0 || !json.Valid([]byte(rep.JSON)) {
		t.Fatalf("Execute of %d entries: %+v", len(plan.Entries), rep)
	}
	after := tree(t, repoDir)
	removed := func(p string) bool {
		for _, e := range plan.Entries {
			if p == e.Path || strings.HasPrefix(p, e.Path+string(filepath.Separator)) {
				return true
			}
		}
		return false
	}
	for p := range before {
		if removed(p) == after[p] {
			t.Errorf("%s: planned for removal %v, still there %v", p, removed(p), after[p])
		}
	}
	for _, e := range plan.Entries {
		if exists(e.Path) {
			t.Errorf("%s entry %s still exists", e.Kind, e.Path)
		}
	}
	return rep
}

func entryPaths(plan *hfhub.CachePlan, kind hfhub.PlanKind) []string {
	var out []string
	for _, e := range plan.Entries {
		if e.Kind == kind {
			out = append(out, e.Path)
		}
	}
	sort.Strings(out)
	return out
}

func checkEntries(t *testing.T, plan *hfhub.CachePlan, kind hfhub.PlanKind, want ...string) {
	t.Helper()
	sort.Strings(want)
	if got := entryPaths(plan, kind); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s entries: %q, want %q", kind, got, want)
	}
}

// twoSnapshots downloads three files of the demo repo at main and at a tag on main, then at a new
// branch whose commit changes config.json: two revisions that share two blobs.
type twoSnapshots struct {
	c                  *hfhub.Client
	repoDir            string
	main, other        string // the commits
	tag, branch        string
	mainPaths, brPaths map[string]string
	branchConfig       string
}

var demoFiles = []string{"config.json", "README.md", lfsFile}

func newTwoSnapshots(t *testing.T) *twoSnapshots {
	c, _ := newClient(t, nil)
	s := &twoSnapshots{c: c, repoDir: filepath.Join(c.CacheDir(), modelFolder), tag: newRef("go-cache-tag"), branch: newRef("go-cache")}
	s.mainPaths, s.main = download(t, c, "", demoFiles...)
	control(t, http.MethodPost, "/_emulator/tag", map[string]any{"id": model, "name": s.tag, "rev": s.main})
	if _, cm := download(t, c, s.tag, "config.json"); cm != s.main {
		t.Fatalf("tag %s resolved to %s, want %s", s.tag, cm, s.main)
	}
	s.branchConfig = fmt.Sprintf("{\"branch\": %q}\n", s.branch)
	s.other = commitConfig(t, s.branch, s.branchConfig)
	s.brPaths, _ = download(t, c, s.branch, demoFiles...)
	if got := string(readFile(t, s.brPaths["config.json"])); got != s.branchConfig {
		t.Fatalf("branch config.json = %q", got)
	}
	return s
}

func TestCacheScan(t *testing.T) {
	s := newTwoSnapshots(t)
	sizes, perSnap := blobSizes(t, s.repoDir)
	if len(sizes) != 4 {
		t.Fatalf("%d distinct blobs, want 4 (2 config.json, README.md, %s): %v", len(sizes), lfsFile, sizes)
	}
	var total uint64
	for _, n := range sizes {
		total += n
	}
	blobDir, err := os.ReadDir(filepath.Join(s.repoDir, "blobs"))
	if err != nil || len(blobDir) != len(sizes) {
		t.Fatalf("blobs/ holds %d files, the snapshots use %d (%v)", len(blobDir), len(sizes), err)
	}

	info := scan(t, s.c)
	if info.SizeOnDisk != total {
		t.Errorf("SizeOnDisk = %d, want %d", info.SizeOnDisk, total)
	}
	if len(info.Repos) != 1 {
		t.Fatalf("%d repos: %+v", len(info.Repos), info.Repos)
	}
	r := info.Repos[0]
	if r.RepoType != hfhub.RepoModel || r.RepoID != model || r.Path != s.repoDir || r.SizeOnDisk != total ||
		r.NumFiles != 4 || r.RevisionCount != 2 {
		t.Errorf("repo %+v, want %s at %s, %d bytes, 4 files, 2 revisions", r, model, s.repoDir, total)
	}
	now := time.Now()
	for _, tm := range []time.Time{r.LastAccessed, r.LastModified} {
		if tm.IsZero() || tm.After(now.Add(time.Minute)) || tm.Before(now.Add(-10*time.Minute)) {
			t.Errorf("repo time %v is not about now (%v)", tm, now)
		}
	}
	if len(info.Revisions) != 2 || info.Revisions[0].Commit > info.Revisions[1].Commit {
		t.Fatalf("revisions %+v, want 2 sorted by commit", info.Revisions)
	}
	for _, tc := range []struct {
		commit, refs string
	}{
		{s.main, sortedRefs([]string{"main", s.tag})},
		{s.other, s.branch},
	} {
		rev := revision(t, info, tc.commit)
		want := sumSizes(sizes, perSnap[tc.commit])
		if rev.RepoIndex != 0 || rev.Path != filepath.Join(s.repoDir, "snapshots", tc.commit) ||
			sortedRefs(rev.Refs) != tc.refs || rev.SizeOnDisk != want || rev.NumFiles != uint64(len(demoFiles)) ||
			rev.LastAccessed.IsZero() || rev.LastModified.IsZero() {
			t.Errorf("revision %+v, want refs %q, %d bytes, %d files", rev, tc.refs, want, len(demoFiles))
		}
	}
	if len(info.Incomplete) != 0 || len(info.Warnings) != 0 {
		t.Errorf("incomplete %v, warnings %v", info.Incomplete, info.Warnings)
	}
	var js struct {
		SizeOnDisk uint64 `json:"size_on_disk"`
		Repos      []struct {
			RepoID    string `json:"repo_id"`
			Revisions []struct {
				Commit string `json:"commit_hash"`
			} `json:"revisions"`
		} `json:"repos"`
	}
	if err := json.Unmarshal([]byte(info.JSON), &js); err != nil || js.SizeOnDisk != total || len(js.Repos) != 1 ||
		js.Repos[0].RepoID != model || len(js.Repos[0].Revisions) != 2 {
		t.Errorf("JSON %s (%v)", info.JSON, err)
	}
}

// TestCacheScanFiles checks CacheInfo.Files against what was downloaded into each revision.
func TestCacheScanFiles(t *testing.T) {
	s := newTwoSnapshots(t)
	const nested = "subdir/data.txt" // a file below the snapshot folder: its Path is '/'-separated
	p, _ := download(t, s.c, s.branch, nested)
	s.brPaths[nested] = p[nested]
	info := scan(t, s.c)
	if len(info.Revisions) != 2 {
		t.Fatalf("revisions %+v", info.Revisions)
	}
	want := map[string]map[string]string{s.main: s.mainPaths, s.other: s.brPaths}
	seen := map[string]int{}
	for j, f := range info.Files {
		if f.RevisionIndex < 0 || f.RevisionIndex >= len(info.Revisions) {
			t.Fatalf("file %+v: RevisionIndex out of range", f)
		}
		if j > 0 {
			prev := info.Files[j-1]
			if f.RevisionIndex < prev.RevisionIndex || (f.RevisionIndex == prev.RevisionIndex && f.Path <= prev.Path) {
				t.Errorf("files not grouped by revision and sorted by path: %+v then %+v", prev, f)
			}
		}
		rev := info.Revisions[f.RevisionIndex]
		seen[rev.Commit]++
		downloaded, ok := want[rev.Commit][f.Path]
		if !ok {
			t.Errorf("revision %s: file %q was not downloaded there", rev.Commit, f.Path)
			continue
		}
		if f.FilePath != downloaded || f.FilePath != filepath.Join(rev.Path, filepath.FromSlash(f.Path)) {
			t.Errorf("%s@%s: FilePath %q, want %q", f.Path, rev.Commit, f.FilePath, downloaded)
		}
		blob := mustResolve(t, downloaded)
		fi, err := os.Stat(blob)
		if err != nil {
			t.Fatal(err)
		}
		if f.BlobPath != blob || f.SizeOnDisk != uint64(fi.Size()) {
			t.Errorf("%s@%s: blob %q of %d bytes, want %q of %d", f.Path, rev.Commit, f.BlobPath, f.SizeOnDisk, blob, fi.Size())
		}
		if f.Path == lfsFile && f.SizeOnDisk != lfsSize {
			t.Errorf("%s: %d bytes, want %d", lfsFile, f.SizeOnDisk, lfsSize)
		}
		if f.BlobLastAccessed.IsZero() || f.BlobLastModified.IsZero() {
			t.Errorf("%s@%s: zero blob times %+v", f.Path, rev.Commit, f)
		}
	}
	for commit, files := range want {
		if seen[commit] != len(files) || revision(t, info, commit).NumFiles != uint64(len(files)) {
			t.Errorf("revision %s: %d files in the scan (NumFiles %d), %d downloaded",
				commit, seen[commit], revision(t, info, commit).NumFiles, len(files))
		}
	}
}

func TestCacheScanErrors(t *testing.T) {
	c, _ := newClient(t, nil)
	if _, err := c.CacheScan(context.Background()); !errors.Is(err, hfhub.ErrIO) {
		t.Fatalf("scan of a cache that does not exist yet: %v, want ErrIO", err)
	}
	done, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.CacheScan(done)
	assertCancelled(t, err, context.Canceled)
}

func TestCachePlanDelete(t *testing.T) {
	s := newTwoSnapshots(t)
	sizes, perSnap := blobSizes(t, s.repoDir)
	info := scan(t, s.c)

	// Unknown commits are warnings, not errors; an empty list plans nothing.
	unknown, err := info.PlanDelete(strings.Repeat("0", 40), "not-a-commit")
	if err != nil {
		t.Fatal(err)
	}
	if len(unknown.Entries) != 0 || unknown.FreedBytes != 0 || len(unknown.Warnings) != 2 {
		t.Errorf("plan of unknown commits: %+v", unknown)
	}
	unknown.Close()
	if empty, err := info.PlanDelete(); err != nil || len(empty.Entries) != 0 || len(empty.Warnings) != 0 {
		t.Errorf("PlanDelete(): %+v %v", empty, err)
	}

	plan, err := info.PlanDelete(s.main)
	if err != nil {
		t.Fatal(err)
	}
	defer plan.Close()
	// Only main's config.json blob is used by no other revision.
	onlyMain, _ := filepath.EvalSymlinks(s.mainPaths["config.json"])
	if plan.FreedBytes != sizes[onlyMain] || plan.FreedBytes == 0 {
		t.Errorf("FreedBytes = %d, want %d (the blob only %s uses)", plan.FreedBytes, sizes[onlyMain], s.main)
	}
	checkEntries(t, plan, hfhub.PlanRepo)
	checkEntries(t, plan, hfhub.PlanSnapshot, filepath.Join(s.repoDir, "snapshots", s.main))
	checkEntries(t, plan, hfhub.PlanRef, filepath.Join(s.repoDir, "refs", "main"), filepath.Join(s.repoDir, "refs", s.tag))
	checkEntries(t, plan, hfhub.PlanBlob, onlyMain)
	if len(plan.Warnings) != 0 || !json.Valid([]byte(plan.JSON)) || !strings.Contains(plan.JSON, s.main) {
		t.Errorf("warnings %v, JSON %s", plan.Warnings, plan.JSON)
	}

	execute(t, plan, s.repoDir)

	// The kept revision still reads, all of it.
	for f, p := range s.brPaths {
		got := readFile(t, p)
		switch f {
		case "config.json":
			if string(got) != s.branchConfig {
				t.Errorf("%s = %q", f, got)
			}
		case lfsFile:
			sum := sha256.Sum256(got)
			if len(got) != lfsSize || filepath.Base(mustResolve(t, p)) != hex.EncodeToString(sum[:]) {
				t.Errorf("%s: %d bytes, sha256 %x", f, len(got), sum)
			}
		default:
			if want := hubGet(t, model, f); string(got) != string(want) {
				t.Errorf("%s = %q, want %q", f, got, want)
			}
		}
	}
	after := scan(t, s.c)
	if len(after.Revisions) != 1 || after.Revisions[0].Commit != s.other ||
		after.SizeOnDisk != sumSizes(sizes, perSnap[s.other]) || after.SizeOnDisk != info.SizeOnDisk-plan.FreedBytes {
		t.Errorf("after deleting %s: %d bytes, revisions %+v", s.main, after.SizeOnDisk, after.Revisions)
	}

	// Executing again deletes nothing more.
	if rep, err := plan.Execute(); err != nil || rep.Deleted != 0 || !strings.Contains(rep.JSON, "gone") {
		t.Errorf("second Execute: %+v %v", rep, err)
	}
}

func mustResolve(t *testing.T, p string) string {
	t.Helper()
	r, err := filepath.EvalSymlinks(p)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestCachePlanPrune(t *testing.T) {
	c, _ := newClient(t, nil)
	repoDir := filepath.Join(c.CacheDir(), modelFolder)
	branch := newRef("go-prune")
	commitConfig(t, branch, "{\"old\": true}\n")
	oldPaths, oldCommit := download(t, c, branch, "config.json", "README.md")
	commitConfig(t, branch, "{\"new\": true}\n")
	newPaths, newCommit := download(t, c, branch, "config.json", "README.md")
	if oldCommit == newCommit {
		t.Fatal("the second commit did not make a new snapshot")
	}
	// An interrupted download.
	incomplete := filepath.Join(repoDir, "blobs", strings.Repeat("ab", 32)+".incomplete")
	if err := os.WriteFile(incomplete, make([]byte, 123), 0o644); err != nil {
		t.Fatal(err)
	}

	info := scan(t, c)
	if len(info.Revisions) != 2 || len(revision(t, info, oldCommit).Refs) != 0 ||
		sortedRefs(revision(t, info, newCommit).Refs) != branch {
		t.Fatalf("revisions %+v: want %s detached and %s at %s", info.Revisions, oldCommit, newCommit, branch)
	}
	if len(info.Incomplete) != 1 || info.Incomplete[0].Path != incomplete || info.Incomplete[0].Size != 123 {
		t.Fatalf("incomplete %+v", info.Incomplete)
	}

	plan, err := info.PlanPrune()
	if err != nil {
		t.Fatal(err)
	}
	defer plan.Close()
	oldBlob := mustResolve(t, oldPaths["config.json"])
	fi, err := os.Stat(oldBlob)
	if err != nil {
		t.Fatal(err)
	}
	if want := uint64(fi.Size()) + 123; plan.FreedBytes != want {
		t.Errorf("FreedBytes = %d, want %d (old config.json blob + the incomplete file)", plan.FreedBytes, want)
	}
	checkEntries(t, plan, hfhub.PlanRepo)
	checkEntries(t, plan, hfhub.PlanSnapshot, filepath.Join(repoDir, "snapshots", oldCommit))
	checkEntries(t, plan, hfhub.PlanRef)
	checkEntries(t, plan, hfhub.PlanBlob, oldBlob)
	checkEntries(t, plan, hfhub.PlanIncomplete, incomplete)

	execute(t, plan, repoDir)
	for f, p := range newPaths {
		if got, want := string(readFile(t, p)), map[string]string{"config.json": "{\"new\": true}\n"}[f]; want != "" && got != want {
			t.Errorf("%s = %q, want %q", f, got, want)
		}
	}
	after := scan(t, c)
	if len(after.Revisions) != 1 || after.Revisions[0].Commit != newCommit || len(after.Incomplete) != 0 {
		t.Errorf("after prune: revisions %+v, incomplete %+v", after.Revisions, after.Incomplete)
	}
	if again, err := after.PlanPrune(); err != nil || len(again.Entries) != 0 || again.FreedBytes != 0 {
		t.Errorf("prune of a pruned cache: %+v %v", again, err)
	}
}

func TestCachePlanEvict(t *testing.T) {
	s := newTwoSnapshots(t)
	info := scan(t, s.c)
	if keep, err := info.PlanEvict(info.SizeOnDisk); err != nil || len(keep.Entries) != 0 || keep.FreedBytes != 0 {
		t.Errorf("PlanEvict(SizeOnDisk) plans %+v %v, want nothing", keep, err)
	}
	plan, err := info.PlanEvict(0)
	if err != nil {
		t.Fatal(err)
	}
	defer plan.Close()
	if len(plan.Entries) != 1 || plan.Entries[0].Kind != hfhub.PlanRepo || plan.Entries[0].Path != s.repoDir ||
		plan.FreedBytes != info.SizeOnDisk {
		t.Fatalf("PlanEvict(0) = %+v, want the whole repo %s (%d bytes)", plan, s.repoDir, info.SizeOnDisk)
	}
	execute(t, plan, s.repoDir)
	if exists(s.repoDir) {
		t.Fatal("repo folder still there")
	}
	after := scan(t, s.c)
	if len(after.Repos) != 0 || len(after.Revisions) != 0 || after.SizeOnDisk != 0 {
		t.Fatalf("after eviction: %+v", after)
	}
}

// TestCacheMaxBytes checks ClientOptions.CacheMaxBytes: a download that takes the cache over the
// quota evicts the least recently used revisions, never the one just downloaded.
func TestCacheMaxBytes(t *testing.T) {
	big := make([]byte, 1536<<10)
	if _, err := rand.Read(big); err != nil {
		t.Fatal(err)
	}
	quota := uint64(len(big)) + 64<<10
	c, opts := newClient(t, func(o *hfhub.ClientOptions) { o.CacheMaxBytes = quota })
	if opts.CacheMaxBytes != quota {
		t.Fatalf("options %+v", opts)
	}
	repoDir := filepath.Join(c.CacheDir(), modelFolder)

	// Under the quota nothing is evicted.
	oldPaths, oldCommit := download(t, c, "", "config.json", lfsFile)
	if before := scan(t, c); len(before.Revisions) != 1 || before.SizeOnDisk > quota {
		t.Fatalf("under the quota: %d bytes, revisions %+v", before.SizeOnDisk, before.Revisions)
	}

	branch := newRef("go-quota")
	newCommit := commitFile(t, branch, "big.bin", big)
	p, err := c.Download(context.Background(), model, "big.bin", &hfhub.DownloadOptions{Revision: branch})
	if err != nil {
		t.Fatal(err)
	}
	if cm := checkSnapshotPath(t, c, p, modelFolder, "big.bin"); cm != newCommit || cm == oldCommit {
		t.Fatalf("big.bin landed in snapshot %s, want %s", cm, newCommit)
	}
	if got := readFile(t, p); string(got) != string(big) {
		t.Fatalf("big.bin: %d bytes, not what was committed", len(got))
	}

	info := scan(t, c)
	if len(info.Revisions) != 1 || info.Revisions[0].Commit != newCommit {
		t.Fatalf("revisions %+v, want only %s", info.Revisions, newCommit)
	}
	if info.SizeOnDisk > quota || info.SizeOnDisk != uint64(len(big)) {
		t.Errorf("SizeOnDisk = %d, want %d (quota %d)", info.SizeOnDisk, len(big), quota)
	}
	if len(info.Files) != 1 || info.Files[0].Path != "big.bin" || info.Files[0].FilePath != p {
		t.Errorf("files %+v, want only big.bin", info.Files)
	}
	if exists(filepath.Join(repoDir, "snapshots", oldCommit)) {
		t.Errorf("the old snapshot %s is still there", oldCommit)
	}
	for f, old := range oldPaths {
		if exists(old) {
			t.Errorf("%s of the evicted revision still exists", f)
		}
	}
}

func TestCacheVerify(t *testing.T) {
	c, _ := newClient(t, nil)
	ctx := context.Background()
	paths, _ := download(t, c, "", "config.json", lfsFile)
	lfsBlob := mustResolve(t, paths[lfsFile])
	cfgBlob := mustResolve(t, paths["config.json"])
	info := scan(t, c)

	var reports []hfhub.Progress
	rep, err := c.CacheVerify(ctx, info, &hfhub.VerifyOptions{
		Progress: func(p hfhub.Progress) bool { reports = append(reports, p); return true },
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.FilesChecked != 2 || rep.BytesChecked != info.SizeOnDisk || len(rep.Mismatches) != 0 || !json.Valid([]byte(rep.JSON)) {
		t.Fatalf("verify of a sound cache: %+v", rep)
	}
	rep.Close()
	var sawLFS bool
	for _, p := range reports {
		if p.Filename == filepath.Base(lfsBlob) && p.BytesDone == lfsSize && p.BytesTotal == lfsSize {
			sawLFS = true
		}
	}
	if !sawLFS {
		t.Errorf("no progress report finishing blob %s: %+v", filepath.Base(lfsBlob), reports)
	}
	if other, err := c.CacheVerify(ctx, info, &hfhub.VerifyOptions{RepoID: "test-org/not-cached"}); err != nil || other.FilesChecked != 0 || other.Close() != nil {
		t.Errorf("verify of a repo not in the scan: %+v %v", other, err)
	}

	// Flip one byte of the LFS blob.
	data := readFile(t, lfsBlob)
	data[lfsSize/2] ^= 0xff
	if err := os.Chmod(lfsBlob, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(lfsBlob, data, 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err = c.CacheVerify(ctx, info, &hfhub.VerifyOptions{RepoID: model})
	if err != nil {
		t.Fatal(err)
	}
	defer rep.Close()
	bad := sha256.Sum256(data)
	if rep.FilesChecked != 2 || len(rep.Mismatches) != 1 {
		t.Fatalf("verify after corrupting %s: %+v", lfsBlob, rep)
	}
	if m := rep.Mismatches[0]; m.BlobPath != lfsBlob || m.Expected != filepath.Base(lfsBlob) ||
		m.Actual != hex.EncodeToString(bad[:]) || m.PointerCount != 1 {
		t.Fatalf("mismatch %+v, want %s with actual %x and 1 pointer", m, lfsBlob, bad)
	}

	plan, err := rep.PlanDelete()
	if err != nil {
		t.Fatal(err)
	}
	defer plan.Close()
	checkEntries(t, plan, hfhub.PlanRepo)
	checkEntries(t, plan, hfhub.PlanSnapshot)
	checkEntries(t, plan, hfhub.PlanPointer, paths[lfsFile])
	checkEntries(t, plan, hfhub.PlanBlob, lfsBlob)
	if plan.FreedBytes != lfsSize {
		t.Errorf("FreedBytes = %d, want %d", plan.FreedBytes, lfsSize)
	}
	execute(t, plan, filepath.Join(c.CacheDir(), modelFolder))
	if !exists(cfgBlob) || !exists(paths["config.json"]) {
		t.Fatal("the sound file went too")
	}
	if res, _, err := c.TryLoadFromCache(model, lfsFile, nil); err != nil || res == hfhub.CacheFound {
		t.Fatalf("the corrupted file is still found in the cache: %v %v", res, err)
	}
	// A new download fetches it again, sound.
	p, err := c.Download(ctx, model, lfsFile, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum := sha256.Sum256(readFile(t, p)); hex.EncodeToString(sum[:]) != filepath.Base(lfsBlob) {
		t.Fatalf("downloaded again: sha256 %x", sum)
	}
	again, err := c.CacheVerify(ctx, scan(t, c), nil)
	if err != nil || again.FilesChecked != 2 || len(again.Mismatches) != 0 {
		t.Fatalf("verify after the repair: %+v %v", again, err)
	}
}

// TestCacheVerifyCancel checks that CacheVerify hands its cancel token to the library and that
// progress can stop or panic like a download's.
func TestCacheVerifyCancel(t *testing.T) {
	c, _ := newClient(t, nil)
	download(t, c, "", lfsFile, "config.json")
	info := scan(t, c)

	t.Run("done before", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := c.CacheVerify(ctx, info, nil)
		assertCancelled(t, err, context.Canceled)
		dl, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
		defer cancel2()
		_, err = c.CacheVerify(dl, info, nil)
		assertCancelled(t, err, context.DeadlineExceeded)
	})
	t.Run("done when the library starts", func(t *testing.T) {
		ctx := newDoneAfterCheck()
		calls := 0
		_, err := c.CacheVerify(ctx, info, &hfhub.VerifyOptions{Progress: func(hfhub.Progress) bool { calls++; return true }})
		assertCancelled(t, err, context.Canceled)
		if ctx.calls.Load() < 2 {
			t.Fatalf("the context was checked %d times: the call never looked at it again", ctx.calls.Load())
		}
		if calls != 0 {
			t.Fatalf("progress called %d times with a cancelled token", calls)
		}
	})
	t.Run("cancelled while hashing", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var once sync.Once
		_, err := c.CacheVerify(ctx, info, &hfhub.VerifyOptions{Progress: func(hfhub.Progress) bool {
			once.Do(cancel) // the context alone must stop it: progress keeps saying go on
			return true
		}})
		assertCancelled(t, err, context.Canceled)
	})
	t.Run("progress returns false", func(t *testing.T) {
		_, err := c.CacheVerify(context.Background(), info, &hfhub.VerifyOptions{Progress: func(hfhub.Progress) bool { return false }})
		assertCancelled(t, err, nil)
		if errors.Is(err, context.Canceled) {
			t.Fatalf("progress cancellation must not claim context.Canceled: %v", err)
		}
	})
	t.Run("progress panics", func(t *testing.T) {
		defer func() {
			if r := recover(); r != "boom" {
				t.Fatalf("recovered %#v, want \"boom\"", r)
			}
		}()
		_, err := c.CacheVerify(context.Background(), info, &hfhub.VerifyOptions{Progress: func(hfhub.Progress) bool { panic("boom") }})
		t.Fatalf("CacheVerify returned (%v) instead of re-panicking", err)
	})
	// The scan is still usable.
	if rep, err := c.CacheVerify(context.Background(), info, nil); err != nil || rep.FilesChecked != 2 {
		t.Fatalf("verify after the cancellations: %+v %v", rep, err)
	}
}

func TestCacheInvalidArguments(t *testing.T) {
	c, _ := newClient(t, nil)
	_, commit := download(t, c, "", "config.json")
	info := scan(t, c)
	for name, run := range map[string]func() error{
		"PlanDelete commit": func() error { _, err := info.PlanDelete(commit, commit+"\x00"); return err },
		"CacheVerify RepoID": func() error {
			_, err := c.CacheVerify(context.Background(), info, &hfhub.VerifyOptions{RepoID: model + "\x00"})
			return err
		},
	} {
		err := run()
		if !errors.Is(err, hfhub.ErrInvalidArgument) || !strings.Contains(err.Error(), "NUL") {
			t.Errorf("%s: %v, want ErrInvalidArgument about a NUL byte", name, err)
		}
	}
	if _, err := c.CacheVerify(context.Background(), nil, nil); !errors.Is(err, hfhub.ErrInvalidArgument) {
		t.Errorf("CacheVerify(nil info): %v", err)
	}
	// Nothing was deleted, and the scan still plans.
	if plan, err := info.PlanDelete(commit); err != nil || len(plan.Entries) != 1 || plan.Entries[0].Kind != hfhub.PlanRepo {
		t.Fatalf("PlanDelete after the failures: %+v %v", plan, err)
	}
}

// TestCacheClose checks the handles' Close: idempotent, later calls fail cleanly, the Go copies
// stay valid, and Close racing calls on other goroutines is safe (run with -race).
func TestCacheClose(t *testing.T) {
	c, _ := newClient(t, nil)
	_, commit := download(t, c, "", "config.json")
	info, err := c.CacheScan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	plan, err := info.PlanDelete(commit)
	if err != nil {
		t.Fatal(err)
	}
	report, err := c.CacheVerify(context.Background(), info, nil)
	if err != nil {
		t.Fatal(err)
	}

	var wg sync.WaitGroup
	var planned, refused atomic.Int32
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 20; j++ {
				p, err := info.PlanPrune()
				switch {
				case err == nil:
					planned.Add(1)
					p.Close()
				case errors.Is(err, hfhub.ErrInvalidArgument):
					refused.Add(1)
				default:
					t.Errorf("PlanPrune racing Close: %v", err)
				}
			}
		}()
	}
	time.Sleep(time.Millisecond)
	for _, closer := range []interface{ Close() error }{info, info, plan, plan, report, report} {
		if err := closer.Close(); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	if planned.Load()+refused.Load() != 160 {
		t.Fatalf("%d planned + %d refused", planned.Load(), refused.Load())
	}
	if _, err := info.PlanPrune(); !errors.Is(err, hfhub.ErrInvalidArgument) || !strings.Contains(err.Error(), "closed") {
		t.Errorf("plan on a closed scan: %v", err)
	}
	if _, err := c.CacheVerify(context.Background(), info, nil); !errors.Is(err, hfhub.ErrInvalidArgument) {
		t.Errorf("verify of a closed scan: %v", err)
	}
	if _, err := plan.Execute(); !errors.Is(err, hfhub.ErrInvalidArgument) {
		t.Errorf("execute of a closed plan: %v", err)
	}
	if _, err := report.PlanDelete(); !errors.Is(err, hfhub.ErrInvalidArgument) {
		t.Errorf("plan of a closed report: %v", err)
	}
	if len(info.Revisions) != 1 || info.Revisions[0].Commit != commit || len(plan.Entries) != 1 || report.FilesChecked != 1 {
		t.Errorf("Go copies after Close: %+v / %+v / %+v", info.Revisions, plan.Entries, report)
	}
	if !exists(filepath.Join(c.CacheDir(), modelFolder)) {
		t.Fatal("closing an unexecuted plan deleted something")
	}

	// Plans go through the client that scanned: a closed client refuses them.
	info2 := scan(t, c)
	c.Close()
	if _, err := info2.PlanPrune(); !errors.Is(err, hfhub.ErrClientClosed) {
		t.Errorf("plan after the client was closed: %v", err)
	}
	if _, err := c.CacheScan(context.Background()); !errors.Is(err, hfhub.ErrClientClosed) {
		t.Errorf("scan on a closed client: %v", err)
	}
}

func ExampleClient_CacheScan() {
	c, err := hfhub.NewClient(nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	info, err := c.CacheScan(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer info.Close()
	plan, err := info.PlanPrune() // detached revisions and incomplete downloads
	if err != nil {
		fmt.Println(err)
		return
	}
	defer plan.Close()
	fmt.Printf("pruning frees %d bytes\n", plan.FreedBytes)
	if _, err := plan.Execute(); err != nil {
		fmt.Println(err)
	}
}
