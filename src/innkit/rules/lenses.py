"""Lenses: what kind of word a word is, decided before any WHO stem is tried.

A stem is a guess from letters; a lens is a fact about the word. ``calicheamicin`` ends in
-micin, yet it is an enediyne payload, not an aminoglycoside; ``magnesium`` ends in -ium, yet it
is an element, not a quaternary ammonium. The lenses are ``lenses.tsv`` (payload chemicals and
their codes, elements, amino acids, linker chemistry, enzymes, foods, organisms, proteins,
hormones and class words), the conjugate words of ``modifiers.tsv``, the salt words of
``salts.tsv`` and the names of ``elements.tsv``: each table is read once, and a word a lens
claims is read as the lens says. Only the WHO stem the row names (``who_stem``) may then be
offered for it, as a known member of the stem's class.
"""

from __future__ import annotations

from dataclasses import dataclass

from .tables import Reader

NOT_A_DRUG = "not a drug"
"""The ``in_text`` value of words that are no drug mention in running text (valine, trypsin)."""
CLASS_WORD = "class word"
"""The lens of words that make a phrase a drug class (``topoisomerase I inhibitors``)."""
NO_SUBSTANCE = "none"
"""The ``unii`` value of a word that names a group of substances or organisms, not one
(``lactobacillus``, a genus of many species): no single substance may be linked to it."""
ELEMENT = "element"
"""The lens of a chemical element's name."""
HEAD_LENSES = frozenset({"protein"})
"""Lenses whose word heads a name: the words after it name a variant (``insulin glargine``)."""
TAIL_LENSES = frozenset({"protein", "vaccine", "antiserum"})
"""Lenses of a product whose word ends a name, or stands after its first word: the other words
say which one (``hepatitis B immune globulin``, ``measles virus vaccine live``); they name a
disease, a pathogen or a form, and no WHO stem is read in them."""


@dataclass(frozen=True, slots=True)
class LensRow:
    """One word and how to read it."""

    word: str
    lens: str  # the kind of word: payload, payload code, element, amino acid, enzyme ...
    klass: str  # its class (payload class, chemical class)
    mechanism: str
    who_stem: str  # the WHO stem whose class the word belongs to, or empty
    unii: str  # empty when none is known; NO_SUBSTANCE for a group
    drug: bool  # a drug mention in running text (``in_text``)
    source: str  # the table and line

    @property
    def group(self) -> bool:
        """The word names a group (a genus, a class), so it denotes no single substance."""
        return self.unii == NO_SUBSTANCE

    def describe(self) -> str:
        """``a payload (enediyne; DNA double-strand cleavage)``: the reading in words."""
        facts = "; ".join(f for f in (self.klass, self.mechanism) if f)
        return f"{self.lens}" + (f" ({facts})" if facts else "")


@dataclass(frozen=True)
class Lenses:
    """Every lens word, lower case, and the class words."""

    words: dict[str, LensRow]
    class_words: frozenset[str]
    spelt: dict[str, LensRow]
    """The words a misspelling is looked for among: all but the elements filled in from
    elements.tsv (short, common words that a great many names are two letters from)."""

    def get(self, word: str) -> LensRow | None:
        """The lens that claims ``word`` (lower case), or None."""
        return self.words.get(word)

    def is_class_phrase(self, tokens: list[str]) -> bool:
        """A phrase of two words or more that ends in a class word, singular or plural."""
        if len(tokens) < 2:
            return False
        last = tokens[-1]
        return last in self.class_words or (last.endswith("s") and last[:-1] in self.class_words)


def read_lenses(read: Reader) -> Lenses:
    """lenses.tsv first; conjugate words (modifiers.tsv), salt words (salts.tsv) and the
    chemical elements (elements.tsv: gallium, technetium, zirconium are no -ium or -onium
    stem) fill in."""
    words: dict[str, LensRow] = {}
    mechanisms: dict[str, str] = {}
    for r in read("lenses.tsv", ("word", "lens", "class", "mechanism", "who_stem", "unii",
                                 "in_text", "examples", "evidence")):
        row = LensRow(r["word"], r["lens"], r["class"], r["mechanism"], r["who_stem"],
                      r["unii"], r["in_text"] != NOT_A_DRUG, f"lenses.tsv line {r['_line']}")
        words[row.word] = row
        if row.word == row.klass:  # a class row (auristatin) gives the class its mechanism
            mechanisms[row.klass] = row.mechanism
    for r in read("modifiers.tsv", ("word", "kind", "payload_class", "meaning")):
        klass = r["payload_class"]
        mechanism = mechanisms.get(klass) or mechanisms.get(klass.split(" ")[0]) or r["meaning"]
        words.setdefault(r["word"], LensRow(
            r["word"], r["kind"], klass, mechanism, r.get("who_stem", ""), "", True,
            f"modifiers.tsv line {r['_line']}"))
    for r in read("salts.tsv", ("word", "kind")):
        words.setdefault(r["word"], LensRow(
            r["word"], "salt or ester word", r["kind"], "", "", "", True,
            f"salts.tsv line {r['_line']}"))
    for r in read("elements.tsv", ("name", "symbol", "atomic_number")):
        words.setdefault(r["name"], LensRow(
            r["name"], ELEMENT, f"{r['symbol']}, atomic number {r['atomic_number']}", "", "",
            "", True, f"elements.tsv line {r['_line']}"))
    class_words = frozenset(w for w, row in words.items() if row.lens == CLASS_WORD)
    spelt = {w: row for w, row in words.items() if not row.source.startswith("elements.tsv")}
    return Lenses(words, class_words, spelt)


__all__ = ["CLASS_WORD", "ELEMENT", "HEAD_LENSES", "NOT_A_DRUG", "NO_SUBSTANCE", "TAIL_LENSES",
           "LensRow", "Lenses", "read_lenses"]
