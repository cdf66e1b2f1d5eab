"""Helpers for the widgets' browser tests: find a widget, read its readouts, move its controls,
wait for its redraws and for its live answers (the contract is in CONTRIBUTING.md, "Adding a widget")."""
from __future__ import annotations

import contextlib
import io
from urllib.parse import urlsplit

BOOT_TIMEOUT = 180_000
RUNTIME_PATHS = ("/assets/pyodide/", "/assets/runner/worker.js", "/assets/runner/wheels/")
WIDGET_PAGES = {"lr-dial": "gradient-descent/", "escape": "sgd-escape/", "sgd-adam": "sgd-vs-adam/",
                "flat-steep": "adaptive/", "adam-step": "adam/", "race": "race/",
                "ravine": "momentum/"}
LIVE = "el => el.dataset.state === 'live' && el.dataset.pending === '0'"


def root(page, name):
    return page.locator(f'[data-optdocs-widget="{name}"]')


def open_widget(page, server, name, query="", pages=None):
    """Open the page of widget ``name`` (``pages``: name -> page URL, default WIDGET_PAGES)."""
    page.goto(server.base_url + (pages or WIDGET_PAGES)[name] + query)
    w = root(page, name)
    w.locator("[data-action=code]").wait_for()          # the widget is mounted
    return w


def readouts(w) -> dict[str, str]:
    return w.evaluate("""el => Object.fromEntries([...el.querySelectorAll('[data-role=readout]')]
        .map(r => [r.dataset.key, r.dataset.value]))""")


def renders(w) -> int:
    return int(w.get_attribute("data-renders"))


def wait_live(page, w, timeout=BOOT_TIMEOUT):
    """Until the widget is live and every call for the current settings has its live answer."""
    page.wait_for_function(LIVE, arg=w.element_handle(), timeout=timeout)


def wait_renders_above(page, w, n):
    page.wait_for_function("([el, n]) => Number(el.dataset.renders) > n", arg=[w.element_handle(), n])


def set_range(w, name, value):
    w.locator(f'input[name="{name}"]').fill(str(value))


@contextlib.contextmanager
def fresh_page(browser, recorder=None, timeout=30_000, **options):
    """A page in a new browser context (``options``: new_context's, 1000 x 800 by default), its
    requests recorded by ``recorder``; the context is closed on leaving."""
    ctx = browser.new_context(**{"viewport": {"width": 1000, "height": 800}, **options})
    if recorder is not None:
        recorder.attach(ctx)
    try:
        pg = ctx.new_page()
        pg.set_default_timeout(timeout)
        yield pg
    finally:
        ctx.close()


def restore_from_url(page, server, name, query, expect, touch, pages=None):
    """Open widget ``name`` with the settings in ``query``; check that its controls show ``expect``
    (control name -> value, True for a ticked box); touch the control ``touch`` without changing
    it; return the widget and the readouts of its first answer (the build's grid)."""
    w = open_widget(page, server, name, query, pages)
    for control, value in expect.items():
        box = w.locator(f'[name="{control}"]')
        assert (box.is_checked() if value is True else box.input_value() == value), (control, value)
    w.locator(f'[name="{touch}"]').dispatch_event("pointerdown")
    wait_renders_above(page, w, 0)
    return w, readouts(w)


def foreign_requests(recorder, server) -> list[str]:
    """Requests (http, https, ws, wss) that went anywhere but the test server."""
    host = urlsplit(server.base_url).netloc
    return [u for u in recorder.urls
            if urlsplit(u).scheme in ("http", "https", "ws", "wss") and urlsplit(u).netloc != host]


def open_code(page, w):
    """Click the widget's "code" button; return the unfolded cell's <details> and its source."""
    w.locator("[data-action=code]").click()
    details = page.locator("details.optdocs-widget-code").first
    assert details.evaluate("d => d.open")
    return details, details.locator(".optdocs-cell").get_attribute("data-optdocs-source")


def assert_runs_like_cpython(page, details, code):
    """Run the cell in the page; what it prints equals the same code run here, by CPython."""
    details.locator("[data-action=run]").click()
    page.wait_for_function("d => d.querySelector('.optdocs-cell').dataset.state === 'done'",
                           arg=details.element_handle(), timeout=60_000)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<widget code>", "exec"), {"__name__": "__main__"})
    assert details.locator(".optdocs-cell__stdout").inner_text().strip() == out.getvalue().strip()
