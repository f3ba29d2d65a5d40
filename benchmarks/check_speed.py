"""Speed of ``innkit check`` in MB of text per second: in one process (the checker warm, the
text new to it) and as a whole process (``innkit check FILE --format jsonl``, cold start
included), on two texts of ``--mb`` megabytes: the start of shared/corpora/bulk/biomed_bulk.txt
(PubMed, trial and label-like text; skipped when absent), and a dense text made only of claims
(the claim passages and the bundled monograph, repeated, each copy numbered), the worst case.
The same run times ``innkit annotate`` on the same files, the step the checker builds on, and
prints the ratio.

    python benchmarks/check_speed.py [--mb 4]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _shared import ROOT, SHARED

PASSAGES = ROOT / "benchmarks" / "data" / "check_passages.jsonl"
MONOGRAPH = ROOT / "examples" / "monograph.txt"


def corpus(megabytes: float) -> str:
    texts = [json.loads(line)["text"] for line in PASSAGES.read_text("utf-8").splitlines()]
    block = "\n\n".join([*texts, MONOGRAPH.read_text("utf-8")])
    parts, size, i = [], 0, 0
    while size < megabytes * 1e6:
        piece = f"\n\nSection {i}.\n\n{block}"
        parts.append(piece)
        size += len(piece.encode("utf-8"))
        i += 1
    return "".join(parts)


def bulk(megabytes: float) -> str | None:
    path = SHARED / "corpora" / "bulk" / "biomed_bulk.txt"
    if not path.exists():
        print(f"skipped the bulk text: {path} is absent")
        return None
    with path.open(encoding="utf-8", errors="replace") as f:
        text = f.read(int(megabytes * 1e6))
    return text[:text.rfind("\n") + 1] or text


def timed(cmd: list[str], env: dict[str, str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=False, stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mb", type=float, default=4.0)
    args = ap.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    sys.path.insert(0, str(ROOT / "src"))
    from innkit import check

    check("Trastuzumab is a humanized antibody against HER2.")  # load the tables
    texts = [("bulk", bulk(args.mb)), ("dense claims", corpus(args.mb))]
    for label, text in texts:
        if text is None:
            continue
        mb = len(text.encode("utf-8")) / 1e6
        t = time.perf_counter()
        claims = check(text)
        inproc = time.perf_counter() - t
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "text.txt"
            path.write_text(text, encoding="utf-8")
            exe = [sys.executable, "-m", "innkit.cli"]
            whole = timed([*exe, "check", str(path), "--format", "jsonl"], env)
            annotate = timed([*exe, "annotate", str(path), "--format", "jsonl"], env)
        print(f"{label}: {mb:.2f} MB, {len(claims)} claims")
        print(f"  in process: {inproc:.2f} s, {mb / inproc:.2f} MB/s")
        print(f"  whole process (innkit check, cold): {whole:.2f} s, {mb / whole:.2f} MB/s")
        print(f"  innkit annotate, same file: {annotate:.2f} s, {mb / annotate:.2f} MB/s; "
              f"check/annotate time ratio {whole / annotate:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
