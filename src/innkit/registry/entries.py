"""One known name and its facts, as the shipped table and the user store both hold it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ENTRY_KINDS = ("inn", "candidate", "code", "brand", "other")
"""What a registry name is: an assigned INN, a proposed name, an internal code, a brand name."""

ENTRY_COLUMNS = ("name", "second_word", "kind", "refers_to", "source", "target_antigen",
                 "target_category", "format", "year", "status", "provenance", "notes")


@dataclass(frozen=True, slots=True)
class RegistryEntry:
    """Facts about one known name, and where they come from."""

    name: str
    second_word: str | None
    kind: str
    origin: str  # "shipped" or "user"
    refers_to: str | None = None  # for brand names and codes: the INN they stand for
    source: str | None = None
    target_antigen: str | None = None
    target_category: str | None = None
    format: str | None = None
    year: int | None = None
    status: str | None = None
    provenance: str | None = None
    notes: str | None = None
    inn_number: str | None = None  # the WHO INN list number, where the shipped table has it

    @property
    def full_name(self) -> str:
        return f"{self.name} {self.second_word}" if self.second_word else self.name

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "second_word": self.second_word,
            "full_name": self.full_name,
            "kind": self.kind,
            "origin": self.origin,
            "refers_to": self.refers_to,
            "source": self.source,
            "target_antigen": self.target_antigen,
            "target_category": self.target_category,
            "format": self.format,
            "year": self.year,
            "status": self.status,
            "provenance": self.provenance,
            "notes": self.notes,
            "inn_number": self.inn_number,
        }
