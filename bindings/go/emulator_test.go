package hfhub_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// The hub emulator (tests/hub-emulator) is started once for the package by TestMain.
// HF_EMULATOR_BIN names the binary; without it, ../../target/debug/hub-emulator is used. A missing
// emulator fails the run (build it with `cargo build -p hub-emulator`): no test is silently skipped.

const (
	demoToken     = "hf_localtesttoken0123456789" // user "tester", member of test-org
	outsiderToken = "hf_outsidertoken0123456789"  // user "outsider", no orgs
)

type emulator struct {
	Hub string `json:"hub"`
	CDN string `json:"cdn"`
}

var emu *emulator

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	bin := os.Getenv("HF_EMULATOR_BIN")
	if bin == "" {
		_, file, _, _ := runtime.Caller(0)
		bin = filepath.Join(filepath.Dir(file), "..", "..", "target", "debug", "hub-emulator")
	}
	if _, err := os.Stat(bin); err != nil {
		fmt.Fprintf(os.Stderr, "hub emulator %s: %v (build it with `cargo build -p hub-emulator`, or set HF_EMULATOR_BIN)\n", bin, err)
		return 1
	}
	dir, err := os.MkdirTemp("", "hfhub-go-emu")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	ready := filepath.Join(dir, "ready.json")
	ggufDir, err := writeGGUFRepo(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	cmd := exec.Command(bin, "--demo", "--ready-file", ready, "--user", outsiderToken+":outsider",
		"--load", "model:"+ggufRepo+"="+ggufDir)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	setPdeathsig(cmd)
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "starting hub emulator:", err)
		return 1
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if b, err := os.ReadFile(ready); err == nil && len(b) > 0 {
			var e emulator
			if json.Unmarshal(b, &e) == nil && e.Hub != "" {
				emu = &e
				break
			}
		}
		if time.Now().After(deadline) {
			fmt.Fprintf(os.Stderr, "hub emulator not ready after 30 s; output:\n%s\n", logs.String())
			return 1
		}
		time.Sleep(20 * time.Millisecond)
	}
	return m.Run()
}

func needEmulator(t *testing.T) *emulator {
	t.Helper()
	if emu == nil {
		t.Fatal("hub emulator not started")
	}
	return emu
}

type recordedRequest struct {
	Origin  string      `json:"origin"`
	Method  string      `json:"method"`
	Path    string      `json:"path"`
	Query   *string     `json:"query"`
	Headers [][2]string `json:"headers"`
	Status  int         `json:"status"`
}

func (r recordedRequest) header(name string) (string, bool) {
	for _, h := range r.Headers {
		if strings.EqualFold(h[0], name) {
			return h[1], true
		}
	}
	return "", false
}

func control(t *testing.T, method, path string, body any) []byte {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, emu.Hub+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		t.Fatalf("%s %s: %s: %s", method, path, resp.Status, out)
	}
	return out
}

func clearRequests(t *testing.T) { control(t, http.MethodDelete, "/_emulator/requests", nil) }

func requests(t *testing.T) []recordedRequest {
	var rs []recordedRequest
	if err := json.Unmarshal(control(t, http.MethodGet, "/_emulator/requests", nil), &rs); err != nil {
		t.Fatal(err)
	}
	return rs
}

// throttleCDN slows the CDN origin down until the end of the test.
func throttleCDN(t *testing.T, bytesPerSec int) {
	control(t, http.MethodPost, "/_emulator/faults", map[string]any{
		"origin": "cdn",
		"action": map[string]any{"throttle": map[string]any{"bytes_per_sec": bytesPerSec}},
	})
	t.Cleanup(func() { control(t, http.MethodDelete, "/_emulator/faults", nil) })
}
