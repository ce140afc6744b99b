#!/usr/bin/env python3
"""The benchmark driver (stdlib only). bench/run.sh builds everything, starts the servers and calls:

    bench.py gen DIR --large-mib N --small-kib K --small-n N     # the repo's files, deterministic
    bench.py run --hub URL --commit SHA ... --doc BENCHMARKS.md   # the workloads, table, results

Every workload runs one client process at a time (never two tools at once); each timed sample is
the wall clock from spawning the process to its exit, measured here with perf_counter, plus the
in-process times that the drivers (bench/hf_bench.c, bench/py_bench.py) print.
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
import time
import urllib.request

REPO = "bench/bench-model"
LARGE = "model.safetensors"  # LFS by extension: HEAD on the Hub, 302 to the CDN (nginx)


def small_name(i):
    return f"small/f{i:03d}.txt"  # a regular (non-LFS) file: served by the Hub itself


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


# ---------------------------------------------------------------------------------------------- run


class Ctx:
    def __init__(self, a):
        self.a = a
        self.env = clean_env(a.hub)
        self.timeout = a.timeout

    def tool_env(self, hf_home):
        e = dict(self.env)
        e["HF_HOME"] = hf_home
        return e

    def run(self, argv, hf_home, stdout_json=False):
        """Runs one process; returns (wall seconds, parsed JSON line or None)."""
        wall, out = self.run_raw(argv, hf_home)
        return wall, (json.loads(out.strip().splitlines()[-1]) if stdout_json else None)

    def run_raw(self, argv, hf_home):
        t0 = time.perf_counter()
        p = subprocess.run(
            argv, env=self.tool_env(hf_home), stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=self.timeout
        )
        wall = time.perf_counter() - t0
        if p.returncode != 0:
            sys.exit(f"bench: {' '.join(argv[:8])} ... failed ({p.returncode}):\n{p.stderr.decode(errors='replace')}")
        return wall, p.stdout.decode()

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


NO_PROXY_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def clean_env(hub):
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


def find_blob(hf_home, name):
    snap = os.path.join(hf_home, "hub", "models--" + REPO.replace("/", "--"), "snapshots")
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


def bench_large(c):
    a = c.a
    size = a.large_mib << 20
    w = os.path.join(a.work, "large")
    curl_out = os.path.join(w, "curl.out")
    tools = {
        "curl": lambda home: c.run(["curl", "-sS", "--fail", "--noproxy", "*", "-o", curl_out, a.cdn_url], home),
        "curl+fsync": None,  # below
        "ours": lambda home: c.run([a.hf_download, REPO, LARGE], home),
        "ours-noverify": lambda home: c.run([a.hf_bench, "--no-verify", REPO, LARGE], home, True),
        "python": lambda home: c.run([a.python, a.py_bench, REPO, LARGE], home, True),
    }

    def curl_fsync(home):
        t0 = time.perf_counter()
        c.run(["curl", "-sS", "--fail", "--noproxy", "*", "-o", curl_out, a.cdn_url], home)
        c.run(["sync", curl_out], home)  # coreutils sync FILE = fsync(FILE)
        return time.perf_counter() - t0, None

    tools["curl+fsync"] = curl_fsync
    res = {k: {"wall": [], "incall": []} for k in tools}
    for r in rounds(a):
        for name in rotate(list(tools), r):
            home = fresh_dir(os.path.join(w, "home"))
            wall, out = tools[name](home)
            d = sink(res, name, r)
            d["wall"].append(wall)
            if out:
                d["incall"].append(out["total_s"])
            got = curl_out if name.startswith("curl") else find_blob(home, LARGE)
            if os.path.getsize(got) != size:
                sys.exit(f"bench: {name} wrote {os.path.getsize(got)} bytes, expected {size}")
            if r < 0 and sha256_file(got) != a.large_sha256:
                sys.exit(f"bench: {name} wrote a file with the wrong sha256")
            drop(w)
            print(f"  large {tag(a, r):7s} {name:14s} {wall:8.3f} s  {size / wall / 2**20:8.1f} MiB/s", flush=True)
    return {k: {"wall": stats(v["wall"]), "incall": stats(v["incall"]) if v["incall"] else None} for k, v in res.items()}


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
        "git": sh("git -C " + a.root + " describe --always --dirty 2>/dev/null"),
    }


def ms(x):
    return f"{x * 1e3:.1f}"


def us(x):
    return f"{x * 1e6:.0f}"


def ratio(x, y):
    return f"{x / y:.2f}×"


def render(a, m, res):
    L = []
    size_mib = a.large_mib
    big, small, warm = res["large"], res["small"], res["warm"]
    L.append(f"Generated by `bench/run.sh` on {m['date']} (commit `{m['git']}`).")
    L.append("")
    L.append("| machine | |")
    L.append("|---|---|")
    L.append(f"| CPU | {m['cpu']}, `nproc` = {m['nproc']} |")
    L.append(f"| memory (`free -g`) | {m['memory_gib']} |")
    L.append(f"| kernel | {m['kernel']} |")
    for k in ("rustc", "cc", "python", "huggingface_hub", "nginx", "curl", "libhf_hub"):
        L.append(f"| {k} | {m[k]} |")
    L.append("")
    L.append(
        f"Parameters: {a.runs} runs per case (median, min–max); large file {size_mib} MiB; "
        f"{a.small_n} small files of {a.small_kib} KiB; {a.warm_n} warm calls per process; "
        f"a cache of {a.scan_repos} repos × {a.scan_files} files to scan."
    )
    L.append("")

    L.append(f"### 1. Cold download of one {size_mib} MiB LFS file (process wall clock, start included)")
    L.append("")
    L.append("| client | median s | min–max s | MiB/s (median) | in-call median s | ours / client |")
    L.append("|---|---|---|---|---|---|")
    labels = {
        "curl": "`curl -o` of the CDN URL (floor)",
        "curl+fsync": "`curl -o` + `sync FILE` (durable floor)",
        "ours": "**ours**: `hf_download` CLI (SHA-256 verify)",
        "ours-noverify": "ours: `hf_bench --no-verify` (no hash)",
        "python": "Python `hf_hub_download` (interpreter + import)",
    }
    ours = big["ours"]["wall"]["median"]
    for k in ("curl", "curl+fsync", "ours", "ours-noverify", "python"):
        s = big[k]["wall"]
        inc = f"{big[k]['incall']['median']:.3f}" if big[k]["incall"] else "–"
        rt = "–" if k == "ours" else ratio(ours, s["median"])
        L.append(
            f"| {labels[k]} | {s['median']:.3f} | {s['min']:.3f}–{s['max']:.3f} | "
            f"{size_mib / s['median']:.0f} | {inc} | {rt} |"
        )
    L.append("")

    L.append(
        f"### 2. Cold download of {a.small_n} small regular files ({a.small_kib} KiB), sequentially in one process"
    )
    L.append("")
    L.append(
        "| client | per file, median ms (total/N) | min–max ms | median call p50 ms | process wall median s "
        "| Hub requests per file | ours / client (per file) |"
    )
    L.append("|---|---|---|---|---|---|---|")
    ours_pc = small["ours"]["per_call"]["median"]
    for k, label in (
        ("curl", "`curl`, the N URLs in one process (floor: one GET each)"),
        ("ours", "**ours** (`hf_bench`)"),
        ("python", "Python `hf_hub_download`"),
    ):
        d = small[k]
        pc, p50 = d["per_call"], d["p50"]
        rt = "–" if k == "ours" else ratio(ours_pc, pc["median"])
        L.append(
            f"| {label} | {ms(pc['median'])} | {ms(pc['min'])}–{ms(pc['max'])} | {ms(p50['median'])} | "
            f"{d['wall']['median']:.3f} | {d['requests_per_file']:.2f} | {rt} |"
        )
    L.append("")

    L.append(f"### 3. Warm cache hits, {a.warm_n} calls in one process (after one untimed warm-up call)")
    L.append("")
    L.append("| revision | client | per call, median µs (total/N) | min–max µs | median call p50 µs "
             "| Hub requests per call | ours / client |")
    L.append("|---|---|---|---|---|---|---|")
    for rev, rev_label in (("main", "`main` (one HEAD)"), ("pinned", "commit-pinned (no request)")):
        o = warm[f"ours/{rev}"]["per_call"]["median"]
        rows = [("ours", "**ours**"), ("python", "Python")]
        if f"curl/{rev}" in warm:
            rows.append(("curl", "`curl -I`, same HEAD (floor)"))
        for cl, label in rows:
            d = warm[f"{cl}/{rev}"]
            pc, p50 = d["per_call"], d["p50"]
            rt = "–" if cl == "ours" else ratio(o, pc["median"])
            L.append(
                f"| {rev_label} | {label} | {us(pc['median'])} | {us(pc['min'])}–{us(pc['max'])} | "
                f"{us(p50['median'])} | {d['requests_per_call']:.2f} | {rt} |"
            )
    L.append("")

    scan = res["scan"]
    L.append(
        f"### 4. Cache scan: {a.scan_repos} repos × {a.scan_files} files ({a.scan_repos * a.scan_files} files), "
        "warm page cache"
    )
    L.append("")
    L.append("| client | scan call, median ms | min–max ms | process wall median ms | ours / client (scan call) |")
    L.append("|---|---|---|---|---|")
    o = scan["ours"]["incall"]["median"]
    for k, label in (("ours", "**ours** (`hf_cache_scan`)"), ("python", "Python `scan_cache_dir()` (import excluded)")):
        d = scan[k]
        rt = "–" if k == "ours" else ratio(o, d["incall"]["median"])
        L.append(
            f"| {label} | {ms(d['incall']['median'])} | {ms(d['incall']['min'])}–{ms(d['incall']['max'])} | "
            f"{ms(d['wall']['median'])} | {rt} |"
        )
    L.append("")
    return "\n".join(L)


def summary(a, res):
    big, small, warm = res["large"], res["small"], res["warm"]
    o = big["ours"]["wall"]["median"]
    lines = [
        f"large {a.large_mib} MiB: ours {o:.3f} s ({a.large_mib / o:.0f} MiB/s), "
        f"python {big['python']['wall']['median']:.3f} s, curl {big['curl']['wall']['median']:.3f} s, "
        f"curl+fsync {big['curl+fsync']['wall']['median']:.3f} s; ours/python "
        f"{ratio(o, big['python']['wall']['median'])}, ours/curl {ratio(o, big['curl']['wall']['median'])}",
        f"small cold: ours {ms(small['ours']['per_call']['median'])} ms/file, python "
        f"{ms(small['python']['per_call']['median'])} ms/file, curl {ms(small['curl']['per_call']['median'])} "
        f"ms/GET; ours/python {ratio(small['ours']['per_call']['median'], small['python']['per_call']['median'])}",
    ]
    for rev in ("main", "pinned"):
        ov, pv = warm[f"ours/{rev}"]["per_call"]["median"], warm[f"python/{rev}"]["per_call"]["median"]
        lines.append(f"warm {rev}: ours {us(ov)} µs/call, python {us(pv)} µs/call; ours/python {ratio(ov, pv)}")
    so, sp = res["scan"]["ours"]["incall"]["median"], res["scan"]["python"]["incall"]["median"]
    lines.append(f"scan: ours {ms(so)} ms, python {ms(sp)} ms; python/ours {sp / so:.1f}× faster")
    return "\n".join(lines)


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


def run(a):
    c = Ctx(a)
    t0 = time.perf_counter()
    res = {}
    print(f"== 1. large cold ({a.large_mib} MiB) x {a.runs}", flush=True)
    res["large"] = bench_large(c)
    print(f"== 2. small cold ({a.small_n} x {a.small_kib} KiB) x {a.runs}", flush=True)
    res["small"] = bench_small_cold(c)
    print(f"== 3. warm ({a.warm_n} calls) x {a.runs}", flush=True)
    res["warm"] = bench_warm(c)
    print(f"== 4. cache scan ({a.scan_repos} repos x {a.scan_files} files) x {a.runs}", flush=True)
    res["scan"] = bench_scan(c)
    m = machine(a)
    body = render(a, m, res)
    print("\n" + body + "\n" + summary(a, res))
    print(f"\nworkloads took {time.perf_counter() - t0:.0f} s")
    params = {k: getattr(a, k) for k in ("large_mib", "small_kib", "small_n", "warm_n", "runs", "scan_repos", "scan_files")}
    if a.json:
        os.makedirs(os.path.dirname(a.json), exist_ok=True)
        with open(a.json, "w") as f:
            json.dump({"machine": m, "params": params, "results": res}, f, indent=1)
        print(f"results: {a.json}")
    if a.doc:
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
    r = sub.add_parser("run")
    for k in ("hub", "cdn-url", "commit", "large-sha256", "work", "root", "hf-download", "hf-bench", "python", "py-bench"):
        r.add_argument(f"--{k}", required=True)
    for k in ("large-mib", "small-kib", "small-n", "warm-n", "runs"):
        r.add_argument(f"--{k}", type=int, required=True)
    r.add_argument("--scan-repos", type=int, default=100)
    r.add_argument("--scan-files", type=int, default=200)
    r.add_argument("--timeout", type=int, default=300, help="per process, seconds")
    r.add_argument("--doc", help="markdown file whose results section is rewritten")
    r.add_argument("--json", help="where to write the raw results")
    a = ap.parse_args()
    # SIGTERM (from run.sh's trap or `timeout`) becomes SystemExit, so subprocess.run kills the client.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    gen(a) if a.cmd == "gen" else run(a)


if __name__ == "__main__":
    main()
