"""Sweep specifications: a Python object and the equivalent TOML file.

A spec names the root seed, the days per run, the replicates, the graph (the
default community's generator parameters or a graph file, see
:mod:`feedsim.sweeps.graphs`), a base configuration, a grid (or an explicit list
of points) of parameter values including the ranker and ``graph.*`` keys, and
the metrics to keep. Every problem is reported before any run starts, naming the
key path (``grid.out_of_network_share[2]``), what is allowed, and the closest
allowed name for a typo.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import numbers
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .._suggest import did_you_mean
from .._validate import check_bool, check_int
from ..amplification import FOLLOWER_GROUPS
from ..engine.config import SimulationConfig
from ..errors import InvalidParameterError, SweepSpecError
from ..metrics.registry import (
    DAILY_SERIES,
    GROUP_METRICS,
    METRIC_BOUNDS,
    PAIRED_METRICS,
    ROLE_METRICS,
    SCALAR_METRICS,
)
from ..network.graph import ROLES
from ..params import SIMULATION_PARAMS, check_days
from ..rankers.registry import RANKERS, get_ranker, ranker_name
from . import graphs
from .seeds import SEED_MODES, canonical_params, make_run

__all__ = ["SweepSpec", "SweepSpecError", "SCALAR_METRICS", "ROLE_METRICS", "GROUP_METRICS", "DAILY_SERIES",
           "METRIC_BOUNDS", "metric_bounds", "load_spec", "MAX_RUNS"]

#: Most runs one sweep may plan (points x replicates; amplification's chronological partners may add
#: as many again): a spec past it is refused before any point is built (a grid of 8 keys x 10 values
#: would need 10^8 points).
MAX_RUNS = 100_000

# the metric families, their kinds and ranges are declared once, in feedsim.metrics.registry
FOLLOWER_GROUP_LABELS = tuple(g[0] for g in FOLLOWER_GROUPS)


def metric_bounds(name: str) -> tuple[float, float]:
    """Feasible ``(low, high)`` of a metric column (``voice_ratio.quiet`` -> ``(0, inf)``).

    Unknown names are unbounded.

    Examples
    --------
    >>> metric_bounds("impression_share.quiet"), metric_bounds("amplification.quiet")
    ((0.0, 1.0), (-1.0, inf))
    """
    return METRIC_BOUNDS.get(name.partition(".")[0], (-math.inf, math.inf))
DEFAULT_METRICS = ("gini_impressions", "top1_share", "exposure_diversity", "visibility_all",
                   "impression_share", "voice_ratio")

_TOP_KEYS = ("seed", "days", "replicates", "seeds", "graph", "graph_replicates", "base", "grid", "points", "metrics",
             "daily")
_CONFIG_FIELDS = {f.name: f for f in dataclasses.fields(SimulationConfig)}
_PARAM_KEYS = ("ranker", *_CONFIG_FIELDS)
_GRAPH_PARAM_KEYS = tuple(f"graph.{k}" for k in (*graphs.GENERATOR_KEYS, *graphs.FILE_KEYS))


def _fail(msg: str) -> None:
    raise SweepSpecError(msg)


def _allowed(keys) -> str:
    return ", ".join(keys)


def _field_kind(name: str) -> str:
    return SIMULATION_PARAMS[name].kind  # the declaration: "bool", "int" or "float"


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


def _unknown_param(path: str, key: str) -> None:
    _fail(f"{path}.{key} is not a simulation parameter{did_you_mean(key, (*_PARAM_KEYS, *_GRAPH_PARAM_KEYS))}; "
          f"allowed: {_allowed(_PARAM_KEYS)}, or graph.<key> to vary the graph")


def _check_params(table: Any, path: str, graph_values=None) -> dict:
    if not isinstance(table, Mapping):
        _fail(f"{path} must be a table of parameter = value; got {table!r}")
    out = {}
    for key, value in table.items():
        if key.startswith("graph.") and graph_values is not None:
            out[key] = graph_values(key, value, f"{path}.{key}")
            continue
        if key not in _PARAM_KEYS:
            _unknown_param(path, key)
        out[key] = normalize_value(key, value, f"{path}.{key}")
    return out


def _point_label(point: dict) -> str:
    return ", ".join(f"{k}={ranker_name(v) if k == 'ranker' else v!r}" for k, v in point.items())


@dataclass(frozen=True, init=False)
class SweepSpec:
    """A parameter sweep: every point of a grid, each replicated, on a graph.

    Parameters
    ----------
    seed : int
        Root entropy (>= 0). Run seeds are spawned from it (see
        :func:`feedsim.sweeps.run_seed`).
    days : float
        Simulated days per run (> 0, a whole number of ticks).
    replicates : int, default 1
        Runs per parameter point, each with its own seed.
    seeds : {"per_point", "common"}, default "per_point"
        ``per_point``: a run's seed is a hash of its point's parameters (moving
        any parameter also redraws the randomness). ``common``: replicate ``r``
        of every point runs on the same seed (common random numbers across
        points, as sensitivity studies use). See :mod:`feedsim.sweeps.seeds`. A
        store holds runs of one mode only.
    graph : dict, default ``{"n_users": 1000, "seed": 0}``
        Either the default community's generator parameters (``n_users`` >= 2,
        ``seed`` >= 0, ``mean_follows`` (default ``min(40, (n_users - 1) / 2)``),
        ``n_communities``, ``community_mixing``, ``reciprocity``,
        ``attractiveness_exponent``), or ``file`` (relative to ``root``) with
        loader options (``format``: ``edgelist``, ``csv`` or ``graphml``, by
        default from the extension; ``comments``, ``delimiter``, ``source``,
        ``target``) and ``assign_roles`` (bool, default False: roles from
        :func:`feedsim.networks.assign_roles`). See :mod:`feedsim.sweeps.graphs`.
    graph_replicates : bool, default False
        Draw a new default community for every replicate (generator seed
        ``replicate_seeds(graph.seed, replicate).graph``, :func:`feedsim.random.replicate_seeds`),
        the same in every arm of a replicate. Only for generated graphs.
    base : dict, optional
        Parameters shared by every run: any :class:`~feedsim.SimulationConfig`
        field and ``ranker`` (default ``"chronological"``).
    grid : dict of str to list, optional
        Values per parameter; the sweep is their Cartesian product. Keys are
        parameters of ``base`` or ``graph.<key>`` (``graph.mean_follows``,
        ``graph.file``).
    points : list of dict, optional
        An explicit list of parameter points instead of a grid.
    metrics : list of str, optional
        Summary metrics to keep: a name in :data:`SCALAR_METRICS`, a name in
        :data:`ROLE_METRICS` (all roles) or ``name.role``, or
        ``follower_amplification`` (per follower group, or ``.0-19`` etc.).
        ``amplification`` metrics are computed against the chronological run of
        the same seed; a point whose chronological partner is not in the sweep
        gets it added to the plan.
    daily : list of str or bool, default True
        Per-day series to keep (:data:`DAILY_SERIES`); True keeps all, False none.
    root : str, optional
        Folder a relative ``graph.file`` is relative to (default: the working
        directory; :meth:`from_toml` uses the spec file's folder).

    Raises
    ------
    SweepSpecError
        Naming the key path and what is allowed, before anything runs.

    Examples
    --------
    >>> spec = SweepSpec(seed=1, days=1, replicates=2, graph={"n_users": 200, "seed": 0},
    ...                  grid={"ranker": ["chronological", "engagement"],
    ...                        "graph.mean_follows": [10, 20]})
    >>> len(spec.points()), len(spec.runs())
    (4, 8)
    """

    seed: int
    days: float
    replicates: int = 1
    seeds: str = "per_point"
    graph: Mapping[str, Any] = field(default_factory=lambda: {"n_users": 1000, "seed": 0})
    graph_replicates: bool = False
    base: Mapping[str, Any] = field(default_factory=dict)
    grid: Mapping[str, Any] | None = None
    points_list: tuple[dict[str, Any], ...] | None = None
    metrics: tuple = DEFAULT_METRICS
    daily: Any = True
    root: str | None = field(default=None, compare=False)

    def __init__(self, seed, days, replicates=1, graph=None, base=None, grid=None, points=None,
                 metrics=DEFAULT_METRICS, daily=True, graph_replicates=False, root=None, seeds="per_point") -> None:
        try:
            self._build(seed, days, replicates, graph, base, grid, points, metrics, daily, graph_replicates, root,
                        seeds)
        except SweepSpecError:
            raise
        except InvalidParameterError as exc:
            raise SweepSpecError(str(exc)) from None

    def _build(self, seed, days, replicates, graph, base, grid, points, metrics, daily, graph_replicates,
               root, seeds) -> None:
        def put(name, value):
            object.__setattr__(self, name, value)

        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
            _fail(f"seed must be an integer >= 0; got {seed!r}")
        put("seed", int(seed))
        if not isinstance(seeds, str) or seeds not in SEED_MODES:
            _fail(f"seeds must be one of {_allowed(SEED_MODES)}{did_you_mean(str(seeds), SEED_MODES)}; got {seeds!r}")
        put("seeds", seeds)
        put("days", check_days(days))
        put("replicates", check_int("replicates", replicates, low=1))
        put("root", None if root is None else os.fspath(root))
        swept = set()
        for table in ([grid] if isinstance(grid, Mapping) else []) + (
                list(points) if isinstance(points, (list, tuple)) else []):
            if isinstance(table, Mapping):
                swept |= {k[len("graph."):] for k in table if isinstance(k, str) and k.startswith("graph.")}
        graph = {"n_users": 1000, "seed": 0} if graph is None else graph
        file_kind = isinstance(graph, Mapping) and ("file" in graph or "file" in swept)
        if file_kind and "file" not in graph:
            # the file comes from the grid; check the rest of the table on its own
            put("graph", {k: v for k, v in graphs.check_graph({**graph, "file": "?"}, "graph").items()
                          if k in graph or k == "assign_roles"})
        else:
            put("graph", graphs.check_graph(graph, "graph", file_kind=file_kind))
        put("graph_replicates", check_bool("graph_replicates", graph_replicates))
        if self.graph_replicates and file_kind:
            _fail("graph_replicates needs a generated graph (a [graph] table without file); "
                  "a graph file is the same in every replicate")
        gkeys = graphs.FILE_KEYS if file_kind else graphs.GENERATOR_KEYS

        def graph_value(key, value, path):
            sub = key[len("graph."):]
            path = path if sub in gkeys else path.partition("[")[0]
            if sub not in gkeys:
                kind = "file" if file_kind else "generated"
                _fail(f"{path} is not a key of a {kind} graph{did_you_mean(key, ['graph.' + k for k in gkeys])}; "
                      f"allowed: {', '.join('graph.' + k for k in gkeys)}")
            trial = {**self.graph, sub: value}
            if file_kind and sub != "file":
                trial.setdefault("file", "?")
            return graphs.check_graph(trial, path.rpartition(".")[0] or path, file_kind=file_kind)[sub]

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
                if key not in _PARAM_KEYS and not key.startswith("graph."):
                    _unknown_param("grid", key)
                if key in base:
                    _fail(f"{path} is also set in base; set each parameter in one place")
                if key.startswith("graph.") and key[len("graph."):] in graph:
                    _fail(f"{path} is also set in [graph]; set each graph key in one place")
                if isinstance(values, (str, bytes)) or not isinstance(values, (list, tuple)) or not values:
                    _fail(f"{path} must be a non-empty list of values; got {values!r}")
                norm: list[Any] = []
                for i, v in enumerate(values):
                    if key.startswith("graph."):
                        v = graph_value(key, v, f"{path}[{i}]")
                    else:
                        v = normalize_value(key, v, f"{path}[{i}]")
                    for j, w in enumerate(norm):
                        if _same(key, v, w):
                            _fail(f"{path}[{i}] repeats {path}[{j}]; values must be distinct")
                    norm.append(v)
                checked[key] = tuple(norm)
            _check_size(math.prod(len(v) for v in checked.values()), self.replicates, "grid")
            put("grid", checked)
            put("points_list", None)
        else:
            if isinstance(points, (str, bytes, Mapping)) or not isinstance(points, (list, tuple)) or not points:
                _fail(f"points must be a non-empty list of parameter tables; got {points!r}")
            _check_size(len(points), self.replicates, "points")
            pts = []
            for i, p in enumerate(points):
                p = _check_params(p, f"points[{i}]", graph_value)
                for key in p:
                    if key in base:
                        _fail(f"points[{i}].{key} is also set in base; set each parameter in one place")
                pts.append(p)
            put("grid", None)
            put("points_list", tuple(pts))
        if file_kind and "file" not in self.graph:
            for i, p in enumerate(self.points()):
                if "graph.file" not in p:
                    _fail(f"points[{i}] has no graph file: set graph.file in [graph] or in every point")
        put("metrics", self._check_metrics(metrics))
        put("daily", self._check_daily(daily))
        self._check_points()

    # ------------------------------------------------------------- validation
    @staticmethod
    def _check_metrics(metrics) -> tuple:
        if isinstance(metrics, str) or not isinstance(metrics, (list, tuple)) or not metrics:
            _fail(f"metrics must be a non-empty list of metric names; got {metrics!r}")
        allowed = [*SCALAR_METRICS, *ROLE_METRICS, *GROUP_METRICS, *(f"{m}.{r}" for m in ROLE_METRICS for r in ROLES),
                   *(f"{m}.{g}" for m in GROUP_METRICS for g in FOLLOWER_GROUP_LABELS)]
        out: list[str] = []
        for i, m in enumerate(metrics):
            if m not in allowed:
                _fail(f"metrics[{i}] must be one of {_allowed(SCALAR_METRICS + ROLE_METRICS + GROUP_METRICS)} "
                      f"or <role metric>.<role> (roles: {_allowed(ROLES)}) or follower_amplification.<group> "
                      f"(groups: {_allowed(FOLLOWER_GROUP_LABELS)}){did_you_mean(m, allowed)}; got {m!r}")
            if m in ROLE_METRICS:
                names = [f"{m}.{r}" for r in ROLES]
            elif m in GROUP_METRICS:
                names = [f"{m}.{g}" for g in FOLLOWER_GROUP_LABELS]
            else:
                names = [m]
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
                _fail(f"daily[{i}] must be one of {_allowed(DAILY_SERIES)}{did_you_mean(s, DAILY_SERIES)}; "
                      f"got {s!r}")
        return tuple(dict.fromkeys(daily))

    def _check_points(self) -> None:
        seen: dict[tuple[str, tuple], int] = {}
        for i, p in enumerate(self.points()):
            cfg = {k: v for k, v in p.items() if k != "ranker" and not k.startswith("graph.")}
            try:
                tick = SimulationConfig(**cfg).tick_hours
            except InvalidParameterError as exc:
                raise SweepSpecError(f"parameter point ({_point_label(p)}): {exc}") from None
            check_days(self.days, tick)
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
            assert self.points_list is not None  # exactly one of grid and points_list is set
            combos = [dict(p) for p in self.points_list]
        return [{**self.base, **c} for c in combos]

    def point_graph(self, point: Mapping[str, Any]) -> dict:
        """The resolved graph of a point: ``[graph]`` with the point's ``graph.*`` values, file made absolute."""
        g = {**self.graph, **{k[len("graph."):]: v for k, v in point.items() if k.startswith("graph.")}}
        if "file" in g:
            g = graphs.check_graph(g, "graph", file_kind=True)
        return graphs.resolve(g, self.root)

    def needs_partners(self) -> bool:
        """Whether a metric needs each run's chronological partner (amplification)."""
        return any(m.partition(".")[0] in PAIRED_METRICS for m in self.metrics)

    def runs(self) -> list:
        """Every run (point x replicate) as :class:`~feedsim.sweeps.seeds.RunSpec`, in grid order.

        With amplification metrics, the chronological partner of a point that
        has none in the sweep is added right after the point's runs.
        """
        points = self.points()
        if self.needs_partners():
            have = {_point_id(p) for p in points if ranker_name(p.get("ranker", "chronological")) == "chronological"}
            extended = []
            for p in points:
                extended.append(p)
                partner = {**p, "ranker": "chronological"}
                if _point_id(partner) not in have:
                    have.add(_point_id(partner))
                    extended.append(partner)
            points = extended
        return [make_run(self, p, r) for p in points for r in range(self.replicates)]

    def to_dict(self) -> dict:
        """JSON-ready form (rankers by name); ``SweepSpec.from_dict(spec.to_dict())`` round-trips."""
        def names(d):
            return {k: ranker_name(v) if k == "ranker" else v for k, v in d.items()}

        out = {"seed": self.seed, "days": self.days, "replicates": self.replicates, "graph": dict(self.graph),
               "base": names(self.base), "metrics": list(self.metrics), "daily": list(self.daily)}
        if self.graph_replicates:
            out["graph_replicates"] = True
        if self.seeds != "per_point":
            out["seeds"] = self.seeds
        if self.grid is not None:
            out["grid"] = {k: [ranker_name(v) if k == "ranker" else v for v in vals] for k, vals in self.grid.items()}
        else:
            assert self.points_list is not None  # exactly one of grid and points_list is set
            out["points"] = [names(p) for p in self.points_list]
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, root=None) -> SweepSpec:
        """Build a spec from a dict shaped like the TOML file, rejecting unknown keys.

        A dotted TOML key (``graph.mean_follows = [10, 20]`` in ``[grid]`` or a point) arrives as a
        nested table ``{"graph": {"mean_follows": ...}}`` and means the same as the quoted key
        ``"graph.mean_follows"``.
        """
        if not isinstance(data, Mapping):
            _fail(f"a sweep spec must be a table; got {data!r}")
        data = dict(data)
        if isinstance(data.get("grid"), Mapping):
            data["grid"] = _undot(data["grid"], "grid")
        if isinstance(data.get("points"), (list, tuple)):
            data["points"] = [_undot(p, f"points[{i}]") if isinstance(p, Mapping) else p
                              for i, p in enumerate(data["points"])]
        for key in data:
            if key not in _TOP_KEYS:
                _fail(f"{key} is not a sweep spec key{did_you_mean(key, _TOP_KEYS)}; allowed: {_allowed(_TOP_KEYS)}")
        for key in ("seed", "days"):
            if key not in data:
                _fail(f"{key} is required in a sweep spec")
        kwargs = dict(data)
        return cls(**kwargs, root=root)

    @classmethod
    def from_toml(cls, path) -> SweepSpec:
        """Read a spec from a TOML file (see ``experiments/sweep_example.toml``).

        A relative ``graph.file`` is relative to the folder of ``path``.
        """
        if sys.version_info >= (3, 11):
            import tomllib  # noqa: PLC0415
        else:  # pragma: no cover - exercised on 3.10 only
            import tomli as tomllib  # noqa: PLC0415
        try:
            with open(path, "rb") as fh:
                data = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise SweepSpecError(f"{path} is not valid TOML: {exc}") from None
        except UnicodeDecodeError as exc:
            raise SweepSpecError(f"{path} must be UTF-8 text (as TOML is); byte {exc.start} is "
                                 f"{exc.object[exc.start:exc.start + 1]!r}") from None
        except (IsADirectoryError, PermissionError) as exc:
            raise SweepSpecError(f"{path} cannot be read: {exc.strerror}") from None
        return cls.from_dict(data, root=os.path.dirname(os.path.abspath(os.fspath(path))))


def _check_size(n_points: int, replicates: int, where: str) -> None:
    """Refuse a plan past :data:`MAX_RUNS` before any point is built (partners may double it)."""
    if n_points * replicates > MAX_RUNS:
        _fail(f"{where} plans {n_points} points x {replicates} replicates = {n_points * replicates} runs; a sweep "
              f"may plan at most {MAX_RUNS} runs (split it into several sweeps, or use fewer values)")


def _undot(table: Mapping[str, Any], path: str) -> dict:
    """``{"graph": {"mean_follows": v}}`` (a dotted TOML key) as ``{"graph.mean_follows": v}``."""
    out: dict[str, Any] = {}
    for key, value in table.items():
        if key == "graph" and isinstance(value, Mapping):
            for sub, v in value.items():
                if f"graph.{sub}" in table:
                    _fail(f"{path}.graph.{sub} is given twice (dotted and quoted); give it once")
                out[f"graph.{sub}"] = v
        else:
            out[key] = value
    return out


def _point_id(point: Mapping[str, Any]) -> tuple:
    return ranker_name(point.get("ranker", "chronological")), tuple(sorted(canonical_params(point).items()))


def _same(key, a, b) -> bool:
    if key == "ranker":
        return ranker_name(a) == ranker_name(b)
    return a == b and type(a) is type(b)


def load_spec(spec) -> SweepSpec:
    """Accept a :class:`SweepSpec`, a dict or a path to a TOML file."""
    if isinstance(spec, SweepSpec):
        return spec
    if isinstance(spec, Mapping):
        return SweepSpec.from_dict(spec)
    if not os.path.exists(os.fspath(spec)):
        _fail(f"spec must be a SweepSpec, a dict or a path to a TOML file; got {spec!r} (no such file)")
    return SweepSpec.from_toml(spec)
