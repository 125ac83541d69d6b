"""``import feedsim`` loads the core only: not the explorer, its server, the report or ipywidgets."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

_PROBE = """
import json, sys
import feedsim
print(json.dumps(sorted(sys.modules)))
"""


def _modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_import_feedsim_does_not_load_the_applications():
    loaded = _modules_after(_PROBE)
    assert "feedsim.engine" in loaded  # the probe really imported feedsim
    apps = sorted(m for m in loaded if m == "feedsim.lesson" or m.startswith("feedsim.lesson.")
                  or m in ("feedsim.report", "ipywidgets") or m.startswith("ipywidgets."))
    assert apps == []


def test_the_applications_load_on_first_use():
    loaded = _modules_after("import feedsim, json, sys\nfeedsim.explore\nfeedsim.lesson.report\n"
                            "print(json.dumps(sorted(sys.modules)))")
    assert {"feedsim.lesson", "feedsim.lesson.state", "feedsim.lesson.report"} <= loaded


def test_feedsim_report_is_a_deprecated_alias_of_the_lesson_report():
    import feedsim
    from feedsim.lesson import report

    with pytest.warns(DeprecationWarning, match="use feedsim.lesson.report"):
        assert feedsim.report is report
    assert feedsim.explore is feedsim.lesson.explore
