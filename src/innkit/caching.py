"""Caches that live exactly as long as the object they belong to.

A module-level ``lru_cache`` keyed by a registry keeps every registry it ever saw alive (each
holds tens of megabytes of names). These caches hang off the owner through a weak reference
instead: when the owner goes, its cache goes with it.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable
from functools import lru_cache
from typing import Any, TypeVar

R = TypeVar("R")


def owner_cache(maxsize: int) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """Decorate ``f(owner, *args)``: results are cached per owner, freed with the owner."""

    def wrap(func: Callable[..., R]) -> Callable[..., R]:
        caches: weakref.WeakKeyDictionary[Any, Callable[..., R]] = weakref.WeakKeyDictionary()
        # The owner asked last (weakly) and its cache, replaced whole (threads): a hot caller
        # asks one owner again and again, and a weak-keyed look-up costs as much as a hit.
        last: list[tuple[weakref.ref[Any] | None, Callable[..., R] | None]] = [(None, None)]

        def call(owner: Any, *args: Hashable) -> R:
            ref, cached = last[0]
            if ref is None or ref() is not owner:
                cached = caches.get(owner)
                if cached is None:
                    weak = weakref.ref(owner)

                    @lru_cache(maxsize=maxsize)
                    def cached(*a: Hashable) -> R:
                        return func(weak(), *a)

                    caches[owner] = cached
                last[0] = (weakref.ref(owner), cached)
            return cached(*args)  # type: ignore[misc]

        def cache_clear() -> None:
            last[0] = (None, None)
            caches.clear()

        call.cache_clear = cache_clear  # type: ignore[attr-defined]
        call.__doc__ = func.__doc__
        call.__name__ = func.__name__
        return call

    return wrap
