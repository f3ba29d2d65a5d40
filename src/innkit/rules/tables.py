"""Curated data tables: their rows, checked, and the look-up structures the decoder needs.

The TSV files under ``innkit/data`` (or a folder of tables of the same shape) are the source of
truth; this module parses them and builds the indexes from a reader, and :class:`Rules`
(``innkit.rules.core``) reads each folder once, on first use (never at import).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from ..errors import DataError
from ..vocab import AntibodyFormat

ERAS: tuple[str, ...] = ("original", "2009", "2017", "2022")
ERA_ORDER = {era: i for i, era in enumerate(ERAS)}
VOWELS = frozenset("aeiou")


def _split(value: str, sep: str = ";") -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(sep) if v.strip())


Reader = Callable[[str, tuple[str, ...]], list[dict[str, str]]]
"""Rows of a table by its file name, given the columns it must have (:meth:`Rules.read`)."""


def parse_table(name: str, text: str, required: tuple[str, ...]) -> list[dict[str, str]]:
    """The rows of table ``name`` (its ``text``) as dicts, with their 1-based line number
    under ``_line``; its shape checked."""
    return parse_columns(name, text, required)[1]


def check_columns(name: str, columns: tuple[str, ...], required: tuple[str, ...]) -> None:
    """Raise :class:`DataError` when table ``name``, of ``columns``, lacks a required one."""
    missing = [c for c in required if c not in columns]
    if missing:
        raise DataError(f"data table {name} lacks columns {missing}", "restore the file from git")


def parse_columns(name: str, text: str, required: tuple[str, ...] = ()
                  ) -> tuple[tuple[str, ...], list[dict[str, str]]]:
    """The columns of table ``name`` and its rows, as :func:`parse_table` gives them."""
    reader = csv.DictReader(io.StringIO(text), delimiter="\t")
    columns = tuple(reader.fieldnames or ())
    check_columns(name, columns, required)
    rows = []
    for line, row in enumerate(reader, start=2):
        if None in row or any(v is None for v in row.values()):
            raise DataError(f"{name} line {line}: wrong number of fields", "fix the row's tabs")
        row["_line"] = str(line)
        rows.append(row)
    return columns, rows


@dataclass(frozen=True, slots=True)
class TargetRow:
    era: str
    form: str
    target_class: str
    meaning: str
    before_consonant: tuple[str, ...]
    before_vowel: tuple[str, ...]
    before_stem: tuple[str, ...]
    status: str
    examples: tuple[str, ...]
    evidence: str
    line: int

    @property
    def ref(self) -> str:
        return f"target_substems.tsv line {self.line} ({self.era} {self.form})"


@dataclass(frozen=True, slots=True)
class SourceRow:
    substem: str
    meaning: str
    labels: tuple[str, ...]  # how antibody databases write this source (e.g. "humanized")
    initial: str
    eras: tuple[str, ...]
    used: bool
    examples: tuple[str, ...]
    evidence: str
    line: int
    # Where the substem stands, by era (the ``slot`` column): SOURCE_SLOT or BEFORE_STEM.
    places: tuple[tuple[str, str], ...] = ()

    def place(self, era: str) -> str | None:
        """Where the substem stands in names of ``era``; None when it is not used then."""
        if era not in self.eras:
            return None
        return dict(self.places).get(era)


SOURCE_SLOT = "source"
BEFORE_STEM = "before the stem"
_PLACES = (SOURCE_SLOT, BEFORE_STEM)


def _parse_places(cell: str, eras: tuple[str, ...], where: str) -> tuple[tuple[str, str], ...]:
    """``source`` or ``source (2009); before the stem (2017, 2022)``: a place for every era
    of the row (a place without eras holds for all of them)."""
    out: dict[str, str] = {}
    for part in _split(cell):
        m = re.fullmatch(r"(?P<place>[^()]+?)\s*(?:\((?P<eras>[^()]*)\))?", part)
        place = m.group("place") if m else part
        if place not in _PLACES:
            raise DataError(f"{where}: unknown slot {place!r}", "use " + " or ".join(_PLACES))
        for era in _split(m.group("eras"), ",") if m and m.group("eras") else eras:
            if era not in eras:
                raise DataError(f"{where}: slot names era {era!r}, not in the row's eras",
                                "add the era to the eras column or correct the slot")
            out[era] = place
    missing = [e for e in eras if e not in out]
    if missing:
        raise DataError(f"{where}: slot says nothing for eras {missing}",
                        "give every era of the row a place")
    return tuple(out.items())


@dataclass(frozen=True)
class EraRow:
    """One era of the antibody scheme (eras.tsv): its label for people and when it held."""

    era: str
    label: str
    start: str
    end: str
    source: str
    evidence: str
    line: int


def read_eras(read: Reader) -> dict[str, EraRow]:
    """The scheme's eras, oldest first, as eras.tsv lists them (its order is the order)."""
    rows = {
        r["era"]: EraRow(r["era"], r["label"], r["from"], r["to"], r["source"], r["evidence"],
                         int(r["_line"]))
        for r in read("eras.tsv", ("era", "label", "from", "to", "source", "evidence"))
    }
    if tuple(rows) != ERAS:
        raise DataError(f"eras.tsv lists {tuple(rows)}, the decoder knows {ERAS}",
                        "restore the file from git")
    return rows


def read_format_keywords(read: Reader) -> dict[str, tuple[str, ...]]:
    """Words of a database's format label by what they mean (audit_formats.tsv): ``bispec``
    and ``multispec`` mean multispecific, ``scfv`` and ``fab`` a fragment, ``whole`` whole."""
    out: dict[str, tuple[str, ...]] = {}
    for r in read("audit_formats.tsv", ("keyword", "means", "evidence")):
        out[r["means"]] = (*out.get(r["means"], ()), r["keyword"].lower())
    return out


@dataclass(frozen=True, slots=True)
class StemRow:
    stem: str
    kind: str
    format: str  # the 2022 format the stem names: whole, engineered, multispecific, fragment
    group: str
    meaning: str
    eras: tuple[str, ...]
    examples: tuple[str, ...]
    evidence: str
    line: int


@dataclass(frozen=True, slots=True)
class ModifierRow:
    word: str
    kind: str
    payload_class: str
    meaning: str
    confidence: str
    source: str  # where the row lives, for ``matched_by``
    note: str = ""  # a caution to pass on to the user (e.g. a non-WHO spelling)


@dataclass(frozen=True, slots=True)
class ExceptionRow:
    name: str
    prefix: str
    target: str
    target_era: str
    target_form: str
    source: str
    stem: str
    suffix: str
    eras: tuple[str, ...]
    reason: str
    evidence: str
    line: int


@dataclass(frozen=True, slots=True)
class RadiolabelRow:
    element: str
    symbol: str
    mass_numbers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StemEntry:
    """One row of the general stem tables (WHO stem book and biologic sub-stems)."""

    stem: str  # as the stem book writes it: "-olol", "cef-", "-apt-", "andr"
    core: str  # the letters matched: "olol", "cef", "apt", "andr"
    position: str  # suffix, prefix, infix, anywhere
    meaning: str
    deleted: bool
    weak: bool
    confidence: str  # the row's own confidence ("" when the row states none)
    examples: tuple[str, ...]
    lineage: tuple[str, ...]  # the shorter stems this one extends, nearest first (-plase, -ase)
    ref: str  # table and line, for "which row"
    excluded_with: str = ""  # a stem whose class this one's leaves out (-olone: pred), or whose
    # letters hold this one (the -pine of -tropine: trop)
    alone: bool = False  # a word it ends is read by it alone (-ase: the letters before it name
    # what the enzyme acts on, not a class of drug)

    @property
    def parent(self) -> str | None:
        return self.lineage[0] if self.lineage else None


CHEMICAL_POSITIONS = ("suffix", "prefix", "anywhere")
"""Where a row of chemical_words.tsv stands in a word (the order :meth:`Tables.chemistry_in`
groups the rows in)."""


@dataclass(frozen=True, slots=True)
class ChemicalWord:
    """One row of chemical_words.tsv: letters of chemical nomenclature (a class ending such as
    -sterol, a group such as nitroso-) that hold a WHO stem's letters by chance."""

    word: str
    position: str  # suffix, prefix or anywhere: where in a word the letters name the chemistry
    meaning: str
    hides: frozenset[str]  # the stems whose letters, inside or across these, are not read
    examples: tuple[str, ...]
    ref: str

    def spans(self, word: str) -> list[tuple[int, int]]:
        """Where these letters stand in ``word`` at their position (none when they do not)."""
        size, n = len(word), len(self.word)
        if self.position == "suffix":
            return [(size - n, size)] if word.endswith(self.word) else []
        if self.position == "prefix":
            return [(0, n)] if word.startswith(self.word) else []
        found, at = [], word.find(self.word)
        while at >= 0:
            found.append((at, at + n))
            at = word.find(self.word, at + 1)
        return found


# One way an ending of the letters before the stem can be read, in the field order of
# ``Reading``: target surface, target form, target class, target meaning, source, source meaning,
# era, score contribution.
Slot = tuple[str | None, str | None, str | None, str | None, str | None, str | None, str, int]

Edge = tuple[tuple[int, ...], dict[str, tuple[StemEntry, ...]]]
"""The stems of one edge (two letters): their lengths, longest first, and the current rows of
each stem's letters."""

@dataclass(frozen=True)
class Tables:
    targets: tuple[TargetRow, ...]
    sources: tuple[SourceRow, ...]
    stems: tuple[StemRow, ...]
    modifiers: dict[str, ModifierRow]
    endings: tuple[ModifierRow, ...]
    qualifiers: dict[str, ModifierRow]
    radiolabels: dict[str, RadiolabelRow]
    radiolabels_by_symbol: dict[str, RadiolabelRow]
    exceptions: dict[str, ExceptionRow]
    general_stems: tuple[StemEntry, ...]
    stems_by_position: dict[str, dict[str, tuple[StemEntry, ...]]]
    # Current suffix (prefix) stems grouped by their last (first) two letters (see Edge).
    suffixes_by_tail: dict[str, Edge]
    prefixes_by_head: dict[str, Edge]
    free_stems: dict[str, tuple[StemEntry, ...]]  # infix and free-position stems by letters
    free_stem_pattern: re.Pattern[str]  # finds them all in one pass, longest first
    exclusions: dict[str, str]  # stem -> the stem whose class its definition leaves out
    alone: frozenset[str]  # suffix stems that a word they end is read by alone (-ase)
    chemical_words: tuple[ChemicalWord, ...]  # chemistry whose letters hold stems by chance
    salts: dict[str, str]
    format_keywords: dict[str, tuple[str, ...]]  # what a database's format label says
    source_by_label: dict[str, str]  # "humanized" -> "zu"
    unused_sources: frozenset[str]  # defined but never used in a name (``used`` = no)
    # Derived indices for the decoder: stem -> ending -> readings of that ending.
    slot_index: dict[str, dict[str, tuple[Slot, ...]]]
    parse_stems: tuple[StemRow, ...]
    stems_by_ending: dict[str, StemRow]
    stem_lengths: tuple[int, ...]  # longest first
    max_ending: int

    def target_row(self, era: str, form: str) -> TargetRow | None:
        return self._rows[0].get((era, form))

    def source_row(self, substem: str) -> SourceRow | None:
        return self._rows[1].get(substem)

    def stem_row(self, stem: str) -> StemRow | None:
        return self._rows[2].get(stem)

    @cached_property
    def _rows(self) -> tuple[dict[tuple[str, str], TargetRow], dict[str, SourceRow],
                             dict[str, StemRow]]:
        """The target, source and stem rows by what they are found by (the first of each),
        once per set of tables: a decode asks for several."""
        targets: dict[tuple[str, str], TargetRow] = {}
        sources: dict[str, SourceRow] = {}
        stems: dict[str, StemRow] = {}
        for t in self.targets:
            targets.setdefault((t.era, t.form), t)
        for s in self.sources:
            sources.setdefault(s.substem, s)
        for r in self.stems:
            stems.setdefault(r.stem, r)
        return targets, sources, stems

    @cached_property
    def spaced_suffixes(self) -> tuple[str, ...] | None:
        """The letters of the stems written as two words (-dronic acid), all suffix stems: a
        phrase that ends in none of them holds none. None when a prefix or free stem is
        written as two words too (a phrase is then read whole to find them)."""
        def spaced(rows_of: dict[str, tuple[StemEntry, ...]]) -> list[str]:
            return [core for core, rows in rows_of.items() if any(" " in r.stem for r in rows)]

        if any(spaced(edge[1]) for edge in self.prefixes_by_head.values()) or \
                spaced(self.free_stems):
            return None
        return tuple(core for edge in self.suffixes_by_tail.values() for core in spaced(edge[1]))

    @cached_property
    def _chemistry(self) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        """The letters of chemical_words.tsv by position: suffixes, prefixes, anywhere."""
        rows = self.chemical_words
        return tuple(tuple(w.word for w in rows if w.position == p)
                     for p in CHEMICAL_POSITIONS)

    def chemistry_in(self, word: str) -> list[tuple[ChemicalWord, int, int]]:
        """The rows of chemical_words.tsv that ``word`` holds at their position, each with
        where it stands (two C calls and a few look-ups decide that most words hold none)."""
        ends, starts, inside = self._chemistry
        if not (word.endswith(ends) or word.startswith(starts)
                or any(w in word for w in inside)):
            return []
        return [(w, a, b) for w in self.chemical_words for a, b in w.spans(word)]

    def sources_before_stem(self) -> tuple[SourceRow, ...]:
        """Source rows that the ``slot`` column puts before the stem in some era (-vet-)."""
        return self._before_stem

    @cached_property
    def _before_stem(self) -> tuple[SourceRow, ...]:
        # found once per set of tables, not once per name read
        return tuple(s for s in self.sources if any(p == BEFORE_STEM for _, p in s.places))

    def source_as_written(self, substem: str) -> SourceRow | None:
        """The row of a source substem as a reading writes it: its own, or the row whose last
        letter merged into the stem's first (-ve- of -vet- before -tug)."""
        return self.source_row(substem) or next(
            (r for r in self.sources_before_stem() if r.substem[:-1] == substem), None)


# Ranking weights (spec 5.3): a longer target surface is better evidence; sources that were
# defined but never used (rat, hamster, primate) are heavily penalised; a source-less reading of
# the 2017/2022 schemes gets a small bonus so that ``-tamab`` reads ta + mab, not t + a (rat).
TARGET_LETTER_WEIGHT = 3
UNUSED_SOURCE_PENALTY = -20
SOURCELESS_BONUS = 1


def _build_slots(
    targets: tuple[TargetRow, ...], sources: tuple[SourceRow, ...]
) -> dict[str, dict[str, list[Slot]]]:
    """Index every (target surface + source) ending by era: each era's joining rules applied."""
    out: dict[str, dict[str, list[Slot]]] = {era: {} for era in ERAS}

    def add(era: str, ending: str, trow: TargetRow | None, surface: str,
            srow: SourceRow | None, score: int) -> None:
        slot: Slot = (
            surface or None,
            trow.form if trow else None,
            trow.target_class if trow else None,
            trow.meaning if trow else None,
            srow.substem if srow else None,
            srow.meaning if srow else None,
            era,
            score,
        )
        out[era].setdefault(ending, []).append(slot)

    for src in sources:
        # The source slot of the original and 2009 schemes (the slot column says which eras).
        penalty = 0 if src.used else UNUSED_SOURCE_PENALTY
        ctx_vowel = src.initial == "vowel"
        for era in ERAS:
            if src.place(era) != SOURCE_SLOT:
                continue
            for row in targets:
                if row.era != era or row.status != "active":
                    continue
                for surface in row.before_vowel if ctx_vowel else row.before_consonant:
                    score = TARGET_LETTER_WEIGHT * len(surface) + penalty
                    add(era, surface + src.substem, row, surface, src, score)
    # From 2017 there is no source slot: the target stands before the stem, and a substem the
    # slot column puts "before the stem" (-vet-) comes between them.
    before_stem = [s for s in sources if any(p == BEFORE_STEM for _, p in s.places)]
    for row in targets:
        if row.status != "active":
            continue
        for surface in row.before_stem:
            score = TARGET_LETTER_WEIGHT * len(surface)
            add(row.era, surface, row, surface, None, score + SOURCELESS_BONUS)
            for src in before_stem:
                if src.place(row.era) == BEFORE_STEM:
                    add(row.era, surface + src.substem, row, surface, src, score)
    for src in before_stem:
        # Such a substem may also stand with no target substem at all (veterinary names from
        # about 2018, spec 5.6).
        for era in ERAS:
            if src.place(era) == BEFORE_STEM:
                add(era, src.substem, None, "", src, 0)
    return out


def _index_for_stem(stem: StemRow, by_era: dict[str, dict[str, list[Slot]]]) -> dict:
    """Merge the endings of every era the stem belongs to."""
    merged: dict[str, list[Slot]] = {}
    for era in stem.eras:
        for ending, slots in by_era.get(era, {}).items():
            merged.setdefault(ending, []).extend(slots)
    return {ending: tuple(slots) for ending, slots in merged.items()}


def _stem_core(stem: str) -> tuple[str, str]:
    """Letters and position of a stem as the stem book writes it (spec 1: hyphens mark it)."""
    text = stem.strip()
    if text.startswith("-") and text.endswith("-") and len(text) > 2:
        return text[1:-1], "infix"
    if text.startswith("-"):
        return text[1:], "suffix"
    if text.endswith("-"):
        return text[:-1], "prefix"
    return text, "anywhere"


def _load_general_stems(read: Reader) -> tuple[StemEntry, ...]:
    """inn_stems.tsv and biologic_stems.tsv, with each stem's parent worked out from the rows."""
    raw: list[tuple[str, str, str, str, bool, bool, str, tuple[str, ...], str, str, bool]] = []
    for table, cols in (("inn_stems.tsv", ("stem", "position", "meaning", "status", "strength",
                                           "examples", "evidence", "excluded_with")),
                        ("biologic_stems.tsv", ("stem", "position", "meaning", "examples",
                                                "evidence", "confidence"))):
        for r in read(table, cols):
            core, shape = _stem_core(r["stem"])
            if shape != r["position"]:
                raise DataError(f"{table} line {r['_line']}: {r['stem']!r} is written as a "
                                f"{shape} but marked {r['position']}", "fix the hyphens")
            alone = r.get("reads_alone", "")
            if alone not in ("", "yes") or (alone and shape != "suffix"):
                raise DataError(f"{table} line {r['_line']}: reads_alone is {alone!r}; it is "
                                "'yes' or empty, and 'yes' only on a suffix stem",
                                "fix the reads_alone cell")
            raw.append((r["stem"].strip(), core, r["position"], r["meaning"],
                        r.get("status") == "deleted", r.get("strength") == "weak",
                        r.get("confidence", ""), _split(r["examples"]),
                        f"{table} line {r['_line']}", r.get("excluded_with", ""),
                        alone == "yes"))
    suffixes = {core for _, core, pos, *_ in raw if pos == "suffix"}
    prefixes = {core for _, core, pos, *_ in raw if pos == "prefix"}
    entries = []
    for stem, core, pos, meaning, deleted, weak, confidence, examples, ref, excluded, alone \
            in raw:
        lineage: list[str] = []
        if pos in ("suffix", "prefix"):
            pool = suffixes if pos == "suffix" else prefixes
            for cut in range(1, len(core)):
                shorter = core[cut:] if pos == "suffix" else core[:-cut]
                if shorter in pool:
                    lineage.append(f"-{shorter}" if pos == "suffix" else f"{shorter}-")
        entries.append(StemEntry(stem, core, pos, meaning, deleted, weak, confidence, examples,
                                 tuple(lineage), ref, excluded, alone))
    return tuple(entries)


def _group_by_edge(rows_by_core: dict[str, list[StemEntry]], *, tail: bool) -> dict[str, Edge]:
    """Current (not deleted) stems by their last (first) two letters: the lengths they come
    in, longest first, and the rows of each stem's letters. A word is then matched by slicing
    its end (start) once per length, not by testing every stem of the group. A row with no
    definition (the source gives none: -arone, -anide) is no reading, and is left out: the
    word is read by the stems whose definitions apply (amiodarone, a ketone: -one)."""
    groups: dict[str, dict[str, tuple[StemEntry, ...]]] = {}
    for core, rows in rows_by_core.items():
        current = tuple(r for r in rows if not r.deleted and r.meaning)
        if current:
            groups.setdefault(core[-2:] if tail else core[:2], {})[core] = current
    return {edge: (tuple(sorted({len(c) for c in cores}, reverse=True)), cores)
            for edge, cores in groups.items()}


def _read_targets(read: Reader) -> tuple[TargetRow, ...]:
    """target_substems.tsv, every row's era checked."""
    targets = tuple(
        TargetRow(
            era=r["era"],
            form=r["form"],
            target_class=r["target_class"],
            meaning=r["meaning"],
            before_consonant=_split(r["before_consonant"], " "),
            before_vowel=_split(r["before_vowel"], " "),
            before_stem=_split(r["before_stem"], " "),
            status=r["status"],
            examples=_split(r["examples"]),
            evidence=r["evidence"],
            line=int(r["_line"]),
        )
        for r in read(
            "target_substems.tsv",
            ("era", "form", "target_class", "meaning", "before_consonant", "before_vowel",
             "before_stem", "status", "examples", "evidence"),
        )
    )
    for t in targets:
        if t.era not in ERAS:
            raise DataError(f"target_substems.tsv line {t.line}: unknown era {t.era!r}", "use "
                            + ", ".join(ERAS))
    return targets


def _read_sources(read: Reader) -> tuple[SourceRow, ...]:
    """source_substems.tsv, with the slot of every era."""
    sources = tuple(
        SourceRow(
            substem=r["substem"],
            meaning=r["meaning"],
            labels=_split(r["database_labels"]),
            initial=r["initial"],
            eras=_split(r["eras"]),
            used=r["used"] == "yes",
            examples=_split(r["examples"]),
            evidence=r["evidence"],
            line=int(r["_line"]),
            places=_parse_places(r["slot"], _split(r["eras"]),
                                 f"source_substems.tsv line {r['_line']}"),
        )
        for r in read(
            "source_substems.tsv",
            ("substem", "meaning", "database_labels", "initial", "eras", "slot", "used",
             "examples"),
        )
    )
    return sources


def _read_stems(read: Reader) -> tuple[StemRow, ...]:
    """antibody_stems.tsv."""
    stems = tuple(
        StemRow(
            stem=r["stem"],
            kind=r["kind"],
            format=r["format"],
            group=r["group"],
            meaning=r["meaning"],
            eras=_split(r["eras"]),
            examples=_split(r["examples"]),
            evidence=r["evidence"],
            line=int(r["_line"]),
        )
        for r in read("antibody_stems.tsv",
                            ("stem", "kind", "format", "group", "meaning", "eras"))
    )
    for row in stems:
        if row.format and row.format not in set(AntibodyFormat):
            raise DataError(f"antibody_stems.tsv line {row.line}: unknown format {row.format!r}",
                            "use " + ", ".join(AntibodyFormat) + " (innkit.vocab.AntibodyFormat)")
    return stems


def _read_modifiers(read: Reader) -> tuple[dict[str, ModifierRow], tuple[ModifierRow, ...],
                               dict[str, ModifierRow]]:
    """modifiers.tsv, modifier_endings.tsv (longest first) and qualifiers.tsv."""
    modifiers = {
        r["word"]: ModifierRow(r["word"], r["kind"], r["payload_class"], r["meaning"],
                               r["confidence"], f"modifiers.tsv line {r['_line']}")
        for r in read("modifiers.tsv", ("word", "kind", "payload_class", "meaning"))
    }
    endings = tuple(
        sorted(
            (
                ModifierRow(r["ending"], r["kind"], r["payload_class"], r["meaning"], "medium",
                            f"ending -{r['ending']} (modifier_endings.tsv line {r['_line']})")
                for r in read("modifier_endings.tsv", ("ending", "kind", "payload_class"))
            ),
            key=lambda m: -len(m.word),
        )
    )
    qualifiers = {
        r["word"]: ModifierRow(r["word"], "qualifier", "", r["meaning"], "high",
                               f"qualifiers.tsv line {r['_line']}", r["notes"])
        for r in read("qualifiers.tsv", ("word", "kind", "meaning", "notes"))
    }
    return modifiers, endings, qualifiers


def _read_exceptions(read: Reader) -> dict[str, ExceptionRow]:
    """exceptions.tsv, each row's parts checked to spell its name."""
    exceptions = {
        r["name"]: ExceptionRow(
            name=r["name"], prefix=r["prefix"], target=r["target"], target_era=r["target_era"],
            target_form=r["target_form"], source=r["source"], stem=r["stem"], suffix=r["suffix"],
            eras=_split(r["eras"]), reason=r["reason"], evidence=r["evidence"],
            line=int(r["_line"]),
        )
        for r in read(
            "exceptions.tsv",
            ("name", "prefix", "target", "target_era", "target_form", "source", "stem", "suffix",
             "eras", "reason", "evidence"),
        )
    }
    for ex in exceptions.values():
        if ex.prefix + ex.target + ex.source + ex.stem + ex.suffix != ex.name:
            raise DataError(f"exceptions.tsv line {ex.line}: parts do not spell {ex.name}",
                            "make prefix+target+source+stem+suffix equal the name")
    return exceptions


def _read_chemical_words(read: Reader, general: tuple[StemEntry, ...]
                         ) -> tuple[ChemicalWord, ...]:
    """chemical_words.tsv, each hidden stem checked to be a stem of the stem tables."""
    known = {e.stem for e in general}
    rows = []
    for r in read("chemical_words.tsv", ("word", "position", "class", "hides", "examples",
                                         "evidence")):
        where = f"chemical_words.tsv line {r['_line']}"
        hides = frozenset(_split(r["hides"]))
        unknown = sorted(hides - known)
        if r["position"] not in CHEMICAL_POSITIONS or not hides or unknown or \
                r["word"] != r["word"].lower() or not r["word"].isalpha():
            raise DataError(f"{where}: {r['word']!r} needs lower-case letters, a position of "
                            f"{', '.join(CHEMICAL_POSITIONS)} and the stems it hides "
                            f"(unknown: {', '.join(unknown) or 'none'})", "fix the row")
        rows.append(ChemicalWord(r["word"], r["position"], r["class"], hides,
                                 _split(r["examples"]), where))
    return tuple(rows)


def _index_general(general: tuple[StemEntry, ...]) -> tuple[dict[str, dict[str, list[StemEntry]]],
                                                         dict[str, tuple[StemEntry, ...]]]:
    """The general stems by position and letters, and the infix and free-position ones."""
    by_position: dict[str, dict[str, list[StemEntry]]] = {}
    for entry in general:
        by_position.setdefault(entry.position, {}).setdefault(entry.core, []).append(entry)
    free: dict[str, tuple[StemEntry, ...]] = {}
    for position in ("infix", "anywhere"):
        for core, rows in by_position.get(position, {}).items():
            free[core] = free.get(core, ()) + tuple(rows)
    return by_position, free


def build_tables(read: Reader) -> Tables:
    """Every curated table the decoder and annotator use, read with ``read`` and indexed."""
    targets = _read_targets(read)
    sources = _read_sources(read)
    stems = _read_stems(read)
    modifiers, endings, qualifiers = _read_modifiers(read)
    radiolabels = {
        r["element"]: RadiolabelRow(r["element"], r["symbol"], _split(r["mass_numbers"]))
        for r in read("radiolabels.tsv", ("element", "symbol", "mass_numbers"))
    }
    exceptions = _read_exceptions(read)
    general = _load_general_stems(read)
    by_position, free = _index_general(general)
    salts = {r["word"]: r["kind"] for r in read("salts.tsv", ("word", "kind", "evidence"))}
    by_era = _build_slots(targets, sources)
    parse_stems = tuple(
        sorted((s for s in stems if s.kind == "stem"), key=lambda s: -len(s.stem))
    )
    slot_index = {s.stem: _index_for_stem(s, by_era) for s in parse_stems}
    max_ending = max(len(k) for index in slot_index.values() for k in index)
    return Tables(
        targets=targets, sources=sources, stems=stems, modifiers=modifiers, endings=endings,
        qualifiers=qualifiers, radiolabels=radiolabels, exceptions=exceptions,
        radiolabels_by_symbol={r.symbol.lower(): r for r in radiolabels.values()},
        general_stems=general,
        stems_by_position={p: {c: tuple(v) for c, v in d.items()} for p, d in by_position.items()},
        suffixes_by_tail=_group_by_edge(by_position.get("suffix", {}), tail=True),
        prefixes_by_head=_group_by_edge(by_position.get("prefix", {}), tail=False),
        free_stems=free,
        free_stem_pattern=re.compile(  # (?!) when no stem stands free: a pattern never matching
            "(?=(" + "|".join(re.escape(c) for c in sorted(free, key=len, reverse=True)) + "))"
            if free else "(?!)"),
        exclusions={e.stem: e.excluded_with for e in general if e.excluded_with},
        alone=frozenset(e.stem for e in general if e.alone and e.position == "suffix"),
        chemical_words=_read_chemical_words(read, general),
        salts=salts,
        format_keywords=read_format_keywords(read),
        source_by_label={lab: row.substem for row in sources for lab in row.labels},
        unused_sources=frozenset(row.substem for row in sources if not row.used),
        slot_index=slot_index,
        stems_by_ending={s.stem: s for s in parse_stems},
        stem_lengths=tuple(sorted({len(s.stem) for s in parse_stems}, reverse=True)),
        parse_stems=parse_stems, max_ending=max_ending,
    )
