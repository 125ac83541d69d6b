"""The graph of a sweep: the default community's generator parameters, or a graph file.

``[graph]`` holds either generator parameters (``n_users``, ``seed``,
``mean_follows``, ``n_communities``, ``community_mixing``, ``reciprocity``,
``attractiveness_exponent``: see :func:`feedsim.networks.default_community`) or
``file`` with its loader options (``format``, ``comments``, ``delimiter``,
``source``, ``target``) and ``assign_roles`` (true: roles with the default
community's joint distribution of role and follower count,
:func:`feedsim.networks.assign_roles`). A relative ``file`` is
relative to the folder of the spec file (the working directory for a spec built
in Python). Any key can be swept as ``graph.<key>`` in ``[grid]``.

A file graph is identified by the SHA-256 of its content (not its path): a
changed file is a different point and makes new runs.
"""

from __future__ import annotations

import functools
import json
import os
import warnings
from collections.abc import Callable, Mapping
from typing import Any

from .._files import sha256_file
from .._suggest import did_you_mean
from .._validate import check_bool, check_int, check_number
from ..errors import InvalidParameterError, SweepSpecError
from ..random import replicate_seeds

__all__ = ["GENERATOR_KEYS", "FILE_KEYS", "check_graph", "graph_identity", "load_graph", "file_sha256"]

#: Generator parameters of :func:`feedsim.networks.default_community` a sweep may set.
GENERATOR_KEYS = ("n_users", "seed", "mean_follows", "n_communities", "community_mixing", "reciprocity",
                  "attractiveness_exponent")
#: Keys of a file graph.
FILE_KEYS = ("file", "format", "comments", "delimiter", "source", "target", "assign_roles")
FORMATS = ("edgelist", "csv", "graphml")
_GEN_DEFAULTS = {"community_mixing": 0.15, "reciprocity": 0.3, "attractiveness_exponent": 1.5}


def _fail(msg: str):
    raise SweepSpecError(msg)


def is_file_graph(keys) -> bool:
    """Whether a graph table (or the keys of one, with swept ``graph.*`` keys) names a file."""
    return "file" in keys


def _format_of(path: str) -> str:
    ext = os.path.splitext(path)[1].lower()
    return {".graphml": "graphml", ".csv": "csv"}.get(ext, "edgelist")


def check_graph(graph: Any, path: str = "graph", *, file_kind: bool | None = None) -> dict:
    """Validate a graph table and return it normalised (defaults filled).

    ``path`` names the table in messages (``graph``, or ``grid point 3``). A
    generated graph that would not fit in the memory available now is refused
    (:class:`~feedsim.errors.InsufficientMemoryError`) before anything is built.
    """
    if not isinstance(graph, Mapping):
        _fail(f"{path} must be a table of generator parameters or file = \"...\"; got {graph!r}")
    kind_file = is_file_graph(graph) if file_kind is None else file_kind
    allowed = FILE_KEYS if kind_file else GENERATOR_KEYS
    for key in graph:
        if key not in allowed:
            other = GENERATOR_KEYS if kind_file else FILE_KEYS
            why = (f" ({key} is a {'generator' if kind_file else 'file'} key; a graph is either a file or "
                   f"generator parameters)" if key in other else did_you_mean(key, allowed))
            _fail(f"{path}.{key} is not allowed{why}; allowed: {', '.join(allowed)}")
    if kind_file:
        return _check_file(graph, path)
    return _check_generator(graph, path)


def _check_generator(graph: Mapping, path: str) -> dict:
    n = check_int(f"{path}.n_users", graph.get("n_users", 1000), low=2)
    out: dict[str, Any] = {"n_users": n, "seed": check_int(f"{path}.seed", graph.get("seed", 0), low=0)}
    follows = graph.get("mean_follows", min(40.0, (n - 1) / 2))
    out["mean_follows"] = check_number(f"{path}.mean_follows", follows, low=0, low_inclusive=False, high=n,
                                       high_inclusive=False)
    if graph.get("n_communities") is not None:
        out["n_communities"] = check_int(f"{path}.n_communities", graph["n_communities"], low=1, high=n)
    for key, default in _GEN_DEFAULTS.items():
        value = graph.get(key, default)
        if key == "attractiveness_exponent":
            out[key] = check_number(f"{path}.{key}", value, low=0, low_inclusive=False)
        else:
            out[key] = check_number(f"{path}.{key}", value, low=0, high=1)
    from ..engine.memory import check_memory, estimate_graph_memory  # noqa: PLC0415

    check_memory(estimate_graph_memory(n, out["mean_follows"]))  # before any graph is generated
    return out


def _check_file(graph: Mapping, path: str) -> dict:
    file = graph["file"]
    if not isinstance(file, (str, os.PathLike)) or not os.fspath(file):
        _fail(f"{path}.file must be a path to a graph file; got {file!r}")
    file = os.fspath(file)
    fmt = graph.get("format", _format_of(file))
    if fmt not in FORMATS:
        _fail(f"{path}.format must be one of {', '.join(FORMATS)}{did_you_mean(fmt, FORMATS)}; got {fmt!r}")
    out: dict[str, Any] = {"file": file, "format": fmt}
    options = {"edgelist": ("comments", "delimiter"), "csv": ("source", "target", "delimiter"), "graphml": ()}[fmt]
    for key in ("comments", "delimiter", "source", "target"):
        if key in graph:
            if key not in options:
                _fail(f"{path}.{key} is not an option of the {fmt} loader; its options: "
                      f"{', '.join(options) or 'none'}")
            value = graph[key]
            if not isinstance(value, str) or not value:
                _fail(f"{path}.{key} must be a non-empty string; got {value!r}")
            out[key] = value
    out["assign_roles"] = check_bool(f"{path}.assign_roles", graph.get("assign_roles", False))
    return out


def resolve(graph: dict, root: str | None) -> dict:
    """The graph with a file path made absolute (relative to ``root``, the spec's folder)."""
    if "file" not in graph:
        return dict(graph)
    file = graph["file"]
    if not os.path.isabs(file):
        file = os.path.join(root or os.getcwd(), file)
    return {**graph, "file": os.path.normpath(file)}


@functools.lru_cache(maxsize=64)
def _sha256(path: str, mtime_ns: int, size: int) -> str:
    return sha256_file(path)


def file_sha256(path: str) -> str:
    """SHA-256 (hex) of a file's content, cached by path, modification time and size."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        _fail(f"graph.file must name an existing file; got {path!r} (no such file)")
    return _sha256(path, st.st_mtime_ns, st.st_size)


def graph_identity(graph: dict) -> dict:
    """What identifies a resolved graph in the store: generator parameters, or the file's content hash."""
    if "file" not in graph:
        return dict(graph)
    out = {k: v for k, v in graph.items() if k != "file"}
    out["sha256"] = file_sha256(graph["file"])
    return out


def graph_seed(graph: dict, replicate: int | None):
    """The generator seed: ``graph.seed``, or with a new graph per replicate
    ``replicate_seeds(graph.seed, replicate).graph`` (:func:`feedsim.random.replicate_seeds`,
    the community ``feedsim.compare(n_users, seed=graph.seed)`` draws for that replicate)."""
    if replicate is None:
        return graph["seed"]
    return replicate_seeds(graph["seed"], int(replicate)).graph


def load_graph(graph: dict, replicate: int | None = None, *, warn: bool = True):
    """Build or read the graph of a run as a FollowGraph (cached per process).

    ``replicate`` is given only with ``graph_replicates``. With ``warn=False``
    the warnings about roles and node attributes are not shown again (the process
    that starts a sweep shows them once).
    """
    key = json.dumps(graph, sort_keys=True)
    if warn:
        return _load(key, replicate)
    with warnings.catch_warnings():
        from ..network.graph import GraphAttributeWarning  # noqa: PLC0415

        warnings.simplefilter("ignore", GraphAttributeWarning)
        return _load(key, replicate)


@functools.lru_cache(maxsize=4)
def _load(key: str, replicate: int | None):
    from ..network.graph import FollowGraph  # noqa: PLC0415
    from ..networks import assign_roles, default_community, read_csv, read_edgelist, read_graphml  # noqa: PLC0415

    graph = json.loads(key)
    if "file" not in graph:
        kwargs = {k: v for k, v in graph.items() if k not in ("n_users", "seed")}
        return default_community(graph["n_users"], seed=graph_seed(graph, replicate), as_arrays=True, **kwargs)
    path, fmt = graph["file"], graph["format"]
    opts = {k: graph[k] for k in ("comments", "delimiter", "source", "target") if k in graph}
    try:
        readers: dict[str, Callable[..., Any]] = {"edgelist": read_edgelist, "csv": read_csv, "graphml": read_graphml}
        G = readers[fmt](path, **opts)
    except FileNotFoundError:
        _fail(f"graph.file must name an existing file; got {path!r} (no such file)")
    except InvalidParameterError as exc:
        _fail(f"graph.file {path!r} could not be read: {exc}")
    if graph.get("assign_roles"):
        assign_roles(G)
    return FollowGraph.from_networkx(G)
