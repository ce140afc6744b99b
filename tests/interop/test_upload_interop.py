"""Uploads: the official client (huggingface_hub, pinned, HF_HUB_DISABLE_XET=1) and our library
against the same emulator binary.

- The emulator is faithful enough for the official client's create_repo, upload_file,
  upload_folder, create_commit (with copies and deletes), create_branch and create_tag.
- What we upload, the official client downloads byte-identical, and the other way round.
- For a folder with small and large files, both clients send the same sequence of requests.

Our side is the C library loaded with ctypes in a fresh interpreter (``$HF_HUB_LIB``, default
``build/lib/libhf_hub.so``), configured by the same HF_* variables as Python.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

import pytest

from conftest import REPO_ROOT

pytestmark = pytest.mark.upload

BIG = 300_000  # an LFS file (.bin)


def lib_path() -> str:
    path = Path(os.environ.get("HF_HUB_LIB", REPO_ROOT / "build" / "lib" / "libhf_hub.so"))
    if not path.exists():
        pytest.fail(f"{path} is missing: build it with `make build` (or set HF_HUB_LIB)")
    return str(path)


OURS_PRELUDE = r"""
import ctypes, json, sys
lib = ctypes.CDLL(LIB)
P = ctypes.c_void_p
lib.hf_client_new.argtypes = [P, ctypes.POINTER(P), ctypes.POINTER(P)]
lib.hf_error_message.restype = ctypes.c_char_p
lib.hf_error_message.argtypes = [P]
lib.hf_commit_info_oid.restype = ctypes.c_char_p
lib.hf_commit_info_oid.argtypes = [P]
lib.hf_string_free.argtypes = [P]
def check(st, err):
    if st != 0:
        sys.exit(f"status {st}: {lib.hf_error_message(err).decode()}")
client = P(); err = P()
check(lib.hf_client_new(None, ctypes.byref(client), ctypes.byref(err)), err)
def s(x):
    return None if x is None else x.encode()
def upload_folder(repo, folder, path_in_repo=None):
    lib.hf_upload_folder.argtypes = [P, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, P, P, ctypes.POINTER(P), ctypes.POINTER(P)]
    info = P()
    check(lib.hf_upload_folder(client, s(repo), s(folder), s(path_in_repo), None, None, None, ctypes.byref(info), ctypes.byref(err)), err)
    return lib.hf_commit_info_oid(info).decode()
def create_repo(repo):
    lib.hf_repo_create.argtypes = [P, ctypes.c_char_p, P, ctypes.POINTER(P), ctypes.POINTER(P)]
    url = P()
    check(lib.hf_repo_create(client, s(repo), None, ctypes.byref(url), ctypes.byref(err)), err)
def download(repo, filename):
    lib.hf_file_download.argtypes = [P, ctypes.c_char_p, ctypes.c_char_p, P, ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(P)]
    path = ctypes.c_char_p()
    check(lib.hf_file_download(client, s(repo), s(filename), None, ctypes.byref(path), ctypes.byref(err)), err)
    return path.value.decode()
"""


def ours(run_py, env: dict, body: str) -> str:
    code = f"LIB = {lib_path()!r}\n" + OURS_PRELUDE + body
    return run_py(code, env).stdout.strip().splitlines()[-1]


def make_folder(root: Path) -> dict[str, bytes]:
    files = {
        "config.json": b'{"model_type": "test"}',
        "README.md": b"# a model\n",
        "sub/notes.txt": b"small text\n",
        "weights.bin": os.urandom(BIG),
        "sub/more.safetensors": os.urandom(BIG // 3),
        ".git/HEAD": b"ref: refs/heads/main\n",
    }
    for rel, data in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    return {k: v for k, v in files.items() if not k.startswith(".git/")}


def official_env(emulator, hf_home) -> dict:
    return emulator.env(hf_home, HF_HUB_DISABLE_XET="1")


def test_official_client_runs_every_upload_call(emulator, hf_home, tmp_path, run_py):
    folder = tmp_path / "folder"
    files = make_folder(folder)
    code = f"""
import json
from huggingface_hub import HfApi, CommitOperationAdd, CommitOperationCopy, CommitOperationDelete
api = HfApi()
repo = "tester/official"
print(api.create_repo(repo))
api.create_repo(repo, exist_ok=True)
api.upload_file(path_or_fileobj=b"hello", path_in_repo="hello.txt", repo_id=repo)
api.upload_folder(folder_path={str(folder)!r}, repo_id=repo, path_in_repo="f")
info = api.create_commit(repo, [
    CommitOperationCopy("f/weights.bin", "copy.bin"),
    CommitOperationCopy("hello.txt", "hello-copy.txt"),
    CommitOperationDelete("f/README.md"),
    CommitOperationDelete("f/sub/"),
    CommitOperationAdd("added.txt", b"added"),
], commit_message="copies and deletes")
api.create_branch(repo, branch="dev")
api.create_tag(repo, tag="v1", revision="dev", tag_message="first")
pr = api.create_commit(repo, [CommitOperationAdd("pr.txt", b"pr")], commit_message="a PR", create_pr=True)
print(json.dumps({{"oid": info.oid, "pr": pr.pr_num}}))
"""
    out = json.loads(run_py(code, official_env(emulator, hf_home)).stdout.strip().splitlines()[-1])
    repo = "tester/official"
    assert emulator.resolve(repo) == out["oid"]
    assert emulator.resolve(repo, "dev") == out["oid"]
    assert emulator.resolve(repo, "v1") == out["oid"]
    assert out["pr"] == 1 and emulator.resolve(repo, "refs/pr/1") not in (None, out["oid"])
    # Read back with our library: the copies, the deletes.
    got = ours(run_py, emulator.env(hf_home), f"""
import hashlib
print(json.dumps({{f: hashlib.sha256(open(download("{repo}", f), "rb").read()).hexdigest()
                  for f in ["copy.bin", "hello-copy.txt", "added.txt", "f/config.json"]}}))
""")
    sums = json.loads(got)
    assert sums["copy.bin"] == hashlib.sha256(files["weights.bin"]).hexdigest()
    assert sums["hello-copy.txt"] == hashlib.sha256(b"hello").hexdigest()
    assert sums["added.txt"] == hashlib.sha256(b"added").hexdigest()
    missing = run_py(
        f"from huggingface_hub import hf_hub_download\nhf_hub_download({repo!r}, 'f/sub/notes.txt')",
        official_env(emulator, hf_home), check=False)
    assert missing.returncode != 0 and "EntryNotFound" in missing.stderr


def test_what_we_upload_the_official_client_downloads(emulator, hf_home, tmp_path, run_py):
    folder = tmp_path / "folder"
    files = make_folder(folder)
    repo = "tester/ours"
    ours(run_py, emulator.env(hf_home), f"create_repo({repo!r})\nprint(upload_folder({repo!r}, {str(folder)!r}))")
    code = f"""
import json, hashlib, os
from huggingface_hub import snapshot_download
root = snapshot_download({repo!r})
out = {{}}
for d, _, fs in os.walk(root):
    for f in fs:
        p = os.path.join(d, f)
        out[os.path.relpath(p, root)] = hashlib.sha256(open(p, "rb").read()).hexdigest()
print(json.dumps(out))
"""
    got = json.loads(run_py(code, official_env(emulator, tmp_path / "py_home")).stdout.strip().splitlines()[-1])
    want = {k: hashlib.sha256(v).hexdigest() for k, v in files.items()}
    got.pop(".gitattributes", None)
    assert got == want


def test_what_the_official_client_uploads_we_download(emulator, hf_home, tmp_path, run_py):
    folder = tmp_path / "folder"
    files = make_folder(folder)
    repo = "tester/theirs"
    code = f"""
from huggingface_hub import HfApi
api = HfApi()
api.create_repo({repo!r})
api.upload_folder(folder_path={str(folder)!r}, repo_id={repo!r})
"""
    run_py(code, official_env(emulator, hf_home))
    got = json.loads(ours(run_py, emulator.env(tmp_path / "our_home"), f"""
import hashlib
print(json.dumps({{f: hashlib.sha256(open(download({repo!r}, f), "rb").read()).hexdigest() for f in {sorted(files)!r}}}))
"""))
    assert got == {k: hashlib.sha256(v).hexdigest() for k, v in files.items()}


def upload_sequence(emulator, repo: str) -> list[tuple[str, str, str]]:
    """(origin, method, path with the repo id and oids normalized) of the upload requests."""
    out = []
    for r in emulator.requests():
        path = r["path"]
        if path.startswith("/api/agent-harnesses") or path.startswith("/api/repos/create"):
            continue
        path = path.replace(repo, "REPO")
        path = re.sub(r"[0-9a-f]{64}", "OID", path)
        out.append((r["origin"], r["method"], path))
    return out


def test_same_request_sequence_for_a_folder(emulator, hf_home, tmp_path, run_py):
    folder, mine_folder = tmp_path / "folder", tmp_path / "mine"
    make_folder(folder)
    make_folder(mine_folder)  # other random bytes: the LFS objects are new to the server again
    run_py("from huggingface_hub import HfApi\nHfApi().create_repo('tester/seq-py')", official_env(emulator, hf_home))
    ours(run_py, emulator.env(hf_home), "create_repo('tester/seq-ours')\nprint('ok')")
    emulator.clear_requests()
    run_py(f"from huggingface_hub import HfApi\nHfApi().upload_folder(folder_path={str(folder)!r}, repo_id='tester/seq-py')",
           official_env(emulator, hf_home))
    theirs = upload_sequence(emulator, "tester/seq-py")
    emulator.clear_requests()
    ours(run_py, emulator.env(hf_home), f"print(upload_folder('tester/seq-ours', {str(mine_folder)!r}))")
    mine = upload_sequence(emulator, "tester/seq-ours")
    # The two LFS objects go in either order (the official client uses a thread pool): compare
    # the multiset, then the order of everything but the per-object PUT + verify pairs.
    assert sorted(mine) == sorted(theirs), f"ours: {mine}\nofficial: {theirs}"
    per_object = {("cdn", "PUT", "/upload/OID"), ("hub", "POST", "/REPO.git/info/lfs/objects/verify")}
    assert [m for m in mine if m not in per_object] == [t for t in theirs if t not in per_object]
    assert mine.index(("hub", "POST", "/REPO.git/info/lfs/objects/batch")) < mine.index(("cdn", "PUT", "/upload/OID"))
    assert mine[-1] == ("hub", "POST", "/api/models/REPO/commit/main")
