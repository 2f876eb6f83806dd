"""Small modules with one job each: no engine file over 400 lines, no function over 60 lines."""

import ast
from pathlib import Path

import cnnviz

ENGINE = Path(cnnviz.__file__).parent
MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 60


def _sources():
    return sorted(ENGINE.rglob("*.py"))


def test_no_engine_file_is_over_400_lines():
    long = {str(p.relative_to(ENGINE)): n for p in _sources()
            if (n := len(p.read_text().splitlines())) > MAX_FILE_LINES}
    assert long == {}


def test_no_engine_function_is_over_60_lines():
    long = {}
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long[f"{path.relative_to(ENGINE)}:{node.lineno} {node.name}"] = lines
    assert long == {}
