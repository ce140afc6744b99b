#!/usr/bin/env bash
# make demo: start the hub emulator with its demo repo, download a file through the C API (the
# examples/c/hf_download program), and show where it landed in the Hugging Face cache.
set -euo pipefail
emulator=$1 cli=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
"$emulator" --demo --ready-file "$work/ready.json" >"$work/emulator.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do [ -s "$work/ready.json" ] && break; sleep 0.1; done
hub=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["hub"])' "$work/ready.json")
export HF_ENDPOINT=$hub HF_HOME=$work/hf_home HF_TOKEN=hf_localtesttoken0123456789
echo "hub emulator: $hub   HF_HOME=$HF_HOME"
echo
echo "\$ hf_download test-org/test-model config.json"
path=$("$cli" test-org/test-model config.json)
echo "$path"
echo
echo "\$ hf_download test-org/test-model model.safetensors   (LFS: 302 to the CDN origin)"
"$cli" test-org/test-model model.safetensors
echo
echo "cache tree (\$HF_HOME/hub):"
(cd "$HF_HOME/hub" && find . -not -path './.locks*' \( -type l -printf '  %p -> %l\n' -o -type f -printf '  %p (%s bytes)\n' \) | sort)
echo
echo "content of $(basename "$path"):"
cat "$path"
echo
cache_cli=$(dirname "$cli")/hf_cache
if [ -x "$cache_cli" ]; then
    echo "\$ hf_cache scan        (the same cache, as the official client's scan_cache_dir sees it)"
    "$cache_cli" scan
fi
