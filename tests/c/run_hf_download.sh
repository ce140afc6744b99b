#!/bin/sh
# run_hf_download.sh HF_DOWNLOAD EMULATOR WORKDIR
# Drives the example CLI (examples/c/hf_download) against a fresh hub emulator, configured only
# through the environment (HF_ENDPOINT, HF_HOME, HF_TOKEN, HF_HUB_OFFLINE).
set -eu
BIN=$1
EMU=$2
W=$3
fail() { echo "FAILED: $*" >&2; exit 1; }

. "$(dirname "$0")/emulator.sh"
start_emulator "$EMU" "$W"
export HF_HOME="$W/home"
export HF_TOKEN=hf_localtesttoken0123456789

echo "== usage"
"$BIN" --help >/dev/null
"$BIN" --version
rc=0; "$BIN" only-one-arg 2>/dev/null || rc=$?
[ $rc -eq 2 ] || fail "bad usage exited with $rc, expected 2"

echo "== download config.json"
out=$("$BIN" test-org/test-model config.json)
echo "$out"
case "$out" in
    "$W/home/hub/models--test-org--test-model/snapshots/"*/config.json) ;;
    *) fail "unexpected path $out" ;;
esac
[ -L "$out" ] && [ -s "$out" ] || fail "$out is not a symlink to a non-empty blob"

echo "== LFS file"
out=$("$BIN" test-org/test-model model.safetensors)
[ "$(wc -c <"$out")" -eq 1048576 ] || fail "model.safetensors is not 1 MiB"

echo "== dataset"
out=$("$BIN" --repo-type dataset test-org/test-dataset data/train.csv)
case "$out" in
    "$W/home/hub/datasets--test-org--test-dataset/snapshots/"*/data/train.csv) ;;
    *) fail "unexpected path $out" ;;
esac

echo "== offline hits (flag and HF_HUB_OFFLINE)"
"$BIN" --offline test-org/test-model config.json >/dev/null
HF_HUB_OFFLINE=1 "$BIN" test-org/test-model config.json >/dev/null

echo "== offline miss exits with HF_ERR_OFFLINE (9)"
rc=0; "$BIN" --offline test-org/test-model README.md 2>"$W/err.txt" >/dev/null || rc=$?
cat "$W/err.txt"
[ $rc -eq 9 ] || fail "exit code $rc, expected 9"
grep -q '^error: ' "$W/err.txt" || fail "no 'error: ' line on stderr"

echo "== missing file exits with HF_ERR_ENTRY_NOT_FOUND (4)"
rc=0; "$BIN" test-org/test-model missing.txt 2>"$W/err.txt" >/dev/null || rc=$?
cat "$W/err.txt"
[ $rc -eq 4 ] || fail "exit code $rc, expected 4"
grep -q '^error: .*: ' "$W/err.txt" || fail "stderr is not 'error: <status>: <message>'"

echo "== gated repo (anonymous) exits with HF_ERR_GATED (5)"
rc=0; env -u HF_TOKEN "$BIN" test-org/gated-model config.json 2>/dev/null >/dev/null || rc=$?
[ $rc -eq 5 ] || fail "exit code $rc, expected 5"

echo "OK"
