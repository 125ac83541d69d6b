"""Accounts joining and leaving, and the masks of new follow edges.

Units: days for rates and the day count, hours for times.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from .arrays import ranges

if TYPE_CHECKING:  # pragma: no cover
    from .platform import Platform

__all__ = ["start_new_edges", "grow", "add_accounts", "churn", "remember_shown"]


def start_new_edges(p: Platform, fresh_followers: bool = False) -> None:
    """Start the shown masks of the follow edges just added (``p.edges.last_added``).

    A new follower may already have seen some of the followee's live posts
    (through reshares or out of network): those are in the seen hash set, and
    their bits are set now. ``fresh_followers`` says the followers are new
    accounts, which have seen nothing.
    """
    g = p.edges
    u, v = g.last_added
    if not p.cfg.exclude_seen or len(u) == 0:
        return
    edge = g.lookup(u, v)
    first = p.accounts.first_number
    g.start_masks(edge, first[v])
    if fresh_followers or len(p.seen) == 0:
        return
    items = p.live.originals
    via_ptr = items.index_by_via(g.n)
    cnt = via_ptr[v + 1] - via_ptr[v]
    item = ranges(via_ptr[v], cnt)
    owner = np.repeat(np.arange(len(u), dtype=np.int64), cnt)
    ok = items.number[item] >= 0
    item, owner = item[ok], owner[ok]
    hit = p.seen.contains((u[owner] << 32) | items.post[item])
    item, owner = item[hit], owner[hit]
    g.set_shown(edge[owner], items.number[item] - first[v[owner]])


def grow(p: Platform, role_codes: NDArray[np.int8], rng: np.random.Generator,
         **attrs: float) -> NDArray[np.int64]:
    """Append accounts of the given roles (attributes from role defaults); return their indices."""
    new = p.accounts.grow(role_codes, rng, day=p.day, followers=0, **attrs)
    p.edges.grow(len(new))
    return new


def add_accounts(p: Platform, role_code: int, n: int, follows: int, **attrs: float) -> NDArray[np.int64]:
    """Add ``n`` accounts that each follow ``follows`` present accounts (preferentially popular).

    Returns the new accounts' indices. Draws from the ``interventions`` stream.
    """
    rng = p.streams["interventions"]
    here = np.flatnonzero(p.accounts.present)
    new = grow(p, np.full(n, role_code, dtype=np.int8), rng, **attrs)
    if follows > 0 and len(here):
        weight = p.edges.in_degree[here] + 1.0
        cum = np.cumsum(weight)
        targets = np.searchsorted(cum, rng.random(n * follows) * cum[-1], side="right")
        p.edges.add_edges(np.repeat(new, follows), here[np.minimum(targets, len(here) - 1)], since=p.hours)
        start_new_edges(p, fresh_followers=True)
    return new


def churn(p: Platform, midnight: float) -> None:
    """Accounts leave and join at midnight (``leave_rate``, ``join_rate`` per day).

    A newcomer's prototype is one of the day's leavers while there are any (it
    takes over the departed account's niche: role and a copy of its follows and
    followers), otherwise a random present account.
    """
    cfg = p.cfg
    acc = p.accounts
    if not cfg.loop_enabled("churn") or (cfg.leave_rate == 0 and cfg.join_rate == 0):
        return
    # who leaves, how many join and whose niche they take come from the churn stream
    # alone, drawn for every account, so they are the same under every ranker
    rng = p.streams["churn"]
    here = np.flatnonzero(acc.present)
    leavers = np.flatnonzero((rng.random(acc.n) < cfg.leave_rate) & acc.present)
    n_join = int(rng.binomial(len(here), cfg.join_rate))
    proto = leavers[rng.permutation(len(leavers))[:n_join]]
    stay = np.setdiff1d(here, leavers, assume_unique=True)
    if n_join > len(proto) and len(stay):
        proto = np.concatenate([proto, stay[rng.integers(0, len(stay), n_join - len(proto))]])
    copied = _copy_edges(p, p.streams["joining"], proto, stay) if len(proto) else None
    gone = None
    if len(leavers):
        acc.present[leavers] = False
        acc.left_day[leavers] = p.day
        gone = np.zeros(acc.n, dtype=bool)
        gone[leavers] = True
        if cfg.exclude_seen:
            _remember_shown_before_unfollow(p, gone)
        p.days.leaves += len(leavers)
    u = v = new = np.zeros(0, dtype=np.int64)
    if copied is not None:  # newcomers take their prototypes' places (attributes: churn stream)
        new, u, v = _join(p, p.streams["churn"], proto, *copied)
        if gone is not None:
            gone = np.concatenate([gone, np.zeros(len(new), dtype=bool)])
    # the leavers' edges go and the newcomers' edges come in one pass over the edges
    p.edges.update(u, v, since=midnight, gone=gone)
    p.pairs.keep_removed(*p.edges.dropped_impressions)
    if len(new):
        start_new_edges(p, fresh_followers=True)
        acc.followers_start[new] = p.edges.in_degree[new]
        p.days.joins += len(new)


def _remember_shown_before_unfollow(p: Platform, gone: NDArray[np.bool_]) -> None:
    """Move what the staying followers of departing accounts were shown into the seen hash set.

    A followee's posts a follower was shown are recorded in the follow edge's
    mask; when the edge goes, the departed account's live posts can still reach
    the follower (reshares, out of network), so the record must stay.
    """
    remember_shown(p, *p.edges.shown_into(gone))


def remember_shown(p: Platform, follower: NDArray[np.int64], followee: NDArray[np.int64],
                   number: NDArray[np.int64]) -> None:
    """Put followee post ``number`` shown to ``follower`` (along an edge about to go) into the seen hash set.

    Only posts still live need it; the others can never be shown again.
    """
    if len(follower) == 0:
        return
    ptr = p.live.originals.index_by_via(p.edges.n)
    offset = number - p.accounts.first_number[followee]
    live = (offset >= 0) & (offset < ptr[followee + 1] - ptr[followee])
    post = p.live.originals.post[ptr[followee[live]] + offset[live]]
    p.seen.add((follower[live] << 32) | post)


def _copy_edges(
    p: Platform, rng: np.random.Generator, proto: NDArray[np.int64], stay: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """The copying model's edges for newcomers with prototypes ``proto``.

    Returns (owner, followee) of the newcomers' follows and (follower, owner) of
    their followers, ``owner`` indexing ``proto``. Each of the prototype's edges
    is kept with probability ``1 - join_random_share``, else replaced by a
    preferential draw (follows) or a uniform draw (followers) among the accounts
    that stay.
    """
    g = p.edges
    n = len(proto)
    beta = p.cfg.join_random_share
    out_deg = g.indptr[proto + 1] - g.indptr[proto]
    out_v = g.indices[ranges(g.indptr[proto], out_deg)].astype(np.int64)
    out_owner = np.repeat(np.arange(n, dtype=np.int64), out_deg)
    is_proto = np.zeros(g.n, dtype=bool)
    is_proto[proto] = True
    e = np.flatnonzero(is_proto[g.indices])
    fol_u = np.searchsorted(g.indptr, e, side="right") - 1
    fol_v = g.indices[e].astype(np.int64)
    order = np.argsort(fol_v, kind="stable")
    fol_u, fol_v = fol_u[order], fol_v[order]
    fptr = np.searchsorted(fol_v, proto)
    in_deg = np.searchsorted(fol_v, proto, side="right") - fptr
    in_u = fol_u[ranges(fptr, in_deg)]
    in_owner = np.repeat(np.arange(n, dtype=np.int64), in_deg)
    keep = np.zeros(g.n, dtype=bool)
    keep[stay] = True
    here = np.flatnonzero(keep & ~is_proto)
    if len(here) == 0:
        return out_owner[:0], out_v[:0], in_u[:0], in_owner[:0]
    cum = np.cumsum(g.in_degree[here] + 1.0)
    swap = rng.random(len(out_v)) < beta
    pick = np.searchsorted(cum, rng.random(int(swap.sum())) * cum[-1], side="right")
    out_v[swap] = here[np.minimum(pick, len(here) - 1)]
    swap = rng.random(len(in_u)) < beta
    in_u[swap] = here[rng.integers(0, len(here), int(swap.sum()))]
    return out_owner, out_v, in_u, in_owner


def _join(p: Platform, rng: np.random.Generator, proto, out_owner, out_v, in_u,
          in_owner) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """Add newcomers copying ``proto`` (see :func:`_copy_edges`); return them and their edges ``u -> v``.

    Edges to or from accounts that have left are dropped.
    """
    acc = p.accounts
    new = grow(p, acc.pop.role[proto], rng)
    acc.joined_day[new] = p.day + 1
    u = np.concatenate([new[out_owner], in_u])
    v = np.concatenate([out_v, new[in_owner]])
    ok = acc.present[u] & acc.present[v]
    return new, u[ok], v[ok]
