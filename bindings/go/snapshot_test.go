package hfhub_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	hfhub "github.com/libhf-hub/hf_hub/bindings/go"
)

// The demo model's files on main, sorted (the emulator's --demo seed; no test commits to main).
var demoRepoFiles = []string{"README.md", "config.json", "model.safetensors", "subdir/data.txt"}

// newRepo creates a public model repo no other test uses, with files committed to main, and
// returns its id and the commit.
func newRepo(t *testing.T, files map[string]string) (string, string) {
	t.Helper()
	id := "test-org/" + newRef("go-repo")
	control(t, http.MethodPost, "/_emulator/repos", map[string]any{"id": id})
	return id, commitTo(t, id, "main", "Add files", files)
}

// commitTo commits files to branch of repo id (created if needed) and returns the new commit.
func commitTo(t *testing.T, id, branch, message string, files map[string]string) string {
	t.Helper()
	var list []map[string]any
	for p, content := range files {
		list = append(list, map[string]any{"path": p, "content": content})
	}
	out := control(t, http.MethodPost, "/_emulator/commit", map[string]any{"id": id, "branch": branch, "message": message, "files": list})
	var r struct{ Commit string }
	if err := json.Unmarshal(out, &r); err != nil || !commitRE.MatchString(r.Commit) {
		t.Fatalf("commit: %s (%v)", out, err)
	}
	return r.Commit
}

// resolve asks the emulator which commit rev of a model repo points to.
func resolve(t *testing.T, id, rev string) string {
	t.Helper()
	var r struct{ Commit string }
	if err := json.Unmarshal(control(t, http.MethodGet, "/_emulator/resolve?id="+id+"&rev="+rev, nil), &r); err != nil {
		t.Fatal(err)
	}
	return r.Commit
}

// served fetches a file of the (public) demo model at main as an anonymous client would,
// following the LFS redirect to the CDN.
func served(t *testing.T, path string) []byte {
	t.Helper()
	resp, err := http.Get(emu.Hub + "/" + model + "/resolve/main/" + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", path, resp.Status)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func snapshotPaths(s *hfhub.Snapshot) []string {
	out := []string{}
	for _, f := range s.Files {
		out = append(out, f.Path)
	}
	return out
}

// countRequests counts the logged requests with this method whose path contains sub.
func countRequests(t *testing.T, method, sub string) int {
	t.Helper()
	n := 0
	for _, r := range requests(t) {
		if (method == "" || r.Method == method) && strings.Contains(r.Path, sub) {
			n++
		}
	}
	return n
}

func TestSnapshotDownload(t *testing.T) {
	c, _ := newClient(t, func(o *hfhub.ClientOptions) { o.Token = demoToken })
	ctx := context.Background()
	clearRequests(t)
	s, err := c.SnapshotDownload(ctx, model, nil)
	if err != nil {
		t.Fatal(err)
	}
	commit := resolve(t, model, "main")
	repoDir := filepath.Join(c.CacheDir(), modelFolder)
	if s.Commit != commit || s.Path != filepath.Join(repoDir, "snapshots", commit) {
		t.Fatalf("snapshot at %s (%s), want %s", s.Path, s.Commit, filepath.Join(repoDir, "snapshots", commit))
	}
	if got := snapshotPaths(s); !reflect.DeepEqual(got, demoRepoFiles) {
		t.Fatalf("files %v, want %v", got, demoRepoFiles)
	}
	for _, f := range s.Files {
		if f.LocalPath != filepath.Join(s.Path, filepath.FromSlash(f.Path)) {
			t.Errorf("%s: local path %s", f.Path, f.LocalPath)
		}
		checkSnapshotPath(t, c, f.LocalPath, modelFolder, f.Path)
		data := readFile(t, f.LocalPath)
		if want := served(t, f.Path); string(data) != string(want) || f.Size != uint64(len(want)) {
			t.Errorf("%s: %d bytes (size %d), want the %d bytes the Hub serves", f.Path, len(data), f.Size, len(want))
		}
	}
	if ref := string(readFile(t, filepath.Join(repoDir, "refs", "main"))); ref != commit {
		t.Fatalf("refs/main = %q", ref)
	}
	if n := countRequests(t, http.MethodHead, ""); n != 0 {
		t.Fatalf("%d HEAD requests: a snapshot needs none", n)
	}

	// Again by branch name: the revision request only; pinned to the commit: nothing.
	clearRequests(t)
	again, err := c.SnapshotDownload(ctx, model, nil)
	if err != nil || !reflect.DeepEqual(again, s) {
		t.Fatalf("second snapshot %+v, %v", again, err)
	}
	if rs := requests(t); len(rs) != 1 {
		t.Fatalf("an up-to-date snapshot by branch made %d requests: %+v", len(rs), rs)
	}
	clearRequests(t)
	if pinned, err := c.SnapshotDownload(ctx, model, &hfhub.SnapshotOptions{Revision: commit}); err != nil || pinned.Path != s.Path {
		t.Fatalf("pinned snapshot %+v, %v", pinned, err)
	}
	if rs := requests(t); len(rs) != 0 {
		t.Fatalf("an up-to-date snapshot by commit made %d requests: %+v", len(rs), rs)
	}
}

func TestSnapshotPatterns(t *testing.T) {
	c, _ := newClient(t, nil)
	for _, tc := range []struct {
		allow, ignore []string
		want          []string
	}{
		{[]string{"*.json"}, nil, []string{"config.json"}},
		{[]string{"subdir/"}, nil, []string{"subdir/data.txt"}},
		{[]string{"*.md", "*.txt"}, nil, []string{"README.md", "subdir/data.txt"}},
		{nil, []string{"*.safetensors", "subdir/*"}, []string{"README.md", "config.json"}},
		{[]string{"*.json", "*.md"}, []string{"*.md"}, []string{"config.json"}}, // ignore wins
		{[]string{"nothing-matches"}, nil, []string{}},
	} {
		s, err := c.SnapshotDownload(context.Background(), model, &hfhub.SnapshotOptions{AllowPatterns: tc.allow, IgnorePatterns: tc.ignore})
		if err != nil {
			t.Fatalf("allow %q ignore %q: %v", tc.allow, tc.ignore, err)
		}
		if got := snapshotPaths(s); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("allow %q ignore %q: %v, want %v", tc.allow, tc.ignore, got, tc.want)
		}
	}
	lfs := filepath.Join(c.CacheDir(), modelFolder, "snapshots", resolve(t, model, "main"), lfsFile)
	if _, err := os.Lstat(lfs); !os.IsNotExist(err) {
		t.Fatalf("%s was fetched though no pattern selected it (%v)", lfsFile, err)
	}
}

func TestSnapshotDatasetAtBranch(t *testing.T) {
	c, _ := newClient(t, nil)
	branch := newRef("dev")
	out := control(t, http.MethodPost, "/_emulator/commit", map[string]any{
		"type": "dataset", "id": "test-org/test-dataset", "branch": branch,
		"files": []map[string]any{{"path": "data/dev.csv", "content": "id\n7\n"}},
	})
	var r struct{ Commit string }
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatal(err)
	}
	s, err := c.SnapshotDownload(context.Background(), "test-org/test-dataset", &hfhub.SnapshotOptions{RepoType: hfhub.RepoDataset, Revision: branch})
	if err != nil {
		t.Fatal(err)
	}
	if s.Commit != r.Commit || !reflect.DeepEqual(snapshotPaths(s), []string{"data/dev.csv", "data/train.csv"}) {
		t.Fatalf("snapshot %+v, want commit %s with data/dev.csv and data/train.csv", s, r.Commit)
	}
	if got := string(readFile(t, filepath.Join(s.Path, "data", "dev.csv"))); got != "id\n7\n" {
		t.Fatalf("data/dev.csv = %q", got)
	}
	if !strings.Contains(s.Path, filepath.Join("datasets--test-org--test-dataset", "snapshots")) {
		t.Fatalf("path %s", s.Path)
	}
}

func TestSnapshotErrors(t *testing.T) {
	c, _ := newClient(t, nil)
	ctx := context.Background()
	if _, err := c.SnapshotDownload(ctx, "test-org/no-such-repo", nil); !errors.Is(err, hfhub.ErrRepoNotFound) {
		t.Fatalf("unknown repo: %v", err)
	}
	if _, err := c.SnapshotDownload(ctx, model, &hfhub.SnapshotOptions{Revision: "no-such-branch"}); !errors.Is(err, hfhub.ErrRevisionNotFound) {
		t.Fatalf("unknown revision: %v", err)
	}
	clearRequests(t)
	for name, opts := range map[string]*hfhub.SnapshotOptions{
		"AllowPatterns[1]":  {AllowPatterns: []string{"*.json", "a\x00b"}},
		"IgnorePatterns[0]": {IgnorePatterns: []string{"\x00"}},
		"LocalDir":          {LocalDir: "dir\x00"},
		"Revision":          {Revision: "main\x00"},
		"MaxWorkers":        {MaxWorkers: -1},
	} {
		_, err := c.SnapshotDownload(ctx, model, opts)
		if !errors.Is(err, hfhub.ErrInvalidArgument) || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: %v, want ErrInvalidArgument naming it", name, err)
		}
	}
	if _, err := c.SnapshotDownload(ctx, "not a repo id", nil); !errors.Is(err, hfhub.ErrInvalidArgument) {
		t.Errorf("bad repo id: %v", err)
	}
	if rs := requests(t); len(rs) != 0 {
		t.Fatalf("%d requests for invalid arguments: %+v", len(rs), rs)
	}
}

func TestSnapshotLocalDir(t *testing.T) {
	id, _ := newRepo(t, map[string]string{"a.txt": "alpha\n", "dir/b.txt": "beta\n", "c.json": "{}\n"})
	c, _ := newClient(t, nil)
	ctx := context.Background()
	dir := t.TempDir()
	opts := &hfhub.SnapshotOptions{LocalDir: dir, MaxWorkers: 2}
	s, err := c.SnapshotDownload(ctx, id, opts)
	if err != nil {
		t.Fatal(err)
	}
	real, _ := filepath.EvalSymlinks(dir)
	if s.Path != real || s.Commit != resolve(t, id, "main") {
		t.Fatalf("snapshot %s (%s), want %s", s.Path, s.Commit, real)
	}
	if !reflect.DeepEqual(snapshotPaths(s), []string{"a.txt", "c.json", "dir/b.txt"}) {
		t.Fatalf("files %v", snapshotPaths(s))
	}
	for _, f := range s.Files {
		fi, err := os.Lstat(f.LocalPath)
		if err != nil || !fi.Mode().IsRegular() {
			t.Fatalf("%s: not a real file (%v)", f.LocalPath, err)
		}
		if _, err := os.Stat(filepath.Join(dir, ".cache", "huggingface", "download", filepath.FromSlash(f.Path)+".metadata")); err != nil {
			t.Errorf("%s: no metadata: %v", f.Path, err)
		}
	}
	if got := string(readFile(t, filepath.Join(dir, "dir", "b.txt"))); got != "beta\n" {
		t.Fatalf("dir/b.txt = %q", got)
	}
	folder := "models--" + strings.ReplaceAll(id, "/", "--")
	if _, err := os.Stat(filepath.Join(c.CacheDir(), folder, "refs")); !os.IsNotExist(err) {
		t.Fatalf("a local_dir snapshot wrote refs into the cache (%v)", err)
	}

	// One file changed on the Hub: only that one is fetched again.
	commitTo(t, id, "main", "Update", map[string]string{"a.txt": "alpha 2\n"})
	clearRequests(t)
	s2, err := c.SnapshotDownload(ctx, id, opts)
	if err != nil {
		t.Fatal(err)
	}
	if n := countRequests(t, http.MethodGet, "/resolve/"); n != 1 || countRequests(t, http.MethodGet, "/a.txt") != 1 {
		t.Fatalf("%d files fetched again, want only a.txt: %+v", n, requests(t))
	}
	if s2.Commit == s.Commit || string(readFile(t, filepath.Join(dir, "a.txt"))) != "alpha 2\n" {
		t.Fatalf("after the update: %+v", s2)
	}

	// Download with LocalDir: a real file; pinned and present, no request.
	dir2 := t.TempDir()
	p, err := c.Download(ctx, id, "dir/b.txt", &hfhub.DownloadOptions{LocalDir: dir2})
	if err != nil {
		t.Fatal(err)
	}
	real2, _ := filepath.EvalSymlinks(dir2)
	if p != filepath.Join(real2, "dir", "b.txt") || string(readFile(t, p)) != "beta\n" {
		t.Fatalf("Download into a local dir: %s", p)
	}
	if fi, err := os.Lstat(p); err != nil || !fi.Mode().IsRegular() {
		t.Fatalf("%s is not a real file (%v)", p, err)
	}
	clearRequests(t)
	if p2, err := c.Download(ctx, id, "dir/b.txt", &hfhub.DownloadOptions{LocalDir: dir2, Revision: s2.Commit}); err != nil || p2 != p {
		t.Fatalf("pinned Download into a local dir: %s, %v", p2, err)
	}
	if rs := requests(t); len(rs) != 0 {
		t.Fatalf("%d requests for a pinned file already in the local dir: %+v", len(rs), rs)
	}
	if _, err := c.Download(ctx, id, "a.txt", &hfhub.DownloadOptions{LocalDir: "x\x00"}); !errors.Is(err, hfhub.ErrInvalidArgument) || !strings.Contains(err.Error(), "LocalDir") {
		t.Fatalf("LocalDir with a NUL byte: %v", err)
	}
}

func TestSnapshotOffline(t *testing.T) {
	c, opts := newClient(t, nil)
	ctx := context.Background()
	onlyJSON := &hfhub.SnapshotOptions{AllowPatterns: []string{"*.json"}}
	s, err := c.SnapshotDownload(ctx, model, onlyJSON)
	if err != nil {
		t.Fatal(err)
	}
	offline, _ := newClient(t, func(o *hfhub.ClientOptions) { o.HFHome = opts.HFHome; o.Offline = hfhub.Bool(true) })
	clearRequests(t)
	cached, err := offline.SnapshotDownload(ctx, model, onlyJSON)
	if err != nil || cached.Commit != s.Commit || !reflect.DeepEqual(snapshotPaths(cached), []string{"config.json"}) {
		t.Fatalf("offline, complete selection: %+v, %v", cached, err)
	}
	_, err = offline.SnapshotDownload(ctx, model, nil)
	if !errors.Is(err, hfhub.ErrIncompleteSnapshot) || !strings.Contains(err.Error(), lfsFile) || strings.Contains(err.Error(), "config.json") {
		t.Fatalf("offline, incomplete: %v; want ErrIncompleteSnapshot naming the missing files only", err)
	}
	if _, err := c.SnapshotDownload(ctx, model, &hfhub.SnapshotOptions{LocalFilesOnly: true}); !errors.Is(err, hfhub.ErrIncompleteSnapshot) {
		t.Fatalf("LocalFilesOnly, incomplete: %v", err)
	}
	if _, err := offline.SnapshotDownload(ctx, "test-org/private-model", nil); !errors.Is(err, hfhub.ErrOffline) {
		t.Fatalf("offline, never downloaded: %v", err)
	}
	if rs := requests(t); len(rs) != 0 {
		t.Fatalf("offline snapshots made %d requests: %+v", len(rs), rs)
	}
}

func TestSnapshotProgress(t *testing.T) {
	c, _ := newClient(t, nil)
	var reports []hfhub.Progress
	s, err := c.SnapshotDownload(context.Background(), model, &hfhub.SnapshotOptions{
		MaxWorkers: 2,
		Progress:   func(p hfhub.Progress) bool { reports = append(reports, p); return true },
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) == 0 {
		t.Fatal("no progress reports")
	}
	var bytes uint64
	for _, f := range s.Files {
		bytes += f.Size
	}
	n := uint64(len(s.Files))
	last := reports[len(reports)-1]
	if last.FilesDone != n || last.FilesTotal != n || last.TotalBytesDone != bytes || last.TotalBytesTotal != bytes {
		t.Fatalf("last report %+v, want %d files and %d bytes done of as many", last, n, bytes)
	}
	for i, p := range reports {
		if p.FilesTotal != n || p.TotalBytesTotal != bytes {
			t.Fatalf("report %d %+v: the totals are not the planned ones", i, p)
		}
		if i > 0 && (p.FilesDone < reports[i-1].FilesDone || p.TotalBytesDone < reports[i-1].TotalBytesDone) {
			t.Fatalf("progress went backwards at %d: %+v", i, reports)
		}
	}

	// A single-file download reports a call of one file.
	c2, _ := newClient(t, nil)
	var one hfhub.Progress
	if _, err := c2.Download(context.Background(), model, lfsFile, &hfhub.DownloadOptions{
		Progress: func(p hfhub.Progress) bool { one = p; return true },
	}); err != nil {
		t.Fatal(err)
	}
	if one.FilesTotal != 1 || one.FilesDone != 1 || one.TotalBytesDone != lfsSize || one.TotalBytesTotal != lfsSize {
		t.Fatalf("last Download report %+v", one)
	}
}

func TestSnapshotProgressStopsIt(t *testing.T) {
	c, _ := newClient(t, nil)
	ctx := context.Background()
	calls := 0
	_, err := c.SnapshotDownload(ctx, model, &hfhub.SnapshotOptions{Progress: func(hfhub.Progress) bool { calls++; return false }})
	assertCancelled(t, err, nil)
	if errors.Is(err, context.Canceled) || calls != 1 {
		t.Fatalf("progress returning false: %v after %d calls", err, calls)
	}

	type boom struct{ n int }
	func() {
		defer func() {
			if r := recover(); r != (boom{7}) {
				t.Fatalf("recovered %#v, want boom{7}", r)
			}
		}()
		_, err := c.SnapshotDownload(ctx, model, &hfhub.SnapshotOptions{Progress: func(hfhub.Progress) bool { panic(boom{7}) }})
		t.Fatalf("SnapshotDownload returned (%v) instead of re-panicking", err)
	}()

	// Nothing half-written was published: a later snapshot has the right bytes.
	s, err := c.SnapshotDownload(ctx, model, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range s.Files {
		if string(readFile(t, f.LocalPath)) != string(served(t, f.Path)) {
			t.Fatalf("%s: wrong content after the aborted snapshots", f.Path)
		}
	}
}

func TestSnapshotContextCancel(t *testing.T) {
	c, _ := newClient(t, nil)
	done, cancelDone := context.WithCancel(context.Background())
	cancelDone()
	clearRequests(t)
	_, err := c.SnapshotDownload(done, model, nil)
	assertCancelled(t, err, context.Canceled)
	if rs := requests(t); len(rs) != 0 {
		t.Fatalf("%d requests with a done context", len(rs))
	}

	throttleCDN(t, 100_000) // the 1 MiB file takes ~10 s
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var once sync.Once
	begin := time.Now()
	_, err = c.SnapshotDownload(ctx, model, &hfhub.SnapshotOptions{Progress: func(p hfhub.Progress) bool {
		if p.Filename == lfsFile && p.BytesDone > 0 {
			once.Do(func() { time.AfterFunc(200*time.Millisecond, cancel) })
		}
		return true
	}})
	assertCancelled(t, err, context.Canceled)
	if d := time.Since(begin); d > 5*time.Second {
		t.Fatalf("cancelled snapshot took %v", d)
	}
	lfs := filepath.Join(c.CacheDir(), modelFolder, "snapshots", resolve(t, model, "main"), lfsFile)
	if _, err := os.Lstat(lfs); !os.IsNotExist(err) {
		t.Fatalf("a cancelled snapshot published %s (%v)", lfsFile, err)
	}
}

func ExampleClient_SnapshotDownload() {
	c, err := hfhub.NewClient(nil)
	if err != nil {
		panic(err)
	}
	defer c.Close()
	s, err := c.SnapshotDownload(context.Background(), "org/model", &hfhub.SnapshotOptions{
		AllowPatterns: []string{"*.json", "*.safetensors"},
	})
	if err != nil {
		panic(err)
	}
	for _, f := range s.Files {
		_ = f.LocalPath // <cache>/models--org--model/snapshots/<commit>/<f.Path>
	}
}
