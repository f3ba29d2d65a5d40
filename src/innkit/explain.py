"""``explain``: a readable card of one decoding, for people rather than programs."""

from __future__ import annotations

from .decode import decode
from .models import Decoding
from .tables import ERA_ORDER

_ERA_LABELS = {
    "original": "original scheme (to 2009)",
    "2009": "2009 revision (2009 to April 2017)",
    "2017": "2017 revision: no source substem (April 2017 to 2021)",
    "2022": "2022 scheme: -tug, -bart, -mig, -ment",
}


def explain(name: object) -> str:
    """Decode ``name`` and describe each part in plain words."""
    return render_card(decode(name))


def render_card(d: Decoding) -> str:
    lines = [d.input if isinstance(d.input, str) else repr(d.input)]
    if d.kind == "unknown":
        lines.append(f"  not decoded: {d.reason}")
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
        lines.append("  eras: " + "; ".join(_ERA_LABELS[e] for e in d.eras))
    lines += [f"  note: {n}" for n in d.notes]
    for a in d.alternatives[:5]:
        meaning = a.target_meaning or "no target"
        lines.append(f"  rejected: {a.segmentation} ({a.era}, {meaning}): {a.note}")
    if len(d.alternatives) > 5:
        lines.append(f"  ... and {len(d.alternatives) - 5} more rejected readings")
    lines += [f"  warning: {w}" for w in d.warnings]
    return "\n".join(lines)
