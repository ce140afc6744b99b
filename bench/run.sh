#!/usr/bin/env bash
# make bench: libhf_hub against its peers (the official Python client, curl) on loopback.
#
# Self-contained: installs what is missing (nginx-light, the venv), builds the release library, the
# release hub-emulator, the C example CLI (CMake, Release, into build-release/) and bench/hf_bench.c;
# starts the emulator as the Hub and nginx as the CDN (its LFS 302s point at nginx, which serves the
# exported objects with sendfile); runs bench/bench.py; stops both servers and removes its temp dir
# on any exit. Only 127.0.0.1 is used.
#
# Knobs (environment):
#   BENCH_LARGE_MIB=512   size of the large LFS file      BENCH_RUNS=7      runs per case (medians)
#   BENCH_SMALL_KIB=40    size of each small file         BENCH_SMALL_N=50  small files per process
#   BENCH_WARM_N=200      warm cache hits per process
#   BENCH_SCAN_REPOS=100 BENCH_SCAN_FILES=200   the cache scanned by workload 4 (20,000 files)
#   BENCH_DOC=BENCHMARKS.md  results section rewritten there ("" = leave it alone)
#   BENCH_JSON=bench/results/latest.json  raw results ("" = none)
#   BENCH_BUILD_DIR=build-release   BENCH_TMPDIR=$TMPDIR   BENCH_MAX_SECONDS=600 (whole measuring phase)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export PATH="$ROOT/.tools/bin:$HOME/.cargo/bin:$PATH:/usr/sbin:/sbin"
export CARGO_TERM_COLOR=never

LARGE_MIB=${BENCH_LARGE_MIB:-512}
SMALL_KIB=${BENCH_SMALL_KIB:-40}
SMALL_N=${BENCH_SMALL_N:-50}
WARM_N=${BENCH_WARM_N:-200}
SCAN_REPOS=${BENCH_SCAN_REPOS:-100}
SCAN_FILES=${BENCH_SCAN_FILES:-200}
RUNS=${BENCH_RUNS:-7}
DOC=${BENCH_DOC-$ROOT/BENCHMARKS.md}
JSON=${BENCH_JSON-$ROOT/bench/results/latest.json}
BUILD_DIR=${BENCH_BUILD_DIR:-$ROOT/build-release}
MAX_SECONDS=${BENCH_MAX_SECONDS:-600}
REPO=bench/bench-model

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
make -s apt-deps venv   # cmake, ninja, g++, curl; .venv with huggingface_hub==2.4.0

# ---- build (release) -----------------------------------------------------------------------------
log "building (release)"
cargo build --release -p hub-emulator -p hf_hub
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DHF_HUB_BUILD_TESTS=OFF >/dev/null
cmake --build "$BUILD_DIR" --target hf_download
mkdir -p "$BUILD_DIR/bench"
cc -O2 -std=c11 -Wall -Wextra -Werror -I include bench/hf_bench.c -o "$BUILD_DIR/bench/hf_bench" \
  -L "$BUILD_DIR/lib" -lhf_hub -Wl,-rpath,"$BUILD_DIR/lib"
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
DRIVER_PID=""
cleanup() {
  set +e
  if [ -n "$DRIVER_PID" ]; then kill -TERM "$DRIVER_PID" 2>/dev/null; wait "$DRIVER_PID" 2>/dev/null; fi
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

log "generating the repo: $LARGE_MIB MiB LFS file, $SMALL_N x $SMALL_KIB KiB regular files"
python3 bench/bench.py gen "$WORK/repo" --large-mib "$LARGE_MIB" --small-kib "$SMALL_KIB" --small-n "$SMALL_N"

NGINX_PORT=$(free_port)
"$EMULATOR" --load "model:$REPO=$WORK/repo" --cdn-base "http://127.0.0.1:$NGINX_PORT/lfs" \
  --export-lfs "$WORK/lfs" --ready-file "$WORK/emulator.json" >"$WORK/emulator.log" 2>&1 &
EMU_PID=$!
for _ in $(seq 1200); do
  [ -s "$WORK/emulator.json" ] && break
  kill -0 "$EMU_PID" 2>/dev/null || die "hub-emulator exited: $(cat "$WORK/emulator.log")"
  sleep 0.1
done
[ -s "$WORK/emulator.json" ] || die "hub-emulator not ready after 120 s"
HUB=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["hub"])' "$WORK/emulator.json")
rm -rf "$WORK/repo"   # the emulator holds the files; nginx serves $WORK/lfs
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
log "Hub $HUB (hub-emulator, pid $EMU_PID), CDN http://127.0.0.1:$NGINX_PORT (nginx, pid $NGINX_PID)"
log "concurrently running: hub-emulator, nginx (1 worker), this driver (idle while it waits), one client"

# ---- measure -------------------------------------------------------------------------------------
sync   # the export's dirty pages: written back now, not during the first timed runs
# In the background with `wait`, so that a signal to this script acts at once (the trap stops the driver,
# which kills the running client).
timeout "$MAX_SECONDS" python3 bench/bench.py run \
  --hub "$HUB" --cdn-url "$CDN_URL" --commit "$COMMIT" --large-sha256 "$LARGE_SHA" \
  --work "$WORK/runs" --root "$ROOT" \
  --hf-download "$HF_DOWNLOAD" --hf-bench "$HF_BENCH" --python "$PYTHON" --py-bench "$ROOT/bench/py_bench.py" \
  --large-mib "$LARGE_MIB" --small-kib "$SMALL_KIB" --small-n "$SMALL_N" --warm-n "$WARM_N" --runs "$RUNS" \
  --scan-repos "$SCAN_REPOS" --scan-files "$SCAN_FILES" \
  ${DOC:+--doc "$DOC"} ${JSON:+--json "$JSON"} &
DRIVER_PID=$!
wait "$DRIVER_PID"
DRIVER_PID=""
log "done in ${SECONDS}s"
