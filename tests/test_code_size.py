"""The code base keeps the size DESIGN.md asks for: small files, short functions.

Layout builders are exempt from the function limit (Qt layout code is long but flat): in ``ui/``,
``__init__`` methods and functions whose names start with ``_build``/``build`` or end with
``_group``/``_layout``.
"""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT / "main.py", *sorted((ROOT / "cnnviz").rglob("*.py")),
           *sorted((ROOT / "ui").rglob("*.py")), *sorted((ROOT / "scripts").rglob("*.py"))]
MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 60
_BUILDER = re.compile(r"^(__init__|_?build.*|.*_group|.*_layout)$")


def _is_layout_builder(path: Path, name: str) -> bool:
    return path.is_relative_to(ROOT / "ui") and bool(_BUILDER.match(name))


def test_no_source_file_is_over_400_lines():
    long = {str(p.relative_to(ROOT)): n for p in SOURCES
            if (n := len(p.read_text().splitlines())) > MAX_FILE_LINES}
    assert long == {}


def test_no_function_is_over_60_lines_except_qt_layout_builders():
    long = {}
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES and not _is_layout_builder(path, node.name):
                    long[f"{path.relative_to(ROOT)}::{node.name}"] = length
    assert long == {}
