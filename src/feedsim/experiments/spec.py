"""Sweep specifications: a Python object and the equivalent TOML file.

A spec names the root seed, the days per run, the replicates, the community, a
base configuration, a grid (or an explicit list of points) of parameter values
including the ranker, and the metrics to keep. Every problem is reported before
any run starts, naming the key path (``grid.out_of_network_share[2]``) and what
is allowed.
"""

from __future__ import annotations

import dataclasses
import itertools
import numbers
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .._validate import check_int, check_number
from ..engine.config import SimulationConfig
from ..errors import InvalidParameterError
from ..network.graph import ROLES
from ..rankers.registry import RANKERS, get_ranker, ranker_name

__all__ = ["SweepSpec", "SweepSpecError", "SCALAR_METRICS", "ROLE_METRICS", "DAILY_SERIES", "load_spec"]

#: Summary metrics with one value per run.
SCALAR_METRICS = (
    "gini_impressions", "gini_engagements", "gini_followers", "top1_share", "visibility_all",
    "exposure_diversity", "creator_retention", "n_posts", "n_impressions", "n_engagements", "n_sessions",
)
#: Summary metrics with one value per role, kept as ``name.role`` (``impression_share.quiet``).
ROLE_METRICS = (
    "post_share", "impression_share", "voice_ratio", "visibility", "follower_reach",
    "reach_per_post", "engagement_per_post",
)
#: Per-day series of :attr:`feedsim.SimulationResult.daily`; ``*_by_role`` are kept per role.
DAILY_SERIES = (
    "posts", "impressions", "engagements", "sessions", "new_follows", "creators_posting",
    "creators_active", "gini_impressions", "posts_by_role", "impressions_by_role", "engagements_by_role",
)
DEFAULT_METRICS = ("gini_impressions", "top1_share", "exposure_diversity", "visibility_all",
                   "impression_share", "voice_ratio")

_TOP_KEYS = ("seed", "days", "replicates", "graph", "base", "grid", "points", "metrics", "daily")
_GRAPH_KEYS = ("n_users", "seed", "mean_follows")
_CONFIG_FIELDS = {f.name: f for f in dataclasses.fields(SimulationConfig)}
_PARAM_KEYS = ("ranker", *_CONFIG_FIELDS)


class SweepSpecError(InvalidParameterError):
    """A sweep specification is invalid; the message names the key path."""


def _fail(msg: str) -> None:
    raise SweepSpecError(msg)


def _allowed(keys) -> str:
    return ", ".join(keys)


def _field_kind(name: str) -> str:
    ann = str(_CONFIG_FIELDS[name].type)
    return "bool" if ann.startswith("bool") else "int" if ann == "int" else "float"


def normalize_value(key: str, value: Any, path: str) -> Any:
    """Check one parameter value and return it in canonical form.

    Numbers become ``float`` (``int`` for integer fields), so ``0`` and ``0.0``
    are the same point. Rankers must be built-in names or callables.
    """
    if key == "ranker":
        if isinstance(value, str):
            if value not in RANKERS:
                _fail(f"{path} must be one of {_allowed(repr(k) for k in RANKERS)}; got {value!r}")
            return value
        if callable(value):
            get_ranker(value)
            name = ranker_name(value)
            if name in RANKERS and value is not RANKERS[name]:
                # the store identifies rankers by name: a variant under a built-in's
                # name would be mistaken for the built-in when a sweep resumes
                _fail(
                    f"{path} is a custom ranker named {name!r}, the name of a built-in ranker; "
                    f"rankers are stored by name, so give it a name of its own (wrap it in a "
                    f"function with another name, or give its class a different `name`)"
                )
            return value
        _fail(f"{path} must be a ranker name ({_allowed(RANKERS)}) or a callable; got {value!r}")
    kind = _field_kind(key)
    try:
        if kind == "bool":
            if not isinstance(value, bool):
                _fail(f"{path} must be true or false; got {value!r}")
            SimulationConfig(**{key: value})
            return value
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            rule = "an integer" if kind == "int" else "a finite number"
            _fail(f"{path} must be {rule}; got {value!r}")
        value = check_int(key, value) if kind == "int" else float(value)
        SimulationConfig(**{key: value})
    except SweepSpecError:
        raise
    except InvalidParameterError as exc:
        msg = str(exc)
        raise SweepSpecError(path + msg[len(key):] if msg.startswith(key) else f"{path}: {msg}") from None
    return value


def _check_params(table: Any, path: str) -> dict:
    if not isinstance(table, Mapping):
        _fail(f"{path} must be a table of parameter = value; got {table!r}")
    out = {}
    for key, value in table.items():
        if key not in _PARAM_KEYS:
            _fail(f"{path}.{key} is not a simulation parameter; allowed: {_allowed(_PARAM_KEYS)}")
        out[key] = normalize_value(key, value, f"{path}.{key}")
    return out


def _point_label(point: dict) -> str:
    return ", ".join(f"{k}={ranker_name(v) if k == 'ranker' else v!r}" for k, v in point.items())


@dataclass(frozen=True, init=False)
class SweepSpec:
    """A parameter sweep: every point of a grid, each replicated, on one community.

    Parameters
    ----------
    seed : int
        Root entropy (>= 0). Run seeds are spawned from it (see
        :func:`feedsim.experiments.run_seed`).
    days : float
        Simulated days per run (> 0, a whole number of ticks).
    replicates : int, default 1
        Runs per parameter point, each with its own seed.
    graph : dict, default ``{"n_users": 1000, "seed": 0}``
        The default community: ``n_users`` (>= 2), ``seed`` (>= 0) and optional
        ``mean_follows`` (default ``min(40, (n_users - 1) / 2)``).
    base : dict, optional
        Parameters shared by every run: any :class:`~feedsim.SimulationConfig`
        field and ``ranker`` (default ``"chronological"``).
    grid : dict of str to list, optional
        Values per parameter; the sweep is their Cartesian product.
    points : list of dict, optional
        An explicit list of parameter points instead of a grid.
    metrics : list of str, optional
        Summary metrics to keep: a name in :data:`SCALAR_METRICS`, a name in
        :data:`ROLE_METRICS` (all roles) or ``name.role``.
    daily : list of str or bool, default True
        Per-day series to keep (:data:`DAILY_SERIES`); True keeps all, False none.

    Raises
    ------
    SweepSpecError
        Naming the key path and what is allowed, before anything runs.

    Examples
    --------
    >>> spec = SweepSpec(seed=1, days=1, replicates=2, graph={"n_users": 200, "seed": 0},
    ...                  grid={"ranker": ["chronological", "engagement"],
    ...                        "out_of_network_share": [0.0, 0.2]})
    >>> len(spec.points()), len(spec.runs())
    (4, 8)
    """

    seed: int
    days: float
    replicates: int = 1
    graph: Mapping[str, Any] = field(default_factory=lambda: {"n_users": 1000, "seed": 0})
    base: Mapping[str, Any] = field(default_factory=dict)
    grid: Mapping[str, Any] | None = None
    points_list: list | None = None
    metrics: tuple = DEFAULT_METRICS
    daily: Any = True

    def __init__(self, seed, days, replicates=1, graph=None, base=None, grid=None, points=None,
                 metrics=DEFAULT_METRICS, daily=True) -> None:
        try:
            self._build(seed, days, replicates, graph, base, grid, points, metrics, daily)
        except SweepSpecError:
            raise
        except InvalidParameterError as exc:
            raise SweepSpecError(str(exc)) from None

    def _build(self, seed, days, replicates, graph, base, grid, points, metrics, daily) -> None:
        def put(name, value):
            object.__setattr__(self, name, value)

        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
            _fail(f"seed must be an integer >= 0; got {seed!r}")
        put("seed", int(seed))
        put("days", check_number("days", days, low=0, low_inclusive=False))
        put("replicates", check_int("replicates", replicates, low=1))
        put("graph", self._check_graph({"n_users": 1000, "seed": 0} if graph is None else graph))
        base = _check_params({} if base is None else base, "base")
        put("base", base)
        if (grid is None) == (points is None):
            _fail("give exactly one of grid (values per parameter) or points (a list of parameter tables)")
        if grid is not None:
            if not isinstance(grid, Mapping) or not grid:
                _fail(f"grid must be a non-empty table of parameter = [values]; got {grid!r}")
            checked = {}
            for key, values in grid.items():
                path = f"grid.{key}"
                if key not in _PARAM_KEYS:
                    _fail(f"{path} is not a simulation parameter; allowed: {_allowed(_PARAM_KEYS)}")
                if key in base:
                    _fail(f"{path} is also set in base; set each parameter in one place")
                if isinstance(values, (str, bytes)) or not isinstance(values, (list, tuple)) or not values:
                    _fail(f"{path} must be a non-empty list of values; got {values!r}")
                norm = []
                for i, v in enumerate(values):
                    v = normalize_value(key, v, f"{path}[{i}]")
                    for j, w in enumerate(norm):
                        if _same(key, v, w):
                            _fail(f"{path}[{i}] repeats {path}[{j}]; values must be distinct")
                    norm.append(v)
                checked[key] = tuple(norm)
            put("grid", checked)
            put("points_list", None)
        else:
            if isinstance(points, (str, bytes, Mapping)) or not isinstance(points, (list, tuple)) or not points:
                _fail(f"points must be a non-empty list of parameter tables; got {points!r}")
            pts = []
            for i, p in enumerate(points):
                p = _check_params(p, f"points[{i}]")
                for key in p:
                    if key in base:
                        _fail(f"points[{i}].{key} is also set in base; set each parameter in one place")
                pts.append(p)
            put("grid", None)
            put("points_list", tuple(pts))
        put("metrics", self._check_metrics(metrics))
        put("daily", self._check_daily(daily))
        self._check_points()

    # ------------------------------------------------------------- validation
    @staticmethod
    def _check_graph(graph) -> dict:
        if not isinstance(graph, Mapping):
            _fail(f"graph must be a table with n_users and seed; got {graph!r}")
        for key in graph:
            if key not in _GRAPH_KEYS:
                _fail(f"graph.{key} is not allowed; allowed: {_allowed(_GRAPH_KEYS)}")
        n = check_int("graph.n_users", graph.get("n_users", 1000), low=2)
        seed = check_int("graph.seed", graph.get("seed", 0), low=0)
        out = {"n_users": n, "seed": seed}
        if "mean_follows" in graph:
            out["mean_follows"] = check_number("graph.mean_follows", graph["mean_follows"], low=0,
                                               low_inclusive=False, high=n, high_inclusive=False)
        return out

    @staticmethod
    def _check_metrics(metrics) -> tuple:
        if isinstance(metrics, str) or not isinstance(metrics, (list, tuple)) or not metrics:
            _fail(f"metrics must be a non-empty list of metric names; got {metrics!r}")
        allowed = [*SCALAR_METRICS, *ROLE_METRICS, *(f"{m}.{r}" for m in ROLE_METRICS for r in ROLES)]
        out: list[str] = []
        for i, m in enumerate(metrics):
            if m not in allowed:
                _fail(f"metrics[{i}] must be one of {_allowed(SCALAR_METRICS + ROLE_METRICS)} "
                      f"or <role metric>.<role> (roles: {_allowed(ROLES)}); got {m!r}")
            names = [f"{m}.{r}" for r in ROLES] if m in ROLE_METRICS else [m]
            out.extend(n for n in names if n not in out)
        return tuple(out)

    @staticmethod
    def _check_daily(daily) -> tuple:
        if daily is True:
            return DAILY_SERIES
        if daily is False:
            return ()
        if isinstance(daily, str) or not isinstance(daily, (list, tuple)):
            _fail(f"daily must be true, false or a list of series names; got {daily!r}")
        for i, s in enumerate(daily):
            if s not in DAILY_SERIES:
                _fail(f"daily[{i}] must be one of {_allowed(DAILY_SERIES)}; got {s!r}")
        return tuple(dict.fromkeys(daily))

    def _check_points(self) -> None:
        seen = {}
        for i, p in enumerate(self.points()):
            cfg = {k: v for k, v in p.items() if k != "ranker"}
            try:
                tick = SimulationConfig(**cfg).tick_hours
            except InvalidParameterError as exc:
                raise SweepSpecError(f"parameter point ({_point_label(p)}): {exc}") from None
            ticks = self.days * 24.0 / tick
            if abs(ticks - round(ticks)) > 1e-9:
                _fail(f"days must cover a whole number of ticks of {tick} h; got {self.days!r}")
            name = ranker_name(p.get("ranker", "chronological"))
            key = (name, tuple(sorted(canonical_params(p).items())))
            if key in seen:
                _fail(f"points[{i}] describes the same run as points[{seen[key]}]")
            seen[key] = i

    # ------------------------------------------------------------------ points
    def points(self) -> list[dict]:
        """Every parameter point: base merged with one grid combination (or point)."""
        if self.grid is not None:
            keys = list(self.grid)
            combos = [dict(zip(keys, vals)) for vals in itertools.product(*self.grid.values())]
        else:
            combos = [dict(p) for p in self.points_list]
        return [{**self.base, **c} for c in combos]

    def runs(self) -> list:
        """Every run (point x replicate) as :class:`~feedsim.experiments.seeds.RunSpec`."""
        from .seeds import make_run  # noqa: PLC0415

        return [make_run(self, p, r) for p in self.points() for r in range(self.replicates)]

    def to_dict(self) -> dict:
        """JSON-ready form (rankers by name); ``SweepSpec.from_dict(spec.to_dict())`` round-trips."""
        def names(d):
            return {k: ranker_name(v) if k == "ranker" else v for k, v in d.items()}

        out = {"seed": self.seed, "days": self.days, "replicates": self.replicates, "graph": dict(self.graph),
               "base": names(self.base), "metrics": list(self.metrics), "daily": list(self.daily)}
        if self.grid is not None:
            out["grid"] = {k: [ranker_name(v) if k == "ranker" else v for v in vals] for k, vals in self.grid.items()}
        else:
            out["points"] = [names(p) for p in self.points_list]
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SweepSpec:
        """Build a spec from a dict shaped like the TOML file, rejecting unknown keys."""
        if not isinstance(data, Mapping):
            _fail(f"a sweep spec must be a table; got {data!r}")
        for key in data:
            if key not in _TOP_KEYS:
                _fail(f"{key} is not a sweep spec key; allowed: {_allowed(_TOP_KEYS)}")
        for key in ("seed", "days"):
            if key not in data:
                _fail(f"{key} is required in a sweep spec")
        kwargs = dict(data)
        return cls(**kwargs)

    @classmethod
    def from_toml(cls, path) -> SweepSpec:
        """Read a spec from a TOML file (see ``experiments/sweep_example.toml``)."""
        if sys.version_info >= (3, 11):
            import tomllib  # noqa: PLC0415
        else:  # pragma: no cover - exercised on 3.10 only
            import tomli as tomllib  # noqa: PLC0415
        try:
            with open(path, "rb") as fh:
                data = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise SweepSpecError(f"{path} is not valid TOML: {exc}") from None
        return cls.from_dict(data)


def _same(key, a, b) -> bool:
    if key == "ranker":
        return ranker_name(a) == ranker_name(b)
    return a == b and type(a) is type(b)


def canonical_params(point: Mapping[str, Any]) -> dict:
    """The point without its ranker and without values equal to the defaults.

    Two points that configure the same simulation have the same canonical form,
    whatever order or explicit defaults they were written with.
    """
    defaults = SimulationConfig()
    return {k: v for k, v in sorted(point.items()) if k != "ranker" and getattr(defaults, k) != v}


def load_spec(spec) -> SweepSpec:
    """Accept a :class:`SweepSpec`, a dict or a path to a TOML file."""
    if isinstance(spec, SweepSpec):
        return spec
    if isinstance(spec, Mapping):
        return SweepSpec.from_dict(spec)
    return SweepSpec.from_toml(spec)
