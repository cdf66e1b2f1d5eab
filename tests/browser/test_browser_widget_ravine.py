"""The ravine (docs/assets/widgets/ravine.js) in headless Chromium against a self-hosted build.

Expected numbers come from optdocs.demos.ravine_race / ravine_heatmap in CPython: a readout's
data-value is the exact number the page drew. The tests share one page and depend on their order.
"""
from __future__ import annotations

from urllib.parse import urlsplit

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

from optdocs.demos import ravine_heatmap, ravine_race

HEAT = ravine_heatmap(steps=300, tol=0.001)


def check_ravine(values, lr, beta):
    r = ravine_race(lr, beta, steps=300, show=100, tol=0.001)
    for name in ("SGD", "Momentum", "Nesterov"):
        assert int(values[f"{name.lower()}_steps"]) == r["runs"][name]["steps_to_converge"], name
    same = r["runs"]["SGD"]["x"] == r["runs"]["Momentum"]["x"]
    assert values["same_path"] == ("yes" if same else "no")
    i = min(range(len(HEAT["lr"])), key=lambda k: abs(HEAT["lr"][k] - lr))
    j = min(range(len(HEAT["beta"])), key=lambda k: abs(HEAT["beta"][k] - beta))
    assert [float(v) for v in values["heat_cell"].split(",")] == [HEAT["lr"][i], HEAT["beta"][j]]
    assert int(values["heat_steps"]) == HEAT["steps_to_converge"][j][i]
    return r


def test_static_then_the_first_touch_answers_from_the_grid(page, server, recorder):
    w = open_widget(page, server, "ravine")
    assert w.get_attribute("data-state") == "static"
    for el in w.locator("input, select").all():
        assert el.evaluate("e => e.labels.length > 0 && e.labels[0].textContent.trim() !== ''")
    page.wait_for_timeout(300)
    assert not [u for u in recorder.urls if any(p in urlsplit(u).path for p in RUNTIME_PATHS)]
    before = renders(w)
    w.locator('input[name="beta"]').focus()
    page.keyboard.press("ArrowLeft")                       # 0.9 -> 0.89, next to grid point 0.9
    wait_renders_above(page, w, before)
    assert w.get_attribute("data-state") == "loading"
    assert "nearest grid point" in w.locator("[data-role=status]").inner_text()
    v = readouts(w)
    r = ravine_race(0.02, 0.9, steps=300, show=100, tol=0.001)
    for name in ("SGD", "Momentum", "Nesterov"):
        assert int(v[f"{name.lower()}_steps"]) == r["runs"][name]["steps_to_converge"]
    assert w.locator("rect[data-key=cell]").count() > 100          # the heat map, from the build


def test_live_sliders_and_beta_zero_is_sgd(page):
    w = root(page, "ravine")
    wait_live(page, w)
    check_ravine(readouts(w), 0.02, 0.89)
    set_range(w, "beta", 0)
    wait_live(page, w)
    v = readouts(w)
    check_ravine(v, 0.02, 0.0)
    assert v["same_path"] == "yes" and v["sgd_steps"] == v["momentum_steps"] == v["nesterov_steps"]
    assert (w.locator("path[data-key=path-sgd]").get_attribute("d")
            == w.locator("path[data-key=path-momentum]").get_attribute("d"))
    set_range(w, "lr", 0.12)
    set_range(w, "beta", 0.5)
    wait_live(page, w)
    v = readouts(w)
    check_ravine(v, 0.12, 0.5)
    # on a cell of the map, the map and the momentum run count the same steps
    assert v["heat_steps"] == v["momentum_steps"] and v["same_path"] == "no"
    assert "ravine.lr=0.12" in page.url and "ravine.beta=0.5" in page.url


def test_a_click_on_the_map_picks_the_setting(page):
    w = root(page, "ravine")
    heat = w.locator("svg.optdocs-widget__panel").nth(1)
    box = heat.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.3)
    wait_live(page, w)
    lr = float(w.locator('input[name="lr"]').input_value())
    beta = float(w.locator('input[name="beta"]').input_value())
    assert (lr, beta) != (0.12, 0.5) and 0.01 <= lr <= 0.3 and 0 <= beta <= 0.95
    check_ravine(readouts(w), lr, beta)


def test_show_the_code_runs_at_the_current_settings(page):
    w = root(page, "ravine")
    set_range(w, "lr", 0.05)
    set_range(w, "beta", 0.7)
    details, code = open_code(page, w)
    assert "ravine_race(lr=0.05, beta=0.7," in code
    assert_runs_like_cpython(page, details, code)


def test_a_url_restores_the_settings_and_the_grid_equals_live(browser, server, recorder):
    with fresh_page(browser, recorder) as page:
        w, from_grid = restore_from_url(page, server, "ravine", "?ravine.lr=0.12&ravine.beta=0.5",
                                        {"lr": "0.12", "beta": "0.5"}, touch="lr")
        assert w.get_attribute("data-state") == "loading"
        check_ravine(from_grid, 0.12, 0.5)
        wait_live(page, w)
        assert readouts(w) == from_grid


def test_nothing_left_the_test_server(recorder, server):
    assert foreign_requests(recorder, server) == []
    assert recorder.errors == []
