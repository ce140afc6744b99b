#!/bin/sh
# package_smoke_cpp.sh CMAKE BUILD_DIR SOURCE_DIR EMULATOR WORKDIR GENERATOR CXX_COMPILER
# Installs the package into a temporary prefix, checks that hf_hub.hpp sits next to hf_hub.h, builds
# examples/cpp with find_package(hf_hub CONFIG) and runs it against the hub emulator.
set -eu
CMAKE=$1
BUILD=$2
SRC=$3
EMU=$4
W=$5
GEN=$6
CXX_=$7
fail() { echo "FAILED: $*" >&2; exit 1; }

rm -rf "$W"
mkdir -p "$W"
"$CMAKE" --install "$BUILD" --prefix "$W/prefix" >/dev/null
P="$W/prefix"
[ -f "$P/include/hf_hub.h" ] || fail "hf_hub.h not installed"
[ -f "$P/include/hf_hub.hpp" ] || fail "hf_hub.hpp not installed next to hf_hub.h"

echo "== examples/cpp against the installed package"
"$CMAKE" -S "$SRC/examples/cpp" -B "$W/example" -G "$GEN" -DCMAKE_CXX_COMPILER="$CXX_" -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_PREFIX_PATH="$P" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCMAKE_CXX_FLAGS="-Werror"
"$CMAKE" --build "$W/example"
sh "$SRC/tests/c/run_hf_download.sh" "$W/example/hf_download_cpp" "$EMU" "$W/run-example"

rm -rf "$W"
echo "OK"
