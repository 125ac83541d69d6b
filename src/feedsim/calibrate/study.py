"""A calibration study: the parameters to fit with their priors, the targets, the budget and the seed.

Everything is checked when the study is built, before any simulation: a parameter
must be declared (:mod:`feedsim.params`), its prior's support must lie inside the
declared bounds, a target's statistic must be a metric of the registry
(:mod:`feedsim.metrics.registry`), one of :data:`STATISTICS` or a callable.
"""

from __future__ import annotations

import json
import math
import numbers
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._suggest import did_you_mean
from ..errors import InvalidParameterError
from ..metrics.registry import metric
from ..network.graph import ROLES, FollowGraph
from ..params import ACCOUNT_ATTRIBUTES, SIMULATION_PARAMS, check_days, param
from ..random import replicate_seeds, stream_seed

__all__ = ["Budget", "CalibrationStudy", "Prior", "STATISTICS", "Target", "CALIBRATE_KEY"]

#: First spawn-key word of a calibration's simulations (``b"calb"`` read as a little-endian integer): the
#: simulation of parameter values ``theta`` runs on ``replicate_seeds(seed, r, point=(CALIBRATE_KEY,
#: *words(theta)))``, so its seed follows from the study seed and the values alone, whatever the order in
#: which a sampler asks for them.
CALIBRATE_KEY = int.from_bytes(b"calb", "little")

DAYS_PER_MONTH = 365.25 / 12
_BRAND = ROLES.index("brand")
#: The order in which :func:`feedsim.population.draw_role_attributes` draws its normal deviates.
_DRAW_ROW = {"post_rate": 0, "session_rate": 1, "attention": 2, "propensity": 3}


# --------------------------------------------------------------------------- statistics of a run
def _per_impression(column: str) -> Callable[[Any], float]:
    def stat(result: Any) -> float:
        P = result.posts
        seen = float(P.impressions.sum())
        return float(getattr(P, column).sum()) / seen if seen > 0 else math.nan
    stat.__name__ = f"{column}_per_impression"
    return stat


def _posts_per_month(result: Any) -> tuple[np.ndarray, np.ndarray]:
    """Posts/month of the non-brand accounts present the whole run, and the top-decile mask (Pew's way)."""
    A = result.authors
    human = (A.role != _BRAND) & (A.joined_day == 0) & A.present
    rate = np.asarray(A.posts[human], dtype=np.float64) * (DAYS_PER_MONTH / result.days)
    order = np.argsort(-rate, kind="stable")
    top = np.zeros(len(rate), dtype=bool)
    top[order[: int(np.ceil(0.1 * len(rate)))]] = True
    return rate, top


def _top_share(q: float) -> Callable[[Any], float]:
    def stat(result: Any) -> float:
        rate, _ = _posts_per_month(result)
        total = rate.sum()
        k = int(np.ceil(q * len(rate)))
        return float(np.sort(rate)[::-1][:k].sum() / total) if total > 0 else math.nan
    return stat


def _median(which: str) -> Callable[[Any], float]:
    def stat(result: Any) -> float:
        rate, top = _posts_per_month(result)
        part = {"all": rate, "top10": rate[top], "rest": rate[~top]}[which]
        return float(np.median(part)) if len(part) else math.nan
    return stat


#: Statistics of a run a target may name besides the registry's metrics: ``name -> (function, words)``.
#: The posting ones follow Pew Research Center's "Sizing Up Twitter Users" (2019): non-brand accounts
#: present the whole run, ranked by posts, in posts per month.
STATISTICS: dict[str, tuple[Callable[[Any], float], str]] = {
    "likes_per_impression": (_per_impression("likes"), "likes per impression"),
    "reshares_per_impression": (_per_impression("reshares"), "reshares per impression"),
    "replies_per_impression": (_per_impression("replies"), "replies per impression"),
    "engagements_per_impression": (_per_impression("engagements"), "engagements per impression"),
    "posts_top10_share": (_top_share(0.10), "share of posts by the top 10% of posters"),
    "posts_top25_share": (_top_share(0.25), "share of posts by the top 25% of posters"),
    "posts_median_month": (_median("all"), "median posts per month"),
    "posts_top10_median_month": (_median("top10"), "top 10%'s median posts per month"),
    "posts_rest_median_month": (_median("rest"), "other 90%'s median posts per month"),
}


def _registry_statistic(name: str) -> Callable[[Any], float]:
    from ..metrics.registry import SummaryInputs

    family, _, member = name.partition(".")
    m = metric(family)
    if m.paired or m.compute is None:
        raise InvalidParameterError(f"targets: statistic {name!r} needs a chronological partner run; a target must "
                                    "be a metric of one run")
    if (m.kind == "role") != bool(member) or (member and member not in ROLES):
        raise InvalidParameterError(
            f"targets: statistic {name!r} must be " + (f"{family}.<role> (role one of {', '.join(ROLES)})"
                                                        if m.kind == "role" else f"{family} (one value per run)"))
    compute = m.compute

    def stat(result: Any) -> float:
        value = compute(SummaryInputs(result))
        return float(value.get(member, math.nan)) if member else float(value)
    return stat


def _resolve(statistic: str | Callable[[Any], float]) -> Callable[[Any], float]:
    if callable(statistic):
        return statistic
    if not isinstance(statistic, str):
        raise InvalidParameterError(f"targets: statistic must be a metric name or a callable; got {statistic!r}")
    if statistic in STATISTICS:
        return STATISTICS[statistic][0]
    try:
        return _registry_statistic(statistic)
    except KeyError:
        from ..metrics.registry import METRICS

        known = (*STATISTICS, *(m.name for m in METRICS))
        raise InvalidParameterError(
            f"targets: statistic {statistic!r} is not a metric{did_you_mean(statistic.partition('.')[0], known)}; "
            f"allowed: {', '.join(known)} (role metrics as name.role), or a callable") from None


@dataclass(frozen=True)
class Target:
    """An observed statistic to match.

    Parameters
    ----------
    statistic : str or callable
        A metric of the registry (``visibility_all``, ``engagement_per_post.regular``), a name in
        :data:`STATISTICS`, or ``f(result) -> float``.
    observed : float
        The observed value.
    sd : float
        Its uncertainty (a standard error, > 0): the distance measures misses in units of ``sd``, and
        the predictive check adds it to the simulated spread.

    Examples
    --------
    >>> Target("likes_per_impression", 0.012, 0.001).name
    'likes_per_impression'
    """

    statistic: str | Callable[[Any], float]
    observed: float
    sd: float

    def __post_init__(self) -> None:
        for key in ("observed", "sd"):
            v = getattr(self, key)
            if isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(v):
                raise InvalidParameterError(f"targets.{key} must be a finite number; got {v!r} ({self.name})")
        if self.sd <= 0:
            raise InvalidParameterError(f"targets.sd must be a finite number > 0; got {self.sd!r} ({self.name})")
        _resolve(self.statistic)

    @property
    def name(self) -> str:
        """The statistic's name (a callable's ``__name__``)."""
        s = self.statistic
        return s if isinstance(s, str) else getattr(s, "__name__", repr(s))

    def value(self, result: Any) -> float:
        """The statistic of a run."""
        return float(_resolve(self.statistic)(result))


def _role_attribute(name: str) -> tuple[str, str, bool] | None:
    """``post_rate.regular`` -> ("post_rate", "regular", False); ``post_rate.regular.sigma`` -> (.., True)."""
    parts = name.split(".")
    if len(parts) not in (2, 3) or parts[0] not in ACCOUNT_ATTRIBUTES:
        return None
    if parts[1] not in ROLES or (len(parts) == 3 and parts[2] != "sigma"):
        raise InvalidParameterError(f"parameters: {name!r} must be <attribute>.<role> (the role's median) or "
                                    f"<attribute>.<role>.sigma, role one of {', '.join(ROLES)}")
    return parts[0], parts[1], len(parts) == 3


@dataclass(frozen=True)
class Prior:
    """The prior of one parameter: uniform or log-uniform on ``[low, high]``.

    Parameters
    ----------
    name : str
        A float simulation parameter (``like_rate``), a role's median of an account attribute
        (``post_rate.regular``) or its log-normal sigma (``post_rate.regular.sigma``).
    low, high : float
        The support; it must lie inside the declared bounds (a sigma inside ``[0, inf)``).
    log : bool, default False
        Log-uniform (``low > 0``).

    Raises
    ------
    InvalidParameterError
        Before any work, one line naming the parameter, the rule and the value.

    Examples
    --------
    >>> Prior("like_rate", 0.0, 0.2).default
    0.05
    >>> Prior("like_rate", 0.0, 1.5)
    Traceback (most recent call last):
    ...
    feedsim.errors.InvalidParameterError: parameters.like_rate: the prior's high must lie in like_rate's bounds (>= 0 and <= 1); got 1.5
    """  # noqa: E501 (a doctest shows the whole message)

    name: str
    low: float
    high: float
    log: bool = False

    def __post_init__(self) -> None:
        role = _role_attribute(self.name)
        if role is None:
            p = param(self.name)  # unknown name: one line listing the declared ones
            if p.name not in SIMULATION_PARAMS or p.kind != "float":
                raise InvalidParameterError(f"parameters: {self.name!r} must be a float simulation parameter or "
                                            "<attribute>.<role>[.sigma]; it is not")
        elif role[2] and (ACCOUNT_ATTRIBUTES[role[0]].role_sigma or {}).get(role[1]) is None:
            raise InvalidParameterError(f"parameters: {self.name!r}: {role[0]} has no declared spread per role")
        for key in ("low", "high"):
            v = getattr(self, key)
            if isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(v):
                raise InvalidParameterError(f"parameters.{self.name}: the prior's {key} must be a finite number; "
                                            f"got {v!r}")
            object.__setattr__(self, key, float(v))
        if not self.low < self.high:
            raise InvalidParameterError(f"parameters.{self.name}: the prior needs low < high; got low={self.low!r}, "
                                        f"high={self.high!r}")
        if self.log and self.low <= 0:
            raise InvalidParameterError(f"parameters.{self.name}: a log-uniform prior needs low > 0; got {self.low!r}")
        for key in ("low", "high"):
            v = getattr(self, key)
            if role is not None and role[2]:
                if v < 0:
                    raise InvalidParameterError(f"parameters.{self.name}: the prior's {key} must be >= 0 (a "
                                                f"log-normal sigma); got {v!r}")
                continue
            p = param(role[0] if role else self.name)
            try:
                p.check(v)
            except InvalidParameterError:
                raise InvalidParameterError(f"parameters.{self.name}: the prior's {key} must lie in {p.name}'s "
                                            f"bounds ({p.bounds}); got {v!r}") from None

    @property
    def default(self) -> float:
        """Today's value: the declared default (a role's median or sigma for an account attribute)."""
        role = _role_attribute(self.name)
        if role is None:
            return float(SIMULATION_PARAMS[self.name].default)
        p = ACCOUNT_ATTRIBUTES[role[0]]
        table = p.role_sigma if role[2] else p.role_defaults
        return float(table[role[1]])  # type: ignore[index]

    def rv(self) -> Any:
        """The prior as a frozen ``scipy.stats`` distribution."""
        from scipy import stats

        if self.log:
            return stats.loguniform(self.low, self.high)
        return stats.uniform(self.low, self.high - self.low)


@dataclass(frozen=True)
class Budget:
    """How much work a calibration may do.

    Parameters
    ----------
    population_size : int, default 100
        Accepted particles per ABC-SMC generation.
    max_generations : int, default 8
        Generations at most.
    max_simulations : int, optional
        Stop after the generation that reaches this many simulations (None: no limit).
    min_epsilon : float, default 0
        Stop once the acceptance threshold (a distance in units of the targets' sd) is below this.
    predictive : int, default 50
        Simulations at posterior draws for the predictive check of the targets.

    Examples
    --------
    >>> Budget(population_size=50).max_generations
    8
    """

    population_size: int = 100
    max_generations: int = 8
    max_simulations: int | None = None
    min_epsilon: float = 0.0
    predictive: int = 50

    def __post_init__(self) -> None:
        for key, low in (("population_size", 2), ("max_generations", 1), ("max_simulations", 1), ("predictive", 2)):
            v = getattr(self, key)
            if v is None and key == "max_simulations":
                continue
            if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < low:
                raise InvalidParameterError(f"budget.{key} must be an integer >= {low}; got {v!r}")
        e = self.min_epsilon
        if isinstance(e, bool) or not isinstance(e, numbers.Real) or not e >= 0 or not math.isfinite(e):
            raise InvalidParameterError(f"budget.min_epsilon must be a finite number >= 0; got {e!r}")


_TOP_KEYS = ("seed", "days", "community", "base", "parameters", "targets", "budget")
_COMMUNITY_KEYS = ("n_users", "mean_follows", "n_communities", "community_mixing", "reciprocity",
                   "attractiveness_exponent")


@dataclass(frozen=True)
class CalibrationStudy:
    """What to calibrate: priors, targets, the community and runs they are measured on, a budget, a seed.

    Parameters
    ----------
    parameters : sequence of Prior
        The parameters to fit.
    targets : sequence of Target
        The observed statistics.
    days : float
        Simulated days per run.
    community : dict, default ``{"n_users": 200}``
        Keywords of :func:`feedsim.networks.default_community` (``n_users``, ``mean_follows``, ...); the
        community is drawn once, from ``replicate_seeds(seed).graph``.
    base : dict, optional
        Fixed simulation keywords (``ranker``, ``tick_hours``, any :class:`~feedsim.SimulationConfig` field).
    budget : Budget, optional
    seed : int, default 0
        The study's seed: the community, every simulation (seeded from the seed and its parameter values,
        :data:`CALIBRATE_KEY`) and the ABC sampler's draws follow from it.

    Examples
    --------
    >>> study = CalibrationStudy([Prior("like_rate", 0.0, 0.2)], [Target("likes_per_impression", 0.01, 0.002)],
    ...                          days=1, community={"n_users": 60}, base={"tick_hours": 24})
    >>> stats = study.simulate({"like_rate": 0.05})
    >>> 0 < stats["likes_per_impression"] < 0.05
    True
    """

    parameters: Sequence[Prior]
    targets: Sequence[Target]
    days: float
    community: Mapping[str, Any] = field(default_factory=lambda: {"n_users": 200})
    base: Mapping[str, Any] = field(default_factory=dict)
    budget: Budget = field(default_factory=Budget)
    seed: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "parameters", tuple(self.parameters))
        object.__setattr__(self, "targets", tuple(self.targets))
        if not self.parameters or not all(isinstance(p, Prior) for p in self.parameters):
            raise InvalidParameterError(f"parameters must be a non-empty sequence of Prior; got {self.parameters!r}")
        if not self.targets or not all(isinstance(t, Target) for t in self.targets):
            raise InvalidParameterError(f"targets must be a non-empty sequence of Target; got {self.targets!r}")
        for kind, names in (("parameters", [p.name for p in self.parameters]),
                            ("targets", [t.name for t in self.targets])):
            dup = sorted({n for n in names if names.count(n) > 1})
            if dup:
                raise InvalidParameterError(f"{kind} must have distinct names; got {dup[0]!r} twice")
        if isinstance(self.seed, bool) or not isinstance(self.seed, numbers.Integral) or self.seed < 0:
            raise InvalidParameterError(f"seed must be an integer >= 0; got {self.seed!r}")
        if not isinstance(self.budget, Budget):
            raise InvalidParameterError(f"budget must be a Budget; got {self.budget!r}")
        community = dict(self.community)
        for key in community:
            if key not in _COMMUNITY_KEYS:
                raise InvalidParameterError(f"community.{key} is not a default_community keyword"
                                            f"{did_you_mean(key, _COMMUNITY_KEYS)}; "
                                            f"allowed: {', '.join(_COMMUNITY_KEYS)}")
        n = community.setdefault("n_users", 200)
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 10:
            raise InvalidParameterError(f"community.n_users must be an integer >= 10; got {n!r}")
        community.setdefault("mean_follows", min(40.0, (n - 1) / 2))
        object.__setattr__(self, "community", community)
        base = dict(self.base)
        fitted = {p.name for p in self.parameters}
        for key, value in base.items():
            if key in fitted:
                raise InvalidParameterError(f"base.{key} is also a fitted parameter; give it in one place")
            if key != "ranker":
                if key not in SIMULATION_PARAMS:
                    raise InvalidParameterError(f"base.{key} is not a simulation parameter"
                                                f"{did_you_mean(key, tuple(SIMULATION_PARAMS))}")
                base[key] = SIMULATION_PARAMS[key].check(value, name=f"base.{key}")
        object.__setattr__(self, "base", base)
        check_days(self.days, base.get("tick_hours", SIMULATION_PARAMS["tick_hours"].default))

    # ------------------------------------------------------------------ simulate
    @property
    def names(self) -> list[str]:
        """The fitted parameters' names, in order."""
        return [p.name for p in self.parameters]

    def community_graph(self) -> FollowGraph:
        """The study's community (drawn once per process from ``replicate_seeds(seed).graph``)."""
        cached = self.__dict__.get("_graph")
        if cached is None:
            from ..networks import default_community

            cached = default_community(**self.community, seed=replicate_seeds(self.seed).graph, as_arrays=True)
            object.__setattr__(self, "_graph", cached)
        return cached

    def run_seed(self, values: Mapping[str, float], replicate: int = 0) -> np.random.SeedSequence:
        """The seed of the simulation of ``values`` (replicate 0: the ABC particles; 1: predictive checks).

        Examples
        --------
        >>> study = CalibrationStudy([Prior("like_rate", 0.0, 0.2)], [Target("n_posts", 10.0, 1.0)], days=1)
        >>> study.run_seed({"like_rate": 0.05}).spawn_key[0] == CALIBRATE_KEY
        True
        """
        x = np.array([float(values[n]) for n in self.names], dtype=np.float64)
        words = tuple(int(w) for w in x.view(np.uint32))
        return replicate_seeds(self.seed, replicate, point=(CALIBRATE_KEY, *words)).run

    def simulate(self, values: Mapping[str, float], replicate: int = 0) -> dict[str, float]:
        """Run the community once at ``values`` and return every target's statistic (``{name: value}``)."""
        from ..engine.simulation import Simulation

        seed = self.run_seed(values, replicate)
        graph = self.community_graph()
        config = dict(self.base)
        ranker = config.pop("ranker", "chronological")
        overrides: dict[str, dict[str, tuple[float | None, float | None]]] = {}
        for p in self.parameters:
            role = _role_attribute(p.name)
            if role is None:
                config[p.name] = float(values[p.name])
            else:
                med, sig = overrides.setdefault(role[0], {}).get(role[1], (None, None))
                overrides[role[0]][role[1]] = (med, float(values[p.name])) if role[2] else \
                    (float(values[p.name]), sig)
        if overrides:
            graph = _with_role_draws(graph, overrides, seed)
        result = Simulation(graph, ranker, seed=seed, **config).run(days=self.days)
        return {t.name: t.value(result) for t in self.targets}

    # ------------------------------------------------------------------ spec files
    def to_dict(self) -> dict:
        """A JSON-ready description (callable statistics by name): what a stored study is checked against."""
        return {
            "seed": int(self.seed), "days": float(self.days), "community": dict(self.community),
            "base": dict(self.base),
            "parameters": {p.name: {"low": p.low, "high": p.high, "prior": "loguniform" if p.log else "uniform"}
                           for p in self.parameters},
            "targets": [{"statistic": t.name, "observed": float(t.observed), "sd": float(t.sd)} for t in self.targets],
            "budget": {k: getattr(self.budget, k) for k in ("population_size", "predictive")},
        }

    def fingerprint(self) -> str:
        """The study as one canonical JSON line (the budget's stopping rules excluded: a study may be extended)."""
        return json.dumps(self.to_dict(), sort_keys=True, default=str)

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> CalibrationStudy:
        """Build a study from a TOML-shaped dict (see :meth:`from_toml`)."""
        for key in spec:
            if key not in _TOP_KEYS:
                raise InvalidParameterError(f"{key} is not a calibration spec key{did_you_mean(key, _TOP_KEYS)}; "
                                            f"allowed: {', '.join(_TOP_KEYS)}")
        for key in ("days", "parameters", "targets"):
            if key not in spec:
                raise InvalidParameterError(f"a calibration spec needs {key}")
        priors = []
        if not isinstance(spec["parameters"], Mapping):
            raise InvalidParameterError("parameters must be a table of name = {low, high, prior}")
        for name, table in spec["parameters"].items():
            keys = set(table) if isinstance(table, Mapping) else set()
            if not isinstance(table, Mapping) or keys - {"low", "high", "prior"} or not {"low", "high"} <= keys:
                raise InvalidParameterError(f"parameters.{name} must be a table with low, high and optionally "
                                            f"prior (uniform or loguniform); got {table!r}")
            kind = table.get("prior", "uniform")
            if kind not in ("uniform", "loguniform"):
                raise InvalidParameterError(f"parameters.{name}.prior must be 'uniform' or 'loguniform'; got {kind!r}")
            priors.append(Prior(name, table["low"], table["high"], log=kind == "loguniform"))
        targets = []
        for i, t in enumerate(spec["targets"]):
            if not isinstance(t, Mapping) or set(t) != {"statistic", "observed", "sd"}:
                raise InvalidParameterError(f"targets[{i}] must have statistic, observed and sd; got {t!r}")
            targets.append(Target(t["statistic"], t["observed"], t["sd"]))
        budget = spec.get("budget", {})
        if not isinstance(budget, Mapping):
            raise InvalidParameterError(f"budget must be a table; got {budget!r}")
        try:
            budget = Budget(**budget)
        except TypeError:
            allowed = ("population_size", "max_generations", "max_simulations", "min_epsilon", "predictive")
            bad = next(k for k in budget if k not in allowed)
            raise InvalidParameterError(f"budget.{bad} is not a budget key; allowed: {', '.join(allowed)}") from None
        return cls(priors, targets, days=spec["days"], community=spec.get("community", {"n_users": 200}),
                   base=spec.get("base", {}), budget=budget, seed=spec.get("seed", 0))

    @classmethod
    def from_toml(cls, path: str | os.PathLike) -> CalibrationStudy:
        """Read a study from a TOML file (keys: seed, days, community, base, parameters, targets, budget).

        See ``experiments/calibrate_pew.toml`` for an example.
        """
        if sys.version_info >= (3, 11):
            import tomllib
        else:  # pragma: no cover
            import tomli as tomllib
        with open(path, "rb") as fh:
            try:
                spec = tomllib.load(fh)
            except tomllib.TOMLDecodeError as exc:
                raise InvalidParameterError(f"{path}: not valid TOML ({exc})") from None
        return cls.from_dict(spec)


def _with_role_draws(graph: FollowGraph, overrides: Mapping[str, Mapping[str, tuple[float | None, float | None]]],
                     seed: np.random.SeedSequence) -> FollowGraph:
    """A copy of ``graph`` whose accounts of the given roles get attributes drawn with a changed median or sigma.

    The normal deviates are the ones the population would draw from the run's ``population`` stream, so
    at the declared median and sigma every account gets exactly the value a plain run gives it.
    """
    from ..population.state import role_codes

    codes = role_codes(graph.roles())
    z = np.random.Generator(np.random.PCG64(stream_seed(seed, "population"))).standard_normal((4, len(codes)))
    attrs = dict(graph.attrs)
    for name, by_role in overrides.items():
        p = ACCOUNT_ATTRIBUTES[name]
        col = np.full(len(codes), np.nan) if name not in attrs else np.asarray(attrs[name], dtype=np.float64).copy()
        for role, (med, sig) in by_role.items():
            median = p.role_defaults[role] if med is None else med  # type: ignore[index]
            sigma = (p.role_sigma or {}).get(role) if sig is None else sig
            mask = codes == ROLES.index(role)
            row = _DRAW_ROW.get(name)
            col[mask] = median if row is None else median * np.exp((sigma or 0.0) * z[row, mask])
            if p.kind == "int":
                col[mask] = np.maximum(1.0, np.round(col[mask]))
        attrs[name] = col
    return FollowGraph(graph.indptr, graph.indices, node_ids=graph.node_ids, attrs=attrs)
