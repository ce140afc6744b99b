"""py_bench: per-call latency of huggingface_hub.hf_hub_download inside one interpreter.

    python py_bench.py [--revision REV] [--repeat N] [--warmup] REPO_ID FILE...
    python py_bench.py --snapshot [--revision REV] [--max-workers N] REPO_ID   one snapshot_download
    python py_bench.py --upload REPO_ID LOCAL_FILE PATH_IN_REPO   one upload_file (token: HF_TOKEN;
                                                                    run with HF_HUB_DISABLE_XET=1)

The twin of bench/hf_bench.c (same arguments, same JSON line), for the official client. The import of
huggingface_hub is timed separately ("import_s"); configured from the environment like hf_bench.
"""

import time

_t0 = time.perf_counter()
import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402

from huggingface_hub import hf_hub_download, snapshot_download, upload_file  # noqa: E402

_import_s = time.perf_counter() - _t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--revision")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--warmup", action="store_true")
    ap.add_argument("--snapshot", action="store_true")
    ap.add_argument("--upload", action="store_true")
    ap.add_argument("--max-workers", type=int, default=8)  # snapshot_download's default
    ap.add_argument("repo_id")
    ap.add_argument("files", nargs="*")
    a = ap.parse_args()
    if a.snapshot:
        start = time.perf_counter()
        path = snapshot_download(a.repo_id, revision=a.revision, max_workers=a.max_workers)
        total = time.perf_counter() - start
        print(json.dumps({"import_s": _import_s, "calls": 1, "total_s": total, "call_min_s": total,
                          "call_p50_s": total, "call_max_s": total, "path": path}))
        return
    if a.upload:
        if len(a.files) != 2:
            ap.error("--upload REPO_ID LOCAL_FILE PATH_IN_REPO")
        start = time.perf_counter()
        info = upload_file(path_or_fileobj=a.files[0], path_in_repo=a.files[1], repo_id=a.repo_id)
        total = time.perf_counter() - start
        print(json.dumps({"import_s": _import_s, "calls": 1, "total_s": total, "call_min_s": total,
                          "call_p50_s": total, "call_max_s": total, "commit": info.oid}))
        return
    if not a.files:
        ap.error("FILE... required without --snapshot")

    if a.warmup:
        hf_hub_download(a.repo_id, a.files[0], revision=a.revision)
    lat = []
    start = time.perf_counter()
    for _ in range(a.repeat):
        for f in a.files:
            c0 = time.perf_counter()
            hf_hub_download(a.repo_id, f, revision=a.revision)
            lat.append(time.perf_counter() - c0)
    total = time.perf_counter() - start
    lat.sort()
    print(
        json.dumps(
            {
                "import_s": _import_s,
                "calls": len(lat),
                "total_s": total,
                "call_min_s": lat[0],
                "call_p50_s": lat[len(lat) // 2],
                "call_max_s": lat[-1],
                "call_mean_s": statistics.fmean(lat),
            }
        )
    )


if __name__ == "__main__":
    main()
