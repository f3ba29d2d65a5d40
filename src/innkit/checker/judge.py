"""Judging a claim: what the name's parts say under their era's rules, and what the antibody
table says (its row and source), each given as evidence.

A claim is ``consistent`` when the data row or the name says the same, ``contradicts`` when
what is known says otherwise, ``unverifiable`` when neither speaks: names coined under the 2017
and later schemes carry no source substem, and an antibody outside the table has no data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..decoder.decode import decode
from ..models import Decoding, Mention
from ..registry import Registry
from ..rules import Rules
from ..vocab import ClaimKind, Verdict
from .claims import Found
from .words import Lexicon, row_antigens

SOURCE_ERAS = ("original", "2009")
"""The eras whose names carry a source substem (eras.tsv: the 2017 revision dropped it)."""
TABLE = "antibody_inns.tsv"


@dataclass(frozen=True, slots=True)
class Facts:
    """What is known of one antibody: its name's reading and its data row."""

    inn: str
    unii: str | None
    decoding: Decoding
    full: Decoding  # the decoding of the whole INN the data gives (its second word too)

    @property
    def entry(self):
        return self.full.registry or self.decoding.registry


def _tokens(label: str) -> set[str]:
    """``chimeric/humanized; human`` -> {chimeric, humanized, human}: the words of a source
    label, a bracketed remark left out."""
    out = set()
    for part in re.split(r"[;|/]", re.sub(r"\([^)]*\)", "", label.lower())):
        if part.strip():
            out.add(part.strip())
    return out


def facts(mention: Mention, registry: Registry) -> Facts:
    d = mention.decoding
    inn = (d.suggestion or "").lower()
    unii = d.suggestion_unii if d.suggestion else None
    if not inn and d.substance is not None and d.substance.inn and not d.substance.ambiguous:
        inn = d.substance.inn.lower()
        unii = d.substance.unii
    if not inn:
        words = [d.name or mention.text.lower()] + [m.word for m in d.modifiers]
        inn = " ".join(words).lower()
    if unii is None:
        unii = dict(d.identifiers).get("unii")
    full = d
    entry = d.registry
    if entry is not None and entry.second_word and not d.modifiers:
        full = decode(entry.full_name, registry=registry)
    elif d.suggestion:
        full = decode(d.suggestion, registry=registry)
    return Facts(inn, unii, d, full)


class Judge:
    def __init__(self, rules: Rules, lex: Lexicon) -> None:
        self.rules = rules
        self.lex = lex
        self.eras = rules.eras
        self.stem_formats = {s.stem: s.format for s in rules.tables.stems if s.format}
        kinds = {m.kind.lower() for m in rules.tables.modifiers.values()}
        # the format claims a conjugate word makes true (conjugate), and the data labels of those
        self.conjugate_labels = {x for (kind, _), labels in lex.value_labels.items()
                                 if kind == ClaimKind.FORMAT and kinds & set(labels)
                                 for x in labels}

    def judge(self, c: Found, f: Facts) -> tuple[Verdict, tuple[str, ...]]:
        method = {ClaimKind.SOURCE: self._source, ClaimKind.TARGET: self._target,
                  ClaimKind.TARGET_CLASS: self._target_class, ClaimKind.PAYLOAD: self._payload,
                  ClaimKind.FORMAT: self._format}[c.kind]
        verdict, evidence = method(c, f)
        if c.word is not None:
            evidence.append(f"claim word: {c.word.table} line {c.word.line}")
        if f.unii:
            evidence.append(f"UNII {f.unii}")
        return verdict, tuple(evidence)

    # ------------------------------------------------------------------------ helpers

    def _era_label(self, era: str) -> str:
        row = self.eras.get(era)
        return row.label if row else era

    def _data(self, f: Facts, column: str) -> str:
        entry = f.entry
        value = getattr(entry, column, None) if entry is not None else None
        return value.strip() if isinstance(value, str) else ""

    def _row(self, f: Facts, column: str, value: str) -> str:
        entry = f.entry
        where = f"{TABLE} {entry.full_name}" if entry is not None else TABLE
        source = f" ({entry.provenance})" if entry is not None and entry.provenance else ""
        return f"data: {where}: {column} {value}{source}"

    def _labels(self, c: Found) -> tuple[str, ...]:
        return c.word.labels if c.word is not None else ()

    # ------------------------------------------------------------------------ each kind

    def _source(self, c: Found, f: Facts) -> tuple[Verdict, list[str]]:
        wanted = set(self._labels(c))
        evidence: list[str] = []
        name_says: set[str] = set()
        for r in f.decoding.readings:
            if r.era in SOURCE_ERAS and r.source and r.source_meaning:
                words = _tokens(r.source_meaning)
                name_says |= words
                evidence.append(f"name: {f.decoding.segmentation or r.segmentation}: "
                                f"-{r.source}- {r.source_meaning} ({self._era_label(r.era)})")
        if not name_says and f.decoding.eras:
            eras = ", ".join(self._era_label(e) for e in f.decoding.eras)
            evidence.append(f"name: {f.decoding.segmentation or f.decoding.name}: no source "
                            f"substem ({eras}: names of this scheme do not encode the source)")
        data = self._data(f, "source")
        data_says = _tokens(data) if data else set()
        if data:
            evidence.insert(0, self._row(f, "source", data))
        if data_says & wanted or (name_says & wanted):
            return Verdict.CONSISTENT, _dedupe(evidence)
        if data_says or name_says:
            return Verdict.CONTRADICTS, _dedupe(evidence)
        return Verdict.UNVERIFIABLE, _dedupe(evidence)

    def _name_classes(self, f: Facts) -> dict[str, str]:
        """target class -> how the name says it (-tu- tumour, original scheme)."""
        out: dict[str, str] = {}
        for r in f.decoding.readings:
            if r.target_class and r.target_class not in out:
                out[r.target_class] = (f"name: -{r.target}- {r.target_meaning or r.target_class}"
                                       f" ({self._era_label(r.era)})")
        return out

    def target_value(self, c: Found, f: Facts) -> str:
        """A target claim normalised: the HGNC symbol of the antigen, or, for "X receptor",
        the antigen of the data row it names (the interleukin-2 receptor is IL2RA), else X."""
        extended = self.lex.extends.search(c.value)
        base = c.value[:extended.start()] if extended else c.value
        if extended:
            claimed = self.lex.expand(base)
            for spellings in row_antigens(self._data(f, "target_antigen")):
                keys = {k for s in spellings for k in self.lex.expand(s)}
                if any(s.startswith(k) for k in claimed for s in keys):
                    return self.lex.symbol(spellings[0])
        return self.lex.symbol(base)

    def _target(self, c: Found, f: Facts) -> tuple[Verdict, list[str]]:
        extended = self.lex.extends.search(c.value)
        base = c.value[:extended.start()] if extended else c.value
        claimed = self.lex.expand(base)
        data = self._data(f, "target_antigen")
        evidence: list[str] = []
        line = next((self.lex.synonym_lines[k] for k in claimed if k in self.lex.synonym_lines),
                    None)
        if line is not None:
            evidence.append(f"synonyms: antigen_synonyms.tsv line {line}")
        classes = self._name_classes(f)
        groups = self.lex.groups_of(base) or [
            g for k in claimed for g in self.lex.groups if g.pattern.fullmatch(k)]
        allowed = {cl for g in groups for cl in g.classes}
        fits = [how for cl, how in classes.items() if cl in allowed]
        if fits:
            evidence.append(f"{fits[0]}, a class {c.value} is named for "
                            f"(antigen_classes.tsv line {groups[0].line})")
        if data:
            evidence.insert(0, self._row(f, "target_antigen", data))
            known: set[str] = set()
            for spellings in row_antigens(data):
                for s in spellings:
                    known |= self.lex.expand(s)
            # a descriptive antigen (Respiratory Syncytial Virus Glycoprotein F) is matched by
            # the organism or protein it names
            if claimed & known or any(len(k) >= 6 and k in s for k in claimed for s in known):
                return Verdict.CONSISTENT, evidence
            # "X receptor" is X itself (the PD-1 receptor) or an antigen whose symbol grows
            # from X's (the interleukin-2 receptor, IL2RA)
            if extended and any(s.startswith(k) for k in claimed for s in known):
                return Verdict.CONSISTENT, evidence
            return Verdict.CONTRADICTS, evidence
        if classes and allowed and not fits:
            evidence.append(f"{'; '.join(classes.values())}: {c.value} is among the "
                            f"{groups[0].group}, named {' or '.join(sorted(allowed))} "
                            f"(antigen_classes.tsv line {groups[0].line})")
            return Verdict.CONTRADICTS, evidence
        return Verdict.UNVERIFIABLE, evidence

    def _target_class(self, c: Found, f: Facts) -> tuple[Verdict, list[str]]:
        wanted = set(self._labels(c))
        classes = self._name_classes(f)
        data = self._data(f, "target_category")
        evidence = list(classes.values())
        data_says = {x.strip().lower() for x in re.split(r"[;|]", data) if x.strip()}
        if data:
            evidence.insert(0, self._row(f, "target_category", data))
        if wanted & (set(classes) | data_says):
            return Verdict.CONSISTENT, evidence
        if classes or data_says:
            return Verdict.CONTRADICTS, evidence
        return Verdict.UNVERIFIABLE, evidence

    def _carried(self, f: Facts) -> tuple[set[str], list[str]]:
        """What the conjugate's second word or radiolabel carries: payload classes and the
        modifier kinds (payload, toxin, chelator, fusion ...), with evidence."""
        labels: set[str] = set()
        evidence = []
        for m in f.full.modifiers:
            for x in (m.payload_class, m.kind):
                if x:
                    labels.add(str(x).lower())
            evidence.append(f"name: {m.word}: {m.kind}"
                            f"{f' ({m.payload_class})' if m.payload_class else ''}, "
                            f"{m.meaning} [{m.matched_by}]")
        if f.full.radiolabel is not None:
            labels.add("radiolabel")
            evidence.append(f"name: radiolabel {f.full.radiolabel.isotope}")
        return labels, evidence

    def _payload(self, c: Found, f: Facts) -> tuple[Verdict, list[str]]:
        wanted = set(self._labels(c))
        carried, evidence = self._carried(f)
        fmt = self._data(f, "format")
        if fmt:
            evidence.append(self._row(f, "format", fmt))
        if carried & wanted:
            return Verdict.CONSISTENT, evidence
        if carried:
            return Verdict.CONTRADICTS, evidence
        if f.decoding.conjugates:
            evidence.append("name: a naked antibody word; its conjugates: "
                            + ", ".join(inn for inn, _ in f.decoding.conjugates))
            return Verdict.UNVERIFIABLE, evidence
        if fmt and not self._format_says(fmt, self.conjugate_labels):
            evidence.append("the data lists the antibody without a conjugate")
            return Verdict.CONTRADICTS, evidence
        return Verdict.UNVERIFIABLE, evidence

    @staticmethod
    def _format_says(fmt: str, labels: tuple[str, ...] | set[str]) -> bool:
        return any(re.search(rf"(?<![a-z]){re.escape(x)}(?![a-z])", fmt.lower())
                   for x in labels)

    def _format(self, c: Found, f: Facts) -> tuple[Verdict, list[str]]:
        wanted = set(self._labels(c))
        carried, evidence = self._carried(f)
        fmt = self._data(f, "format")
        stem_format = self.stem_formats.get(f.decoding.stem or "", "")
        if stem_format:
            evidence.append(f"name: -{f.decoding.stem}: {stem_format} (antibody_stems.tsv)")
        if fmt:
            evidence.insert(0, self._row(f, "format", fmt))
        says = carried | ({stem_format.lower()} if stem_format else set())
        if says & wanted or (fmt and self._format_says(fmt, wanted)):
            return Verdict.CONSISTENT, evidence
        if wanted & self.conjugate_labels and f.decoding.conjugates and not carried:
            evidence.append("name: a naked antibody word; its conjugates: "
                            + ", ".join(inn for inn, _ in f.decoding.conjugates))
            return Verdict.UNVERIFIABLE, evidence
        if fmt or stem_format:
            return Verdict.CONTRADICTS, evidence
        return Verdict.UNVERIFIABLE, evidence


def _dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
