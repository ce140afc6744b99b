package hfhub

/*
#include "hf_hub.h"
*/
import "C"

import (
	"context"
	"math"
	"runtime"
	"sync"
	"time"
	"unsafe"
)

// ClientOptions configures a Client. The zero value (or a nil pointer) means "everything from the
// environment (HF_ENDPOINT, HF_HOME, HF_TOKEN, HF_HUB_OFFLINE, ...), else the defaults".
// Empty strings, nil pointers and zero durations are "not set".
type ClientOptions struct {
	Endpoint        string // Hub base URL, like HF_ENDPOINT
	HFHome          string // like HF_HOME: root of the token file and the default cache
	CacheDir        string // hub cache folder, like HF_HUB_CACHE (default <HFHome>/hub)
	Token           string // an explicit token; wins over HF_TOKEN and the token file
	TokenPath       string // the token file, like HF_TOKEN_PATH (default <HFHome>/token)
	UserAgent       string // extra user-agent text, e.g. "myapp/1.2"
	UserAgentOrigin string // appended as origin/<value>, like HF_HUB_USER_AGENT_ORIGIN

	Offline              *bool // no network at all (like HF_HUB_OFFLINE)
	DisableImplicitToken *bool // send only Token, never HF_TOKEN or the token file
	DisableSymlinks      *bool // never create symlinks in the cache

	// Durable syncs each downloaded blob and its folder to stable storage before publishing it
	// (true), or not (false, the default: a killed process never publishes a wrong blob, only a
	// power loss could lose the newest ones). nil: from HF_HUB_C_DURABLE.
	Durable *bool

	EtagTimeout     time.Duration // metadata HEAD timeout (default 10 s, or HF_HUB_ETAG_TIMEOUT)
	DownloadTimeout time.Duration // connect/read timeout (default 10 s, or HF_HUB_DOWNLOAD_TIMEOUT)
	MaxRetries      *int          // retries when the Hub is unreachable and nothing is cached (default 5)

	// CacheMaxBytes is a cache size quota in bytes (0: none): after each download that adds a
	// blob, the least recently used revisions are evicted down to this size, never the revision
	// just downloaded nor what another download holds locked.
	CacheMaxBytes uint64

	// MaxBytesPerSec is a bandwidth cap in bytes per second (0: none), shared by every transfer
	// of the client.
	MaxBytesPerSec uint64

	// Lanes is the number of parallel ranged connections for one large file (1: one stream; at
	// most 64), LaneChunkBytes the bytes each range request asks for (at least 65536), and
	// LanesMinSize the size below which a file is one stream. 0: HF_HUB_C_LANES (default 8),
	// HF_HUB_C_LANE_CHUNK (16 MiB), HF_HUB_C_LANES_MIN_SIZE (16 MiB).
	Lanes          uint32
	LaneChunkBytes uint64
	LanesMinSize   uint64

	IgnoreEnv bool // read no environment variable at all; unset fields take built-in defaults
}

// Bool returns a pointer to b, for the *bool fields of ClientOptions.
func Bool(b bool) *bool { return &b }

// Int returns a pointer to i, for ClientOptions.MaxRetries.
func Int(i int) *int { return &i }

// Client is a Hub client: configuration, connection pool and token. A *Client is safe for
// concurrent use by many goroutines; one client can serve a whole program. Close it when done.
type Client struct {
	mu     sync.Mutex
	ptr    *C.hf_client
	active int  // calls currently using ptr
	closed bool // Close was called; ptr is freed when active drops to 0
}

// NewClient creates a client. opts may be nil. The environment (unless IgnoreEnv) is read once,
// here.
func NewClient(opts *ClientOptions) (*Client, error) {
	var (
		a    cArena
		copt *C.hf_client_options
		o    C.hf_client_options
	)
	defer a.free()
	if opts != nil {
		C.hf_client_options_init_sized(&o, C.uint32_t(unsafe.Sizeof(o)))
		o.ignore_env = C.bool(opts.IgnoreEnv)
		o.endpoint = a.str("Endpoint", opts.Endpoint)
		o.hf_home = a.str("HFHome", opts.HFHome)
		o.cache_dir = a.str("CacheDir", opts.CacheDir)
		o.token = a.str("Token", opts.Token)
		o.token_path = a.str("TokenPath", opts.TokenPath)
		o.user_agent = a.str("UserAgent", opts.UserAgent)
		o.user_agent_origin = a.str("UserAgentOrigin", opts.UserAgentOrigin)
		o.offline = cBool3(opts.Offline)
		o.disable_implicit_token = cBool3(opts.DisableImplicitToken)
		o.disable_symlinks = cBool3(opts.DisableSymlinks)
		var err error
		if o.etag_timeout_ms, err = millis("EtagTimeout", opts.EtagTimeout); err != nil {
			return nil, err
		}
		if o.download_timeout_ms, err = millis("DownloadTimeout", opts.DownloadTimeout); err != nil {
			return nil, err
		}
		o.max_retries = -1
		if opts.MaxRetries != nil {
			if *opts.MaxRetries < 0 || *opts.MaxRetries > math.MaxInt32 {
				return nil, &Error{Status: StatusInvalidArgument, Message: "MaxRetries must be between 0 and 2^31-1"}
			}
			o.max_retries = C.int32_t(*opts.MaxRetries)
		}
		o.cache_max_bytes = C.uint64_t(opts.CacheMaxBytes)
		o.durable = cBool3(opts.Durable)
		o.max_bytes_per_sec = C.uint64_t(opts.MaxBytesPerSec)
		o.lanes = C.uint32_t(opts.Lanes)
		o.lane_chunk_bytes = C.uint64_t(opts.LaneChunkBytes)
		o.lanes_min_size = C.uint64_t(opts.LanesMinSize)
		if err := a.check(); err != nil {
			return nil, err
		}
		copt = &o
	}
	var (
		ptr  *C.hf_client
		cerr *C.hf_error
	)
	if err := takeError(C.hf_client_new(copt, &ptr, &cerr), cerr); err != nil {
		return nil, err
	}
	c := &Client{ptr: ptr}
	runtime.SetFinalizer(c, func(c *Client) { _ = c.Close() })
	return c, nil
}

func millis(what string, d time.Duration) (C.uint32_t, error) {
	if d < 0 {
		return 0, &Error{Status: StatusInvalidArgument, Message: what + " must not be negative"}
	}
	ms := (d + time.Millisecond - 1) / time.Millisecond // round up: 1ns is not "default"
	if ms > math.MaxUint32 {
		return 0, &Error{Status: StatusInvalidArgument, Message: what + " is too large"}
	}
	return C.uint32_t(ms), nil
}

// Close releases the client. It is idempotent and never blocks: calls still running keep the
// native client alive and the last of them frees it. Calls made after Close fail with an error
// wrapping ErrClientClosed. A finalizer also closes a forgotten client.
func (c *Client) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	runtime.SetFinalizer(c, nil)
	if c.active == 0 && c.ptr != nil {
		C.hf_client_free(c.ptr)
		c.ptr = nil
	}
	return nil
}

// acquire returns the native client for one call; release must follow.
func (c *Client) acquire() (*C.hf_client, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed || c.ptr == nil {
		return nil, &Error{Status: StatusInvalidArgument, Message: "client is closed", cause: ErrClientClosed}
	}
	c.active++
	return c.ptr, nil
}

func (c *Client) release() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.active--
	if c.closed && c.active == 0 && c.ptr != nil {
		C.hf_client_free(c.ptr)
		c.ptr = nil
	}
}

// CacheDir returns the hub cache folder the client uses ("" on a closed client).
func (c *Client) CacheDir() string {
	var dir string
	_ = c.call(context.Background(), func(k *call) C.hf_status {
		var out *C.char
		status := C.hf_client_cache_dir(k.client, &out, &k.cerr)
		dir = takeString(out)
		return status
	})
	return dir
}

// Version returns the version of the native library, "MAJOR.MINOR.PATCH".
func Version() string { return C.GoString(C.hf_version()) }

// VersionNumber returns the version of the native library as one number,
// MAJOR*1000000 + MINOR*1000 + PATCH (the C macro HF_HUB_VERSION_NUMBER of the library's header).
func VersionNumber() uint32 { return uint32(C.hf_version_number()) }

// Version returns the version of the native library (the same as the package-level Version).
func (c *Client) Version() string { return Version() }
