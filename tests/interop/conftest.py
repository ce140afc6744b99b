"""Shared fixtures for interop tests: a hub-emulator process and helpers to run the official
Python client (huggingface_hub) in fresh subprocesses against it.

Fixtures:
  emulator          a fresh emulator (``--demo``) per test, stopped at teardown
  emulator_factory  start more emulators with extra CLI args: ``emulator_factory("--page-size", "2")``
  hf_home           an empty HF_HOME folder for the test
  run_py            run Python code in a fresh ``.venv`` interpreter: ``run_py(code, env)``

The binary is ``$HF_EMULATOR_BIN`` or ``<repo>/target/debug/hub-emulator``; when neither exists, it is
built once with ``cargo build -p hub-emulator``.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Iterable, Mapping

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BIN = REPO_ROOT / "target" / "debug" / "hub-emulator"
VENV_PYTHON = REPO_ROOT / ".venv" / "bin" / "python"

DEMO_TOKEN = "hf_localtesttoken0123456789"
DEMO_USER = "tester"
DEMO_ORG = "test-org"
DEMO_REPO = "test-org/test-model"

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def emulator_bin() -> Path:
    env = os.environ.get("HF_EMULATOR_BIN")
    if env:
        path = Path(env)
        if not path.exists():
            pytest.fail(f"HF_EMULATOR_BIN={env} does not exist")
        return path
    if not DEFAULT_BIN.exists():
        cargo = shutil.which("cargo")
        if cargo is None:
            pytest.fail(f"{DEFAULT_BIN} is missing and cargo is not available to build it")
        subprocess.run([cargo, "build", "-q", "-p", "hub-emulator"], cwd=REPO_ROOT, check=True)
    return DEFAULT_BIN


def python_bin() -> str:
    return str(VENV_PYTHON) if VENV_PYTHON.exists() else sys.executable


class Emulator:
    """A running ``hub-emulator`` process and a client for its ``/_emulator`` control API."""

    def __init__(self, workdir: Path, extra_args: Iterable[str] = (), demo: bool = True):
        workdir.mkdir(parents=True, exist_ok=True)
        self.ready_file = workdir / "emulator-ready.json"
        self.log_file = workdir / "emulator.log"
        args = [str(emulator_bin()), "--ready-file", str(self.ready_file), *extra_args]
        if demo:
            args.insert(1, "--demo")
        self._log = open(self.log_file, "wb")
        self.proc = subprocess.Popen(args, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while not self.ready_file.exists():
            if self.proc.poll() is not None:
                self._log.close()
                raise RuntimeError(f"hub-emulator exited with {self.proc.returncode}: {self.log_file.read_text()}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("hub-emulator did not become ready within 30 s")
            time.sleep(0.02)
        ready = json.loads(self.ready_file.read_text())
        self.hub_url: str = ready["hub"]
        self.cdn_url: str = ready["cdn"]

    # -- control API -------------------------------------------------------------------------

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(f"{self.hub_url}/_emulator/{path}", data=data, method=method)
        if data is not None:
            req.add_header("content-type", "application/json")
        try:
            with _OPENER.open(req, timeout=30) as resp:
                return json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as e:
            raise RuntimeError(f"{method} /_emulator/{path} -> {e.code}: {e.read().decode(errors='replace')}") from None

    def requests(self) -> list[dict]:
        """Every logged request: {origin, method, path (raw), query, headers [[name, value]], status, body, body_len}."""
        return self._call("GET", "requests")

    def clear_requests(self) -> None:
        self._call("DELETE", "requests")

    def add_fault(self, fault: Mapping[str, Any]) -> None:
        """E.g. ``{"origin": "cdn", "path_contains": "abc", "times": 1, "action": {"status": 503}}``.
        Actions: {"status": N}, {"drop_after_bytes": N}, {"delay_ms": N}, {"throttle": {"bytes_per_sec": N}},
        "ignore_range", {"omit_header": "x-repo-commit"}."""
        self._call("POST", "faults", dict(fault))

    def clear_faults(self) -> None:
        self._call("DELETE", "faults")

    def add_user(self, token: str, name: str, orgs: Iterable[str] = ()) -> None:
        self._call("POST", "users", {"token": token, "name": name, "orgs": list(orgs)})

    def create_repo(self, repo_id: str, repo_type: str = "model", access: str = "public") -> None:
        self._call("POST", "repos", {"type": repo_type, "id": repo_id, "access": access})

    def commit(
        self,
        repo_id: str,
        files: Mapping[str, bytes | str] | None = None,
        *,
        repo_type: str = "model",
        branch: str = "main",
        message: str = "Update",
        deletes: Iterable[str] = (),
    ) -> str:
        """Commits files (path -> content) and deletes (a trailing ``/`` deletes a folder). Returns the commit."""
        payload = {
            "type": repo_type,
            "id": repo_id,
            "branch": branch,
            "message": message,
            "files": _encode_files(files or {}),
            "deletes": list(deletes),
        }
        return self._call("POST", "commit", payload)["commit"]

    def create_pr(self, repo_id: str, files: Mapping[str, bytes | str], *, repo_type: str = "model") -> tuple[int, str]:
        out = self._call("POST", "pr", {"type": repo_type, "id": repo_id, "files": _encode_files(files)})
        return out["num"], out["commit"]

    def grant(self, repo_id: str, user: str, *, repo_type: str = "model") -> None:
        self._call("POST", "grant", {"type": repo_type, "id": repo_id, "user": user})

    def create_branch(self, repo_id: str, branch: str, rev: str = "main", *, repo_type: str = "model") -> None:
        self._call("POST", "branch", {"type": repo_type, "id": repo_id, "branch": branch, "rev": rev})

    def create_tag(self, repo_id: str, tag: str, rev: str = "main", *, repo_type: str = "model") -> None:
        self._call("POST", "tag", {"type": repo_type, "id": repo_id, "tag": tag, "rev": rev})

    def rename_repo(self, old: str, new: str, *, repo_type: str = "model") -> None:
        self._call("POST", "rename", {"type": repo_type, "from": old, "to": new})

    def load_dir(self, repo_id: str, directory: str | os.PathLike, *, repo_type: str = "model") -> str:
        return self._call("POST", "load", {"type": repo_type, "id": repo_id, "dir": str(directory)})["commit"]

    def resolve(self, repo_id: str, rev: str = "main", *, repo_type: str = "model") -> str | None:
        q = urllib.parse.urlencode({"type": repo_type, "id": repo_id, "rev": rev})
        return self._call("GET", f"resolve?{q}")["commit"]

    # -- environment ---------------------------------------------------------------------------

    def env(self, hf_home: str | os.PathLike, token: str | None = DEMO_TOKEN, **extra: str) -> dict[str, str]:
        """Environment for a subprocess using this emulator. Inherited HF_*/proxy variables are dropped.
        ``token=None`` leaves HF_TOKEN unset."""
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("HF_", "HUGGINGFACE_", "HUGGING_FACE_"))
            and k.lower() not in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
        }
        env.update(
            HF_ENDPOINT=self.hub_url,
            HF_HOME=str(hf_home),
            HF_HUB_DISABLE_PROGRESS_BARS="1",
            HF_HUB_DISABLE_XET="1",
            HF_HUB_DISABLE_TELEMETRY="1",
            NO_PROXY="127.0.0.1,localhost",
        )
        if token is not None:
            env["HF_TOKEN"] = token
        env.update(extra)
        return env

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if not self._log.closed:
            self._log.close()


def _encode_files(files: Mapping[str, bytes | str]) -> list[dict]:
    out = []
    for path, content in files.items():
        data = content.encode() if isinstance(content, str) else bytes(content)
        out.append({"path": path, "content_b64": base64.b64encode(data).decode()})
    return out


@pytest.fixture
def emulator_factory(tmp_path):
    started: list[Emulator] = []

    def start(*extra_args: str, demo: bool = True) -> Emulator:
        emu = Emulator(tmp_path / f"emulator-{len(started)}", extra_args, demo=demo)
        started.append(emu)
        return emu

    yield start
    for emu in started:
        emu.stop()


@pytest.fixture
def emulator(emulator_factory) -> Emulator:
    return emulator_factory()


@pytest.fixture
def hf_home(tmp_path) -> Path:
    home = tmp_path / "hf_home"
    home.mkdir()
    return home


@pytest.fixture
def run_py():
    """``run_py(code, env, timeout=120)`` → CompletedProcess (text). Fails the test on a non-zero exit."""

    def run(code: str, env: Mapping[str, str], timeout: float = 120, check: bool = True):
        proc = subprocess.run(
            [python_bin(), "-c", code],
            env=dict(env),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and proc.returncode != 0:
            pytest.fail(f"subprocess failed ({proc.returncode}):\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
        return proc

    return run


# -- our example programs (many-processes and crash suites) ----------------------------------------


def example_bin(env_var: str, name: str) -> str:
    """``$env_var``, or ``build/bin/<name>`` (``make build`` makes it)."""
    path = Path(os.environ.get(env_var, REPO_ROOT / "build" / "bin" / name))
    if not path.exists():
        pytest.fail(f"{path} is missing: build it with `make build` (or set {env_var})")
    return str(path)


@pytest.fixture(scope="session")
def go_example(tmp_path_factory) -> str:
    """The Go example (examples/go), built once per session against the build tree's library, like
    the Makefile's GO_ENV: PKG_CONFIG_PATH=build/pkgconfig-uninstalled (``make go-pc``)."""
    pc_dir = REPO_ROOT / "build" / "pkgconfig-uninstalled"
    if not (pc_dir / "hf_hub.pc").exists():
        subprocess.run(["make", "-s", "go-pc"], cwd=REPO_ROOT, check=True)
    go = shutil.which("go") or "/usr/local/go/bin/go"
    out = tmp_path_factory.mktemp("go-example") / "hf-download"
    env = dict(os.environ, PKG_CONFIG_PATH=str(pc_dir), CGO_LDFLAGS=f"-Wl,-rpath,{REPO_ROOT / 'build' / 'lib'}")
    proc = subprocess.run(
        [go, "build", "-o", str(out), "."], cwd=REPO_ROOT / "examples" / "go", env=env, capture_output=True, text=True
    )
    if proc.returncode != 0:
        pytest.fail(f"go build of examples/go failed:\n{proc.stdout}\n{proc.stderr}")
    return str(out)
