"""Many processes on one cache (issue 11, deliverable 2): our C example (`hf_download`, file and
snapshot), our Go example, the official Python client (`hf_hub_download`, `snapshot_download`),
several of each, download the same files of one repo into the same HF_HOME at once — throttled on
the CDN so the downloads overlap in time — while `hf_cache` verifies the cache, deletes an older
revision (which shares a blob with the one being downloaded) and prunes a detached revision.

What is asserted:
- every process exits 0; every path it printed holds exactly the file's bytes when it exits, and
  still does after all of them (and the deletions) are done;
- one blob per file: the repo's `blobs/` holds exactly the blobs of the downloaded revision (the
  deleted and pruned revisions' own blobs are gone, the shared one stays because main uses it);
- the cache checker (tests/interop/cache_check.py) passes with no incomplete file left;
- `hf_cache verify` finds no mismatch, during the downloads and after.

Not asserted: which process fetched a blob (they share the blob lock, so one fetches, others reuse),
nor whether the shared blob was deleted and fetched again: a deletion whose scan ran before main
linked it may remove it, unless a pointer links it by the time the deletion holds its lock (then it
is skipped, see cache::manage `Guard`); either way every returned path stays valid. The official
client links an existing blob without taking the lock, so a deletion may still remove a blob it is
linking at that very instant (a window of microseconds, its own `hf cache rm` has it too).
A revision downloaded by commit hash alone is "detached" by definition: pruning it while a download
into it runs may remove what that download links; the pruned revision here is not being downloaded.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path


from cache_check import assert_cache_consistent, blob_name, make_bytes
from conftest import example_bin, python_bin

REPO = "test-org/many"
MiB = 1 << 20


def _content(seed: int, size: int) -> bytes:
    return make_bytes(b"seed", seed, size, 32)


# name -> (content, is LFS)
MAIN = {
    "big-a.bin": (_content(1, 4 * MiB), True),
    "big-b.safetensors": (_content(2, 3 * MiB), True),
    "shared.bin": (_content(3, 1 * MiB), True),
    "config.json": (b'{"model_type": "many", "layers": 3}\n', False),
    "sub/notes.txt": (b"notes for the many-processes test\n" * 20, False),
}
OLD = {  # tagged `old`, deleted while main downloads; shares shared.bin with main
    "shared.bin": MAIN["shared.bin"],
    "old-only.bin": (_content(4, MiB // 2), True),
    "config.json": (b'{"model_type": "old"}\n', False),
}
DETACHED = {  # downloaded by commit hash only (no ref): what prune removes
    "shared.bin": MAIN["shared.bin"],
    "detached-only.bin": (_content(5, MiB // 4), True),
}

PY_FILES = """
import sys
from huggingface_hub import hf_hub_download
for f in sys.argv[1:]:
    print(hf_hub_download(%r, f))
""" % REPO

PY_SNAPSHOT = """
from huggingface_hub import snapshot_download
print(snapshot_download(%r))
""" % REPO


def _commit(emulator, files: dict, message: str, deletes=()) -> str:
    return emulator.commit(REPO, {k: v[0] for k, v in files.items()}, message=message, deletes=deletes)


def _spawn(args, env):
    return subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _check_file(path: str, name: str) -> None:
    p = Path(path)
    assert p.is_file(), f"{path} ({name}) does not exist"
    assert p.read_bytes() == MAIN[name][0], f"{path} ({name}) has wrong bytes"


def _check_snapshot(folder: str) -> None:
    for name in MAIN:
        _check_file(os.path.join(folder, name), name)
    assert not (Path(folder) / "old-only.bin").exists()


def test_many_processes_one_cache(emulator, hf_home, go_example):
    dl, cache = example_bin("HF_DOWNLOAD_BIN", "hf_download"), example_bin("HF_CACHE_BIN", "hf_cache")
    env = emulator.env(hf_home)
    emulator.create_repo(REPO)
    old = _commit(emulator, OLD, "old")
    emulator.create_tag(REPO, "old", old)
    detached = _commit(emulator, DETACHED, "detached", deletes=["old-only.bin", "config.json"])
    main = _commit(emulator, MAIN, "main", deletes=["detached-only.bin"])
    assert len({old, detached, main}) == 3

    # The older revisions are in the cache first: `old` through its tag, the other by commit only.
    for rev in ("old", detached):
        r = subprocess.run([dl, "--revision", rev, REPO], env=env, capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
    hub = hf_home / "hub"
    repo_dir = hub / ("models--" + REPO.replace("/", "--"))
    assert (repo_dir / "snapshots" / old / "old-only.bin").is_file()
    assert (repo_dir / "snapshots" / detached / "detached-only.bin").is_file()

    # ~1.5 MB/s per response: the 4 MiB file takes ~3 s, so every process overlaps with a download.
    emulator.add_fault({"origin": "cdn", "method": "GET", "action": {"throttle": {"bytes_per_sec": 1_500_000}}})
    names = list(MAIN)
    procs: list[tuple[str, object, subprocess.Popen]] = []  # (kind, what, process)
    for i in range(4):
        c_name, go_name = names[i % len(names)], names[(i + 1) % len(names)]
        # Half of ours fetch large files through ranged lanes (1 MiB ranges).
        c_env = dict(env, HF_HUB_C_LANES="4", HF_HUB_C_LANES_MIN_SIZE=str(MiB), HF_HUB_C_LANE_CHUNK=str(MiB)) if i % 2 else env
        procs.append(("c", c_name, _spawn([dl, REPO, c_name], c_env)))
        procs.append(("go", go_name, _spawn([go_example, REPO, go_name], env)))
        py_names = ["big-a.bin", "big-b.safetensors", "shared.bin", names[(i + 3) % len(names)]]
        py_names = py_names[i % 2 :] + py_names[: i % 2]
        procs.append(("py", py_names, _spawn([python_bin(), "-c", PY_FILES, *py_names], env)))
    for _ in range(2):
        procs.append(("c-snapshot", None, _spawn([dl, REPO], env)))
    procs.append(("py-snapshot", None, _spawn([python_bin(), "-c", PY_SNAPSHOT], env)))
    # The cache maintenance runs while the downloads are under way.
    time.sleep(0.7)
    assert sum(p.poll() is None for _, _, p in procs) >= 10, "the downloads were over before maintenance began"
    maint = [
        ("verify", _spawn([cache, "verify"], env)),
        ("delete", _spawn([cache, "delete", old], env)),
        ("prune", _spawn([cache, "prune"], env)),
    ]
    time.sleep(0.5)
    maint.append(("verify", _spawn([cache, "verify"], env)))

    returned: list[tuple[str, str]] = []  # (path, name or "" for a snapshot folder)
    failures = []
    for kind, what, p in procs:
        out, err = p.communicate(timeout=120)
        if p.returncode != 0:
            failures.append(f"{kind} {what}: exit {p.returncode}\n{err}")
            continue
        lines = out.strip().splitlines()
        if kind in ("c", "go"):
            returned.append((lines[-1], what))
            _check_file(lines[-1], what)
        elif kind == "py":
            assert len(lines) == len(what), out
            for path, name in zip(lines, what):
                returned.append((path, name))
                _check_file(path, name)
        else:
            returned.append((lines[-1], ""))
            _check_snapshot(lines[-1])
    for kind, p in maint:
        out, err = p.communicate(timeout=120)
        print("MAINT", kind, p.returncode, out.replace("\n", " | ")[-600:], err.replace("\n", " | ")[-300:])
        if p.returncode != 0:
            failures.append(f"hf_cache {kind}: exit {p.returncode}\n{out}\n{err}")
    assert not failures, "\n".join(failures)
    emulator.clear_faults()

    # Every returned path still exists with its bytes, after every process and the deletions.
    for path, name in returned:
        if name:
            _check_file(path, name)
        else:
            _check_snapshot(path)
    assert len(returned) == 4 + 4 + 4 * 4 + 3

    rep = assert_cache_consistent(hub, allow_resumable=False)
    # One blob per file of main; the deleted revision's and the pruned one's own blobs are gone.
    assert sorted(rep.blobs[repo_dir.name]) == sorted(blob_name(c, lfs) for c, lfs in MAIN.values())
    snapshots = sorted(p.name for p in (repo_dir / "snapshots").iterdir())
    assert snapshots == [main]
    assert sorted(p.name for p in (repo_dir / "refs").iterdir()) == ["main"]
    r = subprocess.run([cache, "verify"], env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and " 0 mismatched" in r.stdout, r.stdout + r.stderr
    assert f"checked {len(MAIN)} blobs" in r.stdout, r.stdout
