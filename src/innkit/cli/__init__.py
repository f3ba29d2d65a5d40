"""Command line: one command per verb, ``--format text|json|jsonl|tsv`` where output is data."""

from __future__ import annotations

import sys

import click

from .. import __version__
from ..errors import InnkitError
from ..registry import Registry, set_registry
from ..registry.store import StoreError
from .annotate import annotate_cmd
from .data import data_group
from .decode import TSV_COLUMNS, decode_cmd, explain_cmd
from .naming import screen_cmd, suggest_cmd, validate_cmd
from .registry import lookup_cmd, registry_group, search_cmd
from .serve import serve_cmd


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="innkit")
@click.option("--user-db", type=click.Path(dir_okay=False), envvar="INNKIT_USER_DB",
              help="User registry database (default: $INNKIT_USER_DB, else "
                   "~/.local/share/innkit/user_registry.sqlite).")
def main(user_db: str | None) -> None:
    """innkit: decode International Nonproprietary Names (INN) of drugs, antibodies first."""
    if user_db:
        set_registry(Registry(user_db))


for command in (annotate_cmd, decode_cmd, explain_cmd, lookup_cmd, search_cmd, registry_group,
                data_group, screen_cmd, validate_cmd, suggest_cmd, serve_cmd):
    main.add_command(command)


def run() -> None:
    """Console entry point: a data or storage fault becomes one line naming the fix."""
    try:
        main(standalone_mode=True)
    except (InnkitError, StoreError) as exc:
        click.echo(f"innkit: {exc}", err=True)
        sys.exit(2)


__all__ = ["TSV_COLUMNS", "main", "run"]
