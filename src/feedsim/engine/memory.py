"""How much memory a run will need, estimated before any work, and the check against what is free.

:func:`estimate_memory` adds up the engine's main structures from the graph, the
rates and the parameters: per-account arrays, follow edges, the live items
(posts per day times ``max_age_hours``), one tick's candidates and feed slots, the
post table (with ``keep_posts=True``, posts per day times ``days``), the
viewer-author pair table, the seen-post hash set, the impression log
(``record_impressions=True``) and the result. :func:`check_memory` compares the
estimate with a limit (by default the memory available now) and refuses in one
line naming the parameter that drives it.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InsufficientMemoryError, InvalidParameterError
from ..params import check_days

if TYPE_CHECKING:  # pragma: no cover
    from ..network.graph import FollowGraph
    from ..population.state import Population
    from .config import SimulationConfig

__all__ = ["MemoryEstimate", "available_memory", "check_memory", "estimate_memory", "format_bytes",
           "release_free_memory",
           "parse_memory_limit"]

# Bytes per unit of each structure, from the engine's dtypes, checked against measured peaks
# at 100k, 1M and 10M accounts (see estimate_memory's Notes).
_PER_ACCOUNT = 320.0  # 32 per-account arrays of 8 bytes and the rates (~290 B measured), the result's tables
_PER_EDGE = 42.0  # indices 4, seen mask 8, mask_number 4, affinity 8, since 8, impressions 4, mutual 1; room
_PER_LIVE_ITEM = 100.0  # 5 columns of the live items (~40 B), old and new arrays while a tick's posts merge
_PER_POST_ROW = 270.0  # 90-byte rows, table capacity (doubling), the result's copy and columns
_PER_NEW_POST = 110.0  # one tick's posting draws and sorts
_PER_FEED_SLOT = 110.0  # compiled feeds: output slots, impressions and engagement temporaries
_PER_CANDIDATE = 130.0  # array rankers: the candidate table, scores and top-k buffers
_PER_SEEN_KEY = 40.0  # open-addressing table at load <= 1/2, rehash copies
_PER_PAIR = 12.0  # CSR pair table (8 bytes a pair) with growth room and metric blocks
_PER_LOGGED_IMPRESSION = 90.0  # 41-byte rows, kept as chunks and concatenated into the result
_ENGINE = 64 * 2**20  # compiled kernels loaded on first use, scratch, SimPy


@dataclass(frozen=True)
class MemoryEstimate:
    """An estimated peak, in bytes, with its parts and what drives each.

    Attributes
    ----------
    total : float
        Estimated peak memory of the run beyond what the process already holds, bytes.
    parts : dict of str to float
        Bytes by structure (``accounts``, ``edges``, ``live_items``, ``post_table``,
        ``tick``, ``seen``, ``pairs``, ``impression_log``, ``engine``).
    drivers : dict of str to str
        For each part, the parameter setting that makes it large, as text
        (``"post_rate=1e+09 (node 0)"``).
    """

    total: float
    parts: dict = field(default_factory=dict)
    drivers: dict = field(default_factory=dict)

    @property
    def dominant(self) -> str:
        """Name of the largest part."""
        return max(self.parts, key=self.parts.__getitem__)

    @property
    def driver(self) -> str:
        """The setting behind the largest part."""
        return self.drivers[self.dominant]


_LIBC: Any = None


def release_free_memory() -> bool:
    """Return memory the allocator holds free to the operating system (glibc's ``malloc_trim``).

    NumPy's large arrays come from ``malloc``; once a run has freed many
    temporaries of varied sizes, glibc keeps the freed pages in its heap, and the
    resident size creeps up over a long run although the state does not (measured
    2026-12-07: 20,000 accounts, 60 days, 393 MiB resident, 336 MiB after a trim).
    The engine calls this at the close of each simulated day. Returns False where
    it is not available (not glibc); it never changes any value.

    Examples
    --------
    >>> release_free_memory() in (True, False)
    True
    """
    global _LIBC
    if _LIBC is None:
        try:
            import ctypes

            libc = ctypes.CDLL("libc.so.6")
            _LIBC = libc if hasattr(libc, "malloc_trim") else False
        except OSError:
            _LIBC = False
    if _LIBC is False:
        return False
    _LIBC.malloc_trim(0)
    return True


def format_bytes(n: float) -> str:
    """``n`` bytes in decimal units with three significant digits.

    Examples
    --------
    >>> format_bytes(2.3e12), format_bytes(22.1e9), format_bytes(512)
    ('2.3 TB', '22.1 GB', '512 B')
    """
    for unit, size in (("PB", 1e15), ("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if abs(n) >= size:
            return f"{n / size:.3g} {unit}"
    return f"{n:.0f} B"


_UNITS = {"": 1, "b": 1, "kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
          "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}


def parse_memory_limit(value: Any) -> float | str | None:
    """Validate a ``memory_limit``: ``"available"``, ``None``, bytes, or a string like ``"16 GB"``.

    Returns ``"available"``, ``None`` or a number of bytes.

    Examples
    --------
    >>> parse_memory_limit("16 GB"), parse_memory_limit("2GiB"), parse_memory_limit(None)
    (16000000000.0, 2147483648.0, None)
    """
    if value is None or value == "available":
        return value
    if isinstance(value, str):
        m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*([a-zA-Z]*)\s*", value)
        if m and m.group(2).lower() in _UNITS:
            size = float(m.group(1)) * _UNITS[m.group(2).lower()]
            if math.isfinite(size) and size > 0:  # "0 GB" is refused as written, not as 0.0
                return size
    elif (isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
          and math.isfinite(float(value)) and float(value) > 0):
        return float(value)
    raise InvalidParameterError(
        f"memory_limit must be 'available', None (no check), a number of bytes > 0 or a string such as "
        f"'16 GB' or '8 GiB'; got {value!r}"
    )


def available_memory() -> float | None:
    """Bytes of memory available to a new allocation now, or None if unknown.

    Linux: ``MemAvailable`` of ``/proc/meminfo`` (free memory plus reclaimable
    caches), lowered to the cgroup's limit minus its usage when one is set.
    Elsewhere: ``os.sysconf`` free physical pages, else None (no check).

    Examples
    --------
    >>> m = available_memory()
    >>> m is None or m > 0
    True
    """
    found = None
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    found = float(line.split()[1]) * 1024
                    break
    except OSError:
        pass
    if found is None:
        try:
            found = float(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
        except (AttributeError, ValueError, OSError):
            return None
    try:  # a container's own limit (cgroup v2)
        with open("/sys/fs/cgroup/memory.max") as f:
            limit = f.read().strip()
        if limit != "max":
            with open("/sys/fs/cgroup/memory.current") as f:
                used = float(f.read().strip())
            found = min(found, max(float(limit) - used, 0.0))
    except (OSError, ValueError):
        pass
    return found


def _node(graph: FollowGraph, i: int) -> str:
    return f"node {graph.node_ids[i]!r}"


def _num(x: float) -> str:
    """A parameter value as a user would type it: ``1e9``, ``2.5``, ``48``."""
    text = f"{x:.3g}"
    return text.replace("e+0", "e").replace("e+", "e").replace("e-0", "e-")


def _days(d: float) -> str:
    return f"{_num(d)} day" + ("" if d == 1 else "s")


def _who(graph: FollowGraph, values: np.ndarray, name: str, unit: str) -> str:
    """``name=value (node id)`` for the account that dominates ``values``, else their mean."""
    n = len(values)
    total = float(values.sum())
    if n == 0 or total <= 0:
        return f"{name} (0 {unit})"
    i = int(np.argmax(values))
    rest = (total - values[i]) / max(n - 1, 1)
    if values[i] >= 0.5 * total or values[i] > 100 * rest:
        return f"{name}={_num(values[i])} ({_node(graph, i)})"
    return f"{name} (mean {_num(total / n)} {unit} over {n:,} accounts)"


def estimate_memory(graph: FollowGraph, population: Population, config: SimulationConfig, *,
                    days: float = 1.0, array_ranker: bool = False, threads: int = 1) -> MemoryEstimate:
    """Estimate a run's peak memory from the graph, the rates and the parameters.

    Parameters
    ----------
    graph : FollowGraph
        The starting follow graph.
    population : Population
        Per-account rates: ``post_rate`` (posts/day), ``session_rate``
        (sessions/day), ``attention`` (items/session).
    config : SimulationConfig
        ``tick_hours``, ``max_age_hours``, ``keep_posts``, ``record_impressions``,
        ``out_of_network_share``, ``trending_pool_size``, ``max_rate_multiplier``.
    days : float, default 1
        Length of the run, days (the post table and the impression log grow with it).
    array_ranker : bool, default False
        True for a ranker without a compiled form (a user function): its candidates
        are materialised every tick.
    threads : int, default 1
        Numba threads (each feed block holds its own scratch).

    Returns
    -------
    MemoryEstimate

    Notes
    -----
    With rate ``r_i`` (posts/day), ``s_i`` (sessions/day), attention ``a_i``, tick
    ``h`` and window ``W = max_age_hours`` (hours), the expected live items are
    ``L = sum(r) W / 24``, viewer ``u``'s candidates ``c_u = sum(r_v for v followed) W / 24``,
    sessions per tick ``q_u = s_u h / 24``, feed slots per tick
    ``F = sum(q_u a_u)``, candidates per tick ``C = sum(q_u c_u)``, impressions
    per day ``I = sum(s_u min(a_u, c_u))``. The estimate is a weighted sum of
    those (bytes per unit in the module's constants), plus the post table
    (``sum(r) * days`` rows with ``keep_posts=True``), the impression log
    (``I * days`` rows with ``record_impressions=True``) and the pair table.
    Rates are taken at their starting values: feedback loops can raise posting up
    to ``max_rate_multiplier`` times, which the estimate does not assume.

    The per-structure byte counts come from the engine's dtypes. Checked against
    the growth of resident memory from before the simulation is built to the run's
    peak (``benchmarks/scale.py``, default community, 20 follows, engagement,
    every loop on, 2026-12-07): 0.41 GiB estimated against 0.26 GiB at 100,000
    accounts x 7 days (1.55x), 3.55 against 2.74 GiB at 1M x 7 days (1.30x), and
    about 17.2 against 10.9 GiB at 10M x 1 day (1.6x). Over long runs under
    engagement ranking the seen set and the pair table grow with the world's
    activity, which the estimate (rates at their starting values) does not
    model. It is a guard against runs that cannot fit, not a forecast.

    Examples
    --------
    >>> import feedsim
    >>> from feedsim.network.graph import FollowGraph
    >>> from feedsim.population.state import Population
    >>> from feedsim.engine.config import SimulationConfig
    >>> G = FollowGraph.from_networkx(feedsim.networks.default_community(1000, seed=0))
    >>> pop = Population.from_graph(G, np.random.default_rng(0))
    >>> est = estimate_memory(G, pop, SimulationConfig(), days=7)
    >>> 1e6 < est.total < 1e9, est.dominant in est.parts
    (True, True)
    """
    days = check_days(days)
    n = graph.n_users
    E = graph.n_edges
    h = config.tick_hours
    W = config.max_age_hours
    r = np.asarray(population.post_rate, dtype=np.float64)
    s = np.asarray(population.session_rate, dtype=np.float64)
    att = np.asarray(population.attention, dtype=np.float64)
    R = float(r.sum())
    window_days = min(W, max(days, h / 24.0) * 24.0 + h) / 24.0  # posts older than the run do not exist
    live = R * window_days
    indeg = np.diff(graph.indptr) > 0
    c = np.zeros(n)
    if E:
        c[indeg] = np.add.reduceat(r[graph.indices], graph.indptr[:-1][indeg]) * window_days
    if config.out_of_network_share > 0:
        c += min(config.trending_pool_size, live)
    q = s * (h / 24.0)
    feed_slots = float(np.dot(q, att))
    candidates = float(np.dot(q, c))
    shown_per_day = float(np.dot(s, np.minimum(att, c)))
    run_days = max(float(days), h / 24.0)
    impressions = shown_per_day * run_days

    parts: dict[str, float] = {}
    drivers: dict[str, str] = {}
    rate_text = _who(graph, r, "post_rate", "posts/day")
    graph_text = f"the graph ({n:,} accounts, {E:,} follow edges)"

    parts["accounts"] = n * _PER_ACCOUNT
    drivers["accounts"] = graph_text
    parts["edges"] = E * _PER_EDGE
    drivers["edges"] = graph_text
    reshare = 1.0 + 3.0 * config.reshare_rate  # live reshares ride on the originals
    parts["live_items"] = live * reshare * _PER_LIVE_ITEM + R * (h / 24.0) * _PER_NEW_POST
    drivers["live_items"] = f"{rate_text} with max_age_hours={_num(W)}"
    if config.keep_posts:
        rows = R * run_days
        drivers["post_table"] = f"{rate_text} with keep_posts=True over {_days(run_days)}"
    else:
        rows = 2.0 * max(live, 1 << 16)
        drivers["post_table"] = f"{rate_text} with max_age_hours={_num(W)}"
    parts["post_table"] = min(rows, R * run_days + 1024) * _PER_POST_ROW
    # whichever of attention and session_rate is further above its typical value drives the slots
    att_text = _who(graph, att * (s > 0), "attention", "items/session")
    ses_text = _who(graph, s * (att > 0), "session_rate", "sessions/day")
    att_rel = float(att.max() / max(np.median(att), 1.0)) if n else 0.0
    ses_rel = float(s.max() / max(np.median(s), 1e-9)) if n else 0.0
    feed_text = f"{att_text} with {ses_text}" if att_rel >= ses_rel else f"{ses_text} with {att_text}"
    tick = feed_slots * _PER_FEED_SLOT
    scratch = float(c.max()) * 80.0 * max(int(threads), 1) if n else 0.0
    if array_ranker:
        tick += candidates * _PER_CANDIDATE
    else:
        tick += scratch
    parts["tick"] = tick
    cand_text = f"{ses_text} with {rate_text} and max_age_hours={_num(W)} (candidates per tick)"
    drivers["tick"] = feed_text if feed_slots * _PER_FEED_SLOT >= tick - feed_slots * _PER_FEED_SLOT else cand_text
    # the seen set holds shown posts the edge masks do not track: reshares, out of
    # network, and the posts of authors with more than 64 live posts
    per_author_live = r * window_days
    beyond = float(np.dot(r, np.clip(1.0 - 64.0 / np.maximum(per_author_live, 1e-300), 0, 1))) / R if R > 0 else 0
    untracked = min(1.0, config.out_of_network_share + 0.05 + beyond)
    parts["seen"] = shown_per_day * window_days * untracked * _PER_SEEN_KEY if config.exclude_seen else 0.0
    drivers["seen"] = f"{rate_text} with max_age_hours={_num(W)}"
    # pairs on a follow edge are counted on the edge (in _PER_EDGE); the table holds the others
    # (reshares of authors not followed, out of network, unfollowed authors) for the whole run
    pairs = min(impressions * (config.out_of_network_share + 0.05), float(n) * n)
    parts["pairs"] = pairs * _PER_PAIR
    drivers["pairs"] = f"{graph_text} over {_days(run_days)}"
    if config.record_impressions:
        parts["impression_log"] = impressions * _PER_LOGGED_IMPRESSION
        drivers["impression_log"] = f"record_impressions=True over {_days(run_days)} ({feed_text})"
    parts["engine"] = float(_ENGINE)
    drivers["engine"] = "the compiled engine"
    return MemoryEstimate(total=float(sum(parts.values())), parts=parts, drivers=drivers)


def check_memory(estimate: MemoryEstimate, memory_limit: Any = "available") -> None:
    """Refuse a run whose estimated peak exceeds ``memory_limit``.

    Parameters
    ----------
    estimate : MemoryEstimate
        From :func:`estimate_memory`.
    memory_limit : "available", None, float or str, default "available"
        ``"available"``: the memory available now (:func:`available_memory`; no
        check where it cannot be read); a number of bytes or a string such as
        ``"16 GB"``; ``None``: no check.

    Raises
    ------
    InsufficientMemoryError
        One line: the parameter that drives the estimate, the estimate, the limit
        and how to override, e.g. ``post_rate=1e+09 (node 0) with
        max_age_hours=48 gives an estimated 2.3 TB peak; 22.1 GB available; pass
        memory_limit=None to override``.

    Examples
    --------
    >>> est = MemoryEstimate(total=3e12, parts={"live_items": 3e12}, drivers={"live_items": "post_rate=1e9"})
    >>> check_memory(est, "1 TB")
    Traceback (most recent call last):
    ...
    feedsim.errors.InsufficientMemoryError: post_rate=1e9 gives an estimated 3 TB peak; the memory_limit is 1 TB; pass memory_limit=None to override
    >>> check_memory(est, None)
    """  # noqa: E501 (a doctest shows the whole error message)
    limit = parse_memory_limit(memory_limit)
    if limit is None:
        return
    if limit == "available":
        avail = available_memory()
        if avail is None:
            return
        where = f"{format_bytes(avail)} available"
    else:
        avail = float(limit)
        where = f"the memory_limit is {format_bytes(avail)}"
    if estimate.total > avail:
        raise InsufficientMemoryError(
            f"{estimate.driver} gives an estimated {format_bytes(estimate.total)} peak; {where}; "
            f"pass memory_limit=None to override"
        )
