"""MkDocs hook: the exercise notebooks' stylesheets, served once for all of them.

mkdocs-jupyter writes JupyterLab's stylesheets into every notebook page as five ``<style>``
blocks, 0.59 MB of each exercise page's 0.8 MB and the same in all five. This hook moves each
block into a file named by its content, ``assets/notebooks/<sha256[:12]>.css``, and links it
where the block was (the cascade keeps its order), so a reader's browser fetches the styles once
for every notebook page, and the pages are a quarter of their size.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from mkdocs.utils import get_relative_url

STYLE = re.compile(r'<style(?: type="text/css")?>(.*?)</style>', re.S)
FOLDER = "assets/notebooks"

_sheets: dict[str, str] = {}


def sheet_name(css: str) -> str:
    """The site path of the stylesheet holding ``css``."""
    return f"{FOLDER}/{hashlib.sha256(css.encode('utf-8')).hexdigest()[:12]}.css"


def link_styles(html: str, page_url: str, sheets: dict[str, str]) -> str:
    """``html`` with each ``<style>`` block replaced by a link to its file (added to ``sheets``)."""
    def link(m: re.Match) -> str:
        css = m.group(1).strip() + "\n"
        name = sheet_name(css)
        sheets[name] = css
        return f'<link rel="stylesheet" href="{get_relative_url(name, page_url)}">'

    return STYLE.sub(link, html)


def on_pre_build(config, **kwargs):
    _sheets.clear()


def on_page_content(html, page, config, files, **kwargs):
    if not (page.file.src_uri or "").endswith(".ipynb"):
        return html
    return link_styles(html, page.url, _sheets)


def on_post_build(config, **kwargs):
    for name, css in _sheets.items():
        path = Path(config["site_dir"]) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(css.encode("utf-8"))
