"""How the worker schedules the widgets' calls (CALLS at the top of docs/assets/runner/worker.js),
in headless Chromium: a call of a plain function is answered between the chunks of a chunked one
(the 1,000-run statistics), and a newer call of a channel stops a started chunked one. The
results are compared with optdocs in CPython, exactly. Every message the page gets from the
worker is recorded by wrapping runtime.onMessage (the test hook).
"""
from __future__ import annotations

import pytest
from widget_helpers import BOOT_TIMEOUT, WIDGET_PAGES

from optdocs.demos import double_well_outcomes, lr_dial

# A statistic big enough to take a few seconds in Pyodide (many chunks), and a fast call.
SLOW = {"optimizer": "SGD", "lr": 0.3, "noise": 1.0, "steps": 2000, "runs": 2000, "seed": 0}
FAST = {"lr": 0.4, "curvature": 2.0}

RECORD = """() => {
  const rt = window.optdocsRunner.runtime;
  window.__seen = [];
  const onMessage = rt.onMessage;
  rt.onMessage = function (msg) {
    if (["started", "cancelled", "result", "error"].includes(msg.type)) {
      window.__seen.push({type: msg.type, id: msg.id, started: msg.started, reason: msg.reason});
    }
    return onMessage.call(this, msg);
  };
}"""

# Start a call and keep its outcome in window.__outcomes[name]; resolves with the call's id.
START = """([name, fn, kwargs, channel]) => {
  const rt = window.optdocsRunner.runtime;
  const id = rt.nextId;
  window.__outcomes = window.__outcomes || {};
  window.optdocsRunner.call(fn, [], kwargs, {channel}).then(
    (value) => { window.__outcomes[name] = {value, at: performance.now()}; },
    (err) => { window.__outcomes[name] = {error: err.code, at: performance.now()}; });
  return id;
}"""


@pytest.fixture(scope="module")
def page(browser, server):
    ctx = browser.new_context(viewport={"width": 1000, "height": 800})
    pg = ctx.new_page()
    pg.set_default_timeout(120_000)
    pg.goto(server.base_url + WIDGET_PAGES["sgd-adam"])
    pg.wait_for_function("() => window.optdocsRunner")
    pg.evaluate("() => window.optdocsRunner.call('optdocs.demos.lr_dial', [], {lr: 0.1})")
    pg.wait_for_function("() => window.optdocsRunner.runtime.ready", timeout=BOOT_TIMEOUT)
    pg.evaluate(RECORD)
    yield pg
    ctx.close()


def outcome(page, name):
    page.wait_for_function("n => window.__outcomes && window.__outcomes[n]", arg=name)
    return page.evaluate("n => window.__outcomes[n]", name)


def wait_message(page, type_, id_):
    page.wait_for_function("([t, id]) => window.__seen.some((m) => m.type === t && m.id === id)",
                           arg=[type_, id_])


def test_a_fast_call_is_answered_between_the_chunks_of_a_slow_one(page):
    slow = page.evaluate(START, ["slow", "optdocs.demos.double_well_outcomes", SLOW, "t-slow"])
    wait_message(page, "started", slow)
    fast = page.evaluate(START, ["fast", "optdocs.demos.lr_dial", FAST, "t-fast"])
    fast_value = outcome(page, "fast")["value"]
    slow_outcome = outcome(page, "slow")
    order = [(m["type"], m["id"]) for m in page.evaluate("window.__seen") if m["id"] in (slow, fast)]
    # the fast call started and ended while the slow one was computing, not after it
    assert order == [("started", slow), ("started", fast), ("result", fast), ("result", slow)]
    assert fast_value["final_x"] == lr_dial(**FAST)["final_x"]
    assert slow_outcome["value"] == double_well_outcomes(**SLOW)     # chunked, exact


def test_a_newer_call_of_its_channel_stops_a_started_chunked_call(page):
    old = page.evaluate(START, ["old", "optdocs.demos.double_well_outcomes", SLOW, "t-stat"])
    wait_message(page, "started", old)
    newer = dict(SLOW, lr=0.05, steps=300, runs=500)
    new = page.evaluate(START, ["new", "optdocs.demos.double_well_outcomes", newer, "t-stat"])
    assert outcome(page, "old")["error"] == "superseded"
    assert outcome(page, "new")["value"] == double_well_outcomes(**newer)
    seen = [m for m in page.evaluate("window.__seen") if m["id"] in (old, new)]
    stopped = [m for m in seen if m["type"] == "cancelled"]
    assert stopped == [{"type": "cancelled", "id": old, "started": True, "reason": "superseded"}]
    assert ("result", old) not in [(m["type"], m["id"]) for m in seen]


def test_cancelling_a_started_chunked_call_stops_it_without_a_restart(page):
    restarts = page.evaluate("() => window.optdocsRunner.runtime.restarts")
    job = page.evaluate("""(kwargs) => {
      const rt = window.optdocsRunner.runtime;
      window.__job = rt.submit({kind: "call", fn: "optdocs.demos.double_well_outcomes", args: [],
                                kwargs, on(type, msg) { if (type === "stopped") window.__dropped = msg; }});
      return window.__job.id;
    }""", SLOW)
    wait_message(page, "started", job)
    page.evaluate("() => window.optdocsRunner.runtime.cancel(window.__job, 'not wanted')")
    assert page.evaluate("() => window.__dropped.reason") == "not wanted"
    wait_message(page, "cancelled", job)          # the worker stopped it at its next pause
    after = page.evaluate(START, ["after", "optdocs.demos.lr_dial", FAST, None])
    assert outcome(page, "after")["value"]["regime"] == lr_dial(**FAST)["regime"]
    seen = [m for m in page.evaluate("window.__seen") if m["id"] in (job, after)]
    assert [m["type"] for m in seen] == ["started", "cancelled", "started", "result"]
    assert seen[1]["started"] is True and seen[1]["reason"] == "cancelled"
    assert page.evaluate("() => window.optdocsRunner.runtime.restarts") == restarts
