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

        def call(owner: Any, *args: Hashable) -> R:
            cached = caches.get(owner)
            if cached is None:
                ref = weakref.ref(owner)

                @lru_cache(maxsize=maxsize)
                def cached(*a: Hashable) -> R:
                    return func(ref(), *a)

                caches[owner] = cached
            return cached(*args)

        def cache_clear() -> None:
            caches.clear()

        call.cache_clear = cache_clear  # type: ignore[attr-defined]
        call.__doc__ = func.__doc__
        call.__name__ = func.__name__
        return call

    return wrap
