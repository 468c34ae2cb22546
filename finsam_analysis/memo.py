"""Results remembered per loaded dataset, by the layer that computes them.

A loaded :class:`~finsam_analysis.ingest.dataset.Dataset` holds data only.
A layer that derives something costly from it (the prepared participations,
the SCB series in wide form, a förbund's family of periods, a report's tables)
keeps its own :class:`PerDataset` memo: the result lives as long as the
dataset object does, and nothing lower down needs to know it exists.

The data of a dataset are never modified after loading, so a result keyed on
the dataset's identity and the call's arguments stays right. Results are
shared: treat them as read-only.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Hashable
from typing import Any


class PerDataset:
    """``compute()`` remembered under ``(dataset, key)`` while the dataset lives.

    Parameters
    ----------
    name : str
        What is remembered, for ``repr`` and debugging.

    Notes
    -----
    Keyed on ``id(dataset)`` with a weak reference that forgets the entry
    when the dataset is collected (a Dataset compares by value, so it is not
    hashable). Two threads asking for the same missing key may both compute
    it; the first result stored wins, so every caller sees one object.
    """

    _all: list[weakref.ReferenceType] = []

    def __init__(self, name: str) -> None:
        self.name = name
        self._store: dict[int, tuple[weakref.ReferenceType, dict]] = {}
        self._lock = threading.Lock()
        PerDataset._all.append(weakref.ref(self))

    def __repr__(self) -> str:
        return f"PerDataset({self.name!r}, {len(self._store)} dataset(s))"

    def get(self, dataset: Any, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The remembered result for ``(dataset, key)``, computed on first use."""
        entries = self._entries(dataset)
        if key not in entries:
            value = compute()
            with self._lock:
                entries.setdefault(key, value)
        return entries[key]

    def peek(self, dataset: Any, key: Hashable, default: Any = None) -> Any:
        """The remembered result if there is one, else ``default`` (never computes)."""
        held = self._store.get(id(dataset))
        if held is None or held[0]() is not dataset:
            return default
        return held[1].get(key, default)

    def forget(self, dataset: Any) -> None:
        """Drop everything remembered for ``dataset`` (benchmarks time a cold start)."""
        with self._lock:
            self._store.pop(id(dataset), None)

    def _entries(self, dataset: Any) -> dict:
        ident = id(dataset)
        held = self._store.get(ident)
        if held is not None and held[0]() is dataset:
            return held[1]
        with self._lock:
            held = self._store.get(ident)
            if held is None or held[0]() is not dataset:
                ref = weakref.ref(dataset, lambda _, ident=ident: self._drop(ident))
                held = (ref, {})
                self._store[ident] = held
        return held[1]

    def _drop(self, ident: int) -> None:
        with self._lock:
            held = self._store.get(ident)
            if held is not None and held[0]() is None:
                del self._store[ident]


def forget_all(dataset: Any) -> None:
    """Drop what every memo remembers for ``dataset``."""
    for ref in list(PerDataset._all):
        memo = ref()
        if memo is not None:
            memo.forget(dataset)
