"""A shareable report of a comparison: one self-contained HTML page.

:func:`write_report` turns a :class:`~feedsim.Comparison` into a single HTML file
with no outside resources (figures embedded as base64 PNG, styles inline): a
headline and a paragraph stating the finding in plain language, computed from
the numbers in the page; the per-role table of each ranker; the role-share and
Lorenz figures (no two text labels overlap); a glossary; and, folded at the
end (``<details>``), the configuration, seed and versions that reproduce it.
The page has a print stylesheet for A4.
:func:`headline` is the one-line finding ``feedsim compare`` also prints last.
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
import platform as _platform
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InvalidParameterError
from ..network.graph import ROLES

if TYPE_CHECKING:  # pragma: no cover
    from ..compare import Comparison

__all__ = ["headline", "finding", "write_report", "report_html", "voice_ratios"]

BASELINE = "chronological"
#: How a role is named in a sentence.
_ROLE_WORDS = {"influencer": "influencers", "regular": "regular members", "quiet": "quiet members",
               "brand": "brands", "lurker": "lurkers"}
_GLOSSARY = {
    "impression": "one post shown once in one person's feed",
    "share of posts / of impressions": "the group's part of all posts written / of all impressions",
    "voice ratio": "share of impressions divided by share of posts: 1 means heard as much as they speak, "
                   "below 1 heard less",
    "reach per post": "how many different people were shown each post, on average",
    "amplification": "reach per post under a ranker compared with the chronological feed of the same "
                     "community and seed, minus 1 (+10% means 10% more people saw each post)",
    "Gini coefficient and Lorenz curve": "how unequally impressions are spread over the accounts that post: "
                                        "0 is perfectly even, 1 is one account getting everything; the Lorenz "
                                        "curve shows what share of impressions the least-seen accounts get",
}


def _pct(x: float | None, signed: bool = False) -> str:
    if x is None:
        return "-"
    v = 100.0 * x
    digits = 0 if abs(v) >= 9.5 or v == 0 else 1
    return f"{v:+.{digits}f}%" if signed else f"{v:.{digits}f}%"


def _ranked(cmp: Comparison) -> str | None:
    """The first ranker of the comparison that is not chronological, or None."""
    return next((n for n in cmp.results if n != BASELINE), None)


def _role(cmp: Comparison, role: str | None) -> str | None:
    """The role the finding is about; None when no account posted (nothing to report)."""
    s = cmp.summaries[next(iter(cmp.summaries))]
    shares = s["post_share"]
    if role is not None:
        if role not in ROLES:
            raise InvalidParameterError(f"role must be one of {', '.join(ROLES)}; got {role!r}")
        if not shares.get(role):
            raise InvalidParameterError(f"role must be a role that posted in the comparison; got {role!r}")
        return role
    if shares.get("quiet"):
        return "quiet"
    voice = {r: v for r, v in s["voice_ratio"].items() if v is not None and shares.get(r)}
    return min(voice, key=voice.__getitem__) if voice else None


#: The headline of a comparison in which no account posted (e.g. 2 accounts for 1 day).
NO_POSTS = "No account posted during the run, so there is no finding to report (use more accounts or days)."


def _change(amp: float | None) -> str:
    if amp is None:
        return "could not be compared"
    if abs(amp) < 0.005:
        return "did not change"
    return f"{'rose' if amp > 0 else 'fell'} by {_pct(abs(amp))}"


def _interval(cmp: Comparison, name: str, role: str) -> str:
    st = ((cmp.amplification or {}).get(name, {}).get("role", {}) or {}).get(role)
    if not st or st.get("ci_low") is None:
        return ""
    return f" (95% interval over {cmp.replicates} paired replicates: {_pct(st['ci_low'], True)} to " \
           f"{_pct(st['ci_high'], True)})"


def headline(cmp: Comparison, role: str | None = None) -> str:
    """The finding in one sentence, computed from the comparison's numbers.

    Parameters
    ----------
    cmp : Comparison
        From :func:`feedsim.compare`.
    role : str, optional
        The group the sentence is about; default ``quiet`` (or, when quiet
        members did not post, the role with the lowest voice ratio).

    Returns
    -------
    str
        E.g. "Under engagement ranking, quiet members made 12% of posts and
        received 4% of impressions (9% under chronological); their reach per
        post fell by 38%."

    Examples
    --------
    >>> import feedsim
    >>> G = feedsim.networks.default_community(300, seed=1)
    >>> cmp = feedsim.compare(G, ["chronological", "engagement"], days=1, seed=1)
    >>> headline(cmp).startswith("Under engagement ranking, quiet members made ")
    True
    """
    role = _role(cmp, role)
    if role is None:
        return NO_POSTS
    who = _ROLE_WORDS[role]
    name = _ranked(cmp)
    base = cmp.summaries.get(BASELINE) or cmp.baseline.summary()
    if name is None:
        return (f"Under chronological ranking, {who} made {_pct(base['post_share'][role])} of posts and received "
                f"{_pct(base['impression_share'][role])} of impressions.")
    s = cmp.summaries[name]
    amp = (s.get("amplification") or {}).get(role)
    return (f"Under {name.replace('_', ' ')} ranking, {who} made {_pct(s['post_share'][role])} of posts and "
            f"received {_pct(s['impression_share'][role])} of impressions ({_pct(base['impression_share'][role])} "
            f"under chronological); their reach per post {_change(amp)}{_interval(cmp, name, role)}.")


def finding(cmp: Comparison, role: str | None = None, *, with_headline: bool = True) -> str:
    """A plain-language paragraph of the finding (the headline, then what else moved).

    Every number in it is computed from ``cmp``; nothing is written in advance.
    ``with_headline=False`` leaves the headline out (the report prints it just above).

    Examples
    --------
    >>> import feedsim
    >>> G = feedsim.networks.default_community(300, seed=1)
    >>> cmp = feedsim.compare(G, ["chronological", "engagement"], days=1, seed=1)
    >>> "Gini coefficient of impressions" in finding(cmp)
    True
    """
    role = _role(cmp, role)
    if role is None:
        return NO_POSTS
    who = _ROLE_WORDS[role]
    base = cmp.summaries.get(BASELINE) or cmp.baseline.summary()
    out = [headline(cmp, role)] if with_headline else []
    for name, s in cmp.summaries.items():
        if name == BASELINE:
            continue
        if name != _ranked(cmp):
            amp = (s.get("amplification") or {}).get(role)
            out.append(f"Under {name.replace('_', ' ')} ranking {who} received {_pct(s['impression_share'][role])} "
                       f"of impressions and their reach per post {_change(amp)}{_interval(cmp, name, role)}.")
        g0, g1 = base["gini_impressions"], s["gini_impressions"]
        if g0 is not None and g1 is not None:
            how = "more" if g1 > g0 + 0.005 else "less" if g1 < g0 - 0.005 else "about as"
            out.append(f"Impressions were {how} {'unequal' if how != 'about as' else 'unequal as before'} under "
                       f"{name.replace('_', ' ')} ranking: the Gini coefficient of impressions was {g1:.2f}, "
                       f"against {g0:.2f} under chronological (0 = everyone seen equally).")
        voice = voice_ratios(cmp, role)
        v, v0 = voice.get(name), voice.get(BASELINE)
        if v is not None and v0 is not None and math.isfinite(v["estimate"]):
            over = (f"mean over {cmp.replicates} {_units(cmp)}; " if cmp.replicates > 1 else "")
            out.append(f"For each 1% of posts they wrote, {who} got {v['estimate']:.2f}% of impressions under "
                       f"{name.replace('_', ' ')} ranking (voice ratio, {over}"
                       f"{v0['estimate']:.2f} under chronological).")
    c = cmp.config
    n_rep = c.get("replicates", 1)
    where = (f"{n_rep} communities of {c['n_users']:,} accounts (one per replicate)" if _units(cmp) == "communities"
             and n_rep > 1 else f"One community of {c['n_users']:,} accounts")
    scope = (f"{where} over {c['days']:g} days, every ranker on the same "
             f"random numbers (seed {c['seed']['entropy']}).")
    if n_rep > 1:
        scope += f" Intervals come from {n_rep} paired replicates."
    else:
        scope += (" A single run: part of any difference is chance; run with more replicates "
                  "(feedsim compare --replicates 5) for intervals.")
    out.append(scope)
    return " ".join(out)


def _units(cmp: Comparison) -> str:
    """What the replicates are: ``communities`` (one drawn per replicate) or ``replicates`` (one graph)."""
    seeds = cmp.config.get("seeds") or [{}]
    return "communities" if seeds[0].get("graph") is not None else "replicates"


def voice_ratios(cmp: Comparison, role: str | None = None) -> dict[str, dict]:
    """The voice ratio of ``role`` per ranker as the report states it: the mean over the replicates.

    Parameters
    ----------
    cmp : Comparison
        From :func:`feedsim.compare`.
    role : str, optional
        Default ``quiet`` (see :func:`headline`).

    Returns
    -------
    dict
        Per ranker (and ``chronological``): ``estimate``, ``ci_low``, ``ci_high`` (NaN for
        one replicate), ``n`` and ``values`` (one per replicate), :attr:`Comparison.voice`.

    Examples
    --------
    >>> import feedsim
    >>> cmp = feedsim.compare(300, days=1, seed=1)
    >>> v = voice_ratios(cmp)
    >>> v["engagement"]["estimate"] == cmp.summaries["engagement"]["voice_ratio"]["quiet"]
    True
    """
    role = _role(cmp, role)
    if role is None:  # no account posted: no voice ratio to report
        return {}
    return {name: stats[role] for name, stats in cmp.voice.items()}


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _draw_figures(cmp: Comparison) -> dict:
    """The report's figures as matplotlib Figures: role-share bars (one panel per ranker) and Lorenz curves.

    The role-share panels sit two to a row with one legend above them all, and
    :func:`~feedsim.plots.placement.separate_labels` turns crowded labels upright,
    so no two text labels overlap. The caller closes the figures.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..plots import plot_lorenz, plot_role_shares
    from ..plots.placement import separate_labels

    out = {}
    n = len(cmp.results)
    cols = min(n, 2)
    rows = -(-n // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5.4 * cols, 4.2 * rows), squeeze=False, sharey=True)
    flat = list(axes.flat)
    handles: list = []
    for i, (ax, (name, res)) in enumerate(zip(flat, cmp.results.items())):
        plot_role_shares(res, ax=ax)
        ax.set_title(f"{name.replace('_', ' ')} feed")
        legend = ax.get_legend()
        if legend is not None:  # one legend for all panels, above them
            handles = handles or list(legend.legend_handles)
            legend.remove()
        if i % cols:  # the shared scale is named once per row
            ax.set_ylabel("")
    for ax in flat[n:]:
        ax.set_visible(False)
    top = 1 - 0.35 / fig.get_figheight()
    if handles:
        fig.legend(handles=handles, loc="upper center", ncol=len(handles), frameon=False,
                   bbox_to_anchor=(0.5, 1.0))
    fig.tight_layout(rect=(0, 0, 1, top))
    out["role_shares"] = separate_labels(fig, rect=(0, 0, 1, top))
    fig, ax = plt.subplots(figsize=(5.2, 4.8))
    plot_lorenz(cmp.results, ax=ax)
    fig.tight_layout()
    out["lorenz"] = separate_labels(fig)
    return out


def _figures(cmp: Comparison) -> dict[str, str]:
    """The report's figures as base64 PNG."""
    import matplotlib.pyplot as plt

    out = {}
    for key, fig in _draw_figures(cmp).items():
        out[key] = _png(fig)
        plt.close(fig)
    return out


def _versions() -> dict[str, str]:
    import importlib.metadata as md

    out = {"python": _platform.python_version()}
    for pkg in ("feedsim", "numpy", "scipy", "numba", "networkx", "simpy", "matplotlib", "pandas"):
        try:
            out[pkg] = md.version(pkg)
        except md.PackageNotFoundError:  # pragma: no cover - an uninstalled checkout
            out[pkg] = "not installed"
    return out


def _role_table(name: str, s: dict) -> str:
    cols = [("share of posts", "post_share", _pct), ("share of impressions", "impression_share", _pct),
            ("voice ratio", "voice_ratio", lambda x: "-" if x is None else f"{x:.2f}"),
            ("posts seen by anyone", "visibility", _pct),
            ("followers reached per post", "follower_reach", _pct),
            ("reach per post (people)", "reach_per_post", lambda x: "-" if x is None else f"{x:.1f}"),
            ("amplification vs chronological", "amplification", lambda x: _pct(x, True))]
    head = "".join(f"<th>{html.escape(c)}</th>" for c, _, _ in cols)
    rows = []
    for role in s["post_share"]:
        cells = "".join(f"<td>{html.escape(f((s.get(k) or {}).get(role)))}</td>" for _, k, f in cols)
        rows.append(f"<tr><th scope=\"row\">{html.escape(_ROLE_WORDS.get(role, role))}</th>{cells}</tr>")
    title = f"{name.replace('_', ' ')} feed: {s['n_posts']:,} posts, {s['n_impressions']:,} impressions, " \
            f"Gini of impressions {s['gini_impressions']:.2f}" if s["gini_impressions"] is not None else name
    return (f"<table id=\"table-{html.escape(name)}\"><caption>{html.escape(title)}</caption>"
            f"<thead><tr><th>group</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")


_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:62rem;margin:2rem auto;padding:0 1rem;
color:#222;line-height:1.5}
h1{font-size:1.5rem} h2{font-size:1.15rem;margin-top:2rem}
#headline{font-size:1.2rem;font-weight:600;border-left:4px solid #009E73;padding-left:.8rem}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;margin:1rem 0;font-size:.9rem} caption{text-align:left;font-weight:600;padding:.3rem 0}
th,td{border-bottom:1px solid #ddd;padding:.25rem .6rem;text-align:right} th:first-child{text-align:left}
figure{margin:1.5rem 0} img{max-width:100%;height:auto} #figure-lorenz img{width:30rem}
pre{background:#f6f6f6;padding:.8rem;overflow-x:auto;font-size:.8rem;white-space:pre-wrap;word-break:break-word}
dt{font-weight:600} dd{margin:0 0 .5rem 1rem}
details{margin-top:2rem;border-top:1px solid #ddd;padding-top:.5rem} summary{cursor:pointer;font-weight:600}
@page{size:A4;margin:15mm 14mm}
@media print{
body{max-width:none;margin:0;padding:0;font-size:10pt;line-height:1.35}
h1{font-size:15pt} h2{font-size:12pt;margin-top:1.2rem;break-after:avoid}
#headline{font-size:11.5pt}
.table-wrap{overflow:visible}
table{width:100%;font-size:8.5pt;margin:.6rem 0} th,td{padding:.15rem .3rem}
table,tr,figure,img{break-inside:avoid}
figure{margin:.8rem 0} img{max-width:100%;max-height:120mm;object-fit:contain} #figure-lorenz img{width:105mm}
pre{font-size:7.5pt}
}
"""


def report_html(cmp: Comparison, *, title: str | None = None, role: str | None = None) -> str:
    """The report of :func:`write_report` as a string (one self-contained HTML page).

    Examples
    --------
    >>> import feedsim
    >>> G = feedsim.networks.default_community(300, seed=1)
    >>> page = report_html(feedsim.compare(G, ["chronological", "engagement"], days=1, seed=1))
    >>> '<p id="headline">' in page and "http" not in page
    True
    """
    role = _role(cmp, role)
    figs = _figures(cmp)
    title = title or "Who is heard: " + " vs ".join(n.replace("_", " ") for n in cmp.results) + " feeds"
    c = dict(cmp.config)
    seed = c.get("seed", {})
    g0 = (c.get("seeds") or [{}])[0].get("graph")
    graph_seed = (f"(community of replicate 0: entropy {g0['entropy']}, spawn key {g0['spawn_key']}; "
                  f"feedsim.replicate_seeds(seed, r) gives replicate r's seeds)") if g0 else ""
    tables = "".join(f'<div class="table-wrap">{_role_table(name, s)}</div>' for name, s in cmp.summaries.items())
    gloss = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in _GLOSSARY.items())
    esc = html.escape
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title><style>{_STYLE}</style></head>
<body>
<h1 id="title">{esc(title)}</h1>
<p id="headline">{esc(headline(cmp, role))}</p>
<p id="finding">{esc(finding(cmp, role, with_headline=False))}</p>
<h2>Who posted and who was seen, per group</h2>
<figure id="figure-role-shares"><img alt="Share of posts and share of impressions per group, one panel per feed"
src="data:image/png;base64,{figs['role_shares']}"><figcaption>Share of posts (light, hatched) and share of
impressions (solid) per group. A group whose solid bar is shorter than its light bar is heard less than it
speaks.</figcaption></figure>
{tables}
<figure id="figure-lorenz"><img alt="Lorenz curves of impressions, one per feed"
src="data:image/png;base64,{figs['lorenz']}"><figcaption>Lorenz curves: the share of all impressions (up) that
the least-seen accounts (along) received. The further below the dashed line, the more unequal.</figcaption>
</figure>
<h2>Words used here</h2><dl>{gloss}</dl>
<details id="settings"><summary>How to reproduce it: seed, settings and versions</summary>
<p id="seed">Seed: entropy {esc(str(seed.get('entropy')))}, spawn key {esc(str(seed.get('spawn_key')))}
{esc(graph_seed)}.
Rankers: {esc(', '.join(c.get('rankers', [])))}; {esc(f"{c.get('days', 0):g}")} days;
{esc(f"{c.get('n_users', 0):,}")} accounts.</p>
<pre id="versions">{esc(json.dumps(_versions(), indent=1))}</pre>
<pre id="config">{esc(json.dumps(c, indent=1, sort_keys=True, default=str))}</pre>
</details>
</body></html>
"""


def write_report(table: Comparison, path: str | Path, *, title: str | None = None, role: str | None = None) -> Path:
    """Write a comparison as one self-contained HTML page.

    Parameters
    ----------
    table : Comparison
        From :func:`feedsim.compare` (one or more replicates).
    path : str or Path
        The HTML file to write (its folder must exist).
    title : str, optional
        The page title (default names the rankers).
    role : str, optional
        The group the headline is about (see :func:`headline`).

    Returns
    -------
    Path
        The file written. The page has no outside resources (figures are
        base64 PNG); the headline is ``<p id="headline">``, the paragraph
        ``<p id="finding">``.

    Examples
    --------
    >>> import feedsim, tempfile, os
    >>> G = feedsim.networks.default_community(300, seed=1)
    >>> cmp = feedsim.compare(G, ["chronological", "engagement"], days=1, seed=1)
    >>> path = write_report(cmp, os.path.join(tempfile.mkdtemp(), "report.html"))
    >>> path.read_text().startswith("<!DOCTYPE html>")
    True
    """
    from ..compare import Comparison

    if not isinstance(table, Comparison):
        raise InvalidParameterError(f"table must be a Comparison from feedsim.compare; got {type(table).__name__}")
    path = Path(path)
    page = report_html(table, title=title, role=role)
    path.write_text(page, encoding="utf-8")
    return path

