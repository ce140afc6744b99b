"""Snapshots shared with the official client (huggingface_hub, pinned).

Our side runs through the C API (``hf_download`` example without a FILENAME = hf_snapshot_download).
- A snapshot we downloaded is returned by Python's offline ``snapshot_download``, and the other way
  round; both check completeness with the ``trees/<commit>.json`` file list the other wrote.
- Both clients write the same cache tree for a snapshot (refs, trees, blobs, symlinks).
- A selection Python fetched is incomplete for a wider offline request of ours, and we say which files
  are missing (HF_ERR_INCOMPLETE_SNAPSHOT = exit code 10).
- local_dir: the metadata files each client writes are accepted by the other (no re-download).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from conftest import DEMO_REPO
from test_cross_client import hf_download_bin, tree

HF_ERR_INCOMPLETE_SNAPSHOT = 10


def ours_snapshot(env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run([hf_download_bin(), *args, DEMO_REPO], env=env, capture_output=True, text=True, timeout=120)
    if check and proc.returncode != 0:
        pytest.fail(f"hf_download {args} {DEMO_REPO} -> {proc.returncode}\n{proc.stderr}")
    return proc


def py_snapshot(run_py, env: dict, **kwargs) -> str:
    code = (
        "from huggingface_hub import snapshot_download\n"
        f"print(snapshot_download({DEMO_REPO!r}, **{kwargs!r}))\n"
    )
    return run_py(code, env).stdout.strip().splitlines()[-1]


def test_our_snapshot_is_returned_offline_by_python(emulator, hf_home, run_py):
    env = emulator.env(hf_home)
    ours_path = ours_snapshot(env).stdout.strip()
    offline = dict(env, HF_HUB_OFFLINE="1")
    assert py_snapshot(run_py, offline) == ours_path
    assert py_snapshot(run_py, offline, allow_patterns=["*.json"]) == ours_path


def test_python_snapshot_is_returned_offline_by_us(emulator, hf_home, run_py):
    env = emulator.env(hf_home)
    py_path = py_snapshot(run_py, env)
    emulator.clear_requests()
    got = ours_snapshot(env, "--offline").stdout.strip()
    assert got == py_path
    assert emulator.requests() == [], "offline means no request"
    # Online and up to date: only the revision call.
    emulator.clear_requests()
    assert ours_snapshot(env).stdout.strip() == py_path
    assert [r["path"] for r in emulator.requests()] == [f"/api/models/{DEMO_REPO}/revision/main"]


def test_python_partial_snapshot_is_incomplete_for_us(emulator, hf_home, run_py):
    env = emulator.env(hf_home)
    py_snapshot(run_py, env, allow_patterns=["*.json", "*.md"])
    proc = ours_snapshot(env, "--offline", check=False)
    assert proc.returncode == HF_ERR_INCOMPLETE_SNAPSHOT, proc.stderr
    assert "model.safetensors" in proc.stderr and "subdir/data.txt" in proc.stderr
    # The part Python fetched is complete for the same selection.
    assert ours_snapshot(env, "--offline", "--include", "*.json", "--include", "*.md").returncode == 0


def test_both_clients_write_the_same_snapshot_tree(emulator_factory, tmp_path, run_py):
    emu_py, emu_ours = emulator_factory(), emulator_factory()
    home_py, home_ours = tmp_path / "py", tmp_path / "ours"
    py_snapshot(run_py, emu_py.env(home_py))
    ours_snapshot(emu_ours.env(home_ours))
    a, b = tree(home_py / "hub"), tree(home_ours / "hub")
    # Python-only files: its lock files and telemetry cache; compare the cache proper.
    ignore = (".locks", "CACHEDIR.TAG")
    a = {k: v for k, v in a.items() if not k.startswith(ignore)}
    b = {k: v for k, v in b.items() if not k.startswith(ignore)}
    trees = [k for k in a if "/trees/" in k]
    assert trees and all(k in b for k in trees)
    for k in trees:  # same content, formatting aside
        assert json.loads(a.pop(k)[1]) == json.loads(b.pop(k)[1])
    assert a == b


def test_local_dir_metadata_is_shared(emulator, hf_home, tmp_path, run_py):
    env = emulator.env(hf_home)
    local = tmp_path / "local"
    py_snapshot(run_py, env, local_dir=str(local))
    emulator.clear_requests()
    ours_snapshot(env, "--local-dir", str(local))
    gets = [r for r in emulator.requests() if r["method"] == "GET" and "/resolve/" in r["path"]]
    assert gets == [], f"files Python put in the local_dir were fetched again: {gets}"
    # And the other way round, into a fresh folder.
    local2 = tmp_path / "local2"
    ours_snapshot(env, "--local-dir", str(local2))
    emulator.clear_requests()
    py_snapshot(run_py, env, local_dir=str(local2))
    heads_or_gets = [r for r in emulator.requests() if "/resolve/" in r["path"] and r["method"] == "GET"]
    assert heads_or_gets == [], f"Python fetched again what we put in the local_dir: {heads_or_gets}"
    for name in ["config.json", "model.safetensors", "subdir/data.txt"]:
        assert (local / name).read_bytes() == (local2 / name).read_bytes()
        assert not (local2 / name).is_symlink()
