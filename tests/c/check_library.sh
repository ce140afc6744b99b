#!/bin/sh
# check_library.sh LIB SONAME: the shared library has the expected SONAME and exports only hf_* symbols.
set -eu
lib=$1
soname=$2
fail() { echo "FAILED: $*" >&2; exit 1; }
[ -f "$lib" ] || fail "$lib does not exist"
actual=$(readelf -d "$lib" | sed -n 's/.*Library soname: \[\(.*\)\].*/\1/p')
[ "$actual" = "$soname" ] || fail "SONAME is '$actual', expected '$soname'"
exported=$(nm -D --defined-only "$lib" | awk 'NF >= 3 { print $3 }' | sed 's/@.*//' | sort -u)
[ -n "$exported" ] || fail "no exported symbols"
others=$(printf '%s\n' "$exported" | grep -v '^hf_' || true)
[ -z "$others" ] || fail "symbols outside the hf_ namespace are exported:
$others"
for sym in hf_version hf_status_str hf_string_free hf_client_new hf_client_free hf_file_download \
           hf_error_free hf_error_message hf_cancel_token_new hf_auth_whoami; do
    printf '%s\n' "$exported" | grep -qx "$sym" || fail "$sym is not exported"
done
echo "OK: SONAME $actual, $(printf '%s\n' "$exported" | wc -l) hf_* symbols"
