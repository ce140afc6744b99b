#!/bin/sh
# install_no_gtest.sh CMAKE SOURCE_DIR PREBUILT_DIR WORKDIR GENERATOR
# The README's install command works on a machine without GoogleTest (simulated with
# CMAKE_DISABLE_FIND_PACKAGE_GTest; the libraries come prebuilt so that no cargo runs):
#   cmake -S . -B build && cmake --build build && cmake --install build --prefix ...
# configures with a STATUS message, builds the C tests but no C++ one, and installs the package.
# Asking for the tests explicitly (-DHF_HUB_BUILD_TESTS=ON) without GoogleTest is a configure error.
set -eu
CMAKE=$1
SRC=$2
PREBUILT=$3
W=$4
GEN=$5
fail() { echo "FAILED: $*" >&2; exit 1; }

rm -rf "$W"
mkdir -p "$W"
"$CMAKE" -S "$SRC" -B "$W/build" -G "$GEN" -DCMAKE_BUILD_TYPE=Release -DCMAKE_DISABLE_FIND_PACKAGE_GTest=ON \
    -DHF_HUB_PREBUILT_DIR="$PREBUILT" >"$W/configure.log" 2>&1 || { cat "$W/configure.log"; fail "configure"; }
grep -q "GoogleTest not found" "$W/configure.log" || { cat "$W/configure.log"; fail "no message about GoogleTest"; }
"$CMAKE" --build "$W/build" >"$W/build.log" 2>&1 || { tail -n 50 "$W/build.log"; fail "build"; }
"$CMAKE" --install "$W/build" --prefix "$W/prefix" >/dev/null
for f in include/hf_hub.h include/hf_hub.hpp lib/pkgconfig/hf_hub.pc lib/libhf_hub.so lib/libhf_hub.a; do
    [ -e "$W/prefix/$f" ] || fail "$f not installed"
done
tests=$(cd "$W/build" && "$(dirname "$CMAKE")/ctest" -N 2>/dev/null | sed -n 's/^ *Test *#[0-9]*: //p')
printf '%s\n' "$tests" | grep -qx 'c_basic' || fail "the C tests were not configured: $tests"
if printf '%s\n' "$tests" | grep -q '^cpp'; then fail "C++ tests configured without GoogleTest"; fi

if "$CMAKE" -S "$SRC" -B "$W/asked" -G "$GEN" -DCMAKE_DISABLE_FIND_PACKAGE_GTest=ON -DHF_HUB_BUILD_TESTS=ON \
    -DHF_HUB_PREBUILT_DIR="$PREBUILT" >"$W/asked.log" 2>&1; then
    fail "HF_HUB_BUILD_TESTS=ON without GoogleTest configured"
fi
grep -q "HF_HUB_BUILD_TESTS=ON needs GoogleTest" "$W/asked.log" || { cat "$W/asked.log"; fail "unexpected error"; }
rm -rf "$W"
echo "OK"
