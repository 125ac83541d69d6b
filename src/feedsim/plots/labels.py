"""Axis labels in words for metric and parameter names (``impression_share.quiet``)."""

from __future__ import annotations

__all__ = ["metric_label"]

_ROLE_WORDS = {"influencer": "influencers'", "regular": "regular members'", "quiet": "quiet members'",
               "brand": "brands'", "lurker": "lurkers'"}

_WORDS = {
    "post_share": "share of posts",
    "impression_share": "share of impressions",
    "voice_ratio": "voice ratio (share of impressions / share of posts)",
    "visibility": "share of posts seen by anyone",
    "visibility_all": "share of posts seen by anyone",
    "follower_reach": "share of the author's followers reached per post",
    "reach_per_post": "people reached per post",
    "engagement_per_post": "engagements per post",
    "amplification": "reach per post vs chronological - 1",
    "follower_amplification": "reach per post vs chronological - 1",
    "gini_impressions": "Gini coefficient of impressions (0 = even, 1 = one account gets all)",
    "gini_engagements": "Gini coefficient of engagements",
    "gini_followers": "Gini coefficient of followers",
    "top1_share": "share of impressions going to the top 1% of accounts",
    "exposure_diversity": "exposure diversity (0 = one author, 1 = evenly spread)",
    "creator_retention": "share of creators still posting",
    "n_posts": "posts",
    "n_impressions": "impressions",
    "n_engagements": "engagements",
    "n_sessions": "sessions",
    "out_of_network_share": "share of each feed from outside the viewer's network",
    "max_age_hours": "oldest post a feed shows (hours)",
    "like_rate": "base chance of a like per impression",
    "reshare_rate": "base chance of a reshare per impression",
    "reply_rate": "base chance of a reply per impression",
    "position_decay": "how fast attention falls down the feed",
    "tick_hours": "tick length (hours)",
    "ranker": "feed ranking",
    # daily series
    "posts": "posts per day",
    "impressions": "impressions per day",
    "engagements": "engagements per day",
    "sessions": "sessions per day",
    "new_follows": "new follows per day",
    "creators_posting": "creators who posted that day",
    "creators_active": "creators still active",
    "accounts": "accounts on the platform",
    "mean_followers": "followers per account",
    "joins": "accounts joining per day",
    "leaves": "accounts leaving per day",
    "posts_by_role": "posts per day",
    "impressions_by_role": "impressions per day",
    "engagements_by_role": "engagements per day",
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
