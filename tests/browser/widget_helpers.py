"""Helpers for the widgets' browser tests: find a widget, read its readouts, move its controls,
wait for its redraws and for its live answers (the contract is in CONTRIBUTING.md, "Adding a widget")."""
from __future__ import annotations

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
