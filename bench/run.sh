#!/usr/bin/env bash
# make bench: libhf_hub against its peers (the official Python client, the hf-hub crate, aria2c,
# curl) on loopback.
#
# Self-contained: installs what is missing (nginx-light, aria2 with apt; toxiproxy with `go install`
# into .tools/bin; the venv), builds the release library, the release hub-emulator, the C example CLI
# (CMake, Release, into build-release/), bench/hf_bench.c, and the two bench-only Rust programs
# bench/hf-hub-peer (the hf-hub crate 1.0.0) and bench/sha256-rate (each its own workspace, built in
# release into target/bench-peers). Starts the emulator as the Hub and nginx as the CDN (its LFS 302s
# point at nginx, which serves the exported objects with sendfile), toxiproxy in front of nginx
# (latency + per-connection bandwidth cap, workload a') and in front of the Hub (latency, workload
# b'), and an nginx reverse proxy of the Hub that rewrites the LFS 302 to the toxiproxy CDN port
# (the Hub URL of workload a'); runs bench/bench.py; stops every server and removes its temp dir on
# any exit. Only 127.0.0.1 is used.
#
# Knobs (environment):
#   BENCH_LARGE_MIB=2048  size of the large LFS file      BENCH_RUNS=5      runs per case (medians)
#   BENCH_LANES=<library default, else 8>  our lanes (HF_HUB_C_LANES) = aria2c's -x/-s
#   BENCH_LINK_LATENCY_MS=20 BENCH_LINK_MBPS=50   toxiproxy: latency, and the cap per connection (MB/s)
#   BENCH_SNAP_N=1000 BENCH_SNAP_KIB=4 BENCH_SNAP_WORKERS=8   the snapshot workloads (b), (b')
#   BENCH_SMALL_KIB=40    size of each small file         BENCH_SMALL_N=50  small files per process
#   BENCH_WARM_N=200      warm cache hits per process
#   BENCH_UPLOAD_MIB=1024 size of the LFS file uploaded by workload (d) (the emulator holds one copy
#                         at a time in memory, plus the request body being received)
#   BENCH_SCAN_REPOS=100 BENCH_SCAN_FILES=200   the cache scanned by workload 4 (20,000 files)
#   BENCH_ONLY=large,link,snap,snap-link,small,warm,scan,upload   a subset (then BENCHMARKS.md is left alone)
#   BENCH_DOC=BENCHMARKS.md  results section rewritten there ("" = leave it alone)
#   BENCH_JSON=bench/results/latest.json  raw results ("" = none)
#   BENCH_BUILD_DIR=build-release   BENCH_TMPDIR=$TMPDIR   BENCH_MAX_SECONDS=2400 (whole measuring phase)
# Quick smoke run: BENCH_LARGE_MIB=64 BENCH_UPLOAD_MIB=64 BENCH_RUNS=2 BENCH_SNAP_N=200 BENCH_DOC= make bench
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export PATH="$ROOT/.tools/bin:$HOME/.cargo/bin:$PATH:/usr/sbin:/sbin"
export CARGO_TERM_COLOR=never

LARGE_MIB=${BENCH_LARGE_MIB:-2048}
SMALL_KIB=${BENCH_SMALL_KIB:-40}
SMALL_N=${BENCH_SMALL_N:-50}
WARM_N=${BENCH_WARM_N:-200}
SCAN_REPOS=${BENCH_SCAN_REPOS:-100}
SCAN_FILES=${BENCH_SCAN_FILES:-200}
RUNS=${BENCH_RUNS:-5}
UPLOAD_MIB=${BENCH_UPLOAD_MIB:-1024}
# Workload (d) writes with this token: a user of the emulator, member of the `bench` namespace.
UPLOAD_TOKEN=hf_benchuploadtoken0123456789
# Our default lane count, read from the library's source when it has one (the lanes work), else 8.
DEFAULT_LANES=$(sed -n 's/^pub const DEFAULT_LANES: u32 = \([0-9]*\);.*/\1/p' src/config.rs 2>/dev/null | head -1)
LANES=${BENCH_LANES:-${DEFAULT_LANES:-8}}
LINK_LATENCY_MS=${BENCH_LINK_LATENCY_MS:-20}
LINK_MBPS=${BENCH_LINK_MBPS:-50}
SNAP_N=${BENCH_SNAP_N:-1000}
SNAP_KIB=${BENCH_SNAP_KIB:-4}
SNAP_WORKERS=${BENCH_SNAP_WORKERS:-8}
ONLY=${BENCH_ONLY:-}
DOC=${BENCH_DOC-$ROOT/BENCHMARKS.md}
JSON=${BENCH_JSON-$ROOT/bench/results/latest.json}
BUILD_DIR=${BENCH_BUILD_DIR:-$ROOT/build-release}
MAX_SECONDS=${BENCH_MAX_SECONDS:-2400}
REPO=bench/bench-model
SNAP_REPO=bench/bench-snapshot

log() { printf 'bench: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }
SECONDS=0

# ---- what a fresh machine lacks ----------------------------------------------------------------
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v nginx >/dev/null; then
  log "installing nginx-light (apt; no service is started)"
  # Debian starts a package's service on install unless policy-rc.d forbids it: forbid it for this
  # install when nothing else already does, so no system nginx ends up listening.
  guard=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    guard=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' | as_root tee "$guard" >/dev/null && as_root chmod 755 "$guard"
  fi
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq nginx-light >/dev/null
  [ -n "$guard" ] && as_root rm -f "$guard"
fi
missing=""
command -v aria2c >/dev/null || missing="$missing aria2"
[ -x /usr/bin/time ] || missing="$missing time"   # GNU time: the peak RSS of (a) and (a')
if [ -n "$missing" ]; then
  log "installing$missing (apt)"
  as_root apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq $missing >/dev/null
fi
TOXIPROXY=$ROOT/.tools/bin/toxiproxy-server
make -s apt-deps toxiproxy venv   # toxiproxy-server (go install, the Makefile's one rule); cmake, ninja, g++, curl; .venv with huggingface_hub==2.4.0

# ---- build (release) -----------------------------------------------------------------------------
log "building (release)"
cargo build --release -p hub-emulator -p hf_hub
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DHF_HUB_BUILD_TESTS=OFF >/dev/null
cmake --build "$BUILD_DIR" --target hf_download
mkdir -p "$BUILD_DIR/bench"
cc -O2 -std=c11 -Wall -Wextra -Werror -I include bench/hf_bench.c -o "$BUILD_DIR/bench/hf_bench" \
  -L "$BUILD_DIR/lib" -lhf_hub -Wl,-rpath,"$BUILD_DIR/lib"
# The bench-only Rust programs: their own workspaces and lock files, their own target dir.
for crate in hf-hub-peer sha256-rate; do
  cargo build --release --locked --manifest-path "bench/$crate/Cargo.toml" --target-dir "$ROOT/target/bench-peers"
done
HF_HUB_PEER=$ROOT/target/bench-peers/release/hf_hub_peer
SHA256_RATE=$ROOT/target/bench-peers/release/sha256-rate
EMULATOR=$ROOT/target/release/hub-emulator
HF_DOWNLOAD=$BUILD_DIR/bin/hf_download
HF_BENCH=$BUILD_DIR/bench/hf_bench
PYTHON=$ROOT/.venv/bin/python
log "built in ${SECONDS}s"

# ---- servers -------------------------------------------------------------------------------------
WORK=$(mktemp -d "${BENCH_TMPDIR:-${TMPDIR:-/tmp}}/hf-bench.XXXXXX")
chmod 755 "$WORK"   # nginx workers run as an unprivileged user when the master is root
EMU_PID=""
NGINX_PID=""
TOXI_PID=""
DRIVER_PID=""
cleanup() {
  set +e
  if [ -n "$DRIVER_PID" ]; then kill -TERM "$DRIVER_PID" 2>/dev/null; wait "$DRIVER_PID" 2>/dev/null; fi
  if [ -n "$TOXI_PID" ]; then kill -TERM "$TOXI_PID" 2>/dev/null; wait "$TOXI_PID" 2>/dev/null; fi
  if [ -n "$NGINX_PID" ]; then kill -TERM "$NGINX_PID" 2>/dev/null; wait "$NGINX_PID" 2>/dev/null; fi
  if [ -n "$EMU_PID" ]; then kill -TERM "$EMU_PID" 2>/dev/null; wait "$EMU_PID" 2>/dev/null; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

log "generating the repos: $LARGE_MIB MiB LFS file, $SMALL_N x $SMALL_KIB KiB regular files;" \
  "$SNAP_N x $SNAP_KIB KiB for the snapshots"
python3 bench/bench.py gen "$WORK/repo" --large-mib "$LARGE_MIB" --small-kib "$SMALL_KIB" --small-n "$SMALL_N" \
  --snap-dir "$WORK/snap" --snap-n "$SNAP_N" --snap-kib "$SNAP_KIB"

NGINX_PORT=$(free_port)
HUBPROXY_PORT=$(free_port)
TOXI_API_PORT=$(free_port)
TOXI_CDN_PORT=$(free_port)
TOXI_HUB_PORT=$(free_port)
"$EMULATOR" --load "model:$REPO=$WORK/repo" --load "model:$SNAP_REPO=$WORK/snap" \
  --user "$UPLOAD_TOKEN:bench-uploader:bench" \
  --cdn-base "http://127.0.0.1:$NGINX_PORT/lfs" \
  --export-lfs "$WORK/lfs" --ready-file "$WORK/emulator.json" >"$WORK/emulator.log" 2>&1 &
EMU_PID=$!
for _ in $(seq 1200); do
  [ -s "$WORK/emulator.json" ] && break
  kill -0 "$EMU_PID" 2>/dev/null || die "hub-emulator exited: $(cat "$WORK/emulator.log")"
  sleep 0.1
done
[ -s "$WORK/emulator.json" ] || die "hub-emulator not ready after 120 s"
HUB=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["hub"])' "$WORK/emulator.json")
HUB_HOSTPORT=${HUB#http://}
EMU_CDN=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["cdn"])' "$WORK/emulator.json")
rm -rf "$WORK/repo" "$WORK/snap"   # the emulator holds the files; nginx serves $WORK/lfs
chmod -R a+rX "$WORK/lfs"

mkdir -p "$WORK/nginx/tmp"
cat >"$WORK/nginx/nginx.conf" <<EOF
# One worker: the machine has 2 cores, and a client runs beside it.
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_timeout 30s;
  client_body_temp_path $WORK/nginx/tmp/body;
  proxy_temp_path $WORK/nginx/tmp/proxy;
  fastcgi_temp_path $WORK/nginx/tmp/fastcgi;
  uwsgi_temp_path $WORK/nginx/tmp/uwsgi;
  scgi_temp_path $WORK/nginx/tmp/scgi;
  types { }
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    # The emulator's 302: /lfs/repos/<repo_id>/<sha256>?X-Amz-Signature=... (query ignored)
    location ~ "^/lfs/repos/.+/([0-9a-f]{64})\$" { alias $WORK/lfs/\$1; }
    location / { return 404; }
  }
  # The Hub as seen by workload (a'): the emulator itself, with the LFS 302 sent to the toxiproxy
  # port in front of this nginx instead of to nginx directly.
  upstream hub { server $HUB_HOSTPORT; keepalive 16; }
  server {
    listen 127.0.0.1:$HUBPROXY_PORT;
    location / {
      proxy_pass http://hub;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$http_host;
      proxy_buffering off;
      proxy_redirect http://127.0.0.1:$NGINX_PORT/lfs/ http://127.0.0.1:$TOXI_CDN_PORT/lfs/;
    }
  }
}
EOF
nginx -p "$WORK/nginx" -e "$WORK/nginx/error.log" -c "$WORK/nginx/nginx.conf" &
NGINX_PID=$!

HEADERS=$(curl -sS --noproxy '*' -I "$HUB/$REPO/resolve/main/model.safetensors" | tr -d '\r')
header() { printf '%s\n' "$HEADERS" | awk -v h="$1:" 'tolower($1) == h { print $2 }' | tr -d '"'; }
CDN_URL=$(header location)
LARGE_SHA=$(header x-linked-etag)
COMMIT=$(header x-repo-commit)
[ -n "$CDN_URL" ] && [ -n "$COMMIT" ] && [ ${#LARGE_SHA} = 64 ] || die "unexpected Hub answer: $HEADERS"
for _ in $(seq 100); do
  curl -sf --noproxy '*' -r 0-0 -o /dev/null "$CDN_URL" && break
  kill -0 "$NGINX_PID" 2>/dev/null || die "nginx exited: $(cat "$WORK/nginx/error.log")"
  sleep 0.1
done
curl -sf --noproxy '*' -r 0-0 -o /dev/null "$CDN_URL" || die "nginx does not serve $CDN_URL"

# toxiproxy: the realistic link. Bandwidth `rate` is in KB/s of 1000 bytes (toxics/bandwidth.go: a
# chunk of n bytes waits n ms / rate), so 50 MB/s = rate 50000; latency in ms, on the answers
# (downstream). Toxics are per proxied connection: each lane gets its own cap.
"$TOXIPROXY" -host 127.0.0.1 -port "$TOXI_API_PORT" >"$WORK/toxiproxy.log" 2>&1 &
TOXI_PID=$!
TOXI_API=http://127.0.0.1:$TOXI_API_PORT
for _ in $(seq 100); do
  curl -sf --noproxy '*' -o /dev/null "$TOXI_API/version" && break
  kill -0 "$TOXI_PID" 2>/dev/null || die "toxiproxy exited: $(cat "$WORK/toxiproxy.log")"
  sleep 0.1
done
toxi() { curl -sSf --noproxy '*' -o /dev/null -H 'Content-Type: application/json' -d "$2" "$TOXI_API$1"; }
toxi /proxies "{\"name\":\"cdn\",\"listen\":\"127.0.0.1:$TOXI_CDN_PORT\",\"upstream\":\"127.0.0.1:$NGINX_PORT\"}"
toxi /proxies/cdn/toxics \
  "{\"name\":\"latency\",\"type\":\"latency\",\"stream\":\"downstream\",\"attributes\":{\"latency\":$LINK_LATENCY_MS}}"
toxi /proxies/cdn/toxics \
  "{\"name\":\"cap\",\"type\":\"bandwidth\",\"stream\":\"downstream\",\"attributes\":{\"rate\":$((LINK_MBPS * 1000))}}"
toxi /proxies "{\"name\":\"hub\",\"listen\":\"127.0.0.1:$TOXI_HUB_PORT\",\"upstream\":\"$HUB_HOSTPORT\"}"
toxi /proxies/hub/toxics \
  "{\"name\":\"latency\",\"type\":\"latency\",\"stream\":\"downstream\",\"attributes\":{\"latency\":$LINK_LATENCY_MS}}"
LINK_HUB=http://127.0.0.1:$HUBPROXY_PORT   # (a'): Hub direct, CDN through toxiproxy
SLOW_HUB=http://127.0.0.1:$TOXI_HUB_PORT   # (b'): Hub through toxiproxy
link_loc=$(curl -sS --noproxy '*' -I "$LINK_HUB/$REPO/resolve/main/model.safetensors" | tr -d '\r' |
  awk 'tolower($1) == "location:" { print $2 }')
case "$link_loc" in
  http://127.0.0.1:$TOXI_CDN_PORT/*) ;;
  *) die "the Hub proxy does not redirect to toxiproxy: '$link_loc' ($(cat "$WORK/nginx/error.log"))" ;;
esac
curl -sf --noproxy '*' -r 0-0 -o /dev/null "$link_loc" || die "toxiproxy does not serve $link_loc"
curl -sf --noproxy '*' -o /dev/null "$SLOW_HUB/api/models/$SNAP_REPO" || die "toxiproxy does not pass the Hub"

log "Hub $HUB (hub-emulator, pid $EMU_PID), CDN http://127.0.0.1:$NGINX_PORT (nginx, pid $NGINX_PID)"
log "link: Hub $LINK_HUB (nginx) -> CDN 127.0.0.1:$TOXI_CDN_PORT, slow Hub $SLOW_HUB (toxiproxy, pid $TOXI_PID)"
log "lanes $LANES (ours: HF_HUB_C_LANES; aria2c -x/-s)"
log "concurrently running: hub-emulator, nginx (1 worker), toxiproxy (idle unless a link workload runs)," \
  "this driver (idle while it waits), one client"

# ---- measure -------------------------------------------------------------------------------------
sync   # the export's dirty pages: written back now, not during the first timed runs
# In the background with `wait`, so that a signal to this script acts at once (the trap stops the driver,
# which kills the running client).
timeout "$MAX_SECONDS" python3 bench/bench.py run \
  --hub "$HUB" --cdn-url "$CDN_URL" --commit "$COMMIT" --large-sha256 "$LARGE_SHA" \
  --work "$WORK/runs" --root "$ROOT" \
  --hf-download "$HF_DOWNLOAD" --hf-bench "$HF_BENCH" --python "$PYTHON" --py-bench "$ROOT/bench/py_bench.py" \
  --hf-hub-peer "$HF_HUB_PEER" --sha256-rate "$SHA256_RATE" --lfs-file "$WORK/lfs/$LARGE_SHA" \
  --link-hub "$LINK_HUB" --link-cdn-url "$link_loc" --slow-hub "$SLOW_HUB" --toxiproxy "$TOXIPROXY" \
  --lanes "$LANES" --link-latency-ms "$LINK_LATENCY_MS" --link-mbps "$LINK_MBPS" \
  --snap-n "$SNAP_N" --snap-kib "$SNAP_KIB" --snap-workers "$SNAP_WORKERS" \
  --large-mib "$LARGE_MIB" --small-kib "$SMALL_KIB" --small-n "$SMALL_N" --warm-n "$WARM_N" --runs "$RUNS" \
  --scan-repos "$SCAN_REPOS" --scan-files "$SCAN_FILES" ${ONLY:+--only "$ONLY"} \
  --upload-mib "$UPLOAD_MIB" --emu-cdn "$EMU_CDN" --token "$UPLOAD_TOKEN" \
  ${DOC:+--doc "$DOC"} ${JSON:+--json "$JSON"} &
DRIVER_PID=$!
wait "$DRIVER_PID"
DRIVER_PID=""
log "done in ${SECONDS}s"
