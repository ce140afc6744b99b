#!/bin/sh
# run_gguf_fetch.sh GGUF_FETCH EMULATOR WORKDIR
# Drives examples/gguf (gguf-fetch org/repo[:QUANT]) against a fresh hub emulator serving a GGUF
# repo (several quants, a split model in a folder, projectors), configured only through the
# environment: the default quant, a split model and its projector, the progress bar, offline
# answers from the cache, an unknown quant and a missing split part.
set -eu
BIN=$1
EMU=$2
W=$3
fail() { echo "FAILED: $*" >&2; exit 1; }

REPO_DIR="$W.repo"
SPLIT_DIR="$W.split"
rm -rf "$REPO_DIR" "$SPLIT_DIR"
mkfile() { # mkfile ROOT PATH: "GGUF" + PATH repeated
    mkdir -p "$(dirname "$1/$2")"
    { printf GGUF; i=0; while [ $i -lt 200 ]; do printf '%s' "$2"; i=$((i + 1)); done; } >"$1/$2"
}
for f in README.md tiny-Q4_K_M.gguf tiny-Q8_0.gguf BF16/tiny-BF16-00001-of-00002.gguf \
    BF16/tiny-BF16-00002-of-00002.gguf mmproj-tiny-F16.gguf mmproj-tiny-Q8_0.gguf; do
    mkfile "$REPO_DIR" "$f"
done
mkfile "$SPLIT_DIR" m-Q4_K_M-00001-of-00003.gguf
mkfile "$SPLIT_DIR" m-Q4_K_M-00003-of-00003.gguf

. "$(dirname "$0")/emulator.sh"
start_emulator "$EMU" "$W" --load "model:test-org/tiny-GGUF=$REPO_DIR" --load "model:test-org/split-GGUF=$SPLIT_DIR"
trap 'kill $EMU_PID 2>/dev/null || true; wait $EMU_PID 2>/dev/null || true; rm -rf "$REPO_DIR" "$SPLIT_DIR"' EXIT INT TERM
export HF_HOME="$W/home"
SNAP="$W/home/hub/models--test-org--tiny-GGUF/snapshots"

echo "== usage"
"$BIN" --help >/dev/null
rc=0; "$BIN" 2>/dev/null || rc=$?
[ $rc -eq 2 ] || fail "bad usage exited with $rc, expected 2"

echo "== default quant: Q4_K_M and the closest projector"
out=$("$BIN" test-org/tiny-GGUF 2>"$W/err.txt")
cat "$W/err.txt"
echo "$out"
[ "$(echo "$out" | wc -l)" -eq 2 ] || fail "expected 2 paths"
case "$(echo "$out" | sed -n 1p)" in "$SNAP"/*/tiny-Q4_K_M.gguf) ;; *) fail "model path" ;; esac
case "$(echo "$out" | sed -n 2p)" in "$SNAP"/*/mmproj-tiny-Q8_0.gguf) ;; *) fail "projector path" ;; esac
grep -q '100% 2/2 files' "$W/err.txt" || fail "no finished progress bar"
head -c 4 "$(echo "$out" | sed -n 1p)" | grep -q GGUF || fail "not the model's bytes"

echo "== split model, parts in order"
out=$("$BIN" --no-mmproj test-org/tiny-GGUF:bf16 2>/dev/null)
echo "$out"
[ "$(echo "$out" | wc -l)" -eq 2 ] || fail "expected the 2 parts"
case "$out" in "$SNAP"/*/BF16/tiny-BF16-00001-of-00002.gguf*"$SNAP"/*/BF16/tiny-BF16-00002-of-00002.gguf) ;; *) fail "part order" ;; esac

echo "== offline, from the cache"
[ "$(HF_HUB_OFFLINE=1 "$BIN" test-org/tiny-GGUF 2>/dev/null)" = "$("$BIN" --offline test-org/tiny-GGUF 2>/dev/null)" ] \
    || fail "offline answers differ"
rc=0; "$BIN" --offline test-org/tiny-GGUF:Q8_0 >/dev/null 2>&1 || rc=$?
[ $rc -eq 10 ] || fail "offline, quant not cached: exit $rc, expected HF_ERR_INCOMPLETE_SNAPSHOT (10)"

echo "== dry run: remote paths and sizes, nothing downloaded"
out=$("$BIN" --dry-run test-org/tiny-GGUF:Q8_0 2>/dev/null)
echo "$out"
echo "$out" | grep -q "^tiny-Q8_0.gguf	" || fail "dry run lists the remote path"
[ -z "$(find "$SNAP" -name tiny-Q8_0.gguf)" ] || fail "dry run downloaded"

echo "== unknown quant and missing split part: HF_ERR_ENTRY_NOT_FOUND (4)"
rc=0; "$BIN" test-org/tiny-GGUF:Q5_K_M >/dev/null 2>"$W/err.txt" || rc=$?
cat "$W/err.txt"
[ $rc -eq 4 ] || fail "exit $rc"
grep -q 'BF16, Q4_K_M, Q8_0' "$W/err.txt" || fail "the error lists the quants"
rc=0; "$BIN" test-org/split-GGUF >/dev/null 2>"$W/err.txt" || rc=$?
cat "$W/err.txt"
[ $rc -eq 4 ] || fail "exit $rc"
grep -q 'm-Q4_K_M-00002-of-00003.gguf' "$W/err.txt" || fail "the error names the missing part"
echo OK
