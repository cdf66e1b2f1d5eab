"""MkDocs hook: serve MathJax 3 from the site itself, copied from node_modules at build time.

``npm ci`` installs the pinned ``mathjax`` package (see package.json); this hook adds to the site,
under ``assets/mathjax/``, the combined component ``tex-mml-chtml.js`` and everything it may load
on demand: the CHTML web fonts, TeX and MathML extensions (autoloaded by ``\\require``, ``\\color``,
``\\boldsymbol``, ...), the context menu and accessibility components with their speech maps.
MathJax finds them next to the script it was loaded from, so no request leaves the site. Nothing
of MathJax is committed to the repository.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

REPO_ROOT = Path(__file__).resolve().parent.parent
MATHJAX = REPO_ROOT / "node_modules" / "mathjax" / "es5"
SITE_DIR = "assets/mathjax"

#: The entry point and the folders it loads from at run time (paths inside mathjax/es5).
WANTED = (
    "tex-mml-chtml.js",
    "output/chtml/fonts/woff-v2",
    "input/tex/extensions",
    "input/mml/extensions",
    "ui",
    "a11y",
    "sre",
)


def on_files(files, config):
    if not (MATHJAX / WANTED[0]).is_file():
        raise PluginError(
            f"MathJax not found at {MATHJAX}: run `npm ci` in {REPO_ROOT} (package.json pins it)"
        )
    for item in WANTED:
        path = MATHJAX / item
        for src in ([path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())):
            rel = src.relative_to(MATHJAX).as_posix()
            files.append(File.generated(config, f"{SITE_DIR}/{rel}", abs_src_path=str(src)))
    return files
