"""Our library and the official client (huggingface_hub, pinned) share one cache.

Our side is driven through the C API by the ``hf_download`` example program (``$HF_DOWNLOAD_BIN``,
default ``build/bin/hf_download``), configured by the same HF_* variables as Python.
- A file fetched by either client is an offline cache hit for the other.
- Both clients, run against the same Hub, write the same cache tree, file for file: paths, kinds,
  symlink targets, bytes.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path

import pytest

from conftest import DEMO_REPO, REPO_ROOT, python_bin

FILES = ["config.json", "model.safetensors", "subdir/data.txt", "README.md"]


def hf_download_bin() -> str:
    path = Path(os.environ.get("HF_DOWNLOAD_BIN", REPO_ROOT / "build" / "bin" / "hf_download"))
    if not path.exists():
        pytest.fail(f"{path} is missing: build it with `make build` (or set HF_DOWNLOAD_BIN)")
    return str(path)


def ours(env: dict, repo: str, filename: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run([hf_download_bin(), *args, repo, filename], env=env, capture_output=True, text=True, timeout=60)
    if check and proc.returncode != 0:
        pytest.fail(f"hf_download {repo} {filename} {args} -> {proc.returncode}\n{proc.stderr}")
    return proc


def python_download(run_py, env: dict, calls: list[tuple]) -> list[str]:
    """Run hf_hub_download for each (repo, filename, kwargs) in one fresh interpreter; return paths."""
    code = (
        "import json\nfrom huggingface_hub import hf_hub_download\nout = []\n"
        + "".join(f"out.append(hf_hub_download({r!r}, {f!r}, **{kw!r}))\n" for r, f, kw in calls)
        + "print(json.dumps(out))\n"
    )
    return json.loads(run_py(code, env).stdout.strip().splitlines()[-1])


def tree(root: Path) -> dict[str, tuple]:
    """Every entry under root: relative path -> (kind, link target | content bytes | None)."""
    out: dict[str, tuple] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            rel = str(p.relative_to(root))
            st = p.lstat()
            if stat.S_ISLNK(st.st_mode):
                out[rel] = ("link", os.readlink(p))
            elif stat.S_ISDIR(st.st_mode):
                out[rel] = ("dir", None)
            else:
                out[rel] = ("file", p.read_bytes())
    return out


def non_telemetry(emu) -> list[dict]:
    return [r for r in emu.requests() if r["path"] != "/api/agent-harnesses"]


def test_python_downloads_are_offline_hits_for_us(emulator, hf_home, run_py):
    env = emulator.env(hf_home)
    paths = python_download(run_py, env, [(DEMO_REPO, f, {}) for f in FILES])
    emulator.clear_requests()
    offline = dict(env, HF_HUB_OFFLINE="1")
    for f, py_path in zip(FILES, paths):
        assert ours(offline, DEMO_REPO, f).stdout.strip() == py_path
    commit = Path(paths[0]).parent.name
    assert ours(offline, DEMO_REPO, "config.json", "--revision", commit).stdout.strip() == paths[0]
    miss = ours(offline, DEMO_REPO, "missing.bin", check=False)
    assert miss.returncode == 9, miss.stderr  # HF_ERR_OFFLINE
    assert non_telemetry(emulator) == [], "offline lookups make no request"


def test_our_downloads_are_offline_hits_for_python(emulator, hf_home, run_py):
    env = emulator.env(hf_home)
    our_paths = [ours(env, DEMO_REPO, f).stdout.strip() for f in FILES]
    emulator.clear_requests()
    offline = dict(env, HF_HUB_OFFLINE="1")
    py_paths = python_download(run_py, offline, [(DEMO_REPO, f, {}) for f in FILES])
    assert py_paths == our_paths
    assert non_telemetry(emulator) == []
    # Python's cache scanner sees a healthy repo with our blobs.
    code = """
import json
from huggingface_hub import scan_cache_dir, try_to_load_from_cache
info = scan_cache_dir()
repos = [{"id": r.repo_id, "files": r.nb_files, "size": r.size_on_disk,
          "refs": sorted(r.refs), "revs": [sorted(f.file_name for f in rev.files) for rev in r.revisions]}
         for r in info.repos]
print(json.dumps({"repos": repos, "warnings": [str(w) for w in info.warnings],
                  "hit": try_to_load_from_cache("test-org/test-model", "config.json")}))
"""
    rep = json.loads(run_py(code, offline).stdout.strip().splitlines()[-1])
    assert rep["warnings"] == []
    (repo,) = rep["repos"]
    assert repo["id"] == DEMO_REPO and repo["files"] == 4 and repo["refs"] == ["main"]
    assert repo["size"] == sum(Path(p).stat().st_size for p in our_paths)
    assert rep["hit"] == our_paths[0]


def test_both_clients_write_the_same_cache_tree(emulator_factory, tmp_path, run_py):
    emu = emulator_factory()
    pr_num, _ = emu.create_pr(DEMO_REPO, {"pr.txt": "from a PR\n"})
    emu.create_tag(DEMO_REPO, "v1.0")
    emu.commit("test-org/test-dataset", {"data/extra.csv": "a,b\n1,2\n"}, repo_type="dataset")
    py_home, our_home = tmp_path / "py", tmp_path / "ours"
    calls = [
        (DEMO_REPO, "config.json", {}),
        (DEMO_REPO, "model.safetensors", {}),
        (DEMO_REPO, "data.txt", {"subfolder": "subdir"}),
        (DEMO_REPO, "README.md", {"revision": "v1.0"}),
        (DEMO_REPO, "pr.txt", {"revision": f"refs/pr/{pr_num}"}),
        ("test-org/test-dataset", "data/extra.csv", {"repo_type": "dataset"}),
    ]
    python_download(run_py, emu.env(py_home), calls)
    # A missing file: both write the .no_exist marker and the ref.
    run_py(
        "from huggingface_hub import hf_hub_download\n"
        "try:\n    hf_hub_download('test-org/test-model', 'missing.txt')\nexcept Exception as e:\n    print(type(e).__name__)\n",
        emu.env(py_home),
    )

    env = emu.env(our_home)
    ours(env, DEMO_REPO, "config.json")
    ours(env, DEMO_REPO, "model.safetensors")
    ours(env, DEMO_REPO, "subdir/data.txt")
    ours(env, DEMO_REPO, "README.md", "--revision", "v1.0")
    ours(env, DEMO_REPO, "pr.txt", "--revision", f"refs/pr/{pr_num}")
    ours(env, "test-org/test-dataset", "data/extra.csv", "--repo-type", "dataset")
    miss = ours(env, DEMO_REPO, "missing.txt", check=False)
    assert miss.returncode == 4, miss.stderr  # HF_ERR_ENTRY_NOT_FOUND

    py_tree, our_tree = tree(py_home / "hub"), tree(our_home / "hub")
    assert sorted(our_tree) == sorted(py_tree)
    for rel, (kind, value) in py_tree.items():
        assert our_tree[rel][0] == kind, rel
        assert our_tree[rel][1] == value, rel
    # Same permission bits everywhere: blobs (0666 & ~umask), lock files (0664), folders.
    for rel, (kind, _) in py_tree.items():
        if kind != "link":
            py_mode = stat.S_IMODE((py_home / "hub" / rel).lstat().st_mode)
            assert stat.S_IMODE((our_home / "hub" / rel).lstat().st_mode) == py_mode, rel


def test_clients_interleave_in_one_cache(emulator, hf_home, run_py):
    env = emulator.env(hf_home)
    python_download(run_py, env, [(DEMO_REPO, "config.json", {})])
    emulator.clear_requests()
    # Ours finds Python's blob: one HEAD, no GET.
    ours(env, DEMO_REPO, "config.json")
    assert [(r["method"], r["origin"]) for r in non_telemetry(emulator)] == [("HEAD", "hub")]
    ours(env, DEMO_REPO, "model.safetensors")
    emulator.clear_requests()
    # Python finds ours: HEAD only.
    python_download(run_py, env, [(DEMO_REPO, "model.safetensors", {})])
    assert [(r["method"], r["origin"]) for r in non_telemetry(emulator)] == [("HEAD", "hub")]


def test_token_file_written_by_python_is_used_by_us(emulator, hf_home, run_py):
    env = emulator.env(hf_home, token=None)
    run_py("from huggingface_hub import login\nlogin(token='hf_localtesttoken0123456789', add_to_git_credential=False)\n", env)
    assert (hf_home / "token").read_text() == "hf_localtesttoken0123456789"
    emulator.clear_requests()
    # Private repo: readable only with the token, which we take from the file Python wrote.
    out = ours(env, "test-org/private-model", "config.json")
    assert out.stdout.strip().endswith("config.json")
    assert all(
        dict(map(tuple, r["headers"])).get("authorization") == "Bearer hf_localtesttoken0123456789"
        for r in non_telemetry(emulator)
    )


@pytest.fixture
def minihub():
    from minihub import MiniHub

    hub = MiniHub()
    yield hub
    hub.close()


def test_same_tree_against_an_independent_server(minihub, tmp_path, run_py):
    """The same comparison against a second fake Hub (stdlib http.server) that shares no code with
    the Rust emulator."""
    from minihub import REPO

    def env_for(home: Path) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGING"))}
        env.update(HF_ENDPOINT=minihub.hub_url, HF_HOME=str(home), HF_TOKEN="hf_minitoken0000000000000000000000",
                   HF_HUB_DISABLE_PROGRESS_BARS="1", HF_HUB_DISABLE_XET="1", HF_HUB_DISABLE_TELEMETRY="1",
                   NO_PROXY="127.0.0.1,localhost")
        return env

    names = ["config.json", "docs/notes.txt", "weights.bin"]
    py_home, our_home = tmp_path / "py", tmp_path / "ours"
    py_paths = python_download(run_py, env_for(py_home), [(REPO, n, {}) for n in names])
    run_py(
        "from huggingface_hub import hf_hub_download\n"
        f"try:\n    hf_hub_download({REPO!r}, 'nope.txt')\nexcept Exception as e:\n    print(type(e).__name__)\n",
        env_for(py_home),
    )
    minihub.log.clear()
    our_paths = [ours(env_for(our_home), REPO, n).stdout.strip() for n in names]
    assert ours(env_for(our_home), REPO, "nope.txt", check=False).returncode == 4
    assert [p.replace(str(our_home), "") for p in our_paths] == [p.replace(str(py_home), "") for p in py_paths]
    cdn = [r for r in minihub.log if r["origin"] == "cdn"]
    assert len(cdn) == 1 and "authorization" not in cdn[0]["headers"]
    assert all(r["headers"].get("authorization") for r in minihub.log if r["origin"] == "hub")

    py_tree, our_tree = tree(py_home / "hub"), tree(our_home / "hub")
    assert sorted(our_tree) == sorted(py_tree)
    for rel, entry in py_tree.items():
        assert our_tree[rel] == entry, rel
        if entry[0] != "link":
            assert stat.S_IMODE((our_home / "hub" / rel).lstat().st_mode) == stat.S_IMODE(
                (py_home / "hub" / rel).lstat().st_mode
            ), rel
    # And each finds the other's files offline.
    off = dict(env_for(py_home), HF_HUB_OFFLINE="1")
    assert [ours(off, REPO, n).stdout.strip() for n in names] == py_paths
    off = dict(env_for(our_home), HF_HUB_OFFLINE="1")
    assert python_download(run_py, off, [(REPO, n, {}) for n in names]) == our_paths


def test_python_prune_finds_nothing_to_clean_after_us(emulator, hf_home, run_py):
    """After our downloads (one of them failing mid-way), `hf cache prune` finds no incomplete
    download and no detached revision, and scan_cache_dir no warning: publishing leaves a clean cache."""
    env = emulator.env(hf_home)
    emulator.add_fault({"origin": "cdn", "path_contains": None, "method": "GET", "times": None, "action": {"status": 500}})
    failed = ours(env, DEMO_REPO, "model.safetensors", check=False)
    assert failed.returncode != 0, failed.stdout
    emulator.clear_faults()
    for f in FILES:
        ours(env, DEMO_REPO, f)
    hf = Path(python_bin()).parent / "hf"
    proc = subprocess.run(
        [str(hf), "cache", "prune", "--cache-dir", str(hf_home / "hub"), "--dry-run", "--json"],
        env=dict(env, HF_HUB_DISABLE_TELEMETRY="1"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    report = json.loads(lines[-1]) if lines else {"revisions": 0, "incomplete": 0}
    assert report["revisions"] == 0 and report["incomplete"] == 0, proc.stdout
    leftovers = [p.name for p in (hf_home / "hub").rglob("*") if p.name.endswith((".incomplete", ".tmp"))]
    assert leftovers == []


def test_our_resumable_leftovers_are_incomplete_files_for_python(emulator, hf_home, run_py):
    """A download of ours killed mid-way keeps `<etag>.part.incomplete` and its journal
    `<etag>.journal.incomplete` for resume. For the official client they are incomplete downloads:
    scan_cache_dir lists both (no warning), hf_hub_download of the same file ignores them (it
    publishes the right blob from its own temporary file), and `hf cache prune` deletes them."""
    import hashlib
    import time

    env = emulator.env(hf_home)
    emulator.add_fault({"origin": "cdn", "action": {"throttle": {"bytes_per_sec": 100_000}}})
    proc = subprocess.Popen([hf_download_bin(), DEMO_REPO, "model.safetensors"], env=env)
    blobs = hf_home / "hub" / "models--test-org--test-model" / "blobs"
    deadline = time.monotonic() + 30
    while not list(blobs.glob("*.journal.incomplete")):
        assert proc.poll() is None, "the download ended before it was killed"
        assert time.monotonic() < deadline, "no journal after 30 s"
        time.sleep(0.02)
    time.sleep(0.3)
    proc.kill()  # SIGKILL
    proc.wait()
    emulator.clear_faults()
    ours_left = sorted(p.name for p in blobs.iterdir())
    assert len(ours_left) == 2 and ours_left[0].endswith(".journal.incomplete"), ours_left
    assert ours_left[1].endswith(".part.incomplete"), ours_left

    scan = run_py(
        "import json\nfrom huggingface_hub import scan_cache_dir\ninfo = scan_cache_dir()\n"
        "print(json.dumps({'incomplete': sorted(f.file_path.name for f in info.incomplete_files),"
        " 'warnings': [str(w) for w in info.warnings], 'repos': len(info.repos)}))\n",
        env,
    )
    report = json.loads(scan.stdout.strip().splitlines()[-1])
    assert report == {"incomplete": ours_left, "warnings": [], "repos": 1}, report

    [path] = python_download(run_py, env, [(DEMO_REPO, "model.safetensors", {})])
    data = Path(path).read_bytes()
    assert len(data) == 1 << 20
    sha = hashlib.sha256(data).hexdigest()
    assert Path(path).resolve().name == sha
    assert sorted(p.name for p in blobs.iterdir()) == sorted([sha, *ours_left]), "ours left alone"

    hf = Path(python_bin()).parent / "hf"
    pruned = subprocess.run(
        [str(hf), "cache", "prune", "--cache-dir", str(hf_home / "hub"), "--yes"],
        env=dict(env, HF_HUB_DISABLE_TELEMETRY="1"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert pruned.returncode == 0, pruned.stderr
    assert sorted(p.name for p in blobs.iterdir()) == [sha], pruned.stdout
