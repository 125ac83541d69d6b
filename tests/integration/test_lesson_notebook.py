"""The lesson notebook (02) is built for a class: tagged code, answers at the end, a glossary, the story.

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


def test_three_exercises_with_their_answers_in_a_section_at_the_end(nb):
    answers = [c for c in nb.cells if "answer" in c.metadata.get("tags", [])]
    assert len(answers) == 3
    assert all(c.metadata["jupyter"]["source_hidden"] for c in answers)
    assert len(re.findall(r"^### Exercise \d", _text(nb, "markdown"), flags=re.M)) == 3
    assert _text(nb, "markdown").count("**Predict:**") == 3
    # the last section is the answers, and every answer cell is in it (in Jupyter and in a plain nbconvert render)
    sections = [i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and c.source.startswith("## ")]
    last = sections[-1]
    assert "Answers" in nb.cells[last].source.splitlines()[0]
    assert all(nb.cells.index(a) > last for a in answers)


def test_no_answer_right_under_a_predict_prompt(nb):
    """Between an exercise's "Predict" prompt and the next text, no cell prints an answer or the headline."""
    cells = nb.cells
    prompts = [i for i, c in enumerate(cells) if c.cell_type == "markdown" and "**Predict:**" in c.source]
    assert len(prompts) == 3
    for i in prompts:
        j = i + 1
        while j < len(cells) and cells[j].cell_type == "code":
            c = cells[j]
            assert "answer" not in c.metadata.get("tags", []), f"cell {j} answers exercise at cell {i}"
            assert "**Answer" not in c.source and ".headline" not in c.source, f"cell {j} prints the answer"
            j += 1
        assert j > i + 1, "an exercise without a cell to run"


def _md_links(nb) -> list[str]:
    md = _text(nb, "markdown")
    return re.findall(r"\]\(([^)\s]+)", md) + re.findall(r"""(?:href|src)\s*=\s*["']([^"']+)""", md)


def test_no_link_leaves_the_repository(nb):
    root = PATH.parents[1].resolve()
    links = _md_links(nb)
    assert links, "the story's model is linked"
    for link in links:
        assert "://" not in link and not link.startswith(("/", "mailto:")), link
        target = (PATH.parent / link.split("#")[0]).resolve()
        assert target.is_relative_to(root) and target.exists(), link


#: Plain names of the library palette's role colours (feedsim.plots.palette.ROLE_COLORS, Okabe-Ito).
_COLOUR_NAMES = {"#D55E00": {"vermillion", "orange-red", "red"}, "#0072B2": {"blue"},
                 "#009E73": {"green", "bluish green"}, "#CC79A7": {"pink", "reddish purple"},
                 "#999999": {"grey", "gray"}}
#: Any colour word a text might use (orange is #E69F00, the engagement ranker's colour, not a role's).
_COLOUR_WORDS = set().union(*_COLOUR_NAMES.values()) | {"orange", "yellow", "purple", "brown", "black", "violet",
                                                        "cyan", "magenta", "teal"}
_ROLE_OF = {"influencers": "influencer", "influencer": "influencer", "regulars": "regular",
            "regular members": "regular", "quiet members": "quiet", "quiet": "quiet", "brands": "brand",
            "lurkers": "lurker"}


def test_colour_words_match_the_palette(nb):
    from feedsim.plots.palette import ROLE_COLORS

    assert set(ROLE_COLORS.values()) <= set(_COLOUR_NAMES), "a palette colour without a plain name here"
    text = _text(nb, "markdown") + "\n" + _text(nb, "code")
    pairs = re.findall(r"\b(" + "|".join(sorted(_ROLE_OF, key=len, reverse=True)) + r")\s*\(([a-z -]+)\)", text)
    named = [(role, colour) for role, colour in pairs if colour in _COLOUR_WORDS]
    assert named, "the figure-reading text names the roles' colours"
    for role, colour in named:
        drawn = ROLE_COLORS[_ROLE_OF[role]]
        assert colour in _COLOUR_NAMES[drawn], f"{role} drawn in {drawn}, called {colour}"


def test_glossary_defines_every_term(nb):
    md = _text(nb, "markdown").lower()
    for term in ("impression", "reach", "voice ratio", "gini", "lorenz curve", "amplification", "engagement",
                 "feedback loop", "out of network"):
        assert f"| **{term}" in md, term


def test_links_its_story_and_uses_the_mechanisms_study(nb):
    md = _text(nb, "markdown")
    assert "](../experiments/quiet_voices.py)" in md and "Influencer culture doesn't serve the community" in md
    assert "shared/" not in md
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
