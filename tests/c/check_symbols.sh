#!/bin/sh
# check_symbols.sh SHARED_LIB STATIC_LIB HEADER CC
# The library exports exactly the functions the header declares (curl's test1119 idea), both ways:
#   - every symbol in the shared library's dynamic symbol table (nm -D --defined-only) is declared in
#     the header; nothing outside the hf_ namespace is exported (a Rust cdylib exports only its
#     #[no_mangle] items; ALLOWED_EXTRA lists what else would be tolerated: nothing today);
#   - every function the header declares is exported by the shared library and defined by the
#     static one.
# The header's functions are read from the preprocessed header (`CC -E`), as a compiler sees it.
set -eu
so=$1
archive=$2
header=$3
CC_=$4
ALLOWED_EXTRA=""
fail() { echo "FAILED: $*" >&2; exit 1; }
[ -f "$so" ] || fail "$so does not exist"
[ -f "$archive" ] || fail "$archive does not exist"
[ -f "$header" ] || fail "$header does not exist"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

# Exported (dynamic, defined) symbols, version suffixes stripped.
nm -D --defined-only "$so" | awk 'NF >= 3 { sub(/@.*/, "", $3); print $3 }' | sort -u >"$W/exported"
[ -s "$W/exported" ] || fail "no exported symbols in $so"

# Declared functions, as a C compiler sees the header (`CC -E`, which also drops comments): keep the
# lines that come from the header itself (line markers name it), split them into declarations at ';',
# skip typedefs (the callback type), and take the first identifier followed by '(' in each: the
# function's name, whatever its namespace.
printf '#include "%s"\n' "$header" | "$CC_" -E -x c - \
    | awk -v h="$(basename "$header")" '/^# [0-9]+ "/ { f = $3; gsub(/"/, "", f); n = split(f, p, "/"); mine = (p[n] == h); next } mine' \
    >"$W/pre"
tr '\n' ' ' <"$W/pre" | tr ';' '\n' | grep -v '^[[:space:]]*typedef' \
    | awk 'match($0, /[A-Za-z_][A-Za-z0-9_]*[ \t]*\(/) { n = substr($0, RSTART, RLENGTH - 1); sub(/[ \t]+$/, "", n); print n }' \
    | sort -u >"$W/declared"
[ -s "$W/declared" ] || fail "no function declarations found in $header"

# Defined global functions of the static archive, restricted to the hf_ namespace (the archive also
# holds Rust's std and the dependencies).
nm -g --defined-only "$archive" 2>/dev/null | awk '$2 == "T" && $3 ~ /^hf_/ { print $3 }' | sort -u >"$W/static"

status=0
others=$(grep -v '^hf_' "$W/exported" || true)
for s in $ALLOWED_EXTRA; do others=$(printf '%s\n' "$others" | grep -vx "$s" || true); done
if [ -n "$others" ]; then
    echo "exported but outside the hf_ namespace:" >&2; printf '  %s\n' $others >&2; status=1
fi
undeclared=$(grep '^hf_' "$W/exported" | comm -23 - "$W/declared")
if [ -n "$undeclared" ]; then
    echo "exported by $so but not declared in $(basename "$header"):" >&2; printf '  %s\n' $undeclared >&2; status=1
fi
missing=$(comm -13 "$W/exported" "$W/declared")
if [ -n "$missing" ]; then
    echo "declared in $(basename "$header") but not exported by $so:" >&2; printf '  %s\n' $missing >&2; status=1
fi
missing_static=$(comm -13 "$W/static" "$W/declared")
if [ -n "$missing_static" ]; then
    echo "declared in $(basename "$header") but not defined in $archive:" >&2; printf '  %s\n' $missing_static >&2
    status=1
fi
[ $status -eq 0 ] || fail "the exported symbols and the header disagree"
echo "OK: $(wc -l <"$W/declared") functions declared, exported and in the archive, nothing else exported"
