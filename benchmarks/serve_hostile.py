"""The web server under abuse, against a real server process: what a normal client beside it
sees, for this tree and, in the same run, for a baseline tree (``--baseline-ref``).

Each tree is started as ``innkit serve`` runs it (its queue, header timeout and guards) on
127.0.0.1 (nothing else is ever contacted), then given three cases:

- first leniencies: on the fresh server, the first ``strict`` and ``lenient`` annotate
  (status and latency; before, their scanner was built on first use and the request got 504);
- slow bodies (R.U.D.Y.): 120 connections send a request head and then one body byte a second;
  a normal client meanwhile sends decode requests;
- pathological texts: six ``POST /v1/annotate`` of ``rituximab/`` x 10,000 at once; a normal
  client sends decode requests during them and for ``--after`` seconds after their answers,
  and the server's CPU use after them shows whether their work went on.

Printed per case: the normal client's requests, failures, p50 and worst latency (goal: all
served, worst under 1 s), and the server's memory (its process and its workers, PSS).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _shared import ROOT, results_file

HOST = "127.0.0.1"
"""Loopback only: this benchmark must never send a request off the machine."""
BASELINE_REF = "2cdd1e6"
"""The tree before the server ran its work in processes that can be stopped."""
SERVER = """
import sys
from innkit.web.app import create_app
from innkit.web.server import serve
serve(create_app(), host="127.0.0.1", port=int(sys.argv[1]), log_level="critical",
      access_log=False)
"""
SLOW_BODIES = 120
ABUSERS = 6
PATHOLOGICAL = "rituximab/" * 10_000


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start(src: Path, port: int) -> subprocess.Popen:
    """The server of the tree whose package is in ``src``, once it answers."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    proc = subprocess.Popen([sys.executable, "-c", SERVER, str(port)], cwd=ROOT, env=env,
                            start_new_session=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with status {proc.returncode}")
        try:
            status, _ = request(port, "GET", "/v1/meta", timeout=5)
            if status == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.3)
    stop(proc)
    raise SystemExit("the server did not answer within 300 s")


def stop(proc: subprocess.Popen) -> None:
    """The server and every process of its session (its workers)."""
    for signum in (15, 9):
        try:
            os.killpg(proc.pid, signum)
        except ProcessLookupError:
            return
        try:
            proc.wait(10)
            time.sleep(0.5)
        except subprocess.TimeoutExpired:
            continue


def request(port: int, method: str, path: str, body: object = None,
            timeout: float = 60) -> tuple[int, float]:
    """(status, seconds) of one request on a new connection (status 0: no answer)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    data = json.dumps(body).encode() if body is not None else None
    started = time.perf_counter()
    try:
        conn.request(method, path, body=data,
                     headers={"Content-Type": "application/json"} if data else {})
        response = conn.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    except (OSError, http.client.HTTPException):
        return 0, time.perf_counter() - started
    finally:
        conn.close()


class NormalClient:
    """Decode requests one after another until stopped: (status, latency) of each."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.results: list[tuple[int, float]] = []
        self.starts: list[float] = []
        self.began = time.perf_counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.starts.append(time.perf_counter() - self.began)
            self.results.append(request(self.port, "GET", "/v1/decode?name=rituximab", timeout=30))
            self._stop.wait(0.1)

    def __enter__(self) -> NormalClient:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(60)

    def summary(self) -> dict[str, float]:
        lat = sorted(t for _s, t in self.results)
        return {"requests": len(self.results),
                "failed": sum(s != 200 for s, _t in self.results),
                "p50_ms": lat[len(lat) // 2] * 1000 if lat else 0.0,
                "max_ms": lat[-1] * 1000 if lat else 0.0,
                "worst_at_s": max(zip((t for _s, t in self.results), self.starts,
                                      strict=False))[1]
                if lat else 0.0}


def tree(pid: int) -> list[int]:
    """The process and its descendants."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(ppid, []).append(int(entry.name))
    found = [pid]
    for p in found:
        found += parents.get(p, [])
    return found


def memory_mb(pid: int) -> float:
    """Proportional resident MB of the server and its worker processes (a page shared by n
    processes counts 1/n in each, so the forks' shared tables are counted once)."""
    total = 0.0
    for p in tree(pid):
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) / 1024
        except OSError:
            pass
    return total


def cpu_s(pid: int) -> dict[int, float]:
    """CPU seconds used so far by each process of the server's tree."""
    tick = os.sysconf("SC_CLK_TCK")
    used = {}
    for p in tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            used[p] = (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError):
            pass
    return used


def first_leniencies(port: int) -> list[str]:
    lines = []
    for leniency in ("strict", "lenient"):
        status, seconds = request(port, "POST", "/v1/annotate",
                                  {"text": "Rituximab and pemivibart.", "leniency": leniency})
        lines.append(f"first {leniency} annotate: status {status} in {seconds * 1000:.0f} ms")
    return lines


def slow_bodies(port: int, pid: int, seconds: float = 12.0) -> tuple[str, dict]:
    socks = []
    for _ in range(SLOW_BODIES):
        s = socket.create_connection((HOST, port), timeout=1.0)
        s.sendall(b"POST /v1/annotate HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
        socks.append(s)
    answers: dict[str, int] = {}
    stop = threading.Event()

    def trickle(s: socket.socket) -> None:
        status = "open"
        while not stop.is_set():
            try:
                got = s.recv(1024)
                if not got:
                    status = "closed"
                    break
                status = got.split(b" ", 2)[1].decode()
                break
            except TimeoutError:
                try:
                    s.sendall(b" ")
                except OSError:
                    status = "closed"
                    break
            except OSError:
                status = "closed"
                break
        answers[status] = answers.get(status, 0) + 1

    threads = [threading.Thread(target=trickle, args=(s,)) for s in socks]
    for t in threads:
        t.start()
    time.sleep(1.0)
    with NormalClient(port) as client:
        time.sleep(seconds)
    rss = memory_mb(pid)
    stop.set()
    for t in threads:
        t.join(5)
    for s in socks:
        s.close()
    r = client.summary()
    shown = ", ".join(f"{n} {k}" for k, n in sorted(answers.items()))
    return (f"{SLOW_BODIES} slow bodies ({shown}); normal client: {r['requests']} requests, "
            f"{r['failed']} failed, p50 {r['p50_ms']:.0f} ms, worst {r['max_ms']:.0f} ms; "
            f"memory {rss:.0f} MB"), r


def pathological(port: int, pid: int, after_s: float) -> tuple[str, dict]:
    statuses: list[int] = []
    peak = [memory_mb(pid)]

    def abuse() -> None:
        statuses.append(request(port, "POST", "/v1/annotate", {"text": PATHOLOGICAL},
                                timeout=120)[0])

    abusers = [threading.Thread(target=abuse) for _ in range(ABUSERS)]
    with NormalClient(port) as client:
        for t in abusers:
            t.start()
        while any(t.is_alive() for t in abusers):
            peak.append(memory_mb(pid))
            time.sleep(0.5)
        before = cpu_s(pid)
        time.sleep(after_s)
    busy = sum(t - before.get(p, 0.0) for p, t in cpu_s(pid).items())
    r = client.summary()
    r["busy_after_s"] = busy
    shown = ", ".join(f"{n} x {s}" for s, n in sorted(
        {s: statuses.count(s) for s in statuses}.items()))
    return (f"{ABUSERS} x rituximab/ x 10,000 ({shown}); normal client during and "
            f"{after_s:g} s after: {r['requests']} requests, {r['failed']} failed, p50 "
            f"{r['p50_ms']:.0f} ms, worst {r['max_ms']:.0f} ms (sent at {r['worst_at_s']:.1f} "
            f"s); CPU used in the "
            f"{after_s:g} s after the answers: {busy:.1f} s; memory peak {max(peak):.0f} MB, "
            f"now {memory_mb(pid):.0f} MB"), r


def run_tree(label: str, src: Path, after_s: float) -> list[str]:
    print(f"{label}:", flush=True)
    rows = []
    port = free_port()
    proc = start(src, port)
    try:
        print(f"  fresh server: memory {memory_mb(proc.pid):.0f} MB", flush=True)
        for line in first_leniencies(port):
            print(f"  {line}", flush=True)
            rows.append(f"{label}\tfirst_leniency\t{line}")
        line, r = slow_bodies(port, proc.pid)
        print(f"  {line}", flush=True)
        rows.append(f"{label}\tslow_bodies\t{r['requests']}\t{r['failed']}\t{r['p50_ms']:.1f}"
                    f"\t{r['max_ms']:.1f}")
        line, r = pathological(port, proc.pid, after_s)
        print(f"  {line}", flush=True)
        rows.append(f"{label}\tpathological\t{r['requests']}\t{r['failed']}\t"
                    f"{r['p50_ms']:.1f}\t{r['max_ms']:.1f}\t{r['busy_after_s']:.1f}")
    finally:
        stop(proc)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline-ref", default=BASELINE_REF,
                        help=f"git ref of the baseline tree (default {BASELINE_REF}); "
                             "'none' skips it")
    parser.add_argument("--after", type=float, default=10.0,
                        help="seconds the normal client goes on after the pathological "
                             "requests are answered (default 10)")
    args = parser.parse_args()
    rows = run_tree("now", ROOT / "src", args.after)
    if args.baseline_ref != "none":
        with tempfile.TemporaryDirectory() as tmp:
            archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.baseline_ref,
                                      "src"], capture_output=True, check=False)
            if archive.returncode:
                print(f"(no baseline: git archive failed: {archive.stderr.decode()[:120]})")
            else:
                with tarfile.open(fileobj=BytesIO(archive.stdout)) as tar:
                    tar.extractall(tmp, filter="data")
                rows += run_tree(f"before ({args.baseline_ref})", Path(tmp) / "src",
                                 args.after)
    path = results_file("serve_hostile_cases.tsv")
    path.write_text("".join(row + "\n" for row in rows), encoding="utf-8")
    print(f"wrote {path.relative_to(ROOT)}")
    now = [row.split("\t") for row in rows if row.startswith("now\t")
           and row.split("\t")[1] != "first_leniency"]
    return 0 if all(r[3] == "0" and float(r[5]) < 1000 for r in now) else 1


if __name__ == "__main__":
    sys.exit(main())
