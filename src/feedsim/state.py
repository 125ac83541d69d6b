"""Declared state: one :class:`StateArray` per array a run keeps, read by growth, checkpoints and memory.

Each owner of per-row state (the accounts' attributes, the engine's per-account
arrays, the post table, the live items, the follow edges) declares its arrays
once, as starsim declares the ``Arr`` states of its ``People``: name, dtype, the
value a new row starts with (or the rule that sets it), whether a checkpoint
saves it or it is derived from other state, the phases that write it, and what
it means. :func:`new_arrays` and :func:`grow_arrays` make and extend the arrays
from the declaration, :func:`result_columns` copies them into a run's result
and :func:`bytes_per_row` gives the memory a row takes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["WRITERS", "StateArray", "bytes_per_row", "declare", "grow_arrays", "new_arrays", "result_columns"]

#: Who may write a state array: the tick's phases (:data:`feedsim.engine.platform.PHASES`),
#: the close of a day and the interventions and user code between ticks.
WRITERS = ("posting", "sessions", "candidates", "ranking", "feeds", "impressions", "engagement", "daily",
           "join", "leave", "campaign", "user", "fold", "follow")


@dataclass(frozen=True)
class StateArray:
    """The declaration of one state array: one entry per row (account, post, item or edge).

    Parameters
    ----------
    name : str
        The attribute that holds the array on its owner.
    dtype : numpy dtype
        Its element type.
    initial : scalar or None
        The value a new row starts with; None when :attr:`rule` sets it (the
        caller of the growth passes the value).
    help : str
        What an entry means, with its unit.
    rule : str, optional
        How a new row's value is set when ``initial`` is None.
    writers : tuple of str
        The phases and interventions that write it (see :data:`WRITERS`); empty
        when only the growth sets it.
    checkpointed : bool, default True
        False for an array derived from others (a checkpoint could rebuild it
        rather than save it; today checkpoints save every array).
    result : str, optional
        The column of the run's result that copies it (``result.authors`` for
        per-account arrays, see :func:`result_columns`); None when the result
        does not report it.

    Examples
    --------
    >>> a = StateArray("burnouts", np.int64, 0, "burnouts so far", writers=("daily",))
    >>> a.new(3).tolist(), a.itemsize
    ([0, 0, 0], 8)
    """

    name: str
    dtype: Any
    initial: Any
    help: str
    rule: str | None = None
    writers: tuple[str, ...] = ()
    checkpointed: bool = True
    result: str | None = None

    def __post_init__(self) -> None:
        if (self.initial is None) == (self.rule is None):
            raise ValueError(f"state array {self.name}: give either an initial value or a rule; "
                             f"got initial={self.initial!r}, rule={self.rule!r}")
        unknown = set(self.writers) - set(WRITERS)
        if unknown:
            raise ValueError(f"state array {self.name}: writers must be among {', '.join(WRITERS)}; "
                             f"got {sorted(unknown)}")

    @property
    def itemsize(self) -> int:
        """Bytes per entry."""
        return int(np.dtype(self.dtype).itemsize)

    def new(self, n: int, value: Any = None) -> NDArray:
        """``n`` new entries: ``value`` (a scalar or ``n`` values) or the declared initial value."""
        fill = self.initial if value is None else value
        if fill is None and n == 0:
            return np.zeros(0, dtype=self.dtype)
        if fill is None:
            raise ValueError(f"state array {self.name} has no initial value ({self.rule}): pass its value")
        return np.array(np.broadcast_to(fill, n), dtype=self.dtype)


def declare(*arrays: StateArray) -> dict[str, StateArray]:
    """A registry of one owner's arrays, by name, in declaration order (names must be unique).

    Examples
    --------
    >>> reg = declare(StateArray("a", np.int64, 0, "a count"), StateArray("b", np.float64, 1.0, "a rate"))
    >>> list(reg)
    ['a', 'b']
    """
    out: dict[str, StateArray] = {}
    for a in arrays:
        if a.name in out:
            raise ValueError(f"state array {a.name} is declared twice")
        out[a.name] = a
    return out


def new_arrays(owner: Any, registry: Mapping[str, StateArray], n: int,
               given: Mapping[str, Any] | None = None) -> None:
    """Set every declared array on ``owner``: ``n`` entries of the initial value or of ``given[name]``.

    Examples
    --------
    >>> class Owner: pass
    >>> o = Owner(); new_arrays(o, declare(StateArray("a", np.int64, 0, "a count")), 2); o.a.tolist()
    [0, 0]
    """
    given = given or {}
    for name, a in registry.items():
        setattr(owner, name, a.new(n, given.get(name)))


def grow_arrays(owner: Any, registry: Mapping[str, StateArray], n: int,
               given: Mapping[str, Any] | None = None) -> None:
    """Append ``n`` rows to every declared array of ``owner`` (initial values, or ``given[name]``).

    Examples
    --------
    >>> class Owner: pass
    >>> reg = declare(StateArray("a", np.int64, 0, "a count"), StateArray("b", np.int64, None, "day", rule="the day"))
    >>> o = Owner(); new_arrays(o, reg, 1, {"b": 0}); grow_arrays(o, reg, 2, {"b": 5})
    >>> o.a.tolist(), o.b.tolist()
    ([0, 0, 0], [0, 5, 5])
    """
    given = given or {}
    for name, a in registry.items():
        setattr(owner, name, np.concatenate([getattr(owner, name), a.new(n, given.get(name))]))


def result_columns(owner: Any, registry: Mapping[str, StateArray]) -> dict[str, NDArray]:
    """Copies of ``owner``'s declared arrays that a result reports, by their result column.

    Examples
    --------
    >>> class Owner: pass
    >>> reg = declare(StateArray("user_posts", np.int64, 0, "posts", result="posts"),
    ...               StateArray("low_days", np.int64, 0, "a counter"))
    >>> o = Owner(); new_arrays(o, reg, 2); result_columns(o, reg)
    {'posts': array([0, 0])}
    """
    return {a.result: getattr(owner, name).copy() for name, a in registry.items() if a.result is not None}


def bytes_per_row(registry: Mapping[str, StateArray] | Iterable[StateArray], *, checkpointed_only: bool = False) -> int:
    """Bytes one row takes in the declared arrays (the sum of their item sizes).

    Examples
    --------
    >>> bytes_per_row(declare(StateArray("a", np.int64, 0, "a count"), StateArray("b", np.bool_, True, "a flag")))
    9
    """
    arrays = registry.values() if isinstance(registry, Mapping) else registry
    return sum(a.itemsize for a in arrays if a.checkpointed or not checkpointed_only)
