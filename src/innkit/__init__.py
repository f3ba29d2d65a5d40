"""innkit: decode, find and check International Nonproprietary Names (INN).

Monoclonal antibodies first: ``decode("inotuzumab ozogamicin")`` reads ino-tu-zu-mab (tumour
target, humanized, monoclonal antibody) plus ozogamicin (a calicheamicin payload).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from .errors import DataError, InnkitError, InvalidInputError, UnknownNameError
from .version import __version__

if TYPE_CHECKING:
    from .annotator.core import LENIENCY_LEVELS, Annotator, Mention, annotate
    from .annotator.parallel import Workers
    from .annotator.stitch import annotate_chunks
    from .checker.core import Claim, check
    from .decoder.decode import decode
    from .models import Decoding, Modifier, Radiolabel, Reading
    from .naming.core import Suggestion, Validation, suggest, validate
    from .screening.similarity import Screening, SimilarityHit, screen

_LAZY = {"LENIENCY_LEVELS": "annotator.core", "Annotator": "annotator.core",
         "Mention": "models", "annotate": "annotator.core",
         "annotate_chunks": "annotator.stitch", "Workers": "annotator.parallel",
         "Claim": "checker.core", "check": "checker.core",
         "decode": "decoder.decode",
         "Decoding": "models", "Modifier": "models", "Radiolabel": "models",
         "Reading": "models", "Suggestion": "naming.core", "Validation": "naming.core",
         "suggest": "naming.core", "validate": "naming.core",
         "Screening": "screening.similarity", "SimilarityHit": "screening.similarity",
         "screen": "screening.similarity"}
"""Every name that loads rules or indexes is imported on first use, so that ``import innkit``
costs nothing: the command line starts by taking charge of Ctrl-C before anything heavy loads,
and ``innkit annotate`` never pays for screening's numpy."""


def explain(name: object) -> str:
    """Decode ``name`` and describe each part in plain words: the card of ``innkit explain``."""
    from .decoder.decode import decode
    from .render import render_card

    return render_card(decode(name))


_LOADED: set[str] = set()


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None or name in _LOADED:  # loaded once, then deleted: gone, as any attribute
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    _LOADED.add(name)
    return value

__all__ = [
    "LENIENCY_LEVELS",
    "Annotator",
    "Claim",
    "DataError",
    "Decoding",
    "InnkitError",
    "InvalidInputError",
    "Mention",
    "Modifier",
    "Radiolabel",
    "Reading",
    "Screening",
    "SimilarityHit",
    "Suggestion",
    "UnknownNameError",
    "Validation",
    "Workers",
    "__version__",
    "annotate",
    "annotate_chunks",
    "check",
    "decode",
    "explain",
    "screen",
    "suggest",
    "validate",
]
