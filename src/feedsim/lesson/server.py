"""``feedsim lesson``: the explorer as a web page on 127.0.0.1, no Jupyter needed.

Why the standard library. The page needs a handful of controls, one figure, a
sentence and a table, and a computation that takes a second or two; it is served
to one classroom machine. :mod:`http.server` (``ThreadingHTTPServer``) and one
HTML page with a ``<form>`` and ``fetch`` cover that with no dependency at all:
nothing to install beyond feedsim, nothing that can break between releases of a
web framework, no JavaScript build and no outside resources (the page works
offline; the figure arrives as a PNG data URI). Web-app libraries (Solara, Panel,
Voila, Flask/Dash) would bring a widget protocol or a server stack of their own
for a page this small. The cost of the choice: no live push, so the page asks for
a new state after each change of a control (one ``GET /api/state?...``).

Endpoints: ``GET /`` (the page), ``GET /api/state?ranker=...&n_users=...`` (JSON:
``headline``, ``table`` (HTML), ``image`` (PNG data URI), ``hash`` (SHA-256 of the
PNG), ``numbers`` (:meth:`ExploreState.to_dict`)); a bad value gives status 400
and ``{"error": message}``. States are computed one at a time (a lock), with a
:class:`RunCache` shared by all requests whose worker processes compute the runs
of one state side by side.

Limits (:data:`REQUEST_LIMITS`). A request may ask for the page's own ranges
(100 to 20,000 accounts, 1 to 60 days, 2 to 10 replicates) and at most
:data:`MAX_ACCOUNT_DAYS` accounts x days x replicates (e.g. 20,000 accounts x 7
days x 2; measured 0.63 GB peak and about 100 s on a loaded 2-core machine),
else 400 naming the limit. A request waits at most :data:`LOCK_WAIT_SECONDS` for
the state being computed, else 503; one whose client has gone meanwhile is
dropped without computing (a state already being computed is finished and kept
for the next request). Every connection has a :data:`SOCKET_TIMEOUT_SECONDS`
socket timeout, so a client that sends half a request does not hold a thread;
a client that leaves early is not an error (nothing is printed); an unexpected
error is a 500 with its one-line message.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import json
import math
import select
import socket
import threading
import time
from collections import OrderedDict
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from .._files import plain
from ..engine.config import FEEDBACK_LOOPS
from ..errors import FeedsimError, InvalidParameterError
from ..rankers.registry import RANKERS
from .charts import CHART_STYLE, difference_chart_html, person_html, reach_chart_html
from .guide import STEPS, step_sentence
from .state import (
    POSTING_ROLES,
    Abandoned,
    ExploreParams,
    RunCache,
    default_workers,
    explore_state,
    person_view,
    prefetch_next,
    role_table_html,
    warm_up,
)
from .words import LOOP_WORDS, RANKER_WORDS, ROLE_WORDS

__all__ = ["LessonServer", "make_server", "page_html", "state_payload", "parse_request", "RequestError",
           "REQUEST_LIMITS", "MAX_ACCOUNT_DAYS"]

#: What one ``/api/state`` request may ask for: ``(low, high)`` per control (the page's own ranges).
REQUEST_LIMITS = {"n_users": (100, 20_000), "days": (1, 60), "replicates": (2, 10)}
#: Most accounts x days x replicates one request may compute (per feed).
MAX_ACCOUNT_DAYS = 300_000
#: Seconds a request waits for the state being computed before a 503.
LOCK_WAIT_SECONDS = 300.0
#: Socket timeout of every connection (a request that does not arrive in time is dropped).
SOCKET_TIMEOUT_SECONDS = 30.0


#: The numeric controls in words, with their units (error messages name them so).
_CONTROL_WORDS = {"n_users": "Community size (members)", "days": "Days", "replicates": "Communities",
                  "seed": "Seed", "out_of_network_share": "Out-of-network share"}


def _plain(name: str, value: Any, low: float, high: float) -> str:
    return f"{_CONTROL_WORDS.get(name, name)} must be from {low:,} to {high:,}; you asked for {value:,}."


def check_request(params: ExploreParams) -> None:
    """Refuse a state larger than a request may ask for (:data:`REQUEST_LIMITS`, :data:`MAX_ACCOUNT_DAYS`).

    Examples
    --------
    >>> check_request(ExploreParams(n_users=20_000, days=7, replicates=2))  # within the limits
    >>> try:
    ...     check_request(ExploreParams(n_users=20_000, days=60, replicates=2))
    ... except InvalidParameterError as exc:
    ...     print(str(exc)[:58])
    n_users x days x replicates must be at most 300000 per req
    """
    for name, (low, high) in REQUEST_LIMITS.items():
        value = getattr(params, name)
        if not (math.isfinite(value) and low <= value <= high):
            raise InvalidParameterError(f"{name} must be from {low} to {high} on the lesson page; got {value!r}")
    work = params.n_users * params.days * params.replicates
    if work > MAX_ACCOUNT_DAYS:
        raise InvalidParameterError(
            f"n_users x days x replicates must be at most {MAX_ACCOUNT_DAYS} per request; got {params.n_users} x "
            f"{params.days:g} x {params.replicates} = {work:g} (use fewer accounts or days)")


class RequestError(InvalidParameterError):
    """A request the page cannot answer: ``plain`` in words for students, ``str()`` the technical line."""

    def __init__(self, message: str, plain: str) -> None:
        super().__init__(message)
        self.plain = plain


def parse_request(query: dict[str, list[str]], defaults: ExploreParams) -> tuple[ExploreParams, dict[str, Any]]:
    """Controls and view (``person``, ``day``, ``hour``, ``step``) from a query string, checked.

    Raises :class:`RequestError` whose ``plain`` says what is wrong in words.

    Examples
    --------
    >>> p, view = parse_request({"n_users": ["300"], "person": ["quiet"]}, ExploreParams())
    >>> p.n_users, view["person"]
    (300, 'quiet')
    >>> try:
    ...     parse_request({"n_users": [""]}, ExploreParams())
    ... except RequestError as exc:
    ...     print(exc.plain)
    Community size (members) is empty: type a number from 100 to 20,000.
    """
    changes: dict[str, Any] = {}
    view: dict[str, Any] = {"person": "quiet", "day": None, "hour": 12.0, "step": None}
    limits = {**REQUEST_LIMITS, "seed": (0, 2**32 - 1), "out_of_network_share": (0.0, 1.0)}
    for name, values in query.items():
        value = values[-1].strip()
        if name == "ranker":
            if value not in RANKERS:
                raise RequestError(f"ranker must be one of {', '.join(RANKERS)}; got {value!r}",
                                   f"There is no feed called {value!r}; pick one from the menu.")
            changes[name] = value
        elif name in FEEDBACK_LOOPS:
            if value not in ("0", "1", "true", "false"):
                raise RequestError(f"{name} must be 0, 1, true or false; got {value!r}",
                                   f"The switch {name.replace('_', ' ')} must be on or off.")
            changes[name] = value in ("1", "true")
        elif name in limits:
            low, high = limits[name]
            words = _CONTROL_WORDS[name]
            if value == "":
                raise RequestError(f"{name} must be a number; got ''",
                                   f"{words} is empty: type a number from {low:,} to {high:,}.")
            try:
                number = float(value) if name in ("out_of_network_share", "days") else int(value)
            except ValueError:
                raise RequestError(f"{name} must be a number; got {value!r}",
                                   f"{words} must be a number from {low:,} to {high:,}; {value!r} is not a "
                                   "whole number." if name not in ("out_of_network_share", "days") else
                                   f"{words} must be a number from {low:,} to {high:,}; {value!r} is not a number."
                                   ) from None
            if not (math.isfinite(number) and low <= number <= high):
                raise RequestError(f"{name} must be from {low} to {high} on the lesson page; got {number!r}",
                                   _plain(name, number, low, high))
            changes[name] = number
        elif name == "person":
            if value not in POSTING_ROLES:
                raise RequestError(f"person must be one of {', '.join(POSTING_ROLES)}; got {value!r}",
                                   "Pick a person from the list.")
            view["person"] = value
        elif name in ("day", "hour", "step"):
            if value == "":
                continue
            try:
                view[name] = int(value) if name != "hour" else float(value)
            except ValueError:
                raise RequestError(f"{name} must be a number; got {value!r}",
                                   f"The {name} must be a number; {value!r} is not.") from None
        else:
            known = ", ".join(f.name for f in dataclasses.fields(ExploreParams))
            raise RequestError(f"unknown control {name!r}; known: {known}",
                               f"The page sent a setting the server does not know ({name!r}); reload the page.")
    try:
        params = dataclasses.replace(defaults, **changes)
        check_request(params)
    except InvalidParameterError as exc:
        work = "x".join(str(changes.get(k, getattr(defaults, k))) for k in ("n_users", "days", "replicates"))
        plain = (f"That is more than one page can compute: members x days x communities must be at most "
                 f"{MAX_ACCOUNT_DAYS:,} (you asked for {work}); use fewer members or days."
                 if "at most" in str(exc) else f"That setting is not possible: {exc}.")
        raise RequestError(str(exc), plain) from None
    if view["day"] is not None:
        view["day"] -= 1  # the page counts days from 1
        if not 0 <= view["day"] < math.ceil(params.days):
            raise RequestError(f"day must be from 1 to {math.ceil(params.days)}; got {view['day'] + 1}",
                               f"Day must be from 1 to {math.ceil(params.days)} (the days simulated).")
    if not 0 <= view["hour"] < 24:
        raise RequestError(f"hour must be from 0 to 23; got {view['hour']:g}", "Hour must be from 0 to 23.")
    if view["step"] is not None and not 0 <= view["step"] < len(STEPS):
        raise RequestError(f"step must be from 0 to {len(STEPS) - 1}; got {view['step']}",
                           f"The guided path has steps 1 to {len(STEPS)}.")
    return params, view


def _parse(query: dict[str, list[str]], defaults: ExploreParams) -> ExploreParams:
    """The controls of a query string (:func:`parse_request` without the view)."""
    return parse_request(query, defaults)[0]


def state_payload(params: ExploreParams, cache: RunCache | None = None, view: dict[str, Any] | None = None,
                  ticket: int | None = None) -> dict[str, Any]:
    """What ``/api/state`` returns for these controls and view (JSON-ready).

    Examples
    --------
    >>> out = state_payload(ExploreParams(n_users=200, days=1, replicates=2))
    >>> sorted(out)[:4], len(out["hash"])
    (['difference', 'guide', 'hash', 'headline'], 64)
    """
    view = {"person": "quiet", "day": None, "hour": 12.0, "step": None, **(view or {})}
    cache = cache if cache is not None else RunCache(max_runs=4 * params.replicates + 8)

    def state(p: ExploreParams):
        return explore_state(p, cache=cache, ticket=ticket)

    st = state(params)
    person = person_view(st, view["person"], view["day"], view["hour"])
    guide = None if view["step"] is None else step_sentence(view["step"], st, state, person)
    reach, diff = reach_chart_html(st), difference_chart_html(st)
    out = {
        "headline": st.reach_sentence,
        "voice": st.headline,
        "method": st.interval_method,
        "reach": reach,
        "difference": diff,
        "table": role_table_html(st),
        "person": person_html(person, st.rankers),
        "person_data": {k: person[k] for k in ("member", "role", "day", "hour", "follower", "sentence")},
        "guide": guide,
        "hash": hashlib.sha256((reach + diff).encode()).hexdigest(),
        "seconds": st.seconds,
        "numbers": st.to_dict(),
    }
    return plain(out, strict=True)


_STYLE = """
:root { font-size: 18px; --ink: #222; --muted: #555; --bad: #B00020; --badbg: #FDE8EA; }
:root.presentation { font-size: 24px; }
* { box-sizing: border-box; }
body { font-family: system-ui, sans-serif; margin: 0; padding: 0.8rem 1rem; color: var(--ink); line-height: 1.4;
       overflow-wrap: anywhere; }
h1 { font-size: 1.6rem; margin: 0.2rem 0 0.6rem; } h2 { font-size: 1.25rem; margin: 1rem 0 0.4rem; }
h4 { font-size: 1rem; margin: 0.2rem 0; }
.layout { display: grid; grid-template-columns: 16rem minmax(0, 1fr); gap: 1.2rem; }
@media (max-width: 62rem) { .layout { grid-template-columns: minmax(0, 1fr); } main { order: -1; } }
form label, form fieldset { display: block; margin-bottom: 0.6rem; }
fieldset { border: 1px solid #ccc; padding: 0.3rem 0.6rem; } legend { font-weight: 600; }
select, input, button { font-size: 1rem; max-width: 100%; }
button { padding: 0.25rem 0.7rem; cursor: pointer; }
.desc { color: var(--muted); display: block; }
#status { color: var(--muted); min-height: 1.4em; }
#error { display: none; background: var(--badbg); color: var(--bad); border-left: 0.35rem solid var(--bad);
         padding: 0.4rem 0.7rem; font-weight: 600; margin: 0.4rem 0; }
#error.show { display: block; }
.stale { opacity: 0.45; position: relative; }
#stale_note { display: none; color: var(--bad); font-weight: 600; }
.is-stale #stale_note { display: block; }
.headline { font-size: 1.35rem; font-weight: 600; margin: 0.5rem 0; }
""" + CHART_STYLE + """
table { border-collapse: collapse; width: 100%; }
td, th { border-bottom: 1px solid #ddd; padding: 0.15rem 0.35rem; text-align: right; vertical-align: top; }
#guide { border: 2px solid #4477AA; border-radius: 0.5rem; padding: 0.4rem 0.8rem; margin: 0.5rem 0; }
#guide_sentence { font-size: 1.2rem; font-weight: 600; }
.hidden-step { display: none !important; }
#down { display: none; background: var(--bad); color: white; padding: 0.5rem 0.8rem; font-weight: 700; }
#down.show { display: block; }
.row { display: flex; flex-wrap: wrap; gap: 0.6rem; align-items: center; }
"""


def _ranker_options(selected: str) -> str:
    out = []
    for name in RANKERS:
        words = RANKER_WORDS.get(name)
        label = words.name if words else name.replace("_", " ")
        title = html.escape(words.description if words else "", quote=True)
        out.append(f"<option value='{name}' title='{title}'{' selected' if name == selected else ''}>"
                   f"{html.escape(label)}</option>")
    return "".join(out)


def page_html(defaults: ExploreParams, preparing: str | None = None) -> str:
    """The explorer page: controls, the reach chart, the difference, one person's feeds, the guided path.

    Examples
    --------
    >>> "<select" in page_html(ExploreParams())
    True
    """
    d = defaults
    loops = "".join(
        f"<label id='wrap_{loop}' title='{html.escape(LOOP_WORDS[loop][1], quote=True)}'><input type='checkbox' "
        f"name='{loop}'{' checked' if getattr(d, loop) else ''}> {LOOP_WORDS[loop][0]}"
        f"<span class='desc'>{LOOP_WORDS[loop][1]}</span></label>" for loop in FEEDBACK_LOOPS)
    people = "".join(f"<option value='{r}'{' selected' if r == 'quiet' else ''}>{ROLE_WORDS[r][1]}</option>"
                     for r in ("quiet", *[r for r in POSTING_ROLES if r != "quiet"]))
    hours = "".join(f"<option value='{h}'{' selected' if h == 12 else ''}>{h:02d}:00</option>" for h in range(24))
    descriptions = {name: (RANKER_WORDS[name].description if name in RANKER_WORDS else "") for name in RANKERS}
    steps = [{"title": s.title, "sets": s.sets} for s in STEPS]
    first = html.escape(preparing or "starting...")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>feedsim lesson: whose voice is heard?</title>
<style>{_STYLE}</style></head>
<body>
<div id="down" role="alert">The feedsim server has stopped. Start it again (feedsim lesson) and reload this page.</div>
<div class="row"><h1>Whose voice is heard?</h1>
<button type="button" id="present" aria-pressed="false">Presentation: larger text</button>
<button type="button" id="guide_start">Start the guided lesson</button></div>
<div id="guide" hidden><div class="row"><b id="guide_title"></b>
<button type="button" id="guide_back">Back</button><button type="button" id="guide_next">Next</button>
<button type="button" id="guide_end">End the guided lesson</button></div>
<p id="guide_sentence"></p></div>
<div class="layout">
<form id="controls" autocomplete="off">
<label id="wrap_ranker">Feed ranking<br><select name="ranker" id="ranker">{_ranker_options(d.ranker)}</select>
<span class="desc" id="ranker_desc">{html.escape(descriptions.get(d.ranker, ""))}</span></label>
<fieldset id="wrap_loops"><legend>Feedback loops</legend>{loops}</fieldset>
<label id="wrap_out_of_network_share">Posts from outside your network: <output id="oon_out">
{100 * d.out_of_network_share:.0f}%</output><br>
<input type="range" name="out_of_network_share" min="0" max="0.5" step="0.05"
 value="{d.out_of_network_share:g}"></label>
<label id="wrap_n_users">Community size (members)<br><input type="number" name="n_users" min="100" max="20000"
 step="100" value="{d.n_users}"></label>
<label id="wrap_days">Days<br><input type="number" name="days" min="1" max="60" step="1" value="{d.days:g}"></label>
<input type="hidden" name="replicates" value="{d.replicates}"><input type="hidden" name="seed" value="{d.seed}">
<p id="status" role="status">{first}</p>
</form>
<main id="main">
<div id="error" role="alert"></div>
<section id="figure_area">
<p id="stale_note">This figure is for the previous settings.</p>
<h2>Share of a member's own followers who see each post</h2>
<p class="headline" id="headline"></p>
<div id="reach" aria-live="polite"></div>
<div id="difference"></div>
</section>
<section id="person_area">
<h2>Pick a person</h2>
<div class="row"><label>Person <select id="person" name="person">{people}</select></label>
<label>Day <input type="number" id="day" name="day" min="1" max="{math.ceil(d.days)}" placeholder="auto"
 style="width:5rem"></label>
<label>Hour <select id="hour" name="hour">{hours}</select></label></div>
<div id="person_view"></div>
</section>
<section><h2>Voice ratio and the rest</h2>
<p id="voice"></p><p class="method" id="method"></p>
<div id="table"></div></section>
</main></div>
<script>
const DESCRIPTIONS = {json.dumps(descriptions)};
const STEPS = {json.dumps(steps)};
const form = document.getElementById("controls");
const $ = id => document.getElementById(id);
let controller = null, timer = null, changedAt = performance.now(), step = null, serverDown = false;
function query() {{
  const q = new URLSearchParams();
  for (const el of form.elements) {{
    if (!el.name) continue;
    q.set(el.name, el.type === "checkbox" ? (el.checked ? "1" : "0") : el.value);
  }}
  q.set("person", $("person").value); q.set("hour", $("hour").value);
  if ($("day").value !== "") q.set("day", $("day").value);
  if (step !== null) q.set("step", String(step));
  return q;
}}
function showError(text) {{
  $("error").textContent = text; $("error").classList.add("show");
  $("figure_area").classList.add("is-stale");
}}
function markStale(on) {{
  for (const id of ["reach", "difference", "person_view"]) $(id).classList.toggle("stale", on);
}}
function schedule(delay) {{
  changedAt = performance.now();
  clearTimeout(timer);
  timer = setTimeout(update, delay);
}}
async function update() {{
  if (controller) controller.abort();          // a newer request replaces the one on its way
  controller = new AbortController();
  const mine = controller;
  markStale(true);
  $("status").textContent = "computing...";
  let r, out;
  try {{
    r = await fetch("/api/state?" + query().toString(), {{signal: mine.signal}});
    out = await r.json();
  }} catch (e) {{
    if (mine.signal.aborted) return;
    setDown(true); return;
  }}
  if (mine !== controller) return;
  if (!r.ok) {{
    if (out.stale) return;
    showError(out.error || "Something went wrong."); $("status").textContent = "not updated";
    return;
  }}
  $("error").classList.remove("show"); $("figure_area").classList.remove("is-stale");
  $("reach").innerHTML = out.reach; $("difference").innerHTML = out.difference;
  $("headline").textContent = out.headline; $("voice").textContent = out.voice;
  $("method").textContent = out.method; $("table").innerHTML = out.table; $("person_view").innerHTML = out.person;
  markStale(false);
  await new Promise(res => requestAnimationFrame(() => requestAnimationFrame(res)));  // on screen from here
  if (mine !== controller) return;
  const seconds = (performance.now() - changedAt) / 1000;
  const fig = $("reach");
  fig.dataset.ranker = out.numbers.params.ranker; fig.dataset.seconds = seconds.toFixed(3); fig.dataset.hash = out.hash;
  fig.dataset.loops = JSON.stringify(Object.fromEntries(
    ["rich_get_richer", "reciprocity", "creator_adaptation", "follow_discovery"].map(k => [k, out.numbers.params[k]])));
  $("status").textContent = "updated in " + seconds.toFixed(1) + " s";
  showGuide(out.guide);
}}
function showGuide(g) {{
  document.querySelectorAll(".hidden-step").forEach(el => el.classList.remove("hidden-step"));
  if (step === null || !g) return;
  $("guide").hidden = false;
  $("guide_title").textContent = "Step " + (g.step + 1) + " of " + g.steps + ": " + g.title;
  $("guide_sentence").textContent = g.sentence;
  $("guide_back").disabled = g.step === 0; $("guide_next").disabled = g.step === g.steps - 1;
  for (const name of g.hides) {{
    const el = $("wrap_" + name); if (el) el.classList.add("hidden-step");
  }}
  const loops = ["rich_get_richer", "reciprocity", "creator_adaptation", "follow_discovery"];
  if (loops.every(k => g.hides.includes(k))) $("wrap_loops").classList.add("hidden-step");
}}
function goto(k) {{
  step = k;
  for (const [name, value] of Object.entries(STEPS[k].sets)) {{
    const el = form.elements[name];
    if (el.type === "checkbox") el.checked = value; else el.value = value;
  }}
  $("ranker_desc").textContent = DESCRIPTIONS[$("ranker").value] || "";
  if (k === 2) $("person").value = "quiet";
  $("guide").hidden = false; $("guide_sentence").textContent = "computing...";
  schedule(0);
}}
$("guide_start").onclick = () => goto(0);
$("guide_next").onclick = () => goto(Math.min(step + 1, STEPS.length - 1));
$("guide_back").onclick = () => goto(Math.max(step - 1, 0));
$("guide_end").onclick = () => {{ step = null; $("guide").hidden = true; showGuide(null); schedule(0); }};
$("present").onclick = () => {{
  const on = document.documentElement.classList.toggle("presentation");
  $("present").setAttribute("aria-pressed", String(on));
}};
form.addEventListener("input", e => {{
  if (e.target.name === "out_of_network_share") $("oon_out").value = Math.round(100 * e.target.value) + "%";
  if (e.target.type === "number" || e.target.type === "range") schedule(400);   // keyboard steps: one run
}});
form.addEventListener("change", e => {{
  if (e.target.name === "ranker") $("ranker_desc").textContent = DESCRIPTIONS[e.target.value] || "";
  if (e.target.type !== "number" && e.target.type !== "range") schedule(0);
}});
form.addEventListener("submit", e => {{ e.preventDefault(); schedule(0); }});
for (const id of ["person", "hour"]) $(id).addEventListener("change", () => schedule(0));
$("day").addEventListener("input", () => schedule(400));
function setDown(down) {{
  serverDown = down; $("down").classList.toggle("show", down);
  if (down) {{ $("status").textContent = "the server has stopped"; markStale(true); }}
}}
async function ping() {{
  try {{
    const r = await fetch("/api/ping", {{signal: AbortSignal.timeout(1500)}});
    const p = await r.json();
    if (serverDown) {{ setDown(false); schedule(0); }}
    if (p.preparing && $("reach").innerHTML === "") $("status").textContent = p.preparing;
  }} catch (e) {{ setDown(true); }}
}}
setInterval(ping, 2000);
update();
</script>
</body></html>
"""


class LessonServer(ThreadingHTTPServer):
    """A threading HTTP server holding the explorer's defaults, run cache and lock."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], defaults: ExploreParams, workers: int = 0,
                 prefetch: bool = True) -> None:
        super().__init__(address, _Handler)
        self.defaults = defaults
        self.prefetch = prefetch
        # room for what is computed ahead around two settings (about 1 MB a run at 1,000 x 7: 200 MB at most)
        self.cache = RunCache(max_runs=200, max_account_days=200 * 1000 * 7, workers=workers)
        self.lock = threading.Lock()
        self.lock_wait = LOCK_WAIT_SECONDS
        self.socket_timeout = SOCKET_TIMEOUT_SECONDS
        self._payloads: OrderedDict[tuple, dict[str, Any]] = OrderedDict()
        self.abandoned: list[float] = []  # perf_counter times at which a stale request gave up (benchmarks read it)
        from ..warmup import preparing_message  # noqa: PLC0415

        #: What the page says until its first figure: compiling (first start after install) or loading.
        self.preparing = preparing_message()
        self.ready = threading.Event()  # set when the warm-up has loaded every kernel

    def payload(self, params: ExploreParams, view: dict[str, Any] | None = None,
                ticket: int | None = None) -> dict[str, Any]:
        """:func:`state_payload` for ``params`` and ``view``, kept for the last 32 (a state shown again is instant).

        With a ``ticket`` (``cache.new_ticket()``), raises :class:`~feedsim.lesson.state.Abandoned` when a
        newer request came meanwhile.
        """
        key = (params, tuple(sorted((view or {}).items())))
        if key in self._payloads:
            self._payloads.move_to_end(key)
            return self._payloads[key]
        out = state_payload(params, self.cache, view, ticket=ticket)
        self._payloads[key] = out
        while len(self._payloads) > 32:
            self._payloads.popitem(last=False)
        return out

    def handle_error(self, request, client_address) -> None:
        """A client that left or stalled is not an error of the server: nothing is printed for it."""
        import sys  # noqa: PLC0415

        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)

    def server_close(self) -> None:
        """Close the socket and stop the run cache's worker processes."""
        super().server_close()
        cache = getattr(self, "cache", None)  # None when binding failed (e.g. the port is in use)
        if cache is not None:
            cache.close()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        if isinstance(host, bytes):  # socketserver types the address loosely; show the host, not b'...'
            host = host.decode()
        return f"http://{host}:{port}/"

    def warm_up_in_background(self) -> threading.Thread:
        """Load every ranker's compiled kernels in a thread, one run at a time under the lock; start the workers."""

        def work():
            for name in RANKERS:
                with self.lock:
                    warm_up([name])
            with self.lock:
                self.cache.start_workers()
            self.ready.set()

        t = threading.Thread(target=work, name="feedsim-lesson-warm-up", daemon=True)
        t.start()
        return t


class _Handler(BaseHTTPRequestHandler):
    server: LessonServer
    timeout = SOCKET_TIMEOUT_SECONDS  # socketserver.StreamRequestHandler sets it on the connection

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.socket_timeout)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002  (library code does not print)
        return

    def _send(self, status: int, body: bytes, ctype: str) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)
        except (ConnectionError, TimeoutError):  # the client left: nobody to tell
            self.close_connection = True

    def _error(self, status: int, message: str) -> None:
        self._send(status, json.dumps({"error": message}).encode(), "application/json")

    def _client_gone(self) -> bool:
        """True when the client has closed its end (readable with nothing to read)."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""
        except (OSError, ValueError):
            return True

    def do_GET(self) -> None:  # noqa: N802  (the http.server protocol)
        url = urlparse(self.path)
        if url.path in ("/", "/index.html"):
            self._send(HTTPStatus.OK, page_html(self.server.defaults, self.server.preparing).encode(),
                       "text/html; charset=utf-8")
        elif url.path == "/favicon.ico":
            self._send(HTTPStatus.NO_CONTENT, b"", "image/x-icon")
        elif url.path == "/api/ping":
            srv = self.server
            body = {"ok": True, "ready": srv.ready.is_set(),
                    "preparing": None if srv.ready.is_set() else (srv.preparing or "loading the simulation engine...")}
            self._send(HTTPStatus.OK, json.dumps(body).encode(), "application/json")
        elif url.path == "/api/state":
            self._state(url.query)
        else:
            self._send(HTTPStatus.NOT_FOUND, b"not found", "text/plain")

    def _state(self, query: str) -> None:
        srv = self.server
        try:
            params, view = parse_request(parse_qs(query, keep_blank_values=True), srv.defaults)
        except RequestError as exc:
            self._send(HTTPStatus.BAD_REQUEST, json.dumps({"error": exc.plain, "detail": str(exc)}).encode(),
                       "application/json")
            return
        ticket = srv.cache.new_ticket()  # the computation under way (an older request) stops at its next day
        if not srv.lock.acquire(timeout=srv.lock_wait):
            self._error(HTTPStatus.SERVICE_UNAVAILABLE,
                        f"the server is busy with another state for over {srv.lock_wait:g} s; try again")
            return
        try:
            if self._client_gone():  # it left while waiting: do not compute for nobody
                self.close_connection = True
                return
            if srv.cache.generation.value != ticket:  # replaced while it waited
                raise Abandoned("replaced by a newer request before it started")
            out = srv.payload(params, view, ticket)
            if srv.prefetch and not self._client_gone():
                prefetch_next(params, srv.cache)
        except Abandoned as exc:
            srv.abandoned.append(time.perf_counter())
            self._send(HTTPStatus.CONFLICT, json.dumps({"error": "replaced by a newer request", "stale": True,
                                                        "detail": str(exc)}).encode(), "application/json")
            return
        except FeedsimError as exc:
            self._send(HTTPStatus.BAD_REQUEST, json.dumps({"error": f"The model refused these settings: {exc}",
                                                           "detail": str(exc)}).encode(), "application/json")
            return
        # a request must always get an answer: an unexpected error is a 500 with its one line, not a dead socket
        except Exception as exc:  # noqa: BLE001
            self._send(HTTPStatus.INTERNAL_SERVER_ERROR,
                       json.dumps({"error": "The server failed on these settings; try other settings or restart it.",
                                   "detail": f"{type(exc).__name__}: {exc}"}).encode(), "application/json")
            return
        finally:
            srv.lock.release()
        self._send(HTTPStatus.OK, json.dumps(out, allow_nan=False).encode(), "application/json")


def make_server(port: int = 8765, *, host: str = "127.0.0.1", defaults: ExploreParams | None = None,
                warm: bool = True, workers: int | None = None, prefetch: bool = True) -> LessonServer:
    """A lesson server bound to ``host:port`` (``port=0``: any free port); call ``serve_forever()``.

    Parameters
    ----------
    port : int, default 8765
    host : str, default "127.0.0.1"
        Only this machine can connect by default.
    defaults : ExploreParams, optional
        The controls the page starts with.
    warm : bool, default True
        Load the rankers' compiled kernels (and start the worker processes) in a
        background thread at once.
    workers : int, optional
        Worker processes computing a state's runs side by side
        (:class:`~feedsim.lesson.RunCache`); default :func:`~feedsim.lesson.state.default_workers`,
        0 for none.
    prefetch : bool, default True
        After each state, start in the workers the runs of the other rankers and of
        each feedback loop switched (:func:`~feedsim.lesson.state.prefetch_next`), so
        that the next change is often served from the cache. A change of another
        control that arrives meanwhile drops what has not started and waits only for
        the runs already handed to the workers (one per worker).

    Examples
    --------
    >>> srv = make_server(0, warm=False)
    >>> srv.url.startswith("http://127.0.0.1:")
    True
    >>> srv.server_close()
    """
    srv = LessonServer((host, port), defaults if defaults is not None else ExploreParams(),
                       workers=default_workers() if workers is None else workers, prefetch=prefetch)
    if warm:
        srv.warm_up_in_background()
    return srv
