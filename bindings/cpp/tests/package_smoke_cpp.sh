#!/bin/sh
# package_smoke_cpp.sh CMAKE BUILD_DIR SOURCE_DIR EMULATOR WORKDIR GENERATOR CXX_COMPILER
# Installs the package into a temporary prefix, checks that hf_hub.hpp sits next to hf_hub.h with every
# area header in include/hf_hub/, that each installed area header compiles alone, then builds
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
n=0
for h in "$SRC"/bindings/cpp/hf_hub/*.hpp; do
    name=$(basename "$h")
    [ -f "$P/include/hf_hub/$name" ] || fail "hf_hub/$name not installed"
    cmp -s "$h" "$P/include/hf_hub/$name" || fail "installed hf_hub/$name differs from the source"
    printf '#include <hf_hub/%s>\n' "$name" > "$W/alone.cpp"
    "$CXX_" -std=c++17 -fsyntax-only -Wall -Wextra -Werror -Wpedantic -I"$P/include" "$W/alone.cpp" ||
        fail "installed hf_hub/$name does not compile alone"
    n=$((n + 1))
done
[ "$n" -gt 0 ] || fail "no area header found in $SRC/bindings/cpp/hf_hub"
echo "== $n installed area headers compile alone"

echo "== examples/cpp against the installed package"
"$CMAKE" -S "$SRC/examples/cpp" -B "$W/example" -G "$GEN" -DCMAKE_CXX_COMPILER="$CXX_" -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_PREFIX_PATH="$P" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCMAKE_CXX_FLAGS="-Werror"
"$CMAKE" --build "$W/example"
sh "$SRC/tests/c/run_hf_download.sh" "$W/example/hf_download_cpp" "$EMU" "$W/run-example"

rm -rf "$W"
echo "OK"
