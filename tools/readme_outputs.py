"""Rerun every ``$ innkit ...`` command the README shows and rewrite its output from what the
command prints today (``--check``: only report the blocks that differ; exit status 1 if any).

Files a block shows with ``$ cat FILE`` are written from the README first (or, when an earlier
command made them, their shown content is refreshed). A listing shortened with a ``  ...`` line
keeps as many lines before and after it as it had. A block that differs only in the times
commands report (``in 0.4 s``) is left as it is: a time is a measurement, not the output.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import subprocess
import sys
import tempfile
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


def _run(command: str, cwd: Path) -> str:
    args = shlex.split(command)
    if args[0] == "innkit":
        args[0] = _innkit()
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=env, timeout=600)
    return done.stdout + done.stderr


def _shorten(new: list[str], old: list[str]) -> list[str]:
    if ELLIPSIS not in old:
        return new
    cut = old.index(ELLIPSIS)
    head, tail = cut, len(old) - cut - 1
    if len(new) <= head + tail:
        return new
    return [*new[:head], ELLIPSIS, *new[len(new) - tail:]]


def refresh(block: str, work: Path) -> str:
    """The block with every command's output as printed today."""
    lines = block.rstrip("\n").split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        j = i + 1
        while j < len(lines) and not lines[j].startswith("$ "):
            j += 1
        shown = lines[i + 1:j]
        out.append(line)
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
    parser.add_argument("files", nargs="*", default=["README.md"])
    args = parser.parse_args()
    differ = 0
    for name in args.files:
        path = ROOT / name
        text = path.read_text(encoding="utf-8")
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            (work / "examples").symlink_to(ROOT / "examples")
            pieces, last = [], 0
            for m in _BLOCK.finditer(text):
                new = refresh(m.group(1), work)
                if new != m.group(1) and _same_but_times(new, m.group(1)):
                    new = m.group(1)
                if new != m.group(1):
                    differ += 1
                    print(f"{name}: the block of {m.group(1).split(chr(10))[0]!r} differs")
                pieces += [text[last:m.start(1)], new]
                last = m.end(1)
            pieces.append(text[last:])
        if not args.check:
            path.write_text("".join(pieces), encoding="utf-8")
    return 1 if (differ and args.check) else 0


if __name__ == "__main__":
    raise SystemExit(main())
