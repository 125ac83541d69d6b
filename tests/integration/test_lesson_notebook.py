"""The lesson notebook (02) is built for a class: tagged code, collapsed answers, a glossary, the story.

Static checks of the stored notebook; test_notebooks.py executes it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")

PATH = Path(__file__).resolve().parents[2] / "notebooks" / "02_how_ranking_silences_quiet_voices.ipynb"


@pytest.fixture(scope="module")
def nb():
    return nbformat.read(PATH, as_version=4)


def _text(nb, kind):
    return "\n".join(c.source for c in nb.cells if c.cell_type == kind)


def test_every_code_cell_is_tagged_for_a_handout_without_code(nb):
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all("hide-input" in c.metadata.get("tags", []) for c in code)


def test_three_exercises_with_collapsed_answers(nb):
    answers = [c for c in nb.cells if "answer" in c.metadata.get("tags", [])]
    assert len(answers) == 3
    assert all(c.metadata["jupyter"]["source_hidden"] for c in answers)
    assert len(re.findall(r"^### Exercise \d", _text(nb, "markdown"), flags=re.M)) == 3
    assert _text(nb, "markdown").count("**Predict:**") == 3


def test_glossary_defines_every_term(nb):
    md = _text(nb, "markdown").lower()
    for term in ("impression", "reach", "voice ratio", "gini", "lorenz curve", "amplification", "engagement",
                 "feedback loop", "out of network"):
        assert f"| **{term}" in md, term


def test_links_its_story_and_uses_the_mechanisms_study(nb):
    md = _text(nb, "markdown")
    assert "](../shared/seeds/README.md)" in md and "Influencer culture doesn't serve the community" in md
    assert "mechanisms.decomposition(" in _text(nb, "code")


def test_no_result_written_in_advance(nb):
    """Findings are printed from the numbers (say(f"...")); the prose holds none of the slips issue 14 lists."""
    md = _text(nb, "markdown")
    for slip in ("no author take more than two places", "the same posts", "post about once a day",
                 "When we wrote this lesson"):
        assert slip not in md, slip
    assert not re.search(r"\d+\.\d+", md.split("## 1. The community")[1].split("## 9.")[0]), \
        "a measured number written into the prose"
    assert _text(nb, "code").count("say(f") >= 8
