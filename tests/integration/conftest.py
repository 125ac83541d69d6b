"""A headless Chromium shared by the browser tests (the lesson page and the HTML report).

Debian's ``chromium`` and ``chromium-driver``, driven by selenium. When one of them is
missing the tests that use the ``browser`` fixture are skipped with a reason, except under
``CI=1`` (``.ci/run`` installs them and sets it), where their absence fails the test.

The driver records Chromium's network log (``goog:loggingPrefs``), so a test can list
every URL the page asked for with the ``requested_urls`` fixture.
"""

from __future__ import annotations

import json
import os
import shutil

import pytest

IN_CI = os.environ.get("CI", "") not in ("", "0", "false")


def need(what: str, found) -> None:
    """Skip (fail under ``CI=1``) when ``found`` is falsy, naming what is missing."""
    if not found:
        msg = f"the browser test needs {what}"
        if IN_CI:
            pytest.fail(msg + " (CI=1: .ci/run must install it)")
        pytest.skip(msg + " (apt-get install chromium chromium-driver; pip install selenium)")


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    """One headless Chromium for the whole session (window 1400 x 1000)."""
    chromium = next(filter(None, map(shutil.which, ("chromium", "chromium-browser"))), None)
    driver_path = shutil.which("chromedriver")
    need("chromium", chromium)
    need("chromedriver (Debian package chromium-driver)", driver_path)
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        webdriver = None
    need("selenium", webdriver)
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--hide-scrollbars", "--window-size=1400,1000",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    drv = webdriver.Chrome(options=opts, service=Service(executable_path=driver_path))
    drv.set_page_load_timeout(60)
    yield drv
    drv.quit()


@pytest.fixture
def requested_urls(browser):
    """A function returning the URLs ``browser`` requested since its last call (and since the test began)."""

    def urls() -> list[str]:
        out = []
        for entry in browser.get_log("performance"):
            msg = json.loads(entry["message"])["message"]
            if msg.get("method") == "Network.requestWillBeSent":
                out.append(msg["params"]["request"]["url"])
        return out

    browser.get("about:blank")
    urls()  # drop what the new-tab page and earlier tests asked for
    return urls


# The story experiments and the field validations, each run once with --quick per session: their tests
# (test_experiments, test_mechanisms_experiment, test_field) check the outputs, and the docs build shows the
# same runs in its gallery (test_docs_build, FEEDSIM_GALLERY_OUT).
STORY_SCRIPTS = ["frontrunners", "quiet_voices", "gesture_bank", "treadmill", "community_vs_broadcast", "mechanisms"]
FIELD_SCRIPTS = ["huszar_2022", "pew_2019", "bandy_diakopoulos_2021", "salganik_2006", "guess_2023"]


@pytest.fixture(scope="session")
def quick_runs(tmp_path_factory):
    """``{name: (returncode, stdout, stderr, out dir)}`` of every story and field script run with --quick at once."""
    from pathlib import Path

    from _script_runs import run_quick

    experiments = Path(__file__).resolve().parents[2] / "experiments"
    scripts = {name: experiments / f"{name}.py" for name in STORY_SCRIPTS}
    scripts.update({name: experiments / "field" / f"{name}.py" for name in FIELD_SCRIPTS})
    return run_quick(scripts, tmp_path_factory.mktemp("quick_runs"), timeout=900)
