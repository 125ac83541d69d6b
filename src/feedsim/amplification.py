"""Algorithmic amplification with uncertainty, and the viewer-split experiment.

Amplification follows Huszár et al., *Algorithmic amplification of politics on
Twitter*, PNAS 119 (2022): the reach of a group's posts under the ranked feed
over their reach under the chronological control, minus one (0 = none).

Two designs:

- **Paired replicates** (:func:`paired_amplification`, used by
  ``feedsim.compare(..., replicates=R)``): the whole population runs once per
  arm and replicate; replicate ``r`` uses the same seed in every arm (common
  random numbers), so each replicate gives one paired log ratio, and the
  interval is a t-interval over replicates.
- **Viewer split** (:class:`ViewerSplit`, :func:`split_amplification`): one
  population, a random share of viewers gets the treatment ranker and the
  rest the control, as in the field experiment; reach is normalised by the
  size of each audience.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from ._validate import check_number
from .errors import InvalidParameterError
from .network.graph import ROLES
from .random import as_seed_sequence
from .rankers.candidates import Candidates
from .rankers.registry import get_ranker, ranker_name

if TYPE_CHECKING:  # pragma: no cover
    from .engine.result import SimulationResult

__all__ = [
    "FOLLOWER_GROUPS",
    "ViewerSplit",
    "follower_group",
    "group_reach",
    "paired_amplification",
    "split_amplification",
]

#: Author groups by follower count at the start of the run: (label, lower, upper).
#: The edges bracket Pew's medians (19 followers for most adults, 387 for the
#: most active tenth; Pew Research Center 2019).
FOLLOWER_GROUPS: tuple = (
    ("0-19", 0, 20),
    ("20-99", 20, 100),
    ("100-999", 100, 1000),
    ("1000+", 1000, math.inf),
)


def follower_group(followers: NDArray) -> NDArray[np.int64]:
    """Index into :data:`FOLLOWER_GROUPS` for each follower count.

    Examples
    --------
    >>> follower_group(np.array([0, 19, 20, 387, 5000])).tolist()
    [0, 0, 1, 2, 3]
    """
    edges = np.array([g[1] for g in FOLLOWER_GROUPS[1:]], dtype=np.float64)
    return np.searchsorted(edges, np.asarray(followers, dtype=np.float64), side="right").astype(np.int64)


def group_reach(result: SimulationResult) -> dict[str, dict[str, tuple[float, float]]]:
    """Impressions and posts per author group: ``{"role": {...}, "followers": {...}}``.

    Each entry is ``(impressions of the group's posts, number of its posts)``;
    reach per post is their ratio (a feed never repeats a post to a viewer, so
    impressions are unique viewers per post).
    """
    A = result.authors  # an account's impressions are those of its posts
    k = len(ROLES)
    imp = np.bincount(A.role, weights=A.impressions, minlength=k)
    posts = np.bincount(A.role, weights=A.posts, minlength=k)
    out = {"role": {ROLES[r]: (float(imp[r]), float(posts[r])) for r in range(k)}}
    g = follower_group(A.followers_start)
    m = len(FOLLOWER_GROUPS)
    gimp = np.bincount(g, weights=A.impressions, minlength=m)
    gposts = np.bincount(g, weights=A.posts, minlength=m)
    out["followers"] = {FOLLOWER_GROUPS[i][0]: (float(gimp[i]), float(gposts[i])) for i in range(m)}
    return out


def paired_amplification(treated: Sequence[float], control: Sequence[float],
                         confidence: float = 0.95) -> dict[str, Any]:
    """Amplification and its confidence interval from paired replicates.

    Parameters
    ----------
    treated, control : sequence of float, length R
        Reach per post of one group under the treatment and the control arm, one
        pair per replicate (the same seed in both arms).
    confidence : float, default 0.95
        Coverage of the interval.

    Returns
    -------
    dict
        ``estimate`` (``exp(mean d) - 1``), ``ci_low``, ``ci_high``,
        ``se_log`` (standard error of the mean log ratio), ``n`` (replicates
        used), ``n_zero`` (replicates where the treated reach was 0) and
        ``per_replicate`` (``treated / control - 1``; None where undefined).

    Notes
    -----
    With ``d_r = ln(treated_r / control_r)`` over the ``n`` replicates where
    both are positive, ``dbar`` their mean and ``s`` their standard deviation,
    the interval is ``exp(dbar +- t_{(1+c)/2, n-1} s / sqrt(n)) - 1``: a paired
    t-interval on log ratios (ratios are multiplicative, so the log makes the
    replicate differences closer to normal and the interval respects
    amplification > -1). With ``n < 2`` the interval is None. A replicate where
    the group had no reach at all under the treatment (a ratio of 0) has no log:
    it is not dropped (that would bias the estimate upwards); instead the
    estimate becomes the ratio of mean reaches minus one and the interval is
    None, with ``n_zero`` saying why.

    Examples
    --------
    >>> out = paired_amplification([1.2, 1.1, 1.3], [1.0, 1.0, 1.0])
    >>> round(out["estimate"], 3), out["ci_low"] < out["estimate"] < out["ci_high"]
    (0.197, True)
    """
    t = np.asarray(treated, dtype=np.float64)
    c = np.asarray(control, dtype=np.float64)
    if t.shape != c.shape or t.ndim != 1:
        raise InvalidParameterError(
            f"treated and control must be sequences of equal length; got shapes {t.shape} and {c.shape}"
        )
    check_number("confidence", confidence, low=0, high=1, low_inclusive=False, high_inclusive=False)
    ok = np.isfinite(t) & np.isfinite(c) & (t >= 0) & (c > 0)
    per = [float(a / b - 1.0) if (np.isfinite(a) and np.isfinite(b) and b > 0) else None for a, b in zip(t, c)]
    n = int(ok.sum())
    n_zero = int((ok & (t == 0)).sum())
    out: dict[str, Any] = {"estimate": None, "ci_low": None, "ci_high": None, "se_log": None,
                           "n": n, "n_zero": n_zero, "per_replicate": per}
    if n == 0:
        return out
    if n_zero:
        out["estimate"] = float(t[ok].mean() / c[ok].mean() - 1.0)
        return out
    d = np.log(t[ok] / c[ok])
    mean = float(d.mean())
    out["estimate"] = math.expm1(mean)
    if n >= 2:
        se = float(d.std(ddof=1)) / math.sqrt(n)
        q = float(stats.t.ppf(0.5 + confidence / 2.0, n - 1))
        out["se_log"] = se
        out["ci_low"] = math.expm1(mean - q * se)
        out["ci_high"] = math.expm1(mean + q * se)
    return out


# ------------------------------------------------------------ viewer split
_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)


def _splitmix64(x: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """SplitMix64 finaliser: a fixed, well-mixed hash of 64-bit integers."""
    with np.errstate(over="ignore"):
        z = x + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


class ViewerSplit:
    """A ranker that gives a random share of viewers one ranker and the rest another.

    Each account is assigned once, by a hash of its index and ``seed`` (the same
    account is in the same arm every tick, whatever else the run draws).
    Treated viewers' candidates are scored by ``treatment``, the others' by
    ``control``; the engine's per-viewer top-k never mixes viewers, so the two
    score scales never compete.

    Parameters
    ----------
    treatment, control : str or callable
        Rankers (names or callables). Default control: ``chronological``.
    share : float, default 0.5
        Expected share of accounts in the treatment arm, in [0, 1].
    seed : int or SeedSequence, default 0
        Seeds the assignment.

    Notes
    -----
    Both rankers score every candidate of the tick (about twice the cost of
    one ranker). Interference is part of the model, as on the platform: what
    treated viewers engage with (reshares, engagement counts) reaches control
    viewers too. Huszár et al. (2022) ran this design on Twitter with a control
    group of about 1 % of accounts kept on the reverse-chronological timeline.

    Examples
    --------
    >>> split = ViewerSplit("engagement", share=0.5, seed=1)
    >>> split.treated(np.arange(8)).tolist()
    [True, True, True, True, True, False, False, True]
    """

    def __init__(self, treatment: str | Callable, control: str | Callable = "chronological", *,
                 share: float = 0.5, seed: Any = 0) -> None:
        self.treatment = get_ranker(treatment)
        self.control = get_ranker(control)
        self.share = check_number("share", share, low=0, high=1)
        ss = as_seed_sequence(seed)
        self._key = np.uint64(ss.generate_state(1, dtype=np.uint64)[0])
        self.name = f"split({ranker_name(treatment)}|{ranker_name(control)},{self.share:g})"

    def treated(self, accounts: NDArray) -> NDArray[np.bool_]:
        """Whether each account (index) is in the treatment arm."""
        a = np.asarray(accounts).astype(np.uint64)
        u = (_splitmix64(a ^ self._key) >> np.uint64(11)).astype(np.float64) * 2.0**-53
        return u < self.share

    def __call__(self, c: Candidates, rng: np.random.Generator) -> NDArray[np.float64]:
        if len(c) == 0:
            return np.zeros(0)
        on = self.treated(c.viewers)[c.segment]
        t = np.asarray(self.treatment(c, rng), dtype=np.float64)
        k = np.asarray(self.control(c, rng), dtype=np.float64)
        if t.shape != (len(c),) or k.shape != (len(c),):
            # let the engine's output check name the problem
            return t if t.shape != (len(c),) else k
        return np.where(on, t, k)

    def __repr__(self) -> str:
        return f"ViewerSplit({self.name})"


def split_amplification(result: SimulationResult, split: ViewerSplit) -> dict[str, dict[str, dict]]:
    """Treated versus control reach per author group in a viewer-split run.

    For a group ``T`` of authors and the treated audience ``U_t`` (accounts in
    the treatment arm) and control audience ``U_c``, reach is the number of
    viewers in the audience shown at least one post of ``T``, and

    ``amplification = (reach_t / |U_t|) / (reach_c / |U_c|) - 1``

    (Huszár et al. 2022, amplification ratio, minus one). Also returned:
    impressions per audience member, and the same ratio for them.

    Parameters
    ----------
    result : SimulationResult
        A run whose ranker is ``split``.
    split : ViewerSplit
        The assignment used in the run.

    Returns
    -------
    dict
        ``{"role": {role: stats}, "followers": {group: stats}}`` with stats
        ``treated_reach``, ``control_reach`` (per audience member),
        ``treated_impressions``, ``control_impressions`` (per audience member),
        ``amplification`` and ``impression_amplification`` (None where the
        control value is 0), plus ``n_treated`` and ``n_control`` at the top.
    """
    if not isinstance(split, ViewerSplit):
        raise InvalidParameterError(f"split must be a ViewerSplit; got {type(split).__name__}")
    viewer, author, counts = result._pairs
    n = len(result.authors)
    on_account = split.treated(np.arange(n))
    n_t = int(on_account.sum())
    n_c = n - n_t
    on = on_account[viewer]
    groups = {
        "role": (np.asarray(result.authors.role, dtype=np.int64), list(ROLES)),
        "followers": (follower_group(result.authors.followers_start), [g[0] for g in FOLLOWER_GROUPS]),
    }
    out: dict[str, Any] = {"n_treated": n_t, "n_control": n_c}
    for key, (code, labels) in groups.items():
        m = len(labels)
        g = code[author]
        # unique (viewer, group) pairs: reach of the group in the viewer's audience
        pair = np.unique(viewer * m + g)
        pv, pg = pair // m, pair % m
        pon = on_account[pv]
        reach_t = np.bincount(pg[pon], minlength=m) / max(n_t, 1)
        reach_c = np.bincount(pg[~pon], minlength=m) / max(n_c, 1)
        imp_t = np.bincount(g[on], weights=counts[on], minlength=m) / max(n_t, 1)
        imp_c = np.bincount(g[~on], weights=counts[~on], minlength=m) / max(n_c, 1)
        table = {}
        for i, label in enumerate(labels):
            table[label] = {
                "treated_reach": float(reach_t[i]),
                "control_reach": float(reach_c[i]),
                "treated_impressions": float(imp_t[i]),
                "control_impressions": float(imp_c[i]),
                "amplification": (float(reach_t[i] / reach_c[i] - 1.0)
                                  if reach_c[i] > 0 and n_t > 0 else None),
                "impression_amplification": (float(imp_t[i] / imp_c[i] - 1.0)
                                             if imp_c[i] > 0 and n_t > 0 else None),
            }
        out[key] = table
    return out
