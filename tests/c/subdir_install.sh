#!/bin/sh
# subdir_install.sh CMAKE SOURCE_DIR PREBUILT_DIR WORKDIR GENERATOR C_COMPILER CXX_COMPILER VERSION
# tests/c/subdir_consumer embeds the source tree with add_subdirectory() (on the prebuilt libraries),
# builds and runs its programs from the build tree, then `cmake --install`s into a temporary prefix:
# the prefix must hold the parent's two programs and nothing of ours.
set -eu
CMAKE=$1
SRC=$2
PREBUILT=$3
W=$4
GEN=$5
CC_=$6
CXX_=$7
VERSION=$8
fail() { echo "FAILED: $*" >&2; exit 1; }

rm -rf "$W"
mkdir -p "$W"
"$CMAKE" -S "$SRC/tests/c/subdir_consumer" -B "$W/build" -G "$GEN" -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_C_COMPILER="$CC_" -DCMAKE_CXX_COMPILER="$CXX_" \
    -DHF_HUB_SOURCE_DIR="$SRC" -DHF_HUB_PREBUILT_DIR="$PREBUILT" -DHF_HUB_EXPECTED_VERSION="$VERSION"
"$CMAKE" --build "$W/build"
env -u LD_LIBRARY_PATH "$W/build/consumer_c" || fail "consumer_c does not run"
env -u LD_LIBRARY_PATH "$W/build/consumer_cpp" || fail "consumer_cpp does not run"

# None of our tests are registered in the parent's build.
if [ -f "$W/build/hf_hub/CTestTestfile.cmake" ] || [ -d "$W/build/hf_hub/tests" ]; then
    fail "libhf_hub's tests were configured below the top level"
fi

"$CMAKE" --install "$W/build" --prefix "$W/prefix"
installed=$(cd "$W/prefix" && find . -type f -o -type l | sort)
expected=$(printf './bin/consumer_c\n./bin/consumer_cpp')
[ "$installed" = "$expected" ] || fail "cmake --install of the parent installed:
$installed
expected only:
$expected"
rm -rf "$W"
echo "OK: add_subdirectory() installs nothing of libhf_hub"
