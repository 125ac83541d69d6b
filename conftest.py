"""Collection rules for the doctests of ``src/feedsim`` (``--doctest-modules`` in pyproject)."""

# feedsim.experiments is a deprecated alias that warns on import (an error under
# filterwarnings=error); it has no doctests, and tests/ checks the warning itself.
collect_ignore = ["src/feedsim/experiments"]
