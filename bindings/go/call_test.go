package hfhub_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	hfhub "github.com/libhf-hub/hf_hub/bindings/go"
)

// statusTable lists every hf_status code in order: index == code.
var statusTable = []struct {
	status   hfhub.Status
	sentinel *hfhub.Error // nil for StatusOK
	name     string       // the C enum constant
}{
	{hfhub.StatusOK, nil, "HF_OK"},
	{hfhub.StatusInvalidArgument, hfhub.ErrInvalidArgument, "HF_ERR_INVALID_ARGUMENT"},
	{hfhub.StatusRepoNotFound, hfhub.ErrRepoNotFound, "HF_ERR_REPO_NOT_FOUND"},
	{hfhub.StatusRevisionNotFound, hfhub.ErrRevisionNotFound, "HF_ERR_REVISION_NOT_FOUND"},
	{hfhub.StatusEntryNotFound, hfhub.ErrEntryNotFound, "HF_ERR_ENTRY_NOT_FOUND"},
	{hfhub.StatusGated, hfhub.ErrGated, "HF_ERR_GATED"},
	{hfhub.StatusUnauthorized, hfhub.ErrUnauthorized, "HF_ERR_UNAUTHORIZED"},
	{hfhub.StatusForbidden, hfhub.ErrForbidden, "HF_ERR_FORBIDDEN"},
	{hfhub.StatusRateLimited, hfhub.ErrRateLimited, "HF_ERR_RATE_LIMITED"},
	{hfhub.StatusOffline, hfhub.ErrOffline, "HF_ERR_OFFLINE"},
	{hfhub.StatusIncompleteSnapshot, hfhub.ErrIncompleteSnapshot, "HF_ERR_INCOMPLETE_SNAPSHOT"},
	{hfhub.StatusNetwork, hfhub.ErrNetwork, "HF_ERR_NETWORK"},
	{hfhub.StatusTimeout, hfhub.ErrTimeout, "HF_ERR_TIMEOUT"},
	{hfhub.StatusHTTP, hfhub.ErrHTTP, "HF_ERR_HTTP"},
	{hfhub.StatusChecksum, hfhub.ErrChecksum, "HF_ERR_CHECKSUM"},
	{hfhub.StatusIO, hfhub.ErrIO, "HF_ERR_IO"},
	{hfhub.StatusCancelled, hfhub.ErrCancelled, "HF_ERR_CANCELLED"},
	{hfhub.StatusInternal, hfhub.ErrInternal, "HF_ERR_INTERNAL"},
	{hfhub.StatusDisabled, hfhub.ErrDisabled, "HF_ERR_DISABLED"},
	{hfhub.StatusBadRequest, hfhub.ErrBadRequest, "HF_ERR_BAD_REQUEST"},
	{hfhub.StatusMetadata, hfhub.ErrMetadata, "HF_ERR_METADATA"},
	{hfhub.StatusNoToken, hfhub.ErrNoToken, "HF_ERR_NO_TOKEN"},
	{hfhub.StatusStaleParent, hfhub.ErrStaleParent, "HF_ERR_STALE_PARENT"},
}

// TestStatusCodes checks, for every code 0..21, that the Go constant has that value, that its
// sentinel error carries it and matches exactly that code, and that the library's text
// (hf_status_str) names the same C constant. The first code past the table must be unknown to
// the library: a status added to the C enum fails here until the Go package has it too.
func TestStatusCodes(t *testing.T) {
	for code, tc := range statusTable {
		if int(tc.status) != code {
			t.Errorf("%s = %d, want %d", tc.name, int(tc.status), code)
		}
		text := hfhub.Status(code).String()
		if text != tc.name && !strings.HasPrefix(text, tc.name+":") {
			t.Errorf("Status(%d).String() = %q, want %q or %q", code, text, tc.name, tc.name+": ...")
		}
		if strings.Contains(text, "unknown status") {
			t.Errorf("Status(%d).String() = %q", code, text)
		}
		if tc.sentinel == nil {
			continue
		}
		if tc.sentinel.Status != tc.status {
			t.Errorf("sentinel of %s has Status %d", tc.name, tc.sentinel.Status)
		}
		if msg := tc.sentinel.Error(); msg != "hfhub: "+text {
			t.Errorf("sentinel of %s: Error() = %q, want %q", tc.name, msg, "hfhub: "+text)
		}
		err := fmt.Errorf("wrapped: %w", &hfhub.Error{Status: hfhub.Status(code), Message: "x"})
		for other, o := range statusTable {
			if o.sentinel != nil && errors.Is(err, o.sentinel) != (other == code) {
				t.Errorf("errors.Is(error with code %d, sentinel of %s) = %v", code, o.name, other != code)
			}
		}
	}
	if text := hfhub.Status(len(statusTable)).String(); text != "unknown status" {
		t.Errorf("Status(%d).String() = %q: the library has a status code the Go package lacks", len(statusTable), text)
	}
}

func TestVersionNumber(t *testing.T) {
	var major, minor, patch uint32
	if n, err := fmt.Sscanf(hfhub.Version(), "%d.%d.%d", &major, &minor, &patch); n != 3 {
		t.Fatalf("Version() = %q: %v", hfhub.Version(), err)
	}
	if got, want := hfhub.VersionNumber(), major*1_000_000+minor*1_000+patch; got != want {
		t.Fatalf("VersionNumber() = %d, want %d (Version() = %q)", got, want, hfhub.Version())
	}
}

// doneAfterCheck is a context that is already cancelled but whose first Err call reports
// nothing: a context cancelled just after the Go side checked it. Only the cancel token handed
// to the library can then stop the call.
type doneAfterCheck struct {
	context.Context
	calls atomic.Int32
}

func newDoneAfterCheck() *doneAfterCheck {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return &doneAfterCheck{Context: ctx}
}

func (c *doneAfterCheck) Err() error {
	if c.calls.Add(1) == 1 {
		return nil
	}
	return c.Context.Err()
}

// TestLibrarySeesCancelledContext checks that every network call hands the library a cancel
// token wired to its context: with a context that is done by the time the C call starts, the
// library itself refuses (HF_ERR_CANCELLED), sends nothing and writes nothing.
func TestLibrarySeesCancelledContext(t *testing.T) {
	c, opts := newClient(t, func(o *hfhub.ClientOptions) { o.Token = demoToken })
	calls := []struct {
		name string
		run  func(ctx context.Context) error
	}{
		{"Whoami", func(ctx context.Context) error { _, err := c.Whoami(ctx); return err }},
		{"Login", func(ctx context.Context) error { _, err := c.Login(ctx, demoToken); return err }},
		{"Download", func(ctx context.Context) error { _, err := c.Download(ctx, model, "config.json", nil); return err }},
		// Metadata: see TestMetadataCancel.
	}
	for _, tc := range calls {
		t.Run(tc.name, func(t *testing.T) {
			clearRequests(t)
			ctx := newDoneAfterCheck()
			err := tc.run(ctx)
			assertCancelled(t, err, context.Canceled)
			if ctx.calls.Load() < 2 {
				t.Fatalf("the context was checked %d times: the call never looked at it again", ctx.calls.Load())
			}
			if rs := requests(t); len(rs) != 0 {
				t.Fatalf("%d requests with a cancelled token: %+v", len(rs), rs)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(opts.HFHome, "token")); !os.IsNotExist(err) {
		t.Fatalf("a cancelled Login wrote the token file (%v)", err)
	}
	if _, err := os.Stat(filepath.Join(c.CacheDir(), "models--test-org--test-model")); !os.IsNotExist(err) {
		t.Fatalf("a cancelled Download wrote to the cache (%v)", err)
	}
}

func TestLoginContextDone(t *testing.T) {
	c, opts := newClient(t, nil)
	clearRequests(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Login(ctx, demoToken)
	assertCancelled(t, err, context.Canceled)
	ctx, cancel = context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	_, err = c.Login(ctx, demoToken)
	assertCancelled(t, err, context.DeadlineExceeded)
	if rs := requests(t); len(rs) != 0 {
		t.Fatalf("%d requests with a done context", len(rs))
	}
	if _, err := os.Stat(filepath.Join(opts.HFHome, "token")); !os.IsNotExist(err) {
		t.Fatalf("a cancelled Login wrote the token file (%v)", err)
	}
	// The client is fine afterwards.
	if name, err := c.Login(context.Background(), demoToken); err != nil || name == "" {
		t.Fatalf("Login: %q %v", name, err)
	}
}

// TestNULArguments checks that a Go string with a NUL byte fails the call before C is entered,
// whichever argument holds it, and that the client stays usable.
func TestNULArguments(t *testing.T) {
	c, _ := newClient(t, func(o *hfhub.ClientOptions) { o.Token = demoToken })
	ctx := context.Background()
	clearRequests(t)
	calls := map[string]func() error{
		"Download repoID": func() error { _, err := c.Download(ctx, model+"\x00", "config.json", nil); return err },
		"Download Revision": func() error {
			_, err := c.Download(ctx, model, "config.json", &hfhub.DownloadOptions{Revision: "main\x00x"})
			return err
		},
		"Metadata Subfolder": func() error {
			_, err := c.Metadata(ctx, model, "config.json", &hfhub.DownloadOptions{Subfolder: "a\x00"})
			return err
		},
		"TryLoadFromCache filename": func() error { _, _, err := c.TryLoadFromCache(model, "a\x00", nil); return err },
		"Login token":               func() error { _, err := c.Login(ctx, demoToken+"\x00"); return err },
		"Logout name":               func() error { return c.Logout("x\x00") },
		"SwitchToken name":          func() error { return c.SwitchToken("x\x00") },
	}
	for name, run := range calls {
		err := run()
		if !errors.Is(err, hfhub.ErrInvalidArgument) || !strings.Contains(err.Error(), "NUL") {
			t.Errorf("%s: %v, want ErrInvalidArgument about a NUL byte", name, err)
		}
	}
	if rs := requests(t); len(rs) != 0 {
		t.Fatalf("%d requests for invalid arguments: %+v", len(rs), rs)
	}
	if _, err := c.Download(ctx, model, "config.json", nil); err != nil {
		t.Fatalf("Download after the failures: %v", err)
	}
}

// waitForRequest polls the emulator's log until a request whose path is path has arrived.
func waitForRequest(path string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		resp, err := http.Get(emu.Hub + "/_emulator/requests")
		if err != nil {
			return err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		var rs []recordedRequest
		if err := json.Unmarshal(body, &rs); err != nil {
			return err
		}
		for _, r := range rs {
			if r.Path == path {
				return nil
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	return fmt.Errorf("no request for %s within %v", path, timeout)
}

// cancelInFlight runs call with a context that is cancelled as soon as a request for path has
// reached the Hub, which delays its answer by delay, and checks that call returns promptly with
// a cancelled error.
func cancelInFlight(t *testing.T, path string, delay time.Duration, call func(ctx context.Context) error) {
	t.Helper()
	clearRequests(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	waitErr := make(chan error, 1)
	go func() {
		waitErr <- waitForRequest(path, delay)
		cancel()
	}()
	begin := time.Now()
	err := call(ctx)
	elapsed := time.Since(begin)
	if werr := <-waitErr; werr != nil {
		t.Fatal(werr)
	}
	if !errors.Is(err, hfhub.ErrCancelled) || !errors.Is(err, context.Canceled) || elapsed > delay/2 {
		t.Fatalf("cancelled while the Hub delays %s by %v: returned after %v with %v; want ErrCancelled and context.Canceled within %v",
			path, delay, elapsed, err, delay/2)
	}
}

// delayHub makes the Hub answer requests whose path contains path after delay, until the end of
// the test.
func delayHub(t *testing.T, method, path string, delay time.Duration) {
	control(t, http.MethodPost, "/_emulator/faults", map[string]any{
		"origin":        "hub",
		"method":        method,
		"path_contains": path,
		"action":        map[string]any{"delay_ms": delay.Milliseconds()},
	})
	t.Cleanup(func() { control(t, http.MethodDelete, "/_emulator/faults", nil) })
}

// TestAuthCancelInFlight cancels Whoami and Login while the Hub sits on /api/whoami-v2: the
// calls must return promptly, cancelled, and Login must write nothing (hf_auth_whoami_ex /
// hf_auth_login_ex abort the in-flight request).
func TestAuthCancelInFlight(t *testing.T) {
	c, opts := newClient(t, func(o *hfhub.ClientOptions) { o.Token = demoToken })
	const delay = 5 * time.Second
	delayHub(t, "GET", "/api/whoami-v2", delay)
	t.Run("Whoami", func(t *testing.T) {
		cancelInFlight(t, "/api/whoami-v2", delay, func(ctx context.Context) error { _, err := c.Whoami(ctx); return err })
	})
	t.Run("Login", func(t *testing.T) {
		cancelInFlight(t, "/api/whoami-v2", delay, func(ctx context.Context) error { _, err := c.Login(ctx, demoToken); return err })
	})
	if _, err := os.Stat(filepath.Join(opts.HFHome, "token")); !os.IsNotExist(err) {
		t.Fatalf("a cancelled Login wrote the token file (%v)", err)
	}
}

// TestMetadataCancel checks that Metadata hands its cancel token to the library: a context done
// by the time the C call starts sends nothing, and one cancelled during the HEAD request aborts
// it (hf_file_get_metadata honours options->cancel).
func TestMetadataCancel(t *testing.T) {
	c, _ := newClient(t, nil)
	t.Run("done before the request", func(t *testing.T) {
		clearRequests(t)
		_, err := c.Metadata(newDoneAfterCheck(), model, "config.json", nil)
		assertCancelled(t, err, context.Canceled)
		if rs := requests(t); len(rs) != 0 {
			t.Fatalf("%d requests with a cancelled token: %+v", len(rs), rs)
		}
	})
	t.Run("in flight", func(t *testing.T) {
		const delay = 5 * time.Second
		path := "/" + model + "/resolve/main/config.json"
		delayHub(t, "HEAD", path, delay)
		cancelInFlight(t, path, delay, func(ctx context.Context) error {
			_, err := c.Metadata(ctx, model, "config.json", nil)
			return err
		})
	})
}
