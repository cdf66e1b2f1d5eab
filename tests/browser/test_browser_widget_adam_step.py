"""The "Adam's normalised step" widget of docs/adam.md in headless Chromium, against a self-hosted
build (fixtures in conftest.py, helpers in widget_helpers.py).

The expected numbers are computed here, in CPython, with optdocs.demos; readouts carry the exact
number in data-value. The tests share one browser page and depend on their order.

Exactness across CPython and Pyodide: the demo computes the gradient's scale without the C
library's exp (which differs in the last bit between the two), but optdocs.Adam's bias correction
uses float powers beta**t, which differ in the last bit for about 1 in 3000 (beta, t) pairs; a
corrected step at such a t can then differ by one ulp (1 of 280 settings checked on a grid of
noise, beta1, beta2). The settings below are not among them.
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

from optdocs.demos import adam_normalised_step, sgd_normalised_step

NAME = "adam-step"
SHARED = {"steps": 1000, "tau": 500.0, "lr": 0.01, "seed": 0, "first": 50, "block": 20}
ROWS = ("step_1", "step_2", "step_10", "step_100", "mean_mid", "mean_end")


def check(values: dict, noise: float, beta1: float, beta2: float) -> None:
    sgd = sgd_normalised_step(noise, **SHARED)
    adam = adam_normalised_step(noise, beta1, beta2, **SHARED)
    for row in ROWS:
        assert float(values[f"sgd_{row}"]) == sgd[row], row
        assert float(values[f"adam_{row}"]) == adam[row], row
        assert float(values[f"raw_{row}"]) == adam["uncorrected"][row], row
    assert float(values["scale_end"]) == sgd["scale_end"]


def drawn_points(w, key: str) -> int:
    """Points of the line `key` in the first-steps panel (0 when it is not drawn)."""
    d = w.locator(f'svg.optdocs-widget__panel >> nth=0 >> path[data-key="{key}"]')
    return (d.get_attribute("d") or "").count("L") + bool(d.get_attribute("d"))


def test_static_figure_and_no_python_before_the_first_touch(page, server, recorder):
    w = open_widget(page, server, NAME)
    assert w.get_attribute("data-state") == "static"
    assert w.locator("[data-role=static]").is_visible()
    names = [el.get_attribute("name") for el in w.locator("input").all()]
    assert names == ["noise", "beta1", "beta2", "uncorrected"]
    for el in w.locator("input").all():
        assert el.evaluate("e => e.labels.length > 0 && e.labels[0].textContent.trim() !== ''")
    page.wait_for_timeout(500)
    asked = [u for u in recorder.urls if any(p in urlsplit(u).path for p in RUNTIME_PATHS)]
    assert asked == [], asked


def test_first_touch_answers_from_the_nearest_grid_point(page):
    w = root(page, NAME)
    before = renders(w)
    w.locator('input[name="beta2"]').focus()
    page.keyboard.press("ArrowLeft")                     # 0.999 -> 0.9985, between grid points
    wait_renders_above(page, w, before)
    assert w.get_attribute("data-state") == "loading"
    assert "nearest grid point" in w.locator("[data-role=status]").inner_text()
    check(readouts(w), 0.5, 0.9, 0.999)                  # the grid point nearest to 0.9985
    assert drawn_points(w, "sgd") == 50 and drawn_points(w, "adam") == 50
    assert drawn_points(w, "raw") == 0                   # the checkbox is off


def test_live_numbers_for_the_setting_itself(page):
    w = root(page, NAME)
    wait_live(page, w)
    check(readouts(w), 0.5, 0.9, 0.9985)
    assert f"{NAME}.beta2=0.9985" in page.url


def test_every_slider_gives_the_optdocs_numbers(page):
    w = root(page, NAME)
    for name, value in (("noise", 1.25), ("beta1", 0.8), ("beta2", 0.99)):
        set_range(w, name, value)
    wait_live(page, w)
    check(readouts(w), 1.25, 0.8, 0.99)
    for name, value in (("noise", 1.25), ("beta1", 0.8), ("beta2", 0.99)):
        assert f"{NAME}.{name}={value}" in page.url


def test_the_checkbox_draws_adam_without_bias_correction(page):
    w = root(page, NAME)
    before = renders(w)
    w.locator('input[name="uncorrected"]').check()
    wait_renders_above(page, w, before)
    assert drawn_points(w, "raw") == 50
    v = readouts(w)
    assert v["drawn"] == "1" and f"{NAME}.uncorrected=1" in page.url
    adam = adam_normalised_step(1.25, 0.8, 0.99, **SHARED)
    assert float(v["raw_step_1"]) == adam["uncorrected"]["step_1"]   # (1 - b1) / sqrt(1 - b2)
    assert float(v["raw_step_1"]) == pytest.approx(0.2 / 0.1, rel=1e-6)
    w.locator('input[name="uncorrected"]').press("Space")         # the keyboard switches it off
    page.wait_for_function("el => el.querySelector('[data-key=drawn]').dataset.value === '0'",
                           arg=w.element_handle())
    assert drawn_points(w, "raw") == 0 and f"{NAME}.uncorrected" not in page.url


def test_a_url_restores_the_settings_and_the_grid_equals_live(browser, server, recorder):
    query = f"?{NAME}.noise=1&{NAME}.beta1=0.99&{NAME}.beta2=0.995&{NAME}.uncorrected=1"
    expect = {"noise": "1", "beta1": "0.99", "beta2": "0.995", "uncorrected": True}
    with fresh_page(browser, recorder) as pg:
        w, from_grid = restore_from_url(pg, server, NAME, query, expect, touch="noise")
        check(from_grid, 1.0, 0.99, 0.995)
        assert drawn_points(w, "raw") == 50
        wait_live(pg, w)
        assert readouts(w) == from_grid                   # a grid point: build == live


def test_show_the_code_runs_the_calls_at_the_current_settings(page):
    w = root(page, NAME)
    details, code = open_code(page, w)
    assert "noise=1.25, beta1=0.8, beta2=0.99" in code
    assert_runs_like_cpython(page, details, code)


def test_nothing_left_the_test_server(recorder, server):
    assert foreign_requests(recorder, server) == []
    assert recorder.errors == []
