"""The engine stays importable on a machine without Qt (DESIGN.md: cnnviz/ never imports Qt)."""

import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import cnnviz

FORBIDDEN = ("PySide6", "pyqtgraph", "shiboken6", "ui")


def _engine_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.walk_packages(cnnviz.__path__, "cnnviz."))


def test_every_engine_module_imports_without_loading_qt():
    imports = "; ".join(f"import {name}" for name in _engine_modules() if name != "cnnviz.__main__")
    probe = (
        f"import sys; {imports}; "
        f"bad = [m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}]; "
        "print(','.join(bad)); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          cwd=Path(cnnviz.__file__).parent.parent)
    assert done.returncode == 0, f"engine pulled in Qt/ui modules: {done.stdout} {done.stderr}"


def test_no_engine_source_has_a_qt_or_ui_import_statement():
    # Also catches imports inside functions, which the subprocess check above never executes.
    statement = re.compile(r"^\s*(from|import)\s+(PySide6|pyqtgraph|shiboken6|ui)\b", re.MULTILINE)
    root = Path(cnnviz.__file__).parent
    offenders = [str(p.relative_to(root)) for p in root.rglob("*.py")
                 if statement.search(p.read_text())]
    assert offenders == []
