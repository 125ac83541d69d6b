"""The lesson's words: plain names of the rankers, one line each, and what "score" means on each feed.

The identifiers (``reddit_hot``) stay the values the page sends; students read these.
One table, read by the page's menu, the person view and the guided path.

Examples
--------
>>> RANKER_WORDS["chronological"].name
'Newest first (chronological)'
>>> sorted(RANKER_WORDS) == sorted(__import__("feedsim").rankers.RANKERS)
True
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["RankerWords", "RANKER_WORDS", "ranker_name", "ranker_phrase", "and_list", "ROLE_WORDS", "LOOP_WORDS"]


class RankerWords(NamedTuple):
    """What students read about one ranker."""

    name: str
    description: str
    score: str


RANKER_WORDS: dict[str, RankerWords] = {
    "chronological": RankerWords(
        "Newest first (chronological)", "every post from people you follow, newest at the top",
        "score = minus the post's age in hours, so newer posts score higher and every score is below zero"),
    "engagement": RankerWords(
        "Most engaging first", "posts the platform predicts you will like, share or reply to, newer ones first",
        "score = predicted chance that you like, share or reply to the post, halved for every few hours of age"),
    "popularity": RankerWords(
        "Most popular first", "posts with the most likes, shares and replies so far, from anyone you follow",
        "score = how many likes, shares and replies the post has collected so far"),
    "random": RankerWords(
        "Random order", "the posts of people you follow in a shuffled order",
        "score = a random number drawn for each post"),
    "platform_favoring": RankerWords(
        "Keeps you on the platform", "like 'most engaging first', but posts linking elsewhere are pushed down",
        "score = predicted engagement, cut down for posts that link off the platform"),
    "fair_exposure": RankerWords(
        "Fair exposure", "like 'most engaging first', but authors who were seen little are lifted up",
        "score = predicted engagement, boosted for authors whose posts have been seen less than usual"),
    "twitter_2023": RankerWords(
        "Twitter 2023 (published weights)", "Twitter's 2023 'For you' weights: replies count far more than likes",
        "score = the published weighted sum of predicted likes, retweets and replies, fewer posts per author"),
    "x_2026": RankerWords(
        "X 2026 (published defaults)", "X's 2026 'For you' defaults: replies and shares weigh most",
        "score = the published weighted sum of predicted actions, fewer posts per author"),
    "reddit_hot": RankerWords(
        "Reddit 'hot'", "Reddit's 'hot' sort: likes count, but newer posts win over older ones",
        "score = the number of digits of the post's likes plus its creation time (ten times the likes = 12.5 h newer)"),
    "simsom": RankerWords(
        "SimSoM (research model)", "a research simulator's feed: appealing, much-reshared posts, fading with age",
        "score = the post's appeal and share of reshares in your feed, times a factor that falls with age"),
    "facebook_msi": RankerWords(
        "Facebook 2018 'meaningful interactions'", "Facebook's 2018 points: comments and reshares count most",
        "score = reported points for predicted likes, comments and reshares, newer posts first"),
}


def ranker_name(name: str) -> str:
    """The plain name of a ranker identifier (the identifier itself when it has none).

    Examples
    --------
    >>> ranker_name("reddit_hot")
    "Reddit 'hot'"
    """
    words = RANKER_WORDS.get(name)
    return words.name if words else name.replace("_", " ")


def ranker_phrase(name: str) -> str:
    """The plain name inside a sentence ("the most engaging first feed"): common words in lower case.

    Examples
    --------
    >>> ranker_phrase("engagement"), ranker_phrase("reddit_hot")
    ('most engaging first', "Reddit 'hot'")
    """
    words = ranker_name(name)
    return words[0].lower() + words[1:] if words.split()[0] in _COMMON else words


_COMMON = ("Newest", "Most", "Random", "Keeps", "Fair")


def and_list(items: list[str]) -> str:
    """``a, b and c``.

    Examples
    --------
    >>> and_list(["a", "b", "c"]), and_list(["a"])
    ('a, b and c', 'a')
    """
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


#: Roles in words (plural, singular with article).
ROLE_WORDS = {"influencer": ("influencers", "an influencer"), "regular": ("regular members", "a regular member"),
              "quiet": ("quiet members", "a quiet member"), "brand": ("brands", "a brand"),
              "lurker": ("lurkers", "a lurker")}

#: The feedback loops in words (name, what it does).
LOOP_WORDS = {
    "rich_get_richer": ("rich get richer", "accounts that are seen a lot gain followers faster"),
    "reciprocity": ("follow back", "people follow back those who follow them"),
    "creator_adaptation": ("creators give up or post more", "members post more when they are seen, less when not"),
    "follow_discovery": ("follow discovery", "people follow accounts they saw through reshares"),
}
