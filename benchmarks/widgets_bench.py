#!/usr/bin/env python3
"""How fast the interactive figures answer, in headless Chromium, against a self-hosted build.

    python benchmarks/widgets_bench.py [--site DIR] [--pyodide DIR] [--rounds N] [--moves N]

Builds the site with OPTDOCS_PYODIDE=DIR (or takes --site), serves it on 127.0.0.1, and for each
widget page prints:

* first touch -> first redraw: from the keydown on a slider (the event's own timestamp) to the
  widget's next completed redraw (data-renders), on a fresh page with Python not started (goal
  <= 100 ms); best and median over --rounds fresh pages;
* first touch -> live: until every call of the widget, heavy statistics included, has its answer
  from Python in the page (data-state=live, data-pending=0), which includes starting Pyodide;
* once live, --moves slider moves (alternately one step right and left, waiting for each to be
  answered): 50th and 95th percentile of move -> next redraw (goal p95 <= 100 ms; a redraw is
  either Python's exact answer or, past 100 ms, the build's nearest grid answer) and of
  move -> exact redraw (Python's answers for those settings drawn, heavy statistics aside; "all"
  includes them, median only). As the reference measured in
  the same page, alternating with the moves: the bare round trip of the same optdocs call through
  window.optdocsRunner.call, so the ratio says what the widget adds on top of Python;
* the widget data embedded in the page (data-spec), raw and gzipped (budget 150 KB gzipped);
* for a widget with heavy statistics ("slow" calls), "fast behind slow": the round trip of its
  first fast call sent while one of its statistics computes, against the same call alone
  (p50/p95 over the moves, and the ratio of the medians): how long a slider's exact answer waits
  for a statistic of the previous setting (the worker answers it between the statistic's chunks).

Timings come from performance.now() inside the page. Needs Debian's chromium and Playwright.
"""
from __future__ import annotations

import argparse
import functools
import gzip
import html
import http.server
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("OPTDOCS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update"]
#: widget -> (page, slider moved by the benchmark)
WIDGETS = {"lr-dial": ("gradient-descent/", "lr"), "escape": ("sgd-escape/", "large"),
           "sgd-adam": ("sgd-vs-adam/", "sgd_lr"), "flat-steep": ("adaptive/", "sgd_lr"),
           "adam-step": ("adam/", "beta1"), "schedules": ("schedules/", "lr"),
           "playground": ("training/", "lr"), "race": ("race/", "lr"), "ravine": ("momentum/", "beta")}
#: Keys that move a control one step: a slider right/left, a select down/up.
KEYS = {"input": ("ArrowRight", "ArrowLeft"), "select": ("ArrowDown", "ArrowUp")}

# In the page: time from the slider's keydown to the next redraw, and to an exact (live) redraw.
PROBE = """([name, control]) => { window.__probe = new Promise((resolve) => {
  const root = document.querySelector(`[data-optdocs-widget="${name}"]`);
  const input = root.querySelector(`[name="${control}"]`);
  let t0 = null, first = null, exact = null;
  const start = Number(root.dataset.renders);
  const obs = new MutationObserver(() => {
    if (t0 === null || Number(root.dataset.renders) <= start) return;
    const now = performance.now();
    if (first === null) first = now - t0;
    if (exact === null && root.dataset.pendingFast === "0" && root.dataset.state === "live") exact = now - t0;
    if (root.dataset.pending === "0" && root.dataset.state === "live") {
      obs.disconnect();
      resolve({first, exact, all: now - t0, state: root.dataset.state});
    }
  });
  obs.observe(root, {attributes: true});
  input.addEventListener("keydown", (e) => { if (t0 === null) t0 = e.timeStamp; },
                         {once: true, capture: true});
  window.__probeFirst = () => ({first, state: root.dataset.state, pending: root.dataset.pending});
}); }"""
# Forget the widget's live answers, so a move back to an earlier setting is computed again.
# Prefetching the next slider step (core.js) is turned off, so every move is computed.
FORGET = """name => { const w = window.optdocsWidgets.widgets().find((x) => x.name === name);
  w.prefetchOn = false; clearTimeout(w.prefetchTimer);
  for (const c of Object.values(w.cache)) c.clear(); }"""


def build_site(pyodide: Path, out: Path) -> Path:
    env = dict(os.environ, OPTDOCS_PYODIDE=str(pyodide), NO_MKDOCS_2_WARNING="1")
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(REPO / "mkdocs.yml"),
                    "-d", str(out)], cwd=REPO, env=env, check=True)
    return out


def serve(site: Path):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_port}/"


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(q / 100 * len(values) + 0.5) - 1))]


def data_bytes(site: Path, page: str) -> tuple[int, int]:
    specs = re.findall(r'data-spec="([^"]*)"', (site / page / "index.html").read_text())
    raw = [html.unescape(s).encode() for s in specs]
    return sum(map(len, raw)), sum(len(gzip.compress(r, 9)) for r in raw)


def fresh_page(browser, url):
    ctx = browser.new_context(viewport={"width": 1200, "height": 900})
    page = ctx.new_page()
    page.set_default_timeout(300_000)
    page.add_init_script("window.OPTDOCS_BOOT_CACHE = false;")   # every round starts Python cold
    page.goto(url)
    return ctx, page


def keys(root, control):
    tag = root.locator(f'[name="{control}"]').evaluate("e => e.tagName.toLowerCase()")
    return KEYS[tag]


def first_touch(browser, base, name, rounds):
    page_path, control = WIDGETS[name]
    firsts, lives = [], []
    for _ in range(rounds):
        ctx, page = fresh_page(browser, base + page_path)
        try:
            root = page.locator(f'[data-optdocs-widget="{name}"]')
            root.locator("[data-action=code]").wait_for()
            root.locator(f'[name="{control}"]').focus()
            page.evaluate(PROBE, [name, control])
            page.keyboard.press(keys(root, control)[0])
            page.wait_for_function("() => window.__probeFirst && window.__probeFirst().first !== null")
            firsts.append(page.evaluate("() => window.__probeFirst().first"))
            lives.append(page.evaluate("() => window.__probe")["all"])
        finally:
            ctx.close()
    return firsts, lives


CALL_REF = """async ([name, k]) => {
  const w = window.optdocsWidgets.widgets().find((x) => x.name === name);
  const fast = Object.keys(w.spec.calls).filter((c) => !w.spec.calls[c].slow);
  const t0 = performance.now();
  for (const c of fast) await window.optdocsRunner.call(w.spec.calls[c].fn, [], w.args(c));
  return performance.now() - t0;
}"""


BEHIND_SLOW = """async ([name, n]) => {
  const w = window.optdocsWidgets.widgets().find((x) => x.name === name);
  const calls = w.spec.calls, names = Object.keys(calls);
  const fast = names.find((c) => !calls[c].slow), slow = names.find((c) => calls[c].slow);
  if (!slow) return null;
  const call = (c) => window.optdocsRunner.call(calls[c].fn, [], w.args(c));
  const bare = [], behind = [];
  for (let i = 0; i < n; i++) {
    let t0 = performance.now();
    await call(fast);
    bare.push(performance.now() - t0);
    const stat = call(slow);
    await new Promise((resolve) => setTimeout(resolve, 30));   // the statistic is computing
    t0 = performance.now();
    await call(fast);
    behind.push(performance.now() - t0);
    await stat;
  }
  return {bare, behind};
}"""


def behind_slow(browser, base, name, n):
    """Round trips of a fast call alone and sent while a statistic computes (None: no "slow")."""
    page_path, control = WIDGETS[name]
    ctx, page = fresh_page(browser, base + page_path)
    try:
        root = page.locator(f'[data-optdocs-widget="{name}"]')
        root.locator("[data-action=code]").wait_for()
        root.locator(f'[name="{control}"]').focus()      # a slider or a select
        page.keyboard.press(keys(root, control)[0])
        page.wait_for_function("el => el.dataset.state === 'live' && el.dataset.pending === '0'",
                               arg=root.element_handle(), timeout=300_000)
        return page.evaluate(BEHIND_SLOW, [name, n])
    finally:
        ctx.close()


def live_moves(browser, base, name, moves):
    page_path, control = WIDGETS[name]
    ctx, page = fresh_page(browser, base + page_path)
    try:
        root = page.locator(f'[data-optdocs-widget="{name}"]')
        root.locator("[data-action=code]").wait_for()
        slider = root.locator(f'[name="{control}"]')
        slider.focus()
        forward, back = keys(root, control)
        page.keyboard.press(forward)
        page.wait_for_function("el => el.dataset.state === 'live' && el.dataset.pending === '0'",
                               arg=root.element_handle(), timeout=300_000)
        firsts, exacts, alls, refs = [], [], [], []
        for i in range(moves):
            slider.focus()
            page.evaluate(FORGET, name)
            page.evaluate(PROBE, [name, control])
            page.keyboard.press(forward if i % 2 == 0 else back)
            r = page.evaluate("() => window.__probe")
            firsts.append(r["first"])
            exacts.append(r["exact"])
            alls.append(r["all"])
            refs.append(page.evaluate(CALL_REF, [name, 0]))    # the same calls, cached or not
        return firsts, exacts, alls, refs
    finally:
        ctx.close()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--site", help="an already built self-hosted site (skips the build)")
    ap.add_argument("--pyodide", default=str(REPO / ".cache" / "pyodide"))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--moves", type=int, default=30)
    ap.add_argument("--widgets", nargs="*", default=list(WIDGETS))
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        site = Path(args.site) if args.site else build_site(Path(args.pyodide), Path(tmp) / "site")
        httpd, base = serve(site)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            print(f"{'widget':10} {'touch->redraw ms':>18} {'touch->live s':>14} "
                  f"{'live p50/p95 redraw ms':>23} {'p50/p95 exact ms':>17} {'call ref p50 ms':>16} "
                  f"{'exact/ref':>9} {'all p50 ms':>10} {'data KB (gz)':>13}")
            for name in args.widgets:
                firsts, lives = first_touch(browser, base, name, args.rounds)
                mf, me, ma, refs = live_moves(browser, base, name, args.moves)
                raw, gz = data_bytes(site, WIDGETS[name][0])
                ratio = statistics.median(me) / statistics.median(refs)
                print(f"{name:10} {min(firsts):7.1f} / {statistics.median(firsts):6.1f} med "
                      f"{statistics.median(lives) / 1000:10.2f}    "
                      f"{pct(mf, 50):8.1f} / {pct(mf, 95):7.1f}      "
                      f"{pct(me, 50):6.1f} / {pct(me, 95):7.1f} {statistics.median(refs):12.1f} "
                      f"{ratio:12.2f} {statistics.median(ma):10.0f} {raw / 1000:6.0f} ({gz / 1000:.0f})",
                      flush=True)
                b = behind_slow(browser, base, name, max(5, args.moves // 2))
                if b:
                    ratio = statistics.median(b["behind"]) / statistics.median(b["bare"])
                    print(f"{'':10} fast behind slow p50/p95 {pct(b['behind'], 50):.1f} / "
                          f"{pct(b['behind'], 95):.1f} ms, alone {pct(b['bare'], 50):.1f} / "
                          f"{pct(b['bare'], 95):.1f} ms, ratio of medians {ratio:.2f}", flush=True)
            browser.close()
        httpd.shutdown()


if __name__ == "__main__":
    main()
