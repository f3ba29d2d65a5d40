"""A spaCy pipeline component: ``nlp.add_pipe("innkit")`` marks every drug name as an entity.

Each span's ``kb_id_`` is the CURIE of the substance it denotes (``unii:P93RUU11P7``), its
decoding is in ``span._.innkit`` (the same JSON as ``innkit decode``) and how
it was found in ``span._.innkit_how``. Every substance the span may denote is in
``span._.innkit_candidates`` (name, INN, UNII, CURIE and relation of each): one for most names;
several for an ambiguous one (``Ketas``, a brand of two substances), whose ``kb_id_`` is then
empty, as no single substance is meant. The component is registered through the
``spacy_factories`` entry point, so ``add_pipe`` works without importing innkit first.
"""

from __future__ import annotations

from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from ..annotator.core import LENIENCY_LEVELS, Annotator
from ..vocab import Kind

for _name in ("innkit", "innkit_how", "innkit_candidates"):
    if not Span.has_extension(_name):
        Span.set_extension(_name, default=None)


class InnkitComponent:
    """Finds drug names with :class:`innkit.annotator.core.Annotator` and sets them as entities."""

    def __init__(self, nlp: Language, name: str, leniency: str, antibody_label: str,
                 drug_label: str, overwrite_ents: bool, span_key: str,
                 class_label: str = "DRUG_CLASS") -> None:
        if leniency not in LENIENCY_LEVELS:
            raise ValueError(f"leniency must be one of {', '.join(LENIENCY_LEVELS)}")
        self.name = name
        self.annotator = Annotator(leniency=leniency)
        self.antibody_label = antibody_label
        self.drug_label = drug_label
        self.class_label = class_label
        self.overwrite_ents = overwrite_ents
        self.span_key = span_key

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for m in self.annotator.annotate(doc.text):
            antibody = m.decoding.kind in (Kind.ANTIBODY, Kind.COMBINATION)
            label = self.antibody_label if antibody else self.drug_label
            if m.decoding.kind == Kind.CLASS:
                label = self.class_label
            sub = m.decoding.substance
            single = sub is not None and not sub.ambiguous
            span = doc.char_span(m.start, m.end, label=label, alignment_mode="expand",
                                 kb_id=sub.curie if single else "")
            if span is None:
                continue
            span._.innkit = m.decoding.to_dict()
            span._.innkit_how = m.how
            span._.innkit_candidates = [c.brief() for c in sub.denotes] if sub else []
            spans.append(span)
        doc.spans[self.span_key] = spans
        if self.overwrite_ents:
            doc.ents = filter_spans(spans)
        else:
            doc.ents = filter_spans(list(doc.ents) + spans)
        return doc


@Language.factory(
    "innkit",
    default_config={"leniency": "standard", "antibody_label": "ANTIBODY", "drug_label": "DRUG",
                    "overwrite_ents": False, "span_key": "innkit", "class_label": "DRUG_CLASS"},
)
def make_component(nlp: Language, name: str, leniency: str, antibody_label: str,
                   drug_label: str, overwrite_ents: bool, span_key: str,
                   class_label: str) -> InnkitComponent:
    """Factory used by ``nlp.add_pipe("innkit", config={...})``."""
    return InnkitComponent(nlp, name, leniency, antibody_label, drug_label, overwrite_ents,
                           span_key, class_label)


def describe(span: Span) -> dict[str, Any] | None:
    """The decoding of an entity span set by the component, or None."""
    return span._.innkit
