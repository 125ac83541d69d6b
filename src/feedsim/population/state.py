"""Struct-of-arrays agent state, filled from node attributes and role defaults."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..network.graph import ROLES, FollowGraph
from ..params import ACCOUNT_ATTRIBUTES
from ..state import StateArray, declare, grow_arrays
from .roles import DEFAULT_ROLE, ROLE_DEFAULTS

__all__ = ["MAX_ATTENTION", "MAX_POST_RATE", "MAX_SESSION_RATE", "NUMERIC_ATTRIBUTES", "POPULATION_ARRAYS",
           "Population", "draw_role_attributes", "role_codes"]

#: Upper bound of ``post_rate``, posts/day per account (about 12 a second).
MAX_POST_RATE = float(ACCOUNT_ATTRIBUTES["post_rate"].high)  # type: ignore[arg-type]
#: Upper bound of ``session_rate``, sessions/day per account (one a second).
MAX_SESSION_RATE = float(ACCOUNT_ATTRIBUTES["session_rate"].high)  # type: ignore[arg-type]
#: Upper bound of ``attention``, items/session (held as int32 by the engine; larger is refused, never wrapped).
MAX_ATTENTION = int(ACCOUNT_ATTRIBUTES["attention"].high)  # type: ignore[arg-type]

#: The numeric account attributes, in declaration order (each a column of :class:`Population`).
NUMERIC_ATTRIBUTES = tuple(name for name, p in ACCOUNT_ATTRIBUTES.items() if p.kind != "choice")

_GIVEN = "the graph's node attribute, else drawn from the role's defaults"
#: The arrays of :class:`Population`, one entry per account (see :class:`feedsim.state.StateArray`);
#: their bounds and units are declared in :data:`feedsim.params.ACCOUNT_ATTRIBUTES`.
POPULATION_ARRAYS: dict[str, StateArray] = declare(
    StateArray("role", np.int8, None, "role code (index into feedsim.networks.ROLES)",
               rule="the node's role, else the default role", result="role"),
    *(StateArray(name, np.int32 if ACCOUNT_ATTRIBUTES[name].kind == "int" else np.float64, None,
                 f"{ACCOUNT_ATTRIBUTES[name].help} ({ACCOUNT_ATTRIBUTES[name].unit})".replace(" ()", ""),
                 rule=_GIVEN, writers=("user",))
      for name in NUMERIC_ATTRIBUTES),
)


def role_codes(roles: NDArray) -> NDArray[np.int8]:
    """Map an object array of role names (``None`` = default role) to int8 codes.

    Examples
    --------
    >>> role_codes(np.array(["quiet", None], dtype=object)).tolist()
    [2, 1]
    """
    roles = np.asarray(roles, dtype=object)
    codes = np.full(len(roles), ROLES.index(DEFAULT_ROLE), dtype=np.int8)
    for i, name in enumerate(ROLES):
        codes[roles == name] = i
    return codes


def draw_role_attributes(codes: NDArray[np.int8], rng: np.random.Generator) -> dict[str, NDArray]:
    """Draw every numeric attribute from the per-role defaults.

    Parameters
    ----------
    codes : ndarray of int8, shape (n,)
        Role codes (index into :data:`feedsim.networks.ROLES`).
    rng : Generator
        The population stream.

    Returns
    -------
    dict of str to ndarray
        ``post_rate`` (posts/day), ``session_rate`` (sessions/day), ``attention``
        (items/session), ``propensity``, ``quality``, ``link_share``.

    Examples
    --------
    >>> out = draw_role_attributes(np.array([4, 4], dtype=np.int8), np.random.default_rng(0))
    >>> out["post_rate"].tolist()
    [0.0, 0.0]
    """
    n = len(codes)
    table = [ROLE_DEFAULTS[r] for r in ROLES]

    def col(attr):
        return np.array([getattr(t, attr) for t in table], dtype=np.float64)[codes]

    def sigma(attr):  # the declared per-role spread of an attribute
        return np.array([ACCOUNT_ATTRIBUTES[attr].role_sigma[r] for r in ROLES], dtype=np.float64)[codes]

    z = rng.standard_normal((4, n))
    out = {
        "post_rate": col("post_rate") * np.exp(col("post_sigma") * z[0]),
        "session_rate": col("session_rate") * np.exp(col("session_sigma") * z[1]),
        "attention": np.maximum(1.0, np.round(col("attention") * np.exp(sigma("attention") * z[2]))),
        "propensity": col("propensity") * np.exp(sigma("propensity") * z[3]),
        "quality": col("quality"),
        "link_share": col("link_share"),
    }
    return out


@dataclass
class Population:
    """Per-account state as parallel arrays (struct of arrays).

    Attributes
    ----------
    node_ids : list
        Original node identifiers, index order.
    role : ndarray of int8, shape (n_users,)
        Role codes into :data:`feedsim.networks.ROLES`.
    post_rate : ndarray of float64, shape (n_users,)
        Base posting rate, posts/day.
    session_rate : ndarray of float64, shape (n_users,)
        Sessions/day.
    attention : ndarray of int32, shape (n_users,)
        Items seen per session.
    propensity : ndarray of float64, shape (n_users,)
        Engagement propensity multiplier.
    quality : ndarray of float64, shape (n_users,)
        Mean appeal multiplier of the account's posts.
    link_share : ndarray of float64, shape (n_users,)
        Probability that a post links off-platform.
    """

    node_ids: Sequence[Any]
    role: NDArray[np.int8]
    post_rate: NDArray[np.float64]
    session_rate: NDArray[np.float64]
    attention: NDArray[np.int32]
    propensity: NDArray[np.float64]
    quality: NDArray[np.float64]
    link_share: NDArray[np.float64]
    sources: dict = field(default_factory=dict)

    @property
    def n_users(self) -> int:
        """Number of accounts."""
        return len(self.role)

    @classmethod
    def from_graph(cls, graph: FollowGraph, rng: np.random.Generator) -> Population:
        """Read node attributes, validate them and fill the missing ones.

        Every attribute is drawn for every node (so the draws do not depend on
        which attributes are present) and then overridden where the graph gives one.

        Raises
        ------
        InvalidParameterError
            For a negative or NaN rate, attention below 1, a value above its upper
            bound (:data:`MAX_POST_RATE`, :data:`MAX_SESSION_RATE`,
            :data:`MAX_ATTENTION`), and so on; the message names the attribute, the
            rule, the value and the node.
        """
        codes = role_codes(graph.roles())
        drawn = draw_role_attributes(codes, rng)
        sources = {}
        for name in NUMERIC_ATTRIBUTES:
            given = graph.attrs.get(name)
            if given is None:
                sources[name] = "role default"
                continue
            if np.asarray(given).dtype.kind == "f":
                present = ~np.isnan(np.asarray(given, dtype=np.float64))  # float arrays: NaN = missing
            else:
                present = np.array([v is not None for v in given], dtype=bool)
            given = np.asarray(given, dtype=object)
            if present.any():
                idx = np.flatnonzero(present)
                vals = ACCOUNT_ATTRIBUTES[name].check_array(given[idx], ids=[graph.node_ids[int(i)] for i in idx])
                drawn[name][idx] = vals
            sources[name] = "graph" if present.all() else "graph + role default"
        return cls(
            node_ids=graph.node_ids if isinstance(graph.node_ids, range) else list(graph.node_ids),
            sources=sources,
            **{name: a.new(len(codes), codes if name == "role" else drawn[name])
               for name, a in POPULATION_ARRAYS.items()},
        )

    def append(self, role_codes, rng: np.random.Generator, **given: float) -> None:
        """Add accounts of the given role codes, drawing unspecified attributes from defaults."""
        codes = np.asarray(role_codes, dtype=np.int8).ravel()
        n = len(codes)
        drawn = draw_role_attributes(codes, rng)
        for name, value in given.items():
            drawn[name][:] = value
        start = len(self.node_ids)
        self.node_ids = [*self.node_ids, *(f"added-{start + i}" for i in range(n))]
        grow_arrays(self, POPULATION_ARRAYS, n, {"role": codes, **drawn})
