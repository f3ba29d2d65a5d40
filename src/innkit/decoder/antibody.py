"""The antibody scheme: enumerate every reading of a word under each era's rules, then rank them.

Spec sections 2 to 5: a word is prefix + target substem + source substem + stem; which letters
count as the target depends on the era's joining rules, so every era is tried and the readings are
ranked (longest target first, unused sources last) and grouped by what they mean.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..models import Reading, _quick_init
from ..rules.tables import ERA_ORDER, StemRow, Tables

ONE_LETTER_PREFIX_PENALTY = -1


@_quick_init
@dataclass(frozen=True, slots=True)
class Ranked:
    """The outcome of ranking: the chosen reading, the readings that agree with it, the rest."""

    best: Reading
    compatible: tuple[Reading, ...]
    alternatives: tuple[Reading, ...]
    ambiguous: bool

    @property
    def eras(self) -> tuple[str, ...]:
        if len(self.compatible) == 1:
            return (self.best.era,)
        return tuple(sorted({r.era for r in self.compatible}, key=ERA_ORDER.__getitem__))


def antibody_stem(word: str, tables: Tables) -> StemRow | None:
    """The stem row the word ends in (longest first), or None."""
    for length in tables.stem_lengths:
        stem = tables.stems_by_ending.get(word[-length:])
        if stem is not None and len(word) > length:
            return stem
    return None


def enumerate_readings(word: str, tables: Tables, stem: StemRow | None = None) -> list[Reading]:
    """Every reading of ``word`` that the joining rules of some era allow (spec 5.2)."""
    stem = stem or antibody_stem(word, tables)
    if stem is None:
        return []
    s = stem.stem
    get = tables.slot_index[s].get
    core = word[: -len(s)]
    out: list[Reading] = []
    for k in range(1, min(tables.max_ending, len(core) - 1) + 1):
        slots = get(core[-k:])
        if slots:
            prefix = core[:-k]
            penalty = ONE_LETTER_PREFIX_PENALTY if len(prefix) == 1 else 0
            for t, form, cls, meaning, src, src_meaning, era, score in slots:
                out.append(Reading(prefix, t, form, cls, meaning, src, src_meaning, s, era,
                                   score + penalty))
    # A substem written before the stem whose last letter is the stem's first shares it (the
    # slot column says which: gacovetug = gaco + vet + tug, the t written once).
    for src_row in tables.sources_before_stem():
        merged, shared = src_row.substem[:-1], src_row.substem[-1]
        if s[0] != shared or not core.endswith(merged):
            continue
        letters = core + shared
        for k in range(len(src_row.substem), min(tables.max_ending, len(letters) - 1) + 1):
            prefix = letters[:-k]
            for t, form, cls, meaning, src, src_meaning, era, score in get(letters[-k:], ()):
                if src == src_row.substem:
                    note = f"the {shared} of -{src}- and of the stem are written once"
                    out.append(Reading(prefix, t, form, cls, meaning, merged, src_meaning, s,
                                       era, score, note))
    return out


def source_agrees(substem: str | None, label: str, tables: Tables) -> bool | None:
    """Does a source substem agree with a database's source label ("human; humanized" ...)?

    None when the comparison says nothing: no source in the name, a veterinary -vet- (which
    names a use, not a species), or a label no source row knows.
    """
    if not substem:
        return None
    row = tables.source_as_written(substem)
    if row is not None and not row.labels:  # a use (-vet-), not a species: nothing to compare
        return None
    known = tables.source_by_label
    wanted = {known.get(part.strip().lower()) for chunk in label.split("|")
              for part in chunk.split(";") if part.strip()}
    wanted.discard(None)
    if not wanted:
        return None
    return substem in wanted


def _rejection(alt: Reading, best: Reading, tables: Tables) -> str:
    if alt.score == best.score:
        return "ties with the chosen reading: the letters alone cannot decide"
    if alt.source_meaning and alt.source in tables.unused_sources:
        return f"needs the source -{alt.source}- ({alt.source_meaning}), defined but never used"
    if alt.target is None:
        return "reads no target substem"
    if best.target and len(alt.target) < len(best.target):
        return f"shorter target substem (-{alt.target}- against -{best.target}-)"
    return "lower rank"


def _rank_key(r: Reading) -> tuple[int, int, int]:
    return (-r.score, -ERA_ORDER[r.era], len(r.prefix))


def rank(readings: list[Reading], tables: Tables) -> Ranked:
    """Pick the best reading; readings with the same meaning widen its eras, others are rejected.

    Two readings mean the same when they name the same target class (the seven original tumour
    classes fold into "tumour") and the same source substem.
    """
    if len(readings) == 1:
        return Ranked(readings[0], (readings[0],), (), False)
    readings = sorted(readings, key=_rank_key)
    best = readings[0]
    compatible: list[Reading] = []
    alternatives: list[Reading] = []
    for r in readings:
        if r.target_class == best.target_class and r.source == best.source:
            compatible.append(r)
        else:
            alternatives.append(Reading(
                r.prefix, r.target, r.target_form, r.target_class, r.target_meaning, r.source,
                r.source_meaning, r.stem, r.era, r.score, _rejection(r, best, tables)))
    ambiguous = bool(alternatives) and any(a.score == best.score for a in alternatives)
    return Ranked(best, tuple(compatible), tuple(alternatives), ambiguous)


__all__ = ["Ranked", "antibody_stem", "enumerate_readings", "rank", "source_agrees"]
