"""Abbreviations a text defines: a long form followed by its short form in parentheses.

After Schwartz and Hearst (2003), "A simple algorithm for identifying abbreviation definitions
in biomedical text": the short form is 2 to 10 characters with a letter, its characters appear
in the long form in order, read from the end, and its first character starts a word of the long
form. innkit only looks for definitions whose long form is a name it has already found, so
*5-fluorouracil (5-FU)* links 5-FU to fluorouracil, and every later 5-FU is that substance.
A second, looser test admits codes coined from a name (*trastuzumab deruxtecan (T-DXd)*).
Brands given in parentheses with a trade-mark sign (*rituximab (MabThera®/Rituxan®)*) are
linked to the name the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..models import Decoding
    from ..rules import Rules

_SHORT = re.compile(r"[ \t]*\([ \t]*([A-Za-z0-9][A-Za-z0-9\-+.]{0,11}?)[ \t]*[),;]")


def defined_after(text: str, end: int, long_form: str) -> tuple[str, int, int] | None:
    """The short form defined right after a long form ending at ``end``: (form, start, end)."""
    m = _SHORT.match(text, end)
    if m is None:
        return None
    short = m.group(1)
    if is_definition(long_form, short):
        return short, m.start(1), m.end(1)
    return None


_OPENS = re.compile(r"\([ \t]*\Z")
_CLOSES = re.compile(r"[ \t]*[),;]")
_WORDS_BEFORE = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-']*")
_CLAUSE_END = re.compile(r"[.;:!?()\[\]\n]")


def stands_defined(text: str, start: int, end: int) -> int | None:
    """Where the words before a short form used at ``start``..``end`` end, when the use stands
    as a definition does, alone in parentheses right after them (``dendritic cells (DC)``);
    None for any other use."""
    head = text[max(0, start - 4):start]
    opening = _OPENS.search(head)
    if opening is None or _CLOSES.match(text, end) is None:
        return None
    before = start - len(head) + opening.start()
    while before > 0 and text[before - 1] in " \t":
        before -= 1
    return before


def defines_anew(text: str, before: int, short: str) -> bool:
    """Whether the words ending at ``before`` spell ``short`` as Schwartz and Hearst's test
    asks (at most min(|short| + 5, 2 |short|) words back, within the clause), without using it:
    the text gives the short form a meaning of its own there (dendritic cells (DC) after
    dacarbazine and cisplatin (DC))."""
    clause = _CLAUSE_END.split(text[max(0, before - 200):before])[-1]
    words = _WORDS_BEFORE.findall(clause)[-min(len(short) + 5, 2 * len(short)):]
    if not words or short in words or short.lower() in (w.lower() for w in words):
        return False
    return 2 <= len(short) <= 10 and _letters_in_order(short.lower(), " ".join(words).lower())


_MARKED_LIST = re.compile(r"[ \t]*\(([^()\n]{2,80})\)")


def parenthesis_follows(text: str, at: int) -> bool:
    """Whether a parenthesis may stand at ``at``, past spaces or tabs: only then can a short
    form (``_SHORT``) or a list of brands (``_MARKED_LIST``) follow a name ending there. A
    look at a few characters, where most names are passed over."""
    head = text[at:at + 8].lstrip(" \t")
    return not head or head[0] == "("


_MARKED = re.compile(r"([A-Z][A-Za-z0-9\-]{1,30})[ \t]*(?:®|™|\(R\)|\(TM\))")


def brands_after(text: str, end: int) -> list[tuple[str, int, int]]:
    """Brands given right after a name, in parentheses and each with a trade-mark sign
    (``(MabThera®/Rituxan®)``): [(brand, start, end)]. A word without the sign (a company,
    a country) is not taken for a brand."""
    m = _MARKED_LIST.match(text, end)
    if m is None:
        return []
    return [(b.group(1), m.start(1) + b.start(1), m.start(1) + b.end(1))
            for b in _MARKED.finditer(m.group(1))]


def is_definition(long_form: str, short: str) -> bool:
    """Schwartz and Hearst's test: does ``short`` abbreviate ``long_form``?"""
    if not (2 <= len(short) <= 10) or not any(c.isalpha() for c in short):
        return False
    if len(short) >= len(long_form) or short.lower() == long_form.lower():
        return False
    if _letters_in_order(short.lower(), long_form.lower()):
        return True
    # Codes coined from a name rather than spelled from it (trastuzumab deruxtecan (T-DXd)):
    # the same first letter and at least two capitals, right after a name already found.
    return short[0].lower() == long_form[0].lower() and sum(c.isupper() for c in short) >= 2


def _letters_in_order(s: str, lf: str) -> bool:
    i, j = len(s) - 1, len(lf) - 1
    while i >= 0:
        c = s[i]
        if not c.isalnum():
            i -= 1
            continue
        while j >= 0 and (lf[j] != c or (i == 0 and j > 0 and lf[j - 1].isalnum())):
            j -= 1
        if j < 0:
            return False
        i -= 1
        j -= 1
    return True


_WORD_EDGE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-")
"""Characters that may not touch a short form on either side (it is used as a whole word)."""


_EDGE_BYTE = tuple(chr(b) in _WORD_EDGE for b in range(256))
"""_WORD_EDGE by byte value (a non-ASCII character reads as the byte of '?', no edge)."""


def occurrences(text: str, short: str, start: int,
                end: int | None = None) -> list[tuple[int, int]]:
    """Every later use of the short form as a whole word (case as defined), starting before
    ``end`` when it is given. Found with ``str.find`` (a fast substring search), not a
    regular expression tried at every position: a long text defines hundreds of short forms."""
    found: list[tuple[int, int]] = []
    if not short:
        return found
    size, n = len(text), len(short)
    stop = size if end is None else min(end, size)
    at = text.find(short, start)
    while 0 <= at < stop:
        after = at + n
        if (at == 0 or text[at - 1] not in _WORD_EDGE) and (
                after == size or text[after] not in _WORD_EDGE):
            found.append((at, after))
            at = text.find(short, after)
        else:
            at = text.find(short, at + 1)
    return found


_SEGMENT = re.compile(r"[A-Za-z0-9\-]+")
"""A use of a short form without ``+`` or ``.`` is a whole word: one of these segments."""
FIND_AT_MOST = 32
"""Without Hyperscan: up to this many short forms, each is looked for with ``str.find``;
more, and the text's segments are read once for all of them."""
FIND_BELOW = 1_500_000
"""With Hyperscan: forms times characters below which ``str.find`` for each form is cheaper
than a literal database (compiling one takes about a millisecond; ``str.find`` of a short form
about 0.7 ms a megabyte)."""
EXTRA_AT_MOST = 8
"""Forms a kept database may lack (found with ``str.find``) and still be used."""
EXTRA_SHARE = 4
"""More forms than that lacking, but at most one in this many of those asked for: the kept
database is used with a second one of the forms it lacks, compiled for them alone (compiling
costs about ten microseconds a form, so a long text whose pieces each define a few dozen forms
compiles its whole set some ten times, not once a piece)."""
KEPT_DATABASES = 3


def occurrences_of(text: str, shorts: Iterable[str], start: int,
                   end: int | None = None) -> dict[str, list[tuple[int, int]]]:
    """:func:`occurrences` of many short forms at once, the same answer for each (a form
    with no use may be left out of the answer).

    A long document defines hundreds of short forms, and each piece of it is searched for all
    of them: one Hyperscan literal database finds them in one pass (a few milliseconds a
    megabyte, against a tenth of a second for a regular expression of alternatives, or for
    ``str.find`` of each). Without Hyperscan, the text's segments are collected once and one
    expression finds those present.
    """
    wanted = list(dict.fromkeys(shorts))
    if len(wanted) <= NARROW_FROM:
        return _occurrences(text, wanted, start, end)
    # A text defining many thousands of forms: only those whose whole word this text holds
    # are looked for (and only they are keys of the answer), so that each piece of a long
    # text costs about its own length, not the number of forms the text has defined so far.
    return _occurrences(text, _present(text, wanted, start, end), start, end)


def _occurrences(text: str, wanted: list[str], start: int,
                 end: int | None) -> dict[str, list[tuple[int, int]]]:
    """:func:`occurrences_of` of distinct forms."""
    found: dict[str, list[tuple[int, int]]] = {short: [] for short in wanted}
    span = max(0, (len(text) if end is None else min(end, len(text))) - start)
    ascii_forms = tuple(w for w in wanted if w and w.isascii())
    odd = [w for w in wanted if w and not w.isascii()]
    small = len(ascii_forms) * span < FIND_BELOW
    databases = [] if small else _literal_databases(ascii_forms)
    if small or (not databases and len(wanted) <= FIND_AT_MOST):
        return {short: occurrences(text, short, start, end) for short in wanted}
    if not databases:
        _by_segments(text, ascii_forms, start, end, found)
    else:
        have: set[str] = set()
        for database, covered in databases:  # their forms never overlap
            _by_literals(text, covered, database, start, end, found)
            have.update(covered)
        odd += [w for w in ascii_forms if w not in have]
    for short in odd:
        found[short] = occurrences(text, short, start, end)
    return found


NARROW_FROM = 2_000
"""Short forms from which :func:`occurrences_of` first narrows them to those in the text."""
LONGEST_FORM = 32
"""Longer than any short form or brand a text can define (see ``_SHORT`` and ``_MARKED``)."""


def _present(text: str, forms: list[str], start: int, end: int | None) -> list[str]:
    """The ``forms`` that may be used in ``text`` from ``start`` (before ``end``): those that
    are a whole segment of it (a use of a form of ASCII letters, digits and hyphens is one
    whole segment), and every other form (with ``+``, ``.`` or letters of other scripts)."""
    stop = len(text) if end is None else min(end, len(text))
    segments = set(_SEGMENT.findall(text, start, min(len(text), stop + LONGEST_FORM)))
    wanted = set(forms)
    present = [w for w in segments if w in wanted]
    return present + [w for w in forms if not (w.isascii() and w.replace("-", "").isalnum())]


def _by_literals(text: str, forms: tuple[str, ...], database, start: int, end: int | None,
                 found: dict[str, list[tuple[int, int]]]) -> None:
    """The uses of the database's ``forms`` that ``found`` asks for."""
    import hyperscan

    size = len(text)
    stop = size if end is None else min(end, size)
    longest = max(len(w) for w in forms)
    # Non-ASCII characters become one '?' byte each, so byte offsets are str offsets.
    data = text[start:min(size, stop + longest)].encode("ascii", "replace")
    hits: list[tuple[int, int]] = []
    add = hits.append
    lengths = [len(w) for w in forms]
    edge_byte = _EDGE_BYTE
    n = len(data)

    def on_hit(i: int, _s: int, e: int, _f: int, _c: object) -> None:
        # Most hits are inside longer words (NA in DNA): those are passed over here, where
        # the bytes show it; a hit at either end of the bytes is checked below, on the text.
        a = e - lengths[i]
        if (a > 0 and edge_byte[data[a - 1]]) or (e < n and edge_byte[data[e]]):
            return
        add((i, e))

    database.scan(data, match_event_handler=on_hit, scratch=hyperscan.Scratch(database))
    last_end = dict.fromkeys(range(len(forms)), -1)
    edge = _WORD_EDGE
    hits.sort()  # by form, then by end: each form's uses in order
    for i, e in hits:
        b = start + e
        a = b - len(forms[i])
        if a >= stop or a < last_end[i]:
            continue
        if (a == 0 or text[a - 1] not in edge) and (b == size or text[b] not in edge):
            uses = found.get(forms[i])
            if uses is not None:
                uses.append((a, b))
            last_end[i] = b


_DATABASES: list[tuple[tuple[str, ...], frozenset[str], object]] = []
"""(forms, their set, database), the last used first: a document's short forms only grow, so a
later piece reuses a database for the forms it has and finds the few defined since one by one;
a worker's and the stitching process's sets differ, hence a few."""


def _literal_databases(forms: tuple[str, ...]) -> list[tuple[object, tuple[str, ...]]]:
    """[(a Hyperscan database (case as written), the forms it holds)]: one or two databases
    that between them hold most of ``forms``, no form in both; [] without Hyperscan."""
    try:
        import hyperscan  # noqa: F401
    except ImportError:
        return []
    kept = _DATABASES[:]
    best: tuple[tuple[tuple[str, ...], frozenset[str], object], list[str]] | None = None
    for entry in kept:
        have, held = entry[0], entry[1]
        if len(have) > 2 * len(forms) + 64:
            continue
        lacking = [w for w in forms if w not in held]
        if best is None or len(lacking) < len(best[1]):
            best = (entry, lacking)
    if best is not None and (len(best[1]) <= EXTRA_AT_MOST
                             or len(best[1]) * EXTRA_SHARE <= len(forms)):
        entry, lacking = best
        _DATABASES[:] = [entry, *(e for e in kept if e is not entry)]
        if len(lacking) <= EXTRA_AT_MOST:  # found with str.find
            return [(entry[2], entry[0])]
        return [(entry[2], entry[0]), (_compiled(lacking), tuple(lacking))]
    database = _compiled(forms)
    _DATABASES[:] = [(forms, frozenset(forms), database), *kept][:KEPT_DATABASES]
    return [(database, forms)]


def _compiled(forms: Sequence[str]):
    """A Hyperscan literal database of ``forms``, case as written; ids index ``forms``."""
    import hyperscan

    database = hyperscan.Database()
    database.compile(expressions=[w.encode() for w in forms], ids=list(range(len(forms))),
                     elements=len(forms), flags=[0] * len(forms), literal=True)
    return database


def _by_segments(text: str, forms: tuple[str, ...], start: int, end: int | None,
                 found: dict[str, list[tuple[int, int]]]) -> None:
    """Without Hyperscan: a use of a short form without ``+`` or ``.`` is a whole segment of
    letters, digits and hyphens, so the text's segments are collected once (in C) and one
    expression finds the uses of those present; the few others are looked for one by one."""
    size = len(text)
    stop = size if end is None else min(end, size)
    longest = max(len(w) for w in forms)
    seen = set(_SEGMENT.findall(text, max(0, start - longest), stop + longest))
    present = [w for w in forms if w in seen and _SEGMENT.fullmatch(w)]
    if present:
        # Whole words that never overlap: one expression finds them all, as each short
        # form's own would.
        alternatives = "|".join(re.escape(w) for w in sorted(present, key=lambda w: -len(w)))
        rx = re.compile(rf"(?<![A-Za-z0-9\-])(?:{alternatives})(?![A-Za-z0-9\-])")
        for m in rx.finditer(text, start):
            if m.start() >= stop:
                break
            found[m.group()].append(m.span())
    for short in forms:
        if not _SEGMENT.fullmatch(short):
            found[short] = occurrences(text, short, start, end)


WELL_KNOWN = "text_names.tsv"
"""Short forms clinical writing uses without defining them (5-FU, MTX), and the British
combination names (co-trimoxazole): each with the name it stands for."""


@dataclass(frozen=True, slots=True)
class WellKnown:
    name: str  # as the table writes it
    means: str  # the INN, or the INNs of a combination joined by "/"
    line: int

    def note(self) -> str:
        return f"{self.name} stands for {self.means} ({WELL_KNOWN} line {self.line})"


def stands_for(d: Decoding) -> bool:
    """Whether a decoding was made for a well-known short form (its first note says so)."""
    return bool(d.notes) and d.notes[0].startswith(f"{d.input} stands for ") \
        and f"({WELL_KNOWN} line " in d.notes[0]


def well_known(rules: Rules) -> dict[str, WellKnown]:
    """The rows of text_names.tsv of ``rules``, by lower-case name (read once per rules)."""
    return rules.derived(_read_well_known)


def _read_well_known(rules: Rules) -> dict[str, WellKnown]:
    rows = rules.read(WELL_KNOWN, ("name", "means", "kind", "example", "source", "evidence"))
    return {r["name"].lower(): WellKnown(r["name"], r["means"], int(r["_line"])) for r in rows}
