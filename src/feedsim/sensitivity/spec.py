"""Sensitivity study specifications: factors, the output, the design, the budget.

A study names the factors (simulation parameters, ``graph.<key>`` of the
default community, or ``ranker.<weight>`` of the engagement ranker) with a
range or a distribution, checked against the declared bounds
(:data:`feedsim.params.SIMULATION_PARAMS`) before any work; the output (one
metric column of the registry, or a paired contrast of two rankers on the same
seeds); the method (Sobol indices or Morris elementary effects); the sample
size and the replicates per point. :meth:`SensitivitySpec.sweep` turns it into a
:class:`~feedsim.sweeps.SweepSpec` whose points are the design's rows, so a study
runs, resumes and scales as any sweep does.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import __version__
from .._suggest import did_you_mean
from .._validate import check_bool, check_int, check_number
from ..errors import InvalidParameterError
from ..params import SIMULATION_PARAMS
from ..random import replicate_seeds
from ..rankers.builtin import EngagementRanker
from ..rankers.registry import RANKERS
from ..sweeps import graphs
from ..sweeps.seeds import canonical_params
from ..sweeps.spec import PAIRED_METRICS, SweepSpec

__all__ = ["Factor", "SensitivitySpec", "WeightedEngagementRanker", "METHODS", "DISTRIBUTIONS"]

#: Designs: Sobol first- and total-order indices (Saltelli sampling), or Morris elementary effects.
METHODS = ("sobol", "morris")
#: Distributions of a factor and their keys (SALib's names).
DISTRIBUTIONS = {"unif": ("low", "high"), "triang": ("low", "high", "mode"), "norm": ("mean", "sd"),
                 "truncnorm": ("low", "high", "mean", "sd"), "lognorm": ("mu", "sigma")}
#: Spawn-key word of a study's own seeds (``b"sens"`` little-endian): the design and the bootstrap.
#: Sweep runs use five-word keys, so these two-word keys never meet a run's seed.
STUDY_KEY = 0x736E6573
_TOP_KEYS = ("seed", "days", "method", "n", "replicates", "common_seeds", "graph", "base", "parameters", "metric",
             "contrast", "num_levels", "confidence", "resamples")
_RANKER_FIELDS = tuple(f.name for f in dataclasses.fields(EngagementRanker))
_GRAPH_NUMERIC = ("mean_follows", "n_communities", "community_mixing", "reciprocity", "attractiveness_exponent")


def _fail(msg: str) -> None:
    raise InvalidParameterError(msg)


@dataclass(frozen=True)
class WeightedEngagementRanker(EngagementRanker):
    """:class:`~feedsim.rankers.EngagementRanker` under a name of its own, for studies that vary its weights.

    A sweep tells runs apart by ranker name and parameters, and the name
    ``engagement`` is reserved for the built-in ranker, so the name of a study's
    weighted variant lists the fields that differ from the defaults.

    Examples
    --------
    >>> WeightedEngagementRanker(reply_weight=2.0).name
    'engagement[reply_weight=2.0]'
    """

    #: The built-in ranker's code, so its version is feedsim's (the weights are in the name).
    version = f"feedsim-{__version__}"

    @property
    def name(self) -> str:  # type: ignore[override]
        """``engagement[field=value, ...]`` of the fields that differ from the defaults."""
        default = EngagementRanker()
        changed = [f"{f.name}={getattr(self, f.name)!r}" for f in dataclasses.fields(self)
                   if getattr(self, f.name) != getattr(default, f.name)]
        return f"engagement[{','.join(changed)}]"


@dataclass(frozen=True)
class Factor:
    """One factor of a study: a declared parameter and its distribution.

    Attributes
    ----------
    name : str
        ``like_rate``, ``graph.attractiveness_exponent`` or ``ranker.reply_weight``.
    dist : str
        One of :data:`DISTRIBUTIONS` (``unif`` for a plain range).
    args : tuple of float
        The distribution's values in the order of :data:`DISTRIBUTIONS`.
    integer : bool
        Sampled values are rounded (integer parameters).
    """

    name: str
    dist: str
    args: tuple
    integer: bool = False

    @property
    def salib_bounds(self) -> list:
        """The ``bounds`` entry SALib expects for this distribution."""
        if self.dist == "triang":
            low, high, mode = self.args
            return [low, high, (mode - low) / (high - low)]
        return list(self.args)

    @property
    def support(self) -> tuple[float, float]:
        """Smallest and largest value the distribution can draw."""
        if self.dist in ("unif", "triang", "truncnorm"):
            return float(self.args[0]), float(self.args[1])
        return (0.0, math.inf) if self.dist == "lognorm" else (-math.inf, math.inf)


def _number(path: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        _fail(f"{path} must be a finite number; got {value!r}")
    return float(value)


def _factor(name: str, value: Any, path: str, graph: Mapping[str, Any]) -> Factor:
    if isinstance(value, (list, tuple)):
        if len(value) != 2:
            _fail(f"{path} must be [low, high] or a table with dist; got {value!r}")
        dist, args = "unif", tuple(_number(f"{path}[{i}]", v) for i, v in enumerate(value))
        labels = [f"{path}[0]", f"{path}[1]"]
    elif isinstance(value, Mapping):
        dist = value.get("dist", "unif")
        if dist not in DISTRIBUTIONS:
            _fail(f"{path}.dist must be one of {', '.join(DISTRIBUTIONS)}{did_you_mean(str(dist), DISTRIBUTIONS)}; "
                  f"got {dist!r}")
        keys = DISTRIBUTIONS[dist]
        extra = sorted(set(value) - {"dist", *keys})
        if extra or any(k not in value for k in keys):
            _fail(f"{path} ({dist}) must have exactly the keys {', '.join(keys)}; got {', '.join(sorted(value))}")
        args = tuple(_number(f"{path}.{k}", value[k]) for k in keys)
        labels = [f"{path}.{k}" for k in keys]
    else:
        _fail(f"{path} must be [low, high] or a table with dist; got {value!r}")
    if dist in ("unif", "triang", "truncnorm") and not args[0] < args[1]:
        _fail(f"{path} must have low < high; got low={args[0]!r}, high={args[1]!r}")
    if dist == "triang" and not args[0] <= args[2] <= args[1]:
        _fail(f"{path}.mode must be within [low, high] = [{args[0]!r}, {args[1]!r}]; got {args[2]!r}")
    if dist in ("norm", "truncnorm", "lognorm") and not args[-1] > 0:
        _fail(f"{labels[-1]} must be > 0; got {args[-1]!r}")
    factor = Factor(name, dist, args, integer=_is_integer(name))
    low, high = factor.support
    for end, text in ((low, labels[0] if dist != "norm" else path), (high, labels[1] if dist != "norm" else path)):
        if dist in ("norm", "lognorm") and not math.isfinite(end):
            _check_unbounded(name, end, path, dist, graph)
            continue
        _check_value(name, end, text, graph)
    return factor


def _is_integer(name: str) -> bool:
    if name.startswith("graph."):
        return name[len("graph."):] == "n_communities"
    if name.startswith("ranker."):
        return False
    return SIMULATION_PARAMS[name].kind == "int"


def _check_unbounded(name: str, end: float, path: str, dist: str, graph: Mapping[str, Any]) -> None:
    """A distribution with an infinite tail needs a parameter without a bound on that side."""
    try:
        _check_value(name, end, path, graph)
    except InvalidParameterError as exc:
        raise InvalidParameterError(f"{exc} ({dist} reaches {end} at its tail: use truncnorm or unif)") from None


def _check_value(name: str, value: float, path: str, graph: Mapping[str, Any]) -> None:
    """Check one end of a factor's support against the declaration (names ``path`` in the message).

    A ``graph.<key>`` is checked within the study's ``[graph]`` (``mean_follows`` is bounded by its ``n_users``).
    """
    if name.startswith("ranker."):
        key = name[len("ranker."):]
        check_number(path, value, low=0.0, low_inclusive=key != "half_life_hours")
    elif name.startswith("graph."):
        try:
            graphs.check_graph({**graph, name[len("graph."):]: value}, "graph")
        except InvalidParameterError as exc:
            msg = str(exc)
            raise InvalidParameterError(msg.replace(name, path, 1) if name in msg else f"{path}: {msg}") from None
    else:
        SIMULATION_PARAMS[name].check(value, name=path)


def _check_name(name: Any, path: str) -> None:
    if not isinstance(name, str):
        _fail(f"{path} keys must be parameter names; got {name!r}")
    if name.startswith("ranker."):
        if name[len("ranker."):] not in _RANKER_FIELDS:
            _fail(f"{path}.{name} is not a weight of the engagement ranker"
                  f"{did_you_mean(name, ['ranker.' + k for k in _RANKER_FIELDS])}; "
                  f"allowed: {', '.join('ranker.' + k for k in _RANKER_FIELDS)}")
        return
    if name.startswith("graph."):
        if name[len("graph."):] not in _GRAPH_NUMERIC:
            _fail(f"{path}.{name} is not a numeric key of the default community"
                  f"{did_you_mean(name, ['graph.' + k for k in _GRAPH_NUMERIC])}; "
                  f"allowed: {', '.join('graph.' + k for k in _GRAPH_NUMERIC)}")
        return
    numeric = [k for k, p in SIMULATION_PARAMS.items() if p.kind in ("float", "int")]
    if name not in numeric:
        _fail(f"{path}.{name} is not a numeric simulation parameter{did_you_mean(name, numeric)}; "
              f"allowed: {', '.join(numeric)}, graph.<key>, ranker.<weight>")


@dataclass(frozen=True, init=False)
class SensitivitySpec:
    """A global sensitivity study of one output over declared parameter ranges.

    Parameters
    ----------
    seed : int
        Root entropy (>= 0): the design's scrambling, the bootstrap and every run's
        seed (:func:`feedsim.sweeps.run_seed`).
    days : float
        Simulated days per run.
    parameters : dict of str to list or dict
        The factors: ``name = [low, high]`` (uniform) or a table ``{dist, ...}``
        with ``dist`` one of :data:`DISTRIBUTIONS` (``triang``: ``low, high, mode``;
        ``truncnorm``: ``low, high, mean, sd``; ``norm``: ``mean, sd``;
        ``lognorm``: ``mu, sigma`` of the log). Names: a numeric
        :class:`~feedsim.SimulationConfig` field, ``graph.<key>`` of the default
        community, or ``ranker.<field>`` of the engagement ranker (its weights).
        The distribution's whole support must lie within the declared bounds.
    metric : str
        One metric column (``follower_reach.quiet``, ``gini_impressions``).
    contrast : dict, optional
        ``{"ranker": "engagement", "baseline": "chronological"}``: the output is
        the metric under ``ranker`` minus under ``baseline``, both on the same
        graph and seed at every point (common random numbers). Without it the
        output is the metric under ``base.ranker`` (default chronological).
    method : {"sobol", "morris"}, default "sobol"
    n : int, default 64
        Sobol: base samples (a power of 2; ``n * (k + 2)`` points for ``k``
        factors). Morris: trajectories (``n * (k + 1)`` points).
    replicates : int, default 2
        Runs per point (each with its own seed); their spread is the seed noise.
    common_seeds : bool, default True
        Common random numbers across design points: replicate ``r`` of every
        point runs on the same seed (the sweep's ``seeds = "common"``), and on
        the same graph unless a ``graph.*`` factor changes it. A factor the
        model never reads then gives bit-identical outputs and a total index of
        exactly 0. False gives each point its own seed (a hash of its
        parameters, as a plain sweep), which adds the seed noise to every
        total index.
    graph, base : dict, optional
        As in :class:`~feedsim.sweeps.SweepSpec` (default community of 1000
        accounts, graph seed 0).
    num_levels : int, default 4
        Morris grid levels (even).
    confidence : float, default 0.95
        Level of the bootstrap intervals.
    resamples : int, default 1000
        Bootstrap resamples (SALib's).
    root : str, optional
        Folder a relative graph file is relative to.

    Raises
    ------
    InvalidParameterError
        One line naming the key, the rule and the value, before any work.

    Examples
    --------
    >>> spec = SensitivitySpec(seed=1, days=1, n=8, graph={"n_users": 60, "seed": 0},
    ...                        parameters={"like_rate": [0.02, 0.1], "position_decay": [0.2, 1.0]},
    ...                        metric="follower_reach.quiet")
    >>> spec.n_points, len(spec.sweep().runs())
    (32, 64)
    >>> SensitivitySpec(seed=1, days=1, parameters={"like_rate": [0.0, 1.5]}, metric="gini_impressions")
    Traceback (most recent call last):
    ...
    feedsim.errors.InvalidParameterError: parameters.like_rate[1] must be a finite number >= 0 and <= 1; got 1.5
    """

    seed: int
    days: float
    parameters: tuple
    metric: str
    contrast: tuple | None = None
    method: str = "sobol"
    n: int = 64
    replicates: int = 2
    common_seeds: bool = True
    graph: Mapping[str, Any] = field(default_factory=dict)
    base: Mapping[str, Any] = field(default_factory=dict)
    num_levels: int = 4
    confidence: float = 0.95
    resamples: int = 1000
    root: str | None = field(default=None, compare=False)

    def __init__(self, seed, days, parameters, metric, contrast=None, method="sobol", n=64, replicates=2,
                 graph=None, base=None, num_levels=4, confidence=0.95, resamples=1000, root=None,
                 common_seeds=True) -> None:
        def put(name, value):
            object.__setattr__(self, name, value)

        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
            _fail(f"seed must be an integer >= 0; got {seed!r}")
        put("seed", int(seed))
        if method not in METHODS:
            _fail(f"method must be one of {', '.join(METHODS)}{did_you_mean(str(method), METHODS)}; got {method!r}")
        put("method", method)
        put("n", check_int("n", n, low=2))
        if method == "sobol" and self.n & (self.n - 1):
            _fail(f"n must be a power of 2 for method 'sobol' (Sobol sequences balance only then); got {n!r}")
        put("replicates", check_int("replicates", replicates, low=1))
        put("common_seeds", check_bool("common_seeds", common_seeds))
        put("num_levels", check_int("num_levels", num_levels, low=2))
        if self.num_levels % 2:
            _fail(f"num_levels must be even (Morris's balanced grid); got {num_levels!r}")
        put("confidence", check_number("confidence", confidence, low=0.0, high=1.0, low_inclusive=False,
                                       high_inclusive=False))
        put("resamples", check_int("resamples", resamples, low=10))
        put("root", None if root is None else os.fspath(root))
        if not isinstance(parameters, Mapping) or not parameters:
            _fail(f"parameters must be a non-empty table of name = [low, high]; got {parameters!r}")
        graph = {"n_users": 1000, "seed": 0} if graph is None else dict(graph)
        if "file" in graph:
            _fail("graph must be the default community's generator parameters (n_users, seed, ...); a graph file "
                  "is not supported by sensitivity studies yet")
        graphs.check_graph(graph, "graph")
        factors = []
        for name, value in parameters.items():
            _check_name(name, "parameters")
            factors.append(_factor(name, value, f"parameters.{name}", graph))
        put("parameters", tuple(factors))
        base = dict(base or {})
        for f in factors:
            if f.name in base:
                _fail(f"parameters.{f.name} is also set in base; set each parameter in one place")
            if f.name.startswith("graph.") and f.name[len("graph."):] in graph:
                _fail(f"parameters.{f.name} is also set in [graph]; set each graph key in one place")
        if contrast is not None:
            if not isinstance(contrast, Mapping) or set(contrast) != {"ranker", "baseline"}:
                _fail(f"contrast must be a table with ranker and baseline; got {contrast!r}")
            for k in ("ranker", "baseline"):
                if contrast[k] not in RANKERS:
                    _fail(f"contrast.{k} must be one of {', '.join(RANKERS)}"
                          f"{did_you_mean(str(contrast[k]), RANKERS)}; got {contrast[k]!r}")
            if contrast["ranker"] == contrast["baseline"]:
                _fail(f"contrast.baseline must differ from contrast.ranker; got {contrast['baseline']!r} twice")
            if "ranker" in base:
                _fail("base.ranker and contrast are both set; the contrast names the rankers")
            contrast = (contrast["ranker"], contrast["baseline"])
        put("contrast", contrast)
        arms = contrast or (base.get("ranker", "chronological"),)
        if any(f.name.startswith("ranker.") for f in factors) and "engagement" not in arms:
            _fail(f"ranker.<weight> factors need the engagement ranker in the study; got rankers {', '.join(arms)}")
        put("graph", graph)
        put("base", base)
        put("days", days)
        put("metric", self._check_metric(metric))
        sweep = self.sweep(check=True)  # the sweep's own checks: graph, base, days, every point
        put("days", sweep.days)
        put("base", dict(sweep.base))

    @staticmethod
    def _check_metric(metric: Any) -> str:
        if not isinstance(metric, str):
            _fail(f"metric must be a metric column name such as 'follower_reach.quiet'; got {metric!r}")
        if metric.partition(".")[0] in PAIRED_METRICS:
            _fail(f"metric {metric!r} is paired with chronological already; use the metric it compares and a "
                  f"contrast instead (e.g. metric = 'reach_per_post.quiet')")
        try:
            names = SweepSpec._check_metrics([metric])
        except InvalidParameterError as exc:
            raise InvalidParameterError(str(exc).replace("metrics[0]", "metric", 1)) from None
        if len(names) != 1:
            _fail(f"metric must name one column; {metric!r} has {len(names)} ({names[0]}, ...): add the role or "
                  f"group, e.g. {names[0]!r}")
        return names[0]

    # ------------------------------------------------------------------ design
    @property
    def names(self) -> list[str]:
        """Factor names, in the design's column order."""
        return [f.name for f in self.parameters]

    @property
    def problem(self) -> dict:
        """The SALib problem: ``num_vars``, ``names``, ``bounds``, ``dists``."""
        return {"num_vars": len(self.parameters), "names": self.names,
                "bounds": [f.salib_bounds for f in self.parameters], "dists": [f.dist for f in self.parameters]}

    def _seed_int(self, word: int) -> int:
        return int(replicate_seeds(self.seed, 0, point=(STUDY_KEY, word)).run.generate_state(1)[0])

    @property
    def design_seed(self) -> int:
        """Seed of the design's scrambling (Sobol) or trajectories (Morris)."""
        return self._seed_int(0)

    @property
    def bootstrap_seed(self) -> int:
        """Seed of SALib's bootstrap and of the seed-noise interval."""
        return self._seed_int(1)

    def design(self) -> np.ndarray:
        """The sample matrix, shape ``(n_points, n_factors)`` (integer factors rounded)."""
        if self.method == "sobol":
            from SALib.sample import sobol  # noqa: PLC0415

            x = sobol.sample(self.problem, self.n, calc_second_order=False, seed=self.design_seed)
        else:
            from SALib.sample import morris  # noqa: PLC0415

            x = morris.sample(self.problem, self.n, num_levels=self.num_levels, seed=self.design_seed)
        for j, f in enumerate(self.parameters):
            if f.integer:
                x[:, j] = np.round(x[:, j])
        return x

    @property
    def n_points(self) -> int:
        """Rows of the design."""
        k = len(self.parameters)
        return self.n * (k + 2) if self.method == "sobol" else self.n * (k + 1)

    @property
    def arms(self) -> tuple:
        """The rankers run at every point: ``(ranker, baseline)`` of a contrast, else the base ranker."""
        return self.contrast or (self.base.get("ranker", "chronological"),)

    def row_points(self, x: np.ndarray) -> list[list[dict]]:
        """The sweep points of each design row, one per arm."""
        out = []
        for row in x:
            point: dict[str, Any] = {k: v for k, v in self.base.items() if k != "ranker"}
            weights = {}
            for f, v in zip(self.parameters, row):
                value = int(v) if f.integer else float(v)
                if f.name.startswith("ranker."):
                    weights[f.name[len("ranker."):]] = value
                else:
                    point[f.name] = value
            arms = []
            for arm in self.arms:
                ranker = WeightedEngagementRanker(**weights) if weights and arm == "engagement" else arm
                arms.append({**point, "ranker": ranker})
            out.append(arms)
        return out

    def sweep(self, *, check: bool = False) -> SweepSpec:
        """The sweep of the study's distinct points (a point repeated in the design is run once).

        With ``check``, only the ends of every factor's support are built (a fast
        check of the base, graph and days).
        """
        if check:
            rows = []
            for f in self.parameters:
                lo, hi = f.support
                for end in (lo, hi):
                    if math.isfinite(end):
                        rows.append([end if g is f else _middle(g) for g in self.parameters])
            x = np.array(rows)
        else:
            x = self.design()
        points = _distinct(p for arms in self.row_points(x) for p in arms)
        try:
            return SweepSpec(seed=self.seed, days=self.days, replicates=self.replicates, graph=self.graph,
                             points=points, metrics=[self.metric], daily=False, root=self.root,
                             seeds="common" if self.common_seeds else "per_point")
        except InvalidParameterError as exc:
            raise InvalidParameterError(str(exc)) from None

    # ------------------------------------------------------------------- files
    def to_dict(self) -> dict:
        """The TOML table of the study; ``SensitivitySpec.from_dict(spec.to_dict()) == spec``.

        Examples
        --------
        >>> spec = SensitivitySpec(seed=1, days=1, parameters={"like_rate": [0.02, 0.1]}, metric="gini_impressions",
        ...                        graph={"n_users": 50, "seed": 0})
        >>> SensitivitySpec.from_dict({**spec.to_dict(), "n": 8}).n_points
        24
        """
        params = {f.name: list(f.args) if f.dist == "unif" else {"dist": f.dist, **dict(zip(DISTRIBUTIONS[f.dist],
                                                                                             f.args))}
                  for f in self.parameters}
        out = {"seed": self.seed, "days": self.days, "method": self.method, "n": self.n,
               "replicates": self.replicates, "common_seeds": self.common_seeds, "graph": dict(self.graph),
               "base": dict(self.base),
               "parameters": params, "metric": self.metric, "num_levels": self.num_levels,
               "confidence": self.confidence, "resamples": self.resamples}
        if self.contrast is not None:
            out["contrast"] = {"ranker": self.contrast[0], "baseline": self.contrast[1]}
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, root=None) -> SensitivitySpec:
        """Build a study from a dict shaped like the TOML file, rejecting unknown keys."""
        if not isinstance(data, Mapping):
            _fail(f"a sensitivity spec must be a table; got {data!r}")
        for key in data:
            if key not in _TOP_KEYS:
                _fail(f"{key} is not a sensitivity spec key{did_you_mean(key, _TOP_KEYS)}; "
                      f"allowed: {', '.join(_TOP_KEYS)}")
        for key in ("seed", "days", "parameters", "metric"):
            if key not in data:
                _fail(f"{key} is required in a sensitivity spec")
        params = data["parameters"]
        if isinstance(params, Mapping):  # dotted TOML keys arrive as nested tables
            flat: dict[str, Any] = {}
            for k, v in params.items():
                if k in ("graph", "ranker") and isinstance(v, Mapping) and "dist" not in v:
                    flat.update({f"{k}.{sub}": w for sub, w in v.items()})
                else:
                    flat[k] = v
            params = flat
        return cls(**{**data, "parameters": params}, root=root)

    @classmethod
    def from_toml(cls, path) -> SensitivitySpec:
        """Read a study from a TOML file (see ``experiments/sensitivity_quiet_voice.toml``)."""
        if sys.version_info >= (3, 11):
            import tomllib  # noqa: PLC0415
        else:  # pragma: no cover - exercised on 3.10 only
            import tomli as tomllib  # noqa: PLC0415
        try:
            with open(path, "rb") as fh:
                data = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise InvalidParameterError(f"{path} is not valid TOML: {exc}") from None
        except OSError as exc:
            raise InvalidParameterError(f"{path} cannot be read: {exc.strerror}") from None
        return cls.from_dict(data, root=os.path.dirname(os.path.abspath(os.fspath(path))))


def _middle(f: Factor) -> float:
    lo, hi = f.support
    if math.isfinite(lo) and math.isfinite(hi):
        mid = (lo + hi) / 2
    elif f.dist == "norm":
        mid = f.args[0]
    else:
        mid = math.exp(f.args[0])
    return float(round(mid)) if f.integer else mid


def point_id(point: Mapping[str, Any]) -> tuple:
    """What identifies a sweep point's run: its ranker (name and version) and its canonical parameters."""
    from ..rankers.registry import ranker_name  # noqa: PLC0415
    from ..sweeps.identity import ranker_version  # noqa: PLC0415

    ranker = point.get("ranker", "chronological")
    return ranker_name(ranker), ranker_version(ranker), tuple(sorted(canonical_params(point).items()))


def _distinct(points) -> list[dict]:
    seen: dict[tuple, dict] = {}
    for p in points:
        seen.setdefault(point_id(p), p)
    return list(seen.values())

