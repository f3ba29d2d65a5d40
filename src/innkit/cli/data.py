"""``innkit data info`` (which data this installation carries, and where it comes from),
``innkit data update`` (the substance index from a newer FDA UNII list), ``innkit data
audit`` (a table of names held against what the names say) and ``innkit data lint`` (every
shipped table in its one canonical form)."""

from __future__ import annotations

import datetime
import json
import sys
from pathlib import Path

import click

from ..files.cache import CacheFolderError
from ..naming import audit
from ..registry import get_registry
from ..registry import substances as unii
from ..rules import Rules, manifest
from ..rules import lint as datalint
from ..rules.lists import antibody_coverage


@click.group("data")
def data_group() -> None:
    """About the curated data tables."""


@data_group.command("info")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def info_cmd(fmt: str) -> None:
    """Print the data version, table sizes, registry counts and sources."""
    info = manifest.read()
    registry = get_registry()
    counts = registry.counts()
    substances = len(registry.substance_names())
    if substances:
        counts["unii:substance/official/brand"] = substances
    coverage = antibody_coverage(registry.rules)
    index = registry.substance_index()
    in_use = _index_facts(index)
    if fmt == "json":
        click.echo(json.dumps({**info, "registry": counts, "user_db": str(registry.user_db),
                               "antibody_inns": coverage.to_dict(),
                               "substance_index_in_use": in_use}, indent=2))
        return
    click.echo(f"innkit data version {info['data_version']}")
    width = max(len(n) for n in info["files"])
    for name, meta in sorted(info["files"].items()):
        click.echo(f"  {name:<{width}}  {meta['rows']:>5} rows  sha256 {meta['sha256'][:12]}")
    click.echo("registry: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    click.echo(f"antibody INNs: {coverage.phrase()}; {coverage.with_inn_number:,} with their "
               "WHO INN number")
    click.echo(f"user database: {registry.user_db}")
    if in_use:
        click.echo(f"substance index: FDA UNII names list of {in_use.get('list_date', '?')}"
                   f" ({in_use.get('substances', '?')} substances; list sha256 "
                   f"{str(in_use.get('source_sha256', '?'))[:12]}), {in_use['path']}")
    click.echo("sources: WHO INN programme (working documents 09.251, 17.416, 22.542; stem book "
               "2018, CC BY-NC-SA 3.0 IGO), AMA/USAN pages, Thera-SAbDab (CC BY 4.0), "
               "AndrewCRMartin/namegen (BSD-2-Clause), FDA UNII "
               "names (US public domain; see the substance index line); see "
               "innkit/data/LICENSES.md")


def _index_facts(index: unii.SubstanceIndex | None) -> dict | None:
    """Where the index in use lies and what it says of its list, or None without one."""
    if index is None:
        return None
    return {"path": str(index.path), **{k: index.meta[k] for k in manifest.INDEX_FACTS
                                        if k in index.meta}}


@data_group.command("update")
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.option("--date", "list_date", help="The list's date (default: the file's date).")
@click.option("--revert", is_flag=True, help="Forget an updated index: use the shipped one.")
def update_cmd(file: str | None, list_date: str | None, revert: bool) -> None:
    """Build the substance index from a newer FDA UNII names list (FILE: the UNII_Names
    text file of https://precision.fda.gov/uniisearch/archive, tab-separated: Name, TYPE,
    UNII, Display Name). The index is kept in the cache folder and used from then on, instead
    of the one shipped in the package. Takes about a minute and 1 GB. Exit status: 0 built
    (or reverted), 2 FILE missing or not a UNII names list, 3 the cache folder cannot be
    written.
    """
    if revert:
        click.echo("the shipped substance index is used" + ("" if unii.revert_index()
                                                             else " (it already was)"))
        return
    if file is None:
        click.echo("innkit data update: give the UNII names file (or --revert); fix: download "
                   "it from https://precision.fda.gov/uniisearch/archive", err=True)
        sys.exit(2)
    source = Path(file)
    problem = _not_a_list(source)
    if problem:
        click.echo(f"innkit data update: {file}: {problem}; fix: give the UNII_Names text "
                   "file of the FDA UNII download", err=True)
        sys.exit(2)
    date = list_date or datetime.datetime.fromtimestamp(
        source.stat().st_mtime, datetime.UTC).date().isoformat()
    try:
        index = unii.update_index(source, frozenset(Rules.shipped().tables.salts),
                                  {"list_date": date, "origin": str(source.resolve())})
    except (CacheFolderError, OSError, ValueError) as exc:
        click.echo(f"innkit data update: cannot build the substance index ({exc}); fix: set "
                   "XDG_CACHE_HOME to a folder you can write", err=True)
        sys.exit(3)
    facts = _index_facts(index) or {}
    click.echo(f"built the substance index from {file} ({facts.get('substances')} substances, "
               f"list of {date}) in {index.meta.get('build_seconds')} s: {index.path}")


def _not_a_list(source: Path) -> str | None:
    """Why ``source`` is not a UNII names list, or None when its header says it is."""
    try:
        with source.open(encoding="utf-8", errors="replace") as f:
            header = f.readline().rstrip("\n").split("\t")
    except FileNotFoundError:
        return "no such file"
    except OSError as exc:
        return exc.strerror or str(exc)
    if [h.strip().lower() for h in header[:4]] != ["name", "type", "unii", "display name"]:
        return "not a UNII names list (its first line is not Name, TYPE, UNII, Display Name)"
    return None


@data_group.command("audit")
@click.argument("file", required=False, type=click.Path(dir_okay=True))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "jsonl"]), default="text",
              show_default=True)
@click.option("--no-unii", is_flag=True, help="Skip the spelling check against the FDA UNII list.")
def audit_cmd(file: str | None, fmt: str, no_unii: bool) -> None:
    """Check a table of names against what each name says (no FILE: the shipped table).

    FILE is a CSV (or tab-separated) table with a header row: a `name` column and any of
    `source`, `target`, `format`, `kind`, `year`, `second_word`, `status`, `notes`,
    `target_category`, `inn_number`. Each contradiction is printed with its reason. Exit
    status: 0 no contradictions (or only ones recorded with a reason), 1 contradictions found,
    2 the file cannot be read.
    """
    try:
        report = (audit.audit_file(file, unii=not no_unii) if file
                  else audit.audit_shipped(unii=not no_unii))
    except audit.AuditInputError as exc:
        click.echo(f"innkit data audit: {exc.reason}: {exc.hint}", err=True)
        sys.exit(2)
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    elif fmt == "jsonl":
        for c in report.contradictions:
            click.echo(json.dumps(c.to_dict(), ensure_ascii=False))
    else:
        for c in report.contradictions:
            click.echo(f"line {c.line}: {c.name}: {c.column} {c.value!r}: {c.reason} "
                       f"[{c.rule}]")
            if c.kept:
                click.echo(f"    kept: {c.kept}")
        per = ", ".join(f"{k} {v}" for k, v in report.counts().items() if v) or "none"
        applied = ", ".join(f"{k} {v}" for k, v in report.checked.items() if v) or "none"
        click.echo(f"{report.source}: {report.rows} rows; checks applied: {applied}; "
                   f"contradictions: {len(report.contradictions)} ({per}), "
                   f"{len(report.open)} open, {len(report.kept)} kept with a reason")
    sys.exit(0 if report.clean else 1)


@data_group.command("lint")
@click.option("--fix", is_flag=True, help="Rewrite the tables in canonical form and refresh "
              "MANIFEST.json.")
def lint_cmd(fix: bool) -> None:
    """Check that every table under innkit/data is in canonical form.

    Canonical: UTF-8, LF line ends, the header first, no spaces at the edges of a cell, csv
    minimal quoting, rows sorted by key where their order means nothing (innkit/datalint.py
    says which). Exit status: 0 canonical (or fixed), 1 tables to fix (run with --fix), 2
    tables that --fix cannot rewrite (the message says what to correct by hand).
    """
    before = {p.name: p.read_bytes() for p in datalint.tables()}
    findings = datalint.lint(fix=fix)
    changed = sorted(p.name for p in datalint.tables() if p.read_bytes() != before[p.name])
    if changed:
        manifest.write()
        click.echo(f"rewrote {', '.join(changed)} and MANIFEST.json", err=True)
    for finding in findings:
        click.echo(f"innkit data lint: {finding}", err=True)
    if any(not f.fixable for f in findings):
        sys.exit(2)
    if findings:
        click.echo("run `innkit data lint --fix` to rewrite them", err=True)
        sys.exit(1)
    click.echo(f"{len(before)} tables canonical")
