"""Math in the browser: MathJax is served by the site, loaded only by pages with formulas, and
typesets a page reached by Material's instant navigation."""

from __future__ import annotations

from test_browser_cells import goto_instant

MATHJAX = "/assets/mathjax/"


def typeset_count(page) -> int:
    return page.evaluate("document.querySelectorAll('.arithmatex mjx-container').length")


def test_home_page_loads_no_mathjax(browser, server):
    context = browser.new_context()
    urls: list[str] = []
    context.on("request", lambda r: urls.append(r.url))
    page = context.new_page()
    page.goto(server.base_url)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.querySelectorAll('.arithmatex').length") == 0
    assert not [u for u in urls if MATHJAX in u]
    context.close()


def test_formulas_are_typeset_on_load_and_after_instant_navigation(browser, server):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(server.base_url + "adam/")
    formulas = page.evaluate("document.querySelectorAll('.arithmatex').length")
    assert formulas > 10
    page.wait_for_function("n => document.querySelectorAll('.arithmatex mjx-container').length === n",
                           arg=formulas)
    goto_instant(page, server.base_url + "momentum/")
    formulas = page.evaluate("document.querySelectorAll('.arithmatex').length")
    assert formulas > 10
    page.wait_for_function("n => document.querySelectorAll('.arithmatex mjx-container').length === n",
                           arg=formulas)
    assert typeset_count(page) == formulas
    context.close()
