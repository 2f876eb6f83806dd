"""The code base stays lint-clean (ruff, configured in pyproject.toml), so CI catches drift."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def test_ruff_finds_nothing_to_fix():
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed (it comes with the test extra: pip install -e "
            "'.[test]')")
    targets = ["main.py", "cnnviz", "ui", "tests", "scripts"]
    done = subprocess.run([ruff, "check", "--no-cache", *targets],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
