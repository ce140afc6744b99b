// hf-download downloads one file from the Hugging Face Hub into the shared cache and prints its
// local path. Ctrl-C cancels the download cleanly (through the context).
//
//	hf-download [-repo-type model|dataset|space] [-revision REV] [-offline] [-progress] REPO_ID FILENAME
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

	hfhub "github.com/libhf-hub/hf_hub/bindings/go"
)

func main() {
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

	opts := &hfhub.DownloadOptions{Revision: *revision, LocalFilesOnly: *offline}
	switch *repoType {
	case "model":
		opts.RepoType = hfhub.RepoModel
	case "dataset":
		opts.RepoType = hfhub.RepoDataset
	case "space":
		opts.RepoType = hfhub.RepoSpace
	default:
		fmt.Fprintf(os.Stderr, "error: unknown repo type %q\n", *repoType)
		os.Exit(2)
	}
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

func fail(err error) {
	fmt.Fprintln(os.Stderr, "error:", err)
	var e *hfhub.Error
	if errors.As(err, &e) && e.Status > 0 && e.Status < 256 {
		os.Exit(int(e.Status)) // the hf_status code, like the C example
	}
	os.Exit(1)
}
