"""Small array helpers shared by the engine: concatenated ranges, growable tables, sorted sets."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["ranges", "GrowableTable", "SortedKeySet", "KeyCounter"]


def ranges(starts: NDArray[np.int64], lengths: NDArray[np.int64]) -> NDArray[np.int64]:
    """Concatenate ``arange(s, s + l)`` for every ``(s, l)`` without a Python loop.

    Examples
    --------
    >>> ranges(np.array([5, 0]), np.array([2, 3])).tolist()
    [5, 6, 0, 1, 2]
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.cumsum(lengths) - lengths
    return np.arange(total, dtype=np.int64) + np.repeat(np.asarray(starts, dtype=np.int64) - offsets, lengths)


class GrowableTable:
    """Columns of equal length that grow by amortised doubling.

    Examples
    --------
    >>> t = GrowableTable({"a": np.int64, "b": np.float64})
    >>> t.append(a=np.array([1, 2]), b=np.array([0.5, 1.5]))
    >>> t.n, t["a"].tolist()
    (2, [1, 2])
    """

    def __init__(self, dtypes: dict, capacity: int = 1024) -> None:
        self.n = 0
        self._cols = {name: np.zeros(capacity, dtype=dt) for name, dt in dtypes.items()}

    def __getitem__(self, name: str) -> np.ndarray:
        return self._cols[name][: self.n]

    def columns(self) -> list[str]:
        """Column names."""
        return list(self._cols)

    def append(self, **values: np.ndarray) -> None:
        """Append rows; every column must be given (missing ones are zero-filled)."""
        m = len(next(iter(values.values())))
        need = self.n + m
        cap = len(next(iter(self._cols.values())))
        if need > cap:
            new_cap = max(need, 2 * cap)
            for name, col in self._cols.items():
                grown = np.zeros(new_cap, dtype=col.dtype)
                grown[: self.n] = col[: self.n]
                self._cols[name] = grown
        for name, col in self._cols.items():
            if name in values:
                col[self.n : need] = values[name]
            else:
                col[self.n : need] = 0
        self.n = need

    def snapshot(self) -> dict[str, np.ndarray]:
        """Copies of every column, trimmed to length."""
        return {name: col[: self.n].copy() for name, col in self._cols.items()}


class SortedKeySet:
    """A set of int64 keys kept as one sorted array (membership by binary search).

    Examples
    --------
    >>> s = SortedKeySet()
    >>> s.add(np.array([5, 1, 5]))
    >>> s.contains(np.array([1, 2, 5])).tolist()
    [True, False, True]
    """

    def __init__(self) -> None:
        self.keys = np.zeros(0, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.keys)

    def contains(self, keys: NDArray[np.int64]) -> NDArray[np.bool_]:
        """Boolean mask: which of ``keys`` are in the set."""
        if len(self.keys) == 0 or len(keys) == 0:
            return np.zeros(len(keys), dtype=bool)
        pos = np.searchsorted(self.keys, keys)
        pos = np.minimum(pos, len(self.keys) - 1)
        return self.keys[pos] == keys

    def add(self, keys: NDArray[np.int64]) -> None:
        """Insert keys (duplicates and existing keys are ignored)."""
        new = np.unique(keys)
        new = new[~self.contains(new)]
        if len(new):
            self.keys = np.insert(self.keys, np.searchsorted(self.keys, new), new)

    def drop_below(self, threshold: int) -> None:
        """Remove every key smaller than ``threshold``."""
        cut = int(np.searchsorted(self.keys, threshold))
        if cut:
            self.keys = self.keys[cut:].copy()


class KeyCounter:
    """Counts per int64 key, kept sorted (e.g. impressions per viewer-author pair).

    Examples
    --------
    >>> kc = KeyCounter()
    >>> kc.add(np.array([3, 1, 3]))
    >>> kc.keys.tolist(), kc.counts.tolist()
    ([1, 3], [1, 2])
    """

    def __init__(self) -> None:
        self.keys = np.zeros(0, dtype=np.int64)
        self.counts = np.zeros(0, dtype=np.int64)

    def add(self, keys: NDArray[np.int64]) -> None:
        """Add one to the count of every key occurrence."""
        if len(keys) == 0:
            return
        uniq, cnt = np.unique(keys, return_counts=True)
        pos = np.searchsorted(self.keys, uniq)
        safe = np.minimum(pos, max(len(self.keys) - 1, 0))
        found = (pos < len(self.keys)) & (self.keys[safe] == uniq) if len(self.keys) else np.zeros(len(uniq), bool)
        self.counts[pos[found]] += cnt[found]
        if (~found).any():
            self.keys = np.insert(self.keys, pos[~found], uniq[~found])
            self.counts = np.insert(self.counts, pos[~found], cnt[~found])
