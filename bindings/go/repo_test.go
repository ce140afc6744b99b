package hfhub_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	hfhub "github.com/libhf-hub/hf_hub/bindings/go"
)

func entryPathsOf(l *hfhub.RepoEntries) []string {
	out := []string{}
	for _, e := range l.Entries {
		out = append(out, e.Path)
	}
	return out
}

// jsonArrayLen is the length of the JSON array text s (-1 if it is not one).
func jsonArrayLen(s string) int {
	var v []json.RawMessage
	if json.Unmarshal([]byte(s), &v) != nil {
		return -1
	}
	return len(v)
}

func TestRepoInfo(t *testing.T) {
	c, _ := newClient(t, func(o *hfhub.ClientOptions) { o.Token = demoToken })
	ctx := context.Background()
	info, err := c.RepoInfo(ctx, model, nil)
	if err != nil {
		t.Fatal(err)
	}
	if info.ID != model || info.SHA != resolve(t, model, "main") || info.Private || info.Disabled || info.Gated != "" {
		t.Fatalf("info %+v", info)
	}
	var names []string
	for _, e := range info.Siblings {
		names = append(names, e.Path)
		if e.Type != hfhub.EntryFile {
			t.Errorf("sibling %s has type %v", e.Path, e.Type)
		}
		if e.Path == lfsFile && (!e.IsLFS() || e.LFSSize != lfsSize || len(e.LFSSHA256) != 64) {
			t.Errorf("LFS sibling %+v", e)
		}
	}
	sort.Strings(names)
	if !reflect.DeepEqual(names, demoRepoFiles) {
		t.Fatalf("siblings %v, want %v", names, demoRepoFiles)
	}
	var raw struct {
		ID       string
		Siblings []json.RawMessage
	}
	if err := json.Unmarshal([]byte(info.JSON), &raw); err != nil || raw.ID != model || len(raw.Siblings) != len(info.Siblings) {
		t.Fatalf("JSON %s (%v)", info.JSON, err)
	}

	if p, err := c.RepoInfo(ctx, "test-org/private-model", nil); err != nil || !p.Private {
		t.Fatalf("private repo: %+v, %v", p, err)
	}
	branch := newRef("info")
	dev := commitTo(t, model, branch, "On a branch", map[string]string{"dev.txt": "dev\n"})
	if b, err := c.RepoInfo(ctx, model, &hfhub.RepoOptions{Revision: branch}); err != nil || b.SHA != dev {
		t.Fatalf("at branch %s: %+v, %v; want sha %s", branch, b, err, dev)
	}
	if _, err := c.RepoInfo(ctx, "test-org/no-such-repo", nil); !errors.Is(err, hfhub.ErrRepoNotFound) {
		t.Fatalf("unknown repo: %v", err)
	}
	if _, err := c.RepoInfo(ctx, model, &hfhub.RepoOptions{Revision: "no-such-branch"}); !errors.Is(err, hfhub.ErrRevisionNotFound) {
		t.Fatalf("unknown revision: %v", err)
	}
	ds, err := c.RepoInfo(ctx, "test-org/test-dataset", &hfhub.RepoOptions{RepoType: hfhub.RepoDataset})
	if err != nil || ds.ID != "test-org/test-dataset" {
		t.Fatalf("dataset: %+v, %v", ds, err)
	}
}

func TestListTree(t *testing.T) {
	c, _ := newClient(t, nil)
	ctx := context.Background()
	root, err := c.ListTree(ctx, model, "", false, nil)
	if err != nil {
		t.Fatal(err)
	}
	sub := root.Find("subdir")
	if sub == nil || sub.Type != hfhub.EntryDirectory || sub.Size != 0 {
		t.Fatalf("root listing %+v: no subdir folder", root.Entries)
	}
	if root.Find("subdir/data.txt") != nil {
		t.Fatal("a non-recursive listing went into subdir")
	}
	md, err := c.Metadata(ctx, model, lfsFile, nil)
	if err != nil {
		t.Fatal(err)
	}
	lfs := root.Find(lfsFile)
	if lfs == nil || lfs.Type != hfhub.EntryFile || lfs.LFSSHA256 != md.ETag || lfs.LFSSize != lfsSize {
		t.Fatalf("LFS entry %+v, want sha256 %s", lfs, md.ETag)
	}
	cfg := root.Find("config.json")
	if cfg == nil || cfg.IsLFS() || !commitRE.MatchString(cfg.OID) {
		t.Fatalf("config.json entry %+v", cfg)
	}
	if n := jsonArrayLen(root.JSON); n != len(root.Entries) {
		t.Fatalf("JSON has %d records for %d entries: %s", n, len(root.Entries), root.JSON)
	}

	inSub, err := c.ListTree(ctx, model, "subdir", false, nil)
	if err != nil || !reflect.DeepEqual(entryPathsOf(inSub), []string{"subdir/data.txt"}) {
		t.Fatalf("subdir listing %v, %v", inSub, err)
	}
	all, err := c.ListTree(ctx, model, "", true, &hfhub.RepoOptions{Revision: "main"})
	if err != nil || all.Find("subdir/data.txt") == nil || all.Find("subdir") == nil || len(all.Entries) != len(demoRepoFiles)+1 {
		t.Fatalf("recursive listing %v, %v", all, err)
	}
	if _, err := c.ListTree(ctx, model, "no-such-folder", false, nil); !errors.Is(err, hfhub.ErrEntryNotFound) {
		t.Fatalf("missing folder: %v", err)
	}
	ds, err := c.ListTree(ctx, "test-org/test-dataset", "", true, &hfhub.RepoOptions{RepoType: hfhub.RepoDataset})
	if err != nil || ds.Find("data/train.csv") == nil {
		t.Fatalf("dataset listing %v, %v", ds, err)
	}
}

func TestPathsInfo(t *testing.T) {
	c, _ := newClient(t, nil)
	ctx := context.Background()
	info, err := c.PathsInfo(ctx, model, []string{"config.json", "missing.txt", lfsFile, "subdir"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := entryPathsOf(info)
	sort.Strings(got)
	if !reflect.DeepEqual(got, []string{"config.json", lfsFile, "subdir"}) {
		t.Fatalf("paths info %v", got)
	}
	if e := info.Find(lfsFile); !e.IsLFS() {
		t.Fatalf("%+v is not LFS", e)
	}
	if e := info.Find("subdir"); e.Type != hfhub.EntryDirectory {
		t.Fatalf("%+v is not a folder", e)
	}
	if n := jsonArrayLen(info.JSON); n != 3 {
		t.Fatalf("JSON has %d records: %s", n, info.JSON)
	}
	if none, err := c.PathsInfo(ctx, model, []string{"missing.txt"}, nil); err != nil || len(none.Entries) != 0 {
		t.Fatalf("only missing paths: %+v, %v", none, err)
	}
	if _, err := c.PathsInfo(ctx, model, []string{"ok", "a\x00"}, nil); !errors.Is(err, hfhub.ErrInvalidArgument) || !strings.Contains(err.Error(), "paths[1]") {
		t.Fatalf("a path with a NUL byte: %v", err)
	}
}

func TestListRefs(t *testing.T) {
	id, commit := newRepo(t, map[string]string{"a.txt": "a\n"})
	control(t, http.MethodPost, "/_emulator/branch", map[string]any{"id": id, "name": "dev"})
	control(t, http.MethodPost, "/_emulator/tag", map[string]any{"id": id, "name": "v1"})
	var pr struct {
		Num    int
		Commit string
	}
	out := control(t, http.MethodPost, "/_emulator/pr", map[string]any{"id": id, "files": []map[string]any{{"path": "pr.txt", "content": "pr\n"}}})
	if err := json.Unmarshal(out, &pr); err != nil {
		t.Fatal(err)
	}
	c, _ := newClient(t, nil)
	ctx := context.Background()
	refs, err := c.ListRefs(ctx, id, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []hfhub.Ref{
		{Kind: hfhub.RefBranch, Name: "dev", FullRef: "refs/heads/dev", TargetCommit: commit},
		{Kind: hfhub.RefBranch, Name: "main", FullRef: "refs/heads/main", TargetCommit: commit},
		{Kind: hfhub.RefTag, Name: "v1", FullRef: "refs/tags/v1", TargetCommit: commit},
	}
	sort.Slice(refs, func(i, j int) bool { return refs[i].FullRef < refs[j].FullRef })
	if !reflect.DeepEqual(refs, want) {
		t.Fatalf("refs %+v, want %+v", refs, want)
	}
	withPRs, err := c.ListRefs(ctx, id, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	var prs []hfhub.Ref
	for _, r := range withPRs {
		if r.Kind == hfhub.RefPullRequest {
			prs = append(prs, r)
		}
	}
	if len(withPRs) != 4 || len(prs) != 1 || prs[0].FullRef != "refs/pr/"+strconv.Itoa(pr.Num) || prs[0].TargetCommit != pr.Commit {
		t.Fatalf("refs with pull requests %+v; want one for PR %d at %s", withPRs, pr.Num, pr.Commit)
	}
	if _, err := c.ListRefs(ctx, "test-org/no-such-repo", false, nil); !errors.Is(err, hfhub.ErrRepoNotFound) {
		t.Fatalf("unknown repo: %v", err)
	}
}

func TestListCommits(t *testing.T) {
	id, first := newRepo(t, map[string]string{"a.txt": "a\n"})
	second := commitTo(t, id, "main", "Second commit", map[string]string{"b.txt": "b\n"})
	c, _ := newClient(t, nil)
	ctx := context.Background()
	history, err := c.ListCommits(ctx, id, nil)
	if err != nil {
		t.Fatal(err)
	}
	// initial commit (the repo's creation), first, second: newest first.
	if len(history.Commits) != 3 || history.Commits[0].ID != second || history.Commits[1].ID != first {
		t.Fatalf("history %+v, want %s then %s then the initial commit", history.Commits, second, first)
	}
	top := history.Commits[0]
	if top.Title != "Second commit" || top.Date == "" || !reflect.DeepEqual(top.Authors, []string{"emulator"}) {
		t.Fatalf("newest commit %+v", top)
	}
	if _, err := time.Parse(time.RFC3339, top.Date); err != nil {
		t.Errorf("date %q: %v", top.Date, err)
	}
	if n := jsonArrayLen(history.JSON); n != 3 {
		t.Fatalf("JSON has %d records: %s", n, history.JSON)
	}
	older, err := c.ListCommits(ctx, id, &hfhub.RepoOptions{Revision: first})
	if err != nil || len(older.Commits) != 2 || older.Commits[0].ID != first {
		t.Fatalf("history of %s: %+v, %v", first, older, err)
	}
	if _, err := c.ListCommits(ctx, id, &hfhub.RepoOptions{Revision: "no-such-branch"}); !errors.Is(err, hfhub.ErrRevisionNotFound) {
		t.Fatalf("unknown revision: %v", err)
	}
}

func TestRepoAndFileExist(t *testing.T) {
	c, _ := newClient(t, func(o *hfhub.ClientOptions) { o.Token = demoToken })
	outsider, _ := newClient(t, func(o *hfhub.ClientOptions) { o.Token = outsiderToken })
	ctx := context.Background()
	for _, tc := range []struct {
		client *hfhub.Client
		id     string
		typ    hfhub.RepoType
		want   bool
	}{
		{c, model, hfhub.RepoModel, true},
		{c, "test-org/no-such-repo", hfhub.RepoModel, false},
		{c, "test-org/gated-model", hfhub.RepoModel, true},
		{c, "test-org/private-model", hfhub.RepoModel, true},
		{outsider, "test-org/private-model", hfhub.RepoModel, false},
		{c, "test-org/test-dataset", hfhub.RepoDataset, true},
		{c, model, hfhub.RepoDataset, false},
	} {
		got, err := tc.client.RepoExists(ctx, tc.id, &hfhub.RepoOptions{RepoType: tc.typ})
		if err != nil || got != tc.want {
			t.Errorf("RepoExists(%s, %v) = %v, %v; want %v", tc.id, tc.typ, got, err, tc.want)
		}
	}

	branch := newRef("exists")
	commitTo(t, model, branch, "On a branch", map[string]string{"branch-only.txt": "b\n"})
	clearRequests(t)
	for _, tc := range []struct {
		file, rev string
		want      bool
	}{
		{"config.json", "", true},
		{"subdir/data.txt", "", true},
		{"nope.json", "", false},
		{"branch-only.txt", "", false},
		{"branch-only.txt", branch, true},
	} {
		got, err := c.FileExists(ctx, model, tc.file, &hfhub.RepoOptions{Revision: tc.rev})
		if err != nil || got != tc.want {
			t.Errorf("FileExists(%s @%q) = %v, %v; want %v", tc.file, tc.rev, got, err, tc.want)
		}
	}
	if n := countRequests(t, http.MethodGet, "/resolve/"); n != 0 {
		t.Fatalf("FileExists downloaded %d files", n)
	}
	if _, err := c.FileExists(ctx, "test-org/no-such-repo", "a", nil); !errors.Is(err, hfhub.ErrRepoNotFound) {
		t.Fatalf("FileExists in an unknown repo: %v", err)
	}
}

func TestRepoCallsCancel(t *testing.T) {
	c, _ := newClient(t, nil)
	done, cancel := context.WithCancel(context.Background())
	cancel()
	clearRequests(t)
	calls := map[string]func(ctx context.Context) error{
		"RepoInfo":    func(ctx context.Context) error { _, err := c.RepoInfo(ctx, model, nil); return err },
		"ListTree":    func(ctx context.Context) error { _, err := c.ListTree(ctx, model, "", true, nil); return err },
		"PathsInfo":   func(ctx context.Context) error { _, err := c.PathsInfo(ctx, model, []string{"a"}, nil); return err },
		"ListRefs":    func(ctx context.Context) error { _, err := c.ListRefs(ctx, model, true, nil); return err },
		"ListCommits": func(ctx context.Context) error { _, err := c.ListCommits(ctx, model, nil); return err },
		"RepoExists":  func(ctx context.Context) error { _, err := c.RepoExists(ctx, model, nil); return err },
		"FileExists":  func(ctx context.Context) error { _, err := c.FileExists(ctx, model, "config.json", nil); return err },
	}
	for name, call := range calls {
		if err := call(done); !errors.Is(err, hfhub.ErrCancelled) || !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a done context: %v", name, err)
		}
		// The library itself sees the token: a context that is done only after the wrapper's own
		// check still sends nothing.
		if err := call(newDoneAfterCheck()); !errors.Is(err, hfhub.ErrCancelled) {
			t.Errorf("%s with a context done after the check: %v", name, err)
		}
	}
	if rs := requests(t); len(rs) != 0 {
		t.Fatalf("%d requests with a done context: %+v", len(rs), rs)
	}

	const delay = 5 * time.Second
	path := "/api/models/" + model + "/tree/main"
	delayHub(t, "GET", path, delay)
	cancelInFlight(t, path, delay, func(ctx context.Context) error { _, err := c.ListTree(ctx, model, "", false, nil); return err })
}

func ExampleClient_ListTree() {
	c, err := hfhub.NewClient(nil)
	if err != nil {
		panic(err)
	}
	defer c.Close()
	tree, err := c.ListTree(context.Background(), "org/model", "", true, nil)
	if err != nil {
		panic(err)
	}
	for _, e := range tree.Entries {
		if e.Type == hfhub.EntryFile {
			_ = e.Path
		}
	}
}
