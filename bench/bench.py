#!/usr/bin/env python3
"""The benchmark driver (stdlib only). bench/run.sh builds everything, starts the servers and calls:

    bench.py gen DIR --large-mib N --small-kib K --small-n N     # the repo's files, deterministic
    bench.py run --hub URL --commit SHA ... --doc BENCHMARKS.md   # the workloads, table, results

Every workload runs one client process at a time (never two tools at once); each timed sample is
the wall clock from spawning the process to its exit, measured here with perf_counter, plus the
in-process times that the drivers (bench/hf_bench.c, bench/py_bench.py, bench/hf-hub-peer) print,
and, in (a) and (a'), the process's peak RSS (GNU time's %M).
"""

import argparse
import collections
import datetime
import hashlib
import json
import os
import platform
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

REPO = "bench/bench-model"
LARGE = "model.safetensors"  # LFS by extension: HEAD on the Hub, 302 to the CDN (nginx)
SNAP_REPO = "bench/bench-snapshot"  # many small regular files, served by the Hub itself


def small_name(i):
    return f"small/f{i:03d}.txt"  # a regular (non-LFS) file: served by the Hub itself


def snap_name(i):
    return f"d{i // 100:02d}/f{i:04d}.txt"  # 100 files per folder, like a sharded dataset


# ---------------------------------------------------------------------------------------------- gen


def gen(a):
    os.makedirs(os.path.join(a.dir, "small"), exist_ok=True)
    rng = random.Random(20240501)
    with open(os.path.join(a.dir, LARGE), "wb") as f:
        left = a.large_mib << 20
        while left:
            n = min(left, 16 << 20)
            f.write(rng.randbytes(n))
            left -= n
    for i in range(a.small_n):
        with open(os.path.join(a.dir, small_name(i)), "wb") as f:
            f.write(rng.randbytes(a.small_kib << 10))
    if a.snap_dir:
        for i in range(a.snap_n):
            path = os.path.join(a.snap_dir, snap_name(i))
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(rng.randbytes(a.snap_kib << 10))


# ---------------------------------------------------------------------------------------------- run


class Ctx:
    def __init__(self, a):
        self.a = a
        self.env = clean_env(a.hub, a.lanes)
        self.last_rss_kib = None
        self.timeout = a.timeout

    def tool_env(self, hf_home):
        e = dict(self.env)
        e["HF_HOME"] = hf_home
        return e

    def run(self, argv, hf_home, stdout_json=False, env=None, rss=False):
        """Runs one process; returns (wall seconds, parsed JSON line or None). With rss=True the
        process runs under GNU time and its peak RSS (KiB) is left in self.last_rss_kib."""
        wall, out = self.run_raw(argv, hf_home, env, rss)
        return wall, (json.loads(out.strip().splitlines()[-1]) if stdout_json else None)

    def run_raw(self, argv, hf_home, env=None, rss=False):
        e = self.tool_env(hf_home)
        e.update(env or {})
        with tempfile.NamedTemporaryFile("r") as tf:
            # Peak RSS by `/usr/bin/time -f %M` (its wait4 of the client), not by our own wait4: a
            # child spawned by this interpreter (vfork + exec) keeps the interpreter's RSS as the
            # floor of its ru_maxrss (~27 MiB here); GNU time's fork from a ~2 MiB process does not.
            if rss:
                argv = ["/usr/bin/time", "-f", "%M", "-o", tf.name, *argv]
            t0 = time.perf_counter()
            # Its own process group, so that a timeout or a signal to this driver kills the client
            # itself and not only GNU time (which would leave the client running).
            p = subprocess.Popen(argv, env=e, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
            try:
                out, err = p.communicate(timeout=self.timeout)
            except BaseException:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
                raise
            wall = time.perf_counter() - t0
            if p.returncode != 0:
                sys.exit(f"bench: {' '.join(argv[:8])} ... failed ({p.returncode}):\n{err.decode(errors='replace')}")
            if rss:
                self.last_rss_kib = int(tf.read().split()[-1])
        return wall, out.decode()

    def curl_many(self, urls, outputs, hf_home, head=False, warmup=False):
        """One curl process fetching every URL over one kept-alive connection; curl's own per-transfer
        time_total gives the in-process latencies (like the drivers' JSON). The first transfer is left
        out of them with warmup=True."""
        argv = ["curl", "-sS", "--fail", "--noproxy", "*", "--create-dirs", "-w", "%{time_total}\\n"]
        if head:
            argv.append("-I")
        for u, o in zip(urls, outputs):
            argv += ["-o", o, u]
        wall, out = self.run_raw(argv, hf_home)
        lat = [float(x) for x in out.split()][1 if warmup else 0 :]
        srt = sorted(lat)
        return wall, {"calls": len(lat), "total_s": sum(lat), "call_p50_s": srt[len(srt) // 2]}

    # The emulator's request log (control API, not itself logged).
    def clear_log(self):
        req = urllib.request.Request(f"{self.a.hub}/_emulator/requests", method="DELETE")
        NO_PROXY_OPENER.open(req, timeout=10).read()

    def hub_requests(self):
        with NO_PROXY_OPENER.open(f"{self.a.hub}/_emulator/requests", timeout=10) as r:
            return [x for x in json.load(r) if x["origin"] == "hub"]

    def tree_files(self, repo, rev):
        """The repo's files at rev by the Hub's recursive listing (all pages), outside the timings."""
        url, files, pages = f"{self.a.hub}/api/models/{repo}/tree/{rev}?recursive=true", [], 0
        while url:
            pages += 1
            with NO_PROXY_OPENER.open(url, timeout=30) as r:
                files += [x["path"] for x in json.load(r) if x["type"] == "file"]
                link = r.headers.get("link") or ""
            url = link[1 : link.index(">")] if 'rel="next"' in link else None
        return files, pages


NO_PROXY_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def clean_env(hub, lanes):
    e = {
        k: v
        for k, v in os.environ.items()
        if not (k.startswith(("HF_", "HUGGING")) or k.lower().endswith("_proxy") or k == "XDG_CACHE_HOME")
    }
    e.update(
        HF_ENDPOINT=hub,
        HF_HUB_DISABLE_TELEMETRY="1",
        HF_HUB_DISABLE_PROGRESS_BARS="1",  # no tqdm bars: a terminal-less run, like ours
        NO_PROXY="127.0.0.1,localhost",
        HF_HUB_C_LANES=str(lanes),  # ours only (other clients ignore it): the lanes aria2c gets too
    )
    return e


def fresh_dir(path):
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def drop(path):
    """Removes a run's output and flushes what is still dirty, outside the timings."""
    shutil.rmtree(path, ignore_errors=True)
    os.sync()


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while b := f.read(1 << 20):
            h.update(b)
    return h.hexdigest()


def find_blob(hf_home, name, repo=REPO):
    snap = os.path.join(hf_home, "hub", "models--" + repo.replace("/", "--"), "snapshots")
    for commit in os.listdir(snap):
        p = os.path.join(snap, commit, name)
        if os.path.exists(p):
            return os.path.realpath(p)
    sys.exit(f"bench: {name} not found under {snap}")


def stats(xs):
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs), "n": len(xs), "samples": xs}


def rounds(a):
    """Round -1 is an untimed warm-up (page cache, interpreter files, TCP); 0..runs-1 are kept."""
    return range(-1, a.runs)


def sink(res, key, r):
    """Where round r's samples go: the results, or a throwaway for the warm-up round."""
    return res[key] if r >= 0 else collections.defaultdict(list)


def tag(a, r):
    return "warm-up" if r < 0 else f"{r + 1}/{a.runs}"


def rotate(items, r):
    r %= len(items)
    return items[r:] + items[:r]


def rss_mib(kib):
    return kib / 1024


def aria2c_argv(a, url, out_dir, name):
    """aria2c as users run it for fast Hub pulls: as many connections as our lanes (-x/-s), splits
    down to 1 MiB (-k, so a small file is still split), fallocate'd output; no checksum (it has
    none to check against unless given one)."""
    n = str(a.lanes)
    return [
        "aria2c", "--no-conf", "-q", "-x", n, "-s", n, "-k", "1M", "--file-allocation=falloc",
        "--allow-overwrite=true", "--auto-file-renaming=false", "--summary-interval=0",
        "--console-log-level=error", "-d", out_dir, "-o", name, url,
    ]  # fmt: skip


def large_tools(c, w, hub, env=None):
    """The clients of workloads (a) and (a'): name -> (function(home) -> (wall, json), where the file
    lands (None: the cache)). `hub` is the Hub URL the clients are given (the resolve URL's 302 then
    decides which CDN they fetch from)."""
    a = c.a
    aria_dir = os.path.join(w, "aria2")
    resolve = f"{hub}/{REPO}/resolve/main/{LARGE}"
    e = dict(env or {}, HF_ENDPOINT=hub)
    return {
        "ours": (lambda home: c.run([a.hf_bench, REPO, LARGE], home, True, e, True), None),
        "ours-noverify": (lambda home: c.run([a.hf_bench, "--no-verify", REPO, LARGE], home, True, e, True), None),
        "ours-durable": (lambda home: c.run([a.hf_bench, "--durable", REPO, LARGE], home, True, e, True), None),
        "python": (lambda home: c.run([a.python, a.py_bench, REPO, LARGE], home, True, e, True), None),
        "hf-hub": (lambda home: c.run([a.hf_hub_peer, REPO, LARGE], home, True, e, True), None),
        "aria2c": (lambda home: c.run(aria2c_argv(a, resolve, aria_dir, LARGE), home, False, e, True),
                   os.path.join(aria_dir, LARGE)),
    }  # fmt: skip


def bench_large(c):
    """(a) one LFS file into an empty cache, with the machine's ceilings in the same rounds."""
    a = c.a
    size = a.large_mib << 20
    w = os.path.join(a.work, "large")
    curl_out = os.path.join(w, "curl.out")
    dd_out = os.path.join(w, "dd.out")
    curl = ["curl", "-sS", "--fail", "--noproxy", "*"]
    tools = large_tools(c, w, a.hub)

    def curl_fsync(home):
        t0 = time.perf_counter()
        c.run(curl + ["-o", curl_out, a.cdn_url], home)
        c.run(["sync", curl_out], home)  # coreutils sync FILE = fsync(FILE)
        return time.perf_counter() - t0, None

    tools.update(
        {
            "curl": (lambda home: c.run(curl + ["-o", curl_out, a.cdn_url], home, rss=True), curl_out),
            "curl-null": (lambda home: c.run(curl + ["-o", "/dev/null", a.cdn_url], home, rss=True), "/dev/null"),
            "curl+fsync": (curl_fsync, curl_out),
            # The durable-write ceiling: the same bytes (the exported object, page-cached by nginx's
            # reads) written and fdatasync'ed.
            "dd": (
                lambda home: c.run(
                    ["dd", f"if={a.lfs_file}", f"of={dd_out}", "bs=8M", "conv=fdatasync", "status=none"], home, rss=True
                ),
                dd_out,
            ),
            # Single-core SHA-256 of the library's implementation, in memory: its wall is not used,
            # its rate is (converted to seconds for this size in the report).
            "sha256": (lambda home: c.run([a.sha256_rate, "64", str(a.sha_seconds)], home, True), "/dev/null"),
        }
    )
    res = {k: {"wall": [], "incall": [], "rss_mib": [], "rate": []} for k in tools}
    for r in rounds(a):
        for name in rotate(list(tools), r):
            home = fresh_dir(os.path.join(w, "home"))
            fn, where = tools[name]
            c.last_rss_kib = None
            wall, out = fn(home)
            d = sink(res, name, r)
            d["wall"].append(wall)
            if c.last_rss_kib is not None:
                d["rss_mib"].append(rss_mib(c.last_rss_kib))
            if name == "sha256":
                d["rate"].append(out["mib_per_s"])
                drop(w)
                print(f"  large {tag(a, r):7s} {name:14s} {out['mib_per_s']:8.1f} MiB/s (sha2, one core)", flush=True)
                continue
            if out:
                d["incall"].append(out["total_s"])
            if where != "/dev/null":
                got = where or find_blob(home, LARGE)
                if os.path.getsize(got) != size:
                    sys.exit(f"bench: {name} wrote {os.path.getsize(got)} bytes, expected {size}")
                if r < 0 and sha256_file(got) != a.large_sha256:
                    sys.exit(f"bench: {name} wrote a file with the wrong sha256")
            drop(w)
            rss = f"  rss {rss_mib(c.last_rss_kib):7.1f} MiB" if c.last_rss_kib is not None else ""
            print(f"  large {tag(a, r):7s} {name:14s} {wall:8.3f} s  {size / wall / 2**20:8.1f} MiB/s{rss}", flush=True)
    return {
        k: {
            "wall": stats(v["wall"]),
            "incall": stats(v["incall"]) if v["incall"] else None,
            "rss_mib": stats(v["rss_mib"]) if v["rss_mib"] else None,
            "rate_mib_s": stats(v["rate"]) if v["rate"] else None,
        }
        for k, v in res.items()
    }


def bench_link(c):
    """(a') the same file through the realistic link: toxiproxy in front of the CDN (latency and a
    per-connection bandwidth cap); the Hub is reached through nginx, which rewrites the 302's
    Location to the toxiproxy port. No warm-up round (nginx's page cache is warm from (a)); the
    first round's files are hashed (outside the timings)."""
    a = c.a
    size = a.large_mib << 20
    w = os.path.join(a.work, "link")
    tools = {k: v for k, v in large_tools(c, w, a.link_hub).items() if k in ("ours", "aria2c", "python", "hf-hub")}
    # The link's own limit for `lanes` connections: one curl, `lanes` ranges of the file in parallel
    # through toxiproxy, into /dev/null (no disk, no hash).
    part = -(-size // a.lanes)
    par = ["curl", "-sS", "--fail", "--noproxy", "*", "--parallel", "--parallel-max", str(a.lanes)]
    for i in range(a.lanes):
        par += ["-r", f"{i * part}-{min(size, (i + 1) * part) - 1}", "-o", "/dev/null", a.link_cdn_url]
    tools["curl-parallel-null"] = (lambda home: c.run(par, home, rss=True), "/dev/null")
    res = {k: {"wall": [], "incall": [], "rss_mib": []} for k in tools}
    for r in range(a.runs):
        for name in rotate(list(tools), r):
            home = fresh_dir(os.path.join(w, "home"))
            fn, where = tools[name]
            wall, out = fn(home)
            d = res[name]
            d["wall"].append(wall)
            d["rss_mib"].append(rss_mib(c.last_rss_kib))
            if out:
                d["incall"].append(out["total_s"])
            got = where or find_blob(home, LARGE)
            if got != "/dev/null" and os.path.getsize(got) != size:
                sys.exit(f"bench: {name} wrote {os.path.getsize(got)} bytes, expected {size}")
            if got != "/dev/null" and r == 0 and sha256_file(got) != a.large_sha256:
                sys.exit(f"bench: {name} wrote a file with the wrong sha256")
            drop(w)
            print(
                f"  link  {r + 1}/{a.runs:<5d} {name:14s} {wall:8.3f} s  {size / wall / 2**20:8.1f} MiB/s"
                f"  rss {rss_mib(c.last_rss_kib):7.1f} MiB",
                flush=True,
            )
    return {
        k: {"wall": stats(v["wall"]), "incall": stats(v["incall"]) if v["incall"] else None,
            "rss_mib": stats(v["rss_mib"])}
        for k, v in res.items()
    }  # fmt: skip


def classify(req):
    """A Hub request's kind, for the snapshot tables."""
    path = req["path"]
    if "/tree/" in path:
        return "listing"
    if "/revision/" in path or (path.startswith("/api/") and path.count("/") == 4):
        return "revision/info"
    if "/resolve/" in path:
        return f"{req['method']} resolve"
    return f"{req['method']} other"


def bench_snapshot(c, link):
    """(b) / (b'): snapshot of the many-small-files repo into an empty cache, and the Hub requests
    each client made (the emulator's log, cleared before each run). Then, untimed by the rounds'
    order but measured alike, the same snapshot again into the now complete cache by branch name
    (issue 7: "one revision request and nothing else")."""
    a = c.a
    hub = a.slow_hub if link else a.hub
    w = os.path.join(a.work, "snap-link" if link else "snap")
    expected, pages = c.tree_files(SNAP_REPO, "main")
    expected.sort()
    e = {"HF_ENDPOINT": hub}
    mw = str(a.snap_workers)
    tools = {
        "ours": lambda home: c.run([a.hf_bench, "--snapshot", "--max-workers", mw, SNAP_REPO], home, True, e),
        "python": lambda home: c.run([a.python, a.py_bench, "--snapshot", "--max-workers", mw, SNAP_REPO], home, True, e),
        "hf-hub": lambda home: c.run([a.hf_hub_peer, "--snapshot", "--max-workers", mw, SNAP_REPO], home, True, e),
    }  # fmt: skip
    res = {k: {"wall": [], "incall": [], "requests": [], "kinds": [], "warm_wall": [], "warm_incall": [],
               "warm_kinds": []} for k in tools}  # fmt: skip
    for r in rounds(a):
        for name in rotate(list(tools), r):
            home = fresh_dir(os.path.join(w, "home"))
            c.clear_log()
            wall, out = tools[name](home)
            reqs = c.hub_requests()
            c.clear_log()
            warm_wall, warm_out = tools[name](home)
            warm_reqs = c.hub_requests()
            snap_root = os.path.join(home, "hub", "models--" + SNAP_REPO.replace("/", "--"), "snapshots")
            commits = os.listdir(snap_root)
            got = sorted(
                os.path.relpath(os.path.join(dp, f), os.path.join(snap_root, commits[0]))
                for dp, _, fs in os.walk(os.path.join(snap_root, commits[0]))
                for f in fs
            )
            if len(commits) != 1 or got != expected:
                sys.exit(f"bench: {name}: snapshot holds {len(got)} files, expected {len(expected)}")
            if r < 0:
                for f in expected:
                    if f.endswith(".txt") and os.path.getsize(os.path.join(snap_root, commits[0], f)) != a.snap_kib << 10:
                        sys.exit(f"bench: {name}: {f} has the wrong size")
            d = sink(res, name, r)
            d["wall"].append(wall)
            d["incall"].append(out["total_s"])
            d["requests"].append(len(reqs))
            d["kinds"].append(dict(collections.Counter(classify(x) for x in reqs)))
            d["warm_wall"].append(warm_wall)
            d["warm_incall"].append(warm_out["total_s"])
            d["warm_kinds"].append(dict(collections.Counter(classify(x) for x in warm_reqs)))
            drop(w)
            print(
                f"  snap{'′' if link else ' '} {tag(a, r):7s} {name:8s} {wall:8.3f} s  (call {out['total_s']:.3f} s, "
                f"{len(reqs)} hub requests: {d['kinds'][-1]}); again, cache complete: {warm_wall:.3f} s "
                f"({len(warm_reqs)} requests: {d['warm_kinds'][-1]})",
                flush=True,
            )
    return {
        "files": len(expected),
        "pages": pages,
        "clients": {
            k: {
                "wall": stats(v["wall"]),
                "incall": stats(v["incall"]),
                "requests": statistics.median(v["requests"]),
                "kinds": v["kinds"][-1],
                "warm_wall": stats(v["warm_wall"]),
                "warm_incall": stats(v["warm_incall"]),
                "warm_requests": statistics.median(sum(x.values()) for x in v["warm_kinds"]),
                "warm_kinds": v["warm_kinds"][-1],
            }
            for k, v in res.items()
        },
    }


def bench_small_cold(c):
    a = c.a
    files = [small_name(i) for i in range(a.small_n)]
    w = os.path.join(a.work, "small")
    curl_out = os.path.join(w, "curl")
    urls = [f"{a.hub}/{REPO}/resolve/main/{f}" for f in files]

    def curl(home):
        return c.curl_many(urls, [os.path.join(curl_out, str(i)) for i in range(len(urls))], home)

    tools = {
        "curl": curl,
        "ours": lambda home: c.run([a.hf_bench, "--revision", "main", REPO, *files], home, True),
        "python": lambda home: c.run([a.python, a.py_bench, "--revision", "main", REPO, *files], home, True),
        "hf-hub": lambda home: c.run([a.hf_hub_peer, "--revision", "main", REPO, *files], home, True),
    }
    res = {k: {"wall": [], "per_call": [], "p50": [], "requests_per_file": []} for k in tools}
    for r in rounds(a):
        for name in rotate(list(tools), r):
            home = fresh_dir(os.path.join(w, "home"))
            c.clear_log()
            wall, out = tools[name](home)
            nreq = len(c.hub_requests())
            d = sink(res, name, r)
            d["wall"].append(wall)
            d["requests_per_file"].append(nreq / len(files))
            if out:
                d["per_call"].append(out["total_s"] / out["calls"])
                d["p50"].append(out["call_p50_s"])
            drop(w)
            print(f"  small {tag(a, r):7s} {name:8s} {wall:8.3f} s  ({nreq} hub requests)", flush=True)
    return {
        k: {
            "wall": stats(v["wall"]),
            "per_call": stats(v["per_call"]) if v["per_call"] else None,
            "p50": stats(v["p50"]) if v["p50"] else None,
            "requests_per_file": statistics.median(v["requests_per_file"]),
        }
        for k, v in res.items()
    }


def bench_warm(c):
    a = c.a
    f = small_name(0)
    home = fresh_dir(os.path.join(a.work, "warm-home"))
    c.run([a.hf_download, REPO, f], home)  # one shared cache, filled once (both clients read it)
    n = a.warm_n
    cases = {}

    def drv(argv):
        return lambda: c.run(argv, home, True)

    for rev_name, rev in (("main", "main"), ("pinned", a.commit)):
        cases[("ours", rev_name)] = drv([a.hf_bench, "--warmup", "--repeat", str(n), "--revision", rev, REPO, f])
        cases[("python", rev_name)] = drv(
            [a.python, a.py_bench, "--warmup", "--repeat", str(n), "--revision", rev, REPO, f]
        )
        cases[("hf-hub", rev_name)] = drv([a.hf_hub_peer, "--warmup", "--repeat", str(n), "--revision", rev, REPO, f])
    # The floor of a `main` hit: the same HEAD, n + 1 times over one connection, by curl.
    head_url = f"{a.hub}/{REPO}/resolve/main/{f}"
    cases[("curl", "main")] = lambda: c.curl_many([head_url] * (n + 1), ["/dev/null"] * (n + 1), home, True, True)
    res = {k: {"per_call": [], "p50": [], "wall": [], "requests_per_call": []} for k in cases}
    for r in rounds(a):
        for key in rotate(list(cases), r):
            c.clear_log()
            wall, out = cases[key]()
            # The untimed warm-up call is the same cache hit as the timed ones: n + 1 identical calls.
            nreq = len(c.hub_requests())
            d = sink(res, key, r)
            d["per_call"].append(out["total_s"] / out["calls"])
            d["p50"].append(out["call_p50_s"])
            d["wall"].append(wall)
            d["requests_per_call"].append(nreq / (n + 1))
            print(
                f"  warm {tag(a, r):7s} {key[0]:6s} {key[1]:6s} {out['total_s'] / n * 1e6:9.1f} us/call"
                f"  ({nreq} hub requests)",
                flush=True,
            )
    shutil.rmtree(home, ignore_errors=True)
    return {
        f"{k[0]}/{k[1]}": {
            "per_call": stats(v["per_call"]),
            "p50": stats(v["p50"]),
            "wall": stats(v["wall"]),
            "requests_per_call": statistics.median(v["requests_per_call"]),
        }
        for k, v in res.items()
    }


SCAN_PY = """
import json, sys, time
t0 = time.perf_counter()
from huggingface_hub import scan_cache_dir
t1 = time.perf_counter()
info = scan_cache_dir()
t2 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "total_s": t2 - t1, "calls": sum(r.nb_files for r in info.repos),
                  "repos": len(info.repos)}))
"""


UPLOAD_NAME = "model.safetensors"  # LFS by extension (and by size)
UPLOAD_REPO_PREFIX = "bench/upload-"  # a fresh repo per upload, created through the control API


def control(a, method, path, body=None):
    """The emulator's control API (/_emulator/*, not logged), outside the timings."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"{a.hub}/_emulator/{path}", data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with NO_PROXY_OPENER.open(req, timeout=30) as r:
        return json.load(r)


def bench_upload(c):
    """(d) upload of one LFS file (`upload_file`, the emulator's basic transfer: one PUT to its CDN
    origin) into a fresh repo each time, for us and the official client (`HF_HUB_DISABLE_XET=1`),
    with the protocol's floor in the same rounds: the SHA-256 of the file (`sha256sum FILE`) and a
    `curl -T FILE` of the same bytes to the same server (a PUT to the emulator's CDN upload URL,
    which reads and hashes the body like a real upload, but with an oid that does not match, so
    nothing is stored). After each upload the object is checked (tree listing: LFS oid and size)
    and then dropped from the emulator (DELETE /_emulator/lfs/<oid>): the next upload sends it again
    and the emulator never holds more than one copy in memory."""
    a = c.a
    size = a.upload_mib << 20
    w = fresh_dir(os.path.join(a.work, "upload"))
    src = os.path.join(w, "upload.bin")
    rng_ = random.Random(20240502)
    with open(src, "wb") as f:
        left = size
        while left:
            n = min(left, 16 << 20)
            f.write(rng_.randbytes(n))
            left -= n
    sha = sha256_file(src)
    os.sync()
    env = {"HF_TOKEN": a.token, "HF_HUB_DISABLE_XET": "1"}
    put_url = f"{a.emu_cdn}/upload/{'0' * 64}?X-Amz-Signature=bench"
    n_repo = iter(range(1 << 30))

    def fresh_repo(name):
        repo = f"{UPLOAD_REPO_PREFIX}{name}-{next(n_repo)}"
        control(a, "POST", "repos", {"type": "model", "id": repo})
        return repo

    def check_uploaded(name, repo):
        with NO_PROXY_OPENER.open(f"{a.hub}/api/models/{repo}/tree/main", timeout=30) as r:
            entries = {e["path"]: e for e in json.load(r)}
        lfs = (entries.get(UPLOAD_NAME) or {}).get("lfs") or {}
        if lfs.get("oid") != sha or lfs.get("size") != size:
            sys.exit(f"bench: {name} did not upload {UPLOAD_NAME} to {repo}: {entries.get(UPLOAD_NAME)}")
        if not control(a, "DELETE", f"lfs/{sha}")["existed"]:
            sys.exit(f"bench: the emulator does not hold the object {name} uploaded")

    def sha256sum(home):
        wall, out = c.run_raw(["sha256sum", src], home, rss=True)
        if out.split()[0] != sha:
            sys.exit(f"bench: sha256sum disagrees: {out}")
        return wall, None

    curl_put = ["curl", "-sS", "--fail", "--noproxy", "*", "-H", "Expect:", "-T", src, "-o", "/dev/null", put_url]
    tools = {
        "ours": lambda home, repo: c.run([a.hf_bench, "--upload", repo, src, UPLOAD_NAME], home, True, env, True),
        "python": lambda home, repo: c.run([a.python, a.py_bench, "--upload", repo, src, UPLOAD_NAME], home, True, env,
                                           True),
        "sha256sum": lambda home, repo: sha256sum(home),
        "curl-put": lambda home, repo: c.run(curl_put, home, rss=True),
    }
    uploads = ("ours", "python")
    res = {k: {"wall": [], "incall": [], "rss_mib": []} for k in tools}
    for r in rounds(a):
        for name in rotate(list(tools), r):
            home = fresh_dir(os.path.join(w, "home"))
            repo = fresh_repo(name) if name in uploads else None
            c.last_rss_kib = None
            wall, out = tools[name](home, repo)
            d = sink(res, name, r)
            d["wall"].append(wall)
            d["rss_mib"].append(rss_mib(c.last_rss_kib))
            if out:
                d["incall"].append(out["total_s"])
            if name in uploads:
                check_uploaded(name, repo)
            else:
                control(a, "DELETE", f"lfs/{'0' * 64}")
            shutil.rmtree(home, ignore_errors=True)
            print(f"  upload {tag(a, r):7s} {name:10s} {wall:8.3f} s  {size / wall / 2**20:8.1f} MiB/s  "
                  f"rss {rss_mib(c.last_rss_kib):7.1f} MiB", flush=True)
    drop(w)
    return {
        k: {
            "wall": stats(v["wall"]),
            "incall": stats(v["incall"]) if v["incall"] else None,
            "rss_mib": stats(v["rss_mib"]),
        }
        for k, v in res.items()
    }


def make_scan_cache(hub_dir, n_repos, n_files):
    """A cache of n_repos repos with n_files small files each (one revision, refs/main), as the
    clients write it: blobs named after their git SHA-1, relative symlinks in the snapshot."""
    for r in range(n_repos):
        repo = os.path.join(hub_dir, f"models--bench--repo{r:03d}")
        commit = hashlib.sha1(f"commit {r}".encode()).hexdigest()
        snap = os.path.join(repo, "snapshots", commit)
        os.makedirs(os.path.join(repo, "blobs"), exist_ok=True)
        os.makedirs(os.path.join(snap, "sub"), exist_ok=True)
        os.makedirs(os.path.join(repo, "refs"), exist_ok=True)
        with open(os.path.join(repo, "refs", "main"), "w") as f:
            f.write(commit)
        for i in range(n_files):
            data = f"repo {r} file {i}\n".encode()
            etag = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
            with open(os.path.join(repo, "blobs", etag), "wb") as f:
                f.write(data)
            rel = f"sub/f{i:04d}.txt" if i % 2 else f"f{i:04d}.txt"
            os.symlink(("../../../blobs/" if "/" in rel else "../../blobs/") + etag, os.path.join(snap, rel))


def bench_scan(c):
    a = c.a
    home = fresh_dir(os.path.join(a.work, "scan-home"))
    make_scan_cache(os.path.join(home, "hub"), a.scan_repos, a.scan_files)
    total_files = a.scan_repos * a.scan_files
    tools = {
        "ours": lambda: c.run([a.hf_bench, "--scan"], home, True),
        "python": lambda: c.run([a.python, "-c", SCAN_PY], home, True),
    }
    res = {k: {"wall": [], "incall": []} for k in tools}
    for r in rounds(a):
        for name in rotate(list(tools), r):
            wall, out = tools[name]()
            if out["calls"] != total_files or out["repos"] != a.scan_repos:
                sys.exit(f"bench: {name} scanned {out['repos']} repos / {out['calls']} files, expected "
                         f"{a.scan_repos} / {total_files}")
            d = sink(res, name, r)
            d["wall"].append(wall)
            d["incall"].append(out["total_s"])
            print(f"  scan  {tag(a, r):7s} {name:8s} {wall:8.3f} s  (scan {out['total_s']:.3f} s)", flush=True)
    shutil.rmtree(home, ignore_errors=True)
    return {k: {"wall": stats(v["wall"]), "incall": stats(v["incall"])} for k, v in res.items()}


# ---------------------------------------------------------------------------------------- reporting


def sh(cmd):
    try:
        p = subprocess.run(cmd, shell=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30)
        return p.stdout.decode(errors="replace").strip()
    except Exception as e:  # noqa: BLE001
        return f"unavailable ({e})"


def machine(a):
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    free = sh("free -g").splitlines()
    mem_line = next((ln.split() for ln in free if ln.startswith("Mem:")), [])
    mem = f"{mem_line[1]} GiB total, {mem_line[-1]} GiB available" if len(mem_line) >= 7 else "?"
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": sh("nproc"),
        "memory_gib": mem,
        "free_g": "\n".join(free),
        "cpu": cpu,
        "kernel": platform.release(),
        "rustc": sh("rustc --version"),
        "cc": sh("cc --version | head -1"),
        "python": sh(f"{a.python} --version"),
        "huggingface_hub": sh(f"{a.python} -c 'import huggingface_hub as h; print(h.__version__)'"),
        "nginx": sh("nginx -v 2>&1 || /usr/sbin/nginx -v 2>&1").replace("nginx version: ", ""),
        "curl": sh("curl --version | head -1 | cut -d' ' -f1-2"),
        "libhf_hub": sh(f"{a.hf_download} --version"),
        "hf-hub crate": sh(f"grep -A1 'name = \"hf-hub\"' {a.root}/bench/hf-hub-peer/Cargo.lock | sed -n 's/version = //p'")
        .strip('"'),
        "aria2c": sh("aria2c --version | head -1"),
        "toxiproxy": sh(f"go version -m {a.toxiproxy} 2>/dev/null | awk '$1 == \"mod\" {{ print $3 }}'"),
        "git": sh("git -C " + a.root + " describe --always --dirty 2>/dev/null"),
    }


def ms(x):
    return f"{x * 1e3:.1f}"


def us(x):
    return f"{x * 1e6:.0f}"


def ratio(x, y):
    return f"{x / y:.2f}×"


def mibs(size_mib, t):
    return f"{size_mib / t:.0f}"


def rng(st, f=lambda x: f"{x:.3f}"):
    return f"{f(st['min'])}–{f(st['max'])}"


def targets(a, res):
    """The issues' targets (6 and 7), each as (workload, target, measured, met)."""
    T = []
    size = a.large_mib
    big = res.get("large")
    if big:
        t = {k: v["wall"]["median"] for k, v in big.items()}
        sha_t = size / big["sha256"]["rate_mib_s"]["median"]  # seconds to hash the file on one core
        o = t["ours"]
        T.append(("(a)", "default ≥ 1.0× as fast as `hf-hub` (time hf-hub / ours)", t["hf-hub"] / o, t["hf-hub"] / o >= 1))
        floor = max(t["curl-null"], sha_t)  # the lower rate = the longer time
        T.append(("(a)", "default ≥ 0.9× min(`curl -o /dev/null`, SHA-256 one core) (rate ours / that)",
                  floor / o, floor / o >= 0.9))
        T.append(("(a)", "verify off ≥ 0.9× `curl -o /dev/null` (rate ours / curl)",
                  t["curl-null"] / t["ours-noverify"], t["curl-null"] / t["ours-noverify"] >= 0.9))
        dfl = max(t["curl-null"], t["dd"])
        T.append(("(a)", "durable ≤ 1.1× max(`curl -o /dev/null`, `dd` fdatasync) (time ours / that)",
                  t["ours-durable"] / dfl, t["ours-durable"] / dfl <= 1.1))
        T.append(("(a)", "default ≥ 5× the official client (time python / ours)", t["python"] / o, t["python"] / o >= 5))
        peak = max(big[k]["rss_mib"]["max"] for k in ("ours", "ours-noverify", "ours-durable"))
        T.append(("(e)", "ours' peak RSS during (a) ≤ 32 MiB (max over runs and variants, MiB)", peak, peak <= 32))
    link = res.get("link")
    if link:
        t = {k: v["wall"]["median"] for k, v in link.items()}
        o = t["ours"]
        cap = a.lanes * a.link_mbps * 1e6 / 2**20  # MiB/s
        limit = size / t["curl-parallel-null"]  # the link's limit for that many connections, MiB/s
        want = min(cap, limit)
        T.append(("(a′)", f"≥ 0.8× min(lanes × cap = {a.lanes} × {a.link_mbps} MB/s = {cap:.0f} MiB/s, the link's limit "
                          f"= {limit:.0f} MiB/s) (rate ours / {want:.0f} MiB/s)", size / o / want, size / o / want >= 0.8))
        T.append(("(a′)", f"≥ 1.0× `aria2c -x{a.lanes}` (time aria2c / ours)", t["aria2c"] / o, t["aria2c"] / o >= 1))
        T.append(("(a′)", "≥ 4× the official client (time python / ours)", t["python"] / o, t["python"] / o >= 4))
        T.append(("(a′)", "≥ 2× `hf-hub` (time hf-hub / ours)", t["hf-hub"] / o, t["hf-hub"] / o >= 2))
        peak = link["ours"]["rss_mib"]["max"]
        T.append(("(e)", "ours' peak RSS during (a′) ≤ 32 MiB (MiB)", peak, peak <= 32))
    for key, w in (("snap", "(b)"), ("snap-link", "(b′)")):
        sn = res.get(key)
        if not sn:
            continue
        cl = sn["clients"]
        t = {k: v["wall"]["median"] for k, v in cl.items()}
        o = t["ours"]
        T.append((w, "≥ 10× the official client (time python / ours)", t["python"] / o, t["python"] / o >= 10))
        if key == "snap":
            T.append((w, "≥ 2.5× `hf-hub` (time hf-hub / ours)", t["hf-hub"] / o, t["hf-hub"] / o >= 2.5))
            want = sn["pages"] + sn["files"]
            got = cl["ours"]["requests"]
            kinds = ", ".join(f"{n} {kk}" for kk, n in sorted(cl["ours"]["kinds"].items()))
            T.append((w, f"Hub requests = listing pages + one GET per file = {sn['pages']} + {sn['files']} "
                         f"(ours made: {kinds})", got, got == want))
            wk = cl["ours"]["warm_kinds"]
            T.append((w, "up-to-date snapshot in the cache, by branch name: one revision request and nothing else "
                         f"(ours made: {', '.join(f'{n} {kk}' for kk, n in sorted(wk.items())) or 'none'})",
                      cl["ours"]["warm_requests"], wk == {"revision/info": 1}))
    warm = res.get("warm")
    if warm:
        p = warm["ours/pinned"]["per_call"]["median"] * 1e6
        T.append(("(c)", "commit-pinned hit ≤ 5 µs per call (µs)", p, p <= 5))
        r = warm["ours/main"]["per_call"]["median"] / warm["curl/main"]["per_call"]["median"]
        T.append(("(c)", "`revision=main` hit ≤ 1.5× `curl -I` kept alive (ours / curl)", r, r <= 1.5))
    up = res.get("upload")
    if up:
        t = {k: v["wall"]["median"] for k, v in up.items()}
        o = t["ours"]
        floor = t["sha256sum"] + t["curl-put"]
        T.append(("(d)", "upload ≤ 1.1× the floor, `sha256sum` + `curl -T` of the file (time ours / floor)",
                  o / floor, o / floor <= 1.1))
        T.append(("(d)", "upload faster than the official client (time python / ours)", t["python"] / o,
                  t["python"] / o > 1))
        peak = up["ours"]["rss_mib"]["max"]
        T.append(("(e)", "ours' peak RSS during (d) ≤ 32 MiB (max over runs, MiB)", peak, peak <= 32))
    return T


def render(a, m, res):
    L = []
    size_mib = a.large_mib
    L.append(f"Generated by `bench/run.sh` on {m['date']} (commit `{m['git']}`).")
    L.append("")
    L.append("| machine | |")
    L.append("|---|---|")
    L.append(f"| CPU | {m['cpu']}, `nproc` = {m['nproc']} |")
    L.append(f"| memory (`free -g`) | {m['memory_gib']} |")
    L.append(f"| kernel | {m['kernel']} |")
    for k in ("rustc", "cc", "python", "huggingface_hub", "hf-hub crate", "nginx", "curl", "aria2c", "toxiproxy",
              "libhf_hub"):
        L.append(f"| {k} | {m.get(k, '?')} |")
    L.append("")
    L.append(
        f"Parameters: {a.runs} runs per case (median, min–max); large file {size_mib} MiB; {a.lanes} lanes for ours "
        f"and connections for aria2c; link: {a.link_latency_ms} ms latency, {a.link_mbps} MB/s per connection; "
        f"snapshot of {a.snap_n} files of {a.snap_kib} KiB, {a.snap_workers} workers; {a.small_n} small files of "
        f"{a.small_kib} KiB; {a.warm_n} warm calls per process; a cache of {a.scan_repos} repos × {a.scan_files} "
        f"files to scan; an upload of {a.upload_mib} MiB. Times are process wall clocks (spawn to exit) unless the column says in-call."
    )
    L.append("")

    T = targets(a, res)
    if T:
        L.append("### Targets (issues 6, 7 and 9), ratios of medians within this run")
        L.append("")
        L.append("| workload | target | measured | met |")
        L.append("|---|---|---|---|")
        for w, what, val, ok in T:
            L.append(f"| {w} | {what} | {val:.2f} | {'yes' if ok else '**no**'} |")
        L.append("")

    big = res.get("large")
    if big:
        L.append(f"### (a) Cold download of one {size_mib} MiB LFS file into an empty cache, and the machine's ceilings")
        L.append("")
        L.append("| client | median s | min–max s | MiB/s (median) | in-call median s | peak RSS MiB (median, max) "
                 "| ours / client (time) |")
        L.append("|---|---|---|---|---|---|---|")
        labels = {
            "curl-null": "ceiling: `curl -o /dev/null` of the CDN URL",
            "curl": "`curl -o FILE` of the CDN URL",
            "curl+fsync": "`curl -o FILE` + `sync FILE`",
            "dd": "ceiling: `dd bs=8M conv=fdatasync` of the same size",
            "sha256": "ceiling: SHA-256 on one core (`sha2` 0.10, in memory; s = size / rate)",
            "ours": "**ours** (`hf_bench`, SHA-256 verify, default)",
            "ours-noverify": "ours, verify off (`--no-verify`)",
            "ours-durable": "ours, durable (`hf_client_options.durable = 1`)",
            "hf-hub": "`hf-hub` crate 1.0.0 `download_file` (no verification)",
            "aria2c": f"`aria2c -x{a.lanes} -s{a.lanes} -k1M` of the resolve URL (no verification)",
            "python": "Python `hf_hub_download` (interpreter + import)",
        }
        ours = big["ours"]["wall"]["median"]
        for k in labels:
            if k not in big:
                continue
            d = big[k]
            if k == "sha256":
                rt = d["rate_mib_s"]
                L.append(f"| {labels[k]} | {size_mib / rt['median']:.3f} | {size_mib / rt['max']:.3f}–"
                         f"{size_mib / rt['min']:.3f} | {rt['median']:.0f} | – | – | {ratio(ours, size_mib / rt['median'])} |")
                continue
            s_ = d["wall"]
            inc = f"{d['incall']['median']:.3f}" if d["incall"] else "–"
            rss = f"{d['rss_mib']['median']:.1f}, {d['rss_mib']['max']:.1f}" if d["rss_mib"] else "–"
            rt = "–" if k == "ours" else ratio(ours, s_["median"])
            L.append(f"| {labels[k]} | {s_['median']:.3f} | {rng(s_)} | {mibs(size_mib, s_['median'])} | {inc} | "
                     f"{rss} | {rt} |")
        L.append("")

    link = res.get("link")
    if link:
        cap = a.lanes * a.link_mbps * 1e6 / 2**20
        L.append(f"### (a′) The same file through a realistic link: toxiproxy in front of the CDN, {a.link_latency_ms} ms "
                 f"latency, {a.link_mbps} MB/s per connection ({a.lanes} × cap = {cap:.0f} MiB/s)")
        L.append("")
        L.append("| client | median s | min–max s | MiB/s (median) | in-call median s | peak RSS MiB (median, max) "
                 "| ours / client (time) |")
        L.append("|---|---|---|---|---|---|---|")
        ours = link["ours"]["wall"]["median"]
        for k, label in (("curl-parallel-null", f"ceiling: one `curl --parallel`, {a.lanes} ranges into /dev/null"),
                         ("ours", "**ours** (verify on)"), ("aria2c", f"`aria2c -x{a.lanes} -s{a.lanes} -k1M`"),
                         ("hf-hub", "`hf-hub` crate 1.0.0"), ("python", "Python `hf_hub_download`")):
            d = link[k]
            s_ = d["wall"]
            inc = f"{d['incall']['median']:.3f}" if d["incall"] else "–"
            rt = "–" if k == "ours" else ratio(ours, s_["median"])
            L.append(f"| {label} | {s_['median']:.3f} | {rng(s_)} | {mibs(size_mib, s_['median'])} | {inc} | "
                     f"{d['rss_mib']['median']:.1f}, {d['rss_mib']['max']:.1f} | {rt} |")
        L.append("")

    up = res.get("upload")
    if up:
        um = a.upload_mib
        L.append(f"### (d) Upload of one {um} MiB LFS file into a fresh repo (`upload_file`, basic transfer), and the "
                 "protocol's floor")
        L.append("")
        L.append("| client | median s | min–max s | MiB/s (median) | in-call median s | peak RSS MiB (median, max) "
                 "| ours / client (time) |")
        L.append("|---|---|---|---|---|---|---|")
        ours = up["ours"]["wall"]["median"]
        floor = up["sha256sum"]["wall"]["median"] + up["curl-put"]["wall"]["median"]
        for k, label in (("sha256sum", "floor, part 1: `sha256sum FILE` (page-cached)"),
                         ("curl-put", "floor, part 2: `curl -T FILE` to the emulator's CDN upload URL"),
                         ("floor", "**floor** = the two medians added"),
                         ("ours", "**ours** (`hf_bench --upload`: `hf_upload_file`)"),
                         ("python", "Python `upload_file` (`HF_HUB_DISABLE_XET=1`; interpreter + import)")):
            if k == "floor":
                L.append(f"| {label} | {floor:.3f} | – | {mibs(um, floor)} | – | – | {ratio(ours, floor)} |")
                continue
            d = up[k]
            s_ = d["wall"]
            inc = f"{d['incall']['median']:.3f}" if d["incall"] else "–"
            rt = "–" if k == "ours" else ratio(ours, s_["median"])
            L.append(f"| {label} | {s_['median']:.3f} | {rng(s_)} | {mibs(um, s_['median'])} | {inc} | "
                     f"{d['rss_mib']['median']:.1f}, {d['rss_mib']['max']:.1f} | {rt} |")
        L.append("")

    for key, title in (("snap", "(b) Snapshot"), ("snap-link", f"(b′) Snapshot through toxiproxy in front of the Hub "
                                                             f"({a.link_latency_ms} ms latency)")):
        sn = res.get(key)
        if not sn:
            continue
        L.append(f"### {title}: {sn['files']} files of {a.snap_kib} KiB into an empty cache, "
                 f"`max_workers` = {a.snap_workers}")
        L.append("")
        L.append("| client | median s | min–max s | in-call median s | Hub requests (median) | by kind (last run) "
                 "| client / ours (time) |")
        L.append("|---|---|---|---|---|---|---|")
        cl = sn["clients"]
        ours = cl["ours"]["wall"]["median"]
        for k, label in (("ours", "**ours** (`hf_snapshot_download`)"), ("hf-hub", "`hf-hub` crate `snapshot_download`"),
                         ("python", "Python `snapshot_download`")):
            d = cl[k]
            kinds = ", ".join(f"{n} {kk}" for kk, n in sorted(d["kinds"].items()))
            rt = "–" if k == "ours" else f"{d['wall']['median'] / ours:.1f}×"
            L.append(f"| {label} | {d['wall']['median']:.3f} | {rng(d['wall'])} | {d['incall']['median']:.3f} | "
                     f"{d['requests']:.0f} | {kinds} | {rt} |")
        for k, label in (("ours", "**ours**"), ("hf-hub", "`hf-hub` crate"), ("python", "Python")):
            d = cl[k]
            kinds = ", ".join(f"{n} {kk}" for kk, n in sorted(d["warm_kinds"].items())) or "none"
            rt = "–" if k == "ours" else f"{d['warm_wall']['median'] / cl['ours']['warm_wall']['median']:.1f}×"
            L.append(f"| {label}, again (cache complete, `main`) | {d['warm_wall']['median']:.3f} | {rng(d['warm_wall'])} "
                     f"| {d['warm_incall']['median']:.3f} | {d['warm_requests']:.0f} | {kinds} | {rt} |")
        L.append("")
        L.append(f"The Hub's recursive listing of this repo is {sn['pages']} page(s).")
        L.append("")

    small, warm = res.get("small"), res.get("warm")
    if small:
        L.append(f"### 2. Cold download of {a.small_n} small regular files ({a.small_kib} KiB), sequentially in one process")
        L.append("")
        L.append("| client | per file, median ms (total/N) | min–max ms | median call p50 ms | process wall median s "
                 "| Hub requests per file | ours / client (per file) |")
        L.append("|---|---|---|---|---|---|---|")
        ours_pc = small["ours"]["per_call"]["median"]
        for k, label in (
            ("curl", "`curl`, the N URLs in one process (floor: one GET each)"),
            ("ours", "**ours** (`hf_bench`)"),
            ("hf-hub", "`hf-hub` crate `download_file`"),
            ("python", "Python `hf_hub_download`"),
        ):
            d = small[k]
            pc, p50 = d["per_call"], d["p50"]
            rt = "–" if k == "ours" else ratio(ours_pc, pc["median"])
            L.append(f"| {label} | {ms(pc['median'])} | {ms(pc['min'])}–{ms(pc['max'])} | {ms(p50['median'])} | "
                     f"{d['wall']['median']:.3f} | {d['requests_per_file']:.2f} | {rt} |")
        L.append("")
    if warm:
        L.append(f"### 3 / (c). Warm cache hits, {a.warm_n} calls in one process (after one untimed warm-up call)")
        L.append("")
        L.append("| revision | client | per call, median µs (total/N) | min–max µs | median call p50 µs "
                 "| Hub requests per call | ours / client |")
        L.append("|---|---|---|---|---|---|---|")
        for rev, rev_label in (("main", "`main` (one HEAD)"), ("pinned", "commit-pinned (no request)")):
            o = warm[f"ours/{rev}"]["per_call"]["median"]
            rows = [("ours", "**ours**"), ("hf-hub", "`hf-hub` crate"), ("python", "Python")]
            if f"curl/{rev}" in warm:
                rows.append(("curl", "`curl -I`, same HEAD (floor)"))
            for cl, label in rows:
                d = warm[f"{cl}/{rev}"]
                pc, p50 = d["per_call"], d["p50"]
                rt = "–" if cl == "ours" else ratio(o, pc["median"])
                L.append(f"| {rev_label} | {label} | {us(pc['median'])} | {us(pc['min'])}–{us(pc['max'])} | "
                         f"{us(p50['median'])} | {d['requests_per_call']:.2f} | {rt} |")
        L.append("")

    scan = res.get("scan")
    if scan:
        L.append(f"### 4. Cache scan: {a.scan_repos} repos × {a.scan_files} files ({a.scan_repos * a.scan_files} files), "
                 "warm page cache")
        L.append("")
        L.append("| client | scan call, median ms | min–max ms | process wall median ms | ours / client (scan call) |")
        L.append("|---|---|---|---|---|")
        o = scan["ours"]["incall"]["median"]
        for k, label in (("ours", "**ours** (`hf_cache_scan`)"),
                         ("python", "Python `scan_cache_dir()` (import excluded)")):
            d = scan[k]
            rt = "–" if k == "ours" else ratio(o, d["incall"]["median"])
            L.append(f"| {label} | {ms(d['incall']['median'])} | {ms(d['incall']['min'])}–{ms(d['incall']['max'])} | "
                     f"{ms(d['wall']['median'])} | {rt} |")
        L.append("")
    return "\n".join(L)


def summary(a, res):
    return "\n".join(f"{w:5s} {what}: {val:.2f} {'met' if ok else 'MISSED'}" for w, what, val, ok in targets(a, res))


BEGIN, END = "<!-- results:begin (bench/run.sh rewrites this section) -->", "<!-- results:end -->"


def update_doc(path, body):
    text = open(path).read() if os.path.exists(path) else f"# Benchmarks\n\n## Results\n\n{BEGIN}\n{END}\n"
    if BEGIN not in text or END not in text:
        text = text.rstrip("\n") + f"\n\n## Results\n\n{BEGIN}\n{END}\n"
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    with open(path + ".tmp", "w") as f:
        f.write(f"{head}{BEGIN}\n{body}\n{END}{tail}")
    os.replace(path + ".tmp", path)


WORKLOADS = ("large", "link", "snap", "snap-link", "small", "warm", "scan", "upload")


def run(a):
    c = Ctx(a)
    t0 = time.perf_counter()
    res = {}
    only = set(a.only.split(",")) if a.only else set(WORKLOADS)
    if only - set(WORKLOADS):
        sys.exit(f"bench: unknown workloads {only - set(WORKLOADS)} (known: {', '.join(WORKLOADS)})")
    if "upload" in only and not (a.emu_cdn and a.token):
        sys.exit("bench: the upload workload needs --emu-cdn and --token")
    steps = (
        ("large", f"(a) large cold ({a.large_mib} MiB)", lambda: bench_large(c)),
        ("link", f"(a') large cold through the link ({a.large_mib} MiB)", lambda: bench_link(c)),
        ("snap", f"(b) snapshot ({a.snap_n} x {a.snap_kib} KiB)", lambda: bench_snapshot(c, False)),
        ("snap-link", f"(b') snapshot through the link ({a.snap_n} x {a.snap_kib} KiB)", lambda: bench_snapshot(c, True)),
        ("small", f"2. small cold ({a.small_n} x {a.small_kib} KiB)", lambda: bench_small_cold(c)),
        ("warm", f"3/(c). warm ({a.warm_n} calls)", lambda: bench_warm(c)),
        ("scan", f"4. cache scan ({a.scan_repos} repos x {a.scan_files} files)", lambda: bench_scan(c)),
        ("upload", f"(d) upload ({a.upload_mib} MiB)", lambda: bench_upload(c)),
    )
    for key, title, fn in steps:
        if key in only:
            t1 = time.perf_counter()
            print(f"== {title} x {a.runs}", flush=True)
            res[key] = fn()
            print(f"   ({time.perf_counter() - t1:.0f} s)", flush=True)
    m = machine(a)
    body = render(a, m, res)
    print("\n" + body + "\n" + summary(a, res))
    print(f"\nworkloads took {time.perf_counter() - t0:.0f} s")
    params = {
        k: getattr(a, k)
        for k in ("large_mib", "small_kib", "small_n", "warm_n", "runs", "scan_repos", "scan_files", "lanes",
                  "link_latency_ms", "link_mbps", "snap_n", "snap_kib", "snap_workers", "upload_mib")
    }  # fmt: skip
    if a.json:
        os.makedirs(os.path.dirname(a.json), exist_ok=True)
        with open(a.json, "w") as f:
            json.dump({"machine": m, "params": params, "results": res,
                       "targets": [dict(zip(("workload", "target", "measured", "met"), t)) for t in targets(a, res)]},
                      f, indent=1)  # fmt: skip
        print(f"results: {a.json}")
    if a.doc:
        if only != set(WORKLOADS):
            print(f"not updating {a.doc}: only {sorted(only)} ran")
        else:
            update_doc(a.doc, body)
            print(f"updated {a.doc}")


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("gen")
    g.add_argument("dir")
    g.add_argument("--large-mib", type=int, required=True)
    g.add_argument("--small-kib", type=int, required=True)
    g.add_argument("--small-n", type=int, required=True)
    g.add_argument("--snap-dir", help="where to write the snapshot repo's files")
    g.add_argument("--snap-n", type=int, default=1000)
    g.add_argument("--snap-kib", type=int, default=4)
    r = sub.add_parser("run")
    for k in ("hub", "cdn-url", "link-cdn-url", "commit", "large-sha256", "work", "root", "hf-download", "hf-bench", "python",
              "py-bench", "hf-hub-peer", "sha256-rate", "lfs-file", "link-hub", "slow-hub", "toxiproxy"):
        r.add_argument(f"--{k}", required=True)
    for k in ("large-mib", "small-kib", "small-n", "warm-n", "runs", "lanes", "link-latency-ms", "link-mbps",
              "snap-n", "snap-kib"):
        r.add_argument(f"--{k}", type=int, required=True)
    r.add_argument("--snap-workers", type=int, default=8)
    r.add_argument("--sha-seconds", type=float, default=1.0)
    r.add_argument("--scan-repos", type=int, default=100)
    r.add_argument("--scan-files", type=int, default=200)
    r.add_argument("--upload-mib", type=int, default=1024, help="size of the file uploaded by (d)")
    r.add_argument("--emu-cdn", help="the emulator's own CDN origin (LFS upload URLs), for (d)'s `curl -T`")
    r.add_argument("--token", help="a token with write access to the `bench` namespace, for (d)")
    r.add_argument("--only", help=f"comma-separated subset of {','.join(WORKLOADS)} (the doc is then left alone)")
    r.add_argument("--timeout", type=int, default=600, help="per process, seconds")
    r.add_argument("--doc", help="markdown file whose results section is rewritten")
    r.add_argument("--json", help="where to write the raw results")
    a = ap.parse_args()
    # SIGTERM (from run.sh's trap or `timeout`) becomes SystemExit, so the running client is killed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    gen(a) if a.cmd == "gen" else run(a)


if __name__ == "__main__":
    main()
