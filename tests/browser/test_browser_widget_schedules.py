"""The schedules widget (schedules.md) in headless Chromium, against a self-hosted build.

Expected numbers come from optdocs.demos.schedule_run in CPython: a readout's data-value is the
exact number the page drew. The tests share one browser page and run in order (static, first
touch, live, ...).
"""
from __future__ import annotations

import gzip
import html
import re
from urllib.parse import urlsplit

import pytest
from widget_helpers import (
    RUNTIME_PATHS,
    assert_runs_like_cpython,
    foreign_requests,
    fresh_page,
    open_code,
    open_widget,
    readouts,
    renders,
    restore_from_url,
    root,
    set_range,
    wait_live,
    wait_renders_above,
)

from optdocs.demos import SCHEDULE_PARAMETERS, SCHEDULES, schedule_run

PAGES = {"schedules": "schedules/"}
RUN = {"steps": 200, "noise": 1.0, "runs": 50, "seed": 0}
SHAPE = ("warmup", "decay", "interval")


def in_page(page, kwargs):
    """schedule_run(**kwargs) computed by the page's Python (Pyodide), as the widget calls it."""
    return page.evaluate("kw => window.optdocsRunner.call('optdocs.demos.schedule_run', [], kw)",
                         kwargs)


def check(values, schedule, lr, warmup=0.1, decay=0.5, interval=0.25, page=None):
    """The readouts are schedule_run's numbers for these settings: computed by CPython here (to
    1e-12: Pyodide's libm and NumPy build may round cos and pow differently in the last bit), and,
    given the ``page``, exactly those of the same call in the page's Python."""
    kw = dict(schedule=schedule, lr=lr, warmup=warmup, decay=decay, interval=interval, **RUN)
    runs = [schedule_run(**kw)] + ([in_page(page, kw)] if page else [])
    bases = [schedule_run(**dict(kw, schedule="constant"))]
    if page:
        bases.append(in_page(page, dict(kw, schedule="constant")))
    for run, base, exact in zip(runs, bases, (False, True), strict=False):
        same = (lambda a, b: a == b) if exact else (lambda a, b: a == pytest.approx(b, rel=1e-12))
        assert values["schedule"] == run["schedule"]
        for key in ("first_lr", "final_lr", "final_loss"):
            assert same(float(values[key]), run[key]), (key, exact)
        assert same(float(values["peak"]), run["peak_lr"])
        assert same(float(values["baseline_loss"]), base["final_loss"])


def settle(page, w, action):
    """Do ``action`` and wait until the widget has redrawn for it with every live answer."""
    before = renders(w)
    action()
    wait_renders_above(page, w, before)
    wait_live(page, w)


def shown(w) -> set[str]:
    """The shape settings the reader sees (and can use)."""
    return {n for n in SHAPE if w.locator(f'input[name="{n}"]').is_visible()
            and w.locator(f'input[name="{n}"]').is_enabled()}


def test_static_figure_labelled_controls_and_no_python(page, server, recorder):
    w = open_widget(page, server, "schedules", pages=PAGES)
    assert w.get_attribute("data-state") == "static"
    assert w.locator("[data-role=static]").is_visible()
    for el in w.locator("input, select").all():
        assert el.evaluate("e => e.labels.length > 0 && e.labels[0].textContent.trim() !== ''")
    assert w.locator('select[name="schedule"] option').count() == len(SCHEDULES)
    assert shown(w) == set(SCHEDULE_PARAMETERS["warmup_cosine"])     # the default's settings
    page.wait_for_timeout(300)
    asked = [u for u in recorder.urls if any(p in urlsplit(u).path for p in RUNTIME_PATHS)]
    assert asked == []


def test_first_touch_answers_from_the_grid(page):
    w = root(page, "schedules")
    before = renders(w)
    w.locator('select[name="schedule"]').select_option("step_decay")
    wait_renders_above(page, w, before)
    assert w.get_attribute("data-state") == "loading"
    assert not w.locator("[data-role=static]").is_visible()
    check(readouts(w), "step_decay", 0.2)                  # every setting is a grid point
    assert shown(w) == {"decay", "interval"}


def test_every_schedule_and_setting_gives_the_optdocs_numbers(page):
    w = root(page, "schedules")
    wait_live(page, w)
    check(readouts(w), "step_decay", 0.2, page=page)       # the grid's answer was the live one
    settle(page, w, lambda: set_range(w, "lr", 0.17))
    settle(page, w, lambda: set_range(w, "decay", 0.35))
    settle(page, w, lambda: set_range(w, "interval", 0.4))
    check(readouts(w), "step_decay", 0.17, decay=0.35, interval=0.4, page=page)
    for name in [s for s in SCHEDULES if s != "step_decay"] + ["step_decay", "one_cycle"]:
        settle(page, w, lambda name=name: w.locator('select[name="schedule"]').select_option(name))
        check(readouts(w), name, 0.17, decay=0.35, interval=0.4, page=page)
        assert shown(w) == set(SCHEDULE_PARAMETERS[name]), name
    settle(page, w, lambda: set_range(w, "warmup", 0.25))  # one_cycle: its pct_start
    check(readouts(w), "one_cycle", 0.17, 0.25, 0.35, 0.4, page=page)
    assert "schedules.schedule=one_cycle" in page.url and "schedules.warmup=0.25" in page.url


def test_show_the_code_runs_the_call_at_the_current_settings(page):
    w = root(page, "schedules")
    details, code = open_code(page, w)
    assert 'make_schedule("one_cycle", lr=0.17, total_steps=200,' in code
    assert "warmup=0.25, decay=0.35, interval=0.4" in code
    assert_runs_like_cpython(page, details, code)


def test_a_url_restores_the_settings_and_the_grid_equals_live(browser, server, recorder):
    query = "?schedules.schedule=exponential_decay&schedules.lr=0.1&schedules.decay=0.2"
    expect = {"schedule": "exponential_decay", "lr": "0.1"}
    with fresh_page(browser, recorder, timeout=60_000) as page:
        w, from_grid = restore_from_url(page, server, "schedules", query, expect, "lr", PAGES)
        assert shown(w) == {"decay", "interval"}
        check(from_grid, "exponential_decay", 0.1, decay=0.2)
        wait_live(page, w)
        check(readouts(w), "exponential_decay", 0.1, decay=0.2, page=page)
        live = readouts(w)
        assert live.keys() == from_grid.keys() and live["schedule"] == from_grid["schedule"]
        for key in live.keys() - {"schedule"}:            # the build's CPython, the page's Pyodide
            assert float(live[key]) == pytest.approx(float(from_grid[key]), rel=1e-12), key


def test_phone_width_no_horizontal_scroll(browser, server):
    ctx = browser.new_context(viewport={"width": 390, "height": 800}, is_mobile=True, has_touch=True)
    try:
        page = ctx.new_page()
        w = open_widget(page, server, "schedules", pages=PAGES)
        w.locator('input[name="lr"]').tap()
        wait_renders_above(page, w, 0)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        ctx.close()


def test_widget_data_within_budget(built_site):
    text = (built_site / PAGES["schedules"] / "index.html").read_text()
    specs = re.findall(r'data-spec="([^"]*)"', text)
    assert sum(len(gzip.compress(html.unescape(s).encode(), 9)) for s in specs) <= 150_000


def test_nothing_left_the_test_server(recorder, server):
    assert foreign_requests(recorder, server) == []
    assert recorder.errors == []
