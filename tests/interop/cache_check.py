"""One consistency checker for a Hugging Face hub cache (the layout both clients share), used by the
many-processes and crash suites.

``cache_problems(hub)`` lists everything wrong, ``assert_cache_consistent(hub)`` fails the test with
that list. What it checks, per ``<type>s--<org>--<name>`` repo folder:

- ``blobs/<name>`` is named after its content: a 64-hex name is the SHA-256 of the bytes (LFS files),
  a 40-hex name the git blob SHA-1 (``sha1("blob <len>\\0" + bytes)``, regular files). Any other
  file in ``blobs/`` is a leftover, except a resumable download of ours: ``<etag>.part.incomplete``
  with its ``<etag>.journal.incomplete`` (both or neither) when ``allow_resumable``.
- every entry of ``snapshots/<40 hex>/…`` is a symlink resolving to an existing file of this
  repo's ``blobs/`` (or a plain file, the copy a no-symlink cache makes);
- every ``refs/…`` file holds a 40-hex commit (and nothing else);
- ``trees/<40 hex>.json`` parses as JSON; ``.no_exist/<40 hex>/…`` markers are empty files.

``.locks/<repo folder>/<etag>.lock`` files are allowed (an empty lock file stays after the download,
ours like the official client's, whose ``filelock`` does not delete it on Unix); anything else under
``.locks`` is a leftover. At the top level only repo folders, ``.locks`` and ``CACHEDIR.TAG`` are
expected.

``allow_crash_tmp``: a process killed between writing and renaming one of the small files written
atomically (a ref, a snapshot symlink, a tree listing: ``<name>.<8 hex>.tmp`` / ``.<name>.<8 hex>.tmp``,
or the ``blobs/tmp_<8 hex>`` file-mode probe) leaves that temp file; after a SIGKILL these are
reported in ``crash_leftovers`` instead of as problems. They never hold blob content.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

HEX40 = re.compile(r"^[0-9a-f]{40}$")
HEX64 = re.compile(r"^[0-9a-f]{64}$")
CRASH_TMP = re.compile(r"^(\.?.+\.[0-9a-f]{8}\.tmp|tmp_[0-9a-f]{8})$")
REPO_FOLDER = re.compile(r"^(models|datasets|spaces)--.+")


@dataclass
class CacheReport:
    problems: list[str] = field(default_factory=list)
    # repo folder -> blob names (complete blobs only)
    blobs: dict[str, list[str]] = field(default_factory=dict)
    # repo folder -> etags with a resumable .part/.journal pair
    resumable: dict[str, list[str]] = field(default_factory=dict)
    crash_leftovers: list[str] = field(default_factory=list)


def _hash_file(path: Path, algo: str) -> str:
    h = hashlib.sha256() if algo == "sha256" else hashlib.sha1()
    if algo == "sha1":
        h.update(b"blob %d\0" % path.stat().st_size)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def check_cache(hub: str | os.PathLike, *, allow_resumable: bool = True, allow_crash_tmp: bool = False) -> CacheReport:
    hub = Path(hub)
    rep = CacheReport()

    def leftover(p: Path) -> None:
        if allow_crash_tmp and CRASH_TMP.match(p.name):
            rep.crash_leftovers.append(str(p))
        else:
            rep.problems.append(f"leftover {p}")

    if not hub.exists():
        return rep
    for top in sorted(hub.iterdir()):
        if top.name == "CACHEDIR.TAG" and top.is_file():
            continue
        if top.name == ".locks" and top.is_dir():
            for p in sorted(top.rglob("*")):
                if p.is_dir():
                    if p.parent != top or not REPO_FOLDER.match(p.name):
                        rep.problems.append(f"unexpected lock folder {p}")
                elif not (p.suffix == ".lock" and REPO_FOLDER.match(p.parent.name) and p.parent.parent == top):
                    leftover(p)
            continue
        if not (top.is_dir() and REPO_FOLDER.match(top.name)):
            leftover(top)
            continue
        _check_repo(top, rep, allow_resumable, leftover)
    return rep


def _check_repo(repo: Path, rep: CacheReport, allow_resumable: bool, leftover) -> None:
    blobs_dir = repo / "blobs"
    names = sorted(p.name for p in blobs_dir.iterdir()) if blobs_dir.is_dir() else []
    complete = rep.blobs.setdefault(repo.name, [])
    pairs = rep.resumable.setdefault(repo.name, [])
    for name in names:
        p = blobs_dir / name
        if p.is_symlink() or not p.is_file():
            rep.problems.append(f"not a regular file: {p}")
        elif HEX64.match(name) or HEX40.match(name):
            got = _hash_file(p, "sha256" if len(name) == 64 else "sha1")
            if got != name:
                rep.problems.append(f"WRONG BLOB {p}: content hashes to {got}")
            complete.append(name)
        elif name.endswith(".part.incomplete") or name.endswith(".journal.incomplete"):
            etag, kind = name.split(".", 1)
            other = f"{etag}.journal.incomplete" if kind == "part.incomplete" else f"{etag}.part.incomplete"
            if not allow_resumable:
                rep.problems.append(f"incomplete download left: {p}")
            elif other not in names:
                rep.problems.append(f"{p} without its pair {other}")
            elif kind == "part.incomplete":
                pairs.append(etag)
        else:
            leftover(p)
    for sub in sorted(repo.iterdir()):
        if sub.name not in ("blobs", "snapshots", "refs", "trees", ".no_exist"):
            leftover(sub)
    snaps = repo / "snapshots"
    if snaps.is_dir():
        for commit in sorted(snaps.iterdir()):
            if not (commit.is_dir() and HEX40.match(commit.name)):
                rep.problems.append(f"unexpected snapshot entry {commit}")
                continue
            for p in sorted(commit.rglob("*")):
                if p.is_dir() and not p.is_symlink():
                    continue
                if CRASH_TMP.match(p.name):
                    leftover(p)
                elif p.is_symlink():
                    target = p.resolve()
                    if not target.is_file():
                        rep.problems.append(f"dangling pointer {p} -> {os.readlink(p)}")
                    elif target.parent != blobs_dir.resolve():
                        rep.problems.append(f"pointer {p} leaves the repo's blobs: {target}")
                elif not p.is_file():
                    rep.problems.append(f"unexpected snapshot entry {p}")
    refs = repo / "refs"
    if refs.is_dir():
        for p in sorted(refs.rglob("*")):
            if p.is_dir():
                continue
            if CRASH_TMP.match(p.name):
                leftover(p)
            elif not HEX40.match(p.read_text()):
                rep.problems.append(f"ref {p} holds {p.read_text()!r}")
    trees = repo / "trees"
    if trees.is_dir():
        for p in sorted(trees.iterdir()):
            if p.name.endswith(".json") and HEX40.match(p.name[:-5]):
                try:
                    json.loads(p.read_text())
                except ValueError as e:
                    rep.problems.append(f"tree listing {p} is not JSON: {e}")
            else:
                leftover(p)
    no_exist = repo / ".no_exist"
    if no_exist.is_dir():
        for p in sorted(no_exist.rglob("*")):
            if p.is_file() and p.stat().st_size != 0:
                rep.problems.append(f"non-empty .no_exist marker {p}")


def assert_cache_consistent(hub: str | os.PathLike, **kw) -> CacheReport:
    rep = check_cache(hub, **kw)
    assert not rep.problems, "cache inconsistent:\n  " + "\n  ".join(rep.problems)
    return rep


def git_blob_sha1(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def blob_name(data: bytes, lfs: bool) -> str:
    """The blob file name a file gets in the cache: its SHA-256 (LFS) or git blob SHA-1."""
    return hashlib.sha256(data).hexdigest() if lfs else git_blob_sha1(data)


def make_bytes(tag: bytes, seed: int, size: int, repeat: int = 32) -> bytes:
    """Deterministic test content: a SHA-256 chain from ``tag + seed``, each digest repeated
    ``repeat`` times (cheap to make in megabytes, different for every seed)."""
    out = bytearray()
    block = hashlib.sha256(tag + b"%d" % seed).digest()
    while len(out) < size:
        block = hashlib.sha256(block).digest()
        out += block * repeat
    return bytes(out[:size])
