"""The curated tables and what is built from them: their rows and indexes, the affix grammar,
drug classes, English words, the name normal form, the data manifest and the table lint."""

from .core import Rules

__all__ = ["Rules"]
