#!/usr/bin/env bash
# fuzz.sh SECONDS [TARGET...]: run each cargo-fuzz target (libFuzzer, nightly, ASan) for SECONDS,
# starting from fuzz/seeds/<target> (copied: the seeds stay as committed). A crash fails the run and
# its input is copied to fuzz/regressions/<target>/, which tests/fuzz_regressions.rs replays in
# `make test` once it is committed (fix first). `make fuzz-smoke` (in `make test`) runs every target
# briefly; `make fuzz` longer. FUZZ_SEED is libFuzzer's -seed: 0 (the default, `make fuzz`) is
# random; `make fuzz-smoke` fixes it so `make test` repeats the same inputs.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH="$ROOT/.tools/bin:$HOME/.cargo/bin:$PATH"
rustup toolchain list 2>/dev/null | grep -q "^nightly" || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz >/dev/null || cargo +nightly install cargo-fuzz --version 0.13.2 --locked --root "$ROOT/.tools"
cd "$ROOT/fuzz"
SECS=${1:?seconds}
shift
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
    mapfile -t TARGETS < <(sed -n 's/^name = "\([a-z_]*\)"$/\1/p' Cargo.toml | grep -v '^hf_hub-fuzz$')
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cargo +nightly fuzz build -O
status=0
for t in "${TARGETS[@]}"; do
    mkdir -p "$WORK/$t" "artifacts/$t"
    cp -r "seeds/$t/." "$WORK/$t/" 2>/dev/null || true
    echo "fuzz: $t for ${SECS}s"
    if ! cargo +nightly fuzz run -O "$t" "$WORK/$t" -- -max_total_time="$SECS" -seed="${FUZZ_SEED:-0}" -rss_limit_mb=2048 \
        -max_len=65536 -print_final_stats=0 >"$WORK/$t.log" 2>&1; then
        tail -40 "$WORK/$t.log"
        mkdir -p "regressions/$t"
        cp artifacts/"$t"/* "regressions/$t/" 2>/dev/null || true
        echo "fuzz: $t FAILED; the input is in fuzz/regressions/$t/"
        status=1
    else
        grep -E "^Done|#[0-9]+.*DONE" "$WORK/$t.log" | tail -1 || true
    fi
done
exit $status
