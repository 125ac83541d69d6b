"""Collection rules for the doctests of ``src/feedsim`` (``--doctest-modules`` in pyproject)."""
