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

import base64
import dataclasses
import hashlib
import json
import math
import select
import socket
import threading
from collections import OrderedDict
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from ..engine.config import FEEDBACK_LOOPS
from ..errors import FeedsimError, InvalidParameterError
from ..rankers.registry import RANKERS
from .state import ExploreParams, RunCache, default_workers, explore_state, prefetch_next, warm_up
from .widgets import LABELS, role_table_html

__all__ = ["LessonServer", "make_server", "page_html", "state_payload", "REQUEST_LIMITS", "MAX_ACCOUNT_DAYS"]

#: What one ``/api/state`` request may ask for: ``(low, high)`` per control (the page's own ranges).
REQUEST_LIMITS = {"n_users": (100, 20_000), "days": (1, 60), "replicates": (2, 10)}
#: Most accounts x days x replicates one request may compute (per feed).
MAX_ACCOUNT_DAYS = 300_000
#: Seconds a request waits for the state being computed before a 503.
LOCK_WAIT_SECONDS = 300.0
#: Socket timeout of every connection (a request that does not arrive in time is dropped).
SOCKET_TIMEOUT_SECONDS = 30.0


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


def _parse(query: dict[str, list[str]], defaults: ExploreParams) -> ExploreParams:
    """Controls from a query string; a value that is not a number names its field."""
    changes: dict[str, Any] = {}
    for name, values in query.items():
        value = values[-1]
        if name == "ranker":
            changes[name] = value
        elif name in FEEDBACK_LOOPS:
            if value not in ("0", "1", "true", "false"):
                raise InvalidParameterError(f"{name} must be 0, 1, true or false; got {value!r}")
            changes[name] = value in ("1", "true")
        elif name in ("out_of_network_share", "days"):
            try:
                changes[name] = float(value)
            except ValueError:
                raise InvalidParameterError(f"{name} must be a number; got {value!r}") from None
        elif name in ("n_users", "replicates", "seed"):
            try:
                changes[name] = int(value)
            except ValueError:
                raise InvalidParameterError(f"{name} must be an integer; got {value!r}") from None
        else:
            known = ", ".join(f.name for f in dataclasses.fields(ExploreParams))
            raise InvalidParameterError(f"unknown control {name!r}; known: {known}")
    return dataclasses.replace(defaults, **changes)


def state_payload(params: ExploreParams, cache: RunCache | None = None) -> dict[str, Any]:
    """What ``/api/state`` returns for these controls (JSON-ready).

    Examples
    --------
    >>> out = state_payload(ExploreParams(n_users=200, days=1, replicates=2))
    >>> out["image"].startswith("data:image/png;base64,"), len(out["hash"])
    (True, 64)
    """
    st = explore_state(params, cache=cache)
    png = st.figure_png()
    return {
        "headline": st.headline,
        "method": st.interval_method,
        "table": role_table_html(st),
        "image": "data:image/png;base64," + base64.b64encode(png).decode("ascii"),
        "hash": hashlib.sha256(png).hexdigest(),
        "seconds": st.seconds,
        "numbers": st.to_dict(),
    }


def page_html(defaults: ExploreParams) -> str:
    """The explorer page: controls, figure, sentence, table, and a few lines of script.

    Examples
    --------
    >>> "<select" in page_html(ExploreParams())
    True
    """
    d = defaults
    options = "".join(f"<option value='{n}'{' selected' if n == d.ranker else ''}>{n.replace('_', ' ')}</option>"
                      for n in RANKERS)
    loops = "".join(
        f"<label><input type='checkbox' name='{loop}'{' checked' if getattr(d, loop) else ''}> "
        f"{LABELS[loop]}</label><br>" for loop in FEEDBACK_LOOPS)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>feedsim lesson: whose voice is heard?</title>
<style>
body {{ font-family: sans-serif; margin: 1.5em; color: #222; }}
form {{ float: left; width: 15em; margin-right: 1.5em; line-height: 1.7; }}
main {{ overflow: hidden; }}
img {{ max-width: 100%; border: 1px solid #ddd; }}
table {{ border-collapse: collapse; font-size: 0.9em; margin-top: 0.8em; }}
td, th {{ border-bottom: 1px solid #ddd; padding: 0.2em 0.6em; text-align: right; }}
#status {{ color: #666; font-size: 0.9em; }} .error {{ color: #a00; }}
</style></head>
<body>
<h1>Whose voice is heard?</h1>
<form id="controls">
<label>{LABELS['ranker']}<br><select name="ranker" id="ranker">{options}</select></label><br>
<b>feedback loops</b><br>{loops}
<label>{LABELS['out_of_network_share']} <output id="oon_out">{d.out_of_network_share:g}</output><br>
<input type="range" name="out_of_network_share" min="0" max="0.5" step="0.05" value="{d.out_of_network_share:g}"
 oninput="oon_out.value=this.value"></label><br>
<label>{LABELS['n_users']}<br><input type="number" name="n_users" min="100" max="20000" step="100"
 value="{d.n_users}"></label><br>
<label>{LABELS['days']}<br><input type="number" name="days" min="1" max="60" step="1" value="{d.days:g}"></label>
<input type="hidden" name="replicates" value="{d.replicates}"><input type="hidden" name="seed" value="{d.seed}">
<p id="status">loading...</p>
</form>
<main>
<img id="figure" alt="Share of posts and of views per role; quiet members' voice ratio with a 95% interval">
<p id="headline"></p><p id="method" style="font-size:0.85em;color:#555"></p>
<div id="table"></div>
</main>
<script>
const form = document.getElementById("controls");
let asked = 0;
async function update() {{
  const q = new URLSearchParams();
  for (const el of form.elements) {{
    if (!el.name) continue;
    q.set(el.name, el.type === "checkbox" ? (el.checked ? "1" : "0") : el.value);
  }}
  const mine = ++asked;
  const start = performance.now();
  document.getElementById("status").textContent = "running...";
  const r = await fetch("/api/state?" + q.toString());
  const out = await r.json();
  if (mine !== asked) return;            // a newer request is on its way
  const status = document.getElementById("status");
  if (!r.ok) {{ status.textContent = out.error; status.className = "error"; return; }}
  const img = document.getElementById("figure");
  img.src = out.image;
  await img.decode().catch(() => null);  // the new figure is on screen from here
  if (mine !== asked) return;
  const seconds = (performance.now() - start) / 1000;
  img.dataset.ranker = out.numbers.params.ranker; img.dataset.seconds = seconds.toFixed(3);
  img.dataset.hash = out.hash;
  document.getElementById("headline").textContent = out.headline;
  document.getElementById("method").textContent = out.method;
  document.getElementById("table").innerHTML = out.table;
  status.className = ""; status.textContent = "updated in " + seconds.toFixed(1) + " s";
}}
form.addEventListener("change", update);
form.addEventListener("submit", e => {{ e.preventDefault(); update(); }});
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
        self._payloads: OrderedDict[ExploreParams, dict[str, Any]] = OrderedDict()

    def payload(self, params: ExploreParams) -> dict[str, Any]:
        """:func:`state_payload` for ``params``, kept for the last 32 settings (a state shown again is instant)."""
        if params in self._payloads:
            self._payloads.move_to_end(params)
            return self._payloads[params]
        out = state_payload(params, self.cache)
        self._payloads[params] = out
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
            self._send(HTTPStatus.OK, page_html(self.server.defaults).encode(), "text/html; charset=utf-8")
        elif url.path == "/api/state":
            self._state(url.query)
        else:
            self._send(HTTPStatus.NOT_FOUND, b"not found", "text/plain")

    def _state(self, query: str) -> None:
        srv = self.server
        try:
            params = _parse(parse_qs(query), srv.defaults)
            check_request(params)
        except FeedsimError as exc:
            self._error(HTTPStatus.BAD_REQUEST, str(exc))
            return
        if not srv.lock.acquire(timeout=srv.lock_wait):
            self._error(HTTPStatus.SERVICE_UNAVAILABLE,
                        f"the server is busy with another state for over {srv.lock_wait:g} s; try again")
            return
        try:
            if self._client_gone():  # it left while waiting: do not compute for nobody
                self.close_connection = True
                return
            out = srv.payload(params)
            if srv.prefetch and not self._client_gone():
                prefetch_next(params, srv.cache)
        except FeedsimError as exc:
            self._error(HTTPStatus.BAD_REQUEST, str(exc))
            return
        # a request must always get an answer: an unexpected error is a 500 with its one line, not a dead socket
        except Exception as exc:  # noqa: BLE001
            self._error(HTTPStatus.INTERNAL_SERVER_ERROR, f"{type(exc).__name__}: {exc}")
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
