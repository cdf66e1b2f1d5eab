"""The code behind a guide figure, extracted from the module the build runs (never retyped).

:func:`figure_cell` turns a registered figure (``guide.registry.FigureSpec``) into a complete
script that draws it: the ``@figure`` function, renamed ``draw``, and every module-level
definition it needs, recursively (functions, classes, constants, imports), in the order of the
source. A definition imported from another ``guide`` module is taken from that module's source
in turn, so the script never imports ``guide``: it needs only optdocs, NumPy, matplotlib and the
standard library, which is what the page's Python has. The script ends by drawing the figure
in the optdocs style and handing it to pyplot (``optdocs.plots.show``), so the build's cell runner
(hooks/cells.py) and the page's Run button show it.

A figure registered with ``page_kwargs`` (e.g. ``{"runs": 100}``) is drawn by the script with
those keyword arguments, a lighter version of the build's figure; the script says so in its
first comment. Anything the extraction cannot follow (an import of another package, a name
defined twice with different sources, a name bound only by a loop) raises ``FigureCodeError``.

Used by hooks/figures.py (the folded block under every figure) and tests/test_hooks_figure_code.py.
"""

from __future__ import annotations

import ast
import inspect
import symtable
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

#: Top-level packages a figure's script may import (besides the standard library).
ALLOWED_ROOTS = ("optdocs", "numpy", "matplotlib")
#: Decorators of the guide's registry, dropped from the extracted definitions.
REGISTRY_MODULES = ("guide.registry", "guide.claims")
DRAW = "draw"


class FigureCodeError(ValueError):
    """The code of a figure cannot be extracted into a self-contained script."""


@dataclass
class _Module:
    """One guide module's source, parsed: its module-level definitions by name."""

    name: str
    path: Path
    source: str
    tree: ast.Module
    table: symtable.SymbolTable
    defs: dict[str, ast.stmt] = field(default_factory=dict)
    imports: dict[str, tuple[str, str | None, int]] = field(default_factory=dict)
    future: bool = False
    lines: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, name: str) -> _Module:
        """The module parsed, shared by every figure while its source stays the same (parsing
        the guide's modules once per figure took most of a cold build's first seconds)."""
        path = REPO_ROOT.joinpath(*name.split(".")).with_suffix(".py")
        source = path.read_text(encoding="utf-8")
        known = _PARSED.get(name)
        if known is not None and known.source == source:
            return known
        mod = cls(name, path, source, ast.parse(source, str(path)),
                  symtable.symtable(source, str(path), "exec"))
        mod.lines = source.splitlines()
        for node in mod.tree.body:
            mod._bind(node)
        _PARSED[name] = mod
        return mod

    def _bind(self, node: ast.stmt) -> None:
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            self.future = True
        elif isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                if isinstance(node, ast.Import):  # import a.b binds a; import a.b as c binds c
                    bound = alias.asname or alias.name.split(".")[0]
                    target = (alias.name if alias.asname else bound, None, 0)
                else:
                    bound = alias.asname or alias.name
                    target = (node.module or "", alias.name, node.level)
                self.imports[bound] = target
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            self.defs[node.name] = node
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for sub in ast.walk(target):
                    if isinstance(sub, ast.Name):
                        self.defs.setdefault(sub.id, node)

    def segment(self, node: ast.expr) -> str:
        """The source of ``node``, as ``ast.get_source_segment`` gives it, from the lines split
        once (that function splits the whole module at each call: five seconds a cold build).
        Columns count UTF-8 bytes."""
        first, last = node.lineno - 1, node.end_lineno - 1
        if first == last:
            return self.lines[first].encode()[node.col_offset:node.end_col_offset].decode()
        head = self.lines[first].encode()[node.col_offset:].decode()
        tail = self.lines[last].encode()[:node.end_col_offset].decode()
        return "\n".join([head, *self.lines[first + 1:last], tail])

    def text(self, node: ast.stmt, rename: str | None = None) -> str:
        """The statement's source (with the comment lines right above it), registry decorators
        dropped; ``rename`` renames a function."""
        lines = self.lines
        decorators = getattr(node, "decorator_list", [])
        top = min([d.lineno for d in decorators] + [node.lineno]) - 1
        first = top
        while first > 0 and lines[first - 1].lstrip().startswith("#"):
            first -= 1
        head = lines[first:top]
        kept = [f"@{self.segment(d)}" for d in decorators if not self._is_registry(d)]
        body = lines[node.lineno - 1:node.end_lineno]
        if rename is not None:
            body[0] = body[0].replace(f"def {node.name}(", f"def {rename}(", 1)
        return "\n".join([*head, *kept, *body])

    def _is_registry(self, decorator: ast.expr) -> bool:
        root = decorator.func if isinstance(decorator, ast.Call) else decorator
        while isinstance(root, ast.Attribute):
            root = root.value
        if not isinstance(root, ast.Name) or root.id not in self.imports:
            return False
        return self.imports[root.id][0] in REGISTRY_MODULES

    def globals_of(self, node: ast.stmt) -> set[str]:
        """Module-level names ``node`` reads (functions: their symbol tables, all nested scopes)."""
        names: set[str] = set()
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            outer = [d for d in node.decorator_list if not self._is_registry(d)]
            if isinstance(node, ast.FunctionDef):
                outer += [*node.args.defaults, *[d for d in node.args.kw_defaults if d]]
            else:
                outer += [*node.bases, *[k.value for k in node.keywords]]
            for expr in outer:
                names |= {n.id for n in ast.walk(expr) if isinstance(n, ast.Name)}
            table = next((t for t in self.table.get_children()
                          if t.get_name() == node.name and t.get_lineno() == node.lineno), None)
            if table is None:
                raise FigureCodeError(f"{self.name}: no symbol table for {node.name!r}")
            names |= _free_globals(table)
        else:
            names |= {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
        return {n for n in names if n in self.defs or n in self.imports}


#: Parsed modules by name (see ``_Module.load``); read-only once loaded.
_PARSED: dict[str, _Module] = {}


def _free_globals(table: symtable.SymbolTable) -> set[str]:
    out = {s.get_name() for s in table.get_symbols() if s.is_global() and s.is_referenced()}
    if table.get_type() == "class":  # names a class body reads resolve at module level too
        out |= {s.get_name() for s in table.get_symbols()
                if s.is_referenced() and not s.is_assigned()}
    for child in table.get_children():
        out |= _free_globals(child)
    return out


@dataclass
class _Closure:
    """What the script needs: import lines (by module) and definitions (by module, in order)."""

    modules: dict[str, _Module] = field(default_factory=dict)
    imports: dict[tuple[str, str | None], str] = field(default_factory=dict)  # (module, name)->as
    chosen: dict[str, tuple[str, ast.stmt]] = field(default_factory=dict)  # name->(module, node)
    order: list[tuple[str, ast.stmt]] = field(default_factory=list)  # dependencies first
    future: bool = False

    def module(self, name: str) -> _Module:
        if name not in self.modules:
            self.modules[name] = _Module.load(name)
        return self.modules[name]

    def need(self, modname: str, name: str, chain: tuple[str, ...]) -> None:
        """Add module-level ``name`` of ``modname`` and everything it reads."""
        mod = self.module(modname)
        self.future |= mod.future
        where = " <- ".join(chain)
        if name in mod.imports:
            self._need_import(mod, name, chain)
            return
        node = mod.defs.get(name)
        if node is None:
            raise FigureCodeError(f"{modname}: {name!r} is not defined at module level ({where})")
        seen = self.chosen.get(name)
        if seen is not None:
            if seen[1] is node:
                return
            other = self.module(seen[0]).text(seen[1])
            if other != mod.text(node):
                raise FigureCodeError(
                    f"{name!r} is defined both in {seen[0]} and in {modname} with different "
                    f"code; the figure's script needs both ({where})"
                )
            return
        self.chosen[name] = (modname, node)
        for dep in sorted(mod.globals_of(node) - {name}):
            self.need(modname, dep, (*chain, dep))
        if all(n is not node for _, n in self.order):
            self.order.append((modname, node))

    def _need_import(self, mod: _Module, bound: str, chain: tuple[str, ...]) -> None:
        module, attr, level = mod.imports[bound]
        if level:
            raise FigureCodeError(f"{mod.name}: relative import of {bound!r} is not supported")
        root = module.split(".")[0]
        if root == "guide":
            if attr is None or module == "guide":
                raise FigureCodeError(
                    f"{mod.name}: {bound!r} is a guide module; import the names it uses "
                    f"(from {module}{'.' + attr if attr else ''} import ...) instead "
                    f"({' <- '.join(chain)})"
                )
            if attr != bound:
                raise FigureCodeError(f"{mod.name}: import {attr} from {module} without 'as'")
            self.need(module, attr, chain)
            return
        if root not in ALLOWED_ROOTS and root not in sys.stdlib_module_names:
            raise FigureCodeError(
                f"{mod.name}: {bound!r} comes from {module}, which the page's Python lacks "
                f"(allowed: {', '.join(ALLOWED_ROOTS)} and the standard library)"
            )
        key = (module, attr)
        old = self.imports.get(key)
        if old is not None and old != bound:
            raise FigureCodeError(f"{module}.{attr} is imported as {old!r} and as {bound!r}")
        self.imports[key] = bound


def _import_lines(imports: dict[tuple[str, str | None], str], future: bool) -> list[str]:
    """Import statements, grouped as ruff's isort would: __future__, stdlib, third party, optdocs."""
    def group(module: str) -> int:
        root = module.split(".")[0]
        return 1 if root in sys.stdlib_module_names else (3 if root == "optdocs" else 2)

    plain: dict[str, list[str]] = {}
    froms: dict[str, list[str]] = {}
    for (module, attr), bound in imports.items():
        if attr is None:
            plain.setdefault(module, []).append(module if bound == module else f"{module} as {bound}")
        else:
            froms.setdefault(module, []).append(attr if attr == bound else f"{attr} as {bound}")
    lines: list[tuple[int, str, str]] = []
    for module, names in plain.items():
        lines += [(group(module), module, f"import {n}") for n in sorted(set(names))]
    for module, names in froms.items():
        lines.append((group(module), module, f"from {module} import {', '.join(sorted(set(names)))}"))
    out = ["from __future__ import annotations", ""] if future else []
    for g in (1, 2, 3):
        block = [text for gg, _, text in sorted(lines, key=lambda t: (t[0], t[1], t[2])) if gg == g]
        if block:
            out += [*block, ""]
    return out


def _refuse_local_guide_imports(mod: _Module, node: ast.stmt) -> None:
    for sub in ast.walk(node):
        names = ([a.name for a in sub.names] if isinstance(sub, ast.Import)
                 else [sub.module or ""] if isinstance(sub, ast.ImportFrom) else [])
        if any(n == "guide" or n.startswith("guide.") for n in names):
            raise FigureCodeError(
                f"{mod.name}:{sub.lineno}: an import of the guide package inside a function; "
                "import the name at module level, so that its code can be included"
            )


def figure_node(func) -> tuple[str, ast.FunctionDef]:
    """(module name, the ``def`` node) of a registered figure function."""
    modname = func.__module__
    mod = _Module.load(modname)
    line = func.__code__.co_firstlineno
    for node in mod.tree.body:
        if isinstance(node, ast.FunctionDef):
            starts = [node.lineno, *[d.lineno for d in node.decorator_list]]
            if line in starts:
                return modname, node
    raise FigureCodeError(
        f"{modname}: the figure function at line {line} is not a module-level def "
        "(register figures with @figure on a def, not on a lambda)"
    )


def _signature_defaults(func) -> dict[str, object]:
    return {p.name: p.default for p in inspect.signature(func).parameters.values()
            if p.default is not inspect.Parameter.empty}


def figure_cell(spec) -> str:
    """The complete script that draws figure ``spec`` (see the module docstring)."""
    modname, node = figure_node(spec.func)
    closure = _Closure()
    mod = closure.module(modname)
    if DRAW in mod.defs or DRAW in mod.imports:
        raise FigureCodeError(f"{modname}: the name {DRAW!r} is taken; the figure's script "
                              "calls the figure function by that name")
    closure.future |= mod.future
    for dep in sorted(mod.globals_of(node)):
        closure.need(modname, dep, (spec.name, dep))
    closure.imports[("optdocs.plots", "show")] = "show"
    closure.imports[("optdocs.plots", "style_context")] = "style_context"
    for m, n in [*closure.order, (modname, node)]:
        _refuse_local_guide_imports(closure.module(m), n)
    parts = [(closure.module(m).text(n), n) for m, n in closure.order]
    parts.append((mod.text(node, rename=DRAW), node))
    kwargs = dict(getattr(spec, "page_kwargs", None) or {})
    head = [f"# The code that draws the figure, from {mod.path.relative_to(REPO_ROOT).as_posix()}"
            " (the build runs it)."]
    if kwargs:
        defaults = _signature_defaults(spec.func)
        change = ", ".join(f"{k}={v!r} (the build: {defaults[k]!r})" for k, v in kwargs.items())
        head.append(f"# Smaller here, so that it runs quickly in the page: {change}.")
    call = f"{DRAW}({', '.join(f'{k}={v!r}' for k, v in kwargs.items())})"
    lines = [*head, *_import_lines(closure.imports, closure.future)]
    code = "\n".join(lines) + "\n" + _join(parts) + "\n\n\n"
    code += f"with style_context():\n    fig = {call}\nshow(fig)\n"
    return code


def _join(parts: list[tuple[str, ast.stmt]]) -> str:
    """The definitions as a module: consecutive constants one per line, two blank lines around
    functions and classes."""
    out, previous = [], None
    for text, node in parts:
        if previous is not None:
            simple = not isinstance(node, ast.FunctionDef | ast.ClassDef)
            out.append("\n" if simple and previous and not text.startswith("#") else "\n\n\n")
        out.append(text)
        previous = not isinstance(node, ast.FunctionDef | ast.ClassDef)
    return "".join(out)


def smaller_title(spec) -> str:
    """The folded block's title: says when the script draws a smaller version."""
    kwargs = dict(getattr(spec, "page_kwargs", None) or {})
    if not kwargs:
        return "The code that draws this figure"
    defaults = _signature_defaults(spec.func)
    change = ", ".join(f"{k} = {v!r} instead of {defaults[k]!r}" for k, v in kwargs.items())
    return f"The code that draws this figure, smaller ({change})"
