"""Caches that live as long as their owner: the owner asked last is at hand, yet freed."""

from __future__ import annotations

import gc
import weakref

from innkit.caching import owner_cache


class _Owner:
    def __init__(self, base: int) -> None:
        self.base = base


def test_results_are_kept_per_owner_and_the_owner_is_freed_with_its_cache():
    calls: list[tuple[int, int]] = []

    @owner_cache(8)
    def add(owner: _Owner, x: int) -> int:
        calls.append((owner.base, x))
        return owner.base + x

    a, b = _Owner(10), _Owner(20)
    assert [add(a, 1), add(a, 1), add(b, 1), add(a, 1), add(b, 1)] == [11, 11, 21, 11, 21]
    assert calls == [(10, 1), (20, 1)]  # each owner's answer made once, switching between them
    gone = weakref.ref(b)
    del b
    gc.collect()
    assert gone() is None  # the owner asked last is held weakly
    add.cache_clear()  # type: ignore[attr-defined]
    assert add(a, 1) == 11 and calls[-1] == (10, 1)
