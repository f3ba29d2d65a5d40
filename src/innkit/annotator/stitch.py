"""The one stitcher of a streamed text: its pieces, annotated here or by worker processes,
joined in order into the mentions of the whole document."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

from ..models import Mention
from ..registry import Registry
from ..vocab import Leniency
from .core import Annotator, Definitions, link, shared_annotator, with_look_alikes
from .parallel import Schedule, Workers
from .stream import Piece, PieceNames, pieces


class Stitcher:
    """One document's state across its pieces: the short forms and brands it defines (the
    nearest definition before a use stands; a stream cannot look back, so a use before the
    piece that defines it is not linked), and where its last name ended (no name of a later
    piece starts before it: the floor)."""

    def __init__(self, annotator: Annotator) -> None:
        self.annotator = annotator
        self.defined: Definitions = {}
        self.last_end = 0  # absolute end of the last name found

    def whole(self, piece: Piece) -> list[Mention]:
        """The piece annotated here, in full, on from the pieces before it."""
        return self._ended(self.annotator.annotate(
            piece.text, offset=piece.base, stop=piece.stop, begin=piece.begin,
            floor=self._floor(piece), abbreviations=self.defined))

    def stitch(self, piece: Piece, names: PieceNames | None) -> list[Mention]:
        """The piece from its own names, worked out elsewhere: its definitions added to the
        document's and the short forms linked. Annotated whole instead when it has none (it
        holds invisible characters) or when its first name starts before the previous piece's
        last name ends (a name cut by the piece's edge): the answer is always that of
        :meth:`whole`."""
        if names is None or (names.found and names.found[0].start < self.last_end):
            return self.whole(piece)
        found = names.found
        if self.annotator.leniency != Leniency.STRICT:
            # The uses of the forms the document had defined when the piece was read, and of
            # the piece's own, came with its names: only those defined since are looked for
            # (every form, when none came).
            own = {short for short, _ in names.defined}
            fresh = None if names.uses is None else [
                short for short in islice(self.defined, names.looked, None) if short not in own]
            for short, definition in names.defined:
                self.defined.setdefault(short, definition)
            found = link(piece.text, found, piece.base, piece.begin, piece.stop, self.defined,
                         self._floor(piece), names.uses, fresh)
        return self._ended(with_look_alikes(found, names.looks))

    def _floor(self, piece: Piece) -> int:
        return max(0, self.last_end - piece.base)

    def _ended(self, mentions: list[Mention]) -> list[Mention]:
        if mentions:
            self.last_end = mentions[-1].end
        return mentions


def annotate_chunks(chunks: Iterable[str], *, leniency: Leniency | str = Leniency.STANDARD,
                    registry: Registry | None = None,
                    workers: Workers | None = None) -> Iterator[Mention]:
    """Mentions of a text that arrives in pieces, in constant memory for any length.

    Each piece (see :func:`~innkit.annotator.stream.pieces`) is annotated up to its cut; names
    that start there may read on into the held-back text, a name may reach back over its
    radiolabel into the previous piece, and no name of a piece starts before the previous
    piece's last name ends. The result equals ``annotate`` on the joined text, but that a short
    form used before the piece that defines it is not linked (a stream cannot look back).
    Offsets count from the start of the first piece.

    ``workers`` (:class:`~innkit.annotator.parallel.Workers`) share the pieces of a long text
    with worker processes: the same mentions in the same order. Workers are forked from this
    process on Linux and fresh interpreters (spawned) elsewhere, so a script that uses them runs
    under ``if __name__ == "__main__":``, as for any use of :mod:`multiprocessing`.
    """
    stitcher = Stitcher(shared_annotator(leniency, registry))
    if workers is None or workers.jobs < 1:
        for piece in pieces(chunks):
            yield from stitcher.whole(piece)
        return
    schedule = Schedule(workers, stitcher.annotator, stitcher.defined)
    try:
        for piece, names in schedule.flow(pieces(chunks)):
            yield from stitcher.stitch(piece, names)
    finally:
        schedule.clear()
