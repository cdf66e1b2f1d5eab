"""The sdist and wheel a release publishes: built here as the release workflow builds them.

``python -m build`` runs on a copy of the package's files (so the checkout gets no build/ or
.egg-info), with ``--no-isolation`` so it needs no download: the build backend (setuptools) comes
from the test extra. The release workflow builds in an isolated environment from PyPI instead and
runs the same checks, dev/check_dist.py.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tarfile
import tomllib
import venv
import zipfile
from email.parser import HeaderParser
from pathlib import Path

import numpy as np
import pytest

import optdocs

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"


def load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


check_dist = load("_check_dist_for_tests", ROOT / "dev" / "check_dist.py")


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    """The folder holding the sdist and the wheel, built from a copy of the source tree."""
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md", "MANIFEST.in"):
        shutil.copy2(ROOT / name, src / name)
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis", ".pytest_cache")
    for folder in ("optdocs", "tests"):
        shutil.copytree(ROOT / folder, src / folder, ignore=skip)
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out),
                           str(src)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stdout[-4000:]
    return out


def wheel_of(dist: Path) -> Path:
    (wheel,) = dist.glob("*.whl")
    return wheel


def sdist_of(dist: Path) -> Path:
    (sdist,) = dist.glob("*.tar.gz")
    return sdist


def wheel_metadata(wheel: Path):
    with zipfile.ZipFile(wheel) as zf:
        (name,) = [n for n in zf.namelist() if n.endswith(".dist-info/METADATA")]
        return HeaderParser().parsestr(zf.read(name).decode())


# ---- the one version -------------------------------------------------------------------------

def test_version_has_one_source():
    assert "version" not in PYPROJECT["project"]
    assert PYPROJECT["project"]["dynamic"] == ["version"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "optdocs.__version__"}
    assert check_dist.version() == optdocs.__version__


def test_build_backend_is_in_the_test_extra():
    """--no-isolation builds with what is installed: the test extra must hold the backend."""
    test_extra = PYPROJECT["project"]["optional-dependencies"]["test"]
    for requirement in PYPROJECT["build-system"]["requires"]:
        assert requirement in test_extra
    assert any(r.startswith("build") for r in test_extra)
    assert '".[test' in (ROOT / "scripts" / "install.sh").read_text()


# ---- what was built --------------------------------------------------------------------------

def test_dist_passes_the_release_checks(dist):
    assert check_dist.problems(dist, tag=f"v{optdocs.__version__}") == []


def test_wheel_metadata(dist):
    wheel = wheel_of(dist)
    assert wheel.name == f"optdocs-{optdocs.__version__}-py3-none-any.whl"
    meta = wheel_metadata(wheel)
    assert meta["Name"] == "optdocs" and meta["Version"] == optdocs.__version__
    assert meta["Requires-Python"] == PYPROJECT["project"]["requires-python"]
    assert meta.get_all("Requires-Dist")[0] == PYPROJECT["project"]["dependencies"][0]


def test_wheel_ships_py_typed_and_only_the_package(dist):
    with zipfile.ZipFile(wheel_of(dist)) as zf:
        names = zf.namelist()
    assert "optdocs/py.typed" in names
    assert "optdocs/optimizers/adamw.py" in names
    tops = {n.split("/")[0] for n in names}
    assert tops == {"optdocs", f"optdocs-{optdocs.__version__}.dist-info"}


def test_sdist_holds_sources_and_package_tests(dist):
    top = f"optdocs-{optdocs.__version__}/"
    with tarfile.open(sdist_of(dist)) as tf:
        names = {m.name[len(top):] for m in tf.getmembers() if m.isfile()}
        pkg_info = HeaderParser().parsestr(tf.extractfile(top + "PKG-INFO").read().decode())
    assert pkg_info["Version"] == optdocs.__version__
    assert pkg_info["Requires-Python"] == PYPROJECT["project"]["requires-python"]
    for name in ("pyproject.toml", "README.md", "optdocs/__init__.py", "optdocs/py.typed",
                 "tests/test_optimizers.py", "tests/test_torch_parity.py",
                 "tests/data/torch_reference.json"):
        assert name in names, name
    for name in names:
        assert not name.startswith(("guide/", "hooks/", "docs/", "tests/test_guide", "tests/test_site")), name


def test_check_dist_catches_what_it_checks(dist, tmp_path):
    """A wrong tag, a wheel without py.typed, a stray file and a missing sdist are reported."""
    assert any("tag 'v9.9.9'" in p for p in check_dist.problems(dist, tag="v9.9.9"))
    bad = tmp_path / "bad"
    bad.mkdir()
    with zipfile.ZipFile(wheel_of(dist)) as src, \
            zipfile.ZipFile(bad / wheel_of(dist).name, "w") as dst:
        for item in src.infolist():
            if item.filename != "optdocs/py.typed":
                dst.writestr(item, src.read(item))
        dst.writestr("guide/registry.py", "")
    found = check_dist.problems(bad)
    assert any("no optdocs/py.typed" in p for p in found), found
    assert any("outside the package" in p and "guide/registry.py" in p for p in found), found
    assert any("sdists []" in p for p in found), found


def test_sdist_tests_collect_on_their_own(dist, tmp_path):
    """The sdist's tests need nothing of the repository that the sdist does not hold."""
    with tarfile.open(sdist_of(dist)) as tf:
        tf.extractall(tmp_path, filter="data")
    (unpacked,) = tmp_path.glob("optdocs-*")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # not the checkout's guide/
    proc = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q",
                           "-p", "no:cacheprovider", "tests"], cwd=unpacked, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert "test_trajectory_equals_torch" in proc.stdout


def test_wheel_installs_offline_into_a_fresh_venv(dist, tmp_path):
    """pip install --no-index --no-deps; numpy is the running environment's (a .pth file)."""
    env = tmp_path / "venv"
    venv.create(env, with_pip=False)  # this environment's pip installs into it (--python)
    python = env / "bin" / "python"
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "host_numpy.pth").write_text(str(Path(np.__file__).parents[1]) + "\n")
    clean = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}  # no PYTHONPATH to the checkout
    pip = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install",
                          "--no-index", "--no-deps", "--disable-pip-version-check", "-q",
                          str(wheel_of(dist))],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300,
                         env=clean)
    assert pip.returncode == 0, pip.stdout
    code = ("import numpy as np, optdocs; from optdocs import AdamW; w = np.ones(2); "
            "AdamW(lr=0.1).step(w, w); print(optdocs.__file__, optdocs.__version__, w[0])")
    run = subprocess.run([python, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                         env=clean)
    assert run.returncode == 0, run.stderr
    where, version, w0 = run.stdout.split()
    assert Path(where).is_relative_to(env) and version == optdocs.__version__
    assert float(w0) == pytest.approx(1 - 0.1 * 0.01 - 0.1, rel=1e-6)   # decay, then one Adam step


# ---- the page's wheel and the release workflow -----------------------------------------------

def test_the_pages_wheel_is_the_released_package(dist, tmp_path):
    """hooks/pyodide.py builds the wheel the site serves (and tests/pyodide runs) by hand: the
    same files, version and Requires-Python as python -m build's."""
    hook = load("_pyodide_hook_for_packaging", ROOT / "hooks" / "pyodide.py")
    name, data = hook.build_wheel(ROOT)
    page = tmp_path / name
    page.write_bytes(data)
    assert name == wheel_of(dist).name
    meta, ours = wheel_metadata(page), wheel_metadata(wheel_of(dist))
    assert (meta["Version"], meta["Requires-Python"]) == (ours["Version"], ours["Requires-Python"])
    with zipfile.ZipFile(page) as a, zipfile.ZipFile(wheel_of(dist)) as b:
        files_a = {n: a.read(n) for n in a.namelist() if n.startswith("optdocs/")}
        files_b = {n: b.read(n) for n in b.namelist() if n.startswith("optdocs/")}
    assert files_a == files_b


def test_release_workflow_builds_checks_and_publishes_by_trusted_publishing():
    text = WORKFLOW.read_text()
    assert "tags: [\"v*\"]" in text or "- \"v*\"" in text or "tags:\n      - 'v*'" in text
    assert "python -m build" in text
    assert 'python dev/check_dist.py dist --tag "$GITHUB_REF_NAME"' in text
    assert "pypa/gh-action-pypi-publish" in text and "id-token: write" in text
    assert "environment: pypi" in text or "name: pypi" in text
    assert "password" not in text and "secrets." not in text


def test_readme_and_home_page_say_how_to_install():
    floor = PYPROJECT["project"]["requires-python"].removeprefix(">=")
    for page in (ROOT / "README.md", ROOT / "docs" / "index.md"):
        text = page.read_text()
        assert "pip install optdocs" in text and f"Python {floor}+" in text, page
