"""What people and files see of results: the explanation card, one-line summaries, and the
output formats of mentions (jsonl, tsv, text, an HTML page, brat standoff).

Rendering never decodes: it is given results (Decoding, Mention) and writes them.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable

from .models import Decoding, Mention, Substance
from .rules.core import Rules
from .rules.normalize import normalize_name
from .rules.tables import ERA_ORDER
from .vocab import RELATION_LABELS, Kind, Relation


def render_card(d: Decoding) -> str:
    lines = [d.input if isinstance(d.input, str) else repr(d.input)]
    label = identity_label(d)
    if label:
        lines[0] += f"  ({label})"
    if d.kind == Kind.UNKNOWN:
        lines.append(f"  {'reading' if d.registry is not None else 'not decoded'}: {d.reason}")
        lines += _registry_lines(d)
        return "\n".join(lines)
    if d.kind == Kind.STEM:
        for m in d.stems:
            lineage = f" (a sub-stem of {', '.join(m.lineage)})" if m.lineage else ""
            history = "; deleted from the General Principles" if m.historical else ""
            lines.append(f"  {m.word}: stem {m.stem}{lineage}, {m.position}: "
                         f"{m.meaning or 'no definition'}  [{m.confidence} confidence; "
                         f"{m.row}{history}]")
        for salt in d.salts:
            lines.append(f"  {salt}: salt, ester or hydrate part of the name")
        for m in d.modifiers:
            lines.append(f"  {m.word}: {m.kind}: {m.meaning}")
        if d.conjugate:
            c = d.conjugate
            lines.append(f"  also a conjugate word: {c.kind}, {c.meaning}"
                         + (f" ({c.payload_class})" if c.payload_class else ""))
        lines += _registry_lines(d)
        lines += [f"  warning: {w}" for w in d.warnings]
        return "\n".join(lines)
    if d.kind == Kind.CLASS:
        lines += [f"  {n}" for n in d.notes]
        lines += [f"  stem {m.stem}: {m.meaning}  [{m.row}]" for m in d.stems]
        return "\n".join(lines)
    if d.kind == Kind.COMBINATION:
        lines.append(f"  a combination of {len(d.components)} antibodies:")
        for c in d.components:
            lines += ["  " + line for line in render_card(c).splitlines()]
        return "\n".join(lines)
    lines.append(f"  {' | '.join(p for p in d.segmentation.split('|'))}")
    rows: list[tuple[str, str]] = []
    if d.radiolabel:
        r = d.radiolabel
        rows.append((r.text, f"radiolabel: {r.element} {r.mass_number} ({r.isotope}), "
                              f"{r.style} style"))
    if d.fda_prefix:
        rows.append((f"{d.fda_prefix}-", "FDA prefix: marks a conjugate product; not part of the "
                                         "INN"))
    rows.append((d.prefix or "", "prefix: free letters that make the name unique"))
    if d.target_substem:
        ordered = sorted(d.readings, key=lambda r: ERA_ORDER[r.era])
        forms = ", ".join(dict.fromkeys(f"{r.target_form} {r.era}" for r in ordered)) \
            or d.target_form
        rows.append((d.target_substem, f"target: {d.target_meaning}  [{forms}]"))
    elif not d.irregular:
        rows.append(("", "target: none written"))
    if d.source_substem:
        rows.append((d.source_substem, f"source: {d.source_meaning}"))
    rows.append((d.stem or "", f"stem: {d.stem_meaning}"))
    if d.suffix:
        rows.append((d.suffix, "part of the name (antigen written after the word)"))
    for m in d.modifiers:
        what = m.kind.replace("_", " ")
        detail = m.meaning or "meaning unknown"
        if m.payload_class and m.payload_class not in detail:
            detail += f" ({m.payload_class})"
        source = f"  [{m.matched_by}]" if m.matched_by else ""
        rows.append((m.word, f"{what}: {detail}{source}"))
    if d.fda_suffix and d.substance and d.substance.relation == Relation.FDA_STYLE:
        rows.append((f"-{d.fda_suffix}", "FDA-style suffix, not on the list: no product of "
                                         "this name is in the FDA UNII list"))
    elif d.fda_suffix:
        rows.append((f"-{d.fda_suffix}", "FDA suffix: four letters that tell products apart, "
                                         "with no meaning"))
    width = max(len(a) for a, _ in rows)
    lines += [f"  {a:<{width}}  {b}" for a, b in rows]
    if d.eras:
        lines.append("  eras: " + "; ".join(Rules.shipped().eras[e].label for e in d.eras))
    lines += [f"  note: {n}" for n in d.notes]
    for a in d.alternatives[:5]:
        meaning = a.target_meaning or "no target"
        lines.append(f"  rejected: {a.segmentation} ({a.era}, {meaning}): {a.note}")
    if len(d.alternatives) > 5:
        lines.append(f"  ... and {len(d.alternatives) - 5} more rejected readings")
    lines += _registry_lines(d)
    lines += [f"  warning: {w}" for w in d.warnings]
    return "\n".join(lines)


_CARD_NAME = 60
"""Longest other name a card lists; systematic names run to hundreds of letters."""


def relation_phrase(s: Substance, given: object) -> str:
    """``brand of inotuzumab ozogamicin``; ``INN``; nothing when the name is the substance's."""
    target = s.inn or s.name
    if s.relation == Relation.INN:
        return "INN"
    if isinstance(given, str) and normalize_name(given) == normalize_name(target):
        return ""
    return f"{RELATION_LABELS[Relation(s.relation)]} of {target}"


def identity_label(d: Decoding) -> str:
    """``brand of inotuzumab ozogamicin, UNII P93RUU11P7``: what the name denotes, in brief."""
    s = d.substance
    ids = dict(d.identifiers)
    if s is None:
        return f"INN no. {ids['inn_number']}" if "inn_number" in ids else ""
    parts = []
    if s.ambiguous:
        each = " or ".join(f"{c.inn or c.name} (UNII {c.unii})" for c in s.denotes)
        return f"AMBIGUOUS: {RELATION_LABELS[Relation(s.relation)]} of {each}"
    phrase = relation_phrase(s, d.input)
    if phrase and phrase != "INN":
        parts.append(phrase)
    parts.append(f"UNII {s.unii}")
    if "inn_number" in ids:
        parts.append(f"INN no. {ids['inn_number']}")
    return ", ".join(parts)


def _substance_lines(d: Decoding) -> list[str]:
    s = d.substance
    if s is None:
        label = identity_label(d)
        return [f"  identifiers: {label}"] if label else []
    relation = RELATION_LABELS[Relation(s.relation)]
    if s.ambiguous:  # no single substance: each candidate, none preferred
        lines = [f"  substance: AMBIGUOUS, this name is the {relation} of "
                 f"{len(s.denotes)} substances:"]
        lines += [f"    {c.name} (UNII {c.unii}, {c.curie})"
                  + (f"; INN {c.inn}" if c.inn and c.inn != c.name else "") + f"; {c.url}"
                  for c in s.denotes]
        shown = {c.unii for c in s.denotes}
        lines += [f"  also denotes: {c.name} (UNII {c.unii}, as its "
                  f"{RELATION_LABELS[Relation(c.relation)]})"
                  for c in s.candidates if c.unii not in shown]
        return lines
    lines = [f"  substance: {s.name} (UNII {s.unii}, {s.curie}); this name is its {relation}"
             + (f"; INN {s.inn}" if s.inn and s.inn != s.name else "")]
    number = dict(d.identifiers).get("inn_number")
    if number:
        lines.append(f"  INN list number: {number}")
    for kind, first, count in s.names:
        short = [n for n in first if len(n) <= _CARD_NAME]  # long chemical names stay in JSON
        if not short:
            continue
        more = f" (+{count - len(short)} more)" if count > len(short) else ""
        lines.append(f"  {kind} names: {', '.join(short)}{more}")
    for c in s.candidates:
        lines.append(f"  also denotes: {c.name} (UNII {c.unii}, as its "
                     f"{RELATION_LABELS[Relation(c.relation)]})")
    lines.append(f"  record: {s.url}")
    return lines


def _conjugate_lines(d: Decoding) -> list[str]:
    """The conjugates of a naked antibody word: related substances, never the word's own."""
    if not d.conjugates:
        return []
    return ["  conjugates: " + ", ".join(f"{inn} (UNII {unii})" for inn, unii in d.conjugates)]


def _registry_lines(d: Decoding) -> list[str]:
    e = d.registry
    if e is None:
        return _substance_lines(d) + _conjugate_lines(d)
    facts = [f"{label} {value}" for label, value in (
        ("target", e.target_antigen), ("format", e.format), ("source", e.source),
        ("proposed", e.year), ("status", e.status), ("for", e.refers_to)) if value]
    return [f"  registry ({e.origin}, {e.kind})" + (": " + "; ".join(facts) if facts else ""),
            *_substance_lines(d), *_conjugate_lines(d)]


def _part_name(d: Decoding) -> str:
    """A combination's part as written, with its INN when it is written otherwise."""
    inn = d.substance.inn if d.substance is not None and not d.substance.ambiguous else None
    return f"{d.input} ({inn})" if inn and inn != d.input else d.input


def summary(d: Decoding) -> str:
    """One line: the reading of a name, for lists and tables."""
    if d.kind == Kind.UNKNOWN:  # a known name, substance or lens word reads as what it is
        known = d.failure is None or d.registry is not None or d.substance is not None \
            or d.conjugate is not None
        if not known:
            return f"unknown: {d.reason}"
        # the reading of another name (a brand's INN): say which name it is
        read = d.name if d.name and d.name != normalize_name(d.input) else None
        lens_first = read is not None and d.reason.startswith(read.split(" ")[0])
        return f"{read}: {d.reason}" if read and not lens_first else d.reason
    if d.kind == Kind.COMBINATION:
        # an antibody's segmentation names it; any other part says which name it reads
        return "combination: " + "; ".join(
            summary(c) if c.kind == Kind.ANTIBODY else f"{_part_name(c)}: {summary(c)}"
            for c in d.components)
    if d.kind == Kind.CLASS:
        stem = f" · stem {d.stems[0].stem} ({d.stems[0].meaning})" if d.stems else ""
        return f"drug class {d.name}{stem} · {d.notes[-1]}"
    if d.kind == Kind.STEM:
        parts = []
        for m in d.stems[:3]:
            parts.append(f"{m.stem} ({m.meaning or 'no definition'}; {m.confidence})")
        extra = [f"+ {s}" for s in d.salts]
        if d.conjugate and d.conjugate.payload_class:
            extra.append(f"payload: {d.conjugate.payload_class}")
        if d.suggestion:
            extra.append(f"· did you mean {d.suggestion!r}?")
        return "stem " + "; ".join(parts) + (" " + " ".join(extra) if extra else "")
    parts = [d.segmentation or ""]
    parts.append(d.target_meaning or "no target substem")
    if d.source_meaning:
        parts.append(d.source_meaning)
    parts.append(d.stem_meaning or "")
    parts.append("era " + "/".join(d.eras) if d.eras else "pre-scheme")
    for m in d.modifiers:
        meant = f"; did you mean {m.suggestion!r}?" if m.suggestion else ""
        parts.append(f"+ {m.word} ({m.kind}{': ' + m.payload_class if m.payload_class else ''}"
                     f"{meant})")
    if d.ambiguous:
        parts.append("AMBIGUOUS")
    if d.suggestion and not any(m.suggestion for m in d.modifiers):
        parts.append(f"did you mean {d.suggestion!r}?")
    return " · ".join(p for p in parts if p)

HTML_MAX_CHARS = 1_000_000
"""Characters of a document an HTML page shows (about 300 pages): beyond, the page says where it
stops and points to jsonl or tsv, which have no limit."""
HTML_MAX_NAMES = 5_000
"""Names an HTML page shows: each carries its card, so a page is many times the size of its
text (30 MB of text made a 477 MB page); 5,000 names make a page of about 4 MB."""

TSV_COLUMNS = ("doc", "start", "end", "text", "how", "known", "confidence", "kind",
               "segmentation", "stem", "summary", "suggestion", "unii", "inn", "relation",
               "ambiguous", "candidate_uniis")
"""The columns of ``annotate --format tsv``; new columns go at the end, so that the position of
every older one holds."""


_quote = json.encoder.encode_basestring  # the C string encoder json.dumps itself uses
_SERIALISED: dict[int, tuple[object, bytes]] = {}
"""id(decoding) -> (decoding, its JSON in UTF-8): a running text repeats the same few thousand
names, so each distinct decoding is serialised and encoded once (the entry holds the decoding,
so its id cannot be reused while cached); bounded like the decoder's own cache."""
_SERIALISED_MAX = 16384


def _decoding_bytes(d: Decoding) -> bytes:
    hit = _SERIALISED.get(id(d))
    if hit is not None and hit[0] is d:
        return hit[1]
    if len(_SERIALISED) >= _SERIALISED_MAX:
        _SERIALISED.clear()
    data = d.to_json().encode("utf-8", "backslashreplace")
    _SERIALISED[id(d)] = (d, data)
    return data


_MIDDLES: dict[tuple[object, ...], bytes] = {}
"""(text, how, known, confidence, suggestion) -> the JSON of a mention from its "text" key to
its decoding, in UTF-8: a text's mentions differ mostly in where they stand, so each distinct
middle is written out once (a few hundred bytes each; bounded as ``_SERIALISED``)."""
_DOC: list[tuple[str, bytes]] = [("", b"")]  # the last document's id and its line's start


def jsonl_record(doc: str, m: Mention) -> bytes:
    """The mention as one JSON line in UTF-8: exactly ``json.dumps({"doc": doc,
    **m.to_dict()})`` and a newline (text that is not valid Unicode, such as a lone surrogate,
    as backslash escapes). Built from pieces so that only the decoding costs a full encoding,
    once per distinct decoding, and the rest of the line but its place once per distinct
    mention (a bulk text's output is hundreds of megabytes, mostly repeated names)."""
    key = (m.text, m.how, m.known, m.confidence, m.suggestion)
    middle = _MIDDLES.get(key)
    if middle is None:
        suggestion = "null" if m.suggestion is None else _quote(m.suggestion)
        middle = (f'"text": {_quote(m.text)}, "how": {_quote(m.how)}, '
                  f'"known": {"true" if m.known else "false"}, '
                  f'"confidence": {_quote(m.confidence)}, "suggestion": {suggestion}, '
                  f'"decoding": ').encode("utf-8", "backslashreplace")
        if len(_MIDDLES) >= _SERIALISED_MAX:
            _MIDDLES.clear()
        _MIDDLES[key] = middle
    last = _DOC[0]
    if last[0] is not doc:
        last = _DOC[0] = (doc, f'{{"doc": {_quote(doc)}, "start": '.encode(
            "utf-8", "backslashreplace"))
    return b"".join((last[1], b"%d" % m.start, b', "end": ', b"%d" % m.end, b", ", middle,
                     _decoding_bytes(m.decoding), b"}\n"))


def main_stem(d: Decoding) -> str | None:
    """The one stem a table column shows: the antibody stem, else the first WHO stem found."""
    return d.stem or (d.stems[0].stem if d.stems else None)


def tsv_line(doc: str, m: Mention) -> str:
    d = m.decoding
    stem = main_stem(d) or ""
    sub = d.substance
    cells = (doc, m.start, m.end, m.text, m.how, "yes" if m.known else "no", m.confidence,
             d.kind, d.segmentation or "", stem, summary(d), m.suggestion or "",
             *substance_cells(sub))
    return "\t".join(str(c).replace("\t", " ").replace("\n", " ") for c in cells)


def substance_cells(sub: Substance | None) -> tuple[str, str, str, str, str]:
    """The table cells unii, inn, relation, ambiguous and candidate_uniis: a name that denotes
    several substances has no single UNII or INN; its candidates' UNIIs are listed instead
    (``;`` between them)."""
    if sub is None:
        return "", "", "", "no", ""
    if sub.ambiguous:
        return "", "", sub.relation, "yes", ";".join(c.unii for c in sub.denotes)
    return sub.unii, sub.inn or "", sub.relation, "no", ""


def text_line(m: Mention, width: int = 28) -> str:
    """One mention, for a person at a terminal."""
    name = m.text.replace("\n", " ")
    flag = f"  did you mean {m.suggestion!r}?" if m.suggestion else ""
    label = identity_label(m.decoding)
    ident = f"  [{label}]" if label else ""
    return (f"  {m.start:>7}  {name:<{width}}  {m.how:<12} {summary(m.decoding)}{ident}{flag}")


def html_page(title: str, text: str, mentions: list[Mention], *, total_chars: int | None = None,
              total_mentions: int | None = None) -> str:
    """A self-contained page: the text with every name highlighted, its card on hover.

    When ``text`` is the beginning of a longer document (``total_chars``), the page says so.
    """
    parts = []
    pos = 0
    for i, m in enumerate(mentions):
        parts.append(html.escape(text[pos:m.start]))
        card = html.escape(render_card(m.decoding), quote=True)
        parts.append(f'<mark class="{m.how}" id="m{i}" title="{card}">'
                     f"{html.escape(text[m.start:m.end])}</mark>")
        pos = m.end
    parts.append(html.escape(text[pos:]))
    rows = "\n".join(
        f'<tr><td><a href="#m{i}">{m.start}</a></td><td>{html.escape(m.text)}</td>'
        f"<td>{m.how}</td><td>{'yes' if m.known else 'no'}</td>"
        f"<td>{html.escape(summary(m.decoding))}</td><td>{_substance_cell(m)}</td>"
        f"<td>{html.escape(m.suggestion or '')}</td></tr>"
        for i, m in enumerate(mentions))
    counts = {}
    for m in mentions:
        counts[m.how] = counts.get(m.how, 0) + 1
    legend = " · ".join(f'<mark class="{k}">{k}</mark> {v}' for k, v in sorted(counts.items()))
    cut = ""
    if total_chars is not None and total_chars > len(text):
        all_names = f" of {total_mentions:,}" if total_mentions is not None else ""
        cut = (f'<p class="cut"><strong>This report shows the first {len(text):,} of '
               f"{total_chars:,} characters ({len(mentions):,}{all_names} names).</strong> "
               "For the whole document use <code>innkit annotate --format jsonl</code> or "
               "<code>--format tsv</code>.</p>\n")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>innkit: {html.escape(title)}</title>
<style>
body {{ font: 16px/1.6 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       color: #1d1d1f; }}
.cut {{ background: #fff4d6; padding: .5rem .75rem; border-radius: 6px; }}
.doc {{ white-space: pre-wrap; border: 1px solid #ddd; padding: 1rem 1.25rem; border-radius: 6px; }}
mark {{ border-radius: 3px; padding: 0 2px; cursor: help; }}
mark.registry {{ background: #c8f0c8; }} mark.morphology {{ background: #c8dcff; }}
mark.stem {{ background: #e8e8e8; }} mark.class {{ background: #f0e0ff; }}
mark.fuzzy {{ background: #ffd59e; outline: 1px dashed #c60; }}
mark.abbreviation {{ background: #d3f1ee; }} mark.brand {{ background: #f9d9e6; }}
table {{ border-collapse: collapse; width: 100%; font-size: 14px; margin-top: 1.5rem; }}
td, th {{ border-bottom: 1px solid #eee; text-align: left; padding: 4px 6px; vertical-align: top; }}
</style></head><body>
<h1>{html.escape(title)}</h1>
{cut}<p>{len(mentions)} drug names found: {legend}. Hover a name to read its decoding.</p>
<div class="doc">{"".join(parts)}</div>
<table><thead><tr><th>offset</th><th>name</th><th>found by</th><th>known</th><th>reading</th>
<th>substance</th><th>did you mean</th></tr></thead><tbody>
{rows}
</tbody></table>
<p><small>innkit: names decoded by the WHO INN rules; see the data sources in the package.
</small></p>
</body></html>
"""


def _substance_cell(m: Mention) -> str:
    sub = m.decoding.substance
    if sub is None:
        return html.escape(identity_label(m.decoding))
    if sub.ambiguous:
        each = " or ".join(
            f'{html.escape(c.inn or c.name)} <a href="{html.escape(c.url, quote=True)}">'
            f"UNII {c.unii}</a>" for c in sub.denotes)
        return f"AMBIGUOUS: {each} ({html.escape(sub.relation)})"
    shown = html.escape(sub.inn or sub.name)
    return (f'{shown} <a href="{html.escape(sub.url, quote=True)}">UNII {sub.unii}</a> '
            f"({html.escape(sub.relation)})")


_BRAT_LABELS = {Kind.ANTIBODY: "Antibody", Kind.COMBINATION: "Antibody",
                Kind.CLASS: "DrugClass"}
"""The brat entity type of each kind of decoding; every other kind is a Drug."""
ENTITY_TYPES = ("Antibody", "Drug", "DrugClass")
"""Every entity type a mention is written as (brat, PubTator, BioC, CoNLL)."""


def entity_type(m: Mention) -> str:
    """The entity type a mention is written as: Antibody, DrugClass, or Drug."""
    return _BRAT_LABELS.get(m.decoding.kind, "Drug")


def brat_lines(mentions: Iterable[Mention], start: int = 1,
               norm_start: int | None = None) -> Iterable[str]:
    """brat standoff: one text-bound annotation per name, its reading as an annotator note,
    and a normalisation line linking it to its substance (``unii:`` CURIE), one per candidate
    when the name denotes several; ``start`` is the number of the first annotation and
    ``norm_start`` that of the first normalisation (by default ``start``), to stream a
    document's mentions one by one. Normalisations are numbered in order, apart from the
    annotations: a name may have none or several."""
    norm = start if norm_start is None else norm_start
    for i, m in enumerate(mentions, start=start):
        label = entity_type(m)
        text = m.text.replace("\n", " ")
        yield f"T{i}\t{label} {m.start} {m.end}\t{text}"
        note = summary(m.decoding) + (f"; did you mean {m.suggestion}" if m.suggestion else "")
        yield f"#{i}\tAnnotatorNotes T{i}\t{note} [{m.how}]"
        sub = m.decoding.substance
        for c in sub.denotes if sub is not None else ():
            yield f"N{norm}\tReference T{i} {c.curie}\t{c.inn or c.name}"
            norm += 1
