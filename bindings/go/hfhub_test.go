package hfhub_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	hfhub "github.com/libhf-hub/hf_hub/bindings/go"
)

const (
	model   = "test-org/test-model"
	lfsFile = "model.safetensors"
	lfsSize = 1 << 20
)

var commitRE = regexp.MustCompile(`^[0-9a-f]{40}$`)

// newClient makes a client on a fresh HF_HOME that ignores the environment and talks to the
// emulator. edit may adjust the options.
func newClient(t *testing.T, edit func(*hfhub.ClientOptions)) (*hfhub.Client, *hfhub.ClientOptions) {
	t.Helper()
	e := needEmulator(t)
	opts := &hfhub.ClientOptions{
		Endpoint:   e.Hub,
		HFHome:     t.TempDir(),
		IgnoreEnv:  true,
		MaxRetries: hfhub.Int(0),
	}
	if edit != nil {
		edit(opts)
	}
	c, err := hfhub.NewClient(opts)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c, opts
}

// hubGet fetches a file straight from the emulator, for comparing contents.
func hubGet(t *testing.T, repoPath, filename string) []byte {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, emu.Hub+"/"+repoPath+"/resolve/main/"+filename, nil)
	req.Header.Set("Authorization", "Bearer "+demoToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s/%s: %s", repoPath, filename, resp.Status)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkSnapshotPath asserts path is <cache>/<folder>/snapshots/<commit>/<filename> and a relative
// symlink into blobs/, and returns the commit.
func checkSnapshotPath(t *testing.T, c *hfhub.Client, path, folder, filename string) string {
	t.Helper()
	prefix := filepath.Join(c.CacheDir(), folder, "snapshots") + string(filepath.Separator)
	if !strings.HasPrefix(path, prefix) || !strings.HasSuffix(path, string(filepath.Separator)+filepath.FromSlash(filename)) {
		t.Fatalf("path %q is not %s<commit>/%s", path, prefix, filename)
	}
	commit := strings.SplitN(strings.TrimPrefix(path, prefix), string(filepath.Separator), 2)[0]
	if !commitRE.MatchString(commit) {
		t.Fatalf("path %q: %q is not a commit", path, commit)
	}
	target, err := os.Readlink(path)
	if err != nil {
		t.Fatalf("snapshot entry is not a symlink: %v", err)
	}
	if filepath.IsAbs(target) || !strings.Contains(target, "blobs/") {
		t.Fatalf("symlink target %q is not a relative link into blobs/", target)
	}
	return commit
}

func TestVersion(t *testing.T) {
	v := hfhub.Version()
	if !regexp.MustCompile(`^\d+\.\d+\.\d+`).MatchString(v) {
		t.Fatalf("Version() = %q", v)
	}
	if s := hfhub.StatusGated.String(); !strings.HasPrefix(s, "HF_ERR_GATED") {
		t.Fatalf("StatusGated.String() = %q", s)
	}
}

func TestDownloadRegular(t *testing.T) {
	c, opts := newClient(t, nil)
	if want := filepath.Join(opts.HFHome, "hub"); c.CacheDir() != want {
		t.Fatalf("CacheDir() = %q, want %q", c.CacheDir(), want)
	}
	ctx := context.Background()
	path, err := c.Download(ctx, model, "config.json", nil)
	if err != nil {
		t.Fatal(err)
	}
	checkSnapshotPath(t, c, path, "models--test-org--test-model", "config.json")
	if got, want := readFile(t, path), hubGet(t, model, "config.json"); string(got) != string(want) {
		t.Fatalf("content %q, want %q", got, want)
	}

	// Subfolder, and a dataset.
	p2, err := c.Download(ctx, model, "data.txt", &hfhub.DownloadOptions{Subfolder: "subdir"})
	if err != nil {
		t.Fatal(err)
	}
	checkSnapshotPath(t, c, p2, "models--test-org--test-model", "subdir/data.txt")
	if got, want := readFile(t, p2), hubGet(t, model, "subdir/data.txt"); string(got) != string(want) {
		t.Fatalf("content %q, want %q", got, want)
	}
	p3, err := c.Download(ctx, "test-org/test-dataset", "data/train.csv", &hfhub.DownloadOptions{RepoType: hfhub.RepoDataset})
	if err != nil {
		t.Fatal(err)
	}
	checkSnapshotPath(t, c, p3, "datasets--test-org--test-dataset", "data/train.csv")
	if got, want := readFile(t, p3), hubGet(t, "datasets/test-org/test-dataset", "data/train.csv"); string(got) != string(want) {
		t.Fatalf("content %q, want %q", got, want)
	}
}

func TestDownloadLFS(t *testing.T) {
	c, _ := newClient(t, func(o *hfhub.ClientOptions) { o.Token = demoToken })
	clearRequests(t)
	path, err := c.Download(context.Background(), model, lfsFile, nil)
	if err != nil {
		t.Fatal(err)
	}
	commit := checkSnapshotPath(t, c, path, "models--test-org--test-model", lfsFile)
	data := readFile(t, path)
	if len(data) != lfsSize {
		t.Fatalf("size %d, want %d", len(data), lfsSize)
	}
	sum := sha256.Sum256(data)
	blob, err := filepath.EvalSymlinks(path)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(blob) != hex.EncodeToString(sum[:]) {
		t.Fatalf("blob %s is not named after the SHA-256 %x", blob, sum)
	}
	ref := readFile(t, filepath.Join(c.CacheDir(), "models--test-org--test-model", "refs", "main"))
	if strings.TrimSpace(string(ref)) != commit {
		t.Fatalf("refs/main = %q, want %s", ref, commit)
	}

	var hub, cdn int
	for _, r := range requests(t) {
		auth, hasAuth := r.header("authorization")
		switch r.Origin {
		case "cdn":
			cdn++
			if hasAuth {
				t.Errorf("CDN request %s %s carries an authorization header", r.Method, r.Path)
			}
		case "hub":
			hub++
			if auth != "Bearer "+demoToken {
				t.Errorf("hub request %s %s: authorization %q", r.Method, r.Path, auth)
			}
		}
	}
	if hub == 0 || cdn == 0 {
		t.Fatalf("expected requests on both origins, got hub=%d cdn=%d", hub, cdn)
	}
}

func TestErrors(t *testing.T) {
	ctx := context.Background()
	anon, _ := newClient(t, nil)
	tester, _ := newClient(t, func(o *hfhub.ClientOptions) { o.Token = demoToken })
	outsider, _ := newClient(t, func(o *hfhub.ClientOptions) { o.Token = outsiderToken })
	bad, _ := newClient(t, func(o *hfhub.ClientOptions) { o.Token = "hf_thisisnotavalidtoken000000" })

	cases := []struct {
		name     string
		c        *hfhub.Client
		repo     string
		file     string
		want     *hfhub.Error
		wantHTTP int
	}{
		{"missing file", anon, model, "nope.bin", hfhub.ErrEntryNotFound, 404},
		{"missing repo", anon, "test-org/does-not-exist", "config.json", hfhub.ErrRepoNotFound, 0},
		{"private without token", anon, "test-org/private-model", "config.json", hfhub.ErrRepoNotFound, 0},
		{"gated for outsider", outsider, "test-org/gated-model", "config.json", hfhub.ErrGated, 403},
		{"bad token", bad, "test-org/private-model", "config.json", hfhub.ErrUnauthorized, 401},
		{"invalid repo id", anon, "../etc", "config.json", hfhub.ErrInvalidArgument, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.c.Download(ctx, tc.repo, tc.file, nil)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want.Status)
			}
			var e *hfhub.Error
			if !errors.As(err, &e) || e.Message == "" {
				t.Fatalf("errors.As: %#v", err)
			}
			if tc.wantHTTP != 0 && e.HTTPStatus != tc.wantHTTP {
				t.Fatalf("HTTPStatus = %d, want %d (%v)", e.HTTPStatus, tc.wantHTTP, err)
			}
			if errors.Is(err, context.Canceled) || errors.Is(err, hfhub.ErrCancelled) {
				t.Fatalf("%v must not look cancelled", err)
			}
			if strings.Contains(err.Error(), demoToken) || strings.Contains(err.Error(), outsiderToken) {
				t.Fatalf("error leaks the token: %v", err)
			}
		})
	}

	// Members of test-org can read the gated repo.
	if _, err := tester.Download(ctx, "test-org/gated-model", "config.json", nil); err != nil {
		t.Fatalf("gated repo as org member: %v", err)
	}
	if _, err := tester.Download(ctx, "test-org/private-model", "config.json", nil); err != nil {
		t.Fatalf("private repo with token: %v", err)
	}
	// A bad revision.
	_, err := anon.Download(ctx, model, "config.json", &hfhub.DownloadOptions{Revision: "no-such-branch"})
	if !errors.Is(err, hfhub.ErrRevisionNotFound) {
		t.Fatalf("bad revision: %v", err)
	}
	// A NUL byte never reaches C.
	_, err = anon.Download(ctx, model, "config.json\x00x", nil)
	if !errors.Is(err, hfhub.ErrInvalidArgument) {
		t.Fatalf("NUL in filename: %v", err)
	}
	// whoami errors.
	if _, err := bad.Whoami(ctx); !errors.Is(err, hfhub.ErrUnauthorized) {
		t.Fatalf("whoami with bad token: %v", err)
	}
	if _, err := anon.Whoami(ctx); !errors.Is(err, hfhub.ErrNoToken) {
		t.Fatalf("whoami without token: %v", err)
	}
}

func TestOffline(t *testing.T) {
	ctx := context.Background()
	online, opts := newClient(t, nil)
	want, err := online.Download(ctx, model, "config.json", nil)
	if err != nil {
		t.Fatal(err)
	}

	offline, _ := newClient(t, func(o *hfhub.ClientOptions) {
		o.HFHome = opts.HFHome
		o.Offline = hfhub.Bool(true)
	})
	clearRequests(t)
	got, err := offline.Download(ctx, model, "config.json", nil)
	if err != nil {
		t.Fatalf("offline hit: %v", err)
	}
	if got != want {
		t.Fatalf("offline path %q, want %q", got, want)
	}
	_, err = offline.Download(ctx, model, "README.md", nil)
	if !errors.Is(err, hfhub.ErrOffline) {
		t.Fatalf("offline miss: %v", err)
	}
	if rs := requests(t); len(rs) != 0 {
		t.Fatalf("offline client made %d requests: %+v", len(rs), rs)
	}

	// LocalFilesOnly on an online client behaves the same.
	lfo := &hfhub.DownloadOptions{LocalFilesOnly: true}
	if got, err := online.Download(ctx, model, "config.json", lfo); err != nil || got != want {
		t.Fatalf("local-files-only hit: %q, %v", got, err)
	}
	if _, err := online.Download(ctx, model, "README.md", lfo); !errors.Is(err, hfhub.ErrOffline) {
		t.Fatalf("local-files-only miss: %v", err)
	}
}

// assertCancelled asserts err is a context cancellation that satisfies ErrCancelled and ctxErr.
func assertCancelled(t *testing.T, err error, ctxErr error) {
	t.Helper()
	if !errors.Is(err, hfhub.ErrCancelled) {
		t.Fatalf("err = %v, want ErrCancelled", err)
	}
	if ctxErr != nil && !errors.Is(err, ctxErr) {
		t.Fatalf("err = %v, want it to wrap %v", err, ctxErr)
	}
}

func TestContextCancelMidDownload(t *testing.T) {
	c, _ := newClient(t, nil)
	throttleCDN(t, 100_000) // 1 MiB takes ~10 s
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	started := make(chan struct{})
	var once sync.Once
	go func() {
		select {
		case <-started:
		case <-time.After(5 * time.Second):
		}
		time.Sleep(200 * time.Millisecond)
		cancel()
	}()
	opts := &hfhub.DownloadOptions{Progress: func(p hfhub.Progress) bool {
		if p.BytesDone > 0 {
			once.Do(func() { close(started) })
		}
		return true
	}}
	begin := time.Now()
	_, err := c.Download(ctx, model, lfsFile, opts)
	assertCancelled(t, err, context.Canceled)
	if d := time.Since(begin); d > 5*time.Second {
		t.Fatalf("cancelled download took %v", d)
	}
	// Nothing was published.
	if res, _, _ := c.TryLoadFromCache(model, lfsFile, nil); res == hfhub.CacheFound {
		t.Fatal("a cancelled download was published to the cache")
	}
}

func TestContextDeadline(t *testing.T) {
	c, _ := newClient(t, nil)
	throttleCDN(t, 100_000)
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	begin := time.Now()
	_, err := c.Download(ctx, model, lfsFile, nil)
	assertCancelled(t, err, context.DeadlineExceeded)
	if errors.Is(err, context.Canceled) {
		t.Fatalf("deadline error also claims context.Canceled: %v", err)
	}
	if d := time.Since(begin); d > 5*time.Second {
		t.Fatalf("download past its deadline took %v", d)
	}

	// A context that is already done makes no request at all.
	clearRequests(t)
	done, cancel2 := context.WithCancel(context.Background())
	cancel2()
	_, err = c.Download(done, model, "config.json", nil)
	assertCancelled(t, err, context.Canceled)
	_, err = c.Metadata(done, model, "config.json", nil)
	assertCancelled(t, err, context.Canceled)
	_, err = c.Whoami(done)
	assertCancelled(t, err, context.Canceled)
	if rs := requests(t); len(rs) != 0 {
		t.Fatalf("%d requests with a done context", len(rs))
	}
}

func TestProgress(t *testing.T) {
	c, _ := newClient(t, nil)
	var reports []hfhub.Progress
	path, err := c.Download(context.Background(), model, lfsFile, &hfhub.DownloadOptions{
		Progress: func(p hfhub.Progress) bool { reports = append(reports, p); return true },
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) == 0 {
		t.Fatal("no progress reports")
	}
	last := reports[len(reports)-1]
	if last.Filename != lfsFile || last.BytesTotal != lfsSize || last.BytesDone != lfsSize {
		t.Fatalf("last report %+v", last)
	}
	for i := 1; i < len(reports); i++ {
		if reports[i].BytesDone < reports[i-1].BytesDone {
			t.Fatalf("progress went backwards: %+v", reports)
		}
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() != lfsSize {
		t.Fatalf("stat %s: %v", path, err)
	}
}

func TestProgressCancels(t *testing.T) {
	c, _ := newClient(t, nil)
	throttleCDN(t, 200_000)
	calls := 0
	begin := time.Now()
	_, err := c.Download(context.Background(), model, lfsFile, &hfhub.DownloadOptions{
		Progress: func(p hfhub.Progress) bool { calls++; return p.BytesDone == 0 },
	})
	assertCancelled(t, err, nil)
	if errors.Is(err, context.Canceled) {
		t.Fatalf("progress cancellation must not claim context.Canceled: %v", err)
	}
	if d := time.Since(begin); d > 4*time.Second {
		t.Fatalf("progress cancellation took %v", d)
	}
	if calls == 0 {
		t.Fatal("progress never called")
	}
}

func TestProgressPanic(t *testing.T) {
	c, _ := newClient(t, nil)
	type boom struct{ n int }
	calls := 0
	func() {
		defer func() {
			r := recover()
			if b, ok := r.(boom); !ok || b.n != 42 {
				t.Fatalf("recovered %#v, want boom{42}", r)
			}
		}()
		_, err := c.Download(context.Background(), model, lfsFile, &hfhub.DownloadOptions{
			Progress: func(hfhub.Progress) bool { calls++; panic(boom{42}) },
		})
		t.Fatalf("Download returned (%v) instead of re-panicking", err)
	}()
	if calls != 1 {
		t.Fatalf("progress called %d times after panicking", calls)
	}
	// The client is still fine, and nothing half-done was published.
	if res, _, _ := c.TryLoadFromCache(model, lfsFile, nil); res == hfhub.CacheFound {
		t.Fatal("a download aborted by a panic was published")
	}
	if _, err := c.Download(context.Background(), model, lfsFile, nil); err != nil {
		t.Fatal(err)
	}
}

func TestConcurrentDownloads(t *testing.T) {
	c, _ := newClient(t, func(o *hfhub.ClientOptions) { o.Token = demoToken })
	files := []struct {
		repo, file string
		opts       *hfhub.DownloadOptions
	}{
		{model, "config.json", nil},
		{model, "README.md", nil},
		{model, "subdir/data.txt", nil},
		{model, lfsFile, nil},
		{"test-org/test-dataset", "data/train.csv", &hfhub.DownloadOptions{RepoType: hfhub.RepoDataset}},
		{"test-org/private-model", "config.json", nil},
		{model, "missing.bin", nil},
	}
	const n = 16
	var wg sync.WaitGroup
	paths := make([]string, n)
	errs := make([]error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			f := files[i%len(files)]
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			opts := &hfhub.DownloadOptions{}
			if f.opts != nil {
				*opts = *f.opts
			}
			calls := 0 // each goroutine gets its own callback, run on its own goroutine
			opts.Progress = func(hfhub.Progress) bool { calls++; return true }
			paths[i], errs[i] = c.Download(ctx, f.repo, f.file, opts)
		}(i)
	}
	wg.Wait()
	for i := 0; i < n; i++ {
		f := files[i%len(files)]
		if f.file == "missing.bin" {
			if !errors.Is(errs[i], hfhub.ErrEntryNotFound) {
				t.Errorf("goroutine %d: %v", i, errs[i])
			}
			continue
		}
		if errs[i] != nil {
			t.Errorf("goroutine %d (%s): %v", i, f.file, errs[i])
			continue
		}
		if j := i % len(files); paths[i] != paths[j] {
			t.Errorf("goroutine %d got %q, goroutine %d got %q", i, paths[i], j, paths[j])
		}
	}
	if fi, err := os.Stat(paths[3]); err != nil || fi.Size() != lfsSize {
		t.Fatalf("LFS file after concurrent downloads: %v", err)
	}
}

func TestMetadata(t *testing.T) {
	c, _ := newClient(t, nil)
	ctx := context.Background()
	md, err := c.Metadata(ctx, model, "config.json", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := hubGet(t, model, "config.json")
	if !commitRE.MatchString(md.Commit) || md.IsLFS || md.Size != uint64(len(want)) || md.ETag == "" ||
		!strings.HasPrefix(md.Location, emu.Hub) {
		t.Fatalf("config.json metadata %+v", md)
	}
	lfs, err := c.Metadata(ctx, model, lfsFile, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !lfs.IsLFS || lfs.Size != lfsSize || len(lfs.ETag) != 64 || !strings.HasPrefix(lfs.Location, emu.CDN) ||
		lfs.Commit != md.Commit {
		t.Fatalf("LFS metadata %+v", lfs)
	}
	if _, err := c.Metadata(ctx, model, "nope.txt", nil); !errors.Is(err, hfhub.ErrEntryNotFound) {
		t.Fatalf("metadata of a missing file: %v", err)
	}
	// Nothing was written to the cache.
	if _, err := os.Stat(filepath.Join(c.CacheDir(), "models--test-org--test-model", "blobs")); err == nil {
		t.Fatal("Metadata wrote blobs")
	}
}

func TestTryLoadFromCache(t *testing.T) {
	c, _ := newClient(t, nil)
	res, path, err := c.TryLoadFromCache(model, "config.json", nil)
	if err != nil || res != hfhub.CacheUnknown || path != "" {
		t.Fatalf("before download: %v %q %v", res, path, err)
	}
	want, err := c.Download(context.Background(), model, "config.json", nil)
	if err != nil {
		t.Fatal(err)
	}
	res, path, err = c.TryLoadFromCache(model, "config.json", nil)
	if err != nil || res != hfhub.CacheFound || path != want {
		t.Fatalf("after download: %v %q %v (want %q)", res, path, err, want)
	}
	if _, err := c.Download(context.Background(), model, "gone.txt", nil); !errors.Is(err, hfhub.ErrEntryNotFound) {
		t.Fatal(err)
	}
	res, path, err = c.TryLoadFromCache(model, "gone.txt", nil)
	if err != nil || res != hfhub.CacheKnownMissing || path != "" {
		t.Fatalf("known missing: %v %q %v", res, path, err)
	}
	if res.String() != "known missing" {
		t.Fatalf("String() = %q", res.String())
	}
}

func TestAuth(t *testing.T) {
	ctx := context.Background()
	c, opts := newClient(t, nil)
	names, active, err := c.Tokens()
	if err != nil || len(names) != 0 || active != "" {
		t.Fatalf("fresh Tokens() = %v %q %v", names, active, err)
	}

	name1, err := c.Login(ctx, demoToken)
	if err != nil {
		t.Fatal(err)
	}
	if name1 == "" {
		t.Fatal("Login returned no name")
	}
	tokenFile := filepath.Join(opts.HFHome, "token")
	if b := readFile(t, tokenFile); strings.TrimSpace(string(b)) != demoToken {
		t.Fatalf("token file holds %q", b)
	}
	if fi, err := os.Stat(tokenFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("token file mode: %v %v", fi.Mode(), err)
	}

	u, err := c.Whoami(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if u.Name != "tester" || u.Type != "user" || len(u.Orgs) != 1 || u.Orgs[0] != "test-org" || !json.Valid([]byte(u.JSON)) {
		t.Fatalf("whoami = %+v", u)
	}

	// A second user, added through the control API.
	control(t, http.MethodPost, "/_emulator/users", map[string]any{
		"token": "hf_secondusertoken0123456789", "name": "second", "orgs": []string{},
	})
	name2, err := c.Login(ctx, "hf_secondusertoken0123456789")
	if err != nil {
		t.Fatal(err)
	}
	if name2 == name1 {
		t.Fatalf("both logins stored as %q", name1)
	}
	names, active, err = c.Tokens()
	if err != nil || len(names) != 2 || active != name2 {
		t.Fatalf("Tokens() = %v %q %v", names, active, err)
	}
	if u, err := c.Whoami(ctx); err != nil || u.Name != "second" {
		t.Fatalf("whoami after second login: %+v %v", u, err)
	}

	if err := c.SwitchToken(name1); err != nil {
		t.Fatal(err)
	}
	if _, active, _ := c.Tokens(); active != name1 {
		t.Fatalf("active after switch = %q", active)
	}
	if u, err := c.Whoami(ctx); err != nil || u.Name != "tester" {
		t.Fatalf("whoami after switch: %+v %v", u, err)
	}
	if err := c.SwitchToken("no-such-token"); !errors.Is(err, hfhub.ErrInvalidArgument) {
		t.Fatalf("switch to unknown token: %v", err)
	}

	if err := c.Logout(name2); err != nil {
		t.Fatal(err)
	}
	if names, active, _ := c.Tokens(); len(names) != 1 || names[0] != name1 || active != name1 {
		t.Fatalf("after logout %q: %v %q", name2, names, active)
	}
	if err := c.Logout(""); err != nil {
		t.Fatal(err)
	}
	if names, active, _ := c.Tokens(); len(names) != 0 || active != "" {
		t.Fatalf("after logout all: %v %q", names, active)
	}
	if _, err := os.Stat(tokenFile); !os.IsNotExist(err) {
		t.Fatalf("token file still there: %v", err)
	}
	if _, err := c.Whoami(ctx); !errors.Is(err, hfhub.ErrNoToken) {
		t.Fatalf("whoami after logout: %v", err)
	}
	if _, err := c.Login(ctx, "hf_wrongwrongwrong0000000000"); !errors.Is(err, hfhub.ErrUnauthorized) {
		t.Fatalf("login with a bad token: %v", err)
	}
}

func TestClose(t *testing.T) {
	c, _ := newClient(t, nil)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	_, err := c.Download(context.Background(), model, "config.json", nil)
	if !errors.Is(err, hfhub.ErrClientClosed) || !errors.Is(err, hfhub.ErrInvalidArgument) {
		t.Fatalf("download on a closed client: %v", err)
	}
	if c.CacheDir() != "" {
		t.Fatal("CacheDir on a closed client")
	}
}

func TestCloseDuringDownload(t *testing.T) {
	c, _ := newClient(t, nil)
	throttleCDN(t, 1_000_000)
	done := make(chan error, 1)
	go func() {
		_, err := c.Download(context.Background(), model, lfsFile, nil)
		done <- err
	}()
	time.Sleep(100 * time.Millisecond)
	if err := c.Close(); err != nil { // must not block or free the client under the download
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("download racing Close: %v", err)
	}
}

// TestClientOptionsDefaults checks that the zero ClientOptions leaves every option unset ("from the
// environment, else the default"), the new Durable and MaxBytesPerSec included, and is accepted.
func TestClientOptionsDefaults(t *testing.T) {
	var o hfhub.ClientOptions
	if o.Offline != nil || o.DisableImplicitToken != nil || o.DisableSymlinks != nil || o.Durable != nil || o.MaxRetries != nil {
		t.Fatalf("pointer options are set in the zero value: %+v", o)
	}
	if o.EtagTimeout != 0 || o.DownloadTimeout != 0 || o.CacheMaxBytes != 0 || o.MaxBytesPerSec != 0 || o.IgnoreEnv ||
		o.Lanes != 0 || o.LaneChunkBytes != 0 || o.LanesMinSize != 0 {
		t.Fatalf("zero value has non-zero options: %+v", o)
	}
	o.IgnoreEnv = true
	o.HFHome = t.TempDir()
	c, err := hfhub.NewClient(&o)
	if err != nil {
		t.Fatalf("NewClient with default options: %v", err)
	}
	c.Close()
}

// TestMaxBytesPerSec checks the bandwidth cap: 1 MiB at 1 MB/s takes about 1.05 s, while the same
// download without a cap (into a fresh cache) is much faster.
func TestMaxBytesPerSec(t *testing.T) {
	ctx := context.Background()
	uncapped, _ := newClient(t, nil)
	start := time.Now()
	p0, err := uncapped.Download(ctx, model, lfsFile, nil)
	if err != nil {
		t.Fatal(err)
	}
	free := time.Since(start)

	capped, opts := newClient(t, func(o *hfhub.ClientOptions) { o.MaxBytesPerSec = 1_000_000 })
	if opts.MaxBytesPerSec != 1_000_000 {
		t.Fatalf("MaxBytesPerSec = %d", opts.MaxBytesPerSec)
	}
	start = time.Now()
	p1, err := capped.Download(ctx, model, lfsFile, nil)
	if err != nil {
		t.Fatal(err)
	}
	limited := time.Since(start)

	if a, b := readFile(t, p0), readFile(t, p1); len(b) != lfsSize || string(a) != string(b) {
		t.Fatalf("capped download: %d bytes, differs from the uncapped one", len(b))
	}
	if limited < 850*time.Millisecond {
		t.Fatalf("1 MiB at 1 MB/s took only %v", limited)
	}
	if free*2 >= limited {
		t.Fatalf("uncapped download took %v, not much faster than the capped %v", free, limited)
	}
	t.Logf("uncapped %v, capped %v", free, limited)
}

// TestLanes checks Lanes, LaneChunkBytes and LanesMinSize: the 1 MiB LFS file comes as 16 ranges
// of 64 KiB over 4 lanes (each asked once, 206 each) with the right bytes; below LanesMinSize it is
// one stream; out-of-range values are refused.
func TestLanes(t *testing.T) {
	ctx := context.Background()
	c, _ := newClient(t, func(o *hfhub.ClientOptions) {
		o.Lanes, o.LaneChunkBytes, o.LanesMinSize = 4, 65536, 1
	})
	clearRequests(t)
	path, err := c.Download(ctx, model, lfsFile, nil)
	if err != nil {
		t.Fatal(err)
	}
	data := readFile(t, path)
	sum := sha256.Sum256(data)
	blob, err := filepath.EvalSymlinks(path)
	if err != nil || len(data) != lfsSize || filepath.Base(blob) != hex.EncodeToString(sum[:]) {
		t.Fatalf("%d bytes with SHA-256 %x in blob %s (%v)", len(data), sum, blob, err)
	}
	ranges := map[string]bool{}
	for _, r := range requests(t) {
		if r.Origin != "cdn" || r.Method != "GET" {
			continue
		}
		rg, _ := r.header("range")
		if r.Status != 206 || ranges[rg] {
			t.Fatalf("range %q: status %d, asked before: %v", rg, r.Status, ranges[rg])
		}
		ranges[rg] = true
	}
	if len(ranges) != 16 || !ranges["bytes=0-65535"] || !ranges["bytes=983040-1048575"] {
		t.Fatalf("ranges asked: %v", ranges)
	}

	one, _ := newClient(t, func(o *hfhub.ClientOptions) {
		o.Lanes, o.LaneChunkBytes, o.LanesMinSize = 4, 65536, 2<<20
	})
	clearRequests(t)
	if p, err := one.Download(ctx, model, lfsFile, nil); err != nil || string(readFile(t, p)) != string(data) {
		t.Fatalf("one stream: %v", err)
	}
	gets := 0
	for _, r := range requests(t) {
		if r.Origin == "cdn" && r.Method == "GET" {
			gets++
			if rg, ok := r.header("range"); ok {
				t.Fatalf("one stream sent Range %q", rg)
			}
		}
	}
	if gets != 1 {
		t.Fatalf("%d CDN GETs for one stream", gets)
	}

	for _, bad := range []hfhub.ClientOptions{{Lanes: 65}, {LaneChunkBytes: 1000}} {
		bad.IgnoreEnv, bad.HFHome = true, t.TempDir()
		if c, err := hfhub.NewClient(&bad); err == nil || !errors.Is(err, hfhub.ErrInvalidArgument) {
			if c != nil {
				c.Close()
			}
			t.Fatalf("%+v accepted (%v)", bad, err)
		}
	}
}

// TestDurable checks that Durable (sync the blob and its folder before publishing) downloads the
// same bytes.
func TestDurable(t *testing.T) {
	c, _ := newClient(t, func(o *hfhub.ClientOptions) { o.Durable = hfhub.Bool(true) })
	ctx := context.Background()
	path, err := c.Download(ctx, model, lfsFile, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkSnapshotPath(t, c, path, "models--test-org--test-model", lfsFile)
	data := readFile(t, path)
	if len(data) != lfsSize {
		t.Fatalf("size %d, want %d", len(data), lfsSize)
	}
	sum := sha256.Sum256(data)
	blob, err := filepath.EvalSymlinks(path)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(blob) != hex.EncodeToString(sum[:]) {
		t.Fatalf("blob %s is not named after the SHA-256 %x", blob, sum)
	}
	plain, _ := newClient(t, nil) // the same file without Durable, in another cache
	p0, err := plain.Download(ctx, model, lfsFile, nil)
	if err != nil {
		t.Fatal(err)
	}
	if string(readFile(t, p0)) != string(data) {
		t.Fatal("content differs from the download without Durable")
	}
	if again, err := c.Download(ctx, model, lfsFile, nil); err != nil || again != path {
		t.Fatalf("cache hit: %q, %v; want %q", again, err, path)
	}
}

func TestNewClientErrors(t *testing.T) {
	needEmulator(t)
	_, err := hfhub.NewClient(&hfhub.ClientOptions{IgnoreEnv: true, Endpoint: "not a url", HFHome: t.TempDir()})
	if !errors.Is(err, hfhub.ErrInvalidArgument) {
		t.Fatalf("bad endpoint: %v", err)
	}
	_, err = hfhub.NewClient(&hfhub.ClientOptions{IgnoreEnv: true, EtagTimeout: -time.Second})
	if !errors.Is(err, hfhub.ErrInvalidArgument) {
		t.Fatalf("negative timeout: %v", err)
	}
	var e *hfhub.Error
	if !errors.As(err, &e) || !strings.Contains(e.Error(), "EtagTimeout") {
		t.Fatalf("message: %v", err)
	}
}

func ExampleClient_Download() {
	c, err := hfhub.NewClient(nil) // configured from HF_ENDPOINT, HF_HOME, HF_TOKEN, ...
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	path, err := c.Download(context.Background(), "test-org/test-model", "config.json", nil)
	switch {
	case errors.Is(err, hfhub.ErrEntryNotFound):
		fmt.Println("no such file")
	case err != nil:
		fmt.Println(err)
	default:
		fmt.Println(path)
	}
}
