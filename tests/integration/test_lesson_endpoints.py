"""The lesson server's endpoints without a browser (default tier): state, person view, guide, errors, stale requests."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request

import numpy as np
import pytest

from feedsim.lesson import ExploreParams
from feedsim.lesson.server import RequestError, make_server, parse_request
from feedsim.lesson.state import Abandoned, RunCache, _compute, explore_state

SMALL = ExploreParams(n_users=300, days=2, replicates=2, seed=2)


@pytest.fixture(scope="module")
def server():
    srv = make_server(0, defaults=SMALL, warm=False, workers=0, prefetch=False)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def _get(srv, query: str):
    try:
        with urllib.request.urlopen(srv.url + query, timeout=120) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_state_shows_follower_reach_from_the_metric_and_its_paired_difference(server):
    status, out = _get(server, "api/state?step=1")
    assert status == 200
    assert out["reach"].count("class='bar'") == 8 and out["difference"].count("class='diff'") == 4
    assert "data:image" not in out["reach"] + out["difference"]  # text stays text
    assert "of every 100 followers instead of" in out["headline"]
    assert out["guide"]["sentence"].startswith(out["headline"])
    # the numbers are the library's follower_reach of each replicate, paired by seed
    st = explore_state(SMALL, cache=server.cache)
    per_run = {name: [r.summary()["follower_reach"]["quiet"] for r in st.results[name]] for name in st.rankers}
    reach = out["numbers"]["reach"]
    assert reach["engagement"]["quiet"]["values"] == pytest.approx(per_run["engagement"])
    diff = out["numbers"]["reach_difference"]["quiet"]
    assert diff["estimate"] == pytest.approx(np.mean(per_run["engagement"]) - np.mean(per_run["chronological"]))
    assert diff["ci_low"] <= diff["estimate"] <= diff["ci_high"]
    assert f"{100 * reach['chronological']['quiet']['estimate']:.0f} on the newest-first" in out["headline"]


def test_person_view_highlights_the_members_post_on_both_feeds(server):
    status, out = _get(server, "api/state?person=brand")
    assert status == 200
    view = out["person_data"]
    assert view["role"] == "brand" and f"@{view['member']}" in view["sentence"]
    assert out["person"].count("class='phone'") == 2
    assert "score = minus the post" in out["person"]  # score in words for each feed
    assert "class='card mine" in out["person"]  # the member's own post, shown or cut
    status, later = _get(server, "api/state?person=brand&day=1&hour=6")
    assert status == 200 and later["person_data"]["day"] == 0 and later["person_data"]["hour"] == 6


def test_guided_path_steps_say_one_sentence_each(server):
    sentences = []
    for step, extra in ((0, "&ranker=chronological"), (2, ""), (4, "&ranker=fair_exposure")):
        status, out = _get(server, f"api/state?step={step}{extra}")
        assert status == 200, out
        sentences.append(out["guide"]["sentence"])
    assert sentences[0].startswith("This community has 300 members")
    assert sentences[1].startswith("@")
    assert "most engaging first" in sentences[2]
    assert "ranker" in _get(server, "api/state?step=0&ranker=chronological")[1]["guide"]["hides"]


@pytest.mark.parametrize(("query", "plain"), [
    ("n_users=", "Community size (members) is empty: type a number from 100 to 20,000."),
    ("n_users=5", "Community size (members) must be from 100 to 20,000; you asked for 5."),
    ("n_users=abc", "Community size (members) must be a number from 100 to 20,000; 'abc' is not a whole number."),
    ("n_users=20000&days=60", "That is more than one page can compute"),
    ("ranker=nope", "There is no feed called 'nope'"),
    ("colour=red", "The page sent a setting the server does not know ('colour')"),
])
def test_errors_are_in_plain_words_with_the_technical_line_as_detail(server, query, plain):
    status, out = _get(server, "api/state?" + query)
    assert status == 400
    assert out["error"].startswith(plain)
    assert out["detail"] and out["detail"] != out["error"]


def test_ping_reports_the_server_and_whether_it_is_preparing(server):
    status, out = _get(server, "api/ping")
    assert status == 200 and out["ok"] is True and "preparing" in out
    with urllib.request.urlopen(server.url, timeout=30) as resp:
        page = resp.read().decode()
    assert "<option value='reddit_hot' title=" in page and "Reddit &#x27;hot&#x27;" in page


def test_a_newer_ticket_abandons_the_running_state_and_day_chunks_give_the_same_run():
    cache = RunCache(max_runs=8)
    p = ExploreParams(n_users=300, days=3, replicates=2, seed=5)
    ticket = cache.new_ticket()
    got = {}

    def work():
        try:
            explore_state(p, cache=cache, ticket=ticket)
        except Abandoned as exc:
            got["abandoned"] = exc

    cache.generation.value += 0
    t = threading.Thread(target=work)
    cache.new_ticket()  # a newer request: the first stops at its first day boundary
    t.start()
    t.join(120)
    assert isinstance(got.get("abandoned"), Abandoned)
    # running day by day (with a current ticket) is the same run as one call
    G = cache.graph(p.n_users, p.seed, 0)
    whole = _compute(p, "engagement", 0, None, G=G)
    chunked = _compute(p, "engagement", 0, None, G=G, ticket=cache.new_ticket(), generation=cache.generation)
    assert whole.summary == chunked.summary


def test_parse_request_keeps_identifiers_as_values():
    params, view = parse_request({"ranker": ["reddit_hot"], "person": ["influencer"], "day": ["2"]}, SMALL)
    assert params.ranker == "reddit_hot" and view["person"] == "influencer" and view["day"] == 1
    with pytest.raises(RequestError):
        parse_request({"day": ["9"]}, SMALL)
