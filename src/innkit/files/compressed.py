"""The zstd codec of the shipped substance index: the standard library's from Python 3.14,
its backport before. One place, so that the index and the manifest read the same codec."""

from __future__ import annotations

from typing import Any


def _codec() -> Any:
    try:
        from compression import zstd  # type: ignore[import-not-found]  # Python 3.14+
    except ImportError:  # pragma: no cover - the backport, before 3.14
        from backports import zstd  # type: ignore[no-redef]
    return zstd


class _Lazy:
    """The codec module, imported when first used: only the first run expands the index, and
    the import costs every other run 1.5 ms."""

    def __getattr__(self, name: str) -> Any:
        return getattr(_codec(), name)


zstd: Any = _Lazy()

__all__ = ["zstd"]
