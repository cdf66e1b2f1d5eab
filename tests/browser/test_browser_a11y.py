"""Every reader, every page: axe-core finds no serious or critical accessibility violation on any
page of the site, in Material's light (`default`) and dark (`slate`) palettes.

axe-core is an npm devDependency (package.json): the test injects it from node_modules into the
page, so it is never shipped to readers. Each page is loaded once, the system preferring light
(mkdocs.yml ties `default` to light and `slate` to dark), and checked once its formulas are
typeset and its cells have their toolbars; then the header's toggle switches it to the dark
palette (no reload) and it is checked again. The page is the same in both palettes but for its
colours, so the dark one runs the colour rules only (COLOUR_RULES). test_browser_widgets.py
checks every widget the same way once touched.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from test_browser_cells import site_pages

REPO = Path(__file__).resolve().parents[2]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
SCHEMES = {"light": "default", "dark": "slate"}
BLOCKING = ("serious", "critical")

# Resolves when the page is as a reader sees it: math typeset, every cell with its toolbar.
SETTLED_JS = """() => {
  const math = document.querySelectorAll('.arithmatex').length;
  const done = document.querySelectorAll('.arithmatex mjx-container').length;
  const cells = document.querySelectorAll('.optdocs-cell').length;
  const bars = document.querySelectorAll('.optdocs-cell__toolbar').length;
  return done === math && bars === cells;
}"""
#: Rules whose outcome depends on the palette: in the dark one only these run (the page, its
#: names, roles and structure are the same in both; only colours change).
COLOUR_RULES = {"runOnly": {"type": "rule", "values": ["color-contrast", "link-in-text-block"]}}
#: The header's palette toggle, by the palette it switches from (mkdocs.yml names them).
TOGGLES = {"light": "Switch to dark mode", "dark": "Switch to light mode"}
# axe-core on the document, or on [root, extra options] (root null: the document).
AXE_JS = """async (arg) => {
  const [root, extra] = arg || [];
  const result = await axe.run(root || document, {resultTypes: ['violations'], ...(extra || {})});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({
      target: n.target.join(' '), summary: n.failureSummary,
      colours: (n.any.find(c => c.data && c.data.fgColor) || {}).data || null})),
  }));
}"""


@pytest.fixture(scope="module")
def a11y_page(browser, server):
    assert AXE.is_file(), f"{AXE} is missing: run `npm ci` (package.json lists axe-core)"
    # The page's Content-Security-Policy would refuse axe-core, injected as an inline script;
    # this test is about accessibility (tests/browser/test_browser_csp.py checks the policy).
    context = browser.new_context(color_scheme="light", bypass_csp=True,
                                  viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()


def blocking_violations(page, scheme: str, root=None) -> list[dict]:
    """Serious and critical violations in the page (or under the element ``root``); in the dark
    palette, of the colour rules only."""
    if not page.evaluate("() => 'axe' in window"):
        page.add_script_tag(path=str(AXE))
    arg = [root, COLOUR_RULES if scheme == "dark" else {}]
    return [v for v in page.evaluate(AXE_JS, arg) if v["impact"] in BLOCKING]


def in_each_palette(page):
    """Yield "light", then switch to the dark palette with the header's toggle (no reload) and
    yield "dark"; leave the page in the light palette (which the next page load keeps)."""
    # Material's buttons and links fade to a new palette's colours (CSS transitions of 125 ms and
    # more): axe-core would measure a colour half-way
    page.add_style_tag(content="*, *::before, *::after { transition: none !important; }")
    for scheme in ("light", "dark"):
        page.wait_for_function("s => document.body.dataset.mdColorScheme === s", arg=SCHEMES[scheme])
        yield scheme
        page.locator(f'label[title="{TOGGLES[scheme]}"]').click()
    page.wait_for_function("s => document.body.dataset.mdColorScheme === s", arg=SCHEMES["light"])


def describe(violations: list[dict]) -> str:
    """One line per rule, then its first nodes, or for contrast each colour pair once."""
    lines = []
    for v in violations:
        lines.append(f"  {v['id']} ({v['impact']}, {len(v['nodes'])} nodes): {v['help']}")
        pairs = {}
        for node in v["nodes"]:
            c = node["colours"]
            if c:
                pairs.setdefault((c["fgColor"], c["bgColor"], c["contrastRatio"]), node["target"])
        if pairs:
            lines += [f"      {fg} on {bg}: {ratio}:1, e.g. {target}"
                      for (fg, bg, ratio), target in pairs.items()]
        else:
            lines += [f"      {node['target']}: {node['summary'].splitlines()[-1].strip()}"
                      for node in v["nodes"][:3]]
    return "\n".join(lines)


def test_no_serious_violation_on_any_page(a11y_page, server, built_site):
    page = a11y_page
    pages = site_pages(built_site)
    assert len(pages) > 20
    failures = {}
    for rel in pages:
        page.goto(server.base_url + rel)
        page.wait_for_function(SETTLED_JS)
        for scheme in in_each_palette(page):
            found = blocking_violations(page, scheme)
            if found:
                failures[f"{rel or '/'} ({scheme})"] = describe(found)
    assert not failures, "axe-core:\n" + "\n".join(
        f"{where}:\n{text}" for where, text in failures.items())
