#!/usr/bin/env python3
"""How fast the runnable cells are in headless Chromium, against a self-hosted build.

    python benchmarks/browser_bench.py [--pyodide DIR] [--repeat N] [--site DIR]

Builds a small site (the repository's hooks/cells.py and hooks/pyodide.py, Material, three cells:
NumPy + optdocs, matplotlib, trivial) with OPTDOCS_PYODIDE=DIR, serves it on 127.0.0.1 with
``Cache-Control: max-age=3600`` (as a CDN or GitHub Pages would cache it), and prints

* the bytes the page transfers before the first Run, and how many of them are Pyodide's (goal 0);
* the time from the click on Run to the first output line, for the NumPy cell and for the
  matplotlib cell, with a cold cache (a new browser profile), with the HTTP cache only (the same
  profile, page opened again: files and compiled WebAssembly cached, boot cache switched off), and
  warm (the same, with the boot cache of bootcache.js the first visit built once idle);
  goals: NumPy < 3.0 s cold, < 2.0 s warm;
* the overhead of a later Run of a trivial cell (goal < 50 ms);
* where the cold boot spends its time (worker timings).

Each figure is the median of --repeat runs (default 3). Needs Debian's chromium and Playwright.
"""
from __future__ import annotations

import argparse
import functools
import http.server
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("OPTDOCS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PAGE = '''# Bench

```python
import numpy as np
from optdocs import Adam

x = np.array([1.0, -2.0])
opt = Adam(lr=0.1)
for _ in range(500):
    opt.step(x, 2 * x)
print(x)
```

```python
import matplotlib.pyplot as plt

fig, ax = plt.subplots()
ax.plot([1, 2, 3], [1, 4, 9])
plt.show()
print("plotted")
```

```python
print(1)
```
'''
MKDOCS_YML = f'''site_name: bench
site_url: https://example.org/bench/
theme:
  name: material
  font: false
hooks:
  - {REPO / "hooks" / "cells.py"}
  - {REPO / "hooks" / "pyodide.py"}
markdown_extensions:
  - pymdownx.highlight
  - pymdownx.superfences
'''
NUMPY, MPL, TRIVIAL = 0, 1, 2
RUNTIME_MARKERS = ("/assets/pyodide/", "/assets/runner/worker.js", "/assets/runner/wheels/")


def build_site(pyodide_dir: Path, work: Path) -> Path:
    project = work / "project"
    (project / "docs" / "assets").mkdir(parents=True)
    shutil.copytree(REPO / "docs" / "assets" / "runner", project / "docs" / "assets" / "runner")
    (project / "docs" / "index.md").write_text(PAGE)
    (project / "mkdocs.yml").write_text(MKDOCS_YML)
    site = work / "site"
    env = dict(os.environ, OPTDOCS_PYODIDE=str(pyodide_dir), NO_MKDOCS_2_WARNING="1",
               OPTDOCS_CACHE_DIR=str(work / "cache"))
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f",
                           str(project / "mkdocs.yml"), "-d", str(site)],
                          cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode:
        sys.exit(f"mkdocs build failed:\n{proc.stdout}")
    return site


class Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def end_headers(self):
        self.send_header("Cache-Control", "public, max-age=3600")
        super().end_headers()

    def log_request(self, code="-", size="-"):
        path = self.path.split("?")[0]
        local = Path(self.directory) / path.lstrip("/")
        if local.is_dir():
            local = local / "index.html"
        nbytes = local.stat().st_size if str(code) == "200" and local.is_file() else 0
        self.server.log.append((path, nbytes))


def serve(site: Path):
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(site)))
    httpd.log = []
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_port}/"


FIRST_OUTPUT_JS = """async (index) => {
  const cell = document.querySelectorAll('.optdocs-cell')[index];
  const output = cell.querySelector('[data-role=output]');
  const t0 = performance.now();
  const first = new Promise((resolve) => {
    const check = () => {
      const pre = output.querySelector('pre.optdocs-cell__stdout');
      if (pre && pre.textContent.includes('\\n')) { obs.disconnect(); resolve(performance.now() - t0); }
    };
    const obs = new MutationObserver(check);
    obs.observe(output, {childList: true, subtree: true, characterData: true});
  });
  const done = new Promise((resolve) => {
    const obs = new MutationObserver(() => {
      if (['done', 'error'].includes(cell.dataset.state)) {
        obs.disconnect();
        resolve(performance.now() - t0);
      }
    });
    obs.observe(cell, {attributes: true, attributeFilter: ['data-state']});
  });
  cell.querySelector('[data-action=run]').click();
  const [firstMs, doneMs] = await Promise.all([first, done]);
  return {first: firstMs, done: doneMs, state: cell.dataset.state,
          timings: window.optdocsRunner.runtime.timings};
}"""


def open_page(context, url, boot_cache=True):
    page = context.new_page()
    if not boot_cache:
        page.add_init_script("window.OPTDOCS_BOOT_CACHE = false;")
    page.goto(url)
    page.wait_for_selector(".optdocs-cell__toolbar")
    page.wait_for_load_state("networkidle")
    return page


WAIT_CACHE_JS = "() => ['built', 'failed'].includes(window.optdocsRunner.runtime.cache.state)"


def measure(browser_type, url, httpd, profile: Path, cell: int, warm: bool, boot_cache=True):
    """(first output ms, done ms, bytes before Run, runtime bytes before Run, timings)."""
    context = browser_type.launch_persistent_context(str(profile), executable_path=CHROMIUM,
                                                     args=CHROMIUM_ARGS, headless=True)
    try:
        if warm:  # visit once and run the cell, so that everything is cached
            page = open_page(context, url, boot_cache)
            page.evaluate(FIRST_OUTPUT_JS, cell)
            if boot_cache:  # the page builds its boot cache once idle
                page.wait_for_function(WAIT_CACHE_JS, timeout=120_000)
                if page.evaluate("window.optdocsRunner.runtime.cache.state") != "built":
                    sys.exit("the boot cache was not built: " +
                             str(page.evaluate("JSON.stringify(window.optdocsRunner.runtime.cache.detail)")))
            page.close()
        context.close()
        context = browser_type.launch_persistent_context(str(profile), executable_path=CHROMIUM,
                                                         args=CHROMIUM_ARGS, headless=True)
        start = len(httpd.log)
        page = open_page(context, url, boot_cache)
        before = httpd.log[start:]
        result = page.evaluate(FIRST_OUTPUT_JS, cell)
        if result["state"] != "done":
            sys.exit(f"cell {cell} ended in state {result['state']}")
        total = sum(n for _, n in before)
        runtime = sum(n for p, n in before if any(m in p for m in RUNTIME_MARKERS))
        return result["first"], result["done"], total, runtime, result["timings"]
    finally:
        context.close()


def later_runs(browser_type, url, profile: Path, n=15):
    context = browser_type.launch_persistent_context(str(profile), executable_path=CHROMIUM,
                                                     args=CHROMIUM_ARGS, headless=True)
    try:
        page = open_page(context, url)
        page.evaluate(FIRST_OUTPUT_JS, TRIVIAL)
        times = [page.evaluate(FIRST_OUTPUT_JS, TRIVIAL)["done"] for _ in range(n)]
        return statistics.median(times), max(times)
    finally:
        context.close()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default_runtime = os.environ.get("OPTDOCS_PYODIDE") or str(REPO / ".cache" / "pyodide")
    ap.add_argument("--pyodide", default=default_runtime)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--site", help="an already built bench site (skips the build)")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="optdocs-bench-") as tmp:
        tmp = Path(tmp)
        site = Path(args.site) if args.site else build_site(Path(args.pyodide), tmp)
        httpd, url = serve(site)
        results = {}
        with sync_playwright() as p:
            bt = p.chromium
            # cache: cold (new profile), http (HTTP and compiled-wasm caches only, boot cache
            # off), warm (everything a second visit has, the boot cache included)
            for label, cell in (("numpy", NUMPY), ("matplotlib", MPL)):
                for cache in ("cold", "http", "warm"):
                    runs = []
                    for i in range(args.repeat):
                        profile = tmp / f"profile-{label}-{cache}-{i}"
                        runs.append(measure(bt, url, httpd, profile, cell, warm=cache != "cold",
                                            boot_cache=cache != "http"))
                        shutil.rmtree(profile, ignore_errors=True)
                    results[(label, cache)] = runs
            later = later_runs(bt, url, tmp / "profile-later")
        httpd.shutdown()

    def med(rows, k):
        return statistics.median(r[k] for r in rows)

    cold_np = results[("numpy", "cold")]
    print(f"site: {len(PAGE.splitlines())}-line page, 3 cells; load average {os.getloadavg()[0]:.2f}")
    print(f"bytes before the first Run: {med(cold_np, 2) / 1e3:.0f} kB, "
          f"of which Pyodide/runtime: {med(cold_np, 3):.0f} bytes (goal 0)")
    print(f"{'cell':<11} {'cache':<5} {'first output (s)':>17} {'done (s)':>9}   goal")
    goals = {("numpy", "cold"): "< 3.0 s", ("numpy", "warm"): "< 2.0 s"}
    for (label, cache), rows in results.items():
        firsts = ", ".join(f"{r[0] / 1e3:.2f}" for r in rows)
        print(f"{label:<11} {cache:<5} {med(rows, 0) / 1e3:>17.2f} "
              f"{med(rows, 1) / 1e3:>9.2f}   {goals.get((label, cache), ''):<8} (runs: {firsts})")
    print(f"later trivial Run, click to done: median {later[0]:.1f} ms, max {later[1]:.1f} ms (goal < 50 ms)")
    for cache in ("cold", "http", "warm"):
        rows = sorted(results[("numpy", cache)], key=lambda r: r[0])
        timings = rows[len(rows) // 2][4] or {}
        print(f"{cache} boot, numpy cell (ms since the worker started): " +
              ", ".join(f"{k} {v}" for k, v in sorted(timings.items(), key=lambda kv: kv[1])))


if __name__ == "__main__":
    main()
