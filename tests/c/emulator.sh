# Sourced by the shell tests of tests/c. start_emulator EMULATOR WORKDIR [ARGS...]: (re)creates
# WORKDIR, starts the hub emulator with its demo repo and ARGS (stopped when the script exits), waits
# until it is ready, then clears the HF_* environment and points HF_ENDPOINT at it. Sets HUB and EMU_PID.
# The sourcing script defines fail().
start_emulator() {
    rm -rf "$2"
    mkdir -p "$2"
    _emu_bin=$1
    _emu_dir=$2
    shift 2
    "$_emu_bin" --demo --ready-file "$_emu_dir/ready.json" "$@" >"$_emu_dir/emulator.out" 2>&1 &
    EMU_PID=$!
    trap 'kill $EMU_PID 2>/dev/null || true; wait $EMU_PID 2>/dev/null || true' EXIT INT TERM
    i=0
    until grep -q '}' "$_emu_dir/ready.json" 2>/dev/null; do
        i=$((i + 1))
        [ $i -lt 600 ] || fail "hub emulator not ready: $(cat "$_emu_dir/emulator.out")"
        kill -0 $EMU_PID 2>/dev/null || fail "hub emulator exited: $(cat "$_emu_dir/emulator.out")"
        sleep 0.1
    done
    HUB=$(sed -n 's/.*"hub" *: *"\([^"]*\)".*/\1/p' "$_emu_dir/ready.json")
    [ -n "$HUB" ] || fail "no hub URL in $(cat "$_emu_dir/ready.json")"
    for v in $(env | sed -n 's/^\(HF_[A-Z_]*\)=.*/\1/p; s/^\(HUGGING_FACE_HUB_TOKEN\)=.*/\1/p'); do unset "$v"; done
    export HF_ENDPOINT="$HUB"
}
