#!/bin/sh
# package_cpp.sh CMAKE BUILD_DIR SOURCE_DIR WORKDIR GENERATOR CXX_COMPILER
# Installs the package into a temporary prefix and builds tests/c/package_consumer_cpp, a C++ project
# whose only link is `target_link_libraries(app PRIVATE hf_hub::cpp)`, with find_package(hf_hub CONFIG);
# then runs it (the imported location gives it an rpath into the prefix).
set -eu
CMAKE=$1
BUILD=$2
SRC=$3
W=$4
GEN=$5
CXX_=$6
fail() { echo "FAILED: $*" >&2; exit 1; }

rm -rf "$W"
mkdir -p "$W"
"$CMAKE" --install "$BUILD" --prefix "$W/prefix" >/dev/null
[ -f "$W/prefix/include/hf_hub.hpp" ] || fail "hf_hub.hpp not installed"
"$CMAKE" -S "$SRC/tests/c/package_consumer_cpp" -B "$W/consumer" -G "$GEN" -DCMAKE_CXX_COMPILER="$CXX_" \
    -DCMAKE_BUILD_TYPE=Debug -DCMAKE_PREFIX_PATH="$W/prefix" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
"$CMAKE" --build "$W/consumer" --verbose >"$W/build.log" 2>&1 || { cat "$W/build.log"; fail "build"; }
grep -q -- '-std=c++17' "$W/build.log" || { cat "$W/build.log"; fail "hf_hub::cpp did not raise the standard to C++17"; }
env -u LD_LIBRARY_PATH "$W/consumer/hf_hub_cpp_consumer" || fail "the consumer does not run"
rm -rf "$W"
echo "OK"
