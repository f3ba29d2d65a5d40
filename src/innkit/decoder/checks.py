"""What a name says against what the registry records: contradictions become warnings.

The stems that name a format, and the words of a database's format label, come from the tables
(antibody_stems.tsv ``format``, audit_formats.tsv), so a new format stem needs no code here.
"""

from __future__ import annotations

from ..registry.entries import RegistryEntry
from ..rules.tables import ERAS, Tables
from ..vocab import AntibodyFormat
from .antibody import source_agrees

MULTISPECIFIC = AntibodyFormat.MULTISPECIFIC
FRAGMENT = AntibodyFormat.FRAGMENT
WHOLE = AntibodyFormat.WHOLE


_KEPT: dict[tuple[str | None, ...], tuple[str, ...]] = {}
_KEPT_OF: list[Tables | None] = [None]  # the tables the kept answers were worked out with
KEPT_MAX = 4096
"""Answers kept (a table of a thousand antibodies holds a few hundred pairs of a source label
and a format; the answer depends on those and the reading's stem and source only)."""


def forget() -> None:
    """Drop the kept answers (a cold start)."""
    _KEPT.clear()


def registry_conflicts(entry: RegistryEntry, source: str | None, source_meaning: str | None,
                       stem: str, tables: Tables) -> list[str]:
    """Warnings for each fact of the name that the registry entry contradicts (worked out once
    for each set of the facts compared: many names share them)."""
    if _KEPT_OF[0] is not tables:
        _KEPT.clear()
        _KEPT_OF[0] = tables
    key = (entry.source, entry.format, entry.provenance, entry.origin, source, source_meaning,
           stem)
    found = _KEPT.get(key)
    if found is None:
        if len(_KEPT) >= KEPT_MAX:
            _KEPT.clear()
        found = _KEPT[key] = tuple(_conflicts(entry, source, source_meaning, stem, tables))
    return list(found)


def _conflicts(entry: RegistryEntry, source: str | None, source_meaning: str | None,
               stem: str, tables: Tables) -> list[str]:
    out = []
    if entry.source and source_agrees(source, entry.source, tables) is False:
        out.append(
            f"the name reads -{source}- ({source_meaning}) but the registry records the source "
            f"as {entry.source!r} ({entry.provenance or entry.origin}); the substem records the "
            "claim made at naming, databases may classify by sequence"
        )
    fmt = (entry.format or "").lower()
    row = tables.stem_row(stem)
    named = row.format if row is not None else ""
    if fmt and named:
        words = tables.format_keywords
        multi = any(w in fmt for w in words.get(MULTISPECIFIC, ()))
        fragment = (any(w in fmt for w in words.get(FRAGMENT, ()))
                    and not any(w in fmt for w in words.get(WHOLE, ())))
        if named == MULTISPECIFIC and not multi:
            out.append(f"-{stem} means multi-specific, but the registry format is "
                       f"{entry.format!r}")
        if named != MULTISPECIFIC and multi:
            multi_stem = next((s.stem for s in tables.stems if s.format == MULTISPECIFIC), "?")
            out.append(f"the registry format {entry.format!r} is multi-specific, which the "
                       f"{ERAS[-1]} scheme names -{multi_stem}, not -{stem}")
        if named == FRAGMENT and not fragment:
            out.append(f"-{stem} means a fragment, but the registry format is {entry.format!r}")
    return out
