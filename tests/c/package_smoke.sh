#!/bin/sh
# package_smoke.sh CMAKE BUILD_DIR SOURCE_DIR EMULATOR WORKDIR GENERATOR C_COMPILER VERSION
# Installs the package into a temporary prefix, checks its files, builds examples/c and
# tests/c/package_consumer (shared + static, exact version) with find_package(hf_hub CONFIG) and runs
# them against the hub emulator; then moves the prefix to check the package is relocatable.
set -eu
CMAKE=$1
BUILD=$2
SRC=$3
EMU=$4
W=$5
GEN=$6
CC_=$7
VERSION=$8
fail() { echo "FAILED: $*" >&2; exit 1; }
# The SONAME rule (as build.rs and CMakeLists.txt): libhf_hub.so.0.<minor> while 0.x, then .so.<major>.
MAJOR=${VERSION%%.*}
MINOR=${VERSION#*.}
MINOR=${MINOR%%.*}
if [ "$MAJOR" = 0 ]; then SOVER="0.$MINOR"; else SOVER=$MAJOR; fi

rm -rf "$W"
mkdir -p "$W"
"$CMAKE" --install "$BUILD" --prefix "$W/prefix"

echo "== installed files"
P="$W/prefix"
[ -f "$P/include/hf_hub.h" ] || fail "header not installed"
CFG=$(find "$P" -name hf_hubConfig.cmake | head -n 1)
[ -n "$CFG" ] || fail "hf_hubConfig.cmake not installed"
CFGDIR=$(dirname "$CFG")
LIBDIR=$(dirname "$(dirname "$CFGDIR")")
for f in hf_hubConfigVersion.cmake hf_hubTargets.cmake; do
    [ -f "$CFGDIR/$f" ] || fail "$f not installed"
done
[ -f "$LIBDIR/libhf_hub.so.$VERSION" ] && [ ! -L "$LIBDIR/libhf_hub.so.$VERSION" ] || fail "libhf_hub.so.$VERSION"
[ "$(readlink "$LIBDIR/libhf_hub.so.$SOVER")" = "libhf_hub.so.$VERSION" ] || fail "libhf_hub.so.$SOVER symlink"
[ "$(readlink "$LIBDIR/libhf_hub.so")" = "libhf_hub.so.$SOVER" ] || fail "libhf_hub.so symlink"
[ -f "$LIBDIR/libhf_hub.a" ] || fail "libhf_hub.a not installed"
[ -f "$LIBDIR/pkgconfig/hf_hub.pc" ] || fail "hf_hub.pc not installed"
readelf -d "$LIBDIR/libhf_hub.so.$VERSION" | grep -q "Library soname: \[libhf_hub.so.$SOVER\]" || fail "SONAME"
find "$P" | sed "s|^$P||" | sort

configure() { # configure SRCDIR BINDIR PREFIX [args...]
    s=$1; b=$2; p=$3; shift 3
    "$CMAKE" -S "$s" -B "$b" -G "$GEN" -DCMAKE_C_COMPILER="$CC_" -DCMAKE_BUILD_TYPE=Debug \
        -DCMAKE_PREFIX_PATH="$p" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF "$@"
    "$CMAKE" --build "$b"
}

echo "== examples/c against the installed package"
configure "$SRC/examples/c" "$W/example" "$P"
sh "$SRC/tests/c/run_hf_download.sh" "$W/example/hf_download" "$EMU" "$W/run-example"
# The hf_cache example, built against the installed package too, reads the cache just filled.
scan=$(HF_HOME="$W/run-example/home" HF_HUB_CACHE= "$W/example/hf_cache" scan) || fail "hf_cache scan failed"
echo "$scan"
echo "$scan" | grep -q "test-org/test-model" || fail "hf_cache scan does not list the downloaded repo"

echo "== examples/gguf against the installed package"
configure "$SRC/examples/gguf" "$W/example-gguf" "$P"
sh "$SRC/tests/c/run_gguf_fetch.sh" "$W/example-gguf/gguf-fetch" "$EMU" "$W/run-gguf"

echo "== package_consumer: exact version, shared and static"
configure "$SRC/tests/c/package_consumer" "$W/consumer" "$P" -DHF_HUB_EXPECTED_VERSION="$VERSION" \
    -DHF_DOWNLOAD_SOURCE="$SRC/examples/c/hf_download.c"
if readelf -d "$W/consumer/hf_download_static" | grep -q 'libhf_hub'; then
    fail "hf_download_static depends on libhf_hub.so"
fi
readelf -d "$W/consumer/hf_download_shared" | grep -q "NEEDED.*\[libhf_hub.so.$SOVER\]" || fail "NEEDED libhf_hub.so.$SOVER"
sh "$SRC/tests/c/run_hf_download.sh" "$W/consumer/hf_download_static" "$EMU" "$W/run-static"
sh "$SRC/tests/c/run_hf_download.sh" "$W/consumer/hf_download_shared" "$EMU" "$W/run-shared"

echo "== relocated prefix"
mv "$P" "$W/moved-prefix"
configure "$SRC/tests/c/package_consumer" "$W/consumer-moved" "$W/moved-prefix" \
    -DHF_HUB_EXPECTED_VERSION="$VERSION" -DHF_DOWNLOAD_SOURCE="$SRC/examples/c/hf_download.c"
"$W/consumer-moved/hf_download_shared" --version
"$W/consumer-moved/hf_download_static" --version

rm -rf "$W"
echo "OK"
