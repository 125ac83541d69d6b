"""``check_ranker``: a conformance check users run on their own rankers.

In the spirit of scikit-learn's ``check_estimator``: build synthetic candidate
arrays, call the ranker the way the engine does, and check the properties the
engine relies on. The first property that fails raises an error naming it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from ..errors import InvalidParameterError, RankerOutputError
from ..random import as_seed_sequence
from .candidates import CANDIDATE_FIELDS, Candidates
from .registry import get_ranker, ranker_name

__all__ = ["CheckReport", "PROPERTIES", "check_ranker", "synthetic_candidates", "cold_start_candidates"]

#: Properties checked, in order.
PROPERTIES = (
    "callable",
    "shape",
    "dtype",
    "finite",
    "read-only inputs",
    "determinism",
    "permutation equivariance",
    "cold start",
    "empty input",
)

#: Candidates per viewer in the synthetic tick: an empty feed, a single
#: candidate, small ones and two longer than the 15 slots some presets look at.
_SEGMENT_SIZES = (0, 1, 3, 7, 20, 41)


@dataclass(frozen=True)
class CheckReport:
    """What :func:`check_ranker` found (returned only when every check passed).

    Attributes
    ----------
    ranker : str
        The ranker's name.
    passed : tuple of str
        Properties that held.
    skipped : dict of str to str
        Properties not checked, with the reason.
    n_candidates : int
        Size of the synthetic tick used.
    """

    ranker: str
    passed: tuple
    skipped: dict = field(default_factory=dict)
    n_candidates: int = 0

    @property
    def deterministic(self) -> bool:
        """Whether the scores did not depend on the Generator's state."""
        return "permutation equivariance" in self.passed

    def __str__(self) -> str:
        lines = [f"ranker {self.ranker!r}: {len(self.passed)} checks passed on {self.n_candidates} candidates"]
        lines += [f"  ok       {p}" for p in self.passed]
        lines += [f"  skipped  {p}: {why}" for p, why in self.skipped.items()]
        return "\n".join(lines)


def synthetic_candidates(seed=0, sizes: tuple = _SEGMENT_SIZES, now: float = 72.0) -> Candidates:
    """A tick of synthetic candidates carrying every field of :data:`CANDIDATE_FIELDS`.

    Parameters
    ----------
    seed : int, SeedSequence or Generator
        Source of the values.
    sizes : tuple of int
        Number of candidates of each viewer.
    now : float
        Time of the sessions, hours.

    Examples
    --------
    >>> c = synthetic_candidates(0, sizes=(2, 3))
    >>> len(c), c.n_viewers, c.author.flags.writeable
    (5, 2, False)
    """
    rng = np.random.default_rng(as_seed_sequence(seed))
    return Candidates(now, *_layout(sizes), **_fields(rng, int(sum(sizes))))


#: The count fields a run starts with at zero.
COLD_START_ZERO = ("likes", "reshares", "replies", "impressions", "author_posts", "author_impressions",
                   "typical_impressions_per_post")


def cold_start_candidates(seed=0, sizes: tuple = _SEGMENT_SIZES, now: float = 0.5) -> Candidates:
    """Synthetic candidates of a run's first hour: every count zero.

    Examples
    --------
    >>> c = cold_start_candidates(0, sizes=(2, 3))
    >>> int(c.likes.sum() + c.impressions.sum() + c.engagements.sum())
    0
    """
    rng = np.random.default_rng(as_seed_sequence(seed))
    fields = _fields(rng, int(sum(sizes)))
    for key in COLD_START_ZERO:
        fields[key] = np.zeros_like(fields[key])
    return Candidates(now, *_layout(sizes), **fields)


def _layout(sizes) -> tuple[NDArray, NDArray]:
    ptr = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(sizes, out=ptr[1:])
    viewers = np.arange(1000, 1000 + len(sizes), dtype=np.int64)
    return ptr, viewers


def _fields(rng: np.random.Generator, n: int) -> dict[str, NDArray]:
    n_authors = 12
    author = rng.integers(0, n_authors, n).astype(np.int64)
    followers = np.array([3, 40, 400, 999, 1000, 1001, 5000, 20, 0, 75, 150, 12000], dtype=np.int64)
    posts = rng.integers(1, 50, n_authors)
    age = rng.uniform(0.0, 60.0, n)
    is_reshare = rng.random(n) < 0.2
    in_network = rng.random(n) < 0.85
    via = np.where(is_reshare, rng.integers(n_authors, 2 * n_authors, n), author).astype(np.int64)
    impressions = rng.integers(0, 2500, n).astype(np.int64)
    return {
        "post": rng.permutation(10 * n + 1)[:n].astype(np.int64),
        "author": author,
        "via": via,
        "age_hours": age,
        "item_age_hours": age * np.where(is_reshare, rng.random(n), 1.0),
        "appeal": np.exp(0.5 * rng.standard_normal(n) - 0.125),
        "affinity": np.where(rng.random(n) < 0.5, rng.uniform(0.0, 3.0, n), 0.0),
        "likes": rng.poisson(3.0, n).astype(np.int64),
        "reshares": rng.poisson(0.7, n).astype(np.int64),
        "replies": rng.poisson(0.4, n).astype(np.int64),
        "impressions": impressions,
        "author_followers": followers[author],
        "author_posts": posts[author].astype(np.int64),
        "author_impressions": (posts[author] * rng.integers(1, 400, n_authors)[author]).astype(np.int64),
        "typical_impressions_per_post": np.full(n, 120.0),
        "in_network": in_network & ~(is_reshare & ~in_network),
        "is_reshare": is_reshare & in_network,
        "sponsored": rng.random(n) < 0.05,
        "off_platform": rng.random(n) < 0.1,
        "noise": rng.random(n),
    }


def _fail(prop: str, name: str, detail: str, exc: type = RankerOutputError) -> Exception:
    return exc(f"check_ranker: ranker {name!r} failed {prop!r}: {detail}")


def _call(fn, c: Candidates, rng, name: str, prop: str):
    try:
        return fn(c, rng)
    except ValueError as err:  # writing to a read-only array raises ValueError
        if "read-only" in str(err):
            raise _fail("read-only inputs", name, f"it tried to write to a candidate array ({err})") from err
        raise _fail(prop, name, f"calling it raised {type(err).__name__}: {err}") from err
    except (TypeError, AttributeError, IndexError, KeyError, ArithmeticError) as err:
        raise _fail(prop, name, f"calling it raised {type(err).__name__}: {err}") from err


def _check_output(out, n: int, name: str, what: str, as_prop: str | None = None) -> NDArray[np.float64]:
    arr = np.asarray(out)
    if arr.shape != (n,):
        raise _fail(as_prop or "shape", name,
                    f"{what}: expected one score per candidate, shape ({n},); got shape {arr.shape}")
    if arr.dtype.kind not in "fiu":
        raise _fail(as_prop or "dtype", name, f"{what}: expected real numbers (float or int); got dtype {arr.dtype}")
    arr = arr.astype(np.float64)
    bad = np.isnan(arr) | (arr == np.inf)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise _fail(as_prop or "finite", name, f"{what}: score {arr[i]!r} at candidate {i} "
                    f"({int(bad.sum())} of {n} neither finite nor -inf)")
    return arr


def _permuted(c: Candidates, rng: np.random.Generator, sizes) -> tuple[Candidates, NDArray[np.int64]]:
    """The same candidates with viewers and each viewer's candidates shuffled; ``idx`` maps new -> old."""
    ptr = c.viewer_ptr
    vperm = rng.permutation(len(sizes))
    parts = [ptr[v] + rng.permutation(int(sizes[v])) for v in vperm]
    idx = np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, dtype=np.int64)
    new_ptr = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(np.asarray(sizes)[vperm], out=new_ptr[1:])
    data = {k: getattr(c, k)[idx] for k in CANDIDATE_FIELDS if k not in ("viewer", "segment")}
    return Candidates(c.now, new_ptr, c.viewers[vperm], **data), idx


def check_ranker(ranker: str | Callable, seed=0, *, rtol: float = 1e-9) -> CheckReport:
    """Check that a ranker satisfies the protocol the engine relies on.

    Checks, in order (the first failure raises, naming the property):

    - **callable**: a name in :data:`~feedsim.rankers.RANKERS` or a callable
      ``f(candidates, rng)`` that runs on synthetic candidates carrying every
      field of :data:`~feedsim.rankers.CANDIDATE_FIELDS`;
    - **shape**: one score per candidate, shape ``(n,)``;
    - **dtype**: real numbers (float or int);
    - **finite**: no NaN or infinity;
    - **read-only inputs**: it neither writes to nor changes the candidate arrays;
    - **determinism**: two calls with Generators from the same seed give the
      same scores;
    - **permutation equivariance**: shuffling the viewers and each viewer's
      candidates shuffles the scores the same way (within ``rtol``). Checked
      only for rankers whose scores do not depend on the Generator's state
      (two different seeds give the same scores); otherwise skipped;
    - **cold start**: a tick where every count is zero (likes, reshares, replies,
      engagements, impressions, the author's posts and impressions, the typical
      impressions per post), as in a run's first hour, gives finite scores (or
      ``-inf``): a ranker dividing ``likes / impressions`` fails here;
    - **empty input**: a tick with viewers but no candidates gives shape ``(0,)``.

    Parameters
    ----------
    ranker : str or callable
        The ranker, or the name of a built-in one.
    seed : int or SeedSequence, default 0
        Seeds the synthetic data and the Generators passed to the ranker.
    rtol : float, default 1e-9
        Relative tolerance of the equivariance check (sums taken in another
        order may differ in the last bits).

    Returns
    -------
    CheckReport
        What passed and what was skipped.

    Raises
    ------
    InvalidParameterError
        If ``ranker`` is neither a known name nor callable, or ``seed`` is bad.
    RankerOutputError
        Naming the first property that failed and what was wrong.

    Examples
    --------
    >>> import numpy as np
    >>> def newest(c, rng):
    ...     return -c.item_age_hours
    >>> check_ranker(newest).passed[-1]
    'empty input'
    >>> def sloppy(c, rng):
    ...     return np.ones(3)
    >>> check_ranker(sloppy)
    Traceback (most recent call last):
    ...
    feedsim.errors.RankerOutputError: check_ranker: ranker 'sloppy' failed 'shape': synthetic tick: expected one score per candidate, shape (72,); got shape (3,)
    """  # noqa: E501 (a doctest shows the whole error message)
    fn = get_ranker(ranker)
    name = ranker_name(ranker)
    try:
        rtol = float(rtol)
    except (TypeError, ValueError):
        raise InvalidParameterError(f"rtol must be a finite number >= 0; got {rtol!r}") from None
    if not (np.isfinite(rtol) and rtol >= 0):
        raise InvalidParameterError(f"rtol must be a finite number >= 0; got {rtol!r}")
    ss = as_seed_sequence(seed)
    data_ss, perm_ss, rng_a, rng_b = ss.spawn(4)
    sizes = _SEGMENT_SIZES
    passed: list[str] = []
    skipped: dict[str, str] = {}

    c = synthetic_candidates(data_ss, sizes)
    n = len(c)
    before = {k: np.array(getattr(c, k), copy=True) for k in CANDIDATE_FIELDS}
    first = _call(fn, c, np.random.default_rng(rng_a), name, "callable")
    passed.append("callable")
    scores = _check_output(first, n, name, "synthetic tick")
    passed += ["shape", "dtype", "finite"]
    for key, old in before.items():
        now_arr = getattr(c, key)
        if now_arr.flags.writeable or not np.array_equal(now_arr, old):
            raise _fail("read-only inputs", name, f"candidate array {key!r} was made writable or changed")
    passed.append("read-only inputs")

    again = _check_output(_call(fn, synthetic_candidates(data_ss, sizes), np.random.default_rng(rng_a), name,
                                "determinism"), n, name, "second call")
    if not np.array_equal(scores, again):
        diff = int(np.count_nonzero(scores != again))
        raise _fail("determinism", name, f"two calls with Generators from the same seed differ in {diff} of {n} scores")
    passed.append("determinism")

    other = _check_output(_call(fn, synthetic_candidates(data_ss, sizes), np.random.default_rng(rng_b), name,
                                "determinism"), n, name, "call with another seed")
    if np.array_equal(scores, other):
        perm_rng = np.random.default_rng(perm_ss)
        shuffled, idx = _permuted(synthetic_candidates(data_ss, sizes), perm_rng, sizes)
        got = _check_output(_call(fn, shuffled, np.random.default_rng(rng_a), name, "permutation equivariance"),
                            n, name, "shuffled tick")
        want = scores[idx]
        finite = np.abs(want[np.isfinite(want)])
        ok = np.isclose(got, want, rtol=rtol, atol=rtol * (1.0 + float(np.max(finite, initial=0.0))))
        if not ok.all():
            i = int(np.flatnonzero(~ok)[0])
            raise _fail("permutation equivariance", name,
                        f"after shuffling viewers and candidates, candidate {int(idx[i])} scored {got[i]!r} "
                        f"instead of {want[i]!r} ({int((~ok).sum())} of {n} differ)")
        passed.append("permutation equivariance")
    else:
        skipped["permutation equivariance"] = "scores depend on the Generator (a stochastic ranker)"

    cold = cold_start_candidates(data_ss, sizes)
    with np.errstate(all="ignore"):  # 0/0 is reported below as a failed check, not a warning
        out = _call(fn, cold, np.random.default_rng(rng_a), name, "cold start")
        _check_output(out, n, name, "cold-start tick (every count zero, as in a run's first hour)",
                      as_prop="cold start")
    passed.append("cold start")

    empty = Candidates(72.0, *_layout((0, 0)), **{k: v[:0] for k, v in before.items()
                                                  if k not in ("viewer", "segment")})
    _check_output(_call(fn, empty, np.random.default_rng(rng_a), name, "empty input"), 0, name, "empty tick")
    passed.append("empty input")
    return CheckReport(name, tuple(passed), skipped, n)
