"""``feedsim lesson`` in a real headless browser (Debian's chromium and chromium-driver, via selenium).

The ``browser`` fixture (``conftest.py``) is skipped with a reason when chromium, its driver or
selenium is missing, except under ``CI=1``, where their absence fails the test.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import threading
import urllib.error
import urllib.request

import pytest

from feedsim.lesson import ExploreParams
from feedsim.lesson.server import make_server
from feedsim.plots.palette import ranker_color, role_color

SMALL = ExploreParams(n_users=300, days=2, replicates=2, seed=2)


@pytest.fixture(scope="module")
def server():
    srv = make_server(0, defaults=SMALL, warm=False)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def _rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def _painted(drv, selector: str, prop: str) -> list[str]:
    """The computed CSS ``prop`` of every element matching ``selector``."""
    return drv.execute_script(
        "return [...document.querySelectorAll(arguments[0])].map(e => getComputedStyle(e)[arguments[1]])",
        selector, prop)


def _figure(drv, timeout=60):
    """Wait until the page shows a figure and the status says it is up to date; return its hash."""
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(drv, timeout).until(
        lambda d: d.find_element("id", "status").text.startswith("updated")
        and d.find_element("id", "figure").get_attribute("data-hash"))
    return drv.find_element("id", "figure").get_attribute("data-hash")


@pytest.mark.slow  # headless Chromium: the slow tier (pytest -m slow)
def test_page_loads_and_changing_the_ranker_changes_the_figure(server, browser, requested_urls):
    from selenium.webdriver.support.ui import Select, WebDriverWait

    browser.get(server.url)
    assert browser.title.startswith("feedsim lesson")
    first = _figure(browser)
    headline = browser.find_element("id", "headline").text
    assert "engagement feed" in headline
    assert browser.find_element("id", "figure").get_attribute("src").startswith("data:image/png;base64,")
    assert len(browser.find_elements("css selector", "#table tr")) == 1 + 2 * 4  # header, 2 feeds x 4 roles
    # the table's colour key, as the browser paints it, is the library's ranker and role palette
    assert _painted(browser, "#table .swatch", "background-color") == [_rgb(ranker_color("chronological"))] * 4 + [
        _rgb(ranker_color("engagement"))] * 4
    assert _painted(browser, "#table td.role", "color")[:4] == [_rgb(role_color(r))
                                                              for r in ("influencer", "regular", "quiet", "brand")]

    Select(browser.find_element("id", "ranker")).select_by_value("fair_exposure")
    WebDriverWait(browser, 60).until(
        lambda d: d.find_element("id", "figure").get_attribute("data-ranker") == "fair_exposure")
    second = _figure(browser)
    assert second != first
    assert "fair exposure feed" in browser.find_element("id", "headline").text
    assert browser.find_element("id", "headline").text != headline
    assert _painted(browser, "#table .swatch", "background-color")[-1] == _rgb(ranker_color("fair_exposure"))
    # the page, its API and nothing else (the figure is a data URI)
    asked = requested_urls()
    assert asked and all(u.startswith((server.url, "data:")) for u in asked), asked
    assert any(u.startswith(server.url + "api/state?") and "ranker=fair_exposure" in u for u in asked)


@pytest.mark.slow  # headless Chromium: the slow tier (pytest -m slow)
def test_a_loop_checkbox_reaches_the_model(server, browser):
    browser.get(server.url)
    first = _figure(browser)
    browser.find_element("name", "reciprocity").click()
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 60).until(lambda d: d.find_element("id", "figure").get_attribute("data-hash") != first)
    assert _figure(browser) != first


@pytest.mark.slow
@pytest.mark.parametrize("prefetch", [False, True], ids=["cold", "prefetched"])
def test_ranker_updates_at_the_issue_size_are_timed(browser, record_property, prefetch):
    """Issue 14: at 1,000 accounts x 7 days the page shows the new figure within 2 s of a ranker change.

    The page times each update itself (from the change to the decoded new figure, ``data-seconds``);
    the times are reported (stdout, and ``record_property`` for junit XML), not asserted: the
    machine decides them. What is asserted is that every change showed its own new figure.
    ``cold``: nothing computed ahead, every change runs its 3 replicates. ``prefetched``: the
    server computes the other rankers ahead, and each change waits until that is done (a
    student looking at the page for a while). ``pytest -m slow -s tests/integration/test_lesson_browser.py -k timed``.
    """
    import time

    from selenium.webdriver.support.ui import Select, WebDriverWait

    from feedsim.lesson import warm_up

    # the explorer's defaults: 1,000 accounts, 7 days, 3 replicates
    srv = make_server(0, warm=False, prefetch=prefetch)
    assert (srv.defaults.n_users, srv.defaults.days, srv.defaults.replicates) == (1000, 7, 3)
    warm_up()
    srv.cache.start_workers()
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        browser.get(srv.url)
        hashes = {_figure(browser, timeout=300)}
        times = {}
        for name in ("fair_exposure", "popularity", "platform_favoring", "random", "reddit_hot"):
            while prefetch and srv.cache.computing_ahead:
                time.sleep(0.1)
            Select(browser.find_element("id", "ranker")).select_by_value(name)
            WebDriverWait(browser, 120, poll_frequency=0.05).until(
                lambda d, name=name: d.find_element("id", "figure").get_attribute("data-ranker") == name)
            hashes.add(_figure(browser))
            times[name] = float(browser.find_element("id", "figure").get_attribute("data-seconds"))
            assert name.replace("_", " ") + " feed" in browser.find_element("id", "headline").text
    finally:
        srv.shutdown()
        srv.server_close()
    assert len(hashes) == 1 + len(times)  # a new figure each time
    median = statistics.median(times.values())
    record_property(f"ranker_update_seconds_{'prefetched' if prefetch else 'cold'}", times)
    print(f"\nranker change to new figure at 1,000 x 7 days, {srv.cache.workers} workers, "
          f"{'prefetched' if prefetch else 'cold'}: median {median:.2f} s; "
          + ", ".join(f"{k} {v:.2f} s" for k, v in times.items()) + f"; load average {os.getloadavg()[0]:.1f}")


def test_api_rejects_a_bad_control_with_one_line_naming_it(server):
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(server.url + "api/state?n_users=5", timeout=30)
    assert err.value.code == 400
    msg = json.loads(err.value.read())["error"]
    assert msg == "n_users must be an integer >= 100 and <= 20000; got 5"
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(server.url + "api/state?colour=red", timeout=30)
    assert "unknown control 'colour'" in json.loads(err.value.read())["error"]


def test_cli_serves_the_page(tmp_path):
    """``feedsim lesson --port 0 --no-browser`` prints its address and serves the page there."""
    with subprocess.Popen([sys.executable, "-m", "feedsim", "lesson", "--port", "0", "--no-browser"],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                          env={**os.environ, "NUMBA_NUM_THREADS": "1"}) as proc:
        try:
            line = proc.stdout.readline()
            assert line.startswith("feedsim lesson: serving on http://127.0.0.1:"), line
            url = line.split()[4]
            with urllib.request.urlopen(url, timeout=30) as resp:
                page = resp.read().decode()
            assert "<select name=\"ranker\"" in page and "fair_exposure" in page
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def test_cli_rejects_a_bad_port():
    from feedsim.cli import main

    assert main(["lesson", "--port", "70000", "--no-browser"]) == 2
