"""Rules: the curated tables of one folder, each read and indexed once for that folder.

Everything innkit builds from a TSV table belongs to one :class:`Rules` object, never to a
module-level cache, so that two folders never mix: a registry holds its rules, and logic tests
run on small fixture tables (``Rules(folder)``, as python-phonenumbers tests on its own test
metadata) while the package's own tables (``Rules.shipped()``) answer as before.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import TypeVar

from ..errors import DataError
from .classes import DrugClasses, read_classes
from .lenses import Lenses, read_lenses
from .tables import EraRow, Tables, build_tables, parse_table, read_eras

T = TypeVar("T")

_shipped: Rules | None = None
_shipped_lock = threading.Lock()


class Rules:
    """The tables of ``folder`` (None: the package's own ``innkit/data``), read on first use.

    Each table, and each structure built from the tables, is made once per instance: the
    rules' own (``tables``, ``eras``, ``drug_classes``) as cached properties, and those that
    the layers above build (phonetic tables, usage contexts, the audit's rules ...) through
    :meth:`derived`.
    """

    def __init__(self, folder: Path | str | None = None) -> None:
        self.folder = Path(folder) if folder is not None else None
        self._derived: dict[Callable[[Rules], object], object] = {}
        self._lock = threading.Lock()

    @classmethod
    def shipped(cls) -> Rules:
        """The package's own tables: one instance per process."""
        global _shipped
        if _shipped is None:
            with _shipped_lock:
                if _shipped is None:
                    _shipped = cls()
        return _shipped

    def __repr__(self) -> str:
        return f"Rules({str(self.folder) if self.folder else 'shipped'})"

    def read_bytes(self, name: str) -> bytes:
        """The bytes of table ``name`` (for a content hash: a cache built from the table)."""
        try:
            if self.folder is None:
                return resources.files("innkit").joinpath("data", name).read_bytes()
            return (self.folder / name).read_bytes()
        except OSError as exc:
            raise DataError(f"data table {name} is missing", "reinstall innkit") from exc

    def digest(self, name: str) -> str:
        """A short content hash of table ``name``."""
        return hashlib.sha256(self.read_bytes(name)).hexdigest()[:12]

    def read(self, name: str, required: tuple[str, ...]) -> list[dict[str, str]]:
        """Rows of table ``name`` as dicts, with their 1-based line number under ``_line``."""
        return parse_table(name, self.read_bytes(name).decode("utf-8"), required)

    @cached_property
    def tables(self) -> Tables:
        """Every table the decoder and annotator use, indexed."""
        return build_tables(self.read)

    @cached_property
    def eras(self) -> dict[str, EraRow]:
        """The antibody scheme's eras (eras.tsv), oldest first."""
        return read_eras(self.read)

    @cached_property
    def drug_classes(self) -> DrugClasses:
        """Drug-class phrases (drug_classes.tsv) and the class each names."""
        return read_classes(self.read)

    @cached_property
    def lenses(self) -> Lenses:
        """What kind of word a word is (lenses.tsv, modifiers.tsv, salts.tsv), before stems."""
        return read_lenses(self.read)

    def derived(self, build: Callable[[Rules], T]) -> T:
        """What ``build`` makes of these rules, made once per instance: the layers above keep
        their structures here (a folder's phonetic tables never answer for another folder)."""
        found = self._derived.get(build)
        if found is None:
            made = build(self)
            with self._lock:
                found = self._derived.setdefault(build, made)
        return found  # type: ignore[return-value]


__all__ = ["Rules"]
