"""innkit: decode, find and check International Nonproprietary Names (INN).

Monoclonal antibodies first: ``decode("inotuzumab ozogamicin")`` reads ino-tu-zu-mab (tumour
target, humanized, monoclonal antibody) plus ozogamicin (a calicheamicin payload).
"""

from __future__ import annotations

from .annotate import LENIENCY_LEVELS, Annotator, Mention, annotate, annotate_chunks
from .decode import decode
from .errors import DataError, InnkitError, InvalidInputError, UnknownNameError
from .explain import explain
from .models import Decoding, Modifier, Radiolabel, Reading
from .naming import Suggestion, Validation, suggest, validate
from .similarity import Screening, SimilarityHit, screen
from .version import __version__

__all__ = [
    "LENIENCY_LEVELS",
    "Annotator",
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
    "__version__",
    "annotate",
    "annotate_chunks",
    "decode",
    "explain",
    "screen",
    "suggest",
    "validate",
]
