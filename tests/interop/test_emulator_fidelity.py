"""The official client (huggingface_hub, pinned) against the hub emulator.

Each scenario runs in a fresh interpreter so that the HF_* variables are read at import, exactly
like the recorded traces (shared/observed-traces.md).
"""

from __future__ import annotations

import hashlib
import json
import os
import textwrap
from pathlib import Path

import pytest

from conftest import DEMO_REPO, DEMO_TOKEN

PRELUDE = """
import json, sys
def _report(fn):
    try:
        out = fn()
        print("\\n" + json.dumps({"ok": True, "result": out}))
    except Exception as e:
        resp = getattr(e, "response", None)
        print("\\n" + json.dumps({
            "ok": False,
            "error": type(e).__name__,
            "mro": [c.__name__ for c in type(e).__mro__],
            "status": getattr(resp, "status_code", None),
            "message": str(e),
        }))
"""


def scenario(run_py, env, body: str) -> dict:
    """Runs ``body`` (the body of a function returning JSON-able data) and returns its report."""
    code = PRELUDE + "\ndef _main():\n" + textwrap.indent(textwrap.dedent(body), "    ") + "\n_report(_main)\n"
    proc = run_py(code, env)
    last = proc.stdout.strip().splitlines()[-1]
    return json.loads(last)


def hub_requests(emu, *, skip_telemetry: bool = True) -> list[dict]:
    reqs = emu.requests()
    if skip_telemetry:
        reqs = [r for r in reqs if r["path"] != "/api/agent-harnesses"]
    return reqs


def header(req: dict, name: str) -> str | None:
    for k, v in req["headers"]:
        if k == name.lower():
            return v
    return None


def summary(reqs: list[dict]) -> list[tuple[str, str, str, int]]:
    out = []
    for r in reqs:
        path = r["path"] + (f"?{r['query']}" if r["query"] else "")
        out.append((r["origin"], r["method"], path, r["status"]))
    return out


def repo_dir(hf_home: Path, repo_id: str = DEMO_REPO, repo_type: str = "model") -> Path:
    return hf_home / "hub" / (f"{repo_type}s--" + repo_id.replace("/", "--"))


def git_blob_sha1(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def test_download_regular_file(emulator, hf_home, run_py):
    commit = emulator.resolve(DEMO_REPO)
    rep = scenario(
        run_py,
        emulator.env(hf_home),
        """
        from huggingface_hub import hf_hub_download
        return hf_hub_download("test-org/test-model", "config.json")
        """,
    )
    assert rep["ok"], rep
    reqs = hub_requests(emulator)
    url = "/test-org/test-model/resolve/main/config.json"
    assert summary(reqs) == [("hub", "HEAD", url, 200), ("hub", "GET", url, 200)]
    assert header(reqs[0], "accept-encoding") == "identity"
    assert header(reqs[0], "authorization") == f"Bearer {DEMO_TOKEN}"
    assert header(reqs[1], "authorization") == f"Bearer {DEMO_TOKEN}"
    assert header(reqs[0], "user-agent").startswith("unknown/None; hf_hub/")

    root = repo_dir(hf_home)
    pointer = root / "snapshots" / commit / "config.json"
    assert rep["result"] == str(pointer)
    content = pointer.read_bytes()
    etag = git_blob_sha1(content)
    assert (root / "blobs" / etag).read_bytes() == content
    assert pointer.is_symlink()
    assert os.readlink(pointer) == f"../../blobs/{etag}"
    assert (root / "refs" / "main").read_bytes() == commit.encode()  # no trailing newline
    assert (hf_home / "hub" / "CACHEDIR.TAG").exists()


def test_download_lfs_file_goes_to_cdn_without_auth(emulator, hf_home, run_py):
    commit = emulator.resolve(DEMO_REPO)
    rep = scenario(
        run_py,
        emulator.env(hf_home),
        """
        from huggingface_hub import hf_hub_download
        return hf_hub_download("test-org/test-model", "model.safetensors")
        """,
    )
    assert rep["ok"], rep
    reqs = hub_requests(emulator)
    assert [(r["origin"], r["method"], r["status"]) for r in reqs] == [("hub", "HEAD", 302), ("cdn", "GET", 200)]
    cdn = reqs[1]
    assert header(cdn, "authorization") is None
    assert cdn["query"] == "X-Amz-Signature=fakesig&response-content-disposition=attachment"
    data = Path(rep["result"]).read_bytes()
    assert len(data) == 1 << 20
    sha = hashlib.sha256(data).hexdigest()
    assert cdn["path"] == f"/repos/test-org/test-model/{sha}"
    root = repo_dir(hf_home)
    assert (root / "blobs" / sha).stat().st_size == 1 << 20
    assert os.readlink(root / "snapshots" / commit / "model.safetensors") == f"../../blobs/{sha}"


def test_missing_file_writes_no_exist(emulator, hf_home, run_py):
    commit = emulator.resolve(DEMO_REPO)
    rep = scenario(
        run_py,
        emulator.env(hf_home),
        """
        from huggingface_hub import hf_hub_download
        return hf_hub_download("test-org/test-model", "missing.txt")
        """,
    )
    assert not rep["ok"]
    assert rep["error"] == "RemoteEntryNotFoundError", rep
    marker = repo_dir(hf_home) / ".no_exist" / commit / "missing.txt"
    assert marker.exists() and marker.stat().st_size == 0
    assert (repo_dir(hf_home) / "refs" / "main").read_text() == commit
    reqs = hub_requests(emulator)
    assert summary(reqs) == [("hub", "HEAD", "/test-org/test-model/resolve/main/missing.txt", 404)]


@pytest.mark.parametrize(
    "repo_id, token, expected, status",
    [
        ("nobody/nothing", DEMO_TOKEN, "RepositoryNotFoundError", 401),
        ("test-org/private-model", None, "RepositoryNotFoundError", 401),
        ("test-org/gated-model", None, "GatedRepoError", 401),
        ("test-org/gated-model", "hf_outsider", "GatedRepoError", 403),
    ],
)
def test_access_errors(emulator, hf_home, run_py, repo_id, token, expected, status):
    emulator.add_user("hf_outsider", "outsider")
    rep = scenario(
        run_py,
        emulator.env(hf_home, token=token),
        f"""
        from huggingface_hub import hf_hub_download
        return hf_hub_download({repo_id!r}, "config.json")
        """,
    )
    assert not rep["ok"]
    assert rep["error"] == expected, rep
    assert rep["status"] == status, rep
    reqs = hub_requests(emulator)
    assert reqs[0]["method"] == "HEAD"
    assert (header(reqs[0], "authorization") is None) == (token is None)


def test_gated_repo_after_grant(emulator, hf_home, run_py):
    emulator.add_user("hf_outsider", "outsider")
    emulator.grant("test-org/gated-model", "outsider")
    rep = scenario(
        run_py,
        emulator.env(hf_home, token="hf_outsider"),
        """
        from huggingface_hub import hf_hub_download
        return open(hf_hub_download("test-org/gated-model", "config.json")).read()
        """,
    )
    assert rep["ok"], rep
    assert "gated" in rep["result"]


def test_bad_token_is_a_plain_401(emulator, hf_home, run_py):
    rep = scenario(
        run_py,
        emulator.env(hf_home, token="hf_definitely_not_valid"),
        """
        from huggingface_hub import hf_hub_download
        return hf_hub_download("test-org/test-model", "config.json")
        """,
    )
    assert not rep["ok"]
    assert rep["status"] == 401
    assert "HfHubHTTPError" in rep["mro"]
    assert "RepositoryNotFoundError" not in rep["mro"], rep
    assert "Invalid credentials in Authorization header" in rep["message"]


def test_pr_revision(emulator, hf_home, run_py):
    num, pr_commit = emulator.create_pr(DEMO_REPO, {"pr.txt": "from a PR\n"})
    assert num == 1
    rep = scenario(
        run_py,
        emulator.env(hf_home),
        """
        from huggingface_hub import hf_hub_download
        return open(hf_hub_download("test-org/test-model", "pr.txt", revision="refs/pr/1")).read()
        """,
    )
    assert rep["ok"], rep
    assert rep["result"] == "from a PR\n"
    reqs = hub_requests(emulator)
    assert reqs[0]["path"] == "/test-org/test-model/resolve/refs%2Fpr%2F1/pr.txt"
    assert (repo_dir(hf_home) / "refs" / "refs" / "pr" / "1").read_text() == pr_commit


def test_old_commit_and_tag(emulator, hf_home, run_py):
    first = emulator.resolve(DEMO_REPO)
    emulator.commit(DEMO_REPO, {"config.json": '{"v": 2}\n'}, message="v2")
    emulator.create_tag(DEMO_REPO, "v1.0", first)
    rep = scenario(
        run_py,
        emulator.env(hf_home),
        f"""
        from huggingface_hub import hf_hub_download
        a = open(hf_hub_download("test-org/test-model", "config.json", revision={first!r})).read()
        b = open(hf_hub_download("test-org/test-model", "config.json", revision="v1.0")).read()
        c = open(hf_hub_download("test-org/test-model", "config.json")).read()
        return [a, b, c]
        """,
    )
    assert rep["ok"], rep
    old, tagged, new = rep["result"]
    assert old == tagged != new
    assert new == '{"v": 2}\n'
    assert (repo_dir(hf_home) / "refs" / "v1.0").read_text() == first


def test_snapshot_download(emulator, hf_home, run_py):
    commit = emulator.resolve(DEMO_REPO)
    rep = scenario(
        run_py,
        emulator.env(hf_home),
        """
        from huggingface_hub import snapshot_download
        return snapshot_download("test-org/test-model")
        """,
    )
    assert rep["ok"], rep
    root = repo_dir(hf_home)
    assert rep["result"] == str(root / "snapshots" / commit)
    reqs = hub_requests(emulator)
    assert summary(reqs[:2]) == [
        ("hub", "GET", "/api/models/test-org/test-model/revision/main", 200),
        ("hub", "GET", f"/api/models/test-org/test-model/tree/{commit}?recursive=true&expand=false", 200),
    ]
    rest = summary(reqs[2:])
    files = ["README.md", "config.json", "model.safetensors", "subdir/data.txt"]
    for f in files:
        assert ("hub", "HEAD", f"/test-org/test-model/resolve/{commit}/{f}", 200 if "safetensors" not in f else 302) in rest
    assert sum(1 for r in reqs if r["origin"] == "cdn") == 1
    tree = json.loads((root / "trees" / f"{commit}.json").read_text())
    assert tree["format_version"] == 1
    assert sorted(tree["files"]) == files
    lfs = tree["files"]["model.safetensors"]
    assert lfs["lfs_size"] == 1 << 20 and len(lfs["lfs_sha256"]) == 64
    assert (root / "snapshots" / commit / "subdir" / "data.txt").is_symlink()
    assert os.readlink(root / "snapshots" / commit / "subdir" / "data.txt").startswith("../../../blobs/")
    assert (root / "refs" / "main").read_text() == commit


def test_snapshot_download_follows_tree_pagination(emulator_factory, hf_home, run_py):
    emu = emulator_factory("--page-size", "2")
    commit = emu.resolve(DEMO_REPO)
    rep = scenario(
        run_py,
        emu.env(hf_home),
        """
        from huggingface_hub import snapshot_download
        import os
        root = snapshot_download("test-org/test-model")
        return sorted(os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(root) for f in fs)
        """,
    )
    assert rep["ok"], rep
    assert rep["result"] == ["README.md", "config.json", "model.safetensors", "subdir/data.txt"]
    trees = [r for r in emu.requests() if "/tree/" in r["path"]]
    assert len(trees) == 3  # 5 entries (incl. the folder) at 2 per page
    assert trees[0]["query"] == "recursive=true&expand=false"
    assert all(t["query"].startswith("recursive=true&expand=false&cursor=") for t in trees[1:])
    assert all(t["path"] == f"/api/models/test-org/test-model/tree/{commit}" for t in trees)


def test_renamed_repo_is_followed(emulator, hf_home, run_py):
    emulator.rename_repo(DEMO_REPO, "test-org/renamed-model")
    rep = scenario(
        run_py,
        emulator.env(hf_home),
        """
        from huggingface_hub import hf_hub_download
        return hf_hub_download("test-org/test-model", "config.json")
        """,
    )
    assert rep["ok"], rep
    reqs = hub_requests(emulator)
    assert summary(reqs)[:2] == [
        ("hub", "HEAD", "/test-org/test-model/resolve/main/config.json", 307),
        ("hub", "HEAD", "/test-org/renamed-model/resolve/main/config.json", 200),
    ]
    # The cache keeps the requested name.
    assert rep["result"].startswith(str(repo_dir(hf_home, "test-org/test-model")))


def test_dataset_download(emulator, hf_home, run_py):
    rep = scenario(
        run_py,
        emulator.env(hf_home),
        """
        from huggingface_hub import hf_hub_download
        return open(hf_hub_download("test-org/test-dataset", "data/train.csv", repo_type="dataset")).read()
        """,
    )
    assert rep["ok"], rep
    assert rep["result"].startswith("id,text")
    assert hub_requests(emulator)[0]["path"] == "/datasets/test-org/test-dataset/resolve/main/data/train.csv"


def test_whoami(emulator, hf_home, run_py):
    rep = scenario(
        run_py,
        emulator.env(hf_home),
        """
        from huggingface_hub import whoami
        me = whoami()
        return {"name": me["name"], "orgs": [o["name"] for o in me["orgs"]],
                "token": me["auth"]["accessToken"]["displayName"]}
        """,
    )
    assert rep["ok"], rep
    assert rep["result"] == {"name": "tester", "orgs": ["test-org"], "token": "token-tester"}
    assert summary(hub_requests(emulator)) == [("hub", "GET", "/api/whoami-v2", 200)]


def test_repo_api_calls(emulator, hf_home, run_py):
    emulator.create_branch(DEMO_REPO, "dev")
    emulator.create_tag(DEMO_REPO, "v1")
    rep = scenario(
        run_py,
        emulator.env(hf_home),
        """
        from huggingface_hub import HfApi
        api = HfApi()
        info = api.model_info("test-org/test-model", files_metadata=True)
        refs = api.list_repo_refs("test-org/test-model")
        files = api.list_repo_files("test-org/test-model")
        tree = list(api.list_repo_tree("test-org/test-model", path_in_repo="subdir", expand=True))
        return {
            "sha": info.sha,
            "siblings": {s.rfilename: [s.size, s.blob_id, s.lfs.sha256 if s.lfs else None] for s in info.siblings},
            "branches": sorted(b.name for b in refs.branches),
            "tags": [t.name for t in refs.tags],
            "files": files,
            "tree": [[t.path, t.last_commit.oid if t.last_commit else None] for t in tree],
            "exists": api.file_exists("test-org/test-model", "config.json"),
            "not_exists": api.file_exists("test-org/test-model", "nope.json"),
        }
        """,
    )
    assert rep["ok"], rep
    res = rep["result"]
    commit = emulator.resolve(DEMO_REPO)
    assert res["sha"] == commit
    assert res["siblings"]["model.safetensors"][0] == 1 << 20
    assert res["siblings"]["model.safetensors"][2] is not None
    assert res["siblings"]["config.json"][2] is None
    assert res["branches"] == ["dev", "main"]
    assert res["tags"] == ["v1"]
    assert res["files"] == ["README.md", "config.json", "model.safetensors", "subdir/data.txt"]
    assert res["tree"] == [["subdir/data.txt", commit]]
    assert res["exists"] is True and res["not_exists"] is False


@pytest.mark.upload
def test_create_repo_and_upload_round_trip(emulator, hf_home, run_py):
    rep = scenario(
        run_py,
        emulator.env(hf_home),
        """
        import hashlib, random
        from huggingface_hub import HfApi, hf_hub_download
        api = HfApi()
        url = api.create_repo("tester/new-model")
        again = api.create_repo("tester/new-model", exist_ok=True)
        weights = random.Random(0).randbytes(200_000)
        r1 = api.upload_file(path_or_fileobj=b"hello world\\n", path_in_repo="hello.txt", repo_id="tester/new-model")
        r2 = api.upload_file(path_or_fileobj=weights, path_in_repo="weights.bin", repo_id="tester/new-model")
        hello = open(hf_hub_download("tester/new-model", "hello.txt"), "rb").read()
        w = open(hf_hub_download("tester/new-model", "weights.bin"), "rb").read()
        return {"url": str(url), "again": str(again), "c1": r1.oid, "c2": r2.oid,
                "hello": hello.decode(), "weights_ok": w == weights,
                "sha": hashlib.sha256(weights).hexdigest()}
        """,
    )
    assert rep["ok"], rep
    res = rep["result"]
    assert res["url"] == f"{emulator.hub_url}/tester/new-model" == res["again"]
    assert res["hello"] == "hello world\n"
    assert res["weights_ok"]
    assert emulator.resolve("tester/new-model") == res["c2"]
    sha = res["sha"]

    reqs = hub_requests(emulator)
    s = [(r["origin"], r["method"], r["path"], r["status"]) for r in reqs]
    upload_seq = [x for x in s if x[1] in ("POST", "PUT")]
    assert upload_seq == [
        ("hub", "POST", "/api/repos/create", 200),
        ("hub", "POST", "/api/repos/create", 409),
        ("hub", "POST", "/api/models/tester/new-model/preupload/main", 200),
        ("hub", "POST", "/api/models/tester/new-model/commit/main", 200),
        ("hub", "POST", "/api/models/tester/new-model/preupload/main", 200),
        ("hub", "POST", "/tester/new-model.git/info/lfs/objects/batch", 200),
        ("cdn", "PUT", f"/upload/{sha}", 200),
        ("hub", "POST", "/tester/new-model.git/info/lfs/objects/verify", 200),
        ("hub", "POST", "/api/models/tester/new-model/commit/main", 200),
    ]
    by_key = {(r["origin"], r["method"], r["path"]): r for r in reqs}
    put = by_key[("cdn", "PUT", f"/upload/{sha}")]
    assert header(put, "authorization") is None
    assert put["body_len"] == 200_000
    create = json.loads(reqs[0]["body"])
    assert create == {"name": "new-model", "organization": "tester"}
    commits = [r for r in reqs if r["path"].endswith("/commit/main")]
    assert header(commits[0], "content-type") == "application/x-ndjson"
    lines = [json.loads(line) for line in commits[1]["body"].splitlines()]
    assert lines[0]["key"] == "header"
    assert lines[1] == {
        "key": "lfsFile",
        "value": {"path": "weights.bin", "algo": "sha256", "oid": sha, "size": 200_000},
    }
    batch = json.loads(by_key[("hub", "POST", "/tester/new-model.git/info/lfs/objects/batch")]["body"])
    assert batch["objects"] == [{"oid": sha, "size": 200_000}]
    assert batch["ref"] == {"name": "main"}
    # The LFS download goes to the CDN without auth.
    cdn_gets = [r for r in reqs if r["origin"] == "cdn" and r["method"] == "GET"]
    assert [r["path"] for r in cdn_gets] == [f"/repos/tester/new-model/{sha}"]
    assert header(cdn_gets[0], "authorization") is None


@pytest.mark.upload
def test_upload_folder_create_pr_and_branch(emulator, hf_home, run_py, tmp_path):
    folder = tmp_path / "folder"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("a")
    (folder / "sub" / "b.json").write_text("{}")
    (folder / "sub" / "w.safetensors").write_bytes(os.urandom(1000))
    rep = scenario(
        run_py,
        emulator.env(hf_home),
        f"""
        from huggingface_hub import HfApi
        api = HfApi()
        repo = "test-org/test-model"
        c = api.upload_folder(folder_path={str(folder)!r}, repo_id=repo, path_in_repo="up",
                              delete_patterns=["*.txt"])
        pr = api.upload_file(path_or_fileobj=b"pr", path_in_repo="pr.txt", repo_id=repo, create_pr=True)
        api.create_branch(repo, branch="feature")
        api.upload_file(path_or_fileobj=b"f", path_in_repo="f.txt", repo_id=repo, revision="feature")
        api.create_tag(repo, tag="v9", revision="feature")
        api.delete_file("README.md", repo_id=repo)
        files = api.list_repo_files(repo)
        refs = api.list_repo_refs(repo, include_pull_requests=True)
        return {{"files": files, "pr_url": pr.pr_url, "pr_rev": pr.pr_revision, "pr_num": pr.pr_num,
                "branches": sorted(b.name for b in refs.branches), "tags": [t.name for t in refs.tags],
                "prs": [p.ref for p in refs.pull_requests]}}
        """,
    )
    assert rep["ok"], rep
    res = rep["result"]
    assert res["files"] == [
        "config.json",
        "model.safetensors",
        "subdir/data.txt",
        "up/a.txt",
        "up/sub/b.json",
        "up/sub/w.safetensors",
    ]
    assert res["pr_rev"] == "refs/pr/1" and res["pr_num"] == 1
    assert res["pr_url"] == f"{emulator.hub_url}/test-org/test-model/discussions/1"
    assert res["branches"] == ["feature", "main"]
    assert res["tags"] == ["v9"]
    assert res["prs"] == ["refs/pr/1"]
    assert emulator.resolve(DEMO_REPO, "v9") == emulator.resolve(DEMO_REPO, "feature")


def test_binary_cli_users_and_load(emulator_factory, hf_home, run_py, tmp_path):
    src = tmp_path / "src"
    (src / "nested").mkdir(parents=True)
    (src / "nested" / "weights.gguf").write_bytes(b"GGUF" + bytes(100))
    (src / "config.json").write_text('{"loaded": true}')
    emu = emulator_factory(
        "--user", "hf_alicetoken:alice:acme,other", "--load", f"model:acme/loaded={src}", demo=False
    )
    rep = scenario(
        run_py,
        emu.env(hf_home, token="hf_alicetoken"),
        """
        from huggingface_hub import hf_hub_download, whoami
        me = whoami()
        p = hf_hub_download("acme/loaded", "nested/weights.gguf")
        return {"name": me["name"], "orgs": [o["name"] for o in me["orgs"]], "size": len(open(p, "rb").read())}
        """,
    )
    assert rep["ok"], rep
    assert rep["result"] == {"name": "alice", "orgs": ["acme", "other"], "size": 104}
    assert [r["origin"] for r in hub_requests(emu)][-1] == "cdn"  # .gguf is LFS
