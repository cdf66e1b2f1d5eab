"""The "flat w1, steep w2" widget of docs/adaptive.md in headless Chromium, against a self-hosted
build (fixtures in conftest.py, helpers in widget_helpers.py).

The expected numbers are computed here, in CPython, with optdocs.demos: a readout's data-value is
the exact number the page shows, so the comparisons are exact. The tests share one browser page
and depend on their order (static, first touch, live, ...).
"""
from __future__ import annotations

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

from optdocs.demos import flat_steep_limits, flat_steep_path, flat_steep_step

NAME = "flat-steep"
RUNS = (("sgd", "SGD", "sgd_lr"), ("rmsprop", "RMSprop", "rms_lr"),
        ("adagrad", "Adagrad", "ada_lr"))
ROWS = ("rate_w1", "rate_w2", "step_w1", "step_w2", "ratio", "factor_w1", "factor_w2")
DEFAULTS = {"sgd_lr": 0.24, "rms_lr": 0.05, "ada_lr": 0.5, "step": 1}


def same(shown: str, expected) -> bool:
    """data-value against optdocs' number (None, for an overflow, is shown as null)."""
    return shown == "null" if expected is None else float(shown) == expected


def check(values: dict, settings: dict) -> None:
    """Every readout equals optdocs.demos at these settings, exactly."""
    s = dict(DEFAULTS, **settings)
    lim = flat_steep_limits(lr_max=0.3, points=61)
    assert float(values["diverge_lr"]) == lim["diverge_lr"] == 0.25
    assert float(values["w1_factor_at_limit"]) == lim["w1_factor_at_limit"]
    for key, name, control in RUNS:
        at = flat_steep_step(name, s[control], step=s["step"])
        for row in ROWS:
            shown = values[f"{key}_{row}"]
            assert same(shown, at[row]), (key, row, shown, at[row])
        path = flat_steep_path(name, s[control], steps=100)
        assert float(values[f"{key}_final_w1"]) == path["final_w1"], key
        assert int(values[f"{key}_arrived"]) == path["arrived"], key


def test_static_figure_and_no_python_before_the_first_touch(page, server, recorder):
    w = open_widget(page, server, NAME)
    assert w.get_attribute("data-state") == "static"
    assert w.locator("[data-role=static]").is_visible()
    assert not w.locator("svg.optdocs-widget__panel").first.is_visible()
    names = [el.get_attribute("name") for el in w.locator("input").all()]
    assert names == ["sgd_lr", "rms_lr", "ada_lr", "step"]
    for el in w.locator("input, select").all():
        assert el.evaluate("e => e.labels.length > 0 && e.labels[0].textContent.trim() !== ''")
    page.wait_for_timeout(500)
    asked = [u for u in recorder.urls if any(p in urlsplit(u).path for p in RUNTIME_PATHS)]
    assert asked == [], asked


def test_first_touch_answers_from_the_grid_while_python_loads(page):
    w = root(page, NAME)
    before = renders(w)
    w.locator('input[name="step"]').focus()
    page.keyboard.press("ArrowRight")                    # step 1 -> 2, a keyboard first touch
    wait_renders_above(page, w, before)
    assert w.get_attribute("data-state") == "loading"
    assert int(w.get_attribute("data-pending")) > 0
    assert not w.locator("[data-role=static]").is_visible()
    assert w.locator("svg.optdocs-widget__panel").first.is_visible()
    check(readouts(w), {"step": 2})                      # every control on a grid point
    # the limit 2 / h2, from the curvatures, is marked on the SGD slider's scale
    slider = w.locator('input[name="sgd_lr"]')
    tick = slider.evaluate("s => s.list && [...s.list.options].map(o => Number(o.value))")
    assert tick == [flat_steep_limits()["diverge_lr"]]


def test_live_equals_the_grid_at_a_grid_point(page):
    w = root(page, NAME)
    from_grid = readouts(w)
    wait_live(page, w)
    assert readouts(w) == from_grid
    assert "Live" in w.locator("[data-role=status]").inner_text()


def test_a_move_counts_its_pending_calls_before_its_answer_is_drawn(page):
    """data-pending describes the settings of the last move at once, not the last redraw: a
    waiter for data-pending 0 after a move (wait_live below) must not see the old settings' 0
    while the redraw waits for Python's answer (a CI run on a loaded host did)."""
    w = root(page, NAME)
    wait_live(page, w)
    current = {**DEFAULTS, **page.evaluate("""() => Object.fromEntries(
        [...document.querySelectorAll('[data-optdocs-widget="flat-steep"] input')]
        .map(i => [i.name, Number(i.value)]))""")}
    pending = w.evaluate("""el => {
        const input = el.querySelector('input[name="sgd_lr"]');
        input.value = "0.135";                       // off the grid, never asked before
        input.dispatchEvent(new Event("input", {bubbles: true}));
        return Number(el.dataset.pending);          // read before any answer can come back
    }""")
    assert pending > 0
    wait_live(page, w)
    check(readouts(w), {**current, "sgd_lr": 0.135})


@pytest.mark.parametrize("settings", [
    {"sgd_lr": 0.245, "step": 37},                       # just below 2/h2: w2 still shrinks
    {"rms_lr": 0.065, "ada_lr": 0.85, "step": 1},
    {"sgd_lr": 0.265, "step": 100},                      # above 2/h2: w2 grows every step
])
def test_every_slider_gives_the_optdocs_numbers(page, settings):
    w = root(page, NAME)
    current = {**DEFAULTS, **page.evaluate("""() => Object.fromEntries(
        [...document.querySelectorAll('[data-optdocs-widget="flat-steep"] input')]
        .map(i => [i.name, Number(i.value)]))""")}
    for name, value in settings.items():
        set_range(w, name, value)
        current[name] = value
    wait_live(page, w)
    check(readouts(w), current)
    for name, value in settings.items():                 # defaults are left out of the URL
        assert (f"{NAME}.{name}={value}" in page.url) == (value != DEFAULTS[name])
    if current["sgd_lr"] > 0.25:
        assert abs(float(readouts(w)["sgd_factor_w2"])) > 1


def test_the_table_says_rmsprop_equalises_the_first_step(page):
    w = root(page, NAME)
    set_range(w, "step", 1)
    wait_live(page, w)
    v = readouts(w)
    assert float(v["sgd_ratio"]) == pytest.approx(0.4 / 8)   # one rate: |g1| / |g2| at (-4, 1)
    assert float(v["rmsprop_ratio"]) == pytest.approx(1.0, rel=1e-6)
    assert "step t = 1" in w.locator("table caption").inner_text()


PREFETCHED = """el => { const w = window.optdocsWidgets.widgets().find((x) => x.root === el);
  return w.neighbours().length > 0 && w.neighbours().every(([n, k]) => w.cache[n].has(k)); }"""
RECORD_CALLS = """() => { window.__calls = []; const rt = window.optdocsRunner, call = rt.call;
  rt.call = function (fn, args, kwargs, opts) { window.__calls.push([fn, kwargs]);
    return call.call(this, fn, args, kwargs, opts); }; }"""


def test_the_next_keyboard_step_is_drawn_at_once_from_a_prefetched_answer(page):
    """Once the settings rest, the answers one slider step either side are computed: the next
    arrow key is drawn exact at once, from them, without asking Python for that setting."""
    w = root(page, NAME)
    slider = w.locator('input[name="sgd_lr"]')
    start = slider.input_value()
    slider.focus()
    page.keyboard.press("ArrowRight")
    wait_live(page, w)
    page.wait_for_function(PREFETCHED, arg=w.element_handle(), timeout=60_000)
    page.evaluate(RECORD_CALLS)
    before = renders(w)
    page.keyboard.press("ArrowRight")
    lr = float(slider.input_value())
    assert renders(w) > before and w.get_attribute("data-pending") == "0"   # drawn, nothing asked
    asked = page.evaluate("() => window.__calls")
    assert not [kw for _, kw in asked if kw.get("lr") == lr and kw.get("optimizer") == "SGD"], asked
    current = {**DEFAULTS, **page.evaluate("""() => Object.fromEntries(
        [...document.querySelectorAll('[data-optdocs-widget="flat-steep"] input')]
        .map(i => [i.name, Number(i.value)]))""")}
    assert current["sgd_lr"] == lr
    check(readouts(w), current)                          # the prefetched answers are optdocs'
    set_range(w, "sgd_lr", start)                        # as the next tests expect
    wait_live(page, w)


def test_a_url_restores_the_settings(browser, server, recorder):
    query = f"?{NAME}.sgd_lr=0.26&{NAME}.ada_lr=1.5&{NAME}.step=50"
    expect = {"sgd_lr": "0.26", "ada_lr": "1.5", "step": "50"}
    with fresh_page(browser, recorder) as pg:
        w, from_grid = restore_from_url(pg, server, NAME, query, expect, touch="rms_lr")
        check(from_grid, {"sgd_lr": 0.26, "ada_lr": 1.5, "step": 50})
        wait_live(pg, w)
        assert readouts(w) == from_grid


def test_show_the_code_runs_the_calls_at_the_current_settings(page):
    w = root(page, NAME)
    details, code = open_code(page, w)
    assert '("SGD", 0.265)' in code and '("RMSprop", 0.065)' in code and "step=int(1" in code
    assert_runs_like_cpython(page, details, code)


def test_nothing_left_the_test_server(recorder, server):
    assert foreign_requests(recorder, server) == []
    assert recorder.errors == []
