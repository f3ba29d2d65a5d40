"""``innkit lookup``, ``innkit search`` and ``innkit registry add|remove|import|export|list``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..registry import ENTRY_KINDS, RegistryEntry, UserStore, get_registry, name_key
from ..registry.entries import ENTRY_COLUMNS
from ..registry.store import MAX_IMPORT_BYTES, ImportReport, journal_of
from ..render import relation_phrase
from .errors import (
    CappedLines,
    CliFault,
    ClosedStreamError,
    ExitStatus,
    closed_stream_fault,
    input_fault,
    os_fault,
)

_FORMAT = click.option("--format", "fmt", type=click.Choice(["text", "json", "tsv"]),
                       default="text", show_default=True, help="Output format.")


def _entry_text(e: RegistryEntry) -> str:
    facts = [f"{e.kind} ({e.origin})"]
    if e.refers_to:
        facts.append(f"for {e.refers_to}")
    for label, value in (("target", e.target_antigen), ("format", e.format),
                         ("source", e.source), ("year", e.year), ("status", e.status)):
        if value:
            facts.append(f"{label} {value}")
    return f"{e.full_name}  —  " + " · ".join(facts)


@click.command("lookup")
@click.argument("names", nargs=-1, required=True)
@_FORMAT
def lookup_cmd(names: tuple[str, ...], fmt: str) -> None:
    """Look up known NAMES (case, space and hyphen do not matter): the registry's facts and the
    substance each name denotes (brand, code, former name, salt, Latin form ...) with its UNII.
    Exit 1 if any is unknown."""
    registry = get_registry()
    missing = False
    results = []
    for name in names:
        found, substance = _lookup(registry, name)
        results.append((name, found, substance))
        missing = missing or not (found or substance)
    if fmt == "json":
        click.echo(json.dumps({n: [{**e.to_dict(), "substance": s.to_dict() if s else None}
                                   for e in f] for n, f, s in results},
                              indent=2, ensure_ascii=False))
    elif fmt == "tsv":
        click.echo("\t".join(("query", *ENTRY_COLUMNS, "origin")))
        for name, found, _substance in results:
            for e in found:
                d = e.to_dict()
                click.echo("\t".join([name, *(_cell(d[c]) for c in ENTRY_COLUMNS), e.origin]))
    else:
        for name, found, substance in results:
            if substance is not None:
                sub = substance
                what = relation_phrase(sub, name)
                click.echo(f"{name}  —  {what + ' · ' if what else ''}UNII {sub.unii} · {sub.curie}"
                           + (" · AMBIGUOUS: see --format json" if sub.ambiguous else ""))
            for e in found:
                click.echo(_entry_text(e))
            if not found and substance is None:
                near = registry.search(name, limit=3)
                hint = f"; did you mean {', '.join(h.entry.full_name for h in near)}?" \
                    if near else ""
                click.echo(f"{name}  —  not in the registry{hint}")
    if missing:
        sys.exit(1)


def _lookup(registry, name: str):
    """The registry entries for ``name`` (those of its INN when it is a brand, code ...), and
    the substance it denotes."""
    found = registry.lookup(name)
    substance = registry.identify(name)
    if substance is not None and substance.inn and all(e.origin == "unii" for e in found):
        found = [e for e in registry.lookup(substance.inn) if e.origin != "unii"] or found
    return found, substance


def _cell(value: object) -> str:
    return "" if value is None else str(value).replace("\t", " ")


@click.command("search")
@click.argument("query", nargs=-1, required=True)
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 1000))
@_FORMAT
def search_cmd(query: tuple[str, ...], limit: int, fmt: str) -> None:
    """Search known names by prefix, part of a name, target antigen (CD22) or fuzzy spelling."""
    hits = get_registry().search(" ".join(query), limit=limit)
    if fmt == "json":
        click.echo(json.dumps([h.to_dict() for h in hits], indent=2, ensure_ascii=False))
        return
    if fmt == "tsv":
        click.echo("score\tmatched_on\tname\tsecond_word\ttarget_antigen\tformat\tyear\torigin")
        for h in hits:
            e = h.entry
            click.echo("\t".join(map(_cell, (f"{h.score:.0f}", h.matched_on, e.name,
                                              e.second_word, e.target_antigen, e.format, e.year,
                                              e.origin))))
        return
    if not hits:
        click.echo("no match")
    for h in hits:
        click.echo(f"{h.score:5.0f}  {h.matched_on:<15} {_entry_text(h.entry)}")


@click.group("registry")
def registry_group() -> None:
    """Keep your own names (candidates, codes, brand names) beside the shipped ones."""


def _store() -> UserStore:
    registry = get_registry()
    if registry.user_db is None:
        raise click.UsageError("no user database: pass --user-db or set INNKIT_USER_DB")
    return UserStore(registry.user_db)


def _report(report: ImportReport, action: str, *, single: bool = False) -> None:
    if report.ok:
        get_registry().refresh()
        click.echo(f"{action}: {report.added} added, {report.replaced} replaced "
                   f"({get_registry().user_db})")
        return
    if single:  # one name from the command line: no file, so no line numbers
        for error in report.errors:
            click.echo(f"innkit: not added: {error.name or 'the name'!r}: {error.reason}"
                       if error.name else f"innkit: not added: {error.reason}", err=True)
        sys.exit(int(ExitStatus.PROBLEMS))
    click.echo(f"nothing was changed; {len(report.errors)} problem(s):", err=True)
    shown = CappedLines("  ")
    for error in report.errors:
        shown.echo(str(error))
    shown.close()
    sys.exit(int(ExitStatus.PROBLEMS))


def _shipped_keys() -> set[str]:
    return {name_key(e.name) for e in get_registry().entries() if e.origin == "shipped"}


@registry_group.command("add")
@click.argument("name")
@click.option("--kind", type=click.Choice(ENTRY_KINDS), default="candidate", show_default=True)
@click.option("--second-word", default="")
@click.option("--refers-to", default="", help="The INN a brand name or code stands for.")
@click.option("--target", "target_antigen", default="")
@click.option("--source", default="")
@click.option("--format", "format_", default="")
@click.option("--year", default="")
@click.option("--status", default="")
@click.option("--notes", default="")
@click.option("--replace", is_flag=True, help="Overwrite an existing user entry.")
def add_cmd(name: str, kind: str, second_word: str, refers_to: str, target_antigen: str,
            source: str, format_: str, year: str, status: str, notes: str,
            replace: bool) -> None:
    """Add NAME to the user registry."""
    row = {"name": name, "second_word": second_word, "kind": kind, "refers_to": refers_to,
           "target_antigen": target_antigen, "source": source, "format": format_,
           "year": year, "status": status, "notes": notes}
    text = ",".join(ENTRY_COLUMNS) + "\n" + ",".join(
        '"' + row.get(c, "").replace('"', '""') + '"' for c in ENTRY_COLUMNS) + "\n"
    _report(_store().import_csv(text, replace=replace, shipped_keys=_shipped_keys()), "add",
            single=True)


@registry_group.command("remove")
@click.argument("names", nargs=-1, required=True)
def remove_cmd(names: tuple[str, ...]) -> None:
    """Remove NAMES from the user registry."""
    store = _store()
    missing = [n for n in names if not store.remove(n)]
    get_registry().refresh()
    for n in names:
        click.echo(f"{n}: {'not in the user registry' if n in missing else 'removed'}")
    if missing:
        sys.exit(1)


@registry_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--replace", is_flag=True, help="Overwrite existing user entries of the same name.")
def import_cmd(file, replace: bool) -> None:
    """Import names from a CSV FILE ('-' for standard input): all rows or none.

    The header names the columns: name (required), kind, second_word, refers_to, source,
    target_antigen, target_category, format, year, status, provenance, notes.
    """
    try:
        if file == "-":
            data = sys.stdin.buffer.read(MAX_IMPORT_BYTES + 1)
        else:
            with open(file, "rb") as f:
                data = f.read(MAX_IMPORT_BYTES + 1)
    except ClosedStreamError as exc:
        raise closed_stream_fault(exc) from exc
    except OSError as exc:
        raise CliFault(input_fault(exc, file), ExitStatus.BAD_INPUT) from exc
    if b"\x00" in data[:8192]:
        raise CliFault(f"{file} looks like a binary file (NUL bytes), not CSV; give a UTF-8 CSV "
                       "file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CliFault(f"{file} is not UTF-8 text (byte {exc.start}); save it as UTF-8 CSV "
                       "and try again") from exc
    _report(_store().import_csv(text, replace=replace, shipped_keys=_shipped_keys()), "import")


@registry_group.command("export")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
def export_cmd(file: str) -> None:
    """Write the user registry to a CSV FILE ('-' for standard output)."""
    store = _store()
    if file == "-":  # the same bytes as the file would hold
        text, _n = store.csv_text()
        sys.stdout.flush()
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.buffer.flush()
        return
    try:
        n = store.export_csv(Path(file))
    except OSError as exc:
        raise os_fault(exc, "write", file) from exc
    click.echo(f"exported {n} names to {file}")


@registry_group.command("repair")
def repair_cmd() -> None:
    """Make a damaged or empty user registry usable again, rescuing every readable name.

    A damaged file is moved aside (NAME.damaged-TIME, kept for you) and its readable names are
    copied into a new file; an empty file is initialised; a sound file is left as it is.
    """
    store = _store()
    aside, n = store.repair()
    get_registry().refresh()
    if aside is None:
        click.echo(f"{store.path}: nothing to repair ({n} name{'s' if n != 1 else ''})")
    else:
        kept = journal_of(aside)
        beside = f" (its journal beside it, {kept.name})" if kept.exists() else ""
        click.echo(f"{store.path}: damaged file moved to {aside}{beside}; {n} names rescued into "
                   f"a new {store.path.name}; re-import any name that is missing")


@registry_group.command("list")
def list_cmd() -> None:
    """List the user registry."""
    entries = _store().entries()
    if not entries:
        click.echo(f"the user registry is empty ({get_registry().user_db})")
    for e in entries:
        click.echo(_entry_text(e))
