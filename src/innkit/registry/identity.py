"""What a name denotes: the substance behind a brand, code, former name, salt or language form.

The UNII index answers for names it lists; the rules here add what it does not list: FDA
prefixes and suffixes, salt and ester words, and the Latin, French and Spanish forms of INNs
(``inn_languages.tsv``). Every answer says how the name relates to the substance
(:class:`~innkit.vocab.Relation`) and names the INN of the substance's moiety when it has one.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from json.scanner import make_scanner

from ..models import Substance
from ..rules.affixes import strip_fda_affixes
from ..rules.core import Rules
from ..rules.tables import Tables
from ..vocab import AUTHORITY_RELATIONS, US_SOURCE_TAGS, NameType, Relation
from .display import plain_case
from .keys import name_key
from .languages import LanguageForms, language_forms
from .substances import (
    INN_TAG,
    NameRecord,
    SubstanceIndex,
    SubstanceRecord,
    is_fragment,
    strip_salts,
)

MAX_CANDIDATES = 10
_RELATION_RANK = {r: i for i, r in enumerate((
    Relation.INN, Relation.SALT, Relation.FDA_NAME, Relation.FDA_STYLE, Relation.LATIN,
    Relation.FRENCH, Relation.SPANISH, Relation.GERMAN, Relation.BRAND, Relation.CODE,
    Relation.USAN, Relation.BAN, Relation.JAN, Relation.FORMER, Relation.SYNONYM,
    Relation.SYSTEMATIC))}
_TYPE_RANK = {NameType.OFFICIAL: 0, NameType.BRAND: 1, NameType.CODE: 2, NameType.COMMON: 3,
              NameType.SYSTEMATIC: 4}
_FORMER_TAIL = 4
"""A former INN shares at least this many final letters (its stem) with the current INN."""


@dataclass
class Resolver:
    """Resolves names against one substance index (built by the registry)."""

    index: SubstanceIndex
    salts: frozenset[str]
    inn_number: Callable[[str], str | None]
    forms: frozenset[str] = frozenset()  # release and dosage-form words (VERSED Syrup, ... XR)
    tables: Tables = field(default_factory=lambda: Rules.shipped().tables)  # antibody stems
    _shown: dict[str, tuple[str, tuple[tuple[str, tuple[str, ...], int], ...] | None]] = field(
        default_factory=dict, init=False, repr=False, compare=False)
    _numbers: dict[str, str | None] = field(default_factory=dict, init=False, repr=False,
                                            compare=False)

    @property
    def languages(self) -> LanguageForms:
        return language_forms()

    # -- the entry point -------------------------------------------------------------------
    def resolve(self, normal: str) -> Substance | None:
        """The substance ``normal`` (a normalised name) denotes, or None when none is known."""
        if not normal or not normal.isprintable() or (not normal.isascii()
                                                      and _unencodable(normal)):
            return None
        key = name_key(normal)  # the name's key, asked once for the look-up and the relation
        records = self._lookup(normal, key)
        if records:
            return self._from_records(normal, records, None, key)
        bare, prefix, suffix = strip_fda_affixes(normal, self.tables)
        if (prefix or suffix) and bare != normal:
            records = self._lookup(bare)
            if records:
                return self._from_records(normal, records, _affixed_relation(suffix))
        words = bare.split(" ")
        no_salt = strip_salts(bare, self.salts)
        if no_salt != bare:
            records = self._lookup(no_salt)
            if records:
                return self._from_records(normal, records, Relation.SALT)
        head = words
        while len(head) > 1 and head[-1] in self.forms:  # a product: name + form words
            head = head[:-1]
        if len(head) < len(words):
            records = self._lookup(" ".join(head))
            if records:
                return self._from_records(normal, records, None)
        return self._language_form(normal, words)

    def _lookup(self, name: str, key: str | None = None
                ) -> list[tuple[NameRecord, SubstanceRecord]]:
        """The list's records for ``name``, less those where the name is only a part of the
        substance's INN (brentuximab, listed as a short name of brentuximab vedotin): an INN
        is never a fragment left after stripping words."""
        return [(rec, sub) for rec, sub in self.index.lookup(key or name_key(name))
                if not (sub.inn and " " in sub.inn and is_fragment(name, sub.inn))
                and not (rec.name[-2:-1] == " " and _lone_letter(name, rec))]

    def _language_form(self, normal: str, words: list[str]) -> Substance | None:
        if len(words) > 4 or not all(w.isalpha() for w in words):
            return None
        langs = self.languages
        options = [langs.inn_candidates(w) for w in words]
        for combo in itertools.islice(itertools.product(*options), 64):
            spelled = " ".join(w for w, _ in combo)
            ruled = next((lang for _, lang in combo if lang), None)
            language = ruled or langs.accent_language(normal) or Relation.SYNONYM
            if spelled == normal and language is Relation.SYNONYM:
                continue  # the INN itself is found by the index, never here
            # Keys fold spaces away: a language form keeps its number of words, so that
            # auristatin (a class) is never read as auristatine, the key of auristatin E.
            inns = [inn for inn in self.index.inns_by_skeleton(name_key(langs.skeleton(spelled)))
                    if inn.count(" ") == spelled.count(" ")]
            # An ending rule may also give a listed name that is no substance's INN on its own:
            # the antibody of a conjugate (inotuzumabum -> inotuzumab).
            target = inns[0] if inns else (spelled if ruled else None)
            if target is None:
                continue
            records = [(rec, sub) for rec, sub in self._lookup(target)
                       if rec.name.count(" ") == spelled.count(" ")]
            if records:
                return self._from_records(normal, records, language)
        return None

    def _language_of(self, normal: str, inn: str) -> Relation | None:
        """The language whose rules turn ``normal`` into ``inn``, if any."""
        langs = self.languages
        words = normal.split(" ")
        if len(words) > 4 or not all(w.isalpha() for w in words):
            return None
        target = name_key(langs.skeleton(inn))
        for combo in itertools.islice(itertools.product(*map(langs.inn_candidates, words)), 64):
            if name_key(langs.skeleton(" ".join(w for w, _ in combo))) == target:
                return next((lang for _, lang in combo if lang), None) \
                    or langs.accent_language(normal)
        return None

    # -- relation and ranking ---------------------------------------------------------------
    def _relation(self, normal: str, rec: NameRecord, sub: SubstanceRecord,
                  forced: Relation | None, key: str | None = None) -> Relation:
        if forced is not None:
            return forced
        key = key or name_key(normal)
        inn_key = name_key(sub.inn) if sub.inn else None
        if inn_key == key:
            return Relation.INN
        if INN_TAG in rec.tags and strip_salts(normal, self.salts) == normal:
            return Relation.INN  # one of two INNs of a renamed substance: read as written
        if INN_TAG in rec.tags or (inn_key and name_key(strip_salts(normal, self.salts))
                                   == inn_key):
            return Relation.SALT
        if inn_key and name_key(strip_fda_affixes(normal, self.tables)[0]) == inn_key:
            return Relation.FDA_NAME
        if rec.type is NameType.BRAND:
            return Relation.BRAND
        if rec.type is NameType.CODE:
            return Relation.CODE
        tags = set(rec.tags)
        if "WHO-IP LATIN" in tags:
            return Relation.LATIN
        if sub.inn and tags & US_SOURCE_TAGS:
            return Relation.USAN
        for tag, relation in AUTHORITY_RELATIONS.items():
            if tag in tags:
                return relation
        language = self._language_of(normal, sub.inn) if sub.inn else None
        if language is not None:
            return language
        one_word = normal.isalpha()
        if rec.type is NameType.SYSTEMATIC and not one_word:
            return Relation.SYSTEMATIC
        if (sub.inn and one_word and not rec.tags
                and normal[-_FORMER_TAIL:] == sub.inn[-_FORMER_TAIL:]):
            return Relation.FORMER
        return Relation.SYNONYM

    def _shown_of(self, sub: SubstanceRecord, names: bool
                  ) -> tuple[str, tuple[tuple[str, tuple[str, ...], int], ...] | None]:
        """A substance's name as shown and (with ``names``) its names as shown (``names`` of
        its record, JSON), made once for all the names that denote the substance (a list
        holds several of each, and its INN is read too), until forgotten: both are drawn
        from the index's row alone."""
        memo = self._shown
        found = memo.get(sub.unii)
        if found is None or (names and found[1] is None):
            listed = None
            if names:  # stored as shown (:mod:`.display`, when the index was built)
                listed = tuple([(t, tuple(first), count)
                                for t, first, count in _json(sub.names, 0)[0]])
            found = (found[0] if found is not None else plain_case(sub.name), listed)
            if len(memo) >= _SHOWN_MEMO:
                memo.clear()
            memo[sub.unii] = found
        return found

    def forget(self) -> None:
        """Drop what was remembered (a cold start, or new known names, which give the INN
        numbers)."""
        self._shown.clear()
        self._numbers.clear()

    def _number(self, inn: str) -> str | None:
        """The INN number of ``inn``, asked of the known names once for all the names of its
        substances (until forgotten)."""
        numbers = self._numbers
        if inn in numbers:
            return numbers[inn]
        if len(numbers) >= _SHOWN_MEMO:
            numbers.clear()
        found = numbers[inn] = self.inn_number(inn)
        return found

    def _from_records(self, normal: str, records: list[tuple[NameRecord, SubstanceRecord]],
                      forced: Relation | None, key: str | None = None) -> Substance:
        if len(records) == 1:  # the common case: one substance, no candidates to rank
            rec, sub = records[0]
            return self._build(rec, sub, self._relation(normal, rec, sub, forced, key))
        found = []
        for rec, sub in records:
            relation = self._relation(normal, rec, sub, forced, key)
            found.append((_RELATION_RANK[relation], _TYPE_RANK[rec.type], rec, sub, relation))
        found.sort(key=lambda f: (f[0], f[1], f[3].name))
        _, _, rec, sub, relation = found[0]
        others = [self._build(r, s, rel, brief=True) for _, _, r, s, rel in found[1:]]
        best_rank = found[0][:2]
        tied_inns = {f[3].inn for f in found if f[:2] == best_rank}
        ambiguous = len({f[3].unii for f in found if f[:2] == best_rank}) > 1 \
            and len(tied_inns) > 1
        return self._build(rec, sub, relation, candidates=tuple(others[:MAX_CANDIDATES]),
                           ambiguous=ambiguous, total=len(found))

    def _build(self, rec: NameRecord, sub: SubstanceRecord, relation: Relation, *,
               brief: bool = False, candidates: tuple[Substance, ...] = (),
               ambiguous: bool = False, total: int = 1) -> Substance:
        shown, listed = self._shown_of(sub, not brief)
        names = listed if listed is not None and not brief else ()  # a candidate's: none
        inn_number = self._number(sub.inn) if sub.inn else None
        if relation is Relation.INN and rec.name.lower() != sub.inn:
            inn_number = self._number(rec.name.lower())  # the other INN of a renamed one
        return Substance(
            name=shown, inn=sub.inn, unii=sub.unii, relation=relation._value_,
            name_type=rec.type._value_, tags=rec.tags, names=names, inn_number=inn_number,
            candidates=candidates, ambiguous=ambiguous, matches=total,
        )


def _lone_letter(name: str, rec: NameRecord) -> bool:
    """A listed name ending in a lone letter (azithromycin E, vitamin E) is not a name that
    ends in that letter without the space (azithromycine, the French INN): keys fold spaces
    away, and the two would meet."""
    listed = rec.name
    if len(listed) < 3 or listed[-2] != " " or not listed[-1].isalpha():
        return False
    return not name.endswith(" " + listed[-1].lower())


def _affixed_relation(suffix: str | None) -> Relation:
    """How a name the list lacks relates to the listed name left after its FDA affixes.

    FDA prefixes are a closed set (``ado-``, ``fam-``), so the prefixed name is the FDA name.
    A four-letter suffix is assigned to one product, and the FDA publishes no list of the
    suffixes it has assigned: the suffixed names the UNII list holds (``trastuzumab-anns``)
    are found before this, so a suffix here is on no list, and the name only has the FDA's
    style (``pembrolizumab-xyzw``)."""
    return Relation.FDA_STYLE if suffix else Relation.FDA_NAME


def _unencodable(text: str) -> bool:
    """Lone surrogates (from mis-decoded bytes) name nothing and cannot be queried."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


_json = make_scanner(json.JSONDecoder())
"""``json.loads`` of the index's cells in one C call (they are written by ``json.dumps``, with
no space around them): the value and where it ends."""
_SHOWN_MEMO = 65536
"""Substances whose shown names are kept (a few hundred bytes each)."""
