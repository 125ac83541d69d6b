"""The accounts of a simulation: the one public way to read and change them.

``sim.accounts`` gives each per-account attribute as a NumPy array indexed by
account (0 .. n-1, the order of ``sim.graph.node_ids``; accounts added during the
run come last). User processes and interventions change accounts through it:

* assigning an attribute (``sim.accounts.session_rate = x`` or
  ``sim.accounts.session_rate *= 1.05``) or calling :meth:`Accounts.set` checks the
  values first and writes them into the engine's array, so a bad value is refused
  with one line before anything is written;
* editing the array in place (``sim.accounts.post_rate[ids] = 0``) writes at once;
  the engine checks every editable attribute at the start of each run and, when
  user processes are running, before each tick, so a bad value stops the run with
  one line naming the attribute, the account, the value and the simulated hour
  before it is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import InvalidParameterError
from ..network.graph import ROLES
from ..params import ACCOUNT_ATTRIBUTES

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .simulation import Simulation

__all__ = ["EDITABLE", "READ_ONLY", "Accounts"]

#: Attributes user code may change, with their units (the account attributes declared
#: mutable in :data:`feedsim.params.ACCOUNT_ATTRIBUTES`).
EDITABLE = {name: p.unit for name, p in ACCOUNT_ATTRIBUTES.items() if p.mutable}

#: Attributes that can be read, not set (the engine keeps them).
READ_ONLY = {
    "role": "role code (index into feedsim.networks.ROLES)",
    "present": "has not left the platform",
    "active": "not in a burnout (creator adaptation)",
    "followers": "accounts following it now",
    "following": "accounts it follows now",
    "joined_day": "day the account joined (0: there from the start)",
    "left_day": "day the account left (-1: still there)",
    "engaged": "engagements the account has given so far (likes, reshares, replies)",
}


class Accounts:
    """Per-account attributes of a simulation, indexed by account.

    Use ``sim.accounts``; do not build one directly. Rates are per day
    (``post_rate`` posts/day, ``session_rate`` sessions/day); ``attention`` is the
    number of items a session shows.

    Parameters
    ----------
    sim : Simulation
        The simulation whose accounts these are (anything with ``platform`` and
        ``now``).

    Attributes
    ----------
    post_rate, session_rate, attention, propensity, quality, link_share : ndarray
        Editable (see :data:`EDITABLE`): the engine's own arrays, so in-place edits
        act from the next tick. ``attention`` is int32; the others float64.
    role, present, active, followers, following, joined_day, left_day, engaged : ndarray
        Read-only copies of the engine's state (see :data:`READ_ONLY`).

    Examples
    --------
    >>> import feedsim
    >>> sim = feedsim.Simulation(feedsim.networks.default_community(200, seed=0), seed=0)
    >>> def weekly_push(sim):
    ...     while True:
    ...         yield sim.env.timeout(7 * 24)
    ...         sim.accounts.session_rate *= 1.05
    >>> _ = sim.process(weekly_push)
    >>> quiet = sim.accounts.ids("quiet")
    >>> sim.accounts.set("post_rate", quiet, 2.0)      # checked, then written
    >>> bool((sim.accounts.post_rate[quiet] == 2.0).all())
    True
    >>> try:
    ...     sim.accounts.attention = 10**12            # refused, never wrapped to int32
    ... except feedsim.InvalidParameterError as err:
    ...     print(err)  # doctest: +NORMALIZE_WHITESPACE
    accounts.attention must be a finite whole number >= 1 and <= 1000000;
    got 1000000000000.0 (account 0)
    """

    __slots__ = ("_sim",)
    _sim: Simulation

    def __init__(self, sim: Simulation) -> None:
        object.__setattr__(self, "_sim", sim)

    # ---------------------------------------------------------------- reading
    @property
    def _pop(self):
        return self._sim.platform.accounts.pop

    def __len__(self) -> int:
        return int(self._pop.n_users)

    def __repr__(self) -> str:
        counts = np.bincount(self._pop.role, minlength=len(ROLES))
        roles = ", ".join(f"{r} {c}" for r, c in zip(ROLES, counts.tolist()) if c)
        return f"<Accounts: {len(self)} ({roles})>"

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(EDITABLE) | set(READ_ONLY))

    def __getattr__(self, name: str) -> NDArray:
        if name.startswith("_"):
            raise AttributeError(name)
        if name in EDITABLE:
            return getattr(self._pop, name)
        if name in READ_ONLY:
            out = np.array(self._read_only(name))
            out.flags.writeable = False
            return out
        raise AttributeError(
            f"Accounts has no attribute {name!r}; editable: {', '.join(EDITABLE)}; "
            f"read-only: {', '.join(READ_ONLY)}"
        )

    def _read_only(self, name: str) -> NDArray:
        p = self._sim.platform
        if name == "role":
            return p.accounts.pop.role
        if name == "followers":
            return p.edges.in_degree
        if name == "following":
            return p.edges.out_degree()
        if name == "engaged":
            return p.accounts.user_engaged
        return getattr(p.accounts, name)

    @property
    def role_names(self) -> NDArray[np.str_]:
        """Role name of each account (``"quiet"``, ...)."""
        return np.asarray(ROLES)[self._pop.role]

    def ids(self, role: str | None = None) -> NDArray[np.int64]:
        """Indices of the accounts of ``role`` (all accounts when None).

        Examples
        --------
        >>> import feedsim
        >>> sim = feedsim.Simulation(feedsim.networks.default_community(200, seed=0), seed=0)
        >>> len(sim.accounts.ids()) == len(sim.accounts)
        True
        """
        if role is None:
            return np.arange(len(self), dtype=np.int64)
        if role not in ROLES:
            raise InvalidParameterError(f"role must be one of {', '.join(ROLES)}; got {role!r}")
        return np.flatnonzero(self._pop.role == ROLES.index(role)).astype(np.int64)

    def to_frame(self) -> pd.DataFrame:
        """Every attribute as a DataFrame, one row per account (index: account).

        Examples
        --------
        >>> import feedsim
        >>> sim = feedsim.Simulation(feedsim.networks.default_community(200, seed=0), seed=0)
        >>> df = sim.accounts.to_frame()
        >>> len(df) == 200 and {"role", "post_rate", "followers"} <= set(df.columns)
        True
        """
        import pandas as pd

        cols: dict[str, Any] = {"node_id": list(self._pop.node_ids), "role": self.role_names}
        cols.update({name: getattr(self, name) for name in EDITABLE})
        cols.update({name: getattr(self, name) for name in READ_ONLY if name != "role"})
        return pd.DataFrame(cols).rename_axis("account")

    # ---------------------------------------------------------------- writing
    def __setattr__(self, name: str, value: ArrayLike) -> None:
        if name in READ_ONLY or name == "role_names":
            raise AttributeError(f"accounts.{name} is kept by the engine and cannot be set; "
                                 f"editable: {', '.join(EDITABLE)}")
        if name not in EDITABLE:
            raise AttributeError(f"Accounts has no attribute {name!r}; editable: {', '.join(EDITABLE)}")
        self.set(name, slice(None), value)

    def set(self, name: str, accounts: ArrayLike | slice, value: ArrayLike) -> None:
        """Check ``value`` and write it to attribute ``name`` of ``accounts``.

        Parameters
        ----------
        name : str
            One of :data:`EDITABLE`.
        accounts : array_like of int, or slice
            Account indices (``slice(None)``: every account).
        value : float or array_like
            New values (broadcast to the accounts), in the attribute's units.

        Raises
        ------
        InvalidParameterError
            For an unknown attribute, an index outside the accounts, or a value outside
            the attribute's bounds (nothing is written then).
        """
        if name not in EDITABLE:
            raise InvalidParameterError(f"name must be one of {', '.join(EDITABLE)}; got {name!r}")
        target = getattr(self._pop, name)
        n = len(target)
        if not isinstance(accounts, slice):
            idx = np.asarray(accounts)
            if idx.dtype == bool:
                if idx.shape != (n,):
                    raise InvalidParameterError(f"accounts as a mask must have shape ({n},); got {idx.shape}")
                idx = np.flatnonzero(idx)
            if idx.size and (idx.dtype.kind not in "iu" or idx.min() < -n or idx.max() >= n):
                raise InvalidParameterError(f"accounts must be indices in [0, {n}); got {accounts!r}")
            accounts = idx
        chosen = np.arange(n)[accounts]
        vals = np.broadcast_to(np.asarray(value), chosen.shape)  # as given: "2" and True are refused
        try:
            ACCOUNT_ATTRIBUTES[name].check_array(vals.ravel(), name=f"accounts.{name}")
        except InvalidParameterError as err:
            raise InvalidParameterError(_name_account(str(err), chosen)) from None
        target[chosen] = vals

    def check(self) -> None:
        """Check every editable attribute (in-place edits); raise on the first bad value.

        The engine calls this at the start of each run and, while user processes
        run, before each tick.

        Raises
        ------
        InvalidParameterError
            Naming the attribute, the account, its value and the simulated hour.
        """
        for name in EDITABLE:
            arr = getattr(self._pop, name)
            try:
                ACCOUNT_ATTRIBUTES[name].check_array(arr, name=f"accounts.{name}")
            except InvalidParameterError as err:  # the index is the account
                msg = _name_account(str(err), np.arange(len(arr)))
                where = f"at hour {self._sim.now:g} (changed in place by user code)"
                raise InvalidParameterError(f"{msg} {where}") from None


def _name_account(message: str, chosen: NDArray) -> str:
    """Replace check_array's ``(index i)`` with the account number."""
    head, sep, tail = message.rpartition(" (index ")
    if not sep:
        return message
    i = int(tail.rstrip(")"))
    return f"{head} (account {int(chosen[i])})"
