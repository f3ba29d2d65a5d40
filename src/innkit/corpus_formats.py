"""The corpus formats of biomedical text mining, written from mentions: PubTator, BioC (XML
and JSON, through the ``bioc`` package), CoNLL (IOB tags, one token a line), and brat's
``annotation.conf``.

Each writer is given a :class:`~innkit.files.corpora.CorpusDocument` (its pieces as read) and
the mentions found in its laid-out text, and gives back the pieces unchanged with the mentions
in the format's own place. The substance a mention denotes is its identifier (the UNII as a
CURIE, ``unii:P93RUU11P7``); a name that denotes several substances carries every candidate,
``;`` between them, none preferred.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from .files.corpora import CollectionInfo, CorpusDocument, Piece, bioc_module
from .models import Mention
from .render import ENTITY_TYPES, entity_type, substance_cells, summary
from .version import __version__

NO_IDENTIFIER = "-"
"""PubTator's concept id of a name that denotes no known substance."""


def identifiers(m: Mention) -> list[str]:
    """The CURIE of every substance the mention may denote (none, one, or each candidate)."""
    sub = m.decoding.substance
    return [c.curie for c in sub.denotes] if sub is not None else []


def _flat(text: str) -> str:
    """A piece of text on one PubTator line: line breaks and tabs as spaces, the length kept
    so that every offset holds."""
    return text.replace("\r", " ").replace("\n", " ").replace("\t", " ")


def _placed(doc: CorpusDocument, mentions: Iterable[Mention],
            dropped: list[str]) -> Iterator[tuple[Mention, Piece]]:
    for m in mentions:
        piece = doc.piece_of(m.start, m.end)
        if piece is None:
            dropped.append(f"{doc.doc_id}: {m.text!r} at {m.start} crosses from one passage to "
                           "the next and is not written")
            continue
        yield m, piece


# ---- PubTator ----

def pubtator_document(doc: CorpusDocument, mentions: Sequence[Mention],
                      dropped: list[str]) -> str:
    """``ID|t|title``, ``ID|a|abstract`` and one line per mention: ID, start, end, text,
    type, concept id. A PubTator document read in comes back with the same two lines; other
    documents have their first piece as title and the rest of the laid-out text as abstract
    (line breaks as spaces, so that the offsets hold)."""
    doc_id = _flat(doc.doc_id).replace("|", "/")
    if doc.source == "pubtator":
        title = doc.pieces[0].text
        abstract = doc.pieces[1].text if len(doc.pieces) > 1 else None
    else:
        text = doc.text
        cut = doc.pieces[0].end if doc.pieces else 0
        if len(text) > cut and text[cut] in "\n ":
            title, abstract = _flat(text[:cut]), _flat(text[cut + 1:])
        else:
            title, abstract = _flat(text), None
    lines = [f"{doc_id}|t|{title}"]
    if abstract is not None:
        lines.append(f"{doc_id}|a|{abstract}")
    for m, _ in _placed(doc, mentions, dropped):
        ids = ";".join(identifiers(m)) or NO_IDENTIFIER
        lines.append(f"{doc_id}\t{m.start}\t{m.end}\t{_flat(m.text)}\t{entity_type(m)}\t{ids}")
    return "\n".join(lines) + "\n\n"


# ---- BioC ----

def bioc_infons(m: Mention) -> dict[str, str]:
    """The infons of a mention's BioC annotation: its type and identifier as PubTator's own
    BioC writes them, then innkit's reading (every value a string, as BioC wants)."""
    d = m.decoding
    unii, inn, relation, ambiguous, candidates = substance_cells(d.substance)
    infons = {"type": entity_type(m), "identifier": ";".join(identifiers(m)) or NO_IDENTIFIER,
              "unii": unii, "inn": inn, "relation": relation, "ambiguous": ambiguous,
              "candidate_uniis": candidates, "kind": str(d.kind), "how": str(m.how),
              "known": "yes" if m.known else "no", "confidence": str(m.confidence),
              "reading": summary(d)}
    number = dict(d.identifiers).get("inn_number")
    if number:
        infons["inn_number"] = str(number)
    if m.suggestion:
        infons["suggestion"] = m.suggestion
    return {k: v for k, v in infons.items() if v != ""}


def bioc_document(doc: CorpusDocument, mentions: Sequence[Mention], dropped: list[str]) -> Any:
    """The BioC document: the one read in (its infons and passages kept), or one passage per
    piece; each mention an annotation of the passage (or sentence) that holds it."""
    bioc = bioc_module()
    holders: dict[int, Any] = {}
    if doc.bioc is not None:
        out = doc.bioc
        for piece in doc.pieces:
            passage = out.passages[piece.passage]
            holders[id(piece)] = (passage if piece.sentence is None
                                  else passage.sentences[piece.sentence])
    else:
        out = bioc.BioCDocument()
        out.id = doc.doc_id
        for piece in doc.pieces:
            passage = bioc.BioCPassage()
            passage.offset = piece.offset
            passage.text = piece.text
            passage.infons["type"] = piece.kind
            out.add_passage(passage)
            holders[id(piece)] = passage
    for n, (m, piece) in enumerate(_placed(doc, mentions, dropped), 1):
        ann = bioc.BioCAnnotation()
        ann.id = f"T{n}"
        ann.text = m.text
        ann.infons.update(bioc_infons(m))
        ann.add_location(bioc.BioCLocation(m.start, m.end - m.start))
        holders[id(piece)].add_annotation(ann)
    return out


def _info(doc: CorpusDocument) -> CollectionInfo:
    return doc.collection or CollectionInfo(source=f"innkit {__version__}")


def bioc_xml_head(doc: CorpusDocument) -> str:
    """The collection's opening and its information, taken from the first document's
    collection when it was read from BioC."""
    from lxml import etree  # a dependency of bioc

    info = _info(doc)
    parts = ['<?xml version="1.0" encoding="utf-8" standalone="yes"?>\n'
             '<!DOCTYPE collection SYSTEM "BioC.dtd">\n<collection>']
    for tag, value in (("source", info.source), ("date", info.date), ("key", info.key)):
        elem = etree.Element(tag)
        elem.text = value
        parts.append(etree.tostring(elem, encoding="unicode"))
    for key, value in info.infons:
        elem = etree.Element("infon", {"key": key})
        elem.text = value
        parts.append(etree.tostring(elem, encoding="unicode"))
    return "\n".join(parts) + "\n"


def bioc_xml_document(document: Any) -> str:
    from lxml import etree

    bioc = bioc_module()
    tree = bioc.biocxml.encoder.encode_document(document)
    return etree.tostring(tree, encoding="unicode", pretty_print=True)


BIOC_XML_TAIL = "</collection>\n"


def bioc_json_head(doc: CorpusDocument) -> str:
    info = _info(doc)
    fields = {"source": info.source, "date": info.date, "key": info.key,
              "infons": dict(info.infons)}
    return json.dumps(fields, ensure_ascii=False)[:-1] + ', "documents": [\n'


def bioc_json_document(document: Any, first: bool) -> str:
    bioc = bioc_module()
    data = bioc.biocjson.encoder.toJSON(document)
    return ("" if first else ",\n") + json.dumps(data, ensure_ascii=False)


BIOC_JSON_TAIL = "\n]}\n"


# ---- CoNLL ----

_TOKEN = re.compile(r"\w+|[^\w\s]", re.UNICODE)
_SENTENCE_END = frozenset(".!?")


def conll_document(doc: CorpusDocument, mentions: Sequence[Mention]) -> str:
    """One token a line: the token, its start and end offsets, and its IOB tag
    (``B-Antibody``, ``I-Antibody``, ``O`` ...); a blank line ends a sentence (after ``.``,
    ``!`` or ``?`` before a capital, and at a line break), and a ``-DOCSTART-`` line begins
    each document. Tokens are words and single signs, cut at every mention's edges so that
    each mention is whole tokens."""
    text = doc.text
    edges: dict[int, tuple[int, str]] = {}
    cuts: set[int] = set()
    for m in mentions:
        edges[m.start] = (m.end, entity_type(m))
        cuts.update((m.start, m.end))
    lines = [f"-DOCSTART-\t{_flat(doc.doc_id)}\t-\tO", ""]
    inside: tuple[int, str] | None = None
    last_end = 0
    previous = ""
    for start, end in _tokens(text, cuts):
        if lines[-1] != "" and ("\n" in text[last_end:start]
                                or (previous in _SENTENCE_END and text[start].isupper())):
            lines.append("")
        if start in edges:
            inside = edges[start]
            tag = f"B-{inside[1]}"
        elif inside is not None and end <= inside[0]:
            tag = f"I-{inside[1]}"
        else:
            inside = None
            tag = "O"
        lines.append(f"{text[start:end]}\t{start}\t{end}\t{tag}")
        last_end, previous = end, text[start:end]
    if lines[-1] != "":
        lines.append("")
    return "\n".join(lines) + "\n"


def _tokens(text: str, cuts: set[int]) -> Iterator[tuple[int, int]]:
    for match in _TOKEN.finditer(text):
        start, end = match.span()
        inner = sorted(c for c in cuts if start < c < end)
        for cut in inner:
            yield start, cut
            start = cut
        yield start, end


# ---- brat ----

def brat_annotation_conf() -> str:
    """brat's ``annotation.conf`` for the ``.ann`` files innkit writes: one entity type per
    kind of mention; no relations, events or attributes."""
    return ("# The entity types of innkit's brat output; notes hold each name's reading and\n"
            "# normalisations (N lines) its substance, as a unii: CURIE (see tools.conf).\n"
            "[entities]\n" + "\n".join(ENTITY_TYPES) + "\n\n[relations]\n\n[events]\n\n"
            "[attributes]\n")


def brat_tools_conf() -> str:
    """brat's ``tools.conf``: the ``unii`` normalisation database, linked to the FDA UNII
    search, so that the normalisation lines of the ``.ann`` files resolve."""
    return ("[normalization]\n"
            "unii\t<URL>:https://precision.fda.gov/uniisearch, "
            "<URLBASE>:https://precision.fda.gov/uniisearch/srs/unii/%s\n")
