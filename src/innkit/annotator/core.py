"""``annotate``: find every drug name in a text and decode it.

One pass of compiled patterns finds candidate words (antibody stems, WHO suffix stems, known
names); each candidate is judged once per distinct word (registry, then the decoder, then the
English-word guard), grown to the whole name by the affix grammar (``rules.affixes``: radiolabel,
stereo descriptor, FDA prefix and suffix, second words, combinations written with slashes) and
decoded as a whole; the decoder strips the same affixes with the same grammar.
"""

from __future__ import annotations

import bisect
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType

from ..decoder.decode import decode
from ..decoder.modifiers import near_miss
from ..errors import require_text
from ..models import Decoding, Mention
from ..registry import Registry, get_registry
from ..rules.affixes import (
    FDA_PREFIX_LEFT,
    LABEL_ONLY,
    LEFT_LABELS,
    NEXT_WORD,
    PREFIX_LEFT,
    SLASH_NEXT,
    TRAILING_LABEL_TEXT,
    LabelStyle,
    hyphen_tail,
    label_row,
    labels_a_name,
    listed_second_word,
    modifier_ending,
    without_tail,
)
from ..rules.english import is_english, is_established
from ..rules.normalize import MAX_NAME_LENGTH
from ..rules.tables import Tables
from ..vocab import Confidence, How, Kind, Leniency, Relation
from . import abbreviations, confusables, contexts
from .scanner import ANTIBODY, KNOWN, STRONG_STEM, SUBSTANCE, WEAK_STEM, load_scanner

LENIENCY_LEVELS = tuple(level.value for level in Leniency)
"""strict: known names of every kind (shipped, user and FDA UNII brands, codes, official and
common names) and antibody names read by the decoder. standard (default): also drug classes and
names built on a strong WHO stem that are not English words, and long non-English words on a
weak stem. lenient: also English words on a strong stem and every non-English word on a weak
one."""

# Invisible characters that split names in text from PDF and HTML (soft hyphen, zero widths).
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_FOREIGN_LETTER = re.compile(r"[^\W\d_A-Za-z]")  # a letter outside the Latin alphabet


_UNSEEN = object()
DECODINGS_KEPT = 100_000
"""Distinct texts whose decodings an Annotator keeps (a long stream has tens of thousands)."""


@dataclass(frozen=True, slots=True)
class _Verdict:
    how: How
    confidence: Confidence
    kind: Kind  # what the word grows into: antibody, stem, class or known


class _Spans:
    """Spans of text already taken, sorted by start: does a new span overlap one? Only the
    spans starting within the longest span's length before it can (a bisection, not a pass
    over every span of a long text)."""

    def __init__(self, spans: Iterable[tuple[int, int]] = ()) -> None:
        self._spans = sorted(spans)
        self._longest = max((e - s for s, e in self._spans), default=0)

    def overlaps(self, a: int, b: int) -> bool:
        spans = self._spans
        i = bisect.bisect_left(spans, (b,)) - 1  # the last span starting before b
        while i >= 0 and spans[i][0] >= a - self._longest:
            if spans[i][1] > a:
                return True
            i -= 1
        return False

    def add(self, a: int, b: int) -> None:
        bisect.insort(self._spans, (a, b))
        self._longest = max(self._longest, b - a)


class Annotator:
    """Reusable annotator: patterns compiled once, verdicts remembered per distinct word."""

    def __init__(self, *, leniency: Leniency | str = Leniency.STANDARD,
                 registry: Registry | None = None, backend: str = "auto") -> None:
        if leniency not in LENIENCY_LEVELS:
            raise ValueError(f"leniency must be one of {', '.join(LENIENCY_LEVELS)}, "
                             f"not {leniency!r}")
        self.leniency = Leniency(leniency)
        self.registry = registry if registry is not None else get_registry()
        self.tables: Tables = self.registry.rules.tables
        self.backend = backend
        self._scanner = None
        self._generation = -1
        self._verdicts: dict[tuple[int, str], _Verdict | None] = {}
        # Per distinct text, for this registry generation: whole-name decodings, and whether a
        # word may follow a name as its second word (a pure function of the word and tables).
        self._decodings: dict[str, Decoding] = {}
        self._second: dict[tuple[str, str], bool] = {}

    @property
    def scanner(self):
        generation = self.registry.generation
        if self._scanner is None or generation != self._generation:
            self._scanner = load_scanner(self.tables, self.registry, self.leniency, self.backend)
            self._generation = generation
            self._verdicts.clear()
            self._decodings.clear()
        return self._scanner

    def decoding(self, span: str) -> Decoding:
        """The decoding of a mention's text, as this annotator gives it (decoded once)."""
        found = self._decodings.get(span)
        if found is None:
            if len(self._decodings) > DECODINGS_KEPT:  # bound the memory of a long stream
                self._decodings.clear()
            found = self._decodings[span] = self._decode(span)
        return found

    def _decode(self, span: str) -> Decoding:
        """A span decoded; a well-known short form or combination name (5-FU, co-trimoxazole)
        is decoded as the name it stands for, so that the mention links to its substance."""
        row = abbreviations.well_known(self.registry.rules).get(" ".join(span.lower().split()))
        if row is None:
            return decode(span, registry=self.registry)
        meant = decode(row.means, registry=self.registry)
        return replace(meant, input=span, notes=(row.note(), *meant.notes))

    @property
    def decodings(self) -> Mapping[str, Decoding]:
        """The decodings this annotator holds, by text (read only)."""
        return MappingProxyType(self._decodings)

    def remember(self, decodings: Mapping[str, Decoding]) -> None:
        """Decodings of texts made elsewhere for the same registry (a worker process), kept
        as if decoded here; one already held stays (the mentions made with it share it, and
        a writer that keeps each distinct decoding's output writes it once)."""
        if len(self._decodings) + len(decodings) > DECODINGS_KEPT:
            self._decodings.clear()
        held = self._decodings
        for text, d in decodings.items():
            held.setdefault(text, d)

    # -- judging one candidate word ------------------------------------------------------
    def _verdict(self, pid: int, word: str, written: str) -> _Verdict | None:
        """The verdict on a lower-case word, remembered. ``written`` is the word as the text
        has it: the decoder reads case-blind, so decoding it gives the same verdict, and the
        decoding is then the one the mention itself needs (one decode, not two)."""
        key = (pid, word)
        if key in self._verdicts:
            return self._verdicts[key]
        if len(self._verdicts) > 200_000:  # bound the memory of a long stream
            self._verdicts.clear()
        verdict = self._judge(pid, word, written)
        self._verdicts[key] = verdict
        return verdict

    def _judge(self, pid: int, word: str, written: str) -> _Verdict | None:
        if pid in (STRONG_STEM, WEAK_STEM) and self.leniency == Leniency.STRICT:
            return None
        lens = self.registry.rules.lenses.get(word)
        if lens is not None and not lens.drug and self.leniency != Leniency.LENIENT:
            return None  # linker chemistry, amino acids, foods, reagents: no drug mention
        d = self.decoding(written)
        if d.kind == Kind.CLASS:  # classes belong to standard and lenient
            ok = pid == SUBSTANCE and self.leniency != Leniency.STRICT
            return _Verdict(How.CLASS, Confidence.HIGH, Kind.CLASS) if ok else None
        if pid in (STRONG_STEM, WEAK_STEM) and d.substance is not None \
                and d.substance.relation in (Relation.BRAND, Relation.CODE) and is_english(word):
            # An English word that some product is also called (Milestone, a herbicide's
            # brand), found by its ending: the word of the text, no drug named
            return None
        if d.registry is not None:
            if d.registry.origin == "unii":
                # The broad FDA list: a drug or substance name, with salts and qualifiers.
                grows = d.kind if d.kind != Kind.UNKNOWN else Kind.STEM
                return _Verdict(How.REGISTRY, Confidence.HIGH, grows)
            grows = d.kind if d.kind != Kind.UNKNOWN else Kind.KNOWN
            return _Verdict(How.REGISTRY, Confidence.HIGH, grows)
        if pid in (KNOWN, SUBSTANCE):
            return _Verdict(How.REGISTRY, Confidence.HIGH, Kind.KNOWN)
        english = is_english(word)
        if pid == ANTIBODY:
            if d.kind == Kind.ANTIBODY and not english:
                if d.suggestion:
                    return _Verdict(How.FUZZY, Confidence.LOW, Kind.ANTIBODY)
                sure = Confidence.LOW if d.ambiguous else Confidence.MEDIUM
                return _Verdict(How.MORPHOLOGY, sure, Kind.ANTIBODY)
            if d.kind == Kind.UNKNOWN and d.suggestion and not english:
                return _Verdict(How.FUZZY, Confidence.LOW, Kind.ANTIBODY)
            return None
        if d.kind != Kind.STEM:
            if d.kind == Kind.UNKNOWN and d.substance is not None and not d.substance.ambiguous \
                    and not english and not is_established(word.rsplit("-", 1)[-1]):
                # A listed substance whose letters hold a stem's that are no stem there
                # (cycloguanil's -nil, the end of its guanil): the list names it
                return _Verdict(How.REGISTRY, Confidence.HIGH, Kind.STEM)
            return None
        # Unknown to every registry, yet in current English use (smartphone, synthase): words
        # newer than the dictionaries, not newly coined drug names.
        english = english or is_established(word.rsplit("-", 1)[-1])
        if pid == STRONG_STEM:
            if english:
                lenient = self.leniency == Leniency.LENIENT
                return _Verdict(How.STEM, Confidence.LOW, Kind.STEM) if lenient else None
            return _Verdict(How.STEM, d.stems[0].confidence, Kind.STEM)
        # Weak or short stems: never English words (the patterns set the length limits).
        if english:
            return None
        return _Verdict(How.STEM, Confidence.LOW, Kind.STEM)

    # -- growing a word into the whole name ----------------------------------------------
    def _extend(self, text: str, start: int, end: int, kind: str) -> tuple[int, int]:
        """The span of the whole name around a found word, by the affix grammar: what stands
        before it (a stereo descriptor, a locant, a radiolabel, an FDA prefix) and after it
        (a hyphenated tail, slash combinations, second words, a radiolabel)."""
        if kind == Kind.CLASS:  # a class phrase is found whole
            return start, end
        word_start, word_end = start, end
        tables = self.tables
        fda_prefix_start = None
        m = PREFIX_LEFT.search(text, max(0, start - 8), start) \
            if _hyphen_before(text, start) else None
        if m:
            start = m.start()
        if kind in (Kind.ANTIBODY, Kind.KNOWN):
            m = FDA_PREFIX_LEFT.search(text, max(0, start - 6), start) \
                if _hyphen_before(text, start) else None
            if m:
                fda_prefix_start = m.start()
            # Each label ends in a white space right before the name: only then is one looked for,
            # and only after what the labels end in before it (see _may_end_label).
            if start > 0 and text[start - 1].isspace() and _may_end_label(text, start - 1):
                window = text[max(0, start - 40):start]
                for rx, style in LEFT_LABELS:
                    m = rx.search(window)
                    if m and label_row(m, style, tables) is not None:
                        start -= len(m.group(0))
                        break
            # A hyphenated tail starts with a hyphen, a combination with a slash: most names
            # have neither after them, and the patterns are tried only where they may match.
            m = hyphen_tail(text, end) if text.startswith("-", end) else None
            if m:
                end = m.end()
            while text.startswith("/", end):  # combinations written with slashes: a/b/c
                m = SLASH_NEXT.match(text, end)
                if not (m and self.decoding(m.group(1)).kind == Kind.ANTIBODY):
                    break
                end = m.end()
                if end - word_start > MAX_NAME_LENGTH:
                    # Longer than any name the decoder reads: the word stands alone (as when
                    # the whole reads as nothing), and a chain of slashes costs each of its
                    # words a bounded look ahead, not the rest of the chain.
                    return word_start, word_end
        words = 0
        for _ in range(3):  # second words: payloads, qualifiers, salts
            m = NEXT_WORD.match(text, end)
            if not m:
                break
            if not self._is_second_word(m.group(1), kind):
                break
            end = m.end()
            words += 1
        # The FDA put distinguishing prefixes on conjugates only (ado-trastuzumab emtansine,
        # fam-trastuzumab deruxtecan): a hyphenated prefix counts when a second word follows.
        if fda_prefix_start is not None and words:
            start = fda_prefix_start
        m = TRAILING_LABEL_TEXT.match(text, end)
        if m and label_row(m, LabelStyle.TRAILING, tables) is not None:
            end = m.end()
        return start, end

    def _is_second_word(self, written: str, kind: str) -> bool:
        """:meth:`_second_word` of a word as the text has it, remembered as written."""
        key = (written, kind)
        found = self._second.get(key)
        if found is None:
            if len(self._second) > 100_000:
                self._second.clear()
            word = without_tail(written.lower())  # deruxtecan-nxki: an FDA suffix
            found = self._second[key] = self._second_word(word, kind)
        return found

    def _second_word(self, word: str, kind: str) -> bool:
        """A word the tables list after a name; after an antibody or a known name also an
        unlisted word that is no English word, ends as payloads do or nearly spells a listed
        one (the decoder then reads it as a modifier, with a suggestion)."""
        tables = self.tables
        if listed_second_word(word, tables):
            return True
        if kind == Kind.STEM or is_english(word):
            return False
        if modifier_ending(word, tables) is not None:
            return True
        return near_miss(word, tuple(tables.modifiers)) is not None

    # -- the whole text ------------------------------------------------------------------
    def annotate(self, text: str, *, offset: int = 0, stop: int | None = None,
                 begin: int = 0, floor: int = 0,
                 abbreviations: Definitions | None = None) -> list[Mention]:
        """Mentions in ``text`` (offsets shifted by ``offset``), in order, never overlapping.

        For streaming (see annotate_chunks): only words from ``begin`` up to ``stop`` are
        looked at; the text before ``begin`` and after ``stop`` is context, read only to finish
        a name (a radiolabel before it, a second word after it); no name reaches back before
        ``floor``, where the previous name ended.
        """
        if not isinstance(text, str) or not text:
            return []
        if has_invisible(text, begin):
            return _annotate_visible(self, text, offset=offset, stop=stop, begin=begin,
                                     floor=floor, abbreviations=abbreviations)
        out = self.found(text, offset=offset, stop=stop, begin=begin, floor=floor)
        if self.leniency != Leniency.STRICT:
            defined = {} if abbreviations is None else abbreviations
            self.define(text, out, offset, defined)
            out = link(text, out, offset, begin, stop, defined, floor)
        return with_look_alikes(out, self.look_alikes(text, offset, begin, stop))

    def found(self, text: str, *, offset: int = 0, stop: int | None = None, begin: int = 0,
              floor: int = 0) -> list[Mention]:
        """The names the scan finds, judged, grown and decoded (no short forms linked yet)."""
        out: list[Mention] = []
        last_end = floor
        scanner = self.scanner
        verdicts = self._verdicts
        judge = self._verdict
        decode_span = self.decoding
        decodings = self._decodings
        extend = self._extend
        tables = self.tables
        radiolabels = tables.radiolabels
        rules = self.registry.rules
        lenient = self.leniency == Leniency.LENIENT
        unseen = _UNSEEN
        body = contexts.body_names(rules)
        size = len(text)
        for start, neg_end, pid in scanner.scan(text):
            if start < last_end or start < begin:
                continue
            end = -neg_end
            if stop is not None and start >= stop:
                break
            word = text[start:end].lower()
            verdict = verdicts.get((pid, word), unseen)
            if verdict is None:
                continue  # a word already judged no name (most of the rest pass at once too)
            before = text[start - 1] if start else " "
            after = text[end] if end < size else " "
            if not (before + after).isascii() and (
                    _FOREIGN_LETTER.match(before) or _FOREIGN_LETTER.match(after)):
                continue  # part of a word with letters of another script: not this name
            if pid == SUBSTANCE and word in radiolabels and labels_a_name(text, start, end,
                                                                          tables):
                continue  # a radiolabel: the labelled name reaches back for it
            if before == "-" and pid == KNOWN and rules.lenses.get(word):
                continue  # T-DXd: a payload code inside a longer code is not the payload
            if verdict is unseen:
                verdict = judge(pid, word, text[start:end])
                if verdict is None:
                    continue
            if (verdict.kind == Kind.CLASS and not word.endswith("s")
                    and contexts.class_adjective(text, end, rules)):
                continue  # "anticoagulant effect": a class word as adjective
            if (word in body and verdict.how in (How.REGISTRY, How.CLASS) and not lenient
                    and contexts.body_use(word, text, start, end, rules)):
                continue  # "serum creatinine", "thyroid disorder": not a drug given here
            s, e = extend(text, start, end, verdict.kind)
            s = s if s >= last_end else start  # never reach back into the previous name
            span = text[s:e]
            d = decodings.get(span)  # the decoder strips what the grammar grew over
            if d is None:
                d = decode_span(span)
            if d.kind == Kind.UNKNOWN and d.failure is not None and (s, e) != (start, end):
                # The whole reads as nothing: a part the decoder keeps (a locant, a second
                # word) that no registry knows, or a core that reads as nothing alone
                # (S-warfarin). The word stands alone; its verdict already decoded it. A
                # lens's reading is a reading (L-thyroxine: a hormone).
                s, e, span = start, end, text[start:end]
                d = decode_span(span)
            how, confidence, suggestion = verdict.how, verdict.confidence, d.suggestion
            if d.modifiers and any(m.suggestion for m in d.modifiers):
                how, confidence = How.FUZZY, Confidence.LOW
                suggestion = " ".join(
                    [d.name or "", *(m.suggestion or m.word for m in d.modifiers)]).strip()
            out.append(Mention(s + offset, e + offset, span, d, d.registry is not None, how,
                               confidence, suggestion))
            last_end = e
        return out

    def _is_label(self, short: str) -> bool:
        """A radiolabel in parentheses (111In) labels the name before it; it abbreviates
        nothing, even when its letters stand in the name (rituximab (111In) ... (111In))."""
        m = LABEL_ONLY.fullmatch(short)
        return m is not None and label_row(m, LabelStyle.TRAILING, self.tables) is not None

    def define(self, text: str, out: list[Mention], offset: int,
               defined: Definitions) -> None:
        """Short forms the text defines after a name (5-fluorouracil (5-FU)) and brands given
        after it with a trade-mark sign, added to ``defined`` when it has none yet (a short form
        the document has defined is defined anew where :func:`link` meets the new definition)."""
        for m in out:
            after = m.end - offset
            if not abbreviations.parenthesis_follows(text, after):
                continue  # most names: neither a short form nor brands follow
            found = abbreviations.defined_after(text, after, m.text) \
                if _stands_whole(text, m.start - offset) else None
            if found is not None and found[0] not in defined and not self._is_label(found[0]):
                defined[found[0]] = (defined_as(found[0], m), How.ABBREVIATION)
            for brand, _, _ in abbreviations.brands_after(text, after):
                if brand not in defined and self.decoding(brand).kind == Kind.UNKNOWN:
                    note = f"{brand} is given in the text as a brand of {m.text!r}"
                    defined[brand] = (replace(m.decoding, input=brand,
                                              notes=(note, *m.decoding.notes)), How.BRAND)

    def look_alikes(self, text: str, offset: int, begin: int,
                    stop: int | None) -> list[Mention]:
        """Names written with a look-alike letter of another script: reported, with a
        warning, as the name the letters spell in Latin; never misread."""
        added: list[Mention] = []
        if not confusables.present(text, begin, self.registry.rules):
            return added
        for m in confusables.words(text, begin, self.registry.rules):
            if stop is not None and m.start() >= stop:
                break
            word = m.group(0)
            latin, replaced = confusables.latinise(word, self.registry.rules)
            if not latin.isascii():
                continue
            d = self.decoding(latin)
            if d.kind == Kind.UNKNOWN or (d.registry is None and d.substance is None):
                continue
            warning = (f"written with {', '.join(replaced)} in place of Latin letters: "
                       f"read as {latin!r}")
            d = replace(d, input=word, warnings=(*d.warnings, warning))
            added.append(Mention(m.start() + offset, m.end() + offset, word, d, True, How.FUZZY,
                                 Confidence.LOW, latin))
        return added


Definitions = dict[str, tuple[Decoding | None, How]]
"""The short forms and brands a document has defined, each with what it stands for: None
where the text has since given the short form a meaning that is no drug (dendritic cells
(DC)), until it defines it as a drug again."""


def defined_as(short: str, m: Mention) -> Decoding:
    """The decoding of a short form the text defines after the name ``m``."""
    note = f"{short} is defined in the text as {m.text!r}"
    return replace(m.decoding, input=short, notes=(note, *m.decoding.notes))


def _substance_of(d: Decoding) -> tuple[str | None, str | None]:
    return (d.substance.unii if d.substance is not None else None), d.name


def uses_of(text: str, shorts: Iterable[str], begin: int,
            stop: int | None) -> dict[str, list[tuple[int, int]]]:
    """Where each short form is used from ``begin`` (before ``stop``), for :func:`link`."""
    return abbreviations.occurrences_of(text, shorts, begin, len(text) if stop is None else stop)


def link(text: str, out: list[Mention], offset: int, begin: int, stop: int | None,
         defined: Definitions, floor: int = 0,
         known: dict[str, list[tuple[int, int]]] | None = None,
         unknown: Iterable[str] | None = None) -> list[Mention]:
    """Every use of a defined short form or brand from ``begin`` (before ``stop``), linked to
    the substance of its long form, where no name already stands; ``defined`` carries them on
    through the pieces of one streamed document. None starts before ``floor``, where a name of
    the previous piece ended. ``known``: the uses of some of the forms, already found
    (:func:`uses_of`); ``unknown``: the forms whose uses are still to be found, when the
    caller knows them (a form ``known`` lacks has none), else every form ``known`` lacks."""
    if not defined:
        return out
    # A short form the text defines means what the text says, not what it usually means.
    out = [m for m in out if not (m.text in defined and abbreviations.stands_for(m.decoding))]
    taken = _Spans((m.start - offset, m.end - offset) for m in out)
    added = []
    known = known or {}
    if unknown is None:
        unknown = [k for k in defined if k not in known]
    uses = uses_of(text, unknown, begin, stop) if unknown else {}
    uses.update(known)
    names_ending = {m.end - offset: m for m in out}
    for short, (d, how) in list(defined.items()):
        first = d
        for a, b in uses.get(short, ()):
            if how is How.ABBREVIATION:
                d = _meaning_here(text, a, b, short, d, names_ending)
            if d is None or a < floor or taken.overlaps(a, b):
                continue
            taken.add(a, b)
            added.append(Mention(a + offset, b + offset, text[a:b], d, d.registry is not None,
                                 how, Confidence.MEDIUM, None))
        if d is not first:
            defined[short] = (d, how)
    return sorted([*out, *added], key=lambda x: x.start) if added else out


def _meaning_here(text: str, a: int, b: int, short: str, d: Decoding | None,
                  names_ending: Mapping[int, Mention]) -> Decoding | None:
    """What a short form used at ``a``..``b`` stands for from there on: ``d``, what it stood
    for, unless the use stands as a definition (in parentheses after a long form): then the
    drug named there (cisplatin (CP) after cyclophosphamide (CP)), or None when the long form
    names no drug (left ventricular (LV) after leucovorin (LV)). A text may use one short form
    for two things; each use means what the nearest definition before it says."""
    before = abbreviations.stands_defined(text, a, b)
    if before is None:
        return d
    m = names_ending.get(before)
    if m is not None and not _stands_whole(text, before - len(m.text)):
        return d  # the name ends a longer word (nitro-L-arginine (L-NOARG)): not its definition
    if m is not None and abbreviations.is_definition(m.text, short):
        if d is not None and _substance_of(m.decoding) == _substance_of(d):
            return d
        return defined_as(short, m)
    if d is not None and d.name and _letters(text[max(0, before - 3 * len(d.name)):before]) \
            .endswith(_letters(d.name)):
        return d  # the same long form, written otherwise (pyrrolidine dithiocarbamate)
    if abbreviations.defines_anew(text, before, short):
        return None
    return d


def _stands_whole(text: str, start: int) -> bool:
    """Whether a name starting at ``start`` is a whole word, not the end of a longer one
    joined by a hyphen (Nomega-nitro-L-arginine): only a whole name's short form is its own."""
    return start == 0 or text[start - 1] != "-"


_NOT_LETTERS = re.compile(r"[^a-z0-9]+")


def _letters(text: str) -> str:
    """Letters and digits only, in lower case: more than :func:`name_key` drops, so that a
    long form written with a comma after it (puromycin aminonucleoside, (PAN,) still matches."""
    return _NOT_LETTERS.sub("", text.lower())


def with_look_alikes(out: list[Mention], looks: list[Mention]) -> list[Mention]:
    """The mentions and the look-alike words, in order of start (a look-alike after a
    mention at the same place)."""
    return sorted([*out, *looks], key=lambda x: x.start) if looks else out


def _may_end_label(text: str, space: int) -> bool:
    """Whether a radiolabel written before a name may end at the white space ``space`` (the
    one before the name): the labels of ``rules.affixes.LEFT_LABELS`` end in a closing
    parenthesis (``indium (111In)``) or a mass number, with or without ``m`` (``Tc 99m``),
    then one white space and the end (``$``: also before a final line break). Most names have
    none of these before them, and their two searches are not made."""
    ends = [space - 1]
    if text[space] == "\n" and space > 0 and text[space - 1].isspace():
        ends.append(space - 2)  # "$" before the line break: the white space before it
    for at in ends:
        if at < 0:
            continue
        c = text[at]
        if c == ")" or c.isdigit() or (c == "m" and at > 0 and text[at - 1].isdigit()):
            return True
    return False


def _hyphen_before(text: str, at: int) -> bool:
    """Whether a hyphen ends the text before ``at`` (``$`` also allows one line end after it):
    the prefix patterns, which end so, are tried only then (most names have none)."""
    return at > 0 and (text[at - 1] == "-" or (
        text[at - 1] == "\n" and at > 1 and text[at - 2] == "-"))


def has_invisible(text: str, begin: int = 0) -> bool:
    """Invisible characters (soft hyphens, zero widths) from ``begin`` on: such a text is read
    with them taken out, its offsets mapped back."""
    return _INVISIBLE.search(text, begin) is not None


def _annotate_visible(annotator: Annotator, text: str, **where: object) -> list[Mention]:
    """Annotate ``text`` with its invisible characters taken out, offsets into ``text``."""
    keep = [i for i, c in enumerate(text) if not _INVISIBLE.match(c)]
    clean = "".join(text[i] for i in keep)
    keep.append(len(text))
    at = {i: n for n, i in enumerate(keep)}  # original index -> clean index

    def to_clean(pos: int | None) -> int | None:
        if pos is None:
            return None
        while pos not in at:
            pos += 1
        return at[pos]

    out = []
    for m in annotator.annotate(clean, stop=to_clean(where["stop"]),  # type: ignore[arg-type]
                                begin=to_clean(where["begin"]) or 0,  # type: ignore[arg-type]
                                floor=to_clean(where["floor"]) or 0,  # type: ignore[arg-type]
                                abbreviations=where["abbreviations"]):  # type: ignore[arg-type]
        start, end = keep[m.start], keep[m.end - 1] + 1
        shift = int(where["offset"] or 0)  # type: ignore[call-overload]
        out.append(Mention(start + shift, end + shift, text[start:end], m.decoding, m.known,
                           m.how, m.confidence, m.suggestion))
    return out


def annotate(text: str, *, leniency: Leniency | str = Leniency.STANDARD,
             registry: Registry | None = None) -> list[Mention]:
    """Find and decode every drug name in ``text``.

    ``leniency`` is one of :data:`LENIENCY_LEVELS`. Offsets are character offsets into
    ``text``, end exclusive.
    """
    return shared_annotator(leniency, registry).annotate(require_text(text, "text"))


_ANNOTATORS: dict[tuple[str, int], Annotator] = {}
"""(leniency, id(registry)) -> its Annotator, the last used last: an Annotator holds its registry
(tens of megabytes of names), so only those of the registries used most recently are kept."""
KEPT_REGISTRIES = 2
_LAST_REGISTRY = [0]  # id of the registry of the last call: its Annotators need no reordering
_ANNOTATORS_LOCK = threading.Lock()


def shared_annotator(leniency: Leniency | str, registry: Registry | None = None) -> Annotator:
    """This process's Annotator for a leniency and registry (default: the process-wide one),
    built once and reused by every caller; rebuilt when the registry is replaced."""
    reg = registry if registry is not None else get_registry()
    key = (leniency, id(reg))
    found = _ANNOTATORS.get(key)
    if found is not None and found.registry is reg and _LAST_REGISTRY[0] == id(reg):
        return found
    with _ANNOTATORS_LOCK:
        found = _ANNOTATORS.pop(key, None)
        if found is None or found.registry is not reg:
            found = Annotator(leniency=leniency, registry=reg)
        _ANNOTATORS[key] = found
        _LAST_REGISTRY[0] = id(reg)
        kept = list(dict.fromkeys(k[1] for k in reversed(_ANNOTATORS)))[:KEPT_REGISTRIES]
        for old in [k for k in _ANNOTATORS if k[1] not in kept]:
            del _ANNOTATORS[old]
    return found

