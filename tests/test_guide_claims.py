"""The guide's one idiom for claims: ``claim(holds, statement, **numbers)`` raising ``ClaimError``.

A claim must fail the build however Python runs it: ``python -O`` strips ``assert`` statements, so
no guide module may use one, and a claim made false on purpose must still stop the check phase
under ``-O``.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from guide import registry, render
from guide.claims import ClaimError, claim

REPO = Path(__file__).resolve().parents[1]
GUIDE = REPO / "guide"


# --- the API ------------------------------------------------------------------------------------


def test_a_claim_that_holds_returns_none():
    assert claim(True, "one is less than two", one=1, two=2) is None
    assert claim(np.bool_(True), "numpy booleans count") is None


def test_a_false_claim_names_the_statement_and_every_number():
    with pytest.raises(ClaimError) as info:
        claim(0.3 > 0.5, "the large rate escapes more often", large=0.3, small=0.5, lr=np.float64(0.1))
    text = str(info.value)
    assert text.startswith("the large rate escapes more often")
    assert "large=0.3" in text and "small=0.5" in text
    assert "lr=0.1" in text                         # a NumPy scalar shown as the number it holds
    assert not isinstance(info.value, AssertionError)


def test_a_false_claim_without_numbers_is_the_statement():
    with pytest.raises(ClaimError, match=r"^nothing to show$"):
        claim(False, "nothing to show")


@pytest.mark.parametrize("statement", ["", "   ", None])
def test_a_claim_needs_a_statement(statement):
    with pytest.raises(ValueError, match="statement"):
        claim(True, statement)


def test_an_array_is_not_a_truth_value():
    with pytest.raises(ValueError):
        claim(np.array([True, False]), "ambiguous")


# --- no assert in the guide --------------------------------------------------------------------


def _guide_sources() -> list[Path]:
    return sorted(GUIDE.glob("*.py"))


@pytest.mark.parametrize("path", _guide_sources(), ids=lambda p: p.name)
def test_no_guide_module_uses_assert(path):
    """``python -O`` removes ``assert`` statements: a claim written as one would never run."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Assert)]
    assert found == [], f"{path.name}: assert on lines {found}; use guide.claims.claim"


def test_every_chapter_with_claims_registers_a_check():
    """A module that states claims in a function but registers no check would only check them if
    some figure or number happened to call that function."""
    registry.load_all()
    for name in registry.chapter_modules():
        source = (GUIDE / f"{name.split('.')[-1]}.py").read_text(encoding="utf-8")
        if "@checks" in source:
            assert registry.CHECKS.get(name), f"{name} decorates a check that is not registered"


# --- the registry runs a module's checks before its figures and numbers -------------------------


@pytest.fixture
def fresh_registry(monkeypatch):
    registry.load_all()
    monkeypatch.setattr(registry, "NUMBERS", dict(registry.NUMBERS))
    monkeypatch.setattr(registry, "CHECKS", {k: list(v) for k, v in registry.CHECKS.items()})
    monkeypatch.setattr(registry, "_CHECKED", set())
    return registry


def _in_module(func, module: str):
    func.__module__ = module
    return func


def test_numbers_run_their_modules_checks_first(fresh_registry):
    calls = []
    facts = {"rate": 0.2}

    def page_claims():
        calls.append("checked")
        claim(facts["rate"] < 0.5, "the rate is small", rate=facts["rate"])

    module = "guide.test_only_page"
    fresh_registry.checks(_in_module(page_claims, module))
    fresh_registry.number("test_only_rate", fmt="{:.1f}")(_in_module(lambda: facts["rate"], module))
    assert render.compute_number("test_only_rate") == "0.2"
    assert render.compute_number("test_only_rate") == "0.2"
    assert calls == ["checked"]                             # once per process

    fresh_registry._CHECKED.clear()
    facts["rate"] = 0.7
    with pytest.raises(ClaimError, match=r"the rate is small \(rate=0\.7\)"):
        render.compute_number("test_only_rate")
    (item,) = render.compute_items([("number", "test_only_rate")])
    assert item[2] is False and "ClaimError: the rate is small" in item[3]


def test_checks_rejects_what_it_cannot_call(fresh_registry):
    with pytest.raises(ValueError, match="checks: expected a function"):
        fresh_registry.checks("claims")


def test_re_registering_a_check_replaces_it(fresh_registry):
    module = "guide.test_only_page"

    def claims():
        pass

    first = _in_module(claims, module)
    fresh_registry.checks(first)

    def claims():  # noqa: F811 - the module re-imported by mkdocs serve
        pass

    fresh_registry.checks(_in_module(claims, module))
    assert len(fresh_registry.CHECKS[module]) == 1 and fresh_registry.CHECKS[module][0] is not first


# --- under python -O --------------------------------------------------------------------------

CHECK_PHASE = textwrap.dedent("""
    import sys
    if sys.flags.optimize < 1:
        sys.exit("not running under -O")
    from guide import registry
    registry.load_all()
    import guide.gradient_descent as gd
    if {break_it}:
        gd.EDGE_LR = 2.0    # past 2 / lambda_max: the page's order of the rates becomes false
    registry.run_checks("guide.gradient_descent")
    from guide import render
    print(render.compute_number("gd_lr_edge"))
""")


def _run_optimised(break_it: bool) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([sys.executable, "-O", "-c", CHECK_PHASE.format(break_it=break_it)],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=300)


def test_the_check_phase_passes_under_python_O():
    done = _run_optimised(break_it=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "0.9"


def test_a_false_claim_fails_the_check_phase_under_python_O():
    done = _run_optimised(break_it=True)
    assert done.returncode != 0
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("guide.claims.ClaimError: "), done.stderr
    assert "the four learning rates sit in order around 1/lambda_max" in last
    assert "edge=2.0" in last and "limit=0.93" in last
