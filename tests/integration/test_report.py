"""``feedsim compare --report``: one self-contained HTML page whose finding is computed from the numbers."""

from __future__ import annotations

import copy
import html
import re
import subprocess
import sys
from html.parser import HTMLParser

import pytest

import feedsim
from feedsim.cli import main
from feedsim.lesson.report import finding, headline, report_html, write_report

SMALL = ["compare", "--users", "300", "--days", "1"]


class _Refs(HTMLParser):
    """Every src/href attribute and the text of each element with an id."""

    def __init__(self):
        super().__init__()
        self.refs, self.ids, self._open = [], {}, []

    def handle_starttag(self, tag, attrs):
        d = dict(attrs)
        self.refs += [(tag, k, v) for k, v in attrs if k in ("src", "href", "srcset", "data", "action")]
        self._open.append(d.get("id"))
        if d.get("id"):
            self.ids[d["id"]] = ""

    def handle_endtag(self, tag):
        if self._open:
            self._open.pop()

    def handle_data(self, data):
        for i in self._open:
            if i:
                self.ids[i] += data


def _parse(page: str) -> _Refs:
    p = _Refs()
    p.feed(page)
    return p


@pytest.fixture(scope="module")
def cmp(community):
    return feedsim.compare(community, ["chronological", "engagement"], days=2, seed=4)


def test_cli_report_is_self_contained_and_ends_with_the_headline(capsys, tmp_path):
    path = tmp_path / "report.html"
    code = main([*SMALL, "--seed", "2", "--report", str(path)])
    out, err = capsys.readouterr()
    assert code == 0 and err == ""
    page = path.read_text(encoding="utf-8")
    p = _parse(page)
    # no outside resources: every src/href is embedded data or an anchor
    assert p.refs, "the figures must be there"
    for tag, attr, value in p.refs:
        assert value.startswith(("data:", "#")), (tag, attr, value[:60])
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.I)
    assert "<script" not in page and "<link" not in page and "@import" not in page and "url(" not in page
    assert sum(v.startswith("data:image/png;base64,") for _, _, v in p.refs) == 2  # role shares, Lorenz
    last = out.rstrip("\n").splitlines()[-1]
    assert last == html.unescape(p.ids["headline"]).strip()
    assert last.startswith("Under engagement ranking, quiet members made ")
    assert "Gini coefficient" in p.ids["finding"] and p.ids["headline"] not in p.ids["finding"]  # said once
    for key in ("seed", "versions", "config", "table-chronological", "table-engagement"):
        assert key in p.ids
    assert '"entropy": 2' in p.ids["config"] and '"numpy"' in p.ids["versions"]
    for role in ("influencers", "regular members", "quiet members", "brands"):
        assert role in p.ids["table-engagement"]


def test_terminal_ends_with_the_headline_without_report(capsys):
    assert main([*SMALL, "--seed", "2"]) == 0
    out = capsys.readouterr()[0]
    assert out.rstrip("\n").splitlines()[-1].startswith("Under engagement ranking, quiet members made ")


def test_headline_is_computed_from_the_numbers(cmp):
    fake = copy.copy(cmp)
    fake.summaries = copy.deepcopy(cmp.summaries)
    s, b = fake.summaries["engagement"], fake.summaries["chronological"]
    s["post_share"]["quiet"], s["impression_share"]["quiet"], b["impression_share"]["quiet"] = 0.12, 0.04, 0.09
    s["amplification"]["quiet"] = -0.38
    assert headline(fake) == ("Under engagement ranking, quiet members made 12% of posts and received 4.0% of "
                              "impressions (9.0% under chronological); their reach per post fell by 38%.")
    s["amplification"]["quiet"] = 0.021
    assert headline(fake).endswith("their reach per post rose by 2.1%.")
    s["amplification"]["quiet"] = 0.001
    assert headline(fake).endswith("their reach per post did not change.")
    # the real numbers appear as they are in the summaries
    real = headline(cmp)
    q = cmp.summaries["engagement"]
    assert f"{100 * q['post_share']['quiet']:.1f}%" in real or f"{100 * q['post_share']['quiet']:.0f}%" in real
    amp = q["amplification"]["quiet"]
    assert ("fell" if amp < 0 else "rose") in real


def test_finding_names_the_single_run_and_the_gini(cmp):
    text = finding(cmp)
    g0, g1 = cmp.summaries["chronological"]["gini_impressions"], cmp.summaries["engagement"]["gini_impressions"]
    assert f"{g1:.2f}, against {g0:.2f} under chronological" in text
    assert "A single run" in text and "300 accounts over 2 days" in text


def test_replicates_give_an_interval(community, tmp_path):
    rep = feedsim.compare(community, ["chronological", "engagement"], days=1, seed=4, replicates=3)
    line = headline(rep)
    st = rep.amplification["engagement"]["role"]["quiet"]
    assert "95% interval over 3 paired replicates" in line
    # three replicates give an interval (a None here passed the old "None or ..." check unseen)
    assert st["ci_low"] is not None and st["ci_high"] is not None
    assert f"{100 * st['ci_low']:+.0f}" in line or f"{100 * st['ci_low']:+.1f}" in line
    page = write_report(rep, tmp_path / "r.html").read_text()
    assert "Intervals come from 3 paired replicates" in page


def test_write_report_rejects_other_objects(tmp_path):
    with pytest.raises(feedsim.errors.InvalidParameterError, match="table must be a Comparison"):
        write_report({"a": 1}, tmp_path / "x.html")


def test_role_option(cmp):
    assert headline(cmp, role="brand").startswith("Under engagement ranking, brands made ")
    with pytest.raises(feedsim.errors.InvalidParameterError, match="role must be one of"):
        report_html(cmp, role="bots")


def test_subprocess_report(tmp_path):
    path = tmp_path / "r.html"
    proc = subprocess.run([sys.executable, "-m", "feedsim.cli", *SMALL, "--report", str(path)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert path.exists() and proc.stdout.rstrip().splitlines()[-1].startswith("Under engagement ranking")


@pytest.mark.slow  # headless Chromium: the slow tier (pytest -m slow)
def test_report_in_a_browser_shows_everything_and_asks_for_nothing(capsys, tmp_path, browser, requested_urls):
    """``feedsim compare --report`` opened in headless Chromium from file://: headline, tables, figures."""
    path = tmp_path / "report.html"
    assert main([*SMALL, "--seed", "3", "--report", str(path)]) == 0
    last = capsys.readouterr()[0].rstrip("\n").splitlines()[-1]
    browser.get(path.as_uri())
    assert browser.title == "Who is heard: chronological vs engagement feeds"
    head = browser.find_element("id", "headline")
    assert head.is_displayed() and head.text == last
    assert last not in browser.find_element("id", "finding").text  # the headline is said once
    for name in ("chronological", "engagement"):
        table = browser.find_element("id", f"table-{name}")
        assert table.is_displayed() and table.size["height"] > 100
        groups = [th.text for th in table.find_elements("css selector", "tbody th")]
        assert groups[:4] == ["influencers", "regular members", "quiet members", "brands"], groups
        cells = table.find_elements("css selector", "tbody td")
        assert len(cells) == 7 * len(groups) and all(c.text for c in cells)
    imgs = browser.find_elements("tag name", "img")
    assert len(imgs) == 2
    for img in imgs:
        assert img.get_attribute("src").startswith("data:image/png;base64,")
        assert img.is_displayed() and img.size["width"] > 300
        # decoded: the browser knows the picture's own size
        assert browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth", img) > 300
    # no outside resources: nothing but the file itself and its data URIs was requested
    source = browser.page_source
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", source, re.IGNORECASE)
    asked = requested_urls()
    assert asked and all(u.startswith(("file://", "data:")) for u in asked), asked
