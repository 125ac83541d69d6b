"""Axis labels in words for metric and parameter names (``impression_share.quiet``)."""

from __future__ import annotations

from ..metrics.registry import DAILY, METRICS

__all__ = ["metric_label"]

_ROLE_WORDS = {"influencer": "influencers'", "regular": "regular members'", "quiet": "quiet members'",
               "brand": "brands'", "lurker": "lurkers'"}

# metric and daily-series words come from their declarations (feedsim.metrics.registry);
# parameters and graph settings that sweeps put on an axis are named here
_WORDS = {
    **{d.name: d.label for d in DAILY},
    **{m.name: m.label for m in METRICS},
    "out_of_network_share": "share of each feed from outside the viewer's network",
    "max_age_hours": "oldest post a feed shows (hours)",
    "like_rate": "base chance of a like per impression",
    "reshare_rate": "base chance of a reshare per impression",
    "reply_rate": "base chance of a reply per impression",
    "position_decay": "how fast attention falls down the feed",
    "tick_hours": "tick length (hours)",
    "ranker": "feed ranking",
    "graph.mean_follows": "accounts followed per account (mean)",
    "graph.n_users": "accounts in the community",
}


def metric_label(name: str) -> str:
    """A label in words for a metric, daily series or parameter name.

    ``name.role`` (a per-role metric) puts the role in front; follower groups
    (``follower_amplification.0-19``) are named by their follower counts.
    Unknown names are returned with underscores as spaces.

    Examples
    --------
    >>> metric_label("impression_share.quiet")
    "quiet members' share of impressions"
    >>> metric_label("follower_amplification.0-19")
    'reach per post vs chronological - 1, authors with 0-19 followers'
    >>> metric_label("my_metric")
    'my metric'
    """
    base, _, part = str(name).partition(".")
    if base == "graph":
        base, part = name, ""
    words = _WORDS.get(base, base.replace("_", " "))
    if not part:
        return words
    if part in _ROLE_WORDS:
        return f"{_ROLE_WORDS[part]} {words}"
    return f"{words}, authors with {part} followers"
