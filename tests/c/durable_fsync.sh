#!/bin/sh
# durable_fsync.sh HF_DOWNLOAD EMULATOR WORKDIR
# The durability option, observed with strace: by default a download syncs nothing (like every
# Hub client); with HF_HUB_C_DURABLE=1 the blob is fsync'ed before it is published and its folder
# after, and the file is still exact.
set -eu
BIN=$1
EMU=$2
W=$3
fail() { echo "FAILED: $*" >&2; exit 1; }
command -v strace >/dev/null || fail "strace is missing (make apt-deps installs it)"

rm -rf "$W"
mkdir -p "$W"
"$EMU" --demo --ready-file "$W/ready.json" >"$W/emulator.out" 2>&1 &
EMU_PID=$!
trap 'kill $EMU_PID 2>/dev/null || true; wait $EMU_PID 2>/dev/null || true' EXIT INT TERM
i=0
until grep -q '}' "$W/ready.json" 2>/dev/null; do
    i=$((i + 1))
    [ $i -lt 600 ] || fail "hub emulator not ready: $(cat "$W/emulator.out")"
    sleep 0.1
done
HUB=$(sed -n 's/.*"hub" *: *"\([^"]*\)".*/\1/p' "$W/ready.json")
for v in $(env | sed -n 's/^\(HF_[A-Z_]*\)=.*/\1/p'); do unset "$v"; done
export HF_ENDPOINT="$HUB"

syncs() { # syncs HOME [VAR=VALUE] -> number of fsync/fdatasync calls of one download
    home=$1; shift
    env HF_HOME="$W/$home" "$@" strace -f -qq -e trace=fsync,fdatasync -o "$W/$home.strace" \
        "$BIN" test-org/test-model model.safetensors >"$W/$home.path"
    grep -cE '^[0-9]+ +(fsync|fdatasync)\(' "$W/$home.strace" || true
}

n=$(syncs default)
[ "$n" -eq 0 ] || fail "a default download synced $n times: $(cat "$W/default.strace")"
n=$(syncs durable HF_HUB_C_DURABLE=1)
[ "$n" -ge 2 ] || fail "a durable download synced $n times (file and folder expected): $(cat "$W/durable.strace")"
cmp "$(cat "$W/default.path")" "$(cat "$W/durable.path")" || fail "durable and default downloads differ"
echo "durable: default 0 syncs, durable $n syncs"
