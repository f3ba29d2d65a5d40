"""``innkit screen``, ``innkit validate`` and ``innkit suggest``."""

from __future__ import annotations

import csv
import io
import json
import sys
import time
from pathlib import Path

import click

from ..errors import InvalidInputError
from ..files.atomic import write_atomic
from ..files.namelists import NameList, read_names
from ..naming.core import formats, suggest, validate
from ..screening.similarity import LEVELS, Screening, Universe, screen, screen_many
from ..vocab import AntibodyFormat
from .errors import CappedLines

_FORMATS = tuple(f.value for f in AntibodyFormat)


_KEYWORDS = ("all", "registry", "unii")
_BATCH_COLUMNS = ("candidate", "name", "top_level", "top_score", "closest", "reason")


def _names_file(path: str, option: str) -> NameList:
    """The names of a file given to ``option``; a file without any is a usage error."""
    try:
        names = read_names(path)
    except InvalidInputError as exc:
        raise click.BadParameter(str(exc), param_hint=option) from None
    if not names.names:
        raise click.BadParameter(f"{path}: no names in the file", param_hint=option)
    return names


def _against(value: str) -> tuple[str | Universe, str]:
    """``--against``: a keyword, or a file of names (a file called like a keyword needs a
    path: ./all)."""
    if value in _KEYWORDS:
        return value, value
    if not Path(value).exists():
        raise click.BadParameter(f"expected all, registry, unii or a file of names; there is no "
                                 f"file {value!r}", param_hint="--against")
    names = _names_file(value, "--against")
    if names.skipped:
        click.echo(f"innkit: {value}: skipped {len(names.skipped)} lines (first: line "
                   f"{names.skipped[0][0]}, {names.skipped[0][1]})", err=True)
    return Universe((n, "list", "name") for n in names.names), value


def _closest(result: Screening) -> str:
    return "; ".join(f"{h.name} {h.score:.2f} {h.level or '-'}" for h in result.hits)


def _batch_line(result: Screening, fmt: str) -> str:
    if fmt == "jsonl":
        return json.dumps(result.to_dict(), ensure_ascii=False)
    top = result.hits[0].score if result.hits else None
    cells = (result.input, result.name, result.top_level or "", "" if top is None else
             f"{top:.4f}", _closest(result), result.reason or "")
    if fmt == "csv":
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="").writerow(cells)
        return buffer.getvalue()
    level = result.top_level or "-"
    score = "" if top is None else f"{top:.2f}"
    note = f"  ({result.reason})" if result.reason else ""
    return f"{result.input:<28} {level:<6} {score:>4}  {_closest(result) or 'none close'}{note}"


def _run_batch(batch: str, universe: str | Universe, label: str, limit: int,
               min_score: float | None, fmt: str, output: str) -> None:
    candidates = _names_file(batch, "--batch")
    shown = CappedLines()
    for line, why in candidates.skipped:
        shown.echo(f"{batch} line {line}: skipped, {why}")
    shown.close("skipped lines")
    started = time.perf_counter()
    results = screen_many(candidates.names, against=universe, limit=limit,
                          score_cutoff=min_score)
    show = sys.stderr.isatty() and len(candidates.names) > 50
    if show:
        from tqdm import tqdm

        results = tqdm(results, total=len(candidates.names), desc="screening", unit="name",
                       file=sys.stderr)
    lines = []
    if fmt == "csv":
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="").writerow(_BATCH_COLUMNS)
        lines.append(buffer.getvalue())
    elif fmt == "text":
        lines.append(f"{'candidate':<28} {'level':<6} {'top':>4}  closest names (score level)")
    counts: dict[str, int] = {}
    for result in results:
        lines.append(_batch_line(result, fmt))
        key = result.top_level or ("unreadable" if result.reason and not result.hits
                                   and result.compared == 0 else "none")
        counts[key] = counts.get(key, 0) + 1
    text = "\n".join(lines) + "\n"
    if output == "-":
        click.echo(text, nl=False)
    else:
        write_atomic(Path(output), text)
    took = time.perf_counter() - started
    summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    click.echo(f"innkit: screened {len(candidates.names):,} candidates against {label} in "
               f"{took:.1f} s ({summary})" + ("" if output == "-" else f"; wrote {output}"),
               err=True)


@click.command("screen")
@click.argument("name", nargs=-1)
@click.option("--against", default="all", show_default=True, metavar="all|registry|unii|FILE",
              help="Registry names, FDA UNII names, both, or your own list: a file with one "
                   "name per line, or a CSV/TSV with a 'name' column.")
@click.option("--batch", type=click.Path(dir_okay=False), metavar="CANDIDATES",
              help="Screen every name of this file (same formats as --against) and write one "
                   "row per candidate: its closest names and level.")
@click.option("--limit", type=click.IntRange(1, 200), default=None,
              help="Closest names shown per name (default 10; 3 with --batch).")
@click.option("--min-score", type=click.FloatRange(0, 1), default=None,
              help=f"Lowest combined score shown (default: the low level, {LEVELS[-1][1]}).")
@click.option("--format", "fmt", type=click.Choice(["text", "csv", "jsonl"]), default="text",
              show_default=True, help="Table format of --batch output.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default="-",
              help="Where --batch writes its table (default: standard output); written whole "
                   "or not at all.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def screen_cmd(name: tuple[str, ...], against: str, batch: str | None, limit: int | None,
               min_score: float | None, fmt: str, output: str, as_json: bool) -> None:
    """Existing names that NAME could be confused with (look-alike, sound-alike).

    Exit status: 0 when screened (whatever the levels), 2 for bad usage or an unreadable
    file of names.
    """
    if batch and name:
        raise click.UsageError("give either NAME or --batch CANDIDATES, not both")
    if not batch and not name:
        raise click.UsageError("give a NAME to screen, or --batch CANDIDATES")
    universe, label = _against(against)
    if batch:
        _run_batch(batch, universe, label, limit or 3, min_score, fmt, output)
        return
    result = screen(" ".join(name), against=universe, limit=limit or 10,
                    score_cutoff=min_score)
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
        return
    click.echo(f"{result.name}: screened against {result.compared:,} names ({label})")
    if result.reason:
        click.echo(f"  note: {result.reason}")
    if result.substance:
        own = f"; its own forms left out: {', '.join(result.own_forms)}" if result.own_forms \
            else ""
        click.echo(f"  this is {result.substance}{own}")
    if not result.hits:
        click.echo("  no similar name above the low level")
    for h in result.hits:
        m = h.measures
        of = f" ({h.substance})" if h.substance and h.substance.lower() != h.name else ""
        click.echo(f"  {h.score:.2f} {h.level or '-':<6} {h.name}{of}  {h.origin}/{h.kind}  "
                   f"edit {m['edit']:.2f} bisim {m['bisim']:.2f} prefix {m['prefix']:.2f} "
                   f"sound {m['phonetic']:.2f}  {'; '.join(h.why)}")
        if h.aligned:
            (la, lb), (sa, sb) = h.aligned["letters"], h.aligned["sounds"]
            click.echo(f"         letters {la} / {lb}   sounds /{sa}/ / /{sb}/")
        if h.forms:
            click.echo(f"         also {', '.join(h.forms)}")


@click.command("validate")
@click.argument("name")
@click.option("--format", "format_", type=click.Choice(_FORMATS),
              help="The antibody's format: the stem must fit it.")
@click.option("--target", help="The target class (tumour, viral, cytokine ...) or infix (ta).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def validate_cmd(name: str, format_: str | None, target: str | None, as_json: bool) -> None:
    """Does NAME comply with the 2022 scheme? Exit status 1 if it fails a rule."""
    try:
        result = validate(name, format=format_, target=target)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        verdict = "complies" if result.valid else "does NOT comply"
        click.echo(f"{result.name}: {verdict} with the 2022 scheme")
        for c in result.checks:
            mark = "ok  " if c.passed else ("FAIL" if c.severity == "error" else "note")
            click.echo(f"  {mark} {c.rule:<12} {c.reason}")
    if not result.valid:
        sys.exit(1)


@click.command("suggest")
@click.option("--target", required=True, help="Target class (tumour, viral ...) or infix.")
@click.option("--format", "format_", type=click.Choice(_FORMATS), default="whole",
              show_default=True)
@click.option("--count", type=click.IntRange(1, 50), default=5, show_default=True)
@click.option("--seed", type=int, default=None, help="Same seed, same names.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def suggest_cmd(target: str, format_: str, count: int, seed: int | None, as_json: bool) -> None:
    """Propose names for a new antibody that pass validate and screening."""
    try:
        names = suggest(target=target, format=format_, count=count, seed=seed)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    if as_json:
        click.echo(json.dumps([s.to_dict() for s in names], indent=2, ensure_ascii=False))
        return
    stem = formats()[format_]
    article = "an" if format_[0] in "aeiou" else "a"
    click.echo(f"{len(names)} names for {article} {format_} antibody (-{stem}), target {target}:")
    for s in names:
        near = ", ".join(f"{h.name} {h.score:.2f}" for h in s.closest[:3]) or "none close"
        click.echo(f"  {s.name:<16} {s.prefix}|{s.infix}|{s.stem}   closest: {near}")
    if len(names) < count:
        click.echo(f"  only {len(names)} of {count} found within the try limit; try another "
                   "seed", err=True)
