"""Leaving a page (Material's instant navigation) while one of its cells waits or runs.

The cells of the page left are gone: a queued run of theirs must never run (nor write into their
detached elements), the runtime must keep booting if it was, and the worker is restarted only
when one of them had started. One browser context for the module (its runtime boots once); the
tests run in order.
"""
from __future__ import annotations

import pytest
from runner_helpers import (
    BOOT_TIMEOUT,
    READER_CELL,
    cell_pages,
    goto_instant,
    new_page,
    open_page,
    probe,
    set_code,
    text_output,
    wait_final,
)

SPIN = "print('spinning', flush=True)\nwhile True:\n    pass\n"


@pytest.fixture(scope="module")
def page(browser, server):
    context, pg = new_page(browser, messages=True)
    yield pg
    assert pg.errors == []
    context.close()


@pytest.fixture(scope="module")
def pages(server, built_site):
    return [server.base_url + rel for rel in cell_pages(built_site)]


def test_leaving_while_the_runtime_loads_drops_the_run_and_keeps_the_boot(page, pages):
    open_page(page, pages[0])
    cell = page.locator(READER_CELL).first
    before = cell.locator("[data-role=output]").inner_html()
    page.evaluate("window.__gone = document.querySelector('.optdocs-cell [data-role=output]')")
    cell.locator("[data-action=run]").click()
    assert cell.get_attribute("data-state") == "loading"
    goto_instant(page, pages[1])
    page.wait_for_function("() => window.optdocsRunner.runtime.ready", timeout=BOOT_TIMEOUT)
    state = probe(page)
    # the boot went on in the one worker; the run was skipped there, never started
    assert (state["created"], state["terminated"], state["restarts"]) == (1, 0, 0), state
    assert state["jobs"] == 0
    types = [t for t, _ in state["messages"]]
    assert "started" not in types and "cancelled" in types, types
    page.wait_for_timeout(300)
    # the old page's cell was left as it was: nothing written into it after it left the page
    assert before and page.evaluate("window.__gone.innerHTML") == ""  # its Run cleared it, nothing came after
    # the booted runtime serves the new page
    here = page.locator(READER_CELL).first
    expected = text_output(here)
    here.locator("[data-action=run]").click()
    assert wait_final(page, here) == "done", here.inner_text()
    assert text_output(here) == expected
    assert probe(page)["created"] == 1


def test_leaving_while_a_cell_runs_and_another_waits(page, pages):
    """The running cell forces a restart; the waiting one is dropped, not run in the new worker;
    a call of no cell that was queued behind them runs in the new worker."""
    assert page.url == pages[1]
    cells = page.locator(READER_CELL)
    assert cells.count() >= 2, f"{pages[1]} needs two cells for this test"
    spinning, waiting = cells.nth(0), cells.nth(1)
    set_code(spinning, SPIN)
    spinning.locator("[data-action=run]").click()
    page.wait_for_function("el => el.dataset.state === 'running' && el.textContent.includes('spinning')",
                           arg=spinning.element_handle(), timeout=BOOT_TIMEOUT)
    waiting.locator("[data-action=run]").click()
    assert "Waiting" in waiting.locator(".optdocs-cell__status").inner_text()
    waiting.locator("[data-role=output]").evaluate("el => { window.__goneWaiting = el; }")
    page.evaluate("""() => {
        window.__queuedCall = window.optdocsRunner.call("builtins.sum", [[1, 2, 3]]);
    }""")
    waited = page.evaluate("window.__goneWaiting.innerHTML")
    before = probe(page)
    goto_instant(page, pages[2])
    assert page.evaluate("window.__queuedCall") == 6  # resubmitted to the new worker, which ran it
    after = probe(page)
    assert after["terminated"] == before["terminated"] + 1, after  # one restart, for the running cell
    assert after["created"] == before["created"] + 1
    assert after["created"] - after["terminated"] == 1
    assert after["jobs"] == 0
    # the waiting cell's run went nowhere: its element stayed as it was when it left the page
    assert page.evaluate("window.__goneWaiting.innerHTML") == waited
    new_worker = after["messages"][len(before["messages"]):]
    assert [t for t, _ in new_worker if t == "started"] == ["started"], new_worker  # the call alone


def test_leaving_with_nothing_running_keeps_the_worker(page, pages):
    here = page.locator(READER_CELL).first
    expected = text_output(here)
    here.locator("[data-action=run]").click()
    assert wait_final(page, here) == "done"
    assert text_output(here) == expected
    before = probe(page)
    goto_instant(page, pages[0])
    goto_instant(page, pages[2])
    after = probe(page)
    assert (after["created"], after["terminated"]) == (before["created"], before["terminated"])
