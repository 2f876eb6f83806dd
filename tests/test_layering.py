"""The architecture is enforced, not hoped for: import-linter contracts in pyproject.toml.

- cnnviz never imports PySide6, pyqtgraph or ui;
- cnnviz.nn imports nothing else from cnnviz;
- the tabs (ui.playground, ui.training, ui.why) are independent of each other;
- ui.widgets imports no tab.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: import-linter brings tomli
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]


def _lint_imports() -> str:
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.fail("lint-imports is missing; it comes with the test extra: "
                    "pip install -e '.[test]'")
    return exe


def test_import_linter_contracts_are_kept():
    done = subprocess.run([_lint_imports(), "--no-cache"], cwd=ROOT, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def _write(root: Path, module: str, source: str) -> None:
    path = root.joinpath(*module.split(".")) / "__init__.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source)


def test_every_contract_catches_the_violation_it_names(tmp_path):
    # A tiny tree that breaks each rule once: a contract that names a module that does not exist
    # (or the wrong one) would pass the real tree vacuously, so prove each one can fail.
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    contracts = config["contracts"]
    named = {m for c in contracts for key in ("forbidden_modules", "source_modules", "modules")
             for m in c.get(key, [])}
    for module, source in {
        **{m: "" for m in named},
        "cnnviz": "import PySide6\n", "cnnviz.train": "", "cnnviz.nn": "import cnnviz.train\n",
        "ui": "", "ui.playground": "import ui.training\n", "ui.training": "", "ui.why": "",
        "ui.main_window": "", "ui.app": "", "ui.widgets": "import ui.playground\n",
    }.items():
        _write(tmp_path, module, source)
    lines = ["[importlinter]", "root_packages =", "    cnnviz", "    ui",
             "include_external_packages = True", ""]
    for contract in contracts:
        lines.append(f"[importlinter:contract:{contract['id']}]")
        for key, value in contract.items():
            if key == "id":
                continue
            if isinstance(value, list):
                lines.append(f"{key} =")
                lines.extend(f"    {v}" for v in value)
            else:
                lines.append(f"{key} = {value}")
        lines.append("")
    (tmp_path / ".importlinter").write_text("\n".join(lines))
    done = subprocess.run([_lint_imports(), "--no-cache"], cwd=tmp_path, capture_output=True,
                          text=True, env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"})
    out = done.stdout + done.stderr
    assert done.returncode != 0, out
    for contract in contracts:
        assert re.search(rf"{re.escape(contract['name'])}\s+BROKEN", out), out


def test_nn_is_forbidden_every_other_cnnviz_module():
    # The contract lists modules by name: a module added later and left out of it could be
    # imported by cnnviz.nn unnoticed.
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    nn = next(c for c in contracts["contracts"] if c["id"] == "nn-stands-alone")
    package = ROOT / "cnnviz"
    modules = {f"cnnviz.{p.stem}" for p in package.glob("*.py") if not p.stem.startswith("_")}
    modules |= {f"cnnviz.{p.parent.name}" for p in package.glob("*/__init__.py")}
    assert modules - {"cnnviz.nn"} == set(nn["forbidden_modules"])
