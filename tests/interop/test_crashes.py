"""Crashes and hostile file systems (issue 11, deliverable 3).

- SIGKILL at seeded random times during a single-file download of a large LFS file (one stream,
  and ranged lanes), a snapshot download and an upload (the Go example's `upload`). After every
  kill the cache checker (cache_check.py) passes — a complete-looking blob is always the right one;
  what a kill may leave is our resumable `<etag>.part.incomplete` + `<etag>.journal.incomplete`
  pair and, when the kill lands between the write and the rename of a small atomically written
  file, its temp file (listed, never content) — and the next run completes with exact bytes.
  An upload killed at any point leaves the repository either as it was or fully committed, and
  the rerun commits exactly the local files, sending only the LFS objects not stored yet.
- The official client killed mid-download: ours completes; the dead `<etag>.<8 hex>.incomplete`
  it leaves (it never resumes a random name) is the one leftover, and our prune removes it.
- The holder of a blob lock killed while ours (C, Go) and the official client wait for it: every
  waiter returns the exact file, nothing is left over.
- Ours killed, then the official client publishes the blob: our next download linking that blob
  removes our dead resumable pair (it held up to the blob's size until a prune).
- A full disk (a 4 MiB tmpfs as HF_HOME/hub): a larger file fails with HF_ERR_IO, leaves no
  partial file behind (nothing resumable was written: the preallocation fails first), the cache is
  consistent, and a small file downloads right after.
- A read-only cache (a read-only bind mount, and a root-owned cache used by an unprivileged user):
  cached files are still served (online and offline); an uncached file fails with HF_ERR_IO and a
  message naming the path.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from cache_check import assert_cache_consistent, blob_name, check_cache, make_bytes
from conftest import DEMO_REPO, example_bin, python_bin

MiB = 1 << 20
HF_ERR_IO = 15
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _content(seed: int, size: int) -> bytes:
    return make_bytes(b"crash", seed, size, 64)


def _run_and_kill(args, env, after: float, started=None) -> tuple[bool, subprocess.CompletedProcess | None]:
    """Start `args`, SIGKILL it `after` seconds after `started()` became true (after its start
    when None; a process slow to start under load is then still killed mid-transfer).
    Returns (killed, the result when it finished first)."""
    p = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while started is not None and not started() and p.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    try:
        out, err = p.communicate(timeout=after)
        return False, subprocess.CompletedProcess(args, p.returncode, out, err)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        return True, None


def _cdn_get_started(emulator):
    """A `started` for _run_and_kill: the next CDN GET (logged when its answer begins)."""
    seen = _cdn_gets(emulator)
    return lambda: _cdn_gets(emulator) > seen


def _cdn_gets(emulator) -> int:
    return sum(q["origin"] == "cdn" and q["method"] == "GET" for q in emulator.requests())


def _run(args, env, timeout=60) -> subprocess.CompletedProcess:
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=timeout)


def _repo_dir(hub: Path, repo: str) -> Path:
    return hub / ("models--" + repo.replace("/", "--"))


def _journaled_bytes(blobs: Path) -> int:
    """Bytes the resume journals of `blobs` record as written: 24-byte records (start, end, check;
    little-endian u64) after a 90-byte header for a 64-hex ETag (src/cache/journal.rs)."""
    import struct

    spans = []
    for j in blobs.glob("*.journal.incomplete"):
        raw = j.read_bytes()[90:]
        spans += [struct.unpack_from("<QQ", raw, i) for i in range(0, len(raw) - 23, 24)]
    total, reach = 0, 0
    for start, end in sorted(spans):
        start = max(start, reach)
        if end > start:
            total, reach = total + end - start, end
    return total


# -- SIGKILL during downloads --------------------------------------------------------------------


@pytest.mark.parametrize("lanes", [False, True], ids=["one-stream", "lanes"])
def test_sigkill_during_file_download(emulator, hf_home, lanes):
    dl = example_bin("HF_DOWNLOAD_BIN", "hf_download")
    repo, name = "test-org/crash-file", "big.bin"
    data = _content(1, 24 * MiB)
    emulator.create_repo(repo)
    emulator.commit(repo, {name: data})
    extra = (
        {"HF_HUB_C_LANES": "4", "HF_HUB_C_LANES_MIN_SIZE": str(MiB), "HF_HUB_C_LANE_CHUNK": str(2 * MiB)}
        if lanes
        else {"HF_HUB_C_LANES": "1"}
    )
    env = emulator.env(hf_home, **extra)
    hub = hf_home / "hub"
    blobs = _repo_dir(hub, repo) / "blobs"
    # One stream at 10 MB/s needs ~2.5 s (and journals every 8 MiB), four lanes at 6 MB/s each
    # ~1 s (journaling every 2 MiB range); the kills land inside.
    rate = 6_000_000 if lanes else 10_000_000
    emulator.add_fault({"origin": "cdn", "method": "GET", "action": {"throttle": {"bytes_per_sec": rate}}})
    rng = random.Random(1100 + lanes)
    window = (0.1, 0.7) if lanes else (0.2, 1.2)
    kills = journaled = 0
    for _ in range(4):
        t = rng.uniform(*window)
        killed, done = _run_and_kill([dl, repo, name], env, t, _cdn_get_started(emulator))
        print("kill at", t, killed, _journaled_bytes(blobs))
        assert_cache_consistent(hub, allow_crash_tmp=True)
        if not killed:
            assert done.returncode == 0, done.stderr
            break
        kills += 1
        journaled += _journaled_bytes(blobs) > 0
    assert kills >= 2 and journaled >= 1, (kills, journaled)
    emulator.clear_faults()
    emulator.clear_requests()
    have = _journaled_bytes(blobs)
    r = _run([dl, repo, name], env)
    assert r.returncode == 0, r.stderr
    assert Path(r.stdout.strip()).read_bytes() == data
    gets = [q for q in emulator.requests() if q["origin"] == "cdn" and q["method"] == "GET"]
    ranges = [dict((k.lower(), v) for k, v in q["headers"]).get("range", "") for q in gets]
    if have == len(data):  # killed after the last byte (hashing, publishing): nothing to fetch
        assert gets == [], ranges
    elif have:  # resumed from the journal: fetches, and never byte 0 again
        assert gets and not any(rg == "" or rg.startswith("bytes=0-") for rg in ranges), ranges
    rep = assert_cache_consistent(hub, allow_resumable=False)
    assert rep.blobs[_repo_dir(hub, repo).name] == [blob_name(data, True)]


def test_sigkill_during_snapshot_then_other_client_finishes(emulator, hf_home):
    """Killed snapshots of ours; then the official client and ours both complete the snapshot."""
    dl = example_bin("HF_DOWNLOAD_BIN", "hf_download")
    repo = "test-org/crash-snap"
    files = {f"w{i}.safetensors": _content(10 + i, 2 * MiB + i * 12345) for i in range(6)}
    files.update({"config.json": b'{"crash": true}\n', "sub/a.txt": b"a\n" * 100})
    emulator.create_repo(repo)
    commit = emulator.commit(repo, files)
    env = emulator.env(hf_home)
    hub = hf_home / "hub"
    emulator.add_fault({"origin": "cdn", "method": "GET", "action": {"throttle": {"bytes_per_sec": 1_500_000}}})
    rng = random.Random(1200)
    kills = 0
    for _ in range(4):
        started = _cdn_get_started(emulator)
        killed, done = _run_and_kill([dl, "--max-workers", "3", repo], env, rng.uniform(0.2, 1.8), started)
        assert_cache_consistent(hub, allow_crash_tmp=True)
        if not killed:
            assert done.returncode == 0, done.stderr
            break
        kills += 1
    assert kills >= 2, kills
    emulator.clear_faults()
    # The official client ignores our incomplete files (its own temp names) and completes.
    py = f"from huggingface_hub import snapshot_download\nprint(snapshot_download({repo!r}))\n"
    r = _run([python_bin(), "-c", py], env, timeout=120)
    assert r.returncode == 0, r.stderr
    folder = Path(r.stdout.strip().splitlines()[-1])
    assert folder.name == commit
    r = _run([dl, repo], env)
    assert r.returncode == 0, r.stderr
    assert Path(r.stdout.strip()) == folder
    for n, d in files.items():
        assert (folder / n).read_bytes() == d, n
    rep = assert_cache_consistent(hub)
    want = sorted(blob_name(d, n.endswith(".safetensors")) for n, d in files.items())
    assert sorted(rep.blobs[_repo_dir(hub, repo).name]) == want


def test_sigkill_of_the_official_client_then_ours_completes(emulator, hf_home):
    """The official client killed mid-download leaves `<etag>.<8 hex>.incomplete` (a random name
    it never resumes); ours downloads the file right, and our prune removes that dead file."""
    dl, cache = example_bin("HF_DOWNLOAD_BIN", "hf_download"), example_bin("HF_CACHE_BIN", "hf_cache")
    repo, name = "test-org/crash-py", "big.bin"
    data = _content(40, 8 * MiB)
    emulator.create_repo(repo)
    emulator.commit(repo, {name: data})
    env = emulator.env(hf_home)
    hub = hf_home / "hub"
    emulator.add_fault({"origin": "cdn", "method": "GET", "action": {"throttle": {"bytes_per_sec": 3_000_000}}})
    py = f"from huggingface_hub import hf_hub_download\nprint(hf_hub_download({repo!r}, {name!r}))\n"
    rng = random.Random(1400)
    for _ in range(2):
        killed, _done = _run_and_kill([python_bin(), "-c", py], env, rng.uniform(0.1, 1.0), _cdn_get_started(emulator))
        assert killed
    rep = check_cache(hub)
    assert rep.problems and all(p.startswith("leftover ") and p.endswith(".incomplete") for p in rep.problems), rep
    emulator.clear_faults()
    r = _run([dl, repo, name], env)
    assert r.returncode == 0, r.stderr
    assert Path(r.stdout.strip()).read_bytes() == data
    r = _run([cache, "prune"], env)
    assert r.returncode == 0, r.stderr
    rep = assert_cache_consistent(hub, allow_resumable=False)
    assert rep.blobs[_repo_dir(hub, repo).name] == [blob_name(data, True)]
    r = _run([dl, "--offline", repo, name], env)
    assert r.returncode == 0 and Path(r.stdout.strip()).read_bytes() == data, r.stderr


def test_sigkill_of_the_lock_holder_the_waiters_complete(emulator, hf_home, go_example):
    """One download holds the blob lock and is killed mid-transfer while ours (C and Go) and the
    official client wait for that lock: the kernel releases it with the process, one waiter takes
    over (ours resume from the journal) and every waiter returns the exact file."""
    dl = example_bin("HF_DOWNLOAD_BIN", "hf_download")
    repo, name = "test-org/crash-lock", "big.bin"
    data = _content(50, 12 * MiB)
    emulator.create_repo(repo)
    emulator.commit(repo, {name: data})
    env = emulator.env(hf_home, HF_HUB_C_LANES="1")
    hub = hf_home / "hub"
    emulator.add_fault({"origin": "cdn", "method": "GET", "action": {"throttle": {"bytes_per_sec": 8_000_000}}})
    started = _cdn_get_started(emulator)
    holder = subprocess.Popen([dl, repo, name], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while not started() and time.monotonic() < deadline:
        time.sleep(0.01)
    py = f"from huggingface_hub import hf_hub_download\nprint(hf_hub_download({repo!r}, {name!r}))\n"
    waiters = [
        subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for args in ([dl, repo, name], [go_example, repo, name], [python_bin(), "-c", py], [dl, repo, name])
    ]
    time.sleep(random.Random(1500).uniform(1.1, 1.4))  # past the first journaled 8 MiB
    assert holder.poll() is None, "the lock holder finished before the kill"
    holder.kill()
    holder.communicate()
    for w in waiters:
        out, err = w.communicate(timeout=120)
        assert w.returncode == 0, err
        assert Path(out.strip().splitlines()[-1]).read_bytes() == data
    rep = assert_cache_consistent(hub, allow_resumable=False)
    assert rep.blobs[_repo_dir(hub, repo).name] == [blob_name(data, True)]


def test_a_killed_resumable_download_goes_once_another_client_published_the_blob(emulator, hf_home):
    """Ours killed mid-transfer keeps a resumable pair; the official client then publishes the blob
    (it never resumes ours); our next download that links that blob (a newer commit with the same
    file) removes the dead pair under the blob lock instead of leaving it for a prune."""
    dl = example_bin("HF_DOWNLOAD_BIN", "hf_download")
    repo, name = "test-org/crash-stale", "big.bin"
    data = _content(60, 12 * MiB)
    emulator.create_repo(repo)
    first = emulator.commit(repo, {name: data})
    env = emulator.env(hf_home, HF_HUB_C_LANES="1")
    hub = hf_home / "hub"
    emulator.add_fault({"origin": "cdn", "method": "GET", "action": {"throttle": {"bytes_per_sec": 10_000_000}}})
    killed, _ = _run_and_kill([dl, repo, name], env, 1.2, _cdn_get_started(emulator))
    assert killed
    emulator.clear_faults()
    py = f"from huggingface_hub import hf_hub_download\nprint(hf_hub_download({repo!r}, {name!r}, revision={first!r}))\n"
    r = _run([python_bin(), "-c", py], env, timeout=120)
    assert r.returncode == 0, r.stderr
    etag = blob_name(data, True)
    rep = assert_cache_consistent(hub)
    assert rep.resumable[_repo_dir(hub, repo).name] == [etag] and _journaled_bytes(_repo_dir(hub, repo) / "blobs")
    emulator.commit(repo, {"README.md": b"# a newer commit, same big.bin\n"})
    r = _run([dl, repo, name], env)
    assert r.returncode == 0, r.stderr
    assert Path(r.stdout.strip()).read_bytes() == data
    rep = assert_cache_consistent(hub, allow_resumable=False)
    assert rep.blobs[_repo_dir(hub, repo).name] == [etag]


def _hub_get(emulator, path: str) -> bytes:
    with _OPENER.open(f"{emulator.hub_url}{path}", timeout=30) as resp:
        return resp.read()


def _repo_files(emulator, repo: str) -> dict[str, bytes] | None:
    """main's files and their bytes through the Hub API (None when the repo does not exist)."""
    try:
        tree = json.loads(_hub_get(emulator, f"/api/models/{repo}/tree/main?recursive=true"))
    except urllib.error.HTTPError as e:
        if e.code in (401, 404):
            return None
        raise
    files = [e["path"] for e in tree if e["type"] == "file"]
    return {p: _hub_get(emulator, f"/{repo}/resolve/main/{urllib.parse.quote(p)}") for p in files}


def _stored_oids(emulator, oids) -> set[str]:
    """LFS objects the emulator stored: a basic PUT, or a completed multipart upload, answered 200."""
    out = set()
    for q in emulator.requests():
        if q["status"] != 200:
            continue
        for o in oids:
            basic = q["method"] == "PUT" and o in q["path"] and "/part/" not in q["path"]
            multipart = q["method"] == "POST" and "complete_multipart" in q["path"] and o in (q["query"] or "")
            if basic or multipart:
                out.add(o)
    return out


def test_sigkill_during_upload(emulator_factory, hf_home, tmp_path, go_example):
    """Multipart uploads (1 MiB parts) for the larger files, a basic one for the smaller."""
    emulator = emulator_factory("--multipart-chunk-size", str(MiB))
    repo = "tester/crash-upload"
    local = tmp_path / "upload"
    files = {f"w{i}.bin": _content(20 + i, 2 * MiB + i) for i in range(2)}
    files["small.bin"] = _content(29, MiB // 2)
    files.update({"config.json": b'{"upload": 1}\n', "docs/readme.md": b"# up\n"})
    for n, d in files.items():
        (local / n).parent.mkdir(parents=True, exist_ok=True)
        (local / n).write_bytes(d)
    env = emulator.env(hf_home)
    # Each LFS PUT (part) and the commit answer late: a kill lands before, between or after them.
    emulator.add_fault({"origin": "cdn", "method": "PUT", "action": {"delay_ms": 300}})
    emulator.add_fault({"origin": "hub", "method": "POST", "path_contains": "/commit/", "action": {"delay_ms": 300}})
    rng = random.Random(1300)
    kills = 0
    oids = {hashlib.sha256(d).hexdigest() for n, d in files.items() if n.endswith(".bin")}
    for _ in range(4):
        killed, done = _run_and_kill([go_example, "upload", "-create", repo, str(local)], env, rng.uniform(0.1, 1.2))
        state = _repo_files(emulator, repo)
        print("upload kill", killed, None if state is None else sorted(state), sorted(_stored_oids(emulator, oids)))
        if not killed:
            assert done.returncode == 0, done.stderr
            break
        kills += 1
        # All or nothing: no commit, or a commit with exactly the local files.
        if state is not None and any(n in state for n in files):
            assert {n: state[n] for n in files} == files
        else:
            assert state is None or set(state) <= {".gitattributes"}, sorted(state)
    assert kills >= 2, kills
    time.sleep(0.4)  # a PUT the last kill left waiting in the emulator's delay ends (stored or not)
    stored = _stored_oids(emulator, oids)
    emulator.clear_faults()
    emulator.clear_requests()
    r = _run([go_example, "upload", "-create", repo, str(local)], env)
    assert r.returncode == 0, r.stderr
    state = _repo_files(emulator, repo)
    assert {n: state[n] for n in files} == files
    assert set(state) - set(files) <= {".gitattributes"}
    # The rerun sent only the LFS objects the killed runs had not stored.
    resent = {o for o in oids for q in emulator.requests() if q["method"] == "PUT" and o in q["path"]}
    assert not (resent & stored) and (resent | stored) == oids, (sorted(stored), sorted(resent))
    # And it downloads back exactly through the official client.
    py = (
        "from huggingface_hub import hf_hub_download\n"
        f"print(hf_hub_download({repo!r}, 'w1.bin'))\n"
    )
    r = _run([python_bin(), "-c", py], env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert Path(r.stdout.strip()).read_bytes() == files["w1.bin"]
    assert_cache_consistent(hf_home / "hub")


# -- full disk -----------------------------------------------------------------------------------


@pytest.fixture
def small_disk(hf_home):
    hub = hf_home / "hub"
    hub.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(hub)], check=True)
    yield hub
    subprocess.run(["umount", "-l", str(hub)], check=True)


def test_full_disk_gives_io_error_and_keeps_cache_consistent(emulator, hf_home, small_disk):
    dl = example_bin("HF_DOWNLOAD_BIN", "hf_download")
    repo = "test-org/full-disk"
    small, fits, big = _content(30, 200_000), _content(31, 2 * MiB), _content(32, 6 * MiB)
    emulator.create_repo(repo)
    emulator.commit(repo, {"small.bin": small, "fits.bin": fits, "big.bin": big, "config.json": b"{}\n"})
    env = emulator.env(hf_home)
    r = _run([dl, repo, "fits.bin"], env)
    assert r.returncode == 0, r.stderr
    fits_path = r.stdout.strip()
    for name in ("big.bin", "big.bin"):  # twice: the first failure left nothing in the way
        r = _run([dl, repo, name], env)
        assert r.returncode == HF_ERR_IO, (r.returncode, r.stderr)
        assert r.stderr.startswith("error: HF_ERR_IO:") and "No space left on device" in r.stderr, r.stderr
        rep = assert_cache_consistent(small_disk, allow_resumable=False)
        assert blob_name(big, True) not in rep.blobs[_repo_dir(small_disk, repo).name]
    assert not (_repo_dir(small_disk, repo) / "snapshots").joinpath(emulator.resolve(repo), "big.bin").exists()
    # The failed download freed what it had taken: the small files still fit.
    for name, data in (("small.bin", small), ("config.json", b"{}\n")):
        r = _run([dl, repo, name], env)
        assert r.returncode == 0, r.stderr
        assert Path(r.stdout.strip()).read_bytes() == data
    assert Path(fits_path).read_bytes() == fits
    # A snapshot needing more than the disk has fails with HF_ERR_IO too; every file it did
    # publish is right and nothing is left half-written.
    r = _run([dl, repo], env)
    assert r.returncode == HF_ERR_IO, (r.returncode, r.stderr)
    assert_cache_consistent(small_disk, allow_resumable=False)


# -- read-only cache -----------------------------------------------------------------------------


@pytest.fixture
def warm_cache(emulator, hf_home):
    dl = example_bin("HF_DOWNLOAD_BIN", "hf_download")
    env = emulator.env(hf_home)
    paths = {}
    for name in ("config.json", "model.safetensors"):
        r = _run([dl, DEMO_REPO, name], env)
        assert r.returncode == 0, r.stderr
        paths[name] = r.stdout.strip()
    return env, paths


def _expect_hits_and_clear_failure(dl, env, paths, run_prefix=()):
    for offline in ([], ["--offline"]):
        for name, path in paths.items():
            r = _run([*run_prefix, dl, *offline, DEMO_REPO, name], env)
            assert r.returncode == 0, (offline, name, r.stderr)
            assert r.stdout.strip() == path
    r = _run([*run_prefix, dl, DEMO_REPO, "README.md"], env)
    assert r.returncode == HF_ERR_IO, (r.returncode, r.stderr)
    assert r.stderr.startswith("error: HF_ERR_IO:") and str(env["HF_HOME"]) in r.stderr, r.stderr
    return r.stderr


def test_read_only_mount(emulator, hf_home, warm_cache):
    env, paths = warm_cache
    dl = example_bin("HF_DOWNLOAD_BIN", "hf_download")
    hub = hf_home / "hub"
    snapshot = [dl, "--include", "*.json", "--include", "*.safetensors", DEMO_REPO]
    r = _run(snapshot, env)  # also stores the file list an offline snapshot needs
    assert r.returncode == 0, r.stderr
    subprocess.run(["mount", "--bind", str(hub), str(hub)], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(hub)], check=True)
        err = _expect_hits_and_clear_failure(dl, env, paths)
        assert "Read-only file system" in err, err
        # A snapshot of the cached revision is served too, online and offline.
        for offline in ([], ["--offline"]):
            r = _run([snapshot[0], *offline, *snapshot[1:]], env)
            assert r.returncode == 0 and Path(r.stdout.strip()) == Path(paths["config.json"]).parent, r.stderr
        # A newer commit upstream needs a new snapshot folder: HF_ERR_IO naming it (the official
        # client raises OSError EROFS there too); offline, the cached revision still answers.
        emulator.commit(DEMO_REPO, {"new.txt": b"x"})
        r = _run([dl, DEMO_REPO, "config.json"], env)
        assert r.returncode == HF_ERR_IO and str(hub) in r.stderr and "Read-only" in r.stderr, r.stderr
        r = _run([dl, "--offline", DEMO_REPO, "config.json"], env)
        assert r.returncode == 0 and r.stdout.strip() == paths["config.json"], r.stderr
        assert_cache_consistent(hub)
    finally:
        subprocess.run(["umount", str(hub)], check=True)


def test_read_only_for_this_user(emulator, tmp_path_factory):
    """A cache root owns (0755) used by an unprivileged user: reads work, writes say EACCES."""
    import tempfile

    home = Path(tempfile.mkdtemp(prefix="hf-ro-"))  # /tmp/hf-ro-*, reachable by nobody
    try:
        os.chmod(home, 0o755)
        env = emulator.env(home)
        dl = example_bin("HF_DOWNLOAD_BIN", "hf_download")
        paths = {}
        for name in ("config.json", "model.safetensors"):
            r = _run([dl, DEMO_REPO, name], env)
            assert r.returncode == 0, r.stderr
            paths[name] = r.stdout.strip()
        for p in [home, *home.rglob("*")]:
            if p.is_dir() and not p.is_symlink():
                os.chmod(p, 0o755)
            elif p.is_file() and not p.is_symlink():
                os.chmod(p, 0o644)
        nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        r = _run([*nobody, "test", "-r", paths["config.json"]], env)
        assert r.returncode == 0, "the unprivileged user cannot reach the cache"
        if not os.access(dl, os.X_OK) or _run([*nobody, dl, "--version"], env).returncode != 0:
            pytest.fail(f"{dl} is not runnable by an unprivileged user")
        err = _expect_hits_and_clear_failure(dl, env, paths, nobody)
        assert "Permission denied" in err, err
        assert_cache_consistent(home / "hub")
    finally:
        subprocess.run(["rm", "-rf", str(home)], check=True)
