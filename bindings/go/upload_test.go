package hfhub_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	hfhub "github.com/libhf-hub/hf_hub/bindings/go"
)

// head is the commit a revision of repo resolves to on the emulator ("" when unknown).
func head(t *testing.T, repo, rev string) string {
	t.Helper()
	var out struct {
		Commit *string `json:"commit"`
	}
	body := control(t, http.MethodGet, "/_emulator/resolve?type=model&id="+repo+"&rev="+rev, nil)
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatal(err)
	}
	if out.Commit == nil {
		return ""
	}
	return *out.Commit
}

func uploadClient(t *testing.T) *hfhub.Client {
	c, _ := newClient(t, func(o *hfhub.ClientOptions) { o.Token = demoToken })
	return c
}

func TestRepoAdministration(t *testing.T) {
	c := uploadClient(t)
	ctx := context.Background()
	const repo = "tester/go-admin"
	url, err := c.CreateRepo(ctx, repo, nil)
	if err != nil || url != emu.Hub+"/"+repo {
		t.Fatalf("CreateRepo: %q %v", url, err)
	}
	var he *hfhub.Error
	if _, err := c.CreateRepo(ctx, repo, nil); !errors.As(err, &he) || he.HTTPStatus != 409 {
		t.Fatalf("CreateRepo again: %v", err)
	}
	if _, err := c.CreateRepo(ctx, repo, &hfhub.RepoOptions{ExistOK: true}); err != nil {
		t.Fatal(err)
	}
	main := head(t, repo, "main")
	if err := c.CreateBranch(ctx, repo, "dev", "", nil); err != nil {
		t.Fatal(err)
	}
	if got := head(t, repo, "dev"); got != main {
		t.Fatalf("dev at %q, main at %q", got, main)
	}
	if err := c.CreateTag(ctx, repo, "v1", "dev", "first", nil); err != nil {
		t.Fatal(err)
	}
	if got := head(t, repo, "v1"); got != main {
		t.Fatalf("v1 at %q", got)
	}
	if err := c.DeleteTag(ctx, repo, "v1", nil); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteBranch(ctx, repo, "dev", nil); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteBranch(ctx, repo, "dev", nil); !errors.Is(err, hfhub.ErrRevisionNotFound) {
		t.Fatalf("DeleteBranch again: %v", err)
	}
	if err := c.UpdateRepoVisibility(ctx, repo, hfhub.VisibilityPrivate, nil); err != nil {
		t.Fatal(err)
	}
	anon, _ := newClient(t, nil)
	if _, err := anon.Metadata(ctx, repo, ".gitattributes", nil); !errors.Is(err, hfhub.ErrRepoNotFound) {
		t.Fatalf("private repo seen anonymously: %v", err)
	}
	if err := c.MoveRepo(ctx, repo, "tester/go-admin-moved", nil); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteRepo(ctx, "tester/go-admin-moved", nil); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteRepo(ctx, "tester/go-admin-moved", &hfhub.RepoOptions{MissingOK: true}); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteRepo(ctx, "tester/go-admin-moved", nil); !errors.Is(err, hfhub.ErrRepoNotFound) {
		t.Fatalf("DeleteRepo missing: %v", err)
	}
}

func TestPushOperationsStaleParentAndPR(t *testing.T) {
	c := uploadClient(t)
	ctx := context.Background()
	const repo = "tester/go-push"
	if _, err := c.CreateRepo(ctx, repo, nil); err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("0123456789"), 30000)
	var reports []hfhub.Progress
	first, err := c.Push(ctx, repo, new(hfhub.Commit).AddBytes("a.txt", []byte("alpha")).AddBytes("dir/b.txt", []byte("beta")).AddBytes("w.bin", big),
		"seed", &hfhub.CommitOptions{Progress: func(p hfhub.Progress) bool { reports = append(reports, p); return true }})
	if err != nil {
		t.Fatal(err)
	}
	if !first.Committed || first.OID != head(t, repo, "main") || first.Commits != 1 {
		t.Fatalf("first: %+v", first)
	}
	if len(reports) == 0 || reports[0].Phase != hfhub.PhaseHash || reports[len(reports)-1].Phase != hfhub.PhaseUpload ||
		reports[len(reports)-1].TotalBytesDone != uint64(2*len(big)) {
		t.Fatalf("progress: %+v", reports)
	}
	second := new(hfhub.Commit).AddBytes("new.txt", []byte("new")).DeleteFile("a.txt").DeleteFolder("dir").Copy("w.bin", "w2.bin", "")
	two, err := c.Push(ctx, repo, second, "ops", &hfhub.CommitOptions{ParentCommit: first.OID, Description: "all kinds"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.Download(ctx, repo, "w2.bin", nil) // LFS: through the CDN, as a client does
	if err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, p); !bytes.Equal(got, big) {
		t.Fatalf("w2.bin: %d bytes", len(got))
	}
	if got := hubGet(t, repo, "new.txt"); string(got) != "new" {
		t.Fatalf("new.txt: %q", got)
	}
	late := new(hfhub.Commit).AddBytes("late.txt", []byte("late"))
	if _, err := c.Push(ctx, repo, late, "late", &hfhub.CommitOptions{ParentCommit: first.OID}); !errors.Is(err, hfhub.ErrStaleParent) {
		t.Fatalf("stale parent: %v", err)
	}
	if head(t, repo, "main") != two.OID {
		t.Fatal("a refused push changed the branch")
	}
	pr, err := c.Push(ctx, repo, late, "as a PR", &hfhub.CommitOptions{CreatePR: true})
	if err != nil {
		t.Fatal(err)
	}
	if pr.PRNum != 1 || pr.PRRevision != "refs/pr/1" || pr.PRURL != emu.Hub+"/"+repo+"/discussions/1" || head(t, repo, "refs/pr/1") != pr.OID {
		t.Fatalf("PR: %+v", pr)
	}
	if head(t, repo, "main") != two.OID {
		t.Fatal("a PR changed main")
	}
	if _, err := c.Push(ctx, repo, new(hfhub.Commit).AddBytes("x", nil), "", nil); !errors.Is(err, hfhub.ErrInvalidArgument) {
		t.Fatalf("empty summary: %v", err)
	}
}

func TestUploadFileFolderAndCancel(t *testing.T) {
	c := uploadClient(t)
	ctx := context.Background()
	const repo = "tester/go-folder"
	if _, err := c.CreateRepo(ctx, repo, nil); err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	write := func(p, s string) {
		f := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a.txt", "a")
	write("sub/b.txt", "b")
	write("skip.log", "log")
	write(".git/HEAD", "ref")
	info, err := c.UploadFile(ctx, repo, filepath.Join(root, "a.txt"), "single/a.txt", "", nil)
	if err != nil || !info.Committed {
		t.Fatalf("UploadFile: %+v %v", info, err)
	}
	fo := &hfhub.FolderOptions{PathInRepo: "up", IgnorePatterns: []string{"*.log"}, MaxOperationsPerCommit: 1}
	info, err = c.UploadFolder(ctx, repo, root, "", fo, nil)
	if err != nil || info.Commits != 2 {
		t.Fatalf("UploadFolder: %+v %v", info, err)
	}
	if string(hubGet(t, repo, "up/sub/b.txt")) != "b" {
		t.Fatal("up/sub/b.txt")
	}
	for _, r := range requests(t) {
		if strings.Contains(r.Path, "skip.log") || strings.Contains(r.Path, ".git/HEAD") {
			t.Fatalf("ignored file requested: %s", r.Path)
		}
	}
	again, err := c.UploadFolder(ctx, repo, root, "", fo, nil)
	if err != nil || again.Committed || again.Commits != 0 || again.OID != head(t, repo, "main") {
		t.Fatalf("rerun: %+v %v", again, err)
	}

	// Cancelled by the progress function, and by the context: the repository is unchanged.
	before := head(t, repo, "main")
	write("w.bin", strings.Repeat("w", 200000))
	stop := &hfhub.CommitOptions{Progress: func(p hfhub.Progress) bool { return p.Phase != hfhub.PhaseUpload }}
	if _, err := c.UploadFile(ctx, repo, filepath.Join(root, "w.bin"), "w.bin", "", stop); !errors.Is(err, hfhub.ErrCancelled) {
		t.Fatalf("cancel by progress: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancelling := &hfhub.CommitOptions{Progress: func(p hfhub.Progress) bool { cancel(); return true }}
	if _, err := c.UploadFile(cctx, repo, filepath.Join(root, "w.bin"), "w.bin", "", cancelling); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancel by context: %v", err)
	}
	if head(t, repo, "main") != before {
		t.Fatal("a cancelled upload changed the repository")
	}
	if _, err := c.UploadFile(ctx, repo, filepath.Join(root, "missing"), "m", "", nil); !errors.Is(err, hfhub.ErrIO) {
		t.Fatalf("missing file: %v", err)
	}
}
