"""The explorer's charts as HTML (text stays text: sharp on a projector, sized by the page's CSS).

Every number comes from :class:`~feedsim.lesson.state.ExploreState` (the library's
``follower_reach`` metric and its paired difference over replicates); nothing is
computed here. Colours are the library palette (:mod:`feedsim.plots.palette`).
Lengths are percentages of the chart's width, so a chart fits any window.
"""

from __future__ import annotations

import html
import math
from typing import Any

from ..plots.palette import UNSHOWN_COLOR, ranker_color, role_color
from .state import BASELINE, POSTING_ROLES, ExploreState
from .words import RANKER_WORDS, ROLE_WORDS, ranker_name, ranker_phrase

__all__ = ["reach_chart_html", "difference_chart_html", "person_html", "CHART_STYLE"]

#: The charts' and person view's CSS (the page adds its own layout; a notebook shows these alone).
CHART_STYLE = """.chart .group { margin-bottom: 0.7rem; }
.chart .role { font-weight: 700; }
.bar, .diff { display: grid; grid-template-columns: minmax(6rem, 14rem) minmax(4rem, 1fr) 4.5rem; gap: 0.5rem;
              align-items: center; }
.diff { grid-template-columns: minmax(6rem, 10rem) minmax(4rem, 1fr) minmax(5rem, 11rem); margin: 0.25rem 0; }
.track, .axis { position: relative; height: 1.2rem; background: #f2f2f2; display: block; }
.fill { position: absolute; left: 0; top: 0; bottom: 0; display: block; }
.track .ci { position: absolute; top: 45%; height: 10%; background: #222; display: block; }
.axis .zero { position: absolute; left: 50%; top: -0.2rem; bottom: -0.2rem; width: 2px; background: #666; }
.axis .ci { position: absolute; top: 40%; height: 20%; display: block; }
.axis .dot { position: absolute; top: 10%; width: 0.9rem; height: 80%; margin-left: -0.45rem; border-radius: 50%;
             border: 2px solid #222; display: block; }
.val { font-variant-numeric: tabular-nums; }
.caption, .method { color: var(--muted); }
.phones { display: grid; grid-template-columns: repeat(auto-fit, minmax(15rem, 1fr)); gap: 1rem; }
.phone { border: 2px solid #ccc; border-radius: 0.8rem; padding: 0.4rem 0.7rem; }
.phone ol { list-style: none; padding: 0; margin: 0; }
.card { border-bottom: 1px solid #eee; padding: 0.2rem 0; }
.card.mine { background: #FFF3B0; outline: 3px solid #E6A100; }
.card.cut { border-top: 3px dashed #999; margin-top: 0.4rem; color: var(--muted); }
.slot { font-weight: 700; } .meta { color: var(--muted); }
.score { color: var(--muted); font-style: italic; }
"""


def _pct(x: float | None, digits: int = 0) -> str:
    return "-" if x is None or not math.isfinite(x) else f"{100 * x:.{digits}f}%"


def _points(x: float) -> str:
    """Percentage points with a sign, never "-0"."""
    v = round(100 * x)
    return "0" if v == 0 else f"{v:+d}"


def reach_chart_html(state: ExploreState) -> str:
    """Per role: the share of a member's own followers who see each post, both feeds side by side.

    Examples
    --------
    >>> from feedsim.lesson import explore_state
    >>> out = reach_chart_html(explore_state(n_users=200, days=1, replicates=2))
    >>> out.count("class='bar'")
    8
    """
    rows = []
    for role in POSTING_ROLES:
        bars = []
        for name in state.rankers:
            v = state.reach[name][role]
            est = v["estimate"]
            width = 0.0 if not math.isfinite(est) else 100 * est
            lo, hi = v["ci_low"], v["ci_high"]
            whisker = "" if not (math.isfinite(lo) and math.isfinite(hi)) else (
                f"<span class='ci' style='left:{100 * lo:.2f}%;width:{100 * (hi - lo):.2f}%'></span>")
            bars.append(
                f"<div class='bar' data-feed='{name}' data-role='{role}' data-value='{est:.6f}'>"
                f"<span class='feed' style='color:{ranker_color(name)}'>{html.escape(ranker_name(name))}</span>"
                f"<span class='track'><span class='fill' style='width:{width:.2f}%;background:{ranker_color(name)}'>"
                f"</span>{whisker}</span><span class='val'>{_pct(est)}</span></div>")
        rows.append(f"<div class='group'><div class='role' style='color:{role_color(role)}'>"
                    f"{ROLE_WORDS[role][0]}</div>{''.join(bars)}</div>")
    return f"<div class='chart reach' role='img' aria-label='{html.escape(state.reach_sentence)}'>{''.join(rows)}</div>"


def difference_chart_html(state: ExploreState) -> str:
    """Per role: the paired difference in follower reach (points), with its 95 % interval, around zero.

    Empty when the chosen feed is the chronological one (nothing to compare).

    Examples
    --------
    >>> from feedsim.lesson import explore_state
    >>> out = difference_chart_html(explore_state(n_users=200, days=1, replicates=2))
    >>> out.count("class='diff'")
    4
    """
    if state.params.ranker == BASELINE:
        return ""
    d = state.reach_difference
    ends = [abs(v[k]) for v in d.values() for k in ("estimate", "ci_low", "ci_high") if math.isfinite(v[k])]
    span = max([0.05, *ends]) * 1.1  # the axis runs from -span to +span

    def x(v: float) -> float:
        return 50 + 50 * max(-1.0, min(1.0, v / span))

    rows = []
    for role in POSTING_ROLES:
        v = d[role]
        est, lo, hi = v["estimate"], v["ci_low"], v["ci_high"]
        has_ci = math.isfinite(lo) and math.isfinite(hi)
        clear = has_ci and (hi < 0 or lo > 0)
        colour = role_color(role) if clear else UNSHOWN_COLOR
        ci = (f"<span class='ci' style='left:{x(lo):.2f}%;width:{x(hi) - x(lo):.2f}%;background:{colour}'></span>"
              if has_ci else "")
        dot = (f"<span class='dot' style='left:{x(est):.2f}%;background:{colour}'></span>"
               if math.isfinite(est) else "")
        words = "-" if not math.isfinite(est) else f"{_points(est)} points"
        if has_ci:
            words += f" ({_points(lo)} to {_points(hi)})"
        rows.append(f"<div class='diff' data-role='{role}' data-clear='{int(clear)}'>"
                    f"<span class='role' style='color:{role_color(role)}'>{ROLE_WORDS[role][0]}</span>"
                    f"<span class='axis'><span class='zero'></span>{ci}{dot}</span>"
                    f"<span class='val'>{words}</span></div>")
    title = (f"Difference, {html.escape(ranker_phrase(state.params.ranker))} minus newest first, in percentage "
             f"points of followers reached, paired community by community (95% interval over "
             f"{state.params.replicates} communities; coloured when the whole interval is on one side of zero)")
    return f"<div class='chart difference'><p class='caption'>{title}</p>{''.join(rows)}</div>"


def _card(item: dict[str, Any], member: int) -> str:
    where = f"slot {item['slot'] + 1}" if item["shown"] else f"not shown: ranked {item['rank'] + 1}"
    arrived = {"followee": "followed", "reshare": "reshared", "out_of_network": "out of network"}.get(
        item["arrived"], item["arrived"])
    score = "-" if item["score"] is None else f"{item['score']:.3g}"
    cls = "card" + (" mine" if item["mine"] else "") + ("" if item["shown"] else " cut")
    return (f"<li class='{cls}'><span class='slot'>{where}</span> <b style='color:{role_color(item['author_role'])}'>"
            f"@{item['author']}</b> {item['author_role']}{' (their post)' if item['author'] == member else ''}"
            f"<br><span class='meta'>{item['age_hours']:.0f} h old, {arrived}, score {score}</span></li>")


def person_html(view: dict[str, Any], rankers: tuple[str, ...]) -> str:
    """The person view: one follower's two feeds side by side, then every recorded follower in one line each.

    Examples
    --------
    >>> person_html({"member": 1, "follower": None, "feeds": {}, "followers": [], "sentence": "s"}, ())
    "<p class='sentence'>s</p><div class='phones'></div><ul class='fans'></ul>"
    """
    member = view["member"]
    phones = []
    for name in rankers:
        items = view["feeds"].get(name, [])
        cards = "".join(_card(i, member) for i in items) or "<li class='card'>no session near this moment</li>"
        phones.append(f"<div class='phone' data-feed='{name}'><h4 style='color:{ranker_color(name)}'>"
                      f"{html.escape(ranker_name(name))}: @{view['follower']}'s feed</h4>"
                      f"<p class='score'>{html.escape(RANKER_WORDS[name].score if name in RANKER_WORDS else '')}</p>"
                      f"<ol>{cards}</ol></div>")
    fans = []
    for row in view["followers"]:
        parts = []
        for name in rankers:
            r = row.get(name)
            if r is None:
                parts.append(f"{html.escape(ranker_name(name))}: did not open the app")
            elif r["slot"] is not None:
                parts.append(f"{html.escape(ranker_name(name))}: shown in slot {r['slot'] + 1}")
            elif r["rank"] is not None:
                parts.append(f"{html.escape(ranker_name(name))}: not shown (ranked {r['rank'] + 1} "
                             f"of {r['candidates']}, {r['slots']} slots)")
            else:
                parts.append(f"{html.escape(ranker_name(name))}: no post of theirs to show")
        fans.append(f"<li><b>@{row['follower']}</b>: {'; '.join(parts)}</li>")
    return (f"<p class='sentence'>{html.escape(view['sentence'])}</p><div class='phones'>{''.join(phones)}</div>"
            f"<ul class='fans'>{''.join(fans)}</ul>")
