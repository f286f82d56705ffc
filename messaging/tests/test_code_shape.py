"""The shape of messaging's code, checked: no import hidden in a function (the dodge of an
import cycle), no module over 400 lines, no function over 50. The layers themselves are
import-linter's contracts (``.importlinter``, run by ``make lint``)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: Messaging, and the core modules it stands on that were written with it.
CHECKED = [ROOT / "messaging", ROOT / "outreach" / "db.py", ROOT / "outreach" / "panels.py",
           ROOT / "outreach" / "wakeups.py"]
#: Genuine lazy imports of optional or heavy libraries, each with its reason: none needed.
LAZY_IMPORTS_ALLOWED: dict[tuple[str, str], str] = {}
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 50


def modules() -> list[Path]:
    found = []
    for place in CHECKED:
        for path in sorted([place] if place.is_file() else place.rglob("*.py")):
            if not {"tests", "migrations"} & set(path.relative_to(ROOT).parts):
                found.append(path)
    return found


def functions(tree: ast.AST):
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def name(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_the_scan_reads_the_code_it_is_meant_to():
    names = {name(p) for p in modules()}
    assert {"messaging/queue/dispatch.py", "messaging/services/sending.py", "outreach/db.py"} <= names
    assert not any("/tests/" in n or "/migrations/" in n for n in names)


@pytest.mark.parametrize("path", modules(), ids=name)
def test_no_import_inside_a_function(path):
    found = [
        f"{name(path)}:{node.lineno} in {func.name}(): {ast.unparse(node)}"
        for func in functions(ast.parse(path.read_text()))
        for node in ast.walk(func)
        if isinstance(node, ast.Import | ast.ImportFrom) and (name(path), func.name) not in LAZY_IMPORTS_ALLOWED
    ]
    assert not found, "imports belong at the top of the module (a cycle is a layering to fix):\n" + "\n".join(found)


@pytest.mark.parametrize("path", modules(), ids=name)
def test_modules_and_functions_stay_small(path):
    source = path.read_text()
    assert source.count("\n") <= MAX_MODULE_LINES, f"{name(path)} is past {MAX_MODULE_LINES} lines: split it by concern"
    long = [f"{f.name} ({f.end_lineno - f.lineno + 1} lines)" for f in functions(ast.parse(source))
            if f.end_lineno - f.lineno + 1 > MAX_FUNCTION_LINES]
    assert not long, f"{name(path)}: functions past {MAX_FUNCTION_LINES} lines hide a second one: {long}"
