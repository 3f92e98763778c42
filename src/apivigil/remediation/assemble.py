"""One app from several fix examples: the hardened apps of the docs pages are the tested
examples put together, not re-typed, so a correction to an example reaches the docs too.

Each example is a complete app; their top-level statements are merged in order. Imports are
united. A statement another example already has (the same code, comments aside) is kept once.
A function defined again differently is the later example refining it (a throttled
`current_user`, a view with more decorators): the later one replaces it, at its later place.
Statements then move only as far as needed to come after what they use when they run (a view
after the `current_user` its dependency names). Any other statement that differs between
examples (a different `auth = ...`, another `if BEHIND_ONE_PROXY:` block) is a contradiction
between the examples and an error: it would silently drop a fix.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from apivigil.core.models import Framework
from apivigil.remediation import examples

_LINE_LENGTH = 100


@dataclass
class _Statement:
    key: str
    shape: str  # the statement's AST, without comments or positions
    text: str  # its source with its comments, dedented to column 0
    gap: int  # blank lines before it in its example (0-2)
    replaceable: bool
    definition: bool  # a def or class: two blank lines around it
    binds: frozenset[str]  # module-level names it sets
    uses: frozenset[str]  # names it reads when it runs (a def: decorators, annotations)
    fix: str = ""  # the example it comes from


@dataclass
class _Imports:
    modules: dict[str, str | None]  # `import x [as y]`: module -> alias
    names: dict[str, dict[str, str | None]]  # `from m import a [as b]`

    def add(self, node: ast.Import | ast.ImportFrom) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                self.modules.setdefault(alias.name, alias.asname)
        else:
            names = self.names.setdefault("." * node.level + (node.module or ""), {})
            for alias in node.names:
                names.setdefault(alias.name, alias.asname)

    def render(self) -> str:
        """isort's layout (as ruff's I rules check it): standard library first, plain
        imports before from-imports, names ordered constants, classes, then the rest."""
        sections: list[list[str]] = [[], []]

        def section(module: str) -> list[str]:
            return sections[module.split(".")[0] not in sys.stdlib_module_names]

        for module in sorted(self.modules, key=str.lower):
            alias = self.modules[module]
            section(module).append(f"import {module}" + (f" as {alias}" if alias else ""))
        # ruff sorts plain imports ahead of from-imports within a section
        for module in sorted(self.names, key=str.lower):
            names = [n + (f" as {a}" if a else "") for n, a in
                     sorted(self.names[module].items(), key=lambda item: _name_order(item[0]))]
            line = f"from {module} import {', '.join(names)}"
            if len(line) > _LINE_LENGTH:
                line = f"from {module} import (\n" + "".join(f"    {n},\n" for n in names) + ")"
            section(module).append(line)
        return "\n\n".join("\n".join(lines) for lines in sections if lines)


def _name_order(name: str) -> tuple[int, str]:
    if name.isupper() and len(name) > 1:
        return 0, name
    if name[:1].isupper():
        return 1, name
    return 2, name.lower()


def _key(node: ast.stmt) -> tuple[str, bool]:
    """What the statement defines, and whether a later example may redefine it."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return f"def {node.name}", True
    if isinstance(node, ast.ClassDef):
        return f"class {node.name}", False
    if isinstance(node, ast.Assign):
        return "= " + " = ".join(ast.unparse(t) for t in node.targets), False
    if isinstance(node, ast.AnnAssign | ast.AugAssign):
        return "= " + ast.unparse(node.target), False
    if isinstance(node, ast.If):
        return "if " + ast.unparse(node.test), False
    return ast.dump(node), False


def _names(node: ast.stmt) -> tuple[frozenset[str], frozenset[str]]:
    """(names the statement binds at module level, names it reads as it executes)."""
    run: list[ast.AST]
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        arguments = node.args
        run = [*node.decorator_list, *arguments.defaults,
               *(d for d in arguments.kw_defaults if d is not None),
               *(a.annotation for a in (*arguments.posonlyargs, *arguments.args,
                                         *arguments.kwonlyargs, arguments.vararg,
                                         arguments.kwarg) if a is not None and a.annotation),
               *([node.returns] if node.returns else [])]
        binds = frozenset({node.name})
    elif isinstance(node, ast.ClassDef):  # its body runs at definition
        run, binds = [node], frozenset({node.name})
    else:
        run = [node]
        binds = frozenset(n.id for n in ast.walk(node)
                          if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store))
    uses = frozenset(n.id for part in run for n in ast.walk(part)
                     if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load))
    return binds, uses - binds


def _in_use_order(statements: list[_Statement]) -> list[_Statement]:
    """The statements in their order, except that each comes after those binding the names it
    uses as it runs (stable: the earliest ready statement first)."""
    binder: dict[str, int] = {}
    for index, statement in enumerate(statements):
        for name in statement.binds:
            binder.setdefault(name, index)
    needs = [{binder[name] for name in s.uses if name in binder} - {i}
             for i, s in enumerate(statements)]
    placed: list[int] = []
    waiting = list(range(len(statements)))
    while waiting:
        ready = next((i for i in waiting if needs[i] <= set(placed)), None)
        if ready is None:
            raise ValueError("the examples' statements depend on each other in a cycle")
        placed.append(ready)
        waiting.remove(ready)
    return [statements[i] for i in placed]


def _statements(code: str, where: str) -> tuple[list[ast.Import | ast.ImportFrom],
                                                list[_Statement]]:
    """The example's imports, and its other top-level statements with their comments."""
    tree = ast.parse(code, where)
    lines = code.splitlines()
    body = list(tree.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the example's docstring: the assembled app has its own
    imports = [node for node in body if isinstance(node, ast.Import | ast.ImportFrom)]
    others = [node for node in body if not isinstance(node, ast.Import | ast.ImportFrom)]
    starts: list[int] = []
    for node in others:  # 0-based first line, with decorators and the comments right above
        first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))]) - 1
        while first > 0 and lines[first - 1].lstrip().startswith("#"):
            first -= 1
        starts.append(first)
    found = []
    for index, node in enumerate(others):
        end = node.end_lineno or node.lineno  # exclusive, 0-based
        limit = starts[index + 1] if index + 1 < len(others) else len(lines)
        # comments below it, before a blank line, are its own (a note on what follows it)
        while end < limit and lines[end].lstrip().startswith("#"):
            end += 1
        gap = 0
        while gap < 2 and starts[index] - gap - 1 >= 0 and not lines[starts[index] - gap - 1]:
            gap += 1
        key, replaceable = _key(node)
        binds, uses = _names(node)
        found.append(_Statement(
            key, ast.dump(node), "\n".join(lines[starts[index]:end]), gap, replaceable,
            isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef),
            binds, uses))
    return imports, found


def assemble(docstring: str, fixes: Sequence[str], framework: Framework) -> str:
    """The app made of the examples of `fixes` for `framework`, in that order."""
    parts = []
    for fix in fixes:
        example = next((e for e in examples(fix) if e.framework is framework), None)
        if example is None:
            raise LookupError(f"the fix {fix!r} has no {framework.value} example")
        parts.append((fix, example.code))
    return assemble_code(docstring, parts)


def assemble_code(docstring: str, parts: Sequence[tuple[str, str]]) -> str:
    """The app made of `parts` ((name, code) pairs), in that order."""
    imports = _Imports({}, {})
    merged: dict[str, _Statement] = {}
    for fix, code in parts:
        found_imports, statements = _statements(code, f"<{fix}>")
        for node in found_imports:
            imports.add(node)
        for statement in statements:
            statement.fix = fix
            earlier = merged.get(statement.key)
            if earlier is None:
                merged[statement.key] = statement
            elif earlier.shape != statement.shape:
                if not statement.replaceable:
                    raise ValueError(f"the examples {earlier.fix!r} and {fix!r} disagree on "
                                     f"`{statement.key}`")
                del merged[statement.key]  # refined: the later definition, at its place
                merged[statement.key] = statement
    docstring = docstring.strip()
    head = f'"""{docstring}\n"""' if "\n" in docstring else f'"""{docstring}"""'
    body = ""
    previous: _Statement | None = None
    ordered = _in_use_order(list(merged.values()))
    for statement in ordered:
        if previous is not None:
            gap = 2 if statement.definition or previous.definition else statement.gap
            if statement.fix != previous.fix:  # a new example's part starts a paragraph
                gap = max(gap, 1)
            body += "\n" * (gap + 1)
        body += statement.text
        previous = statement
    after_imports = "\n\n\n" if ordered and ordered[0].definition else "\n\n"
    return f"{head}\n\n{imports.render()}{after_imports}{body}\n"


# The hardened Basic-auth APIs of docs/hardened-*-basic-auth.md (scripts/hardened_docs.py
# writes them into the pages): the tested examples, plus `hardened-basic-auth`, which adds
# generic errors, no-store answers and a logger.
HARDENED_PARTS = ("https-only", "basic-auth", "hardened-basic-auth", "login-throttling")
_HARDENED_DOCSTRINGS = {
    Framework.FLASK: """
A small Flask API with HTTP Basic done right: HTTPS only with HSTS, hashed credentials
with constant work, throttled failures, generic errors, no credentials in logs
(pip install flask flask-httpauth flask-limiter bcrypt).

Serve it with a production WSGI server behind TLS (gunicorn --certfile/--keyfile, or a
reverse proxy); never with debug on.
""",
    Framework.FASTAPI: """
A small FastAPI API with HTTP Basic done right: HTTPS only with HSTS, hashed credentials
with constant work, throttled failures, generic errors, no credentials in logs
(pip install fastapi uvicorn limits bcrypt).

Serve it with uvicorn over TLS: `uvicorn app:app --ssl-certfile ... --ssl-keyfile ...
--no-proxy-headers` (uvicorn otherwise trusts X-Forwarded-For from 127.0.0.1, and anyone on
the host could choose the address the limiter counts), or behind a reverse proxy with
`--proxy-headers --forwarded-allow-ips=<the proxy's address>`.
""",
}


def hardened_basic_auth(framework: Framework) -> str:
    """The whole hardened Basic-auth API for `framework`, as its docs page shows it."""
    return assemble(_HARDENED_DOCSTRINGS[framework], HARDENED_PARTS, framework)
