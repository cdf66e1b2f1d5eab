"""Helpers for the site tests: build the MkDocs site, read its nav and HTML, find Python blocks."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
DOCS = REPO_ROOT / "docs"
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))
from hooks.fences import fences  # noqa: E402


@dataclass
class Build:
    site: Path
    returncode: int
    output: str
    seconds: float

    @property
    def warnings(self) -> list[str]:
        return [ln for ln in self.output.splitlines() if ln.startswith("WARNING")]


def build_site(dest: Path, *, config: Path | None = None, cwd: Path = REPO_ROOT,
               env: dict[str, str] | None = None, strict: bool = True) -> Build:
    """Run ``mkdocs build`` into ``dest`` in a subprocess; return its result and duration."""
    cmd = [sys.executable, "-m", "mkdocs", "build", "--clean", "-d", str(dest)]
    if strict:
        cmd.append("--strict")
    if config is not None:
        cmd += ["-f", str(config)]
    full_env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})}
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=full_env, capture_output=True, text=True, timeout=900)
    return Build(dest, proc.returncode, proc.stdout + proc.stderr, time.perf_counter() - t0)


class _AnyTagLoader(yaml.SafeLoader):
    """Reads mkdocs.yml even if it uses tags such as !ENV or !!python/name (values become None)."""


_AnyTagLoader.add_multi_constructor("", lambda loader, suffix, node: None)
_AnyTagLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def mkdocs_config() -> dict:
    return yaml.load((REPO_ROOT / "mkdocs.yml").read_text(), Loader=_AnyTagLoader)


def nav_pages(nav=None) -> list[str]:
    """Every Markdown page named in the nav (paths relative to docs/)."""
    if nav is None:
        nav = mkdocs_config().get("nav", [])
    out: list[str] = []

    def walk(item):
        if isinstance(item, str):
            if not re.match(r"^[a-z]+://", item) and item.endswith(".md"):
                out.append(item)
        elif isinstance(item, list):
            for x in item:
                walk(x)
        elif isinstance(item, dict):
            for v in item.values():
                walk(v)

    walk(nav)
    return out


def page_output(md: str, use_directory_urls: bool = True) -> str:
    """The HTML file MkDocs writes for page ``md`` (relative to the site root)."""
    stem = md[:-3]
    parent, _, name = stem.rpartition("/")
    if name in ("index", "README"):
        return f"{parent}/index.html" if parent else "index.html"
    return f"{stem}/index.html" if use_directory_urls else f"{stem}.html"


@dataclass
class PageScan:
    """What the site tests look at in one HTML page."""

    resources: list[tuple[str, str, str]] = field(default_factory=list)  # (tag, attr, url)
    images: list[dict[str, str]] = field(default_factory=list)
    numbers: list[tuple[str, str]] = field(default_factory=list)  # (name, text)
    inline_styles: list[str] = field(default_factory=list)


RESOURCE_LINK_RELS = {"stylesheet", "preload", "modulepreload", "icon", "shortcut", "manifest",
                      "apple-touch-icon", "mask-icon", "prefetch"}


class _Scanner(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scan = PageScan()
        self._number: list | None = None
        self._depth = 0
        self._style = False

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag in ("script", "img", "iframe", "audio", "video", "source", "embed", "track") \
                and "src" in a:
            self.scan.resources.append((tag, "src", a["src"]))
        if tag == "object" and "data" in a:
            self.scan.resources.append((tag, "data", a["data"]))
        if tag == "link" and set(a.get("rel", "").lower().split()) & RESOURCE_LINK_RELS:
            self.scan.resources.append((tag, "href", a.get("href", "")))
        if tag == "img":
            self.scan.images.append(a)
        if tag == "style":
            self._style = True
        if self._number is not None:
            self._depth += 1
        elif tag == "span" and "optdocs-number" in a.get("class", "").split():
            self._number = [a.get("data-number", ""), ""]
            self._depth = 1

    def handle_endtag(self, tag):
        if tag == "style":
            self._style = False
        if self._number is not None:
            self._depth -= 1
            if self._depth == 0:
                self.scan.numbers.append((self._number[0], self._number[1]))
                self._number = None

    def handle_data(self, data):
        if self._number is not None:
            self._number[1] += data
        if self._style:
            self.scan.inline_styles.append(data)


def scan_html(text: str) -> PageScan:
    parser = _Scanner()
    parser.feed(text)
    parser.close()
    return parser.scan


CSS_URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)|@import\s+(['"])(.*?)\3""", re.I)


def css_urls(css: str) -> list[str]:
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    return [m.group(2) if m.group(2) is not None else m.group(4) for m in CSS_URL.finditer(css)]


def is_external(url: str) -> bool:
    """True for an address on another host: http(s)://..., //host/..., or another scheme."""
    url = url.strip()
    if url.startswith("//"):
        return True
    m = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*):", url)
    return bool(m) and m.group(1).lower() not in ("data", "blob", "about", "javascript")


def python_blocks(markdown: str) -> list[tuple[int, str]]:
    """Every ```python block (not ```py / ```pycon): (line of its first code line, dedented code).

    Blocks nested in admonitions or content tabs are found too (their indentation is removed).
    The parser is the build's (hooks/fences.py), so the tests run exactly the blocks the site runs.
    """
    return [(f.code_line, f.code + "\n") for f in fences(markdown) if f.lang == "python"]


def docs_markdown_files() -> list[Path]:
    return sorted(p for p in DOCS.rglob("*.md") if ".ipynb_checkpoints" not in p.parts)


def fetch_pyodide():
    """scripts/fetch_pyodide.py as a module (DEFAULT_DIR, verify_dir, ...)."""
    spec = importlib.util.spec_from_file_location("_fetch_pyodide_for_site_tests",
                                                  REPO_ROOT / "scripts" / "fetch_pyodide.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod
