"""``innkit screen``, ``innkit validate`` and ``innkit suggest``."""

from __future__ import annotations

import json
import sys

import click

from ..naming import formats, suggest, validate
from ..similarity import LEVELS, screen

_FORMATS = ("whole", "engineered", "multispecific", "fragment")


@click.command("screen")
@click.argument("name", nargs=-1, required=True)
@click.option("--against", type=click.Choice(["all", "registry", "unii"]), default="all",
              show_default=True, help="Registry names, FDA UNII names, or both.")
@click.option("--limit", type=click.IntRange(1, 200), default=10, show_default=True)
@click.option("--min-score", type=click.FloatRange(0, 1), default=None,
              help=f"Lowest combined score shown (default: the low level, {LEVELS[-1][1]}).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def screen_cmd(name: tuple[str, ...], against: str, limit: int, min_score: float | None,
               as_json: bool) -> None:
    """Existing names that NAME could be confused with (look-alike, sound-alike)."""
    result = screen(" ".join(name), against=against, limit=limit, score_cutoff=min_score)
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
        return
    click.echo(f"{result.name}: screened against {result.compared:,} names ({against})")
    if result.reason:
        click.echo(f"  note: {result.reason}")
    if not result.hits:
        click.echo("  no similar name above the low level")
    for h in result.hits:
        m = h.measures
        click.echo(f"  {h.score:.2f} {h.level or '-':<6} {h.name:<28} {h.origin}/{h.kind:<10} "
                   f"edit {m['edit']:.2f} bisim {m['bisim']:.2f} prefix {m['prefix']:.2f} "
                   f"sound {m['phonetic']:.2f}  {'; '.join(h.why)}")


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
