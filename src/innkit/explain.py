"""``explain``: a readable card of one decoding, for people rather than programs."""

from __future__ import annotations

from .decode import decode
from .models import Decoding, Substance
from .normalize import normalize_name
from .tables import ERA_ORDER, eras
from .vocab import RELATION_LABELS, Relation


def explain(name: object) -> str:
    """Decode ``name`` and describe each part in plain words."""
    return render_card(decode(name))


def render_card(d: Decoding) -> str:
    lines = [d.input if isinstance(d.input, str) else repr(d.input)]
    label = identity_label(d)
    if label:
        lines[0] += f"  ({label})"
    if d.kind == "unknown":
        lines.append(f"  {'reading' if d.registry is not None else 'not decoded'}: {d.reason}")
        lines += _registry_lines(d)
        return "\n".join(lines)
    if d.kind == "stem":
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
    if d.kind == "class":
        lines += [f"  {n}" for n in d.notes]
        lines += [f"  stem {m.stem}: {m.meaning}  [{m.row}]" for m in d.stems]
        return "\n".join(lines)
    if d.kind == "combination":
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
    if d.fda_suffix:
        rows.append((f"-{d.fda_suffix}", "FDA suffix: four letters that tell products apart, "
                                         "with no meaning"))
    width = max(len(a) for a, _ in rows)
    lines += [f"  {a:<{width}}  {b}" for a, b in rows]
    if d.eras:
        lines.append("  eras: " + "; ".join(eras()[e].label for e in d.eras))
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
    if isinstance(given, str) and normalize_name(given) == target:
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
        each = " or ".join(f"{c.inn or c.name} (UNII {c.unii})" for c in (s, *s.candidates))
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


def _registry_lines(d: Decoding) -> list[str]:
    e = d.registry
    if e is None:
        return _substance_lines(d)
    facts = [f"{label} {value}" for label, value in (
        ("target", e.target_antigen), ("format", e.format), ("source", e.source),
        ("proposed", e.year), ("status", e.status), ("for", e.refers_to)) if value]
    return [f"  registry ({e.origin}, {e.kind})" + (": " + "; ".join(facts) if facts else ""),
            *_substance_lines(d)]


def summary(d: Decoding) -> str:
    """One line: the reading of a name, for lists and tables."""
    if d.kind == "unknown":  # a known name without a stem reads as what it is
        return d.reason if d.registry is not None else f"unknown: {d.reason}"
    if d.kind == "combination":
        return "combination: " + "; ".join(summary(c) for c in d.components)
    if d.kind == "class":
        stem = f" · stem {d.stems[0].stem} ({d.stems[0].meaning})" if d.stems else ""
        return f"drug class {d.name}{stem} · {d.notes[-1]}"
    if d.kind == "stem":
        parts = []
        for m in d.stems[:3]:
            parts.append(f"{m.stem} ({m.meaning or 'no definition'}; {m.confidence})")
        extra = [f"+ {s}" for s in d.salts]
        if d.conjugate and d.conjugate.payload_class:
            extra.append(f"payload: {d.conjugate.payload_class}")
        return "stem " + "; ".join(parts) + (" " + " ".join(extra) if extra else "")
    parts = [d.segmentation or ""]
    parts.append(d.target_meaning or "no target substem")
    if d.source_meaning:
        parts.append(d.source_meaning)
    parts.append(d.stem_meaning or "")
    parts.append("era " + "/".join(d.eras) if d.eras else "pre-scheme")
    for m in d.modifiers:
        parts.append(f"+ {m.word} ({m.kind}{': ' + m.payload_class if m.payload_class else ''})")
    if d.ambiguous:
        parts.append("AMBIGUOUS")
    return " · ".join(p for p in parts if p)
