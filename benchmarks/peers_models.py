"""The matched feed step written three ways, for ``benchmarks/peers.py``.

Every model here runs the same workload (see ``peers.py`` for the whole story):

* ``n`` users, each following ``FOLLOWS`` distinct random accounts (no self-follow);
* every tick each user posts with probability ``POST_PROBABILITY``; a post stays a
  candidate for ``WINDOW_TICKS`` ticks (the tick it was made in and the next four);
* every tick every user opens one session and sees the top ``FEED_SIZE`` of the
  live posts of their followees (about ``FOLLOWS * POST_PROBABILITY * WINDOW_TICKS``
  = 50 candidates);
* engagement score = ``W_APPEAL * appeal + W_AFFINITY * affinity(viewer, author)
  + W_ENGAGEMENT * log1p(engagements)``, all features fixed when the post or the
  follow edge is made (no feedback loops); chronological score = newest first.

The three models:

``NumpyFeed``
    The bare step, vectorised: CSR follow lists, a ring buffer of the last
    ``WINDOW_TICKS`` ticks of posts, candidates by ``np.repeat`` and cumulative
    offsets, a padded (viewers x max candidates) block and ``argpartition``.
    This is the yardstick: no engine, no bookkeeping.
``MesaFeed`` (needs ``mesa`` 3.x)
    Written the way Mesa's tutorials write models: a ``mesa.Model`` subclass that
    creates ``User`` agents, each with a followee list and its own posts; each step
    the agent set is activated in random order, first to post, then to build feeds.
``trecs_feed_model`` (needs ``trecs``)
    A :class:`trecs.models.BaseRecommender` subclass: the follow graph is the user
    representation, each post an item whose representation names its author,
    posts arrive through a :class:`trecs.components.Creators` subclass, and
    T-RECS scores every user against every item each step (dense matrices).

Only NumPy is imported at module level; ``mesa`` and ``trecs`` are imported inside
the functions that need them, so the NumPy reference runs in any interpreter.
"""

from __future__ import annotations

import math

import numpy as np

FOLLOWS = 20
POST_PROBABILITY = 0.5
WINDOW_TICKS = 5
FEED_SIZE = 10
W_APPEAL = 1.0
W_AFFINITY = 0.5
W_ENGAGEMENT = 0.2
MEAN_ENGAGEMENTS = 3.0


def follow_lists(n_users: int, seed: int) -> np.ndarray:
    """Followee lists: ``FOLLOWS`` distinct random accounts per user, never oneself.

    Returns
    -------
    ndarray of shape (n_users, FOLLOWS), int64
        Row ``u`` lists the accounts ``u`` follows, sorted.
    """
    if n_users <= FOLLOWS:
        raise ValueError(f"n_users must be > {FOLLOWS}; got {n_users}")
    rng = np.random.default_rng([seed, 1])
    users = np.arange(n_users)[:, None]
    # Draw from the n-1 other accounts: values >= own id shift up by one.
    fol = rng.integers(0, n_users - 1, size=(n_users, FOLLOWS))
    fol += fol >= users
    while True:
        fol.sort(axis=1)
        dup = (fol[:, 1:] == fol[:, :-1]).any(axis=1)
        if not dup.any():
            return fol
        rows = np.flatnonzero(dup)
        redo = rng.integers(0, n_users - 1, size=(len(rows), FOLLOWS))
        redo += redo >= rows[:, None]
        fol[rows] = redo


def edge_affinity(n_users: int, seed: int) -> np.ndarray:
    """Affinity of each viewer for each followee, shape (n_users, FOLLOWS), in [0, 1)."""
    return np.random.default_rng([seed, 2]).random((n_users, FOLLOWS))


# ----------------------------------------------------------------- NumPy reference
class NumpyFeed:
    """The matched step as bare vectorised NumPy (the yardstick).

    Parameters
    ----------
    n_users : int
    ranker : {"engagement", "chronological"}
    seed : int
    """

    def __init__(self, n_users: int, ranker: str = "engagement", seed: int = 1) -> None:
        if ranker not in ("engagement", "chronological"):
            raise ValueError(f"ranker must be 'engagement' or 'chronological'; got {ranker!r}")
        self.n = n_users
        self.ranker = ranker
        self.rng = np.random.default_rng([seed, 3])
        fol = follow_lists(n_users, seed)
        deg = np.full(n_users, FOLLOWS)
        self.indptr = np.concatenate([[0], np.cumsum(deg)])
        self.indices = fol.ravel()
        self.viewer_of_edge = np.repeat(np.arange(n_users), deg)
        self.affinity = edge_affinity(n_users, seed).ravel()
        # Ring buffer, author-major: column t % WINDOW_TICKS holds tick t's post (or -1).
        self.post_id = np.full((n_users, WINDOW_TICKS), -1, dtype=np.int64)
        self.appeal = np.zeros((n_users, WINDOW_TICKS))
        self.log_eng = np.zeros((n_users, WINDOW_TICKS))
        self.tick = 0
        self.next_post = 0
        self.stats = {"ticks": 0, "sessions": 0, "candidates": 0, "impressions": 0}
        self.last_feeds: np.ndarray | None = None

    def _post(self) -> None:
        slot = self.tick % WINDOW_TICKS
        posts = self.rng.random(self.n) < POST_PROBABILITY
        k = int(posts.sum())
        ids = np.full(self.n, -1, dtype=np.int64)
        ids[posts] = np.arange(self.next_post, self.next_post + k)
        self.next_post += k
        self.post_id[:, slot] = ids
        self.appeal[:, slot] = self.rng.random(self.n)
        self.log_eng[:, slot] = np.log1p(self.rng.poisson(MEAN_ENGAGEMENTS, self.n))

    def step(self) -> None:
        """One tick: post, gather candidates, score, keep the top ``FEED_SIZE`` per viewer."""
        self._post()
        # (edge, slot) pairs in edge-major order, so candidates stay grouped by viewer.
        pid = self.post_id[self.indices].ravel()  # (n_edges * WINDOW_TICKS,)
        flat = np.flatnonzero(pid >= 0)
        edge = flat // WINDOW_TICKS
        cell = self.indices[edge] * WINDOW_TICKS + (flat - edge * WINDOW_TICKS)  # (author, slot)
        counts = np.bincount(self.viewer_of_edge[edge], minlength=self.n)
        ends = np.cumsum(counts)
        starts = ends - counts
        if self.ranker == "engagement":
            score = (W_APPEAL * self.appeal.ravel()[cell] + W_AFFINITY * self.affinity[edge]
                     + W_ENGAGEMENT * self.log_eng.ravel()[cell])
        else:
            score = pid[flat].astype(np.float64)  # post ids grow with time
        width = max(int(counts.max()), FEED_SIZE)
        # Candidate j of viewer v goes to block[v, j - starts[v]].
        slot_in_block = np.arange(len(flat)) + np.repeat(np.arange(self.n) * width - starts, counts)
        block = np.full((self.n, width), -np.inf)
        block.ravel()[slot_in_block] = score
        top = np.argpartition(-block, FEED_SIZE - 1, axis=1)[:, :FEED_SIZE]
        order = np.argsort(-np.take_along_axis(block, top, axis=1), axis=1, kind="stable")
        top = np.take_along_axis(top, order, axis=1)
        shown = top < counts[:, None]
        feeds = np.full((self.n, FEED_SIZE), -1, dtype=np.int64)  # -1 pads short feeds
        feeds[shown] = pid[flat[(starts[:, None] + top)[shown]]]
        self.last_feeds = feeds
        self.tick += 1
        self.stats["ticks"] += 1
        self.stats["sessions"] += self.n
        self.stats["candidates"] += len(flat)
        self.stats["impressions"] += int(shown.sum())


# ---------------------------------------------------------------------- Mesa 3
def mesa_feed_model(n_users: int, ranker: str = "engagement", seed: int = 1):
    """Build the Mesa 3 model of the matched step (imports ``mesa`` here).

    Written as Mesa's tutorials write models: agents hold their own state in
    Python lists and draw from the model's ``random`` (Mesa's own seeded
    ``random.Random``); ``model.step`` activates the agent set by name.
    """
    import mesa

    class Post:
        __slots__ = ("post_id", "author", "tick", "appeal", "engagements")

        def __init__(self, post_id, author, tick, appeal, engagements):
            self.post_id = post_id
            self.author = author
            self.tick = tick
            self.appeal = appeal
            self.engagements = engagements

    class User(mesa.Agent):
        """An account: whom it follows, what it posted, what it saw last."""

        def __init__(self, model):
            super().__init__(model)
            self.followees = []   # User agents
            self.affinity = []    # parallel to followees
            self.posts = []       # own live posts, oldest first
            self.feed = []

        def post(self):
            now = self.model.steps
            while self.posts and now - self.posts[0].tick >= WINDOW_TICKS:
                self.posts.pop(0)
            if self.random.random() < POST_PROBABILITY:
                engagements = _poisson(self.random, MEAN_ENGAGEMENTS)
                self.posts.append(Post(self.model.next_post_id, self, now,
                                       self.random.random(), engagements))
                self.model.next_post_id += 1

        def build_feed(self):
            candidates = []
            for followee, affinity in zip(self.followees, self.affinity):
                for p in followee.posts:
                    if self.model.ranker == "engagement":
                        score = (W_APPEAL * p.appeal + W_AFFINITY * affinity
                                 + W_ENGAGEMENT * math.log1p(p.engagements))
                    else:
                        score = p.post_id
                    candidates.append((score, p))
            candidates.sort(key=lambda c: c[0], reverse=True)
            self.feed = [p for _, p in candidates[:FEED_SIZE]]
            self.model.candidates_scored += len(candidates)
            self.model.impressions += len(self.feed)

    class FeedModel(mesa.Model):
        """Users on a random follow graph, each building a ranked feed every step."""

        def __init__(self, n_users, ranker="engagement", seed=None):
            super().__init__(seed=seed)
            self.ranker = ranker
            self.next_post_id = 0
            self.candidates_scored = 0
            self.impressions = 0
            User.create_agents(model=self, n=n_users)
            users = list(self.agents)
            for user in users:
                user.followees = self.random.sample(users, FOLLOWS + 1)
                if user in user.followees:
                    user.followees.remove(user)
                else:
                    user.followees.pop()
                user.affinity = [self.random.random() for _ in user.followees]

        def step(self):
            self.agents.shuffle_do("post")
            self.agents.shuffle_do("build_feed")

    return FeedModel(n_users, ranker=ranker, seed=seed)


def _poisson(rand, mean: float) -> int:
    """Poisson draw from a ``random.Random`` (Knuth's method; fine for small means)."""
    limit, k, p = math.exp(-mean), 0, rand.random()
    while p > limit:
        k += 1
        p *= rand.random()
    return k


# ---------------------------------------------------------------------- T-RECS
def trecs_feed_model(n_users: int, seed: int = 1):
    """Build the T-RECS model of the matched step (imports ``trecs`` here).

    Representation (user profiles and items are what T-RECS multiplies):

    * user profile of viewer ``v``, length ``2n``: ``[follows(v, .) | W_AFFINITY *
      affinity(v, .)]`` (a sparse users x 2n matrix);
    * item ``i`` by author ``a``, length ``2n``: ``W_APPEAL * appeal_i + W_ENGAGEMENT
      * log1p(engagements_i)`` at row ``a`` and ``1`` at row ``n + a``;

    so ``profile(v) . item(i)`` is exactly the engagement score when ``v`` follows
    the author and 0 otherwise. Posts leave the candidate set after ``WINDOW_TICKS``
    ticks by having their representation zeroed (T-RECS has no notion of expiry;
    the items stay in its matrices and are still scored). Users interact with one
    shown item per step (T-RECS's fixed choice model); nothing feeds back.
    """
    import scipy.sparse as sp
    from trecs.components import Creators, Users
    from trecs.models import BaseRecommender

    n = n_users
    fol = follow_lists(n, seed)
    aff = edge_affinity(n, seed)
    rows = np.repeat(np.arange(n), FOLLOWS)
    profiles = sp.hstack([
        sp.csr_matrix((np.ones(n * FOLLOWS), (rows, fol.ravel())), shape=(n, n)),
        sp.csr_matrix((W_AFFINITY * aff.ravel(), (rows, fol.ravel())), shape=(n, n)),
    ]).tocsr()

    def plain_dot(user_profiles, item_attributes):
        # T-RECS's default inner_product L2-normalises user rows; the matched score must not.
        return user_profiles @ item_attributes

    class Authors(Creators):
        """Every user is a creator; a post's representation names its author."""

        def __init__(self, n_users, rng):
            super().__init__(actual_creator_profiles=np.full((n_users, 1), 0.5),
                             creation_probability=POST_PROBABILITY)
            self.n_users = n_users
            self.np_rng = rng
            self.author_log = []   # author of every item, in item order

        def generate_items(self):
            authors = np.flatnonzero(self.np_rng.random(self.n_users) < POST_PROBABILITY)
            k = len(authors)
            weight = (W_APPEAL * self.np_rng.random(k)
                      + W_ENGAGEMENT * np.log1p(self.np_rng.poisson(MEAN_ENGAGEMENTS, k)))
            cols = np.arange(k)
            self.author_log.append(authors)
            return sp.csr_matrix(
                (np.concatenate([weight, np.ones(k)]),
                 (np.concatenate([authors, self.n_users + authors]), np.concatenate([cols, cols]))),
                shape=(2 * self.n_users, k))

    class FollowFeed(BaseRecommender):
        """Social feed: score = follow-weighted inner product, posts expire."""

        def __init__(self, profiles, first_items, creators, seed):
            self.item_tick = [np.zeros(first_items.shape[1], dtype=np.int64)]
            self.tick = 0
            users = Users(actual_user_profiles=profiles, score_fn=plain_dot, seed=seed)
            super().__init__(profiles, first_items, users, first_items.copy(), profiles.shape[0],
                             first_items.shape[1], FEED_SIZE, creators=creators,
                             score_fn=plain_dot, seed=seed)

        def process_new_items(self, new_items):
            self.tick += 1
            self.item_tick.append(np.full(new_items.shape[1], self.tick, dtype=np.int64))
            return new_items.copy()

        def _update_internal_state(self, interactions):
            # No feedback (matched workload); only retire posts that leave the window.
            born = np.concatenate(self.item_tick)
            alive = (self.tick + 1 - born < WINDOW_TICKS).astype(np.float64)
            self.items_hat.value = sp.csr_matrix(self.items_hat.value) @ sp.diags(alive)

    rng = np.random.default_rng([seed, 3])
    creators = Authors(n, rng)
    first = creators.generate_items()
    return FollowFeed(profiles, first, creators, seed)
