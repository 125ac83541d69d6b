"""Published rankers as presets: data plus a short function each, with sources.

Every preset maps a ranking rule that a platform or a research simulator has
published onto the arrays feedsim models. feedsim predicts three actions per
impression (like, reshare, reply; :meth:`EngagementRanker.predict`), so a
weighted sum over a platform's predicted actions keeps the terms for those
three and lists the others, with their published weights, as *unmodelled*
(:data:`UNMODELLED`). Nothing here is tuned to feedsim's results.

=================  ====================================================================
preset             source
=================  ====================================================================
``twitter_2023``   ``twitter/the-algorithm-ml`` ``projects/home/recap/README.md``
                   (weights "as of April 5, 2023"), author diversity from
                   ``twitter/the-algorithm`` ``ScoredTweetsParam.scala``
``x_2026``         ``xai-org/x-algorithm`` ``home-mixer/params/param.rs``,
                   ``home-mixer/scorers/ranking_scorer.rs``,
                   ``home-mixer/scorers/author_cold_start.rs``, ``README.md``
``reddit_hot``     ``reddit-archive/reddit`` ``r2/r2/lib/db/_sorts.pyx`` (``hot``)
``simsom``         ``osome-iu/SimSoM`` ``_rank_newsfeed`` (Truong et al. 2024)
``facebook_msi``   press reports of Facebook's 2018 "meaningful social interactions"
                   points (Wall Street Journal, Sept. 2021); partly unconfirmed
=================  ====================================================================

Examples
--------
>>> import feedsim
>>> G = feedsim.networks.default_community(300, seed=0)
>>> r = feedsim.Simulation(G, ranker="x_2026", seed=0).run(days=1)
>>> r.ranker
'x_2026'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from .builtin import EngagementRanker
from .candidates import Candidates

__all__ = [
    "PRESETS",
    "TWITTER_2023_HEAVY_RANKER_WEIGHTS",
    "X_2026_WEIGHTS",
    "FACEBOOK_MSI_POINTS",
    "UNMODELLED",
    "Twitter2023Ranker",
    "X2026Ranker",
    "RedditHotRanker",
    "SimSoMRanker",
    "FacebookMSIRanker",
    "author_diversity_multiplier",
    "twitter_2023",
    "x_2026",
    "reddit_hot",
    "simsom",
    "facebook_msi",
]

# --------------------------------------------------------------------- data
#: The 2023 heavy ranker's weights, verbatim from ``twitter/the-algorithm-ml``
#: ``projects/home/recap/README.md`` ("the current weighting of probabilities
#: (April 5, 2023)"). The first release of that README (March 2023) listed reply
#: 27 and one "good click" weight of 11 for the max of two heads; we use the
#: April 5 values.
TWITTER_2023_HEAVY_RANKER_WEIGHTS: dict[str, float] = {
    "fav": 0.5,
    "retweet": 1.0,
    "reply": 13.5,
    "good_profile_click": 12.0,
    "video_playback50": 0.005,
    "reply_engaged_by_author": 75.0,
    "good_click": 11.0,
    "good_click_v2": 10.0,
    "negative_feedback_v2": -74.0,
    "report": -369.0,
}

#: Defaults of the "For you" weighted scorer in ``xai-org/x-algorithm``
#: ``home-mixer/params/param.rs`` (file header: "mirrored from config
#: feature-switch defaults"; read at commit 03bedfed). The README warns that
#: production values may differ from these defaults.
X_2026_WEIGHTS: dict[str, float] = {
    "favorite": 0.5,
    "reply": 5.0,
    "bidirectional_follow_reply_boost": 15.0,
    "retweet": 1.0,
    "quote": 5.0,
    "share": 2.0,
    "share_via_dm": 5.0,
    "share_via_copy_link": 20.0,
    "follow_author": 4.0,
    "click": 0.4,
    "open_link": 0.2,
    "profile_click": 0.0,
    "photo_expand": 0.05,
    "video_open": 0.05,
    "vqv": 0.05,
    "quoted_click": 0.05,
    "dwell": 0.0,
    "cont_dwell_time": 0.004,
    "post_unexplored": 0.02,
    "not_interested": -43.2,
    "block_author": -31.2,
    "mute_author": -58.8,
    "report": -234.0,
    "not_dwelled": -0.02,
}

#: Facebook "meaningful social interaction" points as reported in the press
#: (Wall Street Journal, Hagey & Horwitz, 15 Sept. 2021, from internal documents
#: on the 2018 change). Not verified against the article in this repository;
#: see :class:`FacebookMSIRanker` for which figures are unconfirmed.
FACEBOOK_MSI_POINTS: dict[str, float] = {
    "like": 1.0,
    "reaction": 5.0,
    "reshare_without_text": 5.0,
    "significant_comment": 30.0,
    "significant_reshare": 30.0,
    "significant_message": 30.0,
    "rsvp": 30.0,
    "non_significant_comment": 15.0,
}

#: Per preset, the published actions feedsim does not model (name -> weight).
UNMODELLED: dict[str, dict[str, float]] = {
    "twitter_2023": {k: v for k, v in TWITTER_2023_HEAVY_RANKER_WEIGHTS.items()
                     if k not in ("fav", "retweet", "reply")},
    "x_2026": {k: v for k, v in X_2026_WEIGHTS.items()
               if k not in ("favorite", "retweet", "reply", "bidirectional_follow_reply_boost")},
    "facebook_msi": {k: v for k, v in FACEBOOK_MSI_POINTS.items()
                     if k not in ("like", "reshare_without_text", "significant_comment")},
    "reddit_hot": {"downvote": -1.0},
    "simsom": {},
}


# ------------------------------------------------------------------ helpers
def author_diversity_multiplier(n: NDArray, decay: float = 0.5, floor: float = 0.25) -> NDArray[np.float64]:
    """``(1 - floor) * decay ** n + floor`` for an author's ``n``-th post (0 = first).

    The form of ``diversity_multiplier`` in ``xai-org/x-algorithm``
    ``home-mixer/scorers/ranking_scorer.rs`` and of the 2023 home mixer's
    author-diversity rescoring; with the defaults 1, 0.625, 0.4375, ... -> 0.25.

    Examples
    --------
    >>> author_diversity_multiplier(np.array([0, 1, 2])).tolist()
    [1.0, 0.625, 0.4375]
    """
    return (1.0 - floor) * np.power(decay, np.asarray(n, dtype=np.float64)) + floor


def _weighted_actions(base: EngagementRanker, c: Candidates, w_like: float, w_reshare: float,
                      w_reply: NDArray | float) -> NDArray[np.float64]:
    """``(w_like p_like + w_reshare p_reshare + w_reply p_reply) 2 ** (-age / h)``.

    feedsim's predictions (:meth:`EngagementRanker.predict`) with the
    engagement ranker's age decay (half-life ``base.half_life_hours``), which
    stands in for the recency features of a platform's model.
    """
    p_like, p_reshare, p_reply = base.predict(c)
    value = w_like * p_like + w_reshare * p_reshare + w_reply * p_reply
    return value * np.exp2(c.item_age_hours * (-1.0 / base.half_life_hours))


def _diversify(c: Candidates, score: NDArray[np.float64], decay: float, floor: float) -> NDArray[np.float64]:
    """Multiply each candidate by the diversity factor of its rank among its author's."""
    if len(c) == 0:
        return score
    return score * author_diversity_multiplier(c.rank_within(c.author, score), decay, floor)


def _sink(score: NDArray[np.float64], mask: NDArray[np.bool_]) -> NDArray[np.float64]:
    """Move masked candidates below every unmasked one, keeping their order."""
    if not mask.any():
        return score
    span = float(score.max() - score.min()) + 1.0
    return np.where(mask, score - 2.0 * span, score)


# ------------------------------------------------------------------ presets
@dataclass(frozen=True, eq=False)  # holds a dict: hash by identity
class Twitter2023Ranker:
    """Twitter's 2023 "For You" heavy ranker, mapped onto feedsim's actions.

    ``score = (0.5 p_like + 1.0 p_reshare + 13.5 p_reply) 2 ** (-t / 12) m(n)``
    where the ``p`` are feedsim's predicted probabilities
    (:meth:`EngagementRanker.predict`), ``2 ** (-t / 12)`` the engagement
    ranker's age decay (item age ``t`` hours; it stands in for the recency
    features of the real model) and ``m(n) = 0.75 * 0.5 ** n + 0.25`` is the home mixer's author-diversity
    discount for the author's ``n``-th best candidate in the viewer's feed
    (``n = 0`` for the first; :meth:`Candidates.rank_within`).

    Parameters
    ----------
    weights : dict
        The published weights (default :data:`TWITTER_2023_HEAVY_RANKER_WEIGHTS`);
        ``fav``, ``retweet`` and ``reply`` are used.
    diversity_decay, diversity_floor : float, default 0.5, 0.25
        ``AuthorDiversityDecayFactor`` and ``AuthorDiversityFloor``.
    base : EngagementRanker
        Supplies the predicted probabilities.

    Notes
    -----
    **Not modelled** (published weight in brackets): good profile click (12.0),
    good click (11.0), good click v2 (10.0), reply engaged by author (75.0),
    video playback 50% (0.005), negative feedback (-74.0), report (-369.0).
    Leaving the negative terms out makes the preset more favourable to content
    that would draw negative feedback than the real ranker; leaving out
    "reply engaged by author" removes the strongest pull towards conversations
    between an author and repliers.

    References
    ----------
    ``twitter/the-algorithm-ml``, ``projects/home/recap/README.md`` (weights as
    of April 5, 2023). ``twitter/the-algorithm``,
    ``home-mixer/server/src/main/scala/com/twitter/home_mixer/product/scored_tweets/param/ScoredTweetsParam.scala``
    (``AuthorDiversityDecayFactor`` 0.5, ``AuthorDiversityFloor`` 0.25).

    Examples
    --------
    >>> Twitter2023Ranker().weights["reply"]
    13.5
    """

    weights: dict = field(default_factory=lambda: dict(TWITTER_2023_HEAVY_RANKER_WEIGHTS))
    diversity_decay: float = 0.5
    diversity_floor: float = 0.25
    base: EngagementRanker = EngagementRanker()

    name = "twitter_2023"

    def __call__(self, c: Candidates, rng: np.random.Generator) -> NDArray[np.float64]:
        w = self.weights
        score = _weighted_actions(self.base, c, w["fav"], w["retweet"], w["reply"])
        return _diversify(c, score, self.diversity_decay, self.diversity_floor)


@dataclass(frozen=True, eq=False)  # holds a dict: hash by identity
class X2026Ranker:
    """X's 2026 "For you" ranking scorer, mapped onto feedsim's actions.

    In the order of ``RankingScorer`` in ``xai-org/x-algorithm``:

    1. weighted sum ``0.5 p_like + 1.0 p_reshare + w_r p_reply`` with
       ``w_r = 5 + 15`` for an original post by a mutual follow, else 5, times
       the engagement ranker's age decay ``2 ** (-t / 12)`` (feedsim's stand-in
       for the recency the real model learns);
    2. new-author boost (``author_cold_start.rs``): per viewer, the best-scored
       candidate that is an original post by an author with at most 1,000
       followers, fewer than 1,000 impressions, at most 24 h old and ranked
       within the top 85 % is lifted to the score at rank 15 (viewers with at
       most 15 candidates get no boost);
    3. author diversity ``0.75 * 0.5 ** n + 0.25``;
    4. out-of-network candidates and in-network reshares times 0.75;
    5. posts older than 48 h are filtered (here: sunk below every fresher
       candidate, since a ranker cannot remove candidates; the engine's
       ``max_age_hours`` of 48 normally removes them already).

    Parameters
    ----------
    weights : dict
        Default :data:`X_2026_WEIGHTS`; ``favorite``, ``retweet``, ``reply``
        and ``bidirectional_follow_reply_boost`` are used.
    oon_factor : float, default 0.75
        ``OonWeightFactor``.
    diversity_decay, diversity_floor : float, default 0.5, 0.25
        ``AuthorDiversityDecay``, ``AuthorDiversityFloor``.
    max_age_hours : float, default 48
        The README's pre-scoring filter ("older than 48 hours").
    cold_start_followers, cold_start_impressions : int, default 1000, 1000
        ``ColdStartFollowerCap``, ``ColdStartImpressionThreshold``.
    cold_start_max_age_hours : float, default 24
        ``ColdStartMaxPostAgeSecs`` = 86400 (the source applies it to the
        treatment arm of an experiment; we apply it always).
    cold_start_slot : int, default 15
        ``ColdStartSlotMin`` = 15, ``ColdStartSlotMax`` = 16: the target is the
        score at a rank drawn from ``[15, 16)``, i.e. rank 15.
    cold_start_max_position_ratio : float, default 0.85
        ``LowImpressionsMaxPositionRatio``.
    base : EngagementRanker
        Supplies the predicted probabilities.

    Notes
    -----
    *Mutual follow* is read as ``affinity > 0``: at the start of a run exactly
    the reciprocated follows have positive affinity (``mutual_affinity``); with
    the rich-get-richer loop on, engagement can raise affinity on one-way
    follows too, so the reply boost then also reaches engaged one-way follows.

    **Not modelled** (weights from ``param.rs``): quote 5.0, share 2.0, share via
    DM 5.0, share via copy link 20.0, follow author 4.0, click 0.4, open link
    0.2, profile click 0.0, photo expand 0.05, video open 0.05, video quality
    view 0.05, quoted click 0.05, dwell 0.0, continuous dwell time 0.004, post
    unexplored 0.02, not interested -43.2, block author -31.2, mute author
    -58.8, report -234.0, not dwelled -0.02; the score offset for negative
    scores; Thompson sampling in the cold-start boost (off by default in the
    code we read); the VM re-ranker (``EnableVMRanker``) whose parameters are
    not published; visibility filtering.

    The issue that asked for this preset quoted these numbers; every one used
    above was found in the files cited. What we could *not* verify is that
    production uses the defaults: ``param.rs`` holds feature-switch defaults.

    References
    ----------
    ``xai-org/x-algorithm``: ``home-mixer/params/param.rs`` (weights,
    ``OonWeightFactor`` 0.75, ``AuthorDiversityDecay`` 0.5,
    ``AuthorDiversityFloor`` 0.25, cold-start parameters),
    ``home-mixer/scorers/ranking_scorer.rs`` (``diversity_multiplier``,
    order of the steps, reply boost for mutual follows on non-reply,
    non-retweet posts), ``home-mixer/scorers/author_cold_start.rs``,
    ``README.md`` (48-hour filter).

    Examples
    --------
    >>> X2026Ranker().oon_factor
    0.75
    """

    weights: dict = field(default_factory=lambda: dict(X_2026_WEIGHTS))
    oon_factor: float = 0.75
    diversity_decay: float = 0.5
    diversity_floor: float = 0.25
    max_age_hours: float = 48.0
    cold_start_followers: int = 1000
    cold_start_impressions: int = 1000
    cold_start_max_age_hours: float = 24.0
    cold_start_slot: int = 15
    cold_start_max_position_ratio: float = 0.85
    base: EngagementRanker = EngagementRanker()

    name = "x_2026"

    def __call__(self, c: Candidates, rng: np.random.Generator) -> NDArray[np.float64]:
        w = self.weights
        if len(c) == 0:
            return np.zeros(0)
        original = ~c.is_reshare
        mutual = (c.affinity > 0) & original
        w_reply = w["reply"] + np.where(mutual, w["bidirectional_follow_reply_boost"], 0.0)
        score = _weighted_actions(self.base, c, w["favorite"], w["retweet"], w_reply)
        score = self._cold_start(c, score, original)
        score = _diversify(c, score, self.diversity_decay, self.diversity_floor)
        discounted = ~c.in_network | c.is_reshare
        score = np.where(discounted, score * self.oon_factor, score)
        return _sink(score, c.age_hours > self.max_age_hours)

    def _cold_start(self, c: Candidates, score: NDArray, original: NDArray) -> NDArray[np.float64]:
        seg = c.segment
        n_per = np.diff(c.viewer_ptr)
        rank = c.rank_within(np.zeros(len(c), dtype=np.int64), score)
        nonzero = np.bincount(seg, weights=score != 0, minlength=c.n_viewers)
        eligible = (
            original
            & (c.author_followers <= self.cold_start_followers)
            & (c.impressions < self.cold_start_impressions)
            & (c.age_hours <= self.cold_start_max_age_hours)
            & (rank < np.floor(self.cold_start_max_position_ratio * nonzero)[seg])
            & (n_per[seg] > self.cold_start_slot)
        )
        if not eligible.any():
            return score
        # target: the score at rank cold_start_slot of the viewer's candidates
        at_slot = rank == self.cold_start_slot
        target = np.full(c.n_viewers, -np.inf)
        target[seg[at_slot]] = score[at_slot]
        # the best eligible candidate of each viewer (rank is unique within a viewer)
        idx = np.flatnonzero(eligible)
        order = np.lexsort((rank[idx], seg[idx]))
        idx = idx[order]
        first = np.ones(len(idx), dtype=bool)
        first[1:] = seg[idx][1:] != seg[idx][:-1]
        best = idx[first]
        out = score.copy()
        out[best] = np.maximum(out[best], target[seg[best]])
        return out


@dataclass(frozen=True)
class RedditHotRanker:
    """Reddit's classic "hot" order: log10 of the vote score plus recency.

    ``hot = sign(s) log10(max(|s|, 1)) + t_created / 45000`` with ``s`` the
    score (up-votes minus down-votes) and ``t_created`` the creation time in
    seconds: a tenfold score is worth 12.5 hours of recency. feedsim has no
    down-votes; ``s`` is the post's likes (``vote_fields``). Creation time is
    measured from the start of the run (the Reddit epoch offset 1134028003 s
    does not change the order); the source's rounding to 7 decimals is left out.

    Parameters
    ----------
    vote_fields : tuple of str, default ("likes",)
        Candidate arrays summed into the up-vote count.
    seconds_per_decade : float, default 45000
        Seconds of recency that equal a tenfold score.

    Notes
    -----
    With the rich-get-richer loop off the engine passes zero counts and the
    order is newest post first (by the post's creation, not the reshare time).

    References
    ----------
    ``reddit-archive/reddit``, ``r2/r2/lib/db/_sorts.pyx``, function ``hot``.

    Examples
    --------
    >>> RedditHotRanker().seconds_per_decade
    45000.0
    """

    vote_fields: tuple = ("likes",)
    seconds_per_decade: float = 45000.0

    name = "reddit_hot"

    def __call__(self, c: Candidates, rng: np.random.Generator) -> NDArray[np.float64]:
        votes = np.zeros(len(c))
        for name in self.vote_fields:
            votes = votes + getattr(c, name)
        order = np.log10(np.maximum(np.abs(votes), 1.0)) * np.sign(votes)
        created_seconds = (c.now - c.age_hours) * 3600.0
        return order + created_seconds / self.seconds_per_decade


@dataclass(frozen=True)
class SimSoMRanker:
    """SimSoM's feed ranking: appeal and share popularity times an age decay.

    After OSoMe's SimSoM, where the chance a message in a news feed is picked is
    ``(w_e e_m + w_p p_m / sum_j p_j) r_m``: ``e_m`` the message's engagement
    (appeal), ``p_m`` its number of shares, normalised over the viewer's feed,
    and ``r_m = exp(-0.4 t ** 0.4)`` a stretched-exponential recency in time
    steps ``t`` (Wu & Huberman 2007). Mapped to feedsim: ``e_m = a / (1 + a)``
    for appeal ``a`` (SimSoM's engagement lies in [0, 1]), ``p_m = 1 +
    reshares`` (the original share counts), normalised over the viewer's
    candidates, ``t = item_age_hours / step_hours``.

    Parameters
    ----------
    engagement_weight : float, default 0.5
        ``w_e`` (``w_p = 1 - w_e``); SimSoM's documented default is 0.5.
    step_hours : float, default 6.0
        Hours per SimSoM time step (a step is one activation of every agent;
        6 h matches a regular member's four sessions a day). Our choice.

    Notes
    -----
    This is a *ranking* by SimSoM's selection weights; SimSoM itself picks a
    message at random with those weights and keeps a fixed-size FIFO feed.
    The appeal mapping and ``step_hours`` are ours, not SimSoM's. SimSoM
    reads appeal, which real platforms cannot observe.

    References
    ----------
    ``osome-iu/SimSoM``, ``libs/simsom/model_42_engagement.py``,
    ``SimSom._rank_newsfeed``. B. T. Truong, X. Lou, A. Flammini, F. Menczer,
    "Quantifying the vulnerabilities of the online public square to adversarial
    manipulation tactics", PNAS Nexus 3 (2024). F. Wu, B. A. Huberman,
    "Novelty and collective attention", PNAS 104 (2007).

    Examples
    --------
    >>> SimSoMRanker().engagement_weight
    0.5
    """

    engagement_weight: float = 0.5
    step_hours: float = 6.0

    name = "simsom"

    def __call__(self, c: Candidates, rng: np.random.Generator) -> NDArray[np.float64]:
        if len(c) == 0:
            return np.zeros(0)
        a = c.appeal
        engagement = a / (1.0 + a)
        shares = 1.0 + c.reshares
        total = np.bincount(c.segment, weights=shares, minlength=c.n_viewers)
        popularity = shares / total[c.segment]
        t = np.maximum(c.item_age_hours, 0.0) / self.step_hours
        recency = np.exp(-0.4 * t**0.4)
        w_e = self.engagement_weight
        return (w_e * engagement + (1.0 - w_e) * popularity) * recency


@dataclass(frozen=True, eq=False)  # holds a dict: hash by identity
class FacebookMSIRanker:
    """Facebook's "meaningful social interactions" points, mapped onto feedsim.

    ``score = (1 p_like + 5 p_reshare + 30 p_reply) 2 ** (-t / 12)`` with
    feedsim's predicted probabilities and the engagement ranker's age decay: a like is 1 point, a
    reshare (without text) 5, a "significant" comment 30.

    Parameters
    ----------
    points : dict
        Default :data:`FACEBOOK_MSI_POINTS`; ``like``,
        ``reshare_without_text`` and ``significant_comment`` are used.
    base : EngagementRanker
        Supplies the predicted probabilities.

    Notes
    -----
    Reported in the press (Wall Street Journal, 15 Sept. 2021, "Facebook Tried
    to Make Its Platform a Healthier Place. It Got Angrier Instead", from
    internal documents on the 2018 change): like 1, reaction or reshare
    without text 5, significant comment, message, reshare or RSVP 30.
    **Unconfirmed** (not checked against the documents or the article in this
    repository): every figure above; the 15 points for a non-significant
    comment; the multipliers for close ties (friends, groups) that the reports
    mention without values (here the engagement predictions' ``1 + affinity``
    stands in); later changes (the Washington Post reported in Oct. 2021 that
    the "angry" reaction's weight went from 5 to 0 in 2020). feedsim does not
    model reactions other than likes, messages, RSVPs or whether a comment is
    significant: every reply counts as significant.

    Examples
    --------
    >>> FacebookMSIRanker().points["significant_comment"]
    30.0
    """

    points: dict = field(default_factory=lambda: dict(FACEBOOK_MSI_POINTS))
    base: EngagementRanker = EngagementRanker()

    name = "facebook_msi"

    def __call__(self, c: Candidates, rng: np.random.Generator) -> NDArray[np.float64]:
        p = self.points
        return _weighted_actions(self.base, c, p["like"], p["reshare_without_text"], p["significant_comment"])


twitter_2023 = Twitter2023Ranker()
x_2026 = X2026Ranker()
reddit_hot = RedditHotRanker()
simsom = SimSoMRanker()
facebook_msi = FacebookMSIRanker()

#: The presets by name (merged into :data:`feedsim.rankers.RANKERS`).
PRESETS: dict[str, Callable[[Candidates, np.random.Generator], NDArray[np.float64]]] = {
    "twitter_2023": twitter_2023,
    "x_2026": x_2026,
    "reddit_hot": reddit_hot,
    "simsom": simsom,
    "facebook_msi": facebook_msi,
}
