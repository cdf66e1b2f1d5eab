"""The exercise notebooks' pages in the browser: the stylesheets hooks/notebook_styles.py moved
out of the pages apply, on a page load and after Material's instant navigation."""

from __future__ import annotations

from test_browser_cells import goto_instant

# JupyterLab's theme variables (the largest moved sheet) and its cell layout reach the page.
STYLED = """() => {
  const wrapper = document.querySelector('.jupyter-wrapper');
  const cell = document.querySelector('.jp-Cell');
  if (!wrapper || !cell) return false;
  return getComputedStyle(wrapper).getPropertyValue('--jp-ui-font-size1').trim() !== ''
      && getComputedStyle(cell).getPropertyValue('--jp-cell-padding').trim() !== '';
}"""


def test_notebook_styles_apply_on_load_and_after_instant_navigation(browser, server):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        page.goto(server.base_url + "exercises/01-nesterov-vs-momentum/")
        page.wait_for_function(STYLED)
        inline = page.evaluate("[...document.querySelectorAll('style')].map(s => s.textContent)")
        assert not [css for css in inline if ".jupyter-wrapper" in css]   # linked, not inline
        goto_instant(page, server.base_url + "adam/")
        goto_instant(page, server.base_url + "exercises/03-adam-effective-lr/")
        page.wait_for_function(STYLED)
    finally:
        context.close()
