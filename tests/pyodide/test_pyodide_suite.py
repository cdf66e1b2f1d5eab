"""The optdocs test suite, run inside Pyodide 0.27.7 under Node: what a reader's browser runs.

The package is installed from the wheel the site serves (hooks/pyodide.py builds it from the
checkout), numpy and matplotlib come from the self-hosted runtime folder (scripts/fetch_pyodide.py,
default .cache/pyodide, or $OPTDOCS_PYODIDE), and pytest, hypothesis and their dependencies are
pure-Python wheels downloaded once from PyPI into .cache/pyodide-test-wheels/.

The package's own tests are the files tests/test_<name>.py whose <name> is a module of optdocs
(test_optimizers.py -> optdocs/optimizers, test_plots_curves.py -> optdocs/plots/curves.py), and
every tests/test_<package>_<anything>.py of a subpackage (test_optimizers_checkpoint.py ->
optdocs/optimizers).
A test that cannot run in a browser skips itself with
``pytest.mark.skipif(sys.platform == "emscripten", reason=...)``.
"""
from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
WHEEL_CACHE = REPO / ".cache" / "pyodide-test-wheels"

# Test-only wheels for Pyodide, pinned whatever the host runs: each exists on PyPI as a
# py3-none-any wheel. The host may run newer releases (hypothesis 6.156 and later ship only
# compiled CPython wheels, which Pyodide cannot install), so never take the host's versions.
TEST_WHEELS = {
    "pytest": "9.0.3",
    "pluggy": "1.6.0",
    "iniconfig": "2.3.0",
    "pygments": "2.20.0",
    "hypothesis": "6.155.7",
    "attrs": "26.1.0",
    "sortedcontainers": "2.4.0",
}


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _require(what, ok):
    if not ok:
        pytest.fail(f"{what} is missing (scripts/install.sh installs it)")


def pyodide_dir() -> Path:
    fetch = _load("_fetch_pyodide_for_tests", REPO / "scripts" / "fetch_pyodide.py")
    folder = Path(os.environ.get("OPTDOCS_PYODIDE") or fetch.DEFAULT_DIR)
    _require(f"the Pyodide runtime folder {folder}", (folder / "pyodide-lock.json").is_file())
    fetch.verify_dir(folder)
    return folder


def fetch_test_wheels(dest: Path) -> list[Path]:
    """Download (once) the pure-Python test wheels into WHEEL_CACHE; copy them to `dest`."""
    WHEEL_CACHE.mkdir(parents=True, exist_ok=True)
    wanted = dict(TEST_WHEELS)

    def cached(name, version):
        prefix = f"{name.replace('-', '_').lower()}-{version}-".lower()
        return [p for p in WHEEL_CACHE.glob("*.whl") if p.name.lower().startswith(prefix)]

    missing = [f"{n}=={v}" for n, v in wanted.items() if not cached(n, v)]
    if missing:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--python-version", "3.12", "--implementation", "py", "--abi", "none",
               "--platform", "any", "--disable-pip-version-check", "-q", "-d", str(WHEEL_CACHE),
               *missing]
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert proc.returncode == 0, f"pip download failed:\n{proc.stdout}"
    out = []
    for name, version in wanted.items():
        (wheel,) = cached(name, version)
        shutil.copy2(wheel, dest / wheel.name)
        out.append(dest / wheel.name)
    return out


def is_package(name: str) -> bool:
    """``optdocs/<name>/`` is a subpackage: every ``test_<name>_<anything>.py`` tests it."""
    return (REPO / "optdocs" / name / "__init__.py").is_file()


def package_test_files() -> list[str]:
    files = []
    for path in sorted((REPO / "tests").glob("test_*.py")):
        name = path.stem[len("test_"):]
        parts = name.split("_")
        candidates = [REPO / "optdocs" / name, REPO / "optdocs" / f"{name}.py"]
        if len(parts) > 1:
            candidates += [REPO / "optdocs" / parts[0] / ("_".join(parts[1:]) + ".py")]
        if any(c.exists() for c in candidates) or is_package(parts[0]):
            files.append(f"/repo/tests/{path.name}")
    return files


def test_package_suite_passes_in_pyodide(tmp_path):
    node = shutil.which("node")
    _require("node", node)
    runtime = pyodide_dir()
    files = package_test_files()
    assert files, "no package test files found"

    wheels = tmp_path / "wheels"
    wheels.mkdir()
    fetch_test_wheels(wheels)
    hook = _load("_pyodide_hook_for_tests", REPO / "hooks" / "pyodide.py")
    name, data = hook.build_wheel(REPO)
    (wheels / name).write_bytes(data)

    cmd = [node, str(HERE / "run_pytest.mjs"), "--pyodide", str(runtime), "--wheels", str(wheels),
           "--repo", str(REPO), "--", "--rootdir=/repo", "-c", "/repo/pyproject.toml",
           "-o", "addopts=-ra", "-q", *files]  # pyproject's addopts ask for pytest-xdist
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=1200, cwd=tmp_path)
    tail = proc.stdout[-6000:]
    assert proc.returncode == 0, f"pytest inside Pyodide exited with {proc.returncode}:\n{tail}"
    m = re.search(r"(\d+) passed", proc.stdout)
    assert m and int(m.group(1)) > 0, f"no test passed inside Pyodide:\n{tail}"
    assert "optdocs imported from /lib/python3.12/site-packages/optdocs" in proc.stdout, tail
