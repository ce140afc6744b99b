// hf-download downloads one file from the Hugging Face Hub into the shared cache and prints its
// local path. Ctrl-C cancels the download cleanly (through the context).
//
//	hf-download [-repo-type model|dataset|space] [-revision REV] [-offline] [-progress] REPO_ID FILENAME
//
// Its upload command uploads a file or a folder in one commit (or several, for very large
// folders), with a progress bar, and prints the commit URL. Ctrl-C cancels it and leaves the
// repository unchanged; running it again sends only what the Hub does not have yet.
//
//	hf-download upload [-repo-type T] [-revision REV] [-create] [-private] [-pr] [-message M]
//	                   [-path-in-repo P] [-ignore PATTERN] REPO_ID LOCAL_PATH
//
// The client is configured from the environment (HF_ENDPOINT, HF_HOME, HF_HUB_CACHE, HF_TOKEN,
// HF_HUB_OFFLINE, ...), like the official Python client. It builds against the installed library
// through pkg-config (PKG_CONFIG_PATH for a non-standard prefix; `-tags static` links
// libhf_hub.a), see ../../bindings/go/README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"

	hfhub "github.com/libhf-hub/hf_hub/bindings/go"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "upload" {
		upload(os.Args[2:])
		return
	}
	repoType := flag.String("repo-type", "model", "repository type: model, dataset or space")
	revision := flag.String("revision", "", "branch, tag or commit (default main)")
	offline := flag.Bool("offline", false, "answer from the cache only")
	progress := flag.Bool("progress", false, "report progress on stderr")
	version := flag.Bool("version", false, "print the library version")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: %s [flags] REPO_ID FILENAME\n", os.Args[0])
		flag.PrintDefaults()
	}
	flag.Parse()
	if *version {
		fmt.Printf("hf-download (libhf_hub %s)\n", hfhub.Version())
		return
	}
	if flag.NArg() != 2 {
		flag.Usage()
		os.Exit(2)
	}

	opts := &hfhub.DownloadOptions{Revision: *revision, LocalFilesOnly: *offline, RepoType: parseRepoType(*repoType)}
	if *progress {
		opts.Progress = func(p hfhub.Progress) bool {
			fmt.Fprintf(os.Stderr, "\r%s: %d / %d bytes", p.Filename, p.BytesDone, p.BytesTotal)
			return true
		}
	}

	client, err := hfhub.NewClient(nil)
	if err != nil {
		fail(err)
	}
	defer client.Close()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	path, err := client.Download(ctx, flag.Arg(0), flag.Arg(1), opts)
	if *progress {
		fmt.Fprintln(os.Stderr)
	}
	if err != nil {
		client.Close()
		fail(err)
	}
	fmt.Println(path)
}

func parseRepoType(s string) hfhub.RepoType {
	switch s {
	case "model":
		return hfhub.RepoModel
	case "dataset":
		return hfhub.RepoDataset
	case "space":
		return hfhub.RepoSpace
	}
	fmt.Fprintf(os.Stderr, "error: unknown repo type %q\n", s)
	os.Exit(2)
	return 0
}

// upload is the `upload` command: a file or a folder, with a progress bar on stderr.
func upload(args []string) {
	fs := flag.NewFlagSet("upload", flag.ExitOnError)
	repoType := fs.String("repo-type", "model", "repository type: model, dataset or space")
	revision := fs.String("revision", "", "branch to commit to (default main)")
	create := fs.Bool("create", false, "create the repository first (an existing one is fine)")
	private := fs.Bool("private", false, "with -create: make the repository private")
	pr := fs.Bool("pr", false, "open a pull request instead of committing to the branch")
	message := fs.String("message", "", "commit title (default: like the official client)")
	pathInRepo := fs.String("path-in-repo", "", "destination in the repository (default: the file name, or the root for a folder)")
	var ignores multiFlag
	fs.Var(&ignores, "ignore", "folder upload: skip files matching this pattern (repeatable)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: %s upload [flags] REPO_ID LOCAL_PATH\n", os.Args[0])
		fs.PrintDefaults()
	}
	_ = fs.Parse(args)
	if fs.NArg() != 2 {
		fs.Usage()
		os.Exit(2)
	}
	repo, local := fs.Arg(0), fs.Arg(1)
	rt := parseRepoType(*repoType)

	client, err := hfhub.NewClient(nil)
	if err != nil {
		fail(err)
	}
	defer client.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	if *create {
		vis := hfhub.VisibilityDefault
		if *private {
			vis = hfhub.VisibilityPrivate
		}
		if _, err := client.CreateRepo(ctx, repo, &hfhub.RepoOptions{RepoType: rt, Visibility: vis, ExistOK: true}); err != nil {
			fail(err)
		}
	}
	bar := &progressBar{}
	opts := &hfhub.CommitOptions{RepoType: rt, Revision: *revision, CreatePR: *pr, Progress: bar.update}
	st, err := os.Stat(local)
	if err != nil {
		fail(err)
	}
	var info *hfhub.CommitInfo
	if st.IsDir() {
		fo := &hfhub.FolderOptions{PathInRepo: *pathInRepo, IgnorePatterns: ignores}
		info, err = client.UploadFolder(ctx, repo, local, *message, fo, opts)
	} else {
		dest := *pathInRepo
		if dest == "" {
			dest = filepath.Base(local)
		}
		info, err = client.UploadFile(ctx, repo, local, dest, *message, opts)
	}
	bar.done()
	if err != nil {
		client.Close()
		fail(err)
	}
	switch {
	case !info.Committed:
		fmt.Println("nothing to commit: the repository already has these files;", info.URL)
	case info.PRURL != "":
		fmt.Println(info.PRURL)
	default:
		fmt.Println(info.URL)
	}
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(s string) error { *m = append(*m, s); return nil }

// progressBar draws `[=====>    ]  45% hashing w.bin  12.3/30.0 MB` on stderr: the whole-call
// fraction (bytes hashed plus bytes sent) and the current file.
type progressBar struct {
	drawn bool
}

func (b *progressBar) update(p hfhub.Progress) bool {
	const width = 30
	frac := 0.0
	if p.TotalBytesTotal > 0 {
		frac = float64(p.TotalBytesDone) / float64(p.TotalBytesTotal)
	}
	filled := int(frac * width)
	bar := strings.Repeat("=", filled)
	if filled < width {
		bar += ">" + strings.Repeat(" ", width-filled-1)
	}
	verb := "sending"
	if p.Phase == hfhub.PhaseHash {
		verb = "hashing"
	}
	fmt.Fprintf(os.Stderr, "\r[%s] %3.0f%% %s %s  %.1f/%.1f MB\033[K", bar, frac*100, verb, p.Filename,
		float64(p.BytesDone)/1e6, float64(p.BytesTotal)/1e6)
	b.drawn = true
	return true
}

func (b *progressBar) done() {
	if b.drawn {
		fmt.Fprintln(os.Stderr)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "error:", err)
	var e *hfhub.Error
	if errors.As(err, &e) && e.Status > 0 && e.Status < 256 {
		os.Exit(int(e.Status)) // the hf_status code, like the C example
	}
	os.Exit(1)
}
