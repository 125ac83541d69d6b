"""The seen hash set against a plain Python set: inserts, stale keys, renumbering, growth.

The engine's set of shown ``(viewer << 32) | post row`` keys drops the keys of
expired posts (low half below the first live row) by compiled passes over its
slots; these tests hold it to a Python ``set`` through random histories, and
bound the table it holds (load between 1/8 and 1/2 after any operation that
sizes it, so it never holds more than 4 slots per key plus the growth step).
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from feedsim.engine.arrays import HashSet

_OPS = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.lists(st.tuples(st.integers(0, 50), st.integers(0, 400)), max_size=300)),
        st.tuples(st.just("floor"), st.integers(0, 60)),
        st.tuples(st.just("prune"), st.floats(0.0, 1.0)),
        st.tuples(st.just("shift"), st.integers(0, 30)),
    ),
    max_size=25,
)


def _key(v, row):
    return (v << 32) | row


@settings(max_examples=150, deadline=None)
@given(_OPS)
def test_matches_a_python_set(ops):
    state = {"floor": 0}
    s = HashSet(capacity=16, stale_below=lambda: state["floor"])
    model: set[int] = set()
    for op, arg in ops:
        if op == "add":
            keys = np.array([_key(v, r) for v, r in arg], dtype=np.int64)
            s.add(keys)
            new = set(keys.tolist())
            if s.n < len(model | new):  # a growth dropped the stale keys held before this insert
                model = {k for k in model if (k & 0xFFFFFFFF) >= state["floor"]}
            model |= new
        elif op == "floor":
            state["floor"] = arg
        elif op == "prune":
            stale = {k for k in model if (k & 0xFFFFFFFF) < state["floor"]}
            dropped = s.prune_stale(min_fraction=arg)
            if dropped:
                assert dropped == len(stale)
                model -= stale
            else:
                assert len(stale) == 0 or len(stale) < arg * len(model)
        else:  # renumber rows: drop those below ``arg``, shift the rest down
            s.shift_low(arg)
            model = {k - arg for k in model if (k & 0xFFFFFFFF) >= arg}
            state["floor"] = max(0, state["floor"] - arg)
        assert len(s) == len(model)
        assert s.keys().tolist() == sorted(model)
        probe = np.array(sorted(model) + [_key(51, 0), _key(0, 401)], dtype=np.int64)
        assert s.contains(probe).tolist() == [True] * len(model) + [False, False]
        assert len(s) <= len(s.table) // 2


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 5000), st.integers(1, 8))
def test_growth_doubles_the_table_once(n, batches):
    # inserting n distinct keys in batches leaves a table of at most 4n slots
    # (load >= 1/4 after the last growth) and at least 2n (load <= 1/2)
    s = HashSet(capacity=16, stale_below=lambda: 0)
    keys = np.arange(n, dtype=np.int64) * 7919
    for part in np.array_split(keys, batches):
        s.add_new(part)
    assert 2 * n <= len(s.table) <= max(16, 4 * n)


def test_stale_keys_are_dropped_without_copying_the_keys():
    # 1,000 viewers x 100 rows; rows below 60 expire: the table shrinks to the
    # kept keys' size, and everything kept is still found
    s = HashSet(capacity=16, stale_below=lambda: 60)
    v, r = np.meshgrid(np.arange(1000), np.arange(100), indexing="ij")
    keys = ((v << 32) | r).ravel().astype(np.int64)
    s.add_new(keys)
    big = len(s.table)
    assert s.prune_stale() == 60_000
    assert len(s) == 40_000 and len(s.table) < big
    kept = keys[(keys & 0xFFFFFFFF) >= 60]
    assert s.contains(kept).all() and not s.contains(keys[(keys & 0xFFFFFFFF) < 60]).any()
