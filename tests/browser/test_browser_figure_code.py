"""The folded code under a guide figure runs in the page and draws the figure."""
from __future__ import annotations

import pytest

BOOT_TIMEOUT = 180_000  # ms: first Run of a page (runtime download + start, matplotlib)


@pytest.fixture
def bowl_page(browser, recorder, server, built_site):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    recorder.attach(context)
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    pg.goto(server.base_url + "gradient-descent/")
    yield pg
    context.close()


def test_the_code_under_a_figure_draws_it_in_the_page(bowl_page):
    page = bowl_page
    figure = page.locator('figure.optdocs-figure[data-figure="gd-bowl"]')
    assert figure.locator("figcaption").inner_text().strip(), "the figure has no caption"
    block = figure.locator("xpath=following-sibling::details[1]")
    assert "optdocs-figure-code" in block.get_attribute("class")
    assert block.get_attribute("open") is None, "the code should start folded"
    block.locator("summary").click()
    cell = block.locator(".optdocs-cell")
    page.wait_for_function("el => el.querySelector('[data-action=run]')", arg=cell.element_handle())
    built = cell.locator("img.optdocs-cell__figure").count()
    assert built == 1, "the build's run of the cell drew no figure"
    cell.locator("[data-action=run]").click()
    page.wait_for_function("el => ['done', 'error'].includes(el.dataset.state)",
                           arg=cell.element_handle(), timeout=BOOT_TIMEOUT)
    assert cell.get_attribute("data-state") == "done", cell.inner_text()
    img = cell.locator("img.optdocs-cell__figure")
    assert img.count() == 1
    img.evaluate("img => img.decode()")
    assert img.evaluate("img => img.naturalWidth") > 300
    assert img.evaluate("img => img.src").startswith(("blob:", "data:")), "not the page's own run"
