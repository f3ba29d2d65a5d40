"""Fast from the first second: whole processes of this tree against a baseline tree, same run.

- first run: ``innkit annotate examples/monograph.txt`` on an empty cache folder
  (``XDG_CACHE_HOME`` a new empty folder): wall time and peak memory (goal <= 5 s, 400 MB),
  then the same command again on the now warm folder.
- decode: ``innkit decode --format jsonl`` of 100,000 names read from standard input into a
  file, warm cache (goal <= 3 s); the names are the broad UNII list's, every one a substance
  with identifiers. The trees take turns, three runs each, medians. Also its CPU seconds
  (user + system), which other processes on a busy machine do not inflate, and, with
  ``--baseline``, whether both trees wrote the same bytes.
- serve: the web server after a burst of 200 requests (decode and annotate, 8 clients), on a
  warm cache folder (a first start fills it): the resident memory (RSS) and proportional share
  (PSS, shared pages split among the processes mapping them) of the HTTP process and of the
  worker pool's process, which holds the tables (goal RSS <= 300 MB); of its worker
  processes, the most one holds of its own (USS: private pages, the shared ones it copied
  included; goal <= 100 MB), and the PSS of them all together; and ``annotate --jobs 2`` of a
  long text: each worker's RSS and PSS (goal <= 100 MB each).

Usage: ``python benchmarks/first_run.py --baseline /path/to/old/src`` (without it, this tree
only). Each figure prints with its ratio to the baseline's (baseline / this: above 1 is
faster or smaller).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _shared import child_pids, memory_rollup

ROOT = Path(__file__).resolve().parents[1]
MONOGRAPH = ROOT / "examples" / "monograph.txt"
NAMES = 100_000
REQUESTS = 200
LONG = 2000
"""Copies of the monograph in the long text that ``--jobs 2`` cuts into pieces (~14 MB)."""


def _env(src: str, cache: str) -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=src, XDG_CACHE_HOME=cache,
                INNKIT_USER_DB=str(Path(cache) / "user.sqlite"))


def timed(argv: list[str], env: dict[str, str], stdin: Path | None = None
          ) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one child process (and what it waited for)."""
    wall, peak, _cpu = timed_cpu(argv, env, stdin)
    return wall, peak


def timed_cpu(argv: list[str], env: dict[str, str], stdin: Path | None = None,
              stdout: Path | None = None) -> tuple[float, float, float]:
    """Wall seconds, peak RSS (MB) and CPU seconds (user + system) of one child process (its
    output written to ``stdout``, or dropped): the CPU time is what a busy machine does not
    inflate."""
    start = time.perf_counter()
    with open(stdin or os.devnull, "rb") as f, open(stdout or os.devnull, "wb") as out:
        proc = subprocess.Popen(argv, env=env, stdin=f, stdout=out, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"{argv} failed: {err[-500:]}")
    return wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def innkit(*args: str) -> list[str]:
    return [sys.executable, "-m", "innkit.cli", *args]


def first_run(src: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="innkit-first-") as cache:
        env = _env(src, cache)
        wall, peak = timed(innkit("annotate", str(MONOGRAPH)), env)
        again, again_peak = timed(innkit("annotate", str(MONOGRAPH)), env)
    return {"first_s": wall, "first_mb": peak, "warm_s": again, "warm_mb": again_peak}


def names_file(cache: str, src: str) -> Path:
    """100,000 names of the broad UNII list (the same for both trees), one a line."""
    code = ("import sys; from innkit.registry import get_registry; "
            "names = [n for n, _k in get_registry().unii_names()]; "
            f"sys.stdout.write(''.join(n + '\\n' for n in names[:{NAMES}]))")
    out = subprocess.run([sys.executable, "-c", code], env=_env(src, cache),
                         capture_output=True, text=True, check=True).stdout
    path = Path(cache) / "names.txt"
    path.write_text(out, encoding="utf-8")
    return path


DECODE_RUNS = 3
"""Runs of the decode of each tree, the trees taking turns (a busy spell of the machine then
slows both)."""


def decode_runs(trees: dict[str, str], cache: str, names: Path
                ) -> tuple[dict[str, dict[str, float]], bool]:
    """The decode of each tree, its lines written to a file as ``> OUT`` would (205 MB), the
    trees taking turns: the median of the runs, and whether every tree wrote the same bytes."""
    envs = {tree: _env(src, cache) for tree, src in trees.items()}
    for env in envs.values():  # the cache is warm: build what is built once
        timed(innkit("decode", "Besponsa"), env)
    runs: dict[str, list[tuple[float, float, float]]] = {tree: [] for tree in trees}
    outputs = {tree: Path(cache) / f"decode-{tree}.jsonl" for tree in trees}
    for _ in range(DECODE_RUNS):
        for tree, env in envs.items():
            runs[tree].append(timed_cpu(innkit("decode", "--format", "jsonl"), env, names,
                                        outputs[tree]))
    first = next(iter(outputs.values())).read_bytes()
    same = all(path.read_bytes() == first for path in outputs.values())
    results = {}
    for tree, done in runs.items():
        wall, peak, cpu = (sorted(column)[len(column) // 2]
                           for column in zip(*done, strict=True))
        results[tree] = {"decode_s": wall, "decode_mb": peak,
                         "decode_names_per_s": NAMES / wall, "decode_cpu_s": cpu}
    for path in outputs.values():
        path.unlink()
    return results, same


def _memory(pid: int) -> tuple[float, float]:
    """RSS and PSS of a process, MB (from /proc)."""
    fields = memory_rollup(pid)
    return fields.get("Rss", 0.0), fields.get("Pss", 0.0)


def _server_memory(pid: int) -> dict[str, float]:
    """The HTTP process, the pool process (its child) and the workers (the pool's children)."""
    out = {"server_rss_mb": 0.0, "server_pss_mb": 0.0, "pool_rss_mb": 0.0, "pool_pss_mb": 0.0,
           "web_workers": 0.0, "web_worker_uss_mb": 0.0, "web_workers_pss_mb": 0.0}
    out["server_rss_mb"], out["server_pss_mb"] = _memory(pid)
    for pool in child_pids(pid)[:1]:
        out["pool_rss_mb"], out["pool_pss_mb"] = _memory(pool)
        for worker in child_pids(pool):
            try:
                fields = memory_rollup(worker)
            except OSError:  # stopped meanwhile
                continue
            out["web_workers"] += 1
            out["web_workers_pss_mb"] += fields.get("Pss", 0.0)
            own = fields.get("Private_Clean", 0.0) + fields.get("Private_Dirty", 0.0)
            out["web_worker_uss_mb"] = max(out["web_worker_uss_mb"], own)
    out["serve_total_pss_mb"] = (out["server_pss_mb"] + out["pool_pss_mb"]
                                 + out["web_workers_pss_mb"])
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server(env: dict[str, str]) -> tuple[subprocess.Popen, int]:
    """``innkit serve`` on a free port, once it answers (its warm-up done)."""
    port = _free_port()
    server = subprocess.Popen(innkit("serve", "--port", str(port)), env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 600
    while time.time() < deadline and server.poll() is None:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/v1/meta")
            if conn.getresponse().status == 200:
                break
        except OSError:
            time.sleep(0.2)
    return server, port


def _stop(server: subprocess.Popen) -> None:
    server.terminate()
    server.wait()


def serve_run(src: str, cache: str) -> dict[str, float]:
    env = _env(src, cache)
    _stop(_start_server(env)[0])  # fills the cache folder: what follows is any later start
    server, port = _start_server(env)
    failed = 0
    try:
        text = MONOGRAPH.read_text(encoding="utf-8")[:2000]
        words = ["Besponsa", "trastuzumab", "imatinib mesylate", "Ketas", "lecanemab"]

        def client(n: int) -> None:
            nonlocal failed
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            for i in range(n):
                if i % 2:
                    body = json.dumps({"text": text})
                    conn.request("POST", "/v1/annotate", body,
                                 {"Content-Type": "application/json"})
                else:
                    conn.request("GET", f"/v1/decode?name={quote(words[i % len(words)])}")
                response = conn.getresponse()
                response.read()
                failed += response.status != 200
            conn.close()

        threads = [threading.Thread(target=client, args=(REQUESTS // 8,)) for _ in range(8)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        burst_s = time.perf_counter() - started
        memory = _server_memory(server.pid)
    finally:
        _stop(server)
    long_text = Path(cache) / "long.txt"
    long_text.write_text(MONOGRAPH.read_text(encoding="utf-8") * LONG, encoding="utf-8")
    proc = subprocess.Popen(innkit("annotate", str(long_text), "--jobs", "2", "--format",
                                   "jsonl"), env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    workers: dict[int, tuple[float, float]] = {}
    while proc.poll() is None:
        try:
            children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
        except OSError:
            break
        for child in children:
            try:
                cmd = Path(f"/proc/{child}/cmdline").read_bytes()
                if b"resource_tracker" in cmd:
                    continue
                now = _memory(int(child))
            except OSError:
                continue
            old = workers.get(int(child), (0.0, 0.0))
            workers[int(child)] = (max(old[0], now[0]), max(old[1], now[1]))
        time.sleep(0.05)
    worst = max(workers.values(), default=(0.0, 0.0))
    return {**memory, "serve_burst_s": burst_s, "serve_failed": float(failed),
            "workers": float(len(workers)), "worker_rss_mb": worst[0], "worker_pss_mb": worst[1]}


GOALS = {"first_s": 5.0, "first_mb": 400.0, "decode_s": 3.0, "server_rss_mb": 300.0,
         "pool_rss_mb": 300.0, "web_worker_uss_mb": 100.0, "worker_rss_mb": 100.0}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--baseline", metavar="SRC", help="the baseline tree's src folder")
    ap.add_argument("--only", choices=["first", "decode", "serve"], action="append")
    args = ap.parse_args()
    parts = args.only or ["first", "decode", "serve"]
    trees = {"this": str(ROOT / "src")}
    if args.baseline:
        trees["baseline"] = args.baseline
    results: dict[str, dict[str, float]] = {t: {} for t in trees}
    with tempfile.TemporaryDirectory(prefix="innkit-bench-") as cache:
        names = names_file(cache, trees["this"]) if "decode" in parts else None
        for tree, src in trees.items():
            if "first" in parts:
                results[tree].update(first_run(src))
            if "serve" in parts:
                results[tree].update(serve_run(src, cache))
        same = None
        if names is not None:
            figures, same = decode_runs(trees, cache, names)
            for tree, found in figures.items():
                results[tree].update(found)
    print("whole processes, this tree" + (f" against {args.baseline}" if args.baseline
                                           else ""), "(ratio: baseline / this)")
    for key, value in results["this"].items():
        line = f"  {key:>20}: this {value:>10.1f}"
        if "baseline" in results and key in results["baseline"]:
            base = results["baseline"][key]
            ratio = (value / base if key.endswith("per_s") else base / value) if value else 0
            line += f"  baseline {base:>10.1f}  ratio {ratio:.2f}"
        if key in GOALS and not (key.startswith("worker") and not results["this"]["workers"]):
            line += f"  goal <= {GOALS[key]:g}: {'met' if value <= GOALS[key] else 'NOT met'}"
        print(line)
    if same is not None and len(trees) > 1:
        print(f"  decode output: the two trees wrote {'the same' if same else 'different'} "
              "bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
