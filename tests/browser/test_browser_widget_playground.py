"""The training playground (training.md) in headless Chromium, against a self-hosted build.

Expected numbers: optdocs.demos.playground, in CPython here and, exactly, the same call made by
the page's Python (the build computes in CPython with OpenBLAS, the page in Pyodide without BLAS:
their matrix products may round differently in the last bit, which after hundreds of steps shows
in the 15th digit of the loss; epochs, steps, accuracies and the epoch at 90% are equal). The tests
share one browser page and run in order.
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
    wait_live,
    wait_renders_above,
)

from optdocs.demos import playground

PAGES = {"playground": "training/"}
EXACT = ("epoch", "accuracy", "epochs_to_90", "steps")
SETTINGS = ("optimizer", "lr", "schedule", "batch_size", "clip")


def kwargs(w, epoch):
    """The widget's current settings as playground's arguments."""
    kw = {name: w.locator(f'select[name="{name}"]').input_value() for name in SETTINGS}
    kw.update(lr=float(kw["lr"]), batch_size=int(kw["batch_size"]), clip=float(kw["clip"]))
    return dict(kw, epoch=epoch, epochs=100)


def number(text):
    return None if text == "null" else float(text)


def check(values, kw, page=None):
    """Readouts == playground(**kw): CPython to 1e-12 (the loss, the rate), the rest exactly; and
    exactly the page's own call when ``page`` is given."""
    answers = [(playground(**kw), False)]
    if page is not None:
        js = page.evaluate("kw => window.optdocsRunner.call('optdocs.demos.playground', [], kw)", kw)
        answers.append((js, True))
    for a, exact in answers:
        assert number(values["epoch"]) == a["epoch"] == kw["epoch"]
        assert number(values["accuracy"]) == a["final_accuracy"]
        assert number(values["epochs_to_90"]) == a["epochs_to_90"]
        assert number(values["steps"]) == a["steps"]
        for key, want in (("loss", a["final_loss"]), ("lr", a["lr"])):
            got = number(values[key])
            assert got == want if exact else got == pytest.approx(want, rel=1e-12), (key, exact)


def settle(page, w, action):
    before = renders(w)
    action()
    wait_renders_above(page, w, before)
    wait_live(page, w)


SHOWS = """([el, live]) => (!live || el.dataset.state === 'live' && el.dataset.pending === '0')
    && Number(el.querySelector('[data-key=epoch]').dataset.value) === el.optdocsWidget.values.epoch"""


def shows_its_epoch(page, w, live=True):
    """Until the readouts are those of the widget's current epoch (and live, if ``live``)."""
    page.wait_for_function(SHOWS, arg=[w.element_handle(), live], timeout=180_000)


def pause(page, w):
    """Stop playing (if it plays) and wait for the live answer of the epoch it stopped at."""
    play = w.locator("[data-action=play]")
    if play.get_attribute("aria-pressed") == "true":
        play.click()
    assert play.get_attribute("aria-pressed") == "false" and play.inner_text() == "Play"
    shows_its_epoch(page, w)
    return int(readouts(w)["epoch"])


def test_static_figure_labelled_controls_and_no_python(page, server, recorder):
    w = open_widget(page, server, "playground", pages=PAGES)
    assert w.get_attribute("data-state") == "static"
    assert w.locator("[data-role=static]").is_visible()
    for el in w.locator("select").all():
        assert el.evaluate("e => e.labels.length > 0 && e.labels[0].textContent.trim() !== ''")
    assert [b.get_attribute("data-action") for b in w.locator("button").all()] == [
        "play", "step", "reset", "code"]
    page.wait_for_timeout(300)
    asked = [u for u in recorder.urls if any(p in urlsplit(u).path for p in RUNTIME_PATHS)]
    assert asked == []


def test_step_is_a_first_touch_answered_from_the_grid(page):
    w = root(page, "playground")
    before = renders(w)
    w.locator("[data-action=step]").click()          # epoch 100 is the end: Step starts again
    wait_renders_above(page, w, before)
    shows_its_epoch(page, w, live=False)
    assert w.get_attribute("data-state") == "loading"
    assert not w.locator("[data-role=static]").is_visible()
    from_grid = readouts(w)
    check(from_grid, kwargs(w, 1))                   # a grid point: the build's exact answer
    shows_its_epoch(page, w)
    live = readouts(w)
    check(live, kwargs(w, 1), page)
    assert {k: live[k] for k in EXACT} == {k: from_grid[k] for k in EXACT}
    assert number(live["loss"]) == pytest.approx(number(from_grid["loss"]), rel=1e-12)


def test_step_reset_and_play(page):
    w = root(page, "playground")
    settle(page, w, lambda: w.locator("[data-action=step]").click())
    check(readouts(w), kwargs(w, 2), page)
    settle(page, w, lambda: w.locator("[data-action=reset]").click())
    check(readouts(w), kwargs(w, 0), page)
    play = w.locator("[data-action=play]")
    play.click()
    assert play.get_attribute("aria-pressed") == "true" and play.inner_text() == "Pause"
    page.wait_for_function("el => Number(el.querySelector('[data-key=epoch]').dataset.value) >= 3",
                           arg=w.element_handle(), timeout=120_000)
    e = pause(page, w)
    assert e >= 3
    check(readouts(w), kwargs(w, e), page)
    assert f"playground.epoch={e}" in page.url


def test_every_setting_trains_again_and_gives_the_optdocs_numbers(page):
    w = root(page, "playground")
    for name, value in (("optimizer", "Momentum"), ("lr", "0.1"), ("schedule", "warmup_cosine"),
                        ("batch_size", "16"), ("clip", "1")):
        w.locator(f'select[name="{name}"]').select_option(value)
        assert w.locator("[data-action=play]").get_attribute("aria-pressed") == "true"
        e = pause(page, w)
        assert 0 <= e < 100                          # it started again from epoch 0
        check(readouts(w), kwargs(w, e), page)
    kw = kwargs(w, 100)
    assert kw == dict(optimizer="Momentum", lr=0.1, schedule="warmup_cosine", batch_size=16,
                      clip=1.0, epoch=100, epochs=100)
    w.locator("[data-action=play]").click()          # play to the end
    page.wait_for_function("el => el.querySelector('[data-action=play]').textContent === 'Play'",
                           arg=w.element_handle(), timeout=180_000)
    shows_its_epoch(page, w)
    check(readouts(w), kw, page)
    for part in ("optimizer=Momentum", "lr=0.1", "schedule=warmup_cosine", "batch_size=16",
                 "clip=1"):
        assert f"playground.{part}" in page.url


def test_show_the_code_runs_the_call_at_the_current_settings(page):
    w = root(page, "playground")
    details, code = open_code(page, w)
    assert ('run = playground("Momentum", lr=0.1, schedule="warmup_cosine", batch_size=16,'
            in code and "clip=1.0, epoch=100," in code)
    assert_runs_like_cpython(page, details, code)


def test_a_long_cell_and_its_stop_do_not_break_the_playground(page):
    w = root(page, "playground")
    page.evaluate("""() => {
        const cell = window.optdocsRunner.cells()[0];
        cell.original = "while True:\\n    pass\\n";
        cell.run();
    }""")
    page.wait_for_function("() => window.optdocsRunner.runtime.cellRunning()")  # the worker runs it
    before = renders(w)
    w.locator('select[name="optimizer"]').select_option("SGD")   # Python is busy: the grid answers
    wait_renders_above(page, w, before)
    assert int(w.get_attribute("data-pending")) > 0
    page.evaluate("() => window.optdocsRunner.cells()[0].stop()")  # restarts the worker
    e = pause(page, w)                                # ... and the widget recovers by itself
    check(readouts(w), kwargs(w, e), page)


def test_a_url_restores_the_settings_and_the_grid_equals_live(browser, server, recorder):
    query = "?playground.optimizer=SGD&playground.lr=0.3&playground.epoch=20#the-problem"
    with fresh_page(browser, recorder, timeout=60_000) as page:
        w, from_grid = restore_from_url(page, server, "playground", query,
                                        {"optimizer": "SGD", "lr": "0.3"}, "lr", PAGES)
        check(from_grid, kwargs(w, 20))
        wait_live(page, w)
        live = readouts(w)
        check(live, kwargs(w, 20), page)
        assert {k: live[k] for k in EXACT} == {k: from_grid[k] for k in EXACT}
        assert urlsplit(page.url).fragment == "the-problem"


def test_phone_width_no_horizontal_scroll(browser, server):
    ctx = browser.new_context(viewport={"width": 390, "height": 800}, is_mobile=True, has_touch=True)
    try:
        page = ctx.new_page()
        w = open_widget(page, server, "playground", pages=PAGES)
        w.locator("[data-action=play]").tap()
        wait_renders_above(page, w, 0)
        assert w.get_attribute("data-state") in ("loading", "live")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        ctx.close()


def test_widget_data_within_budget(built_site):
    text = (built_site / PAGES["playground"] / "index.html").read_text()
    specs = re.findall(r'data-spec="([^"]*)"', text)
    assert sum(len(gzip.compress(html.unescape(s).encode(), 9)) for s in specs) <= 150_000


def test_nothing_left_the_test_server(recorder, server):
    assert foreign_requests(recorder, server) == []
    assert recorder.errors == []
