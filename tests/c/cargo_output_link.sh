#!/bin/sh
# cargo_output_link.sh CC SOURCE_DIR CARGO_PROFILE_DIR SONAME VERSION WORKDIR
# A program linked against the plain `cargo build` output runs, exactly as the README shows:
#   cc app.c -Iinclude -Ltarget/debug -lhf_hub -Wl,-rpath,$PWD/target/debug
# Its DT_NEEDED is the library's SONAME, which build.rs places in the profile directory as a symlink
# to libhf_hub.so; the loader must resolve it there (not in some installed copy).
set -eu
CC_=$1
SRC=$2
LIBDIR=$3
SONAME=$4
VERSION=$5
W=$6
fail() { echo "FAILED: $*" >&2; exit 1; }

rm -rf "$W"
mkdir -p "$W"
[ -f "$LIBDIR/libhf_hub.so" ] || fail "$LIBDIR/libhf_hub.so does not exist (cargo build first)"
actual=$(readelf -d "$LIBDIR/libhf_hub.so" | sed -n 's/.*Library soname: \[\(.*\)\].*/\1/p')
[ "$actual" = "$SONAME" ] || fail "cargo's libhf_hub.so has SONAME '$actual', expected '$SONAME'"
[ -L "$LIBDIR/$SONAME" ] || fail "$LIBDIR/$SONAME is not a symlink (build.rs places it)"
[ "$(readlink "$LIBDIR/$SONAME")" = "libhf_hub.so" ] || fail "$LIBDIR/$SONAME -> $(readlink "$LIBDIR/$SONAME")"

"$CC_" -std=c99 -Wall -Wextra -Wpedantic -Werror "-DHF_TEST_VERSION=\"$VERSION\"" "$SRC/tests/c/test_version.c" \
    -I"$SRC/include" -L"$LIBDIR" -lhf_hub -Wl,-rpath,"$LIBDIR" -o "$W/app"
readelf -d "$W/app" | grep -q "NEEDED.*\[$SONAME\]" || fail "app does not need $SONAME: $(readelf -d "$W/app" | grep NEEDED)"

# The loader finds the SONAME through the rpath, in the cargo directory.
resolved=$(env -u LD_LIBRARY_PATH ldd "$W/app" | sed -n "s|^[[:space:]]*$SONAME => \([^ ]*\) .*|\1|p")
[ -n "$resolved" ] || fail "ldd does not resolve $SONAME: $(ldd "$W/app")"
[ "$(cd "$(dirname "$resolved")" && pwd -P)" = "$(cd "$LIBDIR" && pwd -P)" ] || fail "$SONAME resolved to $resolved"

env -u LD_LIBRARY_PATH "$W/app" || fail "the program linked against $LIBDIR does not run"
rm -rf "$W"
echo "OK: $SONAME from $LIBDIR"
