"""Declared types that the type checker relies on stay in step with the code."""

import typing

from feedsim.engine import account_state


def test_account_state_declares_every_per_account_array():
    # the arrays are made in a loop over ACCOUNT_ARRAYS; the class annotations tell mypy about them
    hints = typing.get_type_hints(account_state.AccountState)
    declared = set(account_state.ACCOUNT_ARRAYS)
    assert declared <= set(hints)
    assert set(hints) - {"pop"} == declared
