"""The MkDocs site builds strictly, offline-clean and reproducibly, and shows fresh numbers.

One strict build per session (a second, warm one for the cache tests). The builds use the
repository's cache (.cache/), so the first one is fast when nothing changed; the numbers test
recomputes every number from scratch, so a stale cache cannot hide a wrong figure in the text.
"""

from __future__ import annotations

import _imp
import base64
import hashlib
import html
import io
import json
import multiprocessing
import os
import re
import subprocess
import sys
import textwrap
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_lock import build_lock  # noqa: E402
from site_helpers import (  # noqa: E402
    REPO_ROOT,
    build_site,
    css_urls,
    fetch_pyodide,
    is_external,
    mkdocs_config,
    nav_pages,
    page_output,
    scan_html,
)

SEED_TOOL = REPO_ROOT.parent / "shared" / "tools" / "seed_overlap.py"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("site")
    stats = tmp / "stats.json"
    with build_lock():
        result = build_site(tmp / "site", env={"OPTDOCS_STATS_FILE": str(stats)})
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.output}"
    return result


@pytest.fixture(scope="module")
def rebuilt(built, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("site-warm")
    stats = tmp / "stats.json"
    with build_lock():  # no other build may write the notebooks' cache in between
        before = notebook_cache_files()
        result = build_site(tmp / "site", env={"OPTDOCS_STATS_FILE": str(stats)})
        after = notebook_cache_files()
    assert result.returncode == 0, f"second mkdocs build failed:\n{result.output}"
    data = json.loads(stats.read_text())
    data["notebooks_executed"] = sorted(set(after) - set(before))
    return result, data


def notebook_cache_files() -> list[tuple[str, int]]:
    """(path, mtime) of mkdocs-jupyter's cached notebook renderings: a new one means a run."""
    root = Path(os.environ.get("OPTDOCS_CACHE_DIR", REPO_ROOT / ".cache")) / "mkdocs-jupyter"
    return [(str(p), p.stat().st_mtime_ns) for p in root.rglob("*.json")]


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_strict_build_has_no_warnings(built):
    assert built.warnings == [], "\n".join(built.warnings)
    print(f"build took {built.seconds:.1f} s")


def test_every_nav_page_is_built(built):
    config = mkdocs_config()
    pages = nav_pages(config.get("nav"))
    assert pages, "mkdocs.yml has no nav"
    use_dirs = config.get("use_directory_urls", True)
    missing = [p for p in pages if not (built.site / page_output(p, use_dirs)).is_file()]
    assert missing == []


def resolve(page: Path, site: Path, url: str) -> Path:
    path = unquote(urlsplit(url).path)
    if path.startswith("/"):
        return site / path.lstrip("/")
    target = (page.parent / path)
    return target / "index.html" if path.endswith("/") or path == "" else target


def test_every_image_exists_and_has_alt_text(built):
    problems = []
    for page in html_pages(built.site):
        for img in scan_html(page.read_text(encoding="utf-8")).images:
            src = img.get("src", "")
            rel = page.relative_to(built.site)
            if src.startswith("data:"):
                continue
            if is_external(src):
                problems.append(f"{rel}: external image {src}")
            elif not resolve(page, built.site, src).is_file():
                problems.append(f"{rel}: missing image {src}")
            if not img.get("alt", "").strip():
                problems.append(f"{rel}: image {src} has no alt text")
    assert problems == []


def guide_registry():
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    from guide import registry

    registry.load_all()
    return registry


def test_every_registered_figure_is_in_the_site(built):
    registry = guide_registry()
    missing = []
    for name in registry.FIGURES:
        svg = built.site / "figures" / f"{name}.svg"
        if not svg.is_file() or b"<svg" not in svg.read_bytes()[:2000]:
            missing.append(name)
    assert missing == []


def test_every_figure_has_a_caption_and_its_code_folded_below(built):
    """Each guide figure: a <figure> with a caption, then a closed block holding the cell that
    draws it, whose build-time run drew a figure."""
    import re

    block = re.compile(
        r'<figure class="optdocs-figure" data-figure="([a-z0-9-]+)">\s*<img[^>]*>\s*'
        r"<figcaption>(.*?)</figcaption>\s*</figure>\s*"
        r'<details class="optdocs-figure-code">\s*<summary>(.*?)</summary>(.*?)</details>', re.S)
    seen, problems = set(), []
    for page in html_pages(built.site):
        text = page.read_text(encoding="utf-8")
        rel = page.relative_to(built.site)
        found = block.findall(text)
        if text.count('class="optdocs-figure"') != len(found):
            problems.append(f"{rel}: a figure without its caption or code block")
        for name, caption, title, body in found:
            seen.add(name)
            if not re.sub(r"<[^>]+>", "", caption).strip():
                problems.append(f"{rel}: {name} has an empty caption")
            if "The code that draws this figure" not in title:
                problems.append(f"{rel}: {name}: block title {title!r}")
            if 'class="optdocs-cell"' not in body or 'class="optdocs-cell__figure"' not in body:
                problems.append(f"{rel}: {name}: no cell, or its build-time run drew nothing")
    assert problems == []
    assert seen == set(guide_registry().FIGURES)


def test_search_indexes_the_pages_and_their_snippets_but_not_the_figures_code(built):
    """hooks/figures.py puts the folded figure code aside while the search plugin reads a page:
    the index has the prose and the snippets, the pages have the code."""
    import json

    docs = json.loads((built.site / "search" / "search_index.json").read_text())["docs"]
    text = "\n".join(d["text"] for d in docs)
    assert "The code that draws the figure" not in text and "def draw(" not in text
    assert "from optdocs import Adam" in text                          # the home page's snippet
    assert "clip_grad_norm" in text                                     # the training chapter's
    pages = "".join(p.read_text(encoding="utf-8") for p in html_pages(built.site))
    assert "<!--optdocs-figure-code" not in pages
    # each figure's script twice: in its cell's source attribute and highlighted
    assert pages.count("# The code that draws the figure") == 2 * len(guide_registry().FIGURES)


def test_no_page_or_stylesheet_loads_from_another_host(built):
    found = []
    for page in html_pages(built.site):
        scan = scan_html(page.read_text(encoding="utf-8"))
        rel = page.relative_to(built.site)
        for tag, attr, url in scan.resources:
            if is_external(url):
                found.append(f"{rel}: <{tag} {attr}={url}>")
        for css in scan.inline_styles:
            found += [f"{rel}: <style> url({u})" for u in css_urls(css) if is_external(u)]
    for css_file in sorted(built.site.rglob("*.css")):
        for url in css_urls(css_file.read_text(encoding="utf-8", errors="replace")):
            if is_external(url):
                found.append(f"{css_file.relative_to(built.site)}: url({url})")
    assert found == []


def test_numbers_in_the_text_equal_a_fresh_computation(built):
    shown: dict[str, set[str]] = {}
    for page in html_pages(built.site):
        for name, text in scan_html(page.read_text(encoding="utf-8")).numbers:
            shown.setdefault(name, set()).add(text)
    registry = guide_registry()
    unknown = sorted(set(shown) - set(registry.NUMBERS))
    assert unknown == [], "the site shows numbers that guide/ does not register"
    by_module: dict[str, list[str]] = {}
    for name in sorted(shown):
        by_module.setdefault(registry.NUMBERS[name].module, []).append(name)
    # one fresh process per chapter module (forked: no cache, nothing shared with the build)
    fresh: dict[str, str] = {}
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 2, mp_context=context) as pool:
        for result in pool.map(compute_numbers, by_module.values()):
            fresh.update(result)
    wrong = {name: (sorted(texts), fresh[name]) for name, texts in shown.items()
             if texts != {fresh[name]}}
    assert wrong == {}, "numbers in the site differ from a fresh computation (shown, fresh)"


def compute_numbers(names: list[str]) -> dict[str, str]:
    from guide import render

    return {name: render.compute_number(name) for name in names}


def test_warm_rebuild_recomputes_nothing(rebuilt):
    result, stats = rebuilt
    assert stats["cells"]["cells_run"] == 0 and stats["cells"]["cells_ahead"] == 0, stats
    assert stats["figures"]["figures_computed"] == 0, stats
    assert stats["figures"]["numbers_computed"] == 0, stats
    assert stats["notebooks_executed"] == [], stats
    print(f"warm build took {result.seconds:.1f} s")


def test_rebuild_gives_identical_pages_and_figures(built, rebuilt):
    result, _ = rebuilt
    # a re-executed notebook may split the same printed text into other output chunks
    notebooks = {page_output(str(nb.relative_to(REPO_ROOT / "docs").with_suffix(".md")))
                 for nb in (REPO_ROOT / "docs").rglob("*.ipynb")}
    differ = []
    for first in sorted(built.site.rglob("*")):
        if first.suffix not in (".html", ".svg") or not first.is_file():
            continue
        rel = first.relative_to(built.site)
        if rel.as_posix() in notebooks:
            continue
        second = result.site / rel
        if not second.is_file() or second.read_bytes() != first.read_bytes():
            differ.append(str(rel))
    assert differ == []


# --- the hooks' failure modes, on a one-page site ---------------------------------------------

def small_site(tmp: Path, page: str, hooks: list[str]) -> Path:
    (tmp / "docs").mkdir(parents=True)
    (tmp / "docs" / "index.md").write_text(textwrap.dedent(page))
    hook_lines = "\n".join(f"  - {REPO_ROOT / 'hooks' / h}" for h in hooks)
    (tmp / "mkdocs.yml").write_text(
        "site_name: t\nhooks:\n" + hook_lines
        + "\nmarkdown_extensions:\n  - pymdownx.highlight:\n      pygments_lang_class: true"
        + "\n  - pymdownx.superfences\n"
    )
    return tmp / "mkdocs.yml"


def test_a_failing_python_block_fails_the_build_with_its_place(tmp_path):
    config = small_site(tmp_path, """\
        # Page

        Some text.

        ```python
        total = 1
        print("partial output")
        raise RuntimeError("deliberate failure")
        ```
        """, ["cells.py"])
    result = build_site(tmp_path / "site", config=config, cwd=tmp_path,
                        env={"OPTDOCS_CACHE_DIR": str(tmp_path / "cache")})
    assert result.returncode != 0
    assert "docs/index.md:6" in result.output
    assert "'total = 1'" in result.output
    assert 'File "<cell>", line 3' in result.output
    assert "RuntimeError: deliberate failure" in result.output
    assert "partial output" in result.output


def test_cells_run_ahead_of_their_page_and_a_warm_build_runs_none(tmp_path):
    config = small_site(tmp_path, """\
        # Page

        ```python
        print("first", 6 * 7)
        ```

        > ```python
        > import numpy as np
        > print("second", np.arange(3).sum())
        > ```
        """, ["cells.py"])
    counts = []
    for _ in range(2):
        stats_file = tmp_path / "stats.json"
        result = build_site(tmp_path / "site", config=config, cwd=tmp_path,
                            env={"OPTDOCS_CACHE_DIR": str(tmp_path / "cache"),
                                 "OPTDOCS_STATS_FILE": str(stats_file)})
        assert result.returncode == 0, result.output
        page = (tmp_path / "site" / "index.html").read_text()
        assert "first 42" in page and "second 3" in page
        cells = json.loads(stats_file.read_text())["cells"]
        counts.append((cells["cells_ahead"], cells["cells_run"], cells["cells_cached"]))
    assert counts == [(2, 0, 0), (0, 0, 2)]   # both found by the background, then the cache


def test_an_unknown_number_fails_the_build(built, tmp_path):
    config = small_site(tmp_path, """\
        # Page

        The value is {{ no_such_number_anywhere }}; in code `{{ ignored }}` stays.
        """, ["figures.py"])
    result = build_site(tmp_path / "site", config=config, cwd=tmp_path)
    assert result.returncode != 0
    assert "index.md:3: unknown number {{ no_such_number_anywhere }}" in result.output


def test_first_run_pycs_are_hash_checked_pycs_of_the_runtimes_numpy_and_this_optdocs(built):
    """scripts/compile_pycs.mjs (run by the build under Node): each .pyc checks its source's hash,
    and the hashes are those of numpy's sources in the pinned wheel and of optdocs/ here."""
    fetch = fetch_pyodide()
    config = (built.site / "assets" / "runner" / "config.js").read_text()
    pycs = json.loads(config[config.index("{"):config.rindex("}") + 1])["pycs"]
    data = (built.site / "assets" / "runner" / pycs["url"]).read_bytes()
    assert pycs["integrity"] == "sha256-" + base64.b64encode(hashlib.sha256(data).digest()).decode()
    lock = json.loads((fetch.DEFAULT_DIR / "pyodide-lock.json").read_text())
    numpy_wheel = zipfile.ZipFile(fetch.DEFAULT_DIR / lock["packages"]["numpy"]["file_name"])
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
        assert "numpy/__init__.py" in names and "optdocs/optimizers/adam.py" in names
        for name in names:
            pyc = z.read(name)
            assert int.from_bytes(pyc[:2], "little") == 3531, name  # CPython 3.12's magic number
            assert int.from_bytes(pyc[4:8], "little") == 3, name  # checked hash
            if name.startswith("numpy/"):
                source = numpy_wheel.read(name)
            else:
                assert name.startswith("optdocs/"), name
                source = (REPO_ROOT / name).read_bytes()
            # importlib.util.source_hash with 3.12's key (this may be another Python)
            assert pyc[8:16] == _imp.source_hash(int.from_bytes(pyc[:4], "little"), source), name


def test_cells_render_per_the_runner_contract(tmp_path):
    config = small_site(tmp_path, """\
        # Page

        ```python
        import matplotlib.pyplot as plt
        print("</script> is escaped")
        plt.plot([0, 1], [1, 0])
        plt.show()
        plt.figure()
        plt.plot([0, 1], [0, 1])
        ```

        ```py
        print("display only")
        ```

        ```python
        pass
        ```
        """, ["cells.py"])
    result = build_site(tmp_path / "site", config=config, cwd=tmp_path,
                        env={"OPTDOCS_CACHE_DIR": str(tmp_path / "cache")})
    assert result.returncode == 0, result.output
    html = (tmp_path / "site" / "index.html").read_text()
    assert html.count('class="optdocs-cell"') == 2
    assert ('<div class="optdocs-cell" data-optdocs-cell="c1" data-state="idle" '
            'data-optdocs-source="') in html
    assert '"><div class="language-python highlight"><pre><span></span><code>' in html
    assert 'data-optdocs-cell="c2"' in html
    assert "<script" not in html.split('class="optdocs-cell"')[1].split("optdocs-cell__output")[0]
    assert 'print(&quot;&lt;/script&gt; is escaped&quot;)' in html
    assert '<pre class="optdocs-cell__stdout">&lt;/script&gt; is escaped\n</pre>' in html
    images = [i for i in scan_html(html).images if "optdocs-cell__figure" in i.get("class", "")]
    assert [i["alt"] for i in images] == ["Figure 1 produced by this code",
                                         "Figure 2 produced by this code"]
    for img in images:
        assert img["src"].startswith("cells/") and (tmp_path / "site" / img["src"]).is_file()
    assert html.count('class="optdocs-cell__output"') == 2
    assert html.count("optdocs-cell__stdout") == 1  # the empty cell has no <pre>
    assert '<div class="language-py highlight">' in html


def test_a_rebuild_prunes_cell_results_that_no_build_uses(tmp_path):
    """Edit a cell and rebuild: the old result (and its figure) leaves the cache once no build has
    used it for the grace period (here: aged on purpose), so `mkdocs serve` keeps the disk flat."""
    cache = tmp_path / "cache"
    outputs = {}
    for name, word in (("a", "first"), ("b", "second")):
        config = small_site(tmp_path / name, f"""\
            # Page

            ```python
            import matplotlib.pyplot as plt
            plt.plot([0, 1], [{len(word)}, 0])
            print("{word}")
            ```
            """, ["cells.py"])
        result = build_site(tmp_path / name / "site", config=config, cwd=tmp_path / name,
                            env={"OPTDOCS_CACHE_DIR": str(cache)})
        assert result.returncode == 0, result.output
        entries = sorted((cache / "optdocs-cells").glob("*.json"))
        outputs[name] = {json.loads(p.read_text())["output"] for p in entries}
        svgs = sorted((cache / "optdocs-cells" / "svg").glob("*.svg"))
        for path in [*entries, *svgs]:      # every entry unused for an hour
            os.utime(path, (path.stat().st_mtime - 3600,) * 2)
    assert outputs == {"a": {"first\n"}, "b": {"second\n"}}
    assert len(svgs) == 1


def _notebook_site(tmp: Path, hooks: list[str]) -> Path:
    import nbformat

    (tmp / "docs").mkdir(parents=True)
    (tmp / "docs" / "index.md").write_text("# Home\n")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# A notebook", id="title"),
                nbformat.v4.new_code_cell("print(6 * 7)", id="answer")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, tmp / "docs" / "nb.ipynb")
    nb.cells[1].source = "print(6 * 8)"
    nbformat.write(nb, tmp / "docs" / "nb2.ipynb")
    hook_lines = "".join(f"\n  - {REPO_ROOT / 'hooks' / h}" for h in hooks)
    (tmp / "mkdocs.yml").write_text(
        "site_name: t\nplugins:\n  - mkdocs-jupyter:\n      include: ['*.ipynb']\n"
        "      execute: true\n      allow_errors: false\n      include_source: true\n"
        + (f"hooks:{hook_lines}\n" if hooks else ""))
    return tmp / "mkdocs.yml"


def test_notebooks_run_in_the_background_render_exactly_as_the_plugin_does(tmp_path):
    """... and the notebook a reader downloads is the executed one, outputs included."""
    import nbformat

    pages, downloads = {}, {}
    for name, hooks in (("plugin", []), ("hook", ["notebooks.py"])):
        config = _notebook_site(tmp_path / name, hooks)
        result = build_site(tmp_path / name / "site", config=config, cwd=tmp_path / name,
                            env={"OPTDOCS_CACHE_DIR": str(tmp_path / name / "cache")})
        assert result.returncode == 0, result.output
        # the plugin finds the background process's renderings (both notebooks, one process), or
        # renders them itself
        assert result.output.count("Cache hit") == (2 if name == "hook" else 0), result.output
        pages[name] = (tmp_path / name / "site" / "nb" / "index.html").read_text()
        assert "48" in (tmp_path / name / "site" / "nb2" / "index.html").read_text()
        downloads[name] = nbformat.read(tmp_path / name / "site" / "nb" / "nb.ipynb", as_version=4)
    assert "42" in pages["plugin"]
    assert pages["hook"] == pages["plugin"]
    assert list((tmp_path / "hook" / "cache" / "mkdocs-jupyter").glob("*/*.json"))
    source = nbformat.read(tmp_path / "hook" / "docs" / "nb.ipynb", as_version=4)
    for nb in downloads.values():
        assert [c.source for c in nb.cells] == [c.source for c in source.cells]
    assert downloads["plugin"].cells[1].outputs == []              # the plugin copies the source
    assert downloads["hook"].cells[1].outputs[0]["text"] == "42\n"


def test_a_notebook_failing_in_the_background_leaves_the_others_rendered(monkeypatch, capsys):
    from hooks import notebooks

    rendered = []

    def render(spec):
        if spec["path"] == "bad.ipynb":
            raise RuntimeError("the kernel died")
        rendered.append(spec["path"])

    monkeypatch.setattr(notebooks, "render", render)
    specs = [{"path": p} for p in ("a.ipynb", "bad.ipynb", "c.ipynb")]
    assert notebooks.render_all(specs) == 1
    assert rendered == ["a.ipynb", "c.ipynb"]
    assert "the kernel died" in capsys.readouterr().err
    assert notebooks.render_all(specs[:1]) == 0


def test_each_exercise_downloads_with_its_measured_answers(built):
    """The .ipynb beside each exercise page is the notebook as committed, executed: the folded
    solution's outputs (the measured answers) are in the download, as in the page."""
    import nbformat

    for source in sorted((REPO_ROOT / "docs" / "exercises").glob("*.ipynb")):
        download = built.site / "exercises" / source.stem / source.name
        nb, committed = (nbformat.read(p, as_version=4) for p in (download, source))
        assert [c.source for c in nb.cells] == [c.source for c in committed.cells], source.name
        assert [c.metadata.get("tags") for c in nb.cells] == [c.metadata.get("tags") for c in committed.cells]
        answers = [c for c in nb.cells if "answer" in c.metadata.get("tags", [])]
        assert answers, source.name
        for cell in answers:
            text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
            assert text.strip(), f"{source.name}: an answer cell has no printed output"


NOTEBOOK_SHEET = r'<link rel="stylesheet" href="(\.\./\.\./assets/notebooks/[0-9a-f]{12}\.css)">'


def test_notebook_pages_link_their_styles_and_share_them(built):
    """hooks/notebook_styles.py: no notebook page carries mkdocs-jupyter's <style> blocks; each
    links the same stylesheets, which exist and hold JupyterLab's rules."""
    linked = []
    for source in sorted((REPO_ROOT / "docs" / "exercises").glob("*.ipynb")):
        page = built.site / "exercises" / source.stem / "index.html"
        text = page.read_text(encoding="utf-8")
        assert "<style" not in text, page
        assert page.stat().st_size < 400_000, (page, page.stat().st_size)
        hrefs = re.findall(NOTEBOOK_SHEET, text)
        assert len(hrefs) >= 2, page
        linked.append(hrefs)
    assert len(linked) == 5 and all(h == linked[0] for h in linked)
    sheets = [(built.site / "exercises" / "x" / h).resolve() for h in linked[0]]
    assert all(s.is_file() for s in sheets)
    assert any(".jupyter-wrapper" in s.read_text() and s.stat().st_size > 100_000 for s in sheets)


def test_link_styles_names_each_block_by_its_content():
    from hooks.notebook_styles import link_styles

    sheets: dict[str, str] = {}
    html = ('<p>a</p><style type="text/css">\n.x { color: red }\n</style><p>b</p>'
            '<style>.y { color: blue }</style><style type="text/css">.x { color: red }</style>')
    out = link_styles(html, "exercises/one/", sheets)
    assert "<style" not in out and out.startswith("<p>a</p><link") and "<p>b</p>" in out
    assert len(sheets) == 2 and sorted(sheets.values()) == [".x { color: red }\n", ".y { color: blue }\n"]
    links = re.findall(r'href="([^"]+)"', out)
    assert links[0] == links[2] != links[1]
    assert all(h.startswith("../../assets/notebooks/") for h in links)


# --- the source articles' wording stays out of the project --------------------------------------

@pytest.mark.skipif(not SEED_TOOL.is_file(),
                    reason="the source articles' overlap tool (../shared/tools) is not beside this clone")
def test_no_passage_is_copied_from_the_source_articles():
    proc = subprocess.run([sys.executable, str(SEED_TOOL), str(REPO_ROOT)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_widget_carries_its_data_and_search_never_reads_it(built):
    """hooks/widgets.py fills data-spec after the search plugin has read the page."""
    specs = {}
    for page in html_pages(built.site):
        for name, spec in re.findall(r'data-optdocs-widget="([a-z0-9-]+)"[^>]*?data-spec="([^"]*)"',
                                     page.read_text(encoding="utf-8")):
            specs[name] = json.loads(html.unescape(spec))
    assert len(specs) == 9 and all("grid" in s for s in specs.values()), sorted(specs)
    index = (built.site / "search" / "search_index.json").read_text(encoding="utf-8")
    assert '\\"grid\\"' not in index and "optdocs-widget-data" not in index


SEARCH_PAGE = '''# Code

Text with `inline` code.

```python
from optdocs import Adam  # a comment
opt = Adam(lr=1e-3)       # "quoted" <and> & escaped
```

```python linenums="1"
for t in range(3):
    print(t)
```

```pycon
>>> 6 * 7
42
```

    indented block, no markup

## Second section

```text
plain <text> block
```
'''


def test_search_reads_code_as_plain_text_and_indexes_the_same(tmp_path):
    """hooks/search_text.py: the same search index and the same page with and without it."""
    sites = {}
    for name, hooks in (("plain", "hooks:\n  - " + str(REPO_ROOT / "hooks" / "search_text.py") + "\n"),
                        ("as-is", "")):
        root = tmp_path / name
        (root / "docs").mkdir(parents=True)
        (root / "docs" / "index.md").write_text(SEARCH_PAGE)
        (root / "mkdocs.yml").write_text(
            "site_name: t\ntheme:\n  name: material\nplugins:\n  - search\n"
            "markdown_extensions:\n  - pymdownx.highlight\n  - pymdownx.superfences\n" + hooks)
        result = build_site(root / "site", config=root / "mkdocs.yml", cwd=root)
        assert result.returncode == 0, result.output
        sites[name] = root / "site"
    for rel in ("search/search_index.json", "index.html"):
        assert (sites["plain"] / rel).read_bytes() == (sites["as-is"] / rel).read_bytes(), rel
    index = json.loads((sites["plain"] / "search" / "search_index.json").read_text())
    text = " ".join(d["text"] for d in index["docs"])
    assert "opt = Adam(lr=1e-3)" in text and "&lt;and&gt; &amp; escaped" in text


def test_plain_code_keeps_text_and_code_tags_and_is_undone():
    from mkdocs.exceptions import PluginError

    from hooks.search_text import plain_code, restore_code

    page = ('<p>x</p><pre><span></span><code><span class="n">a</span> <span class="o">&lt;</span>'
            ' b\n</code></pre><pre class="x">no markup</pre>'
            '<div class="linenodiv"><pre><span class="normal">1</span></pre></div>')
    plain, blocks = plain_code(page)
    assert plain == ('<p>x</p><pre data-optdocs-plain="0"><code>a &lt; b\n</code></pre>'
                     '<pre class="x">no markup</pre><div class="linenodiv">'
                     '<pre data-optdocs-plain="1">1</pre></div>')
    assert restore_code(plain, blocks) == page
    with pytest.raises(PluginError, match="2 code blocks given to search as plain text were put "
                                          "aside, 1 found again"):
        restore_code(plain.replace('<pre data-optdocs-plain="1">', "<pre>"), blocks)
