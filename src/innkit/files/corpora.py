"""Reading the corpus formats of biomedical text mining: PubTator and BioC (XML and JSON).

A corpus document is a few pieces of text (a title and an abstract, or BioC passages), each at
its offset in the document. :class:`CorpusDocument` keeps them as they were read, so that a
writer gives them back unchanged, and lays them out as one text to annotate: each piece at its
own offset, the gaps between pieces filled with newlines, so that an offset in the laid-out text
is an offset in the document.

PubTator is read here line by line (a title line ``ID|t|...`` and an abstract line
``ID|a|...`` per document; the annotation lines that follow are the input's own and are not
kept). BioC is read through the ``bioc`` package (the ``bioc`` extra).
"""

from __future__ import annotations

import copy
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any, BinaryIO

from ..errors import InnkitError

GAP = "\n"
"""What fills the room between two pieces of a document in its laid-out text."""


class CorpusError(InnkitError, ValueError):
    """A corpus file, or one document of it, that cannot be read; the message says where."""


class MissingLibraryError(InnkitError, ImportError):
    """An optional library a format needs is not installed; the message names the extra."""


@dataclass(frozen=True, slots=True)
class Piece:
    """One piece of a document's text: a title, an abstract, a BioC passage or sentence."""

    offset: int
    text: str
    kind: str  # title, abstract, text, or the BioC passage's "type" infon
    passage: int = 0  # the index of the BioC passage it is (or is in)
    sentence: int | None = None  # the index of the BioC sentence it is, if any

    @property
    def end(self) -> int:
        return self.offset + len(self.text)


@dataclass(frozen=True, slots=True)
class CollectionInfo:
    """What a BioC collection says of itself; kept for the collection written back."""

    source: str = ""
    date: str = ""
    key: str = ""
    infons: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class CorpusDocument:
    """A document of a corpus: its id and pieces, and the BioC document it was read from (its
    infons and passage structure are written back; its annotations and relations are not)."""

    doc_id: str
    pieces: tuple[Piece, ...]
    source: str  # pubtator, bioc, or text (a document read as plain text or JSON Lines)
    bioc: Any = None
    collection: CollectionInfo | None = None

    @cached_property
    def text(self) -> str:
        """The pieces laid out at their offsets, the gaps filled with :data:`GAP`."""
        parts: list[str] = []
        pos = 0
        for p in self.pieces:
            parts.append(GAP * (p.offset - pos))
            parts.append(p.text)
            pos = p.end
        return "".join(parts)

    def piece_of(self, start: int, end: int) -> Piece | None:
        """The piece that holds the span, or None when it crosses a gap between pieces."""
        for p in self.pieces:
            if p.offset <= start and end <= p.end:
                return p
        return None


def text_document(doc_id: str, text: str) -> CorpusDocument:
    """A document read as plain text or from JSON Lines: one piece at offset 0."""
    return CorpusDocument(doc_id, (Piece(0, text, "text"),), "text")


def _checked(doc_id: str, pieces: list[Piece]) -> tuple[Piece, ...]:
    ordered = sorted(pieces, key=lambda p: p.offset)
    pos = 0
    for p in ordered:
        if p.offset < pos:
            raise CorpusError(f"document {doc_id}: the piece at offset {p.offset} overlaps the "
                              f"one before (which ends at {pos}); fix the offsets")
        pos = p.end
    return tuple(ordered)


# ---- PubTator ----

_TEXT_LINE = re.compile(r"([^|\t]*)\|([ta])\|(.*)", re.DOTALL)


def pubtator_document(pmid: str, title: str, abstract: str | None) -> CorpusDocument:
    """The title at offset 0 and the abstract one character after it, as PubTator counts."""
    pieces = [Piece(0, title, "title")]
    if abstract is not None:
        pieces.append(Piece(len(title) + 1, abstract, "abstract"))
    return CorpusDocument(pmid, tuple(pieces), "pubtator")


def read_pubtator(lines: Iterable[str], name: str,
                  problems: list[str] | None = None) -> Iterator[CorpusDocument]:
    """The documents of a PubTator file, given its lines (line ends are removed, nothing
    else: title and abstract come back as written). Lines that are neither text, annotation
    nor relation lines are reported in ``problems`` and passed over."""
    pmid: str | None = None
    title: str | None = None
    abstract: str | None = None
    for number, raw in enumerate(lines, 1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            if pmid is not None:
                yield pubtator_document(pmid, title or "", abstract)
            pmid = title = abstract = None
            continue
        match = _TEXT_LINE.fullmatch(line)
        if match and "\t" not in match.group(1):
            doc, kind, text = match.groups()
            if pmid is not None and (doc != pmid or (kind == "t" and title is not None)):
                yield pubtator_document(pmid, title or "", abstract)
                title = abstract = None
            pmid = doc
            if kind == "t":
                title = text
            else:
                abstract = text
            continue
        cells = line.split("\t")
        if len(cells) >= 4 and pmid is not None and cells[0] == pmid:
            continue  # the input's own annotation or relation line
        if problems is not None:
            problems.append(f"{name} line {number}: not a PubTator title, abstract or "
                            "annotation line; passed over")
    if pmid is not None:
        yield pubtator_document(pmid, title or "", abstract)


# ---- BioC ----

def bioc_module() -> Any:
    """The ``bioc`` package, or one clear error naming the extra that installs it."""
    try:
        import bioc
        import bioc.biocjson
        import bioc.biocxml
    except ImportError as exc:
        raise MissingLibraryError(
            "the BioC formats need the bioc package: pip install -e '.[bioc]' (or pip install "
            "bioc)") from exc
    return bioc


def _collection_info(collection: Any) -> CollectionInfo:
    return CollectionInfo(collection.source or "", collection.date or "", collection.key or "",
                          tuple((str(k), str(v)) for k, v in collection.infons.items()))


def bioc_corpus_document(document: Any, collection: CollectionInfo | None) -> CorpusDocument:
    """A BioC document as pieces: each passage with text, or each sentence of a passage whose
    text is in its sentences. The document is copied without its annotations and relations,
    which the writer replaces."""
    pieces: list[Piece] = []
    for i, passage in enumerate(document.passages):
        kind = str(passage.infons.get("type", "passage"))
        if passage.text or not passage.sentences:
            pieces.append(Piece(int(passage.offset), passage.text or "", kind, i))
            continue
        for j, sentence in enumerate(passage.sentences):
            pieces.append(Piece(int(sentence.offset), sentence.text or "", kind, i, j))
    kept = copy.deepcopy(document)
    kept.annotations = []
    kept.relations = []
    for passage in kept.passages:
        passage.annotations = []
        passage.relations = []
        for sentence in passage.sentences:
            sentence.annotations = []
            sentence.relations = []
    doc_id = str(document.id) if document.id is not None else ""
    return CorpusDocument(doc_id, _checked(doc_id, pieces), "bioc", kept, collection)


def read_bioc(stream: BinaryIO, name: str) -> Iterator[CorpusDocument]:
    """The documents of a BioC file, XML (streamed, one document at a time) or JSON (told
    apart by the first character that is not white space)."""
    bioc = bioc_module()
    if not hasattr(stream, "peek"):
        stream = io.BufferedReader(stream)  # type: ignore[arg-type]  # to look ahead
    first = stream.peek(64).lstrip()[:1]
    if first in (b"{", b"["):
        yield from _read_bioc_json(stream, name, bioc)
        return
    from lxml import etree  # a dependency of bioc

    try:
        reader = bioc.biocxml.decoder.BioCXMLDocumentReader(stream)
        info = _collection_info(reader.get_collection_info())
        for number, document in enumerate(reader, 1):
            if document.id is None:
                document.id = f"{name}:{number}"
            yield bioc_corpus_document(document, info)
    except etree.XMLSyntaxError as exc:
        raise CorpusError(f"{name}: not BioC XML ({exc}); give a BioC XML or JSON "
                          "collection") from exc
    except AttributeError as exc:  # the reader found no <collection>
        raise CorpusError(f"{name}: no BioC <collection> in it; give a BioC XML or JSON "
                          "collection") from exc


def _read_bioc_json(stream: BinaryIO, name: str, bioc: Any) -> Iterator[CorpusDocument]:
    import json

    try:
        data = json.load(io.TextIOWrapper(stream, encoding="utf-8-sig"))
        if isinstance(data, list):
            data = {"source": "", "date": "", "key": "", "infons": {}, "documents": data}
        collection = bioc.biocjson.decoder.parse_collection(data)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CorpusError(f"{name}: not a BioC JSON collection ({type(exc).__name__}: {exc}); "
                          "give a BioC XML or JSON collection") from exc
    info = _collection_info(collection)
    for number, document in enumerate(collection.documents, 1):
        if document.id is None:
            document.id = f"{name}:{number}"
        yield bioc_corpus_document(document, info)
