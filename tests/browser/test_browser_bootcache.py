"""The boot cache (docs/assets/runner/bootcache.js) in a real browser.

After a reader's first Run, a second worker stores a memory snapshot of a freshly started
interpreter and .pyc files of the imported site-packages modules in Cache Storage; the next page
load restores the snapshot instead of starting CPython. These tests check that the cache is built,
used, gives the same results, does not replay random numbers, and that a damaged or stale entry
is dropped or ignored instead of breaking the page. One browser context (one Cache Storage) for
the module; the tests depend on their order.
"""
from __future__ import annotations

import json

import pytest

BOOT_TIMEOUT = 180_000
CODE = """\
import random
import numpy as np
from optdocs import Adam

x = np.array([1.0, -2.0])
opt = Adam(lr=0.1)
for _ in range(200):
    opt.step(x, 2 * x)
print(np.round(x, 6))
print("random", random.random())
"""

# Runs code through the page's runtime (the protocol of worker.js) and collects what it sends.
# page.evaluate has no timeout of its own: a boot that never settles fails the test instead
RUN_JS = """code => new Promise((resolve) => {
  const out = {stdout: "", stderr: "", events: []};
  setTimeout(() => resolve(Object.assign(out, {type: "no answer in 150 s"})), 150000);
  window.optdocsRunner.runtime.submit({
    kind: "run", code,
    on(type, msg) {
      out.events.push(type);
      if (type === "stdout" || type === "stderr") out[type] += msg.text;
      if (["done", "error", "fatal", "stopped"].includes(type)) {
        out.type = type;
        out.traceback = msg.traceback || msg.message || msg.reason || null;
        out.fromSnapshot = window.optdocsRunner.runtime.fromSnapshot;
        out.timings = window.optdocsRunner.runtime.timings;
        resolve(out);
      }
    },
  });
})"""
CACHE_DONE_JS = "() => ['built', 'failed'].includes(window.optdocsRunner.runtime.cache.state)"


@pytest.fixture(scope="module")
def context(browser, recorder):
    ctx = browser.new_context()
    recorder.attach(ctx)
    yield ctx
    ctx.close()


@pytest.fixture(scope="module")
def home_url(server, built_site):
    for index in sorted(built_site.rglob("index.html")):
        if 'class="optdocs-cell"' in index.read_text():
            return server.base_url + index.parent.relative_to(built_site).as_posix().strip(".") + "/"
    pytest.fail("the site has no runnable cell")


def visit(context, url, code=CODE):
    page = context.new_page()
    page.set_default_timeout(BOOT_TIMEOUT)
    page.goto(url)
    page.wait_for_function("() => window.optdocsRunner && window.optdocsRunner.runtime")
    result = page.evaluate(RUN_JS, code)
    assert result["type"] == "done", result
    return page, result


def wait_for_cache(page):
    page.wait_for_function(CACHE_DONE_JS, timeout=BOOT_TIMEOUT)
    cache = page.evaluate("window.optdocsRunner.runtime.cache")
    assert cache["state"] == "built", json.dumps(cache.get("detail"))
    return cache["detail"]


def cache_keys(page):
    return page.evaluate("""async () => {
        const c = await caches.open("optdocs-runtime");
        return (await c.keys()).map((r) => r.url);
    }""")


def test_first_visit_builds_the_cache(context, home_url):
    page, first = visit(context, home_url)
    assert first["fromSnapshot"] is False
    assert "served pycs" in first["timings"], first["timings"]  # the build's .pyc zip was used
    detail = wait_for_cache(page)
    assert detail["snapshot"] is True
    # every .py module the cell imported from site-packages: numpy's and optdocs' at least
    assert detail["pycs"] >= 60, detail
    kinds = sorted(u.rsplit("/", 1)[1].split("-")[0] for u in cache_keys(page))
    assert kinds == ["pycs", "snapshot"]
    page.close()
    context.first_output = first["stdout"]


def test_next_visit_restores_the_snapshot_and_gives_the_same_results(context, home_url):
    page, second = visit(context, home_url)
    assert second["fromSnapshot"] is True
    assert "restored snapshot" in second["timings"]
    first, now = context.first_output.splitlines(), second["stdout"].splitlines()
    assert now[0] == first[0]  # the seeded computation
    assert now[1] != first[1], "an unseeded random number repeated: the snapshot's state leaked"
    # the cached .pyc sits next to numpy's source: hash-checked (flags 3), as Python reads it
    check, = [page.evaluate(RUN_JS, """\
import importlib.util, numpy
pyc = importlib.util.cache_from_source(numpy.__file__)
with open(pyc, "rb") as f:
    print(int.from_bytes(f.read(8)[4:], "little"))
""")]
    assert check["type"] == "done" and check["stdout"].strip() == "3", check
    # nothing new to cache: no second build
    page.wait_for_timeout(2500)
    assert page.evaluate("window.optdocsRunner.runtime.cache.state") == "none"
    page.close()


def test_a_stale_pyc_is_recompiled_not_run(context, home_url):
    """A cached .pyc whose source differs (here: made from other code) must not run."""
    page, _ = visit(context, home_url, "print('ok')")
    stored = page.evaluate(RUN_JS, """\
import hashlib, io, os, py_compile, tempfile, zipfile
import js
from pyodide.ffi import to_js

src = os.path.join(tempfile.mkdtemp(), "m.py")
with open(src, "w") as f:
    f.write("raise RuntimeError('the stale .pyc ran')\\n")
py_compile.compile(src, cfile=src + "c", invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH)
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w") as z, open(src + "c", "rb") as f:
    z.writestr("optdocs/__init__.py", f.read())
cache = await js.caches.open("optdocs-runtime")
key = [r.url for r in await cache.keys() if "/pycs-" in r.url][0]
# with the right SHA-256: the entry is intact, only its .pyc is stale
headers = to_js({"X-Optdocs-Sha256": hashlib.sha256(buf.getvalue()).hexdigest()},
                dict_converter=js.Object.fromEntries)
await cache.put(key, js.Response.new(to_js(buf.getvalue()), to_js({"headers": headers},
                dict_converter=js.Object.fromEntries)))
print("stored")
""")
    assert stored["type"] == "done" and stored["stdout"] == "stored\n", stored
    page.close()
    page, result = visit(context, home_url)
    assert result["fromSnapshot"] is True
    assert result["stdout"].splitlines()[0] == context.first_output.splitlines()[0]
    # the stale entry is not merged into the next build
    detail = wait_for_cache(page)
    assert detail["pycs"] >= 60
    page.close()


def test_a_damaged_snapshot_is_dropped_and_rebuilt(context, home_url):
    page = context.new_page()
    page.goto(home_url)
    page.wait_for_function("() => window.optdocsRunner && window.optdocsRunner.runtime")
    page.evaluate("""async () => {
        const c = await caches.open("optdocs-runtime");
        const key = (await c.keys()).map((r) => r.url).find((u) => u.includes("/snapshot-"));
        // truncated, under the original hash: a too-short snapshot would hang loadPyodide
        const resp = await c.match(key);
        const bytes = new Uint8Array(await resp.arrayBuffer()).slice(0, 4096);
        await c.put(key, new Response(bytes, {headers: resp.headers}));
    }""")
    result = page.evaluate(RUN_JS, CODE)
    assert result["type"] == "done", result
    assert result["fromSnapshot"] is False
    assert result["stdout"].splitlines()[0] == context.first_output.splitlines()[0]
    detail = wait_for_cache(page)
    assert detail["snapshot"] is True
    page.close()
    page, again = visit(context, home_url)
    assert again["fromSnapshot"] is True
    page.close()


def test_matplotlibs_font_list_is_kept_for_the_next_visit(context, home_url):
    """matplotlib cannot save its font list in Pyodide: the boot cache keeps it."""
    page, _ = visit(context, home_url, "import matplotlib.pyplot as plt\nplt.plot([1, 2])\nprint('ok')\n")
    detail = wait_for_cache(page)
    assert detail["pycs"] > 150, detail  # matplotlib's modules joined numpy's and optdocs'
    page.close()
    page, result = visit(context, home_url, """\
import json, os
folder = os.environ["MPLCONFIGDIR"]
for name in sorted(os.listdir(folder)):
    with open(os.path.join(folder, name)) as f:
        print(name, len(json.load(f)["ttflist"]) > 10)
""")
    assert result["fromSnapshot"] is True
    assert result["stdout"].startswith("fontlist-v") and result["stdout"].endswith(".json True\n"), result
    page.close()
