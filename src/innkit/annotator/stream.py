"""A text that arrives in chunks, cut into pieces, and what each piece holds on its own.

Where a text is cut depends on the text alone, so its pieces can be annotated in any order and
in any process; only the stitching (:mod:`innkit.annotator.stitch`) runs through them in order.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ..errors import require_text
from ..models import Decoding, Mention
from ..vocab import How, Leniency
from .core import Annotator, has_invisible, uses_of

LOOKAHEAD = 512
"""Characters of the next piece a streamed piece may read to finish a name cut at its end."""
LOOKBEHIND = 64
"""Characters of the previous piece kept to find a radiolabel written before a name."""


@dataclass(frozen=True, slots=True)
class Piece:
    """One piece of a streamed text: ``text[begin:stop]`` is its own, the rest context (the
    tail of the previous piece before, up to LOOKAHEAD characters of the next after);
    ``base`` is the document position of ``text[0]``; the last piece has ``stop`` None."""

    text: str
    begin: int
    stop: int | None
    base: int


def pieces(chunks: Iterable[str]) -> Iterator[Piece]:
    """The pieces of a text that arrives in chunks, each cut at a whitespace at least
    LOOKAHEAD characters before the end of what has arrived. Where they are cut depends on
    the text alone, not on the names found, so pieces can be annotated in any order."""
    context = ""  # already annotated text, kept for looking back
    carry = ""
    offset = 0  # absolute position of carry[0]
    for chunk in chunks:
        carry += require_text(chunk, "text")
        if len(carry) <= 2 * LOOKAHEAD:
            continue
        text = context + carry
        begin = len(context)
        limit = len(text) - LOOKAHEAD
        stop = max(text.rfind(" ", begin, limit), text.rfind("\n", begin, limit))
        if stop <= begin:  # no whitespace at all (junk): cut anyway, nothing name-like is lost
            stop = limit
        yield Piece(text, begin, stop, offset - begin)
        context = text[max(0, stop - LOOKBEHIND):stop]
        carry = text[stop:]
        offset += stop - begin
    if carry:
        yield Piece(context + carry, len(context), None, offset - len(context))


@dataclass(frozen=True, slots=True)
class PieceNames:
    """Everything of a piece that does not depend on the pieces before it: its names (short
    forms not yet linked), the short forms and brands it defines (in order of the text), where
    those and the document's earlier short forms are used, and its look-alike words."""

    found: list[Mention]
    defined: list[tuple[str, tuple[Decoding, How]]]
    uses: dict[str, list[tuple[int, int]]] | None
    """None: none looked for yet (the stitcher looks for every form at once)."""
    looks: list[Mention]
    looked: int = 0
    """How many of the document's short forms (the first, in order of definition) ``uses``
    answers for, besides the piece's own: the stitcher looks for the later ones only."""


def piece_names(annotator: Annotator, piece: Piece, shorts: tuple[str, ...] | None
                ) -> PieceNames | None:
    """A piece's own names, the uses of its definitions and of ``shorts`` (the short forms the
    document had defined when the piece was handed out); None when the piece must be annotated
    where the whole document is (invisible characters). ``shorts`` None: no uses looked for
    (the piece is stitched in this process, which then looks for every form's uses at once:
    one search of the piece, not two)."""
    if has_invisible(piece.text, piece.begin):
        return None
    found = annotator.found(piece.text, offset=piece.base, stop=piece.stop, begin=piece.begin)
    local: dict[str, tuple[Decoding, How]] = {}
    uses: dict[str, list[tuple[int, int]]] | None = {}
    if annotator.leniency != Leniency.STRICT:
        annotator.define(piece.text, found, piece.base, local)
        uses = None if shorts is None else uses_of(piece.text, [*shorts, *local], piece.begin,
                                                    piece.stop)
    shorts = shorts or ()
    looks = annotator.look_alikes(piece.text, piece.base, piece.begin, piece.stop)
    return PieceNames(found, list(local.items()), uses, looks, len(shorts))
