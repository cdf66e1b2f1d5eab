"""The race (docs/assets/widgets/race.js) in headless Chromium against a self-hosted build.

Expected numbers come from optdocs.demos.race in CPython: a readout's data-value is the exact
number the page drew. The tests share one page and depend on their order.
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

from optdocs.demos import RACERS, race
from optdocs.landscapes import get

KEYS = {name: name.lower() for name in RACERS}


def check_race(values, step=150, **kwargs):
    """The readouts are optdocs' race at these settings, at ``step``."""
    r = race(steps=150, tol=0.01, **kwargs)
    assert float(values["start_x"]) == r["start"][0] and float(values["start_y"]) == r["start"][1]
    assert values["step"] == str(step)
    for name, key in KEYS.items():
        run = r["runs"].get(name)
        if run is None:
            assert values[f"{key}_loss"] == "" and values[f"{key}_settled"] == "", name
            continue
        loss = run["final_loss"] if step == 150 else run["loss"][step]
        assert float(values[f"{key}_loss"]) == loss, name
        assert int(values[f"{key}_settled"]) == run["steps_to_converge"], name
    return r


def test_static_figure_then_the_first_touch_answers_from_the_grid(page, server, recorder):
    w = open_widget(page, server, "race")
    assert w.get_attribute("data-state") == "static"
    assert w.locator("[data-role=static]").is_visible()
    for el in w.locator("input, select").all():
        assert el.evaluate("e => e.labels.length > 0 && e.labels[0].textContent.trim() !== ''")
    for b in w.locator("button").all():
        assert b.inner_text().strip()
    page.wait_for_timeout(300)
    assert not [u for u in recorder.urls if any(p in urlsplit(u).path for p in RUNTIME_PATHS)]
    before = renders(w)
    w.locator('input[name="lr"]').focus()
    page.keyboard.press("ArrowRight")                     # 0.1 -> 0.101, next to grid point 0.1
    wait_renders_above(page, w, before)
    assert w.get_attribute("data-state") == "loading"
    assert "nearest grid point" in w.locator("[data-role=status]").inner_text()
    assert w.locator("svg.optdocs-widget__panel").first.is_visible()
    assert w.locator("path[data-key=contours]").count() > 5      # d3-contour drew the surface
    check_race(readouts(w), surface="flat_steep", lr=0.1)


def test_live_every_control_gives_the_optdocs_race(page):
    w = root(page, "race")
    wait_live(page, w)
    check_race(readouts(w), surface="flat_steep", lr=0.101)
    w.locator('select[name="surface"]').select_option("beale")
    set_range(w, "lr", 0.02)
    set_range(w, "dx", 0.5)
    set_range(w, "dy", -0.25)
    w.locator('input[name="sgd"]').uncheck()
    for key in ("nesterov", "adagrad", "adamw", "radam", "lion"):
        w.locator(f'input[name="{key}"]').check()
    wait_live(page, w)
    r = check_race(readouts(w), surface="beale", lr=0.02, dx=0.5, dy=-0.25, sgd=False,
                   nesterov=True, adagrad=True, adamw=True, radam=True, lion=True)
    assert len(r["runs"]) == 8
    assert w.locator("path[data-key=path-lion]").get_attribute("d")
    assert "race.surface=beale" in page.url and "race.sgd=0" in page.url


def test_buttons_presets_step_play_pause(page):
    w = root(page, "race")
    for key in ("nesterov", "adagrad", "adamw", "radam", "lion"):
        w.locator(f'input[name="{key}"]').uncheck()
    w.locator('input[name="sgd"]').check()
    set_range(w, "dx", 0)
    set_range(w, "dy", 0)
    w.locator('select[name="surface"]').select_option("flat_steep")
    w.locator('[data-action="lr-0.45"]').click()
    wait_live(page, w)
    assert w.locator('input[name="lr"]').input_value() == "0.45"
    r = check_race(readouts(w), surface="flat_steep", lr=0.45)
    assert r["runs"]["SGD"]["final_loss"] > 1e6                  # the article: SGD diverges in w2
    w.locator('[data-action="lr-0.1"]').click()
    wait_live(page, w)
    check_race(readouts(w), surface="flat_steep", lr=0.1)
    w.locator("[data-action=step]").click()                      # from the end: step 1
    w.locator("[data-action=step]").click()
    wait_live(page, w)
    check_race(readouts(w), step=2, surface="flat_steep", lr=0.1)
    play = w.locator("[data-action=play]")
    play.click()
    assert play.get_attribute("aria-pressed") == "true"
    page.wait_for_function("el => Number(el.querySelector('[data-key=step]').dataset.value) >= 20",
                           arg=w.element_handle())
    play.click()                                                  # pause
    assert play.get_attribute("aria-pressed") == "false"
    paused = readouts(w)["step"]
    page.wait_for_timeout(400)
    assert readouts(w)["step"] == paused and int(paused) < 150
    check_race(readouts(w), step=int(paused), surface="flat_steep", lr=0.1)
    play.click()                                                  # plays on to the end
    page.wait_for_function("el => el.querySelector('[data-key=step]').dataset.value === '150'",
                           arg=w.element_handle(), timeout=20_000)
    assert play.get_attribute("aria-pressed") == "false"
    check_race(readouts(w), surface="flat_steep", lr=0.1)


def test_a_click_on_the_contour_sets_the_start(page):
    w = root(page, "race")
    svg = w.locator("svg.optdocs-widget__panel").first
    box = svg.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.7, box["y"] + box["height"] * 0.3)
    wait_live(page, w)
    dx = float(w.locator('input[name="dx"]').input_value())
    dy = float(w.locator('input[name="dy"]').input_value())
    assert dx > 4 and dy != 0                        # right of (-4, 1), in the window
    r = check_race(readouts(w), surface="flat_steep", lr=0.1, dx=dx, dy=dy)
    assert r["start"] == (get("flat_steep").start + [dx, dy]).tolist()
    assert -5 <= r["start"][0] <= 5 and -1.5 <= r["start"][1] <= 1.5


def test_show_the_code_runs_the_race_at_the_current_settings(page):
    w = root(page, "race")
    details, code = open_code(page, w)
    assert 'race("flat_steep", lr=0.1, dx=' in code and "nesterov=False" in code
    assert_runs_like_cpython(page, details, code)


def test_a_url_restores_the_settings_and_the_grid_equals_live(browser, server, recorder):
    with fresh_page(browser, recorder) as page:
        w, from_grid = restore_from_url(page, server, "race", "?race.surface=rosenbrock&race.lr=0.001",
                                        {"surface": "rosenbrock", "lr": "0.001"}, touch="surface")
        assert w.get_attribute("data-state") == "loading"
        check_race(from_grid, surface="rosenbrock", lr=0.001)
        wait_live(page, w)
        assert readouts(w) == from_grid
        w, _ = restore_from_url(page, server, "race", "?race.lion=1&race.dx=0.5&race.step=20",
                                {"lion": True, "dx": "0.5"}, touch="lion")
        wait_live(page, w)
        check_race(readouts(w), step=20, dx=0.5, lion=True)


def test_nothing_left_the_test_server(recorder, server):
    assert foreign_requests(recorder, server) == []
    assert recorder.errors == []
