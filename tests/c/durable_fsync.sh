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

. "$(dirname "$0")/emulator.sh"
start_emulator "$EMU" "$W"

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
