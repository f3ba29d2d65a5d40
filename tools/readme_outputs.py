"""Rerun every ``$ innkit ...`` and ``$ curl ...`` command the README and the pages of
``docs/`` show and rewrite its output from what the command prints today (``--check``: only
report the blocks that differ; exit status 1 if any).

Files a block shows with ``$ cat FILE`` are written from the page first (or, when an earlier
command made them, their shown content is refreshed). A listing shortened with a ``  ...`` line
keeps as many lines before and after it as it had. A block that differs only in the times
commands report (``in 0.4 s``) is left as it is: a time is a measurement, not the output.

``curl`` lines are run against an ``innkit serve`` this script starts on a free port (the
address the page shows, ``http://127.0.0.1:8000``, is replaced by it). Their answers are long
JSON, so a page shows them shortened: each ``...`` of the shown answer stands for any text,
and the rest must be as the server answers today. A shortened answer that no longer matches
cannot be rewritten; it is reported, to be edited by hand. A command may go on over several
lines, each but the last ending in a backslash.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_BLOCK = re.compile(r"```console\n(.*?)```", re.DOTALL)
ELLIPSIS = "  ..."
_TIME = re.compile(r"\b\d+(?:\.\d+)? (?:s|ms)\b")


def _same_but_times(a: str, b: str) -> bool:
    return _TIME.sub("<time>", a) == _TIME.sub("<time>", b)


def _innkit() -> str:
    here = Path(sys.executable).parent / "innkit"
    return str(here) if here.exists() else "innkit"


SHOWN_SERVER = "http://127.0.0.1:8000"
"""The server address the pages show in their curl lines."""


class Server:
    """``innkit serve`` on a free port, started at the first curl line, stopped at the end."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        self.base = ""

    def address(self) -> str:
        if self.process is None:
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
            self.base = f"http://127.0.0.1:{port}"
            self.process = subprocess.Popen([_innkit(), "serve", "--port", str(port)],
                                            stdout=subprocess.DEVNULL,
                                            stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 300
            while True:
                try:
                    urllib.request.urlopen(f"{self.base}/v1/meta", timeout=30).read()
                    break
                except OSError:
                    if self.process.poll() is not None or time.monotonic() > deadline:
                        raise SystemExit("innkit serve did not start: run it by hand to see "
                                         "why") from None
                    time.sleep(0.5)
        return self.base

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)


SERVER = Server()


def _run(command: str, cwd: Path) -> str:
    args = shlex.split(command)
    if args[0] == "innkit":
        args[0] = _innkit()
    elif args[0] == "curl":
        args = [a.replace(SHOWN_SERVER, SERVER.address()) for a in args]
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=env, timeout=600)
    return done.stdout + done.stderr


def _matches_shortened(shown: str, printed: str) -> bool:
    """Whether ``printed`` is ``shown`` with each ``...`` standing for any text."""
    pattern = ".*?".join(re.escape(piece) for piece in shown.split("..."))
    return re.fullmatch(pattern, printed, re.DOTALL) is not None


def _shorten(new: list[str], old: list[str]) -> list[str]:
    if ELLIPSIS not in old:
        return new
    cut = old.index(ELLIPSIS)
    head, tail = cut, len(old) - cut - 1
    if len(new) <= head + tail:
        return new
    return [*new[:head], ELLIPSIS, *new[len(new) - tail:]]


def refresh(block: str, work: Path, stale: list[str] | None = None) -> str:
    """The block with every command's output as printed today; a shortened curl answer that
    no longer matches is kept as it is and its command added to ``stale``."""
    lines = block.rstrip("\n").split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        j = i + 1
        while line.startswith("$ ") and line.endswith("\\") and j < len(lines):
            line = line[:-1] + " " + lines[j].strip()  # the command goes on
            j += 1
        out += lines[i:j]
        first = j
        while j < len(lines) and not lines[j].startswith("$ "):
            j += 1
        shown = lines[first:j]
        if line.startswith("$ curl "):
            printed = _run(line[2:], work).rstrip("\n")
            text = "\n".join(shown).rstrip("\n")
            blank = len(shown) - len(text.split("\n")) if shown else 0
            if "..." in text and not _matches_shortened(text, printed):
                if stale is not None:
                    stale.append(line)
                out += shown
            elif "..." in text or text == printed:
                out += shown
            else:
                out += (printed.split("\n") if printed else []) + [""] * blank
            i = j
            continue
        if line.startswith("$ cat "):
            path = work / line[len("$ cat "):].strip()
            if path.exists():
                blank = [x for x in shown[::-1] if x == ""][:1] if shown and shown[-1] == "" else []
                shown = path.read_text(encoding="utf-8").rstrip("\n").split("\n") + blank
            else:
                path.write_text("\n".join(shown) + "\n", encoding="utf-8")
            out += shown
        elif line.startswith("$ innkit "):
            printed = _run(line[2:], work).rstrip("\n")
            blank = len(shown) - len("\n".join(shown).rstrip("\n").split("\n")) if shown else 0
            out += _shorten(printed.split("\n") if printed else [], shown[:len(shown) - blank])
            out += [""] * blank
        else:
            out += shown
        i = j
    return "\n".join(out) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true")
    parser.add_argument("files", nargs="*", help="default: README.md and docs/*.md")
    args = parser.parse_args()
    files = args.files or ["README.md", *sorted(str(p.relative_to(ROOT))
                                                for p in (ROOT / "docs").glob("*.md"))]
    try:
        return _check(files, args.check)
    finally:
        SERVER.stop()


def _check(files: list[str], check: bool) -> int:
    differ = 0
    for name in files:
        path = ROOT / name
        text = path.read_text(encoding="utf-8")
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            (work / "examples").symlink_to(ROOT / "examples")
            pieces, last = [], 0
            for m in _BLOCK.finditer(text):
                stale: list[str] = []
                new = refresh(m.group(1), work, stale)
                if new != m.group(1) and _same_but_times(new, m.group(1)):
                    new = m.group(1)
                if new != m.group(1):
                    differ += 1
                    print(f"{name}: the block of {m.group(1).split(chr(10))[0]!r} differs")
                for command in stale:
                    differ += 1
                    print(f"{name}: the shortened answer of {command!r} no longer matches "
                          "what the server answers; edit it by hand")
                pieces += [text[last:m.start(1)], new]
                last = m.end(1)
            pieces.append(text[last:])
        if not check:
            path.write_text("".join(pieces), encoding="utf-8")
    return 1 if differ and check else 0


if __name__ == "__main__":
    raise SystemExit(main())
