"""Fixtures for the browser tests: a self-hosted build of the site, served on 127.0.0.1, and one
headless Chromium (Debian's /usr/bin/chromium, driven by Playwright for Python).

* The site is built once per test run, shared by pytest-xdist's workers, with
  ``OPTDOCS_PYODIDE=<runtime> mkdocs build`` into a temporary folder (runtime: $OPTDOCS_PYODIDE
  or .cache/pyodide, made by scripts/fetch_pyodide.py). Set OPTDOCS_BROWSER_SITE to a built site
  to skip the build.
* Every request the browser makes, from the pages and from their workers, is recorded
  (``recorder``); the server also logs every path it serves.
Missing chromium, playwright or runtime folder: the tests fail, naming what to install.
"""
from __future__ import annotations

import functools
import http.server
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("OPTDOCS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def _require(what: str, ok) -> None:
    if not ok:
        pytest.fail(f"{what} is missing (scripts/install.sh installs it)")


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="session")
def pyodide_runtime() -> Path:
    fetch = _load("_fetch_pyodide_for_browser_tests", REPO / "scripts" / "fetch_pyodide.py")
    folder = Path(os.environ.get("OPTDOCS_PYODIDE") or fetch.DEFAULT_DIR)
    _require(f"the Pyodide runtime folder {folder}", (folder / "pyodide-lock.json").is_file())
    return folder


_build_lock = _load("_build_lock_for_browser_tests", REPO / "tests" / "build_lock.py").build_lock


def shared_build(tmp_path_factory, name: str, env: dict[str, str]) -> Path:
    """``mkdocs build`` into ``<name>/site``, once per test run: under pytest-xdist every worker
    asks, the first builds (holding tests/build_lock.py's lock) and the others
    wait for it and reuse the folder. The browser tests never write into the site."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the run's folder, above each worker's own
    site = root / name / "site"
    done = site.parent / "built"
    with _build_lock():
        if not done.is_file():
            cmd = [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(REPO / "mkdocs.yml"),
                   "-d", str(site)]
            proc = subprocess.run(cmd, cwd=REPO, env={**env, "NO_MKDOCS_2_WARNING": "1"},
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                  timeout=1800)
            assert proc.returncode == 0, f"mkdocs build ({name}) failed:\n{proc.stdout[-8000:]}"
            done.write_text("ok\n")
    return site


@pytest.fixture(scope="session")
def built_site(tmp_path_factory, pyodide_runtime) -> Path:
    if os.environ.get("OPTDOCS_BROWSER_SITE"):
        return Path(os.environ["OPTDOCS_BROWSER_SITE"])
    return shared_build(tmp_path_factory, "browser-site",
                        dict(os.environ, OPTDOCS_PYODIDE=str(pyodide_runtime)))


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Static files; sitemap.xml is rewritten to this server's address.

    Material's instant navigation only follows links listed in sitemap.xml, after giving the
    listed URLs the page's protocol and host name (not its port or path): served from a random
    port, the sitemap must name that port.
    """

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path.split("?")[0] != "/sitemap.xml":
            return super().do_GET()
        xml = (Path(self.directory) / "sitemap.xml").read_text()
        locs = re.findall(r"<loc>([^<]*)</loc>", xml)
        if locs:
            prefix = os.path.commonprefix(locs)
            prefix = prefix[: prefix.rfind("/") + 1]
            xml = xml.replace(f"<loc>{prefix}", f"<loc>{self.server.base_url}")
        data = xml.encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_request(self, code="-", size="-"):
        self.server.served.append((self.path, code))


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        """A page that drops a download it started (a navigation cancels it) resets the
        connection: nothing to report. Any other error is printed as before."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@pytest.fixture(scope="session")
def server(built_site):
    httpd = _Server(
        ("127.0.0.1", 0), functools.partial(_Handler, directory=str(built_site)))
    httpd.served = []
    httpd.base_url = f"http://127.0.0.1:{httpd.server_port}/"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="session")
def browser():
    _require("chromium", Path(CHROMIUM).exists() or shutil.which(CHROMIUM))
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _require("playwright (Python)", False)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Recorder:
    """Every request of a browser context (pages and their workers), and page errors."""

    def __init__(self):
        self.urls: list[str] = []
        self.errors: list[str] = []

    def attach(self, context):
        context.on("request", lambda r: self.urls.append(r.url))
        context.on("page", self.attach_page)

    def attach_page(self, page):
        page.on("pageerror", lambda e: self.errors.append(str(e)))


@pytest.fixture(scope="module")
def recorder():
    return Recorder()


@pytest.fixture(scope="module")
def context(browser, recorder):
    """One browser context per test module (1200 x 900), every request recorded; a module that
    needs another kind of context defines its own ``context`` or ``page``."""
    ctx = browser.new_context(viewport={"width": 1200, "height": 900})
    recorder.attach(ctx)
    yield ctx
    ctx.close()


@pytest.fixture(scope="module")
def page(context, recorder):
    """The page the tests of one module share, in order."""
    pg = context.new_page()
    recorder.attach_page(pg)
    pg.set_default_timeout(30_000)
    return pg


# ------------------------------------------------------------------------------------------------
# The default (CDN) build, and a second origin (for test_browser_csp.py)
#
# Every page carries a Content-Security-Policy without 'unsafe-eval' (hooks/csp.py): give
# page.wait_for_function a function ("() => ..."), not an expression, which Playwright evaluates
# with eval() in the page and the policy refuses. page.evaluate is not affected.


@pytest.fixture(scope="session")
def cdn_built_site(tmp_path_factory) -> Path:
    """The site as published by default: Pyodide from its pinned CDN (OPTDOCS_PYODIDE unset).
    Set OPTDOCS_BROWSER_CDN_SITE to such a built site to skip the build."""
    if os.environ.get("OPTDOCS_BROWSER_CDN_SITE"):
        return Path(os.environ["OPTDOCS_BROWSER_CDN_SITE"])
    return shared_build(tmp_path_factory, "browser-cdn-site",
                        {k: v for k, v in os.environ.items() if k != "OPTDOCS_PYODIDE"})


class _CorsHandler(_Handler):
    """Static files that any origin may read (Access-Control-Allow-Origin: *)."""

    def end_headers(self):
        self.send_header("Access-Control-Allow-Origin", "*")
        super().end_headers()


def _serve(directory: Path, host: str = "127.0.0.1", handler=_Handler):
    httpd = _Server(
        (host, 0), functools.partial(handler, directory=str(directory)))
    httpd.served = []
    httpd.base_url = f"http://{host}:{httpd.server_port}/"
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


@pytest.fixture(scope="session")
def cdn_server(cdn_built_site):
    httpd = _serve(cdn_built_site)
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="session")
def other_origin(tmp_path_factory):
    """A second origin (`localhost`, another port) serving `evil.js`, which sets window.__evil,
    and `data.txt`, readable from any origin (CORS); its `served` list shows whether anything
    reached it."""
    folder = tmp_path_factory.mktemp("other-origin")
    (folder / "evil.js").write_text("window.__evil = true;\n")
    (folder / "data.txt").write_text("data from another origin\n")
    httpd = _serve(folder, host="localhost", handler=_CorsHandler)
    yield httpd
    httpd.shutdown()
    httpd.server_close()
