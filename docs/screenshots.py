"""Regenerate the classroom pictures (docs/guide/classroom.md) from the code as it is.

- ``docs/lesson_1366x768.png`` and ``docs/lesson_1920x1080.png``: the real ``feedsim lesson``
  page (the explorer's default controls: 1,000 accounts, 7 days, 3 replicates, engagement vs
  chronological) in headless Chromium at a laptop's and a projector's size, once the charts
  have arrived: what the class sees without scrolling.
- ``docs/lesson_person.png``: the same page at 1920x1080 scrolled to "Pick a person" (a quiet
  member's followers' feeds on both rankings).
- ``docs/feed_view.png``: :func:`feedsim.plots.plot_feed` for the member the explorer's
  feed view shows (a follower of the most followed quiet member of the explorer's first
  community), engagement ranking beside the chronological feed on the same seed, at day
  2, 07:00.

Needs chromium and chromedriver (Debian: ``apt-get install chromium chromium-driver``)
and selenium. ``python docs/screenshots.py [--only page|feed]``.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import threading
from pathlib import Path

DOCS = Path(__file__).resolve().parent


def feed_view(path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import feedsim
    from feedsim.lesson import ExploreParams, RunCache
    from feedsim.lesson.state import _feed_viewer

    p = ExploreParams()
    G = RunCache().graph(p.n_users, p.seed, 0)
    viewer = _feed_viewer(G)
    seed = feedsim.replicate_seeds(p.seed).run  # the explorer's first community's runs
    runs = {name: feedsim.Simulation(G, ranker=name, seed=seed, audit=[viewer]).run(days=p.days)
            for name in ("engagement", "chronological")}
    fig, ax = plt.subplots(figsize=(6.4, 6.0))
    feedsim.plots.plot_feed(runs["engagement"], viewer, 2 * 24 + 7, ax=ax, other=runs["chronological"],
                            max_shown=10)
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    print(f"wrote {path} (viewer {viewer})", file=sys.stderr)


def lesson_page(paths: dict[tuple[int, int], Path], person: Path | None = None) -> None:
    """Screenshots of the page at each ``(width, height)`` (the visible window, as projected)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.support.ui import WebDriverWait

    from feedsim.lesson import warm_up
    from feedsim.lesson.server import make_server

    srv = make_server(0, warm=False)
    warm_up()
    srv.cache.start_workers()
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    opts = webdriver.ChromeOptions()
    opts.binary_location = shutil.which("chromium") or shutil.which("chromium-browser")
    with tempfile.TemporaryDirectory() as profile:
        for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1400,900",
                     "--disable-background-networking", f"--user-data-dir={profile}"):
            opts.add_argument(flag)
        drv = webdriver.Chrome(options=opts, service=Service(executable_path=shutil.which("chromedriver")))
        try:
            drv.get(srv.url)
            WebDriverWait(drv, 300).until(lambda d: d.find_element("id", "status").text.startswith("updated"))
            for (width, height), path in paths.items():
                drv.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                    {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
                drv.execute_script("window.scrollTo(0, 0)")
                drv.save_screenshot(str(path))
                print(f"wrote {path}", file=sys.stderr)
            if person is not None:
                drv.execute_script("document.getElementById('person_area').scrollIntoView()")
                drv.save_screenshot(str(person))
                print(f"wrote {person}", file=sys.stderr)
        finally:
            drv.quit()
            srv.shutdown()
            srv.server_close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", choices=("page", "feed"))
    args = ap.parse_args()
    if args.only in (None, "feed"):
        feed_view(DOCS / "feed_view.png")
    if args.only in (None, "page"):
        lesson_page({(1366, 768): DOCS / "lesson_1366x768.png", (1920, 1080): DOCS / "lesson_1920x1080.png"},
                    person=DOCS / "lesson_person.png")


if __name__ == "__main__":
    main()
