"""The Content-Security-Policy (hooks/csp.py, overrides/main.html) in a real browser, in both
builds: the self-hosted runtime build (`built_site`) and the default CDN build (`cdn_built_site`).

* every page carries the policy before its first script, allows inline scripts by hash only, and
  names no host but the pinned CDN folder (CDN build) or none (self-hosted build);
* every page loads, and is reached by instant navigation, without a violation: neither a
  `securitypolicyviolation` event nor a console report, from the page or its workers;
* a cell runs under the policy (its Python worker inherits it), in the self-hosted build and in
  the CDN build with the CDN answered from the local runtime folder, while a request of Python
  code to another origin is refused;
* a script injected from another origin, or inline without a hash, is refused and never runs.
"""
from __future__ import annotations

import base64
import hashlib
import re
from urllib.parse import urlsplit

import pytest
from runner_helpers import READER_CELL
from test_browser_cells import BOOT_TIMEOUT, FINAL_STATES, goto_instant, site_pages, text_output

META = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">')
JS_TYPES = {"", "text/javascript", "application/javascript", "module"}

# Installed before any script of the page: every violation event the document sees.
WATCH_JS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => window.__cspViolations.push(
  {directive: e.effectiveDirective, blocked: e.blockedURI, sample: e.sample}));
"""


def policy_of(html: str) -> dict[str, list[str]]:
    found = META.findall(html)
    assert len(found) == 1, f"{len(found)} policy meta tags"
    directives = {}
    for part in found[0].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def html_pages(site) -> list:
    return sorted(p for p in site.rglob("*.html") if not p.relative_to(site).parts[0] == "assets")


def inline_script_hashes(html: str) -> set[str]:
    """sha256 sources of the inline scripts the browser would run (computed here, not by the hook)."""
    hashes = set()
    for attrs, body in re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S | re.I):
        kind = re.search(r'\btype="([^"]*)"', attrs)
        if "src=" in attrs or (kind and kind.group(1).lower() not in JS_TYPES):
            continue
        digest = hashlib.sha256(body.replace("\r\n", "\n").encode()).digest()
        hashes.add(f"'sha256-{base64.b64encode(digest).decode()}'")
    return hashes


# The same, in a worker (run as soon as Playwright sees it; workers of this site start idle).
WATCH_WORKER_JS = """() => {
  self.__cspViolations = [];
  self.addEventListener("securitypolicyviolation", (e) => self.__cspViolations.push(
    {directive: e.effectiveDirective, blocked: e.blockedURI, sample: e.sample}));
}"""


class Watch:
    """A browser context whose pages report every CSP violation: events in the page and in its
    workers, and the console reports of the page."""

    def __init__(self, browser, **kwargs):
        self.context = browser.new_context(**kwargs)
        self.context.add_init_script(WATCH_JS)
        self.console: list[str] = []
        self.errors: list[str] = []
        self.workers: list = []

    def page(self):
        pg = self.context.new_page()
        pg.set_default_timeout(60_000)
        pg.on("console", lambda m: self.console.append(m.text)
              if "Content Security Policy" in m.text or "Content-Security-Policy" in m.text else None)
        pg.on("pageerror", lambda e: self.errors.append(str(e)))
        pg.on("worker", self._watch_worker)
        return pg

    def _watch_worker(self, worker):
        try:
            worker.evaluate(WATCH_WORKER_JS)
        except Exception:  # noqa: BLE001 - a worker may end before it is reached
            return
        self.workers.append(worker)

    def violations(self, pg) -> list:
        found = pg.evaluate("window.__cspViolations") + self.console
        for worker in self.workers:
            try:
                found += worker.evaluate("() => self.__cspViolations")
            except Exception:  # noqa: BLE001 - ended (a restart, the boot cache's worker)
                pass
        return found

    def close(self):
        self.context.close()


def settle(pg):
    """Wait until the page is as a reader sees it: math typeset, cells with their toolbars."""
    pg.wait_for_load_state("load")
    pg.wait_for_function("""() =>
        document.querySelectorAll('.arithmatex').length ===
          document.querySelectorAll('.arithmatex mjx-container').length &&
        document.querySelectorAll('.optdocs-cell').length ===
          document.querySelectorAll('.optdocs-cell__toolbar').length""")


def run_first_cell(pg):
    cell = pg.locator(READER_CELL).first
    cell.scroll_into_view_if_needed()
    expected = text_output(cell)
    cell.locator("[data-action=run]").click()
    pg.wait_for_function(f"el => {FINAL_STATES}.includes(el.dataset.state) && el.dataset.state !== 'idle'",
                         arg=cell.element_handle(), timeout=BOOT_TIMEOUT)
    return cell, expected


# ------------------------------------------------------------------------------------------------
# The policy text


def test_every_page_carries_one_strict_policy_before_any_script(built_site):
    pages = html_pages(built_site)
    assert len(pages) > 20
    policies = set()
    hashes = set()
    for path in pages:
        html = path.read_text()
        assert "__OPTDOCS_CONTENT_SECURITY_POLICY__" not in html, path
        meta = META.search(html)
        assert meta, f"{path}: no policy"
        first_script = html.find("<script")
        assert 0 <= meta.start() < first_script, f"{path}: a script comes before the policy"
        policies.add(meta.group(1))
        hashes |= inline_script_hashes(html)
    assert len(policies) == 1, "pages carry different policies (instant navigation keeps the first)"
    policy = policy_of(META.search(pages[0].read_text()).group(0))
    script_src = policy["script-src"]
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert hashes and hashes == {s for s in script_src if s.startswith("'sha256-")}, \
        "the policy's hashes are not exactly those of the pages' inline scripts"
    assert policy["default-src"] == ["'none'"]  # objects, frames, media: nothing
    # the self-hosted build names no host at all
    sources = {s for values in policy.values() for s in values}
    assert not [s for s in sources if "://" in s or "." in s.strip("'")], sources


def test_cdn_build_names_exactly_the_pinned_cdn_folder(cdn_built_site):
    config = (cdn_built_site / "assets" / "runner" / "config.js").read_text()
    index_url = re.search(r'"indexURL": "([^"]+)"', config).group(1)
    assert urlsplit(index_url).netloc == "cdn.jsdelivr.net"
    assert re.fullmatch(r"https://cdn\.jsdelivr\.net/pyodide/v\d+\.\d+\.\d+/full/", index_url)
    policies = {META.search(p.read_text()).group(1) for p in html_pages(cdn_built_site)}
    assert len(policies) == 1
    policy = policy_of(META.search((cdn_built_site / "index.html").read_text()).group(0))
    hosts = {name: [s for s in values if "://" in s] for name, values in policy.items()}
    assert hosts.pop("connect-src") == [index_url]  # the runtime's files, and nothing else
    assert all(values == [] for values in hosts.values()), hosts


# ------------------------------------------------------------------------------------------------
# Pages under the policy


def check_pages_load_without_violation(browser, server, site):
    pages = site_pages(site)
    watch = Watch(browser)
    try:
        failures = {}
        pg = watch.page()
        for rel in pages:  # a fresh load of each page
            pg.goto(server.base_url + rel)
            settle(pg)
            assert policy_of(pg.content())  # the policy is in the live document
            found = watch.violations(pg)
            if found:
                failures[rel or "/"] = found
            watch.console.clear()
        # then every page by instant navigation, which runs the new page's inline scripts
        # under the first page's policy; then search, which starts its worker
        pg.goto(server.base_url)
        settle(pg)
        for rel in pages[1:]:
            goto_instant(pg, server.base_url + rel)
            settle(pg)
        pg.keyboard.press("s")
        pg.keyboard.type("adam", delay=50)
        pg.wait_for_selector(".md-search-result__item")
        found = watch.violations(pg)
        if found:
            failures["instant navigation and search"] = found
        assert not failures, failures
        assert not watch.errors, watch.errors
    finally:
        watch.close()


def test_every_page_loads_without_violation(browser, server, built_site):
    check_pages_load_without_violation(browser, server, built_site)


def test_every_page_of_the_cdn_build_loads_without_violation(browser, cdn_server, cdn_built_site):
    check_pages_load_without_violation(browser, cdn_server, cdn_built_site)


# ------------------------------------------------------------------------------------------------
# Cells under the policy


def first_cell_page(site) -> str:
    return next(p for p in site_pages(site)
                if 'class="optdocs-cell"' in (site / p / "index.html").read_text())


def test_a_cell_edits_and_runs_under_the_policy(browser, server, built_site, other_origin):
    watch = Watch(browser)
    try:
        pg = watch.page()
        pg.goto(server.base_url + first_cell_page(built_site))
        settle(pg)
        cell, expected = run_first_cell(pg)
        assert cell.get_attribute("data-state") == "done", cell.inner_text()
        assert text_output(cell) == expected
        # The editor (CodeMirror: scripts, a stylesheet, style attributes) and a figure drawn in
        # the page from a blob: URL.
        cell.locator("[data-action=edit]").click()
        cell.locator(".CodeMirror").wait_for()
        cell.locator(".CodeMirror").evaluate("(el, code) => el.CodeMirror.setValue(code)",
                                             "import matplotlib.pyplot as plt\n"
                                             "plt.plot([1, 2, 3], [1, 4, 9])\nplt.show()\n")
        cell.locator("[data-action=run]").click()
        pg.wait_for_function("el => el.dataset.state === 'done' || el.dataset.state === 'error'",
                             arg=cell.element_handle(), timeout=BOOT_TIMEOUT)
        img = cell.locator("img.optdocs-cell__figure")
        assert img.count() == 1, cell.inner_text()
        img.evaluate("img => img.decode()")
        assert img.evaluate("img => img.src").startswith("blob:")
        assert img.evaluate("img => img.naturalWidth") > 300
        assert watch.violations(pg) == []
        # The worker runs under the policy: Python asking another origin is refused.
        url = other_origin.base_url + "data.txt"
        code = ("from pyodide.http import open_url\n"
                f"try:\n    print(open_url({url!r}).read())\nexcept Exception as exc:\n"
                "    print('refused', type(exc).__name__)\n")
        result = pg.evaluate(RUN_JS, code)
        assert result["type"] == "done", result
        assert result["stdout"].startswith("refused"), result
        # refused before any request left the browser (a CORS failure would have asked)
        assert not [p for p, _ in other_origin.served if "data.txt" in p]
        found = watch.violations(pg)
        assert [(v["directive"], v["blocked"]) for v in found] == [("connect-src", url)], found
        assert watch.errors == []
    finally:
        watch.close()


def test_a_cell_of_the_cdn_build_runs_under_the_policy(browser, cdn_server, cdn_built_site,
                                                        pyodide_runtime):
    """The CDN is out of reach here: its folder is answered from the local runtime folder."""
    config = (cdn_built_site / "assets" / "runner" / "config.js").read_text()
    cdn = re.search(r'"indexURL": "([^"]+)"', config).group(1)
    watch = Watch(browser)
    requested = []

    def answer(route):
        name = route.request.url[len(cdn):].split("?")[0]
        requested.append(name)
        path = pyodide_runtime / name
        if not path.is_file():
            return route.fulfill(status=404, body="", headers={"access-control-allow-origin": "*"})
        kind = {"js": "text/javascript", "wasm": "application/wasm", "json": "application/json"}
        route.fulfill(status=200, body=path.read_bytes(), headers={
            "access-control-allow-origin": "*",
            "content-type": kind.get(name.rsplit(".", 1)[-1], "application/octet-stream")})

    watch.context.route(cdn + "**", answer)
    try:
        pg = watch.page()
        pg.goto(cdn_server.base_url + first_cell_page(cdn_built_site))
        settle(pg)
        cell, expected = run_first_cell(pg)
        assert cell.get_attribute("data-state") == "done", cell.inner_text()
        assert text_output(cell) == expected
        assert {"pyodide.js", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip"} <= set(requested)
        assert watch.violations(pg) == []
        assert watch.errors == []
    finally:
        watch.close()


# Runs code through the page's runtime (the protocol of worker.js) and collects what it sends.
RUN_JS = """code => new Promise((resolve) => {
  const out = {stdout: "", stderr: "", figures: 0};
  window.optdocsRunner.runtime.submit({
    kind: "run", code,
    on(type, msg) {
      if (type === "stdout" || type === "stderr") out[type] += msg.text;
      if (type === "figure") out.figures += 1;
      if (["done", "error", "fatal", "stopped"].includes(type)) {
        out.type = type;
        out.detail = msg.traceback || msg.message || msg.reason || null;
        resolve(out);
      }
    },
  });
})"""


# ------------------------------------------------------------------------------------------------
# Injected scripts are refused


def test_a_script_from_another_origin_is_refused(browser, server, other_origin):
    watch = Watch(browser)
    try:
        pg = watch.page()
        pg.goto(server.base_url)
        settle(pg)
        evil = other_origin.base_url + "evil.js"
        outcome = pg.evaluate("""url => new Promise((resolve) => {
            const s = document.createElement("script");
            s.src = url;
            s.onload = () => resolve("loaded");
            s.onerror = () => resolve("refused");
            document.head.appendChild(s);
        })""", evil)
        assert outcome == "refused"
        assert pg.evaluate("window.__evil") is None
        events = pg.evaluate("window.__cspViolations")
        assert [e["blocked"] for e in events] == [evil], events
        assert events[0]["directive"] == "script-src-elem"
        assert other_origin.served == [], "the browser asked the other origin for the script"
        # An inline script without a listed hash is refused too.
        pg.evaluate("""() => { const s = document.createElement("script");
                               s.textContent = "window.__inline = true;";
                               document.body.appendChild(s); }""")
        assert pg.evaluate("window.__inline") is None
        events = pg.evaluate("window.__cspViolations")
        assert [e["blocked"] for e in events] == [evil, "inline"], events
    finally:
        watch.close()


# ------------------------------------------------------------------------------------------------
# The hook's refusals (no browser needed)


def _csp_hook():
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location(
        "_optdocs_csp_hook", Path(__file__).resolve().parents[2] / "hooks" / "csp.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PAGE = ('<html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" '
        'content="__OPTDOCS_CONTENT_SECURITY_POLICY__"><script>a()</script></head><body>{}</body></html>')


def test_the_hook_hashes_inline_scripts_and_refuses_inline_code():
    from mkdocs.exceptions import PluginError

    csp = _csp_hook()
    body = ('<script>b()\r\n</script><script type="application/json">{"x": 1}</script>'
            '<script type="module">c()</script><script src="x.js"></script>')
    expected = inline_script_hashes(PAGE.format(body).replace("\r\n", "\n"))
    assert len(expected) == 3
    assert set(csp.scan_page(PAGE.format(body), "page.md")) == expected
    for bad in ('<button onclick="go()">Go</button>', '<a href=" javascript:go()">Go</a>'):
        with pytest.raises(PluginError, match="page.md"):
            csp.scan_page(PAGE.format(bad), "page.md")
    with pytest.raises(PluginError, match="before its Content-Security-Policy"):
        csp.scan_page("<script>x()</script>" + PAGE.format(""), "page.md")
    with pytest.raises(PluginError, match="no Content-Security-Policy"):
        csp.scan_page("<html><head></head></html>", "page.md")


def test_the_hooks_quick_script_scan_reads_every_built_page_as_the_html_parser(built_site):
    """hook.inline_scripts (regular expressions, used when a page has nothing that looks like an
    inline handler) finds the same scripts as the full parse on every page of the site."""
    csp = _csp_hook()
    pages = html_pages(built_site)
    assert len(pages) > 20
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert csp.inline_scripts(text) == csp.parsed_scripts(text, page.name), page
    assert len(csp.inline_scripts((built_site / "index.html").read_text())) >= 2


def test_the_quick_scan_leaves_a_page_with_handler_lookalikes_to_the_parser():
    """Text that only looks like a handler (Python's ``one = 1``) sends the page to the parser,
    which accepts it; a real handler beside a script is refused however the page is scanned."""
    csp = _csp_hook()
    text = PAGE.format("<pre><code> one = 1</code></pre><script>d()</script>")
    assert csp.MAYBE_INLINE_CODE.search(text)
    assert len(csp.scan_page(text, "page.md")) == 2
    with pytest.raises(Exception, match="inline event handler"):
        csp.scan_page(PAGE.format('<script>d()</script><img src="x.png" onerror="go()">'), "page.md")
    attrs = PAGE.format("<script type='module' data-x=\"a>b\">e()</script><script\nsrc=y.js></script>")
    assert csp.inline_scripts(attrs) == csp.parsed_scripts(attrs, "page.md") == ["a()", "e()"]


def test_the_hook_names_only_a_plain_https_runtime_folder():
    from mkdocs.exceptions import PluginError

    csp = _csp_hook()

    def config(url):
        return f'window.OPTDOCS_RUNNER = {{"indexURL": "{url}", "version": "0.27.7"}};\n'

    assert csp.runtime_source(config("../pyodide/")) is None
    cdn = "https://cdn.jsdelivr.net/pyodide/v0.27.7/full/"
    assert csp.runtime_source(config(cdn)) == cdn
    for bad in ("http://cdn.jsdelivr.net/pyodide/", "https://cdn.jsdelivr.net/pyodide/v0.27.7/full",
                "https://cdn.jsdelivr.net/a;b/", "https://cdn.jsdelivr.net/x/?q=1"):
        with pytest.raises(PluginError, match="runtime URL"):
            csp.runtime_source(config(bad))
    policy = csp.policy({"'sha256-abc='"}, cdn, runner=True)
    assert "connect-src 'self' " + cdn + ";" in policy
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert "blob:" not in csp.policy(set(), None, runner=False)
