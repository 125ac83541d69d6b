"""Declared types that the type checker relies on stay in step with the code."""

import typing

from feedsim.engine import platform


def test_platform_declares_every_per_account_counter():
    # the counters are made in a loop over _USER_COUNTERS; the class annotations tell mypy about them
    hints = typing.get_type_hints(platform.Platform)
    assert set(platform._USER_COUNTERS) <= set(hints)
    assert {n for n in hints if n.startswith(("user_", "day_"))} <= set(platform._USER_COUNTERS)
