"""The sensitivity tool finds what must matter and clears what cannot.

``session_elasticity`` cannot matter here: it is read only when ``session_adaptation`` is on
(``feedsim/engine/day.py``, ``if cfg.session_adaptation and cfg.dynamics``; elsewhere only the
memory estimate reads it), and session adaptation is off by default. ``like_rate`` must matter for
engagements per post: every impression of a post becomes a like with a probability proportional to
it. (``link_share``, the issue's example, is an account attribute, not a parameter a sweep can vary;
no built-in ranker reads it either.) Because a point's seed is a hash of its parameters, moving the
inert parameter still redraws the randomness, so its total index converges to the seed-noise floor
(the ``seed noise`` row), not to 0: the tests assert that ``like_rate`` ranks first, clearly above
the inert factor, whose interval meets the noise row's, and, on the small default-tier design,
includes 0.
"""

from __future__ import annotations

import os

import pytest

from feedsim.sensitivity import NOISE, SensitivitySpec, run_sensitivity


def _study(n: int, n_users: int, days: float = 1.0) -> SensitivitySpec:
    return SensitivitySpec(seed=5, days=days, n=n, replicates=2, graph={"n_users": n_users, "seed": 0},
                           parameters={"like_rate": [0.01, 0.3], "session_elasticity": [0.0, 2.0]},
                           metric="engagement_per_post.regular", resamples=500)


def _check(table) -> None:
    st = table[table["index"] == "ST"].set_index("parameter")
    assert list(st.index[:2]) == ["like_rate", "session_elasticity"], st  # sorted: what must matter first
    driver, inert, noise = st.loc["like_rate"], st.loc["session_elasticity"], st.loc[NOISE]
    assert driver["low"] > inert["high"], st  # ranks first, clearly
    # the inert factor's total index is the seed noise: its interval meets the noise row's
    assert inert["low"] <= noise["high"] and noise["low"] <= inert["high"], st


def test_inert_parameter_is_cleared_and_the_driver_ranks_first(tmp_path):
    table = run_sensitivity(_study(16, 60, days=0.5), os.path.join(tmp_path, "v.sqlite"), workers=1)
    _check(table)
    inert = table[(table["index"] == "ST") & (table["parameter"] == "session_elasticity")].iloc[0]
    assert inert["low"] <= 0.0 <= inert["high"], inert  # at this size the noise floor is within the interval


@pytest.mark.slow  # 256 runs: a larger design and community
def test_inert_parameter_is_cleared_on_a_larger_design(tmp_path):
    # with a larger design the intervals narrow around the noise floor, which is above 0: a factor that
    # cannot matter is then told apart from one that does by the noise row, not by 0
    table = run_sensitivity(_study(32, 100), os.path.join(tmp_path, "v.sqlite"), workers=2)
    _check(table)
    assert table.attrs["noise_share"] < 0.5
