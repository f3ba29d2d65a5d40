"""The antibody scheme: enumerate every reading of a word under each era's rules, then rank them.

Spec sections 2 to 5: a word is prefix + target substem + source substem + stem; which letters
count as the target depends on the era's joining rules, so every era is tried and the readings are
ranked (longest target first, unused sources last) and grouped by what they mean.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .models import Reading
from .tables import ERA_ORDER, TARGET_LETTER_WEIGHT, Tables

ONE_LETTER_PREFIX_PENALTY = -1


@dataclass(frozen=True, slots=True)
class Ranked:
    """The outcome of ranking: the chosen reading, the readings that agree with it, the rest."""

    best: Reading
    compatible: tuple[Reading, ...]
    alternatives: tuple[Reading, ...]
    ambiguous: bool

    @property
    def eras(self) -> tuple[str, ...]:
        return tuple(sorted({r.era for r in self.compatible}, key=ERA_ORDER.__getitem__))


def antibody_stem(word: str, tables: Tables):
    """The stem row the word ends in (longest first), or None."""
    for stem in tables.parse_stems:
        if word.endswith(stem.stem) and len(word) > len(stem.stem):
            return stem
    return None


def enumerate_readings(word: str, tables: Tables) -> list[Reading]:
    """Every reading of ``word`` that the joining rules of some era allow (spec 5.2)."""
    stem = antibody_stem(word, tables)
    if stem is None:
        return []
    family = "2022" if "2022" in stem.eras else "legacy"
    index = tables.slots_by_stem_kind[family]
    core = word[: -len(stem.stem)]
    cores = [(core, False)]
    # -vet- before a stem that starts with t: the two t's merge (gacovetug = gaco + vet + tug).
    if stem.stem[0] == "t" and core.endswith("ve"):
        cores.append((core + "t", True))
    out: list[Reading] = []
    for letters, merged in cores:
        for k in range(1, min(tables.max_ending, len(letters) - 1) + 1):
            slots = index.get(letters[-k:])
            if not slots:
                continue
            prefix = letters[:-k]
            for era, trow, surface, srow, score in slots:
                if era not in stem.eras:
                    continue
                if merged and (srow is None or srow.substem != "vet"):
                    continue
                if len(prefix) == 1:
                    score += ONE_LETTER_PREFIX_PENALTY
                note = "the t of -vet- and of the stem are written once" if merged else ""
                out.append(
                    Reading(
                        prefix=prefix,
                        target=surface or None,
                        target_form=trow.form if trow else None,
                        target_class=trow.target_class if trow else None,
                        target_meaning=trow.meaning if trow else None,
                        source=(srow.substem[:-1] if merged else srow.substem) if srow else None,
                        source_meaning=srow.meaning if srow else None,
                        stem=stem.stem,
                        era=era,
                        score=score,
                        note=note,
                    )
                )
    return out


def _rejection(alt: Reading, best: Reading) -> str:
    if alt.score == best.score:
        return "ties with the chosen reading: the letters alone cannot decide"
    if alt.source_meaning and alt.source in ("a", "e", "i"):
        return f"needs the source -{alt.source}- ({alt.source_meaning}), defined but never used"
    if alt.target is None:
        return "reads no target substem"
    if best.target and len(alt.target) < len(best.target):
        return f"shorter target substem (-{alt.target}- against -{best.target}-)"
    return "lower rank"


def rank(readings: list[Reading]) -> Ranked:
    """Pick the best reading; readings with the same meaning widen its eras, others are rejected.

    Two readings mean the same when they name the same target class (the seven original tumour
    classes fold into "tumour") and the same source substem.
    """
    readings = sorted(readings, key=lambda r: (-r.score, -ERA_ORDER[r.era], len(r.prefix)))
    best = readings[0]
    compatible: list[Reading] = []
    alternatives: list[Reading] = []
    for r in readings:
        if r.target_class == best.target_class and r.source == best.source:
            compatible.append(r)
        else:
            alternatives.append(replace(r, note=_rejection(r, best)))
    ambiguous = any(a.score == best.score for a in alternatives)
    return Ranked(best, tuple(compatible), tuple(alternatives), ambiguous)


__all__ = ["TARGET_LETTER_WEIGHT", "Ranked", "antibody_stem", "enumerate_readings", "rank"]
