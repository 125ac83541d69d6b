"""Small array helpers shared by the engine: concatenated ranges, growable tables, sorted sets."""

from __future__ import annotations

import numpy as np
from numba import njit, prange
from numpy.typing import NDArray

from .kernels import LAUNCH_LOCK
from .kernels.sorting import sort_run, stable_argsort

__all__ = ["ranges", "set_bits", "GrowableTable", "HashSet", "BufferedCounter", "sort_pair_keys"]


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


_BIT_POSITIONS: NDArray[np.int8] | None = None


def set_bits(masks: NDArray[np.uint64]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Every set bit of every mask: (index of the mask, bit position), in order.

    Masks are split into 16-bit chunks; a table of the set-bit positions of all
    65,536 chunk values turns the enumeration into array gathers, so the cost is
    proportional to the masks plus the bits set.

    Examples
    --------
    >>> [a.tolist() for a in set_bits(np.array([5, 0, 1 << 40], dtype=np.uint64))]
    [[0, 0, 2], [0, 2, 40]]
    """
    global _BIT_POSITIONS
    if _BIT_POSITIONS is None:
        v = np.arange(1 << 16, dtype=np.int64)
        clear = ((v[:, None] >> np.arange(16)) & 1) == 0
        _BIT_POSITIONS = np.argsort(clear, axis=1, kind="stable").astype(np.int8).ravel()
    chunks = np.ascontiguousarray(masks, dtype="<u8").view("<u2")  # 4 chunks per mask, low first
    nz = np.flatnonzero(chunks)
    vals = chunks[nz]
    c = np.bitwise_count(vals).astype(np.int64)
    within = np.arange(int(c.sum()), dtype=np.int64) - np.repeat(np.cumsum(c) - c, c)
    chunk = np.repeat(nz, c)
    pos = _BIT_POSITIONS[np.repeat(vals.astype(np.int64) << 4, c) + within] + ((chunk & 3) << 4)
    return chunk >> 2, pos


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

    def drop_prefix(self, m: int) -> None:
        """Forget the first ``m`` rows (the rest move to the front; capacity is kept).

        Examples
        --------
        >>> t = GrowableTable({"a": np.int64})
        >>> t.append(a=np.array([1, 2, 3])); t.drop_prefix(2)
        >>> t["a"].tolist()
        [3]
        """
        m = min(int(m), self.n)
        for col in self._cols.values():
            col[: self.n - m] = col[m : self.n]
        self.n -= m


_EMPTY = np.int64(-1)
_GOLDEN = np.int64(0x9E3779B97F4A7C15 - (1 << 64))  # 2^64/phi as a wrapping int64


@njit(cache=True)
def _probe_insert(table, keys, bits):  # pragma: no cover - compiled
    """Insert distinct absent ``keys`` into the open-addressing ``table`` (Fibonacci hashing, linear probing)."""
    mask = (np.int64(1) << bits) - 1
    for k in keys:
        pos = ((k * _GOLDEN) >> np.int64(64 - bits)) & mask
        while table[pos] != _EMPTY:
            pos = (pos + 1) & mask
        table[pos] = k


@njit(cache=True)
def _count_low_at_least(table, floor):  # pragma: no cover - compiled
    """Keys of ``table`` whose low 32 bits are at least ``floor``."""
    n = 0
    for k in table:
        if k != _EMPTY and (k & np.int64(0xFFFFFFFF)) >= floor:
            n += 1
    return n


@njit(cache=True)
def _move_low_at_least(old, new, bits, floor, shift):  # pragma: no cover - compiled
    """Insert every key of ``old`` whose low 32 bits are at least ``floor``, minus ``shift``, into ``new``."""
    mask = (np.int64(1) << bits) - 1
    for k in old:
        if k != _EMPTY and (k & np.int64(0xFFFFFFFF)) >= floor:
            k -= shift
            pos = ((k * _GOLDEN) >> np.int64(64 - bits)) & mask
            while new[pos] != _EMPTY:
                pos = (pos + 1) & mask
            new[pos] = k


def _bits_for(n: int) -> int:
    """Table bits for ``n`` keys at load at most 1/2 (at least 16 slots)."""
    return max(4, int(np.ceil(np.log2(max(2 * n, 16)))))


class HashSet:
    """A set of non-negative int64 ``(hi << 32) | lo`` keys in an open-addressing hash table.

    Vectorised linear probing: a lookup or insert of ``m`` keys costs ``O(m)``
    array work in a few probe rounds (load factor kept at or below 1/2), with one
    random memory access per key and round instead of a binary search's many.

    ``stale_below`` is an optional ``f() -> int``: keys whose low 32 bits are
    below it are stale. The set drops them whenever the table must grow and in
    :meth:`prune_stale`, by compiled passes over its slots that hold no copy of
    its keys.

    Examples
    --------
    >>> s = HashSet()
    >>> s.add(np.array([5, 1, 5]))
    >>> s.contains(np.array([1, 2, 5])).tolist(), len(s)
    ([True, False, True], 2)
    """

    def __init__(self, capacity: int = 1024, stale_below=None) -> None:
        self.bits = max(4, int(np.ceil(np.log2(max(capacity, 16)))))
        self.table = np.full(1 << self.bits, _EMPTY, dtype=np.int64)
        self.n = 0
        self.stale_below = stale_below

    def __len__(self) -> int:
        return self.n

    def _slot(self, keys: NDArray[np.int64]) -> NDArray[np.int64]:
        # Fibonacci hashing: multiply (wrapping) by 2^64 / phi, keep the top bits.
        return ((keys * _GOLDEN) >> np.int64(64 - self.bits)) & np.int64((1 << self.bits) - 1)

    def _floor(self) -> np.int64:
        return np.int64(self.stale_below() if self.stale_below is not None else 0)

    def contains(self, keys: NDArray[np.int64]) -> NDArray[np.bool_]:
        """Boolean mask: which of ``keys`` are in the set."""
        if self.n == 0 or len(keys) == 0:
            return np.zeros(len(keys), dtype=bool)
        keys = np.asarray(keys, dtype=np.int64)
        mask = (1 << self.bits) - 1
        table = self.table
        pos = self._slot(keys)
        v = np.take(table, pos)
        found = v == keys
        # keys whose first slot holds another key probe on (few at load <= 1/2)
        active = np.flatnonzero(v != keys)
        active = active[v[active] != _EMPTY]
        pos = (pos[active] + 1) & mask
        while len(active):
            v = np.take(table, pos)
            hit = v == keys[active]
            found[active[hit]] = True
            go = ~hit & (v != _EMPTY)
            active = active[go]
            pos = (pos[go] + 1) & mask
        return found

    def _insert_new(self, keys: NDArray[np.int64]) -> None:
        """Insert distinct keys known to be absent: one compiled pass of linear probing."""
        if self.n + len(keys) > (1 << (self.bits - 1)):
            self._rehash(self.n + len(keys))
        _probe_insert(self.table, np.ascontiguousarray(keys, dtype=np.int64), np.int64(self.bits))
        self.n += len(keys)

    def _rehash(self, need: int) -> None:
        """Grow (after dropping stale keys) to hold ``need`` keys at load at most 1/2.

        ``need`` counts the keys already in the table; the stale ones dropped here
        are taken off it. One doubling when nothing is stale.
        """
        floor = self._floor()
        kept = _count_low_at_least(self.table, floor)
        self._move_into(_bits_for(need - (self.n - kept)), floor, np.int64(0), kept)

    def _move_into(self, bits: int, floor, shift, kept: int) -> None:
        """Move the keys with low half ``>= floor`` (minus ``shift``) into a new table of ``bits``."""
        old = self.table
        self.table = np.full(1 << bits, _EMPTY, dtype=np.int64)
        self.bits = bits
        _move_low_at_least(old, self.table, np.int64(bits), np.int64(floor), np.int64(shift))
        self.n = kept

    def add_new(self, keys: NDArray[np.int64]) -> None:
        """Insert distinct keys the caller knows are absent (no checks; faster)."""
        if len(keys):
            self._insert_new(np.asarray(keys, dtype=np.int64))

    def add(self, keys: NDArray[np.int64]) -> None:
        """Insert keys (duplicates and existing keys are ignored)."""
        if len(keys) == 0:
            return
        new = np.unique(keys)
        new = new[~self.contains(new)]
        if len(new):
            self._insert_new(new)

    def prune_stale(self, min_fraction: float = 0.25) -> int:
        """Drop the stale keys, if they are at least ``min_fraction`` of the set.

        Called once a simulated day, so that expired keys never pile up until the
        table must grow (which would double it); the table is rebuilt at the size
        the kept keys need, so it also shrinks. Returns the number of keys dropped.

        Examples
        --------
        >>> s = HashSet(stale_below=lambda: 10)
        >>> s.add(np.arange(16))
        >>> s.prune_stale(), len(s), s.contains(np.array([3, 12])).tolist()
        (10, 6, [False, True])
        """
        if self.stale_below is None or self.n == 0:
            return 0
        floor = self._floor()
        kept = _count_low_at_least(self.table, floor)
        dropped = self.n - kept
        if dropped == 0 or dropped < min_fraction * self.n:
            return 0
        self._move_into(_bits_for(kept), floor, np.int64(0), kept)
        return dropped

    def shift_low(self, m: int) -> None:
        """Drop keys whose low 32 bits are below ``m`` and subtract ``m`` from the rest.

        Used when ids packed in the low half of ``(hi << 32) | lo`` keys are renumbered.

        Examples
        --------
        >>> s = HashSet(); s.add(np.array([(1 << 32) | 5, 3]))
        >>> s.shift_low(4); s.keys().tolist() == [(1 << 32) | 1]
        True
        """
        kept = _count_low_at_least(self.table, np.int64(m))
        self._move_into(_bits_for(kept), m, m, kept)

    def keys(self) -> NDArray[np.int64]:
        """The keys, sorted."""
        return np.sort(self.table[self.table != _EMPTY])


_INT32_MAX = np.iinfo(np.int32).max


@njit(cache=True)
def _bucket_by_viewer(keys, n_rows):  # pragma: no cover - compiled
    """Keys grouped by their high half (the viewer), in CSR order: ``(grouped, ptr)``."""
    ptr = np.zeros(n_rows + 1, dtype=np.int64)
    for x in keys:
        ptr[(x >> 32) + 1] += 1
    for v in range(n_rows):
        ptr[v + 1] += ptr[v]
    pos = ptr[:-1].copy()
    out = np.empty(len(keys), dtype=np.int64)
    for x in keys:
        v = x >> 32
        out[pos[v]] = x
        pos[v] += 1
    return out, ptr


@njit(cache=True, parallel=True)
def _sort_within_viewers(out, ptr):  # pragma: no cover - compiled
    """Sort each viewer's slice ``out[ptr[v]:ptr[v + 1]]`` in place (viewers in parallel)."""
    for v in prange(len(ptr) - 1):
        lo, hi = ptr[v], ptr[v + 1]
        if hi - lo <= 32:
            sort_run(out, lo, hi)
        else:
            seg = out[lo:hi].copy()
            order = stable_argsort(seg)
            for j in range(hi - lo):
                out[lo + j] = seg[order[j]]


def sort_pair_keys(keys: NDArray[np.int64]) -> NDArray[np.int64]:
    """``np.sort(keys)`` for ``(viewer << 32) | author`` keys, by viewer buckets in parallel.

    A counting pass groups the keys by viewer (their high half) and each viewer's
    few keys are then sorted on their own, on every kernel thread: linear in the
    number of keys apart from those small sorts, where ``np.sort`` does a
    comparison sort of all of them on one thread (measured in :meth:`BufferedCounter.flush`).

    Examples
    --------
    >>> sort_pair_keys(np.array([(2 << 32) | 5, 7, (2 << 32) | 1, 3])).tolist() == sorted(
    ...     [(2 << 32) | 5, 7, (2 << 32) | 1, 3])
    True
    """
    if len(keys) == 0:
        return keys.copy()
    grouped, ptr = _bucket_by_viewer(keys, int(keys.max() >> 32) + 1)
    with LAUNCH_LOCK:
        _sort_within_viewers(grouped, ptr)
    return grouped


@njit(cache=True)
def _add_existing(ptr, author, count, viewer, new_author, new_count, found):  # pragma: no cover - compiled
    """Add ``new_count`` to the pairs already present; mark them in ``found``; return the largest count.

    ``(viewer, new_author)`` are sorted and distinct; row ``v`` of the CSR table
    ``(ptr, author)`` is sorted, so each lookup is a binary search within the row.
    """
    n_rows = len(ptr) - 1
    top = 0
    for i in range(len(viewer)):
        v = viewer[i]
        if v >= n_rows:
            continue
        lo = ptr[v]
        hi = ptr[v + 1]
        a = new_author[i]
        while lo < hi:
            mid = (lo + hi) >> 1
            if author[mid] < a:
                lo = mid + 1
            else:
                hi = mid
        if lo < ptr[v + 1] and author[lo] == a:
            c = count[lo] + new_count[i]
            count[lo] = c
            found[i] = True
            if c > top:
                top = c
    return top


@njit(cache=True)
def _merge_back(old_ptr, new_ptr, author, count, viewer, new_author, new_count):  # pragma: no cover - compiled
    """Merge new pairs (sorted, absent from the table) into the CSR table in place.

    Rows are rewritten from the last one backwards, each from its end, so every
    write lands at or after the position it overwrites is read from: no buffer
    beyond the table's own capacity (``author`` and ``count`` must hold
    ``new_ptr[-1]`` entries). Rows before the first one with a new pair do not move.
    """
    j = len(viewer) - 1
    for v in range(len(old_ptr) - 2, -1, -1):
        if j < 0:
            break
        lo = old_ptr[v]
        i = old_ptr[v + 1] - 1
        w = new_ptr[v + 1] - 1
        while j >= 0 and viewer[j] == v:
            a = new_author[j]
            if i >= lo and author[i] > a:
                author[w] = author[i]
                count[w] = count[i]
                i -= 1
            else:
                author[w] = a
                count[w] = new_count[j]
                j -= 1
            w -= 1
        if w != i:
            while i >= lo:
                author[w] = author[i]
                count[w] = count[i]
                i -= 1
                w -= 1


@njit(cache=True)
def _add_rows(ptr, author, count, indptr, indices, counts, new_ptr):  # pragma: no cover - compiled
    """Add the table ``(indptr, indices, counts)``'s counts to the pairs already present (zero counts skipped).

    Writes ``new_ptr``, the row pointers once the absent pairs are in; returns
    the largest count. Rows of both tables are sorted: one merge walk per row.
    """
    n_old = len(ptr) - 1
    top = 0
    new_ptr[0] = 0
    for v in range(len(new_ptr) - 1):
        lo = ptr[v] if v < n_old else ptr[n_old]
        hi = ptr[v + 1] if v < n_old else ptr[n_old]
        j = lo
        extra = 0
        if v < len(indptr) - 1:
            for i in range(indptr[v], indptr[v + 1]):
                c = counts[i]
                if c == 0:
                    continue
                a = indices[i]
                while j < hi and author[j] < a:
                    j += 1
                if j < hi and author[j] == a:
                    x = count[j] + c
                    count[j] = x
                    if x > top:
                        top = x
                    j += 1
                else:
                    extra += 1
                    if c > top:
                        top = c
        new_ptr[v + 1] = new_ptr[v] + (hi - lo) + extra
    return top


@njit(cache=True)
def _merge_rows_back(ptr, new_ptr, author, count, indptr, indices, counts):  # pragma: no cover - compiled
    """Put the pairs of ``(indptr, indices, counts)`` absent from the table into it, in place (see :func:`_add_rows`).

    Rows are rewritten from the last backwards, each from its end (as
    :func:`_merge_back`); pairs already present were added by :func:`_add_rows`.
    """
    n_old = len(ptr) - 1
    for v in range(len(new_ptr) - 2, -1, -1):
        lo = ptr[v] if v < n_old else ptr[n_old]
        hi = ptr[v + 1] if v < n_old else ptr[n_old]
        w = new_ptr[v + 1] - 1
        if w == hi - 1 and new_ptr[v] == lo:
            continue  # nothing new in this row, and it does not move
        i = hi - 1
        if v < len(indptr) - 1:
            for e in range(indptr[v + 1] - 1, indptr[v] - 1, -1):
                c = counts[e]
                if c == 0:
                    continue
                a = indices[e]
                while i >= lo and author[i] > a:
                    author[w] = author[i]
                    count[w] = count[i]
                    i -= 1
                    w -= 1
                if i >= lo and author[i] == a:  # present: its sum is in place already
                    author[w] = author[i]
                    count[w] = count[i]
                    i -= 1
                else:
                    author[w] = a
                    count[w] = c
                w -= 1
        while i >= lo:
            author[w] = author[i]
            count[w] = count[i]
            i -= 1
            w -= 1


def _grown(arr: np.ndarray, n: int, cap: int) -> np.ndarray:
    """A zero-filled array of length ``cap`` starting with ``arr[:n]``."""
    out = np.zeros(cap, dtype=arr.dtype)
    out[:n] = arr[:n]
    return out


class BufferedCounter:
    """Counts per ``(viewer << 32) | author`` key: occurrences are buffered and merged in batches.

    Adding is an append; :meth:`flush` sorts the buffer once and merges it into a
    table in CSR form: row ``v`` holds the authors ``v`` has been shown (sorted,
    ``int32``) and their counts (``int32``, widened to ``int64`` only if a count
    would overflow), 8 bytes per distinct pair plus 8 per viewer. The merge runs
    in place, from the back, inside arrays that grow by a quarter at a time
    (``ndarray.resize``, which large arrays do without a copy), so a merge never
    holds two copies of the table: memory follows the number of distinct pairs,
    and a long run does not double it once a day. The table is sorted by key,
    and :meth:`snapshot` lends its arrays (copy-on-write) instead of copying them.

    Keys must have both halves below 2**31 (viewer and author indices).

    Examples
    --------
    >>> c = BufferedCounter()
    >>> c.add(np.array([3, 1])); c.add(np.array([3, (2 << 32) | 1]))
    >>> [a.tolist() for a in c.items()]
    [[1, 3, 8589934593], [1, 2, 1]]
    >>> ptr, author, count = c.snapshot(4)
    >>> ptr.tolist(), author.tolist(), count.tolist()
    ([0, 2, 2, 3, 3], [1, 3, 1], [1, 2, 1])
    """

    #: Growth factor of the pair arrays when a merge needs more room.
    GROWTH = 1.25

    def __init__(self, flush_size: int = 1 << 23) -> None:
        self.ptr = np.zeros(1, dtype=np.int64)
        self._author = np.zeros(1024, dtype=np.int32)
        self._count = np.zeros(1024, dtype=np.int32)
        self._max = 0  # largest count in the table
        self._shared = False  # the arrays are lent to a snapshot: copy before writing
        self._pending: list[np.ndarray] = []
        self._n_pending = 0
        self.flush_size = flush_size

    def __len__(self) -> int:
        """Number of distinct keys merged so far (pending occurrences not included)."""
        return int(self.ptr[-1])

    @property
    def nbytes(self) -> int:
        """Bytes held by the table (capacity included) and the pending buffer."""
        return int(self.ptr.nbytes + self._author.nbytes + self._count.nbytes
                   + sum(a.nbytes for a in self._pending))

    def add(self, keys: NDArray[np.int64]) -> None:
        """Count one occurrence of every element of ``keys``."""
        self._pending.append(np.asarray(keys, dtype=np.int64).copy())
        self._n_pending += len(keys)
        if self._n_pending >= self.flush_size:
            self.flush()

    def _own(self, n_rows: int, need: int, slack: bool = True) -> None:
        """Make the arrays writable by this counter, with ``n_rows`` rows and room for ``need`` pairs.

        With ``slack`` they grow by at least :attr:`GROWTH`, else to ``need`` exactly.
        """
        n = len(self)
        if self._shared:  # a snapshot holds the current arrays: continue on copies
            cap = max(need, 1024)
            author = np.zeros(cap, dtype=np.int32)
            author[:n] = self._author[:n]
            count = np.zeros(cap, dtype=self._count.dtype)
            count[:n] = self._count[:n]
            self._author, self._count, self.ptr = author, count, self.ptr.copy()
            self._shared = False
        if len(self.ptr) < n_rows + 1:
            self.ptr = np.concatenate([self.ptr, np.full(n_rows + 1 - len(self.ptr), n, dtype=np.int64)])
        if need > len(self._author):
            cap = max(need, int(len(self._author) * self.GROWTH)) if slack else need
            # realloc (mremap for large arrays): they grow without a copy; the
            # refcheck refuses when a view exists, and a plain copy is made then
            try:
                self._author.resize(cap, refcheck=True)
            except ValueError:
                self._author = _grown(self._author, n, cap)
            try:
                self._count.resize(cap, refcheck=True)
            except ValueError:
                self._count = _grown(self._count, n, cap)

    def flush(self) -> None:
        """Merge the buffered occurrences into the table."""
        if not self._pending:
            return
        k = np.concatenate(self._pending) if len(self._pending) > 1 else self._pending[0]
        self._pending, self._n_pending = [], 0
        if len(k) == 0:
            return
        k = sort_pair_keys(k)
        start = np.flatnonzero(np.concatenate([[True], k[1:] != k[:-1]]))
        uniq = k[start]
        cnt = np.diff(np.append(start, len(k)))
        del k, start
        viewer = uniq >> 32
        author = (uniq & 0xFFFFFFFF).astype(np.int32)
        del uniq
        self._merge(viewer, author, cnt)

    def add_table(self, indptr: NDArray[np.int64], indices: NDArray, counts: NDArray) -> None:
        """Add the counts of a CSR table of pairs: row ``v`` holds viewer ``v``'s authors, sorted and distinct.

        Zero counts are skipped. The table is merged in place, from the back, as
        :meth:`flush` merges (no temporary per pair).

        Examples
        --------
        >>> c = BufferedCounter(); c.add(np.array([(1 << 32) | 4]))
        >>> c.add_table(np.array([0, 1, 3]), np.array([2, 3, 4]), np.array([5, 0, 1]))
        >>> [a.tolist() for a in c.items()]
        [[2, 4294967300], [5, 2]]
        """
        self.flush()
        top_new = int(counts.max()) if len(counts) else 0
        if top_new == 0:
            return
        if self._max + top_new > _INT32_MAX and self._count.dtype != np.int64:
            self._count = self._count.astype(np.int64)
            self._shared = False  # a fresh array: the snapshot keeps the old one
        n_rows = max(len(self.ptr) - 1, len(indptr) - 1)
        self._own(n_rows, len(self))
        new_ptr = np.empty(n_rows + 1, dtype=np.int64)
        top = _add_rows(self.ptr, self._author, self._count, indptr, indices, counts, new_ptr)
        self._max = max(self._max, int(top))
        # exactly the room needed: a result is taken at the end of a run, and a
        # later merge grows the arrays again by reallocation
        self._own(n_rows, int(new_ptr[-1]), slack=False)
        _merge_rows_back(self.ptr, new_ptr, self._author, self._count, indptr, indices, counts)
        self.ptr = new_ptr

    def _merge(self, viewer, author, cnt) -> None:
        """Merge distinct sorted pairs and their counts into the table (in place, from the back)."""
        if self._max + int(cnt.max()) > _INT32_MAX and self._count.dtype != np.int64:
            self._count = self._count.astype(np.int64)
            self._shared = False  # a fresh array: the snapshot keeps the old one
        cnt = cnt.astype(self._count.dtype)
        n_rows = max(len(self.ptr) - 1, int(viewer[-1]) + 1)
        self._own(n_rows, len(self))
        found = np.zeros(len(viewer), dtype=np.bool_)
        top = _add_existing(self.ptr, self._author, self._count, viewer, author, cnt, found)
        self._max = max(self._max, int(top))
        new = np.flatnonzero(~found)
        if len(new) == 0:
            return
        viewer, author, cnt = viewer[new], author[new], cnt[new]
        self._max = max(self._max, int(cnt.max()))
        extra = np.zeros(n_rows + 1, dtype=np.int64)
        np.cumsum(np.bincount(viewer, minlength=n_rows), out=extra[1:])
        new_ptr = self.ptr + extra
        self._own(n_rows, int(new_ptr[-1]))
        _merge_back(self.ptr, new_ptr, self._author, self._count, viewer, author, cnt)
        self.ptr = new_ptr

    def snapshot(self, n_rows: int | None = None) -> tuple[NDArray[np.int64], NDArray[np.int32], NDArray]:
        """The table as CSR arrays ``(ptr, author, count)``, ``ptr`` of length ``n_rows + 1``.

        ``author`` and ``count`` are read-only views lent to the caller: the next
        merge writes to copies instead (copy-on-write), so a snapshot never changes.
        """
        self.flush()
        n = len(self)
        ptr = self.ptr
        if n_rows is not None and n_rows + 1 > len(ptr):
            ptr = np.concatenate([ptr, np.full(n_rows + 1 - len(ptr), n, dtype=np.int64)])
        else:
            ptr = ptr.copy()
        author, count = self._author[:n], self._count[:n]
        author.flags.writeable = False
        count.flags.writeable = False
        self._shared = True
        return ptr, author, count

    def items(self) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Sorted distinct keys and their counts (new arrays)."""
        self.flush()
        n = len(self)
        viewer = np.repeat(np.arange(len(self.ptr) - 1, dtype=np.int64), np.diff(self.ptr))
        keys = (viewer << 32) | self._author[:n].astype(np.int64)
        return keys, self._count[:n].astype(np.int64)
