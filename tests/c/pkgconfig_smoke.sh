#!/bin/sh
# pkgconfig_smoke.sh CMAKE BUILD_DIR SOURCE_DIR WORKDIR PKG_CONFIG C_COMPILER VERSION
# Installs into a temporary prefix and builds examples/c/hf_download.c with plain `cc` and
# pkg-config, shared and static, then runs both (version, and an offline miss → exit code 9).
set -eu
CMAKE=$1
BUILD=$2
SRC=$3
W=$4
PKG_CONFIG=$5
CC_=$6
VERSION=$7
fail() { echo "FAILED: $*" >&2; exit 1; }

rm -rf "$W"
mkdir -p "$W"
"$CMAKE" --install "$BUILD" --prefix "$W/prefix" >/dev/null
PC=$(find "$W/prefix" -name hf_hub.pc | head -n 1)
[ -n "$PC" ] || fail "hf_hub.pc not installed"
export PKG_CONFIG_PATH="$(dirname "$PC")"
unset PKG_CONFIG_LIBDIR PKG_CONFIG_SYSROOT_DIR || true

v=$("$PKG_CONFIG" --modversion hf_hub)
[ "$v" = "$VERSION" ] || fail "pkg-config version $v != $VERSION"
"$PKG_CONFIG" --exists --print-errors "hf_hub = $VERSION" || fail "version constraint"
CFLAGS=$("$PKG_CONFIG" --cflags hf_hub)
LIBS=$("$PKG_CONFIG" --libs hf_hub)
LIBS_STATIC=$("$PKG_CONFIG" --static --libs hf_hub)
echo "cflags: $CFLAGS"
echo "libs: $LIBS"
echo "libs (static): $LIBS_STATIC"
LIBDIR=$("$PKG_CONFIG" --variable=libdir hf_hub)

# shared, as the README shows it: the run-time path from the libdir variable
# shellcheck disable=SC2086
"$CC_" -std=c11 -Wall -Wextra -Werror "$SRC/examples/c/hf_download.c" -o "$W/hf_download_shared" \
    $("$PKG_CONFIG" --cflags --libs hf_hub) -Wl,-rpath,"$("$PKG_CONFIG" --variable=libdir hf_hub)"
# The soname variable names the file the loader looks for, and it is there.
SONAME=$("$PKG_CONFIG" --variable=soname hf_hub)
[ -n "$SONAME" ] && [ -e "$LIBDIR/$SONAME" ] || fail "soname variable '$SONAME' (not in $LIBDIR)"
readelf -d "$W/hf_download_shared" | grep -q "NEEDED.*\[$SONAME\]" || fail "hf_download_shared does not need $SONAME"
# static: the archive and Libs.private only
STATIC_REST=$(printf '%s\n' "$LIBS_STATIC" | sed 's/-lhf_hub//; s/-L[^ ]*//g')
# shellcheck disable=SC2086
"$CC_" -std=c11 -Wall -Wextra -Werror $CFLAGS "$SRC/examples/c/hf_download.c" -o "$W/hf_download_static" \
    "$LIBDIR/libhf_hub.a" $STATIC_REST

for exe in "$W/hf_download_shared" "$W/hf_download_static"; do
    out=$("$exe" --version)
    case "$out" in *"$VERSION"*) ;; *) fail "$exe --version: $out" ;; esac
    rc=0
    env -i PATH="$PATH" HF_HOME="$W/home" HF_HUB_OFFLINE=1 "$exe" test-org/test-model config.json \
        >/dev/null 2>"$W/err.txt" || rc=$?
    [ $rc -eq 9 ] || fail "$exe offline miss exited with $rc: $(cat "$W/err.txt")"
    grep -q '^error: ' "$W/err.txt" || fail "no error line"
done
rm -rf "$W"
echo "OK"
