"""Check a built sdist and wheel of optdocs before they are published (standard library only).

    python -m build && python dev/check_dist.py dist [--tag v0.1.0]

The release workflow runs exactly this; tests/test_packaging.py runs ``problems`` on its own build.
Checked: one wheel and one sdist, named for the version in optdocs/__init__.py (the one source
of the version; ``--tag`` must be ``v`` + that version); their ``Version`` and ``Requires-Python``
equal that version and pyproject.toml's ``requires-python``; the wheel holds exactly the files of
optdocs/ (``py.typed`` among them) and its .dist-info; the sdist holds the package, README.md,
pyproject.toml and exactly the package's own tests (all but REPO_TESTS, as MANIFEST.in), and
nothing of the guide, the hooks or the site. Prints one line per problem and exits 1 if there is any.
"""

from __future__ import annotations

import argparse
import ast
import sys
import tarfile
import tomllib
import zipfile
from email.parser import HeaderParser
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Tests of the guide, the site and the repository, which the sdist leaves out (MANIFEST.in too).
REPO_TESTS = ("tests/test_guide_*.py", "tests/test_site_build.py", "tests/test_snippets.py",
              "tests/test_notebooks.py", "tests/test_runner_python.py", "tests/test_repo.py",
              "tests/test_packaging.py", "tests/test_hooks_*.py")
#: Folders of the repository that never go into a distribution.
NOT_SHIPPED = ("guide/", "hooks/", "docs/", "scripts/", "dev/", "benchmarks/", "overrides/",
               "node_modules/", ".github/", ".ci/", "tests/browser/", "tests/pyodide/")


def version(root: Path = ROOT) -> str:
    """``__version__`` of optdocs/__init__.py, read without importing (as setuptools reads it)."""
    tree = ast.parse((root / "optdocs" / "__init__.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__version__"
                                                for t in node.targets):
            return ast.literal_eval(node.value)
    raise ValueError(f"no __version__ in {root / 'optdocs' / '__init__.py'}")


def requires_python(root: Path = ROOT) -> str:
    return tomllib.loads((root / "pyproject.toml").read_text())["project"]["requires-python"]


def package_files(root: Path = ROOT) -> set[str]:
    """Every file of the package, as paths relative to the repository."""
    return {p.relative_to(root).as_posix() for p in (root / "optdocs").rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo")}


def package_tests(root: Path = ROOT) -> set[str]:
    """The package's own tests: tests/test_*.py but REPO_TESTS, and tests/data/*.json."""
    tests = {p.relative_to(root).as_posix() for p in (root / "tests").glob("test_*.py")}
    tests = {t for t in tests if not any(fnmatch(t, pattern) for pattern in REPO_TESTS)}
    return tests | {p.relative_to(root).as_posix() for p in (root / "tests" / "data").glob("*.json")}


def metadata_problems(what: str, text: str, root: Path) -> list[str]:
    meta = HeaderParser().parsestr(text)
    out = []
    if meta["Version"] != version(root):
        out.append(f"{what}: Version {meta['Version']!r}, optdocs.__version__ is {version(root)!r}")
    if meta["Requires-Python"] != requires_python(root):
        out.append(f"{what}: Requires-Python {meta['Requires-Python']!r}, pyproject.toml says "
                   f"{requires_python(root)!r}")
    return out


def wheel_problems(path: Path, root: Path = ROOT) -> list[str]:
    dist_info = f"optdocs-{version(root)}.dist-info/"
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        meta = zf.read(dist_info + "METADATA").decode() if dist_info + "METADATA" in names else ""
    out = metadata_problems(path.name, meta, root) if meta else [f"{path.name}: no {dist_info}METADATA"]
    files = {n for n in names if not n.startswith(dist_info)}
    expected = package_files(root)
    if "optdocs/py.typed" not in files:
        out.append(f"{path.name}: no optdocs/py.typed (type information is not shipped)")
    if files - expected:
        out.append(f"{path.name}: files outside the package: {sorted(files - expected)}")
    if expected - files:
        out.append(f"{path.name}: package files missing: {sorted(expected - files)}")
    return out


def sdist_problems(path: Path, root: Path = ROOT) -> list[str]:
    top = f"optdocs-{version(root)}/"
    with tarfile.open(path) as tf:
        members = {m.name: m for m in tf.getmembers() if m.isfile()}
        pkg_info = tf.extractfile(members[top + "PKG-INFO"]).read().decode() \
            if top + "PKG-INFO" in members else ""
    out = metadata_problems(path.name, pkg_info, root) if pkg_info else [f"{path.name}: no PKG-INFO"]
    files = {n[len(top):] for n in members if n.startswith(top)}
    expected = package_files(root) | package_tests(root) | {"pyproject.toml", "README.md"}
    if expected - files:
        out.append(f"{path.name}: missing {sorted(expected - files)}")
    extra_tests = {f for f in files if f.startswith("tests/")} - expected
    if extra_tests:
        out.append(f"{path.name}: tests that need the whole repository: {sorted(extra_tests)}")
    stray = sorted(f for f in files if f.startswith(NOT_SHIPPED))
    if stray:
        out.append(f"{path.name}: not part of the package: {stray}")
    return out


def problems(dist: Path, tag: str | None = None, root: Path = ROOT) -> list[str]:
    """Everything wrong with the distributions in ``dist`` (an empty list when all is well)."""
    v = version(root)
    out = []
    if tag is not None and tag != f"v{v}":
        out.append(f"tag {tag!r} is not v + optdocs.__version__ ({v!r})")
    wheels, sdists = sorted(dist.glob("*.whl")), sorted(dist.glob("*.tar.gz"))
    want_wheel, want_sdist = f"optdocs-{v}-py3-none-any.whl", f"optdocs-{v}.tar.gz"
    if [w.name for w in wheels] != [want_wheel]:
        out.append(f"{dist}: wheels {[w.name for w in wheels]}, expected [{want_wheel!r}]")
    if [s.name for s in sdists] != [want_sdist]:
        out.append(f"{dist}: sdists {[s.name for s in sdists]}, expected [{want_sdist!r}]")
    for w in wheels:
        out += wheel_problems(w, root)
    for s in sdists:
        out += sdist_problems(s, root)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dist", type=Path, help="the folder python -m build wrote")
    parser.add_argument("--tag", help="the release tag, which must be v + the package version")
    args = parser.parse_args(argv)
    found = problems(args.dist, args.tag)
    for p in found:
        print(p)
    print(f"check_dist: optdocs {version()}, {len(found)} problem(s)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
