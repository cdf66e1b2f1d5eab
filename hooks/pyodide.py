"""MkDocs hook: the runtime behind the runnable cells (Pyodide 0.27.7 in a Web Worker).

Enable with ``hooks: [hooks/pyodide.py]`` in mkdocs.yml. The hook

* adds ``assets/runner/runner.css`` to extra_css and ``assets/runner/config.js`` +
  ``assets/runner/cells.js`` to extra_javascript (the runner's sources live in docs/assets/runner/);
* builds a wheel of the ``optdocs`` package from the checkout (a plain zipfile build of the
  pure-Python package; nothing is downloaded) and serves it as
  ``assets/runner/wheels/optdocs-VERSION-py3-none-any.whl``, so a page runs exactly the tested code;
* serves the code editor (CodeMirror 5 from ``node_modules/codemirror``, installed by ``npm ci``)
  under ``assets/runner/vendor/codemirror/``; it is loaded only when a reader edits a cell;
* writes ``assets/runner/config.js``: ``window.OPTDOCS_RUNNER = {...}`` with the runtime's URL,
  the sha384 of every core file (computed now from the npm package's files), the wheel's name and
  hash, and the editor's files and hashes. Relative URLs in it are relative to assets/runner/.

Runtime location:

* default: the official CDN, https://cdn.jsdelivr.net/pyodide/v0.27.7/full/ ; the hashes are
  computed from ``node_modules/pyodide`` (npm ci), checked against the pins in
  scripts/fetch_pyodide.py;
* ``OPTDOCS_PYODIDE=DIR mkdocs build``: DIR (made by ``python scripts/fetch_pyodide.py DIR``) is
  verified and copied to ``assets/pyodide/`` (core files, lock file, and the wheels of numpy,
  matplotlib and their dependencies, and micropip); the site then requests no other host.
"""
from __future__ import annotations

import base64
import hashlib
import importlib.util
import io
import json
import logging
import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, InclusionLevel

log = logging.getLogger("mkdocs.hooks.pyodide")

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # hooks/ (helpers) lives here
    sys.path.insert(0, str(REPO))
from hooks.build_cache import cache_dir, prune, touch, write_atomic  # noqa: E402
from hooks.source_keys import sources_digest  # noqa: E402

RUNNER_DIR = "assets/runner"
SELF_HOST_DIR = "assets/pyodide"
CODEMIRROR_FILES = ("lib/codemirror.js", "lib/codemirror.css", "mode/python/python.js",
                    "addon/edit/matchbrackets.js", "LICENSE")
OUTPUT_LIMIT = 200_000  # characters of output a run may show
PRELOAD = ("numpy",)  # loaded while the interpreter boots

_spec = importlib.util.spec_from_file_location("_optdocs_fetch_pyodide",
                                               REPO / "scripts" / "fetch_pyodide.py")
fetch_pyodide = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fetch_pyodide)

CDN_URL = f"https://cdn.jsdelivr.net/pyodide/v{fetch_pyodide.PYODIDE_VERSION}/full/"
# Core files whose hash the worker checks before running or using them.
INTEGRITY_FILES = ("pyodide.js", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip",
                   "pyodide-lock.json")


def sri(data: bytes, algo: str = "sha384") -> str:
    return f"{algo}-" + base64.b64encode(hashlib.new(algo, data).digest()).decode()


# ------------------------------------------------------------------------------------------------
# The optdocs wheel


def package_version(repo: Path = REPO) -> str:
    """``__version__`` of optdocs/__init__.py: the one source of the version (pyproject.toml's is
    dynamic and read from there too)."""
    init = repo / "optdocs" / "__init__.py"
    if init.is_file():
        m = re.search(r"^__version__\s*=\s*['\"]([^'\"]+)['\"]", init.read_text(), re.M)
        if m:
            return m.group(1)
    return "0.0.0"


def requires_python(repo: Path = REPO) -> str:
    """pyproject.toml's ``requires-python``, which the released wheel declares too."""
    import tomllib

    return tomllib.loads((repo / "pyproject.toml").read_text())["project"]["requires-python"]


def build_wheel(repo: Path = REPO) -> tuple[str, bytes]:
    """(file name, bytes) of a py3-none-any wheel of repo/optdocs. Deterministic."""
    version = package_version(repo)
    name = f"optdocs-{version}-py3-none-any.whl"
    dist_info = f"optdocs-{version}.dist-info"
    pkg = repo / "optdocs"
    if not (pkg / "__init__.py").is_file():
        raise PluginError(f"{pkg} is not a Python package; cannot build the optdocs wheel")
    entries: list[tuple[str, bytes]] = []
    for path in sorted(pkg.rglob("*")):
        rel = path.relative_to(repo).as_posix()
        if path.is_dir() or "__pycache__" in path.parts or path.suffix in (".pyc", ".pyo"):
            continue
        entries.append((rel, path.read_bytes()))
    metadata = (
        "Metadata-Version: 2.1\n"
        "Name: optdocs\n"
        f"Version: {version}\n"
        "Summary: Neural-network optimizers in pure NumPy\n"
        f"Requires-Python: {requires_python(repo)}\n"
        "Requires-Dist: numpy\n"
        "Provides-Extra: plots\n"
        "Requires-Dist: matplotlib; extra == \"plots\"\n"
    )
    wheel_meta = ("Wheel-Version: 1.0\nGenerator: optdocs hooks/pyodide.py\n"
                  "Root-Is-Purelib: true\nTag: py3-none-any\n")
    entries += [(f"{dist_info}/METADATA", metadata.encode()),
                (f"{dist_info}/WHEEL", wheel_meta.encode())]
    record = io.StringIO()
    for rel, data in entries:
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.write(f"{rel},sha256={digest},{len(data)}\n")
    record.write(f"{dist_info}/RECORD,,\n")
    entries.append((f"{dist_info}/RECORD", record.getvalue().encode()))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for rel, data in entries:
            info = zipfile.ZipInfo(rel, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return name, buf.getvalue()


def optdocs_imports_matplotlib(repo: Path = REPO) -> bool:
    """Does `import optdocs` import matplotlib? Then every cell importing optdocs loads it.

    Asked of a fresh interpreter once per version of the optdocs sources (cached in
    ``optdocs-pycs/``, beside the archive that depends on the same sources)."""
    key = hashlib.sha256(f"{sys.executable}\0{sources_digest(repo / 'optdocs')}".encode())
    cached = cache_dir("optdocs-pycs") / f"imports-matplotlib-{key.hexdigest()[:24]}.json"
    _State.used_probe = cached
    try:
        answer = json.loads(cached.read_text())
    except (OSError, ValueError):
        answer = _ask_imports_matplotlib(repo)
        if answer is None:  # could not tell: assume it does, and ask again next build
            return True
        write_atomic(cached, json.dumps(answer).encode())
    else:
        touch(cached)
    return bool(answer)


def _ask_imports_matplotlib(repo: Path) -> bool | None:
    code = "import sys, optdocs; print('matplotlib' in sys.modules)"
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONPATH=str(repo))
    try:
        out = subprocess.run([sys.executable, "-c", code], cwd=repo, env=env, timeout=120,
                             capture_output=True, text=True)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode:
        log.warning("pyodide hook: `import optdocs` failed:\n%s", out.stderr[-2000:])
        return None
    return out.stdout.strip().endswith("True")


# ------------------------------------------------------------------------------------------------
# Runtime and config


def start_pycs(wheel: bytes) -> tuple[Path, subprocess.Popen | None, Path | None] | None:
    """Start making the .pyc zip of scripts/compile_pycs.mjs for a first Run (numpy's and
    optdocs' modules), cached in .cache/optdocs-pycs/: (the archive's path, the node process
    compiling it and the stem of its temporary files, both None when it is cached). None where
    no verified runtime folder with numpy is at hand (the site then works as before, compiling
    them in the page). ``finish_pycs`` waits."""
    folder = Path(os.environ.get("OPTDOCS_PYODIDE", "").strip() or fetch_pyodide.DEFAULT_DIR)
    folder = folder.expanduser().resolve()
    try:
        files = fetch_pyodide.verify_dir(folder, names=PRELOAD)
    except SystemExit:  # missing or unverified: no runtime to compile with
        log.info("pyodide hook: no runtime folder at %s: first Runs compile numpy's modules", folder)
        return None
    script = REPO / "scripts" / "compile_pycs.mjs"
    key = hashlib.sha256(script.read_bytes() + wheel + json.dumps(files, sort_keys=True).encode())
    cached = cache_dir("optdocs-pycs") / f"{key.hexdigest()[:24]}.zip"
    _State.used_pycs = cached
    if cached.is_file():
        return cached, None, None
    # this build's own temporary files: an earlier build's node may still be writing its own
    work = cached.with_name(f".{cached.stem}.{os.getpid()}-{time.monotonic_ns()}")
    work.with_suffix(".whl").write_bytes(wheel)
    try:
        with open(work.with_suffix(".log"), "w") as out:
            proc = subprocess.Popen(["node", str(script), "--pyodide", str(folder),
                                     "--wheel", str(work.with_suffix(".whl")),
                                     "--out", str(work.with_suffix(".zip"))],
                                    stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
    except OSError as exc:
        raise PluginError(f"pyodide hook: scripts/compile_pycs.mjs could not run: {exc}") from None
    return cached, proc, work


def finish_pycs(started: tuple[Path, subprocess.Popen | None, Path | None] | None) -> bytes | None:
    """The archive ``start_pycs`` started (or found), once node has written it."""
    if started is None:
        return None
    cached, proc, work = started
    if proc is None or work is None:
        touch(cached)
        return cached.read_bytes()
    try:
        proc.wait(timeout=300)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise PluginError("pyodide hook: scripts/compile_pycs.mjs took over 300 s") from None
    finally:
        work.with_suffix(".whl").unlink(missing_ok=True)
    output = work.with_suffix(".log").read_text(errors="replace")
    work.with_suffix(".log").unlink(missing_ok=True)
    if proc.returncode != 0:
        raise PluginError(f"pyodide hook: scripts/compile_pycs.mjs failed:\n{output[-4000:]}")
    data = work.with_suffix(".zip").read_bytes()
    work.with_suffix(".zip").unlink()
    write_atomic(cached, data)
    return data


def _core_source() -> Path:
    """A folder holding the npm package's core files (for their hashes)."""
    candidates = []
    if os.environ.get("OPTDOCS_PYODIDE"):
        candidates.append(Path(os.environ["OPTDOCS_PYODIDE"]))
    candidates += [REPO / "node_modules" / "pyodide", fetch_pyodide.DEFAULT_DIR]
    for folder in candidates:
        if all((folder / f).is_file() for f in INTEGRITY_FILES):
            return folder
    raise PluginError(
        "pyodide hook: the Pyodide core files are needed to compute their hashes: run `npm ci` "
        "(package.json pins pyodide) or `python scripts/fetch_pyodide.py`"
    )


def build_config(runner_files: dict[str, bytes] | None = None) -> tuple[dict, dict[str, Path]]:
    """(config for window.OPTDOCS_RUNNER, {site path: source path} of the self-hosted runtime).

    `runner_files` maps site paths (relative to assets/runner/) of generated files to their bytes.
    """
    self_host = os.environ.get("OPTDOCS_PYODIDE", "").strip()
    served: dict[str, Path] = {}
    sizes: dict[str, int] = {}
    if self_host:
        folder = Path(self_host).expanduser().resolve()
        try:
            files = fetch_pyodide.verify_dir(folder)
        except SystemExit as exc:  # FetchError
            raise PluginError(str(exc)) from None
        for name in files:
            served[f"{SELF_HOST_DIR}/{name}"] = folder / name
            sizes[name] = (folder / name).stat().st_size
        index_url = "../pyodide/"  # relative to assets/runner/
        core = folder
    else:
        core = _core_source()
        index_url = CDN_URL
    integrity = {}
    for name in INTEGRITY_FILES:
        data = (core / name).read_bytes()
        if hashlib.sha256(data).hexdigest() != fetch_pyodide.CORE_SHA256[name]:
            raise PluginError(f"pyodide hook: {core / name} is not the file of the npm package "
                              f"pyodide@{fetch_pyodide.PYODIDE_VERSION}")
        integrity[name] = sri(data)
        sizes[name] = len(data)
    # Sizes of the preloaded wheels, for the progress of the first Run (known when a runtime
    # folder is at hand: the self-hosted one, or the default one in CDN mode).
    lock = json.loads((core / "pyodide-lock.json").read_bytes())
    wheel_dir = folder if self_host else fetch_pyodide.DEFAULT_DIR
    first_run = sum(sizes[name] for name in INTEGRITY_FILES)
    for name in fetch_pyodide.wheel_files(lock, PRELOAD):
        if (wheel_dir / name).is_file():
            sizes.setdefault(name, (wheel_dir / name).stat().st_size)
            first_run += sizes[name]
    config = {
        "firstRunBytes": first_run,
        "version": fetch_pyodide.PYODIDE_VERSION,
        "indexURL": index_url,
        "selfHosted": bool(self_host),
        "integrity": integrity,
        "sizes": sizes,
        "preload": list(PRELOAD),
        "outputLimit": OUTPUT_LIMIT,
    }
    return config, served


class _State:
    config: dict | None = None
    served: dict[str, Path] = {}
    generated: dict[str, bytes] = {}
    used_pycs: Path | None = None
    used_probe: Path | None = None
    pycs: tuple[Path, subprocess.Popen | None, Path | None] | None = None  # from on_config


def _add_once(items, value):
    if not any(str(getattr(item, "path", item)) == value for item in items):
        items.append(value)


def _versioned(name: str, data: bytes, param: str = "v") -> str:
    """``name?v=<hash>``: a URL that changes with the file's content (no stale browser cache)."""
    return f"{name}?{param}={hashlib.sha256(data).hexdigest()[:12]}"


def add_wheel(runner_cfg: dict, generated: dict[str, bytes]) -> bytes:
    """Serve the optdocs wheel built from this checkout; returns its bytes."""
    wheel_name, wheel = build_wheel()
    generated[f"{RUNNER_DIR}/wheels/{wheel_name}"] = wheel
    runner_cfg["firstRunBytes"] += len(wheel)
    runner_cfg["wheel"] = {
        "name": wheel_name,
        "url": _versioned(f"wheels/{wheel_name}", wheel, "h"),
        "integrity": sri(wheel, "sha256"),
    }
    runner_cfg["optdocsImportsMatplotlib"] = optdocs_imports_matplotlib()
    return wheel


def add_pycs(runner_cfg: dict, generated: dict[str, bytes], pycs: bytes | None) -> None:
    """Serve the first Run's .pyc archive, when a runtime folder was at hand to compile it."""
    if pycs is None:
        return
    pycs_hash = hashlib.sha256(pycs).hexdigest()
    generated[f"{RUNNER_DIR}/pycs/first-run-{pycs_hash[:12]}.zip"] = pycs
    runner_cfg["firstRunBytes"] += len(pycs)
    runner_cfg["pycs"] = {"url": f"pycs/first-run-{pycs_hash[:12]}.zip",
                          "integrity": sri(pycs, "sha256")}


def add_editor(runner_cfg: dict, generated: dict[str, bytes]) -> None:
    """Serve CodeMirror from node_modules, with the hash of every file the page loads."""
    cm_dir = REPO / "node_modules" / "codemirror"
    try:
        cm_version = json.loads((cm_dir / "package.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        raise PluginError("pyodide hook: node_modules/codemirror is missing: run `npm ci`") from None
    editor = {"js": [], "css": []}
    for rel in CODEMIRROR_FILES:
        data = (cm_dir / rel).read_bytes()
        site_rel = f"vendor/codemirror/{cm_version}/{rel}"
        generated[f"{RUNNER_DIR}/{site_rel}"] = data
        kind = "js" if rel.endswith(".js") else "css" if rel.endswith(".css") else None
        if kind:
            editor[kind].append({"url": site_rel, "integrity": sri(data)})
    runner_cfg["editor"] = editor


def add_runner_sources(runner_cfg: dict, generated: dict[str, bytes], docs_dir: Path) -> None:
    """The runner's Python modules (written into site-packages by the worker; served from here,
    as mkdocs.yml keeps *.py files of docs/ out of the site), and versioned URLs of its scripts."""
    docs_runner = docs_dir / RUNNER_DIR
    runner_cfg["modules"] = []
    for path in sorted((docs_runner / "python").glob("*.py")):
        data = path.read_bytes()
        generated[f"{RUNNER_DIR}/python/{path.name}"] = data
        runner_cfg["firstRunBytes"] += len(data)
        runner_cfg["modules"].append({
            "name": path.name,
            "url": _versioned(f"python/{path.name}", data),
            "integrity": sri(data, "sha256"),
        })
    runner_cfg["worker"] = _versioned("worker.js", (docs_runner / "worker.js").read_bytes())
    runner_cfg["bootCache"] = _versioned("bootcache.js", (docs_runner / "bootcache.js").read_bytes())


def config_js(runner_cfg: dict) -> bytes:
    """``assets/runner/config.js``: the configuration as ``window.OPTDOCS_RUNNER``."""
    return (
        "// Generated by hooks/pyodide.py: runtime configuration of the runnable cells.\n"
        "window.OPTDOCS_RUNNER = " + json.dumps(runner_cfg, indent=1, sort_keys=True) + ";\n"
    ).encode()


@event_priority(100)  # node compiles the .pyc archive while hooks/figures.py computes
def on_config(config, **kwargs):
    runner_cfg, served = build_config()
    generated: dict[str, bytes] = {}
    _State.used_pycs = _State.used_probe = None
    wheel = add_wheel(runner_cfg, generated)
    _State.pycs = start_pycs(wheel)
    add_editor(runner_cfg, generated)
    add_runner_sources(runner_cfg, generated, Path(config["docs_dir"]))

    _State.config, _State.served, _State.generated = runner_cfg, served, generated
    _add_once(config["extra_css"], f"{RUNNER_DIR}/runner.css")
    _add_once(config["extra_javascript"], f"{RUNNER_DIR}/config.js")
    _add_once(config["extra_javascript"], f"{RUNNER_DIR}/cells.js")
    mode = "self-hosted from " + os.environ["OPTDOCS_PYODIDE"] if runner_cfg["selfHosted"] else CDN_URL
    log.info("pyodide hook: runtime %s, %s", mode, runner_cfg["wheel"]["name"])
    return config


def on_pre_build(config, **kwargs):
    """Every on_config has run (the figures are computed): the .pyc archive, then config.js."""
    started, _State.pycs = _State.pycs, None
    add_pycs(_State.config, _State.generated, finish_pycs(started))
    _State.generated[f"{RUNNER_DIR}/config.js"] = config_js(_State.config)


def on_post_build(config, **kwargs):
    folder = cache_dir("optdocs-pycs")  # archives and answers for older sources or runtimes
    prune(folder, [_State.used_pycs] if _State.used_pycs else [], "*.zip")
    prune(folder, [], ".*")  # node's files of a build that stopped (after the grace period)
    prune(folder, [_State.used_probe] if _State.used_probe else [], "imports-matplotlib-*.json")


def on_files(files, config, **kwargs):
    # INCLUDED: exclude_docs (which drops *.py) must not drop the runner's Python modules
    for site_path, data in _State.generated.items():
        _replace(files, File.generated(config, site_path, content=data, inclusion=InclusionLevel.INCLUDED))
    for site_path, source in _State.served.items():
        _replace(files, File.generated(config, site_path, abs_src_path=str(source)))
    return files


def _replace(files, new_file):
    old = files.get_file_from_path(new_file.src_uri)
    if old is not None:
        files.remove(old)
    files.append(new_file)
