"""MkDocs hook: the Content-Security-Policy of every page.

GitHub Pages sends no security headers, so the policy travels in the page itself, as
``<meta http-equiv="Content-Security-Policy">``, written by ``overrides/main.html`` before any
script of ``<head>`` with the placeholder :data:`PLACEHOLDER` as its content. This hook fills it in.

What the policy allows, and why (each allowance is repeated beside its directive in
:func:`policy`):

* scripts: files of the site itself (``'self'``), and the inline ``<script>`` elements of the
  built pages by their sha256 (never ``'unsafe-inline'``). The hashes are collected from every
  page and the same set is written into every page, because Material's instant navigation runs
  the inline scripts of the page it swaps in under the policy of the page that was loaded first;
* the runnable cells' Python runtime, when the site has one (``assets/runner/config.js``, written
  by hooks/pyodide.py): its worker is started from a ``blob:`` URL (``cells.js``) so that it runs
  under this policy too (a worker started from a site URL gets the policy of that file's HTTP
  headers, that is none on GitHub Pages); the worker runs Pyodide's two scripts from ``blob:``
  URLs after checking their hashes, compiles WebAssembly (``'wasm-unsafe-eval'``; Pyodide fails
  without it, ``'unsafe-eval'`` is not needed) and downloads the runtime's files from the site or,
  in the default build, from the one pinned CDN folder (``connect-src``);
* styles: inline styles are allowed (see :func:`policy`); images: the site, ``data:`` and
  (runner) ``blob:``; fonts: the site; everything else (frames, objects, media, manifests, form
  targets, ``<base>``) nothing.

Widgets and other page scripts must therefore live in files served by the site: an inline
handler (``onclick="..."``) or a ``javascript:`` URL is refused by the browser, and this hook
fails the build on one rather than let it break silently.

Notebook pages lose nbconvert's MathJax 2 block (see :data:`NOTEBOOK_MATHJAX2`): a data
block in the page content is run as JavaScript after Material's instant navigation.

Under ``mkdocs serve`` no policy is written (the dev server injects an inline live-reload script
whose text changes with every request, which no hash can allow); build the site to check it.
"""
from __future__ import annotations

import base64
import hashlib
import html.parser
import json
import logging
import re
from pathlib import Path
from urllib.parse import urlsplit

from mkdocs.exceptions import PluginError

log = logging.getLogger("mkdocs.hooks.csp")

#: The content of the policy's meta tag in overrides/main.html, replaced by the policy.
PLACEHOLDER = "__OPTDOCS_CONTENT_SECURITY_POLICY__"
#: The runnable cells' configuration, written by hooks/pyodide.py (site path).
RUNNER_CONFIG = "assets/runner/config.js"
#: Types of <script> that the browser runs (any other type is a data block: never run, no hash).
JS_TYPES = {"", "text/javascript", "application/javascript", "text/ecmascript",
            "application/ecmascript", "module"}


# ------------------------------------------------------------------------------------------------
# The policy


def policy(script_hashes, runtime_source: str | None, runner: bool) -> str:
    """The policy text.

    script_hashes: CSP hash sources (``'sha256-...'``) of the inline scripts to allow.
    runtime_source: where the Python runtime is downloaded from when it is not the site itself
    (``https://cdn.jsdelivr.net/pyodide/v0.27.7/full/``), or None.
    runner: does the site have runnable cells (a Python worker)?
    """
    runtime = [runtime_source] if runtime_source else []
    directives = [
        # Anything not allowed below is refused: frames, objects, media, manifests, prefetch.
        ("default-src", ["'none'"]),
        # The site's own scripts (Material's bundle, extra_javascript, MathJax, CodeMirror,
        # widgets), and each inline script of the built pages by its hash.
        # Runner: `blob:` for the worker's bootstrap and for Pyodide's two scripts, which the
        # worker runs from blob: URLs after checking their sha384 (importScripts has no
        # integrity option); 'wasm-unsafe-eval' to compile pyodide.asm.wasm, and nothing else.
        ("script-src", ["'self'", *sorted(script_hashes),
                        *(["blob:", "'wasm-unsafe-eval'"] if runner else [])]),
        # Inline styles are needed and cannot run code: Material's bundle and MathJax write
        # style attributes and <style> elements at run time, CodeMirror positions its cursor
        # with style attributes, and mkdocs-jupyter's notebook pages carry <style> blocks and
        # styled output. The site's stylesheets come from 'self'.
        ("style-src", ["'self'", "'unsafe-inline'"]),
        # Figures are site files; data: for Material's icons (CSS masks) and the notebooks'
        # embedded PNG outputs; runner: blob: for the figures a cell draws in the page.
        ("img-src", ["'self'", "data:", *(["blob:"] if runner else [])]),
        # MathJax's web fonts, served from the site (theme.font is off: no font host).
        ("font-src", ["'self'"]),
        # Instant navigation, search index, MathJax's speech rules, the runtime's files and
        # wheels from the site, and in the default build from the one pinned CDN folder.
        ("connect-src", ["'self'", *runtime]),
        # Material's search worker (a site file); the Python worker's blob: bootstrap.
        ("worker-src", ["'self'", *(["blob:"] if runner else [])]),
        # No page sets <base> or submits a form to a server (Material's search form is handled
        # in the page).
        ("base-uri", ["'none'"]),
        ("form-action", ["'none'"]),
    ]
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives)


def script_hash(text: str) -> str:
    """The CSP hash source of an inline script whose text (as in the HTML file) is `text`.

    The browser hashes the element's text as parsed: line breaks normalised to LF, characters as
    written (no character references are decoded inside <script>), encoded as UTF-8.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def runtime_source(config_js: str) -> str | None:
    """The runtime's download folder named by assets/runner/config.js, if on another host."""
    m = re.search(r"window\.OPTDOCS_RUNNER\s*=\s*(\{.*\})\s*;", config_js, re.S)
    if not m:
        raise PluginError(f"csp hook: {RUNNER_CONFIG} does not set window.OPTDOCS_RUNNER")
    index_url = json.loads(m.group(1)).get("indexURL", "")
    parts = urlsplit(index_url)
    if not parts.scheme:
        return None  # relative: the site itself, covered by 'self'
    if parts.scheme != "https" or not parts.netloc or parts.query or parts.fragment \
            or not parts.path.endswith("/") or re.search(r"[\s;,']", index_url):
        raise PluginError(f"csp hook: the runtime URL {index_url!r} in {RUNNER_CONFIG} is not a "
                          "plain https:// folder URL that a policy can name")
    return index_url


# ------------------------------------------------------------------------------------------------
# Reading a built page


class _PageScan(html.parser.HTMLParser):
    """Inline scripts (their text), inline event handlers and javascript: URLs of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scripts: list[str] = []
        self.problems: list[str] = []
        self._script: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...> (an inline event handler)")
            elif name in ("href", "src", "action", "formaction") and value and \
                    value.strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}=\"javascript:...\">")
        if tag == "script":
            attrs = dict(attrs)
            kind = (attrs.get("type") or "").strip().lower()
            self._script = [] if "src" not in attrs and kind in JS_TYPES else None

    def handle_data(self, data):
        if self._script is not None:
            self._script.append(data)

    def handle_endtag(self, tag):
        if tag == "script":
            if self._script is not None:
                self.scripts.append("".join(self._script))
            self._script = None


#: What an inline event handler or a javascript: URL needs: a page with neither (all but one)
#: has its scripts found by SCRIPT alone; a page with one is parsed in full (_PageScan), which
#: tells a handler from text that only looks like one. The HTML parser is the slow part of the
#: scan: 0.7 s of a warm build for the 10 MB of pages.
MAYBE_INLINE_CODE = re.compile(r"\son[a-z]+\s*=|javascript:", re.I)
SCRIPT = re.compile(r"""<script\b((?:[^>"']|"[^"]*"|'[^']*')*)>(.*?)</script\s*>""", re.I | re.S)
ATTR = re.compile(r"""([^\s"'=<>`/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")


def inline_scripts(output: str) -> list[str]:
    """The text of each inline JavaScript ``<script>`` of a page, as the HTML parser reads it
    (tests/browser/test_browser_csp.py checks both agree on every built page)."""
    found = []
    for m in SCRIPT.finditer(output):
        attrs = {a.group(1).lower(): next((v for v in a.groups()[1:] if v is not None), "")
                 for a in ATTR.finditer(m.group(1))}
        if "src" not in attrs and html.unescape(attrs.get("type", "")).strip().lower() in JS_TYPES:
            found.append(m.group(2))
    return found


def parsed_scripts(output: str, where: str) -> list[str]:
    """Inline scripts by the HTML parser; PluginError on an inline handler or javascript: URL."""
    scan = _PageScan()
    scan.feed(output)
    scan.close()
    if scan.problems:
        raise PluginError(f"csp hook: {where} has {', '.join(sorted(set(scan.problems)))}: the "
                          "policy refuses inline code; attach listeners from a script file")
    return scan.scripts


def scan_page(output: str, where: str) -> list[str]:
    """The hash sources of `output`'s inline scripts; PluginError where the page has a script
    before the policy, no policy placeholder, or an inline handler the policy would refuse."""
    meta = output.find(PLACEHOLDER)
    if meta < 0:
        raise PluginError(f"csp hook: {where} has no Content-Security-Policy meta tag "
                          f"(overrides/main.html writes it with content=\"{PLACEHOLDER}\")")
    first_script = re.search(r"<script\b", output, re.I)
    if first_script and first_script.start() < meta:
        raise PluginError(f"csp hook: {where} has a <script> before its Content-Security-Policy "
                          "meta tag, which a browser would run without the policy")
    if MAYBE_INLINE_CODE.search(output):
        scripts = parsed_scripts(output, where)
    else:
        scripts = inline_scripts(output)
    return [script_hash(text) for text in scripts]


# ------------------------------------------------------------------------------------------------
# MkDocs events


class _State:
    serving = False
    hashes: set[str] = set()
    runtime_source: str | None = None
    runner = False


def on_startup(command, **kwargs):
    _State.serving = command == "serve"


def on_config(config, **kwargs):
    _State.hashes = set()
    return config


def on_files(files, config, **kwargs):
    runner_config = files.get_file_from_path(RUNNER_CONFIG)
    _State.runner = runner_config is not None
    _State.runtime_source = runtime_source(runner_config.content_string) if runner_config else None
    return files


def on_post_template(output_content, template_name, config, **kwargs):
    if PLACEHOLDER in output_content:  # 404.html
        _State.hashes.update(scan_page(output_content, template_name))
    return output_content


#: nbconvert's MathJax 2 block in mkdocs-jupyter's notebook pages: a loader with an empty src
#: (custom_mathjax_url is unset) and a `text/x-mathjax-config` data block. The site typesets with
#: MathJax 3 (docs/javascripts/optdocs.js), so the block does nothing on a page load; but Material's
#: instant navigation re-creates every inline script of the new page's content as a plain
#: JavaScript script (it keeps the text, not the type), so the block would then run (and throw,
#: MathJax 3 has no MathJax.Hub) or, under the policy, be refused and reported. It is dropped.
NOTEBOOK_MATHJAX2 = re.compile(
    r"<!-- Load mathjax -->\s*<script src=\"\">\s*</script>\s*<!-- MathJax configuration -->\s*"
    r"<script type=\"text/x-mathjax-config\">.*?</script>\s*<!-- End of mathjax configuration -->",
    re.S)


def on_post_page(output, page, config, **kwargs):
    output = NOTEBOOK_MATHJAX2.sub("", output)
    _State.hashes.update(scan_page(output, page.file.src_uri))
    return output


def on_post_build(config, **kwargs):
    """Write the policy into every page (the same policy: see the module docstring)."""
    text = "" if _State.serving else policy(_State.hashes, _State.runtime_source, _State.runner)
    written = 0
    for path in Path(config["site_dir"]).rglob("*.html"):
        content = path.read_bytes().decode("utf-8")
        if PLACEHOLDER not in content:
            continue
        if _State.serving:  # no policy: drop the tag
            content = re.sub(r'\s*<meta http-equiv="Content-Security-Policy" content="'
                             + PLACEHOLDER + '">', "", content)
        path.write_bytes(content.replace(PLACEHOLDER, text).encode("utf-8"))
        written += 1
    if _State.serving:
        log.info("csp hook: no Content-Security-Policy under `mkdocs serve` (its live-reload "
                 "script is inline); `mkdocs build` writes it")
    else:
        log.info("csp hook: policy with %d script hashes written into %d pages",
                 len(_State.hashes), written)
