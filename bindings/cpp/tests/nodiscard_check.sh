#!/bin/sh
# nodiscard_check.sh CXX WORKDIR INCLUDE_DIR...
# Discarding the Result of a try_ call must not compile under -Werror: each call below, discarded,
# must fail with a nodiscard diagnostic, while the same calls cast to void compile cleanly (so the
# failure comes from [[nodiscard]], not from a mistake in the snippet).
set -eu
CXX_=$1
W=$2
shift 2
INCS=""
for d in "$@"; do INCS="$INCS -I$d"; done
fail() { echo "FAILED: $*" >&2; exit 1; }

rm -rf "$W"
mkdir -p "$W"

CALLS='c.try_download("org/repo", "f.txt")
c.try_file_metadata("org/repo", "f.txt")
c.try_cache_lookup("org/repo", "f.txt")
c.try_snapshot_download("org/repo")
c.try_repo_info("org/repo")
c.try_list_tree("org/repo")
c.try_paths_info("org/repo", {"f.txt"})
c.try_list_refs("org/repo")
c.try_list_commits("org/repo")
c.try_repo_exists("org/repo")
c.try_file_exists("org/repo", "f.txt")
c.try_cache_dir()
c.try_whoami()
c.try_login("hf_x")
c.try_logout()
c.try_switch_token("name")
c.try_tokens()
c.try_cache_scan()
c.try_cache_verify(info)
info.try_plan_delete({})
info.try_plan_prune()
info.try_plan_evict(0)
plan.try_execute()
report.try_plan_delete()
hf::Client::try_create()
make_result()'

snippet() { # BODY -> file
    cat > "$W/t.cpp" <<EOS
#include "hf_hub.hpp"
hf::Result<int> make_result();
void use(const hf::Client& c, const hf::CacheInfo& info, const hf::CachePlan& plan, const hf::VerifyReport& report) {
    (void)info; (void)plan; (void)report;
$1
}
EOS
}
compile() {
    # shellcheck disable=SC2086
    "$CXX_" -std=c++17 -fsyntax-only -Wall -Wextra -Werror -Wpedantic $INCS "$W/t.cpp" >"$W/out.txt" 2>&1
}

voided=$(printf '%s\n' "$CALLS" | sed 's/^\(.*\)$/    (void)(\1);/')
snippet "$voided"
compile || { cat "$W/out.txt" >&2; fail "the calls cast to void do not compile"; }

n=0
printf '%s\n' "$CALLS" > "$W/calls.txt"
while IFS= read -r call; do
    snippet "    $call;"
    if compile; then fail "discarding $call compiles"; fi
    grep -q nodiscard "$W/out.txt" || { cat "$W/out.txt" >&2; fail "discarding $call fails without a nodiscard diagnostic"; }
    n=$((n + 1))
done < "$W/calls.txt"

rm -rf "$W"
echo "OK: $n discarded try_ results refused"
