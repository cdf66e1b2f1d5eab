"""The interactive figures (docs/assets/widgets/, hooks/widgets.py) in headless Chromium, against a
self-hosted build of the site (fixtures in conftest.py).

The expected numbers are computed here, in CPython, with optdocs.demos: a readout's data-value is
the exact number the page drew, so the comparisons are exact. The tests of one page share one
browser page and depend on their order (static, first touch, live, ...).
"""
from __future__ import annotations

import gzip
import html
import json
import re
from urllib.parse import urlsplit

from widget_helpers import (
    RUNTIME_PATHS,
    WIDGET_PAGES,
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

from optdocs.demos import double_well_outcomes, double_well_path, lr_dial


def check_dial(values, lr, c):
    d = lr_dial(lr, curvature=c, x0=-1.5, steps=20)
    assert values["regime"] == d["regime"]
    for key in ("factor", "final_x", "final_loss"):
        assert float(values[key]) == d[key], key
    assert float(values["overshoot"]) == d["thresholds"]["overshoot"]
    assert float(values["diverge"]) == d["thresholds"]["diverge"]


# ------------------------------------------------------------------------------ the lr dial


def test_static_figure_and_no_python_before_the_first_touch(page, server, recorder):
    w = open_widget(page, server, "lr-dial")
    assert w.get_attribute("data-state") == "static"
    assert w.locator("[data-role=static]").is_visible()
    assert not w.locator("svg.optdocs-widget__panel").first.is_visible()
    # every control is a native, labelled element
    for el in w.locator("input, select").all():
        assert el.evaluate("e => e.labels.length > 0 && e.labels[0].textContent.trim() !== ''")
    for b in w.locator("button").all():
        assert b.inner_text().strip()
    page.wait_for_timeout(500)
    asked = [u for u in recorder.urls if any(p in urlsplit(u).path for p in RUNTIME_PATHS)]
    assert asked == [], asked


def test_first_touch_answers_from_the_grid_while_python_loads(page, server):
    w = root(page, "lr-dial")
    before = renders(w)
    w.locator('input[name="lr"]').focus()
    page.keyboard.press("ArrowRight")                    # 0.3 -> 0.31, a keyboard first touch
    wait_renders_above(page, w, before)
    assert w.get_attribute("data-state") == "loading"    # Python takes seconds to start
    assert int(w.get_attribute("data-pending")) > 0
    assert not w.locator("[data-role=static]").is_visible()
    assert w.locator("svg.optdocs-widget__panel").first.is_visible()   # the live figure
    assert "nearest grid point" in w.locator("[data-role=status]").inner_text()
    check_dial(readouts(w), 0.3, 2.0)                    # the grid point next to 0.31


def test_live_readouts_are_optdocs_for_every_setting(page):
    w = root(page, "lr-dial")
    wait_live(page, w)
    check_dial(readouts(w), 0.31, 2.0)                   # exact, off the grid
    for lr, c in ((0.85, 2.0), (0.12, 3.7), (1.27, 1.6)):
        set_range(w, "curvature", c)
        set_range(w, "lr", lr)
        wait_live(page, w)
        check_dial(readouts(w), lr, c)
    assert readouts(w)["regime"] == "diverging"          # 1.27 * 1.6 = 2.03 > 2
    assert "lr-dial.lr=1.27" in page.url and "lr-dial.curvature=1.6" in page.url


BUSY_CELL = "import time\nt = time.perf_counter()\nwhile time.perf_counter() - t < 1.5:\n    pass\n"


def test_a_fast_slider_builds_no_queue(page):
    """15 moves while Python is busy: each sends its request at once, on the widget's channel,
    and the worker drops every one a newer move superseded before it could start."""
    w = root(page, "lr-dial")
    ids = page.evaluate("""async (code) => {
        const rt = window.optdocsRunner.runtime;
        const seen = window.__seen = [];
        const onMessage = window.__onMessage = rt.onMessage;
        rt.onMessage = function (msg) {
            const kind = ["started", "cancelled", "result"].includes(msg.type);
            if (kind) seen.push([msg.type, msg.id, msg.started]);
            return onMessage.call(this, msg);
        };
        await new Promise((resolve) => rt.submit({kind: "run", code, on(type) {
            if (type === "started") resolve();
        }}));
        const first = rt.nextId;
        const input = document.querySelector('[data-optdocs-widget="lr-dial"] input[name="lr"]');
        for (let i = 61; i <= 75; i++) {
            input.value = String(i / 100);
            input.dispatchEvent(new Event("input", {bubbles: true}));
        }
        return [first, rt.nextId];
    }""", BUSY_CELL)
    sent = list(range(*ids))
    assert len(sent) == 15                          # one request per move ...
    wait_live(page, w)
    seen = page.evaluate("window.__seen")
    page.evaluate("() => { window.optdocsRunner.runtime.onMessage = window.__onMessage; }")
    started = [i for t, i, _ in seen if t == "started" and i in sent]
    dropped = [i for t, i, was_started in seen if t == "cancelled" and not was_started]
    assert started == [sent[-1]], seen              # ... only the newest is computed
    assert sorted(dropped) == sent[:-1], seen       # the others were dropped, never started
    check_dial(readouts(w), 0.75, 1.6)


def test_a_url_restores_the_settings_and_the_grid_equals_live(browser, server, recorder):
    query = "?lr-dial.lr=0.45&lr-dial.curvature=3#overshooting-on-a-bowl"
    with fresh_page(browser, recorder) as page:
        w, from_grid = restore_from_url(page, server, "lr-dial", query,
                                        {"lr": "0.45", "curvature": "3"}, touch="lr")
        assert w.get_attribute("data-state") == "loading"
        check_dial(from_grid, 0.45, 3.0)
        wait_live(page, w)
        assert readouts(w) == from_grid                     # a grid point: build == live
        set_range(w, "lr", 0.5)
        assert urlsplit(page.url).fragment == "overshooting-on-a-bowl"   # anchors untouched


def test_show_the_code_runs_the_call_at_the_current_settings(page):
    w = root(page, "lr-dial")
    details, code = open_code(page, w)
    assert "lr_dial(lr=0.75, curvature=1.6," in code
    assert_runs_like_cpython(page, details, code)


# ------------------------------------------------------------------------------ escaping


def test_escape_buttons_step_and_tally(page, server):
    w = open_widget(page, server, "escape")
    assert w.get_attribute("data-state") == "static"
    w.locator("[data-action=step]").click()               # trial 0 was complete: trial 1, step 1
    wait_live(page, w)
    v = readouts(w)
    assert (v["trial"], v["step"]) == ("1", "1")
    small = double_well_path("SGD", 0.03, noise=1.0, steps=150, seed=1)
    large = double_well_path("SGD", 0.3, noise=1.0, steps=150, seed=1)
    assert float(v["small_x"]) == small["x"][1] and float(v["large_x"]) == large["x"][1]
    w.locator("[data-action=step10]").click()
    wait_live(page, w)
    v = readouts(w)
    assert v["step"] == "11" and float(v["large_x"]) == large["x"][11]
    for _ in range(14):                                    # to step 150: the trial is finished
        w.locator("[data-action=step10]").click()
    wait_live(page, w)
    v = readouts(w)
    assert v["step"] == "150"
    deep0 = [double_well_path("SGD", lr, steps=150, seed=0)["basin"] == "deep" for lr in (0.03, 0.3)]
    deep1 = [p["basin"] == "deep" for p in (small, large)]
    assert v["tally"] == (f"{deep0[0] + deep1[0]} of 2, {deep0[1] + deep1[1]} of 2")
    assert v["large_where"] == ("deep well" if large["x"][150] >= 0 else "shallow well")
    w.locator("[data-action=reset]").click()
    wait_live(page, w)
    assert (readouts(w)["trial"], readouts(w)["step"]) == ("2", "0")


def test_escape_sliders_and_the_fraction_over_1000_runs(page):
    w = root(page, "escape")
    set_range(w, "small", 0.045)
    set_range(w, "large", 0.55)
    wait_live(page, w)
    v = readouts(w)
    for key, lr in (("small", 0.045), ("large", 0.55)):
        o = double_well_outcomes("SGD", lr, noise=1.0, steps=1000, runs=1000, seed=0)
        assert float(v[f"{key}_escaped"]) == o["escaped"]
        assert float(v[f"{key}_x"]) == double_well_path("SGD", lr, steps=150, seed=2)["x"][0]


# ------------------------------------------------------------------------------ SGD vs Adam


def test_sgd_adam_controls_give_the_optdocs_numbers(page, server):
    w = open_widget(page, server, "sgd-adam", "?sgd-adam.noise=0.5")
    assert w.locator('input[name="noise"]').input_value() == "0.5"
    for name, value in (("sgd_lr", 0.35), ("adam_lr", 0.23), ("noise", 0.65)):
        set_range(w, name, value)
    wait_live(page, w)
    v = readouts(w)
    for key, opt, lr in (("sgd", "SGD", 0.35), ("adam", "Adam", 0.23)):
        p = double_well_path(opt, lr, noise=0.65, steps=300, seed=0)
        o = double_well_outcomes(opt, lr, noise=0.65, steps=1000, runs=1000, seed=0)
        assert float(v[f"{key}_end"]) == p["final_x"]
        for part in ("escaped", "stayed", "diverged"):
            assert float(v[f"{key}_{part}"]) == o[part], (key, part)


def test_a_long_cell_and_its_stop_do_not_break_a_widget(page):
    w = root(page, "sgd-adam")
    before = renders(w)
    # Python is busy for 0.4 s, then runs the cell; the move's call waits behind both. The widget
    # redraws from the grid before the cell has started, and its status must follow once it has.
    page.evaluate("""() => {
        window.optdocsRunner.call("time.sleep", [0.4]);
        const cell = window.optdocsRunner.cells()[0];
        cell.original = "while True:\\n    pass\\n";
        cell.run();
        const lr = document.querySelector('[data-optdocs-widget="sgd-adam"] input[name="sgd_lr"]');
        lr.value = "0.8";
        lr.dispatchEvent(new Event("input", {bubbles: true}));
    }""")
    page.wait_for_function("() => window.optdocsRunner.runtime.cellRunning()")
    wait_renders_above(page, w, before)              # Python is busy: the grid answers meanwhile
    assert int(w.get_attribute("data-pending")) > 0
    page.wait_for_function("el => el.querySelector('[data-role=status]').textContent"
                           ".includes('busy running a cell')", arg=w.element_handle(), timeout=5000)
    # nearest grid point of (0.8, 0.65): lr 0.7, noise 0.5
    assert float(readouts(w)["sgd_end"]) == double_well_path("SGD", 0.7, noise=0.5, steps=300)["final_x"]
    page.evaluate("() => window.optdocsRunner.cells()[0].stop()")   # restarts the worker
    wait_live(page, w)                               # ... and the widget recovers by itself
    v = readouts(w)
    assert float(v["sgd_end"]) == double_well_path("SGD", 0.8, noise=0.65, steps=300)["final_x"]
    o = double_well_outcomes("SGD", 0.8, noise=0.65, steps=1000, runs=1000, seed=0)
    assert float(v["sgd_escaped"]) == o["escaped"]


# ------------------------------------------------------------------------------ every widget


def test_phone_width_no_horizontal_scroll(browser, server):
    ctx = browser.new_context(viewport={"width": 390, "height": 800}, is_mobile=True, has_touch=True)
    try:
        page = ctx.new_page()
        for name in WIDGET_PAGES:
            w = open_widget(page, server, name)
            w.locator("input").first.tap()              # a touch is a first touch too
            wait_renders_above(page, w, 0)
            assert w.get_attribute("data-state") in ("loading", "live")
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, name
    finally:
        ctx.close()


WIDGET_STYLESHEET = """() => [...document.styleSheets].some(
    s => /assets\\/widgets\\/widgets/.test(s.href || ''))"""
LARGEST_COORDINATE = """el => Math.max(0, ...[...el.querySelectorAll('path[d]')].flatMap(
    p => (p.getAttribute('d').match(/-?[0-9.]+(e[-+]?[0-9]+)?/gi) || []).map(v => Math.abs(Number(v)))))"""


def test_every_touched_widget_has_no_serious_accessibility_violation(browser, server):
    """axe-core on each of the nine widgets once touched (its panels, legends and readouts drawn),
    in the light palette and then the dark one (Material's toggle, which switches without a
    reload); the pages as first shown are checked by test_browser_a11y.py. No drawn
    coordinate is far outside its panel (a diverged run's line once reached 6.7e117, and
    axe-core's contrast check then looped for minutes). Every page after the first is reached by
    instant navigation, as a reader following the nav does: the widgets' stylesheet must survive
    it (it did not: Material replaced the head's links and the buttons lost their colours)."""
    from runner_helpers import goto_instant
    from test_browser_a11y import blocking_violations, describe, in_each_palette

    failures = {}
    pages = {**WIDGET_PAGES, "schedules": "schedules/", "playground": "training/"}
    with fresh_page(browser, color_scheme="light", bypass_csp=True,
                    viewport={"width": 1280, "height": 900}) as page:
        page.goto(server.base_url)
        for name, path in pages.items():        # instant navigation: Python starts once
            goto_instant(page, server.base_url + path)
            w = root(page, name)
            w.locator("[data-action=code]").wait_for()
            w.locator("input, select").first.dispatch_event("pointerdown")   # a touch, no change
            wait_renders_above(page, w, 0)
            assert w.evaluate(LARGEST_COORDINATE) < 2_000, name
            # the widgets' stylesheet survives instant navigation (Material swaps the head's links)
            assert page.evaluate(WIDGET_STYLESHEET), name
            for scheme in in_each_palette(page):
                found = blocking_violations(page, scheme, w.element_handle())
                if found:
                    failures[f"{name}, {scheme}"] = describe(found)
    assert not failures, "\n".join(f"{where}:\n{text}" for where, text in failures.items())


def test_instant_navigation_mounts_the_widget_of_the_new_page(browser, server):
    ctx = browser.new_context(viewport={"width": 1200, "height": 900})
    try:
        page = ctx.new_page()
        page.goto(server.base_url + "?lr-dial.lr=0.9")           # a page without widgets
        page.evaluate("window.__sameDocument = 1")
        page.evaluate("""url => { const a = document.createElement("a"); a.href = url;
            document.querySelector(".md-content").appendChild(a); a.click(); }""",
                      server.base_url + "gradient-descent/?lr-dial.lr=0.9")
        w = root(page, "lr-dial")
        w.locator("[data-action=code]").wait_for()
        assert page.evaluate("window.__sameDocument") == 1           # no page load happened
        assert w.locator('input[name="lr"]').input_value() == "0.9"
        w.locator('input[name="curvature"]').focus()
        page.keyboard.press("ArrowLeft")                            # 2.0 -> 1.9
        wait_renders_above(page, w, 0)
        check_dial(readouts(w), 0.9, 2.0)                           # grid point (0.9, 2.0)
        assert "lr-dial.curvature=1.9" in page.url
    finally:
        ctx.close()


def test_widget_data_per_page_is_within_budget(built_site):
    for name, path in WIDGET_PAGES.items():
        text = (built_site / path / "index.html").read_text()
        specs = re.findall(r'data-spec="([^"]*)"', text)
        assert specs, name
        size = sum(len(gzip.compress(html.unescape(s).encode(), 9)) for s in specs)
        assert size <= 150_000, (name, size)
        assert json.loads(html.unescape(specs[0]))["grid"]


def test_nothing_left_the_test_server(recorder, server):
    assert foreign_requests(recorder, server) == []
    assert recorder.errors == []
