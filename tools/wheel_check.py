"""Build the wheel, install it with the web extra into a new virtual environment in a temporary
folder outside the checkout, and run from there what a user runs first: the demo (annotate the
example with an HTML report, explain a name) and the web server (the page, a decoding and an
annotation over HTTP). Exit status 1, with the step that failed, if anything does not work.

    python tools/wheel_check.py            # uses python3 on the PATH for the new environment
    python tools/wheel_check.py --keep     # leave the temporary folder for a look
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _step(what: str, args: list[str], cwd: Path, **kw) -> str:
    print(f"wheel check: {what}", file=sys.stderr, flush=True)
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, **kw)
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-4000:] + done.stderr[-4000:])
        raise SystemExit(f"wheel check: {what} failed (exit status {done.returncode})")
    return done.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, body: dict | None = None) -> tuple[int, str]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as answer:
        return answer.status, answer.read().decode("utf-8")


def _web(innkit: Path, work: Path, env: dict[str, str]) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    print(f"wheel check: innkit serve on {base}", file=sys.stderr, flush=True)
    server = subprocess.Popen([str(innkit), "serve", "--port", str(port)], cwd=work, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                _get(f"{base}/v1/meta")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("wheel check: the server did not start: "
                                     + (server.stderr.read() if server.stderr else "")) from None
                time.sleep(0.5)
        status, page = _get(f"{base}/")
        assert status == 200 and "<html" in page.lower(), "the page"
        status, body = _get(f"{base}/v1/decode?name=inotuzumab%20ozogamicin")
        assert json.loads(body)["segmentation"] == "ino|tu|zu|mab", body[:200]
        status, body = _get(f"{base}/v1/annotate",
                            {"text": "Besponsa (inotuzumab ozogamicin) was given."})
        assert [m["text"] for m in json.loads(body)] == ["Besponsa", "inotuzumab ozogamicin"], \
            body[:300]
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--python", default="python3", help="the Python of the new environment")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="innkit-wheel-"))
    try:
        _step("build the wheel", [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                                  "-w", str(work / "dist"), str(ROOT)], work)
        (wheel,) = (work / "dist").glob("innkit-*.whl")
        _step("create a clean virtual environment", [args.python, "-m", "venv",
                                                     str(work / "venv")], work)
        bin_ = work / "venv" / "bin"
        # nothing of the checkout or of another environment: no PYTHONPATH, no user registry,
        # innkit's own cache new (pip keeps its settings and cache)
        clean = {k: v for k, v in os.environ.items()
                 if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "INNKIT_USER_DB")}
        clean["PATH"] = f"{bin_}:/usr/bin:/bin"
        _step("install the wheel with the web extra",
              [str(bin_ / "python"), "-m", "pip", "install", "--quiet", f"{wheel}[web]"], work,
              env=clean)
        env = {**clean, "XDG_CACHE_HOME": str(work / "cache"),
               "INNKIT_USER_DB": str(work / "user.sqlite")}
        shutil.copy(ROOT / "examples" / "monograph.txt", work / "monograph.txt")
        out = _step("the demo: annotate", [str(bin_ / "innkit"), "annotate", "monograph.txt",
                                           "--html", "monograph.html"], work, env=env)
        assert "names found" in out and (work / "monograph.html").is_file(), out[-500:]
        out = _step("the demo: explain", [str(bin_ / "innkit"), "explain",
                                          "inotuzumab ozogamicin"], work, env=env)
        assert "ino | tu | zu | mab" in out, out[:500]
        where = _step("the package is the installed one", [
            str(bin_ / "python"), "-c", "import innkit; print(innkit.__file__)"], work, env=env)
        assert str(ROOT) not in where and str(work) in where, where
        _web(bin_ / "innkit", work, env)
    finally:
        if args.keep:
            print(f"wheel check: kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print("wheel check: the wheel installed outside the checkout runs the demo and the server")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
