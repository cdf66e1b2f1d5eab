"""hooks/figures.py: how the chapters with missing figures and numbers are grouped into tasks."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from mkdocs.exceptions import PluginError

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


@pytest.fixture(scope="module")
def figures():
    spec = importlib.util.spec_from_file_location("_figures_hook_under_test", REPO / "hooks" / "figures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_chapters_that_share_experiments_share_a_worker(figures):
    from guide import registry

    groups = figures.module_groups(registry.chapter_modules())
    assert ["guide.index", "guide.sgd_vs_adam"] in groups            # the home page reuses ch. 8
    assert ["guide.choosing", "guide.modern", "guide.recipes", "guide.schedules",
            "guide.training"] in groups
    assert ["guide.sgd"] in groups
    flat = [m for g in groups for m in g]
    assert sorted(flat) == registry.chapter_modules()                 # each module exactly once


def test_only_modules_with_work_are_grouped(figures):
    assert figures.module_groups(["guide.index"]) == [["guide.index"]]
    assert figures.module_groups([]) == []


class _Registry:
    FIGURES = {"fig-a": None, "fig-b": None}
    NUMBERS = {"n_one": None, "n_two": None}


def test_items_get_the_position_of_the_first_page_mkdocs_reads_them_on(figures, tmp_path):
    pages = {"index.md": "{{ n_two }}", "b.md": "![](figures/fig-b.svg)\n", "a.md": "{{ n_one }} {{ n_two }}",
             "sub/index.md": "![](figures/fig-a.svg)\n", "sub/z.md": "![](figures/fig-b.svg)\n",
             ".hidden/c.md": "{{ n_one }}", "skip.md": "![](figures/fig-a.svg)\n{{ unknown }}"}
    for rel, text in pages.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)

    class Exclude:
        @staticmethod
        def match_file(rel):
            return rel == "skip.md"

    # MkDocs reads index.md, a.md, b.md, then sub/index.md, sub/z.md (a folder after the files)
    assert figures.first_pages(_Registry, tmp_path, Exclude) == {
        ("number", "n_two"): 0, ("number", "n_one"): 1, ("figure", "fig-b"): 2,
        ("figure", "fig-a"): 3}


def test_the_longest_group_goes_first_then_the_order_of_the_pages(figures):
    groups = [["guide.a"], ["guide.b", "guide.c"], ["guide.d"], ["guide.e"]]
    misses = {"guide.a": [("number", "a")], "guide.b": [("figure", "b")], "guide.c": [],
              "guide.d": [("number", "d")], "guide.e": [("number", "e")]}
    first = {("number", "a"): 1, ("figure", "b"): 2, ("number", "d"): 0}   # e: on no page
    last = {"guide.a": 1.0, "guide.b": 2.0, "guide.c": 30.0, "guide.d": 5.0, "guide.e": 9.0}
    assert figures.task_order(groups, misses, first, last) == [
        ["guide.b", "guide.c"], ["guide.d"], ["guide.a"], ["guide.e"]]
    # a clean build knows no times: the group of most modules counts as the longest
    assert figures.task_order(groups, misses, first, {})[0] == ["guide.b", "guide.c"]
    assert figures.task_order(groups, misses, {}, {})[1:] == [["guide.a"], ["guide.d"], ["guide.e"]]


# ------------------------------------------------------------ captions and the code under figures

class _Spec:
    name, alt, caption = "demo", "What it shows [in brief]", "Look at the *bend* at {{ n }}."


def test_a_figure_line_becomes_a_captioned_figure_with_its_code_folded_below(figures):
    code = {"demo": ("The code that draws this figure", "x = 1\n\nprint(x)\n")}
    out = figures.expand_figures("Text.\n\n![](figures/demo.svg)\n\nMore.\n", {"demo": _Spec},
                                 code, "page.md")
    assert '<figure class="optdocs-figure" data-figure="demo" markdown="span">' in out
    assert "![What it shows \\[in brief\\]](figures/demo.svg)" in out
    assert '<figcaption markdown="span">Look at the *bend* at {{ n }}.</figcaption>' in out
    assert '??? optdocs-figure-code "The code that draws this figure"' in out
    assert "    ```python\n    x = 1\n\n    print(x)\n    ```" in out
    assert out.index("</figure>") < out.index("???") < out.index("More.")
    assert figures.substitute(out, {"n": "0.5"}, "page.md").count('data-number="n"') == 1


def test_an_indented_figure_keeps_its_block_inside_the_tab(figures):
    code = {"demo": ("T", "pass\n")}
    out = figures.expand_figures('=== "Tab"\n\n    ![alt](figures/demo.svg)\n', {"demo": _Spec},
                                 code, "page.md")
    assert "    <figure class" in out and "    ![alt](figures/demo.svg)" in out
    assert '    ??? optdocs-figure-code "T"' in out and "        ```python\n        pass" in out


def test_a_figure_inside_a_sentence_or_code_is_refused_or_left_alone(figures):
    code = {"demo": ("T", "pass\n")}
    with pytest.raises(PluginError, match="line of its own"):
        figures.expand_figures("See ![](figures/demo.svg) here.\n", {"demo": _Spec}, code, "p.md")
    fenced = "```md\n![](figures/demo.svg)\n```\n"
    assert figures.expand_figures(fenced, {"demo": _Spec}, code, "p.md") == fenced
    unknown = "![](figures/missing.svg)\n"  # MkDocs reports the missing file
    assert figures.expand_figures(unknown, {"demo": _Spec}, code, "p.md") == unknown


def test_a_figure_markdown_wrapped_in_a_paragraph_is_unwrapped(figures):
    html = ('<p><figure class="optdocs-figure" data-figure="demo" markdown="span">\n<img src="x">\n'
            '<figcaption markdown="span">Look.</figcaption>\n</figure></p>')
    assert figures.unwrap_figures(html) == (
        '<figure class="optdocs-figure" data-figure="demo">\n<img src="x">\n'
        "<figcaption>Look.</figcaption>\n</figure>")


def test_the_figures_scripts_are_read_back_from_the_cache_only_when_nothing_changed(
        figures, tmp_path, monkeypatch):
    from guide import registry

    registry.load_all()
    some = {name: registry.FIGURES[name] for name in sorted(registry.FIGURES)[:3]}
    cached = tmp_path / "code-digest.json"
    fresh = figures.figure_codes(some, cached)
    assert cached.is_file() and fresh == figures.figure_codes(some)

    def no_extraction(spec):
        raise AssertionError(f"{spec.name} extracted again")

    monkeypatch.setattr(figures, "figure_cell", no_extraction)
    assert figures.figure_codes(some, cached) == fresh                 # read back, not extracted
    fewer = dict(list(some.items())[:2])
    with pytest.raises(AssertionError, match="extracted again"):       # other figures: extracted
        figures.figure_codes(fewer, cached)
    cached.write_text("{not json")
    with pytest.raises(AssertionError, match="extracted again"):       # a broken entry: extracted
        figures.figure_codes(some, cached)


def test_the_scripts_cache_key_covers_the_guide_the_package_and_the_extraction(figures):
    roots = {p.relative_to(REPO).as_posix() for p in figures.CODE_SOURCES}
    assert roots == {"guide", "optdocs", "hooks/figure_code.py"}


def test_figure_code_put_aside_comes_back_in_place(figures):
    page = ('<p>a</p><details class="optdocs-figure-code"><summary>code</summary>x = 1'
            '</details><p>b</p><details class="optdocs-figure-code"><summary>code</summary>y'
            '</details>')
    aside, blocks = figures.put_aside(page)
    assert len(blocks) == 2 and "details" not in aside and "<p>a</p>" in aside
    assert figures.put_back(aside, blocks) == page
    with pytest.raises(PluginError, match="2 blocks of figure code were put aside, 1 found"):
        figures.put_back(aside.replace("<!--optdocs-figure-code 1-->", ""), blocks)
