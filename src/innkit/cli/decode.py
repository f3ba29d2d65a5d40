"""``innkit decode`` and ``innkit explain``."""

from __future__ import annotations

import gc
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator

import click

from ..decoder.decode import decode
from ..models import Decoding
from ..render import identity_label, render_card, substance_cells, summary
from ..vocab import Kind

TSV_COLUMNS = (
    "input", "name", "kind", "segmentation", "prefix", "target_substem", "target_meaning",
    "source_substem", "source_meaning", "stem", "stem_meaning", "eras", "modifiers",
    "fda_suffix", "radiolabel", "ambiguous", "warnings", "reason", "unii", "inn", "relation",
    "inn_number", "substance_ambiguous", "candidate_uniis",
)
"""New columns go at the end, so that the position of every older one holds. ``ambiguous`` says
the antibody readings tie; ``substance_ambiguous`` that the name denotes several substances (then
``unii``, ``inn`` and ``inn_number`` are empty and ``candidate_uniis`` lists each, ``;`` between
them)."""


_SUBSTANCE_CELLS = {"unii": 0, "inn": 1, "relation": 2, "substance_ambiguous": 3,
                    "candidate_uniis": 4}
"""Columns filled from :func:`~innkit.render.substance_cells`, by its position."""


def _single(d: Decoding) -> bool:
    """The decoding's identifiers belong to one substance (or to none): not an ambiguous name."""
    return d.substance is None or not d.substance.ambiguous


def _tsv_cell(key: str, d: Decoding) -> str:
    if key == "eras":
        return ",".join(d.eras)
    if key == "modifiers":
        return ";".join(f"{m.word}:{m.kind}" for m in d.modifiers)
    if key == "radiolabel":
        return d.radiolabel.isotope if d.radiolabel else ""
    if key == "warnings":
        return " | ".join(d.warnings)
    if key == "segmentation":
        return d.segmentation or ""
    if key in _SUBSTANCE_CELLS:
        return substance_cells(d.substance)[_SUBSTANCE_CELLS[key]]
    if key == "inn_number":
        return dict(d.identifiers).get("inn_number", "") if _single(d) else ""
    value = getattr(d, key)
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = "" if value is None else str(value)
    return text.replace("\t", " ").replace("\n", " ")


def _text_line(d: Decoding) -> str:
    label = identity_label(d)
    return f"{d.input}{f' ({label})' if label else ''}  →  {summary(d)}"


def _read_stdin_names(waiting: Callable[[], None]) -> Iterator[str | bytes]:
    """Names from standard input, one per line, decoded lazily so that huge inputs stream.

    ``waiting`` runs before each read that may block (the output is flushed then): a program
    that writes a name and waits for its line gets it at once, and a file or a pipe full of
    names is answered in large writes, not in one system call per name."""
    try:
        fd = sys.stdin.buffer.fileno()
    except (AttributeError, OSError, ValueError):  # a stream in memory (tests): no descriptor
        fd = -1
    if fd < 0:
        for raw in sys.stdin.buffer:
            waiting()
            yield from _names_of((raw,))
        return
    pending = b""
    while True:
        waiting()
        chunk = os.read(fd, _CHUNK)
        if not chunk:
            break
        lines = (pending + chunk).split(b"\n")
        pending = lines.pop()
        yield from _names_of(lines)
    if pending:
        yield from _names_of((pending,))


_CHUNK = 1 << 16
"""Bytes read from standard input at a time (what is there, up to this)."""


def _names_of(lines: Iterable[bytes]) -> Iterator[str | bytes]:
    for raw in lines:
        line = raw.rstrip(b"\r\n")
        if not line.strip():
            continue
        try:
            yield line.decode("utf-8")
        except UnicodeDecodeError:
            yield line  # decode() reports it as binary input, line by line


_JSON_LINE = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode
"""``json.dumps(x, ensure_ascii=False)``, without building an encoder for each line; a
decoding's dict is a fresh tree, never a cycle, so the encoder need not track the containers
it is inside (the same text, a few per cent sooner)."""


def _emit(decodings: Iterable[Decoding], fmt: str, single: bool) -> None:
    out = sys.stdout
    if fmt == "json":
        items = [d.to_dict() for d in decodings]
        json.dump(items[0] if single and len(items) == 1 else items, out, indent=2,
                  ensure_ascii=False)
        out.write("\n")
        return
    if fmt == "tsv":
        out.write("\t".join(TSV_COLUMNS) + "\n")
    write = out.write
    if fmt == "jsonl":
        for d in decodings:
            write(_JSON_LINE(d.to_dict()) + "\n")
    elif fmt == "tsv":
        for d in decodings:
            write("\t".join([_tsv_cell(k, d) for k in TSV_COLUMNS]) + "\n")
    else:
        for d in decodings:
            write(_text_line(d) + "\n")
    out.flush()


@click.command("decode")
@click.argument("names", nargs=-1)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "jsonl", "tsv"]),
              default="text", show_default=True, help="Output format.")
@click.option("--strict", is_flag=True, help="Exit with status 1 if any name is not decoded.")
def decode_cmd(names: tuple[str, ...], fmt: str, strict: bool) -> None:
    """Decode NAMES (or names on standard input, one per line).

    \b
    Examples:
      innkit decode "inotuzumab ozogamicin" ecromeximab
      innkit decode --format jsonl < names.txt
    """
    if names:
        source: Iterable[str | bytes] = names
    elif sys.stdin.isatty():
        raise click.UsageError("give names as arguments, or pipe them in one per line")
    else:
        source = _read_stdin_names(lambda: sys.stdout.flush())
    failed = False
    froze = False

    def decoded() -> Iterator[Decoding]:
        nonlocal failed, froze
        for i, name in enumerate(source):
            d = decode(name)
            if i == 0 and not gc.get_freeze_count():
                # The tables and indexes are loaded now, and live as long as the run: the
                # collector need not walk them again after each batch of results.
                gc.freeze()
                froze = True
            failed = failed or d.kind == Kind.UNKNOWN
            yield d

    try:
        _emit(decoded(), fmt, single=len(names) == 1)
    finally:
        if froze:  # a caller in the same process (a test, an embedding) collects as before
            gc.unfreeze()
    if strict and failed:
        sys.exit(1)


@click.command("explain")
@click.argument("name", nargs=-1, required=True)
def explain_cmd(name: tuple[str, ...]) -> None:
    """Print a readable card that explains each part of NAME.

    Words are joined, so quoting is optional: innkit explain inotuzumab ozogamicin
    """
    click.echo(render_card(decode(" ".join(name))))
