"""A second, independent fake Hub: Python's standard-library threaded HTTP/1.1 server with two
listeners (hub + CDN), written from the recorded traces (shared/observed-traces.md) and sharing no
code with the Rust emulator. Both clients are run against it too, so our client is not only tested
against the server it was developed with.

Serves one repo, ``mini-org/mini-model``, at one commit: two regular files and one LFS file (302 to
the CDN origin with ``X-Linked-Etag``/``X-Linked-Size``); unknown files answer 404 EntryNotFound with
``X-Repo-Commit``; other repos answer 401 RepoNotFound. The CDN requires no auth and rejects requests
that carry one (as presigned S3 URLs do). Every request is logged.
"""

from __future__ import annotations

import hashlib
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

REPO = "mini-org/mini-model"
COMMIT = "1f0e3d2c4b5a69788796a5b4c3d2e1f00f1e2d3c"


def _git_sha1(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class MiniHub:
    def __init__(self) -> None:
        weights = bytes((i * 7 + 3) % 251 for i in range(300_000))
        self.files = {
            "config.json": b'{"mini": true}\n',
            "docs/notes.txt": b"regular file in a folder\n",
            "weights.bin": weights,
        }
        self.lfs = {"weights.bin"}
        self.log: list[dict] = []
        self._lock = threading.Lock()
        self.hub = ThreadingHTTPServer(("127.0.0.1", 0), self._handler("hub"))
        self.cdn = ThreadingHTTPServer(("127.0.0.1", 0), self._handler("cdn"))
        self.hub_url = f"http://127.0.0.1:{self.hub.server_address[1]}"
        self.cdn_url = f"http://127.0.0.1:{self.cdn.server_address[1]}"
        for srv in (self.hub, self.cdn):
            threading.Thread(target=srv.serve_forever, daemon=True).start()

    def close(self) -> None:
        for srv in (self.hub, self.cdn):
            srv.shutdown()
            srv.server_close()

    def _handler(self, origin: str):
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def do_HEAD(self):
                self._serve(head=True)

            def do_GET(self):
                self._serve(head=False)

            def _send(self, status, headers, body=b"", head=False):
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if not head:
                    self.wfile.write(body)

            def _serve(self, head):
                with hub._lock:
                    hub.log.append({"origin": origin, "method": self.command, "path": self.path,
                                    "headers": {k.lower(): v for k, v in self.headers.items()}})
                path = urllib.parse.urlsplit(self.path).path
                if origin == "cdn":
                    return self._cdn(path, head)
                if path == "/api/agent-harnesses":
                    return self._send(404, {}, b'{"error":"Not Found"}', head)
                prefix = f"/{REPO}/resolve/"
                if not path.startswith(prefix):
                    return self._send(401, {"X-Error-Code": "RepoNotFound", "X-Error-Message": "Repository not found"},
                                      b'{"error":"Repository not found"}', head)
                rev, _, name = path[len(prefix):].partition("/")
                rev, name = urllib.parse.unquote(rev), urllib.parse.unquote(name)
                if rev not in ("main", COMMIT):
                    return self._send(404, {"X-Error-Code": "RevisionNotFound"}, b'{"error":"Invalid rev id"}', head)
                data = hub.files.get(name)
                if data is None:
                    return self._send(404, {"X-Error-Code": "EntryNotFound", "X-Repo-Commit": COMMIT},
                                      b'{"error":"Entry not found"}', head)
                if name in hub.lfs:
                    sha = hashlib.sha256(data).hexdigest()
                    pointer = f"version https://git-lfs.github.com/spec/v1\noid sha256:{sha}\nsize {len(data)}\n".encode()
                    loc = f"{hub.cdn_url}/repos/{REPO}/{sha}?X-Amz-Signature=fakesig"
                    return self._send(302, {"Location": loc, "ETag": f'"{_git_sha1(pointer)}"',
                                            "X-Linked-Etag": f'"{sha}"', "X-Linked-Size": str(len(data)),
                                            "X-Repo-Commit": COMMIT}, b"redirecting to the CDN", head)
                self._send(200, {"ETag": f'"{_git_sha1(data)}"', "X-Repo-Commit": COMMIT, "Accept-Ranges": "bytes"},
                           data, head)

            def _cdn(self, path, head):
                if "authorization" in {k.lower() for k in self.headers.keys()}:
                    return self._send(400, {}, b"<Error>Only one auth mechanism allowed</Error>", head)
                sha = path.rsplit("/", 1)[-1]
                for name in hub.lfs:
                    data = hub.files[name]
                    if hashlib.sha256(data).hexdigest() == sha:
                        return self._send(200, {"ETag": f'"{sha}"'}, data, head)
                self._send(404, {}, b"NoSuchKey", head)

        return Handler
