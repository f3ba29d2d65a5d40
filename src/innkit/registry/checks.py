"""What a name says against what the registry records: contradictions become warnings."""

from __future__ import annotations

from ..antibody import source_agrees
from ..tables import Tables
from .core import RegistryEntry

_MULTI = ("bispec", "trispec", "multispec", "tetraspec")
_FRAGMENT = ("fab", "scfv", "vhh", "single domain", "fragment", "nanobody", "diabody")


def registry_conflicts(entry: RegistryEntry, source: str | None, source_meaning: str | None,
                       stem: str, tables: Tables) -> list[str]:
    """Warnings for each fact of the name that the registry entry contradicts."""
    out = []
    if entry.source and source_agrees(source, entry.source, tables) is False:
        out.append(
            f"the name reads -{source}- ({source_meaning}) but the registry records the source "
            f"as {entry.source!r} ({entry.provenance or entry.origin}); the substem records the "
            "claim made at naming, databases may classify by sequence"
        )
    fmt = (entry.format or "").lower()
    if fmt and stem in ("tug", "bart", "mig", "ment"):
        multi = any(w in fmt for w in _MULTI)
        fragment = any(w in fmt for w in _FRAGMENT) and "whole" not in fmt
        if stem == "mig" and not multi:
            out.append(f"-mig means multi-specific, but the registry format is {entry.format!r}")
        if stem != "mig" and multi:
            out.append(f"the registry format {entry.format!r} is multi-specific, which the 2022 "
                       f"scheme names -mig, not -{stem}")
        if stem == "ment" and not fragment:
            out.append(f"-ment means a fragment, but the registry format is {entry.format!r}")
    return out
