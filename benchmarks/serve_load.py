"""Load on the web API over loopback: requests/s and p50/p99 latency of /v1/decode and
/v1/annotate at 1 and 8 concurrent clients, against the same calls made in-process.

Starts the app under uvicorn in a child process on 127.0.0.1 (nothing else is ever contacted),
sends a bounded number of requests per scenario (``--requests``, and never for more than
``--seconds``), then prints one row per scenario, the in-process rate of the same library calls
(decode or annotate plus to_dict and JSON, one thread) as the baseline, and their ratio. The
difference is what HTTP, the worker pool and JSON transport cost.

Two hostile scenarios follow (``--only hostile`` runs just them), against the server as
``innkit serve`` runs it (its header timeout and request queue):
- slow headers: 150 connections send half a request head and then a byte a second; a normal
  client meanwhile sends decode requests. Reported: its requests served, p50/p99, and how
  long the server took to close the slow connections (goal: a few seconds, all closed).
- bursts: 120, 160 and 200 clients connect at once, then each sends one request (the limit is
  100 at once): requests served (goal: all, the queue absorbs the rest), p50/p99.
The server's resident memory (now and peak) is printed after each.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _shared import ROOT, child_pids, memory_rollup, results_file

import innkit

HOST = "127.0.0.1"
"""Loopback only: this benchmark must never send a request off the machine."""
TEXT = (ROOT / "examples" / "monograph.txt").read_text(encoding="utf-8")
NAMES = [n for n in (ROOT / "examples" / "monograph-names.txt").read_text(
    encoding="utf-8").splitlines() if n]
SERVER = """
import sys
from innkit.web.app import create_app
from innkit.web.server import serve
serve(create_app(), host="127.0.0.1", port=int(sys.argv[1]), log_level="warning",
      access_log=False)
"""
BEFORE = """
import sys, uvicorn
from innkit.web.app import create_app
uvicorn.run(create_app(), host="127.0.0.1", port=int(sys.argv[1]), log_level="critical",
            access_log=False, limit_concurrency=100, timeout_keep_alive=5)
"""
"""The baseline: the server as ``innkit serve`` ran it before issue 14 (uvicorn's connection
count limit, no header timeout)."""
SLOW_CLIENTS = 150
BURSTS = (120, 160, 200)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_server(port: int, code: str = SERVER) -> subprocess.Popen:
    """The app in its own process (so that the clients do not share its GIL), once ready."""
    proc = subprocess.Popen([sys.executable, "-c", code, str(port)], cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with status {proc.returncode}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/v1/meta")
            if conn.getresponse().status == 200:
                conn.close()
                return proc
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("the server did not answer within 60 s")


def request_for(endpoint: str, i: int) -> tuple[str, str, bytes | None]:
    if endpoint == "decode":
        return "GET", "/v1/decode?name=" + quote(NAMES[i % len(NAMES)]), None
    return "POST", "/v1/annotate", json.dumps({"text": TEXT}).encode()


def run(port: int, endpoint: str, clients: int, requests: int, seconds: float
        ) -> tuple[int, float, list[float], int]:
    """(requests sent, wall seconds, latencies in seconds, failures) of one scenario."""
    lock = threading.Lock()
    counter = iter(range(requests))
    latencies: list[float] = []
    failures = 0
    deadline = time.perf_counter() + seconds

    def client() -> None:
        nonlocal failures
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        mine: list[float] = []
        bad = 0
        while time.perf_counter() < deadline:
            with lock:
                i = next(counter, None)
            if i is None:
                break
            method, path, body = request_for(endpoint, i)
            headers = {"Content-Type": "application/json"} if body else {}
            started = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=30)
                ok = False
            mine.append(time.perf_counter() - started)
            bad += not ok
        conn.close()
        with lock:
            latencies.extend(mine)
            failures += bad

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(latencies), time.perf_counter() - started, latencies, failures


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


def baseline(endpoint: str, requests: int, seconds: float) -> float:
    """Calls per second of the same work in-process: library call, to_dict, JSON."""
    def once(i: int) -> str:
        if endpoint == "decode":
            return json.dumps(innkit.decode(NAMES[i % len(NAMES)]).to_dict())
        return json.dumps([m.to_dict() for m in innkit.annotate(TEXT)])

    for i in range(len(NAMES)):  # load the tables and fill the caches, as the server has
        once(i)
    done = 0
    started = time.perf_counter()
    deadline = started + seconds
    while done < requests and time.perf_counter() < deadline:
        once(done)
        done += 1
    return done / (time.perf_counter() - started)


def memory_mb(pid: int) -> tuple[float, float]:
    """(resident, peak resident) MB of a process, from /proc (0 where unknown)."""
    values = {"VmRSS": 0.0, "VmHWM": 0.0}
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                key = line.split(":")[0]
                if key in values:
                    values[key] = int(line.split()[1]) / 1024
    except OSError:
        pass
    return values["VmRSS"], values["VmHWM"]


def tree_memory(pid: int) -> str:
    """The server's processes: the HTTP one, the worker pool's (which holds the tables) and its
    workers, each worker by what it holds of its own (the private pages it wrote) and by the
    pages of files it alone has read (page cache, dropped when memory is short), from
    /proc."""
    try:
        http_ = memory_rollup(pid)
        pool_pid = child_pids(pid)[0]
        pool = memory_rollup(pool_pid)
    except (OSError, IndexError):
        return "server memory: unknown"
    own, read, pss = [], [], 0.0
    for worker in child_pids(pool_pid):
        try:
            fields = memory_rollup(worker)
        except OSError:
            continue
        own.append(fields.get("Private_Dirty", 0.0))
        read.append(fields.get("Private_Clean", 0.0))
        pss += fields.get("Pss", 0.0)
    total = http_.get("Pss", 0.0) + pool.get("Pss", 0.0) + pss
    return (f"server memory: HTTP process RSS {http_.get('Rss', 0):.0f} MB, pool RSS "
            f"{pool.get('Rss', 0):.0f} MB (PSS {pool.get('Pss', 0):.0f} MB), {len(own)} workers "
            "holding "
            f"{max(own, default=0):.0f} MB each at most of their own (written; and "
            f"{max(read, default=0):.0f} MB at most of files' pages read by no other process); "
            f"PSS of all {total:.0f} MB")


def slow_headers(port: int, n: int = SLOW_CLIENTS, limit_s: float = 15.0) -> dict[str, float]:
    """n connections that never finish their request head, and a normal client beside them."""
    socks = []
    for _ in range(n):
        s = socket.create_connection((HOST, port), timeout=limit_s)
        s.sendall(b"GET /v1/meta HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        socks.append(s)
    started = time.perf_counter()
    closed_at: list[float] = []
    stop = threading.Event()

    def trickle(s: socket.socket) -> None:
        s.settimeout(1.0)
        while not stop.is_set() and time.perf_counter() - started < limit_s:
            try:
                if s.recv(1024) == b"":
                    break
            except TimeoutError:
                try:
                    s.sendall(b"a")
                except OSError:
                    break
            except OSError:
                break
        else:
            return
        closed_at.append(time.perf_counter() - started)

    threads = [threading.Thread(target=trickle, args=(s,)) for s in socks]
    for t in threads:
        t.start()
    n_ok, _wall, lat, failed = run(port, "decode", 1, 10_000, 3.0)
    for t in threads:
        t.join(limit_s + 2)
    stop.set()
    for s in socks:
        s.close()
    time.sleep(1.0)  # let the server see them go before the next scenario
    return {"slow": n, "closed": len(closed_at),
            "closed_p50_s": percentile(closed_at, 0.5), "closed_max_s": max(closed_at or [0]),
            "served": n_ok - failed, "failed": failed,
            "p50_ms": percentile(lat, 0.5) * 1000, "p99_ms": percentile(lat, 0.99) * 1000}


def burst(port: int, n: int) -> dict[str, float]:
    """n clients connect at once, then all send one decode request at the same moment."""
    ready = threading.Barrier(n + 1)
    statuses: list[int] = []
    lat: list[float] = []
    lock = threading.Lock()

    def client(i: int) -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        status = 0
        try:
            conn.connect()
            ready.wait(30)
            started = time.perf_counter()
            conn.request("GET", "/v1/decode?name=" + quote(NAMES[i % len(NAMES)]))
            response = conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException, threading.BrokenBarrierError):
            started = time.perf_counter()
        finally:
            conn.close()
        with lock:
            statuses.append(status)
            lat.append(time.perf_counter() - started)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    ready.wait(30)
    for t in threads:
        t.join(60)
    served = sum(s == 200 for s in statuses)
    return {"clients": n, "served": served, "refused_503": sum(s == 503 for s in statuses),
            "failed": n - served, "p50_ms": percentile(lat, 0.5) * 1000,
            "p99_ms": percentile(lat, 0.99) * 1000}


def hostile(port: int, pid: int, label: str, limit_s: float = 15.0) -> list[str]:
    """The slow-header and burst scenarios, one printed line each; the lines, for the file."""
    lines = []
    server = label.split(":")[0]
    print(f"hostile clients, {label}")
    r = slow_headers(port, limit_s=limit_s)
    rss, peak = memory_mb(pid)
    lines.append(f"{server}\tslow_headers\t{r['slow']}\t{r['served']}\t"
                 f"{r['failed']}\t{r['p50_ms']:.2f}\t{r['p99_ms']:.2f}\t{r['closed']}\t{r['closed_max_s']:.2f}"
                 f"\t{rss:.0f}\t{peak:.0f}")
    print(f"  slow headers: {r['slow']} connections; {r['closed']} closed by the server after "
          f"{r['closed_p50_s']:.1f} s (max {r['closed_max_s']:.1f} s); a client beside them: "
          f"{r['served']} served, {r['failed']} failed, p50 {r['p50_ms']:.1f} ms, "
          f"p99 {r['p99_ms']:.1f} ms; server memory {rss:.0f} MB (peak {peak:.0f} MB)")
    for n in BURSTS:
        b = burst(port, n)
        rss, peak = memory_mb(pid)
        lines.append(f"{server}\tburst\t{n}\t{b['served']}\t{b['failed']}\t"
                     f"{b['p50_ms']:.2f}\t{b['p99_ms']:.2f}\t\t\t{rss:.0f}\t{peak:.0f}")
        print(f"  burst of {n}: {b['served']} served, {b['refused_503']} answered 503, "
              f"{b['failed'] - b['refused_503']} other failures; p50 {b['p50_ms']:.1f} ms, "
              f"p99 {b['p99_ms']:.1f} ms; server memory {rss:.0f} MB (peak {peak:.0f} MB)")
    print(f"  after the bursts: {tree_memory(pid)}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000,
                        help="requests per scenario at most (default 1000)")
    parser.add_argument("--seconds", type=float, default=5.0,
                        help="seconds per scenario at most (default 5)")
    parser.add_argument("--only", choices=("all", "load", "hostile"), default="all",
                        help="the load scenarios, the hostile ones, or both (default)")
    args = parser.parse_args()
    if not 1 <= args.requests <= 100_000 or not 0 < args.seconds <= 120:
        parser.error("--requests must be 1 to 100000 and --seconds 0 to 120")
    port = free_port()
    server = start_server(port)
    rows = []
    hostile_lines: list[str] = []
    try:
        print(f"serve_load: innkit {innkit.__version__} under uvicorn on http://{HOST}:{port} "
              f"(one process, {os.cpu_count()} CPUs shared with the clients); at most "
              f"{args.requests} requests or {args.seconds:g} s per scenario")
        print(f"{'endpoint':<10}{'clients':>8}{'requests':>10}{'req/s':>10}{'p50 ms':>9}"
              f"{'p99 ms':>9}{'failed':>8}")
        for endpoint in ("decode", "annotate") if args.only != "hostile" else ():
            run(port, endpoint, 1, 20, 10)  # warm the server's caches
            for clients in (1, 8):
                n, wall, lat, failed = run(port, endpoint, clients, args.requests,
                                           args.seconds)
                rate = n / wall if wall else 0.0
                rows.append((endpoint, clients, n, rate, percentile(lat, 0.5) * 1000,
                             percentile(lat, 0.99) * 1000, failed))
                print(f"{endpoint:<10}{clients:>8}{n:>10}{rate:>10.1f}{rows[-1][4]:>9.2f}"
                      f"{rows[-1][5]:>9.2f}{failed:>8}")
        if args.only != "hostile":
            print(tree_memory(server.pid))
        if args.only != "load":
            run(port, "decode", 1, 20, 10)
            hostile_lines = hostile(port, server.pid, "now: `innkit serve` (100 at once, queue "
                                    "1000, header timeout 5 s)")
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
    bad_hostile = [line for line in hostile_lines if line.split("\t")[4] != "0"]
    if hostile_lines:
        # the baseline, in the same run: the server as it was started before issue 14
        port = free_port()
        before = start_server(port, BEFORE)
        try:
            run(port, "decode", 1, 20, 10)
            hostile_lines += hostile(port, before.pid, "before: uvicorn limit_concurrency=100, "
                                     "no header timeout", limit_s=8.0)
        finally:
            before.terminate()
            try:
                before.wait(10)
            except subprocess.TimeoutExpired:
                before.kill()
        path = results_file("serve_hostile.tsv")
        path.write_text("server\tscenario\tclients\tserved\tfailed\tp50_ms\tp99_ms\tslow_closed\t"
                        "slow_closed_max_s\trss_mb\tpeak_rss_mb\n"
                        + "".join(line + "\n" for line in hostile_lines), encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    if args.only == "hostile":
        return 1 if bad_hostile else 0
    print("baseline: the same calls in-process (library + to_dict + JSON, one thread)")
    out = []
    for endpoint in ("decode", "annotate"):
        local = baseline(endpoint, args.requests, args.seconds)
        http_rates = {c: r for e, c, _n, r, *_ in rows if e == endpoint}
        ratios = ", ".join(f"{r / local:.2f}x at {c} client{'s' if c > 1 else ''}"
                           for c, r in http_rates.items())
        print(f"  {endpoint:<9} {local:>10.1f} calls/s; over HTTP: {ratios}")
        out += [(*row, local) for row in rows if row[0] == endpoint]
    path = results_file("serve_load.tsv")
    with path.open("w", encoding="utf-8") as f:
        f.write("endpoint\tclients\trequests\treq_per_s\tp50_ms\tp99_ms\tfailed\t"
                "in_process_per_s\n")
        for e, c, n, rate, p50, p99, failed, local in out:
            f.write(f"{e}\t{c}\t{n}\t{rate:.1f}\t{p50:.2f}\t{p99:.2f}\t{failed}\t{local:.1f}\n")
    print(f"wrote {path.relative_to(ROOT)}")
    return 1 if any(row[6] for row in rows) or bad_hostile else 0


if __name__ == "__main__":
    sys.exit(main())
