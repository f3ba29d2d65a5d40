"""The zstd codec of the shipped substance index: the standard library's from Python 3.14,
its backport before. One place, so that the index and the manifest read the same codec."""

from __future__ import annotations

try:
    from compression import zstd  # type: ignore[import-not-found]  # Python 3.14+
except ImportError:  # pragma: no cover - the backport, before 3.14
    from backports import zstd  # type: ignore[no-redef]

__all__ = ["zstd"]
