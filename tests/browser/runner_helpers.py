"""Helpers of the Run-button lifecycle tests (test_browser_navigation.py, test_browser_runtime.py,
test_browser_soak.py): a probe that counts the page's blob URLs and workers, instant navigation,
and reading a cell.

The probe is installed with ``page.add_init_script(PROBE_JS)`` before the page's own scripts run;
production code knows nothing of it. ``window.__probe``:
  blobs        live blob URLs made by the page (created and not yet revoked)
  created      runner workers constructed (assets/runner/worker.js; not Material's search
               worker);  terminated: runner workers terminated
  messages     [type, id] of every message a worker sent (not "progress"), if
               ``window.__probeMessages`` was true when the worker was made
"""
from __future__ import annotations

from pathlib import Path

BOOT_TIMEOUT = 180_000  # ms: a first Run (runtime start) or matplotlib's first import
FINAL_STATES = "['done', 'error', 'idle']"

PROBE_JS = """(() => {
  // blobs: the figures' blob URLs; scripts: blob URLs of worker bootstraps (cells.js starts its
  // worker from one, so the worker runs under the page's CSP), kept for the life of the page
  const probe = { blobs: new Set(), scripts: new Set(), created: 0, terminated: 0, messages: [] };
  window.__probe = probe;
  const create = URL.createObjectURL, revoke = URL.revokeObjectURL;
  URL.createObjectURL = function (obj) {
    const u = create.call(URL, obj);
    ((obj && /javascript/.test(obj.type)) ? probe.scripts : probe.blobs).add(u);
    return u;
  };
  URL.revokeObjectURL = function (u) { probe.blobs.delete(u); return revoke.call(URL, u); };
  const Real = window.Worker;
  window.Worker = class extends Real {
    constructor(...args) {
      super(...args);
      const url = String(args[0]);
      if (!url.includes("/assets/runner/") && !probe.scripts.has(url)) return; // Material's search
      probe.created++;
      this.__alive = true;
      if (window.__probeMessages) {
        this.addEventListener("message", (e) => {
          const m = e.data;
          if (m && m.type && m.type !== "progress")
            probe.messages.push([m.type, m.id === undefined ? null : m.id]);
        });
      }
    }
    terminate() {
      if (this.__alive) { this.__alive = false; probe.terminated++; }
      return super.terminate();
    }
  };
})();"""

PROBE_STATE_JS = """() => ({blobs: window.__probe.blobs.size, created: window.__probe.created,
  terminated: window.__probe.terminated, messages: window.__probe.messages.slice(),
  figures: document.querySelectorAll('img.optdocs-cell__figure[src^="blob:"]').length,
  restarts: window.optdocsRunner.runtime.restarts, jobs: window.optdocsRunner.runtime.jobs.size,
  ready: window.optdocsRunner.runtime.ready})"""


#: The cells a reader sees without unfolding anything (the code under each figure is a cell too,
#: folded in a closed ``details.optdocs-figure-code``); a Playwright selector, not a CSS one.
READER_CELL = ".optdocs-cell:visible"


def unfold_figure_code(page) -> None:
    """Open every folded "code that draws this figure" block of the page."""
    page.evaluate("() => document.querySelectorAll('details.optdocs-figure-code')"
                  ".forEach(d => { d.open = true; })")


def cell_pages(site: Path) -> list[str]:
    """Site-relative URLs of the pages with runnable cells, in a fixed order."""
    pages = []
    for index in sorted(site.rglob("index.html")):
        rel = index.parent.relative_to(site).as_posix()
        if rel.startswith("assets") or rel == "404" or 'class="optdocs-cell"' not in index.read_text():
            continue
        pages.append("" if rel == "." else rel + "/")
    assert len(pages) >= 3, f"these tests need three pages with cells, the site has {pages}"
    return pages


def new_page(browser, messages=False, bypass_csp=False):
    """A fresh context (fresh runtime, no boot cache) with the probe installed, and its page.
    ``bypass_csp`` for a context that fakes the CDN on the self-hosted build, whose policy rightly
    refuses the CDN (test_browser_csp.py runs the CDN build under its own policy)."""
    context = browser.new_context(viewport={"width": 1200, "height": 900}, bypass_csp=bypass_csp)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.add_init_script("window.OPTDOCS_BOOT_CACHE = false;"
                         + ("window.__probeMessages = true;" if messages else ""))
    page.add_init_script(PROBE_JS)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors
    return context, page


def open_page(page, url: str) -> None:
    page.goto(url)
    page.wait_for_function("() => window.optdocsRunner && "
                           "document.querySelectorAll('.optdocs-cell').length === "
                           "document.querySelectorAll('.optdocs-cell__toolbar').length")


def goto_instant(page, url: str) -> None:
    """Follow a link the way a reader does: Material's instant navigation, no page load."""
    page.evaluate("""url => {
        window.__notReloaded = true;
        document.querySelector('.md-content').__old = true;
        const a = document.createElement("a");
        a.href = url;
        document.querySelector(".md-content").appendChild(a);
        a.click();
    }""", url)
    page.wait_for_function("url => location.href === new URL(url, location.href).href", arg=url)
    page.wait_for_function("() => !document.querySelector('.md-content').__old && "
                           "document.querySelectorAll('.optdocs-cell').length === "
                           "document.querySelectorAll('.optdocs-cell__toolbar').length")
    assert page.evaluate("window.__notReloaded === true"), "the page was reloaded, not swapped"


def probe(page) -> dict:
    return page.evaluate(PROBE_STATE_JS)


def text_output(cell) -> str:
    return cell.evaluate("""el => [...el.querySelectorAll('pre.optdocs-cell__stdout')]
                                    .map(p => p.textContent).join('')""")


def wait_final(page, cell, timeout=BOOT_TIMEOUT) -> str:
    page.wait_for_function(f"el => {FINAL_STATES}.includes(el.dataset.state)", arg=cell.element_handle(),
                           timeout=timeout)
    return cell.get_attribute("data-state")


def set_code(cell, code: str) -> None:
    """Replace the cell's code through its editor, as a reader typing would."""
    if cell.locator(".CodeMirror").count() == 0:
        cell.locator("[data-action=edit]").click()
        cell.locator(".CodeMirror").wait_for()
    cell.locator(".CodeMirror").evaluate("(el, code) => el.CodeMirror.setValue(code)", code)


#: The pinned Pyodide folder the default (CDN) build loads from.
CDN = "https://cdn.jsdelivr.net/pyodide/v0.27.7/full/"


def route_fake_cdn(context, runtime: Path, tamper: str | None = None, offline: bool = False) -> list:
    """Make the site of ``context`` use the CDN address and answer it from the local runtime folder
    (``tamper``: that file gets a byte appended; ``offline``: no answer at all). Returns the list of
    runtime files requested, filled as they are. The self-hosted build's policy rightly refuses the
    CDN: give ``context`` ``bypass_csp=True`` (test_browser_csp.py runs the CDN build under its own)."""
    requested = []

    def config(route):
        body = route.fetch().text().replace('"indexURL": "../pyodide/"', f'"indexURL": "{CDN}"')
        assert CDN in body
        route.fulfill(status=200, body=body, headers={"content-type": "text/javascript"})

    def cdn(route):
        if offline:
            return route.abort("internetdisconnected")
        name = route.request.url[len(CDN):].split("?")[0]
        requested.append(name)
        path = runtime / name
        if not path.is_file():
            return route.fulfill(status=404, body="", headers={"access-control-allow-origin": "*"})
        data = path.read_bytes()
        if name == tamper:
            data += b"\n"
        ctype = {"js": "text/javascript", "wasm": "application/wasm", "json": "application/json"}
        route.fulfill(status=200, body=data, headers={
            "access-control-allow-origin": "*",
            "content-type": ctype.get(name.rsplit(".", 1)[-1], "application/octet-stream")})

    context.route("**/assets/runner/config.js", config)
    context.route(CDN + "**", cdn)
    return requested
