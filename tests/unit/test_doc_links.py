"""Internal links of the Markdown documentation resolve: on a checkout (files and headings) and in the site.

Every relative link in README.md, CHANGELOG.md, benchmarks/*.md and the site's Markdown pages (docs/)
must name a file of the repository, and a ``#fragment`` into a Markdown file must name one of its
headings (the slug GitHub and MyST both make) or an explicit ``(label)=`` target. The site build
(``sphinx -W``, tests/integration/test_docs_build.py) checks the same links in the built pages: MyST
reports a link it cannot resolve as a warning, and the README's links into docs/ must be built pages.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINK = re.compile(r"(?<!!)\[(?P<text>[^\]]*)\]\((?P<target>[^)\s]+)\)")
IMAGE = re.compile(r"!\[[^\]]*\]\((?P<target>[^)\s]+)\)")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.S | re.M)
CODE = re.compile(r"`[^`\n]*`")
GENERATED = ("docs/_build", "docs/_generated", "docs/api", "docs/gallery/stories", "docs/gallery/field",
             "docs/gallery/notebooks")


def markdown_files() -> list[Path]:
    files = [ROOT / "README.md", ROOT / "CHANGELOG.md", *sorted((ROOT / "benchmarks").glob("*.md"))]
    files += [p for p in sorted((ROOT / "docs").rglob("*.md"))
              if not any(p.relative_to(ROOT).as_posix().startswith(g) for g in GENERATED)]
    return [p for p in files if p.is_file()]


def prose(text: str) -> str:
    """The text without code blocks and inline code (links there are examples, not links)."""
    return CODE.sub("", FENCE.sub("", text))


def slug(heading: str) -> str:
    """The anchor of a heading, as GitHub and MyST (``myst_heading_anchors``) make it."""
    text = re.sub(r"[`*_]", "", heading).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    found = {slug(m.group(1)) for m in re.finditer(r"^#{1,6}\s+(.+?)\s*#*\s*$", text, re.M)}
    found |= {m.group(1) for m in re.finditer(r"^\(([\w-]+)\)=\s*$", text, re.M)}
    return found


def links(path: Path) -> list[str]:
    text = prose(path.read_text(encoding="utf-8"))
    return [m.group("target") for m in LINK.finditer(text)] + [m.group("target") for m in IMAGE.finditer(text)]


def broken(path: Path) -> list[str]:
    out = []
    for target in links(path):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto:, ...: not an internal link
            continue
        file_part, _, fragment = target.partition("#")
        dest = (path.parent / file_part).resolve() if file_part else path
        if not dest.exists():
            out.append(f"{target}: no file {dest.relative_to(ROOT) if dest.is_relative_to(ROOT) else dest}")
        elif fragment and dest.suffix == ".md" and fragment not in anchors(dest):
            out.append(f"{target}: no heading #{fragment} in {dest.name}")
    return out


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_internal_links_resolve(path: Path) -> None:
    assert not broken(path), f"{path.relative_to(ROOT)}: broken links:\n" + "\n".join(broken(path))


def test_readme_links_into_the_docs_are_site_pages() -> None:
    """A README link into docs/ names a page of the site (a .md source, not a fragment it includes)."""
    into_docs = [t.partition("#")[0] for t in links(ROOT / "README.md") if t.startswith("docs/")]
    assert into_docs, "the README links into the docs"
    for target in into_docs:
        if target.endswith(".png"):
            continue
        assert target.endswith(".md") and not target.startswith(("docs/_", "docs/api/")), target


def test_the_check_finds_a_broken_link_and_a_broken_heading(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    (tmp_path / "other.md").write_text("# Other\n\n## A section, with words\n")
    page.write_text("# Page\n\n[ok](other.md#a-section-with-words) [gone](missing.md) "
                    "[bad](other.md#nowhere) `[code](not-a-link.md)` [web](https://example.org)\n")
    problems = broken(page)
    assert len(problems) == 2 and "missing.md" in problems[0] and "#nowhere" in problems[1]
