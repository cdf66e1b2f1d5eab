"""The page <-> worker protocol of the Run button (the comment at the top of worker.js), in a real
browser: Stop while Python loads, a request whose handler fails, output printed during a call,
and the error codes the page chooses its words by. One browser context for the first tests (the
runtime boots once); the failure tests have contexts of their own.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from runner_helpers import (
    BOOT_TIMEOUT,
    READER_CELL,
    cell_pages,
    goto_instant,
    new_page,
    open_page,
    probe,
    route_fake_cdn,
    text_output,
    wait_final,
)

# Runs code through the page's runtime (as a cell does) and collects what comes back.
RUN_JS = """code => new Promise((resolve) => {
  const out = {stdout: "", type: null};
  window.optdocsRunner.runtime.submit({kind: "run", code, on(type, msg) {
    if (type === "stdout") out.stdout += msg.text;
    if (["done", "error", "fatal", "stopped"].includes(type)) {
      const text = msg.traceback || msg.message || msg.reason || null;
      Object.assign(out, {type, code: msg.code || null, text});
      resolve(out);
    }
  }});
})"""


@pytest.fixture(scope="module")
def page(browser, server):
    context, pg = new_page(browser, messages=True)
    yield pg
    context.close()


@pytest.fixture(scope="module")
def home(server, built_site):
    return server.base_url + cell_pages(built_site)[0]


def test_stop_while_python_loads_cancels_the_run_and_keeps_the_boot(page, home):
    open_page(page, home)
    cell = page.locator(READER_CELL).first
    expected = text_output(cell)
    cell.locator("[data-action=run]").click()
    assert cell.get_attribute("data-state") == "loading"
    cell.locator("[data-action=stop]").click()
    assert cell.get_attribute("data-state") == "idle"
    assert "Cancelled" in cell.locator("[data-role=output]").inner_text()
    page.wait_for_function("() => window.optdocsRunner.runtime.ready", timeout=BOOT_TIMEOUT)
    state = probe(page)
    assert (state["created"], state["terminated"], state["restarts"]) == (1, 0, 0), state
    assert "started" not in [t for t, _ in state["messages"]]
    cell.locator("[data-action=reset]").click()
    cell.locator("[data-action=run]").click()
    assert wait_final(page, cell) == "done", cell.inner_text()
    assert text_output(cell) == expected
    assert probe(page)["created"] == 1  # the same worker ran it: no second boot


def test_a_failing_handler_does_not_break_later_runs(page, home):
    """A request whose handler rejects (here: the worker's reportCache, called at the end of every
    run, replaced by a cell with something that is not a function) must not turn the next
    requests into "could not be loaded"."""
    broke = page.evaluate(RUN_JS, "import js\njs.reportCache = 1\nprint('replaced')\n")
    assert broke["type"] == "done" and broke["stdout"] == "replaced\n", broke
    for k in range(2):  # each of these runs' handlers rejects too, after its "done"
        nxt = page.evaluate(RUN_JS, f"print(6 * 7 + {k})\n")
        assert (nxt["type"], nxt["stdout"]) == ("done", f"{42 + k}\n"), nxt
    value = page.evaluate("optdocsRunner.call('builtins.max', [[3, 9, 4]])")
    assert value == 9
    assert probe(page)["created"] == 1


def test_a_call_delivers_what_it_prints(page):
    got = page.evaluate("""async () => {
        const out = [];
        const value = await optdocsRunner.call("builtins.print", ["hello", 42], {end: ""},
                                               {onOutput: (stream, text) => out.push([stream, text])});
        const sum = await optdocsRunner.call("builtins.sum", [[1.5, 2]]);  // no options: as before
        let error = null;
        try {
            await optdocsRunner.call("math.sqrt", [-1], {}, {onOutput: (s, t) => out.push([s, t])});
        } catch (err) {
            error = {code: err.code, message: err.message};
        }
        return {out, value, sum, error};
    }""")
    # in the order printed, as it comes (the worker may send one print in several pieces)
    assert {stream for stream, _ in got["out"]} == {"stdout"}, got
    assert "".join(text for _, text in got["out"]) == "hello 42", got
    assert got["value"] is None and got["sum"] == 3.5
    assert got["error"]["code"] == "exception" and "ValueError: math domain error" in got["error"]["message"]


# A run that holds the worker's queue until the page posts to a BroadcastChannel: while it awaits,
# the worker still reads messages (a "cancel" among them), as it does while it boots.
HOLD = """\
import asyncio, js
from pyodide.ffi import create_proxy
released = asyncio.Event()
channel = js.BroadcastChannel.new("optdocs-test-release")
channel.onmessage = create_proxy(lambda event: released.set())
print("holding", flush=True)
await released.wait()
channel.close()
print("released")
"""


def test_a_call_whose_owner_left_the_page_is_dropped(page, home, built_site, server):
    """call(..., {owner}) ties a call to an element: a page change that removes it drops the call
    (queued: no restart); a call without an owner goes on."""
    page.evaluate("""code => {
        window.__held = new Promise((resolve) => {
            let out = "";
            window.optdocsRunner.runtime.submit({kind: "run", code, on(type, msg) {
                if (type === "stdout") {
                    out += msg.text;
                    if (out.startsWith("holding\\n")) window.__holding = true;
                }
                if (["done", "error", "stopped"].includes(type)) resolve([type, out]);
            }});
        });
        const owner = document.querySelector('.optdocs-cell');
        window.__owned = optdocsRunner.call("builtins.sum", [[1, 2]], {}, {owner})
            .then((v) => ({value: v}), (err) => ({code: err.code}));
        window.__free = optdocsRunner.call("builtins.sum", [[3, 4]]);
    }""", HOLD)
    page.wait_for_function("() => window.__holding === true")
    goto_instant(page, server.base_url + cell_pages(built_site)[1])
    assert page.evaluate("window.__owned") == {"code": "stopped"}
    page.evaluate("new BroadcastChannel('optdocs-test-release').postMessage('go')")
    assert page.evaluate("window.__held") == ["done", "holding\nreleased\n"]
    assert page.evaluate("window.__free") == 7
    state = probe(page)
    assert state["jobs"] == 0 and state["terminated"] == 0 and state["created"] == 1, state


# ------------------------------------------------------------------------------------------------
# The runtime cannot be loaded: the page's note follows the worker's error code.

def cdn_page(browser, runtime: Path, tamper: str | None = None, offline: bool = False):
    """A page whose site uses the CDN address, answered from the local runtime folder
    (`tamper`: one file gets a byte appended; `offline`: no answer at all)."""
    context, pg = new_page(browser, bypass_csp=True)
    route_fake_cdn(context, runtime, tamper, offline)
    return context, pg


@pytest.mark.parametrize("case, code, words", [
    # the browser's own SRI check refuses it: fetch() fails the way it does offline
    ("tamper:pyodide.asm.wasm", "integrity", "could not be verified"),
    ("offline", "network", "are you offline?"),
])
def test_the_note_follows_the_error_code(browser, server, built_site, pyodide_runtime, case, code, words):
    tamper = case.split(":", 1)[1] if case.startswith("tamper:") else None
    context, pg = cdn_page(browser, pyodide_runtime, tamper=tamper, offline=case == "offline")
    try:
        open_page(pg, server.base_url + cell_pages(built_site)[0])
        cell = pg.locator(READER_CELL).first
        expected = text_output(cell)
        cell.locator("[data-action=run]").click()
        assert wait_final(pg, cell) == "error"
        note = cell.locator(".optdocs-cell__note")
        assert note.get_attribute("data-code") == code, note.get_attribute("title")
        assert words in note.inner_text()
        assert text_output(cell) == expected
    finally:
        context.close()
