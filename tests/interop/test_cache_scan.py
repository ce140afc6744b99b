"""Our cache scan and deletion plans against the official client's `scan_cache_dir` and
`delete_revisions`, number by number, on a cache both clients filled (blobs shared across
revisions, a detached revision, a second repo). Ours is driven through the C API by the
`hf_cache` example program (``$HF_CACHE_BIN``, default ``build/bin/hf_cache``)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from conftest import DEMO_REPO, REPO_ROOT
from test_cross_client import ours, python_download


def hf_cache(env: dict, *args: str) -> dict:
    path = Path(os.environ.get("HF_CACHE_BIN", REPO_ROOT / "build" / "bin" / "hf_cache"))
    if not path.exists():
        pytest.fail(f"{path} is missing: build it with `make build` (or set HF_CACHE_BIN)")
    proc = subprocess.run([str(path), *args], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


PY_SCAN = """
import json
from huggingface_hub import scan_cache_dir
info = scan_cache_dir()
out = {"size": info.size_on_disk, "warnings": len(info.warnings), "repos": {}}
for r in info.repos:
    out["repos"][r.repo_type + ":" + r.repo_id] = {
        "size": r.size_on_disk, "files": r.nb_files, "refs": sorted(r.refs),
        "revisions": {rev.commit_hash: {"size": rev.size_on_disk, "files": len(rev.files), "refs": sorted(rev.refs)}
                      for rev in r.revisions}}
commits = %s
if commits:
    plan = info.delete_revisions(*commits)
    out["plan"] = {"freed": plan.expected_freed_size, "blobs": len(plan.blobs), "snapshots": len(plan.snapshots),
                   "refs": len(plan.refs), "repos": len(plan.repos)}
print(json.dumps(out))
"""


def py_scan(run_py, env, commits=()):
    return json.loads(run_py(PY_SCAN % json.dumps(list(commits)), env).stdout.strip().splitlines()[-1])


def our_scan(env) -> dict:
    scan = hf_cache(env, "scan", "--json")
    out = {"size": scan["size_on_disk"], "warnings": len(scan["warnings"]), "repos": {}}
    for r in scan["repos"]:
        out["repos"][r["repo_type"] + ":" + r["repo_id"]] = {
            "size": r["size_on_disk"], "files": r["nb_files"], "refs": sorted(r["refs"]),
            "revisions": {rev["commit_hash"]: {"size": rev["size_on_disk"], "files": len(rev["files"]),
                                               "refs": sorted(rev["refs"])} for rev in r["revisions"]}}
    return out


def test_scan_and_deletion_plans_match_the_official_client(emulator, hf_home, run_py):
    env = dict(emulator.env(hf_home), HF_HUB_DISABLE_TELEMETRY="1")
    first = emulator.resolve(DEMO_REPO)
    # Revision 1: Python downloads everything; revision 2 (the model blob is shared): ours.
    python_download(run_py, env, [(DEMO_REPO, f, {}) for f in ("config.json", "model.safetensors", "subdir/data.txt")])
    second = emulator.commit(DEMO_REPO, {"config.json": b'{"second": true}\n'})
    for f in ("config.json", "model.safetensors"):
        ours(env, DEMO_REPO, f)
    # Revision 3 on a branch, by Python; then the branch ref is removed by hand: a detached revision.
    emulator.create_branch(DEMO_REPO, "dev", "main")
    third = emulator.commit(DEMO_REPO, {"extra.txt": b"extra\n"}, branch="dev")
    python_download(run_py, env, [(DEMO_REPO, "extra.txt", {"revision": "dev"})])
    (hf_home / "hub" / "models--test-org--test-model" / "refs" / "dev").unlink()
    # A dataset repo, by us.
    ours(env, "test-org/test-dataset", "data/train.csv", "--repo-type", "dataset")

    py = py_scan(run_py, env)
    assert py == our_scan(env)
    repo = py["repos"]["model:" + DEMO_REPO]
    assert set(repo["revisions"]) == {first, second, third} and repo["revisions"][third]["refs"] == []

    # Deletion plans: the same freed bytes and paths as the official client's, for several selections.
    for commits in ([first], [second], [third], [first, third], [first, second, third], [first, "0" * 40]):
        plan = hf_cache(env, "delete", "--dry-run", "--json", *commits)
        expected = py_scan(run_py, env, commits)["plan"]
        kinds = [e["kind"] for e in plan["entries"]]
        got = {"freed": plan["expected_freed"], "blobs": kinds.count("blob"), "snapshots": kinds.count("snapshot"),
               "refs": kinds.count("ref"), "repos": kinds.count("repo")}
        assert got == expected, commits

    # Python deletes the detached branch revision; ours still finds main's files offline and both
    # scans still agree.
    run_py(f"from huggingface_hub import scan_cache_dir\nscan_cache_dir().delete_revisions({third!r}).execute()\n", env)
    offline = dict(env, HF_HUB_OFFLINE="1")
    for f in ("config.json", "model.safetensors"):
        ours(offline, DEMO_REPO, f)
    assert py_scan(run_py, env) == our_scan(env)

    # Ours prunes (revision 1 is detached since main moved): the official client then sees revision 2
    # intact, no warning, and finds its files offline; the shared model blob survived.
    report = hf_cache(env, "prune", "--json")
    assert report["skipped"] == [] and report["warnings"] == [] and len(report["deleted"]) >= 2
    after = py_scan(run_py, env)
    assert set(after["repos"]["model:" + DEMO_REPO]["revisions"]) == {second}
    assert after["warnings"] == 0
    python_download(run_py, offline, [(DEMO_REPO, "model.safetensors", {}), (DEMO_REPO, "config.json", {})])
    assert py_scan(run_py, env) == our_scan(env)


def test_eviction_racing_downloads_in_other_processes(emulator, hf_home, run_py):
    """Our hf_download and Python's hf_hub_download fetch (throttled) while hf_cache prunes and
    evicts the whole cache in a loop in a third process. Ours always succeeds: the eviction skips
    what a download holds locked, and our downloads re-create any folder removed meanwhile. The
    official client creates `blobs/` and `snapshots/<commit>/` before taking its lock and never
    again, so a deletion of its very revision in that window makes it fail with FileNotFoundError
    (its own `hf cache rm` has the same race); it never leaves a wrong file. Either way the cache is
    consistent for both clients afterwards."""
    import hashlib
    import time

    from conftest import python_bin

    env = dict(emulator.env(hf_home), HF_HUB_DISABLE_TELEMETRY="1")
    ours(env, DEMO_REPO, "config.json")
    emulator.add_fault({"origin": "cdn", "path_contains": None, "method": "GET", "times": None,
                        "action": {"throttle": {"bytes_per_sec": 700000}}})
    bin_cache = str(Path(os.environ.get("HF_CACHE_BIN", REPO_ROOT / "build" / "bin" / "hf_cache")))
    bin_dl = str(Path(os.environ.get("HF_DOWNLOAD_BIN", REPO_ROOT / "build" / "bin" / "hf_download")))
    py = ("from huggingface_hub import hf_hub_download\n"
          f"print(hf_hub_download({DEMO_REPO!r}, 'model.safetensors', force_download=True))\n")
    procs = [
        subprocess.Popen([bin_dl, DEMO_REPO, "model.safetensors"], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True),
        subprocess.Popen([python_bin(), "-c", py], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True),
    ]
    passes = 0
    deadline = time.time() + 60
    while any(p.poll() is None for p in procs) and time.time() < deadline:
        for cmd in (["prune"], ["evict", "0"]):
            subprocess.run([bin_cache, *cmd], env=env, capture_output=True, timeout=60)
        passes += 1
    outs = [p.communicate(timeout=60) for p in procs]
    assert passes >= 3, passes
    emulator.clear_faults()
    scan = hf_cache(env, "scan", "--json")
    assert scan["warnings"] == [] and scan["incomplete"] == []
    py_view = py_scan(run_py, env)
    assert py_view["warnings"] == 0
    assert py_view == our_scan(env)
    # Both clients still download into it; every path a racing download returned that still
    # exists holds exactly these bytes (it may have been evicted after it was returned).
    reference = Path(ours(env, DEMO_REPO, "model.safetensors").stdout.strip()).read_bytes()
    assert Path(python_download(run_py, env, [(DEMO_REPO, "model.safetensors", {})])[0]).read_bytes() == reference
    for i, (p, (out, err)) in enumerate(zip(procs, outs)):
        if i == 0:
            assert p.returncode == 0, err  # ours: the eviction skipped what it held
        elif p.returncode != 0:
            assert "FileNotFoundError" in err, err  # the official client's folder race, see above
            continue
        path = Path(out.strip().splitlines()[-1])
        if path.exists():
            assert hashlib.sha256(path.read_bytes()).digest() == hashlib.sha256(reference).digest()
