"""``innkit check``: the claims a text makes about named antibodies, judged; status 1 when one
contradicts what the name or the data says, as linters do."""

from __future__ import annotations

import html
import json
import sys
from collections import Counter
from pathlib import Path

import click

from ..checker.core import Claim, check
from ..files.textfiles import TextFileError, read_text_file
from ..vocab import ClaimKind, Verdict
from .errors import CliFault, ExitStatus

MAX_BYTES = 64 * 2**20
"""The largest text read at once (a document, not a corpus: split a corpus into files)."""


def _read(path: str) -> tuple[str, str]:
    if path == "-":
        data = sys.stdin.buffer.read()
        try:
            return "<stdin>", data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CliFault(f"standard input is not UTF-8 text (byte {exc.start}); convert it "
                           "(iconv -t UTF-8)") from None
    try:
        return path, read_text_file(Path(path), max_bytes=MAX_BYTES, what="a text file")
    except TextFileError as exc:
        raise CliFault(f"{exc}; give a UTF-8 text file") from None


def _text(doc: str, claims: tuple[Claim, ...]) -> str:
    lines = []
    for c in claims:
        mark = {Verdict.CONSISTENT: "ok", Verdict.CONTRADICTS: "CONTRADICTS",
                Verdict.UNVERIFIABLE: "unverifiable", Verdict.MISSPELT: "MISSPELT"}[c.verdict]
        what = (f"{c.text!r} → {c.value}" if c.kind != ClaimKind.NAME
                else f"{c.text!r}, did you mean {c.value!r}?")
        lines.append(f"{doc}:{c.start}-{c.end}  {c.name}  {c.kind}  {what}  {mark}")
        for e in c.evidence:
            lines.append(f"    {e}")
    counts = Counter(c.verdict.value for c in claims)
    lines.append(f"{len(claims)} claims: " + ", ".join(
        f"{counts.get(v.value, 0)} {v.value}" for v in Verdict))
    return "\n".join(lines) + "\n"


_COLOURS = {Verdict.CONSISTENT: "#c8f0c8", Verdict.CONTRADICTS: "#f6c0c0",
            Verdict.UNVERIFIABLE: "#e4e4e4", Verdict.MISSPELT: "#f6c0c0"}


def _html(doc: str, text: str, claims: tuple[Claim, ...]) -> str:
    """The text with each claim marked (green consistent, red contradicts), its evidence on
    hover, and the table of claims below."""
    spans: list[Claim] = []
    by_span: dict[tuple[int, int], list[Claim]] = {}
    for c in claims:  # the claims on each span, in their order, found in one pass
        by_span.setdefault((c.start, c.end), []).append(c)
    for c in sorted(claims, key=lambda c: (c.start, -c.end)):
        if not spans or c.start >= spans[-1].end:
            spans.append(c)
    parts, pos = [], 0
    for c in spans:
        same = by_span[(c.start, c.end)]
        verdict = (Verdict.CONTRADICTS if any(x.verdict == Verdict.CONTRADICTS for x in same)
                   else c.verdict)
        tip = "\n".join(f"{x.name}: {x.kind} {x.value}: {x.verdict}\n  " + "\n  ".join(x.evidence)
                        for x in same)
        parts.append(html.escape(text[pos:c.start]))
        parts.append(f'<mark class="{verdict}" style="background:{_COLOURS[verdict]}" '
                     f'title="{html.escape(tip)}">{html.escape(text[c.start:c.end])}</mark>')
        pos = c.end
    parts.append(html.escape(text[pos:]))
    rows = "".join(
        f'<tr style="background:{_COLOURS[c.verdict]}"><td>{c.start}-{c.end}</td>'
        f"<td>{html.escape(c.name)}</td><td>{c.kind}</td><td>{html.escape(c.value)}</td>"
        f"<td>{html.escape(c.text)}</td><td>{c.verdict}</td>"
        f"<td>{'<br>'.join(html.escape(e) for e in c.evidence)}</td></tr>"
        for c in claims)
    return (
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
        f"<title>innkit check: {html.escape(doc)}</title></head><body>\n"
        f"<h1>innkit check: {html.escape(doc)}</h1>\n"
        f"<pre style=\"white-space:pre-wrap\">{''.join(parts)}</pre>\n"
        "<table border=\"1\" cellspacing=\"0\" cellpadding=\"3\"><tr><th>where</th><th>name</th>"
        "<th>kind</th><th>value</th><th>text</th><th>verdict</th><th>evidence</th></tr>\n"
        f"{rows}</table>\n</body></html>\n")


@click.command("check")
@click.argument("file")
@click.option("--format", "fmt", type=click.Choice(["text", "jsonl", "html"]), default="text",
              show_default=True, help="Output format.")
def check_cmd(file: str, fmt: str) -> None:
    """Check what FILE (or - for standard input) says about named antibodies.

    Each claim (source, target, target class, payload, format) is judged against the name's
    reading and the antibody table: consistent, contradicts or unverifiable; misspelt names
    are reported with their suggestion. Exit status 1 when a claim contradicts.

    \b
    Examples:
      innkit check examples/monograph.txt
      innkit check --format jsonl - < label.txt
    """
    doc, text = _read(file)
    claims = check(text) if text.strip() else ()
    out = sys.stdout
    if fmt == "jsonl":
        for c in claims:
            out.write(json.dumps({"doc": doc, **c.to_dict()}, ensure_ascii=False) + "\n")
    elif fmt == "html":
        out.write(_html(doc, text, claims))
    else:
        out.write(_text(doc, claims))
    if any(c.verdict == Verdict.CONTRADICTS for c in claims):
        sys.exit(int(ExitStatus.PROBLEMS))
