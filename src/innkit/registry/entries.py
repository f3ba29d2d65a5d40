"""The vocabulary of registry entries: their kinds and the columns both stores hold.

The entry type itself, :class:`~innkit.models.RegistryEntry`, is a result type and lives with
the others in ``models`` (a decoding carries it); it is re-exported here for the registry.
"""

from __future__ import annotations

from ..models import RegistryEntry

__all__ = ["ENTRY_COLUMNS", "ENTRY_KINDS", "RegistryEntry"]

ENTRY_KINDS = ("inn", "candidate", "code", "brand", "other")
"""What a registry name is: an assigned INN, a proposed name, an internal code, a brand name."""

ENTRY_COLUMNS = ("name", "second_word", "kind", "refers_to", "source", "target_antigen",
                 "target_category", "format", "year", "status", "provenance", "notes")
