"""The spaCy component, found through its entry point."""

from __future__ import annotations

import pytest

spacy = pytest.importorskip("spacy")

from one_registry import _module_registry, one_registry  # noqa: E402, F401


def test_add_pipe_by_entry_point_sets_entities_with_decodings():
    nlp = spacy.blank("en")
    nlp.add_pipe("innkit")
    doc = nlp("Inotuzumab ozogamicin was compared with imatinib; a tenement is not a drug.")
    ents = [(e.text, e.label_) for e in doc.ents]
    assert ents == [("Inotuzumab ozogamicin", "ANTIBODY"), ("imatinib", "DRUG")]
    first = doc.ents[0]
    assert first._.innkit["segmentation"] == "ino|tu|zu|mab"
    assert first._.innkit_how == "registry"
    assert [s.text for s in doc.spans["innkit"]] == ["Inotuzumab ozogamicin", "imatinib"]


def test_config_and_existing_entities():
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "ORG", "pattern": "Pfizer"}])
    nlp.add_pipe("innkit", config={"leniency": "strict", "antibody_label": "MAB"})
    doc = nlp("Pfizer developed inotuzumab; imatinib is another story.")
    # strict keeps known names of every kind (issue 12), imatinib among them.
    assert [(e.text, e.label_) for e in doc.ents] == [("Pfizer", "ORG"), ("inotuzumab", "MAB"),
                                                     ("imatinib", "DRUG")]
    assert doc.ents[2].kb_id_ == "unii:BKJ8M8G5HI"  # the substance, as a bioregistry CURIE
    with pytest.raises(ValueError):
        spacy.blank("en").add_pipe("innkit", config={"leniency": "sloppy"})
