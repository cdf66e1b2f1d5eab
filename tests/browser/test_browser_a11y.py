"""Every reader, every page: axe-core finds no serious or critical accessibility violation on any
page of the site, in Material's light (`default`) and dark (`slate`) palettes.

axe-core is an npm devDependency (package.json): the test injects it from node_modules into the
page, so it is never shipped to readers. The palette is chosen the way a reader's system does, by
the preferred colour scheme (mkdocs.yml ties `default` to light and `slate` to dark); each page is
checked once its formulas are typeset and its cells have their toolbars.
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
AXE_JS = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({
      target: n.target.join(' '), summary: n.failureSummary,
      colours: (n.any.find(c => c.data && c.data.fgColor) || {}).data || null})),
  }));
}"""


@pytest.fixture(scope="module", params=sorted(SCHEMES))
def scheme_page(request, browser, server):
    assert AXE.is_file(), f"{AXE} is missing: run `npm ci` (package.json lists axe-core)"
    # The page's Content-Security-Policy would refuse axe-core, injected as an inline script;
    # this test is about accessibility (tests/browser/test_browser_csp.py checks the policy).
    context = browser.new_context(color_scheme=request.param, bypass_csp=True,
                                  viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield request.param, page
    context.close()


def blocking_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    return [v for v in page.evaluate(AXE_JS) if v["impact"] in BLOCKING]


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


def test_no_serious_violation_on_any_page(scheme_page, server, built_site):
    scheme, page = scheme_page
    pages = site_pages(built_site)
    assert len(pages) > 20
    failures = {}
    for rel in pages:
        page.goto(server.base_url + rel)
        page.wait_for_function(SETTLED_JS)
        assert page.evaluate("document.body.dataset.mdColorScheme") == SCHEMES[scheme], rel
        found = blocking_violations(page)
        if found:
            failures[rel or "/"] = describe(found)
    assert not failures, f"axe-core, {scheme} palette:\n" + "\n".join(
        f"{rel}:\n{text}" for rel, text in failures.items())
