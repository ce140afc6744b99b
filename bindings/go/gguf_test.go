package hfhub_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	hfhub "github.com/libhf-hub/hf_hub/bindings/go"
)

// The GGUF repo the emulator serves (loaded from a folder by TestMain): several quants, a split
// BF16 model in a folder, projectors at two quants, and an unrelated file.
const ggufRepo = "test-org/tiny-GGUF"

var ggufFiles = []string{
	"README.md",
	"tiny-Q4_K_M.gguf",
	"tiny-Q8_0.gguf",
	"tiny-IQ8_0.gguf",
	"BF16/tiny-BF16-00001-of-00002.gguf",
	"BF16/tiny-BF16-00002-of-00002.gguf",
	"mmproj-tiny-F16.gguf",
	"mmproj-tiny-Q8_0.gguf",
}

func ggufContent(name string) []byte {
	return []byte("GGUF" + strings.Repeat(name, 40))
}

// writeGGUFRepo writes the repo's files under dir/gguf and returns that folder.
func writeGGUFRepo(dir string) (string, error) {
	root := filepath.Join(dir, "gguf")
	for _, f := range ggufFiles {
		p := filepath.Join(root, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return "", err
		}
		if err := os.WriteFile(p, ggufContent(f), 0o644); err != nil {
			return "", err
		}
	}
	return root, nil
}

func TestGGUFResolveDownloadOffline(t *testing.T) {
	c, opts := newClient(t, nil)
	ctx := context.Background()
	plan, err := c.ResolveGGUF(ctx, ggufRepo+":bf16", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer plan.Close()
	if !commitRE.MatchString(plan.Commit) || plan.Quant != "BF16" || plan.RepoID != ggufRepo || plan.Revision != "main" {
		t.Fatalf("plan %+v", plan)
	}
	want := []string{"BF16/tiny-BF16-00001-of-00002.gguf", "BF16/tiny-BF16-00002-of-00002.gguf", "mmproj-tiny-F16.gguf"}
	if len(plan.Files) != len(want) {
		t.Fatalf("files %+v", plan.Files)
	}
	for i, f := range plan.Files {
		if f.Path != want[i] || f.LocalPath != "" || len(f.SHA256) != 64 || f.Size != uint64(len(ggufContent(f.Path))) {
			t.Errorf("file %d: %+v", i, f)
		}
	}
	if plan.ModelCount != 2 || plan.Model()[1].Role != hfhub.GGUFModel || len(plan.Model()) != 2 || plan.Files[2].Role != hfhub.GGUFMmproj || plan.Files[2].Role.String() != "mmproj" {
		t.Errorf("roles: %+v", plan.Files)
	}

	var last hfhub.Progress
	done, err := c.DownloadGGUFPlan(ctx, plan, &hfhub.GGUFOptions{Progress: func(p hfhub.Progress) bool {
		last = p
		return true
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer done.Close()
	var total uint64
	for _, f := range done.Files {
		b, err := os.ReadFile(f.LocalPath)
		if err != nil || string(b) != string(ggufContent(f.Path)) {
			t.Errorf("%s: %v", f.Path, err)
		}
		total += f.Size
	}
	if last.FilesDone != 3 || last.FilesTotal != 3 || last.TotalBytesDone != total || last.TotalBytesTotal != total {
		t.Errorf("last progress %+v, want 3 files, %d bytes", last, total)
	}

	// Offline: the same files from the cache alone.
	off, _ := newClient(t, func(o *hfhub.ClientOptions) { o.HFHome = opts.HFHome; o.Offline = hfhub.Bool(true) })
	cached, err := off.ResolveGGUF(ctx, ggufRepo+":BF16", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cached.Close()
	for i := range done.Files {
		if cached.Files[i].LocalPath != done.Files[i].LocalPath {
			t.Errorf("offline %d: %q != %q", i, cached.Files[i].LocalPath, done.Files[i].LocalPath)
		}
	}
	if _, err := off.ResolveGGUF(ctx, ggufRepo+":Q8_0", nil); !errors.Is(err, hfhub.ErrIncompleteSnapshot) {
		t.Errorf("a quant the cache lacks: %v", err)
	}
	plan.Close()
	if _, err := c.DownloadGGUFPlan(ctx, plan, nil); !errors.Is(err, hfhub.ErrInvalidArgument) {
		t.Errorf("closed plan: %v", err)
	}
}

func TestGGUFOneCallAndErrors(t *testing.T) {
	c, _ := newClient(t, nil)
	ctx := context.Background()
	plan, err := c.DownloadGGUF(ctx, ggufRepo+":q8_0", &hfhub.GGUFOptions{NoMmproj: true})
	if err != nil {
		t.Fatal(err)
	}
	defer plan.Close()
	if len(plan.Files) != 1 || plan.Files[0].Path != "tiny-Q8_0.gguf" || plan.Files[0].LocalPath == "" {
		t.Fatalf("Q8_0 is not IQ8_0: %+v", plan.Files)
	}
	if !strings.Contains(plan.JSON, `"quant":"Q8_0"`) {
		t.Errorf("json %s", plan.JSON)
	}
	_, err = c.ResolveGGUF(ctx, ggufRepo+":Q5_K_M", nil)
	if !errors.Is(err, hfhub.ErrEntryNotFound) || !strings.Contains(err.Error(), "BF16, IQ8_0, Q4_K_M, Q8_0") {
		t.Errorf("unknown quant: %v", err)
	}
	if _, err := c.ResolveGGUF(ctx, "not a repo", nil); !errors.Is(err, hfhub.ErrInvalidArgument) {
		t.Errorf("bad spec: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := c.DownloadGGUF(cctx, ggufRepo+":BF16", nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
}
