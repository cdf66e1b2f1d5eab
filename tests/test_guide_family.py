"""The optimizer family tree (guide/family_tree.py, docs/index.md): every node links to an existing
page and heading, the page's nested list is the same tree as the figure's data, and the SVG
carries each node's link."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markdown.extensions.toc import slugify

from guide import family_tree as ft

DOCS = Path(__file__).resolve().parent.parent / "docs"
ITEM = re.compile(r"^(?P<indent> *)- \[(?P<name>[^\]]+)\]\((?P<link>[^)]+)\) \((?P<year>\d{4})\):"
                  r" ?(?P<text>.*)$")


def headings(page: str) -> set[str]:
    """The anchors MkDocs gives the headings of docs/<page> (its default slugify)."""
    text = (DOCS / page).read_text()
    return {slugify(m.group(1).strip(), "-") for m in re.finditer(r"^#{1,6} (.+)$", text, re.M)}


def page_list() -> list[dict]:
    """The nested list of the home page's family-tree section: name, link, year, text, depth."""
    text = (DOCS / "index.md").read_text()
    section = text.split("## The family tree", 1)[1].split("\n## ", 1)[0]
    items: list[dict] = []
    for line in section.splitlines():
        m = ITEM.match(line)
        if m:
            items.append({**m.groupdict(), "depth": len(m["indent"]) // 4, "year": int(m["year"])})
        elif items and line.strip() and line.startswith(" ") and not line.lstrip().startswith("-"):
            items[-1]["text"] = f'{items[-1]["text"]} {line.strip()}'.strip()  # wrapped line
        elif items and line.strip():
            break
    return items


@pytest.mark.parametrize("node", ft.NODES, ids=lambda n: n.key)
def test_every_node_links_to_an_existing_page_and_heading(node):
    path, _, anchor = node.page.partition("#")
    assert (DOCS / path).is_file(), f"{node.name}: docs/{path} does not exist"
    if anchor:
        assert anchor in headings(path), f"{node.name}: no heading #{anchor} in docs/{path}"


def test_site_url_is_relative_to_the_figure_and_refuses_other_files():
    assert ft.site_url("adam.md") == "../adam/"
    assert ft.site_url("momentum.md#nesterov-momentum") == "../momentum/#nesterov-momentum"
    with pytest.raises(ValueError, match="page"):
        ft.site_url("figures/x.svg")


def test_the_page_list_is_the_same_tree_as_the_figure():
    items = page_list()
    assert [i["name"] for i in items] == [n.name for n in _preorder()], "order or membership"
    parents: list[str] = []
    for item in items:
        node = next(n for n in ft.NODES if n.name == item["name"])
        del parents[item["depth"]:]
        parent = parents[-1] if parents else None
        assert parent == (ft.BY_KEY[node.parent].name if node.parent else None), node.name
        assert item["depth"] == ft.depth(node), node.name
        assert item["link"] == node.page, node.name
        assert item["year"] == node.year, node.name
        also = f"; also takes from {ft.BY_KEY[node.also].name}." if node.also else "."
        assert item["text"] == node.idea + also, node.name
        parents.append(node.name)


def _preorder(key: str | None = None) -> list:
    out = []
    for child in ft.children(key):
        out += [child, *_preorder(child.key)]
    return out


def test_the_svg_links_every_node_to_its_chapter():
    from guide.render import figure_svg

    svg = figure_svg("family-tree").decode()
    links = re.findall(r'<a xlink:href="([^"]+)"', svg)
    for node in ft.NODES:
        assert links.count(ft.site_url(node.page)) >= 2, f"{node.name}: box and title link"
        target = ft.site_url(node.page).removeprefix("../").split("/")[0] + ".md"
        assert (DOCS / target).is_file()


def test_the_tree_claims_hold_and_catch_a_parent_younger_than_its_child(monkeypatch):
    ft.claims()
    from dataclasses import replace

    from guide.claims import ClaimError

    broken = tuple(replace(n, year=1950) if n.key == "adam" else n for n in ft.NODES)
    monkeypatch.setattr(ft, "NODES", broken)
    monkeypatch.setattr(ft, "BY_KEY", {n.key: n for n in broken})
    with pytest.raises(ClaimError, match="no older"):
        ft.claims()
