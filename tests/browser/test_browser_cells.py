"""Runnable cells in a real browser, against a self-hosted build of the site.

One browser context and one page for the whole module, cells run one after another; the tests
depend on their order (the first one checks that nothing of Pyodide was requested before the
first Run, the last one that no other host was ever asked for anything).
"""
from __future__ import annotations

import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from runner_helpers import READER_CELL, route_fake_cdn, unfold_figure_code

BOOT_TIMEOUT = 180_000  # ms: first Run of a page (runtime download + start), or matplotlib
RUN_TIMEOUT = 120_000
# Requests that belong to the Python runtime or the editor: none before the first Run / Edit.
RUNTIME_PATHS = ("/assets/pyodide/", "/assets/runner/worker.js", "/assets/runner/wheels/",
                 "/assets/runner/python/", "/assets/runner/bootcache.js")
EDITOR_PATHS = ("/assets/runner/vendor/",)
FINAL_STATES = "['done', 'error', 'idle']"


def site_pages(site: Path) -> list[str]:
    pages = []
    for index in sorted(site.rglob("index.html")):
        rel = index.parent.relative_to(site).as_posix()
        if rel.startswith("assets") or rel == "404":
            continue
        pages.append("" if rel == "." else rel + "/")
    return pages


def cell_pages(site: Path) -> list[str]:
    pages = [p for p in site_pages(site) if 'class="optdocs-cell"' in (site / p / "index.html").read_text()]
    assert pages, "the site has no runnable cell"
    return pages


@pytest.fixture(scope="module")
def page(browser, recorder, server):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    recorder.attach(context)
    pg = context.new_page()
    recorder.attach_page(pg)
    pg.set_default_timeout(30_000)
    yield pg
    context.close()


def goto_instant(page, url: str) -> None:
    """Follow a link the way a reader does: Material's instant navigation, no page load."""
    page.evaluate("window.__optdocsMarker = 1; document.querySelector('.md-content').__optdocsOld = true")
    page.evaluate("""url => {
        const a = document.createElement("a");
        a.href = url;
        document.querySelector(".md-content").appendChild(a);
        a.click();
    }""", url)
    page.wait_for_function("url => location.href === new URL(url, location.href).href", arg=url)
    page.wait_for_function("() => !document.querySelector('.md-content').__optdocsOld && "
                           "document.querySelectorAll('.optdocs-cell').length === "
                           "document.querySelectorAll('.optdocs-cell__toolbar').length")
    assert page.evaluate("window.__optdocsMarker") == 1, "the page was reloaded, not swapped"
    assert_no_code_ran_as_javascript(page)


def assert_no_code_ran_as_javascript(page):
    """Instant navigation re-creates each <script> of the new page as plain JavaScript: a cell
    must not keep its Python source in a <script> element (see cells.js, cellSource)."""
    scripts = page.evaluate("[...document.querySelectorAll('.optdocs-cell script')]"
                            ".filter(s => !s.type || /javascript/.test(s.type)).map(s => s.textContent)")
    assert scripts == [], f"cell source executed as JavaScript after instant navigation: {scripts[:2]}"


def cells(page):
    """The cells a reader sees (the figure-code cells are folded until ``unfold_figure_code``)."""
    return page.locator(READER_CELL)


def state(cell) -> str:
    return cell.get_attribute("data-state")


def text_output(cell) -> str:
    return cell.evaluate("""el => [...el.querySelectorAll('pre.optdocs-cell__stdout')]
                                    .map(p => p.textContent).join('')""")


def run_and_wait(page, cell, timeout=RUN_TIMEOUT) -> str:
    cell.locator("[data-action=run]").click()
    cell.page.wait_for_function(f"el => el.dataset.state === 'loading' || el.dataset.state === 'running' "
                                f"|| {FINAL_STATES}.includes(el.dataset.state)", arg=cell.element_handle())
    page.wait_for_function(f"el => {FINAL_STATES}.includes(el.dataset.state)", arg=cell.element_handle(),
                           timeout=timeout)
    return state(cell)


def open_editor(page, cell):
    if cell.locator(".CodeMirror").count() == 0:
        cell.locator("[data-action=edit]").click()
        cell.locator(".CodeMirror").wait_for()


def set_code(page, cell, code: str) -> None:
    open_editor(page, cell)
    cell.locator(".CodeMirror").evaluate("(el, code) => el.CodeMirror.setValue(code)", code)


def editor_value(cell) -> str:
    return cell.locator(".CodeMirror").evaluate("el => el.CodeMirror.getValue()")


# ------------------------------------------------------------------------------------------------


def test_pages_load_without_runtime(page, server, built_site, recorder):
    pages = site_pages(built_site)
    cell_pages(built_site)
    for rel in pages:
        page.goto(server.base_url + rel)
        every = page.locator(".optdocs-cell")         # the folded figure cells too
        n = every.count()
        page.wait_for_function("n => document.querySelectorAll('.optdocs-cell__toolbar').length === n", arg=n)
        for i in range(n):
            cell = every.nth(i)
            actions = cell.locator("[data-action]").evaluate_all("els => els.map(e => e.dataset.action)")
            assert actions == ["run", "stop", "edit", "reset"], rel
            assert state(cell) == "idle"
    early = [u for u in recorder.urls if any(p in u for p in RUNTIME_PATHS + EDITOR_PATHS)]
    assert early == [], f"requested before any Run/Edit: {early}"


def test_every_cell_runs_like_the_build(page, server, built_site, recorder):
    pages = cell_pages(built_site)
    page.goto(server.base_url + pages[0])
    first = True
    failures = []
    for rel in pages:
        if page.url != server.base_url + rel:
            goto_instant(page, server.base_url + rel)
        unfold_figure_code(page)        # the code under every figure runs too
        n = cells(page).count()
        for i in range(n):
            cell = cells(page).nth(i)
            cell.scroll_into_view_if_needed()
            expected = text_output(cell)
            expected_figures = cell.locator("img.optdocs-cell__figure").count()
            t0 = time.monotonic()
            final = run_and_wait(page, cell, timeout=BOOT_TIMEOUT)
            elapsed = time.monotonic() - t0
            where = f"{rel or 'index'} cell {i + 1} ({cell.get_attribute('data-optdocs-cell')})"
            print(f"{where}: {final} in {elapsed:.2f} s, page {page.url}")
            if final != "done":
                failures.append(f"{where}: state {final}: {cell.locator('[data-role=output]').inner_text()}")
                continue
            got = text_output(cell)
            if got != expected:
                failures.append(f"{where}: output differs\n--- build\n{expected}\n--- browser\n{got}")
            imgs = cell.locator("img.optdocs-cell__figure")
            if imgs.count() != expected_figures:
                failures.append(f"{where}: {imgs.count()} figures, the build made {expected_figures}")
            for k in range(imgs.count()):
                imgs.nth(k).evaluate("img => img.decode()")
                assert imgs.nth(k).evaluate("img => img.naturalWidth") > 0
            if first:
                first = False
                print(f"first Run (runtime download and start): {elapsed:.1f} s")
    assert not failures, "\n\n".join(failures)


@pytest.fixture
def home(page, server, built_site):
    """The first page with cells, its first cell reset."""
    rel = cell_pages(built_site)[0]
    if page.url != server.base_url + rel:
        goto_instant(page, server.base_url + rel)
    cell = cells(page).first
    if state(cell) in ("loading", "running"):
        cell.locator("[data-action=stop]").click()
    reset(cell)
    cell.scroll_into_view_if_needed()
    return cell


def reset(cell):
    """Click Reset if it is available (aria-disabled, not disabled, so it keeps keyboard focus)."""
    button = cell.locator("[data-action=reset]")
    if button.get_attribute("aria-disabled") != "true":
        button.click()


def test_edit_runs_the_edited_code_and_reset_restores(page, home):
    cell = home
    original_output = text_output(cell)
    original_html = cell.locator(".highlight").inner_html()
    open_editor(page, cell)
    editor = cell.locator(".CodeMirror")
    assert editor.evaluate("el => el.CodeMirror.getOption('mode')") == "python"
    assert "import" in editor_value(cell)            # every cell is a complete script
    keywords = set(cell.locator(".CodeMirror .cm-keyword").all_inner_texts())
    assert {"import", "from"} & keywords, keywords   # ... and the editor highlights Python
    # Type a new program with the keyboard: Tab indents, Ctrl+Z undoes, Shift+Enter runs.
    page.keyboard.press("Control+a")
    page.keyboard.type("def f(x):\n")
    page.keyboard.press("Home")
    page.keyboard.press("Shift+End")
    page.keyboard.press("Backspace")
    page.keyboard.press("Tab")
    page.keyboard.type("return 6 * x")
    assert editor_value(cell) == "def f(x):\n    return 6 * x"
    page.keyboard.press("Enter")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Home")
    page.keyboard.type("print(f(7))")
    time.sleep(1.4)  # CodeMirror merges typing within 1.25 s into one undo step
    page.keyboard.type(" # scratch")
    page.keyboard.press("Control+z")
    assert editor_value(cell) == "def f(x):\n    return 6 * x\nprint(f(7))"
    page.keyboard.press("Shift+Enter")
    page.wait_for_function(f"el => {FINAL_STATES}.includes(el.dataset.state)", arg=cell.element_handle(),
                           timeout=BOOT_TIMEOUT)
    assert state(cell) == "done", cell.inner_text()
    assert text_output(cell) == "42\n"
    # Escape leaves the editor for the Run button (keyboard users are not trapped by Tab).
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.dataset.action") == "run"
    reset(cell)
    assert state(cell) == "idle"
    assert cell.locator(".CodeMirror").count() == 0
    assert cell.locator(".highlight").inner_html() == original_html
    assert text_output(cell) == original_output


def test_keyboard_only_run(page, home):
    cell = home
    cell.locator("[data-action=run]").focus()
    page.keyboard.press("Enter")
    page.wait_for_function(f"el => {FINAL_STATES}.includes(el.dataset.state)", arg=cell.element_handle(),
                           timeout=BOOT_TIMEOUT)
    assert state(cell) == "done"


def test_stop_ends_an_endless_loop_and_the_next_run_works(page, home):
    cell = home
    expected = text_output(cell)
    set_code(page, cell, "print('spinning', flush=True)\nwhile True:\n    pass\n")
    cell.locator("[data-action=run]").click()
    page.wait_for_function("el => el.dataset.state === 'running' && el.textContent.includes('spinning')",
                           arg=cell.element_handle(), timeout=BOOT_TIMEOUT)
    time.sleep(0.3)
    assert state(cell) == "running"
    if cells(page).count() > 1:  # a Run queued behind the endless loop can be cancelled alone
        other = cells(page).nth(1)
        other.locator("[data-action=run]").click()
        assert "Waiting" in other.locator(".optdocs-cell__status").inner_text()
        other.locator("[data-action=stop]").click()
        assert "Cancelled" in other.locator("[data-role=output]").inner_text()
        assert state(cell) == "running"
        reset(other)
    t0 = time.monotonic()
    cell.locator("[data-action=stop]").click()
    page.wait_for_function("el => el.dataset.state !== 'running'", arg=cell.element_handle(), timeout=5000)
    stopped_in = time.monotonic() - t0
    assert stopped_in < 1.0, f"Stop took {stopped_in:.2f} s"
    assert "restarted" in cell.locator("[data-role=output]").inner_text()
    reset(cell)
    assert run_and_wait(page, cell, timeout=BOOT_TIMEOUT) == "done"
    assert text_output(cell) == expected


def test_errors_show_readable_tracebacks_and_the_cell_can_be_fixed(page, home):
    cell = home
    set_code(page, cell, "x = (1,\nprint(x)\n")
    assert run_and_wait(page, cell) == "error"
    tb = cell.locator(".optdocs-cell__traceback").inner_text()
    assert "SyntaxError" in tb and 'File "<cell>", line 1' in tb, tb

    set_code(page, cell, "def f(x):\n    return 1 / x\n\nprint('start')\nf(0)\n")
    assert run_and_wait(page, cell) == "error"
    assert text_output(cell) == "start\n"
    tb = cell.locator(".optdocs-cell__traceback").inner_text()
    assert tb.startswith("Traceback (most recent call last):"), tb
    assert 'File "<cell>", line 5, in <module>' in tb and 'File "<cell>", line 2, in f' in tb, tb
    assert tb.rstrip().endswith("ZeroDivisionError: division by zero"), tb
    assert "_optdocs_runner" not in tb and "pyodide" not in tb.lower(), tb

    set_code(page, cell, "def f(x):\n    return 1 / x\n\nprint(f(4))\n")
    assert run_and_wait(page, cell) == "done"
    assert text_output(cell) == "0.25\n"
    assert cell.locator(".optdocs-cell__traceback").count() == 0


def test_cells_are_independent_and_output_is_capped(page, home):
    cell = home
    set_code(page, cell, "leak = 1\nprint(__name__)\n")
    assert run_and_wait(page, cell) == "done"
    set_code(page, cell, "print('leak' in globals(), __name__)\n")
    assert run_and_wait(page, cell) == "done"
    assert text_output(cell) == "False __main__\n"
    set_code(page, cell, "for i in range(100_000):\n    print('line', i)\n")
    assert run_and_wait(page, cell) == "done"
    out = text_output(cell)
    assert 190_000 <= len(out) <= 200_000
    note = cell.locator(".optdocs-cell__note").inner_text()
    assert "truncated" in note.lower()


def test_a_figure_is_shown_as_an_image(page, home):
    cell = home
    set_code(page, cell, "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3], [1, 4, 9])\n"
                         "plt.show()\nprint('drawn')\n")
    assert run_and_wait(page, cell, timeout=BOOT_TIMEOUT) == "done", cell.inner_text()
    assert text_output(cell) == "drawn\n"
    img = cell.locator("img.optdocs-cell__figure")
    assert img.count() == 1
    img.evaluate("img => img.decode()")
    assert img.evaluate("img => img.naturalWidth") > 300
    reset(cell)


def test_instant_navigation_away_and_back(page, server, built_site):
    pages = site_pages(built_site)
    with_cells = cell_pages(built_site)
    here = with_cells[0]
    other = next((p for p in pages if p != here), None)
    if page.url != server.base_url + here:
        goto_instant(page, server.base_url + here)
    assert other is not None, "the site has a single page"
    goto_instant(page, server.base_url + other)
    page.evaluate("document.querySelector('.md-content').__optdocsOld = true")
    page.go_back()
    page.wait_for_function("url => location.href === url", arg=server.base_url + here)
    page.wait_for_function("() => !document.querySelector('.md-content').__optdocsOld && "
                           "document.querySelectorAll('.optdocs-cell').length > 0 && "
                           "document.querySelectorAll('.optdocs-cell').length === "
                           "document.querySelectorAll('.optdocs-cell__toolbar').length")
    assert page.evaluate("window.__optdocsMarker") == 1
    assert_no_code_ran_as_javascript(page)
    cell = cells(page).first
    expected = text_output(cell)
    assert run_and_wait(page, cell) == "done"
    assert text_output(cell) == expected


def test_call_returns_typed_arrays(page):
    value = page.evaluate("""async () => {
        const v = await optdocsRunner.call("numpy.linspace", [0, 1, 5]);
        const d = await optdocsRunner.call("builtins.dict", [], {a: [1, 2], b: "x"});
        return {kind: Object.prototype.toString.call(v.data), data: Array.from(v.data),
                shape: v.shape, dtype: v.dtype, d};
    }""")
    assert value == {"kind": "[object Float64Array]", "data": [0, 0.25, 0.5, 0.75, 1], "shape": [5],
                     "dtype": "float64", "d": {"a": [1, 2], "b": "x"}}


def test_phone_width_has_no_horizontal_scroll(page, server, built_site):
    rel = cell_pages(built_site)[0]
    page.set_viewport_size({"width": 360, "height": 740})
    try:
        page.goto(server.base_url + rel)
        page.wait_for_selector(".optdocs-cell__toolbar")
        bar = cells(page).first.locator(".optdocs-cell__toolbar")
        box = bar.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360
        for action in ("run", "stop", "edit", "reset"):
            b = bar.locator(f"[data-action={action}]").bounding_box()
            assert b["x"] + b["width"] <= 360 and b["height"] >= 24
    finally:
        page.set_viewport_size({"width": 1200, "height": 900})


def test_offline_keeps_the_build_output(browser, server, built_site):
    context = browser.new_context()
    context.route(re.compile(r".*/assets/pyodide/.*"), lambda route: route.abort("internetdisconnected"))
    try:
        pg = context.new_page()
        pg.goto(server.base_url + cell_pages(built_site)[0])
        cell = pg.locator(READER_CELL).first
        pg.wait_for_selector(".optdocs-cell__toolbar")
        expected = text_output(cell)
        assert run_and_wait(pg, cell) == "error"
        note = cell.locator(".optdocs-cell__note").inner_text()
        assert "could not be loaded" in note
        assert text_output(cell) == expected
    finally:
        context.close()


def _cdn_context(browser, runtime: Path, tamper: str | None = None):
    """A context whose site uses the CDN address, answered from the local runtime folder, with the
    self-hosted build's policy bypassed (see route_fake_cdn)."""
    context = browser.new_context(bypass_csp=True)
    return context, route_fake_cdn(context, runtime, tamper)


def test_cdn_runtime_is_verified(browser, server, built_site, pyodide_runtime):
    rel = cell_pages(built_site)[0]
    context, requested = _cdn_context(browser, pyodide_runtime)
    try:
        pg = context.new_page()
        pg.goto(server.base_url + rel)
        cell = pg.locator(READER_CELL).first
        pg.wait_for_selector(".optdocs-cell__toolbar")
        expected = text_output(cell)
        assert run_and_wait(pg, cell, timeout=BOOT_TIMEOUT) == "done", cell.inner_text()
        assert text_output(cell) == expected
        assert {"pyodide.js", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip"} <= set(requested)
    finally:
        context.close()
    for tampered in ("pyodide.asm.js", "python_stdlib.zip"):
        context, requested = _cdn_context(browser, pyodide_runtime, tamper=tampered)
        try:
            pg = context.new_page()
            pg.goto(server.base_url + rel)
            cell = pg.locator(READER_CELL).first
            pg.wait_for_selector(".optdocs-cell__toolbar")
            expected = text_output(cell)
            assert run_and_wait(pg, cell, timeout=BOOT_TIMEOUT) == "error"
            note = cell.locator(".optdocs-cell__note")
            assert "could not be verified" in note.inner_text(), (tampered, note.get_attribute("title"))
            assert tampered in note.get_attribute("title")
            assert text_output(cell) == expected
        finally:
            context.close()


@pytest.mark.parametrize("served", ["python/_optdocs_runner.py", "wheels/optdocs-"])
def test_a_changed_runner_file_is_refused(browser, server, built_site, served):
    """The runner's Python modules and the optdocs wheel come from the site itself, and are
    checked against the hashes the build wrote into config.js before they are installed."""
    context = browser.new_context()

    def tamper(route):
        body = route.fetch().body()
        route.fulfill(status=200, body=body + b"\n", headers={"content-type": "application/octet-stream"})

    context.route(re.compile(r".*/assets/runner/" + re.escape(served) + r".*"), tamper)
    try:
        pg = context.new_page()
        pg.add_init_script("window.OPTDOCS_BOOT_CACHE = false;")
        pg.goto(server.base_url + cell_pages(built_site)[0])
        cell = pg.locator(READER_CELL).first
        pg.wait_for_selector(".optdocs-cell__toolbar")
        expected = text_output(cell)
        assert run_and_wait(pg, cell, timeout=BOOT_TIMEOUT) == "error"
        note = cell.locator(".optdocs-cell__note")
        assert "could not be verified" in note.inner_text(), note.get_attribute("title")
        assert served.split("/")[1].rstrip("-") in note.get_attribute("title")
        assert text_output(cell) == expected
    finally:
        context.close()


def test_no_request_left_the_test_server(page, server, recorder):
    base = urlsplit(server.base_url)
    foreign = [u for u in recorder.urls
               if not u.startswith(("data:", "blob:")) and urlsplit(u).netloc != base.netloc]
    assert foreign == []
    assert recorder.errors == []
