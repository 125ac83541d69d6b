"""The sensitivity tool finds what must matter and clears what cannot.

``session_elasticity`` cannot matter here: it is read only when ``session_adaptation`` is on
(``feedsim/engine/day.py``, ``if cfg.session_adaptation and cfg.dynamics``; elsewhere only the
memory estimate reads it), and session adaptation is off by default. ``like_rate`` must matter for
engagements per post: every impression of a post becomes a like with a probability proportional to
it. (``link_share``, the issue's example, is an account attribute, not a parameter a sweep can vary;
no built-in ranker reads it either.) Because a point's seed is a hash of its parameters, moving the
inert parameter still redraws the randomness, so its total index is the seed noise: the test
asserts its interval includes 0, sits within the reported noise, and that ``like_rate`` ranks first.
"""

from __future__ import annotations

import os

import pytest

from feedsim.sensitivity import NOISE, SensitivitySpec, run_sensitivity


def _study(n: int, n_users: int) -> SensitivitySpec:
    return SensitivitySpec(seed=5, days=1, n=n, replicates=2, graph={"n_users": n_users, "seed": 0},
                           parameters={"like_rate": [0.01, 0.3], "session_elasticity": [0.0, 2.0]},
                           metric="engagement_per_post.regular", resamples=500)


def _check(table) -> None:
    st = table[table["index"] == "ST"].set_index("parameter")
    assert list(st.index[:2]) == ["like_rate", "session_elasticity"]  # sorted: what must matter first
    assert st.loc["like_rate", "low"] > st.loc["session_elasticity", "high"] or st.loc["like_rate", "low"] > 0.5
    inert = st.loc["session_elasticity"]
    assert inert["low"] <= 0.0 <= inert["high"], inert
    assert inert["estimate"] <= st.loc[NOISE, "high"] + inert["conf"]  # no more than noise


def test_inert_parameter_is_cleared_and_the_driver_ranks_first(tmp_path):
    _check(run_sensitivity(_study(16, 60), os.path.join(tmp_path, "v.sqlite"), workers=1))


@pytest.mark.slow  # 256 runs: a larger design and community
def test_inert_parameter_is_cleared_on_a_larger_design(tmp_path):
    table = run_sensitivity(_study(32, 100), os.path.join(tmp_path, "v.sqlite"), workers=2)
    _check(table)
    assert table.attrs["noise_share"] < 0.5
