"""Every ```python block of the guide runs on its own, as a reader would run it.

Each block is written to a file and run with a fresh interpreter (cwd = repository root, matplotlib
backend Agg), independently of the build-time execution in hooks/cells.py. All blocks run in
parallel once per session; each one is reported as its own test, ``docs/<page>.md:<line>``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from site_helpers import REPO_ROOT, docs_markdown_files, python_blocks  # noqa: E402

TIMEOUT = 300

BLOCKS = [
    (f"{md.relative_to(REPO_ROOT).as_posix()}:{line}", code)
    for md in docs_markdown_files()
    for line, code in python_blocks(md.read_text(encoding="utf-8"))
]


def run_block(item, tmp: Path):
    block_id, code = item
    script = tmp / (block_id.replace("/", "_").replace(":", "_L") + ".py")
    script.write_text(code, encoding="utf-8")
    env = {**os.environ, "MPLBACKEND": "Agg",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT),
                                                       os.environ.get("PYTHONPATH")]))}
    try:
        proc = subprocess.run([sys.executable, str(script)], cwd=REPO_ROOT, env=env,
                              capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return None, f"timed out after {TIMEOUT} s"
    return proc.returncode, proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("snippets")
    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 2)) as pool:
        outcomes = pool.map(lambda item: run_block(item, tmp), BLOCKS)
        return dict(zip((b for b, _ in BLOCKS), outcomes, strict=True))


def test_the_guide_has_python_blocks():
    assert BLOCKS, "no ```python block found under docs/"


@pytest.mark.parametrize("block_id", [b for b, _ in BLOCKS])
def test_block_runs(block_id, results):
    code = dict(BLOCKS)[block_id]
    assert "--8<--" not in code, (
        "a ```python block must hold its code: include sources with ```py (display only)"
    )
    returncode, output = results[block_id]
    assert returncode == 0, f"{block_id} failed:\n{output}"
