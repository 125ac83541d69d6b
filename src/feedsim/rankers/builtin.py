"""Built-in rankers.

A ranker maps the candidate arrays (:class:`~feedsim.rankers.Candidates`) and a
``numpy.random.Generator`` to one float score per candidate, higher first. Plain
functions for rankers without parameters, small classes for the others.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .candidates import Candidates

__all__ = [
    "TWITTER_2023_WEIGHTS",
    "chronological",
    "random_ranker",
    "popularity",
    "EngagementRanker",
    "PlatformFavoringRanker",
    "FairExposureRanker",
]

#: Action weights of the open-sourced 2023 Twitter home-timeline heavy ranker
#: (``the-algorithm-ml``, ``projects/home/recap/README.md``): favorite 0.5,
#: retweet 1.0, reply 13.5. feedsim models these three of its actions.
TWITTER_2023_WEIGHTS = {"like": 0.5, "reshare": 1.0, "reply": 13.5}


_LOG1P = np.zeros(0)


def log1p_counts(x: NDArray) -> NDArray[np.float64]:
    """``np.log1p`` of non-negative integer counts, through a table of small values.

    Bit-identical to ``np.log1p(x.astype(float))``; for counts below 2**22 it reads
    a cached table instead of evaluating the logarithm per element (about 10x
    faster on millions of candidates).

    Examples
    --------
    >>> log1p_counts(np.array([0, 1, 3])).tolist() == np.log1p([0.0, 1.0, 3.0]).tolist()
    True
    """
    global _LOG1P
    x = np.asarray(x)
    if x.dtype.kind in "iu" and len(x):
        lo, hi = int(x.min()), int(x.max())
        if lo >= 0 and hi < (1 << 22):
            if hi >= len(_LOG1P):
                _LOG1P = np.log1p(np.arange(max(hi + 1, 2 * len(_LOG1P), 1024), dtype=np.float64))
            return _LOG1P[x]
    return np.log1p(x, dtype=np.float64)


def log1p_table() -> NDArray[np.float64]:
    """The table :func:`log1p_counts` reads (``log1p(i)`` for small counts ``i``)."""
    global _LOG1P
    if len(_LOG1P) == 0:
        _LOG1P = np.log1p(np.arange(1024, dtype=np.float64))
    return _LOG1P


def chronological(c: Candidates, rng: np.random.Generator) -> NDArray[np.float64]:
    """Newest first: the score is minus the hours since the item entered the network.

    Reshares count from the moment of the reshare, as on the classic timeline.

    Examples
    --------
    >>> import feedsim
    >>> sim = feedsim.Simulation(feedsim.networks.default_community(300, seed=1),
    ...                          ranker="chronological", seed=1)
    """
    return -np.asarray(c.item_age_hours, dtype=np.float64)


def random_ranker(c: Candidates, rng: np.random.Generator) -> NDArray[np.float64]:
    """Uniformly random order: every candidate is equally likely to be shown.

    With ``N`` candidates and room for ``k``, each is shown with probability ``k/N``.
    In a run the draws are the candidates' keyed ``noise`` (one uniform number per
    tick, viewer and post, the same under every ranker); candidates without it
    draw from ``rng``.
    """
    try:
        return np.array(c.noise, dtype=np.float64)
    except AttributeError:
        return rng.random(len(c))


def popularity(c: Candidates, rng: np.random.Generator) -> NDArray[np.float64]:
    """Most engaged first: likes + reshares + replies so far (ties broken at random).

    With the rich-get-richer loop off the engine passes zero counts, so this
    degenerates to a random order.
    """
    return c.engagements.astype(np.float64)


@dataclass(frozen=True)
class EngagementRanker:
    """Predicted engagement: a weighted sum of predicted action probabilities.

    For each candidate the ranker predicts the chance of a like, a reshare and a
    reply from what a platform can observe, and scores their weighted sum, as the
    2023 Twitter heavy ranker does (weights like 0.5, retweet 1.0, reply 13.5;
    ``the-algorithm-ml``, ``projects/home/recap/README.md``).

    Parameters
    ----------
    like_weight, reshare_weight, reply_weight : float
        Action weights (defaults from :data:`TWITTER_2023_WEIGHTS`).
    base_like, base_reshare, base_reply : float
        Predicted probability of each action at affinity 0, no engagement, no
        followers, age 0 (defaults equal the engagement model's base rates).
    engagement_weight : float, default 0.5
        Weight of the post's engagement so far (log-scaled): rich-get-richer.
    popularity_weight : float, default 0.15
        Weight of the author's follower count (log-scaled).
    half_life_hours : float, default 12.0
        Age decay: scores halve every ``half_life_hours`` since the item arrived.

    Notes
    -----
    With affinity ``a``, engagement so far ``e``, author followers ``f`` and item
    age ``t`` hours:

    .. math::

        s = 2^{-t/h} (1 + a) (1 + \\beta_e \\ln(1 + e)) (1 + \\beta_f \\ln(1 + f))
            [w_l b_l + w_r b_r + w_p b_p (1 + a)]

    Replies concentrate between people who know each other, hence the extra
    ``(1 + a)`` on the reply term, mirroring the engagement model.

    Examples
    --------
    >>> rk = EngagementRanker(reply_weight=5.0)
    >>> rk.reply_weight
    5.0
    """

    like_weight: float = TWITTER_2023_WEIGHTS["like"]
    reshare_weight: float = TWITTER_2023_WEIGHTS["reshare"]
    reply_weight: float = TWITTER_2023_WEIGHTS["reply"]
    base_like: float = 0.05
    base_reshare: float = 0.01
    base_reply: float = 0.006
    engagement_weight: float = 0.5
    popularity_weight: float = 0.15
    half_life_hours: float = 12.0

    name = "engagement"

    def _common(self, c: Candidates) -> tuple[NDArray, NDArray]:
        aff = c.affinity + 1.0
        common = log1p_counts(c.engagements)
        common *= self.engagement_weight
        common += 1.0
        pop = log1p_counts(c.author_followers)
        pop *= self.popularity_weight
        pop += 1.0
        common *= pop
        common *= aff
        return aff, common

    def predict(self, c: Candidates) -> tuple[NDArray, NDArray, NDArray]:
        """Predicted like, reshare and reply probabilities per candidate."""
        aff, common = self._common(c)
        p_like = np.minimum(1.0, self.base_like * common)
        p_reshare = np.minimum(1.0, self.base_reshare * common)
        p_reply = np.minimum(1.0, self.base_reply * common * aff)
        return p_like, p_reshare, p_reply

    def __call__(self, c: Candidates, rng: np.random.Generator) -> NDArray[np.float64]:
        aff, common = self._common(c)
        # w_l p_l + w_r p_r + w_p p_p without the clip at 1, then exact where it binds
        value = aff * (self.reply_weight * self.base_reply)
        value += self.like_weight * self.base_like + self.reshare_weight * self.base_reshare
        value *= common
        b_lr = max(self.base_like, self.base_reshare)
        if len(c) and common.max() * max(b_lr, self.base_reply * aff.max()) > 1.0:
            # a probability reaches 1 somewhere: find where, testing the few
            # candidates above the loosest threshold first
            maybe = np.flatnonzero(common > 1.0 / max(b_lr, self.base_reply * aff.max()))
            cm, am = common[maybe], aff[maybe]
            clipped = maybe[cm * np.maximum(b_lr, self.base_reply * am) > 1.0]
            cc = common[clipped]
            pl = np.minimum(1.0, self.base_like * cc)
            pr = np.minimum(1.0, self.base_reshare * cc)
            pp = np.minimum(1.0, self.base_reply * cc * aff[clipped])
            value[clipped] = self.like_weight * pl + self.reshare_weight * pr + self.reply_weight * pp
        decay = np.multiply(c.item_age_hours, -1.0 / self.half_life_hours)
        value *= np.exp2(decay, out=decay)
        return value


@dataclass(frozen=True)
class PlatformFavoringRanker:
    """Engagement ranking that demotes posts linking off-platform.

    Platforms that want people to stay demote links out; the score of an
    off-platform post is multiplied by ``link_penalty``.

    Parameters
    ----------
    link_penalty : float, default 0.6
        Multiplier for posts with ``off_platform`` set (1 = no demotion). The
        default is calibrated so that the share of impressions going to posts
        that link out is about half that of the chronological feed, as Bandy and
        Diakopoulos (2021) measured on Twitter's algorithmic timeline: on the
        default community the halving penalty is 0.61 [0.58, 0.65]
        (``experiments/field/bandy_diakopoulos_2021.py``, 5 seeds; 0.3 before
        version 0.2, which cut the share to 0.37).
    base : EngagementRanker
        The ranker whose score is demoted.

    References
    ----------
    Bandy, J. and Diakopoulos, N. (2021). Curating quality? How Twitter's timeline algorithm
    treats different types of news. *Social Media + Society* 7(3), doi:10.1177/20563051211041648.

    Examples
    --------
    >>> PlatformFavoringRanker(link_penalty=0.5).link_penalty
    0.5
    """

    link_penalty: float = 0.6
    base: EngagementRanker = EngagementRanker()

    name = "platform_favoring"

    def __call__(self, c: Candidates, rng: np.random.Generator) -> NDArray[np.float64]:
        return self.base(c, rng) * np.where(c.off_platform, self.link_penalty, 1.0)


@dataclass(frozen=True)
class FairExposureRanker:
    """Mitigation: boost under-exposed authors and cap each author's items per feed.

    Starts from the engagement score and multiplies it by an exposure boost for
    authors whose posts have so far drawn fewer impressions per post than the
    platform's posts overall; then lets each author hold at most
    ``max_per_author`` of the viewer's items in the tick: further posts by the
    author get ``-inf`` and are never shown in that tick. A viewer with too few
    distinct authors among its candidates therefore gets a shorter feed rather
    than one filled by the same authors. The cap applies to all of a viewer's
    sessions in one tick together, so no feed holds more than ``max_per_author``
    items by one author.

    Parameters
    ----------
    boost_exponent : float, default 1.0
        Boost is ``((m + 1) / (x + 1)) ** boost_exponent`` where ``x`` is the
        author's impressions per post so far and ``m`` the impressions per post
        over every post so far (``typical_impressions_per_post``). Both come from
        the run's history, not from who is online in the tick. 0 turns the boost off.
    max_per_author : int, default 2
        Per-author cap within one tick's feeds.
    base : EngagementRanker
        The relevance score being adjusted.

    Examples
    --------
    >>> FairExposureRanker(max_per_author=1).max_per_author
    1
    """

    boost_exponent: float = 1.0
    max_per_author: int = 2
    base: EngagementRanker = EngagementRanker()

    name = "fair_exposure"

    def __call__(self, c: Candidates, rng: np.random.Generator) -> NDArray[np.float64]:
        score = self.base(c, rng)
        if len(c) == 0:
            return score
        if self.boost_exponent:
            per_post = c.author_impressions / np.maximum(c.author_posts, 1)
            typical = np.asarray(c.typical_impressions_per_post, dtype=np.float64)
            score = score * ((typical + 1.0) / (per_post + 1.0)) ** self.boost_exponent
        rank = c.rank_within(c.author, score)
        return np.where(rank >= self.max_per_author, -np.inf, score)
