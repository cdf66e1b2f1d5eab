"""hooks/fences.py: the one Markdown fence parser of the hooks and the tests."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hooks.fences import code_spans, fences, language  # noqa: E402

PAGE = textwrap.dedent("""\
    # Title

    ```python
    print(1)
    ```

    !!! note

        ````python title="nested"
        def f():
            return 2
        ```
        still code: a shorter fence does not close
        ````

    ~~~py
    shown only
    ~~~

    > ```{.python .extra}
    > x = 3
    > ```

    ```
    no language, never closed
    """)


def test_finds_every_block_with_its_language_and_first_code_line():
    found = fences(PAGE)
    assert [f.lang for f in found] == ["python", "python", "py", "python", ""]
    assert [f.code_line for f in found] == [4, 10, 17, 21, 25]
    lines = PAGE.splitlines()
    assert lines[found[1].code_line - 1].strip() == "def f():"


def test_code_is_unindented_and_a_shorter_fence_does_not_close():
    nested = fences(PAGE)[1]
    assert nested.indent == "    "
    assert nested.code == "def f():\n    return 2\n```\nstill code: a shorter fence does not close"
    assert fences(PAGE)[3].code == "x = 3"          # a block quote's ">" is indentation


def test_an_unclosed_fence_runs_to_the_end():
    last = fences(PAGE)[-1]
    assert last.end == len(PAGE) and last.code == "no language, never closed"


def test_spans_cover_the_blocks_from_fence_to_fence():
    for start, end in code_spans(PAGE):
        block = PAGE[start:end]
        assert block.lstrip(" >").startswith(("```", "~~~"))
    first_start, first_end = code_spans(PAGE)[0]
    assert PAGE[first_start:first_end] == "```python\nprint(1)\n```\n"
    assert "# Title" not in "".join(PAGE[a:b] for a, b in code_spans(PAGE))


@pytest.mark.parametrize("info, lang", [
    ("python", "python"), ('python title="a b"', "python"), ("{.python .hl}", "python"),
    ("{ .python }", "python"), ("py", "py"), ("pycon", "pycon"), ("", ""), ("{title=x}", ""),
    ("python3", "python3"),
])
def test_language_of_an_info_string(info, lang):
    assert language(info) == lang


def test_no_fence_no_blocks():
    assert fences("plain text\n`inline` only\n") == []
    assert fences("") == []
